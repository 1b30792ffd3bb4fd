//! The Rust and JavaScript lockfile readers on small hand-written fixtures
//! and, when it is present, on the shared corpus of real lockfiles.

use std::path::Path;

use shipgate_deps::{
    FileSet, Hash, HashAlgorithm, Inventory, Lockfile, LockfileKind, Package, PackageSource, Relation, Scope,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/lockfiles");

/// Reads the fixture directory `dir` as a scan root and returns its one lockfile.
fn read_fixture(dir: &str) -> Lockfile {
    let root = Path::new(FIXTURES).join(dir);
    let mut files = FileSet::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        files.insert(name, std::fs::read(entry.path()).unwrap());
    }
    let inventory = Inventory::build(&files);
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    assert_eq!(inventory.lockfiles.len(), 1);
    inventory.lockfiles.into_iter().next().unwrap()
}

fn find<'a>(lockfile: &'a Lockfile, name: &str, version: &str) -> &'a Package {
    lockfile
        .packages
        .iter()
        .find(|p| p.name == name && p.version == version)
        .unwrap_or_else(|| panic!("{name}@{version} missing from {:?}", names(lockfile)))
}

fn names(lockfile: &Lockfile) -> Vec<String> {
    lockfile.packages.iter().map(|p| format!("{}@{}", p.name, p.version)).collect()
}

fn edges(lockfile: &Lockfile, package: &Package) -> Vec<String> {
    let mut edges: Vec<String> = package
        .dependencies
        .iter()
        .map(|&i| format!("{}@{}", lockfile.packages[i].name, lockfile.packages[i].version))
        .collect();
    edges.sort();
    edges
}

fn has_hash(package: &Package, algorithm: HashAlgorithm, prefix: &str) -> bool {
    package
        .hashes
        .iter()
        .any(|Hash { algorithm: a, value }| *a == algorithm && value.starts_with(prefix))
}

#[test]
fn corpus_lockfiles_parse_with_their_manifest_counts() {
    // A checkout outside the usual layout can point at the corpus itself.
    let corpus = std::env::var("SHIPGATE_LOCKFILE_CORPUS").unwrap_or_else(|_| CORPUS.to_owned());
    let corpus = Path::new(&corpus);
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        println!("corpus not present at {}; skipped", corpus.display());
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in manifest.lines().skip(1) {
        let fields: Vec<&str> = row.split('\t').collect();
        let [file, _, ecosystem, _, count, ..] = fields[..] else {
            continue;
        };
        if !["cargo", "npm", "yarn", "pnpm", "bun"].contains(&ecosystem) {
            continue;
        }
        let expected: usize = count.parse().unwrap();
        let path = corpus.join(file);
        let text = std::fs::read(&path).unwrap();
        let mut files = FileSet::new();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        files.insert(name.clone(), text.clone());
        for manifest_name in ["package.json", "Cargo.toml"] {
            if let Ok(content) = std::fs::read(path.with_file_name(manifest_name)) {
                files.insert(manifest_name, content);
            }
        }
        let started = std::time::Instant::now();
        let inventory = Inventory::build(&files);
        let elapsed = started.elapsed();
        let Some(lockfile) = inventory.lockfiles.iter().find(|l| l.path == name) else {
            failures.push(format!("{file}: {:?}", inventory.errors));
            continue;
        };
        let found = lockfile.packages.len();
        let text = String::from_utf8(text).unwrap();
        let want = expected_count(ecosystem, &text, expected);
        println!(
            "{file}: {found} packages (manifest {expected}, expected {want}), {} warnings, {elapsed:?}",
            lockfile.warnings.len()
        );
        if found != want {
            failures.push(format!("{file}: {found} packages, expected {want}"));
        }
        let lines = text.lines().count() as u32;
        if let Some(package) = lockfile.packages.iter().find(|p| p.line < 1 || p.line > lines) {
            failures.push(format!("{file}: {} has line {}", package.name, package.line));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked > 0);
}

/// The package count to expect from the manifest's count, where the
/// definitions differ.
fn expected_count(ecosystem: &str, text: &str, manifest: usize) -> usize {
    match ecosystem {
        // The manifest counts every `[[package]]`; workspace members and
        // path dependencies (no `source`) are the project, not packages.
        "cargo" => {
            let tables = text.lines().filter(|l| *l == "[[package]]").count();
            let sourced = text.lines().filter(|l| l.starts_with("source = ")).count();
            manifest - (tables - sourced)
        }
        // The manifest counts every entry; workspaces and links are the
        // project itself.
        "yarn" => {
            let local = text
                .lines()
                .filter(|l| {
                    l.starts_with("  resolution: ")
                        && ["@workspace:", "@link:", "@portal:", "@file:"].iter().any(|p| l.contains(p))
                })
                .count();
            manifest - local
        }
        // The manifest counts every `packages` entry but the project's
        // own; links and workspace member directories are the project too.
        "npm" => {
            let lock: serde_json::Value = serde_json::from_str(text).unwrap();
            let local = lock["packages"].as_object().map_or(0, |packages| {
                packages
                    .iter()
                    .filter(|(key, entry)| !key.is_empty() && (!key.contains("node_modules/") || entry["link"] == true))
                    .count()
            });
            manifest - local
        }
        // The manifest counts the last document's `packages`; earlier
        // documents (pnpm's own tool lock) add theirs, and local `file:`
        // and `link:` packages are the project's own code.
        "pnpm" => {
            let mut counts = Vec::new();
            let mut in_packages = false;
            for line in text.lines() {
                if line.starts_with("---") || counts.is_empty() {
                    if counts.last() != Some(&(0, 0)) {
                        counts.push((0, 0));
                    }
                }
                if !line.starts_with(' ') && !line.is_empty() {
                    in_packages = line == "packages:";
                } else if in_packages && line.starts_with("  ") && !line.starts_with("   ") && line.ends_with(':') {
                    let last = counts.last_mut().unwrap();
                    last.0 += 1;
                    if line.contains("@file:") || line.contains("@link:") {
                        last.1 += 1;
                    }
                }
            }
            assert_eq!(counts.last().unwrap().0, manifest);
            counts.iter().map(|(keys, local)| keys - local).sum()
        }
        _ => manifest,
    }
}
