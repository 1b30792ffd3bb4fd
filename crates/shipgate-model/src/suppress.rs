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

/// A rule id named in a `shipgate:ignore[...]` directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedRule {
    /// The rule id as written.
    pub rule_id: String,
    /// 0-based line of the directive.
    pub line: usize,
    /// Byte range of the id in the content.
    pub range: std::ops::Range<usize>,
    /// The directive is a comment line of its own, so it also covers the
    /// line below.
    pub standalone: bool,
}

impl NamedRule {
    /// Whether this directive silences `finding`.
    pub fn covers(&self, finding: &Finding) -> bool {
        if finding.rule_id != self.rule_id {
            return false;
        }
        let first = (finding.location.start.line as usize).saturating_sub(1);
        let last = (finding.location.end.line as usize)
            .saturating_sub(1)
            .max(first);
        (first..=last).contains(&self.line) || (self.standalone && self.line + 1 == first)
    }
}

/// Every rule id named by a directive in `content`, for reporting
/// directives that no longer silence anything.
pub fn named_rules(content: &[u8]) -> Vec<NamedRule> {
    if find(content, MARKER.as_bytes()).is_none() {
        return Vec::new();
    }
    let lines = LineIndex::new(content);
    let mut out = Vec::new();
    for line in 0..lines.line_count() {
        let range = lines.line_range(content, line);
        let text = &content[range.clone()];
        for directive in directives(text) {
            let Some(list) = directive.rules else {
                continue;
            };
            let mut at = range.start + directive.rules_at;
            for id in list.split(|&b| b == b',') {
                let leading = id.len() - id.trim_ascii_start().len();
                let trimmed = id.trim_ascii();
                if !trimmed.is_empty() {
                    let start = at + leading;
                    out.push(NamedRule {
                        rule_id: String::from_utf8_lossy(trimmed).into_owned(),
                        line,
                        range: start..start + trimmed.len(),
                        standalone: directive.standalone,
                    });
                }
                at += id.len() + 1;
            }
        }
    }
    out
}

/// One `shipgate:ignore` directive found on a line.
struct Directive<'a> {
    /// `None` silences every rule.
    rules: Option<&'a [u8]>,
    /// Offset of `rules` in the line.
    rules_at: usize,
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
                    let list_at = line.len() - list.len();
                    return Some(Directive {
                        rules: Some(&list[1..close]),
                        rules_at: list_at + 1,
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
                    rules_at: 0,
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
            properties: Default::default(),
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

    #[test]
    fn named_rules_give_each_id_its_exact_range() {
        let text = "a: 1\n# shipgate:ignore[ r/a , r/b]\nb: 2 # shipgate:ignore[r/c]\n";
        let named = named_rules(text.as_bytes());
        let ids: Vec<&str> = named.iter().map(|n| n.rule_id.as_str()).collect();
        assert_eq!(ids, ["r/a", "r/b", "r/c"]);
        for rule in &named {
            assert_eq!(&text[rule.range.clone()], rule.rule_id);
        }
        assert!(named[0].standalone && !named[2].standalone);
        assert!(named[0].covers(&finding_at("r/a", 3)));
        assert!(!named[2].covers(&finding_at("r/c", 4)));
        assert!(named[2].covers(&finding_at("r/c", 3)));
    }

    #[test]
    fn multi_line_findings_are_silenced_from_any_of_their_lines() {
        let text = b"run: |\n  a\n  b # shipgate:ignore[r/a]\n";
        let mut finding = finding_at("r/a", 1);
        finding.location.end.line = 3;
        assert!(is_suppressed(text, &LineIndex::new(text), &finding));
    }
}
