//! `pnpm-lock.yaml`, lockfileVersion 5.x, 6.x and 9.x, one or several
//! YAML documents (pnpm writes its own tool lock as a first document).
//!
//! `packages` lists one entry per resolved package: keyed `/name/1.0.0_peer`
//! in 5.x, `/name@1.0.0(peer)` in 6.x and `name@1.0.0` in 9.x, with
//! `resolution` (`integrity`, `tarball`, git `repo`/`commit`, or a local
//! `directory`, which stays out of the list). 5.x and 6.x keep `dev` and
//! `optional` flags and `dependencies` on each entry; 9.x moves the edges
//! to `snapshots` (keyed with peer suffixes) and drops the flags.
//! `importers` (or, for single projects before 9.x, the top-level
//! `dependencies`/`devDependencies`/`optionalDependencies`) are the
//! project and its workspace members: what they list is direct, with the
//! scope of the list; scopes then reach the rest through the edges.
//! Tool locks' `packageManagerDependencies` and `configDependencies` count
//! as development.
//!
//! Parsed with serde-saphyr; lines come from one pass over the text
//! locating the two-space keys under each document's `packages:`.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::node;
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning, Scope,
};
use crate::lockfile::LockfileKind;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Document {
    lockfile_version: Option<Value>,
    #[serde(default)]
    importers: Map<String, Value>,
    #[serde(default)]
    dependencies: Map<String, Value>,
    #[serde(default)]
    dev_dependencies: Map<String, Value>,
    #[serde(default)]
    optional_dependencies: Map<String, Value>,
    #[serde(default)]
    packages: Map<String, Value>,
    #[serde(default)]
    snapshots: Map<String, Value>,
}

/// The declaration lists of an importer and the scope each gives.
const IMPORTER_LISTS: [(&str, Scope); 5] = [
    ("dependencies", Scope::Runtime),
    ("optionalDependencies", Scope::Optional),
    ("devDependencies", Scope::Development),
    ("packageManagerDependencies", Scope::Development),
    ("configDependencies", Scope::Development),
];

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let documents: Vec<Document> = serde_saphyr::from_multiple(text).map_err(|error| {
        let line = error.location().and_then(|l| u32::try_from(l.line()).ok());
        super::error(path, line, format!("not valid YAML: {error}"))
    })?;
    let lines = package_lines(text);
    let mut lockfile = Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::PnpmLock,
        root: node::Manifest::beside(path, files).and_then(|m| m.root()),
        packages: Vec::new(),
        warnings: Vec::new(),
    };
    for (number, document) in documents.into_iter().enumerate() {
        let empty = HashMap::new();
        let lines = lines.get(number).unwrap_or(&empty);
        let packages = read_document(document, lines, &mut lockfile.warnings);
        let offset = lockfile.packages.len();
        lockfile
            .packages
            .extend(packages.into_iter().map(|mut package| {
                for dependency in &mut package.dependencies {
                    *dependency += offset;
                }
                package
            }));
    }
    Ok(lockfile)
}

/// The key syntax of a lockfile version.
#[derive(Clone, Copy, PartialEq)]
enum Keys {
    /// 5.x: `/name/1.0.0_peer`.
    Slashed,
    /// 6.x and 9.x: `name@1.0.0(peer)`.
    At,
}

fn read_document(
    document: Document,
    lines: &HashMap<String, u32>,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<Package> {
    let version_text = match &document.lockfile_version {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let major = version_text
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok());
    if !matches!(major, Some(5..=9)) {
        warnings.push(ParseWarning {
            line: None,
            message: format!(
                "lockfileVersion `{version_text}` is not one this reader knows (5 to 9); read as 9"
            ),
        });
    }
    let keys = if major.is_some_and(|major| major < 6) {
        Keys::Slashed
    } else {
        Keys::At
    };
    let mut packages = Vec::new();
    let mut requires: Vec<Vec<(String, String)>> = Vec::new();
    let mut exact: HashMap<String, usize> = HashMap::new();
    let mut base: HashMap<String, usize> = HashMap::new();
    for (key, value) in &document.packages {
        let line = lines.get(key).copied().unwrap_or(0);
        let stripped = key.strip_prefix('/').unwrap_or(key);
        let field = |name: &str| value.get(name).and_then(Value::as_str);
        let Some((key_name, key_version)) = split_key(stripped, keys) else {
            warnings.push(ParseWarning {
                line: Some(line),
                message: format!("skipped `{key}`: not a `name@version` key"),
            });
            continue;
        };
        let name = field("name").unwrap_or(key_name);
        let version = field("version").unwrap_or(key_version);
        let resolution = value.get("resolution");
        let Some(source) = source_of(resolution, version) else {
            continue;
        };
        let mut package = Package::new(Ecosystem::Npm, name, version);
        package.line = line;
        package.source = source;
        if let Some(integrity) = resolution
            .and_then(|r| r.get("integrity"))
            .and_then(Value::as_str)
        {
            package.hashes = node::integrity_hashes(integrity);
        }
        let flag = |name: &str| value.get(name).and_then(Value::as_bool);
        package.scope = match (flag("dev"), flag("optional")) {
            (_, Some(true)) => Scope::Optional,
            (Some(true), _) => Scope::Development,
            (Some(false), _) => Scope::Runtime,
            _ => Scope::Unknown,
        };
        exact.entry(stripped.to_owned()).or_insert(packages.len());
        base.entry(cut_peers(stripped, keys).to_owned())
            .or_insert(packages.len());
        requires.push(dependency_pairs(value));
        packages.push(package);
    }
    for (key, value) in &document.snapshots {
        let stripped = key.strip_prefix('/').unwrap_or(key);
        if let Some(&index) = base.get(cut_peers(stripped, keys)) {
            requires[index].extend(dependency_pairs(value));
        }
    }
    let lookup = |name: &str, reference: &str| -> Option<usize> {
        let candidate = reference_key(name, reference, keys)?;
        exact
            .get(&candidate)
            .or_else(|| base.get(cut_peers(&candidate, keys)))
            .copied()
    };
    for (package, pairs) in packages.iter_mut().zip(&requires) {
        let mut edges: Vec<usize> = pairs
            .iter()
            .filter_map(|(name, reference)| lookup(name, reference))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        package.dependencies = edges;
    }
    let mut importers: Vec<&Map<String, Value>> = document
        .importers
        .values()
        .filter_map(Value::as_object)
        .collect();
    let mut top = Map::new();
    for (list, declared) in [
        ("dependencies", &document.dependencies),
        ("devDependencies", &document.dev_dependencies),
        ("optionalDependencies", &document.optional_dependencies),
    ] {
        if !declared.is_empty() {
            top.insert(list.to_owned(), Value::Object(declared.clone()));
        }
    }
    if !top.is_empty() {
        importers.push(&top);
    }
    let mut direct = Vec::new();
    for importer in importers {
        for (list, scope) in IMPORTER_LISTS {
            let Some(declared) = importer.get(list).and_then(Value::as_object) else {
                continue;
            };
            for (name, spec) in declared {
                let reference = spec.get("version").unwrap_or(spec);
                let Some(index) = reference.as_str().and_then(|r| lookup(name, r)) else {
                    continue;
                };
                direct.push(index);
                if keys == Keys::At || packages[index].scope == Scope::Unknown {
                    let current = packages[index].scope;
                    packages[index].scope = node::most_needed(current, scope);
                }
            }
        }
    }
    node::mark_relations(&mut packages, &direct);
    node::propagate_scopes(&mut packages);
    node::sort_by_line(packages)
}

/// `(name, reference)` of an entry's `dependencies` and `optionalDependencies`.
fn dependency_pairs(value: &Value) -> Vec<(String, String)> {
    ["dependencies", "optionalDependencies"]
        .iter()
        .filter_map(|list| value.get(list).and_then(Value::as_object))
        .flatten()
        .filter_map(|(name, reference)| Some((name.clone(), reference.as_str()?.to_owned())))
        .collect()
}

/// The package key a dependency reference points at, without the leading
/// `/`; `None` for local links.
fn reference_key(name: &str, reference: &str, keys: Keys) -> Option<String> {
    if ["link:", "file:", "workspace:"]
        .iter()
        .any(|p| reference.starts_with(p))
    {
        return None;
    }
    if let Some(path) = reference.strip_prefix('/') {
        return Some(path.to_owned());
    }
    // 9.x aliases and non-registry packages are written as the full key.
    let full_key = !reference.starts_with(|c: char| c.is_ascii_digit())
        && node::split_descriptor(reference).is_some();
    Some(match (keys, full_key) {
        (_, true) => reference.to_owned(),
        (Keys::Slashed, false) => format!("{name}/{reference}"),
        (Keys::At, false) => format!("{name}@{reference}"),
    })
}

/// Name and version of a package key without its leading `/`.
fn split_key(key: &str, keys: Keys) -> Option<(&str, &str)> {
    let key = cut_peers(key, keys);
    let (name, version) = match keys {
        Keys::Slashed => key.rsplit_once('/')?,
        Keys::At => node::split_descriptor(key)?,
    };
    (!name.is_empty() && !version.is_empty()).then_some((name, version))
}

/// A key without its peer-dependency suffix.
fn cut_peers(key: &str, keys: Keys) -> &str {
    match keys {
        Keys::At => key.split_once('(').map_or(key, |(base, _)| base),
        Keys::Slashed => {
            let last = key.rfind('/').unwrap_or(0);
            key[last..].find('_').map_or(key, |at| &key[..last + at])
        }
    }
}

/// The source of a `resolution`; `None` for local directories.
fn source_of(resolution: Option<&Value>, version: &str) -> Option<PackageSource> {
    let field = |name: &str| resolution.and_then(|r| r.get(name)).and_then(Value::as_str);
    if field("directory").is_some() || matches!(field("type"), Some("directory")) {
        return None;
    }
    if let Some(repo) = field("repo") {
        return Some(PackageSource::Git {
            url: repo.to_owned(),
            rev: field("commit").map(str::to_owned),
        });
    }
    if let Some(tarball) = field("tarball") {
        return node::source_of(tarball);
    }
    if ["link:", "file:", "workspace:"]
        .iter()
        .any(|p| version.starts_with(p))
    {
        return None;
    }
    Some(PackageSource::Registry)
}

/// Per document, the line of each key under `packages:`, found in one pass.
fn package_lines(text: &str) -> Vec<HashMap<String, u32>> {
    let mut documents: Vec<HashMap<String, u32>> = vec![HashMap::new()];
    let mut has_content = false;
    let mut in_packages = false;
    for (number, line) in text.lines().enumerate() {
        if line.starts_with("---") {
            if has_content {
                documents.push(HashMap::new());
                has_content = false;
            }
            in_packages = false;
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        has_content = true;
        let indent = line.len() - trimmed.len();
        if indent == 0 {
            in_packages = trimmed.trim_end() == "packages:";
        } else if indent == 2 && in_packages {
            let Some(key) = trimmed.trim_end().strip_suffix(':') else {
                continue;
            };
            let key = key
                .strip_prefix('\'')
                .and_then(|k| k.strip_suffix('\''))
                .or_else(|| key.strip_prefix('"').and_then(|k| k.strip_suffix('"')))
                .unwrap_or(key);
            let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
            if let Some(current) = documents.last_mut() {
                current.entry(key.to_owned()).or_insert(line);
            }
        }
    }
    documents
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Relation;

    fn read(lock: &str) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("pnpm-lock.yaml", lock.as_bytes().to_vec());
        parse("pnpm-lock.yaml", &files).unwrap()
    }

    #[test]
    fn version_5_keys_flags_and_peer_suffixes() {
        let lock = "lockfileVersion: 5.4\n\nspecifiers:\n  a: ^1.0.0\n\ndevDependencies:\n  a: 1.0.0_b@2.0.0\n\npackages:\n\n  /a/1.0.0_b@2.0.0:\n    resolution: {integrity: sha1-qUwlJ+kFHO4AM/5HPLCWyoqqw2c=}\n    dependencies:\n      '@s/b': 2.0.0\n    dev: true\n\n  /@s/b/2.0.0:\n    resolution: {tarball: https://npm.example.com/@s/b/-/b-2.0.0.tgz}\n    dev: true\n";
        let lockfile = read(lock);
        assert_eq!(lockfile.packages.len(), 2);
        let a = &lockfile.packages[0];
        assert_eq!(
            (a.name.as_str(), a.version.as_str(), a.line),
            ("a", "1.0.0", 11)
        );
        assert_eq!(
            (a.relation, a.scope),
            (Relation::Direct, Scope::Development)
        );
        assert_eq!(a.dependencies, vec![1]);
        assert_eq!(lockfile.packages[1].name, "@s/b");
        assert!(matches!(
            lockfile.packages[1].source,
            PackageSource::AlternateRegistry { .. }
        ));
    }

    #[test]
    fn broken_yaml_is_an_error_and_unknown_versions_warn() {
        let mut files = FileSet::new();
        files.insert(
            "pnpm-lock.yaml",
            b"lockfileVersion: '9.0'\npackages: [\n".to_vec(),
        );
        assert!(parse("pnpm-lock.yaml", &files).is_err());
        let lockfile = read("lockfileVersion: '42.0'\n");
        assert!(lockfile.warnings[0].message.contains("42.0"));
    }
}
