//! The Rust and JavaScript lockfile readers on small hand-written fixtures
//! and, when it is present, on the shared corpus of real lockfiles.

use std::path::Path;

use shipgate_deps::{
    FileSet, Hash, HashAlgorithm, Inventory, Lockfile, LockfileKind, Package, PackageSource,
    Relation, Scope,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/lockfiles"
);

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
    lockfile
        .packages
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect()
}

fn edges(lockfile: &Lockfile, package: &Package) -> Vec<String> {
    let mut edges: Vec<String> = package
        .dependencies
        .iter()
        .map(|&i| {
            format!(
                "{}@{}",
                lockfile.packages[i].name, lockfile.packages[i].version
            )
        })
        .collect();
    edges.sort();
    edges
}

fn has_hash(package: &Package, algorithm: HashAlgorithm, prefix: &str) -> bool {
    package.hashes.iter().any(
        |Hash {
             algorithm: a,
             value,
         }| *a == algorithm && value.starts_with(prefix),
    )
}

#[test]
fn npm_v3_workspaces_links_scopes_and_nested_copies() {
    let lockfile = read_fixture("npm-v3");
    assert_eq!(lockfile.kind, LockfileKind::NpmLock);
    assert_eq!(
        lockfile
            .root
            .as_ref()
            .map(|r| (r.name.as_str(), r.version.as_deref())),
        Some(("shop-front", Some("2.1.0")))
    );
    assert_eq!(
        names(&lockfile),
        [
            "left-pad@1.3.0",
            "tiny-util@2.4.1",
            "test-runner@4.2.0",
            "tiny-util@1.0.5",
            "fs-watch@3.1.0",
            "arg-parse@0.9.0"
        ]
    );
    let left_pad = find(&lockfile, "left-pad", "1.3.0");
    assert_eq!(
        (left_pad.relation, left_pad.scope, left_pad.line),
        (Relation::Direct, Scope::Runtime, 19)
    );
    assert_eq!(left_pad.licenses, ["WTFPL"]);
    assert!(has_hash(left_pad, HashAlgorithm::Sha1, "a94c2527"));
    assert_eq!(edges(&lockfile, left_pad), ["tiny-util@2.4.1"]);
    let tiny = find(&lockfile, "tiny-util", "2.4.1");
    assert_eq!(tiny.relation, Relation::Transitive);
    assert_eq!(tiny.licenses, ["ISC"]);
    assert_eq!(
        tiny.source,
        PackageSource::AlternateRegistry {
            url: "https://npm.corp.example".to_owned()
        }
    );
    let runner = find(&lockfile, "test-runner", "4.2.0");
    assert_eq!(
        (runner.relation, runner.scope),
        (Relation::Direct, Scope::Development)
    );
    assert_eq!(
        edges(&lockfile, runner),
        ["fs-watch@3.1.0", "tiny-util@1.0.5"]
    );
    assert_eq!(find(&lockfile, "fs-watch", "3.1.0").scope, Scope::Optional);
    let arg_parse = find(&lockfile, "arg-parse", "0.9.0");
    assert_eq!(
        arg_parse.relation,
        Relation::Direct,
        "a workspace member's dependency is direct"
    );
    assert_eq!(
        arg_parse.source,
        PackageSource::Git {
            url: "git+ssh://git@github.com/example/arg-parse.git".to_owned(),
            rev: Some("0123abc".to_owned())
        }
    );
}

#[test]
fn npm_v1_tree_is_flattened_and_relations_come_from_package_json() {
    let lockfile = read_fixture("npm-v1");
    assert_eq!(
        names(&lockfile),
        ["alpha@1.2.0", "beta@2.0.1", "beta@1.0.0"]
    );
    let alpha = find(&lockfile, "alpha", "1.2.0");
    assert_eq!((alpha.relation, alpha.line), (Relation::Direct, 7));
    assert!(has_hash(alpha, HashAlgorithm::Sha512, "0000"));
    assert_eq!(
        edges(&lockfile, alpha),
        ["beta@2.0.1"],
        "the nested copy wins over the top-level one"
    );
    let nested = find(&lockfile, "beta", "2.0.1");
    assert_eq!((nested.relation, nested.line), (Relation::Transitive, 15));
    assert!(has_hash(nested, HashAlgorithm::Sha1, "a94c2527"));
    let top = find(&lockfile, "beta", "1.0.0");
    assert_eq!(
        (top.relation, top.scope),
        (Relation::Direct, Scope::Development)
    );
}

#[test]
fn cargo_members_stay_out_and_dev_only_reach_is_development() {
    let lockfile = read_fixture("cargo");
    assert_eq!(
        lockfile.root.as_ref().map(|r| r.name.as_str()),
        Some("courier")
    );
    assert_eq!(
        names(&lockfile),
        [
            "bench-helper@0.3.0",
            "text-wrap@1.5.0",
            "text-wrap@2.0.0",
            "ziplib@0.1.0"
        ]
    );
    let bench = find(&lockfile, "bench-helper", "0.3.0");
    assert_eq!(
        (bench.relation, bench.scope, bench.line),
        (Relation::Direct, Scope::Development, 6)
    );
    assert!(has_hash(bench, HashAlgorithm::Sha256, "1111"));
    let wrap = find(&lockfile, "text-wrap", "2.0.0");
    assert_eq!(
        (wrap.relation, wrap.scope),
        (Relation::Direct, Scope::Runtime)
    );
    assert_eq!(edges(&lockfile, wrap), ["text-wrap@1.5.0"]);
    let old = find(&lockfile, "text-wrap", "1.5.0");
    assert_eq!(
        (old.relation, old.scope),
        (Relation::Transitive, Scope::Runtime)
    );
    assert_eq!(
        find(&lockfile, "ziplib", "0.1.0").source,
        PackageSource::Git {
            url: "https://github.com/example/ziplib?branch=main".to_owned(),
            rev: Some("abcdef0123456789".to_owned())
        }
    );
}

#[test]
fn yarn_berry_workspace_manifest_scopes_and_checksums() {
    let lockfile = read_fixture("yarn-berry");
    assert_eq!(
        lockfile.root.as_ref().map(|r| r.name.as_str()),
        Some("palette-site")
    );
    assert_eq!(
        names(&lockfile),
        ["color-mix@3.1.0", "hue-math@1.2.4", "lint-kit@5.0.3"]
    );
    let mix = find(&lockfile, "color-mix", "3.1.0");
    assert_eq!(
        (mix.relation, mix.scope, mix.line),
        (Relation::Direct, Scope::Runtime, 8)
    );
    assert!(has_hash(mix, HashAlgorithm::Sha512, "0a1b2c3d"));
    assert_eq!(edges(&lockfile, mix), ["hue-math@1.2.4"]);
    let hue = find(&lockfile, "hue-math", "1.2.4");
    assert_eq!(
        (hue.relation, hue.scope),
        (Relation::Transitive, Scope::Runtime)
    );
    let lint = find(&lockfile, "lint-kit", "5.0.3");
    assert_eq!(
        (lint.relation, lint.scope),
        (Relation::Direct, Scope::Development)
    );
}

#[test]
fn pnpm_v9_importers_snapshots_and_links() {
    let lockfile = read_fixture("pnpm-v9");
    assert_eq!(
        names(&lockfile),
        ["@acme/ui@1.4.0", "loose-env@0.2.0", "react@18.3.1"]
    );
    let ui = find(&lockfile, "@acme/ui", "1.4.0");
    assert_eq!(
        (ui.relation, ui.scope, ui.line),
        (Relation::Direct, Scope::Runtime, 23)
    );
    assert!(has_hash(ui, HashAlgorithm::Sha1, "a94c2527"));
    assert_eq!(edges(&lockfile, ui), ["loose-env@0.2.0", "react@18.3.1"]);
    let react = find(&lockfile, "react", "18.3.1");
    assert_eq!(
        (react.relation, react.scope),
        (Relation::Direct, Scope::Runtime),
        "runtime reach beats the dev declaration"
    );
    let loose = find(&lockfile, "loose-env", "0.2.0");
    assert_eq!(loose.relation, Relation::Transitive);
    assert!(matches!(loose.source, PackageSource::Url { .. }));
}

#[test]
fn bun_jsonc_workspaces_and_integrity() {
    let lockfile = read_fixture("bun");
    assert_eq!(
        lockfile.root.as_ref().map(|r| r.name.as_str()),
        Some("edge-worker")
    );
    assert_eq!(
        names(&lockfile),
        [
            "@types/router-lite@2.0.3",
            "router-lite@2.1.0",
            "path-match@1.0.2"
        ]
    );
    let types = find(&lockfile, "@types/router-lite", "2.0.3");
    assert_eq!(
        (types.relation, types.scope, types.line),
        (Relation::Direct, Scope::Development, 15)
    );
    let router = find(&lockfile, "router-lite", "2.1.0");
    assert_eq!(edges(&lockfile, router), ["path-match@1.0.2"]);
    assert!(has_hash(router, HashAlgorithm::Sha512, "0000"));
    let path_match = find(&lockfile, "path-match", "1.0.2");
    assert_eq!(
        (path_match.relation, path_match.scope),
        (Relation::Transitive, Scope::Runtime)
    );
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
        if let Some(package) = lockfile
            .packages
            .iter()
            .find(|p| p.line < 1 || p.line > lines)
        {
            failures.push(format!(
                "{file}: {} has line {}",
                package.name, package.line
            ));
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
                        && ["@workspace:", "@link:", "@portal:", "@file:"]
                            .iter()
                            .any(|p| l.contains(p))
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
                    .filter(|(key, entry)| {
                        !key.is_empty() && (!key.contains("node_modules/") || entry["link"] == true)
                    })
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
                if (line.starts_with("---") || counts.is_empty()) && counts.last() != Some(&(0, 0))
                {
                    counts.push((0, 0));
                }
                if !line.starts_with(' ') && !line.is_empty() {
                    in_packages = line == "packages:";
                } else if in_packages
                    && line.starts_with("  ")
                    && !line.starts_with("   ")
                    && line.ends_with(':')
                {
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
