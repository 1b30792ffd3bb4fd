//! End-to-end tests of `shipgate fix` on a repository with fixable findings.

mod common;

use std::path::Path;

use common::*;
use predicates::prelude::*;

const FIXTURE: &str = "fixable";
const CI: &str = ".github/workflows/ci.yml";
const RELEASE: &str = ".github/workflows/release.yml";

/// Rules whose findings in the fixture have a safe fix.
const SAFE: &[&str] = &[
    "github/artipacked",
    "github/excessive-permissions",
    "github/template-injection",
];

/// The fixture's only unsafe fix.
const UNSAFE: &str = "github/secrets-inherit";

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).expect("readable fixture file")
}

/// Every file of the tree under `dir`, with its content, in path order.
fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("under dir");
                files.push((
                    relative.to_string_lossy().replace('\\', "/"),
                    std::fs::read(&path).expect("readable file"),
                ));
            }
        }
    }
    files.sort();
    files
}

fn fix(dir: &Path, extra: &[&str]) -> std::process::Output {
    shipgate()
        .arg("fix")
        .arg(dir)
        .args(extra)
        .output()
        .expect("shipgate runs")
}

fn ci_rules(dir: &Path) -> Vec<String> {
    let (_, report) = scan_json(dir, &["--scanners", "ci", "--fail-on", "never"]);
    rule_ids(&report)
}

#[test]
fn the_fixture_has_the_findings_the_fixes_are_for() {
    let dir = copy_crate_fixture(FIXTURE);
    let rules = ci_rules(dir.path());
    for rule in SAFE.iter().chain([&UNSAFE]) {
        assert!(rules.iter().any(|r| r == rule), "{rule} missing: {rules:?}");
    }
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let dir = copy_crate_fixture(FIXTURE);
    let before = snapshot_tree(dir.path());
    let output = fix(dir.path(), &["--dry-run"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        snapshot_tree(dir.path()),
        before,
        "a dry run writes nothing"
    );
    let diff = String::from_utf8(output.stdout).expect("utf-8 diff");
    assert!(
        diff.starts_with(&format!("--- a/{CI}\n+++ b/{CI}\n")),
        "{diff}"
    );
    assert!(
        !diff.contains(RELEASE),
        "the unsafe fix is not shown without --unsafe"
    );
    insta::assert_snapshot!("fix_dry_run_diff", diff);
    let stderr = String::from_utf8(output.stderr).expect("utf-8 messages");
    assert!(
        stderr.contains("would fix 3 findings in 1 file; 1 unsafe fix not applied (pass --unsafe)"),
        "{stderr}"
    );
}

#[test]
fn fixing_removes_the_findings_and_keeps_comments_and_other_files() {
    let dir = copy_crate_fixture(FIXTURE);
    let app_config = read(dir.path(), "config/app.yml");
    let original = read(dir.path(), CI);
    let output = fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("fixed 3 findings in 1 file"), "{stderr}");
    assert!(output.stdout.is_empty(), "messages go to stderr");

    let remaining = ci_rules(dir.path());
    for rule in SAFE {
        assert!(
            !remaining.iter().any(|r| r == rule),
            "{rule} still reported: {remaining:?}"
        );
    }
    assert!(
        remaining.iter().any(|r| r == UNSAFE),
        "unsafe fixes wait for --unsafe"
    );

    let fixed = read(dir.path(), CI);
    for line in original.lines().filter(|line| line.contains('#')) {
        let kept = line.contains("${{") || fixed.lines().any(|l| l == line);
        assert!(kept, "comment line lost: {line}");
    }
    assert!(fixed.contains("          make build   # the real work\n"));
    assert_eq!(
        read(dir.path(), "config/app.yml"),
        app_config,
        "not a CI file"
    );

    let again = fix(dir.path(), &[]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(read(dir.path(), CI), fixed, "a second run changes nothing");
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to fix"));
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let dir = copy_crate_fixture(FIXTURE);
    let release = read(dir.path(), RELEASE);
    assert!(fix(dir.path(), &["-q"]).status.success());
    assert_eq!(read(dir.path(), RELEASE), release);

    let output = fix(dir.path(), &["--unsafe"]);
    assert_eq!(output.status.code(), Some(0));
    let fixed = read(dir.path(), RELEASE);
    assert!(!fixed.contains("secrets: inherit"), "{fixed}");
    assert!(
        fixed.contains("NPM_TOKEN: ${{ secrets.NPM_TOKEN }}"),
        "{fixed}"
    );
    assert!(!ci_rules(dir.path()).iter().any(|r| r == UNSAFE));
}

#[test]
fn quiet_prints_nothing_and_a_missing_path_is_an_input_error() {
    let dir = copy_crate_fixture(FIXTURE);
    let output = fix(dir.path(), &["--quiet"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    shipgate()
        .args(["fix", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn rules_disabled_in_the_configuration_are_not_fixed() {
    let dir = copy_crate_fixture(FIXTURE);
    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[rules]\ndisable = [\"github/artipacked\"]\n",
    )
    .expect("config written");
    let output = fix(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0));
    let fixed = read(dir.path(), CI);
    assert!(!fixed.contains("persist-credentials"), "{fixed}");
    assert!(
        fixed.contains("permissions:\n  contents: read\n"),
        "{fixed}"
    );
}

#[cfg(unix)]
#[test]
fn a_rewritten_file_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = copy_crate_fixture(FIXTURE);
    let path = dir.path().join(CI);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    assert!(fix(dir.path(), &["-q"]).status.success());
    assert_ne!(
        read(dir.path(), CI),
        read(copy_crate_fixture(FIXTURE).path(), CI)
    );
    let mode = std::fs::metadata(&path)
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}
