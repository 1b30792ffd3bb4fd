//! NuGet order (`NuGetVersion` with the default comparer).
//!
//! One to four numeric parts (a missing one is 0, so `1.0` equals
//! `1.0.0.0`), an optional SemVer 2 pre-release tag compared identifier by
//! identifier with letters compared case-insensitively (`1.0.0-RC.1`
//! equals `1.0.0-rc.1`), and `+metadata`, which never affects order.

use std::cmp::Ordering;

use super::{compare_dotted_numbers, compare_prerelease, is_dotted_identifiers, trimmed_range};

/// Offsets into the version text: numeric parts and pre-release tag.
#[derive(Clone, Debug)]
pub(super) struct NuGetVersion {
    numbers: (usize, usize),
    pre: Option<(usize, usize)>,
}

impl NuGetVersion {
    pub(super) fn parse(text: &str) -> Result<NuGetVersion, String> {
        let (start, end) = trimmed_range(text);
        let body = &text[start..end];
        let main = match body.split_once('+') {
            Some((main, metadata)) => {
                if !is_dotted_identifiers(metadata) {
                    return Err(format!("invalid metadata `{metadata}`"));
                }
                main
            }
            None => body,
        };
        let (numbers, pre) = match main.split_once('-') {
            Some((numbers, pre)) => {
                if !is_dotted_identifiers(pre) {
                    return Err(format!("invalid pre-release `{pre}`"));
                }
                let pre_start = start + numbers.len() + 1;
                (numbers, Some((pre_start, start + main.len())))
            }
            None => (main, None),
        };
        let numeric = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if numbers.is_empty() || !numbers.split('.').all(numeric) {
            return Err("must start with dot-separated numbers".to_owned());
        }
        if numbers.split('.').count() > 4 {
            return Err("more than four numeric parts".to_owned());
        }
        Ok(NuGetVersion {
            numbers: (start, start + numbers.len()),
            pre,
        })
    }

    pub(super) fn compare(&self, text: &str, other: &NuGetVersion, other_text: &str) -> Ordering {
        let numbers = compare_dotted_numbers(
            &text[self.numbers.0..self.numbers.1],
            &other_text[other.numbers.0..other.numbers.1],
        );
        numbers.then_with(|| match (self.pre, other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => compare_prerelease(&text[a.0..a.1], &other_text[b.0..b.1], true),
        })
    }
}
