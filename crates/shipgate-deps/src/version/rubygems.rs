//! RubyGems order, as `Gem::Version` computes it.
//!
//! A version is `N(.X)*` optionally followed by `-X(.X)*` (hyphens are
//! allowed after the first one). Every `-` stands for `.pre.`, so `1.0-1`
//! is `1.0.pre.1`. The version is cut into runs of digits (numbers) and
//! runs of letters (strings); any letter makes it a pre-release, and a
//! string sorts below any number, so `1.0.a` < `1.0` and `1.0.a` equals
//! `1.0a`. Trailing zeros are dropped both from the leading numbers and
//! from the end (`1.0` equals `1`, `1.a.0` equals `1.a`); a shorter
//! version is padded with zeros. Strings compare case-sensitively, numbers
//! by value at any size.
//!
//! In-house rather than the `gem_version` crate: the comparison is short,
//! works on offsets into the text without copying it, and compares numbers
//! of any length exactly, as Ruby's bignums do.

use std::cmp::Ordering;

use super::{compare_digits, trimmed_range};

/// The canonical segments, as offsets into the version text.
#[derive(Clone, Debug)]
pub(super) struct GemVersion {
    segments: Vec<Segment>,
}

#[derive(Clone, Copy, Debug)]
enum Segment {
    Number(usize, usize),
    Letters(usize, usize),
    /// The `pre` a `-` stands for.
    Pre,
}

/// A segment as compared: a digit run or a string.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part<'a> {
    Number(&'a str),
    Letters(&'a str),
}

impl GemVersion {
    pub(super) fn parse(text: &str) -> Result<GemVersion, String> {
        let (start, end) = trimmed_range(text);
        let version = &text[start..end];
        if version.is_empty() {
            return Err("empty version".to_owned());
        }
        validate(version)?;
        let mut segments = Vec::new();
        let bytes = version.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            let run_end =
                |class: fn(&u8) -> bool| at + bytes[at..].iter().take_while(|b| class(b)).count();
            if byte.is_ascii_digit() {
                let stop = run_end(u8::is_ascii_digit);
                segments.push(Segment::Number(start + at, start + stop));
                at = stop;
            } else if byte.is_ascii_alphabetic() {
                let stop = run_end(u8::is_ascii_alphabetic);
                segments.push(Segment::Letters(start + at, start + stop));
                at = stop;
            } else {
                if byte == b'-' {
                    segments.push(Segment::Pre);
                }
                at += 1;
            }
        }
        let first_string = segments
            .iter()
            .position(|segment| !matches!(segment, Segment::Number(..)))
            .unwrap_or(segments.len());
        let mut tail = segments.split_off(first_string);
        trim_zeros(text, &mut segments);
        trim_zeros(text, &mut tail);
        segments.append(&mut tail);
        Ok(GemVersion { segments })
    }

    pub(super) fn compare(&self, text: &str, other: &GemVersion, other_text: &str) -> Ordering {
        let zero = Part::Number("0");
        for index in 0..self.segments.len().max(other.segments.len()) {
            let left = self.segments.get(index).map_or(zero, |s| part(text, *s));
            let right = other
                .segments
                .get(index)
                .map_or(zero, |s| part(other_text, *s));
            let order = match (left, right) {
                (Part::Number(a), Part::Number(b)) => compare_digits(a, b),
                (Part::Letters(_), Part::Number(_)) => Ordering::Less,
                (Part::Number(_), Part::Letters(_)) => Ordering::Greater,
                (Part::Letters(a), Part::Letters(b)) => a.cmp(b),
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

fn part(text: &str, segment: Segment) -> Part<'_> {
    match segment {
        Segment::Number(start, end) => Part::Number(&text[start..end]),
        Segment::Letters(start, end) => Part::Letters(&text[start..end]),
        Segment::Pre => Part::Letters("pre"),
    }
}

fn trim_zeros(text: &str, segments: &mut Vec<Segment>) {
    while let Some(Segment::Number(start, end)) = segments.last() {
        if text[*start..*end].bytes().all(|byte| byte == b'0') {
            segments.pop();
        } else {
            break;
        }
    }
}

/// Checks `N(.[0-9A-Za-z]+)*(-[0-9A-Za-z-]+(.[0-9A-Za-z-]+)*)?`.
fn validate(version: &str) -> Result<(), String> {
    let (release, pre) = match version.split_once('-') {
        Some((release, pre)) => (release, Some(pre)),
        None => (version, None),
    };
    let mut parts = release.split('.');
    let leading = parts.next().unwrap_or("");
    if leading.is_empty() || !leading.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("must start with a number".to_owned());
    }
    let alphanumeric =
        |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric());
    if !parts.all(alphanumeric) {
        return Err("parts must be letters and digits separated by single dots".to_owned());
    }
    if let Some(pre) = pre {
        let with_hyphens = |part: &str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
        };
        if !pre.split('.').all(with_hyphens) {
            return Err(format!("invalid pre-release `{pre}`"));
        }
    }
    Ok(())
}
