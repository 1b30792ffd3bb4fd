//! Facts every human-readable format states the same way: counts per
//! severity, the gate verdict, skipped files and other coverage notes.

use shipgate_model::{CommitInfo, Finding, Location, Note, NoteKind, ScanReport, Severity};

/// How many skipped paths a summary lists before it says "and N more".
pub(crate) const LISTED_SKIPPED_PATHS: usize = 5;

/// Findings per severity, most severe first.
pub(crate) fn severity_counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::ALL
        .into_iter()
        .rev()
        .map(|severity| {
            let count = findings.iter().filter(|f| f.severity == severity).count();
            (severity, count)
        })
        .collect()
}

/// The gate verdict at a threshold.
pub(crate) struct Gate {
    /// The threshold; `None` when no severity fails the gate.
    fail_on: Option<Severity>,
    /// Findings at or above it.
    blocking: usize,
}

/// What the gate decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Passed,
    Failed,
    /// No threshold was set, so findings are reported but fail nothing.
    NotEnforced,
}

impl Gate {
    pub(crate) fn new(report: &ScanReport, fail_on: Option<Severity>) -> Self {
        let blocking = fail_on.map_or(0, |threshold| {
            report
                .findings
                .iter()
                .filter(|f| f.severity >= threshold)
                .count()
        });
        Gate { fail_on, blocking }
    }

    pub(crate) fn verdict(&self) -> Verdict {
        match self.fail_on {
            None => Verdict::NotEnforced,
            Some(_) if self.blocking > 0 => Verdict::Failed,
            Some(_) => Verdict::Passed,
        }
    }

    /// "passed", "failed" or "not enforced".
    pub(crate) fn verdict_word(&self) -> &'static str {
        match self.verdict() {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::NotEnforced => "not enforced",
        }
    }

    /// Why: "3 findings at or above high".
    pub(crate) fn reason(&self) -> String {
        match self.fail_on {
            None => "no severity threshold is set".to_owned(),
            Some(threshold) if self.blocking > 0 => format!(
                "{} at or above {threshold}",
                plural(self.blocking, "finding")
            ),
            Some(threshold) => format!("no findings at or above {threshold}"),
        }
    }

    /// One sentence stating the verdict and why.
    pub(crate) fn sentence(&self) -> String {
        format!("gate {}: {}", self.verdict_word(), self.reason())
    }
}

/// Whether a note is about a file that was not scanned.
pub(crate) fn is_skipped_file(note: &Note) -> bool {
    matches!(
        note.kind,
        NoteKind::Binary | NoteKind::TooLarge | NoteKind::Unreadable
    )
}

/// A few words naming a note's kind.
pub(crate) fn note_kind_label(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Binary => "binary",
        NoteKind::TooLarge => "too large",
        NoteKind::Unreadable => "unreadable",
        NoteKind::Walk => "walk problem",
        NoteKind::Git => "git problem",
        NoteKind::Info => "info",
    }
}

/// The skipped files of a report, grouped for a summary line.
pub(crate) struct Skipped<'a> {
    /// Every skipped-file note, most noteworthy first.
    pub notes: Vec<&'a Note>,
}

impl<'a> Skipped<'a> {
    /// Files that could not be read come first, then those too large, then
    /// binaries: the first few listed are the ones most worth a look.
    pub(crate) fn of(report: &'a ScanReport) -> Self {
        let mut notes: Vec<&Note> = report.notes.iter().filter(|n| is_skipped_file(n)).collect();
        notes.sort_by_key(|note| match note.kind {
            NoteKind::Unreadable => 0,
            NoteKind::TooLarge => 1,
            _ => 2,
        });
        Skipped { notes }
    }

    /// "3 files skipped: 2 binary, 1 too large", or `None` when nothing was skipped.
    pub(crate) fn headline(&self) -> Option<String> {
        if self.notes.is_empty() {
            return None;
        }
        let reasons: Vec<String> = [NoteKind::Binary, NoteKind::TooLarge, NoteKind::Unreadable]
            .into_iter()
            .filter_map(|kind| {
                let count = self.notes.iter().filter(|n| n.kind == kind).count();
                (count > 0).then(|| format!("{count} {}", note_kind_label(kind)))
            })
            .collect();
        Some(format!(
            "{} skipped: {}",
            plural(self.notes.len(), "file"),
            reasons.join(", ")
        ))
    }

    /// The first few skipped notes and how many more there are.
    pub(crate) fn listed(&self) -> (&[&'a Note], usize) {
        let shown = self.notes.len().min(LISTED_SKIPPED_PATHS);
        let (listed, rest) = self.notes.split_at(shown);
        (listed, rest.len())
    }
}

/// `text` with its first letter in upper case.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Notes that are not skipped files: walk and git problems, information.
pub(crate) fn other_notes(report: &ScanReport) -> impl Iterator<Item = &Note> {
    report.notes.iter().filter(|n| !is_skipped_file(n))
}

/// `path:line:column`.
pub(crate) fn location_label(location: &Location) -> String {
    format!(
        "{}:{}:{}",
        location.path, location.start.line, location.start.column
    )
}

/// The abbreviated commit id git shows by default.
pub(crate) fn short_commit_id(id: &str) -> &str {
    id.char_indices()
        .nth(7)
        .and_then(|(end, _)| id.get(..end))
        .unwrap_or(id)
}

/// "1a2b3c4 by Alice <alice@example.com> on 2024-05-01T10:00:00Z".
pub(crate) fn commit_summary(commit: &CommitInfo) -> String {
    format!(
        "{} by {} <{}> on {}",
        short_commit_id(&commit.id),
        commit.author,
        commit.email,
        commit.date
    )
}

/// "Suppressed: 2 inline, 5 by the baseline.", when anything was suppressed.
pub(crate) fn suppressed_line(stats: &shipgate_model::ScanStats) -> Option<String> {
    (stats.suppressed_inline > 0 || stats.suppressed_baseline > 0).then(|| {
        format!(
            "Suppressed: {} inline, {} by the baseline.",
            stats.suppressed_inline, stats.suppressed_baseline
        )
    })
}

/// "1 finding", "3 findings".
pub(crate) fn plural(count: impl std::fmt::Display, noun: &str) -> String {
    let count = count.to_string();
    if count == "1" {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Findings in file, position and rule order, whatever order the report holds.
pub(crate) fn sorted_findings(report: &ScanReport) -> Vec<&Finding> {
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings
}

/// A byte count for people: "512 B", "1.5 KiB", "12.0 MiB".
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_and_plurals() {
        assert_eq!(short_commit_id("0123456789abcdef"), "0123456");
        assert_eq!(short_commit_id("abc"), "abc");
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(0, "file"), "0 files");
    }

    #[test]
    fn capitalise_handles_empty_and_unicode() {
        assert_eq!(capitalise(""), "");
        assert_eq!(capitalise("été"), "Été");
    }

    #[test]
    fn bytes_read_naturally() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
        assert_eq!(human_bytes(u64::MAX), "16777216.0 TiB");
    }
}
