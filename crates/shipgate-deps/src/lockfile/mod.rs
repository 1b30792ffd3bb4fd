//! Lockfile formats: which file is which, and one parser per format.
//!
//! Every parser reads the lockfile from a [`FileSet`] so that it can also
//! read the files that complete it (the manifest beside it, `-r`
//! includes, `go.sum`). A parser tolerates real-world variation: an entry
//! it cannot read becomes a [`ParseWarning`](crate::ParseWarning) and the
//! rest of the file is still read; only a file that cannot be read at all
//! is a [`LockfileError`].

mod bun;
mod cargo;
mod composer;
mod gemfile;
mod gomod;
mod gradle;
mod json_members;
mod maven;
mod mix;
mod node;
mod npm;
mod nuget;
mod pdm;
mod pipfile;
mod pnpm;
mod poetry;
mod pubspec;
mod python;
mod requirements;
mod uv;
mod yarn;

use serde::{Deserialize, Serialize};

use crate::inventory::{FileSet, Lockfile, LockfileError};

/// A lockfile format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockfileKind {
    /// `Cargo.lock`, versions 1 to 4.
    CargoLock,
    /// `package-lock.json` or `npm-shrinkwrap.json`, lockfileVersion 1 to 3.
    NpmLock,
    /// `yarn.lock`, classic (v1) and berry.
    YarnLock,
    /// `pnpm-lock.yaml`, lockfileVersion 5 to 9.
    PnpmLock,
    /// `bun.lock` (text format).
    BunLock,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `pdm.lock`.
    PdmLock,
    /// `requirements*.txt` and the files they include.
    Requirements,
    /// `go.mod`, completed by `go.sum`.
    GoMod,
    /// `Gemfile.lock` (and `gems.locked`).
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
    /// Gradle dependency locks (`gradle.lockfile`, `*.lockfile` under
    /// `gradle/dependency-locks/`).
    GradleLock,
    /// Maven `pom.xml`: declared dependencies with literal or property versions.
    MavenPom,
    /// NuGet `packages.lock.json`.
    NugetLock,
    /// Dart `pubspec.lock`.
    PubspecLock,
    /// Elixir `mix.lock`.
    MixLock,
}

impl LockfileKind {
    /// A short display name, for tables.
    pub fn name(self) -> &'static str {
        match self {
            LockfileKind::CargoLock => "Cargo.lock",
            LockfileKind::NpmLock => "package-lock.json",
            LockfileKind::YarnLock => "yarn.lock",
            LockfileKind::PnpmLock => "pnpm-lock.yaml",
            LockfileKind::BunLock => "bun.lock",
            LockfileKind::PoetryLock => "poetry.lock",
            LockfileKind::UvLock => "uv.lock",
            LockfileKind::PipfileLock => "Pipfile.lock",
            LockfileKind::PdmLock => "pdm.lock",
            LockfileKind::Requirements => "requirements.txt",
            LockfileKind::GoMod => "go.mod",
            LockfileKind::GemfileLock => "Gemfile.lock",
            LockfileKind::ComposerLock => "composer.lock",
            LockfileKind::GradleLock => "gradle.lockfile",
            LockfileKind::MavenPom => "pom.xml",
            LockfileKind::NugetLock => "packages.lock.json",
            LockfileKind::PubspecLock => "pubspec.lock",
            LockfileKind::MixLock => "mix.lock",
        }
    }
}

/// Whether a scanner should collect the file at `path`: a lockfile or a
/// file that completes one (manifests, `go.sum`, requirement includes).
pub fn is_relevant(path: &str) -> bool {
    let name = file_name(path);
    detect_by_name(path).is_some()
        || matches!(
            name,
            "go.sum"
                | "package.json"
                | "Cargo.toml"
                | "pyproject.toml"
                | "Pipfile"
                | "composer.json"
        )
        || requirements::is_candidate(path)
        || matches!(name, "pubspec.yaml" | "mix.exs")
        || [".csproj", ".fsproj", ".vbproj"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// The format of the lockfile at `path`, or `None` when it is not one.
/// `files` is consulted for formats whose files are recognised by what
/// includes them (a requirements file named by another's `-r`).
pub fn detect(path: &str, files: &FileSet) -> Option<LockfileKind> {
    detect_by_name(path)
        .or_else(|| requirements::is_included(path, files).then_some(LockfileKind::Requirements))
}

fn detect_by_name(path: &str) -> Option<LockfileKind> {
    let name = file_name(path);
    Some(match name {
        "Cargo.lock" => LockfileKind::CargoLock,
        "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::NpmLock,
        "yarn.lock" => LockfileKind::YarnLock,
        "pnpm-lock.yaml" => LockfileKind::PnpmLock,
        "bun.lock" => LockfileKind::BunLock,
        "poetry.lock" => LockfileKind::PoetryLock,
        "uv.lock" => LockfileKind::UvLock,
        "Pipfile.lock" => LockfileKind::PipfileLock,
        "pdm.lock" => LockfileKind::PdmLock,
        "go.mod" => LockfileKind::GoMod,
        "Gemfile.lock" | "gems.locked" => LockfileKind::GemfileLock,
        "composer.lock" => LockfileKind::ComposerLock,
        "gradle.lockfile" => LockfileKind::GradleLock,
        "pom.xml" => LockfileKind::MavenPom,
        "packages.lock.json" => LockfileKind::NugetLock,
        "pubspec.lock" => LockfileKind::PubspecLock,
        "mix.lock" => LockfileKind::MixLock,
        _ if name.ends_with(".lockfile") && path.contains("gradle/dependency-locks/") => {
            LockfileKind::GradleLock
        }
        _ if requirements::is_requirements_name(path) => LockfileKind::Requirements,
        _ => return None,
    })
}

/// Reads the lockfile at `path` (which must be in `files`) as `kind`.
pub fn parse(kind: LockfileKind, path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    match kind {
        LockfileKind::CargoLock => cargo::parse(path, files),
        LockfileKind::NpmLock => npm::parse(path, files),
        LockfileKind::YarnLock => yarn::parse(path, files),
        LockfileKind::PnpmLock => pnpm::parse(path, files),
        LockfileKind::BunLock => bun::parse(path, files),
        LockfileKind::PoetryLock => poetry::parse(path, files),
        LockfileKind::UvLock => uv::parse(path, files),
        LockfileKind::PipfileLock => pipfile::parse(path, files),
        LockfileKind::PdmLock => pdm::parse(path, files),
        LockfileKind::Requirements => requirements::parse(path, files),
        LockfileKind::GoMod => gomod::parse(path, files),
        LockfileKind::GemfileLock => gemfile::parse(path, files),
        LockfileKind::ComposerLock => composer::parse(path, files),
        LockfileKind::GradleLock => gradle::parse(path, files),
        LockfileKind::MavenPom => maven::parse(path, files),
        LockfileKind::NugetLock => nuget::parse(path, files),
        LockfileKind::PubspecLock => pubspec::parse(path, files),
        LockfileKind::MixLock => mix::parse(path, files),
    }
}

/// The last component of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// The directory part of `path` joined with `relative` (`..` resolved
/// lexically), or `None` when it climbs above the scan root.
pub(crate) fn sibling(path: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = match path.rsplit_once('/') {
        Some((dir, _)) => dir.split('/').collect(),
        None => Vec::new(),
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The lockfile's text: UTF-8 (a leading byte-order mark is dropped), or
/// an error naming the first bad byte's line.
pub(crate) fn text<'a>(path: &str, files: &'a FileSet) -> Result<&'a str, LockfileError> {
    let bytes = files.get(path).ok_or_else(|| LockfileError {
        path: path.to_owned(),
        line: None,
        message: "file is not in the scanned set".to_owned(),
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|error| {
        let line = bytes[..error.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        LockfileError {
            path: path.to_owned(),
            line: u32::try_from(line).ok(),
            message:
                "not valid UTF-8; lockfiles are text, so this file is damaged or not a lockfile"
                    .to_owned(),
        }
    })
}

/// An error for the whole file at `path`.
pub(crate) fn error(path: &str, line: Option<u32>, message: impl Into<String>) -> LockfileError {
    LockfileError {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

/// Each package as (name, version, relation, scope, line), in lockfile
/// order: what the readers' tests compare against.
#[cfg(test)]
pub(crate) fn package_rows(
    lockfile: &Lockfile,
) -> Vec<(
    &str,
    &str,
    crate::inventory::Relation,
    crate::inventory::Scope,
    u32,
)> {
    lockfile
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.relation,
                p.scope,
                p.line,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siblings_resolve_relative_paths_and_refuse_to_leave_the_root() {
        assert_eq!(
            sibling("a/requirements.txt", "base.txt").as_deref(),
            Some("a/base.txt")
        );
        assert_eq!(
            sibling("a/b/req.txt", "../c.txt").as_deref(),
            Some("a/c.txt")
        );
        assert_eq!(sibling("req.txt", "./x/y.txt").as_deref(), Some("x/y.txt"));
        assert_eq!(sibling("req.txt", "../y.txt"), None);
    }

    #[test]
    fn invalid_utf8_is_an_error_with_its_line() {
        let mut files = FileSet::new();
        files.insert("Cargo.lock", b"version = 3\n\n\xff\n".to_vec());
        let error = text("Cargo.lock", &files).unwrap_err();
        assert_eq!(error.line, Some(3));
    }
}
