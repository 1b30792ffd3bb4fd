//! Snapshots of every format, on the full fixture and on an empty report.

use shipgate_report::{Format, RulesFormat, render_explanation, render_rules};

use crate::fixture::{empty_report, full_report};
use crate::rendered;

#[test]
fn every_format_on_the_full_report() {
    let report = full_report();
    for format in Format::ALL {
        insta::assert_snapshot!(format!("full_{format}"), rendered(&report, format));
    }
}

#[test]
fn every_format_on_an_empty_report() {
    let report = empty_report();
    for format in Format::ALL {
        insta::assert_snapshot!(format!("empty_{format}"), rendered(&report, format));
    }
}

#[test]
fn every_rules_format() {
    let rules = full_report().rules;
    for format in RulesFormat::ALL {
        let mut out = Vec::new();
        render_rules(&rules, format, &mut out).expect("rules render");
        let text = String::from_utf8(out).expect("UTF-8");
        insta::assert_snapshot!(format!("rules_{format}"), text);
    }
}

#[test]
fn explanation_of_one_rule() {
    let rules = full_report().rules;
    let mut out = Vec::new();
    render_explanation(&rules[0], false, &mut out).expect("explanation renders");
    let text = String::from_utf8(out).expect("UTF-8");
    insta::assert_snapshot!("explanation", text);
}
