//! Errors for scans that cannot run at all; per-file problems are notes instead.

use std::path::PathBuf;

/// The working-tree scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The scan root is missing or cannot be inspected.
    #[error("cannot scan {}: {source}", path.display())]
    Root {
        /// The root as given.
        path: PathBuf,
        /// Why it cannot be inspected.
        source: std::io::Error,
    },
    /// An exclude glob does not parse.
    #[error("invalid exclude pattern `{pattern}`: {message}")]
    InvalidExclude {
        /// The glob as given.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
}

/// A git scan could not run.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The root is not inside a git repository.
    #[error(
        "{} is not inside a git repository; run the scan in a git checkout or drop the git option",
        path.display()
    )]
    NotARepository {
        /// The root as given.
        path: PathBuf,
    },
    /// The repository has no working tree to compare against.
    #[error(
        "{} is a bare repository; this scan compares against a working tree, so run it in a checkout",
        path.display()
    )]
    NoWorkTree {
        /// The repository path.
        path: PathBuf,
    },
    /// The revision to compare against does not resolve.
    #[error(
        "unknown revision `{rev}`; fetch it first (e.g. `git fetch origin main`) or pass a commit id"
    )]
    UnknownRevision {
        /// The revision as given.
        rev: String,
    },
    /// The repository exists but could not be opened.
    #[error("cannot open the git repository at {}: {detail}", path.display())]
    Open {
        /// The path that was opened.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// Some git data needed to go on could not be read, for example a corrupt
    /// commit or a missing pack.
    #[error("cannot read {what}: {detail}")]
    Read {
        /// What was being read, naming the object id or path.
        what: String,
        /// What went wrong.
        detail: String,
    },
    /// The scan root or the options are unusable.
    #[error(transparent)]
    Walk(#[from] WalkError),
}
