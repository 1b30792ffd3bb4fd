//! Importing OSV dumps into the offline database.

mod osv_support;

use std::fs;

use osv_support::{fixtures, import, import_fixtures, now, record, zip_of};
use shipgate_deps::Ecosystem;
use shipgate_deps::osv::{
    DB_FILE_NAME, Database, DbError, ImportOptions, ImportSource, SCHEMA_VERSION,
};

#[test]
fn a_fixture_directory_imports_with_malformed_records_skipped_and_named() {
    let mut database = Database::open_in_memory().unwrap();
    let report = import(&mut database, &[ImportSource::Path(fixtures())]);
    let counts = &report.counts;
    // 4 malformed files + the id-less array element.
    assert_eq!(counts.skipped, 5, "{:#?}", report.skipped);
    let reasons: Vec<(&str, &str)> = report
        .skipped
        .iter()
        .map(|s| (s.file.rsplit('/').next().unwrap(), s.reason.as_str()))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|(file, reason)| *file == "malformed-bad-event.json"
                && reason.contains("more than one kind"))
    );
    assert!(
        reasons
            .iter()
            .any(|(file, reason)| *file == "malformed-range-type.json"
                && reason.contains("unknown range type `DATE`"))
    );
    assert!(
        reasons.iter().any(
            |(file, reason)| *file == "malformed-no-id.json" && reason.contains("missing `id`")
        )
    );
    assert!(
        reasons
            .iter()
            .any(|(file, reason)| *file == "malformed-truncated.json"
                && reason.contains("invalid OSV JSON"))
    );
    assert!(reasons.iter().any(|(file, _)| *file == "array.json#1"));
    assert_eq!(counts.withdrawn, 1);
    assert_eq!(counts.removed, 0);
    assert_eq!(counts.without_known_package, 1);
    assert_eq!(counts.unknown_ecosystems.get("Hackage"), Some(&2));
    assert_eq!(counts.unknown_ecosystems.get("OSS-Fuzz"), Some(&1));
    // 10 top-level advisories with known packages + 1 array element + 6 RustSec.
    assert_eq!(counts.added, 17);
    let status = database.status().unwrap();
    assert_eq!(status.total_advisories, 17);
    assert_eq!(status.per_ecosystem.get("crates.io"), Some(&8));
    assert_eq!(status.per_ecosystem.get("Debian"), Some(&1));
    assert_eq!(status.schema_version, SCHEMA_VERSION);
    let last = status.last_import.unwrap();
    assert_eq!(last.time, now());
    assert_eq!(last.counts, report.counts);
}

#[test]
fn compact_advisories_keep_aliases_severity_references_and_release_suffixes() {
    let database = import_fixtures();
    let found = database.lookup(Ecosystem::Npm, "twoline").unwrap();
    assert_eq!(found.len(), 1);
    let advisory = &found[0];
    assert_eq!(advisory.aliases, ["CVE-2024-10001"]);
    assert_eq!(advisory.severity.score, Some(9.8));
    assert_eq!(advisory.database_severity.as_deref(), Some("HIGH"));
    assert_eq!(
        advisory.references,
        ["https://example.invalid/GHSA-aaaa-0001-0001"]
    );
    assert_eq!(
        advisory.published,
        Some("2024-02-01T10:00:00Z".parse().unwrap())
    );
    let debian = database.lookup(Ecosystem::Debian, "libfoo").unwrap();
    assert_eq!(debian.len(), 1);
    let releases: Vec<&str> = debian[0]
        .affected
        .iter()
        .map(|a| a.ecosystem.as_str())
        .collect();
    assert_eq!(releases, ["Debian:12", "Debian:11"]);
    assert!(
        database
            .lookup(Ecosystem::Npm, "nothing-here")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn re_import_is_idempotent_newer_replaces_older_is_ignored() {
    let mut database = Database::open_in_memory().unwrap();
    let first = record("GHSA-r-1", "2024-01-01T00:00:00Z", "npm", "re", "1.0.0");
    let source = |bytes: &[u8]| ImportSource::Bytes {
        name: "r.json".to_owned(),
        bytes: bytes.to_vec(),
    };
    assert_eq!(import(&mut database, &[source(&first)]).counts.added, 1);
    let again = import(&mut database, &[source(&first)]);
    assert_eq!((again.counts.added, again.counts.unchanged), (0, 1));
    let newer = record("GHSA-r-1", "2024-02-01T00:00:00Z", "npm", "re", "2.0.0");
    assert_eq!(import(&mut database, &[source(&newer)]).counts.updated, 1);
    let older = record("GHSA-r-1", "2023-01-01T00:00:00Z", "npm", "re", "0.5.0");
    assert_eq!(import(&mut database, &[source(&older)]).counts.unchanged, 1);
    let stored = database.lookup(Ecosystem::Npm, "re").unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].affected[0].ranges[0].events[1].version(), "2.0.0");
    // A newer version that moves the advisory to another package drops the old row.
    let moved = record("GHSA-r-1", "2024-03-01T00:00:00Z", "npm", "moved", "3.0.0");
    import(&mut database, &[source(&moved)]);
    assert!(database.lookup(Ecosystem::Npm, "re").unwrap().is_empty());
    assert_eq!(database.lookup(Ecosystem::Npm, "moved").unwrap().len(), 1);
    assert_eq!(database.status().unwrap().total_advisories, 1);
}

#[test]
fn withdrawn_advisories_remove_previous_imports() {
    let mut database = Database::open_in_memory().unwrap();
    let live = record("GHSA-w-1", "2024-01-01T00:00:00Z", "npm", "gone", "1.0.0");
    import(
        &mut database,
        &[ImportSource::Bytes {
            name: "a.json".into(),
            bytes: live,
        }],
    );
    let withdrawn = br#"{"id":"GHSA-w-1","modified":"2024-02-01T00:00:00Z","withdrawn":"2024-02-01T00:00:00Z"}"#;
    let report = import(
        &mut database,
        &[ImportSource::Bytes {
            name: "b.json".into(),
            bytes: withdrawn.to_vec(),
        }],
    );
    assert_eq!((report.counts.withdrawn, report.counts.removed), (1, 1));
    assert!(database.lookup(Ecosystem::Npm, "gone").unwrap().is_empty());
    assert_eq!(database.status().unwrap().total_advisories, 0);
}

#[test]
fn zip_dumps_with_nested_directories_import() {
    let a = record(
        "GHSA-z-1",
        "2024-01-01T00:00:00Z",
        "PyPI",
        "Zipped_Pkg",
        "1.0",
    );
    let b = record(
        "GHSA-z-2",
        "2024-01-01T00:00:00Z",
        "crates.io",
        "zipped",
        "1.0.0",
    );
    let archive = zip_of(&[
        (
            "advisory-database-main/advisories/github-reviewed/2024/01/GHSA-z-1/GHSA-z-1.json",
            &a,
        ),
        ("advisory-database-main/README.md", b"not a record"),
        ("GHSA-z-2.json", &b),
    ]);
    let mut database = Database::open_in_memory().unwrap();
    let report = import(
        &mut database,
        &[ImportSource::Bytes {
            name: "all.zip".into(),
            bytes: archive,
        }],
    );
    assert_eq!((report.counts.added, report.counts.skipped), (2, 0));
    assert_eq!(
        database
            .lookup(Ecosystem::PyPi, "zipped.pkg")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn zip_bombs_and_unsafe_entry_names_are_skipped_and_counted() {
    let good = record("GHSA-b-1", "2024-01-01T00:00:00Z", "npm", "fine", "1.0.0");
    let bomb = vec![b' '; 20 * 1024 * 1024];
    let archive = zip_of(&[
        ("bomb.json", &bomb),
        ("../escape.json", &good),
        ("/absolute.json", &good),
        ("nul\0name.json", &good),
        ("ok/good.json", &good),
    ]);
    assert!(archive.len() < 1024 * 1024, "the bomb compresses well");
    let mut database = Database::open_in_memory().unwrap();
    let report = import(
        &mut database,
        &[ImportSource::Bytes {
            name: "bomb.zip".into(),
            bytes: archive,
        }],
    );
    assert_eq!(report.counts.added, 1);
    assert_eq!(report.counts.skipped, 4, "{:#?}", report.skipped);
    let reason = |needle: &str| report.skipped.iter().any(|s| s.reason.contains(needle));
    assert!(reason("record limit"));
    assert!(reason("`..`"));
    assert!(reason("absolute path"));
    assert!(reason("NUL"));
}

#[test]
fn an_archive_beyond_the_total_limit_fails_and_writes_nothing() {
    let entries: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| {
            (
                format!("e{i}.json"),
                record(
                    &format!("GHSA-t-{i}"),
                    "2024-01-01T00:00:00Z",
                    "npm",
                    "t",
                    "1.0.0",
                ),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let archive = zip_of(&borrowed);
    let mut database = Database::open_in_memory().unwrap();
    let options = ImportOptions {
        max_total_bytes: 600,
        ..ImportOptions::default()
    };
    let error = database
        .import(
            &[ImportSource::Bytes {
                name: "big.zip".into(),
                bytes: archive,
            }],
            &options,
            now(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(
        matches!(error, DbError::ArchiveTooLarge { limit: 600, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("max_total_bytes"));
    assert_eq!(database.status().unwrap().total_advisories, 0);
    assert!(database.status().unwrap().last_import.is_none());
}

#[test]
fn zip_and_json_files_on_disk_are_told_apart_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("dump.bin");
    fs::write(
        &zip_path,
        zip_of(&[(
            "x.json",
            &record(
                "GHSA-d-1",
                "2024-01-01T00:00:00Z",
                "Go",
                "example.com/m",
                "1.0.0",
            ),
        )]),
    )
    .unwrap();
    let json_path = dir.path().join("array.json");
    fs::copy(fixtures().join("array.json"), &json_path).unwrap();
    let mut database = Database::open(&dir.path().join("db")).unwrap();
    let mut seen = 0;
    let report = database
        .import(
            &[ImportSource::Path(zip_path), ImportSource::Path(json_path)],
            &ImportOptions::default(),
            now(),
            &mut |progress| seen = progress.records,
        )
        .unwrap();
    assert_eq!(report.counts.added, 2);
    assert_eq!(seen, 3);
    assert!(dir.path().join("db").join(DB_FILE_NAME).is_file());
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_in_directories_do_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("a/b");
    fs::create_dir_all(&inner).unwrap();
    fs::write(
        inner.join("r.json"),
        record("GHSA-l-1", "2024-01-01T00:00:00Z", "npm", "loop", "1.0.0"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path(), inner.join("back")).unwrap();
    let mut database = Database::open_in_memory().unwrap();
    let report = import(
        &mut database,
        &[ImportSource::Path(dir.path().to_path_buf())],
    );
    assert_eq!(report.counts.added, 1);
    assert!(
        report
            .skipped
            .iter()
            .any(|s| s.reason.contains("not followed"))
    );
}

#[test]
fn a_missing_source_is_an_error_that_says_what_to_give() {
    let mut database = Database::open_in_memory().unwrap();
    let error = database
        .import(
            &[ImportSource::Path("/nonexistent/osv".into())],
            &ImportOptions::default(),
            now(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(error.to_string().contains("zip"), "{error}");
}

#[test]
fn read_only_open_of_a_missing_database_says_how_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let error = Database::open_read_only(dir.path()).unwrap_err();
    assert!(matches!(error, DbError::Missing { .. }));
    assert!(error.to_string().contains("shipgate db import"));
}

#[test]
fn a_database_of_another_layout_version_asks_for_a_re_import() {
    let dir = tempfile::tempdir().unwrap();
    drop(Database::open(dir.path()).unwrap());
    let connection = rusqlite::Connection::open(dir.path().join(DB_FILE_NAME)).unwrap();
    connection
        .execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    drop(connection);
    for error in [
        Database::open(dir.path()).unwrap_err(),
        Database::open_read_only(dir.path()).unwrap_err(),
    ] {
        assert!(
            matches!(error, DbError::SchemaMismatch { found: 99, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("import again"));
    }
}

#[test]
fn a_truncated_or_foreign_file_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let mut database = Database::open(dir.path()).unwrap();
    import(&mut database, &[ImportSource::Path(fixtures())]);
    drop(database);
    let path = dir.path().join(DB_FILE_NAME);
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let error = Database::open_read_only(dir.path()).unwrap_err();
    assert!(matches!(error, DbError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("delete it"));
    fs::write(&path, b"this is not a database at all, just some text that is long enough to pass the header length check of one hundred bytes").unwrap();
    assert!(matches!(
        Database::open(dir.path()).unwrap_err(),
        DbError::Corrupt { .. }
    ));
}

#[test]
fn status_age_and_staleness_follow_the_last_import() {
    let mut database = Database::open_in_memory().unwrap();
    let status = database.status().unwrap();
    assert!(status.age(now()).is_none());
    assert!(status.is_older_than(now(), 7));
    import(
        &mut database,
        &[ImportSource::Path(fixtures().join("limit.json"))],
    );
    let status = database.status().unwrap();
    let later: jiff::Timestamp = "2024-06-09T12:00:00Z".parse().unwrap();
    assert_eq!(status.age(later).unwrap().as_hours(), 8 * 24);
    assert!(status.is_older_than(later, 7));
    assert!(!status.is_older_than(later, 8));
    assert_eq!(
        status.last_import.unwrap().sources,
        [fixtures().join("limit.json").display().to_string()]
    );
}
