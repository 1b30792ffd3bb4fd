//! Shared fixtures: a tiny scanner and a git driver with fixed identities and dates.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use shipgate_model::{
    Confidence, Finding, Fingerprint, LineIndex, Location, RuleMeta, Scanner, Severity, Snippet,
    SourceFile,
};
use shipgate_walk::Progress;

pub const RULE: &str = "test/secret";

/// Finds `SECRET_` followed by eight upper-case letters or digits.
#[derive(Default)]
pub struct SecretScanner {
    /// Paths handed to `scan`, in call order.
    pub scanned: Mutex<Vec<String>>,
    /// When set, only paths ending with this suffix are wanted.
    pub only_suffix: Option<&'static str>,
}

impl SecretScanner {
    pub fn scanned_paths(&self) -> Vec<String> {
        let mut paths = self.scanned.lock().unwrap().clone();
        paths.sort();
        paths
    }
}

impl Scanner for SecretScanner {
    fn name(&self) -> &'static str {
        "test"
    }

    fn wants(&self, path: &str) -> bool {
        self.only_suffix.is_none_or(|suffix| path.ends_with(suffix))
    }

    fn scan(&self, file: &SourceFile<'_>, findings: &mut Vec<Finding>) {
        self.scanned.lock().unwrap().push(file.path.to_owned());
        let text = file.content;
        let index = LineIndex::new(text);
        let prefix = b"SECRET_";
        let mut at = 0;
        while at + prefix.len() + 8 <= text.len() {
            let end = at + prefix.len() + 8;
            let candidate = &text[at..end];
            let tail_ok = candidate[prefix.len()..]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if candidate.starts_with(prefix) && tail_ok {
                let secret = String::from_utf8_lossy(candidate).into_owned();
                findings.push(Finding {
                    rule_id: RULE.into(),
                    title: "Test secret".into(),
                    severity: Severity::High,
                    confidence: Confidence::High,
                    message: "test secret".into(),
                    location: Location {
                        path: file.path.into(),
                        start: index.position(text, at),
                        end: index.position(text, end),
                        byte_start: at,
                        byte_end: end,
                        commit: None,
                        symbolic: None,
                    },
                    snippet: Snippet {
                        first_line: index.position(text, at).line,
                        text: String::new(),
                    },
                    fingerprint: Fingerprint::new(RULE, file.path, candidate),
                    secret: Some(secret),
                    controls: vec![],
                    note: None,
                    properties: Default::default(),
                });
                at = end;
            } else {
                at += 1;
            }
        }
    }

    fn rules(&self) -> Vec<RuleMeta> {
        Vec::new()
    }
}

/// Counts progress reports.
#[derive(Default)]
pub struct CountingProgress {
    pub total: AtomicU64,
    pub done: AtomicU64,
    pub bytes: AtomicU64,
}

impl Progress for CountingProgress {
    fn add_total(&self, files: u64) {
        self.total.fetch_add(files, Ordering::Relaxed);
    }

    fn advance(&self, files: u64, bytes: u64) {
        self.done.fetch_add(files, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// Writes `content` to `root/rel`, creating parent directories.
pub fn write(root: &Path, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// A git repository driven through the `git` command line.
pub struct Repo {
    pub dir: tempfile::TempDir,
    /// Seconds since the epoch used for the next commit.
    clock: Mutex<i64>,
}

pub const AUTHOR: &str = "Ada Author";
pub const EMAIL: &str = "ada@example.com";
/// 2023-11-14T22:13:20Z
pub const EPOCH: i64 = 1_700_000_000;

impl Repo {
    pub fn new() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            clock: Mutex::new(EPOCH),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        write(self.path(), rel, content);
    }

    /// Runs git and returns its trimmed standard output; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        let date = format!("@{} +0200", *self.clock.lock().unwrap());
        git_in(self.path(), args, &date)
    }

    /// Stages everything and commits; returns the commit id.
    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        *self.clock.lock().unwrap() += 3600;
        self.git(&["rev-parse", "HEAD"])
    }
}

pub fn git_in(dir: &Path, args: &[&str], date: &str) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", AUTHOR)
        .env("GIT_AUTHOR_EMAIL", EMAIL)
        .env("GIT_COMMITTER_NAME", "Cy Committer")
        .env("GIT_COMMITTER_EMAIL", "cy@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Secrets of the right shape for [`SecretScanner`].
pub fn secret(n: u32) -> String {
    format!("SECRET_{n:08}")
}
