//! Version ordering per ecosystem, checked against ascending lists under
//! `tests/fixtures/versions/`: one rank per line, equal versions on a line
//! joined by ` = `. Every pair in a list is compared both ways, which also
//! checks that the order is transitive over the whole list.

use std::cmp::Ordering;
use std::path::Path;

use proptest::prelude::*;
use shipgate_deps::Ecosystem;
use shipgate_deps::version::{Version, compare};

/// The ranks of a fixture file, each a list of equal versions.
fn ranks(file: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/versions")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split(" = ").map(str::to_owned).collect())
        .collect()
}

/// Parses every version of `file` with `parse` and checks that the order
/// of any two is the order of their ranks, in both directions.
fn check_order(file: &str, label: &str, parse: impl Fn(&str) -> Result<Version, String>) {
    let parsed: Vec<(usize, Version)> = ranks(file)
        .iter()
        .enumerate()
        .flat_map(|(rank, versions)| versions.iter().map(move |text| (rank, text)))
        .map(|(rank, text)| {
            let version = parse(text).unwrap_or_else(|error| panic!("{label}: {error}"));
            assert_eq!(version.as_str(), text);
            (rank, version)
        })
        .collect();
    assert!(parsed.len() > 10, "{file} has too few versions");
    for (rank_a, a) in &parsed {
        for (rank_b, b) in &parsed {
            let expected = rank_a.cmp(rank_b);
            assert_eq!(
                a.cmp(b),
                expected,
                "{label}: `{}` vs `{}`",
                a.as_str(),
                b.as_str()
            );
            assert_eq!(a == b, expected == Ordering::Equal);
        }
    }
}

fn check_ecosystem(file: &str, ecosystem: Ecosystem) {
    check_order(file, ecosystem.osv_name(), |text| {
        Version::parse(ecosystem, text).map_err(|error| error.to_string())
    });
}

#[test]
fn semver_ecosystems_follow_semver_precedence() {
    for ecosystem in [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::Hex,
        Ecosystem::Pub,
        Ecosystem::GitHubActions,
        Ecosystem::Go,
    ] {
        check_ecosystem("semver.txt", ecosystem);
    }
    check_order("semver.txt", "SEMVER", |text| {
        Version::parse_semver(text).map_err(|error| error.to_string())
    });
}

#[test]
fn go_pseudo_versions_are_pre_releases() {
    check_ecosystem("go.txt", Ecosystem::Go);
}

#[test]
fn pypi_follows_pep_440() {
    check_ecosystem("pypi.txt", Ecosystem::PyPi);
}

#[test]
fn maven_follows_comparable_version() {
    check_ecosystem("maven.txt", Ecosystem::Maven);
}

#[test]
fn rubygems_follows_gem_version() {
    check_ecosystem("rubygems.txt", Ecosystem::RubyGems);
}

#[test]
fn nuget_follows_nuget_versioning() {
    check_ecosystem("nuget.txt", Ecosystem::NuGet);
}

#[test]
fn packagist_follows_composer() {
    check_ecosystem("packagist.txt", Ecosystem::Packagist);
}

#[test]
fn debian_follows_dpkg() {
    check_ecosystem("debian.txt", Ecosystem::Debian);
}

#[test]
fn alpine_follows_apk_tools() {
    check_ecosystem("alpine.txt", Ecosystem::Alpine);
}

#[test]
fn garbage_is_an_error_in_every_scheme() {
    let cases: &[(Ecosystem, &[&str])] = &[
        (
            Ecosystem::Npm,
            &[
                "",
                " ",
                "v",
                "1.x",
                "1..2",
                "1.0.0-",
                "1.0.0-a..b",
                "1.0.0+",
                "1.0.0+a+b",
                "latest",
                "1.0.0-a_b",
                ">=1.0",
            ],
        ),
        (Ecosystem::Go, &["master", "v1.2.3-", "vv1.0.0"]),
        (
            Ecosystem::PyPi,
            &["", "1.0-foo", "1.0+", "a1.0", "1.0.0.a.b", "1!"],
        ),
        (Ecosystem::Maven, &["", "   "]),
        (
            Ecosystem::RubyGems,
            &["", "a", "1..0", "1.0-", "1.0_1", ".1", "1.0 2", "1.0-a..b"],
        ),
        (
            Ecosystem::NuGet,
            &["", "1.0.0.0.0", "a.b", "1.0-", "1..0", "1.0.0+", "v1.0"],
        ),
        (Ecosystem::Packagist, &["", "dev-master", "v", "beta"]),
        (
            Ecosystem::Debian,
            &[
                "", "a1.0", "1:", ":1.0", "x:1.0", "1.0-", "1.0 beta", "1.0-a_b",
            ],
        ),
        (
            Ecosystem::Alpine,
            &[
                "",
                "a1",
                "1.0-1",
                "1.0_foo",
                "1.0ab",
                "1.0A",
                "1.0-r1.2",
                "1.0_rc1.2",
            ],
        ),
    ];
    for (ecosystem, texts) in cases {
        for text in *texts {
            let error = Version::parse(*ecosystem, text).expect_err(text);
            assert_eq!(error.text, *text);
            assert!(!error.reason.is_empty());
        }
    }
}

#[test]
fn compare_reports_the_unreadable_side() {
    assert_eq!(
        compare(Ecosystem::Maven, "1.0", "1.0.0"),
        Ok(Ordering::Equal)
    );
    assert_eq!(
        compare(Ecosystem::PyPi, "1.0rc1", "1.0"),
        Ok(Ordering::Less)
    );
    let error = compare(Ecosystem::Debian, "1.0", "nope").unwrap_err();
    assert_eq!(error.text, "nope");
    assert_eq!(error.scheme, "Debian");
}

#[test]
fn surrounding_whitespace_is_ignored_but_kept_in_the_text() {
    for ecosystem in Ecosystem::ALL {
        let padded = Version::parse(ecosystem, " 1.2.3 ").unwrap();
        let plain = Version::parse(ecosystem, "1.2.3").unwrap();
        assert_eq!(padded, plain, "{ecosystem}");
        assert_eq!(padded.as_str(), " 1.2.3 ");
    }
}

#[test]
fn zero_the_osv_lower_bound_reads_everywhere_and_sorts_first() {
    for ecosystem in Ecosystem::ALL {
        assert_eq!(
            compare(ecosystem, "0", "0.0.1"),
            Ok(Ordering::Less),
            "{ecosystem}"
        );
        assert_eq!(
            compare(ecosystem, "0", "1.0"),
            Ok(Ordering::Less),
            "{ecosystem}"
        );
    }
}

#[test]
fn deeply_nested_maven_versions_are_refused_not_recursed() {
    let deep = "1-".repeat(10_000);
    assert!(Version::parse(Ecosystem::Maven, &deep).is_err());
    let fine = "1-".repeat(20);
    assert!(Version::parse(Ecosystem::Maven, &fine).is_ok());
}

#[test]
fn long_numbers_compare_exactly_everywhere() {
    let small = "1.99999999999999999999999999998";
    let large = "1.99999999999999999999999999999";
    for ecosystem in Ecosystem::ALL {
        if ecosystem == Ecosystem::PyPi {
            continue;
        }
        assert_eq!(
            compare(ecosystem, small, large),
            Ok(Ordering::Less),
            "{ecosystem}"
        );
    }
}

/// Strings made mostly of the characters versions are made of, so that
/// many of them parse.
fn version_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9vV.+~:_rRa-eA-E-]{0,12}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-_.~+]?(alpha|beta|rc|pre|p|sp|dev|post|a|b|r)[0-9]{0,2}){0,2}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn comparison_is_antisymmetric_and_never_panics(a in version_like(), b in version_like()) {
        for ecosystem in Ecosystem::ALL {
            let forward = compare(ecosystem, &a, &b);
            let backward = compare(ecosystem, &b, &a);
            if let (Ok(forward), Ok(backward)) = (forward, backward) {
                prop_assert_eq!(forward, backward.reverse(), "{} `{}` `{}`", ecosystem, a, b);
            }
            if let Ok(version) = Version::parse(ecosystem, &a) {
                prop_assert_eq!(version.cmp(&version), Ordering::Equal);
            }
        }
    }

    #[test]
    fn comparison_is_transitive(
        a in version_like(),
        b in version_like(),
        c in version_like(),
    ) {
        for ecosystem in Ecosystem::ALL {
            let parsed: Vec<Version> = [&a, &b, &c]
                .into_iter()
                .filter_map(|text| Version::parse(ecosystem, text).ok())
                .collect();
            if let [x, y, z] = parsed.as_slice()
                && x <= y
                && y <= z
            {
                prop_assert!(x <= z, "{} `{}` `{}` `{}`", ecosystem, a, b, c);
            }
        }
    }
}
