//! Alpine order, as apk-tools computes it.
//!
//! A version is read as tokens: numbers separated by `.`, at most one
//! lower-case letter after a number, `_suffix` tags with an optional
//! number, and a final `-rN` package revision. Tokens compare in turn;
//! when one version runs out, the other is greater unless what it has
//! left is a pre-release suffix: `_alpha` < `_beta` < `_pre` < `_rc` <
//! (none) < `_cvs` < `_svn` < `_git` < `_hg` < `_p`. A number after a dot
//! that starts with zeros sorts as a fraction (`1.05` < `1.5`, `1.005` <
//! `1.05`). Numbers compare by value at any length, where apk-tools itself
//! would overflow.
//!
//! One deliberate difference from apk-tools 2: after a zero run such as the
//! `0` in `1.0_alpha`, apk-tools reads an empty number before the suffix,
//! which makes `1.0_alpha` sort after `1.0` (but `1.1_alpha` before
//! `1.1`). Here a suffix, letter or `-rN` after zeros follows directly, so
//! `1.0_alpha` < `1.0` < `1.0-r1` < `1.0_p1` < `1.0a`, exactly as with any
//! other last number.

use std::cmp::Ordering;

use super::{compare_digits, trimmed_range};

const INVALID: i8 = -1;
const DIGIT_OR_ZERO: i8 = 0;
const DIGIT: i8 = 1;
const LETTER: i8 = 2;
const SUFFIX: i8 = 3;
const SUFFIX_NUMBER: i8 = 4;
const REVISION: i8 = 5;
const END: i8 = 6;

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

/// Offsets of the version within its (whitespace-padded) text.
#[derive(Clone, Debug)]
pub(super) struct ApkVersion {
    start: usize,
    end: usize,
}

/// A token's value: small values (letters, suffixes, runs of leading
/// zeros as negative counts) or a digit run of any length.
#[derive(Clone, Copy)]
enum Value<'a> {
    Small(i64),
    Digits(&'a str),
}

impl Value<'_> {
    fn cmp(self, other: Value<'_>) -> Ordering {
        match (self, other) {
            (Value::Small(a), Value::Small(b)) => a.cmp(&b),
            (Value::Digits(a), Value::Digits(b)) => compare_digits(a, b),
            (Value::Small(a), Value::Digits(b)) => compare_small(a, b),
            (Value::Digits(a), Value::Small(b)) => compare_small(b, a).reverse(),
        }
    }

    fn is_negative(self) -> bool {
        matches!(self, Value::Small(value) if value < 0)
    }
}

fn compare_small(small: i64, digits: &str) -> Ordering {
    let significant = digits.trim_start_matches('0');
    match significant.parse::<i64>() {
        Ok(number) if significant.len() <= 18 => small.cmp(&number),
        _ if significant.is_empty() => small.cmp(&0),
        _ => Ordering::Less,
    }
}

/// apk-tools' tokenizer: `kind` is the type of the token at `at`.
#[derive(Clone)]
struct Tokens<'a> {
    text: &'a str,
    at: usize,
    kind: i8,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Tokens<'a> {
        Tokens {
            text,
            at: 0,
            kind: DIGIT,
        }
    }

    fn take(&mut self) -> Value<'a> {
        let bytes = self.text.as_bytes();
        if self.at >= bytes.len() {
            self.kind = END;
            return Value::Small(0);
        }
        let rest = &bytes[self.at..];
        let digit_run = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut next_kind = INVALID;
        let (value, length) = match self.kind {
            DIGIT_OR_ZERO if rest[0] == b'0' => {
                let zeros = rest.iter().take_while(|b| **b == b'0').count();
                // apk-tools always reads a (possibly empty) number next;
                // before a suffix, letter or revision that empty number
                // would outrank them, so those are read directly.
                if rest
                    .get(zeros)
                    .is_some_and(|byte| byte.is_ascii_digit() || *byte == b'.')
                {
                    next_kind = DIGIT;
                }
                (
                    Value::Small(-i64::try_from(zeros).unwrap_or(i64::MAX)),
                    zeros,
                )
            }
            DIGIT_OR_ZERO | DIGIT | SUFFIX_NUMBER | REVISION => {
                let digits = &self.text[self.at..self.at + digit_run];
                (Value::Digits(digits), digit_run)
            }
            LETTER => (Value::Small(i64::from(rest[0])), 1),
            SUFFIX => match suffix(rest) {
                Some(found) => found,
                None => {
                    self.kind = INVALID;
                    return Value::Small(-1);
                }
            },
            _ => {
                self.kind = INVALID;
                return Value::Small(-1);
            }
        };
        self.at += length;
        if self.at >= bytes.len() {
            self.kind = END;
        } else if next_kind != INVALID {
            self.kind = next_kind;
        } else {
            self.advance();
        }
        value
    }

    /// Reads the separator before the next token and sets its type.
    fn advance(&mut self) {
        let bytes = self.text.as_bytes();
        let current = bytes.get(self.at).copied();
        let next = match current {
            None => END,
            Some(byte)
                if (self.kind == DIGIT || self.kind == DIGIT_OR_ZERO)
                    && byte.is_ascii_lowercase() =>
            {
                LETTER
            }
            Some(byte) if self.kind == LETTER && byte.is_ascii_digit() => DIGIT,
            Some(byte) if self.kind == SUFFIX && byte.is_ascii_digit() => SUFFIX_NUMBER,
            Some(byte) => {
                let next = match byte {
                    b'.' => DIGIT_OR_ZERO,
                    b'_' => SUFFIX,
                    b'-' if bytes.get(self.at + 1) == Some(&b'r') => {
                        self.at += 1;
                        REVISION
                    }
                    _ => INVALID,
                };
                self.at += 1;
                next
            }
        };
        let allowed_step_back = (next == DIGIT_OR_ZERO && self.kind == DIGIT)
            || (next == SUFFIX && self.kind == SUFFIX_NUMBER)
            || (next == DIGIT && self.kind == LETTER);
        self.kind = if next < self.kind && !allowed_step_back {
            INVALID
        } else {
            next
        };
    }
}

/// A suffix name at the start of `rest`: its value (pre-release ones
/// negative) and length.
fn suffix(rest: &[u8]) -> Option<(Value<'static>, usize)> {
    let ranked = |names: &[&str], base: i64| {
        names.iter().zip(base..).find_map(|(name, value)| {
            rest.starts_with(name.as_bytes())
                .then_some((Value::Small(value), name.len()))
        })
    };
    ranked(&PRE_SUFFIXES, -4).or_else(|| ranked(&POST_SUFFIXES, 0))
}

impl ApkVersion {
    pub(super) fn parse(text: &str) -> Result<ApkVersion, String> {
        let (start, end) = trimmed_range(text);
        let version = &text[start..end];
        if !version.starts_with(|ch: char| ch.is_ascii_digit()) {
            return Err("must start with a number".to_owned());
        }
        let mut tokens = Tokens::new(version);
        while tokens.kind != END {
            if tokens.kind == INVALID {
                return Err(format!(
                    "unexpected text at byte {}: expected digits, one lower-case letter, `_suffix` or `-rN`",
                    tokens.at
                ));
            }
            tokens.take();
        }
        Ok(ApkVersion { start, end })
    }

    pub(super) fn compare(&self, text: &str, other: &ApkVersion, other_text: &str) -> Ordering {
        let mut left = Tokens::new(&text[self.start..self.end]);
        let mut right = Tokens::new(&other_text[other.start..other.end]);
        let (mut a, mut b) = (Value::Small(0), Value::Small(0));
        while left.kind == right.kind
            && left.kind != END
            && left.kind != INVALID
            && a.cmp(b) == Ordering::Equal
        {
            a = left.take();
            b = right.take();
        }
        let order = a.cmp(b);
        if order != Ordering::Equal {
            return order;
        }
        if left.kind == right.kind {
            return Ordering::Equal;
        }
        // What is left decides, unless it is a pre-release suffix; the peek
        // leaves the token types as they are.
        if left.kind == SUFFIX && left.clone().take().is_negative() {
            return Ordering::Less;
        }
        if right.kind == SUFFIX && right.clone().take().is_negative() {
            return Ordering::Greater;
        }
        right.kind.cmp(&left.kind)
    }
}
