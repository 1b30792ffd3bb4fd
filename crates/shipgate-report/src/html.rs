//! One self-contained HTML page: inline CSS, no scripts, no external
//! resources, so it can be attached to a CI run or mailed as it is. The
//! template engine escapes every value.

use std::io::Write;

use askama::Template;
use shipgate_model::{Finding, Note, ScanReport};

use crate::span::{SnippetLine, snippet_lines};
use crate::summary::{
    Gate, Skipped, Verdict, commit_summary, human_bytes, location_label, note_kind_label,
    other_notes, plural, severity_counts, sorted_findings, suppressed_line,
};
use crate::{RenderError, RenderOptions};

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    tool_version: &'a str,
    root: &'a str,
    scanners: String,
    gate_verdict: &'static str,
    gate_class: &'static str,
    gate_reason: String,
    counts: Vec<(&'static str, usize)>,
    total: usize,
    files_scanned: String,
    bytes_scanned: String,
    duration_ms: u64,
    suppressed: Option<String>,
    findings: Vec<FindingRow<'a>>,
    skipped_headline: Option<String>,
    skipped: Vec<NoteRow<'a>>,
    other_notes: Vec<NoteRow<'a>>,
}

struct FindingRow<'a> {
    severity: &'static str,
    rule_id: &'a str,
    title: &'a str,
    location: String,
    message: &'a str,
    confidence: &'static str,
    commit: Option<String>,
    note: Option<&'a str>,
    fingerprint: &'a str,
    lines: Vec<SnippetLine<'a>>,
}

struct NoteRow<'a> {
    kind: &'static str,
    path: &'a str,
    message: &'a str,
}

pub(crate) fn render(
    report: &ScanReport,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let gate = Gate::new(report, options.fail_on);
    let stats = &report.stats;
    let suppressed = suppressed_line(stats);
    let skipped = Skipped::of(report);
    let page = Page {
        tool_version: &report.tool.version,
        root: &report.root,
        scanners: report.scanners.join(", "),
        gate_verdict: gate.verdict_word(),
        gate_class: match gate.verdict() {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::NotEnforced => "not-enforced",
        },
        gate_reason: gate.reason(),
        counts: severity_counts(&report.findings)
            .into_iter()
            .map(|(severity, count)| (severity.as_str(), count))
            .collect(),
        total: report.findings.len(),
        files_scanned: plural(stats.files_scanned, "file"),
        bytes_scanned: human_bytes(stats.bytes_scanned),
        duration_ms: stats.duration_ms,
        suppressed,
        findings: sorted_findings(report)
            .into_iter()
            .map(finding_row)
            .collect(),
        skipped_headline: skipped.headline(),
        skipped: skipped.notes.iter().map(|note| note_row(note)).collect(),
        other_notes: other_notes(report).map(note_row).collect(),
    };
    page.write_into(out)?;
    writeln!(out)?;
    Ok(())
}

fn finding_row(finding: &Finding) -> FindingRow<'_> {
    let lines = if finding.snippet.text.is_empty() {
        Vec::new()
    } else {
        snippet_lines(&finding.snippet, &finding.location)
    };
    FindingRow {
        severity: finding.severity.as_str(),
        rule_id: &finding.rule_id,
        title: &finding.title,
        location: location_label(&finding.location),
        message: &finding.message,
        confidence: finding.confidence.as_str(),
        commit: finding.location.commit.as_ref().map(commit_summary),
        note: finding.note.as_deref(),
        fingerprint: finding.fingerprint.as_str(),
        lines,
    }
}

fn note_row(note: &Note) -> NoteRow<'_> {
    NoteRow {
        kind: note_kind_label(note.kind),
        path: note.path.as_deref().unwrap_or_default(),
        message: &note.message,
    }
}
