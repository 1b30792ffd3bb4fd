//! `poetry.lock`: TOML with one `[[package]]` table per resolved
//! distribution (`name`, `version`, `optional`, `source`, a
//! `[package.dependencies]` table naming other entries).
//!
//! Versions handled: lock-version 1.x (hashes in `[metadata.files]`,
//! `category = "main" | "dev"`), the pre-1.0 `[metadata.hashes]` table of
//! bare SHA-256 digests, and 2.x (hashes in each package's `files`; 2.1
//! adds `groups`). Another lock-version is read the same way with a warning.
//!
//! Scope comes from `groups` (`main` → runtime, any other group →
//! development) or `category`; `optional = true` marks an extra. Where the
//! lockfile says neither (lock 2.0), scopes flow from the direct
//! dependencies of `pyproject.toml` along the dependency edges. Relation
//! comes from `pyproject.toml` beside the lockfile; without it it is
//! unknown. `directory` and `develop` sources are the project's own code:
//! they stay out of the packages and what they ask for counts as direct.

use std::collections::HashMap;

use serde::Deserialize;
use shipgate_model::LineIndex;
use toml::{Spanned, Table, Value};

use super::python::{self, Manifest};
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning, Scope,
};
use crate::lockfile::LockfileKind;

#[derive(Deserialize)]
struct Document {
    #[serde(default)]
    package: Vec<Spanned<Table>>,
    #[serde(default)]
    metadata: Table,
}

/// One entry before edges are resolved.
struct Entry {
    package: Package,
    dependency_names: Vec<String>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let (document, lines): (Document, LineIndex) = python::read_toml(path, files)?;
    let mut warnings = Vec::new();

    if let Some(version) = document
        .metadata
        .get("lock-version")
        .and_then(Value::as_str)
        && !(version.starts_with("1.") || version.starts_with("2."))
    {
        warnings.push(ParseWarning {
            line: None,
            message: format!("unknown poetry lock-version {version}; read as 2.x"),
        });
    }
    let manifest = python::read_pyproject(path, files, &mut warnings);
    let shared_hashes = metadata_hashes(&document.metadata);

    let mut entries: Vec<Entry> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut local_dependencies: Vec<String> = Vec::new();
    for spanned in &document.package {
        let line = python::line_at(&lines, spanned.span().start);
        let table = spanned.get_ref();
        let Some((name, version)) = python::name_and_version(table, line, &mut warnings) else {
            continue;
        };
        let dependency_names: Vec<String> = table
            .get("dependencies")
            .and_then(Value::as_table)
            .map(|deps| deps.keys().map(|name| python::normalize(name)).collect())
            .unwrap_or_default();
        let Some(source) = package_source(table) else {
            local_dependencies.extend(dependency_names);
            continue;
        };
        let key = (python::normalize(name), version.to_owned());
        if let Some(&first) = seen.get(&key) {
            warnings.push(python::listed_twice(
                name,
                version,
                line,
                entries[first].package.line,
            ));
            continue;
        }
        seen.insert(key, entries.len());

        let mut package = Package::new(Ecosystem::PyPi, name, version);
        package.line = line;
        package.source = source;
        package.scope = lock_scope(table);
        python::push_artifact_hashes(&mut package.hashes, python::array_entries(table, "files"));
        if package.hashes.is_empty()
            && let Some(hashes) = shared_hashes.get(&python::normalize(name))
        {
            package.hashes = hashes.clone();
        }
        entries.push(Entry {
            package,
            dependency_names,
        });
    }

    let packages = resolve(entries, manifest.as_ref(), &local_dependencies);
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::PoetryLock,
        root: manifest.and_then(|manifest| manifest.root),
        packages,
        warnings,
    })
}

/// Where an entry comes from; `None` for the project's own directories.
fn package_source(table: &Table) -> Option<PackageSource> {
    if table.get("develop").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let Some(source) = table.get("source").and_then(Value::as_table) else {
        return Some(PackageSource::Registry);
    };
    let url = source
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some(
        match source
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
        {
            "directory" => return None,
            "git" => PackageSource::Git {
                url,
                rev: source
                    .get("resolved_reference")
                    .or_else(|| source.get("reference"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            },
            "file" => PackageSource::Path { path: url },
            "url" => PackageSource::Url { url },
            _ if url.is_empty() => PackageSource::Registry,
            _ => PackageSource::AlternateRegistry { url },
        },
    )
}

fn lock_scope(table: &Table) -> Scope {
    let optional = table.get("optional").and_then(Value::as_bool) == Some(true);
    let main = if let Some(groups) = table.get("groups").and_then(Value::as_array) {
        Some(groups.iter().any(|group| group.as_str() == Some("main")))
    } else {
        match table.get("category").and_then(Value::as_str) {
            Some("main") => Some(true),
            Some("dev") => Some(false),
            _ => None,
        }
    };
    match (main, optional) {
        (Some(false), _) => Scope::Development,
        (_, true) => Scope::Optional,
        (Some(true), false) => Scope::Runtime,
        (None, false) => Scope::Unknown,
    }
}

/// Hashes from `[metadata.files]` (lock 1.x: `{file, hash}` tables) and
/// `[metadata.hashes]` (before 1.0: bare SHA-256 digests), by normalized name.
fn metadata_hashes(metadata: &Table) -> HashMap<String, Vec<crate::inventory::Hash>> {
    let mut by_name: HashMap<String, Vec<crate::inventory::Hash>> = HashMap::new();
    for (name, list) in metadata
        .get("files")
        .and_then(Value::as_table)
        .into_iter()
        .flatten()
    {
        let hashes = by_name.entry(python::normalize(name)).or_default();
        python::push_artifact_hashes(hashes, list.as_array().into_iter().flatten());
    }
    for (name, list) in metadata
        .get("hashes")
        .and_then(Value::as_table)
        .into_iter()
        .flatten()
    {
        let hashes = by_name.entry(python::normalize(name)).or_default();
        for digest in list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if let Some(hash) = python::hex_hash("sha256", digest) {
                python::push_hash(hashes, hash);
            }
        }
    }
    by_name
}

/// Turns dependency names into edges and settles relations and the scopes
/// the lockfile left open.
fn resolve(
    entries: Vec<Entry>,
    manifest: Option<&Manifest>,
    local_dependencies: &[String],
) -> Vec<Package> {
    let (mut packages, names): (Vec<Package>, Vec<Vec<String>>) = entries
        .into_iter()
        .map(|entry| (entry.package, entry.dependency_names))
        .unzip();
    let by_name = python::index_by_name(&packages);
    python::link_dependencies(&mut packages, &by_name, &names);
    python::settle_relations(&mut packages, &by_name, manifest, local_dependencies);
    packages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Relation;

    fn parse_text(lock: &str, pyproject: Option<&str>) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("app/poetry.lock", lock.as_bytes().to_vec());
        if let Some(pyproject) = pyproject {
            files.insert("app/pyproject.toml", pyproject.as_bytes().to_vec());
        }
        parse("app/poetry.lock", &files).unwrap()
    }

    #[test]
    fn lock_1_reads_category_and_metadata_files() {
        let lock = r#"[[package]]
name = "Jinja2"
version = "3.0.0"
category = "main"
optional = false

[package.dependencies]
MarkupSafe = ">=2.0"

[[package]]
name = "markupsafe"
version = "2.1.1"
category = "dev"
optional = false

[metadata]
lock-version = "1.1"

[metadata.files]
jinja2 = [
    {file = "Jinja2-3.0.0.tar.gz", hash = "sha256:ea8d7dd814ce9df6de6a761ec7f1cac98afe305b8cdc4aaae4e114b8d8ce24c5"},
]
MarkupSafe = []
"#;
        let lockfile = parse_text(lock, None);
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        let [jinja, markupsafe] = lockfile.packages.as_slice() else {
            panic!()
        };
        assert_eq!(
            (jinja.line, jinja.scope, jinja.relation),
            (1, Scope::Runtime, Relation::Unknown)
        );
        assert_eq!(jinja.hashes.len(), 1);
        assert_eq!(jinja.dependencies, vec![1]);
        assert_eq!(
            (markupsafe.line, markupsafe.scope),
            (10, Scope::Development)
        );
    }

    #[test]
    fn pre_1_0_hashes_and_unknown_versions_and_bad_entries() {
        let lock = r#"[[package]]
name = "six"
version = "1.16.0"

[[package]]
name = "broken"

[metadata]
lock-version = "9.0"

[metadata.hashes]
six = ["1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926", "short"]
"#;
        let lockfile = parse_text(lock, None);
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(lockfile.packages[0].hashes.len(), 1);
        assert_eq!(lockfile.warnings.len(), 2);
        assert!(lockfile.warnings[0].message.contains("9.0"));
        assert_eq!(lockfile.warnings[1].line, Some(5));
    }

    #[test]
    fn directory_sources_are_the_project_and_make_direct_dependencies() {
        let lock = r#"[[package]]
name = "mylib"
version = "0.1.0"
optional = false
files = []
develop = true

[package.dependencies]
click = "*"

[package.source]
type = "directory"
url = "libs/mylib"

[[package]]
name = "click"
version = "8.1.7"
groups = ["main"]
files = []

[package.dependencies]
colorama = {version = "*", markers = "platform_system == \"Windows\""}

[[package]]
name = "colorama"
version = "0.4.6"
groups = ["main", "dev"]

[[package]]
name = "forked"
version = "1.0.0"
groups = ["dev"]

[package.source]
type = "git"
url = "https://example.com/forked.git"
reference = "main"
resolved_reference = "0123abc"
"#;
        let lockfile = parse_text(lock, None);
        let names: Vec<&str> = lockfile.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["click", "colorama", "forked"]);
        let relations: Vec<Relation> = lockfile.packages.iter().map(|p| p.relation).collect();
        assert_eq!(
            relations,
            [Relation::Direct, Relation::Transitive, Relation::Transitive]
        );
        assert_eq!(lockfile.packages[1].scope, Scope::Runtime);
        assert_eq!(lockfile.packages[2].scope, Scope::Development);
        assert_eq!(
            lockfile.packages[2].source,
            PackageSource::Git {
                url: "https://example.com/forked.git".into(),
                rev: Some("0123abc".into())
            }
        );
    }

    #[test]
    fn lock_2_0_scopes_flow_from_pyproject() {
        let lock = r#"[[package]]
name = "pytest"
version = "8.0.0"
optional = false

[package.dependencies]
pluggy = ">=1"

[[package]]
name = "pluggy"
version = "1.4.0"
optional = false

[[package]]
name = "requests"
version = "2.31.0"
optional = false

[[package]]
name = "requests"
version = "2.31.0"
optional = true
"#;
        let pyproject = r#"
[tool.poetry]
name = "svc"
version = "0.3.0"
[tool.poetry.dependencies]
python = "^3.11"
requests = "^2"
[tool.poetry.group.test.dependencies]
pytest = "*"
"#;
        let lockfile = parse_text(lock, Some(pyproject));
        assert_eq!(lockfile.root.as_ref().map(|r| r.name.as_str()), Some("svc"));
        let summary: Vec<(&str, Relation, Scope)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.relation, p.scope))
            .collect();
        assert_eq!(
            summary,
            [
                ("pytest", Relation::Direct, Scope::Development),
                ("pluggy", Relation::Transitive, Scope::Development),
                ("requests", Relation::Direct, Scope::Runtime),
            ]
        );
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(19));
    }

    #[test]
    fn malformed_toml_is_an_error_with_a_line() {
        let mut files = FileSet::new();
        files.insert(
            "poetry.lock",
            b"[[package]]\nname = \"a\"\nversion = \n".to_vec(),
        );
        let error = parse("poetry.lock", &files).unwrap_err();
        assert_eq!(error.line, Some(3));
        files.insert("poetry.lock", b"package = 3\n".to_vec());
        assert!(parse("poetry.lock", &files).is_err());
    }
}
