//! The offline advisory database: one SQLite file, `<dir>/osv.sqlite3`.
//!
//! The hot path is "advisories of (ecosystem, normalized name)", so the
//! `affected` table is keyed by exactly that and holds each advisory's
//! compact affected entries for the package; the advisory's own fields are
//! one compact JSON row beside it. Raw records are never stored.
//!
//! Stored JSON uses one- or two-letter keys, leaves out what the row's own
//! columns already say (the id, an entry's ecosystem and name when they are
//! the row's key) and keeps times as Unix seconds: with hundreds of
//! thousands of advisories, key names alone would be a fifth of the file.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use shipgate_model::Severity;

use crate::ecosystem::Ecosystem;
use crate::osv::record::{Advisory, Affected, Range, SeverityEntry};
use crate::osv::severity::{AdvisorySeverity, SeveritySource};

/// The database file's name inside the database directory.
pub const DB_FILE_NAME: &str = "osv.sqlite3";

/// The layout version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Larger pages than SQLite's 4 KiB default pack the advisory rows with
/// less slack per page.
const PAGE_SIZE: u32 = 8192;

/// A database at least this fraction free pages after an import is
/// rebuilt, so replaced and withdrawn advisories do not keep their space.
const VACUUM_FREE_FRACTION: f64 = 0.25;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE advisory (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    modified INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE affected (
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    advisory INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (ecosystem, name, advisory)
) WITHOUT ROWID;
CREATE INDEX affected_by_advisory ON affected (advisory);
CREATE TABLE import (
    rowid INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    record TEXT NOT NULL
);
";

/// Why the database could not be opened, read or written. Each message
/// says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// There is no database yet.
    #[error(
        "no vulnerability database at {}: run `shipgate db update` (online) or download \
         an OSV dump and run `shipgate db import all.zip`",
        path.display()
    )]
    Missing {
        /// The database file looked for.
        path: PathBuf,
    },
    /// The file was written by another layout version.
    #[error(
        "{} has database layout version {found}, but this shipgate reads version {expected}: \
         delete it and import again (`shipgate db update` or `shipgate db import`)",
        path.display()
    )]
    SchemaMismatch {
        /// The database file.
        path: PathBuf,
        /// The version found (0 when none is recorded).
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
    /// The file is not a readable SQLite database (truncated, overwritten).
    #[error(
        "{} is damaged ({reason}): delete it and import again \
         (`shipgate db update` or `shipgate db import`)",
        path.display()
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A file or directory could not be read or written.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// SQLite refused an operation (disk full, locked by another process).
    #[error("vulnerability database {}: {message}; check free disk space and that no other shipgate is importing", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        message: String,
    },
    /// An import source could not be read at all.
    #[error("cannot import {source_name}: {reason}")]
    Source {
        /// The source as given.
        source_name: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// An archive expands to more than the configured total.
    #[error(
        "{source_name} expands to more than {limit} bytes, the import limit; nothing was \
         imported. If it is a genuine dump, raise `ImportOptions::max_total_bytes`"
    )]
    ArchiveTooLarge {
        /// The archive.
        source_name: String,
        /// The limit in bytes.
        limit: u64,
    },
}

/// What one import did, as recorded in the database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// Records read (each element of a JSON array counts).
    pub records: u64,
    /// Advisories new to the database.
    pub added: u64,
    /// Advisories replaced by a newer `modified` version.
    pub updated: u64,
    /// Advisories already present at the same or a newer version.
    pub unchanged: u64,
    /// Withdrawn records read.
    pub withdrawn: u64,
    /// Previously imported advisories removed because they were withdrawn.
    pub removed: u64,
    /// Records or archive entries skipped as malformed, oversized or unsafe.
    pub skipped: u64,
    /// Advisories with no package in an ecosystem shipgate matches.
    pub without_known_package: u64,
    /// Affected entries of ecosystems shipgate does not match, by OSV
    /// ecosystem string (`Hackage`, `OSS-Fuzz`).
    pub unknown_ecosystems: BTreeMap<String, u64>,
}

/// One past import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRecord {
    /// When it ran (the time the caller passed).
    pub time: Timestamp,
    /// The sources, as given.
    pub sources: Vec<String>,
    /// What it did.
    pub counts: ImportCounts,
}

/// What the database holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DbStatus {
    /// The database file.
    pub path: PathBuf,
    /// The layout version.
    pub schema_version: u32,
    /// The file's size in bytes.
    pub file_size: u64,
    /// Distinct advisories.
    pub total_advisories: u64,
    /// Advisories per OSV ecosystem name (an advisory naming packages in two
    /// ecosystems counts in both).
    pub per_ecosystem: BTreeMap<String, u64>,
    /// The most recent import, when there was one.
    pub last_import: Option<ImportRecord>,
}

impl DbStatus {
    /// Time since the last import; `None` when nothing was imported.
    pub fn age(&self, now: Timestamp) -> Option<SignedDuration> {
        self.last_import
            .as_ref()
            .map(|import| now.duration_since(import.time))
    }

    /// Whether the data is older than `days` days (or was never imported).
    pub fn is_older_than(&self, now: Timestamp, days: u32) -> bool {
        match self.age(now) {
            Some(age) => age > SignedDuration::from_hours(i64::from(days) * 24),
            None => true,
        }
    }
}

/// The local OSV advisory database.
pub struct Database {
    pub(crate) connection: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .finish()
    }
}

impl Database {
    /// Opens the database in `dir` for reading and writing, creating the
    /// directory and an empty database when missing.
    pub fn open(dir: &Path) -> Result<Database, DbError> {
        fs::create_dir_all(dir).map_err(|source| DbError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE_NAME);
        check_file(&path)?;
        let connection = Connection::open(&path).map_err(|error| sqlite_error(&path, &error))?;
        let database = Database { connection, path };
        database.configure()?;
        if database.stored_schema_version()?.is_none() {
            database.create_schema()?;
        }
        database.check_schema()?;
        Ok(database)
    }

    /// Opens the database in `dir` for lookups only; it must exist.
    pub fn open_read_only(dir: &Path) -> Result<Database, DbError> {
        let path = dir.join(DB_FILE_NAME);
        match fs::metadata(&path) {
            Ok(metadata) if metadata.len() == 0 => return Err(DbError::Missing { path }),
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(DbError::Missing { path });
            }
            Err(source) => return Err(DbError::Io { path, source }),
        }
        check_file(&path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&path, flags)
            .map_err(|error| sqlite_error(&path, &error))?;
        let database = Database { connection, path };
        database.configure()?;
        database.check_schema()?;
        Ok(database)
    }

    /// An empty database in memory (tests and fuzzing).
    pub fn open_in_memory() -> Result<Database, DbError> {
        let path = PathBuf::from(":memory:");
        let connection =
            Connection::open_in_memory().map_err(|error| sqlite_error(&path, &error))?;
        let database = Database { connection, path };
        database.configure()?;
        database.create_schema()?;
        Ok(database)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> Result<(), DbError> {
        // A larger page cache keeps the affected index warm across a scan's
        // lookups; the busy timeout lets a scan wait out a short import commit.
        // The page size only takes effect on a new, empty file.
        self.connection
            .execute_batch(&format!(
                "PRAGMA page_size = {PAGE_SIZE}; PRAGMA cache_size = -32768; \
                 PRAGMA temp_store = MEMORY;"
            ))
            .map_err(|error| self.error(&error))?;
        // The bundled SQLite is built with STAT4, which otherwise re-plans
        // (re-parses) a cached statement on every new bound name; the plans
        // here never depend on the values.
        self.connection
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
                true,
            )
            .map_err(|error| self.error(&error))?;
        self.connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|error| self.error(&error))
    }

    fn create_schema(&self) -> Result<(), DbError> {
        let sql = format!(
            "BEGIN; {SCHEMA} INSERT INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;"
        );
        self.connection
            .execute_batch(&sql)
            .map_err(|error| self.error(&error))
    }

    fn stored_schema_version(&self) -> Result<Option<u32>, DbError> {
        let has_meta: bool = self
            .connection
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
                [],
                |row| row.get(0),
            )
            .map_err(|error| self.error(&error))?;
        if !has_meta {
            let tables: i64 = self
                .connection
                .query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| row.get(0))
                .map_err(|error| self.error(&error))?;
            return if tables == 0 { Ok(None) } else { Ok(Some(0)) };
        }
        let version: Option<String> = self
            .connection
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|error| self.error(&error))?;
        Ok(Some(version.and_then(|v| v.parse().ok()).unwrap_or(0)))
    }

    fn check_schema(&self) -> Result<(), DbError> {
        match self.stored_schema_version()? {
            Some(SCHEMA_VERSION) => Ok(()),
            None => Err(DbError::Missing {
                path: self.path.clone(),
            }),
            Some(found) => Err(DbError::SchemaMismatch {
                path: self.path.clone(),
                found,
                expected: SCHEMA_VERSION,
            }),
        }
    }

    pub(crate) fn error(&self, error: &rusqlite::Error) -> DbError {
        sqlite_error(&self.path, error)
    }

    /// Advisories naming `name` in `ecosystem` (any release of it), each
    /// with only the affected entries for that package. Names are compared
    /// after [`Ecosystem::normalize_name`].
    pub fn lookup(&self, ecosystem: Ecosystem, name: &str) -> Result<Vec<Advisory>, DbError> {
        let mut advisories = Vec::new();
        for candidate in self.candidates(ecosystem, name)? {
            advisories.push(self.advisory(candidate.rowid, candidate.affected)?);
        }
        advisories.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(advisories)
    }

    /// Every advisory with an affected entry in `ecosystem` (any release of
    /// it), once each and ordered by id, its `affected` holding only that
    /// ecosystem's entries.
    pub fn advisories_in_ecosystem(&self, ecosystem: Ecosystem) -> Result<Vec<Advisory>, DbError> {
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT advisory.id, advisory.data, affected.name, affected.data \
                 FROM affected JOIN advisory ON advisory.rowid = affected.advisory \
                 WHERE affected.ecosystem = ?1 \
                 ORDER BY advisory.id, affected.name",
            )
            .map_err(|error| self.error(&error))?;
        let mut rows = statement
            .query(params![ecosystem.osv_name()])
            .map_err(|error| self.error(&error))?;
        let mut advisories: Vec<Advisory> = Vec::new();
        while let Some(row) = rows.next().map_err(|error| self.error(&error))? {
            let id: String = row.get(0).map_err(|error| self.error(&error))?;
            let name: String = row.get(2).map_err(|error| self.error(&error))?;
            let affected_data = row.get_ref(3).map_err(|error| self.error(&error))?;
            let entries = decode_affected(ecosystem, &name, blob(affected_data))
                .map_err(|error| self.corrupt(&error))?;
            match advisories.last_mut() {
                Some(last) if last.id == id => last.affected.extend(entries),
                _ => {
                    let data = row.get_ref(1).map_err(|error| self.error(&error))?;
                    let advisory = decode_advisory(id, blob(data), entries)
                        .map_err(|error| self.corrupt(&error))?;
                    advisories.push(advisory);
                }
            }
        }
        Ok(advisories)
    }

    /// The affected entries of every advisory naming the package, in no
    /// particular order, without reading the advisories themselves (not even
    /// their ids, which would cost a page read each): matching decides on
    /// these and reads only the advisories that match.
    pub(crate) fn candidates(
        &self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<Vec<Candidate>, DbError> {
        let normalized = ecosystem.normalize_name(name);
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT advisory, data FROM affected WHERE ecosystem = ?1 AND name = ?2",
            )
            .map_err(|error| self.error(&error))?;
        let mut rows = statement
            .query(params![ecosystem.osv_name(), normalized.as_ref()])
            .map_err(|error| self.error(&error))?;
        let mut candidates = Vec::new();
        while let Some(row) = rows.next().map_err(|error| self.error(&error))? {
            let rowid: i64 = row.get(0).map_err(|error| self.error(&error))?;
            let data = row.get_ref(1).map_err(|error| self.error(&error))?;
            let affected = decode_affected(ecosystem, &normalized, blob(data))
                .map_err(|error| self.corrupt(&error))?;
            candidates.push(Candidate { rowid, affected });
        }
        Ok(candidates)
    }

    /// The advisory stored at `rowid`, given the affected entries to return
    /// with it.
    pub(crate) fn advisory(
        &self,
        rowid: i64,
        affected: Vec<Affected>,
    ) -> Result<Advisory, DbError> {
        let mut statement = self
            .connection
            .prepare_cached("SELECT id, data FROM advisory WHERE rowid = ?1")
            .map_err(|error| self.error(&error))?;
        let mut rows = statement
            .query(params![rowid])
            .map_err(|error| self.error(&error))?;
        let Some(row) = rows.next().map_err(|error| self.error(&error))? else {
            return Err(DbError::Corrupt {
                path: self.path.clone(),
                reason: format!("affected entries name advisory row {rowid}, which is missing"),
            });
        };
        let id: String = row.get(0).map_err(|error| self.error(&error))?;
        let data = row.get_ref(1).map_err(|error| self.error(&error))?;
        decode_advisory(id, blob(data), affected).map_err(|error| self.corrupt(&error))
    }

    /// The id of the advisory stored at `rowid`.
    pub(crate) fn advisory_id(&self, rowid: i64) -> Result<String, DbError> {
        self.connection
            .prepare_cached("SELECT id FROM advisory WHERE rowid = ?1")
            .and_then(|mut statement| statement.query_row(params![rowid], |row| row.get(0)))
            .map_err(|error| self.error(&error))
    }

    /// Runs `read` inside one read transaction: one consistent snapshot,
    /// and one file lock instead of one per statement. Inside an open
    /// transaction (an import) `read` simply runs.
    pub(crate) fn in_snapshot<T>(
        &self,
        read: impl FnOnce() -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        if !self.connection.is_autocommit() {
            return read();
        }
        let transaction = self
            .connection
            .unchecked_transaction()
            .map_err(|error| self.error(&error))?;
        let result = read()?;
        transaction.commit().map_err(|error| self.error(&error))?;
        Ok(result)
    }

    /// Rebuilds the file when replaced or withdrawn advisories left a large
    /// share of it free.
    pub(crate) fn compact_if_sparse(&self) -> Result<(), DbError> {
        let (free, total): (i64, i64) = self
            .connection
            .query_row(
                "SELECT freelist_count, page_count FROM pragma_freelist_count, pragma_page_count",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(|error| self.error(&error))?;
        #[allow(clippy::cast_precision_loss)]
        let sparse = total > 0 && free as f64 >= total as f64 * VACUUM_FREE_FRACTION;
        if sparse {
            self.connection
                .execute_batch("VACUUM")
                .map_err(|error| self.error(&error))?;
        }
        Ok(())
    }

    fn corrupt(&self, error: &serde_json::Error) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            reason: format!("unreadable stored advisory: {error}"),
        }
    }

    /// The most recent import, without counting anything: what a scan
    /// needs to judge the database's age, cheaply.
    pub fn last_import(&self) -> Result<Option<ImportRecord>, DbError> {
        let last: Option<String> = self
            .connection
            .query_row(
                "SELECT record FROM import ORDER BY rowid DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|error| self.error(&error))?;
        match last {
            Some(text) => Ok(Some(
                serde_json::from_str(&text).map_err(|error| self.corrupt(&error))?,
            )),
            None => Ok(None),
        }
    }

    /// Counts, size, layout version and the last import.
    pub fn status(&self) -> Result<DbStatus, DbError> {
        let total: i64 = self
            .connection
            .query_row("SELECT COUNT(*) FROM advisory", [], |row| row.get(0))
            .map_err(|error| self.error(&error))?;
        let mut per_ecosystem = BTreeMap::new();
        {
            let mut statement = self
                .connection
                .prepare(
                    "SELECT ecosystem, COUNT(DISTINCT advisory) FROM affected GROUP BY ecosystem",
                )
                .map_err(|error| self.error(&error))?;
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })
                .map_err(|error| self.error(&error))?;
            for row in rows {
                let (ecosystem, count) = row.map_err(|error| self.error(&error))?;
                per_ecosystem.insert(ecosystem, u64::try_from(count).unwrap_or(0));
            }
        }
        let last_import = self.last_import()?;
        let file_size = fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        Ok(DbStatus {
            path: self.path.clone(),
            schema_version: SCHEMA_VERSION,
            file_size,
            total_advisories: u64::try_from(total).unwrap_or(0),
            per_ecosystem,
            last_import,
        })
    }
}

/// One advisory's affected entries for a package, before the advisory
/// itself is read.
#[derive(Debug)]
pub(crate) struct Candidate {
    /// The advisory's row, for [`Database::advisory`].
    pub(crate) rowid: i64,
    /// The entries for the package.
    pub(crate) affected: Vec<Affected>,
}

/// A time as Unix seconds, with the nanoseconds only when there are any.
#[derive(Serialize, Deserialize)]
struct StoredTime(i64, #[serde(default, skip_serializing_if = "is_zero")] i32);

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(value: &i32) -> bool {
    *value == 0
}

impl StoredTime {
    fn new(time: Timestamp) -> StoredTime {
        StoredTime(time.as_second(), time.subsec_nanosecond())
    }

    fn timestamp(&self) -> Result<Timestamp, serde_json::Error> {
        Timestamp::new(self.0, self.1).map_err(serde::de::Error::custom)
    }
}

/// The stored form of an advisory's own fields; the id and `modified` are
/// columns of its row, the affected entries rows of their own.
#[derive(Serialize, Deserialize)]
struct StoredAdvisory {
    #[serde(rename = "a", default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(rename = "s", default, skip_serializing_if = "String::is_empty")]
    summary: String,
    #[serde(rename = "d", default, skip_serializing_if = "String::is_empty")]
    details: String,
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    published: Option<StoredTime>,
    #[serde(rename = "m")]
    modified: StoredTime,
    #[serde(rename = "e", default, skip_serializing_if = "Vec::is_empty")]
    severity_entries: Vec<SeverityEntry>,
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    database_severity: Option<String>,
    #[serde(rename = "v")]
    severity: Severity,
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(rename = "o")]
    severity_source: SeveritySource,
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    references: Vec<String>,
}

/// The stored form of an affected entry: ecosystem and name are left out
/// when they are exactly the row's key.
#[derive(Serialize, Deserialize)]
struct StoredAffected {
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    ecosystem: Option<String>,
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    ranges: Vec<Range>,
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    versions: Vec<String>,
}

/// The stored form of `advisory`'s own fields (its id and `affected` are
/// stored apart and ignored here).
pub(crate) fn encode_advisory(advisory: Advisory) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(&StoredAdvisory {
        aliases: advisory.aliases,
        summary: advisory.summary,
        details: advisory.details,
        published: advisory.published.map(StoredTime::new),
        modified: StoredTime::new(advisory.modified),
        severity_entries: advisory.severity_entries,
        database_severity: advisory.database_severity,
        severity: advisory.severity.severity,
        score: advisory.severity.score,
        severity_source: advisory.severity.source,
        references: advisory.references,
    })
}

/// The stored form of a package's affected entries, keyed by `ecosystem`
/// and the `normalized` name.
pub(crate) fn encode_affected(
    ecosystem: Ecosystem,
    normalized: &str,
    entries: Vec<Affected>,
) -> Result<Vec<u8>, serde_json::Error> {
    let stored: Vec<StoredAffected> = entries
        .into_iter()
        .map(|entry| StoredAffected {
            ecosystem: (entry.ecosystem != ecosystem.osv_name()).then_some(entry.ecosystem),
            name: (entry.name != normalized).then_some(entry.name),
            ranges: entry.ranges,
            versions: entry.versions,
        })
        .collect();
    serde_json::to_vec(&stored)
}

fn decode_advisory(
    id: String,
    data: &[u8],
    affected: Vec<Affected>,
) -> Result<Advisory, serde_json::Error> {
    let stored: StoredAdvisory = serde_json::from_slice(data)?;
    Ok(Advisory {
        id,
        aliases: stored.aliases,
        summary: stored.summary,
        details: stored.details,
        published: stored.published.map(|time| time.timestamp()).transpose()?,
        modified: stored.modified.timestamp()?,
        severity_entries: stored.severity_entries,
        database_severity: stored.database_severity,
        severity: AdvisorySeverity {
            severity: stored.severity,
            score: stored.score,
            source: stored.severity_source,
        },
        references: stored.references,
        affected,
    })
}

fn decode_affected(
    ecosystem: Ecosystem,
    normalized: &str,
    data: &[u8],
) -> Result<Vec<Affected>, serde_json::Error> {
    let stored: Vec<StoredAffected> = serde_json::from_slice(data)?;
    Ok(stored
        .into_iter()
        .map(|entry| Affected {
            ecosystem: entry
                .ecosystem
                .unwrap_or_else(|| ecosystem.osv_name().to_owned()),
            name: entry.name.unwrap_or_else(|| normalized.to_owned()),
            ranges: entry.ranges,
            versions: entry.versions,
        })
        .collect())
}

/// A BLOB (or TEXT) column's bytes; other types read as empty, which the
/// JSON reader then reports.
fn blob(value: rusqlite::types::ValueRef<'_>) -> &[u8] {
    match value {
        rusqlite::types::ValueRef::Blob(bytes) | rusqlite::types::ValueRef::Text(bytes) => bytes,
        _ => &[],
    }
}

/// Rejects files that are not SQLite databases or are shorter than their
/// header says, before SQLite reads garbage pages.
fn check_file(path: &Path) -> Result<(), DbError> {
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(DbError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let length = file
        .metadata()
        .map_err(|source| DbError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if length == 0 {
        return Ok(());
    }
    let corrupt = |reason: &str| DbError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let mut header = [0_u8; 100];
    file.read_exact(&mut header)
        .map_err(|_| corrupt("shorter than a database header"))?;
    if &header[..16] != b"SQLite format 3\0" {
        return Err(corrupt("not an SQLite database"));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    let change_counter = &header[24..28];
    let valid_for = &header[92..96];
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    if change_counter == valid_for && pages > 0 && pages.saturating_mul(page_size) > length {
        return Err(corrupt("the file is truncated"));
    }
    Ok(())
}

pub(crate) fn sqlite_error(path: &Path, error: &rusqlite::Error) -> DbError {
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => DbError::Corrupt {
            path: path.to_path_buf(),
            reason: error.to_string(),
        },
        _ => DbError::Sqlite {
            path: path.to_path_buf(),
            message: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::import::{ImportOptions, ImportSource};

    fn database_with(records: &str) -> Database {
        let mut database = Database::open_in_memory().unwrap();
        let source = ImportSource::Bytes {
            name: "records.json".to_owned(),
            bytes: records.as_bytes().to_vec(),
        };
        let report = database
            .import(
                &[source],
                &ImportOptions::default(),
                Timestamp::UNIX_EPOCH,
                &mut |_| {},
            )
            .unwrap();
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        database
    }

    fn record(id: &str, packages: &[(&str, &str)]) -> String {
        let affected: Vec<String> = packages
            .iter()
            .map(|(ecosystem, name)| {
                format!(
                    r#"{{"package":{{"ecosystem":"{ecosystem}","name":"{name}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"2.0.0"}}]}}]}}"#
                )
            })
            .collect();
        format!(
            r#"{{"id":"{id}","modified":"2024-03-04T05:06:07.123456789Z","published":"2024-01-02T00:00:00Z","summary":"s {id}","affected":[{}]}}"#,
            affected.join(",")
        )
    }

    #[test]
    fn advisories_in_an_ecosystem_come_once_each_with_only_that_ecosystems_entries() {
        let records = [
            record(
                "GHSA-b",
                &[
                    ("GitHub Actions", "actions/checkout"),
                    ("GitHub Actions", "Actions/Cache"),
                ],
            ),
            record(
                "GHSA-a",
                &[
                    ("npm", "left-pad"),
                    ("GitHub Actions", "tj-actions/changed-files"),
                ],
            ),
            record("GHSA-c", &[("npm", "left-pad")]),
        ];
        let database = database_with(&format!("[{}]", records.join(",")));

        let actions = database
            .advisories_in_ecosystem(Ecosystem::GitHubActions)
            .unwrap();
        let ids: Vec<&str> = actions
            .iter()
            .map(|advisory| advisory.id.as_str())
            .collect();
        assert_eq!(ids, ["GHSA-a", "GHSA-b"]);
        let names = |advisory: &Advisory| -> Vec<String> {
            let mut names: Vec<String> = advisory
                .affected
                .iter()
                .map(|entry| entry.name.clone())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(&actions[0]), ["tj-actions/changed-files"]);
        assert_eq!(names(&actions[1]), ["Actions/Cache", "actions/checkout"]);
        assert!(
            actions
                .iter()
                .flat_map(|advisory| &advisory.affected)
                .all(|entry| entry.ecosystem == "GitHub Actions")
        );
        assert_eq!(actions[0].summary, "s GHSA-a");

        let npm = database.advisories_in_ecosystem(Ecosystem::Npm).unwrap();
        assert_eq!(npm.len(), 2);
        assert!(
            database
                .advisories_in_ecosystem(Ecosystem::Go)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn the_compact_stored_form_reads_back_what_was_imported() {
        let json = record(
            "PYSEC-1",
            &[("PyPI", "Zope.Interface"), ("Debian:12", "libfoo")],
        );
        let database = database_with(&json);
        let crate::osv::record::Record::Advisory(mut expected) =
            crate::osv::record::parse_record(json.as_bytes()).unwrap()
        else {
            panic!("withdrawn");
        };
        let debian_entry = expected.affected.pop().unwrap();

        let found = database.lookup(Ecosystem::PyPi, "zope-interface").unwrap();
        assert_eq!(found, [*expected.clone()]);
        assert_eq!(found[0].affected[0].name, "Zope.Interface");
        assert_eq!(
            found[0].modified.to_string(),
            "2024-03-04T05:06:07.123456789Z"
        );

        let debian = database.lookup(Ecosystem::Debian, "libfoo").unwrap();
        assert_eq!(debian[0].affected, [debian_entry]);
        assert_eq!(debian[0].affected[0].ecosystem, "Debian:12");
    }

    #[test]
    fn a_mostly_free_file_is_compacted_after_an_import() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<String> = (0..400)
            .map(|index| record(&format!("GHSA-{index}"), &[("npm", "pkg")]))
            .collect();
        let withdrawn: Vec<String> = (0..400)
            .map(|index| {
                format!(
                    r#"{{"id":"GHSA-{index}","modified":"2025-01-01T00:00:00Z","withdrawn":"2025-01-01T00:00:00Z"}}"#
                )
            })
            .collect();
        let mut database = Database::open(dir.path()).unwrap();
        for batch in [records, withdrawn] {
            let source = ImportSource::Bytes {
                name: "batch.json".to_owned(),
                bytes: format!("[{}]", batch.join(",")).into_bytes(),
            };
            database
                .import(
                    &[source],
                    &ImportOptions::default(),
                    Timestamp::UNIX_EPOCH,
                    &mut |_| {},
                )
                .unwrap();
        }
        let free: i64 = database
            .connection
            .query_row("PRAGMA freelist_count", [], |row| row.get(0))
            .unwrap();
        assert_eq!(free, 0);
        assert_eq!(database.status().unwrap().total_advisories, 0);
    }
}
