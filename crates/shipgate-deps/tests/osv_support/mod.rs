//! Helpers shared by the OSV integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;

use jiff::Timestamp;
use shipgate_deps::osv::{Database, ImportOptions, ImportReport, ImportSource};

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

pub fn now() -> Timestamp {
    "2024-06-01T12:00:00Z".parse().unwrap()
}

pub fn import(database: &mut Database, sources: &[ImportSource]) -> ImportReport {
    database
        .import(sources, &ImportOptions::default(), now(), &mut |_| {})
        .unwrap()
}

pub fn import_fixtures() -> Database {
    let mut database = Database::open_in_memory().unwrap();
    import(&mut database, &[ImportSource::Path(fixtures())]);
    database
}

/// A zip archive of `(name, content)` entries, deflate-compressed.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, content) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

pub fn record(id: &str, modified: &str, ecosystem: &str, name: &str, fixed: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"{id}","modified":"{modified}","affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    )
    .into_bytes()
}
