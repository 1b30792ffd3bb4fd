//! The contract between the walk, the scanners and the reports.

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::rule::RuleMeta;

/// One file's content, read once by the walk and lent to every scanner.
#[derive(Clone, Copy, Debug)]
pub struct SourceFile<'a> {
    /// Path relative to the scan root, with `/` separators.
    pub path: &'a str,
    /// The raw bytes; not necessarily valid UTF-8.
    pub content: &'a [u8],
}

/// A scanner: given a file, it appends findings. It never touches the disk.
pub trait Scanner: Send + Sync {
    /// Short name used by `--scanners`, for example `secrets`.
    fn name(&self) -> &'static str;

    /// Whether this scanner wants to see the file at `path` at all.
    fn wants(&self, path: &str) -> bool;

    /// Scans one file and appends what it finds to `findings`.
    fn scan(&self, file: &SourceFile<'_>, findings: &mut Vec<Finding>);

    /// Metadata of every rule this scanner can report.
    fn rules(&self) -> Vec<RuleMeta>;

    /// Called once after every file of a working-tree scan has been seen,
    /// for scanners whose findings relate files to each other (a workflow
    /// and the local action it calls). The scanner applies inline
    /// suppression to what it appends here itself, since only it still holds
    /// the content, and returns how many findings that dropped.
    fn finish(&self, findings: &mut Vec<Finding>) -> u64 {
        let _ = findings;
        0
    }

    /// Coverage notes the scanner gathered (files it could only partly
    /// read, a stale database), collected once after [`Scanner::finish`].
    fn notes(&self) -> Vec<Note> {
        Vec::new()
    }
}

/// Why a file or source was not (fully) scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// Skipped: looks binary (contains a NUL byte near the start).
    Binary,
    /// Skipped: larger than the configured size limit.
    TooLarge,
    /// Skipped: could not be read (permissions, I/O error, broken link).
    Unreadable,
    /// A problem walking the tree, such as a symlink loop.
    Walk,
    /// A problem reading git data.
    Git,
    /// Everything else worth telling the reader.
    Info,
}

/// Something the reader should know about coverage: never silent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// What kind of note.
    pub kind: NoteKind,
    /// The path concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Human-readable explanation.
    pub message: String,
}

/// Counters describing how much was scanned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanStats {
    /// Files (or blobs) handed to scanners.
    pub files_scanned: u64,
    /// Bytes handed to scanners.
    pub bytes_scanned: u64,
    /// Files skipped (binary, too large, unreadable).
    pub files_skipped: u64,
    /// Findings dropped by inline `shipgate:ignore` comments.
    pub suppressed_inline: u64,
    /// Findings dropped because their fingerprint is in the baseline.
    pub suppressed_baseline: u64,
    /// Wall time of the scan in milliseconds.
    pub duration_ms: u64,
}

/// Name and version of the tool that produced a report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    /// Always `shipgate`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// The result of one `shipgate scan`: what every renderer consumes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    /// Version of the JSON report schema (see `docs/json-report.md`).
    pub schema_version: u32,
    /// The producer.
    pub tool: ToolInfo,
    /// The scanned root as given on the command line.
    pub root: String,
    /// Which scanners ran.
    pub scanners: Vec<String>,
    /// Findings, sorted by path, line, column and rule.
    pub findings: Vec<Finding>,
    /// Coverage notes: skipped files and source problems.
    pub notes: Vec<Note>,
    /// Counters.
    pub stats: ScanStats,
    /// Metadata of each rule that has at least one finding.
    pub rules: Vec<RuleMeta>,
}

/// Current version of the JSON report schema.
pub const REPORT_SCHEMA_VERSION: u32 = 1;
