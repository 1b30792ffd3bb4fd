//! End-to-end checks of the report formats the binary writes on a fixture
//! repository: SARIF and JSON against their schemas, and a snapshot of the
//! JSON report.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn validator(path: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("schema is committed");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

fn violations(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect()
}

fn scan_stdout(dir: &Path, format: &str) -> Value {
    let output = shipgate()
        .args(["scan", "--quiet", "--format", format])
        .arg(dir)
        .output()
        .expect("shipgate runs");
    assert_eq!(output.status.code(), Some(1));
    serde_json::from_slice(&output.stdout).expect("output is JSON")
}

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let dir = copy_fixture("leaky-app");
    let log = scan_stdout(dir.path(), "sarif");
    let errors = violations(
        &validator("../shipgate-report/tests/schemas/sarif-schema-2.1.0.json"),
        &log,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert!(
        results
            .iter()
            .all(|r| r["partialFingerprints"]["shipgateFingerprint/v1"].is_string())
    );
}

#[test]
fn json_output_validates_against_the_documented_schema() {
    let dir = copy_fixture("leaky-app");
    let report = scan_stdout(dir.path(), "json");
    let errors = violations(
        &validator("../../docs/schema/report-v1.schema.json"),
        &report,
    );
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn json_report_snapshot() {
    let dir = copy_fixture("leaky-app");
    let mut report = scan_stdout(dir.path(), "json");
    report["root"] = Value::from("[root]");
    report["stats"]["duration_ms"] = Value::from(0);
    report["tool"]["version"] = Value::from("[version]");
    insta::assert_json_snapshot!(report);
}
