//! End-to-end tests of configuration handling and input errors.

mod common;

use common::*;
use predicates::prelude::*;

fn write_config(dir: &std::path::Path, text: &str) {
    std::fs::write(dir.join("shipgate.toml"), text).unwrap();
}

#[test]
fn missing_path_is_an_input_error() {
    shipgate()
        .args(["scan", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn malformed_config_names_file_line_and_column() {
    let dir = copy_fixture("leaky-app");
    write_config(
        dir.path(),
        "[scan]\nmax_file_size = 100\nexclud = [\"x\"]\n",
    );
    let stderr = scan_input_error(dir.path(), &[]);
    assert!(stderr.contains("shipgate.toml:3:1"), "{stderr}");
    assert!(stderr.contains("exclud"), "{stderr}");
}

#[test]
fn unknown_rule_in_config_suggests_the_right_one() {
    let dir = copy_fixture("leaky-app");
    write_config(
        dir.path(),
        "[rules]\ndisable = [\"secrets/stripe-secret-kee\"]\n",
    );
    shipgate()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shipgate.toml:2:12"))
        .stderr(predicate::str::contains(
            "did you mean `secrets/stripe-secret-key`",
        ));
}

#[test]
fn disable_and_severity_overrides_apply() {
    let dir = copy_fixture("leaky-app");
    write_config(
        dir.path(),
        "[rules]\ndisable = [\"secrets/aws-*\"]\n[rules.severity]\n\"secrets/stripe-secret-key\" = \"low\"\n",
    );
    let (_, report) = scan_json(dir.path(), &[]);
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| !f["rule_id"].as_str().unwrap().starts_with("secrets/aws-"))
    );
    let stripe = findings
        .iter()
        .find(|f| f["rule_id"] == "secrets/stripe-secret-key")
        .expect("stripe finding");
    assert_eq!(stripe["severity"], "low");
}

#[test]
fn exclude_globs_skip_paths() {
    let dir = copy_fixture("leaky-app");
    write_config(
        dir.path(),
        "[scan]\nexclude = [\"config/**\", \"deploy/\"]\n",
    );
    let (_, report) = scan_json(dir.path(), &[]);
    let paths = finding_paths(&report);
    assert!(!paths.is_empty());
    assert!(
        paths
            .iter()
            .all(|p| !p.starts_with("config/") && !p.starts_with("deploy/")),
        "{paths:?}"
    );
}

#[test]
fn custom_rule_finds_and_bad_regex_is_located() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(
        dir.path().join("app.conf"),
        format!("key = acme_{}\n", token_body(11, 32)),
    )
    .unwrap();
    write_config(
        dir.path(),
        r#"
[[secrets.rules]]
id = "secrets/acme-api-token"
title = "ACME API token"
regex = '''\b(acme_[A-Za-z0-9]{32})\b'''
secret_group = 1
keywords = ["acme_"]
severity = "critical"
confidence = "high"
"#,
    );
    let (code, report) = scan_json(dir.path(), &["--fail-on", "critical"]);
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&report), vec!["secrets/acme-api-token".to_owned()]);

    write_config(
        dir.path(),
        "\n[[secrets.rules]]\nid = \"secrets/acme-api-token\"\ntitle = \"ACME\"\nregex = 'acme_[a-z'\nkeywords = [\"acme_\"]\nseverity = \"high\"\nconfidence = \"high\"\n",
    );
    let stderr = scan_input_error(dir.path(), &[]);
    assert!(stderr.contains("shipgate.toml:2:"), "{stderr}");
    assert!(stderr.contains("secrets/acme-api-token"), "{stderr}");
}

#[test]
fn allowlist_stopwords_drop_matches() {
    let dir = tempfile::TempDir::new().unwrap();
    let token = github_token(12);
    std::fs::write(dir.path().join("a.env"), format!("T={token}\n")).unwrap();
    let (code, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    write_config(
        dir.path(),
        &format!("[secrets.allowlist]\nstopwords = [\"{}\"]\n", &token[4..14]),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!((code, rule_ids(&report).len()), (0, 0));
}

#[test]
fn gitleaks_config_can_be_extended() {
    let dir = copy_fixture("gitleaks");
    write_config(dir.path(), "[secrets]\nextend = \"gitleaks.toml\"\n");
    let (code, report) = scan_json(dir.path(), &["--fail-on", "info"]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(
        findings.len(),
        1,
        "the allowlisted all-zero token is dropped: {findings:?}"
    );
    assert_eq!(
        findings[0]["rule_id"],
        "secrets/gitleaks-orders-internal-token"
    );
    assert_eq!(findings[0]["location"]["start"]["line"], 1);
}

#[test]
fn missing_extend_file_is_located() {
    let dir = tempfile::TempDir::new().unwrap();
    write_config(dir.path(), "[secrets]\nextend = \"nope.toml\"\n");
    let stderr = scan_input_error(dir.path(), &[]);
    assert!(stderr.contains("shipgate.toml:2:"), "{stderr}");
    assert!(stderr.contains("nope.toml"), "{stderr}");
}

#[test]
fn disabling_a_required_companion_disables_its_dependents_with_a_note() {
    let dir = copy_fixture("leaky-app");
    write_config(
        dir.path(),
        "[rules]\ndisable = [\"secrets/aws-access-key-id\"]\n",
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let ids = rule_ids(&report);
    assert!(
        !ids.iter().any(|id| id.starts_with("secrets/aws-")),
        "{ids:?}"
    );
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["message"]
            .as_str()
            .unwrap()
            .contains("secrets/aws-secret-access-key")),
        "{notes:?}"
    );
}

#[test]
fn output_into_a_missing_directory_fails_before_scanning() {
    let dir = copy_fixture("leaky-app");
    shipgate()
        .arg("scan")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().join("no/such/dir/report.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist; create it first"));
}

#[test]
fn a_report_written_to_a_pipe_leaves_the_pipe_in_place() {
    use std::os::unix::fs::FileTypeExt;

    let dir = copy_fixture("leaky-app");
    let out = tempfile::TempDir::new().expect("temp dir");
    let fifo = out.path().join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Without the fix the pipe is renamed away and the reader never sees a
    // writer, so wait for it with a deadline rather than forever.
    let (sender, received) = std::sync::mpsc::channel();
    {
        let fifo = fifo.clone();
        std::thread::spawn(move || sender.send(std::fs::read(&fifo).expect("read the pipe")));
    }
    shipgate()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--quiet", "--fail-on", "never", "-o"])
        .arg(&fifo)
        .assert()
        .code(0);
    let bytes = received
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the report was written into the pipe");
    let report: serde_json::Value = serde_json::from_slice(&bytes).expect("the report is JSON");
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));
    let kind = std::fs::metadata(&fifo).expect("still there").file_type();
    assert!(kind.is_fifo(), "the pipe was replaced by a regular file");
}
