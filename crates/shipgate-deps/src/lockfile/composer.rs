//! `composer.lock`: JSON with `packages` (runtime) and `packages-dev`
//! (development) arrays. Each entry has `name` (`vendor/name`), `version`,
//! `source` (`{type: git, url, reference}`), `dist` (`{type: zip|path,
//! url, reference, shasum}`: a non-empty `shasum` is the SHA-1 of the
//! archive), `license` (an array meaning any of them) and `require` naming
//! other entries or platform packages (`php`, `ext-*`, `lib-*`), which are
//! not in the file and get no edge.
//!
//! Relation comes from `composer.json` beside the lockfile (`require`,
//! `require-dev`); without it it is unknown. `composer.json` also gives
//! the root (`name`, `version`). Packages from a `path` repository are the
//! project's own code: they stay out and what they require is direct. A development branch (`dev-*`,
//! `*-dev`) with only a git source is code from that repository, not a
//! registry release.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::json_members::member_lines;
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Lockfile, LockfileError, Package, PackageSource, ParseWarning,
    Relation, RootComponent, Scope,
};
use crate::lockfile::LockfileKind;

const SECTIONS: [(&str, Scope); 2] = [
    ("packages", Scope::Runtime),
    ("packages-dev", Scope::Development),
];

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let document: Map<String, Value> = serde_json::from_str(text).map_err(|error| {
        super::error(
            path,
            u32::try_from(error.line()).ok().filter(|&line| line > 0),
            format!("not a composer.lock JSON object: {error}"),
        )
    })?;
    let positions = member_lines(text, &["packages", "packages-dev"]);
    let mut warnings = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    let mut requires: Vec<Vec<String>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut local_requires: HashSet<String> = HashSet::new();
    for (section, scope) in SECTIONS {
        let lines = positions.get(section);
        let entries = match document.get(section) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(entries)) => entries,
            Some(_) => {
                warnings.push(ParseWarning {
                    line: None,
                    message: format!("{section} is not an array; skipped"),
                });
                continue;
            }
        };
        for (position, entry) in entries.iter().enumerate() {
            let line = lines
                .and_then(|lines| lines.get(position))
                .map_or(0, |member| member.line);
            let (Some(name), Some(version)) = (
                entry.get("name").and_then(Value::as_str),
                entry.get("version").and_then(Value::as_str),
            ) else {
                warnings.push(ParseWarning {
                    line: Some(line),
                    message: format!(
                        "entry {} of {section} has no name or version; skipped",
                        position + 1
                    ),
                });
                continue;
            };
            let Some(source) = package_source(entry, version) else {
                local_requires.extend(require_names(entry));
                continue;
            };
            let key = name.to_ascii_lowercase();
            if let Some(&first) = seen.get(&key) {
                if packages[first].version != version {
                    warnings.push(ParseWarning {
                        line: Some(line),
                        message: format!(
                            "{name} is locked at {} (line {}) and at {version}; the first is kept",
                            packages[first].version, packages[first].line
                        ),
                    });
                }
                continue;
            }
            seen.insert(key, packages.len());
            let mut package = Package::new(Ecosystem::Packagist, name, version);
            package.line = line;
            package.scope = scope;
            package.source = source;
            let shasum = entry
                .get("dist")
                .and_then(|dist| dist.get("shasum"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if shasum.len() == 40 && shasum.bytes().all(|b| b.is_ascii_hexdigit()) {
                package.hashes.push(Hash {
                    algorithm: HashAlgorithm::Sha1,
                    value: shasum.to_ascii_lowercase(),
                });
            }
            package.licenses = licenses(entry.get("license"));
            packages.push(package);
            requires.push(require_names(entry));
        }
    }
    for (index, names) in requires.iter().enumerate() {
        let mut edges: Vec<usize> = names
            .iter()
            .filter_map(|name| seen.get(name).copied())
            .filter(|&target| target != index)
            .collect();
        edges.sort_unstable();
        edges.dedup();
        packages[index].dependencies = edges;
    }

    let manifest = match read_manifest(path, files) {
        Ok(manifest) => manifest,
        Err(warning) => {
            warnings.push(warning);
            None
        }
    };
    if manifest.is_some() || !local_requires.is_empty() {
        let mut direct = local_requires;
        if let Some((_, named)) = &manifest {
            direct.extend(named.iter().cloned());
        }
        for package in &mut packages {
            package.relation = if direct.contains(&package.name.to_ascii_lowercase()) {
                Relation::Direct
            } else {
                Relation::Transitive
            };
        }
    }
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::ComposerLock,
        root: manifest.and_then(|(root, _)| root),
        packages,
        warnings,
    })
}

/// The lower-cased names an entry's `require` lists.
fn require_names(entry: &Value) -> Vec<String> {
    entry
        .get("require")
        .and_then(Value::as_object)
        .map(|require| {
            require
                .keys()
                .map(|name| name.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// Where an entry comes from; `None` for a `path` repository.
fn package_source(entry: &Value, version: &str) -> Option<PackageSource> {
    let field = |table: &str, key: &str| {
        entry
            .get(table)
            .and_then(|value| value.get(key))
            .and_then(Value::as_str)
    };
    if field("dist", "type") == Some("path") {
        return None;
    }
    let development = version.starts_with("dev-") || version.ends_with("-dev");
    let has_dist = field("dist", "url").is_some_and(|url| !url.is_empty());
    match (field("source", "type"), field("source", "url")) {
        (Some("git"), Some(url)) if development || !has_dist => Some(PackageSource::Git {
            url: url.to_owned(),
            rev: field("source", "reference").map(str::to_owned),
        }),
        _ => Some(PackageSource::Registry),
    }
}

/// Composer's licence array means "any of these", which SPDX writes with `OR`.
fn licenses(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(license)) if !license.is_empty() => vec![license.clone()],
        Some(Value::Array(list)) => {
            let names: Vec<&str> = list
                .iter()
                .filter_map(Value::as_str)
                .filter(|l| !l.is_empty())
                .collect();
            match names.as_slice() {
                [] => Vec::new(),
                [one] => vec![(*one).to_owned()],
                many => vec![
                    many.iter()
                        .map(|name| {
                            if name.contains(' ') {
                                format!("({name})")
                            } else {
                                (*name).to_owned()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" OR "),
                ],
            }
        }
        _ => Vec::new(),
    }
}

type Manifest = (Option<RootComponent>, HashSet<String>);

/// The root and the lower-cased names `composer.json` requires;
/// `Ok(None)` when there is none.
fn read_manifest(lock_path: &str, files: &FileSet) -> Result<Option<Manifest>, ParseWarning> {
    let Some(bytes) = super::sibling(lock_path, "composer.json").and_then(|path| files.get(&path))
    else {
        return Ok(None);
    };
    let document: Map<String, Value> =
        serde_json::from_slice(bytes).map_err(|error| ParseWarning {
            line: None,
            message: format!(
                "composer.json beside the lockfile is unreadable ({error}); relations are unknown"
            ),
        })?;
    let root = document
        .get("name")
        .and_then(Value::as_str)
        .map(|name| RootComponent {
            name: name.to_owned(),
            version: document
                .get("version")
                .and_then(Value::as_str)
                .map(str::to_owned),
            ecosystem: Ecosystem::Packagist,
        });
    let direct = ["require", "require-dev"]
        .iter()
        .filter_map(|key| document.get(*key).and_then(Value::as_object))
        .flat_map(|require| require.keys().map(|name| name.to_ascii_lowercase()))
        .collect();
    Ok(Some((root, direct)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
    "content-hash": "0",
    "packages": [
        {
            "name": "monolog/monolog",
            "version": "3.5.0",
            "source": {"type": "git", "url": "https://github.com/Seldaek/monolog.git", "reference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448"},
            "dist": {"type": "zip", "url": "https://api.github.com/repos/Seldaek/monolog/zipball/c915e2634718dbc8a4a15c61b0e62e7a44e14448", "reference": "c915e2634718dbc8a4a15c61b0e62e7a44e14448", "shasum": "3D2B0B42B7E1F7B9D3D1A8B3A6A4E7C2B1F0E9D8"},
            "require": {"php": ">=8.1", "psr/log": "^2.0 || ^3.0"},
            "license": ["MIT"]
        },
        {"name": "psr/log", "version": "3.0.0", "dist": {"type": "zip", "url": "https://x.example/log.zip", "shasum": ""}, "license": ["MIT", "GPL-2.0-or-later"]},
        {"name": "acme/fork", "version": "dev-main", "source": {"type": "git", "url": "https://example.com/fork.git", "reference": "abc123"}, "dist": {"type": "zip", "url": "https://example.com/fork.zip"}},
        {"name": "acme/local", "version": "dev-main", "dist": {"type": "path", "url": "packages/local"}},
        {"version": "1.0"}
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "10.5.0", "require": {"psr/log": "*", "ext-dom": "*"}}
    ]
}
"#;

    #[test]
    fn sections_scopes_edges_hashes_licences_and_relations() {
        let mut files = FileSet::new();
        files.insert("web/composer.lock", LOCK.as_bytes().to_vec());
        files.insert(
            "web/composer.json",
            br#"{"name": "acme/web", "require": {"php": "^8.1", "Monolog/Monolog": "^3"}, "require-dev": {"phpunit/phpunit": "^10"}}"#.to_vec(),
        );
        let lockfile = parse("web/composer.lock", &files).unwrap();
        let root = lockfile.root.as_ref().unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("acme/web", None)
        );
        let summary: Vec<(&str, Scope, Relation, u32)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.scope, p.relation, p.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("monolog/monolog", Scope::Runtime, Relation::Direct, 4),
                ("psr/log", Scope::Runtime, Relation::Transitive, 12),
                ("acme/fork", Scope::Runtime, Relation::Transitive, 13),
                ("phpunit/phpunit", Scope::Development, Relation::Direct, 18),
            ]
        );
        let monolog = &lockfile.packages[0];
        assert_eq!(monolog.dependencies, vec![1]);
        assert_eq!(
            monolog.hashes[0].value,
            "3d2b0b42b7e1f7b9d3d1a8b3a6a4e7c2b1f0e9d8"
        );
        assert_eq!(monolog.source, PackageSource::Registry);
        assert_eq!(lockfile.packages[1].licenses, ["MIT OR GPL-2.0-or-later"]);
        assert!(lockfile.packages[1].hashes.is_empty());
        assert_eq!(
            lockfile.packages[2].source,
            PackageSource::Git {
                url: "https://example.com/fork.git".into(),
                rev: Some("abc123".into())
            }
        );
        assert_eq!(lockfile.packages[3].dependencies, vec![1]);
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(15));
    }

    #[test]
    fn broken_files_are_errors_and_a_missing_manifest_leaves_relations_unknown() {
        let mut files = FileSet::new();
        files.insert("composer.lock", b"{\"packages\": [".to_vec());
        assert!(parse("composer.lock", &files).is_err());
        files.insert(
            "composer.lock",
            br#"{"packages": [{"name": "a/b", "version": "1.0.0"}, {"name": "A/B", "version": "2.0.0"}], "packages-dev": {}}"#.to_vec(),
        );
        let lockfile = parse("composer.lock", &files).unwrap();
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(lockfile.packages[0].relation, Relation::Unknown);
        assert_eq!(lockfile.packages[0].line, 1);
        assert_eq!(lockfile.warnings.len(), 2);
    }
}
