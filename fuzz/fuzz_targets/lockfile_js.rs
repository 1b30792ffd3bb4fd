//! Arbitrary bytes as every Rust and JavaScript lockfile at once, each with
//! a plausible manifest beside it: reading must never panic, and every
//! package and warning line must be inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_deps::{FileSet, Inventory};

const LOCKFILES: &[(&str, &str, &[u8])] = &[
    ("rust/Cargo.lock", "rust/Cargo.toml", b"[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dev-dependencies]\nx = \"1\"\n"),
    ("npm/package-lock.json", "npm/package.json", MANIFEST),
    ("shrink/npm-shrinkwrap.json", "shrink/package.json", MANIFEST),
    ("yarn/yarn.lock", "yarn/package.json", MANIFEST),
    ("pnpm/pnpm-lock.yaml", "pnpm/package.json", MANIFEST),
    ("bun/bun.lock", "bun/package.json", MANIFEST),
];

const MANIFEST: &[u8] = br#"{"name":"app","version":"1.0.0","dependencies":{"a":"^1"},"devDependencies":{"b":"^2"}}"#;

fuzz_target!(|data: &[u8]| {
    let mut files = FileSet::new();
    for (lockfile, manifest, content) in LOCKFILES {
        files.insert(*lockfile, data.to_vec());
        files.insert(*manifest, content.to_vec());
    }
    let inventory = Inventory::build(&files);
    let lines = u32::try_from(data.split(|&b| b == b'\n').count()).unwrap_or(u32::MAX);
    for lockfile in &inventory.lockfiles {
        for package in &lockfile.packages {
            assert!(package.line <= lines, "{} line {}", lockfile.path, package.line);
            assert!(package.dependencies.iter().all(|&d| d < lockfile.packages.len()));
        }
        for warning in &lockfile.warnings {
            assert!(warning.line.is_none_or(|line| line <= lines));
        }
    }
});
