//! `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! Versions 2 and 3 keep a flat `packages` map keyed by install path
//! (`node_modules/a/node_modules/b`); the `""` key is the project itself and
//! lists its declared dependencies, so relation is known without
//! `package.json`. Keys without `node_modules/` are workspace members, and
//! `link: true` entries point at them: both stay out of the package list,
//! and the members' dependencies count as direct. `dev`, `optional`,
//! `devOptional` give the scope (`devOptional` packages are installed for
//! production when optional ones are, so they count as optional).
//!
//! Version 1 nests a `dependencies` tree instead; it is flattened into the
//! same install paths. Edges follow Node's lookup: the package's own
//! `node_modules`, then each enclosing one up to the top. Version 1 has no
//! record of the project's declarations, so relation comes from the
//! `package.json` beside it, or stays unknown.
//!
//! `integrity` (SRI, base64) becomes hex hashes; `resolved` gives the
//! source; the line of each entry is the line of its key.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::node::{self, Manifest};
use crate::ecosystem::Ecosystem;
use crate::inventory::{FileSet, Lockfile, LockfileError, Package, ParseWarning, Relation, Scope};
use crate::lockfile::LockfileKind;

/// One install path's entry, as versions 2 and 3 write it.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Entry {
    name: Option<String>,
    version: Option<String>,
    resolved: Option<String>,
    integrity: Option<String>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    dev_optional: bool,
    license: Option<Value>,
    #[serde(default)]
    dependencies: HashMap<String, Value>,
    #[serde(default)]
    optional_dependencies: HashMap<String, Value>,
    #[serde(default)]
    peer_dependencies: HashMap<String, Value>,
}

/// A workspace member's directory and the names it declares.
type Member = (String, Vec<String>);

/// A package on its install path, before edges are resolved.
struct Installed {
    path: String,
    package: Package,
    requires: Vec<String>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let document: Value = serde_json::from_str(text).map_err(|error| {
        super::error(
            path,
            u32::try_from(error.line()).ok(),
            format!("not valid JSON: {error}"),
        )
    })?;
    let Some(object) = document.as_object() else {
        return Err(super::error(
            path,
            Some(1),
            "a package lock is a JSON object",
        ));
    };
    let mut warnings = Vec::new();
    let version = object.get("lockfileVersion").and_then(Value::as_u64);
    if !matches!(version, Some(1..=3)) {
        warnings.push(ParseWarning {
            line: None,
            message: format!(
                "lockfileVersion {} is not one this reader knows (1 to 3); read as the nearest known layout",
                object.get("lockfileVersion").map_or("(missing)".to_owned(), Value::to_string)
            ),
        });
    }
    let manifest = Manifest::beside(path, files);
    let (installed, member_declarations, lock_root) =
        match object.get("packages").and_then(Value::as_object) {
            Some(packages) => read_packages(text, packages, &mut warnings),
            None => {
                let tree = object.get("dependencies").and_then(Value::as_object);
                let installed = tree
                    .map(|tree| read_tree(text, tree, &mut warnings))
                    .unwrap_or_default();
                (installed, Vec::new(), None)
            }
        };
    let root_manifest = manifest.or(lock_root).unwrap_or_else(|| Manifest {
        name: object
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        version: object
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_owned),
        declared: Vec::new(),
    });
    let packages = link(installed, &root_manifest, &member_declarations);
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::NpmLock,
        root: root_manifest.root(),
        packages,
        warnings,
    })
}

/// Versions 2 and 3: the flat `packages` map. Returns the installed
/// packages, the workspace members with their declarations, and the
/// project's own entry as a manifest.
fn read_packages(
    text: &str,
    packages: &serde_json::Map<String, Value>,
    warnings: &mut Vec<ParseWarning>,
) -> (Vec<Installed>, Vec<Member>, Option<Manifest>) {
    let lines: HashMap<String, u32> = node::key_lines(text, |outer, key| {
        (outer == ["packages"]).then(|| key.to_owned())
    })
    .into_iter()
    .collect();
    let mut installed = Vec::new();
    let mut members = Vec::new();
    let mut root = None;
    for (key, value) in packages {
        let line = lines.get(key).copied().unwrap_or(0);
        if key.is_empty() {
            root = Some(Manifest::from_value(value));
            continue;
        }
        let entry: Entry = match Entry::deserialize(value) {
            Ok(entry) => entry,
            Err(error) => {
                warnings.push(ParseWarning {
                    line: Some(line),
                    message: format!("skipped `{key}`: {error}"),
                });
                continue;
            }
        };
        let Some(name) = install_name(key) else {
            let declared = Manifest::from_value(value);
            members.push((
                key.clone(),
                declared
                    .declared
                    .into_iter()
                    .map(|(name, _, _)| name)
                    .collect(),
            ));
            continue;
        };
        if entry.link {
            continue;
        }
        let resolved = entry.resolved.as_deref().unwrap_or_default();
        let Some(source) = node::source_of(resolved) else {
            continue;
        };
        let Some(version) = entry.version.clone().filter(|v| !v.is_empty()) else {
            warnings.push(ParseWarning {
                line: Some(line),
                message: format!("skipped `{key}`: no version"),
            });
            continue;
        };
        let mut package = Package::new(
            Ecosystem::Npm,
            entry.name.clone().unwrap_or_else(|| name.to_owned()),
            version,
        );
        package.source = source;
        package.line = line;
        package.scope = if entry.dev {
            Scope::Development
        } else if entry.optional || entry.dev_optional {
            Scope::Optional
        } else {
            Scope::Runtime
        };
        package.hashes = entry
            .integrity
            .as_deref()
            .map(node::integrity_hashes)
            .unwrap_or_default();
        package.licenses = entry
            .license
            .as_ref()
            .and_then(node::license_of)
            .into_iter()
            .collect();
        let mut requires: Vec<String> = entry
            .dependencies
            .into_keys()
            .chain(entry.optional_dependencies.into_keys())
            .chain(entry.peer_dependencies.into_keys())
            .collect();
        requires.sort();
        requires.dedup();
        installed.push(Installed {
            path: key.clone(),
            package,
            requires,
        });
    }
    (installed, members, root)
}

/// The package name an install path ends in, or `None` for a path outside
/// any `node_modules` (a workspace member's directory).
fn install_name(path: &str) -> Option<&str> {
    match path.rfind("node_modules/") {
        Some(at) if at == 0 || path[..at].ends_with('/') => {
            Some(&path[at + "node_modules/".len()..])
        }
        _ => None,
    }
}

/// Version 1: the nested `dependencies` tree, flattened to install paths.
/// Walked with an explicit stack; serde_json already bounds the depth.
fn read_tree(
    text: &str,
    tree: &serde_json::Map<String, Value>,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<Installed> {
    let lines: HashMap<String, u32> = node::key_lines(text, |outer, key| {
        let nested = outer.len() % 2 == 1
            && outer
                .iter()
                .step_by(2)
                .all(|container| container == "dependencies");
        nested.then(|| {
            let mut path = String::new();
            for name in outer
                .iter()
                .skip(1)
                .step_by(2)
                .map(String::as_str)
                .chain([key])
            {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str("node_modules/");
                path.push_str(name);
            }
            path
        })
    })
    .into_iter()
    .collect();
    let mut installed = Vec::new();
    let mut stack: Vec<(String, &serde_json::Map<String, Value>)> = vec![(String::new(), tree)];
    while let Some((parent, children)) = stack.pop() {
        for (name, value) in children {
            let path = if parent.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{parent}/node_modules/{name}")
            };
            let line = lines.get(&path).copied().unwrap_or(0);
            let text_field = |field: &str| value.get(field).and_then(Value::as_str);
            let flag = |field: &str| value.get(field).and_then(Value::as_bool).unwrap_or(false);
            if let Some(nested) = value.get("dependencies").and_then(Value::as_object) {
                stack.push((path.clone(), nested));
            }
            let Some(version) = text_field("version") else {
                warnings.push(ParseWarning {
                    line: Some(line),
                    message: format!("skipped `{name}`: no version"),
                });
                continue;
            };
            // Non-registry packages keep their spec in `version`
            // (`git+https://...#sha`, `file:../x`) and their real version
            // nowhere.
            let spec_source = (!version.starts_with(|c: char| c.is_ascii_digit()))
                .then(|| node::source_of(version));
            let source = match spec_source {
                Some(Some(source)) => source,
                Some(None) => continue,
                None => match node::source_of(text_field("resolved").unwrap_or_default()) {
                    Some(source) => source,
                    None => continue,
                },
            };
            let mut package = Package::new(Ecosystem::Npm, name.clone(), version);
            package.source = source;
            package.line = line;
            package.scope = if flag("dev") {
                Scope::Development
            } else if flag("optional") {
                Scope::Optional
            } else {
                Scope::Runtime
            };
            if let Some(integrity) = text_field("integrity") {
                package.hashes = node::integrity_hashes(integrity);
            }
            if let Some(hash) = text_field("resolved").and_then(node::resolved_sha1) {
                node::push_hash(&mut package.hashes, hash);
            }
            let requires = value
                .get("requires")
                .and_then(Value::as_object)
                .map(|requires| requires.keys().cloned().collect())
                .unwrap_or_default();
            installed.push(Installed {
                path,
                package,
                requires,
            });
        }
    }
    installed
}

/// Resolves edges and relations, and puts the packages in file order.
fn link(installed: Vec<Installed>, root: &Manifest, members: &[Member]) -> Vec<Package> {
    let index = node::index_by(installed.iter().map(|i| i.path.as_str()));
    let edges: Vec<Vec<usize>> = installed
        .iter()
        .map(|item| {
            let mut edges: Vec<usize> = item
                .requires
                .iter()
                .filter_map(|dependency| resolve(&index, &item.path, dependency))
                .collect();
            edges.sort_unstable();
            edges.dedup();
            edges
        })
        .collect();
    let mut direct: Vec<usize> = root
        .declared
        .iter()
        .filter_map(|(name, _, _)| resolve(&index, "", name))
        .collect();
    for (member, declared) in members {
        direct.extend(
            declared
                .iter()
                .filter_map(|name| resolve(&index, member, name)),
        );
    }
    let knows_declarations = !root.declared.is_empty() || !members.is_empty();
    let nested: Vec<bool> = installed
        .iter()
        .map(|item| item.path.contains("/node_modules/"))
        .collect();
    let mut packages: Vec<Package> = installed
        .into_iter()
        .zip(edges)
        .map(|(item, edges)| {
            let mut package = item.package;
            package.dependencies = edges;
            package
        })
        .collect();
    if knows_declarations {
        node::mark_relations(&mut packages, &direct);
    } else {
        // Without declarations only nesting is certain: a nested copy is
        // there because some package needs it.
        for (package, nested) in packages.iter_mut().zip(nested) {
            if nested {
                package.relation = Relation::Transitive;
            }
        }
    }
    node::sort_by_line(packages)
}

/// Node's lookup of `dependency` from the package installed at `from`.
fn resolve(index: &HashMap<&str, usize>, from: &str, dependency: &str) -> Option<usize> {
    let mut base = from;
    loop {
        let candidate = if base.is_empty() {
            format!("node_modules/{dependency}")
        } else {
            format!("{base}/node_modules/{dependency}")
        };
        if let Some(&found) = index.get(candidate.as_str()) {
            return Some(found);
        }
        if base.is_empty() {
            return None;
        }
        base = base.rfind("/node_modules/").map_or("", |at| &base[..at]);
    }
}
