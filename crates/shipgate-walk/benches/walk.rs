//! Throughput of `scan_tree` with a trivial scanner over a generated tree.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipgate_model::{Finding, RuleMeta, Scanner, SourceFile};
use shipgate_walk::{NoProgress, WalkOptions, scan_tree};

/// Counts lines, so every byte is touched as a real scanner would.
struct LineCounter;

impl Scanner for LineCounter {
    fn name(&self) -> &'static str {
        "lines"
    }

    fn wants(&self, _path: &str) -> bool {
        true
    }

    fn scan(&self, file: &SourceFile<'_>, _findings: &mut Vec<Finding>) {
        std::hint::black_box(count_lines(file.content));
    }

    fn rules(&self) -> Vec<RuleMeta> {
        Vec::new()
    }
}

fn count_lines(content: &[u8]) -> usize {
    content.iter().filter(|&&b| b == b'\n').count()
}

/// 20 directories × 100 files × ~4 KiB.
fn generate(root: &Path) -> u64 {
    let line = "let value = compute(alpha, beta, gamma); // ordinary source text\n";
    let body = line.repeat(64);
    let mut bytes = 0;
    for dir in 0..20 {
        let dir_path = root.join(format!("module_{dir}"));
        std::fs::create_dir_all(&dir_path).expect("create bench dir");
        for file in 0..100 {
            std::fs::write(dir_path.join(format!("file_{file}.rs")), &body)
                .expect("write bench file");
            bytes += body.len() as u64;
        }
    }
    bytes
}

fn bench_scan_tree(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = generate(dir.path());
    let opts = WalkOptions::new(dir.path());
    let scanners: [&dyn Scanner; 1] = [&LineCounter];
    let mut group = c.benchmark_group("scan_tree");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("2000 files", |b| {
        b.iter(|| scan_tree(&opts, &scanners, &NoProgress).expect("scan"))
    });
    group.finish();
}

criterion_group!(benches, bench_scan_tree);
criterion_main!(benches);
