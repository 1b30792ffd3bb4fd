//! The working-tree source: a parallel, gitignore-aware walk that reads each
//! wanted file once.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use shipgate_model::{Note, NoteKind, Scanner};

use crate::content::{self, BINARY_PROBE, Dispatch};
use crate::diff::AddedLines;
use crate::error::WalkError;
use crate::scope::{Excludes, relative_path};
use crate::{Outcome, Progress, WalkOptions};

/// A per-thread read buffer larger than this is released after use, so one
/// big file does not pin its size for the rest of the walk.
const KEEP_BUFFER: usize = 1024 * 1024;

/// Scans the working tree under `opts.root` with every scanner.
///
/// Hidden files are scanned; `.git` directories never are. Symbolic links are
/// not followed. Binary, oversized and unreadable files are skipped with a
/// note; walk problems (permission denied on a directory, a symbolic-link
/// loop, a broken ignore file) become notes too.
///
/// # Errors
///
/// [`WalkError`] only when the scan cannot start: the root does not exist or
/// an exclude glob is invalid.
pub fn scan_tree(
    opts: &WalkOptions,
    scanners: &[&dyn Scanner],
    progress: &dyn Progress,
) -> Result<Outcome, WalkError> {
    let mut outcome = walk_worktree(opts, Dispatch::new(scanners), progress, &WholeFiles)?;
    let before = outcome.findings.len();
    for scanner in scanners {
        outcome.stats.suppressed_inline += scanner.finish(&mut outcome.findings);
        outcome.notes.extend(scanner.notes());
    }
    if outcome.findings.len() != before {
        outcome
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    Ok(outcome)
}

/// Which part of a file to report on, decided after reading it.
pub(crate) enum Selection {
    /// Nothing new: do not scan.
    Unchanged,
    /// Report on every line.
    Whole,
    /// Report only on these lines.
    Added(AddedLines),
}

/// Decides per file what counts as new; the plain tree scan takes everything.
pub(crate) trait ChangeFilter: Sync {
    /// Per-thread working state, such as a thread-local repository handle.
    type State: Send;

    /// Creates the state for one walk thread.
    fn state(&self) -> Self::State;

    /// Selects what to report for `path`, whose current text is `content`;
    /// problems that do not stop the scan go to `notes`.
    fn select(
        &self,
        state: &mut Self::State,
        path: &str,
        content: &[u8],
        notes: &mut Vec<Note>,
    ) -> Selection;
}

struct WholeFiles;

impl ChangeFilter for WholeFiles {
    type State = ();

    fn state(&self) {}

    fn select(&self, _: &mut (), _: &str, _: &[u8], _: &mut Vec<Note>) -> Selection {
        Selection::Whole
    }
}

/// Walks the working tree and scans what `filter` selects.
pub(crate) fn walk_worktree<F: ChangeFilter>(
    opts: &WalkOptions,
    dispatch: Dispatch<'_>,
    progress: &dyn Progress,
    filter: &F,
) -> Result<Outcome, WalkError> {
    std::fs::metadata(&opts.root).map_err(|source| WalkError::Root {
        path: opts.root.clone(),
        source,
    })?;
    let excludes = Excludes::new(&opts.exclude)?;
    let mut builder = WalkBuilder::new(&opts.root);
    builder
        .standard_filters(opts.respect_ignore)
        .hidden(false)
        .follow_links(false)
        .threads(opts.threads);
    let filter_root = opts.root.clone();
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        if entry.file_name() == ".git" {
            return false;
        }
        let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
        !excludes.excludes(&relative_path(&filter_root, entry.path()), is_dir)
    });

    let shared = Shared {
        root: &opts.root,
        max_file_size: opts.max_file_size,
        dispatch,
        progress,
        filter,
        collected: Mutex::new(Outcome::default()),
    };
    builder
        .build_parallel()
        .visit(&mut VisitorBuilder { shared: &shared });
    let collected = shared
        .collected
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Ok(collected.finish())
}

struct Shared<'s, F> {
    root: &'s Path,
    max_file_size: u64,
    dispatch: Dispatch<'s>,
    progress: &'s dyn Progress,
    filter: &'s F,
    collected: Mutex<Outcome>,
}

struct VisitorBuilder<'s, F> {
    shared: &'s Shared<'s, F>,
}

impl<'s, F: ChangeFilter> ParallelVisitorBuilder<'s> for VisitorBuilder<'s, F> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            shared: self.shared,
            state: self.shared.filter.state(),
            out: Outcome::default(),
            buffer: Vec::new(),
        })
    }
}

/// One walk thread: collects locally and hands its results over when the
/// walk drops it at the end.
struct Visitor<'s, F: ChangeFilter> {
    shared: &'s Shared<'s, F>,
    state: F::State,
    out: Outcome,
    buffer: Vec<u8>,
}

impl<F: ChangeFilter> Drop for Visitor<'_, F> {
    fn drop(&mut self) {
        let out = std::mem::take(&mut self.out);
        self.shared
            .collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .absorb(out);
    }
}

impl<F: ChangeFilter> ParallelVisitor for Visitor<'_, F> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => self.visit_entry(&entry),
            Err(err) => walk_notes(self.shared.root, err, &mut self.out.notes),
        }
        WalkState::Continue
    }
}

impl<F: ChangeFilter> Visitor<'_, F> {
    fn visit_entry(&mut self, entry: &DirEntry) {
        let Some(kind) = entry.file_type() else {
            return;
        };
        if kind.is_symlink() {
            self.check_symlink(entry);
            return;
        }
        if !kind.is_file() {
            return;
        }
        let path = relative_path(self.shared.root, entry.path());
        if !self.shared.dispatch.wants(&path) {
            return;
        }
        let progress = self.shared.progress;
        progress.add_total(1);
        let bytes = self.process(entry.path(), &path);
        progress.advance(1, bytes);
        self.buffer.clear();
        self.buffer.shrink_to(KEEP_BUFFER);
    }

    /// Links are not followed, but one that cannot be resolved for a reason
    /// other than a missing target (a loop, a permission problem) is worth a note.
    fn check_symlink(&mut self, entry: &DirEntry) {
        if let Err(err) = std::fs::metadata(entry.path())
            && err.kind() != io::ErrorKind::NotFound
        {
            self.out.notes.push(Note {
                kind: NoteKind::Walk,
                path: Some(relative_path(self.shared.root, entry.path())),
                message: format!("symbolic link cannot be resolved: {err}"),
            });
        }
    }

    /// Reads and scans one file; returns the bytes scanned.
    fn process(&mut self, full: &Path, path: &str) -> u64 {
        let limit = self.shared.max_file_size;
        let out = &mut self.out;
        match load(full, limit, &mut self.buffer) {
            Err(err) => {
                let message = format!("skipped: cannot read: {err}");
                content::skip(out, NoteKind::Unreadable, path, message);
                return 0;
            }
            Ok(Loaded::TooLarge(size)) => {
                let message = content::too_large_message(size, limit);
                content::skip(out, NoteKind::TooLarge, path, message);
                return 0;
            }
            Ok(Loaded::Binary) => {
                content::skip(out, NoteKind::Binary, path, content::binary_message());
                return 0;
            }
            Ok(Loaded::Text) => {}
        }
        let text = self.buffer.as_slice();
        let shared = self.shared;
        let selection = shared
            .filter
            .select(&mut self.state, path, text, &mut out.notes);
        let added = match &selection {
            Selection::Unchanged => return 0,
            Selection::Added(lines) if !lines.any() => return 0,
            Selection::Added(lines) => Some(lines),
            Selection::Whole => None,
        };
        let findings = shared.dispatch.scan(path, text, added, out);
        out.findings.extend(findings);
        text.len() as u64
    }
}

enum Loaded {
    Text,
    Binary,
    TooLarge(u64),
}

/// Reads `path` into `buffer` unless it is over `limit` or binary.
///
/// The size is checked before reading and the read itself is capped, so a
/// file that grows meanwhile still cannot blow memory up.
fn load(path: &Path, limit: u64, buffer: &mut Vec<u8>) -> io::Result<Loaded> {
    let size = std::fs::metadata(path)?.len();
    if size > limit {
        return Ok(Loaded::TooLarge(size));
    }
    buffer.clear();
    let mut reader = File::open(path)?.take(limit.saturating_add(1));
    (&mut reader)
        .take(BINARY_PROBE as u64)
        .read_to_end(buffer)?;
    if content::looks_binary(buffer) {
        return Ok(Loaded::Binary);
    }
    reader.read_to_end(buffer)?;
    let read = buffer.len() as u64;
    if read > limit {
        return Ok(Loaded::TooLarge(read));
    }
    Ok(Loaded::Text)
}

/// Turns a walk error (possibly several) into notes naming the path.
fn walk_notes(root: &Path, err: ignore::Error, notes: &mut Vec<Note>) {
    if let ignore::Error::Partial(errors) = err {
        for err in errors {
            walk_notes(root, err, notes);
        }
        return;
    }
    let mut path = None;
    let mut inner = &err;
    loop {
        match inner {
            ignore::Error::WithPath { path: at, err } => {
                path = Some(at.as_path());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } => inner = err,
            ignore::Error::Loop { child, .. } => {
                path = Some(child.as_path());
                break;
            }
            _ => break,
        }
    }
    notes.push(Note {
        kind: NoteKind::Walk,
        path: path.map(|at| relative_path(root, at)),
        message: inner.to_string(),
    });
}
