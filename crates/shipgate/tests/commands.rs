//! End-to-end tests of `rules`, `explain`, `secrets import-gitleaks` and `--version`.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn version_prints_the_crate_version() {
    shipgate()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn rules_lists_at_least_three_hundred_rules() {
    let output = shipgate()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.len() >= 300, "only {} rules", rules.len());
    assert!(
        rules
            .iter()
            .all(|r| !r["docs"].as_str().unwrap().is_empty())
    );
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let output = shipgate()
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let committed = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"),
    )
    .unwrap_or_default();
    assert!(
        committed == String::from_utf8(output.stdout).unwrap(),
        "docs/rules.md is out of date: run `cargo run -- rules --format markdown > docs/rules.md`"
    );
}

#[test]
fn explain_prints_one_rule_and_suggests_on_typos() {
    shipgate()
        .args(["explain", "secrets/stripe-secret-key"])
        .assert()
        .success()
        .stdout(predicate::str::contains("secrets/stripe-secret-key"))
        .stdout(predicate::str::contains("Stripe"));
    shipgate()
        .args(["explain", "secrets/stripe-secret-kye"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `secrets/stripe-secret-key`",
        ));
}

#[test]
fn import_gitleaks_produces_a_working_config() {
    let dir = copy_fixture("gitleaks");
    let imported = dir.path().join("imported.toml");
    shipgate()
        .args(["secrets", "import-gitleaks"])
        .arg(dir.path().join("gitleaks.toml"))
        .arg("-o")
        .arg(&imported)
        .assert()
        .success()
        .stderr(predicate::str::contains("imported 1 rule"));
    std::fs::rename(&imported, dir.path().join("shipgate.toml")).unwrap();
    let (code, report) = scan_json(dir.path(), &["--fail-on", "info"]);
    assert_eq!(code, 1);
    assert_eq!(
        rule_ids(&report),
        vec!["secrets/gitleaks-orders-internal-token".to_owned()]
    );
}

#[test]
fn malformed_gitleaks_config_is_an_input_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[[rules]]\nid = \"x\"\nregex = \n").unwrap();
    shipgate()
        .args(["secrets", "import-gitleaks"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml"));
}

#[test]
fn no_arguments_prints_help() {
    shipgate()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage"));
}

#[test]
fn this_repository_scans_clean_with_its_own_config() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let (code, report) = scan_json(&root, &["--fail-on", "info"]);
    assert_eq!(code, 0, "findings: {:#?}", report["findings"]);
    assert!(report["stats"]["files_scanned"].as_u64().unwrap() > 50);
}
