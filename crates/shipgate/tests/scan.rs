//! End-to-end tests of `shipgate scan` on fixture repositories.

mod common;

use common::*;
use predicates::prelude::*;

const GITHUB_RULE: &str = "secrets/github-classic-pat";

#[test]
fn finds_planted_secrets_and_ignores_noise() {
    let dir = copy_fixture("leaky-app");
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "high findings fail the default gate");
    let ids = rule_ids(&report);
    for expected in [
        "secrets/aws-access-key-id",
        "secrets/aws-secret-access-key",
        GITHUB_RULE,
        "secrets/stripe-secret-key",
        "secrets/private-key-openssh",
    ] {
        assert!(
            ids.iter().any(|id| id == expected),
            "missing {expected} in {ids:?}"
        );
    }
    let paths = finding_paths(&report);
    assert!(
        !paths.contains(&"docs/setup.md"),
        "documentation examples are not secrets: {paths:?}"
    );
    assert!(
        !paths.contains(&"package-lock.json"),
        "integrity hashes are not secrets: {paths:?}"
    );
    assert!(
        !paths.contains(&"src/client.js"),
        "suppressed inline or noise: {paths:?}"
    );
    assert_eq!(report["stats"]["suppressed_inline"], 1);
    assert_eq!(report["schema_version"], 1);
}

#[test]
fn secrets_are_masked_unless_asked_for() {
    let dir = copy_fixture("leaky-app");
    let env = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    let token = env
        .lines()
        .find_map(|line| line.strip_prefix("GITHUB_TOKEN="))
        .unwrap()
        .to_owned();
    let masked = format!("{}****", &token[..4]);
    for format in ["table", "json", "sarif", "junit", "markdown", "html"] {
        let output = shipgate()
            .args(["scan", "--format", format, "--quiet"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(!stdout.contains(&token), "{format} leaks the secret");
        // Markdown summaries carry no snippets; every other format shows the masked value.
        assert!(
            format == "markdown" || stdout.contains(&masked),
            "{format} lacks the masked snippet"
        );
    }
    shipgate()
        .args(["scan", "--format", "json", "--quiet", "--show-secrets"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(&token));
}

#[test]
fn fail_on_sets_the_gate() {
    let dir = copy_fixture("leaky-app");
    let (code, _) = scan_json(dir.path(), &["--fail-on", "never"]);
    assert_eq!(code, 0);
    let (code, report) = scan_json(dir.path(), &["--fail-on", "info"]);
    assert_eq!(code, 1);
    assert!(!report["findings"].as_array().unwrap().is_empty());
}

#[test]
fn clean_tree_exits_zero() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(
        dir.path().join("main.rs"),
        "fn main() { println!(\"hello\"); }\n",
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    assert_eq!(report["stats"]["files_scanned"], 1);
}

#[test]
fn skipped_files_are_noted_not_silent() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut binary = vec![0u8; 64];
    binary.extend_from_slice(github_token(1).as_bytes());
    std::fs::write(dir.path().join("blob.bin"), binary).unwrap();
    std::fs::write(dir.path().join("big.txt"), "x".repeat(4096)).unwrap();
    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[scan]\nmax_file_size = 1024\n",
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0);
    let notes = report["notes"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap(),
                n["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(kinds.contains(&("binary", "blob.bin")), "{kinds:?}");
    assert!(kinds.contains(&("too-large", "big.txt")), "{kinds:?}");
    assert_eq!(report["stats"]["files_skipped"], 2);
}

#[test]
fn invalid_utf8_does_not_hide_a_secret() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut content = b"\xff\xfe garbage \xc3\x28 then token=".to_vec();
    content.extend_from_slice(github_token(2).as_bytes());
    content.extend_from_slice(b"\n\xf0\x28\x8c\x28\n");
    std::fs::write(dir.path().join("mixed.txt"), content).unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&report), vec![GITHUB_RULE.to_owned()]);
}

#[test]
fn gitignored_files_need_no_ignore() {
    let dir = tempfile::TempDir::new().unwrap();
    git_init(dir.path());
    std::fs::write(dir.path().join(".gitignore"), "local.env\n").unwrap();
    std::fs::write(
        dir.path().join("local.env"),
        format!("TOKEN={}\n", github_token(3)),
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!((code, rule_ids(&report).len()), (0, 0));
    let (code, report) = scan_json(dir.path(), &["--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&report), vec![GITHUB_RULE.to_owned()]);
}

#[test]
fn baseline_reports_only_new_findings() {
    let dir = copy_fixture("leaky-app");
    let baseline = dir.path().join("baseline.json");
    let (code, first) = scan_json(
        dir.path(),
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    let accepted: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(
        accepted["findings"].as_array().unwrap().len(),
        first["findings"].as_array().unwrap().len()
    );

    let (code, report) = scan_json(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 0, "everything is accepted");
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);

    // Moving a secret down the file keeps its fingerprint.
    let settings = dir.path().join("config/settings.py");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(&settings, format!("\n\n# moved\n{text}")).unwrap();
    std::fs::write(
        dir.path().join("new.env"),
        format!("TOKEN={}\n", github_token(4)),
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &["--baseline", baseline.to_str().unwrap()]);
    assert_eq!(code, 1);
    let paths = finding_paths(&report);
    assert_eq!(paths, vec!["new.env"]);
    assert!(report["stats"]["suppressed_baseline"].as_u64().unwrap() >= 5);
}

#[test]
fn history_finds_deleted_secrets_with_their_commit() {
    let dir = tempfile::TempDir::new().unwrap();
    git_init(dir.path());
    std::fs::write(dir.path().join("README.md"), "# app\n").unwrap();
    commit_all(dir.path(), "initial");
    std::fs::write(
        dir.path().join("deploy.sh"),
        format!("export GH={}\n", github_token(5)),
    )
    .unwrap();
    let leak = commit_all(dir.path(), "add deploy script");
    std::fs::remove_file(dir.path().join("deploy.sh")).unwrap();
    commit_all(dir.path(), "remove deploy script");

    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        (code, rule_ids(&report).len()),
        (0, 0),
        "the working tree is clean"
    );

    let (code, report) = scan_json(dir.path(), &["--history"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    let location = &findings[0]["location"];
    assert_eq!(location["path"], "deploy.sh");
    assert_eq!(location["commit"]["id"], leak.as_str());
    assert_eq!(location["commit"]["author"], "Dana Developer");
    assert_eq!(location["commit"]["date"], "2026-03-01T10:00:00Z");
}

#[test]
fn since_reports_only_added_content() {
    let dir = tempfile::TempDir::new().unwrap();
    git_init(dir.path());
    std::fs::write(
        dir.path().join("old.env"),
        format!("OLD={}\n", github_token(6)),
    )
    .unwrap();
    let base = commit_all(dir.path(), "base with an accepted old token");
    std::fs::write(
        dir.path().join("old.env"),
        format!("OLD={}\nNEW={}\n", github_token(6), github_token(7)),
    )
    .unwrap();
    commit_all(dir.path(), "feature");
    let (code, report) = scan_json(dir.path(), &["--since", &base]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["location"]["start"]["line"], 2);

    shipgate()
        .args(["scan", "--since", "no-such-branch"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-branch"));
}

#[test]
fn staged_scans_only_the_staged_diff() {
    let dir = tempfile::TempDir::new().unwrap();
    git_init(dir.path());
    std::fs::write(dir.path().join("README.md"), "# app\n").unwrap();
    commit_all(dir.path(), "initial");
    std::fs::write(
        dir.path().join("staged.env"),
        format!("A={}\n", github_token(8)),
    )
    .unwrap();
    git(dir.path(), &["add", "staged.env"]);
    std::fs::write(
        dir.path().join("unstaged.env"),
        format!("B={}\n", github_token(9)),
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &["--staged"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["location"]["path"], "staged.env");
}

#[test]
fn staged_follows_the_index_git_gives_a_hook() {
    let dir = tempfile::TempDir::new().unwrap();
    git_init(dir.path());
    std::fs::write(dir.path().join("README.md"), "# app\n").unwrap();
    commit_all(dir.path(), "initial");
    // `git commit -a` stages into a temporary index named in GIT_INDEX_FILE.
    let temporary = dir.path().join(".git/next-index");
    std::fs::copy(dir.path().join(".git/index"), &temporary).unwrap();
    std::fs::write(
        dir.path().join("hook.env"),
        format!("A={}\n", github_token(10)),
    )
    .unwrap();
    let added = std::process::Command::new("git")
        .args(["add", "hook.env"])
        .current_dir(dir.path())
        .env("GIT_INDEX_FILE", &temporary)
        .status()
        .unwrap();
    assert!(added.success());

    let (code, report) = scan_json(dir.path(), &["--staged"]);
    assert_eq!(
        (code, rule_ids(&report).len()),
        (0, 0),
        "the default index has nothing staged"
    );

    let output = shipgate()
        .args(["scan", "--staged", "--format", "json", "--quiet"])
        .arg(dir.path())
        .env("GIT_INDEX_FILE", &temporary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["location"]["path"], "hook.env");
}

#[test]
fn git_modes_outside_a_repository_are_input_errors() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("a.txt"), "nothing\n").unwrap();
    for flag in ["--history", "--staged"] {
        shipgate()
            .args(["scan", flag])
            .arg(dir.path())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("git"));
    }
}

#[test]
fn hostile_tree_is_noted_and_the_scan_goes_on() {
    let dir = tempfile::TempDir::new().unwrap();
    // A 2 GiB sparse file: over the size limit, so never read.
    let huge = std::fs::File::create(dir.path().join("huge.log")).unwrap();
    huge.set_len(2 << 30).unwrap();
    // A symlink loop.
    std::os::unix::fs::symlink("loop-b", dir.path().join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", dir.path().join("loop-b")).unwrap();
    std::fs::write(
        dir.path().join("real.env"),
        format!("T={}\n", github_token(13)),
    )
    .unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "the scan ran and found the real secret");
    assert_eq!(rule_ids(&report), vec![GITHUB_RULE.to_owned()]);
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n["kind"] == "too-large" && n["path"] == "huge.log"),
        "{notes:?}"
    );
}

#[test]
fn corrupt_blob_in_history_is_noted_and_the_scan_finishes() {
    let dir = tempfile::TempDir::new().unwrap();
    git_init(dir.path());
    std::fs::write(
        dir.path().join("a.env"),
        format!("T={}\n", github_token(14)),
    )
    .unwrap();
    commit_all(dir.path(), "add");
    let blob = git(dir.path(), &["rev-parse", "HEAD:a.env"]);
    let object = dir
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    let mut permissions = std::fs::metadata(&object).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).unwrap();
    std::fs::write(&object, b"not zlib at all").unwrap();
    // An unreadable blob is skipped with a note naming it; the scan finishes.
    let (code, report) = scan_json(dir.path(), &["--history"]);
    assert_eq!(code, 0);
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["kind"] == "git"
            && n["path"] == "a.env"
            && n["message"].as_str().unwrap().contains(&blob)),
        "{notes:?}"
    );
}
