//! `uv.lock`: TOML, `version = 1` (with a `revision`), one `[[package]]`
//! table per resolved distribution. Its `source` inline table has one key
//! saying where it comes from: `registry`, `git` (`url?rev=...#commit`),
//! `url`, `path`, or the project's own code: `editable`, `virtual`,
//! `directory`. Artifacts are in `sdist` and `wheels`, each with a
//! `hash = "sha256:..."`. `dependencies`, `optional-dependencies` (by
//! extra) and `dev-dependencies` (by group) list `{ name, version?,
//! source?, marker? }`; `version` is only there when a name has several
//! entries (forked resolutions).
//!
//! The project and its workspace members (editable, virtual, directory)
//! stay out of the packages: they give the root component (when no
//! `pyproject.toml` names it) and what they depend on is direct, with the
//! scope of the table it is listed in. Scopes then flow along the edges.
//! Another lockfile `version` is read the same way with a warning.

use std::collections::HashMap;

use serde::Deserialize;
use shipgate_model::LineIndex;
use toml::{Spanned, Table, Value};

use super::python;
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning, RootComponent, Scope,
};
use crate::lockfile::LockfileKind;

const PYPI_SIMPLE: &str = "https://pypi.org/simple";

#[derive(Deserialize)]
struct Document {
    version: Option<Value>,
    #[serde(default)]
    package: Vec<Spanned<Table>>,
    #[serde(default)]
    manifest: Table,
}

/// A dependency as the lockfile names it.
struct DependencyRef {
    name: String,
    version: Option<String>,
}

/// The project itself or a workspace member.
struct Member {
    name: String,
    version: Option<String>,
    is_root: bool,
    dependencies: Vec<(DependencyRef, Scope)>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let (document, lines): (Document, LineIndex) = python::read_toml(path, files)?;
    let mut warnings = Vec::new();
    match &document.version {
        Some(Value::Integer(1)) => {}
        Some(other) => warnings.push(ParseWarning {
            line: None,
            message: format!("unknown uv.lock version {other}; read as version 1"),
        }),
        None => warnings.push(ParseWarning {
            line: None,
            message: "uv.lock without a version; read as version 1".to_owned(),
        }),
    }
    let manifest = python::read_pyproject(path, files, &mut warnings);

    let mut packages: Vec<Package> = Vec::new();
    let mut edges: Vec<Vec<DependencyRef>> = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    let mut seen: HashMap<(String, String, PackageSource), u32> = HashMap::new();
    for spanned in &document.package {
        let line = python::line_at(&lines, spanned.span().start);
        let table = spanned.get_ref();
        let Some(name) = table.get("name").and_then(Value::as_str) else {
            warnings.push(ParseWarning {
                line: Some(line),
                message: "package entry without a name; skipped".to_owned(),
            });
            continue;
        };
        let version = table.get("version").and_then(Value::as_str);
        let source = table.get("source").and_then(Value::as_table);
        if let Some(is_root) = member_kind(source) {
            members.push(Member {
                name: name.to_owned(),
                version: version.map(str::to_owned),
                is_root,
                dependencies: scoped_dependencies(table),
            });
            continue;
        }
        let Some(version) = version else {
            warnings.push(ParseWarning {
                line: Some(line),
                message: format!("{name} has no version; skipped"),
            });
            continue;
        };
        let source = package_source(source);
        let key = (python::normalize(name), version.to_owned(), source.clone());
        if let Some(first) = seen.get(&key) {
            warnings.push(python::listed_twice(name, version, line, *first));
            continue;
        }
        seen.insert(key, line);

        let mut package = Package::new(Ecosystem::PyPi, name, version);
        package.line = line;
        package.source = source;
        let artifacts = table.get("sdist").into_iter().chain(
            table
                .get("wheels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
        python::push_artifact_hashes(&mut package.hashes, artifacts);
        packages.push(package);
        edges.push(
            scoped_dependencies(table)
                .into_iter()
                .map(|(dependency, _)| dependency)
                .collect(),
        );
    }

    let by_name = python::index_by_name(&packages);
    let targets = |dependency: &DependencyRef| -> Vec<usize> {
        by_name
            .get(&python::normalize(&dependency.name))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&index| {
                dependency
                    .version
                    .as_deref()
                    .is_none_or(|version| packages[index].version == version)
            })
            .collect()
    };
    let resolved: Vec<Vec<usize>> = edges
        .iter()
        .enumerate()
        .map(|(index, dependencies)| {
            let mut list: Vec<usize> = dependencies
                .iter()
                .flat_map(&targets)
                .filter(|&target| target != index)
                .collect();
            list.sort_unstable();
            list.dedup();
            list
        })
        .collect();

    let mut starts: Vec<(usize, Scope)> = Vec::new();
    for member in &members {
        for (dependency, scope) in &member.dependencies {
            starts.extend(targets(dependency).into_iter().map(|index| (index, *scope)));
        }
    }
    for (dependency, scope) in workspace_requirements(&document.manifest) {
        starts.extend(targets(&dependency).into_iter().map(|index| (index, scope)));
    }
    if starts.is_empty()
        && let Some(manifest) = &manifest
    {
        starts = python::starts_by_name(
            &by_name,
            manifest
                .direct
                .iter()
                .map(|(name, &scope)| (name.as_str(), scope)),
        );
    }
    for (package, list) in packages.iter_mut().zip(resolved) {
        package.dependencies = list;
    }
    if !starts.is_empty() || !members.is_empty() || manifest.is_some() {
        python::mark_direct(&mut packages, starts);
    }

    let root = manifest.and_then(|manifest| manifest.root).or_else(|| {
        members
            .iter()
            .find(|member| member.is_root)
            .map(|member| RootComponent {
                name: member.name.clone(),
                version: member.version.clone(),
                ecosystem: Ecosystem::PyPi,
            })
    });
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::UvLock,
        root,
        packages,
        warnings,
    })
}

/// `Some(is_root)` when the entry is the project or a workspace member;
/// the root is the one whose path is the lockfile's own directory.
fn member_kind(source: Option<&Table>) -> Option<bool> {
    let source = source?;
    ["editable", "virtual", "directory"].iter().find_map(|key| {
        let path = source.get(*key)?.as_str().unwrap_or_default();
        Some(matches!(path, "." | "./" | ""))
    })
}

fn package_source(source: Option<&Table>) -> PackageSource {
    let Some(source) = source else {
        return PackageSource::Registry;
    };
    let get = |key: &str| source.get(key).and_then(Value::as_str);
    if let Some(registry) = get("registry") {
        if registry.trim_end_matches('/') == PYPI_SIMPLE {
            PackageSource::Registry
        } else {
            PackageSource::AlternateRegistry {
                url: registry.to_owned(),
            }
        }
    } else if let Some(git) = get("git") {
        let (rest, commit) = match git.split_once('#') {
            Some((rest, commit)) => (rest, Some(commit)),
            None => (git, None),
        };
        let (url, query) = rest.split_once('?').unwrap_or((rest, ""));
        let named_rev = query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            matches!(key, "rev" | "tag" | "branch").then_some(value)
        });
        PackageSource::Git {
            url: url.to_owned(),
            rev: commit.or(named_rev).map(str::to_owned),
        }
    } else if let Some(path) = get("path") {
        PackageSource::Path {
            path: path.to_owned(),
        }
    } else if let Some(url) = get("url") {
        PackageSource::Url {
            url: url.to_owned(),
        }
    } else {
        PackageSource::Registry
    }
}

/// What a workspace without a project asks for: `[manifest]`
/// `requirements` (runtime) and `dependency-groups` (development).
fn workspace_requirements(manifest: &Table) -> Vec<(DependencyRef, Scope)> {
    let mut out = Vec::new();
    let mut add = |list: &Value, scope: Scope| {
        for entry in list.as_array().into_iter().flatten() {
            if let Some(name) = entry.get("name").and_then(Value::as_str) {
                out.push((
                    DependencyRef {
                        name: name.to_owned(),
                        version: None,
                    },
                    scope,
                ));
            }
        }
    };
    if let Some(list) = manifest.get("requirements") {
        add(list, Scope::Runtime);
    }
    for (_, list) in manifest
        .get("dependency-groups")
        .and_then(Value::as_table)
        .into_iter()
        .flatten()
    {
        add(list, Scope::Development);
    }
    out
}

/// Every dependency of an entry with the scope its table gives it.
fn scoped_dependencies(table: &Table) -> Vec<(DependencyRef, Scope)> {
    let mut out = Vec::new();
    let mut add = |list: &Value, scope: Scope| {
        for entry in list.as_array().into_iter().flatten() {
            if let Some(name) = entry.get("name").and_then(Value::as_str) {
                let version = entry
                    .get("version")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                out.push((
                    DependencyRef {
                        name: name.to_owned(),
                        version,
                    },
                    scope,
                ));
            }
        }
    };
    if let Some(list) = table.get("dependencies") {
        add(list, Scope::Runtime);
    }
    for (key, scope) in [
        ("optional-dependencies", Scope::Optional),
        ("dev-dependencies", Scope::Development),
    ] {
        for (_, list) in table
            .get(key)
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            add(list, scope);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Relation;

    const LOCK: &str = r#"version = 1
revision = 2
requires-python = ">=3.10"

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
]
sdist = { url = "https://files.example/anyio-4.4.0.tar.gz", hash = "sha256:5aadc6a1bbb7cdb0bede386cac5e2940f5e2ff3aa20277e991cf028e0585ce94", size = 1 }
wheels = [
    { url = "https://files.example/anyio-4.4.0-py3-none-any.whl", hash = "sha256:c1b2d8f46a8a812513012e1107cb0e68c17159a7a594208005a57dc776e1bdc7", size = 1 },
]

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://mirror.example/simple" }

[[package]]
name = "numpy"
version = "2.0.0"
source = { registry = "https://mirror.example/simple" }

[[package]]
name = "demo"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "anyio" },
    { name = "numpy", version = "2.0.0", source = { registry = "https://mirror.example/simple" }, marker = "python_full_version >= '3.12'" },
    { name = "helper" },
]

[package.optional-dependencies]
fast = [{ name = "uvloop" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "helper"
version = "0.0.1"
source = { directory = "libs/helper" }
dependencies = [{ name = "numpy", version = "1.26.4", source = { registry = "https://mirror.example/simple" } }]

[[package]]
name = "pytest"
version = "8.2.0"
source = { git = "https://github.com/pytest-dev/pytest?rev=main#8e1a6b7c" }
dependencies = [{ name = "idna" }, { name = "iniconfig" }]

[[package]]
name = "uvloop"
version = "0.19.0"
source = { url = "https://files.example/uvloop-0.19.0.tar.gz" }
"#;

    fn parse_lock(lock: &str) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("uv.lock", lock.as_bytes().to_vec());
        parse("uv.lock", &files).unwrap()
    }

    #[test]
    fn members_make_the_root_and_direct_dependencies_with_their_scopes() {
        let lockfile = parse_lock(LOCK);
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
        let root = lockfile.root.as_ref().unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("demo", Some("0.1.0"))
        );
        let summary = crate::lockfile::package_rows(&lockfile);
        assert_eq!(
            summary,
            [
                ("anyio", "4.4.0", Relation::Direct, Scope::Runtime, 5),
                ("idna", "3.7", Relation::Transitive, Scope::Runtime, 17),
                ("numpy", "1.26.4", Relation::Direct, Scope::Runtime, 22),
                ("numpy", "2.0.0", Relation::Direct, Scope::Runtime, 27),
                ("pytest", "8.2.0", Relation::Direct, Scope::Development, 54),
                ("uvloop", "0.19.0", Relation::Direct, Scope::Optional, 60),
            ]
        );
        assert_eq!(lockfile.packages[0].dependencies, vec![1]);
        assert_eq!(lockfile.packages[0].hashes.len(), 2);
        assert_eq!(lockfile.packages[4].dependencies, vec![1]);
        assert_eq!(
            lockfile.packages[2].source,
            PackageSource::AlternateRegistry {
                url: "https://mirror.example/simple".into()
            }
        );
        assert_eq!(
            lockfile.packages[4].source,
            PackageSource::Git {
                url: "https://github.com/pytest-dev/pytest".into(),
                rev: Some("8e1a6b7c".into())
            }
        );
        assert!(matches!(
            lockfile.packages[5].source,
            PackageSource::Url { .. }
        ));
    }

    #[test]
    fn unknown_versions_duplicates_and_nameless_entries_are_warnings() {
        let lock = "version = 7\n[[package]]\nname = \"a\"\nversion = \"1\"\n[[package]]\nname = \"a\"\nversion = \"1\"\n[[package]]\nversion = \"2\"\n[[package]]\nname = \"b\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let lockfile = parse_lock(lock);
        assert_eq!(lockfile.packages.len(), 1);
        let lines: Vec<Option<u32>> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [None, Some(5), Some(8), Some(10)]);
        assert!(lockfile.warnings[0].message.contains('7'));
        assert_eq!(lockfile.packages[0].relation, Relation::Unknown);
    }

    #[test]
    fn a_workspace_without_a_project_names_direct_dependencies_in_its_manifest() {
        let lock = "version = 1\n[manifest]\nrequirements = [{ name = \"six\" }]\n[manifest.dependency-groups]\ndev = [{ name = \"ruff\", specifier = \">=0.5\" }]\n[[package]]\nname = \"six\"\nversion = \"1.0\"\n[[package]]\nname = \"ruff\"\nversion = \"0.6\"\n[[package]]\nname = \"idna\"\nversion = \"3.7\"\n";
        let lockfile = parse_lock(lock);
        let summary: Vec<(Relation, Scope)> = lockfile
            .packages
            .iter()
            .map(|p| (p.relation, p.scope))
            .collect();
        assert_eq!(
            summary,
            [
                (Relation::Direct, Scope::Runtime),
                (Relation::Direct, Scope::Development),
                (Relation::Transitive, Scope::Unknown)
            ]
        );
        assert_eq!(lockfile.root, None);
    }

    #[test]
    fn pyproject_names_the_root_and_direct_dependencies_without_members() {
        let mut files = FileSet::new();
        files.insert("svc/uv.lock", b"version = 1\n[[package]]\nname = \"Idna\"\nversion = \"3.7\"\n[[package]]\nname = \"six\"\nversion = \"1.0\"\n".to_vec());
        files.insert(
            "svc/pyproject.toml",
            b"[project]\nname = \"svc\"\ndependencies = [\"idna\"]\n".to_vec(),
        );
        let lockfile = parse("svc/uv.lock", &files).unwrap();
        assert_eq!(lockfile.root.unwrap().name, "svc");
        assert_eq!(lockfile.packages[0].relation, Relation::Direct);
        assert_eq!(lockfile.packages[0].scope, Scope::Runtime);
        assert_eq!(lockfile.packages[1].relation, Relation::Transitive);
        assert_eq!(lockfile.packages[1].scope, Scope::Unknown);
    }
}
