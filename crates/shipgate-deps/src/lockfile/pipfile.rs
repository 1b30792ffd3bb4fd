//! `Pipfile.lock`: JSON written by pipenv, `_meta.pipfile-spec` 6. Each
//! other top-level object is a category of packages keyed by name:
//! `default` (runtime), `develop` (development) and, since pipenv 2023,
//! custom categories (development). An entry has `version: "==x"`,
//! `hashes: ["sha256:..."]`, `markers`, `index` (a name from
//! `_meta.sources`), or instead of a version `git` + `ref`, `file`
//! (a URL), or `path` / `editable` (the project's own code, left out).
//!
//! The lockfile has no edges and does not say which packages were asked
//! for: relation comes from the `Pipfile` beside it (`[packages]`,
//! `[dev-packages]` and custom categories); without it it is unknown. A
//! package locked identically in several categories is one package with
//! the widest scope. Another spec version is read the same way with a
//! warning.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::json_members::member_lines;
use super::python;
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning, Relation, Scope,
};
use crate::lockfile::LockfileKind;

const PYPI_SIMPLE: &str = "https://pypi.org/simple";

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let document: Map<String, Value> = serde_json::from_str(text).map_err(|error| {
        super::error(
            path,
            u32::try_from(error.line()).ok().filter(|&line| line > 0),
            format!("not a Pipfile.lock JSON object: {error}"),
        )
    })?;
    let mut warnings = Vec::new();
    let meta = document.get("_meta");
    match meta
        .and_then(|meta| meta.get("pipfile-spec"))
        .and_then(Value::as_u64)
    {
        Some(6) => {}
        Some(other) => warnings.push(ParseWarning {
            line: None,
            message: format!("unknown pipfile-spec {other}; read as spec 6"),
        }),
        None => warnings.push(ParseWarning {
            line: None,
            message: "no _meta.pipfile-spec; read as spec 6".to_owned(),
        }),
    }
    let indexes: HashMap<&str, &str> = meta
        .and_then(|meta| meta.get("sources"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|source| Some((source.get("name")?.as_str()?, source.get("url")?.as_str()?)))
        .collect();

    let mut categories: Vec<&str> = document
        .iter()
        .filter(|(key, value)| key.as_str() != "_meta" && value.is_object())
        .map(|(key, _)| key.as_str())
        .collect();
    categories.sort_by_key(|category| (category_rank(category), *category));
    let positions: HashMap<(String, String), u32> = member_lines(text, &categories)
        .into_iter()
        .flat_map(|(category, members)| {
            members
                .into_iter()
                .filter_map(move |member| Some(((category.clone(), member.key?), member.line)))
        })
        .collect();
    let line_of = |category: &str, name: &str| -> u32 {
        positions
            .get(&(category.to_owned(), name.to_owned()))
            .copied()
            .unwrap_or(0)
    };

    let mut packages: Vec<Package> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for category in &categories {
        let scope = if *category == "default" {
            Scope::Runtime
        } else {
            Scope::Development
        };
        for (name, entry) in document
            .get(*category)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let line = line_of(category, name);
            let Some(entry) = entry.as_object() else {
                warnings.push(ParseWarning {
                    line: Some(line),
                    message: format!("{name} in {category} is not an object; skipped"),
                });
                continue;
            };
            let Some(package) = read_entry(name, entry, &indexes, line, &mut warnings) else {
                continue;
            };
            let key = (python::normalize(name), package.version.clone());
            if let Some(&first) = seen.get(&key) {
                if python::scope_rank(scope) < python::scope_rank(packages[first].scope) {
                    packages[first].scope = scope;
                }
                continue;
            }
            seen.insert(key, packages.len());
            packages.push(Package { scope, ..package });
        }
    }

    match read_pipfile(path, files) {
        Ok(Some(direct)) => {
            for package in &mut packages {
                package.relation = if direct.contains(&python::normalize(&package.name)) {
                    Relation::Direct
                } else {
                    Relation::Transitive
                };
            }
        }
        Ok(None) => {}
        Err(warning) => warnings.push(warning),
    }
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::PipfileLock,
        root: None,
        packages,
        warnings,
    })
}

/// `default` first, so a package in it keeps its runtime scope, then
/// `develop`, then custom categories.
fn category_rank(category: &str) -> u8 {
    match category {
        "default" => 0,
        "develop" => 1,
        _ => 2,
    }
}

/// One entry, or `None` when it is the project's own code or unreadable.
fn read_entry(
    name: &str,
    entry: &Map<String, Value>,
    indexes: &HashMap<&str, &str>,
    line: u32,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Package> {
    let get = |key: &str| entry.get(key).and_then(Value::as_str);
    if get("path").is_some() || entry.get("editable").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let version = get("version").map(|version| {
        version
            .strip_prefix("===")
            .or_else(|| version.strip_prefix("=="))
            .unwrap_or(version)
            .trim()
    });
    let source = if let Some(url) = get("git") {
        PackageSource::Git {
            url: url.to_owned(),
            rev: get("ref").map(str::to_owned),
        }
    } else if let Some(url) = get("file") {
        PackageSource::Url {
            url: url.to_owned(),
        }
    } else {
        match get("index").and_then(|index| indexes.get(index)) {
            Some(url) if url.trim_end_matches('/') != PYPI_SIMPLE => {
                PackageSource::AlternateRegistry {
                    url: (*url).to_owned(),
                }
            }
            _ => PackageSource::Registry,
        }
    };
    let version = match (version, &source) {
        (Some(version), _) if !version.is_empty() && version != "*" => version,
        (_, PackageSource::Git { .. } | PackageSource::Url { .. }) => "",
        _ => {
            warnings.push(ParseWarning {
                line: Some(line),
                message: format!("{name} has no pinned version; skipped"),
            });
            return None;
        }
    };
    let mut package = Package::new(Ecosystem::PyPi, name, version);
    package.line = line;
    package.source = source;
    for hash in entry
        .get("hashes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(hash) = hash.as_str().and_then(python::prefixed_hash) {
            python::push_hash(&mut package.hashes, hash);
        }
    }
    Some(package)
}

/// Normalized names the `Pipfile` beside the lockfile asks for, in any
/// category; `Ok(None)` when there is no Pipfile.
fn read_pipfile(lock_path: &str, files: &FileSet) -> Result<Option<HashSet<String>>, ParseWarning> {
    let Some(bytes) = super::sibling(lock_path, "Pipfile").and_then(|path| files.get(&path)) else {
        return Ok(None);
    };
    let unreadable = |why: String| ParseWarning {
        line: None,
        message: format!(
            "Pipfile beside the lockfile is unreadable ({why}); relations are unknown"
        ),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| unreadable("not UTF-8".to_owned()))?;
    let document: toml::Table =
        toml::from_str(text).map_err(|error| unreadable(error.message().to_owned()))?;
    let mut direct = HashSet::new();
    for (section, value) in &document {
        if matches!(
            section.as_str(),
            "source" | "requires" | "scripts" | "pipenv"
        ) {
            continue;
        }
        for name in value.as_table().into_iter().flat_map(|table| table.keys()) {
            direct.insert(python::normalize(name));
        }
    }
    Ok(Some(direct))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
    "_meta": {
        "pipfile-spec": 6,
        "sources": [
            {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true},
            {"name": "internal", "url": "https://pkgs.example/simple", "verify_ssl": true}
        ]
    },
    "default": {
        "requests": {
            "hashes": ["sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"],
            "index": "pypi",
            "version": "==2.31.0"
        },
        "idna": {"version": "==3.7", "index": "internal"},
        "mylib": {"editable": true, "path": "."},
        "vendored": {"git": "https://example.com/vendored.git", "ref": "0a1b2c"}
    },
    "develop": {
        "requests": {"version": "==2.31.0"},
        "idna": {"version": "==3.6"},
        "pytest": {"version": "==8.2.0", "markers": "python_version >= '3.8'"},
        "loose": {"markers": "python_version >= '3.8'"}
    }
}
"#;

    #[test]
    fn categories_give_scopes_and_the_pipfile_gives_relations() {
        let mut files = FileSet::new();
        files.insert("Pipfile.lock", LOCK.as_bytes().to_vec());
        files.insert(
            "Pipfile",
            b"[packages]\nRequests = \"*\"\n[dev-packages]\npytest = \"*\"\n".to_vec(),
        );
        let lockfile = parse("Pipfile.lock", &files).unwrap();
        let summary: Vec<(&str, &str, Scope, Relation, u32)> = lockfile
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.scope,
                    p.relation,
                    p.line,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("idna", "3.7", Scope::Runtime, Relation::Transitive, 15),
                ("requests", "2.31.0", Scope::Runtime, Relation::Direct, 10),
                ("vendored", "", Scope::Runtime, Relation::Transitive, 17),
                ("idna", "3.6", Scope::Development, Relation::Transitive, 21),
                ("pytest", "8.2.0", Scope::Development, Relation::Direct, 22),
            ]
        );
        assert_eq!(lockfile.packages[1].hashes.len(), 1);
        assert_eq!(
            lockfile.packages[0].source,
            PackageSource::AlternateRegistry {
                url: "https://pkgs.example/simple".into()
            }
        );
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(23));
    }

    #[test]
    fn bad_json_is_an_error_and_odd_specs_are_warnings() {
        let mut files = FileSet::new();
        files.insert("Pipfile.lock", b"{\n\"default\": {\n".to_vec());
        assert!(parse("Pipfile.lock", &files).unwrap_err().line.is_some());
        files.insert("Pipfile.lock", b"[1]".to_vec());
        assert!(parse("Pipfile.lock", &files).is_err());
        files.insert(
            "Pipfile.lock",
            br#"{"_meta": {"pipfile-spec": 9}, "default": {"a": 3, "b": {"version": "==1"}}}"#
                .to_vec(),
        );
        let lockfile = parse("Pipfile.lock", &files).unwrap();
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(lockfile.packages[0].relation, Relation::Unknown);
        assert_eq!(lockfile.warnings.len(), 2);
        assert!(lockfile.warnings[0].message.contains('9'));
    }
}
