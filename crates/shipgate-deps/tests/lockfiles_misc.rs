//! go.mod, Gemfile.lock, Gradle locks, pom.xml, NuGet, pubspec.lock and
//! mix.lock read through `Inventory::build`, on invented fixtures and on
//! the real-world corpus when it is present.

use std::path::Path;

mod common;

use common::{add_tree, find_package};
use shipgate_deps::{
    FileSet, HashAlgorithm, Inventory, Lockfile, LockfileKind, PackageSource, Relation, Scope,
};

/// Every file under `dir`, keyed by its path relative to `dir`.
fn load(dir: &Path) -> FileSet {
    let mut files = FileSet::new();
    add_tree(&mut files, dir, dir);
    files
}

fn fixture(format: &str, lockfile: &str) -> Lockfile {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(format);
    let inventory = Inventory::build(&load(&dir));
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    inventory
        .lockfiles
        .into_iter()
        .find(|l| l.path == lockfile)
        .unwrap_or_else(|| panic!("{lockfile} was not read"))
}

fn summary(lockfile: &Lockfile) -> Vec<(String, String, Relation, Scope, u32)> {
    lockfile
        .packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.relation,
                p.scope,
                p.line,
            )
        })
        .collect()
}

fn row(
    name: &str,
    version: &str,
    relation: Relation,
    scope: Scope,
    line: u32,
) -> (String, String, Relation, Scope, u32) {
    (name.to_owned(), version.to_owned(), relation, scope, line)
}

#[test]
fn go_mod_requirements_replacements_and_stdlib() {
    let lockfile = fixture("gomod", "go.mod");
    assert_eq!(lockfile.kind, LockfileKind::GoMod);
    assert_eq!(
        lockfile.root.as_ref().unwrap().name,
        "example.org/inventory-svc"
    );
    use Relation::{Direct, Transitive};
    let runtime = Scope::Runtime;
    assert_eq!(
        summary(&lockfile),
        [
            row("example.org/kit", "v1.4.2", Direct, runtime, 8),
            row("golang.org/x/text", "v0.14.0", Transitive, runtime, 9),
            row("example.org/legacy-fork", "v0.3.1", Direct, runtime, 10),
            row(
                "example.org/shared",
                "v0.0.0-00010101000000-000000000000",
                Direct,
                runtime,
                11
            ),
            row(
                "example.org/metrics",
                "v2.1.0+incompatible",
                Direct,
                runtime,
                14
            ),
            row("stdlib", "1.22.4", Direct, runtime, 5),
        ]
    );
    assert_eq!(
        find_package(&lockfile, "example.org/shared").source,
        PackageSource::Path {
            path: "./shared".to_owned()
        }
    );
    assert!(lockfile.packages.iter().all(|p| p.hashes.is_empty()));
    assert_eq!(
        find_package(&lockfile, "example.org/kit").purl(),
        "pkg:golang/example.org/kit@v1.4.2"
    );
    assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
}

#[test]
fn gemfile_lock_sources_platforms_edges_and_checksums() {
    let lockfile = fixture("gemfile", "Gemfile.lock");
    let root = lockfile.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("storefront", Some("0.9.0"))
    );
    use Relation::{Direct, Transitive};
    let unknown = Scope::Unknown;
    assert_eq!(
        summary(&lockfile),
        [
            row("paperclip-lite", "2.0.1", Direct, unknown, 6),
            row("mime-types", "3.5.2", Transitive, unknown, 18),
            row("mime-types-data", "3.2024.0305", Transitive, unknown, 20),
            row("nokogiri", "1.16.2", Direct, unknown, 21),
            row("racc", "1.7.3", Transitive, unknown, 25),
            row("rack", "3.0.9", Direct, unknown, 26),
            row("rspec", "3.13.0", Direct, unknown, 27),
        ]
    );
    assert_eq!(find_package(&lockfile, "paperclip-lite").dependencies, [1]);
    assert_eq!(find_package(&lockfile, "mime-types").dependencies, [2]);
    assert_eq!(find_package(&lockfile, "nokogiri").dependencies, [4]);
    let nokogiri_hashes: Vec<_> = find_package(&lockfile, "nokogiri")
        .hashes
        .iter()
        .map(|h| &h.value[..4])
        .collect();
    assert_eq!(nokogiri_hashes, ["2222", "3333"]);
    assert_eq!(
        find_package(&lockfile, "mime-types").hashes[0].algorithm,
        HashAlgorithm::Sha256
    );
    assert!(matches!(
        &find_package(&lockfile, "paperclip-lite").source,
        PackageSource::Git { url, rev: Some(rev) } if url.ends_with("paperclip-lite.git") && rev.starts_with("5c1f")
    ));
    assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
}

#[test]
fn gradle_lockfile_versions_per_configuration_and_scopes() {
    let lockfile = fixture("gradle", "gradle.lockfile");
    use Relation::Unknown;
    assert_eq!(
        summary(&lockfile),
        [
            row(
                "com.google.guava:guava",
                "33.0.0-jre",
                Unknown,
                Scope::Runtime,
                4
            ),
            row(
                "com.google.guava:guava",
                "31.1-jre",
                Unknown,
                Scope::Development,
                5
            ),
            row(
                "org.assertj:assertj-core",
                "3.25.1",
                Unknown,
                Scope::Development,
                6
            ),
            row("org.slf4j:slf4j-api", "2.0.11", Unknown, Scope::Runtime, 7),
        ]
    );
    assert_eq!(lockfile.warnings.len(), 1);
    assert_eq!(lockfile.warnings[0].line, Some(8));
    assert_eq!(
        lockfile.packages[0].purl(),
        "pkg:maven/com.google.guava/guava@33.0.0-jre"
    );
}

#[test]
fn pom_resolves_parent_management_and_properties() {
    let lockfile = fixture("maven", "service/pom.xml");
    let root = lockfile.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("org.example.shop:shop-service", Some("1.3.0"))
    );
    use Relation::Direct;
    assert_eq!(
        summary(&lockfile),
        [
            row(
                "io.netty:netty-handler",
                "4.1.107.Final",
                Direct,
                Scope::Runtime,
                15
            ),
            row(
                "com.fasterxml.jackson.core:jackson-databind",
                "2.16.1",
                Direct,
                Scope::Runtime,
                19
            ),
            row(
                "jakarta.servlet:jakarta.servlet-api",
                "6.0.0",
                Direct,
                Scope::Development,
                24
            ),
            row(
                "org.example.shop:shop-model",
                "1.3.0",
                Direct,
                Scope::Runtime,
                30
            ),
        ]
    );
    assert_eq!(lockfile.warnings.len(), 1);
    assert_eq!(lockfile.warnings[0].line, Some(35));
    let parent = fixture("maven", "pom.xml");
    assert!(
        parent.packages.is_empty(),
        "managed versions are not packages"
    );
}

#[test]
fn nuget_lock_relations_hashes_edges_and_dedupe() {
    let lockfile = fixture("nuget", "packages.lock.json");
    use Relation::{Direct, Transitive};
    let unknown = Scope::Unknown;
    assert_eq!(
        summary(&lockfile),
        [
            row("Newtonsoft.Json", "13.0.3", Direct, unknown, 5),
            row("Microsoft.Extensions.Logging", "8.0.0", Direct, unknown, 11),
            row(
                "Microsoft.Extensions.Logging.Abstractions",
                "8.0.0",
                Transitive,
                unknown,
                20
            ),
            row("Dapper", "2.1.28", Direct, unknown, 31),
        ]
    );
    assert_eq!(lockfile.packages[1].dependencies, [2]);
    let hash = &lockfile.packages[0].hashes[0];
    assert_eq!(hash.algorithm, HashAlgorithm::Sha512);
    assert_eq!(&hash.value[..8], "00010203");
    assert!(lockfile.packages[3].hashes.is_empty());
}

#[test]
fn pubspec_lock_kinds_sources_and_sdk_packages() {
    let lockfile = fixture("pubspec", "pubspec.lock");
    let root = lockfile.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("field_notes", Some("0.7.1+12"))
    );
    use Relation::{Direct, Transitive};
    assert_eq!(
        summary(&lockfile),
        [
            row("collection", "1.18.0", Transitive, Scope::Unknown, 4),
            row("http", "1.2.0", Direct, Scope::Runtime, 17),
            row("mocktail", "1.0.3", Direct, Scope::Development, 25),
            row("theme_kit", "2.0.0", Direct, Scope::Runtime, 33),
        ]
    );
    assert_eq!(
        lockfile.packages[0].hashes[0].value,
        "ee67cb0715911d28db6bf4af1026078bd6f0128b07a5f66fb2ed94ec6783c09a"
    );
    assert!(
        matches!(&lockfile.packages[3].source, PackageSource::Git { rev: Some(rev), .. } if rev.starts_with("9a8b"))
    );
}

#[test]
fn mix_lock_entries_edges_and_manifest_relations() {
    let lockfile = fixture("mix", "mix.lock");
    let root = lockfile.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("courier", Some("1.1.0"))
    );
    use Relation::{Direct, Transitive};
    assert_eq!(
        summary(&lockfile),
        [
            row("castore", "1.0.5", Transitive, Scope::Unknown, 2),
            row("finch", "0.18.0", Direct, Scope::Runtime, 3),
            row("mint", "1.5.2", Transitive, Scope::Unknown, 4),
            row("ex_doc", "0.31.1", Direct, Scope::Development, 5),
            row(
                "tz_rules",
                "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
                Direct,
                Scope::Runtime,
                6
            ),
        ]
    );
    assert_eq!(lockfile.packages[1].dependencies, [0, 2]);
    assert_eq!(lockfile.packages[2].dependencies, [0]);
    assert_eq!(
        lockfile.packages[0].hashes[0].value,
        "8d7c597c3e4a64c395980882d4bca3cebb8d74197c590dc272cfd3b6a6310578"
    );
    assert_eq!(lockfile.packages[0].purl(), "pkg:hex/castore@1.0.5");
}

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/lockfiles"
);

/// Files of the corpus that complete the lockfiles of this set.
fn is_misc_file(name: &str) -> bool {
    matches!(
        name,
        "go.mod"
            | "go.sum"
            | "Gemfile.lock"
            | "gradle.lockfile"
            | "pom.xml"
            | "packages.lock.json"
            | "pubspec.lock"
            | "pubspec.yaml"
            | "mix.lock"
            | "mix.exs"
    ) || name.ends_with(".csproj")
}

#[test]
fn corpus_files_parse_with_plausible_counts() {
    let corpus = Path::new(CORPUS);
    if !corpus.is_dir() {
        println!("corpus not found at {CORPUS}; skipping");
        return;
    }
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [file, _, _, _, count, ..] = fields.as_slice() else {
            continue;
        };
        let name = file.rsplit('/').next().unwrap_or(file);
        if !is_misc_file(name) || name == "go.sum" {
            continue;
        }
        let expected: usize = count.parse().unwrap();
        let (repo, path) = file.split_once('/').unwrap();
        let mut files = FileSet::new();
        let whole = load(&corpus.join(repo));
        for (candidate, content) in whole.iter() {
            if is_misc_file(candidate.rsplit('/').next().unwrap_or(candidate)) {
                files.insert(candidate, content.to_vec());
            }
        }
        let started = std::time::Instant::now();
        let inventory = Inventory::build(&files);
        let elapsed = started.elapsed();
        assert!(
            inventory.errors.is_empty(),
            "{file}: {:?}",
            inventory.errors
        );
        let lockfile = inventory
            .lockfiles
            .iter()
            .find(|l| l.path == *path)
            .unwrap();
        let got = lockfile.packages.len();
        let line_count = u32::try_from(
            std::fs::read_to_string(corpus.join(file))
                .unwrap()
                .lines()
                .count(),
        )
        .unwrap();
        assert!(
            lockfile.packages.iter().all(|p| p.line <= line_count),
            "{file}: line beyond the end"
        );
        println!(
            "{file}: {got} packages (MANIFEST {expected}), {} warnings, {elapsed:?}",
            lockfile.warnings.len()
        );
        match lockfile.kind {
            // MANIFEST counts every required module; this adds `stdlib`.
            LockfileKind::GoMod => assert_eq!(got, expected + 1, "{file}"),
            // MANIFEST counts each line, as this parser keeps each version.
            LockfileKind::GradleLock => assert_eq!(got, expected, "{file}"),
            // MANIFEST counts every spec line: platform variants of one gem
            // and the project's own gems (`PATH` at `.`) are not packages here.
            LockfileKind::GemfileLock => {
                assert!(
                    got <= expected && got * 10 >= expected * 8,
                    "{file}: {got} vs {expected}"
                )
            }
            // MANIFEST counts `Project` entries (the solution's own
            // projects), which are not packages here.
            LockfileKind::NugetLock => {
                assert!(
                    got <= expected && got * 10 >= expected * 7,
                    "{file}: {got} vs {expected}"
                )
            }
            // MANIFEST counts every `<dependency>` element, including
            // managed versions and plugin dependencies; versions inherited
            // from parents outside the repository cannot be resolved offline.
            LockfileKind::MavenPom => assert!(got <= expected, "{file}: {got} vs {expected}"),
            _ => assert!(got <= expected, "{file}: {got} vs {expected}"),
        }
        checked += 1;
    }
    assert!(checked > 0, "the corpus lists no file of this set");
}

#[test]
fn manifests_that_complete_these_lockfiles_are_collected() {
    use shipgate_deps::lockfile::is_relevant;
    for path in [
        "app/pubspec.yaml",
        "mix.exs",
        "src/App/App.csproj",
        "svc/go.sum",
        "svc/go.mod",
        "a/pom.xml",
    ] {
        assert!(is_relevant(path), "{path}");
    }
    assert!(!is_relevant("README.md"));
}
