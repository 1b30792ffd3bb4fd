//! The JSON report against its published schema and its documentation.

use std::path::PathBuf;

use serde_json::Value;
use shipgate_model::{CommitInfo, ScanReport};
use shipgate_report::Format;

use crate::fixture::{empty_report, full_report};
use crate::{assert_valid, rendered};

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn published_schema() -> Value {
    let text = std::fs::read_to_string(docs_dir().join("schema/report-v1.schema.json"))
        .expect("the report schema is committed");
    serde_json::from_str(&text).expect("the report schema is JSON")
}

/// The published schema lets unknown properties through (additive changes
/// keep the version); for our own output it must describe every property,
/// so the test closes every object.
fn closed(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            map.values_mut().for_each(closed);
        }
        Value::Array(items) => items.iter_mut().for_each(closed),
        _ => {}
    }
}

fn strict_validator() -> jsonschema::Validator {
    let mut schema = published_schema();
    closed(&mut schema);
    jsonschema::validator_for(&schema).expect("the report schema compiles")
}

fn with_secret_and_history() -> ScanReport {
    let mut report = full_report();
    report.findings[0].secret = Some("ghp_0123456789".into());
    report.findings[1].location.commit = Some(CommitInfo {
        id: "0".repeat(40),
        author: "Grace".into(),
        email: "grace@example.com".into(),
        date: "2024-01-01T00:00:00Z".into(),
    });
    report
}

#[test]
fn json_output_matches_the_published_schema_exactly() {
    let validator = strict_validator();
    for report in [full_report(), empty_report(), with_secret_and_history()] {
        let output: Value =
            serde_json::from_str(&rendered(&report, Format::Json)).expect("output is JSON");
        assert_valid(&validator, &output);
    }
}

#[test]
fn the_schema_rejects_what_it_should() {
    let validator = strict_validator();
    let mut output: Value =
        serde_json::from_str(&rendered(&full_report(), Format::Json)).expect("output is JSON");
    output["findings"][0]["severity"] = "severe".into();
    assert!(!validator.is_valid(&output));
    output["findings"][0]["severity"] = "high".into();
    output["findings"][0]["undocumented"] = true.into();
    assert!(!validator.is_valid(&output));
}

#[test]
fn json_output_reads_back_as_the_same_report() {
    let report = with_secret_and_history();
    let back: ScanReport =
        serde_json::from_str(&rendered(&report, Format::Json)).expect("output parses");
    assert_eq!(back, report);
}

#[test]
fn every_schema_property_is_documented() {
    let docs = std::fs::read_to_string(docs_dir().join("json-report.md")).expect("docs exist");
    let mut names = Vec::new();
    collect_property_names(&published_schema(), &mut names);
    assert!(names.len() > 30, "schema has its properties");
    for name in names {
        assert!(
            docs.contains(&format!("| `{name}` |")),
            "docs/json-report.md has no table row for `{name}`"
        );
    }
}

#[test]
fn the_documented_example_is_valid() {
    let docs = std::fs::read_to_string(docs_dir().join("json-report.md")).expect("docs exist");
    let example = docs
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the docs hold a JSON example");
    let example: Value = serde_json::from_str(example).expect("the example is JSON");
    assert_valid(&strict_validator(), &example);
}

fn collect_property_names(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    // The keyword's keys are property names, and each value is
                    // a schema; the map itself is not one, so a property that
                    // is itself called `properties` is not read as the keyword.
                    ("properties", Value::Object(properties)) => {
                        names.extend(properties.keys().cloned());
                        properties
                            .values()
                            .for_each(|schema| collect_property_names(schema, names));
                    }
                    _ => collect_property_names(value, names),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|value| collect_property_names(value, names)),
        _ => {}
    }
}
