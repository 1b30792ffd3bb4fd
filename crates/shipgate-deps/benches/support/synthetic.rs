//! A synthetic OSV dump shaped like real ones: several advisories per
//! package, ranges with one or two introduced/fixed pairs, aliases, CVSS
//! vectors and references, spread over five ecosystems.

use std::io::Write;

use shipgate_deps::{Ecosystem, Package};

const ECOSYSTEMS: [(&str, Ecosystem); 5] = [
    ("npm", Ecosystem::Npm),
    ("PyPI", Ecosystem::PyPi),
    ("crates.io", Ecosystem::CratesIo),
    ("Go", Ecosystem::Go),
    ("Maven", Ecosystem::Maven),
];

/// Distinct package names in a dump of `advisories` advisories (five
/// advisories per package on average).
pub fn package_count(advisories: usize) -> usize {
    (advisories / 5).max(1)
}

fn name(index: usize) -> String {
    match ECOSYSTEMS[index % ECOSYSTEMS.len()].1 {
        Ecosystem::Maven => format!("org.synthetic.g{}:artifact-{index}", index % 97),
        Ecosystem::Go => format!("github.com/synthetic/module-{index}"),
        _ => format!("synthetic-package-{index}"),
    }
}

/// The JSON text of advisory number `index`.
pub fn advisory(index: usize, packages: usize) -> String {
    let package = (index * 7919) % packages;
    let (ecosystem, _) = ECOSYSTEMS[package % ECOSYSTEMS.len()];
    let major = index % 5;
    let second = if index.is_multiple_of(3) {
        format!(
            r#",{{"introduced":"{}.0.0"}},{{"fixed":"{}.2.{}"}}"#,
            major + 2,
            major + 2,
            index % 10
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"schema_version":"1.6.0","id":"SYN-{index:07}","modified":"2024-01-{day:02}T00:00:00Z","published":"2023-06-01T00:00:00Z","aliases":["CVE-2024-{index:07}"],"summary":"Synthetic advisory {index}","details":"A synthetic vulnerability used to measure import and matching speed. It has a few sentences of text like a real advisory would.","severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:L/A:N"}}],"affected":[{{"package":{{"ecosystem":"{ecosystem}","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"{major}.0.0"}},{{"fixed":"{major}.{minor}.{patch}"}}{second}]}}],"database_specific":{{"source":"synthetic"}}}}],"references":[{{"type":"ADVISORY","url":"https://example.invalid/SYN-{index:07}"}},{{"type":"WEB","url":"https://example.invalid/issues/{index}"}}],"database_specific":{{"severity":"HIGH"}}}}"#,
        day = index % 28 + 1,
        name = name(package),
        minor = index % 7 + 1,
        patch = index % 4,
    )
}

/// A zip archive of `advisories` synthetic records, like OSV's `all.zip`.
pub fn dump(advisories: usize) -> Vec<u8> {
    let packages = package_count(advisories);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for index in 0..advisories {
        writer
            .start_file(format!("SYN-{index:07}.json"), options)
            .expect("in-memory zip");
        writer
            .write_all(advisory(index, packages).as_bytes())
            .expect("in-memory zip");
    }
    writer.finish().expect("in-memory zip").into_inner()
}

/// An inventory of `count` packages: about a third named by advisories,
/// the rest unknown to the database, in assorted versions.
pub fn inventory(count: usize, advisories: usize) -> Vec<Package> {
    let packages = package_count(advisories);
    (0..count)
        .map(|index| {
            let ecosystem = ECOSYSTEMS[index % ECOSYSTEMS.len()].1;
            let version = format!("{}.{}.{}", index % 5, index % 9, index % 4);
            if index.is_multiple_of(3) {
                let package = (index * 31) % packages;
                let package = package - package % ECOSYSTEMS.len() + index % ECOSYSTEMS.len();
                Package::new(
                    ECOSYSTEMS[package % ECOSYSTEMS.len()].1,
                    name(package),
                    version,
                )
            } else {
                Package::new(ecosystem, format!("unadvised-{index}"), version)
            }
        })
        .collect()
}
