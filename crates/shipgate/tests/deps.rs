//! End to end: the dependency inventory, the offline vulnerability
//! database, matching in `shipgate scan`, and SBOMs.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{fixtures, shipgate};
use serde_json::Value;
use tempfile::TempDir;

/// A database in a temporary directory holding the OSV records of `dir`.
fn database(dir: &Path) -> TempDir {
    let db = TempDir::new().expect("temp dir");
    shipgate()
        .args(["db", "import", "-q", "--db"])
        .arg(db.path())
        .arg(dir)
        .assert()
        .success();
    db
}

fn scan_json(path: &Path, db: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--db", db.to_str().expect("UTF-8 temp path")];
    args.extend_from_slice(extra);
    scan_json_with("deps", path, &args)
}

/// The JSON report of `shipgate scan --scanners <scanners>` with `args`.
fn scan_json_with(scanners: &str, path: &Path, args: &[&str]) -> Value {
    let output = shipgate()
        .args(["scan", "--scanners", scanners, "--format", "json"])
        .args(["--fail-on", "never", "-q"])
        .args(args)
        .arg(path)
        .output()
        .expect("shipgate runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// (advisory, package, version) of every vulnerable-package finding.
fn triples(report: &Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "deps/vulnerable-package")
        .map(|f| {
            let p = &f["properties"];
            let text = |key: &str| p[key].as_str().expect("property").to_owned();
            (text("advisory"), text("package"), text("version"))
        })
        .collect()
}

#[test]
fn findings_equal_cargo_audit_on_the_same_rustsec_advisories() {
    let rustsec = fixtures().join("rustsec");
    let db = database(&rustsec.join("osv"));
    for app in ["app", "app-fixed"] {
        let recorded: Value = serde_json::from_str(
            &std::fs::read_to_string(rustsec.join(app).join("cargo-audit.json")).expect("recorded"),
        )
        .expect("cargo-audit JSON");
        let expected: BTreeSet<(String, String, String)> = recorded["vulnerabilities"]["list"]
            .as_array()
            .expect("list")
            .iter()
            .map(|v| {
                (
                    v["advisory"]["id"].as_str().expect("id").to_owned(),
                    v["package"]["name"].as_str().expect("name").to_owned(),
                    v["package"]["version"]
                        .as_str()
                        .expect("version")
                        .to_owned(),
                )
            })
            .collect();
        let report = scan_json(&rustsec.join(app), db.path(), &[]);
        assert_eq!(triples(&report), expected, "{app}");
    }
}

#[test]
fn vulnerable_and_malicious_packages_are_reported_with_upgrades() {
    let app = fixtures().join("deps-app");
    let db = database(&app.join("osv"));
    let report = scan_json(&app, db.path(), &[]);
    let findings = report["findings"].as_array().expect("findings");
    let by_rule =
        |rule: &str| -> Vec<&Value> { findings.iter().filter(|f| f["rule_id"] == rule).collect() };
    let malicious = by_rule("deps/malicious-package");
    assert_eq!(malicious.len(), 1);
    assert_eq!(malicious[0]["severity"], "critical");
    assert_eq!(malicious[0]["location"]["path"], "web/package-lock.json");
    assert_eq!(malicious[0]["properties"]["purl"], "pkg:npm/left-pad@1.3.0");

    let vulnerable = by_rule("deps/vulnerable-package");
    let django = vulnerable
        .iter()
        .find(|f| f["properties"]["package"] == "Django")
        .expect("Django 3.2.0 is inside [3.2, 3.2.4)");
    assert_eq!(django["severity"], "critical");
    assert_eq!(django["properties"]["upgrade"], "3.2.4");
    assert_eq!(django["properties"]["aliases"][0], "CVE-2099-20001");
    assert_eq!(django["location"]["start"]["line"], 2);
    let requests = vulnerable
        .iter()
        .find(|f| f["properties"]["package"] == "requests")
        .expect("requests 2.31.0 is below the fix");
    assert_eq!(requests["severity"], "medium", "GitHub's MODERATE");

    let invalid = by_rule("deps/invalid-lockfile");
    assert_eq!(invalid.len(), 1, "the cut-off Pipfile.lock");
    assert_eq!(invalid[0]["location"]["path"], "api/Pipfile.lock");
}

#[test]
fn an_unexpired_ignore_hides_an_advisory_and_an_expired_one_comes_back_with_a_note() {
    let app = fixtures().join("deps-app");
    let db = database(&app.join("osv"));
    let config = TempDir::new().expect("temp dir");
    let write = |expires: &str| {
        let path = config.path().join(format!("shipgate-{expires}.toml"));
        std::fs::write(
            &path,
            format!(
                "[[deps.ignore]]\nid = \"CVE-2099-20001\"\npackage = \"django\"\nreason = \"admin only\"\nexpires = {expires}\n"
            ),
        )
        .expect("config written");
        path
    };
    let live = write("2999-12-31");
    let report = scan_json(
        &app,
        db.path(),
        &["--config", live.to_str().expect("utf-8")],
    );
    assert!(
        !triples(&report)
            .iter()
            .any(|(id, _, _)| id == "GHSA-2099-dj01-0001")
    );
    assert_eq!(report["stats"]["suppressed_inline"], 1);

    let expired = write("2020-01-31");
    let report = scan_json(
        &app,
        db.path(),
        &["--config", expired.to_str().expect("utf-8")],
    );
    assert!(
        triples(&report)
            .iter()
            .any(|(id, _, _)| id == "GHSA-2099-dj01-0001")
    );
    let notes = report["notes"].to_string();
    assert!(notes.contains("expired on 2020-01-31"), "{notes}");
}

#[test]
fn without_a_database_the_scan_warns_and_require_db_fails() {
    let app = fixtures().join("deps-app");
    let missing = TempDir::new().expect("temp dir");
    let report = scan_json(&app, &missing.path().join("none"), &[]);
    assert!(triples(&report).is_empty());
    let notes = report["notes"].to_string();
    assert!(notes.contains("shipgate db update"), "{notes}");

    shipgate()
        .args(["scan", "--scanners", "deps", "--require-db", "--db"])
        .arg(missing.path().join("none"))
        .arg(&app)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--require-db"))
        .stderr(predicates::str::contains("shipgate db import"));
}

#[test]
fn the_default_scan_includes_deps() {
    let app = fixtures().join("deps-app");
    let output = shipgate()
        .args(["scan", "--format", "json", "--fail-on", "never", "-q"])
        .arg(&app)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let scanners = report["scanners"].to_string();
    assert!(scanners.contains("deps"), "{scanners}");
}

#[test]
fn db_status_reports_counts_and_a_missing_database_says_what_to_do() {
    let db = database(&fixtures().join("deps-app/osv"));
    let output = shipgate()
        .args(["db", "status", "--format", "json", "--db"])
        .arg(db.path())
        .output()
        .expect("runs");
    assert!(output.status.success());
    let status: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(status["total_advisories"], 3);
    assert_eq!(status["per_ecosystem"]["PyPI"], 2);
    assert_eq!(status["per_ecosystem"]["npm"], 1);

    shipgate()
        .args(["db", "status", "--db", "/nonexistent/shipgate-db"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("shipgate db import"));
}

#[test]
fn db_update_offline_fails_at_once_saying_how_to_import() {
    let db = TempDir::new().expect("temp dir");
    let started = std::time::Instant::now();
    shipgate()
        .args([
            "db",
            "update",
            "--ecosystem",
            "npm",
            "--mirror",
            "http://127.0.0.1:9",
            "--db",
        ])
        .arg(db.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("db import"));
    assert!(started.elapsed().as_secs() < 30);
}

#[test]
fn deps_list_prints_every_package_with_relation_and_scope() {
    let app = fixtures().join("deps-app");
    let output = shipgate()
        .args(["deps", "list", "--format", "json"])
        .arg(&app)
        .output()
        .expect("runs");
    assert!(output.status.success());
    let inventory: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let packages: Vec<(String, String, String, String)> = inventory["lockfiles"]
        .as_array()
        .expect("lockfiles")
        .iter()
        .flat_map(|l| l["packages"].as_array().expect("packages").iter())
        .map(|p| {
            let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            (
                text("name"),
                text("version"),
                text("relation"),
                text("scope"),
            )
        })
        .collect();
    assert!(packages.contains(&(
        "left-pad".into(),
        "1.3.0".into(),
        "direct".into(),
        "runtime".into()
    )));
    assert!(packages.contains(&(
        "undici-types".into(),
        "5.26.5".into(),
        "transitive".into(),
        "development".into()
    )));
    assert!(packages.iter().any(|p| p.0 == "Django" && p.1 == "3.2.0"));
    assert!(
        !packages.iter().any(|p| p.0 == "urllib3"),
        "ranges are not pins"
    );
    assert_eq!(inventory["errors"][0]["path"], "api/Pipfile.lock");

    let table = shipgate()
        .args(["deps", "list"])
        .arg(&app)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("web/package-lock.json:"), "{text}");
    assert!(text.contains("1 unreadable"), "{text}");
}

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shipgate-sbom/tests/schemas")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("JSON schema")
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
}

fn sbom(args: &[&str], db: Option<&Path>) -> String {
    let mut command = shipgate();
    command
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args(["sbom", "-q"])
        .args(args);
    if let Some(db) = db {
        command.arg("--db").arg(db);
    }
    let output = command
        .arg(fixtures().join("deps-app"))
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn sboms_validate_against_the_official_schemas_and_are_reproducible() {
    let db = database(&fixtures().join("deps-app/osv"));
    let cyclonedx = sbom(&["--format", "cyclonedx", "--with-vulns"], Some(db.path()));
    assert_eq!(
        cyclonedx,
        sbom(&["--format", "cyclonedx", "--with-vulns"], Some(db.path())),
        "byte-identical"
    );
    let bom: Value = serde_json::from_str(&cyclonedx).expect("JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            jsonschema::Resource::from_contents(schema("spdx.schema.json")),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            jsonschema::Resource::from_contents(schema("jsf-0.82.schema.json")),
        )
        .build(&schema("bom-1.6.schema.json"))
        .expect("schema compiles");
    assert_valid(&validator, &bom);
    assert_eq!(bom["metadata"]["timestamp"], "2026-01-01T00:00:00Z");
    let purls: BTreeSet<&str> = bom["components"]
        .as_array()
        .expect("components")
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .collect();
    assert!(purls.contains("pkg:pypi/django@3.2.0"), "{purls:?}");
    assert!(purls.contains("pkg:npm/%40types/node@20.11.5"), "{purls:?}");
    let ids: BTreeSet<&str> = bom["vulnerabilities"]
        .as_array()
        .expect("vulns")
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "GHSA-2099-dj01-0001",
            "GHSA-2099-rq01-0002",
            "MAL-2099-0001"
        ])
    );

    let spdx = sbom(&["--format", "spdx"], None);
    assert_eq!(spdx, sbom(&["--format", "spdx"], None), "byte-identical");
    let document: Value = serde_json::from_str(&spdx).expect("JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema("spdx-schema.json"))
        .expect("schema compiles");
    assert_valid(&validator, &document);
    assert_eq!(document["creationInfo"]["created"], "2026-01-01T00:00:00Z");

    shipgate()
        .args(["sbom", "--format", "spdx", "--with-vulns"])
        .arg(fixtures().join("deps-app"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--format cyclonedx --with-vulns"));
}

#[test]
fn known_vulnerable_actions_come_from_the_github_actions_advisories_in_the_database() {
    let db = database(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../shipgate-ci/tests/fixtures/osv-actions"),
    );
    let repo = TempDir::new().expect("temp dir");
    let workflows = repo.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("dirs");
    std::fs::write(
        workflows.join("ci.yml"),
        "on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: tj-actions/changed-files@v45\n",
    )
    .expect("workflow written");
    let report = scan_json_with(
        "ci",
        repo.path(),
        &["--db", db.path().to_str().expect("UTF-8 temp path")],
    );
    let hits: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == "github/known-vulnerable-actions")
        .collect();
    assert!(!hits.is_empty(), "{report}");
    assert!(
        hits[0]["message"]
            .as_str()
            .expect("message")
            .contains("GHSA-"),
        "{}",
        hits[0]
    );

    let without = scan_json_with("ci", repo.path(), &[]);
    assert!(
        without["notes"]
            .to_string()
            .contains("known-vulnerable actions")
    );
}
