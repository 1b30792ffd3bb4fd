//! One file's content handed to every interested scanner, with the shared
//! post-processing: added-line filtering, inline suppression and counting.

use shipgate_model::{Finding, NoteKind, Scanner, SourceFile};

use crate::Outcome;
use crate::diff::AddedLines;
use crate::suppress;

/// How much of the start of a file is searched for a NUL byte.
pub(crate) const BINARY_PROBE: usize = 8 * 1024;

/// Whether `content` looks binary: a NUL byte within its first 8 KiB.
pub(crate) fn looks_binary(content: &[u8]) -> bool {
    let probe = &content[..content.len().min(BINARY_PROBE)];
    memchr::memchr(0, probe).is_some()
}

/// The scanners of one scan.
#[derive(Clone, Copy)]
pub(crate) struct Dispatch<'a> {
    scanners: &'a [&'a dyn Scanner],
}

impl<'a> Dispatch<'a> {
    pub(crate) fn new(scanners: &'a [&'a dyn Scanner]) -> Self {
        Dispatch { scanners }
    }

    /// Whether any scanner wants `path`; files nobody wants are never read.
    pub(crate) fn wants(&self, path: &str) -> bool {
        self.scanners.iter().any(|scanner| scanner.wants(path))
    }

    /// Scans text `content` of `path` and returns the findings that survive
    /// the `added` filter (when given) and inline suppression; counts go to
    /// `out.stats`.
    pub(crate) fn scan(
        &self,
        path: &str,
        content: &[u8],
        added: Option<&AddedLines>,
        out: &mut Outcome,
    ) -> Vec<Finding> {
        let file = SourceFile { path, content };
        let mut findings = Vec::new();
        for scanner in self.scanners.iter().filter(|s| s.wants(path)) {
            scanner.scan(&file, &mut findings);
        }
        if let Some(added) = added {
            findings.retain(|finding| added.contains(finding.location.start.line));
        }
        out.stats.suppressed_inline += suppress::apply(content, &mut findings);
        out.stats.files_scanned += 1;
        out.stats.bytes_scanned += content.len() as u64;
        findings
    }
}

/// Records that `path` was skipped, and why.
pub(crate) fn skip(out: &mut Outcome, kind: NoteKind, path: &str, message: String) {
    out.skip(kind, path, message);
}

/// The note text for a binary file.
pub(crate) fn binary_message() -> String {
    "skipped: looks binary (NUL byte in the first 8 KiB)".to_owned()
}

/// The note text for a file over the size limit.
pub(crate) fn too_large_message(size: u64, limit: u64) -> String {
    format!(
        "skipped: {size} bytes is over the {limit}-byte limit (raise `max_file_size` to scan it)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_only_count_near_the_start() {
        assert!(looks_binary(b"PK\x03\x04\x00"));
        assert!(!looks_binary(b"plain text\n"));
        let mut late = vec![b'a'; BINARY_PROBE];
        late.push(0);
        assert!(!looks_binary(&late));
    }
}
