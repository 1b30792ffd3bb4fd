//! The in-toto test result predicate, v0.1: one run of a test suite, which
//! tests passed, warned or failed, and the configuration it ran with.
//!
//! Results are read from JUnit XML, the report format nearly every test
//! runner can write. The reader streams the document with `quick-xml`,
//! which never expands DTD entities and keeps no tree, so a hostile file
//! can cost at most one pass over its bytes; documents with a DOCTYPE,
//! beyond [`MAX_JUNIT_BYTES`] or nested deeper than [`MAX_DEPTH`] are
//! refused outright.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde::{Deserialize, Serialize};

use crate::statement::ResourceDescriptor;

/// Largest JUnit document read, in bytes. Reports of very large suites
/// stay well below it.
pub const MAX_JUNIT_BYTES: usize = 128 * 1024 * 1024;

/// Deepest element nesting accepted; real reports nest a handful deep.
pub const MAX_DEPTH: usize = 64;

/// The predicate of a test result v0.1 statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    /// The outcome of the whole run.
    pub result: TestOutcome,
    /// The configuration the tests ran with, such as the CI workflow file.
    #[serde(default)]
    pub configuration: Vec<ResourceDescriptor>,
    /// Link to the test run, such as its CI job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Tests that passed without warnings.
    #[serde(default)]
    pub passed_tests: Vec<String>,
    /// Tests that raised a warning: skipped, or passed only on a rerun.
    #[serde(default)]
    pub warned_tests: Vec<String>,
    /// Tests that failed or errored.
    #[serde(default)]
    pub failed_tests: Vec<String>,
}

/// The outcome of a test run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TestOutcome {
    /// Every test passed.
    Passed,
    /// No test failed, but some warned.
    Warned,
    /// At least one test failed.
    Failed,
}

/// Why a JUnit report could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TestResultError {
    /// The document is larger than [`MAX_JUNIT_BYTES`].
    #[error("JUnit report is {size} bytes; the limit is {MAX_JUNIT_BYTES}")]
    TooLarge {
        /// The document's size.
        size: usize,
    },
    /// The document is not well-formed XML.
    #[error("JUnit report is not well-formed XML at byte {position}: {message}")]
    Malformed {
        /// Byte offset of the problem.
        position: u64,
        /// What the XML reader reported.
        message: String,
    },
    /// The document declares a DOCTYPE, which JUnit reports never need and
    /// entity expansion attacks always do.
    #[error("JUnit report declares a DOCTYPE, which is not accepted")]
    DocType,
    /// Elements nest deeper than [`MAX_DEPTH`].
    #[error("JUnit report nests elements deeper than {MAX_DEPTH}")]
    TooDeep,
    /// The document ends before its root element does.
    #[error("JUnit report ends before its root element is closed")]
    Truncated,
    /// The root element is neither `testsuites` nor `testsuite`.
    #[error("not a JUnit report: the root element is `{0}`, not testsuites or testsuite")]
    NotJUnit(String),
    /// A `testcase` has no `name` attribute.
    #[error("JUnit report has a testcase without a name at byte {position}")]
    UnnamedTestCase {
        /// Byte offset of the test case.
        position: u64,
    },
    /// The report has no test cases, so it shows no test was run.
    #[error("JUnit report contains no test cases")]
    NoTestCases,
}

/// An open element and what it means for the test cases inside it.
enum Frame {
    Suite(Option<String>),
    Case(TestCase),
    Other,
}

struct TestCase {
    name: String,
    outcome: TestOutcome,
}

/// Reads a JUnit XML report into a test result predicate.
///
/// Test cases are named `<suite>/<case>` after the innermost `testsuite`
/// with a name (falling back to the case's `classname`, then to the bare
/// case name). A case with a `failure` or `error` child failed; one with
/// `skipped`, `flakyFailure` or `flakyError` (passed on a rerun) warned;
/// any other passed. The run failed if any case failed, else warned if any
/// warned. Names keep document order.
pub fn from_junit(
    xml: &str,
    configuration: Vec<ResourceDescriptor>,
    url: Option<String>,
) -> Result<TestResult, TestResultError> {
    if xml.len() > MAX_JUNIT_BYTES {
        return Err(TestResultError::TooLarge { size: xml.len() });
    }
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Frame> = Vec::new();
    let mut seen_root = false;
    let mut predicate = TestResult {
        result: TestOutcome::Passed,
        configuration,
        url,
        passed_tests: Vec::new(),
        warned_tests: Vec::new(),
        failed_tests: Vec::new(),
    };

    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|error| TestResultError::Malformed {
                position: reader.error_position(),
                message: error.to_string(),
            })?;
        match event {
            Event::Start(element) => {
                let frame = open(&element, &mut stack, &mut seen_root, position)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(TestResultError::TooDeep);
                }
                stack.push(frame);
            }
            Event::Empty(element) => {
                let frame = open(&element, &mut stack, &mut seen_root, position)?;
                close(frame, &mut predicate);
            }
            Event::End(_) => {
                if let Some(frame) = stack.pop() {
                    close(frame, &mut predicate);
                }
            }
            Event::DocType(_) => return Err(TestResultError::DocType),
            Event::Eof => break,
            _ => {}
        }
    }

    if !stack.is_empty() || !seen_root {
        return Err(TestResultError::Truncated);
    }
    if predicate.passed_tests.is_empty()
        && predicate.warned_tests.is_empty()
        && predicate.failed_tests.is_empty()
    {
        return Err(TestResultError::NoTestCases);
    }
    predicate.result = if !predicate.failed_tests.is_empty() {
        TestOutcome::Failed
    } else if !predicate.warned_tests.is_empty() {
        TestOutcome::Warned
    } else {
        TestOutcome::Passed
    };
    Ok(predicate)
}

/// What an opening element means, given the elements around it. An
/// outcome marker inside a test case marks the case at once.
fn open(
    element: &BytesStart<'_>,
    stack: &mut [Frame],
    seen_root: &mut bool,
    position: u64,
) -> Result<Frame, TestResultError> {
    let local_name = element.local_name();
    let name: &str = local_name.as_ref();
    if stack.is_empty() {
        if *seen_root {
            return Err(TestResultError::Malformed {
                position,
                message: "a second root element".to_owned(),
            });
        }
        *seen_root = true;
        if name != "testsuites" && name != "testsuite" {
            return Err(TestResultError::NotJUnit(name.to_owned()));
        }
    }
    if let Some(Frame::Case(case)) = stack.last_mut() {
        let marked = match name {
            "failure" | "error" => TestOutcome::Failed,
            "skipped" | "flakyFailure" | "flakyError" => TestOutcome::Warned,
            _ => TestOutcome::Passed,
        };
        case.outcome = case.outcome.max(marked);
        return Ok(Frame::Other);
    }
    // Anything deeper inside a case, such as markup in its output, is
    // not a test of its own.
    if stack.iter().any(|frame| matches!(frame, Frame::Case(_))) {
        return Ok(Frame::Other);
    }
    Ok(match name {
        "testsuite" => Frame::Suite(non_empty_attribute(element, "name", position)?),
        "testcase" => {
            let case = non_empty_attribute(element, "name", position)?
                .ok_or(TestResultError::UnnamedTestCase { position })?;
            let suite = stack.iter().rev().find_map(|frame| match frame {
                Frame::Suite(name) => name.clone(),
                _ => None,
            });
            let prefix = match suite {
                Some(suite) => Some(suite),
                None => non_empty_attribute(element, "classname", position)?,
            };
            Frame::Case(TestCase {
                name: match prefix {
                    Some(prefix) => format!("{prefix}/{case}"),
                    None => case,
                },
                outcome: TestOutcome::Passed,
            })
        }
        _ => Frame::Other,
    })
}

/// Closes `frame`: a finished case is recorded under its outcome.
fn close(frame: Frame, predicate: &mut TestResult) {
    if let Frame::Case(case) = frame {
        let list = match case.outcome {
            TestOutcome::Passed => &mut predicate.passed_tests,
            TestOutcome::Warned => &mut predicate.warned_tests,
            TestOutcome::Failed => &mut predicate.failed_tests,
        };
        list.push(case.name);
    }
}

/// The unescaped value of attribute `name`, if present and not empty.
/// Every attribute of the element is walked, so duplicates are caught.
fn non_empty_attribute(
    element: &BytesStart<'_>,
    name: &str,
    position: u64,
) -> Result<Option<String>, TestResultError> {
    let malformed = |message: String| TestResultError::Malformed { position, message };
    let mut found = None;
    for attribute in element.attributes() {
        let attribute = attribute.map_err(|error| malformed(error.to_string()))?;
        if attribute.key.as_ref() == name {
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|error| malformed(error.to_string()))?;
            found = Some(value.into_owned()).filter(|value| !value.is_empty());
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn workflow() -> Vec<ResourceDescriptor> {
        vec![ResourceDescriptor {
            name: Some(".github/workflows/ci.yml".into()),
            digest: BTreeMap::from([(
                "gitBlob".to_owned(),
                "ebe4add40f63c3c98bc9b32ff1e736f04120b023".to_owned(),
            )]),
            ..ResourceDescriptor::default()
        }]
    }

    fn read(xml: &str) -> Result<TestResult, TestResultError> {
        from_junit(
            xml,
            workflow(),
            Some("https://ci.example.com/runs/7".into()),
        )
    }

    const PASSING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="nextest-run" tests="3" failures="0" errors="0">
  <testsuite name="shipgate-attest::lib" tests="2">
    <properties><property name="seed" value="42"/></properties>
    <testcase name="provenance::tests::round_trip" classname="shipgate-attest::lib" time="0.01"/>
    <testcase name="vsa::tests::passed_summary &amp; more" classname="shipgate-attest::lib">
      <system-out>ok &lt;done&gt;</system-out>
    </testcase>
  </testsuite>
  <testsuite name="shipgate::cli">
    <testcase name="scan_exits_zero"></testcase>
  </testsuite>
</testsuites>"#;

    #[test]
    fn passing_report() {
        let result = read(PASSING).unwrap();
        assert_eq!(result.result, TestOutcome::Passed);
        assert_eq!(
            result.passed_tests,
            [
                "shipgate-attest::lib/provenance::tests::round_trip",
                "shipgate-attest::lib/vsa::tests::passed_summary & more",
                "shipgate::cli/scan_exits_zero",
            ]
        );
        insta::assert_json_snapshot!(result);
    }

    #[test]
    fn failing_report() {
        let xml = r#"<testsuite name="pytest">
  <testcase classname="tests.test_api" name="test_ok"/>
  <testcase classname="tests.test_api" name="test_broken">
    <failure message="assert 1 == 2">Traceback ...</failure>
  </testcase>
  <testcase classname="tests.test_api" name="test_crash"><error type="OSError"/></testcase>
  <testcase classname="tests.test_api" name="test_later"><skipped message="needs network"/></testcase>
</testsuite>"#;
        let result = read(xml).unwrap();
        assert_eq!(result.result, TestOutcome::Failed);
        assert_eq!(result.passed_tests, ["pytest/test_ok"]);
        assert_eq!(
            result.failed_tests,
            ["pytest/test_broken", "pytest/test_crash"]
        );
        assert_eq!(result.warned_tests, ["pytest/test_later"]);
    }

    #[test]
    fn skipped_and_flaky_tests_warn() {
        let xml = r#"<testsuites>
  <testsuite>
    <testcase classname="com.example.AppTest" name="retried"><flakyFailure message="timeout"/></testcase>
    <testcase name="bare"><skipped/></testcase>
    <testcase name="fine"/>
  </testsuite>
</testsuites>"#;
        let result = read(xml).unwrap();
        assert_eq!(result.result, TestOutcome::Warned);
        assert_eq!(result.warned_tests, ["com.example.AppTest/retried", "bare"]);
        assert_eq!(result.passed_tests, ["fine"]);
        assert!(result.failed_tests.is_empty());
    }

    #[test]
    fn only_direct_children_mark_a_case() {
        let xml = r#"<testsuite name="s">
  <testcase name="quoted"><system-out><failure/><testcase name="inner"/></system-out></testcase>
</testsuite>"#;
        let result = read(xml).unwrap();
        assert_eq!(result.passed_tests, ["s/quoted"]);
        assert_eq!(result.result, TestOutcome::Passed);
    }

    #[test]
    fn result_serializes_with_spec_names_and_round_trips() {
        let result = read(PASSING).unwrap();
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["result"], "PASSED");
        assert_eq!(json["warnedTests"], serde_json::json!([]));
        assert_eq!(json["url"], "https://ci.example.com/runs/7");
        let back: TestResult = serde_json::from_value(json).unwrap();
        assert_eq!(back, result);
    }

    #[test]
    fn malformed_reports_are_errors() {
        type Expectation = fn(&TestResultError) -> bool;
        let cases: [(&str, Expectation); 9] = [
            ("<testsuite name=\"a\"><testcase name=\"x\"/>", |e| {
                matches!(e, TestResultError::Truncated)
            }),
            ("<testsuite><testcase name=\"x\"></testsuite>", |e| {
                matches!(e, TestResultError::Malformed { .. })
            }),
            ("", |e| matches!(e, TestResultError::Truncated)),
            (
                "<html><body/></html>",
                |e| matches!(e, TestResultError::NotJUnit(root) if root == "html"),
            ),
            ("<testsuites></testsuites>", |e| {
                matches!(e, TestResultError::NoTestCases)
            }),
            ("<testsuite><testcase classname=\"c\"/></testsuite>", |e| {
                matches!(e, TestResultError::UnnamedTestCase { .. })
            }),
            (
                "<testsuite><testcase name=\"a&bogus;\"/></testsuite>",
                |e| matches!(e, TestResultError::Malformed { .. }),
            ),
            (
                "<testsuite><testcase name=\"a\"/></testsuite><testsuite/>",
                |e| matches!(e, TestResultError::Malformed { .. }),
            ),
            (
                "<testsuite><testcase name=\"a\" name=\"b\"/></testsuite>",
                |e| matches!(e, TestResultError::Malformed { .. }),
            ),
        ];
        for (xml, expected) in cases {
            let error = read(xml).unwrap_err();
            assert!(expected(&error), "{xml}: {error}");
        }
    }

    #[test]
    fn entity_expansion_is_refused() {
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuite><testcase name="&lol3;"/></testsuite>"#;
        assert!(matches!(read(laughs), Err(TestResultError::DocType)));
        let external = r#"<!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><testsuite><testcase name="&x;"/></testsuite>"#;
        assert!(matches!(read(external), Err(TestResultError::DocType)));
    }

    #[test]
    fn deep_and_huge_documents_are_refused() {
        let deep = format!(
            "<testsuites>{}{}</testsuites>",
            "<testsuite>".repeat(MAX_DEPTH),
            "</testsuite>".repeat(MAX_DEPTH)
        );
        assert!(matches!(read(&deep), Err(TestResultError::TooDeep)));

        let huge = " ".repeat(MAX_JUNIT_BYTES + 1);
        assert!(matches!(
            read(&huge),
            Err(TestResultError::TooLarge { size }) if size == MAX_JUNIT_BYTES + 1
        ));
    }

    #[test]
    fn every_prefix_of_a_report_reads_without_panicking() {
        for end in (0..PASSING.len()).filter(|&end| PASSING.is_char_boundary(end)) {
            assert!(
                read(&PASSING[..end]).is_err(),
                "prefix of {end} bytes accepted"
            );
        }
    }
}
