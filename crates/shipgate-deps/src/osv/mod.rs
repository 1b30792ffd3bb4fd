//! OSV advisories: the record format, the offline database (import,
//! status, update) and matching packages against advisories.
//!
//! The database is one SQLite file in a directory the caller chooses.
//! Records are read with lenient serde structs of this crate rather than
//! the `osv` crate: that crate's typed enums reject a whole record for one
//! unknown ecosystem or field value, and it brings chrono where the
//! project uses jiff.

pub mod import;
pub mod matching;
pub mod record;
pub mod severity;
pub mod store;
pub mod update;

pub use import::{ImportOptions, ImportProgress, ImportReport, ImportSource, Skipped};
pub use matching::{
    AdvisoryMatch, Evaluation, MatchReport, MatchWarning, PackageMatches, evaluate, fixing_upgrade,
};
pub use record::{Advisory, Affected, Event, Range, RangeKind, Record, SeverityEntry};
pub use severity::{AdvisorySeverity, SeveritySource};
pub use store::{
    DB_FILE_NAME, Database, DbError, DbStatus, ImportCounts, ImportRecord, SCHEMA_VERSION,
};
pub use update::{
    Download, OSV_DUMP_BASE_URL, UpdateError, UpdateOptions, UpdateProgress, UpdateReport,
};
