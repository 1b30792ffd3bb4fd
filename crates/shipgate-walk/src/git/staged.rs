//! Pre-commit mode: only lines added by the staged changes.

use gix::ObjectId;
use gix::bstr::ByteSlice;
use shipgate_model::{Note, NoteKind, Scanner};

use super::{
    Opened, describe, files_in_tree, load_blob, open, read_error, require_worktree, scan_jobs,
};
use crate::content::Dispatch;
use crate::diff::AddedLines;
use crate::error::GitError;
use crate::scope::Place;
use crate::{Outcome, Progress, WalkOptions};

/// Scans the staged content (the index) where it differs from `HEAD`, or
/// from an empty tree in a repository without commits.
///
/// New files are scanned whole; modified files keep only findings on added
/// or changed lines. The staged blob is scanned, not the working file, so
/// unstaged edits neither hide nor add findings.
///
/// # Errors
///
/// [`GitError`] when the root is not in a checkout, or `HEAD` or the index
/// cannot be read.
pub fn scan_staged(
    opts: &WalkOptions,
    scanners: &[&dyn Scanner],
    progress: &dyn Progress,
) -> Result<Outcome, GitError> {
    let Opened { repo, scope } = open(opts)?;
    require_worktree(&repo)?;
    let dispatch = Dispatch::new(scanners);
    let head_tree = repo
        .head_tree_id_or_empty()
        .map_err(|err| read_error("the tree of HEAD", err))?
        .detach();
    let mut notes = Vec::new();
    let head = files_in_tree(&repo, head_tree, &scope, &mut notes);
    let custom_index;
    let shared_index;
    let index: &gix::index::File = match &opts.index_file {
        Some(path) => {
            custom_index = gix::index::File::at(
                path,
                repo.object_hash(),
                false,
                gix::index::decode::Options::default(),
            )
            .map_err(|err| read_error(format!("the index {}", path.display()), err))?;
            &custom_index
        }
        None => {
            shared_index = repo
                .index_or_empty()
                .map_err(|err| read_error("the index", err))?;
            &shared_index
        }
    };

    let mut changes = Vec::new();
    let mut last_conflict: Option<&[u8]> = None;
    for entry in index.entries() {
        let repo_path = entry.path(index);
        if entry.stage() != gix::index::entry::Stage::Unconflicted {
            if last_conflict != Some(repo_path.as_bytes()) {
                last_conflict = Some(repo_path.as_bytes());
                if let Place::Inside(path) = scope.place(&repo_path.to_str_lossy(), false) {
                    notes.push(Note {
                        kind: NoteKind::Info,
                        path: Some(path),
                        message: "not scanned: the merge conflict is not resolved yet".to_owned(),
                    });
                }
            }
            continue;
        }
        let regular = entry.mode == gix::index::entry::Mode::FILE
            || entry.mode == gix::index::entry::Mode::FILE_EXECUTABLE;
        // An intent-to-add entry has no staged content yet.
        if !regular
            || entry
                .flags
                .contains(gix::index::entry::Flags::INTENT_TO_ADD)
        {
            continue;
        }
        let Place::Inside(path) = scope.place(&repo_path.to_str_lossy(), false) else {
            continue;
        };
        let old = head.get(&path).copied();
        if old == Some(entry.id) || !dispatch.wants(&path) {
            continue;
        }
        changes.push(Change {
            path,
            staged: entry.id,
            old,
        });
    }

    let limit = opts.max_file_size;
    let mut out = scan_jobs(
        &repo,
        &changes,
        opts.threads,
        progress,
        |repo, change, out| {
            let Some(blob) = load_blob(repo, change.staged, &change.path, limit, out) else {
                return 0;
            };
            let added = match change.old.map(|old| repo.find_blob(old)) {
                None => None,
                Some(Ok(old)) => Some(AddedLines::between(&old.data, &blob.data)),
                Some(Err(err)) => {
                    out.notes.push(super::git_note(
                        Some(change.path.clone()),
                        format!(
                            "the HEAD version cannot be read, so every line is reported: {}",
                            describe(&err)
                        ),
                    ));
                    None
                }
            };
            if added.as_ref().is_some_and(|added| !added.any()) {
                return 0;
            }
            let findings = dispatch.scan(&change.path, &blob.data, added.as_ref(), out);
            out.findings.extend(findings);
            blob.data.len() as u64
        },
    );
    out.notes.extend(notes);
    Ok(out.finish())
}

/// A staged file that differs from `HEAD`.
struct Change {
    path: String,
    staged: ObjectId,
    old: Option<ObjectId>,
}
