//! Dart and Flutter `pubspec.lock`.
//!
//! Format facts relied on:
//! - YAML: `packages:` maps each package name to `dependency`,
//!   `description`, `source` and `version`; `sdks:` gives SDK constraints
//!   (not packages).
//! - `dependency` is `direct main` (direct, runtime), `direct dev` (direct,
//!   development), `direct overridden` (direct) or `transitive`; pub
//!   records no scope for transitive packages.
//! - `source` is `hosted` (a registry: `description.url`, pub.dev by
//!   default; `description.sha256` is the archive's SHA-256), `git`
//!   (`description.url` and `resolved-ref`), `path` (`description.path`)
//!   or `sdk` (`flutter`, `sky_engine`... shipped with the SDK: not
//!   packages).
//! - The lockfile has no edges. The root component is `name`/`version` of
//!   the `pubspec.yaml` beside it.

use std::fmt;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use shipgate_model::LineIndex;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Lockfile, LockfileError, Package, PackageSource, ParseWarning,
    Relation, RootComponent, Scope,
};
use crate::lockfile::LockfileKind;

#[derive(Deserialize)]
struct LockDocument {
    #[serde(default)]
    packages: Option<OrderedEntries>,
}

/// The `packages` mapping in file order, with each key's position.
struct OrderedEntries(Vec<(Spanned<String>, Entry)>);

impl<'de> Deserialize<'de> for OrderedEntries {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = OrderedEntries;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a mapping of package names to entries")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let entry = map.next_value::<Entry>()?;
                    entries.push((key, entry));
                }
                Ok(OrderedEntries(entries))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(OrderedEntries(Vec::new()))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

#[derive(Deserialize)]
struct Entry {
    dependency: Option<String>,
    #[serde(default)]
    description: Option<Description>,
    source: Option<String>,
    version: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Description {
    Details(Details),
    Other(IgnoredAny),
}

#[derive(Deserialize, Default)]
struct Details {
    url: Option<String>,
    sha256: Option<String>,
    path: Option<String>,
    #[serde(rename = "resolved-ref")]
    resolved_ref: Option<String>,
}

#[derive(Deserialize)]
struct Manifest {
    name: Option<String>,
    version: Option<String>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let lines = LineIndex::new(text.as_bytes());
    let document: LockDocument = serde_saphyr::from_str(text).map_err(|error| {
        let line = error
            .location()
            .map(|location| line_of(&lines, location))
            .filter(|&l| l > 0);
        super::error(
            path,
            line,
            format!("not a pubspec.lock: {}", first_line(&error.to_string())),
        )
    })?;
    let mut warnings = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    for (key, entry) in document.packages.map(|p| p.0).unwrap_or_default() {
        let name = key.value;
        let line = line_of(&lines, key.referenced);
        let source = entry.source.as_deref().unwrap_or("hosted");
        if source == "sdk" {
            continue;
        }
        let Some(version) = entry.version.filter(|v| !v.trim().is_empty()) else {
            warnings.push(warning(
                line,
                format!("`{name}` has no version; entry skipped"),
            ));
            continue;
        };
        let details = match entry.description {
            Some(Description::Details(details)) => details,
            _ => Details::default(),
        };
        let (relation, scope) = match entry.dependency.as_deref() {
            Some("direct main") => (Relation::Direct, Scope::Runtime),
            Some("direct dev") => (Relation::Direct, Scope::Development),
            Some("direct overridden") => (Relation::Direct, Scope::Unknown),
            Some("transitive") => (Relation::Transitive, Scope::Unknown),
            other => {
                warnings.push(warning(
                    line,
                    format!(
                        "`{name}` has an unknown dependency kind `{}`",
                        other.unwrap_or_default()
                    ),
                ));
                (Relation::Unknown, Scope::Unknown)
            }
        };
        let mut package = Package::new(Ecosystem::Pub, name.clone(), version);
        package.relation = relation;
        package.scope = scope;
        package.line = line;
        package.source = match source {
            "hosted" => match details.url.as_deref() {
                None => PackageSource::Registry,
                Some(url) if is_default_registry(url) => PackageSource::Registry,
                Some(url) => PackageSource::AlternateRegistry {
                    url: url.to_owned(),
                },
            },
            "git" => PackageSource::Git {
                url: details.url.clone().unwrap_or_default(),
                rev: details.resolved_ref.clone(),
            },
            "path" => PackageSource::Path {
                path: details.path.clone().unwrap_or_default(),
            },
            other => {
                warnings.push(warning(
                    line,
                    format!("`{name}` has an unknown source `{other}`; read as hosted"),
                ));
                PackageSource::Registry
            }
        };
        if let Some(sha256) = details.sha256.as_deref() {
            if sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                package.hashes.push(Hash {
                    algorithm: HashAlgorithm::Sha256,
                    value: sha256.to_ascii_lowercase(),
                });
            } else {
                warnings.push(warning(
                    line,
                    format!("sha256 of `{name}` is not 64 hex digits; ignored"),
                ));
            }
        }
        if let Some(existing) = packages.iter().find(|p| p.name == name) {
            warnings.push(warning(
                line,
                format!(
                    "`{name}` is listed twice ({} and {}); the first is kept",
                    existing.version, package.version
                ),
            ));
            continue;
        }
        packages.push(package);
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::PubspecLock,
        root: manifest_root(path, files),
        packages,
        warnings,
    })
}

/// The 1-based line of `location`, counted as the rest of shipgate counts
/// lines (YAML also breaks lines at a lone `\r`).
fn line_of(lines: &LineIndex, location: Location) -> u32 {
    let line = match location
        .span()
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
    {
        Some(offset) => lines.line_of(offset) + 1,
        None => usize::try_from(location.line())
            .unwrap_or(0)
            .min(lines.line_count()),
    };
    u32::try_from(line).unwrap_or(u32::MAX)
}

fn manifest_root(path: &str, files: &FileSet) -> Option<RootComponent> {
    let manifest = super::sibling(path, "pubspec.yaml")?;
    let text = std::str::from_utf8(files.get(&manifest)?).ok()?;
    let manifest: Manifest = serde_saphyr::from_str(text).ok()?;
    Some(RootComponent {
        name: manifest.name?,
        version: manifest.version,
        ecosystem: Ecosystem::Pub,
    })
}

fn is_default_registry(url: &str) -> bool {
    let host = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    matches!(host, "pub.dev" | "pub.dartlang.org")
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message)
}

fn warning(line: u32, message: impl Into<String>) -> ParseWarning {
    ParseWarning {
        line: (line > 0).then_some(line),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"# Generated by pub
packages:
  async:
    dependency: transitive
    description:
      name: async
      sha256: "947bfcf187f74dbc5e146c9eb9c0f10c9f8b30743e341481c1e2ed3ecc18c20c"
      url: "https://pub.dev"
    source: hosted
    version: "2.11.0"
  flutter:
    dependency: "direct main"
    description: flutter
    source: sdk
    version: "0.0.0"
  lints:
    dependency: "direct dev"
    description:
      name: lints
      sha256: "cbf8d4b858bb0134ef3ef87841abdf8d63bfc255c266b7bf6b39daa1085c4290"
      url: "https://pub.example.com"
    source: hosted
    version: "3.0.0"
  widgets:
    dependency: "direct main"
    description:
      path: "."
      ref: main
      resolved-ref: "1f2e3d4c5b6a79801f2e3d4c5b6a79801f2e3d4c"
      url: "https://github.com/example/widgets.git"
    source: git
    version: "1.4.0"
  local_utils:
    dependency: "direct overridden"
    description:
      path: "../local_utils"
      relative: true
    source: path
    version: "0.1.0"
sdks:
  dart: ">=3.2.0 <4.0.0"
"#;

    #[test]
    fn relations_scopes_sources_hashes_and_lines() {
        let mut files = FileSet::new();
        files.insert("app/pubspec.lock", SAMPLE.as_bytes().to_vec());
        files.insert(
            "app/pubspec.yaml",
            b"name: my_app\nversion: 1.2.3+4\n".to_vec(),
        );
        let lockfile = parse("app/pubspec.lock", &files).unwrap();
        let root = lockfile.root.as_ref().unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("my_app", Some("1.2.3+4"))
        );
        let got = crate::lockfile::package_rows(&lockfile);
        assert_eq!(
            got,
            [
                ("async", "2.11.0", Relation::Transitive, Scope::Unknown, 3),
                ("lints", "3.0.0", Relation::Direct, Scope::Development, 16),
                ("widgets", "1.4.0", Relation::Direct, Scope::Runtime, 24),
                ("local_utils", "0.1.0", Relation::Direct, Scope::Unknown, 33),
            ]
        );
        assert_eq!(lockfile.packages[0].source, PackageSource::Registry);
        assert_eq!(lockfile.packages[0].hashes[0].value.len(), 64);
        assert_eq!(
            lockfile.packages[1].source,
            PackageSource::AlternateRegistry {
                url: "https://pub.example.com".to_owned()
            }
        );
        assert!(
            matches!(&lockfile.packages[2].source, PackageSource::Git { rev: Some(rev), .. } if rev.starts_with("1f2e"))
        );
        assert_eq!(
            lockfile.packages[3].source,
            PackageSource::Path {
                path: "../local_utils".to_owned()
            }
        );
        assert!(lockfile.warnings.is_empty());
    }

    #[test]
    fn broken_yaml_is_an_error_and_odd_entries_warn() {
        let mut files = FileSet::new();
        files.insert("pubspec.lock", b"packages:\n  a: [\n".to_vec());
        assert!(parse("pubspec.lock", &files).is_err());
        files.insert(
            "pubspec.lock",
            b"packages:\n  a:\n    dependency: weird\n    source: hosted\n    version: \"1.0.0\"\n  b:\n    source: hosted\n".to_vec(),
        );
        let lockfile = parse("pubspec.lock", &files).unwrap();
        assert_eq!(lockfile.packages.len(), 1);
        let lines: Vec<_> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(2), Some(6)]);
    }

    #[test]
    fn lone_carriage_returns_do_not_put_lines_past_the_end() {
        let mut files = FileSet::new();
        files.insert(
            "pubspec.lock",
            b"packages:\r  a:\r    source: hosted\r    version: \"1.0.0\"\r".to_vec(),
        );
        let lockfile = parse("pubspec.lock", &files).unwrap();
        assert_eq!(lockfile.packages[0].line, 1);
        files.insert("pubspec.lock", b"\r\x00\x04".to_vec());
        let error = parse("pubspec.lock", &files).unwrap_err();
        assert!(error.line.is_none_or(|line| line <= 1));
    }
}
