//! Package ecosystems, named as OSV names them.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A package ecosystem: where a package name is looked up and how its
/// versions order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    /// Rust crates (crates.io).
    #[serde(rename = "crates.io")]
    CratesIo,
    /// JavaScript packages (npm, yarn, pnpm, bun).
    #[serde(rename = "npm")]
    Npm,
    /// Python packages (PyPI).
    #[serde(rename = "PyPI")]
    PyPi,
    /// Go modules.
    #[serde(rename = "Go")]
    Go,
    /// Java packages from Maven repositories (Maven and Gradle).
    #[serde(rename = "Maven")]
    Maven,
    /// Ruby gems.
    #[serde(rename = "RubyGems")]
    RubyGems,
    /// .NET packages.
    #[serde(rename = "NuGet")]
    NuGet,
    /// PHP packages (Composer).
    #[serde(rename = "Packagist")]
    Packagist,
    /// Dart and Flutter packages.
    #[serde(rename = "Pub")]
    Pub,
    /// Erlang and Elixir packages.
    #[serde(rename = "Hex")]
    Hex,
    /// GitHub Actions, named `owner/repo`.
    #[serde(rename = "GitHub Actions")]
    GitHubActions,
    /// Debian binary and source packages.
    #[serde(rename = "Debian")]
    Debian,
    /// Alpine Linux packages.
    #[serde(rename = "Alpine")]
    Alpine,
}

impl Ecosystem {
    /// Every ecosystem, in a stable order.
    pub const ALL: [Ecosystem; 13] = [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::PyPi,
        Ecosystem::Go,
        Ecosystem::Maven,
        Ecosystem::RubyGems,
        Ecosystem::NuGet,
        Ecosystem::Packagist,
        Ecosystem::Pub,
        Ecosystem::Hex,
        Ecosystem::GitHubActions,
        Ecosystem::Debian,
        Ecosystem::Alpine,
    ];

    /// The name OSV uses in `affected[].package.ecosystem` (without a
    /// release suffix such as `:12`).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Pub => "Pub",
            Ecosystem::Hex => "Hex",
            Ecosystem::GitHubActions => "GitHub Actions",
            Ecosystem::Debian => "Debian",
            Ecosystem::Alpine => "Alpine",
        }
    }

    /// The ecosystem of an OSV `ecosystem` string. A release suffix
    /// (`Debian:12`, `Alpine:v3.20`) is accepted and ignored here; `None`
    /// for ecosystems shipgate does not match.
    pub fn from_osv(text: &str) -> Option<Ecosystem> {
        let base = text.split_once(':').map_or(text, |(base, _)| base);
        Ecosystem::ALL
            .into_iter()
            .find(|ecosystem| ecosystem.osv_name() == base)
    }

    /// The package-url type (`pkg:<type>/...`).
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "pypi",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::RubyGems => "gem",
            Ecosystem::NuGet => "nuget",
            Ecosystem::Packagist => "composer",
            Ecosystem::Pub => "pub",
            Ecosystem::Hex => "hex",
            Ecosystem::GitHubActions => "github",
            Ecosystem::Debian => "deb",
            Ecosystem::Alpine => "apk",
        }
    }

    /// The name under which advisories list a package, so that lookups
    /// agree however a lockfile spelled it: PyPI names are compared after
    /// PEP 503 normalization, and ecosystems whose registries ignore case
    /// (PyPI, NuGet, Packagist, GitHub) are lower-cased. Everything else is
    /// already canonical (npm scopes, Go module paths and Maven
    /// `group:artifact` are case-sensitive).
    pub fn normalize_name(self, name: &str) -> Cow<'_, str> {
        match self {
            Ecosystem::PyPi => Cow::Owned(normalize_pypi(name)),
            Ecosystem::NuGet | Ecosystem::Packagist | Ecosystem::GitHubActions => {
                if name.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(name.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(name)
                }
            }
            _ => Cow::Borrowed(name.trim()),
        }
    }
}

/// PEP 503: lower case, and every run of `-`, `_` and `.` becomes one `-`.
fn normalize_pypi(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut in_separator = false;
    for ch in name.trim().chars() {
        if matches!(ch, '-' | '_' | '.') {
            if !in_separator {
                normalized.push('-');
            }
            in_separator = true;
        } else {
            normalized.push(ch.to_ascii_lowercase());
            in_separator = false;
        }
    }
    normalized
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_names_round_trip_and_release_suffixes_are_ignored() {
        for ecosystem in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_osv(ecosystem.osv_name()), Some(ecosystem));
        }
        assert_eq!(Ecosystem::from_osv("Debian:12"), Some(Ecosystem::Debian));
        assert_eq!(Ecosystem::from_osv("Alpine:v3.20"), Some(Ecosystem::Alpine));
        assert_eq!(Ecosystem::from_osv("pypi"), None);
        assert_eq!(Ecosystem::from_osv("Hackage"), None);
    }

    #[test]
    fn pypi_names_are_normalized_per_pep_503() {
        let normalize = |name| Ecosystem::PyPi.normalize_name(name).into_owned();
        assert_eq!(normalize("Django"), "django");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("typing__extensions"), "typing-extensions");
        assert_eq!(normalize("A-._b"), "a-b");
    }

    #[test]
    fn case_insensitive_registries_are_lower_cased_and_others_kept() {
        assert_eq!(
            Ecosystem::NuGet.normalize_name("Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(Ecosystem::Npm.normalize_name("@Scope/Pkg"), "@Scope/Pkg");
        assert_eq!(
            Ecosystem::Go.normalize_name("github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
    }
}
