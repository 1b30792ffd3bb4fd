//! Where a finding is: file, line, column, byte span, and for history scans the commit.

use serde::{Deserialize, Serialize};

/// A 1-based line and 1-based column counted in Unicode code points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in Unicode code points (SARIF `unicodeCodePoints`).
    pub column: u32,
}

/// The commit that introduced a finding, for scans of git history.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommitInfo {
    /// Full hexadecimal object id of the commit.
    pub id: String,
    /// Author name.
    pub author: String,
    /// Author e-mail address.
    pub email: String,
    /// Author date, RFC 3339 in UTC.
    pub date: String,
}

/// A region of one file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the scan root, with `/` separators.
    pub path: String,
    /// First character of the region.
    pub start: Position,
    /// Last character of the region, inclusive of its line and exclusive of its column.
    pub end: Position,
    /// Byte offsets `[start, end)` of the region in the file.
    pub byte_start: usize,
    /// End byte offset (exclusive).
    pub byte_end: usize,
    /// Set when the finding comes from a git history scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<CommitInfo>,
    /// Logical address inside a structured file, for example
    /// `jobs.build.steps[2].run` in a workflow; SARIF `logicalLocations`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbolic: Option<String>,
}

/// Maps byte offsets in a buffer to line/column positions.
///
/// Built once per file so each lookup is a binary search instead of a rescan.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &[u8]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { line_starts }
    }

    /// 0-based line index containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of the 0-based line `line`, without its line terminator.
    pub fn line_range(&self, text: &[u8], line: usize) -> std::ops::Range<usize> {
        let start = self.line_starts.get(line).copied().unwrap_or(text.len());
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        if end > start && text.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// Position of byte `offset` in `text`: 1-based line and code-point column.
    pub fn position(&self, text: &[u8], offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let line_start = self.line_starts[line];
        // Counting non-continuation bytes counts code points in valid UTF-8
        // and still gives a sensible column for invalid sequences.
        let column = text[line_start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count();
        Position {
            line: to_u32(line + 1),
            column: to_u32(column + 1),
        }
    }

    /// Number of lines in the indexed text.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_code_points() {
        let text = "ab\nçd=x\r\nlast".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        let eq = text.iter().position(|&b| b == b'=').unwrap();
        assert_eq!(index.position(text, eq), Position { line: 2, column: 3 });
        assert_eq!(index.line_range(text, 1), 3..8);
        assert_eq!(&text[index.line_range(text, 2)], b"last");
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let text = b"one\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 99), Position { line: 2, column: 1 });
        assert_eq!(index.line_range(text, 7), 4..4);
    }
}
