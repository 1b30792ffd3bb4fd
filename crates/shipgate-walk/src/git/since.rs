//! Pull-request mode: only lines added in the working tree since a revision.

use std::collections::HashMap;

use gix::ObjectId;
use shipgate_model::{Note, Scanner};

use super::{Opened, describe, files_in_tree, git_note, open, read_error, require_worktree};
use crate::content::Dispatch;
use crate::diff::AddedLines;
use crate::error::GitError;
use crate::tree::{ChangeFilter, Selection, walk_worktree};
use crate::{Outcome, Progress, WalkOptions};

/// Scans only what the working tree adds relative to revision `rev`.
///
/// Files that are new since `rev` (including untracked, not-ignored files)
/// are scanned whole; modified files are scanned but only findings that
/// start on an added or changed line are kept; unchanged files are not
/// scanned. The walk itself follows [`crate::scan_tree`]'s rules.
///
/// # Errors
///
/// [`GitError::UnknownRevision`] when `rev` does not resolve, and the other
/// [`GitError`]s when the root is not in a checkout.
pub fn scan_since(
    opts: &WalkOptions,
    rev: &str,
    scanners: &[&dyn Scanner],
    progress: &dyn Progress,
) -> Result<Outcome, GitError> {
    let Opened { repo, scope } = open(opts)?;
    require_worktree(&repo)?;
    let unknown = || GitError::UnknownRevision {
        rev: rev.to_owned(),
    };
    let object = repo
        .rev_parse_single(rev)
        .map_err(|_| unknown())?
        .object()
        .map_err(|_| unknown())?;
    let tree = object
        .peel_to_tree()
        .map_err(|err| read_error(format!("the tree of `{rev}`"), err))?
        .id;
    let mut notes = Vec::new();
    let base = files_in_tree(&repo, tree, &scope, &mut notes);
    let filter = SinceBase {
        hash_kind: repo.object_hash(),
        repo: repo.into_sync(),
        base,
    };
    let mut out = walk_worktree(opts, Dispatch::new(scanners), progress, &filter)?;
    out.notes.extend(notes);
    Ok(out.finish())
}

/// The files of the base revision, by root-relative path.
struct SinceBase {
    repo: gix::ThreadSafeRepository,
    hash_kind: gix::hash::Kind,
    base: HashMap<String, ObjectId>,
}

impl ChangeFilter for SinceBase {
    /// Opened on first need: most files are unchanged and need no repository.
    type State = Option<gix::Repository>;

    fn state(&self) -> Self::State {
        None
    }

    fn select(
        &self,
        state: &mut Self::State,
        path: &str,
        content: &[u8],
        notes: &mut Vec<Note>,
    ) -> Selection {
        let Some(&old) = self.base.get(path) else {
            return Selection::Whole;
        };
        let current = gix::objs::compute_hash(self.hash_kind, gix::object::Kind::Blob, content);
        if current.is_ok_and(|current| current == old) {
            return Selection::Unchanged;
        }
        let repo = state.get_or_insert_with(|| self.repo.to_thread_local());
        match repo.find_blob(old) {
            Ok(blob) => Selection::Added(AddedLines::between(&blob.data, content)),
            Err(err) => {
                notes.push(git_note(
                    Some(path.to_owned()),
                    format!(
                        "base version {old} cannot be read, so every line is reported: {}",
                        describe(&err)
                    ),
                ));
                Selection::Whole
            }
        }
    }
}
