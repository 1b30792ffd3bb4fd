//! Maps a finding's line/column positions onto its snippet text.
//!
//! Positions come from the scanner and the snippet may have been trimmed or
//! produced by a different tool version, so every mapping clamps: a position
//! before the snippet maps to its start, one after it to its end, and a
//! column past the end of its line to the end of that line.

use std::ops::Range;

use shipgate_model::{Location, Position, Snippet};

/// Byte range of `snippet.text` that `location` covers; always on char
/// boundaries and never reversed.
pub(crate) fn snippet_span(snippet: &Snippet, location: &Location) -> Range<usize> {
    let start = byte_offset(&snippet.text, snippet.first_line, location.start);
    let end = byte_offset(&snippet.text, snippet.first_line, location.end);
    start..end.max(start)
}

/// The lines of a snippet, numbered, each with the part of the span it holds.
pub(crate) struct SnippetLine<'a> {
    /// 1-based line number in the file.
    pub number: u32,
    /// Text before the highlighted part.
    pub before: &'a str,
    /// The highlighted part (empty when the span misses this line).
    pub marked: &'a str,
    /// Text after the highlighted part.
    pub after: &'a str,
}

/// Splits a snippet into lines and cuts each at the finding's span.
pub(crate) fn snippet_lines<'a>(snippet: &'a Snippet, location: &Location) -> Vec<SnippetLine<'a>> {
    let span = snippet_span(snippet, location);
    let mut lines = Vec::new();
    let mut line_start = 0;
    for (index, line) in snippet.text.split('\n').enumerate() {
        let line_end = line_start + line.len();
        let cut_start = span.start.clamp(line_start, line_end) - line_start;
        let cut_end = span.end.clamp(line_start, line_end) - line_start;
        // The span and the line both start and end on char boundaries, so
        // the checked splits always succeed; the fallbacks only keep a
        // broken invariant from becoming a panic.
        let (before, rest) = line.split_at_checked(cut_start).unwrap_or((line, ""));
        let (marked, after) = rest
            .split_at_checked(cut_end.saturating_sub(cut_start))
            .unwrap_or((rest, ""));
        lines.push(SnippetLine {
            number: line_number(snippet.first_line, index),
            before,
            marked,
            after,
        });
        line_start = line_end + 1;
    }
    lines
}

/// The text of the span itself, for example the masked secret.
pub(crate) fn span_text<'a>(snippet: &'a Snippet, location: &Location) -> &'a str {
    let span = snippet_span(snippet, location);
    snippet.text.get(span).unwrap_or_default()
}

/// Number of the file line at `index` within a snippet starting at `first_line`.
pub(crate) fn line_number(first_line: u32, index: usize) -> u32 {
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    first_line.max(1).saturating_add(index)
}

fn byte_offset(text: &str, first_line: u32, position: Position) -> usize {
    let first_line = first_line.max(1);
    if position.line < first_line {
        return 0;
    }
    let wanted = usize::try_from(position.line - first_line).unwrap_or(usize::MAX);
    let mut line_start = 0;
    for (index, line) in text.split('\n').enumerate() {
        if index == wanted {
            let column = usize::try_from(position.column.saturating_sub(1)).unwrap_or(usize::MAX);
            let within = line
                .char_indices()
                .nth(column)
                .map_or(line.len(), |(offset, _)| offset);
            return line_start + within;
        }
        line_start += line.len() + 1;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(start: (u32, u32), end: (u32, u32)) -> Location {
        Location {
            path: "f".into(),
            start: Position {
                line: start.0,
                column: start.1,
            },
            end: Position {
                line: end.0,
                column: end.1,
            },
            byte_start: 0,
            byte_end: 0,
            commit: None,
            symbolic: None,
        }
    }

    fn snippet(first_line: u32, text: &str) -> Snippet {
        Snippet {
            first_line,
            text: text.into(),
        }
    }

    #[test]
    fn columns_count_code_points() {
        let s = snippet(10, "héllo=wörld\nnext");
        let span = snippet_span(&s, &location((10, 7), (10, 12)));
        assert_eq!(&s.text[span], "wörld");
    }

    #[test]
    fn spans_can_cover_several_lines() {
        let s = snippet(3, "a=BEGIN\nmiddle\nEND;");
        let loc = location((3, 3), (5, 4));
        assert_eq!(span_text(&s, &loc), "BEGIN\nmiddle\nEND");
        let lines = snippet_lines(&s, &loc);
        assert_eq!(lines.len(), 3);
        assert_eq!(
            (lines[0].number, lines[0].before, lines[0].marked),
            (3, "a=", "BEGIN")
        );
        assert_eq!(lines[1].marked, "middle");
        assert_eq!((lines[2].marked, lines[2].after), ("END", ";"));
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let s = snippet(5, "ab\ncd");
        assert_eq!(snippet_span(&s, &location((1, 1), (5, 2))), 0..1);
        assert_eq!(snippet_span(&s, &location((6, 99), (99, 1))), 5..5);
        assert_eq!(snippet_span(&s, &location((6, 2), (5, 1))), 4..4);
        assert_eq!(snippet_span(&s, &location((0, 0), (0, 0))), 0..0);
        let empty = snippet(0, "");
        assert_eq!(snippet_span(&empty, &location((3, 3), (4, 4))), 0..0);
        assert_eq!(
            snippet_lines(&empty, &location((3, 3), (4, 4)))[0].number,
            1
        );
    }
}
