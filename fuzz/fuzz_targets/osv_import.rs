//! Arbitrary bytes as an OSV record and as a zip dump: importing into an
//! in-memory database must never panic, and whatever was imported must be
//! readable back and matchable.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_deps::osv::{Database, ImportOptions, ImportSource};
use shipgate_deps::{Ecosystem, Package};

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 8 << 20,
    };
    let mut zip_bytes = b"PK\x03\x04".to_vec();
    zip_bytes.extend_from_slice(data);
    for bytes in [data.to_vec(), zip_bytes] {
        let mut database = Database::open_in_memory().expect("in-memory database");
        let source = ImportSource::Bytes {
            name: "fuzz".to_owned(),
            bytes,
        };
        let Ok(report) = database.import(
            &[source],
            &options,
            jiff::Timestamp::UNIX_EPOCH,
            &mut |_| {},
        ) else {
            continue;
        };
        let status = database.status().expect("status after import");
        assert_eq!(
            status.total_advisories,
            report.counts.added - report.counts.removed
        );
        for ecosystem in [Ecosystem::Npm, Ecosystem::PyPi, Ecosystem::CratesIo] {
            let package = Package::new(ecosystem, "a", "1.0.0");
            database.match_packages(&[&package]).expect("matching");
        }
    }
});
