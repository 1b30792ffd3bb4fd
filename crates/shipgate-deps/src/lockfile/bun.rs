//! `bun.lock`, Bun's text lockfile (lockfileVersion 0 and 1).
//!
//! JSONC: comments and trailing commas are allowed, so they are blanked
//! before serde_json reads it. `workspaces` maps each workspace path (`""`
//! is the project) to its `name`, `version` and declaration lists; what
//! they declare is direct, with the list's scope, and scopes reach the rest
//! through the edges. `packages` maps an install key (a name, or
//! `parent/name` for a nested copy) to an array: `"name@version"`, then for
//! registry packages the registry URL (`""` for the default), an info
//! object with `dependencies`/`optionalDependencies`/`peerDependencies`,
//! and the SRI integrity. Git and tarball packages write their spec after
//! the `@`; `workspace:`, `link:` and `file:` ones are the project's own
//! code and stay out. Edges resolve like Node's lookup: `key/name`, then
//! each enclosing key, then the top.

use std::collections::HashMap;

use serde_json::Value;

use super::node::{self, Manifest};
use crate::ecosystem::Ecosystem;
use crate::inventory::{FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning};
use crate::lockfile::LockfileKind;

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let json = node::strip_jsonc(text);
    let document: Value = serde_json::from_str(&json).map_err(|error| {
        super::error(
            path,
            u32::try_from(error.line()).ok(),
            format!("not valid JSONC: {error}"),
        )
    })?;
    let mut warnings = Vec::new();
    if !matches!(
        document.get("lockfileVersion").and_then(Value::as_u64),
        Some(0 | 1)
    ) {
        warnings.push(ParseWarning {
            line: None,
            message: format!(
                "lockfileVersion {} is not one this reader knows (0 or 1); read as 1",
                document
                    .get("lockfileVersion")
                    .map_or("(missing)".to_owned(), Value::to_string)
            ),
        });
    }
    let lines: HashMap<String, u32> = node::key_lines(text, |outer, key| {
        (outer == ["packages"]).then(|| key.to_owned())
    })
    .into_iter()
    .collect();
    let mut packages = Vec::new();
    let mut keys: Vec<&str> = Vec::new();
    let mut requires: Vec<Vec<String>> = Vec::new();
    let entries = document.get("packages").and_then(Value::as_object);
    for (key, value) in entries.into_iter().flatten() {
        let line = lines.get(key).copied().unwrap_or(0);
        let Some(items) = value.as_array() else {
            warnings.push(ParseWarning {
                line: Some(line),
                message: format!("skipped `{key}`: not an array"),
            });
            continue;
        };
        let Some((name, spec)) = items
            .first()
            .and_then(Value::as_str)
            .and_then(node::split_descriptor)
        else {
            warnings.push(ParseWarning {
                line: Some(line),
                message: format!("skipped `{key}`: no `name@version` first item"),
            });
            continue;
        };
        let registry = items.get(1).and_then(Value::as_str);
        let Some((version, source)) = version_and_source(spec, registry) else {
            continue;
        };
        let mut package = Package::new(Ecosystem::Npm, name, version);
        package.line = line;
        package.source = source;
        if let Some(integrity) = items
            .iter()
            .skip(1)
            .filter_map(Value::as_str)
            .find(|item| item.starts_with("sha"))
        {
            package.hashes = node::integrity_hashes(integrity);
        }
        let info = items.iter().find_map(Value::as_object);
        requires.push(
            ["dependencies", "optionalDependencies", "peerDependencies"]
                .iter()
                .filter_map(|list| {
                    info.and_then(|info| info.get(*list))
                        .and_then(Value::as_object)
                })
                .flat_map(|declared| declared.keys().cloned())
                .collect(),
        );
        keys.push(key);
        packages.push(package);
    }
    let index = node::index_by(keys.iter().copied());
    for (position, package) in packages.iter_mut().enumerate() {
        let mut edges: Vec<usize> = requires[position]
            .iter()
            .filter_map(|name| resolve(&index, keys[position], name))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        package.dependencies = edges;
    }
    let mut direct = Vec::new();
    let mut root = None;
    for (workspace_path, workspace) in document
        .get("workspaces")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let declared = Manifest::from_value(workspace);
        for (name, _, scope) in &declared.declared {
            let nested = declared
                .name
                .as_deref()
                .and_then(|member| resolve(&index, member, name));
            let Some(found) = nested.or_else(|| index.get(name.as_str()).copied()) else {
                continue;
            };
            direct.push(found);
            packages[found].scope = node::most_needed(packages[found].scope, *scope);
        }
        if workspace_path.is_empty() {
            root = Some(declared);
        }
    }
    node::mark_relations(&mut packages, &direct);
    node::propagate_scopes(&mut packages);
    let manifest = Manifest::beside(path, files).or(root);
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::BunLock,
        root: manifest.as_ref().and_then(Manifest::root),
        packages: node::sort_by_line(packages),
        warnings,
    })
}

/// The version and source of an entry's spec; `None` for local code.
fn version_and_source(spec: &str, registry: Option<&str>) -> Option<(String, PackageSource)> {
    if spec.starts_with(|c: char| c.is_ascii_digit()) {
        let source = match registry {
            Some(url) if !url.is_empty() && !url.contains("registry.npmjs.org") => {
                PackageSource::AlternateRegistry {
                    url: url.trim_end_matches('/').to_owned(),
                }
            }
            _ => PackageSource::Registry,
        };
        return Some((spec.to_owned(), source));
    }
    let source = node::source_of(spec)?;
    Some((spec.to_owned(), source))
}

/// The install key `dependency` resolves to from the package at `from`:
/// `from/dependency`, then each enclosing key, then the top level.
fn resolve(index: &HashMap<&str, usize>, from: &str, dependency: &str) -> Option<usize> {
    let mut names = key_names(from);
    loop {
        let mut candidate = names.join("/");
        if !candidate.is_empty() {
            candidate.push('/');
        }
        candidate.push_str(dependency);
        if let Some(&found) = index.get(candidate.as_str()) {
            return Some(found);
        }
        names.pop()?;
    }
}

/// The package names along an install key (`a/@s/b/c` is `a`, `@s/b`, `c`).
fn key_names(key: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = key;
    while !rest.is_empty() {
        let segments = if rest.starts_with('@') { 2 } else { 1 };
        let end = rest
            .match_indices('/')
            .nth(segments - 1)
            .map_or(rest.len(), |(at, _)| at);
        names.push(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or_default();
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Relation, Scope};

    #[test]
    fn nested_copies_resolve_before_the_top_level_and_workspaces_stay_out() {
        let lock = r#"{
  // written by bun
  "lockfileVersion": 1,
  "workspaces": {
    "": { "name": "app", "devDependencies": { "@s/a": "^1", }, },
    "packages/lib": { "name": "lib", "dependencies": { "c": "^2" } },
  },
  "packages": {
    "@s/a": ["@s/a@1.0.0", "", { "dependencies": { "c": "^1" } }, "sha1-qUwlJ+kFHO4AM/5HPLCWyoqqw2c="],
    "c": ["c@2.0.0", "", {}, "sha512-bad"],
    "lib": ["lib@workspace:packages/lib"],
    "@s/a/c": ["c@1.0.0", "https://npm.example.com/", {}],
  },
}"#;
        let mut files = FileSet::new();
        files.insert("bun.lock", lock.as_bytes().to_vec());
        let lockfile = parse("bun.lock", &files).unwrap();
        assert_eq!(lockfile.root.as_ref().map(|r| r.name.as_str()), Some("app"));
        let names: Vec<_> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            names,
            vec![("@s/a", "1.0.0", 9), ("c", "2.0.0", 10), ("c", "1.0.0", 12)]
        );
        assert_eq!(lockfile.packages[0].dependencies, vec![2]);
        assert_eq!(lockfile.packages[0].scope, Scope::Development);
        assert_eq!(lockfile.packages[2].scope, Scope::Development);
        assert_eq!(
            (lockfile.packages[1].relation, lockfile.packages[1].scope),
            (Relation::Direct, Scope::Runtime)
        );
        assert!(matches!(
            lockfile.packages[2].source,
            PackageSource::AlternateRegistry { .. }
        ));
        assert_eq!(lockfile.packages[0].hashes.len(), 1);
    }

    #[test]
    fn install_keys_split_into_package_names() {
        assert_eq!(key_names("a/@s/b/c"), vec!["a", "@s/b", "c"]);
        assert_eq!(key_names("@s/b"), vec!["@s/b"]);
    }
}
