//! The keyword prefilter: one case-insensitive automaton over every rule's
//! keywords tells which rules can match a buffer, and where.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// A keyword occurrence relevant to one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    /// Index of the rule whose keyword occurred.
    pub(crate) rule: u32,
    /// Byte offset where the keyword starts.
    pub(crate) start: usize,
    /// Byte offset just past the keyword.
    pub(crate) end: usize,
    /// Index of the keyword in the rule's keyword list.
    pub(crate) keyword: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern (a distinct lowercased keyword), the rules
    /// that use it and where it sits in each rule's keyword list.
    rules_of_pattern: Vec<Vec<(u32, u32)>>,
}

impl Prefilter {
    /// Builds the automaton from each rule's lowercased keywords.
    pub(crate) fn new<'a>(
        keywords_per_rule: impl IntoIterator<Item = &'a [String]>,
    ) -> Result<Self, aho_corasick::BuildError> {
        let mut patterns: Vec<&str> = Vec::new();
        let mut rules_of_pattern: Vec<Vec<(u32, u32)>> = Vec::new();
        for (rule, keywords) in keywords_per_rule.into_iter().enumerate() {
            let rule = u32::try_from(rule).unwrap_or(u32::MAX);
            for (index, keyword) in keywords.iter().enumerate() {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                let pattern = match patterns.iter().position(|p| *p == keyword.as_str()) {
                    Some(existing) => existing,
                    None => {
                        patterns.push(keyword);
                        rules_of_pattern.push(Vec::new());
                        patterns.len() - 1
                    }
                };
                rules_of_pattern[pattern].push((rule, index));
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)?,
            )
        };
        Ok(Prefilter {
            automaton,
            rules_of_pattern,
        })
    }

    /// Appends every keyword hit in `haystack` to `hits`, sorted by rule
    /// and then by position.
    pub(crate) fn hits(&self, haystack: &[u8], hits: &mut Vec<Hit>) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        for found in automaton.find_overlapping_iter(haystack) {
            let Some(rules) = self.rules_of_pattern.get(found.pattern().as_usize()) else {
                continue;
            };
            hits.extend(rules.iter().map(|&(rule, keyword)| Hit {
                rule,
                start: found.start(),
                end: found.end(),
                keyword,
            }));
        }
        hits.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keywords(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|k| k.iter().map(|s| s.to_ascii_lowercase()).collect())
            .collect()
    }

    #[test]
    fn hits_are_case_insensitive_overlapping_and_per_rule() {
        let per_rule = keywords(&[&["ghp_"], &["key", "api_key"], &["key"], &[]]);
        let filter = Prefilter::new(per_rule.iter().map(Vec::as_slice)).unwrap();
        let mut hits = Vec::new();
        filter.hits(b"x API_KEY=1 GHP_abc", &mut hits);
        let summary: Vec<(u32, usize, u32)> =
            hits.iter().map(|h| (h.rule, h.start, h.keyword)).collect();
        assert_eq!(summary, vec![(0, 12, 0), (1, 2, 1), (1, 6, 0), (2, 6, 0)]);
    }

    #[test]
    fn no_keywords_means_no_hits() {
        let per_rule = keywords(&[&[]]);
        let filter = Prefilter::new(per_rule.iter().map(Vec::as_slice)).unwrap();
        let mut hits = Vec::new();
        filter.hits(b"anything", &mut hits);
        assert!(hits.is_empty());
    }
}
