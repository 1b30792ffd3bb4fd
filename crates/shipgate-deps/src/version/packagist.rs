//! Composer (Packagist) order: Composer's normalisation followed by PHP's
//! `version_compare`.
//!
//! Normalisation as Composer does it: a leading `v` and `+build` metadata
//! are dropped, the leading numbers are padded to four (`1.2` is
//! `1.2.0.0`), and `stable` means nothing. Then, as `version_compare`
//! does, `-`, `_`, `+` and any other non-alphanumeric character separate
//! parts, as does every change between digits and letters (`1.0RC1` is
//! `1.0.RC.1`). Numbers compare by value; words by what they start with,
//! case-insensitively: `dev` < `alpha`/`a` < `beta`/`b` < `RC` < a number
//! < `patch`/`pl`/`p`, and any other word is below `dev` and equal to
//! other unknown words. When one version runs out, a remaining number
//! makes it greater and a remaining word compares with a number, so
//! `1.0.0-beta` < `1.0.0` < `1.0.0-p1`.

use std::cmp::Ordering;

use super::{compare_digits, trimmed_range};

/// Numeric parts Composer pads a version to.
const NUMERIC_PARTS: usize = 4;

/// The weight `version_compare` gives a number when it meets a word.
const NUMBER_WEIGHT: i8 = 4;

/// The parts of the normalised version.
#[derive(Clone, Debug)]
pub(super) struct ComposerVersion {
    parts: Vec<Part>,
}

#[derive(Clone, Copy, Debug)]
enum Part {
    /// Offsets of a digit run in the version text.
    Number(usize, usize),
    /// Padding added by normalisation.
    Zero,
    /// A word's weight.
    Word(i8),
}

impl ComposerVersion {
    pub(super) fn parse(text: &str) -> Result<ComposerVersion, String> {
        let (mut start, mut end) = trimmed_range(text);
        if text[start..end].starts_with(['v', 'V']) {
            start += 1;
        }
        if let Some(plus) = text[start..end].find('+') {
            end = start + plus;
        }
        let bytes = &text.as_bytes()[..end];
        let mut parts = Vec::new();
        let mut at = start;
        while at < end {
            let byte = bytes[at];
            if byte.is_ascii_digit() {
                let stop = at
                    + bytes[at..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                parts.push(Part::Number(at, stop));
                at = stop;
            } else if byte.is_ascii_alphabetic() {
                let stop = at
                    + bytes[at..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphabetic())
                        .count();
                let word = &text[at..stop];
                if !word.eq_ignore_ascii_case("stable") {
                    parts.push(Part::Word(weight(word)));
                }
                at = stop;
            } else {
                at += 1;
            }
        }
        let leading = parts
            .iter()
            .take_while(|part| matches!(part, Part::Number(..)))
            .count();
        if leading == 0 {
            return Err(
                "must start with a number (branches such as `dev-main` have no order)".to_owned(),
            );
        }
        if leading < NUMERIC_PARTS {
            let padding = std::iter::repeat_n(Part::Zero, NUMERIC_PARTS - leading);
            parts.splice(leading..leading, padding);
        }
        Ok(ComposerVersion { parts })
    }

    pub(super) fn compare(
        &self,
        text: &str,
        other: &ComposerVersion,
        other_text: &str,
    ) -> Ordering {
        for index in 0..self.parts.len().max(other.parts.len()) {
            let order = match (self.parts.get(index), other.parts.get(index)) {
                (Some(&a), Some(&b)) => match (digits(text, a), digits(other_text, b), a, b) {
                    (Some(x), Some(y), _, _) => compare_digits(x, y),
                    (_, _, Part::Word(x), Part::Word(y)) => x.cmp(&y),
                    (_, _, Part::Word(x), _) => x.cmp(&NUMBER_WEIGHT),
                    (_, _, _, Part::Word(y)) => NUMBER_WEIGHT.cmp(&y),
                    _ => Ordering::Equal,
                },
                (Some(a), None) => beyond_end(*a),
                (None, Some(b)) => beyond_end(*b).reverse(),
                (None, None) => Ordering::Equal,
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

/// The digits of a numeric part (padding is empty, which counts as 0).
fn digits(text: &str, part: Part) -> Option<&str> {
    match part {
        Part::Number(start, end) => Some(&text[start..end]),
        Part::Zero => Some(""),
        Part::Word(_) => None,
    }
}

/// How the first part past the end of the other version decides: a
/// number makes its version greater, a word compares with a number.
fn beyond_end(part: Part) -> Ordering {
    match part {
        Part::Number(..) | Part::Zero => Ordering::Greater,
        Part::Word(weight) => weight.cmp(&NUMBER_WEIGHT),
    }
}

/// The special forms of `version_compare`, matched by prefix.
fn weight(word: &str) -> i8 {
    let starts = |prefix: &str| {
        word.len() >= prefix.len() && word[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    if starts("dev") {
        0
    } else if starts("a") {
        1
    } else if starts("b") {
        2
    } else if starts("rc") {
        3
    } else if starts("p") {
        5
    } else {
        -1
    }
}
