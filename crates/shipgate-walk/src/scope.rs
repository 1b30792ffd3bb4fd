//! Which paths a scan covers: the root, the exclude globs, and the mapping
//! between repository paths and root-relative paths.

use std::path::{Component, Path};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::WalkError;

/// The user's exclude globs, with gitignore semantics (a trailing `/` means a
/// directory, `!` re-includes, a glob without `/` matches at any depth).
#[derive(Clone, Debug)]
pub(crate) struct Excludes(Gitignore);

impl Excludes {
    /// Compiles `patterns`.
    pub(crate) fn new(patterns: &[String]) -> Result<Self, WalkError> {
        // Root `.` means matched paths are taken as already relative.
        let mut builder = GitignoreBuilder::new(".");
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|err| WalkError::InvalidExclude {
                    pattern: pattern.clone(),
                    message: err.to_string(),
                })?;
        }
        let matcher = builder.build().map_err(|err| WalkError::InvalidExclude {
            pattern: patterns.join(", "),
            message: err.to_string(),
        })?;
        Ok(Excludes(matcher))
    }

    /// Whether the root-relative `path`, or any directory above it, is excluded.
    pub(crate) fn excludes(&self, path: &str, is_dir: bool) -> bool {
        !path.is_empty()
            && self
                .0
                .matched_path_or_any_parents(Path::new(path), is_dir)
                .is_ignore()
    }
}

/// `path` relative to `root`, joined with `/`. When `path` is the root itself
/// (a single-file scan) the file name is used.
pub(crate) fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let joined = join_components(relative);
    if joined.is_empty() {
        path.file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        joined
    }
}

fn join_components(path: &Path) -> String {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where a repository path sits relative to the scan root.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// Outside the root, or excluded: skip it.
    Outside,
    /// A directory on the way down to the root: descend, but nothing in it
    /// is in scope by itself.
    Above,
    /// In scope, with its root-relative path (empty for the root directory).
    Inside(String),
}

/// The part of a repository a git scan covers.
#[derive(Debug)]
pub(crate) struct Scope {
    /// The root as a repository path with `/` separators; empty for the
    /// whole repository.
    prefix: String,
    /// The root is a single file rather than a directory.
    single_file: bool,
    excludes: Excludes,
}

impl Scope {
    /// Scope of `root` inside a repository whose top level is `top_level`.
    pub(crate) fn new(
        top_level: Option<&Path>,
        root: &Path,
        excludes: Excludes,
    ) -> Result<Self, WalkError> {
        let canonical_root = root.canonicalize().map_err(|source| WalkError::Root {
            path: root.to_owned(),
            source,
        })?;
        let prefix = top_level
            .and_then(|top| top.canonicalize().ok())
            .and_then(|top| canonical_root.strip_prefix(&top).ok().map(join_components))
            .unwrap_or_default();
        Ok(Scope {
            single_file: !prefix.is_empty() && canonical_root.is_file(),
            prefix,
            excludes,
        })
    }

    /// Where the repository path `path` (a blob, or a tree when `is_dir`) is.
    pub(crate) fn place(&self, path: &str, is_dir: bool) -> Place {
        let relative = if self.prefix.is_empty() {
            path
        } else if path == self.prefix {
            if self.single_file {
                return self.checked(self.file_name(), is_dir);
            }
            ""
        } else if let Some(rest) = path
            .strip_prefix(self.prefix.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
        {
            if self.single_file {
                return Place::Outside;
            }
            rest
        } else if is_dir
            && self
                .prefix
                .strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('/'))
        {
            return Place::Above;
        } else {
            return Place::Outside;
        };
        self.checked(relative, is_dir)
    }

    fn file_name(&self) -> &str {
        self.prefix.rsplit('/').next().unwrap_or(&self.prefix)
    }

    fn checked(&self, relative: &str, is_dir: bool) -> Place {
        if self.excludes.excludes(relative, is_dir) {
            Place::Outside
        } else {
            Place::Inside(relative.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excludes(patterns: &[&str]) -> Excludes {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        Excludes::new(&patterns).unwrap()
    }

    fn scope(prefix: &str, single_file: bool, patterns: &[&str]) -> Scope {
        Scope {
            prefix: prefix.into(),
            single_file,
            excludes: excludes(patterns),
        }
    }

    #[test]
    fn excludes_follow_gitignore_rules() {
        let ex = excludes(&["vendor/", "*.min.js", "!keep.min.js", "/top.txt"]);
        assert!(ex.excludes("vendor/a/b.txt", false));
        assert!(ex.excludes("vendor", true));
        assert!(!ex.excludes("vendor", false));
        assert!(ex.excludes("web/app.min.js", false));
        assert!(!ex.excludes("web/keep.min.js", false));
        assert!(ex.excludes("top.txt", false));
        assert!(!ex.excludes("sub/top.txt", false));
        assert!(!ex.excludes("", true));
    }

    #[test]
    fn invalid_globs_are_reported_with_the_pattern() {
        let err = Excludes::new(&["{a,b".to_string()]).unwrap_err();
        assert!(err.to_string().contains("`{a,b`"), "{err}");
    }

    #[test]
    fn whole_repository_scope_keeps_paths() {
        let s = scope("", false, &["*.lock"]);
        assert_eq!(s.place("src/a.rs", false), Place::Inside("src/a.rs".into()));
        assert_eq!(s.place("Cargo.lock", false), Place::Outside);
    }

    #[test]
    fn directory_scope_strips_its_prefix() {
        let s = scope("app/web", false, &["dist/"]);
        assert_eq!(s.place("app", true), Place::Above);
        assert_eq!(s.place("app/web", true), Place::Inside(String::new()));
        assert_eq!(s.place("app/web/x.js", false), Place::Inside("x.js".into()));
        assert_eq!(s.place("app/web/dist", true), Place::Outside);
        assert_eq!(s.place("app/webx", true), Place::Outside);
        assert_eq!(s.place("app/other.js", false), Place::Outside);
        assert_eq!(s.place("ap", true), Place::Outside);
    }

    #[test]
    fn single_file_scope_reports_the_file_name() {
        let s = scope("conf/.env", true, &[]);
        assert_eq!(s.place("conf", true), Place::Above);
        assert_eq!(s.place("conf/.env", false), Place::Inside(".env".into()));
        assert_eq!(s.place("conf/.envrc", false), Place::Outside);
    }

    #[test]
    fn relative_paths_use_slashes_and_fall_back_to_the_file_name() {
        let root = Path::new("/r");
        assert_eq!(relative_path(root, Path::new("/r/a/b.txt")), "a/b.txt");
        assert_eq!(
            relative_path(Path::new("/r/f.env"), Path::new("/r/f.env")),
            "f.env"
        );
        assert_eq!(relative_path(Path::new("."), Path::new("./x/y")), "x/y");
    }
}
