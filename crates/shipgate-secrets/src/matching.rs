//! Running one rule's regex over a buffer, only where its keyword hits
//! allow a match.

use std::ops::Range;

use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

use crate::compile::CompiledRule;
use crate::noise::shannon_entropy;
use crate::prefilter::Hit;
use crate::reach::Reach;

/// Above this many candidate starts, an unbounded prefix-pinned rule
/// searches forward once instead of trying each start, so a regex that
/// fails slowly (`BEGIN[\s\S]*?END` without an `END`) costs one pass over
/// the buffer rather than one per keyword hit.
const MAX_ANCHORED_TRIES: usize = 256;

/// One regex match whose secret passed the entropy check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawMatch {
    /// Index of the rule.
    pub(crate) rule: usize,
    /// The whole match.
    pub(crate) whole: Range<usize>,
    /// The secret within it.
    pub(crate) secret: Range<usize>,
}

/// Reusable buffers, so a scan allocates per buffer, not per rule.
#[derive(Default)]
pub(crate) struct Scratch {
    windows: Vec<Range<usize>>,
    starts: Vec<usize>,
}

/// Appends the matches of rule `rule_index` in `content` given its keyword
/// `hits` (all for this rule, sorted by position; empty for rules without
/// keywords).
pub(crate) fn find(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    hits: &[Hit],
    scratch: &mut Scratch,
    matches: &mut Vec<RawMatch>,
) {
    match &rule.reach {
        Reach::Prefix(offsets) => {
            candidate_starts(hits, offsets, &mut scratch.starts);
            find_anchored(rule_index, rule, content, &scratch.starts, matches);
        }
        Reach::Window(max_len) => {
            keyword_windows(hits, *max_len, content.len(), &mut scratch.windows);
            for window in &scratch.windows {
                find_in(rule_index, rule, content, window.clone(), matches);
            }
        }
        Reach::Whole => find_in(rule_index, rule, content, 0..content.len(), matches),
    }
}

/// Merged byte windows around `hits` that can hold a match of at most
/// `max_len` bytes containing one of them.
fn keyword_windows(hits: &[Hit], max_len: usize, len: usize, windows: &mut Vec<Range<usize>>) {
    windows.clear();
    for hit in hits {
        let start = hit.end.saturating_sub(max_len);
        let end = hit.start.saturating_add(max_len).min(len);
        match windows.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => windows.push(start..end),
        }
    }
}

/// Where matches of a prefix-pinned rule can start: each hit's start minus
/// each offset its keyword has in the rule's literal prefixes.
fn candidate_starts(hits: &[Hit], offsets: &[Vec<usize>], starts: &mut Vec<usize>) {
    starts.clear();
    for hit in hits {
        let Some(offsets) = offsets.get(hit.keyword as usize) else {
            continue;
        };
        starts.extend(
            offsets
                .iter()
                .filter_map(|&offset| hit.start.checked_sub(offset)),
        );
    }
    starts.sort_unstable();
    starts.dedup();
}

/// Tries `rule` at each of `starts`, skipping starts inside an earlier
/// match as a left-to-right scan would. A bounded rule's search stops
/// `max_len` bytes after the start; look-around still sees past that.
fn find_anchored(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    starts: &[usize],
    matches: &mut Vec<RawMatch>,
) {
    let Some(&first) = starts.first() else {
        return;
    };
    if rule.max_len.is_none() && starts.len() > MAX_ANCHORED_TRIES {
        // Every match starts at a candidate, so the leftmost match after
        // the first candidate is exactly what the tries would find.
        find_in(rule_index, rule, content, first..content.len(), matches);
        return;
    }
    let mut caps = rule.regex.create_captures();
    let mut resume = 0;
    for &start in starts {
        if start < resume {
            continue;
        }
        let end = rule.max_len.map_or(content.len(), |len| {
            start.saturating_add(len).min(content.len())
        });
        let input = Input::new(content).span(start..end).anchored(Anchored::Yes);
        rule.regex.search_captures(&input, &mut caps);
        if let Some(whole) = caps.get_match() {
            resume = whole.end().max(start + 1);
            accept(rule_index, rule, content, &caps, matches);
        }
    }
}

/// Runs `rule` over `content[window]`. Searching a span of the whole buffer
/// keeps `\b`, `^` and `$` true to the bytes around the window.
fn find_in(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    window: Range<usize>,
    matches: &mut Vec<RawMatch>,
) {
    let input = Input::new(content).span(window);
    for caps in rule.regex.captures_iter(input) {
        accept(rule_index, rule, content, &caps, matches);
    }
}

/// Records the match in `caps` if its secret group took part, is not
/// empty and is random enough.
fn accept(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    caps: &Captures,
    matches: &mut Vec<RawMatch>,
) {
    let group = rule.spec.secret_group.unwrap_or(0);
    let (Some(whole), Some(secret)) = (caps.get_match(), caps.get_group(group)) else {
        return;
    };
    let secret = secret.range();
    if secret.is_empty() {
        return;
    }
    if let Some(minimum) = rule.spec.entropy
        && shannon_entropy(&content[secret.clone()]) < minimum
    {
        return;
    }
    matches.push(RawMatch {
        rule: rule_index,
        whole: whole.range(),
        secret,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{compile_rules, test_spec};

    fn hits_of(content: &[u8], keyword: &[u8]) -> Vec<Hit> {
        content
            .windows(keyword.len())
            .enumerate()
            .filter(|(_, w)| w.eq_ignore_ascii_case(keyword))
            .map(|(start, _)| Hit {
                rule: 0,
                start,
                end: start + keyword.len(),
                keyword: 0,
            })
            .collect()
    }

    fn spans(regex: &str, keyword: &str, content: &[u8]) -> Vec<Range<usize>> {
        let rules = compile_rules(vec![test_spec("secrets/t-t", regex, &[keyword])]).unwrap();
        let mut matches = Vec::new();
        let hits = hits_of(content, keyword.as_bytes());
        find(
            0,
            &rules[0],
            content,
            &hits,
            &mut Scratch::default(),
            &mut matches,
        );
        matches.into_iter().map(|m| m.whole).collect()
    }

    #[test]
    fn bounded_anchored_searches_still_see_the_next_byte() {
        // `\b` after the token looks one byte past the capped span.
        assert_eq!(
            spans(r"tok_[a-z]{4}\b", "tok_", b"tok_abcd tok_abcde"),
            vec![Range { start: 0, end: 8 }]
        );
    }

    #[test]
    fn many_candidates_switch_to_one_forward_pass() {
        let mut content = b"BEGIN ".repeat(MAX_ANCHORED_TRIES + 10);
        content.extend_from_slice(b"BEGIN secret END");
        let found = spans(r"BEGIN[\s\S]*?END", "begin", &content);
        assert_eq!(
            found,
            vec![Range {
                start: 0,
                end: content.len()
            }]
        );
        let few = spans(r"BEGIN[\s\S]*?END", "begin", b"x BEGIN a END BEGIN b END");
        assert_eq!(few, [2..13, 14..25]);
    }

    #[test]
    fn windows_merge_when_they_touch() {
        let hits: Vec<Hit> = [10, 20, 200]
            .into_iter()
            .map(|start| Hit {
                rule: 0,
                start,
                end: start + 3,
                keyword: 0,
            })
            .collect();
        let mut windows = Vec::new();
        keyword_windows(&hits, 30, 215, &mut windows);
        assert_eq!(windows, [0..50, 173..215]);
    }
}
