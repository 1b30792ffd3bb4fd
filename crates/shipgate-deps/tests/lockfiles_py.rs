//! Python and PHP lockfiles read through `Inventory::build`: the fixtures
//! under `tests/fixtures/`, and every corpus file of these formats when
//! the shared corpus is present.

use std::collections::HashMap;
use std::path::PathBuf;

mod common;

use common::{add_tree, find_package};
use shipgate_deps::{
    FileSet, HashAlgorithm, Inventory, Lockfile, LockfileKind, PackageSource, Relation, Scope,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/lockfiles"
);

fn fixture_inventory(format: &str) -> Inventory {
    let root = PathBuf::from(FIXTURES);
    let mut files = FileSet::new();
    add_tree(&mut files, &root, &root.join(format));
    let inventory = Inventory::build(&files);
    assert!(inventory.errors.is_empty(), "{:?}", inventory.errors);
    inventory
}

fn lockfile<'a>(inventory: &'a Inventory, path: &str) -> &'a Lockfile {
    inventory
        .lockfiles
        .iter()
        .find(|lockfile| lockfile.path == path)
        .unwrap_or_else(|| {
            panic!(
                "{path} not read; read: {:?}",
                inventory
                    .lockfiles
                    .iter()
                    .map(|l| &l.path)
                    .collect::<Vec<_>>()
            )
        })
}

/// Each package as (name, version, relation, scope, line), in lockfile order.
fn package_rows(lockfile: &Lockfile) -> Vec<(&str, &str, Relation, Scope, u32)> {
    lockfile
        .packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.relation,
                p.scope,
                p.line,
            )
        })
        .collect()
}

fn names_of(lockfile: &Lockfile, indices: &[usize]) -> Vec<String> {
    indices
        .iter()
        .map(|&index| lockfile.packages[index].name.clone())
        .collect()
}

#[test]
fn poetry_fixture() {
    let inventory = fixture_inventory("poetry");
    let lock = lockfile(&inventory, "poetry/poetry.lock");
    assert_eq!(lock.kind, LockfileKind::PoetryLock);
    let root = lock.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("weather-api", Some("1.4.0"))
    );
    let names: Vec<&str> = lock.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "certifi",
            "httpx",
            "sniffio",
            "ujson",
            "pytest",
            "internal-tools"
        ]
    );
    assert!(lock.warnings.is_empty(), "{:?}", lock.warnings);

    let certifi = find_package(lock, "certifi");
    assert_eq!((certifi.version.as_str(), certifi.line), ("2024.8.30", 3));
    // Asked for by the project's own `shared` directory package.
    assert_eq!(
        (certifi.relation, certifi.scope),
        (Relation::Direct, Scope::Runtime)
    );
    assert_eq!(certifi.hashes.len(), 2);
    assert_eq!(certifi.hashes[0].algorithm, HashAlgorithm::Sha256);
    assert_eq!(
        certifi.hashes[0].value,
        "922820b53db7a7257ffbda3f597266d435245903d80737e34f06d52f8a2e3d1f"
    );
    assert_eq!(certifi.purl(), "pkg:pypi/certifi@2024.8.30");

    let httpx = find_package(lock, "httpx");
    assert_eq!(
        (httpx.relation, httpx.scope, httpx.line),
        (Relation::Direct, Scope::Runtime, 15)
    );
    assert_eq!(names_of(lock, &httpx.dependencies), ["certifi", "sniffio"]);

    let sniffio = find_package(lock, "sniffio");
    assert_eq!(
        (sniffio.relation, sniffio.scope),
        (Relation::Transitive, Scope::Runtime)
    );
    let ujson = find_package(lock, "ujson");
    assert_eq!(
        (ujson.relation, ujson.scope),
        (Relation::Direct, Scope::Optional)
    );
    let pytest = find_package(lock, "pytest");
    assert_eq!(
        (pytest.relation, pytest.scope, pytest.line),
        (Relation::Direct, Scope::Development, 54)
    );
    assert_eq!(names_of(lock, &pytest.dependencies), ["sniffio"]);
    let internal = find_package(lock, "internal-tools");
    assert_eq!(
        internal.source,
        PackageSource::AlternateRegistry {
            url: "https://pkgs.example.org/simple".into()
        }
    );
    assert!(!lock.packages.iter().any(|p| p.name == "shared"));
}

#[test]
fn uv_fixture() {
    let inventory = fixture_inventory("uv");
    let lock = lockfile(&inventory, "uv/uv.lock");
    assert!(lock.warnings.is_empty(), "{:?}", lock.warnings);
    let root = lock.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("notes-cli", Some("0.2.0"))
    );
    let summary = package_rows(lock);
    assert_eq!(
        summary,
        [
            ("click", "8.1.7", Relation::Direct, Scope::Runtime, 5),
            (
                "markdown-it-py",
                "3.0.0",
                Relation::Direct,
                Scope::Runtime,
                14
            ),
            ("mdurl", "0.1.2", Relation::Transitive, Scope::Runtime, 23),
            ("rich", "13.7.1", Relation::Direct, Scope::Runtime, 53),
            ("ruff", "0.6.9", Relation::Direct, Scope::Development, 61),
        ]
    );
    assert_eq!(find_package(lock, "click").hashes.len(), 2);
    assert_eq!(
        names_of(lock, &find_package(lock, "markdown-it-py").dependencies),
        ["mdurl"]
    );
    assert_eq!(
        names_of(lock, &find_package(lock, "rich").dependencies),
        ["markdown-it-py"]
    );
    assert_eq!(
        find_package(lock, "rich").source,
        PackageSource::Git {
            url: "https://github.com/example/rich".into(),
            rev: Some("7c2ea4b1f9e3d5a6b8c0d2e4f6a8b0c2d4e6f8a0".into())
        }
    );
}

#[test]
fn pipfile_fixture() {
    let inventory = fixture_inventory("pipfile");
    let lock = lockfile(&inventory, "pipfile/Pipfile.lock");
    assert!(lock.warnings.is_empty(), "{:?}", lock.warnings);
    assert_eq!(lock.root, None);
    let summary = package_rows(lock);
    assert_eq!(
        summary,
        [
            ("django", "5.0.9", Relation::Direct, Scope::Runtime, 19),
            // Locked identically in both categories: one runtime package.
            (
                "sqlparse",
                "0.5.1",
                Relation::Transitive,
                Scope::Runtime,
                28
            ),
            (
                "coverage",
                "7.6.1",
                Relation::Direct,
                Scope::Development,
                47
            ),
            ("fixtures-lib", "", Relation::Direct, Scope::Development, 51),
        ]
    );
    assert_eq!(find_package(lock, "django").hashes.len(), 2);
    assert_eq!(find_package(lock, "sqlparse").hashes.len(), 1);
    assert!(matches!(
        find_package(lock, "fixtures-lib").source,
        PackageSource::Git { .. }
    ));
}

#[test]
fn pdm_fixture() {
    let inventory = fixture_inventory("pdm");
    let lock = lockfile(&inventory, "pdm/pdm.lock");
    assert!(lock.warnings.is_empty(), "{:?}", lock.warnings);
    assert_eq!(
        lock.root.as_ref().map(|r| r.name.as_str()),
        Some("config-loader")
    );
    let summary: Vec<(&str, Relation, Scope, u32)> = lock
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.relation, p.scope, p.line))
        .collect();
    assert_eq!(
        summary,
        [
            ("attrs", Relation::Transitive, Scope::Runtime, 13),
            ("cattrs", Relation::Direct, Scope::Runtime, 23),
            ("flake8", Relation::Direct, Scope::Development, 37),
            ("pyflakes", Relation::Transitive, Scope::Development, 48),
        ]
    );
    assert_eq!(
        names_of(lock, &find_package(lock, "cattrs").dependencies),
        ["attrs"]
    );
    assert_eq!(
        names_of(lock, &find_package(lock, "flake8").dependencies),
        ["pyflakes"]
    );
    assert_eq!(
        find_package(lock, "attrs").hashes[0].value,
        "81921eb96de3191c8258c199618104dd27ac608d9366f5e35d011eae1867ede2"
    );
}

#[test]
fn requirements_fixture_with_includes() {
    let inventory = fixture_inventory("requirements");
    let paths: Vec<&str> = inventory
        .lockfiles
        .iter()
        .map(|l| l.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "requirements/constraints.txt",
            "requirements/requirements.txt",
            "requirements/requirements/dev.txt"
        ]
    );
    let main = lockfile(&inventory, "requirements/requirements.txt");
    let summary: Vec<(&str, &str, Relation, u32)> = main
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.relation, p.line))
        .collect();
    assert_eq!(
        summary,
        [
            ("charset-normalizer", "3.3.2", Relation::Transitive, 11),
            ("Requests", "2.32.3", Relation::Direct, 15),
            ("urllib3", "2.2.3", Relation::Transitive, 18),
            ("tool", "", Relation::Unknown, 22),
        ]
    );
    assert_eq!(find_package(main, "charset-normalizer").hashes.len(), 2);
    assert_eq!(
        names_of(main, &find_package(main, "Requests").dependencies),
        ["charset-normalizer", "urllib3"]
    );
    assert_eq!(
        find_package(main, "tool").source,
        PackageSource::Git {
            url: "https://github.com/example/tool.git".into(),
            rev: Some("v1.2.0".into())
        }
    );
    assert_eq!(
        find_package(main, "Requests").purl(),
        "pkg:pypi/requests@2.32.3"
    );
    assert_eq!(main.warnings.len(), 1, "{:?}", main.warnings);
    assert!(main.warnings[0].message.starts_with("1 requirement is"));

    let dev = lockfile(&inventory, "requirements/requirements/dev.txt");
    assert_eq!(find_package(dev, "pytest").version, "8.3.3");
    assert_eq!(dev.warnings.len(), 1);
    assert_eq!(dev.warnings[0].line, Some(2));
    let constraints = lockfile(&inventory, "requirements/constraints.txt");
    assert_eq!(find_package(constraints, "urllib3").line, 1);
}

#[test]
fn composer_fixture() {
    let inventory = fixture_inventory("composer");
    let lock = lockfile(&inventory, "composer/composer.lock");
    assert!(lock.warnings.is_empty(), "{:?}", lock.warnings);
    let root = lock.root.as_ref().unwrap();
    assert_eq!(
        (root.name.as_str(), root.version.as_deref()),
        ("acme/storefront", Some("3.1.0"))
    );
    let summary = package_rows(lock);
    assert_eq!(
        summary,
        [
            (
                "guzzlehttp/guzzle",
                "7.9.2",
                Relation::Direct,
                Scope::Runtime,
                7
            ),
            // Required by the project's own `path` package.
            (
                "guzzlehttp/psr7",
                "2.7.0",
                Relation::Direct,
                Scope::Runtime,
                31
            ),
            (
                "phpunit/phpunit",
                "11.3.6",
                Relation::Direct,
                Scope::Development,
                61
            ),
        ]
    );
    let guzzle = find_package(lock, "guzzlehttp/guzzle");
    assert_eq!(guzzle.hashes[0].algorithm, HashAlgorithm::Sha1);
    assert_eq!(guzzle.licenses, ["MIT"]);
    assert_eq!(guzzle.source, PackageSource::Registry);
    assert_eq!(names_of(lock, &guzzle.dependencies), ["guzzlehttp/psr7"]);
    assert_eq!(guzzle.purl(), "pkg:composer/guzzlehttp/guzzle@7.9.2");
    assert_eq!(
        find_package(lock, "guzzlehttp/psr7").licenses,
        ["MIT OR Apache-2.0"]
    );
    assert_eq!(
        find_package(lock, "phpunit/phpunit").licenses,
        ["BSD-3-Clause"]
    );
}

/// Reads every corpus lockfile of these formats with the files beside it.
#[test]
fn corpus_files_read_without_errors_and_with_the_listed_counts() {
    let corpus = PathBuf::from(CORPUS);
    let Ok(manifest) = std::fs::read_to_string(corpus.join("MANIFEST.tsv")) else {
        println!("corpus not present at {CORPUS}; skipped");
        return;
    };
    let formats = [
        "pip-requirements",
        "pipenv",
        "poetry",
        "uv",
        "pdm",
        "composer",
    ];
    let mut checked = 0;
    for row in manifest.lines().skip(1) {
        let columns: Vec<&str> = row.split('\t').collect();
        let [file, _, ecosystem, _, count, ..] = columns.as_slice() else {
            continue;
        };
        if !formats.contains(ecosystem) {
            continue;
        }
        let listed: usize = count.parse().unwrap();
        let directory = corpus.join(file).parent().unwrap().to_path_buf();
        let mut files = FileSet::new();
        add_tree(&mut files, &corpus, &directory);
        let started = std::time::Instant::now();
        let inventory = Inventory::build(&files);
        let elapsed = started.elapsed();
        let own_errors: Vec<_> = inventory
            .errors
            .iter()
            .filter(|error| error.path == *file)
            .collect();
        assert!(own_errors.is_empty(), "{file}: {own_errors:?}");
        let lock = lockfile(&inventory, file);
        let text = String::from_utf8_lossy(files.get(file).unwrap()).into_owned();
        let line_count = text.lines().count() as u32;
        for package in &lock.packages {
            assert!(
                package.line >= 1 && package.line <= line_count,
                "{file}: {} at line {}",
                package.name,
                package.line
            );
            assert!(!package.name.is_empty());
        }
        let found = lock.packages.len();
        match *ecosystem {
            // The listed count includes the project and workspace members
            // (editable, virtual, directory sources), which are the root
            // here rather than packages.
            "uv" => {
                let members = text
                    .lines()
                    .filter(|line| {
                        [
                            "source = { editable",
                            "source = { virtual",
                            "source = { directory",
                        ]
                        .iter()
                        .any(|prefix| line.starts_with(prefix))
                    })
                    .count();
                assert_eq!(found + members, listed, "{file}");
                assert_eq!(
                    lock.root.is_some(),
                    members > 0,
                    "{file}: root {:?}",
                    lock.root
                );
                assert!(
                    lock.packages.iter().any(|p| p.relation == Relation::Direct),
                    "{file}: nothing direct"
                );
            }
            // The listed count is entries per category; a package locked
            // identically in `default` and `develop` is one package here.
            "pipenv" => {
                assert!(
                    found <= listed && found * 10 >= listed * 9,
                    "{file}: {found} vs {listed}"
                );
            }
            _ => assert_eq!(found, listed, "{file}: warnings {:?}", lock.warnings),
        }
        let relations: HashMap<Relation, usize> =
            lock.packages
                .iter()
                .fold(HashMap::new(), |mut counts, package| {
                    *counts.entry(package.relation).or_default() += 1;
                    counts
                });
        println!(
            "{file}: {found} packages (listed {listed}), {} warnings, relations {relations:?}, {elapsed:?}",
            lock.warnings.len()
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} corpus files checked");
}

/// Damaged and hostile files: an error or warnings naming a line, never a panic.
#[test]
fn hostile_inputs_are_errors_or_warnings() {
    let deep_toml = format!(
        "[[package]]\nname = \"a\"\nversion = \"1\"\nx = {}1{}\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let deep_json = format!(
        "{{\"default\": {}{}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let deep_requirements = format!("six==1.0 \\\n{}", "\\\n".repeat(50_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("poetry.lock", deep_toml.clone().into_bytes()),
        ("uv.lock", deep_toml.clone().into_bytes()),
        ("pdm.lock", deep_toml.into_bytes()),
        ("Pipfile.lock", deep_json.clone().into_bytes()),
        (
            "composer.lock",
            deep_json.replace("default", "packages").into_bytes(),
        ),
        ("requirements.txt", deep_requirements.into_bytes()),
        (
            "poetry.lock",
            b"[[package]]\nname = \"a\"\nversion = \"1\"\n\xff\n".to_vec(),
        ),
        (
            "uv.lock",
            b"version = 1\n[[package]]\nname = \"a\"\nversion = ".to_vec(),
        ),
        (
            "composer.lock",
            b"{\"packages\": [{\"name\": \"a/b\", \"version\": \"1\"}, {\"name\": ".to_vec(),
        ),
        (
            "requirements.txt",
            b"-r\n--requirement=\n-e\n@\n== 1\nsix==\\\n".to_vec(),
        ),
    ];
    for (name, content) in cases {
        let mut files = FileSet::new();
        files.insert(name, content);
        let inventory = Inventory::build(&files);
        let read = inventory.lockfiles.len() + inventory.errors.len();
        assert_eq!(read, 1, "{name}: {inventory:?}");
        for error in &inventory.errors {
            assert!(
                error.line.is_some() || error.message.contains("recursion"),
                "{name}: {error:?}"
            );
        }
    }
}
