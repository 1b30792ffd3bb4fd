//! Arbitrary bytes as every Python and Composer lockfile format, each with
//! a plausible manifest beside it: reading must never panic, and every
//! package and warning line must be inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_deps::{FileSet, Inventory};

const PYPROJECT: &[u8] = b"[project]\nname = \"app\"\nversion = \"1.0\"\ndependencies = [\"requests>=2\", \"idna\"]\n[dependency-groups]\ndev = [\"pytest\"]\n[tool.poetry.dependencies]\npython = \"^3.11\"\nclick = \"*\"\n";
const PIPFILE: &[u8] = b"[packages]\nrequests = \"*\"\n[dev-packages]\npytest = \"*\"\n";
const COMPOSER_JSON: &[u8] = b"{\"name\": \"acme/app\", \"require\": {\"monolog/monolog\": \"^3\"}, \"require-dev\": {\"phpunit/phpunit\": \"^10\"}}";

const LOCKFILES: &[&str] = &[
    "poetry/poetry.lock",
    "uv/uv.lock",
    "pdm/pdm.lock",
    "pipenv/Pipfile.lock",
    "composer/composer.lock",
    "req/requirements.txt",
    "req/base.in",
];

fuzz_target!(|data: &[u8]| {
    let mut files = FileSet::new();
    for path in LOCKFILES {
        files.insert(*path, data.to_vec());
    }
    for dir in ["poetry", "uv", "pdm"] {
        files.insert(format!("{dir}/pyproject.toml"), PYPROJECT.to_vec());
    }
    files.insert("pipenv/Pipfile", PIPFILE.to_vec());
    files.insert("composer/composer.json", COMPOSER_JSON.to_vec());
    files.insert("req/requirements-dev.txt", b"-r requirements.txt\n-c base.in\n".to_vec());

    let line_count = u32::try_from(data.iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX);
    let inventory = Inventory::build(&files);
    for lockfile in &inventory.lockfiles {
        if !LOCKFILES.contains(&lockfile.path.as_str()) {
            continue;
        }
        for package in &lockfile.packages {
            assert!(package.line <= line_count, "{}: line {} of {line_count}", lockfile.path, package.line);
            assert!(package.dependencies.iter().all(|&index| index < lockfile.packages.len()));
        }
        for warning in &lockfile.warnings {
            assert!(warning.line.is_none_or(|line| line >= 1 && line <= line_count), "{warning:?}");
        }
    }
    for error in &inventory.errors {
        assert!(error.line.is_none_or(|line| line >= 1 && line <= line_count), "{error:?}");
    }
});
