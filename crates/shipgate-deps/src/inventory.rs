//! The package inventory read from lockfiles and manifests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;
use crate::lockfile::{self, LockfileKind};

/// Whether the project asks for a package itself or gets it through another.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// Named by the project's own manifest.
    Direct,
    /// Pulled in by another package.
    Transitive,
    /// The format does not say.
    #[default]
    Unknown,
}

/// When a package is needed.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Shipped or needed at run time.
    Runtime,
    /// Only for development, tests or builds.
    Development,
    /// Installed only when an optional feature or platform asks for it.
    Optional,
    /// The format does not say.
    #[default]
    Unknown,
}

/// Where a package's code comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PackageSource {
    /// The ecosystem's default registry.
    #[default]
    Registry,
    /// A registry other than the ecosystem's default.
    AlternateRegistry {
        /// The registry's URL as written in the lockfile.
        url: String,
    },
    /// A git repository at a revision.
    Git {
        /// Repository URL.
        url: String,
        /// Commit or ref, when the lockfile records it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rev: Option<String>,
    },
    /// A directory in the same repository (workspace member, path dependency).
    Path {
        /// The path as written.
        path: String,
    },
    /// A tarball or file downloaded from a URL.
    Url {
        /// The URL.
        url: String,
    },
}

/// A digest algorithm of an integrity hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlgorithm {
    /// MD5 (old lockfiles only).
    #[serde(rename = "MD5")]
    Md5,
    /// SHA-1.
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-256.
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA-512")]
    Sha512,
}

/// An integrity hash of a package's artifact, as recorded by the lockfile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    /// The digest algorithm.
    pub algorithm: HashAlgorithm,
    /// The digest in lower-case hexadecimal (base64 forms are converted).
    pub value: String,
}

/// One resolved package of a lockfile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// The ecosystem the name belongs to.
    pub ecosystem: Ecosystem,
    /// The name as the registry spells it: npm `@scope/name`, Maven
    /// `group:artifact`, Go module path, Composer `vendor/name`.
    pub name: String,
    /// The exact resolved version, as written (Go keeps its `v`).
    pub version: String,
    /// Direct or transitive.
    pub relation: Relation,
    /// Runtime, development or optional.
    pub scope: Scope,
    /// Where the code comes from.
    pub source: PackageSource,
    /// Indices into [`Lockfile::packages`] of the packages this one depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<usize>,
    /// Integrity hashes of the package's artifacts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Licences, as SPDX expressions where the lockfile gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// 1-based line of the package's entry in the lockfile; 0 when unknown.
    pub line: u32,
}

impl Package {
    /// A package with the given identity and everything else unknown.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        Package {
            ecosystem,
            name: name.into(),
            version: version.into(),
            relation: Relation::Unknown,
            scope: Scope::Unknown,
            source: PackageSource::Registry,
            dependencies: Vec::new(),
            hashes: Vec::new(),
            licenses: Vec::new(),
            line: 0,
        }
    }

    /// The package URL (`pkg:npm/%40scope/name@1.0.0`), per the purl
    /// specification's rules for each type.
    pub fn purl(&self) -> String {
        purl(self.ecosystem, &self.name, &self.version)
    }

    /// Whether advisories for the ecosystem's registry can apply: packages
    /// from git, a path or a URL are other code that shares a name.
    pub fn from_registry(&self) -> bool {
        matches!(
            self.source,
            PackageSource::Registry | PackageSource::AlternateRegistry { .. }
        )
    }
}

/// The package URL of `name` at `version` in `ecosystem`.
pub fn purl(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    let (namespace, local) = match ecosystem {
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, local)) => (Some(format!("@{scope}")), local.to_owned()),
            None => (None, name.to_owned()),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((group, artifact)) => (Some(group.to_owned()), artifact.to_owned()),
            None => (None, name.to_owned()),
        },
        Ecosystem::Go | Ecosystem::Packagist | Ecosystem::GitHubActions => {
            match name.rsplit_once('/') {
                Some((namespace, local)) => (Some(namespace.to_owned()), local.to_owned()),
                None => (None, name.to_owned()),
            }
        }
        Ecosystem::PyPi => (None, Ecosystem::PyPi.normalize_name(name).into_owned()),
        Ecosystem::Debian => (Some("debian".to_owned()), name.to_owned()),
        Ecosystem::Alpine => (Some("alpine".to_owned()), name.to_owned()),
        _ => (None, name.to_owned()),
    };
    let Ok(mut url) = packageurl::PackageUrl::new(ecosystem.purl_type(), local.as_str()) else {
        return format!("pkg:{}/{name}@{version}", ecosystem.purl_type());
    };
    let namespaced = match namespace.as_deref() {
        Some(namespace) => url.with_namespace(namespace).is_ok(),
        None => true,
    };
    let versioned = version.is_empty() || url.with_version(version).is_ok();
    if namespaced && versioned {
        url.to_string()
    } else {
        format!("pkg:{}/{name}@{version}", ecosystem.purl_type())
    }
}

/// The project a lockfile belongs to, from the manifest beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootComponent {
    /// The project's name.
    pub name: String,
    /// The project's version, when declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The ecosystem of the project.
    pub ecosystem: Ecosystem,
}

/// Something in a lockfile that was skipped or doubtful, with where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseWarning {
    /// 1-based line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What was wrong and what was done about it.
    pub message: String,
}

/// Everything one lockfile (or manifest with pinned versions) says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    /// Path relative to the scan root, with `/` separators.
    pub path: String,
    /// The format.
    pub kind: LockfileKind,
    /// The project, when a manifest beside the lockfile names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<RootComponent>,
    /// Resolved packages, in file order.
    pub packages: Vec<Package>,
    /// Entries skipped or doubtful; the rest of the file was still read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ParseWarning>,
}

/// A lockfile that could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct LockfileError {
    /// Path relative to the scan root.
    pub path: String,
    /// 1-based line of the problem, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What is wrong, and what to do about it.
    pub message: String,
}

/// The files a parser may read: the lockfile itself and the files beside
/// it that complete it (`-r` includes, `go.sum`, `package.json`,
/// `Cargo.toml`). Keys are paths relative to the scan root with `/`
/// separators.
#[derive(Clone, Debug, Default)]
pub struct FileSet {
    files: BTreeMap<String, Vec<u8>>,
}

impl FileSet {
    /// An empty set.
    pub fn new() -> Self {
        FileSet::default()
    }

    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: impl Into<String>, content: Vec<u8>) {
        self.files.insert(path.into(), content);
    }

    /// The content of `path`, when the set has it.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(path, content)| (path.as_str(), content.as_slice()))
    }

    /// How many files the set holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// The packages of every lockfile in a set of files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// Lockfiles that were read, in path order.
    pub lockfiles: Vec<Lockfile>,
    /// Lockfiles that could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<LockfileError>,
}

impl Inventory {
    /// Reads every lockfile in `files`. Files that only complete another
    /// (manifests, includes, `go.sum` beside a `go.mod`) are read through
    /// the lockfile that needs them. One broken lockfile never stops the
    /// others.
    pub fn build(files: &FileSet) -> Inventory {
        let mut inventory = Inventory::default();
        for (path, _) in files.iter() {
            let Some(kind) = lockfile::detect(path, files) else {
                continue;
            };
            match lockfile::parse(kind, path, files) {
                Ok(lockfile) => inventory.lockfiles.push(lockfile),
                Err(error) => inventory.errors.push(error),
            }
        }
        inventory
    }

    /// Every package of every lockfile, with the lockfile it is in.
    pub fn packages(&self) -> impl Iterator<Item = (&Lockfile, &Package)> {
        self.lockfiles.iter().flat_map(|lockfile| {
            lockfile
                .packages
                .iter()
                .map(move |package| (lockfile, package))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_follow_each_types_rules() {
        assert_eq!(
            purl(Ecosystem::Npm, "@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl(Ecosystem::Npm, "lodash", "4.17.21"),
            "pkg:npm/lodash@4.17.21"
        );
        assert_eq!(
            purl(
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                "2.14.1"
            ),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            purl(Ecosystem::Go, "github.com/gin-gonic/gin", "v1.9.0"),
            "pkg:golang/github.com/gin-gonic/gin@v1.9.0"
        );
        assert_eq!(
            purl(Ecosystem::PyPi, "Django_REST", "1.0"),
            "pkg:pypi/django-rest@1.0"
        );
        assert_eq!(
            purl(Ecosystem::CratesIo, "serde", "1.0.0"),
            "pkg:cargo/serde@1.0.0"
        );
        assert_eq!(
            purl(Ecosystem::Packagist, "symfony/console", "v6.0.0"),
            "pkg:composer/symfony/console@v6.0.0"
        );
        assert_eq!(
            purl(Ecosystem::Debian, "openssl", "3.0.11-1~deb12u2"),
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2"
        );
    }
}
