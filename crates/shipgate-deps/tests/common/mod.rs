//! Helpers the lockfile integration tests share: loading fixture trees
//! into a `FileSet` and finding a package by name.

use std::path::Path;

use shipgate_deps::{FileSet, Lockfile, Package};

/// Adds every file under `dir` to `files`, keyed by its path relative to
/// `root` with `/` separators.
pub fn add_tree(files: &mut FileSet, root: &Path, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            add_tree(files, root, &path);
        } else if let (Ok(relative), Ok(content)) = (path.strip_prefix(root), std::fs::read(&path))
        {
            let key = relative.to_string_lossy().replace('\\', "/");
            files.insert(key, content);
        }
    }
}

/// The first package called `name`; panics naming the lockfile when none is.
pub fn find_package<'a>(lockfile: &'a Lockfile, name: &str) -> &'a Package {
    lockfile
        .packages
        .iter()
        .find(|package| package.name == name)
        .unwrap_or_else(|| panic!("{name} missing from {}", lockfile.path))
}
