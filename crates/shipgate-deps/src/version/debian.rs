//! Debian order, as dpkg computes it.
//!
//! `[epoch:]upstream[-revision]`: the epoch (digits before the first `:`)
//! compares as a number, then upstream and revision (after the last `-`;
//! none is the same as `0`) with dpkg's string comparison: alternately a
//! run of non-digits, compared character by character with `~` lowest
//! (even below the end of the string), then the end, then letters, then
//! everything else; and a run of digits, compared by value. So
//! `1.0~rc1` < `1.0` < `1.0a` < `1.0+b1`, and `1:0.9` > `2.0`.
//!
//! In-house rather than the `debversion` crate: the algorithm is a short
//! loop over the text, while the crate brings chrono, lazy-regex and
//! num-bigint into the build.

use std::cmp::Ordering;

use super::{compare_digits, trimmed_range};

/// Offsets into the version text of epoch, upstream version and revision.
#[derive(Clone, Debug)]
pub(super) struct DebianVersion {
    epoch: (usize, usize),
    upstream: (usize, usize),
    revision: (usize, usize),
}

impl DebianVersion {
    pub(super) fn parse(text: &str) -> Result<DebianVersion, String> {
        let (start, end) = trimmed_range(text);
        let version = &text[start..end];
        let (epoch_len, rest_start) = match version.find(':') {
            Some(colon) => {
                let epoch = &version[..colon];
                if epoch.is_empty() || !epoch.bytes().all(|byte| byte.is_ascii_digit()) {
                    return Err(format!("epoch `{epoch}` is not a number"));
                }
                (colon, colon + 1)
            }
            None => (0, 0),
        };
        let rest = &version[rest_start..];
        let (upstream, revision) = match rest.rfind('-') {
            Some(hyphen) => (&rest[..hyphen], &rest[hyphen + 1..]),
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err("empty upstream version".to_owned());
        }
        if !upstream.starts_with(|ch: char| ch.is_ascii_digit()) {
            return Err("upstream version must start with a digit".to_owned());
        }
        if !upstream
            .bytes()
            .all(|byte| allowed(byte) || byte == b'-' || byte == b':')
        {
            return Err(format!(
                "invalid character in upstream version `{upstream}`"
            ));
        }
        if rest.contains('-') && (revision.is_empty() || !revision.bytes().all(allowed)) {
            return Err(format!("invalid revision `{revision}`"));
        }
        let upstream_start = start + rest_start;
        let revision_start = upstream_start + upstream.len() + usize::from(rest.contains('-'));
        Ok(DebianVersion {
            epoch: (start, start + epoch_len),
            upstream: (upstream_start, upstream_start + upstream.len()),
            revision: (revision_start, revision_start + revision.len()),
        })
    }

    pub(super) fn compare(&self, text: &str, other: &DebianVersion, other_text: &str) -> Ordering {
        compare_digits(field(text, self.epoch), field(other_text, other.epoch))
            .then_with(|| {
                compare_part(
                    field(text, self.upstream),
                    field(other_text, other.upstream),
                )
            })
            .then_with(|| {
                compare_part(
                    field(text, self.revision),
                    field(other_text, other.revision),
                )
            })
    }
}

/// Characters allowed in every part of a Debian version.
fn allowed(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'+' | b'~')
}

fn field(text: &str, range: (usize, usize)) -> &str {
    &text[range.0..range.1]
}

/// dpkg's weight of a non-digit character; 0 is the end of a run.
fn weight(byte: Option<&u8>) -> i32 {
    match byte {
        None => 0,
        Some(b) if b.is_ascii_digit() => 0,
        Some(b) if b.is_ascii_alphabetic() => i32::from(*b),
        Some(b'~') => -1,
        Some(b) => i32::from(*b) + 256,
    }
}

/// dpkg's comparison of an upstream version or a revision.
fn compare_part(left: &str, right: &str) -> Ordering {
    let (a, b) = (left.as_bytes(), right.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let not_digit = |s: &[u8], k: usize| s.get(k).is_some_and(|c| !c.is_ascii_digit());
        while not_digit(a, i) || not_digit(b, j) {
            let (x, y) = (weight(a.get(i)), weight(b.get(j)));
            if x != y {
                return x.cmp(&y);
            }
            i += 1;
            j += 1;
        }
        let digits = |s: &[u8], k: usize| {
            s[k.min(s.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let (m, n) = (digits(a, i), digits(b, j));
        let order = compare_digits(&left[i..i + m], &right[j..j + n]);
        if order != Ordering::Equal {
            return order;
        }
        i += m;
        j += n;
    }
    Ordering::Equal
}
