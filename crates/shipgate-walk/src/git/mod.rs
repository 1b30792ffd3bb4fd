//! Git sources: history, changes since a revision, and staged changes.

mod history;
mod since;
mod staged;

use std::collections::HashMap;
use std::path::Path;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use shipgate_model::{Note, NoteKind};

use crate::content;
use crate::error::{GitError, WalkError};
use crate::scope::{Excludes, Place, Scope};
use crate::{Outcome, Progress, WalkOptions};

pub use history::scan_history;
pub use since::scan_since;
pub use staged::scan_staged;

/// A repository found from the scan root, with the part of it in scope.
struct Opened {
    repo: gix::Repository,
    scope: Scope,
}

/// Finds the repository containing `opts.root`.
fn open(opts: &WalkOptions) -> Result<Opened, GitError> {
    let root = &opts.root;
    let metadata = std::fs::metadata(root).map_err(|source| WalkError::Root {
        path: root.clone(),
        source,
    })?;
    let excludes = Excludes::new(&opts.exclude)?;
    let start = if metadata.is_file() {
        root.parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    } else {
        root.as_path()
    };
    let repo = gix::discover(start).map_err(|err| {
        if err.dominant_class() == Some(gix::error::Class::NotFound) {
            GitError::NotARepository { path: root.clone() }
        } else {
            GitError::Open {
                path: root.clone(),
                detail: describe(&err),
            }
        }
    })?;
    let scope = Scope::new(repo.workdir(), root, excludes)?;
    Ok(Opened { repo, scope })
}

/// The working tree of `repo`, or the error saying there is none.
fn require_worktree(repo: &gix::Repository) -> Result<(), GitError> {
    match repo.workdir() {
        Some(_) => Ok(()),
        None => Err(GitError::NoWorkTree {
            path: repo.git_dir().to_owned(),
        }),
    }
}

/// Builds a [`GitError::Read`] for `what`.
fn read_error(what: impl Into<String>, err: impl std::error::Error) -> GitError {
    GitError::Read {
        what: what.into(),
        detail: describe(&err),
    }
}

/// An error and its causes on one line, for messages and notes.
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A note about git data that could not be read while the scan went on.
fn git_note(path: Option<String>, message: String) -> Note {
    Note {
        kind: NoteKind::Git,
        path,
        message,
    }
}

/// Joins a tree path and an entry name.
fn join(dir: &str, name: &[u8]) -> String {
    let name = name.to_str_lossy();
    if dir.is_empty() {
        name.into_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Calls `visit` with each entry of tree `id` (at root-relative `dir`); a
/// tree that cannot be read or decoded becomes a note instead.
fn for_each_entry(
    repo: &gix::Repository,
    id: ObjectId,
    dir: &str,
    notes: &mut Vec<Note>,
    mut visit: impl FnMut(&gix::objs::tree::EntryRef<'_>),
) {
    let tree = match repo.find_tree(id) {
        Ok(tree) => tree,
        Err(err) => return notes.push(tree_note(id, dir, &err)),
    };
    match tree.decode() {
        Ok(decoded) => decoded.entries.iter().for_each(&mut visit),
        Err(err) => notes.push(tree_note(id, dir, &err)),
    }
}

/// Every regular file in the tree `tree_id` that is in scope, by root-relative
/// path. Unreadable subtrees become notes.
fn files_in_tree(
    repo: &gix::Repository,
    tree_id: ObjectId,
    scope: &Scope,
    notes: &mut Vec<Note>,
) -> HashMap<String, ObjectId> {
    let mut files = HashMap::new();
    let mut pending = vec![(tree_id, String::new())];
    while let Some((id, dir)) = pending.pop() {
        for_each_entry(repo, id, &dir, notes, |entry| {
            let path = join(&dir, entry.filename);
            if entry.mode.is_tree() {
                if scope.place(&path, true) != Place::Outside {
                    pending.push((entry.oid.to_owned(), path));
                }
            } else if entry.mode.is_blob()
                && let Place::Inside(relative) = scope.place(&path, false)
            {
                files.insert(relative, entry.oid.to_owned());
            }
        });
    }
    files
}

fn tree_note(id: ObjectId, dir: &str, err: &dyn std::error::Error) -> Note {
    let path = (!dir.is_empty()).then(|| dir.to_owned());
    git_note(
        path,
        format!(
            "tree {id} cannot be read, its files are not scanned: {}",
            describe(err)
        ),
    )
}

/// Reads blob `id` for `path`, skipping it with a note when it is missing,
/// too large (checked from the object header before decoding) or binary.
fn load_blob<'repo>(
    repo: &'repo gix::Repository,
    id: ObjectId,
    path: &str,
    limit: u64,
    out: &mut Outcome,
) -> Option<gix::Blob<'repo>> {
    let unreadable = |out: &mut Outcome, err: &dyn std::error::Error| {
        let message = format!("skipped: blob {id} cannot be read: {}", describe(err));
        content::skip(out, NoteKind::Git, path, message);
    };
    let size = match repo.find_header(id) {
        Ok(header) => header.size(),
        Err(err) => {
            unreadable(out, &err);
            return None;
        }
    };
    if size > limit {
        content::skip(
            out,
            NoteKind::TooLarge,
            path,
            content::too_large_message(size, limit),
        );
        return None;
    }
    let blob = match repo.find_blob(id) {
        Ok(blob) => blob,
        Err(err) => {
            unreadable(out, &err);
            return None;
        }
    };
    if content::looks_binary(&blob.data) {
        content::skip(out, NoteKind::Binary, path, content::binary_message());
        return None;
    }
    Some(blob)
}

/// Runs `job` over `jobs` on a pool of `threads` workers (0 = one per core),
/// each with its own repository handle, and merges what they collect.
fn scan_jobs<T, F>(
    repo: &gix::Repository,
    jobs: &[T],
    threads: usize,
    progress: &dyn Progress,
    job: F,
) -> Outcome
where
    T: Sync,
    F: Fn(&gix::Repository, &T, &mut Outcome) -> u64 + Sync,
{
    use rayon::prelude::*;

    progress.add_total(jobs.len() as u64);
    let shared = repo.clone().into_sync();
    let run = || {
        jobs.par_iter()
            .fold(
                || (shared.to_thread_local(), Outcome::default()),
                |(repo, mut out), item| {
                    let bytes = job(&repo, item, &mut out);
                    progress.advance(1, bytes);
                    (repo, out)
                },
            )
            .map(|(_, out)| out)
            .reduce(Outcome::default, |mut all, part| {
                all.absorb(part);
                all
            })
    };
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run),
        // Without a pool of our own the global one still does the work.
        Err(_) => run(),
    }
}
