//! JUnit output parses as XML and counts what it should.

use quick_xml::Reader;
use quick_xml::events::Event;
use shipgate_model::ScanReport;
use shipgate_report::Format;

use crate::fixture::{empty_report, full_report};
use crate::rendered;

#[derive(Debug, Default)]
struct Counts {
    suites: usize,
    cases: usize,
    failures: usize,
    skipped: usize,
    /// Sum of the `tests` attributes of the suites.
    declared_tests: usize,
    /// The `failures` attribute of the root element.
    declared_failures: usize,
    failure_texts: Vec<String>,
    case_names: Vec<String>,
}

fn attribute(element: &quick_xml::events::BytesStart<'_>, name: &str) -> String {
    element
        .try_get_attribute(name)
        .expect("attributes parse")
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .expect("attribute unescapes")
                .into_owned()
        })
        .unwrap_or_default()
}

/// Parses the whole document, failing on any XML error.
fn count(xml: &str) -> Counts {
    let mut reader = Reader::from_str(xml);
    let mut counts = Counts::default();
    let mut in_failure = false;
    loop {
        match reader.read_event().expect("output is well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "testsuites" => {
                    counts.declared_failures = attribute(&e, "failures").parse().expect("number");
                }
                "testsuite" => {
                    counts.suites += 1;
                    counts.declared_tests +=
                        attribute(&e, "tests").parse::<usize>().expect("number");
                }
                "testcase" => {
                    counts.cases += 1;
                    counts.case_names.push(attribute(&e, "name"));
                }
                "failure" => {
                    counts.failures += 1;
                    counts.failure_texts.push(String::new());
                    in_failure = true;
                }
                "skipped" => counts.skipped += 1,
                _ => {}
            },
            Event::Text(text) if in_failure => {
                if let Some(last) = counts.failure_texts.last_mut() {
                    last.push_str(&text);
                }
            }
            Event::GeneralRef(reference) if in_failure => {
                let resolved = match reference.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                if let Some(last) = counts.failure_texts.last_mut() {
                    last.push_str(resolved);
                }
            }
            Event::End(e) if e.name().as_ref() == "failure" => in_failure = false,
            Event::Eof => break,
            _ => {}
        }
    }
    counts
}

#[test]
fn full_report_has_a_failed_case_per_finding_and_skipped_notes() {
    let report = full_report();
    let counts = count(&rendered(&report, Format::Junit));
    let rules: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(
        counts.suites,
        rules.len() + 1,
        "one suite per rule plus notes"
    );
    assert_eq!(counts.failures, report.findings.len());
    assert_eq!(counts.declared_failures, report.findings.len());
    assert_eq!(counts.skipped, report.notes.len());
    assert_eq!(counts.cases, report.findings.len() + report.notes.len());
    assert_eq!(counts.declared_tests, counts.cases);
    assert!(
        counts
            .case_names
            .iter()
            .any(|n| n == "config/prod.env:3:19")
    );
    let joined = counts.failure_texts.join("\n");
    assert!(joined.contains("API key in `api|key` <script>alert(1)</script> & friends"));
    assert!(joined.contains("3 | AWS_ACCESS_KEY_ID=AKIA****************"));
}

#[test]
fn empty_report_has_one_passing_case() {
    let counts = count(&rendered(&empty_report(), Format::Junit));
    assert_eq!((counts.suites, counts.cases, counts.failures), (1, 1, 0));
    assert_eq!(counts.case_names, ["shipgate scan"]);
}

#[test]
fn control_characters_cannot_break_the_xml() {
    let mut report: ScanReport = full_report();
    report.findings[0].message = "bell\u{7} nul\u{0} esc\u{1b}[31m ]]> end".into();
    report.findings[0].location.path = "weird\u{1}\"name'.env".into();
    report.notes[0].path = Some("note\u{0}path".into());
    let counts = count(&rendered(&report, Format::Junit));
    assert_eq!(counts.failures, report.findings.len());
    assert!(counts.failure_texts.iter().any(|t| t.contains("]]> end")));
}
