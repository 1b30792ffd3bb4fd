use super::deps_rule;

deps_rule! {
    /// Reports a locked package version that a published advisory names as
    /// vulnerable, once per package and advisory, at the package's entry in
    /// the lockfile.
    ///
    /// Matching is by exact package identity: the advisory's ecosystem and
    /// package name (normalised as the registry does: PyPI names per PEP 503,
    /// Maven `group:artifact`, npm scopes, Go module paths) and the locked
    /// version against the advisory's OSV ranges, ordered by the ecosystem's
    /// own version rules. There is no CPE or fuzzy name guessing, so a finding
    /// means the exact version is inside an affected range. Packages taken
    /// from git, a path or a URL are not matched: an advisory for the
    /// registry package says nothing about other code of the same name.
    ///
    /// The severity is the CVSS base score computed from the advisory's
    /// vector (v3.x or v4.0), else the database's own rating. The finding
    /// names the advisory's aliases (CVE, GHSA), the fixed versions, and the
    /// smallest upgrade that leaves the package affected by none of its
    /// known advisories.
    ///
    /// The advisories come from the local database (`shipgate db import` or
    /// `shipgate db update`); the scan never touches the network.
    ///
    /// ## Why it matters
    /// A known-vulnerable dependency is the cheapest way into an application:
    /// the exploit is published with the advisory.
    ///
    /// ## Fix
    /// Upgrade to the version the finding names (update the manifest's
    /// constraint if it pins the old one, then regenerate the lockfile). When
    /// the vulnerable code is unreachable, accept the advisory for a limited
    /// time with a reason:
    ///
    /// ```toml
    /// [[deps.ignore]]
    /// id = "GHSA-xxxx-xxxx-xxxx"
    /// package = "lodash"        # optional
    /// reason = "only used at build time on trusted input"
    /// expires = 2027-03-31
    /// ```
    pub(crate) static VULNERABLE_PACKAGE = {
        id: "deps/vulnerable-package",
        title: "Dependency version with a known vulnerability",
        severity: High,
        confidence: High,
        controls: ["CICD-SEC-3", "SSDF-RV.1", "SSDF-PW.4", "SOC2-CC7.1", "checklist-4"],
    };
}
