//! Importing OSV dumps: directories of records, single JSON files (one
//! record or an array) and zip archives (OSV's `all.zip`, zipped advisory
//! repositories).
//!
//! Nothing is extracted to disk. Archive entries are read into memory with
//! a per-entry cap and a per-archive total cap; unsafe entry names are
//! skipped. Records are parsed on the rayon pool in batches and written in
//! one transaction, so an interrupted import leaves the previous database
//! as it was.

use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rayon::prelude::*;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::osv::record::{self, Record};
use crate::osv::store::{self, Database, DbError, ImportCounts, ImportRecord};

/// Where records come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportSource {
    /// A directory (read recursively for `*.json`), a JSON file or a zip
    /// archive; files are told apart by content, not by name.
    Path(PathBuf),
    /// A JSON document or zip archive already in memory.
    Bytes {
        /// The name reports use for it.
        name: String,
        /// The content.
        bytes: Vec<u8>,
    },
}

impl ImportSource {
    fn name(&self) -> String {
        match self {
            ImportSource::Path(path) => path.display().to_string(),
            ImportSource::Bytes { name, .. } => name.clone(),
        }
    }
}

/// Limits of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// The largest record file or archive entry read, in bytes; larger ones
    /// are skipped (reading stops at the cap).
    pub max_entry_bytes: u64,
    /// The most bytes one archive or JSON file may expand to; beyond it the
    /// import fails and nothing is written.
    pub max_total_bytes: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            max_entry_bytes: 16 * 1024 * 1024,
            max_total_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// Progress of a running import, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportProgress {
    /// The source being read.
    pub source: String,
    /// Records read so far, over all sources.
    pub records: u64,
}

/// A file, entry or record that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The file, or `archive!entry`, with `#N` for the Nth element of a
    /// JSON array.
    pub file: String,
    /// Why it was skipped.
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The sources, as given.
    pub sources: Vec<String>,
    /// The counts (also recorded in the database).
    pub counts: ImportCounts,
    /// Every skipped file, entry or record with its reason.
    pub skipped: Vec<Skipped>,
}

const BATCH_RECORDS: usize = 2048;
const BATCH_BYTES: usize = 64 * 1024 * 1024;

enum Prepared {
    Advisory {
        id: String,
        modified: i64,
        data: Vec<u8>,
        packages: Vec<(&'static str, String, Vec<u8>)>,
        unknown_ecosystems: Vec<String>,
    },
    Withdrawn {
        id: String,
    },
    Skipped(Skipped),
}

impl Database {
    /// Imports `sources` in one transaction, recording the import at `now`.
    /// Malformed, oversized or unsafe records are skipped and listed in the
    /// report; only unreadable sources, an archive beyond
    /// [`ImportOptions::max_total_bytes`] or a database failure abort (and
    /// then nothing is written). A file left a quarter free by replaced or
    /// withdrawn advisories is compacted afterwards.
    pub fn import(
        &mut self,
        sources: &[ImportSource],
        options: &ImportOptions,
        now: Timestamp,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<ImportReport, DbError> {
        let report = self.import_in_transaction(sources, options, now, progress)?;
        self.compact_if_sparse()?;
        Ok(report)
    }

    fn import_in_transaction(
        &mut self,
        sources: &[ImportSource],
        options: &ImportOptions,
        now: Timestamp,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<ImportReport, DbError> {
        let path = self.path().to_path_buf();
        let transaction = self
            .connection
            .transaction()
            .map_err(|error| crate::osv::store::sqlite_error(&path, &error))?;
        let mut importer = Importer {
            transaction,
            path,
            options: options.clone(),
            batch: Vec::new(),
            batch_bytes: 0,
            report: ImportReport {
                sources: sources.iter().map(ImportSource::name).collect(),
                counts: ImportCounts::default(),
                skipped: Vec::new(),
            },
            progress,
            current_source: String::new(),
        };
        for source in sources {
            importer.current_source = source.name();
            importer.read_source(source)?;
        }
        importer.flush()?;
        let Importer {
            transaction,
            path,
            report,
            ..
        } = importer;
        let record = ImportRecord {
            time: now,
            sources: report.sources.clone(),
            counts: report.counts.clone(),
        };
        let record_json = serde_json::to_string(&record).map_err(|error| DbError::Sqlite {
            path: path.clone(),
            message: error.to_string(),
        })?;
        transaction
            .execute(
                "INSERT INTO import (time, record) VALUES (?1, ?2)",
                params![now.to_string(), record_json],
            )
            .map_err(|error| crate::osv::store::sqlite_error(&path, &error))?;
        transaction
            .commit()
            .map_err(|error| crate::osv::store::sqlite_error(&path, &error))?;
        Ok(report)
    }
}

struct Importer<'c, 'p> {
    transaction: Transaction<'c>,
    path: PathBuf,
    options: ImportOptions,
    batch: Vec<(String, Vec<u8>)>,
    batch_bytes: usize,
    report: ImportReport,
    progress: &'p mut dyn FnMut(&ImportProgress),
    current_source: String,
}

impl Importer<'_, '_> {
    fn read_source(&mut self, source: &ImportSource) -> Result<(), DbError> {
        match source {
            ImportSource::Bytes { name, bytes } => {
                if is_zip(bytes) {
                    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice()))
                        .map_err(|error| unreadable_archive(name, &error))?;
                    self.read_archive(name, archive)
                } else {
                    self.push(name.clone(), bytes.clone())
                }
            }
            ImportSource::Path(path) => self.read_path(path),
        }
    }

    fn read_path(&mut self, path: &Path) -> Result<(), DbError> {
        let name = path.display().to_string();
        let metadata = fs::metadata(path).map_err(|error| DbError::Source {
            source_name: name.clone(),
            reason: format!("{error}; give a directory of OSV JSON files, a JSON file or a zip"),
        })?;
        if metadata.is_dir() {
            return self.read_directory(path);
        }
        let mut file = fs::File::open(path).map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut magic = [0_u8; 4];
        let magic_len = read_up_to(&mut file, &mut magic).map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if is_zip(&magic[..magic_len]) {
            file.rewind().map_err(|source| DbError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let archive = zip::ZipArchive::new(std::io::BufReader::new(file))
                .map_err(|error| unreadable_archive(&name, &error))?;
            return self.read_archive(&name, archive);
        }
        if metadata.len() > self.options.max_total_bytes {
            return Err(DbError::ArchiveTooLarge {
                source_name: name,
                limit: self.options.max_total_bytes,
            });
        }
        let bytes = fs::read(path).map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.push(name, bytes)
    }

    /// Walks without following symbolic links to directories, so a link
    /// loop cannot hang the walk; links to files are read.
    fn read_directory(&mut self, root: &Path) -> Result<(), DbError> {
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let entries = fs::read_dir(&dir).map_err(|source| DbError::Io {
                path: dir.clone(),
                source,
            })?;
            let mut children: Vec<_> = entries.filter_map(Result::ok).collect();
            children.sort_by_key(std::fs::DirEntry::file_name);
            let mut subdirectories = Vec::new();
            for child in children {
                let path = child.path();
                let Ok(file_type) = child.file_type() else {
                    continue;
                };
                if file_type.is_dir() {
                    subdirectories.push(path);
                    continue;
                }
                let is_json = path
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
                if file_type.is_symlink() {
                    match fs::metadata(&path) {
                        Ok(target) if target.is_dir() => {
                            self.skip(
                                &path.display().to_string(),
                                "symbolic link to a directory is not followed",
                            );
                            continue;
                        }
                        Ok(_) => {}
                        Err(_) => {
                            if is_json {
                                self.skip(&path.display().to_string(), "broken symbolic link");
                            }
                            continue;
                        }
                    }
                }
                if is_json {
                    self.read_directory_file(&path)?;
                }
            }
            pending.extend(subdirectories.into_iter().rev());
        }
        Ok(())
    }

    fn read_directory_file(&mut self, path: &Path) -> Result<(), DbError> {
        let name = path.display().to_string();
        let file = match fs::File::open(path) {
            Ok(file) => file,
            Err(error) => {
                self.skip(&name, &format!("cannot read: {error}"));
                return Ok(());
            }
        };
        let mut bytes = Vec::new();
        let cap = self.options.max_entry_bytes;
        match file.take(cap.saturating_add(1)).read_to_end(&mut bytes) {
            Ok(_) if bytes.len() as u64 > cap => {
                self.skip(&name, &format!("larger than the {cap}-byte record limit"));
                Ok(())
            }
            Ok(_) => self.push(name, bytes),
            Err(error) => {
                self.skip(&name, &format!("cannot read: {error}"));
                Ok(())
            }
        }
    }

    fn read_archive<R: Read + Seek>(
        &mut self,
        archive_name: &str,
        mut archive: zip::ZipArchive<R>,
    ) -> Result<(), DbError> {
        let cap = self.options.max_entry_bytes;
        let mut total: u64 = 0;
        for index in 0..archive.len() {
            let mut entry = match archive.by_index(index) {
                Ok(entry) => entry,
                Err(error) => {
                    self.skip(
                        &format!("{archive_name}!#{index}"),
                        &format!("unreadable entry: {error}"),
                    );
                    continue;
                }
            };
            let entry_name = String::from_utf8_lossy(entry.name_raw()).into_owned();
            let origin = format!("{archive_name}!{entry_name}");
            if entry.is_dir() {
                continue;
            }
            if let Some(reason) = unsafe_entry_name(&entry_name) {
                self.skip(&origin, reason);
                continue;
            }
            let is_json = entry_name
                .rsplit_once('.')
                .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("json"));
            if !is_json {
                continue;
            }
            if entry.size() > cap {
                self.skip(
                    &origin,
                    &format!("expands beyond the {cap}-byte record limit"),
                );
                continue;
            }
            let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
            let read = (&mut entry)
                .take(cap.saturating_add(1))
                .read_to_end(&mut bytes);
            total = total.saturating_add(bytes.len() as u64);
            if total > self.options.max_total_bytes {
                return Err(DbError::ArchiveTooLarge {
                    source_name: archive_name.to_owned(),
                    limit: self.options.max_total_bytes,
                });
            }
            match read {
                Ok(_) if bytes.len() as u64 > cap => {
                    self.skip(
                        &origin,
                        &format!("expands beyond the {cap}-byte record limit"),
                    );
                }
                Ok(_) => self.push(origin, bytes)?,
                Err(error) => self.skip(&origin, &format!("unreadable entry: {error}")),
            }
        }
        Ok(())
    }

    fn skip(&mut self, file: &str, reason: &str) {
        self.report.counts.skipped += 1;
        self.report.skipped.push(Skipped {
            file: file.to_owned(),
            reason: reason.to_owned(),
        });
    }

    fn push(&mut self, origin: String, bytes: Vec<u8>) -> Result<(), DbError> {
        self.batch_bytes += bytes.len();
        self.batch.push((origin, bytes));
        if self.batch.len() >= BATCH_RECORDS || self.batch_bytes >= BATCH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DbError> {
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let prepared: Vec<Vec<Prepared>> = batch
            .par_iter()
            .map(|(origin, bytes)| prepare_document(origin, bytes))
            .collect();
        for item in prepared.into_iter().flatten() {
            self.apply(item)?;
        }
        (self.progress)(&ImportProgress {
            source: self.current_source.clone(),
            records: self.report.counts.records,
        });
        Ok(())
    }

    fn sql(&self, error: &rusqlite::Error) -> DbError {
        crate::osv::store::sqlite_error(&self.path, error)
    }

    fn existing(&self, id: &str) -> Result<Option<(i64, i64)>, DbError> {
        let mut statement = self
            .transaction
            .prepare_cached("SELECT rowid, modified FROM advisory WHERE id = ?1")
            .map_err(|error| self.sql(&error))?;
        statement
            .query_row(params![id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()
            .map_err(|error| self.sql(&error))
    }

    fn remove(&self, rowid: i64) -> Result<(), DbError> {
        self.transaction
            .prepare_cached("DELETE FROM affected WHERE advisory = ?1")
            .and_then(|mut statement| statement.execute(params![rowid]))
            .map_err(|error| self.sql(&error))?;
        Ok(())
    }

    fn apply(&mut self, prepared: Prepared) -> Result<(), DbError> {
        let counts = &mut self.report.counts;
        match prepared {
            Prepared::Skipped(skipped) => {
                counts.records += 1;
                counts.skipped += 1;
                self.report.skipped.push(skipped);
            }
            Prepared::Withdrawn { id } => {
                counts.records += 1;
                counts.withdrawn += 1;
                if let Some((rowid, _)) = self.existing(&id)? {
                    self.remove(rowid)?;
                    self.transaction
                        .prepare_cached("DELETE FROM advisory WHERE rowid = ?1")
                        .and_then(|mut statement| statement.execute(params![rowid]))
                        .map_err(|error| self.sql(&error))?;
                    self.report.counts.removed += 1;
                }
            }
            Prepared::Advisory {
                id,
                modified,
                data,
                packages,
                unknown_ecosystems,
            } => {
                counts.records += 1;
                for ecosystem in unknown_ecosystems {
                    *counts.unknown_ecosystems.entry(ecosystem).or_default() += 1;
                }
                if packages.is_empty() {
                    counts.without_known_package += 1;
                    return Ok(());
                }
                let rowid = match self.existing(&id)? {
                    Some((_, stored)) if stored >= modified => {
                        self.report.counts.unchanged += 1;
                        return Ok(());
                    }
                    Some((rowid, _)) => {
                        self.remove(rowid)?;
                        self.transaction
                            .prepare_cached(
                                "UPDATE advisory SET modified = ?2, data = ?3 WHERE rowid = ?1",
                            )
                            .and_then(|mut statement| {
                                statement.execute(params![rowid, modified, data])
                            })
                            .map_err(|error| self.sql(&error))?;
                        self.report.counts.updated += 1;
                        rowid
                    }
                    None => {
                        self.transaction
                            .prepare_cached(
                                "INSERT INTO advisory (id, modified, data) VALUES (?1, ?2, ?3)",
                            )
                            .and_then(|mut statement| {
                                statement.execute(params![id, modified, data])
                            })
                            .map_err(|error| self.sql(&error))?;
                        self.report.counts.added += 1;
                        self.transaction.last_insert_rowid()
                    }
                };
                let mut insert = self
                    .transaction
                    .prepare_cached(
                        "INSERT OR REPLACE INTO affected (ecosystem, name, advisory, data) \
                         VALUES (?1, ?2, ?3, ?4)",
                    )
                    .map_err(|error| self.sql(&error))?;
                for (ecosystem, name, affected) in packages {
                    insert
                        .execute(params![ecosystem, name, rowid, affected])
                        .map_err(|error| crate::osv::store::sqlite_error(&self.path, &error))?;
                }
            }
        }
        Ok(())
    }
}

fn prepare_document(origin: &str, bytes: &[u8]) -> Vec<Prepared> {
    let starts_array = bytes
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|&byte| byte == b'[');
    if !starts_array {
        return vec![prepare(origin, record::parse_record(bytes))];
    }
    match serde_json::from_slice::<Vec<serde_json::Value>>(bytes) {
        Ok(values) => values
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                prepare(
                    &format!("{origin}#{index}"),
                    record::parse_record_value(value),
                )
            })
            .collect(),
        Err(error) => vec![Prepared::Skipped(Skipped {
            file: origin.to_owned(),
            reason: format!("invalid JSON array of OSV records: {error}"),
        })],
    }
}

fn prepare(origin: &str, parsed: Result<Record, String>) -> Prepared {
    let mut advisory = match parsed {
        Ok(Record::Advisory(advisory)) => *advisory,
        Ok(Record::Withdrawn { id, .. }) => return Prepared::Withdrawn { id },
        Err(reason) => {
            return Prepared::Skipped(Skipped {
                file: origin.to_owned(),
                reason,
            });
        }
    };
    let (groups, unknown_ecosystems) = record::group_by_package(&advisory);
    let mut packages = Vec::with_capacity(groups.len());
    for ((ecosystem, name), affected) in groups {
        match store::encode_affected(ecosystem, &name, affected) {
            Ok(data) => packages.push((ecosystem.osv_name(), name, data)),
            Err(error) => {
                return Prepared::Skipped(Skipped {
                    file: origin.to_owned(),
                    reason: format!("cannot encode: {error}"),
                });
            }
        }
    }
    advisory.affected.clear();
    let id = std::mem::take(&mut advisory.id);
    let modified = advisory.modified.as_microsecond();
    match store::encode_advisory(advisory) {
        Ok(data) => Prepared::Advisory {
            modified,
            id,
            data,
            packages,
            unknown_ecosystems,
        },
        Err(error) => Prepared::Skipped(Skipped {
            file: origin.to_owned(),
            reason: format!("cannot encode: {error}"),
        }),
    }
}

/// Why an archive entry name is refused, if it is: it could name a place
/// outside the archive were it ever extracted.
fn unsafe_entry_name(name: &str) -> Option<&'static str> {
    if name.contains('\0') {
        return Some("entry name contains a NUL byte");
    }
    let is_absolute =
        name.starts_with('/') || name.starts_with('\\') || name.as_bytes().get(1) == Some(&b':');
    if is_absolute {
        return Some("entry name is an absolute path");
    }
    if name.split(['/', '\\']).any(|component| component == "..") {
        return Some("entry name climbs out of the archive (`..`)");
    }
    None
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn unreadable_archive(name: &str, error: &zip::result::ZipError) -> DbError {
    DbError::Source {
        source_name: name.to_owned(),
        reason: format!("not a readable zip archive ({error}); download the dump again"),
    }
}

fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => break,
            read => filled += read,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_entry_names_are_recognised() {
        assert!(unsafe_entry_name("../etc/passwd.json").is_some());
        assert!(unsafe_entry_name("a/../../b.json").is_some());
        assert!(unsafe_entry_name("/abs.json").is_some());
        assert!(unsafe_entry_name("C:\\x.json").is_some());
        assert!(unsafe_entry_name("a\0b.json").is_some());
        assert_eq!(
            unsafe_entry_name("advisories/github-reviewed/GHSA-1.json"),
            None
        );
        assert_eq!(unsafe_entry_name("a..b.json"), None);
    }
}
