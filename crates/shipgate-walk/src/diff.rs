//! Which lines of a file are new relative to an older version.
//!
//! Uses gitoxide's maintained imara-diff (histogram algorithm) directly,
//! which avoids the attribute and filter machinery of gix's `blob-diff`
//! feature that this crate does not need.

use gix_imara_diff::{Algorithm, Diff, InternedInput};

/// The 1-based lines of a new version that an older version did not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AddedLines {
    added: Vec<bool>,
}

impl AddedLines {
    /// Compares `old` with `new` line by line.
    ///
    /// Line endings are ignored, so a file whose only change is CRLF versus LF
    /// (for example through `core.autocrlf`) has no added lines.
    pub(crate) fn between(old: &[u8], new: &[u8]) -> Self {
        let mut input = InternedInput::default();
        input.update_before(lines(old));
        input.update_after(lines(new));
        let too_many = |tokens: &[_]| i32::try_from(tokens.len()).is_err();
        if too_many(&input.before) || too_many(&input.after) {
            // Beyond what the diff supports: count every line as new so
            // nothing is hidden.
            return AddedLines {
                added: vec![true; input.after.len()],
            };
        }
        let diff = Diff::compute(Algorithm::Histogram, &input);
        let added = (0..input.after.len())
            .map(|index| u32::try_from(index).is_ok_and(|index| diff.is_added(index)))
            .collect();
        AddedLines { added }
    }

    /// Whether 1-based `line` is new. A line past the end counts as new so a
    /// scanner's odd position never hides a finding.
    pub(crate) fn contains(&self, line: u32) -> bool {
        let Some(index) = (line as usize).checked_sub(1) else {
            return true;
        };
        self.added.get(index).copied().unwrap_or(true)
    }

    /// Whether any line is new at all.
    pub(crate) fn any(&self) -> bool {
        self.added.contains(&true)
    }
}

/// Lines split on `\n` with a trailing `\r` dropped, matching how
/// [`shipgate_model::LineIndex`] numbers lines.
fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inserted_and_changed_lines_are_added() {
        let lines = AddedLines::between(b"a\nb\nc\n", b"a\nB\nc\nd\n");
        assert!(!lines.contains(1));
        assert!(lines.contains(2));
        assert!(!lines.contains(3));
        assert!(lines.contains(4));
        assert!(lines.any());
    }

    #[test]
    fn line_ending_changes_are_not_additions() {
        let lines = AddedLines::between(b"a\nb\n", b"a\r\nb\r\n");
        assert!(!lines.any());
        assert!(!lines.contains(2));
    }

    #[test]
    fn a_missing_final_newline_does_not_mark_the_last_line() {
        let lines = AddedLines::between(b"a\nb", b"a\nb\nc\n");
        assert!(!lines.contains(2));
        assert!(lines.contains(3));
    }

    #[test]
    fn out_of_range_lines_count_as_new() {
        let lines = AddedLines::between(b"a\n", b"a\n");
        assert!(lines.contains(0));
        assert!(lines.contains(99));
        assert!(!lines.contains(1));
    }
}
