//! NuGet `packages.lock.json`.
//!
//! Format facts relied on:
//! - `{"version": 1|2, "dependencies": {"<target framework>": {"<Package>":
//!   {"type", "requested", "resolved", "contentHash", "dependencies"}}}}`;
//!   version 2 adds `CentralTransitive` (a transitive package pinned by
//!   central package management).
//! - `type` gives the relation: `Direct` is direct, `Transitive` and
//!   `CentralTransitive` transitive. `Project` entries are other projects
//!   of the same solution: they are not packages, and the packages they
//!   depend on count as direct.
//! - `resolved` is the exact version; `contentHash` is the base64 SHA-512
//!   of the `.nupkg`; `dependencies` maps names to version ranges, which
//!   become edges to the package of that name resolved in the same target
//!   framework.
//! - Each target framework (and runtime-specific `tfm/rid` section)
//!   repeats its packages; one name and version is one package, with the
//!   edges of every framework.
//! - NuGet names are case-insensitive; they are matched ignoring case and
//!   kept as first written. The lockfile has no scope.
//! - The root component is the project file (`*.csproj`, `*.fsproj`,
//!   `*.vbproj`) beside the lockfile, when the set holds one.
//! - Lines: serde_json keeps no positions, so one forward pass over the
//!   text records the line of each package key under its framework.

use std::collections::HashMap;

use base64::Engine as _;
use serde::Deserialize;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Lockfile, LockfileError, Package, ParseWarning, Relation,
    RootComponent,
};
use crate::lockfile::LockfileKind;

#[derive(Deserialize)]
struct LockDocument {
    version: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: HashMap<String, HashMap<String, Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type", default)]
    kind: String,
    resolved: Option<String>,
    #[serde(rename = "contentHash")]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: HashMap<String, serde_json::Value>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let document: LockDocument = serde_json::from_str(text).map_err(|error| {
        super::error(
            path,
            u32::try_from(error.line()).ok(),
            format!("not a packages.lock.json: {error}"),
        )
    })?;
    let mut warnings = Vec::new();
    match document
        .version
        .as_ref()
        .and_then(serde_json::Value::as_u64)
    {
        Some(1 | 2) => {}
        Some(other) => warnings.push(warning(
            Some(1),
            format!("unknown lockfile version {other}; read as version 2"),
        )),
        None => warnings.push(warning(Some(1), "no lockfile version; read as version 2")),
    }
    let lines = package_lines(text);

    let mut frameworks: Vec<(&String, &HashMap<String, Entry>)> =
        document.dependencies.iter().collect();
    frameworks.sort_by_key(|(framework, _)| {
        lines
            .framework_order
            .get(framework.as_str())
            .copied()
            .unwrap_or(usize::MAX)
    });

    let mut packages: Vec<Package> = Vec::new();
    let mut index_of: HashMap<(String, String), usize> = HashMap::new();
    let mut project_dependencies: Vec<String> = Vec::new();
    let mut pending_edges: Vec<(usize, String, String)> = Vec::new();

    for (framework, entries) in &frameworks {
        let mut ordered: Vec<(&String, &Entry)> = entries.iter().collect();
        ordered.sort_by_key(|(name, _)| (line_of(&lines, framework, name), (*name).clone()));
        for (name, entry) in ordered {
            let line = line_of(&lines, framework, name);
            if entry.kind == "Project" {
                project_dependencies
                    .extend(entry.dependencies.keys().map(|d| d.to_ascii_lowercase()));
                continue;
            }
            let relation = match entry.kind.as_str() {
                "Direct" => Relation::Direct,
                "Transitive" | "CentralTransitive" => Relation::Transitive,
                other => {
                    warnings.push(warning(
                        Some(line),
                        format!("unknown dependency type `{other}` for `{name}`"),
                    ));
                    Relation::Unknown
                }
            };
            let Some(version) = entry.resolved.as_deref().filter(|v| !v.trim().is_empty()) else {
                warnings.push(warning(
                    Some(line),
                    format!("`{name}` has no resolved version; entry skipped"),
                ));
                continue;
            };
            let key = (name.to_ascii_lowercase(), version.to_owned());
            let index = match index_of.get(&key) {
                Some(&index) => {
                    if relation == Relation::Direct {
                        packages[index].relation = Relation::Direct;
                    }
                    index
                }
                None => {
                    let mut package = Package::new(Ecosystem::NuGet, name.clone(), version);
                    package.relation = relation;
                    package.line = line;
                    if let Some(hash) = entry.content_hash.as_deref() {
                        match decode_sha512(hash) {
                            Some(hash) => package.hashes.push(hash),
                            None => warnings.push(warning(
                                Some(line),
                                format!("contentHash of `{name}` is not a base64 SHA-512; ignored"),
                            )),
                        }
                    }
                    index_of.insert(key, packages.len());
                    packages.push(package);
                    packages.len() - 1
                }
            };
            for dependency in entry.dependencies.keys() {
                pending_edges.push((
                    index,
                    framework.to_string(),
                    dependency.to_ascii_lowercase(),
                ));
            }
        }
    }

    let mut resolved_in: HashMap<(&str, String), usize> = HashMap::new();
    for (framework, entries) in &frameworks {
        for (name, entry) in entries.iter() {
            if let Some(version) = &entry.resolved
                && let Some(&index) = index_of.get(&(name.to_ascii_lowercase(), version.clone()))
            {
                resolved_in.insert((framework.as_str(), name.to_ascii_lowercase()), index);
            }
        }
    }
    for (from, framework, dependency) in pending_edges {
        if let Some(&to) = resolved_in.get(&(framework.as_str(), dependency))
            && to != from
            && !packages[from].dependencies.contains(&to)
        {
            packages[from].dependencies.push(to);
        }
    }
    for package in &mut packages {
        package.dependencies.sort_unstable();
        if package.relation == Relation::Transitive
            && project_dependencies.contains(&package.name.to_ascii_lowercase())
        {
            package.relation = Relation::Direct;
        }
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::NugetLock,
        root: project_root(path, files),
        packages,
        warnings,
    })
}

fn line_of(lines: &PackageLines, framework: &str, name: &str) -> u32 {
    lines
        .packages
        .get(&(framework.to_owned(), name.to_owned()))
        .copied()
        .unwrap_or(0)
}

fn decode_sha512(text: &str) -> Option<Hash> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()?;
    (bytes.len() == 64).then(|| Hash {
        algorithm: HashAlgorithm::Sha512,
        value: bytes.iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// The project file in the lockfile's directory, named by its stem.
fn project_root(path: &str, files: &FileSet) -> Option<RootComponent> {
    let directory = path.rsplit_once('/').map_or("", |(directory, _)| directory);
    files.iter().find_map(|(candidate, _)| {
        let (candidate_directory, name) = candidate.rsplit_once('/').unwrap_or(("", candidate));
        if candidate_directory != directory {
            return None;
        }
        let stem = name
            .strip_suffix(".csproj")
            .or_else(|| name.strip_suffix(".fsproj"))
            .or_else(|| name.strip_suffix(".vbproj"))?;
        Some(RootComponent {
            name: stem.to_owned(),
            version: None,
            ecosystem: Ecosystem::NuGet,
        })
    })
}

/// Lines of the package keys, found in one pass over the JSON text.
#[derive(Default)]
struct PackageLines {
    framework_order: HashMap<String, usize>,
    packages: HashMap<(String, String), u32>,
}

/// Walks the JSON text once, tracking object depth, and records each key
/// at depth 2 under `dependencies` (a framework) and depth 3 (a package).
fn package_lines(text: &str) -> PackageLines {
    let mut result = PackageLines::default();
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut line = 1u32;
    let mut path: Vec<Option<String>> = Vec::new();
    let mut last_string: Option<(String, u32)> = None;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => line += 1,
            b'"' => {
                let start = index + 1;
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    if bytes[index] == b'\\' {
                        index += 1;
                    } else if bytes[index] == b'\n' {
                        line += 1;
                    }
                    index += 1;
                }
                let end = index.min(bytes.len());
                last_string = text.get(start..end).map(|s| (s.to_owned(), line));
            }
            b':' => {
                if let Some((key, key_line)) = last_string.take() {
                    record_key(&mut result, &path, depth, key.clone(), key_line);
                    if path.len() < depth {
                        path.resize(depth, None);
                    }
                    if depth > 0 {
                        path.truncate(depth);
                        path[depth - 1] = Some(key);
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                last_string = None;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                path.truncate(depth);
            }
            b',' => last_string = None,
            _ => {}
        }
        index += 1;
    }
    result
}

fn record_key(
    result: &mut PackageLines,
    path: &[Option<String>],
    depth: usize,
    key: String,
    line: u32,
) {
    let in_dependencies = path.first().and_then(Option::as_deref) == Some("dependencies");
    match depth {
        2 if in_dependencies => {
            let order = result.framework_order.len();
            result.framework_order.entry(key).or_insert(order);
        }
        3 if in_dependencies => {
            if let Some(Some(framework)) = path.get(1) {
                result
                    .packages
                    .entry((framework.clone(), key))
                    .or_insert(line);
            }
        }
        _ => {}
    }
}

fn warning(line: Option<u32>, message: impl Into<String>) -> ParseWarning {
    ParseWarning {
        line,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
  "version": 2,
  "dependencies": {
    "net8.0": {
      "Serilog": {
        "type": "Direct",
        "requested": "[3.1.1, )",
        "resolved": "3.1.1",
        "contentHash": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==",
        "dependencies": { "System.Buffers": "4.5.1" }
      },
      "System.Buffers": { "type": "Transitive", "resolved": "4.5.1", "contentHash": "not base64!" },
      "Shared.Lib": { "type": "Project", "dependencies": { "Polly": "[8.0.0, )" } },
      "Polly": { "type": "CentralTransitive", "requested": "[8.0.0, )", "resolved": "8.0.0" }
    },
    "net8.0/linux-x64": {
      "serilog": { "type": "Direct", "resolved": "3.1.1", "dependencies": { "System.Buffers": "4.5.1" } },
      "System.Buffers": { "type": "Transitive", "resolved": "4.6.0" }
    }
  }
}"#;

    #[test]
    fn relations_hashes_edges_lines_and_framework_dedupe() {
        let mut files = FileSet::new();
        files.insert("src/App/packages.lock.json", SAMPLE.as_bytes().to_vec());
        files.insert("src/App/App.csproj", b"<Project/>".to_vec());
        let lockfile = parse("src/App/packages.lock.json", &files).unwrap();
        assert_eq!(lockfile.root.unwrap().name, "App");
        let got: Vec<_> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.relation, p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("Serilog", "3.1.1", Relation::Direct, 5),
                ("System.Buffers", "4.5.1", Relation::Transitive, 12),
                ("Polly", "8.0.0", Relation::Direct, 14),
                ("System.Buffers", "4.6.0", Relation::Transitive, 18),
            ]
        );
        assert_eq!(lockfile.packages[0].dependencies, [1, 3]);
        let hash = &lockfile.packages[0].hashes[0];
        assert_eq!(hash.algorithm, HashAlgorithm::Sha512);
        assert!(hash.value.starts_with("000102030405"));
        assert_eq!(hash.value.len(), 128);
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(12));
    }

    #[test]
    fn invalid_json_is_an_error_with_a_line_and_unknown_versions_warn() {
        let mut files = FileSet::new();
        files.insert(
            "packages.lock.json",
            b"{\n  \"version\": 1,\n  \"dependencies\": {\n".to_vec(),
        );
        assert!(
            parse("packages.lock.json", &files)
                .unwrap_err()
                .line
                .is_some()
        );
        files.insert(
            "packages.lock.json",
            br#"{"version": 9, "dependencies": {}}"#.to_vec(),
        );
        let lockfile = parse("packages.lock.json", &files).unwrap();
        assert!(lockfile.warnings[0].message.contains("version 9"));
    }
}
