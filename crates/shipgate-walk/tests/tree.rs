//! Working-tree scans over real directories.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::Ordering;

use common::{CountingProgress, Repo, SecretScanner, secret, write};
use shipgate_model::NoteKind;
use shipgate_walk::{
    LISTED_SKIPS_PER_KIND, NoProgress, Outcome, Scanner, WalkError, WalkOptions, scan_tree,
};

fn scan(opts: &WalkOptions, scanner: &SecretScanner) -> Outcome {
    let scanners: [&dyn Scanner; 1] = [scanner];
    scan_tree(opts, &scanners, &NoProgress).unwrap()
}

fn finding_paths(outcome: &Outcome) -> Vec<&str> {
    outcome
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect()
}

fn note_of<'a>(outcome: &'a Outcome, path: &str) -> Option<&'a shipgate_model::Note> {
    outcome
        .notes
        .iter()
        .find(|n| n.path.as_deref() == Some(path))
}

#[test]
fn gitignore_is_respected_unless_disabled() {
    let repo = Repo::new();
    repo.write(".gitignore", "ignored/\n*.log\n");
    repo.write("ignored/a.txt", secret(1));
    repo.write("debug.log", secret(2));
    repo.write("src/kept.txt", secret(3));
    repo.write(".ignore", "dotignored.txt\n");
    repo.write("dotignored.txt", secret(4));
    std::fs::write(
        repo.path().join(".git/info/exclude"),
        "excluded-locally.txt\n",
    )
    .unwrap();
    repo.write("excluded-locally.txt", secret(5));

    let scanner = SecretScanner::default();
    let outcome = scan(&WalkOptions::new(repo.path()), &scanner);
    assert_eq!(finding_paths(&outcome), ["src/kept.txt"]);

    let mut opts = WalkOptions::new(repo.path());
    opts.respect_ignore = false;
    let outcome = scan(&opts, &SecretScanner::default());
    assert_eq!(
        finding_paths(&outcome),
        [
            "debug.log",
            "dotignored.txt",
            "excluded-locally.txt",
            "ignored/a.txt",
            "src/kept.txt"
        ]
    );
}

#[test]
fn hidden_files_are_scanned_but_git_internals_never() {
    let repo = Repo::new();
    repo.write(".env", format!("TOKEN={}\n", secret(1)));
    repo.write(".config/app/.npmrc", secret(2));
    repo.commit_all("one");
    // A secret inside .git (a commit message) must not surface from the tree scan.
    repo.git(&["commit", "-q", "--allow-empty", "-m", &secret(3)]);

    for respect_ignore in [true, false] {
        let scanner = SecretScanner::default();
        let mut opts = WalkOptions::new(repo.path());
        opts.respect_ignore = respect_ignore;
        let outcome = scan(&opts, &scanner);
        assert_eq!(finding_paths(&outcome), [".config/app/.npmrc", ".env"]);
        assert!(
            scanner
                .scanned_paths()
                .iter()
                .all(|p| !p.starts_with(".git/")),
            "{:?}",
            scanner.scanned_paths()
        );
    }
}

#[test]
fn findings_have_positions_and_are_sorted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b.txt", format!("x\n  {}\n", secret(2)));
    write(
        dir.path(),
        "a/z.txt",
        format!("{} {}\n", secret(1), secret(3)),
    );
    let outcome = scan(&WalkOptions::new(dir.path()), &SecretScanner::default());
    let spots: Vec<(&str, u32, u32)> = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.location.path.as_str(),
                f.location.start.line,
                f.location.start.column,
            )
        })
        .collect();
    assert_eq!(
        spots,
        [("a/z.txt", 1, 1), ("a/z.txt", 1, 17), ("b.txt", 2, 3)]
    );
    assert_eq!(outcome.stats.files_scanned, 2);
    assert_eq!(outcome.stats.files_skipped, 0);
}

#[test]
fn binary_and_oversized_files_are_skipped_with_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut binary = secret(1).into_bytes();
    binary.extend_from_slice(b"\0\x01\x02");
    write(dir.path(), "image.png", &binary);
    write(
        dir.path(),
        "big.txt",
        format!("{}{}", secret(2), "x".repeat(200)),
    );
    write(dir.path(), "small.txt", secret(3));
    let mut opts = WalkOptions::new(dir.path());
    opts.max_file_size = 100;
    let outcome = scan(&opts, &SecretScanner::default());

    assert_eq!(finding_paths(&outcome), ["small.txt"]);
    assert_eq!(
        note_of(&outcome, "image.png").unwrap().kind,
        NoteKind::Binary
    );
    let big = note_of(&outcome, "big.txt").unwrap();
    assert_eq!(big.kind, NoteKind::TooLarge);
    assert!(big.message.contains("215 bytes"), "{}", big.message);
    assert_eq!(outcome.stats.files_skipped, 2);
    assert_eq!(outcome.stats.files_scanned, 1);
    assert_eq!(outcome.stats.bytes_scanned, 15);
}

#[test]
fn skipped_files_past_the_cap_are_counted_in_one_summary_note() {
    let dir = tempfile::tempdir().unwrap();
    let extra = 37;
    for i in 0..LISTED_SKIPS_PER_KIND + extra {
        write(dir.path(), &format!("blobs/{i:05}.bin"), b"\0binary");
    }
    write(dir.path(), "blobs/real.txt", secret(4));
    let outcome = scan(&WalkOptions::new(dir.path()), &SecretScanner::default());

    assert_eq!(finding_paths(&outcome), ["blobs/real.txt"]);
    assert_eq!(
        outcome.stats.files_skipped,
        (LISTED_SKIPS_PER_KIND + extra) as u64
    );
    let listed = outcome
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Binary && n.path.is_some())
        .count();
    assert_eq!(listed, LISTED_SKIPS_PER_KIND);
    let summaries: Vec<&str> = outcome
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Binary && n.path.is_none())
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    assert!(
        summaries[0].starts_with(&format!("{extra} more file(s)")),
        "{}",
        summaries[0]
    );
}

#[test]
fn a_nul_byte_past_the_probe_does_not_make_a_file_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = "a".repeat(9000).into_bytes();
    content.push(0);
    content.extend_from_slice(format!("\n{}\n", secret(1)).as_bytes());
    write(dir.path(), "late-nul.txt", &content);
    let outcome = scan(&WalkOptions::new(dir.path()), &SecretScanner::default());
    assert_eq!(finding_paths(&outcome), ["late-nul.txt"]);
}

#[test]
fn unreadable_files_are_noted_or_read_when_running_privileged() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "locked.txt", secret(1));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read(&path).is_ok();
    let outcome = scan(&WalkOptions::new(dir.path()), &SecretScanner::default());
    if privileged {
        // Root reads it regardless of the mode: it is simply scanned.
        assert_eq!(finding_paths(&outcome), ["locked.txt"]);
        assert!(outcome.notes.is_empty(), "{:?}", outcome.notes);
    } else {
        assert!(outcome.findings.is_empty());
        let note = note_of(&outcome, "locked.txt").unwrap();
        assert_eq!(note.kind, NoteKind::Unreadable);
        assert_eq!(outcome.stats.files_skipped, 1);
    }
}

#[test]
fn symlink_loops_are_noted_and_links_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::os::unix::fs::symlink("loop-b", root.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", root.join("loop-b")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self")).unwrap();
    std::os::unix::fs::symlink("missing-target", root.join("dangling")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "far.txt", secret(9));
    std::os::unix::fs::symlink(outside.path(), root.join("elsewhere")).unwrap();
    write(root, "real.txt", secret(1));

    let outcome = scan(&WalkOptions::new(root), &SecretScanner::default());
    assert_eq!(finding_paths(&outcome), ["real.txt"]);
    let looped: Vec<_> = outcome
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Walk)
        .map(|n| n.path.as_deref().unwrap())
        .collect();
    assert_eq!(looped, ["loop-a", "loop-b"]);
    assert!(note_of(&outcome, "dangling").is_none());
}

#[test]
fn invalid_utf8_content_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let mut content = b"\xff\xfe\xc3(\n".to_vec();
    content.extend_from_slice(format!("key={}\n", secret(1)).as_bytes());
    write(dir.path(), "latin1.cfg", &content);
    let outcome = scan(&WalkOptions::new(dir.path()), &SecretScanner::default());
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(outcome.findings[0].location.start.line, 2);
    assert_eq!(outcome.findings[0].location.start.column, 5);
}

#[test]
fn exclude_globs_prune_paths() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "vendor/lib/a.txt", secret(1));
    write(dir.path(), "web/app.min.js", secret(2));
    write(dir.path(), "web/keep.min.js", secret(3));
    write(dir.path(), "src/main.rs", secret(4));
    let scanner = SecretScanner::default();
    let mut opts = WalkOptions::new(dir.path());
    opts.exclude = vec!["vendor/".into(), "*.min.js".into(), "!keep.min.js".into()];
    let outcome = scan(&opts, &scanner);
    assert_eq!(finding_paths(&outcome), ["src/main.rs", "web/keep.min.js"]);
    assert_eq!(scanner.scanned_paths(), ["src/main.rs", "web/keep.min.js"]);
}

#[test]
fn invalid_exclude_glob_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = WalkOptions::new(dir.path());
    opts.exclude = vec!["{unclosed".into()];
    let scanner = SecretScanner::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];
    let err = scan_tree(&opts, &scanners, &NoProgress).unwrap_err();
    assert!(matches!(err, WalkError::InvalidExclude { .. }), "{err}");
}

#[test]
fn inline_suppressions_drop_and_count_findings() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "a = {} # shipgate:ignore\n\
         b = {} # shipgate:ignore[test/secret]\n\
         c = {} # shipgate:ignore[other/rule]\n\
         # shipgate:ignore[other/rule, test/secret]\n\
         {}\n\
         d = {}\n",
        secret(1),
        secret(2),
        secret(3),
        secret(4),
        secret(5)
    );
    write(dir.path(), "conf.py", text);
    let outcome = scan(&WalkOptions::new(dir.path()), &SecretScanner::default());
    let lines: Vec<u32> = outcome
        .findings
        .iter()
        .map(|f| f.location.start.line)
        .collect();
    assert_eq!(lines, [3, 6]);
    assert_eq!(outcome.stats.suppressed_inline, 3);
}

#[test]
fn a_file_root_reports_its_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "deep/dir/.env", secret(1));
    let outcome = scan(&WalkOptions::new(&path), &SecretScanner::default());
    assert_eq!(finding_paths(&outcome), [".env"]);
}

#[test]
fn missing_root_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let scanner = SecretScanner::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];
    let err = scan_tree(
        &WalkOptions::new(dir.path().join("nope")),
        &scanners,
        &NoProgress,
    )
    .unwrap_err();
    assert!(matches!(err, WalkError::Root { .. }));
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn unwanted_files_are_not_read_and_progress_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yml", secret(1));
    write(dir.path(), "b.txt", secret(2));
    write(dir.path(), "c.yml", "plain");
    let scanner = SecretScanner {
        only_suffix: Some(".yml"),
        ..SecretScanner::default()
    };
    let progress = CountingProgress::default();
    let scanners: [&dyn Scanner; 1] = [&scanner];
    let mut opts = WalkOptions::new(dir.path());
    opts.threads = 2;
    let outcome = scan_tree(&opts, &scanners, &progress).unwrap();
    assert_eq!(finding_paths(&outcome), ["a.yml"]);
    assert_eq!(scanner.scanned_paths(), ["a.yml", "c.yml"]);
    assert_eq!(progress.total.load(Ordering::Relaxed), 2);
    assert_eq!(progress.done.load(Ordering::Relaxed), 2);
    assert_eq!(progress.bytes.load(Ordering::Relaxed), 20);
    assert_eq!(outcome.stats.bytes_scanned, 20);
}

#[test]
fn every_scanner_sees_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "one.txt", secret(1));
    let first = SecretScanner::default();
    let second = SecretScanner::default();
    let scanners: [&dyn Scanner; 2] = [&first, &second];
    let outcome = scan_tree(&WalkOptions::new(dir.path()), &scanners, &NoProgress).unwrap();
    assert_eq!(first.scanned_paths(), ["one.txt"]);
    assert_eq!(second.scanned_paths(), ["one.txt"]);
    assert_eq!(outcome.findings.len(), 2);
    assert_eq!(outcome.stats.files_scanned, 1);
}
