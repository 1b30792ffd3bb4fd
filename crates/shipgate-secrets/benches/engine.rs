//! Throughput of the secret scanner over real source code.
//!
//! The input is Rust source from the local cargo registry (the crates this
//! workspace depends on), scanned file by file as the walk hands it over,
//! with a few credentials planted so the reporting path runs too.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use shipgate_model::{Scanner, SourceFile};
use shipgate_secrets::{SecretScanner, SecretsOptions};

/// Stop collecting source once this many bytes are read.
const INPUT_BYTES: usize = 32 << 20;

const PLANTED: &[&str] = &[
    "const GITHUB_TOKEN: &str = \"ghp_R8x2kQ9vLm3ZpT7wYc1Hd5NfA0sUeJ4bGi6o\";\n",
    "aws_access_key_id = AKIAQ3ZK7WJ2MXR5TB4N\naws_secret_access_key = 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\n",
    "STRIPE_KEY=sk_live_51HcQ2kLmZp9TvW8yRx3Nf5Ds0Ue4JbGi6oA2qk9Qz3mXv\n",
    "slack_webhook = \"https://hooks.slack.com/services/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\"\n",
];

fn registry_sources() -> Vec<PathBuf> {
    let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
    else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut stack = vec![home.join("registry").join("src")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `(path, content)` pairs totalling about [`INPUT_BYTES`].
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut total = 0;
    let mut corpus = Vec::new();
    for (n, path) in registry_sources().into_iter().enumerate() {
        let Ok(mut content) = std::fs::read(&path) else {
            continue;
        };
        if n % 97 == 0 {
            content.extend_from_slice(PLANTED[n % PLANTED.len()].as_bytes());
        }
        total += content.len();
        corpus.push((path.display().to_string(), content));
        if total >= INPUT_BYTES {
            break;
        }
    }
    assert!(total > 0, "no Rust sources found under the cargo registry");
    corpus
}

fn scan_corpus(c: &mut Criterion) {
    let scanner = SecretScanner::builtin(SecretsOptions::default()).expect("built-in rules");
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(|(_, content)| content.len()).sum();
    let mut group = c.benchmark_group("secrets");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("registry_sources", |b| {
        b.iter(|| {
            let mut findings = Vec::new();
            for (path, content) in &corpus {
                scanner.scan(&SourceFile { path, content }, &mut findings);
            }
            findings.len()
        })
    });
    group.finish();
}

fn build_scanner(c: &mut Criterion) {
    let mut group = c.benchmark_group("secrets");
    group.sample_size(10);
    group.bench_function("build_builtin_scanner", |b| {
        b.iter(|| SecretScanner::builtin(SecretsOptions::default()).map(|s| s.rule_count()))
    });
    group.finish();
}

criterion_group!(benches, scan_corpus, build_scanner);
criterion_main!(benches);
