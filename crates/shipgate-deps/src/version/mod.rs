//! Version ordering per ecosystem, as OSV `ECOSYSTEM` ranges need it.
//!
//! Each ecosystem orders versions by its own scheme, one module each:
//! SemVer 2.0 (crates.io, npm, Hex, Pub, Go, GitHub Actions), PEP 440
//! (PyPI), Maven's `ComparableVersion`, RubyGems' `Gem::Version`, NuGet,
//! Composer (Packagist), dpkg (Debian) and apk-tools (Alpine).
//!
//! Equality is the ecosystem's own: Maven `1.0` equals `1.0.0`, PEP 440
//! `1.0` equals `1.0.0`, NuGet `1.0` equals `1.0.0.0`, and so on;
//! [`Version::as_str`] still gives the text as it was read. Numbers of any
//! length compare exactly: no scheme converts an unbounded digit run into
//! a fixed-width integer.

mod alpine;
mod debian;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod rubygems;
mod semver;

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
///
/// Versions read in different schemes (say a PyPI and a Maven version)
/// never compare equal: they order by scheme first, in a fixed but
/// meaningless order, so that sorting mixed lists never panics.
#[derive(Clone, Debug)]
pub struct Version {
    text: String,
    key: Key,
}

/// The parsed form each scheme compares by. Schemes whose comparison walks
/// the text itself (dpkg, apk) keep only offsets into [`Version::text`].
#[derive(Clone, Debug)]
enum Key {
    SemVer(semver::SemVer),
    Pep440(pep440::Pep440),
    Maven(maven::MavenVersion),
    RubyGems(rubygems::GemVersion),
    NuGet(nuget::NuGetVersion),
    Packagist(packagist::ComposerVersion),
    Debian(debian::DebianVersion),
    Alpine(alpine::ApkVersion),
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::SemVer(_) => 0,
            Key::Pep440(_) => 1,
            Key::Maven(_) => 2,
            Key::RubyGems(_) => 3,
            Key::NuGet(_) => 4,
            Key::Packagist(_) => 5,
            Key::Debian(_) => 6,
            Key::Alpine(_) => 7,
        }
    }
}

impl Version {
    /// Reads `text` in `ecosystem`'s version scheme. Surrounding
    /// whitespace is ignored.
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Result<Version, VersionError> {
        let scheme = scheme_name(ecosystem);
        let key = match ecosystem {
            Ecosystem::CratesIo
            | Ecosystem::Npm
            | Ecosystem::Go
            | Ecosystem::Pub
            | Ecosystem::Hex
            | Ecosystem::GitHubActions => semver::SemVer::parse(text).map(Key::SemVer),
            Ecosystem::PyPi => pep440::Pep440::parse(text).map(Key::Pep440),
            Ecosystem::Maven => maven::MavenVersion::parse(text).map(Key::Maven),
            Ecosystem::RubyGems => rubygems::GemVersion::parse(text).map(Key::RubyGems),
            Ecosystem::NuGet => nuget::NuGetVersion::parse(text).map(Key::NuGet),
            Ecosystem::Packagist => packagist::ComposerVersion::parse(text).map(Key::Packagist),
            Ecosystem::Debian => debian::DebianVersion::parse(text).map(Key::Debian),
            Ecosystem::Alpine => alpine::ApkVersion::parse(text).map(Key::Alpine),
        };
        Self::build(text, scheme, key)
    }

    /// Reads `text` as SemVer 2.0 (OSV `SEMVER` ranges), leniently as OSV
    /// does: a leading `v` is accepted, a missing minor or patch number
    /// counts as 0, and build metadata is ignored for ordering.
    pub fn parse_semver(text: &str) -> Result<Version, VersionError> {
        Self::build(text, "SemVer", semver::SemVer::parse(text).map(Key::SemVer))
    }

    fn build(
        text: &str,
        scheme: &'static str,
        key: Result<Key, String>,
    ) -> Result<Version, VersionError> {
        match key {
            Ok(key) => Ok(Version {
                text: text.to_owned(),
                key,
            }),
            Err(reason) => Err(VersionError {
                text: text.to_owned(),
                scheme,
                reason,
            }),
        }
    }

    /// The text the version was read from.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// The scheme name reported in a [`VersionError`] for `ecosystem`.
fn scheme_name(ecosystem: Ecosystem) -> &'static str {
    match ecosystem {
        Ecosystem::CratesIo
        | Ecosystem::Npm
        | Ecosystem::Go
        | Ecosystem::Pub
        | Ecosystem::Hex
        | Ecosystem::GitHubActions => "SemVer",
        Ecosystem::PyPi => "PEP 440",
        Ecosystem::Maven => "Maven",
        Ecosystem::RubyGems => "RubyGems",
        Ecosystem::NuGet => "NuGet",
        Ecosystem::Packagist => "Composer",
        Ecosystem::Debian => "Debian",
        Ecosystem::Alpine => "Alpine",
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
        let (a, b) = (self.text.as_str(), other.text.as_str());
        match (&self.key, &other.key) {
            (Key::SemVer(x), Key::SemVer(y)) => x.compare(a, y, b),
            (Key::Pep440(x), Key::Pep440(y)) => x.cmp(y),
            (Key::Maven(x), Key::Maven(y)) => x.cmp(y),
            (Key::RubyGems(x), Key::RubyGems(y)) => x.compare(a, y, b),
            (Key::NuGet(x), Key::NuGet(y)) => x.compare(a, y, b),
            (Key::Packagist(x), Key::Packagist(y)) => x.compare(a, y, b),
            (Key::Debian(x), Key::Debian(y)) => x.compare(a, y, b),
            (Key::Alpine(x), Key::Alpine(y)) => x.compare(a, y, b),
            (x, y) => x.rank().cmp(&y.rank()),
        }
    }
}

/// Compares two versions of `ecosystem`.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(Version::parse(ecosystem, a)?.cmp(&Version::parse(ecosystem, b)?))
}

/// Compares dot-separated runs of digits part by part, a missing part
/// counting as 0 (`1.2` equals `1.2.0`).
fn compare_dotted_numbers(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (x, y) => {
                let order = compare_digits(x.unwrap_or(""), y.unwrap_or(""));
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// Compares two SemVer-style pre-release tags (`alpha.1`, `rc.10`) by
/// precedence: identifiers in turn, numeric ones by value and below
/// alphanumeric ones, which compare by ASCII (case-insensitively when
/// `ignore_case`); a tag that is a prefix of the other is lower.
fn compare_prerelease(a: &str, b: &str, ignore_case: bool) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        let (x, y) = match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => (x, y),
        };
        let numeric = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        let order = match (numeric(x), numeric(y)) {
            (true, true) => compare_digits(x, y),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) if ignore_case => x
                .bytes()
                .map(|byte| byte.to_ascii_uppercase())
                .cmp(y.bytes().map(|byte| byte.to_ascii_uppercase())),
            (false, false) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
}

/// Whether `text` is one or more non-empty dot-separated identifiers made
/// of ASCII letters, digits and hyphens (SemVer pre-release and build
/// metadata).
fn is_dotted_identifiers(text: &str) -> bool {
    text.split('.').all(|part| {
        !part.is_empty()
            && part
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
    })
}

/// The byte range of `text` without surrounding whitespace.
fn trimmed_range(text: &str) -> (usize, usize) {
    let start = text.len() - text.trim_start().len();
    (start, start + text.trim().len())
}

/// Compares two runs of ASCII digits by numeric value, whatever their
/// length: leading zeros are skipped, then the longer run is the larger
/// number, and runs of equal length compare byte by byte. An empty run
/// counts as 0.
fn compare_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_compare_by_value_without_overflow() {
        assert_eq!(compare_digits("010", "9"), Ordering::Greater);
        assert_eq!(compare_digits("0", ""), Ordering::Equal);
        assert_eq!(compare_digits("000", "0"), Ordering::Equal);
        let huge = "123456789012345678901234567890";
        let huger = "123456789012345678901234567891";
        assert_eq!(compare_digits(huge, huger), Ordering::Less);
    }

    #[test]
    fn mixed_schemes_order_by_scheme_and_never_match() {
        let semver = Version::parse(Ecosystem::Npm, "1.0.0").unwrap();
        let pypi = Version::parse(Ecosystem::PyPi, "1.0.0").unwrap();
        assert_ne!(semver, pypi);
        assert_eq!(semver.cmp(&pypi), pypi.cmp(&semver).reverse());
    }

    #[test]
    fn errors_name_the_scheme_and_keep_the_text() {
        let error = Version::parse(Ecosystem::Npm, "not a version").unwrap_err();
        assert_eq!(error.scheme, "SemVer");
        assert_eq!(error.text, "not a version");
        assert_eq!(
            Version::parse(Ecosystem::PyPi, "x").unwrap_err().scheme,
            "PEP 440"
        );
    }
}
