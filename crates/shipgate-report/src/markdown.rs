//! GitHub-flavoured Markdown for CI job summaries (GitHub's step summary,
//! GitLab's Markdown reports): the verdict first, then counts, findings and
//! coverage notes.

use std::io::Write;

use shipgate_model::{Finding, ScanReport};

use crate::summary::{
    Gate, Skipped, Verdict, capitalise, human_bytes, note_kind_label, other_notes, plural,
    severity_counts, sorted_findings, suppressed_line,
};
use crate::{RenderError, RenderOptions};

/// Job summaries have size limits (GitHub: 1 MiB per step), so the findings
/// table stops here and says how many rows it left out.
pub(crate) const MAX_FINDING_ROWS: usize = 200;

pub(crate) fn render(
    report: &ScanReport,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let gate = Gate::new(report, options.fail_on);
    let icon = match gate.verdict() {
        Verdict::Passed => "✅",
        Verdict::Failed => "❌",
        Verdict::NotEnforced => "ℹ️",
    };
    writeln!(out, "## {icon} shipgate gate {}\n", gate.verdict_word())?;
    writeln!(out, "{}.\n", capitalise(&gate.reason()))?;

    writeln!(out, "| Severity | Findings |")?;
    writeln!(out, "|---|---:|")?;
    for (severity, count) in severity_counts(&report.findings) {
        writeln!(out, "| {severity} | {count} |")?;
    }
    writeln!(out, "| **total** | **{}** |\n", report.findings.len())?;

    let stats = &report.stats;
    writeln!(
        out,
        "Scanned {} ({}) with {}.",
        plural(stats.files_scanned, "file"),
        human_bytes(stats.bytes_scanned),
        escape_text(&report.scanners.join(", "))
    )?;
    if let Some(line) = suppressed_line(stats) {
        writeln!(out, "{line}")?;
    }
    writeln!(out)?;

    if !report.findings.is_empty() {
        write_findings(report, out)?;
    }
    write_notes(report, out)
}

fn write_findings(report: &ScanReport, out: &mut dyn Write) -> Result<(), RenderError> {
    let mut findings = sorted_findings(report);
    // Most severe first: a truncated table must still show what matters.
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    writeln!(out, "### Findings\n")?;
    writeln!(out, "| Severity | Rule | Location | Message |")?;
    writeln!(out, "|---|---|---|---|")?;
    for finding in findings.iter().take(MAX_FINDING_ROWS) {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            finding.severity,
            code(&finding.rule_id),
            code(&format!(
                "{}:{}",
                finding.location.path, finding.location.start.line
            )),
            message_cell(finding)
        )?;
    }
    if findings.len() > MAX_FINDING_ROWS {
        writeln!(
            out,
            "\n… and {}; see the full report.",
            plural(findings.len() - MAX_FINDING_ROWS, "more finding")
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn message_cell(finding: &Finding) -> String {
    let mut cell = escape_text(&finding.message);
    if let Some(commit) = &finding.location.commit {
        cell.push_str(&format!(
            " (commit {})",
            code(crate::summary::short_commit_id(&commit.id))
        ));
    }
    cell
}

fn write_notes(report: &ScanReport, out: &mut dyn Write) -> Result<(), RenderError> {
    let skipped = Skipped::of(report);
    let others: Vec<_> = other_notes(report).collect();
    if skipped.notes.is_empty() && others.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Coverage notes\n")?;
    if let Some(headline) = skipped.headline() {
        writeln!(out, "⚠️ {}\n", capitalise(&headline))?;
        let (listed, more) = skipped.listed();
        for note in listed {
            writeln!(
                out,
                "- {} ({}): {}",
                inline_code(note.path.as_deref().unwrap_or("-")),
                note_kind_label(note.kind),
                escape_text(&note.message)
            )?;
        }
        if more > 0 {
            writeln!(out, "- … and {more} more")?;
        }
        writeln!(out)?;
    }
    for note in &others {
        let path = note
            .path
            .as_deref()
            .map(|p| format!("{}: ", inline_code(p)))
            .unwrap_or_default();
        writeln!(
            out,
            "- {} {path}{}",
            note_kind_label(note.kind),
            escape_text(&note.message)
        )?;
    }
    if !others.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// Escapes text for a Markdown paragraph or table cell: Markdown punctuation
/// is backslash-escaped (which also defuses raw HTML and entities), and line
/// breaks become spaces because a table row must stay on one line.
pub(crate) fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A code span for a table cell, where a `|` still ends the cell unless
/// escaped, even inside the span.
pub(crate) fn code(text: &str) -> String {
    if fits_code_span(text) {
        format!("`{}`", text.replace('|', "\\|"))
    } else {
        escape_text(text)
    }
}

/// A code span outside tables. Text that itself holds a backtick or a line
/// break cannot sit in a single-backtick span, so it falls back to escaped
/// plain text.
pub(crate) fn inline_code(text: &str) -> String {
    if fits_code_span(text) {
        format!("`{text}`")
    } else {
        escape_text(text)
    }
}

fn fits_code_span(text: &str) -> bool {
    !text.is_empty() && !text.contains(['`', '\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(escape_text("a|b"), "a\\|b");
        assert_eq!(escape_text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(escape_text("one\ntwo"), "one two");
        assert_eq!(code("a|b.rs:3"), "`a\\|b.rs:3`");
        assert_eq!(code("tick`s"), "tick\\`s");
        assert_eq!(code("a|b`c"), "a\\|b\\`c");
        assert_eq!(inline_code("a|b.rs"), "`a|b.rs`");
    }
}
