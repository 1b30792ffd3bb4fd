//! Every blob reachable from any ref, scanned once and attributed to the
//! earliest commit that introduced it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use shipgate_model::{CommitInfo, Note, NoteKind, Scanner};

use super::{
    Opened, describe, for_each_entry, git_note, join, load_blob, open, read_error, scan_jobs,
};
use crate::content::Dispatch;
use crate::error::GitError;
use crate::scope::{Place, Scope};
use crate::{Outcome, Progress, WalkOptions};

/// Scans every blob reachable from every ref (branches, tags, remote-tracking
/// refs, stashes) and `HEAD`.
///
/// Commits are visited parents-first (oldest commit time first among
/// independent lines), and each blob is scanned once, with the path it had
/// in the first commit that contains it. Findings carry that commit's id,
/// author and author date. Only content under `opts.root` is considered, with
/// paths relative to it, so fingerprints match those of a tree scan.
///
/// A shallow clone is scanned as far as it goes, with a note. Unreadable
/// trees or blobs become notes; an unreadable commit stops the scan.
///
/// # Errors
///
/// [`GitError`] when the root is not in a repository or the commit graph
/// cannot be read.
pub fn scan_history(
    opts: &WalkOptions,
    scanners: &[&dyn Scanner],
    progress: &dyn Progress,
) -> Result<Outcome, GitError> {
    let Opened { repo, scope } = open(opts)?;
    let dispatch = Dispatch::new(scanners);
    let mut notes = Vec::new();
    if repo.is_shallow().unwrap_or(false) {
        notes.push(git_note(
            None,
            "shallow clone: history beyond the clone depth is not scanned; \
             fetch it (`git fetch --unshallow`) for a complete scan"
                .to_owned(),
        ));
    }
    let tips = tips(&repo, &mut notes)?;
    let commits = commits_oldest_first(&repo, &tips)?;
    let sightings = in_pack_order(
        &repo,
        first_sightings(&repo, &commits, &scope, dispatch, &mut notes),
    );
    let limit = opts.max_file_size;
    let mut out = scan_jobs(
        &repo,
        &sightings,
        opts.threads,
        progress,
        |repo, seen, out| {
            let Some(blob) = load_blob(repo, seen.blob, &seen.path, limit, out) else {
                return 0;
            };
            let mut findings = dispatch.scan(&seen.path, &blob.data, None, out);
            if !findings.is_empty() {
                let info = commit_info(repo, commits[seen.commit].id);
                for finding in &mut findings {
                    finding.location.commit = Some(info.clone());
                }
            }
            out.findings.extend(findings);
            blob.data.len() as u64
        },
    );
    out.notes.extend(notes);
    Ok(out.finish())
}

/// The commits every ref and `HEAD` point to, after peeling tags. Refs that
/// cannot be resolved, or point at a tree or blob, are noted and left out.
fn tips(repo: &gix::Repository, notes: &mut Vec<Note>) -> Result<Vec<ObjectId>, GitError> {
    let platform = repo
        .references()
        .map_err(|err| read_error("the references", err))?;
    let references = platform
        .all()
        .map_err(|err| read_error("the references", err))?;
    let mut tips = Vec::new();
    for reference in references {
        let mut reference = match reference {
            Ok(reference) => reference,
            Err(err) => {
                notes.push(git_note(
                    None,
                    format!("a reference cannot be read: {}", describe(&err)),
                ));
                continue;
            }
        };
        let name = reference.name().as_bstr().to_str_lossy().into_owned();
        match reference.peel_to_id() {
            Ok(id) => add_tip(repo, id.detach(), &name, &mut tips, notes),
            Err(err) => notes.push(git_note(
                None,
                format!(
                    "reference {name} cannot be resolved, it is not scanned: {}",
                    describe(&err)
                ),
            )),
        }
    }
    // A detached HEAD is reachable from no ref.
    if let Some(id) = repo.head().ok().and_then(|head| head.id()) {
        add_tip(repo, id.detach(), "HEAD", &mut tips, notes);
    }
    tips.sort_unstable();
    tips.dedup();
    Ok(tips)
}

fn add_tip(
    repo: &gix::Repository,
    id: ObjectId,
    name: &str,
    tips: &mut Vec<ObjectId>,
    notes: &mut Vec<Note>,
) {
    match repo.find_header(id) {
        Ok(header) if header.kind() == gix::object::Kind::Commit => tips.push(id),
        Ok(header) => notes.push(Note {
            kind: NoteKind::Info,
            path: None,
            message: format!(
                "reference {name} points to a {}, not a commit; it is not scanned",
                header.kind()
            ),
        }),
        Err(err) => notes.push(git_note(
            None,
            format!(
                "reference {name} points to {id}, which cannot be read: {}",
                describe(&err)
            ),
        )),
    }
}

/// A commit and its root tree.
struct CommitTree {
    id: ObjectId,
    tree: ObjectId,
}

/// Every commit reachable from `tips`, parents before children; among
/// commits whose parents are all done, the oldest commit time goes first.
fn commits_oldest_first(
    repo: &gix::Repository,
    tips: &[ObjectId],
) -> Result<Vec<CommitTree>, GitError> {
    struct Node {
        id: ObjectId,
        tree: ObjectId,
        time: i64,
        parents: Vec<ObjectId>,
    }

    // Parents of the shallow boundary are not in the repository at all.
    let boundary: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|commits| commits.iter().copied().collect())
        .unwrap_or_default();
    let mut index: HashMap<ObjectId, usize> = HashMap::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut pending: Vec<ObjectId> = tips.to_vec();
    while let Some(id) = pending.pop() {
        if index.contains_key(&id) {
            continue;
        }
        let what = || format!("commit {id}");
        let commit = repo
            .find_commit(id)
            .map_err(|err| read_error(what(), err))?;
        let tree = commit
            .tree_id()
            .map_err(|err| read_error(what(), err))?
            .detach();
        let time = commit
            .committer()
            .map(|signature| signature.seconds())
            .unwrap_or_default();
        let parents: Vec<ObjectId> = if boundary.contains(&id) {
            Vec::new()
        } else {
            commit.parent_ids().map(|parent| parent.detach()).collect()
        };
        pending.extend(parents.iter().copied());
        index.insert(id, nodes.len());
        nodes.push(Node {
            id,
            tree,
            time,
            parents,
        });
    }

    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut waiting: Vec<usize> = vec![0; nodes.len()];
    for (child, node) in nodes.iter().enumerate() {
        for parent in &node.parents {
            if let Some(&parent) = index.get(parent) {
                children[parent].push(child);
                waiting[child] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<(i64, ObjectId, usize)>> = nodes
        .iter()
        .enumerate()
        .filter(|(at, _)| waiting[*at] == 0)
        .map(|(at, node)| Reverse((node.time, node.id, at)))
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, _, at))) = ready.pop() {
        order.push(CommitTree {
            id: nodes[at].id,
            tree: nodes[at].tree,
        });
        for &child in &children[at] {
            waiting[child] -= 1;
            if waiting[child] == 0 {
                let node = &nodes[child];
                ready.push(Reverse((node.time, node.id, child)));
            }
        }
    }
    Ok(order)
}

/// The first place (commit and root-relative path) each wanted blob appears.
///
/// Paths are shared: a file edited in ten thousand commits has ten thousand
/// blobs but one path, so interning keeps a long history's memory to about
/// the size of the blob ids.
struct Sighting {
    blob: ObjectId,
    commit: usize,
    path: Arc<str>,
}

/// Walks the trees of `commits` in order and records each blob the first
/// time it appears in scope at a path some scanner wants.
///
/// A tree already walked at the same path is skipped: it holds the same
/// blobs at the same paths, all already recorded. Keying on the path too
/// keeps exclude globs and per-path scanner choices exact when a directory
/// moves.
fn first_sightings(
    repo: &gix::Repository,
    commits: &[CommitTree],
    scope: &Scope,
    dispatch: Dispatch<'_>,
    notes: &mut Vec<Note>,
) -> Vec<Sighting> {
    let mut seen_trees: HashSet<(ObjectId, u64)> = HashSet::new();
    let mut seen_blobs: gix::hashtable::HashSet<ObjectId> = Default::default();
    let mut paths: HashSet<Arc<str>> = HashSet::new();
    let mut sightings = Vec::new();
    for (at, commit) in commits.iter().enumerate() {
        let mut pending = vec![(commit.tree, String::new())];
        while let Some((id, dir)) = pending.pop() {
            if !seen_trees.insert((id, path_key(&dir))) {
                continue;
            }
            for_each_entry(repo, id, &dir, notes, |entry| {
                // Most entries of a re-walked tree are blobs already seen:
                // skip them before paying for the path string.
                if !entry.mode.is_tree()
                    && (!entry.mode.is_blob() || seen_blobs.contains(entry.oid))
                {
                    return;
                }
                let path = join(&dir, entry.filename);
                if entry.mode.is_tree() {
                    if scope.place(&path, true) != Place::Outside {
                        pending.push((entry.oid.to_owned(), path));
                    }
                    return;
                }
                if let Place::Inside(relative) = scope.place(&path, false)
                    && dispatch.wants(&relative)
                {
                    let blob = entry.oid.to_owned();
                    seen_blobs.insert(blob);
                    let path = match paths.get(relative.as_str()) {
                        Some(shared) => Arc::clone(shared),
                        None => {
                            let shared: Arc<str> = relative.into();
                            paths.insert(Arc::clone(&shared));
                            shared
                        }
                    };
                    sightings.push(Sighting {
                        blob,
                        commit: at,
                        path,
                    });
                }
            });
        }
    }
    sightings
}

/// Orders sightings the way their blobs lie in the packs.
///
/// Decoding in pack order reuses the delta bases just decoded; random access
/// rebuilds each delta chain from scratch. On a 10,000-commit repository
/// `git cat-file --batch-all-objects` takes 2.3 s in pack order against
/// 8.4 s in id order, and the history scan gains about as much. Blobs the
/// iteration does not list (it is best effort) keep their relative order at
/// the end.
fn in_pack_order(repo: &gix::Repository, mut sightings: Vec<Sighting>) -> Vec<Sighting> {
    use gix::odb::store::iter::Ordering;

    let Ok(objects) = repo.objects.iter() else {
        return sightings;
    };
    let wanted: HashSet<ObjectId> = sightings.iter().map(|seen| seen.blob).collect();
    let mut rank: HashMap<ObjectId, usize> = HashMap::with_capacity(wanted.len());
    for id in objects
        .with_ordering(Ordering::PackAscendingOffsetThenLooseLexicographical)
        .filter_map(Result::ok)
    {
        if wanted.contains(&id) {
            let next = rank.len();
            rank.entry(id).or_insert(next);
        }
    }
    sightings.sort_by_key(|seen| rank.get(&seen.blob).copied().unwrap_or(usize::MAX));
    sightings
}

fn path_key(path: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    path.hash(&mut hasher);
    hasher.finish()
}

/// Id, author and author date (RFC 3339, UTC) of commit `id`.
fn commit_info(repo: &gix::Repository, id: ObjectId) -> CommitInfo {
    let mut info = CommitInfo {
        id: id.to_string(),
        author: String::new(),
        email: String::new(),
        date: String::new(),
    };
    if let Ok(commit) = repo.find_commit(id)
        && let Ok(author) = commit.author()
    {
        info.author = author.name.to_str_lossy().into_owned();
        info.email = author.email.to_str_lossy().into_owned();
        info.date = jiff::Timestamp::from_second(author.seconds())
            .map(|time| time.to_string())
            .unwrap_or_default();
    }
    info
}
