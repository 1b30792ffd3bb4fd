//! `pdm.lock`: TOML with `[metadata]` (`lock_version`, `groups`) and one
//! `[[package]]` table per resolved distribution: `name`, `version`,
//! `groups` (`default` is runtime, any other group development),
//! `dependencies` as PEP 508 strings, `files = [{file, hash}]`, and for
//! non-registry code `git` + `revision`/`ref`, `url`, or `path` /
//! `editable` (the project's own code: left out, its dependencies count
//! as direct). A package locked with extras is listed again with
//! `extras = [...]`; both entries are one package.
//!
//! Versions handled: lock_version 4.x (per-package `files`) and 3.x
//! (hashes in `[metadata.files]` keyed `"name version"`). Another version
//! is read the same way with a warning. Relation comes from
//! `pyproject.toml` beside the lockfile; entries without `groups` take
//! their scope from the direct dependencies they are reached from.

use std::collections::HashMap;

use serde::Deserialize;
use shipgate_model::LineIndex;
use toml::{Spanned, Table, Value};

use super::python;
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, Lockfile, LockfileError, Package, PackageSource, ParseWarning, Scope,
};
use crate::lockfile::LockfileKind;

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    package: Vec<Spanned<Table>>,
    #[serde(default)]
    metadata: Table,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let (document, lines): (Document, LineIndex) = python::read_toml(path, files)?;
    let mut warnings = Vec::new();
    match document
        .metadata
        .get("lock_version")
        .and_then(Value::as_str)
    {
        Some(version) if version.starts_with("4.") || version.starts_with("3.") => {}
        Some(version) => warnings.push(ParseWarning {
            line: None,
            message: format!("unknown pdm lock_version {version}; read as 4.x"),
        }),
        None => {}
    }
    let manifest = python::read_pyproject(path, files, &mut warnings);
    let shared_hashes = metadata_hashes(&document.metadata);

    let mut packages: Vec<Package> = Vec::new();
    let mut dependency_names: Vec<Vec<String>> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut local_dependencies: Vec<String> = Vec::new();
    for spanned in &document.package {
        let line = python::line_at(&lines, spanned.span().start);
        let table = spanned.get_ref();
        let Some((name, version)) = python::name_and_version(table, line, &mut warnings) else {
            continue;
        };
        let names: Vec<String> = python::array_entries(table, "dependencies")
            .filter_map(Value::as_str)
            .filter_map(python::requirement_name)
            .map(|name| python::normalize(&name))
            .collect();
        let Some(source) = package_source(table) else {
            local_dependencies.extend(names);
            continue;
        };
        let key = (python::normalize(name), version.to_owned());
        if let Some(&first) = seen.get(&key) {
            if table.get("extras").is_none() {
                warnings.push(python::listed_twice(
                    name,
                    version,
                    line,
                    packages[first].line,
                ));
            }
            dependency_names[first].extend(names);
            continue;
        }
        seen.insert(key, packages.len());

        let mut package = Package::new(Ecosystem::PyPi, name, version);
        package.line = line;
        package.source = source;
        package.scope = match table.get("groups").and_then(Value::as_array) {
            Some(groups) if groups.iter().any(|group| group.as_str() == Some("default")) => {
                Scope::Runtime
            }
            Some(groups) if !groups.is_empty() => Scope::Development,
            _ => Scope::Unknown,
        };
        python::push_artifact_hashes(&mut package.hashes, python::array_entries(table, "files"));
        if package.hashes.is_empty()
            && let Some(hashes) = shared_hashes.get(&(python::normalize(name), version.to_owned()))
        {
            package.hashes = hashes.clone();
        }
        packages.push(package);
        dependency_names.push(names);
    }

    let by_name = python::index_by_name(&packages);
    python::link_dependencies(&mut packages, &by_name, &dependency_names);
    python::settle_relations(
        &mut packages,
        &by_name,
        manifest.as_ref(),
        &local_dependencies,
    );
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::PdmLock,
        root: manifest.and_then(|manifest| manifest.root),
        packages,
        warnings,
    })
}

/// Where an entry comes from; `None` for the project's own directories.
fn package_source(table: &Table) -> Option<PackageSource> {
    let get = |key: &str| table.get(key).and_then(Value::as_str);
    if get("path").is_some() || table.get("editable").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    Some(if let Some(url) = get("git") {
        PackageSource::Git {
            url: url.to_owned(),
            rev: get("revision").or_else(|| get("ref")).map(str::to_owned),
        }
    } else if let Some(url) = get("url") {
        PackageSource::Url {
            url: url.to_owned(),
        }
    } else {
        PackageSource::Registry
    })
}

/// Lock 3.x hashes: `[metadata.files]` with `"name version"` keys.
fn metadata_hashes(metadata: &Table) -> HashMap<(String, String), Vec<Hash>> {
    let mut by_key: HashMap<(String, String), Vec<Hash>> = HashMap::new();
    for (key, list) in metadata
        .get("files")
        .and_then(Value::as_table)
        .into_iter()
        .flatten()
    {
        let Some((name, version)) = key.trim().split_once(' ') else {
            continue;
        };
        let hashes = by_key
            .entry((python::normalize(name), version.trim().to_owned()))
            .or_default();
        python::push_artifact_hashes(hashes, list.as_array().into_iter().flatten());
    }
    by_key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Relation;

    const LOCK: &str = r#"# This file is @generated by PDM.

[metadata]
groups = ["default", "test"]
lock_version = "4.4.1"

[[package]]
name = "requests"
version = "2.31.0"
groups = ["default"]
dependencies = ["idna<4,>=2.5", "Charset_Normalizer<4,>=2"]
files = [
    {file = "requests-2.31.0.tar.gz", hash = "sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1"},
]

[[package]]
name = "requests"
version = "2.31.0"
extras = ["socks"]
groups = ["default"]
dependencies = ["requests==2.31.0", "PySocks!=1.5.7,>=1.5.6"]

[[package]]
name = "idna"
version = "3.7"
groups = ["default", "test"]

[[package]]
name = "charset-normalizer"
version = "3.3.2"
groups = ["default"]

[[package]]
name = "pysocks"
version = "1.7.1"
groups = ["default"]

[[package]]
name = "pytest"
version = "8.2.0"
groups = ["test"]
git = "https://github.com/pytest-dev/pytest.git"
revision = "9f1e2d3"

[[package]]
name = "app"
version = "0.1.0"
path = "."
editable = true
dependencies = ["requests[socks]"]
"#;

    #[test]
    fn groups_extras_edges_and_local_members() {
        let mut files = FileSet::new();
        files.insert("pdm.lock", LOCK.as_bytes().to_vec());
        let lockfile = parse("pdm.lock", &files).unwrap();
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        let summary: Vec<(&str, Scope, Relation, u32)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.scope, p.relation, p.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("requests", Scope::Runtime, Relation::Direct, 7),
                ("idna", Scope::Runtime, Relation::Transitive, 23),
                (
                    "charset-normalizer",
                    Scope::Runtime,
                    Relation::Transitive,
                    28
                ),
                ("pysocks", Scope::Runtime, Relation::Transitive, 33),
                ("pytest", Scope::Development, Relation::Transitive, 38),
            ]
        );
        assert_eq!(lockfile.packages[0].dependencies, vec![1, 2, 3]);
        assert_eq!(lockfile.packages[0].hashes.len(), 1);
        assert_eq!(
            lockfile.packages[4].source,
            PackageSource::Git {
                url: "https://github.com/pytest-dev/pytest.git".into(),
                rev: Some("9f1e2d3".into())
            }
        );
    }

    #[test]
    fn lock_3_hashes_and_unknown_versions() {
        let lock = r#"[metadata]
lock_version = "7.0"

[metadata.files]
"six 1.16.0" = [
    {url = "https://files.example/six-1.16.0.tar.gz", hash = "sha256:1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"},
]

[[package]]
name = "six"
version = "1.16.0"

[[package]]
name = "six"
version = "1.16.0"
"#;
        let mut files = FileSet::new();
        files.insert("pdm.lock", lock.as_bytes().to_vec());
        files.insert(
            "pyproject.toml",
            b"[project]\nname = \"x\"\n[tool.pdm.dev-dependencies]\nlint = [\"six\"]\n".to_vec(),
        );
        let lockfile = parse("pdm.lock", &files).unwrap();
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(lockfile.packages[0].hashes.len(), 1);
        assert_eq!(lockfile.packages[0].relation, Relation::Direct);
        assert_eq!(lockfile.packages[0].scope, Scope::Development);
        assert_eq!(lockfile.root.as_ref().map(|r| r.name.as_str()), Some("x"));
        let lines: Vec<Option<u32>> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [None, Some(13)]);
    }
}
