//! Arbitrary bytes as every kind of CI file at once: loading the YAML and
//! running every audit (GitHub, GitLab and trust policies) must never panic,
//! and every finding must point inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_ci::repo::{FileKind, Repo, RepoFile};
use shipgate_ci::{CiScanner, Settings};
use shipgate_model::Persona;

const PATHS: &[&str] = &[
    ".github/workflows/ci.yml",
    ".github/actions/local/action.yml",
    ".github/dependabot.yml",
    ".gitlab-ci.yml",
    "ci/included.yml",
    "infra/main.tf",
];

fuzz_target!(|data: &[u8]| {
    let mut repo = Repo::new();
    for path in PATHS {
        if let Some(kind) = FileKind::of(path) {
            repo.insert(RepoFile::new((*path).to_owned(), kind, data));
        }
    }
    let settings = Settings {
        persona: Persona::Auditor,
        ..Settings::default()
    };
    let scanner = CiScanner::new(settings);
    for file in scanner.audit(&repo) {
        let len = repo.get(&file.path).map_or(0, |f| f.lossy_text().len());
        for finding in &file.findings {
            assert!(finding.span.start <= finding.span.end && finding.span.end <= len);
        }
    }
});
