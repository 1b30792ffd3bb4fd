//! Inline suppression with `shipgate:ignore` comments, for every scanner.
//!
//! A finding is dropped when a line it spans contains
//! `shipgate:ignore` (every rule) or `shipgate:ignore[rule-id]` /
//! `shipgate:ignore[id1, id2]` (only those rules). Some formats cannot hold a
//! trailing comment (a PEM block, a base64 blob), so a directive on the line
//! directly above also counts, but only when that line is a comment of its
//! own: nothing but whitespace and punctuation (`#`, `//`, `<!--` …) before
//! the directive. That keeps `a = x # shipgate:ignore` from silencing the next
//! line too.

use crate::finding::Finding;
use crate::location::LineIndex;

/// The directive word looked for in comments.
pub const MARKER: &str = "shipgate:ignore";

/// Whether an inline directive silences `finding` in `content`.
///
/// A directive anywhere on the lines the finding spans counts, so a
/// finding on a multi-line `run:` block can be silenced next to the
/// offending line rather than only on its first line.
///
/// `lines` must index `content`.
pub fn is_suppressed(content: &[u8], lines: &LineIndex, finding: &Finding) -> bool {
    let Some(first) = (finding.location.start.line as usize).checked_sub(1) else {
        return false;
    };
    if first >= lines.line_count() {
        return false;
    }
    let last = (finding.location.end.line as usize)
        .saturating_sub(1)
        .clamp(first, lines.line_count() - 1);
    let rule_id = finding.rule_id.as_bytes();
    let on_its_lines = (first..=last).any(|line| {
        directives(&content[lines.line_range(content, line)]).any(|d| d.covers(rule_id))
    });
    if on_its_lines {
        return true;
    }
    let Some(above) = first.checked_sub(1) else {
        return false;
    };
    let above_line = &content[lines.line_range(content, above)];
    directives(above_line).any(|d| d.standalone && d.covers(rule_id))
}

/// Drops every suppressed finding from `findings` and returns how many went.
pub fn apply(content: &[u8], findings: &mut Vec<Finding>) -> u64 {
    if findings.is_empty() || find(content, MARKER.as_bytes()).is_none() {
        return 0;
    }
    let lines = LineIndex::new(content);
    let before = findings.len();
    findings.retain(|finding| !is_suppressed(content, &lines, finding));
    (before - findings.len()) as u64
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// One `shipgate:ignore` directive found on a line.
struct Directive<'a> {
    /// `None` silences every rule.
    rules: Option<&'a [u8]>,
    /// Only punctuation and whitespace precede it on its line.
    standalone: bool,
}

impl Directive<'_> {
    fn covers(&self, rule_id: &[u8]) -> bool {
        match self.rules {
            None => true,
            Some(list) => list
                .split(|&b| b == b',')
                .any(|id| id.trim_ascii() == rule_id),
        }
    }
}

/// Every well-formed directive on `line`. A `[` without its closing `]` is
/// not a directive: a typo must not silence more than was meant.
fn directives(line: &[u8]) -> impl Iterator<Item = Directive<'_>> {
    let marker = MARKER.as_bytes();
    let mut searched = 0;
    std::iter::from_fn(move || {
        while let Some(found) = find(&line[searched..], marker) {
            let start = searched + found;
            let rest = &line[start + marker.len()..];
            searched = start + marker.len();
            let standalone = line[..start]
                .iter()
                .all(|b| b.is_ascii_whitespace() || b.is_ascii_punctuation());
            // `shipgate:ignore [id]` with a space still names rules: reading
            // it as "every rule" would silence more than was meant.
            let list = rest.trim_ascii_start();
            if list.first() == Some(&b'[') {
                if let Some(close) = list.iter().position(|&b| b == b']') {
                    return Some(Directive {
                        rules: Some(&list[1..close]),
                        standalone,
                    });
                }
                continue;
            }
            let longer_word = rest
                .first()
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
            if !longer_word {
                return Some(Directive {
                    rules: None,
                    standalone,
                });
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Fingerprint, Snippet};
    use crate::location::{Location, Position};
    use crate::severity::{Confidence, Severity};

    fn finding_at(rule_id: &str, line: u32) -> Finding {
        Finding {
            rule_id: rule_id.into(),
            title: "t".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            message: "m".into(),
            location: Location {
                path: "f".into(),
                start: Position { line, column: 1 },
                end: Position { line, column: 2 },
                byte_start: 0,
                byte_end: 1,
                commit: None,
                symbolic: None,
            },
            snippet: Snippet {
                first_line: line,
                text: String::new(),
            },
            secret: None,
            fingerprint: Fingerprint::new(rule_id, "f", b"x"),
            controls: vec![],
            note: None,
        }
    }

    fn suppressed(content: &str, rule_id: &str, line: u32) -> bool {
        let content = content.as_bytes();
        is_suppressed(
            content,
            &LineIndex::new(content),
            &finding_at(rule_id, line),
        )
    }

    #[test]
    fn bare_directive_silences_every_rule_on_its_line() {
        let text = "key = \"x\" # shipgate:ignore\nother = \"y\"\n";
        assert!(suppressed(text, "secrets/a", 1));
        assert!(suppressed(text, "secrets/b", 1));
        assert!(!suppressed(text, "secrets/a", 2));
    }

    #[test]
    fn rule_lists_silence_only_the_named_rules() {
        let text = "k = x // shipgate:ignore[secrets/a, secrets/b]\n";
        assert!(suppressed(text, "secrets/a", 1));
        assert!(suppressed(text, "secrets/b", 1));
        assert!(!suppressed(text, "secrets/c", 1));
        assert!(!suppressed(text, "secrets", 1));
    }

    #[test]
    fn any_of_several_directives_on_a_line_counts() {
        let text = "x shipgate:ignore[r/one] shipgate:ignore[r/two]\n";
        assert!(suppressed(text, "r/two", 1));
        assert!(!suppressed(text, "r/three", 1));
    }

    #[test]
    fn standalone_comment_above_covers_the_next_line() {
        let text =
            "# shipgate:ignore[secrets/private-key]\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n";
        assert!(suppressed(text, "secrets/private-key", 2));
        assert!(!suppressed(text, "secrets/other", 2));
        assert!(!suppressed(text, "secrets/private-key", 3));
        let html = "  <!-- shipgate:ignore -->\nsecret\n";
        assert!(suppressed(html, "any/rule", 2));
    }

    #[test]
    fn trailing_comment_does_not_reach_the_next_line() {
        let text = "a = \"x\" # shipgate:ignore\nb = \"y\"\n";
        assert!(!suppressed(text, "secrets/a", 2));
    }

    #[test]
    fn malformed_or_longer_words_are_not_directives() {
        assert!(!suppressed(
            "x # shipgate:ignore[secrets/a\n",
            "secrets/a",
            1
        ));
        assert!(!suppressed("x # shipgate:ignored\n", "secrets/a", 1));
        assert!(!suppressed("x # shipgate:ignore_all\n", "secrets/a", 1));
        assert!(suppressed("x # shipgate:ignore.\n", "secrets/a", 1));
        assert!(!suppressed(
            "x # shipgate:ignore [other/b]\n",
            "secrets/a",
            1
        ));
        assert!(suppressed(
            "x # shipgate:ignore [secrets/a]\n",
            "secrets/a",
            1
        ));
    }

    #[test]
    fn out_of_range_lines_and_invalid_utf8_are_safe() {
        assert!(!suppressed("only\n", "r/a", 0));
        assert!(!suppressed("only\n", "r/a", 9));
        let bytes = b"\xff\xfe k=v # shipgate:ignore\r\n";
        let index = LineIndex::new(bytes);
        assert!(is_suppressed(bytes, &index, &finding_at("r/a", 1)));
    }

    #[test]
    fn apply_counts_what_it_drops() {
        let text = b"a # shipgate:ignore[r/a]\nb\n";
        let mut findings = vec![
            finding_at("r/a", 1),
            finding_at("r/b", 1),
            finding_at("r/a", 2),
        ];
        assert_eq!(apply(text, &mut findings), 1);
        assert_eq!(findings.len(), 2);
        assert!(
            findings
                .iter()
                .all(|f| f.rule_id != "r/a" || f.location.start.line == 2)
        );
    }
}
