//! SemVer 2.0 precedence, read as leniently as OSV reads `SEMVER` ranges
//! and the semver-based ecosystems (crates.io, npm, Hex, Pub, Go, GitHub
//! Actions) spell their versions.
//!
//! Accepted beyond strict SemVer: a leading `v` (Go, Actions tags), a
//! missing minor or patch number (`v4` is `4.0.0`), more than three
//! numeric parts, leading zeros and numbers of any size. Build metadata
//! (`+build`, Go's `+incompatible`) is checked but never affects order.
//! Go pseudo-versions (`v0.0.0-20200101000000-abcdef123456`,
//! `v1.2.4-0.2020…`, `v1.2.3-pre.0.2020…`) are pre-releases and order
//! correctly as such.
//!
//! The `semver` crate is not used: it rejects everything lenient listed
//! above and orders by build metadata too, while precedence itself is a
//! few lines over the original text, with no allocation.

use std::cmp::Ordering;

use super::{compare_dotted_numbers, compare_prerelease, is_dotted_identifiers, trimmed_range};

/// Offsets into the version text: the numeric core and the pre-release
/// tag, if any.
#[derive(Clone, Debug)]
pub(super) struct SemVer {
    core: (usize, usize),
    pre: Option<(usize, usize)>,
}

impl SemVer {
    pub(super) fn parse(text: &str) -> Result<SemVer, String> {
        let (mut start, end) = trimmed_range(text);
        if text[start..end].starts_with(['v', 'V']) {
            start += 1;
        }
        let body = &text[start..end];
        let main_len = match body.split_once('+') {
            Some((main, build)) => {
                if !is_dotted_identifiers(build) {
                    return Err(format!("invalid build metadata `{build}`"));
                }
                main.len()
            }
            None => body.len(),
        };
        let main = &body[..main_len];
        let (core_len, pre) = match main.split_once('-') {
            Some((core, pre)) => {
                if !is_dotted_identifiers(pre) {
                    return Err(format!("invalid pre-release `{pre}`"));
                }
                let pre_start = start + core.len() + 1;
                (core.len(), Some((pre_start, start + main_len)))
            }
            None => (main.len(), None),
        };
        let core = &main[..core_len];
        if core.is_empty() {
            return Err("no version number".to_owned());
        }
        let numeric = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if !core.split('.').all(numeric) {
            return Err(format!("`{core}` is not dot-separated numbers"));
        }
        Ok(SemVer {
            core: (start, start + core_len),
            pre,
        })
    }

    pub(super) fn compare(&self, text: &str, other: &SemVer, other_text: &str) -> Ordering {
        let core = compare_dotted_numbers(
            &text[self.core.0..self.core.1],
            &other_text[other.core.0..other.core.1],
        );
        core.then_with(|| match (self.pre, other.pre) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(a), Some(b)) => compare_prerelease(&text[a.0..a.1], &other_text[b.0..b.1], false),
        })
    }
}
