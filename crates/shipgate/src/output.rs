//! Writing output files so a crash never leaves a half-written report.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames
/// it over `path`: readers see the old file or the whole new one, never a part.
/// A file that already exists keeps its permissions (the temporary file
/// would otherwise leave it readable by its owner only).
///
/// A destination that exists but is not a regular file (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written to directly: renaming over it
/// would replace the device or pipe with a plain file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Ok(existing) = std::fs::metadata(path)
        && !existing.is_file()
        && !existing.is_dir()
    {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        return file
            .write_all(bytes)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    if let Ok(existing) = std::fs::metadata(path) {
        temp.as_file()
            .set_permissions(existing.permissions())
            .with_context(|| format!("cannot keep the permissions of {}", path.display()))?;
    }
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
