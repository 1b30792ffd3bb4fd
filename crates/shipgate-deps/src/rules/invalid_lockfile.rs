use super::deps_rule;

deps_rule! {
    /// Reports a lockfile that could not be read at all: not UTF-8, not
    /// valid JSON, TOML, YAML or XML, or cut off. Entries that cannot be
    /// read in an otherwise readable lockfile are listed as notes instead,
    /// and the rest of the file is still matched.
    ///
    /// ## Why it matters
    /// Nothing in an unreadable lockfile is checked for known
    /// vulnerabilities or listed in the SBOM, so the report would otherwise
    /// look clean for the wrong reason. Package managers refuse such files
    /// too, so a build may be resolving different versions than reviewed.
    ///
    /// ## Fix
    /// Regenerate the lockfile with its package manager (`npm install`,
    /// `cargo generate-lockfile`, `poetry lock`, ...) and commit the result.
    pub(crate) static INVALID_LOCKFILE = {
        id: "deps/invalid-lockfile",
        title: "Lockfile cannot be read",
        severity: Low,
        confidence: High,
        controls: ["SSDF-PS.3"],
    };
}
