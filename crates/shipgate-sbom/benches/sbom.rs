//! SBOM generation for a synthetic 5,000-package inventory with edges,
//! licences and hashes in both formats.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;
use shipgate_deps::{
    Ecosystem, Hash, HashAlgorithm, Inventory, Lockfile, LockfileKind, Package, Relation,
    RootComponent, Scope,
};
use shipgate_model::Severity;
use shipgate_sbom::{RatingMethod, SbomOptions, SbomVulnerability, cyclonedx, spdx};

const PACKAGES: usize = 5_000;
const LICENSES: [&str; 5] = [
    "MIT",
    "Apache-2.0",
    "MIT OR Apache-2.0",
    "ISC",
    "BSD-3-Clause",
];

/// Five npm-style lockfiles of 1,000 packages; every package depends on
/// up to three later ones, a tenth are direct, an eighth development-only.
fn inventory() -> Inventory {
    let per_lockfile = PACKAGES / 5;
    let lockfiles = (0..5)
        .map(|file| {
            let packages = (0..per_lockfile)
                .map(|index| {
                    let serial = file * per_lockfile + index;
                    let mut package = Package::new(
                        Ecosystem::Npm,
                        if serial.is_multiple_of(7) {
                            format!("@scope{}/package-{serial}", serial % 13)
                        } else {
                            format!("package-{serial}")
                        },
                        format!("{}.{}.{}", serial % 5, serial % 11, serial % 3),
                    );
                    package.relation = if index.is_multiple_of(10) {
                        Relation::Direct
                    } else {
                        Relation::Transitive
                    };
                    package.scope = if index.is_multiple_of(8) {
                        Scope::Development
                    } else {
                        Scope::Runtime
                    };
                    package.dependencies = (1..=3)
                        .map(|step| index + step * 17)
                        .filter(|&target| target < per_lockfile)
                        .collect();
                    package.licenses = vec![LICENSES[serial % LICENSES.len()].to_owned()];
                    package.hashes = vec![Hash {
                        algorithm: HashAlgorithm::Sha512,
                        value: format!("{serial:0128x}"),
                    }];
                    package.line = (index as u32 + 1) * 6;
                    package
                })
                .collect();
            Lockfile {
                path: format!("app{file}/package-lock.json"),
                kind: LockfileKind::NpmLock,
                root: Some(RootComponent {
                    name: format!("app{file}"),
                    version: Some("1.0.0".into()),
                    ecosystem: Ecosystem::Npm,
                }),
                packages,
                warnings: Vec::new(),
            }
        })
        .collect();
    Inventory {
        lockfiles,
        errors: Vec::new(),
    }
}

fn vulnerabilities() -> Vec<SbomVulnerability> {
    (0..50)
        .map(|index| SbomVulnerability {
            id: format!("GHSA-bench-{index:04}"),
            aliases: vec![format!("CVE-2024-{index:05}")],
            summary: "Synthetic advisory".into(),
            details: None,
            severity: Severity::High,
            score: Some(7.5),
            vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H".into()),
            method: RatingMethod::CvssV31,
            source_name: "OSV".into(),
            source_url: Some(format!(
                "https://osv.dev/vulnerability/GHSA-bench-{index:04}"
            )),
            affected_purls: vec![format!("pkg:npm/package-{}@1.1.1", index * 97)],
            fixed_versions: vec!["9.9.9".into()],
            published: None,
            updated: None,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let inventory = inventory();
    let vulnerabilities = vulnerabilities();
    let options = SbomOptions::new(Timestamp::UNIX_EPOCH, "0.1.0", "bench");
    let mut group = c.benchmark_group("sbom_5000_packages");
    group.throughput(Throughput::Elements(PACKAGES as u64));
    group.bench_function("cyclonedx", |b| {
        b.iter(|| cyclonedx(&inventory, &vulnerabilities, &options).expect("BOM is written"))
    });
    group.bench_function("spdx", |b| {
        b.iter(|| spdx(&inventory, &options).expect("SPDX document is written"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
