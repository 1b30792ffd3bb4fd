//! JUnit XML, the test-report format GitLab, Jenkins and most CI servers show.
//!
//! Each rule is a test suite and each finding a failed test case named after
//! its location, so CI views list "rule → where" with the message and the
//! snippet in the failure body. Notes become skipped test cases so that files
//! left unscanned are visible in the same view.

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use shipgate_model::{Finding, Note, ScanReport};

use crate::RenderError;
use crate::span::snippet_lines;
use crate::summary::{commit_summary, location_label, note_kind_label, sorted_findings};

/// Suite and case name used when there is nothing to fail.
const CLEAN_SUITE: &str = "shipgate";
const CLEAN_CASE: &str = "shipgate scan";
/// Suite that holds coverage notes as skipped cases.
const NOTES_SUITE: &str = "shipgate notes";

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> Result<(), RenderError> {
    let mut writer = Writer::new_with_indent(out, b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;

    let mut findings = sorted_findings(report);
    findings.sort_by(|a, b| a.rule_id.cmp(&b.rule_id));
    let suites: Vec<&[&Finding]> = findings.chunk_by(|a, b| a.rule_id == b.rule_id).collect();

    let clean_cases = usize::from(findings.is_empty());
    let tests = findings.len() + clean_cases + report.notes.len();
    writer
        .create_element("testsuites")
        .with_attribute(("name", "shipgate"))
        .with_attribute(("tests", tests.to_string().as_str()))
        .with_attribute(("failures", findings.len().to_string().as_str()))
        .with_attribute(("errors", "0"))
        .with_attribute(("skipped", report.notes.len().to_string().as_str()))
        .write_inner_content(|writer| {
            if findings.is_empty() {
                write_clean_suite(writer)?;
            }
            for suite in &suites {
                write_rule_suite(writer, suite)?;
            }
            if !report.notes.is_empty() {
                write_notes_suite(writer, &report.notes)?;
            }
            Ok(())
        })?;
    writeln!(writer.get_mut())?;
    Ok(())
}

type XmlWriter<'w> = Writer<&'w mut dyn Write>;

fn write_clean_suite(writer: &mut XmlWriter<'_>) -> io::Result<()> {
    writer
        .create_element("testsuite")
        .with_attribute(("name", CLEAN_SUITE))
        .with_attribute(("tests", "1"))
        .with_attribute(("failures", "0"))
        .with_attribute(("errors", "0"))
        .with_attribute(("skipped", "0"))
        .write_inner_content(|writer| {
            writer
                .create_element("testcase")
                .with_attribute(("name", CLEAN_CASE))
                .with_attribute(("classname", CLEAN_SUITE))
                .write_empty()?;
            Ok(())
        })?;
    Ok(())
}

fn write_rule_suite(writer: &mut XmlWriter<'_>, findings: &[&Finding]) -> io::Result<()> {
    let Some(first) = findings.first() else {
        return Ok(());
    };
    let rule_id = xml_safe(&first.rule_id);
    let count = findings.len().to_string();
    writer
        .create_element("testsuite")
        .with_attribute(("name", rule_id.as_ref()))
        .with_attribute(("tests", count.as_str()))
        .with_attribute(("failures", count.as_str()))
        .with_attribute(("errors", "0"))
        .with_attribute(("skipped", "0"))
        .write_inner_content(|writer| {
            for finding in findings {
                write_finding_case(writer, finding, &rule_id)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_finding_case(
    writer: &mut XmlWriter<'_>,
    finding: &Finding,
    suite: &str,
) -> io::Result<()> {
    let name = xml_safe(&location_label(&finding.location)).into_owned();
    let file = xml_safe(&finding.location.path);
    let line = finding.location.start.line.to_string();
    let message = xml_safe(&finding.message);
    let body = failure_body(finding);
    writer
        .create_element("testcase")
        .with_attribute(("name", name.as_str()))
        .with_attribute(("classname", suite))
        .with_attribute(("file", file.as_ref()))
        .with_attribute(("line", line.as_str()))
        .write_inner_content(|writer| {
            writer
                .create_element("failure")
                .with_attribute(("message", message.as_ref()))
                .with_attribute(("type", finding.severity.as_str()))
                .write_text_content(BytesText::new(&xml_safe(&body)))?;
            Ok(())
        })?;
    Ok(())
}

/// Everything a reader needs without opening the file: what, where, how
/// sure, and the (redacted) lines themselves.
fn failure_body(finding: &Finding) -> String {
    let mut body = format!(
        "{}: {} ({})\n{}\nat {}\nconfidence: {}\n",
        finding.severity,
        finding.title,
        finding.rule_id,
        finding.message,
        location_label(&finding.location),
        finding.confidence
    );
    if let Some(commit) = &finding.location.commit {
        body.push_str(&format!("commit: {}\n", commit_summary(commit)));
    }
    if let Some(note) = &finding.note {
        body.push_str(&format!("note: {note}\n"));
    }
    body.push_str(&format!("fingerprint: {}\n", finding.fingerprint));
    let lines = snippet_lines(&finding.snippet, &finding.location);
    let width = lines.last().map_or(1, |line| line.number.to_string().len());
    if !finding.snippet.text.is_empty() {
        body.push('\n');
        for line in lines {
            body.push_str(&format!(
                "{:>width$} | {}{}{}\n",
                line.number, line.before, line.marked, line.after
            ));
        }
    }
    body
}

fn write_notes_suite(writer: &mut XmlWriter<'_>, notes: &[Note]) -> io::Result<()> {
    let count = notes.len().to_string();
    writer
        .create_element("testsuite")
        .with_attribute(("name", NOTES_SUITE))
        .with_attribute(("tests", count.as_str()))
        .with_attribute(("failures", "0"))
        .with_attribute(("errors", "0"))
        .with_attribute(("skipped", count.as_str()))
        .write_inner_content(|writer| {
            for note in notes {
                let name = xml_safe(note.path.as_deref().unwrap_or(note_kind_label(note.kind)));
                let message =
                    xml_safe(&format!("{}: {}", note_kind_label(note.kind), note.message))
                        .into_owned();
                writer
                    .create_element("testcase")
                    .with_attribute(("name", name.as_ref()))
                    .with_attribute(("classname", NOTES_SUITE))
                    .write_inner_content(|writer| {
                        writer
                            .create_element("skipped")
                            .with_attribute(("message", message.as_str()))
                            .write_empty()?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Replaces characters XML 1.0 cannot carry at all, even escaped (most C0
/// controls, U+FFFE, U+FFFF); the writer escapes the rest.
fn xml_safe(text: &str) -> Cow<'_, str> {
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if text.chars().any(forbidden) {
        Cow::Owned(
            text.chars()
                .map(|c| if forbidden(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_xml_characters_are_replaced() {
        assert_eq!(xml_safe("a\u{1b}[31mb\u{0}"), "a\u{FFFD}[31mb\u{FFFD}");
        assert!(matches!(xml_safe("tab\tok\n"), Cow::Borrowed(_)));
    }
}
