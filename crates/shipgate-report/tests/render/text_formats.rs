//! Behaviour of the human-readable formats that snapshots do not pin down
//! on their own: caps, escaping, colour and the gate threshold.

use shipgate_model::{ScanReport, Severity};
use shipgate_report::{Format, RenderOptions, render};

use crate::fixture::{empty_report, full_report};
use crate::{rendered, rendered_with};

fn many_findings(count: usize) -> ScanReport {
    let mut report = full_report();
    let template = report
        .findings
        .iter()
        .find(|f| f.severity == Severity::Critical)
        .expect("the fixture has a critical finding")
        .clone();
    report.findings = (0..count)
        .map(|n| {
            let mut finding = template.clone();
            finding.location.path = format!("file-{n:04}.env");
            finding
        })
        .collect();
    report
}

#[test]
fn markdown_caps_the_findings_table() {
    let markdown = rendered(&many_findings(205), Format::Markdown);
    let rows = markdown
        .lines()
        .filter(|line| line.starts_with("| critical | `secrets/"))
        .count();
    assert_eq!(rows, 200);
    assert!(markdown.contains("… and 5 more findings; see the full report."));
    assert!(markdown.contains("| critical | 205 |"));
}

#[test]
fn markdown_rows_stay_rows() {
    let markdown = rendered(&full_report(), Format::Markdown);
    let row = markdown
        .lines()
        .find(|line| line.contains("secrets/generic-api-key"))
        .expect("the row is there");
    let unescaped_pipes = row
        .char_indices()
        .filter(|&(i, c)| c == '|' && (i == 0 || row.as_bytes()[i - 1] != b'\\'))
        .count();
    assert_eq!(unescaped_pipes, 5, "four cells: {row}");
    assert!(!row.contains("<script>"));
}

#[test]
fn html_is_escaped_and_self_contained() {
    let html = rendered(&full_report(), Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "markup in messages is escaped");
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; friends"));
    for external in ["src=", "href=", "@import", "url("] {
        assert!(
            !html.contains(external),
            "no external resources: {external}"
        );
    }
    assert!(html.contains("données/clé.env:1:15"));
    assert!(html.contains("<mark>AKIA****************</mark>"));
    assert!(html.contains("data/dump.sql"), "skipped files are listed");
}

#[test]
fn table_lists_skipped_files_and_colours_only_when_asked() {
    let plain = rendered(&full_report(), Format::Table);
    assert!(!plain.contains('\u{1b}'), "no escape codes without colour");
    assert!(plain.contains("8 files skipped: 6 binary, 1 too large, 1 unreadable"));
    assert!(
        plain.contains("secrets/locked.txt (unreadable)"),
        "unreadable files are listed first"
    );
    assert!(plain.contains("… and 3 more"));
    assert!(plain.contains("Gate failed: 3 findings at or above high"));

    let coloured = rendered_with(&full_report(), Format::Table, true);
    assert!(coloured.contains("\u{1b}["), "escape codes with colour");
}

#[test]
fn hostile_paths_cannot_drive_the_terminal() {
    let mut report = full_report();
    report.findings[0].location.path = "evil\u{1b}]0;pwned\u{7}.env".into();
    report.findings[0].message = "csi\u{9b}2J message".into();
    report.findings[0].snippet.text = "sn\u{1b}[2Jippet\u{202e}".into();
    report.notes[6].path = Some("skip\u{1b}[2J.bin".into());
    let plain = rendered(&report, Format::Table);
    assert!(!plain.contains(['\u{1b}', '\u{9b}', '\u{202e}']), "{plain}");
}

#[test]
fn the_gate_follows_the_threshold() {
    let report = full_report();
    let verdict = |fail_on| {
        let mut out = Vec::new();
        let options = RenderOptions {
            color: false,
            fail_on,
        };
        render(&report, Format::Markdown, &options, &mut out).expect("renders");
        String::from_utf8(out).expect("UTF-8")
    };
    assert!(verdict(Some(Severity::Critical)).contains("1 finding at or above critical."));
    assert!(verdict(Some(Severity::Info)).contains("6 findings at or above info."));
    let unenforced = verdict(None);
    assert!(unenforced.starts_with("## ℹ️ shipgate gate not enforced"));
    assert!(unenforced.contains("No severity threshold is set."));
    let clean = rendered(&empty_report(), Format::Markdown);
    assert!(clean.starts_with("## ✅ shipgate gate passed"));
}
