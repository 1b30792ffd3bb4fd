//! From kept matches to findings: composite-rule checks, overlap
//! resolution, positions and snippets. Every step is near-linear in the
//! number of matches, so a file full of secrets cannot stall a scan.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::ops::Range;

use shipgate_model::finding::mask;
use shipgate_model::{LineIndex, Position};

use crate::compile::CompiledRule;
use crate::matching::RawMatch;

/// Lines up to this many bytes (beyond the secret) are shown whole.
const SNIPPET_WHOLE_LINE: usize = 240;
/// Context kept on each side of the secret when a line is longer.
const SNIPPET_CONTEXT: usize = 60;

/// Keeps the matches (sorted by position) whose rule's required companions
/// matched close enough, by line.
pub(crate) fn keep_satisfied(
    matches: Vec<RawMatch>,
    rules: &[CompiledRule],
    lines: &LineIndex,
) -> Vec<RawMatch> {
    if matches.iter().all(|m| rules[m.rule].requires.is_empty()) {
        return matches;
    }
    let mut lines_of_rule: HashMap<usize, Vec<usize>> = HashMap::new();
    for m in &matches {
        lines_of_rule
            .entry(m.rule)
            .or_default()
            .push(lines.line_of(m.whole.start));
    }
    for found in lines_of_rule.values_mut() {
        found.sort_unstable();
    }
    matches
        .into_iter()
        .filter(|m| {
            let line = lines.line_of(m.whole.start);
            rules[m.rule].requires.iter().all(|&(required, within)| {
                let Some(found) = lines_of_rule.get(&required) else {
                    return false;
                };
                let lowest = line.saturating_sub(within as usize);
                let first = found.partition_point(|&l| l < lowest);
                found
                    .get(first)
                    .is_some_and(|&l| l.abs_diff(line) <= within as usize)
            })
        })
        .collect()
}

/// Where several rules report the very same secret span, keeps one match
/// and lists the other rules' indices with it. The kept one is the most
/// confident, then one that knows a provider's format over a generic one,
/// then the one whose whole match needed more context (a Clerk rule that
/// wants the word `clerk` over the bare `sk_live_` pattern), then the one
/// with the lowest id. `kept` is sorted by secret span.
pub(crate) fn merge_identical<T>(
    kept: Vec<(RawMatch, T)>,
    rules: &[CompiledRule],
) -> Vec<(RawMatch, (T, Vec<usize>))> {
    let preference = |m: &RawMatch| {
        let rule = &rules[m.rule];
        (
            rule.spec.confidence,
            rule.provider_specific,
            m.whole.len(),
            Reverse(rule.spec.id.as_str()),
        )
    };
    let mut merged: Vec<(RawMatch, (T, Vec<usize>))> = Vec::with_capacity(kept.len());
    for (m, value) in kept {
        match merged.last_mut() {
            Some((last, (last_value, others))) if last.secret == m.secret => {
                if preference(&m) > preference(last) {
                    others.push(last.rule);
                    *last = m;
                    *last_value = value;
                } else {
                    others.push(m.rule);
                }
            }
            _ => merged.push((m, (value, Vec::new()))),
        }
    }
    merged
}

/// Where two rules report overlapping secrets, keeps only the more
/// confident one, so a provider rule wins over a generic one. `kept` is
/// sorted by secret start.
pub(crate) fn drop_overlapped<T>(
    kept: Vec<(RawMatch, T)>,
    rules: &[CompiledRule],
) -> Vec<(RawMatch, T)> {
    let confidence = |index: usize| rules[kept[index].0.rule].spec.confidence;
    let mut beaten = vec![false; kept.len()];
    // Indices of earlier matches that may still overlap later ones.
    let mut open: Vec<usize> = Vec::new();
    for (index, (m, _)) in kept.iter().enumerate() {
        open.retain(|&other| kept[other].0.secret.end > m.secret.start);
        for &other in &open {
            if kept[other].0.rule == m.rule {
                continue;
            }
            match confidence(other).cmp(&confidence(index)) {
                std::cmp::Ordering::Greater => beaten[index] = true,
                std::cmp::Ordering::Less => beaten[other] = true,
                std::cmp::Ordering::Equal => {}
            }
        }
        open.push(index);
    }
    kept.into_iter()
        .zip(beaten)
        .filter_map(|(entry, beaten)| (!beaten).then_some(entry))
        .collect()
}

/// Turns byte offsets into positions, counting columns forward from the
/// previous offset on the same line instead of from the line start, so
/// many findings on one huge line stay cheap.
pub(crate) struct Positions<'a> {
    content: &'a [u8],
    lines: &'a LineIndex,
    cursor: Option<(usize, usize, u32)>,
}

impl<'a> Positions<'a> {
    pub(crate) fn new(content: &'a [u8], lines: &'a LineIndex) -> Self {
        Positions {
            content,
            lines,
            cursor: None,
        }
    }

    /// The position of `offset`; cheapest when offsets come in order.
    pub(crate) fn at(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.content.len());
        let line = self.lines.line_of(offset);
        let (from, column) = match self.cursor {
            Some((cursor_line, cursor_offset, column))
                if cursor_line == line && cursor_offset <= offset =>
            {
                (cursor_offset, column)
            }
            _ => (self.lines.line_range(self.content, line).start, 1),
        };
        let column = column.saturating_add(code_points(&self.content[from.min(offset)..offset]));
        self.cursor = Some((line, offset, column));
        Position {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column,
        }
    }
}

/// Counts code points the way `LineIndex::position` does: every byte that
/// does not continue a UTF-8 sequence.
fn code_points(bytes: &[u8]) -> u32 {
    let count = bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count();
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// Builds snippets: the lines of a match, cut around the secret when very
/// long, with the secrets of other findings on those lines masked so that
/// redacting one finding never leaves a neighbour's secret readable.
pub(crate) struct Snippets<'a> {
    content: &'a [u8],
    lines: &'a LineIndex,
    /// Secret spans of every finding, sorted by start.
    secrets: Vec<Range<usize>>,
    longest: usize,
}

impl<'a> Snippets<'a> {
    pub(crate) fn new(content: &'a [u8], lines: &'a LineIndex, secrets: Vec<Range<usize>>) -> Self {
        let longest = secrets.iter().map(|s| s.end - s.start).max().unwrap_or(0);
        Snippets {
            content,
            lines,
            secrets,
            longest,
        }
    }

    /// The snippet of `m`: its first line number and text. The secret
    /// itself is decoded on its own, exactly as `Finding::secret` is, so
    /// redaction finds it even in invalid UTF-8.
    pub(crate) fn of(&self, m: &RawMatch) -> (u32, String) {
        let content = self.content;
        let first = self.lines.line_of(m.whole.start);
        let last = self
            .lines
            .line_of(m.whole.end.saturating_sub(1).max(m.whole.start));
        let line_start = self.lines.line_range(content, first).start;
        let line_end = self.lines.line_range(content, last).end.max(m.secret.end);
        let (mut start, mut end) = (line_start, line_end);
        if line_end - line_start > (m.secret.end - m.secret.start) + SNIPPET_WHOLE_LINE {
            if m.secret.start.saturating_sub(SNIPPET_CONTEXT) > line_start {
                start = char_boundary(content, m.secret.start - SNIPPET_CONTEXT).max(line_start);
            }
            if m.secret.end + SNIPPET_CONTEXT < line_end {
                end = char_boundary(content, m.secret.end + SNIPPET_CONTEXT);
            }
        }
        let mut text = String::new();
        if start > line_start {
            text.push('…');
        }
        self.push_masked(&mut text, start..m.secret.start, &m.secret);
        text.push_str(&String::from_utf8_lossy(&content[m.secret.clone()]));
        self.push_masked(&mut text, m.secret.end..end, &m.secret);
        if end < line_end {
            text.push('…');
        }
        (u32::try_from(first + 1).unwrap_or(u32::MAX), text)
    }

    /// Appends `content[range]`, masking other findings' secrets in it.
    fn push_masked(&self, text: &mut String, range: Range<usize>, own: &Range<usize>) {
        let content = self.content;
        let lowest = range.start.saturating_sub(self.longest);
        let first = self.secrets.partition_point(|s| s.start < lowest);
        let mut at = range.start;
        for secret in self.secrets[first..]
            .iter()
            .take_while(|s| s.start < range.end)
        {
            let hidden = secret.start.max(at)..secret.end.min(range.end);
            if hidden.is_empty() || secret == own {
                continue;
            }
            text.push_str(&String::from_utf8_lossy(&content[at..hidden.start]));
            text.push_str(&mask(&String::from_utf8_lossy(&content[hidden.clone()])));
            at = hidden.end;
        }
        text.push_str(&String::from_utf8_lossy(&content[at..range.end]));
    }
}

/// Moves `offset` back to the start of the UTF-8 character it falls in.
fn char_boundary(content: &[u8], mut offset: usize) -> usize {
    let floor = offset.saturating_sub(3);
    while offset > floor && content.get(offset).is_some_and(|b| (b & 0xC0) == 0x80) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_match_the_line_index() {
        let text = "ab\nçd=é x\r\nlast line with ü\n".as_bytes();
        let lines = LineIndex::new(text);
        let mut positions = Positions::new(text, &lines);
        let offsets = [0, 1, 3, 5, 6, 9, 12, 13, 20, 31, 31, 4, 99];
        for offset in offsets {
            assert_eq!(
                positions.at(offset),
                lines.position(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn neighbouring_secrets_are_masked_but_the_own_secret_is_not() {
        let text = b"a=SECRETONE1 b=SECRETTWO2 c=SECRETTRE3";
        let lines = LineIndex::new(text);
        let span = |s: &str| {
            let start = text
                .windows(s.len())
                .position(|w| w == s.as_bytes())
                .unwrap();
            start..start + s.len()
        };
        let secrets = vec![span("SECRETONE1"), span("SECRETTWO2"), span("SECRETTRE3")];
        let snippets = Snippets::new(text, &lines, secrets.clone());
        let m = RawMatch {
            rule: 0,
            whole: secrets[1].clone(),
            secret: secrets[1].clone(),
        };
        let (line, snippet) = snippets.of(&m);
        assert_eq!(line, 1);
        assert_eq!(snippet, "a=SECR****** b=SECRETTWO2 c=SECR******");
    }
}
