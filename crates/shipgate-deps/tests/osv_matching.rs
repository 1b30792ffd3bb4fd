//! Matching packages against imported advisories, per the OSV evaluation
//! rules.

mod osv_support;

use osv_support::import_fixtures;
use shipgate_deps::osv::{Database, MatchReport, fixing_upgrade};
use shipgate_deps::{Ecosystem, Package, PackageSource};

fn matched(database: &Database, ecosystem: Ecosystem, name: &str, version: &str) -> Vec<String> {
    let package = Package::new(ecosystem, name, version);
    let report = database.match_packages(&[&package]).unwrap();
    report
        .matches
        .iter()
        .flat_map(|m| m.advisories.iter().map(|a| a.advisory.id.clone()))
        .collect()
}

fn affected(database: &Database, ecosystem: Ecosystem, name: &str, version: &str) -> bool {
    !matched(database, ecosystem, name, version).is_empty()
}

#[test]
fn multiple_introduced_fixed_pairs_in_one_range() {
    let db = import_fixtures();
    let cases = [
        ("0.9.9", false),
        ("1.0.0", true),
        ("1.4.1", true),
        ("1.4.2", false),
        ("1.9.0", false),
        ("2.0.0", true),
        ("2.0.9", true),
        ("2.1.0", false),
        ("3.0.0", false),
    ];
    for (version, expected) in cases {
        assert_eq!(
            affected(&db, Ecosystem::Npm, "twoline", version),
            expected,
            "{version}"
        );
    }
}

#[test]
fn fixed_versions_of_the_matching_range_are_reported() {
    let db = import_fixtures();
    let package = Package::new(Ecosystem::Npm, "twoline", "1.2.0");
    let report = db.match_packages(&[&package]).unwrap();
    let found = &report.matches[0].advisories[0];
    assert_eq!(found.fixed, ["1.4.2", "2.1.0"]);
    let later = Package::new(Ecosystem::Npm, "twoline", "2.0.1");
    let report = db.match_packages(&[&later]).unwrap();
    assert_eq!(report.matches[0].advisories[0].fixed, ["2.1.0"]);
}

#[test]
fn last_affected_is_inclusive_and_pypi_names_are_normalized() {
    let db = import_fixtures();
    for name in [
        "last-affected-pkg",
        "Last_Affected.Pkg",
        "LAST__affected--pkg",
    ] {
        assert!(affected(&db, Ecosystem::PyPi, name, "3.2.0"), "{name}");
    }
    assert!(affected(&db, Ecosystem::PyPi, "last-affected-pkg", "0.1"));
    assert!(!affected(
        &db,
        Ecosystem::PyPi,
        "last-affected-pkg",
        "3.2.1"
    ));
    let package = Package::new(Ecosystem::PyPi, "last-affected-pkg", "3.0");
    let report = db.match_packages(&[&package]).unwrap();
    assert!(report.matches[0].advisories[0].fixed.is_empty());
}

#[test]
fn limit_is_exclusive() {
    let db = import_fixtures();
    assert!(!affected(&db, Ecosystem::CratesIo, "limited", "0.4.9"));
    assert!(affected(&db, Ecosystem::CratesIo, "limited", "0.5.0"));
    assert!(affected(&db, Ecosystem::CratesIo, "limited", "0.8.9"));
    assert!(!affected(&db, Ecosystem::CratesIo, "limited", "0.9.0"));
}

#[test]
fn versions_lists_match_exactly() {
    let db = import_fixtures();
    assert!(affected(&db, Ecosystem::PyPi, "listed-only", "1.1"));
    assert!(affected(&db, Ecosystem::PyPi, "Listed_Only", "2.0rc1"));
    assert!(!affected(&db, Ecosystem::PyPi, "listed-only", "1.2"));
}

#[test]
fn maven_npm_scopes_and_go_module_paths_are_exact_names() {
    let db = import_fixtures();
    let maven = "org.example.logging:example-core";
    assert!(affected(&db, Ecosystem::Maven, maven, "2.14.1"));
    assert!(!affected(&db, Ecosystem::Maven, maven, "2.15.0"));
    assert!(!affected(
        &db,
        Ecosystem::Maven,
        "org.example.logging:example-api",
        "2.14.1"
    ));
    assert!(affected(&db, Ecosystem::Npm, "@example/scoped", "3.0.0"));
    assert!(!affected(&db, Ecosystem::Npm, "scoped", "3.0.0"));
    assert!(!affected(&db, Ecosystem::Npm, "@other/scoped", "3.0.0"));
    assert!(affected(
        &db,
        Ecosystem::Go,
        "github.com/Example/GoMod",
        "v1.7.2"
    ));
    assert!(!affected(
        &db,
        Ecosystem::Go,
        "github.com/Example/GoMod",
        "v1.7.3"
    ));
    assert!(!affected(
        &db,
        Ecosystem::Go,
        "github.com/example/gomod",
        "v1.7.2"
    ));
}

#[test]
fn debian_advisories_match_by_base_ecosystem() {
    let db = import_fixtures();
    let advisories = db.lookup(Ecosystem::Debian, "libfoo").unwrap();
    assert_eq!(advisories[0].affected.len(), 2);
}

#[test]
fn git_ranges_match_only_named_commits_and_listed_versions() {
    let db = import_fixtures();
    assert!(affected(&db, Ecosystem::CratesIo, "gitonly", "0.3.0"));
    assert!(affected(
        &db,
        Ecosystem::CratesIo,
        "gitonly",
        "0123456789abcdef0123456789abcdef01234567"
    ));
    assert!(!affected(
        &db,
        Ecosystem::CratesIo,
        "gitonly",
        "fedcba9876543210fedcba9876543210fedcba98"
    ));
    assert!(!affected(&db, Ecosystem::CratesIo, "gitonly", "0.3.1"));
}

#[test]
fn malicious_packages_are_critical_and_withdrawn_ones_never_match() {
    let db = import_fixtures();
    let found = db.lookup(Ecosystem::Npm, "evil-pkg").unwrap();
    assert_eq!(
        found[0].severity.severity,
        shipgate_model::Severity::Critical
    );
    // The withdrawn GHSA-aaaa-0005-0005 named every twoline version.
    assert_eq!(
        matched(&db, Ecosystem::Npm, "twoline", "5.0.0"),
        Vec::<String>::new()
    );
}

#[test]
fn packages_not_from_a_registry_are_not_matched() {
    let db = import_fixtures();
    let mut git = Package::new(Ecosystem::Npm, "twoline", "1.0.0");
    git.source = PackageSource::Git {
        url: "https://example.invalid/twoline.git".into(),
        rev: None,
    };
    let mut path = Package::new(Ecosystem::Npm, "twoline", "1.0.0");
    path.source = PackageSource::Path {
        path: "../twoline".into(),
    };
    let registry = Package::new(Ecosystem::Npm, "twoline", "1.0.0");
    let report = db.match_packages(&[&git, &path, &registry]).unwrap();
    assert_eq!(report.not_from_registry, 2);
    assert_eq!(report.matches.len(), 1);
    assert_eq!(report.matches[0].package, 2);
}

#[test]
fn unparsable_versions_skip_the_range_with_a_warning_and_never_match() {
    let db = import_fixtures();
    let package = Package::new(Ecosystem::Npm, "twoline", "not-a-version");
    let MatchReport {
        matches, warnings, ..
    } = db.match_packages(&[&package]).unwrap();
    assert!(matches.is_empty());
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].advisory, "GHSA-aaaa-0001-0001");
    assert!(warnings[0].message.contains("range skipped"));
}

#[test]
fn rustsec_semver_ranges_match_exactly() {
    let db = import_fixtures();
    let cases = [
        ("framecodec", "0.1.0", true),
        ("framecodec", "0.8.3", true),
        ("framecodec", "0.8.4", false),
        ("framecodec", "0.8.9", false),
        ("framecodec", "0.9.0", true),
        ("framecodec", "0.9.1", true),
        ("framecodec", "0.9.2", false),
        ("framecodec", "1.0.0", false),
        ("sendcell", "0.1.9", false),
        ("sendcell", "0.2.0", true),
        ("sendcell", "0.9.9", true),
        ("sendcell", "1.0.0", false),
        ("oldcrate", "0.0.1", true),
        ("oldcrate", "9.9.9", true),
        ("tinyparse", "0.3.6", true),
        ("tinyparse", "0.3.7", false),
        ("tinyparse", "0.4.1", true),
        ("tinyparse", "0.4.2", false),
        ("tinyparse", "0.5.0", false),
        ("ctcompare", "0.9.0", false),
        ("ctcompare", "1.2.2", true),
        ("ctcompare", "1.2.3", false),
        ("racy", "2.0.4", true),
        ("racy", "2.0.5", false),
        ("racy", "1.9.0", false),
    ];
    for (name, version, expected) in cases {
        assert_eq!(
            affected(&db, Ecosystem::CratesIo, name, version),
            expected,
            "{name} {version}"
        );
    }
    let severity = &db.lookup(Ecosystem::CratesIo, "ctcompare").unwrap()[0].severity;
    assert_eq!(severity.score, Some(3.7));
}

#[test]
fn one_name_in_several_versions_is_looked_up_once_and_matched_per_version() {
    let db = import_fixtures();
    let old = Package::new(Ecosystem::CratesIo, "framecodec", "0.8.0");
    let new = Package::new(Ecosystem::CratesIo, "framecodec", "0.9.5");
    let report = db.match_packages(&[&old, &new]).unwrap();
    assert_eq!(report.matches.len(), 1);
    assert_eq!(report.matches[0].package, 0);
    assert_eq!(report.matches[0].advisories[0].fixed, ["0.8.4", "0.9.2"]);
}

#[test]
fn the_fixing_upgrade_is_the_smallest_fix_clear_of_every_advisory() {
    let db = import_fixtures();
    let advisories = db.lookup(Ecosystem::CratesIo, "framecodec").unwrap();
    let refs: Vec<_> = advisories.iter().collect();
    assert_eq!(
        fixing_upgrade(Ecosystem::CratesIo, "0.8.0", &refs).as_deref(),
        Some("0.8.4")
    );
    assert_eq!(
        fixing_upgrade(Ecosystem::CratesIo, "0.9.0", &refs).as_deref(),
        Some("0.9.2")
    );
    assert_eq!(fixing_upgrade(Ecosystem::CratesIo, "1.0.0", &refs), None);
    let npm = db.lookup(Ecosystem::Npm, "twoline").unwrap();
    assert_eq!(
        fixing_upgrade(Ecosystem::Npm, "1.0.0", &npm.iter().collect::<Vec<_>>()).as_deref(),
        Some("1.4.2")
    );
    let only_last = db.lookup(Ecosystem::PyPi, "last-affected-pkg").unwrap();
    assert_eq!(
        fixing_upgrade(
            Ecosystem::PyPi,
            "1.0",
            &only_last.iter().collect::<Vec<_>>()
        ),
        None
    );
}

#[test]
fn a_fix_still_inside_another_advisory_is_not_offered() {
    let mut db = Database::open_in_memory().unwrap();
    let first = osv_support::record(
        "GHSA-f-1",
        "2024-01-01T00:00:00Z",
        "npm",
        "layered",
        "1.1.0",
    );
    let second = br#"{"id":"GHSA-f-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"layered"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.5"},{"fixed":"1.3.0"}]}]}]}"#;
    osv_support::import(
        &mut db,
        &[
            shipgate_deps::osv::ImportSource::Bytes {
                name: "1.json".into(),
                bytes: first,
            },
            shipgate_deps::osv::ImportSource::Bytes {
                name: "2.json".into(),
                bytes: second.to_vec(),
            },
        ],
    );
    let advisories = db.lookup(Ecosystem::Npm, "layered").unwrap();
    let refs: Vec<_> = advisories.iter().collect();
    assert_eq!(
        fixing_upgrade(Ecosystem::Npm, "1.0.6", &refs).as_deref(),
        Some("1.3.0")
    );
}
