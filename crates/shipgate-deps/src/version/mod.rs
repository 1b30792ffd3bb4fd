//! Version ordering per ecosystem, as OSV ranges need it.
//!
//! PLACEHOLDER ordering: a generic dotted-number comparison. Replaced by
//! the per-ecosystem comparators.

use std::cmp::Ordering;

use crate::ecosystem::Ecosystem;

/// A version that cannot be read in its ecosystem's scheme.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a {scheme} version: {reason}")]
pub struct VersionError {
    /// The text that was read.
    pub text: String,
    /// The scheme it was read in (`PyPI`, `SemVer`, ...).
    pub scheme: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// A parsed version, ordered by its ecosystem's rules.
#[derive(Clone, Debug)]
pub struct Version {
    text: String,
    parts: Vec<u64>,
}

impl Version {
    /// Reads `text` in `ecosystem`'s version scheme.
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Result<Version, VersionError> {
        let _ = ecosystem;
        Self::generic(text, "generic")
    }

    /// Reads `text` as SemVer 2.0 (OSV `SEMVER` ranges), accepting a
    /// leading `v`.
    pub fn parse_semver(text: &str) -> Result<Version, VersionError> {
        Self::generic(text, "SemVer")
    }

    fn generic(text: &str, scheme: &'static str) -> Result<Version, VersionError> {
        let digits = text.trim().trim_start_matches('v');
        let parts = digits
            .split(['.', '-', '+'])
            .map_while(|part| part.parse::<u64>().ok())
            .collect::<Vec<_>>();
        if parts.is_empty() {
            return Err(VersionError {
                text: text.to_owned(),
                scheme,
                reason: "no leading number".to_owned(),
            });
        }
        Ok(Version {
            text: text.to_owned(),
            parts,
        })
    }

    /// The text the version was read from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.parts.cmp(&other.parts)
    }
}

/// Compares two versions of `ecosystem`.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Version::parse(ecosystem, a)?.cmp(&Version::parse(ecosystem, b)?))
}
