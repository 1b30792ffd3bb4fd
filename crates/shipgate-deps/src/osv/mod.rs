//! OSV advisories: the record format, the local database, and matching
//! packages against advisories.
//!
//! PLACEHOLDER: replaced by the OSV importer, index and matcher.
