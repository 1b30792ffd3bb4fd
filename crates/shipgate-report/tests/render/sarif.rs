//! SARIF output against the official SARIF 2.1.0 schema, plus the parts of
//! the format code-scanning services rely on that a schema cannot check.

use serde_json::Value;
use shipgate_model::ScanReport;
use shipgate_report::Format;

use crate::fixture::{empty_report, full_report};
use crate::{assert_valid, rendered};

pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/schemas/sarif-schema-2.1.0.json"
    ))
    .expect("the SARIF schema is committed");
    let schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn sarif(report: &ScanReport) -> Value {
    serde_json::from_str(&rendered(report, Format::Sarif)).expect("SARIF output is JSON")
}

fn only_run(log: &Value) -> &Value {
    let runs = log["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1, "exactly one run");
    &runs[0]
}

#[test]
fn output_is_valid_sarif_for_full_empty_and_odd_reports() {
    let validator = sarif_validator();
    let mut relative_root = full_report();
    relative_root.root = "some dir/repo".into();
    let mut missing_rule_meta = full_report();
    missing_rule_meta.rules.truncate(1);
    let mut windows_root = empty_report();
    windows_root.root = "C:\\Users\\me\\repo".into();
    for report in [
        full_report(),
        empty_report(),
        relative_root,
        missing_rule_meta,
        windows_root,
    ] {
        assert_valid(&validator, &sarif(&report));
    }
}

#[test]
fn results_point_at_their_rules() {
    for report in [full_report(), {
        let mut report = full_report();
        report.rules.truncate(2);
        report
    }] {
        let log = sarif(&report);
        let run = only_run(&log);
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), report.findings.len());
        for result in results {
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
        }
        let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "rule ids are unique");
    }
}

#[test]
fn rules_carry_what_github_code_scanning_reads() {
    let log = sarif(&full_report());
    let run = only_run(&log);
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "shipgate");
    assert_eq!(driver["semanticVersion"], "0.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let aws = driver["rules"]
        .as_array()
        .and_then(|rules| {
            rules
                .iter()
                .find(|r| r["id"] == "secrets/aws-access-key-id")
        })
        .expect("the AWS rule is listed");
    assert_eq!(aws["name"], "SecretsAwsAccessKeyId");
    assert_eq!(aws["properties"]["security-severity"], "9.5");
    assert_eq!(aws["defaultConfiguration"]["level"], "error");
    assert!(
        aws["helpUri"]
            .as_str()
            .is_some_and(|uri| uri.ends_with("rules.md#secretsaws-access-key-id"))
    );
    let tags = aws["properties"]["tags"].as_array().expect("tags");
    for tag in ["security", "secrets", "CICD-SEC-6"] {
        assert!(tags.iter().any(|t| t == tag), "tag {tag}");
    }
    let levels: Vec<(&str, &str)> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| {
            (
                r["properties"]["security-severity"].as_str().unwrap_or(""),
                r["defaultConfiguration"]["level"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for expected in [
        ("9.5", "error"),
        ("8.0", "error"),
        ("5.5", "warning"),
        ("3.0", "note"),
        ("1.0", "note"),
    ] {
        assert!(levels.contains(&expected), "{expected:?} in {levels:?}");
    }
}

#[test]
fn results_carry_location_fingerprint_and_history() {
    let log = sarif(&full_report());
    let results = only_run(&log)["results"]
        .as_array()
        .expect("results")
        .clone();
    let history = results
        .iter()
        .find(|r| r["ruleId"] == "secrets/github-pat")
        .expect("the history finding");
    assert_eq!(
        history["properties"]["commit"],
        "9fceb02d0ae598e95dc970b74767f19372d61af8"
    );
    assert_eq!(history["properties"]["author"], "Ada Lovelace");
    assert_eq!(history["properties"]["date"], "2024-05-01T10:00:00Z");
    let physical = &history["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        ".github/workflows/ci.yml"
    );
    assert_eq!(physical["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(physical["region"]["startColumn"], 21);
    assert_eq!(physical["region"]["byteOffset"], 150);
    assert_eq!(physical["region"]["byteLength"], 40);
    assert!(
        history["partialFingerprints"]["shipgateFingerprint/v1"]
            .as_str()
            .is_some_and(|fp| fp.len() == 32)
    );
    let unicode = results
        .iter()
        .find(|r| r["ruleId"] == "secrets/generic-password")
        .expect("the unicode finding");
    let physical = &unicode["locations"][0]["physicalLocation"];
    assert_eq!(
        physical["artifactLocation"]["uri"],
        "donn%C3%A9es/cl%C3%A9.env"
    );
    assert_eq!(physical["region"]["snippet"]["text"], "s*********");
    assert_eq!(unicode["properties"]["confidence"], "medium");
}

#[test]
fn notes_become_notifications_and_root_only_when_absolute() {
    let report = full_report();
    let log = sarif(&report);
    let run = only_run(&log);
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), report.notes.len());
    assert!(notes.iter().any(|n| n["level"] == "warning"));
    assert!(notes.iter().any(|n| n["level"] == "note"));
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///work/project/"
    );

    let log = sarif(&empty_report());
    let empty_run = only_run(&log);
    assert!(empty_run.get("originalUriBaseIds").is_none());
    assert_eq!(empty_run["results"], Value::Array(vec![]));
}
