//! Diff-aware scans: changes since a revision, and staged changes.

mod common;

use common::{Repo, SecretScanner, secret};
use shipgate_walk::{
    GitError, NoProgress, Outcome, Scanner, WalkOptions, scan_history, scan_since, scan_staged,
};

fn since(repo: &Repo, rev: &str, scanner: &SecretScanner) -> Result<Outcome, GitError> {
    let scanners: [&dyn Scanner; 1] = [scanner];
    scan_since(&WalkOptions::new(repo.path()), rev, &scanners, &NoProgress)
}

fn staged(repo: &Repo, scanner: &SecretScanner) -> Outcome {
    let scanners: [&dyn Scanner; 1] = [scanner];
    scan_staged(&WalkOptions::new(repo.path()), &scanners, &NoProgress).unwrap()
}

fn found(outcome: &Outcome) -> Vec<(String, u32, String)> {
    outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.location.path.clone(),
                f.location.start.line,
                f.secret.clone().unwrap(),
            )
        })
        .collect()
}

#[test]
fn since_reports_only_added_lines_and_new_files() {
    let repo = Repo::new();
    repo.write(".gitignore", "*.local\n");
    repo.write("app.cfg", format!("old={}\nkeep=1\n", secret(1)));
    repo.write("same.cfg", secret(4));
    let base = repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "app.cfg",
        format!("old={}\nkeep=1\nnew={}\n", secret(1), secret(2)),
    );
    repo.commit_all("feature work");
    // Uncommitted and untracked content counts too: it is what CI checked out.
    repo.write("untracked.txt", secret(3));
    repo.write("secret.local", secret(5));

    let scanner = SecretScanner::default();
    let outcome = since(&repo, &base, &scanner).unwrap();
    assert_eq!(
        found(&outcome),
        [
            ("app.cfg".into(), 3, secret(2)),
            ("untracked.txt".into(), 1, secret(3)),
        ]
    );
    let scanned = scanner.scanned_paths();
    assert!(!scanned.contains(&"same.cfg".to_string()), "{scanned:?}");
    assert!(!scanned.contains(&".gitignore".to_string()), "{scanned:?}");

    let by_name = since(&repo, "main", &SecretScanner::default()).unwrap();
    assert_eq!(found(&by_name), found(&outcome));
}

#[test]
fn since_ignores_line_ending_only_changes() {
    let repo = Repo::new();
    repo.write("a.txt", format!("x={}\ny\n", secret(1)));
    let base = repo.commit_all("base");
    repo.write("a.txt", format!("x={}\r\ny\r\n", secret(1)));
    let outcome = since(&repo, &base, &SecretScanner::default()).unwrap();
    assert!(outcome.findings.is_empty(), "{:?}", outcome.findings);
}

#[test]
fn since_an_unknown_revision_says_how_to_fix_it() {
    let repo = Repo::new();
    repo.write("a.txt", "a");
    repo.commit_all("base");
    let err = since(&repo, "origin/main", &SecretScanner::default()).unwrap_err();
    assert!(matches!(err, GitError::UnknownRevision { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "unknown revision `origin/main`; fetch it first (e.g. `git fetch origin main`) or pass a commit id"
    );
}

#[test]
fn since_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = SecretScanner::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];
    let err = scan_since(
        &WalkOptions::new(dir.path()),
        "main",
        &scanners,
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, GitError::NotARepository { .. }), "{err}");
}

#[test]
fn staged_scans_the_index_content_and_only_added_lines() {
    let repo = Repo::new();
    repo.write("app.cfg", format!("old={}\n", secret(1)));
    repo.write("gone.cfg", secret(6));
    repo.commit_all("base");

    repo.write("app.cfg", format!("old={}\nnew={}\n", secret(1), secret(2)));
    repo.write("added.cfg", format!("\n\n{}\n", secret(3)));
    repo.git(&["add", "app.cfg", "added.cfg"]);
    repo.git(&["rm", "-q", "gone.cfg"]);
    // Unstaged edits after staging: the staged blob is what gets committed.
    repo.write(
        "app.cfg",
        format!("old={}\nnew=removed-from-worktree\n", secret(1)),
    );
    repo.write("unstaged.cfg", secret(4));
    repo.write("intent.cfg", secret(5));
    repo.git(&["add", "-N", "intent.cfg"]);

    let scanner = SecretScanner::default();
    let outcome = staged(&repo, &scanner);
    assert_eq!(
        found(&outcome),
        [
            ("added.cfg".into(), 3, secret(3)),
            ("app.cfg".into(), 2, secret(2)),
        ]
    );
    assert_eq!(scanner.scanned_paths(), ["added.cfg", "app.cfg"]);
}

#[test]
fn staged_in_a_repository_without_commits_scans_everything_staged() {
    let repo = Repo::new();
    repo.write("first.env", secret(1));
    repo.write("later.env", secret(2));
    repo.git(&["add", "first.env"]);
    let outcome = staged(&repo, &SecretScanner::default());
    assert_eq!(found(&outcome), [("first.env".into(), 1, secret(1))]);
}

#[test]
fn staged_with_nothing_staged_scans_nothing() {
    let repo = Repo::new();
    repo.write("a.env", secret(1));
    repo.commit_all("base");
    repo.write("a.env", secret(2));
    let scanner = SecretScanner::default();
    let outcome = staged(&repo, &scanner);
    assert!(outcome.findings.is_empty());
    assert!(scanner.scanned_paths().is_empty());
}

#[test]
fn a_bare_repository_has_history_but_no_changes_to_diff() {
    let origin = Repo::new();
    origin.write("a.env", secret(1));
    origin.commit_all("base");
    let parent = tempfile::tempdir().unwrap();
    let url = origin.path().display().to_string();
    common::git_in(
        parent.path(),
        &["clone", "-q", "--bare", &url, "bare.git"],
        "@1700000000 +0000",
    );
    let opts = WalkOptions::new(parent.path().join("bare.git"));
    let scanner = SecretScanner::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];

    let outcome = scan_history(&opts, &scanners, &NoProgress).unwrap();
    assert_eq!(found(&outcome), [("a.env".into(), 1, secret(1))]);
    let err = scan_since(&opts, "HEAD", &scanners, &NoProgress).unwrap_err();
    assert!(matches!(err, GitError::NoWorkTree { .. }), "{err}");
    let err = scan_staged(&opts, &scanners, &NoProgress).unwrap_err();
    assert!(matches!(err, GitError::NoWorkTree { .. }), "{err}");
}
