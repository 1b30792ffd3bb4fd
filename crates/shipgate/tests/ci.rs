//! End-to-end checks of the CI/CD configuration audits through the binary,
//! on a fixture repository with GitHub workflows, a local composite action,
//! a file that is not valid YAML, and a GitLab pipeline with a local include.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const FIXTURE: &str = "pipelines";

fn findings_of<'r>(report: &'r Value, rule: &str) -> Vec<&'r Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn count(report: &Value) -> usize {
    report["findings"].as_array().expect("findings").len()
}

#[test]
fn both_platforms_are_audited_by_default_and_one_bad_file_aborts_nothing() {
    let dir = copy_fixture(FIXTURE);
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1, "high findings fail the default gate");
    assert!(
        report["scanners"]
            .as_array()
            .expect("scanners")
            .contains(&Value::from("ci"))
    );
    let ids = rule_ids(&report);
    for expected in [
        "ci/invalid-yaml",
        "github/template-injection",
        "github/curl-pipe-shell",
        "github/unpinned-uses",
        "github/use-trusted-publishing",
        "gitlab/unpinned-include",
        "gitlab/unprotected-deployment",
    ] {
        assert!(
            ids.iter().any(|id| id == expected),
            "{expected} missing from {ids:?}"
        );
    }
    let invalid = findings_of(&report, "ci/invalid-yaml");
    assert_eq!(invalid.len(), 1);
    assert_eq!(
        invalid[0]["location"]["path"],
        ".github/workflows/broken.yml"
    );
    assert_eq!(invalid[0]["location"]["start"]["line"], 5);
    // The deploy job lives in the included file and is reported there.
    let deploy = findings_of(&report, "gitlab/unprotected-deployment");
    assert_eq!(deploy[0]["location"]["path"], "ci/deploy.yml");
    // The composite action's step is audited where it is defined.
    let curl = findings_of(&report, "github/curl-pipe-shell");
    assert_eq!(
        curl[0]["location"]["path"],
        ".github/actions/setup/action.yml"
    );
}

#[test]
fn findings_underline_the_exact_expression_and_name_its_place() {
    let dir = copy_fixture(FIXTURE);
    let (_, report) = scan_json(dir.path(), &["--scanners", "ci"]);
    let injections = findings_of(&report, "github/template-injection");
    assert_eq!(
        injections.len(),
        1,
        "the numeric issue number is safe: {injections:#?}"
    );
    let location = &injections[0]["location"];
    assert_eq!(location["symbolic"], "jobs.label.steps[1].run");
    let source =
        std::fs::read_to_string(dir.path().join(".github/workflows/triage.yml")).expect("fixture");
    let start = location["byte_start"].as_u64().expect("start") as usize;
    let end = location["byte_end"].as_u64().expect("end") as usize;
    assert_eq!(&source[start..end], "${{ github.event.issue.title }}");
    assert_eq!(location["start"]["line"], 15);
    assert_eq!(location["start"]["column"], 28);
}

#[test]
fn personas_and_level_filters_change_what_is_reported() {
    let dir = copy_fixture(FIXTURE);
    let (_, default) = scan_json(dir.path(), &["--scanners", "ci"]);
    let (_, pedantic) = scan_json(dir.path(), &["--scanners", "ci", "--pedantic"]);
    let (_, auditor) = scan_json(dir.path(), &["--scanners", "ci", "--auditor"]);
    assert!(
        count(&default) < count(&pedantic),
        "pedantic adds hygiene findings"
    );
    assert!(count(&pedantic) <= count(&auditor));
    assert!(
        findings_of(&default, "github/anonymous-definition").is_empty()
            && !findings_of(&pedantic, "github/anonymous-definition").is_empty()
            || findings_of(&pedantic, "gitlab/unpinned-images").len()
                > findings_of(&default, "gitlab/unpinned-images").len()
    );
    let (_, high) = scan_json(dir.path(), &["--scanners", "ci", "--min-severity", "high"]);
    let severities: Vec<&str> = high["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["severity"].as_str().expect("severity"))
        .collect();
    assert!(!severities.is_empty());
    assert!(
        severities.iter().all(|s| *s == "high" || *s == "critical"),
        "{severities:?}"
    );
    let (_, sure) = scan_json(
        dir.path(),
        &["--scanners", "ci", "--min-confidence", "high"],
    );
    assert!(
        sure["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["confidence"] == "high")
    );
}

#[test]
fn configuration_sets_the_persona_and_the_pinning_policy() {
    let dir = copy_fixture(FIXTURE);
    let (_, before) = scan_json(dir.path(), &["--scanners", "ci"]);
    assert_eq!(findings_of(&before, "github/unpinned-uses").len(), 1);
    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[ci]\npersona = \"pedantic\"\n\n[ci.pinning]\n\"some-vendor/*\" = \"ref-pin\"\n",
    )
    .expect("write config");
    let (_, after) = scan_json(dir.path(), &["--scanners", "ci"]);
    assert!(findings_of(&after, "github/unpinned-uses").is_empty());
    let (_, pedantic) = scan_json(dir.path(), &["--scanners", "ci", "--pedantic"]);
    assert_eq!(count(&after), count(&pedantic), "persona from the file");

    std::fs::write(
        dir.path().join("shipgate.toml"),
        "[ci]\npersonna = \"auditor\"\n",
    )
    .expect("write config");
    let stderr = scan_input_error(dir.path(), &["--scanners", "ci"]);
    assert!(stderr.contains("shipgate.toml:2:1"), "{stderr}");
    assert!(stderr.contains("personna"), "{stderr}");
}

#[test]
fn inline_ignores_silence_ci_findings_and_unused_ones_are_reported() {
    let dir = copy_fixture(FIXTURE);
    let workflow = dir.path().join(".github/workflows/triage.yml");
    let source = std::fs::read_to_string(&workflow).expect("fixture");
    let silenced = source.replace(
        "echo \"New issue: ${{ github.event.issue.title }}\"",
        "echo \"New issue: ${{ github.event.issue.title }}\" # shipgate:ignore[github/template-injection]",
    );
    std::fs::write(
        &workflow,
        silenced.replace(
            "      - name: Echo the title",
            "      # shipgate:ignore[github/unpinned-uses]\n      - name: Echo the title",
        ),
    )
    .expect("write");
    let (_, report) = scan_json(dir.path(), &["--scanners", "ci", "--pedantic"]);
    assert!(findings_of(&report, "github/template-injection").is_empty());
    assert!(
        report["stats"]["suppressed_inline"]
            .as_u64()
            .expect("count")
            >= 1
    );
    let unused = findings_of(&report, "ci/unused-ignore");
    assert_eq!(unused.len(), 1, "{unused:#?}");
    assert_eq!(
        unused[0]["location"]["path"],
        ".github/workflows/triage.yml"
    );
}

#[test]
fn sarif_has_exact_regions_and_logical_locations() {
    let dir = copy_fixture(FIXTURE);
    let output = shipgate()
        .args(["scan", "--quiet", "--scanners", "ci", "--format", "sarif"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let log: Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shipgate-report/tests/schemas/sarif-schema-2.1.0.json"),
        )
        .expect("schema"),
    )
    .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let injection = results
        .iter()
        .find(|r| r["ruleId"] == "github/template-injection")
        .expect("injection result");
    let location = &injection["locations"][0];
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        "jobs.label.steps[1].run"
    );
    let region = &location["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 15);
    assert_eq!(region["startColumn"], 28);
    assert_eq!(region["endColumn"], 59);
}

#[test]
fn history_scans_leave_ci_audits_to_working_tree_scans() {
    let dir = copy_fixture(FIXTURE);
    git_init(dir.path());
    commit_all(dir.path(), "pipelines");
    let (_, report) = scan_json(dir.path(), &["--history"]);
    assert!(
        !report["scanners"]
            .as_array()
            .expect("scanners")
            .contains(&Value::from("ci"))
    );
    assert!(
        rule_ids(&report)
            .iter()
            .all(|id| id.starts_with("secrets/"))
    );
}

#[test]
fn table_report_snapshot() {
    let dir = copy_fixture(FIXTURE);
    let output = shipgate()
        .args(["scan", "--quiet", "--scanners", "ci", "--color", "never"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let text: Vec<&str> = text.lines().filter(|l| !l.contains(" ms")).collect();
    insta::assert_snapshot!(text.join("\n"));
}
