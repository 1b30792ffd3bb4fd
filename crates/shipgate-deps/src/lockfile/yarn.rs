//! `yarn.lock`, classic (v1) and berry (v2 and later, `__metadata`).
//!
//! Both are indentation-based: an unindented header lists the descriptors
//! (`name@range`, comma-separated, maybe quoted) that resolved to one
//! package; two-space fields follow (`version "1.0.0"` in v1,
//! `version: 1.0.0` in berry), and four-space lines under `dependencies:`,
//! `optionalDependencies:` and `peerDependencies:` name a dependency and
//! the range it asks for. Edges resolve through the headers' descriptors.
//!
//! v1 hashes: `integrity` (SRI) and the SHA-1 in `resolved`'s fragment.
//! Berry's `checksum` (`10c0/<hex>`) is the SHA-512 of Yarn's cache
//! archive of the package, kept as such. Berry `resolution` gives the real
//! name of aliased packages and the protocol: `workspace:`, `link:`,
//! `portal:` and `file:` entries are the project's own code and stay out
//! of the package list; the dependencies of workspaces are direct. `patch:`
//! entries are the registry package with a local patch and stay in.
//!
//! Relation and scope otherwise come from the `package.json` beside the
//! lock; without it, classic locks give no relation.
//!
//! Read by hand rather than with `yarn-lock-parser`: that crate gives no
//! line numbers and fails the whole file on one odd entry.

use std::collections::HashMap;

use super::node::{self, Manifest};
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, HashAlgorithm, Lockfile, LockfileError, Package, ParseWarning, Relation, Scope,
};
use crate::lockfile::LockfileKind;

/// One header and its fields.
#[derive(Default)]
struct Entry {
    line: u32,
    descriptors: Vec<String>,
    version: Option<String>,
    resolved: Option<String>,
    resolution: Option<String>,
    integrity: Option<String>,
    checksum: Option<String>,
    dependencies: Vec<(String, String)>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let (entries, metadata_version, mut warnings) = read_entries(text);
    let berry = metadata_version.is_some();
    if entries.is_empty()
        && !text
            .lines()
            .any(|line| line.starts_with("# yarn lockfile") || line.starts_with("__metadata"))
        && !text.trim().is_empty()
    {
        return Err(super::error(
            path,
            Some(1),
            "no yarn.lock entries found; the file is not a yarn lockfile",
        ));
    }
    if let Some(version) = metadata_version.as_deref()
        && !matches!(version.parse::<u32>(), Ok(1..=9))
    {
        warnings.push(ParseWarning {
            line: None,
            message: format!("__metadata version {version} is not one this reader knows (up to 9); read as the latest"),
        });
    }
    let manifest = Manifest::beside(path, files);
    let mut descriptor_index: HashMap<&str, usize> = HashMap::new();
    let mut packages: Vec<Package> = Vec::new();
    let mut kept: Vec<Option<usize>> = Vec::with_capacity(entries.len());
    let mut workspaces: Vec<usize> = Vec::new();
    for (position, entry) in entries.iter().enumerate() {
        let Some((descriptor_name, _)) = entry
            .descriptors
            .first()
            .and_then(|d| node::split_descriptor(d))
        else {
            warnings.push(ParseWarning {
                line: Some(entry.line),
                message: "skipped an entry without a `name@range` header".to_owned(),
            });
            kept.push(None);
            continue;
        };
        let (name, spec) = match entry.resolution.as_deref().and_then(node::split_descriptor) {
            Some((name, spec)) => (name, spec),
            None => (
                descriptor_name,
                entry.resolved.as_deref().unwrap_or_default(),
            ),
        };
        let local = ["workspace:", "link:", "portal:", "file:"]
            .iter()
            .any(|p| spec.starts_with(p));
        if local {
            if spec.starts_with("workspace:") {
                workspaces.push(position);
            }
            kept.push(None);
            continue;
        }
        let Some(version) = entry.version.clone().filter(|v| !v.is_empty()) else {
            warnings.push(ParseWarning {
                line: Some(entry.line),
                message: format!("skipped `{name}`: no version"),
            });
            kept.push(None);
            continue;
        };
        let source = if berry {
            berry_source(spec)
        } else {
            node::source_of(spec)
        };
        let Some(source) = source else {
            kept.push(None);
            continue;
        };
        let mut package = Package::new(Ecosystem::Npm, real_name(name, entry), version);
        package.line = entry.line;
        package.source = source;
        if let Some(integrity) = &entry.integrity {
            package.hashes = node::integrity_hashes(integrity);
        }
        if let Some(hash) = entry.resolved.as_deref().and_then(node::resolved_sha1) {
            node::push_hash(&mut package.hashes, hash);
        }
        if let Some(checksum) = &entry.checksum {
            let digest = checksum
                .rsplit_once('/')
                .map_or(checksum.as_str(), |(_, digest)| digest);
            if let Some(hash) = node::hex_hash(HashAlgorithm::Sha512, digest) {
                node::push_hash(&mut package.hashes, hash);
            }
        }
        kept.push(Some(packages.len()));
        packages.push(package);
    }
    for (position, entry) in entries.iter().enumerate() {
        for descriptor in &entry.descriptors {
            descriptor_index
                .entry(descriptor.as_str())
                .or_insert(position);
        }
    }
    let lookup = |name: &str, range: &str| -> Option<usize> {
        let found = descriptor_index
            .get(format!("{name}@{range}").as_str())
            .or_else(|| descriptor_index.get(format!("{name}@npm:{range}").as_str()))?;
        kept[*found]
    };
    for (position, entry) in entries.iter().enumerate() {
        let Some(index) = kept[position] else {
            continue;
        };
        let mut edges: Vec<usize> = entry
            .dependencies
            .iter()
            .filter_map(|(name, range)| lookup(name, range))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        packages[index].dependencies = edges;
    }
    let mut direct: Vec<usize> = workspaces
        .iter()
        .flat_map(|&workspace| entries[workspace].dependencies.iter())
        .filter_map(|(name, range)| lookup(name, range))
        .collect();
    if let Some(manifest) = &manifest {
        for (name, range, scope) in &manifest.declared {
            let Some(index) = lookup(name, range) else {
                continue;
            };
            direct.push(index);
            packages[index].scope = node::most_needed(packages[index].scope, *scope);
        }
    }
    if !direct.is_empty() || manifest.is_some() {
        node::mark_relations(&mut packages, &direct);
        node::propagate_scopes(&mut packages);
    }
    for package in &mut packages {
        if package.scope == Scope::Unknown
            && manifest.is_some()
            && package.relation == Relation::Direct
        {
            package.scope = Scope::Runtime;
        }
    }
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::YarnLock,
        root: manifest.as_ref().and_then(Manifest::root),
        packages,
        warnings,
    })
}

/// The registry name of an entry: an alias (`alias@npm:real@^1`) installs
/// `real` under another name.
fn real_name(name: &str, entry: &Entry) -> String {
    entry
        .descriptors
        .first()
        .and_then(|d| node::split_descriptor(d))
        .and_then(|(_, range)| range.strip_prefix("npm:"))
        .and_then(node::split_descriptor)
        .map_or(name, |(real, _)| real)
        .to_owned()
}

/// The source of a berry resolution's spec (`npm:1.0.0`, `patch:...`,
/// `https://github.com/o/r.git#commit=...`).
fn berry_source(spec: &str) -> Option<crate::inventory::PackageSource> {
    if spec.starts_with("npm:") || spec.starts_with("patch:") || spec.is_empty() {
        Some(crate::inventory::PackageSource::Registry)
    } else {
        node::source_of(spec)
    }
}

/// Reads every entry with its line. Returns the entries, berry's
/// `__metadata` version (`None` for classic locks) and warnings.
fn read_entries(text: &str) -> (Vec<Entry>, Option<String>, Vec<ParseWarning>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut metadata_version = None;
    let mut warnings = Vec::new();
    let mut in_metadata = false;
    let mut block: Option<String> = None;
    for (number, raw_line) in text.lines().enumerate() {
        let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let content = raw_line.trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = content.len() - trimmed.len();
        if indent == 0 {
            block = None;
            let Some(header) = trimmed.strip_suffix(':') else {
                warnings.push(ParseWarning {
                    line: Some(line),
                    message: "skipped a line that is neither an entry header nor inside an entry"
                        .to_owned(),
                });
                in_metadata = false;
                continue;
            };
            in_metadata = header == "__metadata";
            if !in_metadata {
                entries.push(Entry {
                    line,
                    descriptors: split_header(header),
                    ..Entry::default()
                });
            }
            continue;
        }
        let (key, value) = key_value(trimmed);
        if in_metadata {
            if indent == 2 && key == "version" {
                metadata_version = Some(value.to_owned());
            }
            continue;
        }
        let Some(entry) = entries.last_mut() else {
            continue;
        };
        if indent <= 2 {
            block = value.is_empty().then(|| key.to_owned());
            match key {
                "version" => entry.version = Some(value.to_owned()),
                "resolved" => entry.resolved = Some(value.to_owned()),
                "resolution" => entry.resolution = Some(value.to_owned()),
                "integrity" => entry.integrity = Some(value.to_owned()),
                "checksum" => entry.checksum = Some(value.to_owned()),
                _ => {}
            }
        } else if indent <= 4
            && matches!(
                block.as_deref(),
                Some("dependencies" | "optionalDependencies")
            )
            && !value.is_empty()
        {
            entry.dependencies.push((key.to_owned(), value.to_owned()));
        }
    }
    (entries, metadata_version, warnings)
}

/// The descriptors of a header: `a@^1, "b@npm:^2"`.
fn split_header(header: &str) -> Vec<String> {
    header
        .split(", ")
        .map(|part| unquote(part.trim()).to_owned())
        .filter(|part| !part.is_empty())
        .collect()
}

/// Splits `key value` (classic) or `key: value` (berry); either side may be
/// quoted.
fn key_value(line: &str) -> (&str, &str) {
    let (key, rest) = if let Some(quoted) = line.strip_prefix('"') {
        match quoted.find('"') {
            Some(end) => (&quoted[..end], &quoted[end + 1..]),
            None => (quoted, ""),
        }
    } else {
        let end = line
            .find(|c: char| c.is_whitespace() || c == ':')
            .unwrap_or(line.len());
        (&line[..end], &line[end..])
    };
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim();
    (key, unquote(rest))
}

fn unquote(text: &str) -> &str {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(lock: &str) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("yarn.lock", lock.as_bytes().to_vec());
        parse("yarn.lock", &files).unwrap()
    }

    #[test]
    fn classic_aliases_keep_the_real_name_and_headers_share_one_entry() {
        let lock = "# yarn lockfile v1\n\n\n\"wrap-cjs@npm:wrap@^1.0.0\", wrap@^1.0.0:\n  version \"1.0.2\"\n  resolved \"https://registry.yarnpkg.com/wrap/-/wrap-1.0.2.tgz#a94c2527e9051cee0033fe473cb096ca8aaac367\"\n";
        let lockfile = read(lock);
        assert_eq!(lockfile.packages.len(), 1);
        let wrap = &lockfile.packages[0];
        assert_eq!((wrap.name.as_str(), wrap.line), ("wrap", 4));
        assert_eq!(wrap.hashes[0].algorithm, HashAlgorithm::Sha1);
        assert_eq!(wrap.relation, Relation::Unknown);
    }

    #[test]
    fn berry_workspaces_give_direct_dependencies_and_stay_out() {
        let lock = "__metadata:\n  version: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    left: \"npm:^1.0.0\"\n\n\"left@npm:^1.0.0\":\n  version: 1.0.1\n  resolution: \"left@npm:1.0.1\"\n  dependencies:\n    right: \"npm:2.0.0\"\n  checksum: 10c0/aa\n\n\"right@npm:2.0.0\":\n  version: 2.0.0\n  resolution: \"right@npm:2.0.0\"\n";
        let lockfile = read(lock);
        assert_eq!(lockfile.packages.len(), 2);
        assert_eq!(lockfile.packages[0].relation, Relation::Direct);
        assert_eq!(lockfile.packages[0].dependencies, vec![1]);
        assert_eq!(lockfile.packages[1].relation, Relation::Transitive);
        assert!(lockfile.packages[0].hashes.is_empty());
    }

    #[test]
    fn stray_lines_are_warnings_and_unknown_text_is_an_error() {
        let lock = "# yarn lockfile v1\nstray\na@^1:\n  version \"1.0.0\"\n";
        let lockfile = read(lock);
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(2));
        let mut files = FileSet::new();
        files.insert("yarn.lock", b"hello world\n".to_vec());
        assert!(parse("yarn.lock", &files).is_err());
    }
}
