//! Helpers shared by the end-to-end tests: fixture copies and git repositories.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use tempfile::TempDir;

/// The repository's `tests/fixtures` directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// A fresh copy of fixture `name` in a temporary directory.
pub fn copy_fixture(name: &str) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

/// A fresh copy of this crate's own fixture `name` (`crates/shipgate/tests/fixtures`).
pub fn copy_crate_fixture(name: &str) -> TempDir {
    let dir = TempDir::new().expect("temp dir");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        dir.path(),
    );
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The shipgate binary under test.
pub fn shipgate() -> Command {
    let mut cmd = Command::cargo_bin("shipgate").expect("binary built");
    // Tests never read the user's vulnerability database; those that need
    // one pass `--db`.
    cmd.env_remove("NO_COLOR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env("SHIPGATE_DB", "/nonexistent/shipgate-test-db");
    cmd
}

/// Runs git in `dir` with fixed identities and dates, panicking on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Process::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dana Developer")
        .env("GIT_AUTHOR_EMAIL", "dana@example.invalid")
        .env("GIT_COMMITTER_NAME", "Dana Developer")
        .env("GIT_COMMITTER_EMAIL", "dana@example.invalid")
        .env("GIT_AUTHOR_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-03-01T10:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Initialises a repository in `dir` with branch `main`.
pub fn git_init(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "commit.gpgsign", "false"]);
}

/// Stages everything and commits it.
pub fn commit_all(dir: &Path, message: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// Runs a scan with JSON output and returns the exit code and parsed report.
pub fn scan_json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let output = shipgate()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json", "--quiet"])
        .args(extra)
        .output()
        .expect("shipgate runs");
    let code = output.status.code().expect("exit code");
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "stdout is not JSON ({err}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (code, report)
}

/// Paths of the findings in a JSON report, in report order.
pub fn finding_paths(report: &serde_json::Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["location"]["path"].as_str().expect("path"))
        .collect()
}

/// Scans `dir` expecting the input-error exit code, and returns its stderr.
pub fn scan_input_error(dir: &Path, extra: &[&str]) -> String {
    let output = shipgate()
        .arg("scan")
        .arg(dir)
        .args(extra)
        .output()
        .expect("shipgate runs");
    assert_eq!(output.status.code(), Some(2), "expected an input error");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Rule ids of the findings in a JSON report, sorted.
pub fn rule_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| f["rule_id"].as_str().expect("rule id").to_owned())
        .collect();
    ids.sort();
    ids
}

/// A random-looking token body made from a seed, so tests need no RNG crate.
pub fn token_body(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[((state >> 33) as usize) % ALPHABET.len()] as char
        })
        .collect()
}

/// A GitHub classic personal access token in the documented format.
pub fn github_token(seed: u64) -> String {
    format!("ghp_{}", token_body(seed, 36))
}
