//! Sources and dispatch: reads each file (or git blob) once and lends it to
//! every [`Scanner`] that wants it.
//!
//! Four sources share one dispatch path:
//! - [`scan_tree`]: the working tree, gitignore-aware and in parallel;
//! - [`scan_history`]: every blob reachable from any ref, each scanned once and
//!   attributed to the earliest commit that introduced it;
//! - [`scan_since`]: only lines added in the working tree since a revision;
//! - [`scan_staged`]: only lines added by the staged changes.
//!
//! Per-file problems never stop a scan: they become [`Note`]s. Inline
//! `shipgate:ignore` comments are honoured for every scanner (see
//! [`suppress`]).

#![warn(missing_docs)]

mod content;
mod diff;
mod error;
mod git;
mod scope;
pub use shipgate_model::suppress;
mod tree;

use std::collections::BTreeMap;
use std::path::PathBuf;

use shipgate_model::config::DEFAULT_MAX_FILE_SIZE;
use shipgate_model::{Finding, Note, NoteKind, ScanStats};

pub use error::{GitError, WalkError};
pub use git::{scan_history, scan_since, scan_staged};
pub use shipgate_model::Scanner;
pub use tree::scan_tree;

/// Receives progress from scan threads; the binary turns it into a progress bar.
pub trait Progress: Sync {
    /// More work was discovered: `files` more files or blobs will be processed.
    fn add_total(&self, files: u64);
    /// `files` files or blobs holding `bytes` bytes were processed (scanned or skipped).
    fn advance(&self, files: u64, bytes: u64);
}

/// A [`Progress`] that ignores every report.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn add_total(&self, _files: u64) {}
    fn advance(&self, _files: u64, _bytes: u64) {}
}

/// What to scan and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkOptions {
    /// The directory (or single file) to scan. For git sources, any path
    /// inside the repository; only content under it is scanned.
    pub root: PathBuf,
    /// Honour `.gitignore`, `.git/info/exclude`, the global gitignore and
    /// `.ignore` files. `.gitignore` rules apply only inside a git checkout,
    /// as they do for git itself.
    pub respect_ignore: bool,
    /// Files or blobs larger than this many bytes are skipped with a note.
    pub max_file_size: u64,
    /// Gitignore-style globs, relative to `root`, that are never scanned.
    pub exclude: Vec<String>,
    /// Worker threads; 0 picks one per available core.
    pub threads: usize,
    /// The index file `scan_staged` reads instead of the repository's own.
    /// Git points hooks at a temporary index (`GIT_INDEX_FILE`) during
    /// `git commit -a` or `git commit <paths>`; the caller passes it here.
    pub index_file: Option<PathBuf>,
}

impl WalkOptions {
    /// Default options for scanning `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WalkOptions {
            root: root.into(),
            respect_ignore: true,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
            threads: 0,
            index_file: None,
        }
    }
}

/// Whether notes of `kind` record one skipped file each.
fn is_skip(kind: NoteKind) -> bool {
    matches!(
        kind,
        NoteKind::Binary | NoteKind::TooLarge | NoteKind::Unreadable | NoteKind::Git
    )
}

/// Everything a scan produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Findings, sorted by [`Finding::sort_key`].
    pub findings: Vec<Finding>,
    /// Coverage notes (skipped files, walk and git problems), sorted by path.
    pub notes: Vec<Note>,
    /// Counters; `duration_ms` is left for the caller to fill in.
    pub stats: ScanStats,
    /// Skipped files past [`LISTED_SKIPS_PER_KIND`], counted but not listed.
    unlisted_skips: BTreeMap<NoteKind, u64>,
}

/// How many skipped files of one kind are listed by path. The rest are
/// counted in one summary note, so a tree of millions of binary files cannot
/// grow the report (and memory) without bound.
pub const LISTED_SKIPS_PER_KIND: usize = 1000;

impl Outcome {
    /// Records a file skipped for `kind`, listing it while the cap allows.
    pub(crate) fn skip(&mut self, kind: NoteKind, path: &str, message: String) {
        self.stats.files_skipped += 1;
        if let Some(unlisted) = self.unlisted_skips.get_mut(&kind) {
            *unlisted += 1;
            return;
        }
        let listed = self
            .notes
            .iter()
            .filter(|note| note.kind == kind && note.path.is_some())
            .count();
        if listed < LISTED_SKIPS_PER_KIND {
            self.notes.push(Note {
                kind,
                path: Some(path.to_owned()),
                message,
            });
        } else {
            *self.unlisted_skips.entry(kind).or_default() += 1;
        }
    }

    /// Adds everything from `other` into `self`.
    pub(crate) fn absorb(&mut self, other: Outcome) {
        self.findings.extend(other.findings);
        self.notes.extend(other.notes);
        for (kind, count) in other.unlisted_skips {
            *self.unlisted_skips.entry(kind).or_default() += count;
        }
        self.cap_listed_skips();
        let stats = &mut self.stats;
        stats.files_scanned += other.stats.files_scanned;
        stats.bytes_scanned += other.stats.bytes_scanned;
        stats.files_skipped += other.stats.files_skipped;
        stats.suppressed_inline += other.stats.suppressed_inline;
        stats.suppressed_baseline += other.stats.suppressed_baseline;
    }

    /// Moves listed skips beyond the per-kind cap into the unlisted counts.
    fn cap_listed_skips(&mut self) {
        let mut listed: BTreeMap<NoteKind, usize> = BTreeMap::new();
        let unlisted = &mut self.unlisted_skips;
        self.notes.retain(|note| {
            if note.path.is_none() || !is_skip(note.kind) {
                return true;
            }
            let count = listed.entry(note.kind).or_default();
            *count += 1;
            if *count <= LISTED_SKIPS_PER_KIND {
                return true;
            }
            *unlisted.entry(note.kind).or_default() += 1;
            false
        });
    }

    /// Sorts findings and notes so output does not depend on thread timing,
    /// and summarises skipped files that were counted but not listed.
    pub(crate) fn finish(mut self) -> Outcome {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.notes
            .sort_by(|a, b| (a.path.as_deref(), &a.message).cmp(&(b.path.as_deref(), &b.message)));
        for (kind, count) in std::mem::take(&mut self.unlisted_skips) {
            self.notes.push(Note {
                kind,
                path: None,
                message: format!(
                    "{count} more file(s) skipped for the same reason are counted but not listed \
                     (the first {LISTED_SKIPS_PER_KIND} are)"
                ),
            });
        }
        self
    }
}
