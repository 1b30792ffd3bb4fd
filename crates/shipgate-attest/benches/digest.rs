//! Throughput of artifact digesting: SHA-256 alone and SHA-256 + SHA-512
//! overlapped on two threads, over 256 MiB held in memory.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipgate_attest::digest::digest_reader;

const INPUT_LEN: usize = 256 << 20;

fn digest_throughput(criterion: &mut Criterion) {
    let input: Vec<u8> = (0..INPUT_LEN).map(|index| (index % 251) as u8).collect();
    let mut group = criterion.benchmark_group("digest_256mib");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(INPUT_LEN as u64));
    group.bench_function("sha256", |bench| {
        bench.iter(|| digest_reader(input.as_slice(), false))
    });
    group.bench_function("sha256_sha512", |bench| {
        bench.iter(|| digest_reader(input.as_slice(), true))
    });
    group.finish();
}

criterion_group!(benches, digest_throughput);
criterion_main!(benches);
