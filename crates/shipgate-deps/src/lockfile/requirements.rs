//! PLACEHOLDER: replaced by the format's parser.

use crate::inventory::{FileSet, Lockfile, LockfileError};

pub(crate) fn parse(path: &str, _files: &FileSet) -> Result<Lockfile, LockfileError> {
    Err(super::error(path, None, "format not supported yet"))
}

/// Whether `path` is named like a requirements file (`requirements.txt`,
/// `requirements-dev.txt`, `requirements/base.txt`).
pub(crate) fn is_requirements_name(path: &str) -> bool {
    let name = super::file_name(path);
    name.ends_with(".txt") && (name.starts_with("requirements") || path.contains("requirements/"))
}

/// Whether `path` might be included by a requirements file, so it must be
/// collected: text files whose name or directory speaks of requirements or
/// constraints. Collecting every `.txt` would hold licences and docs in
/// memory for nothing.
pub(crate) fn is_candidate(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".txt") || lower.ends_with(".in"))
        && (lower.contains("req") || lower.contains("constraint"))
}

/// Whether a requirements file in `files` includes `path` with `-r`/`-c`.
pub(crate) fn is_included(_path: &str, _files: &FileSet) -> bool {
    false
}
