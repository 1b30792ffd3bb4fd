use super::deps_rule;

deps_rule! {
    /// Reports a locked package version that an advisory with a `MAL-` id
    /// names as malicious: typosquats, hijacked maintainer accounts, and
    /// install scripts that steal credentials.
    ///
    /// These advisories come from the OpenSSF malicious-packages feed
    /// published through OSV. The finding is always critical.
    ///
    /// ## Why it matters
    /// Malicious code runs the moment the package is installed, on
    /// developer machines and in CI, with whatever secrets are present
    /// there. Upgrading is not enough: the install has already run.
    ///
    /// ## Fix
    /// Remove the package, regenerate the lockfile, and treat every machine
    /// and CI runner that installed it as compromised: rotate the secrets
    /// they could read.
    pub(crate) static MALICIOUS_PACKAGE = {
        id: "deps/malicious-package",
        title: "Dependency version known to be malicious",
        severity: Critical,
        confidence: High,
        controls: ["CICD-SEC-3", "SSDF-PW.4", "SSDF-RV.1", "SOC2-CC7.1"],
    };
}
