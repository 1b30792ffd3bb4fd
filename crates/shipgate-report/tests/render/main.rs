//! Integration tests of every renderer on fixed reports.

mod fixture;
mod json_schema;
mod junit;
mod robustness;
mod rules;
mod sarif;
mod snapshots;
mod text_formats;

use shipgate_model::{ScanReport, Severity};
use shipgate_report::{Format, RenderOptions, render};

pub use sarif::sarif_validator;

/// Renders `report` without colour, failing the gate at `high`.
pub fn rendered(report: &ScanReport, format: Format) -> String {
    rendered_with(report, format, false)
}

pub fn rendered_with(report: &ScanReport, format: Format, color: bool) -> String {
    let options = RenderOptions {
        color,
        fail_on: Some(Severity::High),
    };
    let mut out = Vec::new();
    render(report, format, &options, &mut out).expect("rendering succeeds");
    String::from_utf8(out).expect("output is UTF-8")
}

/// Fails with every validation error, not just the first.
pub fn assert_valid(validator: &jsonschema::Validator, instance: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}
