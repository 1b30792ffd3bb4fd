//! History scans over real repositories built with the git command line.

mod common;

use std::sync::atomic::Ordering;

use common::{AUTHOR, CountingProgress, EMAIL, Repo, SecretScanner, secret};
use shipgate_model::NoteKind;
use shipgate_walk::{GitError, NoProgress, Outcome, Scanner, WalkOptions, scan_history, scan_tree};

fn history(opts: &WalkOptions, scanner: &SecretScanner) -> Result<Outcome, GitError> {
    let scanners: [&dyn Scanner; 1] = [scanner];
    scan_history(opts, &scanners, &NoProgress)
}

fn secrets_found(outcome: &Outcome) -> Vec<String> {
    let mut found: Vec<String> = outcome
        .findings
        .iter()
        .map(|f| f.secret.clone().unwrap())
        .collect();
    found.sort();
    found
}

#[test]
fn a_secret_is_reported_once_at_the_commit_that_introduced_it() {
    let repo = Repo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("initial");
    repo.write("config/app.env", format!("TOKEN={}\n", secret(1)));
    let introduced = repo.commit_all("add config");
    std::fs::remove_file(repo.path().join("config/app.env")).unwrap();
    repo.commit_all("remove config");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("deploy/app.env", format!("TOKEN={}\n", secret(1)));
    repo.commit_all("re-add on a branch");
    repo.git(&["checkout", "-q", "main"]);

    let scanner = SecretScanner::default();
    let outcome = history(&WalkOptions::new(repo.path()), &scanner).unwrap();
    assert_eq!(outcome.findings.len(), 1, "{:?}", outcome.findings);
    let finding = &outcome.findings[0];
    assert_eq!(finding.location.path, "config/app.env");
    assert_eq!(finding.location.start.line, 1);
    let commit = finding.location.commit.as_ref().unwrap();
    assert_eq!(commit.id, introduced);
    assert_eq!(commit.author, AUTHOR);
    assert_eq!(commit.email, EMAIL);
    assert_eq!(commit.date, "2023-11-14T23:13:20Z");
    assert!(outcome.notes.is_empty(), "{:?}", outcome.notes);
}

#[test]
fn history_and_tree_findings_share_fingerprints() {
    let repo = Repo::new();
    repo.write("app/.env", secret(7));
    repo.commit_all("add");
    let scanner = SecretScanner::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];
    let opts = WalkOptions::new(repo.path());
    let from_history = scan_history(&opts, &scanners, &NoProgress).unwrap();
    let from_tree = scan_tree(&opts, &scanners, &NoProgress).unwrap();
    assert_eq!(from_history.findings.len(), 1);
    assert_eq!(
        from_history.findings[0].fingerprint,
        from_tree.findings[0].fingerprint
    );
}

#[test]
fn an_unchanged_blob_is_scanned_once_across_many_commits() {
    let repo = Repo::new();
    repo.write("stable/keys.txt", secret(1));
    for round in 0..12 {
        repo.write("changing.txt", format!("round {round}\n"));
        repo.commit_all(&format!("round {round}"));
    }
    let scanner = SecretScanner::default();
    let progress = CountingProgress::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];
    let outcome = scan_history(&WalkOptions::new(repo.path()), &scanners, &progress).unwrap();
    let scanned = scanner.scanned_paths();
    assert_eq!(
        scanned.iter().filter(|p| *p == "stable/keys.txt").count(),
        1
    );
    assert_eq!(scanned.iter().filter(|p| *p == "changing.txt").count(), 12);
    assert_eq!(outcome.stats.files_scanned, 13);
    assert_eq!(progress.total.load(Ordering::Relaxed), 13);
    assert_eq!(progress.done.load(Ordering::Relaxed), 13);
    assert_eq!(outcome.findings.len(), 1);
}

#[test]
fn tags_side_branches_and_detached_commits_are_included() {
    let repo = Repo::new();
    repo.write("main.txt", "nothing\n");
    repo.commit_all("main");

    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", secret(1));
    repo.commit_all("side branch");

    repo.git(&["checkout", "-q", "--orphan", "tmp-light"]);
    repo.write("light.txt", secret(2));
    repo.commit_all("lightweight tagged");
    repo.git(&["tag", "light"]);

    repo.git(&["checkout", "-q", "--orphan", "tmp-annotated"]);
    repo.write("annotated.txt", secret(3));
    repo.commit_all("annotated tagged");
    repo.git(&["tag", "-a", "v1.0", "-m", "release"]);

    repo.git(&["checkout", "-q", "--orphan", "tmp-detached"]);
    repo.write("detached.txt", secret(4));
    repo.commit_all("detached");
    repo.git(&["checkout", "-q", "--detach"]);
    for branch in ["tmp-light", "tmp-annotated", "tmp-detached"] {
        repo.git(&["branch", "-q", "-D", branch]);
    }
    let blob = repo.git(&["hash-object", "-w", "main.txt"]);
    repo.git(&["tag", "blob-tag", &blob]);

    let outcome = history(&WalkOptions::new(repo.path()), &SecretScanner::default()).unwrap();
    assert_eq!(
        secrets_found(&outcome),
        [secret(1), secret(2), secret(3), secret(4)]
    );
    let info = outcome
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::Info)
        .unwrap();
    assert!(
        info.message.contains("refs/tags/blob-tag"),
        "{}",
        info.message
    );
}

#[test]
fn a_subdirectory_root_limits_history_and_strips_the_prefix() {
    let repo = Repo::new();
    repo.write("svc/api/.env", secret(1));
    repo.write("svc/api/vendor/x.txt", secret(2));
    repo.write("other/.env", secret(3));
    repo.commit_all("layout");
    let mut opts = WalkOptions::new(repo.path().join("svc/api"));
    opts.exclude = vec!["vendor/".into()];
    let outcome = history(&opts, &SecretScanner::default()).unwrap();
    let paths: Vec<&str> = outcome
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    assert_eq!(paths, [".env"]);
}

#[test]
fn oversized_and_binary_blobs_are_noted() {
    let repo = Repo::new();
    repo.write("big.txt", format!("{}{}", secret(1), "x".repeat(500)));
    repo.write("bin.dat", b"\0\0SECRET_00000002");
    repo.write("ok.txt", secret(3));
    repo.commit_all("files");
    let mut opts = WalkOptions::new(repo.path());
    opts.max_file_size = 100;
    let outcome = history(&opts, &SecretScanner::default()).unwrap();
    assert_eq!(secrets_found(&outcome), [secret(3)]);
    let kinds: Vec<(NoteKind, &str)> = outcome
        .notes
        .iter()
        .map(|n| (n.kind, n.path.as_deref().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            (NoteKind::TooLarge, "big.txt"),
            (NoteKind::Binary, "bin.dat")
        ]
    );
    assert_eq!(outcome.stats.files_skipped, 2);
}

#[test]
fn a_shallow_clone_is_scanned_with_a_note() {
    let origin = Repo::new();
    origin.write("old.txt", secret(1));
    origin.commit_all("old");
    std::fs::remove_file(origin.path().join("old.txt")).unwrap();
    origin.write("new.txt", secret(2));
    origin.commit_all("new");

    let parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.path().display());
    common::git_in(
        parent.path(),
        &["clone", "-q", "--depth", "1", &url, "clone"],
        "@1700000000 +0000",
    );
    let clone = parent.path().join("clone");
    let outcome = history(&WalkOptions::new(&clone), &SecretScanner::default()).unwrap();
    assert_eq!(secrets_found(&outcome), [secret(2)]);
    assert!(
        outcome
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Git && n.message.contains("shallow")),
        "{:?}",
        outcome.notes
    );
}

/// Overwrites the loose object `id` with a truncated copy of itself.
fn truncate_object(repo: &Repo, id: &str) {
    let path = repo
        .path()
        .join(".git/objects")
        .join(&id[..2])
        .join(&id[2..]);
    let bytes = std::fs::read(&path).unwrap();
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
}

#[test]
fn a_corrupt_blob_is_noted_and_the_scan_goes_on() {
    let repo = Repo::new();
    repo.write("broken.txt", secret(1));
    repo.write("fine.txt", secret(2));
    repo.commit_all("files");
    let blob = repo.git(&["rev-parse", "HEAD:broken.txt"]);
    truncate_object(&repo, &blob);
    let outcome = history(&WalkOptions::new(repo.path()), &SecretScanner::default()).unwrap();
    assert_eq!(secrets_found(&outcome), [secret(2)]);
    let note = outcome
        .notes
        .iter()
        .find(|n| n.path.as_deref() == Some("broken.txt"))
        .unwrap();
    assert_eq!(note.kind, NoteKind::Git);
    assert!(note.message.contains(&blob), "{}", note.message);
}

#[test]
fn a_corrupt_commit_is_an_error_naming_it() {
    let repo = Repo::new();
    repo.write("a.txt", "a");
    let first = repo.commit_all("first");
    repo.write("b.txt", "b");
    repo.commit_all("second");
    truncate_object(&repo, &first);
    let err = history(&WalkOptions::new(repo.path()), &SecretScanner::default()).unwrap_err();
    assert!(matches!(err, GitError::Read { .. }), "{err}");
    assert!(err.to_string().contains(&first), "{err}");
}

#[test]
fn outside_a_repository_the_error_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let err = history(&WalkOptions::new(dir.path()), &SecretScanner::default()).unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err}");
    assert!(err.to_string().contains("git checkout"), "{err}");
}

#[test]
fn an_empty_repository_scans_nothing() {
    let repo = Repo::new();
    let outcome = history(&WalkOptions::new(repo.path()), &SecretScanner::default()).unwrap();
    assert!(outcome.findings.is_empty());
    assert_eq!(outcome.stats.files_scanned, 0);
}
