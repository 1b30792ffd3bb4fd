//! `Cargo.lock`, versions 1 to 4.
//!
//! Every version lists `[[package]]` tables with `name`, `version`,
//! `source`, `checksum` (SHA-256 of the `.crate`, inline from version 2)
//! and `dependencies` (`"name"`, `"name version"` or `"name version
//! (source)"`, as short as stays unambiguous). Version 1 keeps checksums in
//! `[metadata]` under `"checksum name version (source)"`; versions 1 and 2
//! have no `version` key. Packages without `source` are the workspace's own
//! members and path dependencies: they stay out of the package list, and
//! what they depend on is direct.
//!
//! The lock does not say which edges are dev-dependencies. When the
//! `Cargo.toml` beside it declares a `[package]`, packages reachable only
//! through its `[dev-dependencies]` are development scope and the rest
//! runtime; other members' dependencies all count as runtime because their
//! manifests are not read.
//!
//! Read with `toml` rather than `cargo-lock`: `toml` gives each table's
//! byte span (hence its line) and lets one bad entry be skipped with a
//! warning, where `cargo-lock` rejects the whole file and gives no
//! positions.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use shipgate_model::LineIndex;
use toml::Spanned;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, HashAlgorithm, Lockfile, LockfileError, Package, PackageSource, ParseWarning,
    Relation, RootComponent, Scope,
};
use crate::lockfile::LockfileKind;

const CRATES_IO: [&str; 2] = [
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

#[derive(Deserialize)]
struct RawLock {
    version: Option<toml::Value>,
    #[serde(default)]
    package: Vec<Spanned<toml::Value>>,
    #[serde(default)]
    metadata: HashMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

/// One `[[package]]`, members included, with its line.
struct Entry {
    raw: RawPackage,
    line: u32,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let lines = LineIndex::new(text.as_bytes());
    let line_of = |offset: usize| u32::try_from(lines.line_of(offset) + 1).unwrap_or(u32::MAX);
    let lock: RawLock = toml::from_str(text).map_err(|error| {
        let line = error.span().map(|span| line_of(span.start));
        super::error(path, line, format!("not valid TOML: {}", error.message()))
    })?;
    let mut warnings = Vec::new();
    match lock.version.as_ref().map(|v| v.as_integer()) {
        None | Some(Some(3 | 4)) => {}
        Some(version) => warnings.push(ParseWarning {
            line: Some(1),
            message: format!(
                "lock version {} is not one this reader knows (1 to 4); read as version 4",
                version.map_or("(not a number)".to_owned(), |v| v.to_string())
            ),
        }),
    }
    let mut entries = Vec::new();
    for spanned in lock.package {
        // Point at the entry's `name = ...` line: it names the package in a
        // report's snippet, where the `[[package]]` header would not.
        // The span may cover only the `[[package]]` header, so the entry's
        // body is read up to the next table header.
        let span = spanned.span();
        let rest = text.get(span.start..).unwrap_or_default();
        let body_end = rest
            .get(1..)
            .and_then(|tail| tail.find("\n["))
            .map_or(rest.len(), |at| at + 1);
        let body = &rest[..body_end];
        let name_offset = body
            .match_indices("name")
            .find(|(at, _)| *at == 0 || body.as_bytes()[at - 1] == b'\n')
            .map_or(0, |(at, _)| at);
        let line = line_of(span.start + name_offset);
        match spanned.into_inner().try_into::<RawPackage>() {
            Ok(raw) => entries.push(Entry { raw, line }),
            Err(error) => warnings.push(ParseWarning {
                line: Some(line),
                message: format!("skipped a [[package]]: {}", error.message()),
            }),
        }
    }
    let manifest = Manifest::beside(path, files);
    let mut lockfile = Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::CargoLock,
        root: manifest.as_ref().and_then(Manifest::root),
        packages: Vec::new(),
        warnings,
    };
    build(&mut lockfile, &entries, &lock.metadata, manifest.as_ref());
    Ok(lockfile)
}

/// Turns the entries into packages with edges, relations and scopes.
fn build(
    lockfile: &mut Lockfile,
    entries: &[Entry],
    metadata: &HashMap<String, toml::Value>,
    manifest: Option<&Manifest>,
) {
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut seen: HashMap<(&str, &str, Option<&str>), usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let key = (
            entry.raw.name.as_str(),
            entry.raw.version.as_str(),
            entry.raw.source.as_deref(),
        );
        if let Some(&first) = seen.get(&key) {
            let same = entries[first].raw.checksum == entry.raw.checksum
                && entries[first].raw.dependencies == entry.raw.dependencies;
            lockfile.warnings.push(ParseWarning {
                line: Some(entry.line),
                message: format!(
                    "{} {} is listed again{}; the first entry is used",
                    entry.raw.name,
                    entry.raw.version,
                    if same { "" } else { " with different data" }
                ),
            });
            continue;
        }
        seen.insert(key, index);
        by_name
            .entry(entry.raw.name.as_str())
            .or_default()
            .push(index);
    }
    let kept: Vec<usize> = {
        let mut kept: Vec<usize> = seen.values().copied().collect();
        kept.sort_unstable();
        kept
    };
    let edges: Vec<Vec<usize>> = entries
        .iter()
        .map(|entry| {
            entry
                .raw
                .dependencies
                .iter()
                .filter_map(|reference| resolve(reference, entries, &by_name))
                .collect()
        })
        .collect();
    let is_member = |index: usize| entries[index].raw.source.is_none();
    let mut package_index: HashMap<usize, usize> = HashMap::new();
    for &index in &kept {
        if !is_member(index) {
            package_index.insert(index, package_index.len());
        }
    }
    for &index in &kept {
        if is_member(index) {
            continue;
        }
        let raw = &entries[index].raw;
        let mut package = Package::new(Ecosystem::CratesIo, raw.name.clone(), raw.version.clone());
        package.line = entries[index].line;
        package.source = source_of(raw.source.as_deref().unwrap_or_default());
        let checksum = raw.checksum.clone().or_else(|| {
            let key = format!(
                "checksum {} {} ({})",
                raw.name,
                raw.version,
                raw.source.as_deref().unwrap_or_default()
            );
            metadata
                .get(&key)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        package.hashes = checksum
            .and_then(|checksum| super::node::hex_hash(HashAlgorithm::Sha256, &checksum))
            .into_iter()
            .collect();
        package.dependencies = edges[index]
            .iter()
            .filter_map(|target| package_index.get(target).copied())
            .collect();
        package.relation = Relation::Transitive;
        lockfile.packages.push(package);
    }
    let members: Vec<usize> = kept
        .iter()
        .copied()
        .filter(|&index| is_member(index))
        .collect();
    for &member in &members {
        for target in &edges[member] {
            if let Some(&package) = package_index.get(target) {
                lockfile.packages[package].relation = Relation::Direct;
            }
        }
    }
    let Some(manifest) = manifest.filter(|m| m.name.is_some()) else {
        return;
    };
    // Runtime roots: every member's dependencies except the root package's
    // dev-only ones.
    let mut runtime_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for &member in &members {
        let is_root = manifest.name.as_deref() == Some(entries[member].raw.name.as_str());
        for target in &edges[member] {
            let Some(&package) = package_index.get(target) else {
                continue;
            };
            let name = entries[*target].raw.name.as_str();
            if is_root && manifest.dev.contains(name) && !manifest.normal.contains(name) {
                dev_roots.push(package);
            } else {
                runtime_roots.push(package);
            }
        }
    }
    let runtime = reachable(&lockfile.packages, runtime_roots);
    let development = reachable(&lockfile.packages, dev_roots);
    for (index, package) in lockfile.packages.iter_mut().enumerate() {
        if runtime[index] {
            package.scope = Scope::Runtime;
        } else if development[index] {
            package.scope = Scope::Development;
        }
    }
}

/// Which packages the roots reach, following edges without recursion.
fn reachable(packages: &[Package], roots: Vec<usize>) -> Vec<bool> {
    let mut reached = vec![false; packages.len()];
    let mut stack = roots;
    while let Some(index) = stack.pop() {
        if std::mem::replace(&mut reached[index], true) {
            continue;
        }
        stack.extend(
            packages[index]
                .dependencies
                .iter()
                .copied()
                .filter(|&d| !reached[d]),
        );
    }
    reached
}

/// The entry a `dependencies` reference names: `name`, `name version` or
/// `name version (source)`.
fn resolve(
    reference: &str,
    entries: &[Entry],
    by_name: &HashMap<&str, Vec<usize>>,
) -> Option<usize> {
    let mut parts = reference.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next();
    let source = parts
        .next()
        .map(|source| source.trim_start_matches('(').trim_end_matches(')'));
    by_name.get(name)?.iter().copied().find(|&index| {
        let raw = &entries[index].raw;
        version.is_none_or(|version| raw.version == version)
            && source.is_none_or(|source| raw.source.as_deref() == Some(source))
    })
}

/// The source of a `source` string.
fn source_of(source: &str) -> PackageSource {
    if source.is_empty() || CRATES_IO.contains(&source) {
        return PackageSource::Registry;
    }
    if let Some(git) = source.strip_prefix("git+") {
        let (url, rev) = match git.split_once('#') {
            Some((url, rev)) => (url, Some(rev.to_owned())),
            None => (git, None),
        };
        return PackageSource::Git {
            url: url.to_owned(),
            rev,
        };
    }
    if let Some(path) = source.strip_prefix("path+") {
        return PackageSource::Path {
            path: path.to_owned(),
        };
    }
    let url = source
        .strip_prefix("registry+")
        .or_else(|| source.strip_prefix("sparse+"))
        .unwrap_or(source);
    PackageSource::AlternateRegistry {
        url: url.to_owned(),
    }
}

/// What the `Cargo.toml` beside the lock says: the root package and which
/// names it declares as normal (or build) and as dev-dependencies.
struct Manifest {
    name: Option<String>,
    version: Option<String>,
    normal: HashSet<String>,
    dev: HashSet<String>,
}

impl Manifest {
    fn beside(lock_path: &str, files: &FileSet) -> Option<Manifest> {
        let path = super::sibling(lock_path, "Cargo.toml")?;
        let text = std::str::from_utf8(files.get(&path)?).ok()?;
        let value: toml::Table = toml::from_str(text).ok()?;
        let package = value.get("package").and_then(|p| p.as_table());
        let text_field = |field: &str| {
            package
                .and_then(|p| p.get(field))
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let mut manifest = Manifest {
            name: text_field("name"),
            version: text_field("version"),
            normal: HashSet::new(),
            dev: HashSet::new(),
        };
        let mut tables = vec![&value];
        if let Some(targets) = value.get("target").and_then(|t| t.as_table()) {
            tables.extend(targets.values().filter_map(|t| t.as_table()));
        }
        for table in tables {
            for (field, dev) in [
                ("dependencies", false),
                ("build-dependencies", false),
                ("build_dependencies", false),
                ("dev-dependencies", true),
                ("dev_dependencies", true),
            ] {
                let Some(declared) = table.get(field).and_then(|d| d.as_table()) else {
                    continue;
                };
                for (key, spec) in declared {
                    let name = spec
                        .get("package")
                        .and_then(|p| p.as_str())
                        .unwrap_or(key)
                        .to_owned();
                    if dev {
                        manifest.dev.insert(name);
                    } else {
                        manifest.normal.insert(name);
                    }
                }
            }
        }
        Some(manifest)
    }

    fn root(&self) -> Option<RootComponent> {
        Some(RootComponent {
            name: self.name.clone()?,
            version: self.version.clone(),
            ecosystem: Ecosystem::CratesIo,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lock: &str, manifest: Option<&str>) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("Cargo.lock", lock.as_bytes().to_vec());
        if let Some(manifest) = manifest {
            files.insert("Cargo.toml", manifest.as_bytes().to_vec());
        }
        parse("Cargo.lock", &files).unwrap()
    }

    #[test]
    fn version_1_checksums_come_from_metadata() {
        let lock = "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"libc 0.2.1 (registry+https://github.com/rust-lang/crates.io-index)\",\n]\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.1\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[metadata]\n\"checksum libc 0.2.1 (registry+https://github.com/rust-lang/crates.io-index)\" = \"AB00000000000000000000000000000000000000000000000000000000000001\"\n";
        let lockfile = read(lock, None);
        assert_eq!(lockfile.packages.len(), 1);
        let libc = &lockfile.packages[0];
        assert_eq!(libc.line, 9);
        assert_eq!(libc.relation, Relation::Direct);
        assert_eq!(
            libc.hashes[0].value,
            "ab00000000000000000000000000000000000000000000000000000000000001"
        );
    }

    #[test]
    fn a_bad_entry_is_skipped_with_a_warning_and_unknown_versions_are_named() {
        let lock = "version = 9\n\n[[package]]\nname = \"a\"\n\n[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"sparse+https://index.crates.io/\"\n";
        let lockfile = read(lock, None);
        assert_eq!(lockfile.packages.len(), 1);
        assert!(lockfile.warnings.iter().any(|w| w.line == Some(4)));
        assert!(
            lockfile
                .warnings
                .iter()
                .any(|w| w.message.contains("lock version 9"))
        );
    }

    #[test]
    fn conflicting_duplicates_are_warned_about() {
        let entry = "[[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"sparse+https://index.crates.io/\"\n";
        let lock = format!("version = 4\n\n{entry}checksum = \"00\"\n\n{entry}");
        let lockfile = read(&lock, None);
        assert_eq!(lockfile.packages.len(), 1);
        assert!(lockfile.warnings[0].message.contains("different data"));
    }

    #[test]
    fn invalid_toml_is_an_error_with_a_line() {
        let mut files = FileSet::new();
        files.insert("Cargo.lock", b"version = 4\n\n[[package]\n".to_vec());
        assert_eq!(parse("Cargo.lock", &files).unwrap_err().line, Some(3));
    }
}
