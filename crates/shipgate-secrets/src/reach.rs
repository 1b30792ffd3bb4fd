//! How far from a keyword hit a rule's matches can lie, proven from the
//! regex's structure, so the regex runs only next to keyword hits.

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Matches longer than this are not worth windowing: the rule scans the
/// whole buffer instead.
const MAX_WINDOW: usize = 16 * 1024;

/// Literal sets larger than this are trimmed by the extractor, which only
/// weakens proofs, never breaks them.
const LITERAL_LIMIT: usize = 4096;

/// Where a rule's regex must run, given the keyword hits in a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every match starts with a literal that contains a keyword, so a match
    /// can only start at a hit's start minus one of the offsets at which
    /// that keyword occurs in the literals (one list per keyword).
    Prefix(Vec<Vec<usize>>),
    /// Every match contains a keyword and is at most this many bytes long.
    Window(usize),
    /// Nothing is known: the regex runs over the whole buffer.
    Whole,
}

impl Reach {
    /// Analyses `hir` against the rule's lowercased `keywords`.
    pub(crate) fn of(hir: &Hir, keywords: &[String]) -> Reach {
        if keywords.is_empty() {
            return Reach::Whole;
        }
        // Keywords match regardless of ASCII case, so the proofs work on a
        // lowercased pattern: `(?i)token` is then one literal instead of 32
        // case variants that would overflow literal extraction.
        let folded = fold(hir);
        if let Some(offsets) = prefix_offsets(&folded, keywords) {
            return Reach::Prefix(offsets);
        }
        let bounded = hir
            .properties()
            .maximum_len()
            .filter(|&len| len > 0 && len <= MAX_WINDOW);
        match bounded {
            Some(max_len) if always_contains(&folded, keywords) => Reach::Window(max_len),
            _ => Reach::Whole,
        }
    }
}

/// `hir` with every ASCII letter lowercased and every class that matches
/// one letter in either case replaced by that lowercase letter.
fn fold(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Literal(literal) => Hir::literal(literal.0.to_ascii_lowercase()),
        HirKind::Class(class) => match folded_char(class) {
            Some(c) => Hir::literal([c]),
            None => hir.clone(),
        },
        HirKind::Capture(capture) => Hir::capture(regex_syntax::hir::Capture {
            index: capture.index,
            name: capture.name.clone(),
            sub: Box::new(fold(&capture.sub)),
        }),
        HirKind::Repetition(repetition) => Hir::repetition(regex_syntax::hir::Repetition {
            min: repetition.min,
            max: repetition.max,
            greedy: repetition.greedy,
            sub: Box::new(fold(&repetition.sub)),
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(fold).collect()),
        HirKind::Alternation(branches) => Hir::alternation(branches.iter().map(fold).collect()),
        HirKind::Empty | HirKind::Look(_) => hir.clone(),
    }
}

/// Offsets of each keyword within the regex's literal prefixes, when every
/// prefix contains a keyword.
fn prefix_offsets(hir: &Hir, keywords: &[String]) -> Option<Vec<Vec<usize>>> {
    // Offsets are byte positions, so folding must keep lengths: only
    // ASCII literals qualify.
    literals(hir, ExtractKind::Prefix)
        .filter(|literals| literals.iter().all(|l| l.is_ascii()))
        .and_then(|literals| keyword_offsets(&literals, keywords))
        .or_else(|| keyword_offsets(&[leading_text(hir)?], keywords))
}

/// For each keyword, every offset at which it occurs in `prefixes`, when
/// each prefix holds at least one keyword.
fn keyword_offsets(prefixes: &[Vec<u8>], keywords: &[String]) -> Option<Vec<Vec<usize>>> {
    let mut offsets = vec![Vec::new(); keywords.len()];
    for prefix in prefixes {
        let mut found = false;
        for (index, keyword) in keywords.iter().enumerate() {
            for offset in occurrences(prefix, keyword.as_bytes()) {
                found = true;
                if !offsets[index].contains(&offset) {
                    offsets[index].push(offset);
                }
            }
        }
        if !found {
            return None;
        }
    }
    for list in &mut offsets {
        list.sort_unstable();
    }
    Some(offsets)
}

/// Whether every match of `hir` contains one of `keywords`: some part every
/// match must pass through spells a keyword in all its forms.
fn always_contains(hir: &Hir, keywords: &[String]) -> bool {
    if literals_contain(hir, keywords) {
        return true;
    }
    match hir.kind() {
        HirKind::Capture(capture) => always_contains(&capture.sub, keywords),
        HirKind::Repetition(repetition) if repetition.min >= 1 => {
            always_contains(&repetition.sub, keywords)
        }
        HirKind::Alternation(branches) => branches.iter().all(|b| always_contains(b, keywords)),
        HirKind::Concat(parts) => {
            parts.iter().any(|part| always_contains(part, keywords))
                || fixed_runs(parts).iter().any(|run| contains_keyword(run, keywords))
                // A keyword can straddle parts of other shapes too (`\+A`
                // then `(?:Sb|Eh)`): the prefixes of each tail cover that.
                || (1..parts.len()).any(|start| {
                    literals_contain(&Hir::concat(parts[start..].to_vec()), keywords)
                })
        }
        _ => false,
    }
}

/// The text every match starts with, case-folded, when the regex begins
/// with fixed characters (as `(?i)token` does).
fn leading_text(hir: &Hir) -> Option<Vec<u8>> {
    let text = match hir.kind() {
        HirKind::Capture(capture) => return leading_text(&capture.sub),
        HirKind::Concat(parts) => {
            let start = parts
                .iter()
                .take_while(|p| matches!(p.kind(), HirKind::Look(_)))
                .count();
            fixed_runs(&parts[start..]).into_iter().next()?
        }
        _ => fixed_runs(std::slice::from_ref(hir)).into_iter().next()?,
    };
    (!text.is_empty()).then_some(text)
}

/// Maximal runs of consecutive parts that each match one fixed character
/// (up to ASCII case) or fixed text, case-folded. A run starting at the
/// first part is returned first, even when empty.
fn fixed_runs(parts: &[Hir]) -> Vec<Vec<u8>> {
    let mut runs = vec![Vec::new()];
    for part in parts {
        let fixed = match part.kind() {
            HirKind::Literal(literal) if literal.0.is_ascii() => {
                Some(literal.0.to_ascii_lowercase())
            }
            HirKind::Class(class) => folded_char(class).map(|c| vec![c]),
            // Zero-width: the text around it is still contiguous.
            HirKind::Look(_) => Some(Vec::new()),
            _ => None,
        };
        match (fixed, runs.last_mut()) {
            (Some(bytes), Some(run)) => run.extend(bytes),
            _ => runs.push(Vec::new()),
        }
    }
    runs
}

/// The one lowercase ASCII character `class` matches up to case, if any.
fn folded_char(class: &Class) -> Option<u8> {
    let mut folded = None;
    let mut agree = |c: char| {
        let c = match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            other => other.to_ascii_lowercase(),
        };
        match folded {
            None if c.is_ascii() => {
                folded = Some(c);
                true
            }
            Some(seen) => seen == c,
            None => false,
        }
    };
    let all_agree = match class {
        Class::Bytes(bytes) => {
            let count: usize = bytes
                .ranges()
                .iter()
                .map(|r| usize::from(r.end() - r.start()) + 1)
                .sum();
            count <= 2
                && bytes
                    .ranges()
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .all(|b| agree(char::from(b)))
        }
        Class::Unicode(unicode) => {
            let count: usize = unicode
                .ranges()
                .iter()
                .map(|r| (u32::from(r.end()) - u32::from(r.start())) as usize + 1)
                .sum();
            count <= 4
                && unicode
                    .ranges()
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .all(&mut agree)
        }
    };
    if all_agree {
        folded.map(|c| c as u8)
    } else {
        None
    }
}

fn contains_keyword(text: &[u8], keywords: &[String]) -> bool {
    keywords
        .iter()
        .any(|keyword| occurrences(text, keyword.as_bytes()).next().is_some())
}

/// Whether the literal prefixes (or suffixes) of `hir` are finite and each
/// contains a keyword.
fn literals_contain(hir: &Hir, keywords: &[String]) -> bool {
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .any(|kind| {
            literals(hir, kind).is_some_and(|literals| {
                literals
                    .iter()
                    .all(|literal| contains_keyword(literal, keywords))
            })
        })
}

/// The case-folded literal prefixes or suffixes of `hir`, when finite and
/// none is empty.
fn literals(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
    let mut extractor = Extractor::new();
    extractor.kind(kind).limit_total(LITERAL_LIMIT);
    let seq: Seq = extractor.extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    Some(
        literals
            .iter()
            .map(|l| l.as_bytes().to_ascii_lowercase())
            .collect(),
    )
}

/// Start offsets of every occurrence of `needle` in `haystack`,
/// overlapping ones included; none for an empty needle.
pub(crate) fn occurrences<'a>(
    haystack: &'a [u8],
    needle: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    haystack
        .windows(needle.len().max(1))
        .enumerate()
        .filter(move |(_, window)| *window == needle)
        .map(|(offset, _)| offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reach(regex: &str, keywords: &[&str]) -> Reach {
        let hir = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .unicode(false)
            .build()
            .parse(regex)
            .unwrap();
        let keywords: Vec<String> = keywords.iter().map(|k| k.to_ascii_lowercase()).collect();
        Reach::of(&hir, &keywords)
    }

    #[test]
    fn prefixed_rules_run_only_at_keyword_offsets() {
        assert_eq!(
            reach(r"\bghp_[A-Za-z0-9]{36}\b", &["ghp_"]),
            Reach::Prefix(vec![vec![0]])
        );
        // Unbounded tails do not matter when the start is pinned.
        assert_eq!(
            reach(r"ghp_[A-Za-z0-9]+", &["ghp_"]),
            Reach::Prefix(vec![vec![0]])
        );
        assert_eq!(
            reach(r"(?i)(?:api|access)[_.-]?key\s*=\s*(\w+)", &["key"]),
            Reach::Prefix(vec![vec![3, 4, 6, 7]])
        );
        assert_eq!(
            reach(r"(?:sk|rk)_live_[a-z0-9]{24}", &["sk_live_", "rk_live_"]),
            Reach::Prefix(vec![vec![0], vec![0]])
        );
    }

    #[test]
    fn alternatives_each_starting_with_a_keyword_are_prefixes() {
        assert_eq!(
            reach(
                r"(?i:azure)_?(?i:openai|speech)\s{0,5}=\s{0,5}([0-9a-f]{32})|(?i:speech)_?key=([0-9a-f]{32})",
                &["azure", "speech"]
            ),
            // `speech` starts its own branch and sits after `azure` or `azure_`.
            Reach::Prefix(vec![vec![0], vec![0, 5, 6]])
        );
    }

    #[test]
    fn inner_keywords_give_windows_when_bounded() {
        assert_eq!(
            reach(
                r"(?:^|[^A-Za-z0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})",
                &[":AA"]
            ),
            Reach::Window(1 + 10 + 3 + 33)
        );
        assert_eq!(
            reach(r"[a-z]{2,4}_(?i:azure)_[0-9a-f]{32}", &["azure"]),
            Reach::Window(4 + 1 + 5 + 1 + 32)
        );
        assert_eq!(
            reach(
                r"[0-9]{2}(?:(?i:azure)_key|[a-z]speech)=([0-9a-f]{32})",
                &["azure", "speech"]
            ),
            Reach::Window(2 + 9 + 1 + 32)
        );
        assert_eq!(
            reach(
                r"(?:^|[^A-Za-z0-9+/])([A-Za-z0-9+/]{33}\+A(?:Sb|Eh)[A-P]=)",
                &["+ASb", "+AEh"]
            ),
            Reach::Window(1 + 33 + 4 + 1 + 1)
        );
        // An inner keyword with an unbounded match cannot be confined.
        assert_eq!(reach(r"[0-9]+:AA[a-z]{33}", &[":AA"]), Reach::Whole);
    }

    #[test]
    fn unproven_rules_scan_everything() {
        assert_eq!(reach(r"[a-f0-9]{32}", &["mailgun"]), Reach::Whole);
        assert_eq!(reach(r"(?:tok_)?[a-z]{10}", &["tok_"]), Reach::Whole);
        assert_eq!(reach(r"ghp_[a-z]{4}", &[]), Reach::Whole);
        assert_eq!(
            reach(r"(?:mailgun|[0-9]{3})[a-z]{4}", &["mailgun"]),
            Reach::Whole
        );
        assert_eq!(
            reach(r"[a-z]{3}(?i:mail)[0-9]?(?i:gun)", &["mailgun"]),
            Reach::Whole
        );
    }

    #[test]
    fn long_case_insensitive_prefixes_still_pin_the_start() {
        // Too many case variants for literal extraction; the fixed text
        // at the start still proves it.
        assert_eq!(
            reach(
                r"(?i)lemon[\w.-]{0,3}squeezy_secret_access_token=(\w+)",
                &["lemon"]
            ),
            Reach::Prefix(vec![vec![0]])
        );
        assert_eq!(
            reach(
                r"\b(?i:authorization)[ \t]*:[ \t]*(?i:bearer)[ \t]+(\S+)",
                &["bearer"]
            ),
            Reach::Whole
        );
    }

    #[test]
    fn case_folding_covers_unicode_letters_that_fold_to_ascii() {
        let unicode = regex_syntax::ParserBuilder::new()
            .utf8(false)
            .build()
            .parse(r"(?i)key_(\w{10})")
            .unwrap();
        assert_eq!(
            Reach::of(&unicode, &["key_".into()]),
            Reach::Prefix(vec![vec![0]])
        );
    }

    #[test]
    fn long_case_insensitive_alternations_are_folded() {
        assert_eq!(
            reach(
                r"(?i)(?:api|access|private|client|signing|encryption)[_.-]?key['\x22]?[ \t]*=[ \t]*(\S{12,})",
                &["key"]
            ),
            Reach::Prefix(vec![vec![3, 4, 6, 7, 8, 10, 11]])
        );
    }
}
