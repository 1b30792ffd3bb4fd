//! The `deps` scanner: collects lockfiles during the walk, reads them into
//! one inventory when the walk ends, and reports what the advisories say.

use std::sync::{Mutex, MutexGuard, PoisonError};

use shipgate_model::{
    Finding, Fingerprint, LineIndex, Location, Note, NoteKind, RuleMeta, Scanner, Snippet,
    SourceFile,
};

use crate::inventory::{FileSet, Inventory, LockfileError};
use crate::lockfile;
use crate::rules::{self, DepsRule};

/// Reads every lockfile of a working tree into an [`Inventory`].
#[derive(Debug, Default)]
pub struct DepsScanner {
    files: Mutex<FileSet>,
    inventory: Mutex<Inventory>,
    notes: Mutex<Vec<Note>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DepsScanner {
    /// A scanner that only builds the inventory.
    pub fn new() -> Self {
        DepsScanner::default()
    }

    /// The inventory read when the walk finished (empty before).
    pub fn into_inventory(self) -> Inventory {
        self.inventory
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every rule this scanner can report.
    pub fn rule_metas() -> Vec<RuleMeta> {
        rules::all()
    }
}

impl Scanner for DepsScanner {
    fn name(&self) -> &'static str {
        "deps"
    }

    fn wants(&self, path: &str) -> bool {
        lockfile::is_relevant(path)
    }

    fn scan(&self, file: &SourceFile<'_>, _findings: &mut Vec<Finding>) {
        lock(&self.files).insert(file.path, file.content.to_vec());
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules::all()
    }

    fn finish(&self, findings: &mut Vec<Finding>) -> u64 {
        let files = std::mem::take(&mut *lock(&self.files));
        let inventory = Inventory::build(&files);
        let mut notes = lock(&self.notes);
        for error in &inventory.errors {
            findings.push(invalid_lockfile(error, &files));
        }
        for lockfile in &inventory.lockfiles {
            for warning in &lockfile.warnings {
                notes.push(Note {
                    kind: NoteKind::Info,
                    path: Some(match warning.line {
                        Some(line) => format!("{}:{line}", lockfile.path),
                        None => lockfile.path.clone(),
                    }),
                    message: warning.message.clone(),
                });
            }
        }
        *lock(&self.inventory) = inventory;
        0
    }

    fn notes(&self) -> Vec<Note> {
        std::mem::take(&mut *lock(&self.notes))
    }
}

/// A finding on `line` (1-based; 0 means the first line) of `path`, with
/// that line as its snippet. `identity` separates findings on the same
/// line (package and advisory) for the fingerprint.
pub(crate) fn finding_at(
    rule: &DepsRule,
    path: &str,
    line: u32,
    message: String,
    files: &FileSet,
    identity: &str,
    symbolic: Option<String>,
) -> Finding {
    let content = files.get(path).unwrap_or_default();
    let index = LineIndex::new(content);
    let last_line = index.line_count().saturating_sub(1);
    let line_index = usize::try_from(line.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .min(last_line);
    let range = index.line_range(content, line_index);
    let text = &content[range.clone()];
    let trimmed_end = range.start + text.trim_ascii_end().len();
    Finding {
        rule_id: rule.id.to_owned(),
        title: rule.title.to_owned(),
        severity: rule.severity,
        confidence: rule.confidence,
        message,
        location: Location {
            path: path.to_owned(),
            start: index.position(content, range.start),
            end: index.position(content, trimmed_end),
            byte_start: range.start,
            byte_end: trimmed_end,
            commit: None,
            symbolic,
        },
        snippet: Snippet {
            first_line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
            text: String::from_utf8_lossy(&content[range.start..trimmed_end]).into_owned(),
        },
        secret: None,
        fingerprint: Fingerprint::new(rule.id, path, identity.as_bytes()),
        controls: rule.controls.iter().map(|c| (*c).to_owned()).collect(),
        note: None,
        properties: Default::default(),
    }
}

fn invalid_lockfile(error: &LockfileError, files: &FileSet) -> Finding {
    finding_at(
        &rules::INVALID_LOCKFILE,
        &error.path,
        error.line.unwrap_or(1),
        format!("cannot read this lockfile: {}", error.message),
        files,
        &error.message,
        None,
    )
}
