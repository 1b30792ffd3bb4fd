//! Mechanical, format-preserving fixes that audits attach to findings.

use std::ops::Range;

/// One text replacement in the file a finding is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Byte range replaced; empty for an insertion.
    pub range: Range<usize>,
    /// The new text.
    pub replacement: String,
}

/// A fix: edits plus what they are allowed to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in the imperative (`set persist-credentials: false`).
    pub title: String,
    /// Safe fixes keep behaviour for legitimate use; unsafe ones need review
    /// and are applied only with `--unsafe`.
    pub safe: bool,
    /// The text edits, non-overlapping.
    pub edits: Vec<Edit>,
    /// Symbolic paths (`jobs.build.steps[1].with`) of the only subtrees the
    /// fix may change; applying it is refused when the re-parsed file differs
    /// anywhere else.
    pub touches: Vec<String>,
}
