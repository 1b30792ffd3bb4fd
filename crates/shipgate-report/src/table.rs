//! The terminal format: findings grouped by file, each as an annotated source
//! snippet in the style of compiler diagnostics, then a summary.

use std::io::Write;

use annotate_snippets::renderer::{AnsiColor, DecorStyle, Style};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Color, Table};
use shipgate_model::{Confidence, Finding, ScanReport, Severity, Snippet};

use crate::span::snippet_span;
use crate::summary::{
    Gate, Skipped, Verdict, capitalise, commit_summary, human_bytes, note_kind_label, other_notes,
    plural, severity_counts, sorted_findings, suppressed_line,
};
use crate::terminal::{multi_line, single_line};
use crate::{RenderError, RenderOptions};

pub(crate) fn render(
    report: &ScanReport,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let paint = Paint {
        color: options.color,
    };
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Unicode);

    let findings = sorted_findings(report);
    if findings.is_empty() {
        writeln!(out, "No findings.\n")?;
    }
    for file in findings.chunk_by(|a, b| a.location.path == b.location.path) {
        let path = file.first().map_or("", |f| f.location.path.as_str());
        let heading = format!("{} ({})", single_line(path), plural(file.len(), "finding"));
        writeln!(out, "{}\n", paint.bold(&heading))?;
        for finding in file {
            writeln!(out, "{}\n", renderer.render(&[finding_group(finding)]))?;
        }
    }

    write_summary(report, options, &paint, out)
}

/// One finding as a diagnostic. Everything taken from the scanned files is
/// made terminal-safe first; the snippet keeps its code-point columns, so the
/// span is computed on the safe text.
fn finding_group(finding: &Finding) -> Group<'static> {
    let title = level(finding.severity)
        .primary_title(single_line(&finding.title))
        .id(single_line(&finding.rule_id));
    let location = &finding.location;
    let path = single_line(&location.path);
    let message = single_line(&finding.message);
    let snippet = Snippet {
        first_line: finding.snippet.first_line,
        text: multi_line(&finding.snippet.text),
    };
    let mut group = if snippet.text.is_empty() {
        title
            .element(
                Origin::path(path)
                    .line(to_usize(location.start.line.max(1)))
                    .char_column(to_usize(location.start.column.max(1))),
            )
            .element(Level::NOTE.no_name().message(message))
    } else {
        let span = snippet_span(&snippet, location);
        title.element(
            annotate_snippets::Snippet::source(snippet.text)
                .line_start(to_usize(snippet.first_line.max(1)))
                .path(path)
                .annotation(AnnotationKind::Primary.span(span).label(message)),
        )
    };
    if let Some(commit) = &location.commit {
        group = group.element(
            Level::NOTE
                .with_name("commit")
                .message(single_line(&commit_summary(commit))),
        );
    }
    if finding.confidence < Confidence::High {
        group = group.element(
            Level::NOTE
                .with_name("confidence")
                .message(finding.confidence.as_str()),
        );
    }
    if let Some(note) = &finding.note {
        group = group.element(Level::NOTE.message(single_line(note)));
    }
    group
}

/// Compiler-style levels named after our severities, so colours match urgency.
fn level(severity: Severity) -> Level<'static> {
    let base = match severity {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::INFO,
    };
    base.with_name(severity.as_str())
}

fn write_summary(
    report: &ScanReport,
    options: &RenderOptions,
    paint: &Paint,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    if options.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(vec!["severity", "findings"]);
    for (severity, count) in severity_counts(&report.findings) {
        let mut name = Cell::new(severity.as_str());
        if count > 0 {
            name = name.fg(severity_color(severity));
        }
        table.add_row(vec![
            name,
            Cell::new(count).set_alignment(CellAlignment::Right),
        ]);
    }
    table.add_row(vec![
        Cell::new("total"),
        Cell::new(report.findings.len()).set_alignment(CellAlignment::Right),
    ]);
    writeln!(out, "{table}")?;

    let stats = &report.stats;
    writeln!(
        out,
        "Scanned {} ({}) in {} ms.",
        plural(stats.files_scanned, "file"),
        human_bytes(stats.bytes_scanned),
        stats.duration_ms
    )?;
    if let Some(line) = suppressed_line(stats) {
        writeln!(out, "{line}")?;
    }

    let skipped = Skipped::of(report);
    if let Some(headline) = skipped.headline() {
        writeln!(out, "{}", paint.warn(&headline))?;
        let (listed, more) = skipped.listed();
        for note in listed {
            let path = note.path.as_deref().unwrap_or("-");
            writeln!(
                out,
                "  - {} ({}): {}",
                single_line(path),
                note_kind_label(note.kind),
                single_line(&note.message)
            )?;
        }
        if more > 0 {
            writeln!(out, "  … and {more} more")?;
        }
    }
    for note in other_notes(report) {
        let path = note
            .path
            .as_deref()
            .map(|p| format!("{}: ", single_line(p)))
            .unwrap_or_default();
        writeln!(
            out,
            "note ({}): {path}{}",
            note_kind_label(note.kind),
            single_line(&note.message)
        )?;
    }

    let gate = Gate::new(report, options.fail_on);
    let sentence = capitalise(&gate.sentence());
    let verdict = match gate.verdict() {
        Verdict::Failed => paint.fail(&sentence),
        Verdict::Passed => paint.pass(&sentence),
        Verdict::NotEnforced => paint.bold(&sentence),
    };
    writeln!(out, "{verdict}")?;
    Ok(())
}

fn severity_color(severity: Severity) -> Color {
    match severity {
        Severity::Critical => Color::Magenta,
        Severity::High => Color::Red,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Blue,
        Severity::Info => Color::Grey,
    }
}

/// Applies ANSI styles only when colour was asked for.
struct Paint {
    color: bool,
}

impl Paint {
    fn styled(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.styled(Style::new().bold(), text)
    }

    fn warn(&self, text: &str) -> String {
        self.styled(Style::new().fg_color(Some(AnsiColor::Yellow.into())), text)
    }

    fn fail(&self, text: &str) -> String {
        self.styled(
            Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            text,
        )
    }

    fn pass(&self, text: &str) -> String {
        self.styled(
            Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            text,
        )
    }
}

fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
