//! Problems with a CI file itself, before any audit can read it.

use crate::audit::{Sink, audit_meta};
use crate::repo::RepoFile;
use crate::yaml::{Document, YamlError, YamlIssue};

audit_meta! {
    /// Reports CI configuration files that cannot be read as YAML: syntax
    /// errors, tabs used for indentation, text that is not UTF-8, alias bombs
    /// and absurd nesting.
    ///
    /// ## Why it matters
    /// GitHub and GitLab refuse such a file, so the pipeline silently does
    /// not run, and no audit can vouch for it. The rest of the scan goes on;
    /// only this file is skipped.
    ///
    /// ## Fix
    /// Correct the syntax at the reported position (`yamllint` or the
    /// platform's own linter helps) and scan again.
    pub(crate) static INVALID_YAML = {
        id: "ci/invalid-yaml",
        title: "CI configuration file is not valid YAML",
        severity: Low,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-1"],
    };
}

audit_meta! {
    /// Reports a mapping that has the same key twice in a CI file.
    ///
    /// ## Why it matters
    /// GitHub rejects the file; other YAML readers keep one value or the
    /// other. A reviewer who reads the first `permissions:` or `if:` may not
    /// notice that a second one overrides it.
    ///
    /// ## Fix
    /// Delete one of the two keys.
    pub(crate) static DUPLICATE_KEY = {
        id: "ci/duplicate-key",
        title: "Duplicate key in a CI configuration mapping",
        severity: Low,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-1"],
    };
}

/// Reports why `file` could not be parsed.
pub(crate) fn report_unparseable(file: &RepoFile, error: &YamlError, sink: &mut Sink) {
    let text = file.lossy_text();
    let at = error.offset.min(text.len());
    let end = text
        .get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(at, |c| at + c.len_utf8());
    sink.report(
        &INVALID_YAML,
        at..end,
        "",
        format!(
            "cannot be parsed as YAML: {}; no audit ran on this file",
            error.message
        ),
    );
}

/// Reports the loader's warnings for a parsed file.
pub(crate) fn report_issues(doc: &Document, sink: &mut Sink) {
    for issue in doc.issues() {
        match issue {
            YamlIssue::DuplicateKey { key, first, second } => {
                let line = doc.source()[..first.start].matches('\n').count() + 1;
                sink.report(
                    &DUPLICATE_KEY,
                    second.clone(),
                    "",
                    format!("`{key}` is also set on line {line}; only this one takes effect"),
                );
            }
        }
    }
}
