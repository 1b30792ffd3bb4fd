//! OSV database speed: importing a synthetic dump, and matching a
//! 5,000-package inventory against an index of 50,000 advisories.

#[path = "support/synthetic.rs"]
mod synthetic;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use shipgate_deps::osv::{Database, ImportOptions, ImportSource};

fn import(dump: &[u8]) -> Database {
    let mut database = Database::open_in_memory().expect("in-memory database");
    database
        .import(
            &[ImportSource::Bytes {
                name: "all.zip".to_owned(),
                bytes: dump.to_vec(),
            }],
            &ImportOptions::default(),
            Timestamp::UNIX_EPOCH,
            &mut |_| {},
        )
        .expect("synthetic dump imports");
    database
}

fn bench_import(c: &mut Criterion) {
    let dump = synthetic::dump(10_000);
    let mut group = c.benchmark_group("osv");
    group.sample_size(10);
    group.bench_function("import 10k advisories", |b| b.iter(|| import(&dump)));
    group.finish();
}

fn bench_matching(c: &mut Criterion) {
    let advisories = 50_000;
    let database = import(&synthetic::dump(advisories));
    let inventory = synthetic::inventory(5_000, advisories);
    let packages: Vec<_> = inventory.iter().collect();
    let mut group = c.benchmark_group("osv");
    group.sample_size(10);
    group.bench_function("match 5k packages", |b| {
        b.iter(|| database.match_packages(&packages).expect("matching"))
    });
    group.finish();
}

criterion_group!(benches, bench_import, bench_matching);
criterion_main!(benches);
