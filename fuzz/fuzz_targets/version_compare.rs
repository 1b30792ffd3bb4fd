//! Two arbitrary strings read as versions of every ecosystem: parsing and
//! comparing must never panic, and the order must be antisymmetric,
//! reflexive and agree with equality.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use shipgate_deps::Ecosystem;
use shipgate_deps::version::Version;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line is one version, the rest the other.
    let (a, b) = text.split_once('\n').unwrap_or((&text, ""));
    let semver = [Version::parse_semver(a), Version::parse_semver(b)];
    let mut pairs = vec![semver];
    for ecosystem in Ecosystem::ALL {
        pairs.push([Version::parse(ecosystem, a), Version::parse(ecosystem, b)]);
    }
    for pair in pairs {
        let [Ok(x), Ok(y)] = pair else { continue };
        assert_eq!(x.cmp(&x), Ordering::Equal);
        assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "`{a}` `{b}`");
        assert_eq!(x == y, x.cmp(&y) == Ordering::Equal);
    }
});
