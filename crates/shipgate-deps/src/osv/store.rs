//! The offline advisory database: one SQLite file, `<dir>/osv.sqlite3`.
//!
//! The hot path is "advisories of (ecosystem, normalized name)", so the
//! `affected` table is keyed by exactly that and holds each advisory's
//! compact affected entries for the package; the advisory's own fields are
//! one compact JSON row beside it. Raw records are never stored.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;
use crate::osv::record::{Advisory, Affected};

/// The database file's name inside the database directory.
pub const DB_FILE_NAME: &str = "osv.sqlite3";

/// The layout version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

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
        self.connection
            .execute_batch("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY;")
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
        let normalized = ecosystem.normalize_name(name);
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT advisory.data, affected.data FROM affected \
                 JOIN advisory ON advisory.rowid = affected.advisory \
                 WHERE affected.ecosystem = ?1 AND affected.name = ?2 \
                 ORDER BY advisory.id",
            )
            .map_err(|error| self.error(&error))?;
        let rows = statement
            .query_map(params![ecosystem.osv_name(), normalized.as_ref()], |row| {
                Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?))
            })
            .map_err(|error| self.error(&error))?;
        let mut advisories = Vec::new();
        for row in rows {
            let (advisory_data, affected_data) = row.map_err(|error| self.error(&error))?;
            let mut advisory: Advisory =
                serde_json::from_slice(&advisory_data).map_err(|error| self.corrupt(&error))?;
            advisory.affected = serde_json::from_slice::<Vec<Affected>>(&affected_data)
                .map_err(|error| self.corrupt(&error))?;
            advisories.push(advisory);
        }
        Ok(advisories)
    }

    fn corrupt(&self, error: &serde_json::Error) -> DbError {
        DbError::Corrupt {
            path: self.path.clone(),
            reason: format!("unreadable stored advisory: {error}"),
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
        let last: Option<String> = self
            .connection
            .query_row(
                "SELECT record FROM import ORDER BY rowid DESC LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|error| self.error(&error))?;
        let last_import = match last {
            Some(text) => Some(serde_json::from_str(&text).map_err(|error| self.corrupt(&error))?),
            None => None,
        };
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
