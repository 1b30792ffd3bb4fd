//! CI/CD configuration audits: GitHub Actions workflows, actions and
//! Dependabot configuration, and GitLab CI pipelines.
//!
//! The walk hands every YAML (and trust-policy) file to [`CiScanner`], which
//! only stores it. When the walk is over, [`Scanner::finish`] parses what is
//! needed once and runs the audits with the whole repository in view, so a
//! workflow's local actions and reusable workflows, and a pipeline's local
//! includes, are followed.

pub mod audit;
pub mod credentials;
pub mod expr;
pub mod fix;
pub mod github;
pub mod gitlab;
pub mod repo;
pub mod settings;
pub mod shell;
pub mod trust;
pub mod yaml;

mod files;
mod ignores;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use shipgate_model::{Finding, LineIndex, Persona, RuleMeta, Scanner, SourceFile, suppress};

use audit::{CiFinding, Sink};
use github::GithubAudit;
use gitlab::GitlabAudit;
use repo::{FileKind, Repo, RepoFile};
pub use settings::Settings;

/// The findings of one file, before they become model findings.
#[derive(Debug)]
pub struct FileFindings {
    /// Path of the file the spans refer to.
    pub path: String,
    /// The findings, persona filter applied.
    pub findings: Vec<CiFinding>,
}

/// The CI scanner: `--scanners ci`.
pub struct CiScanner {
    settings: Settings,
    github: Vec<&'static dyn GithubAudit>,
    gitlab: Vec<&'static dyn GitlabAudit>,
    collected: Mutex<Repo>,
}

impl CiScanner {
    /// A scanner with every audit.
    pub fn new(settings: Settings) -> CiScanner {
        CiScanner {
            settings,
            github: github::audits::all(),
            gitlab: gitlab::audits::all(),
            collected: Mutex::new(Repo::new()),
        }
    }

    /// A scanner with only `github` audits, for testing the machinery
    /// around audits with audits made for the purpose.
    #[cfg(test)]
    pub(crate) fn with_github_audits(
        settings: Settings,
        github: Vec<&'static dyn GithubAudit>,
    ) -> CiScanner {
        CiScanner {
            settings,
            github,
            gitlab: Vec::new(),
            collected: Mutex::new(Repo::new()),
        }
    }

    /// Metadata of every rule the CI audits can report.
    pub fn rule_metas() -> Vec<RuleMeta> {
        let mut metas = vec![
            files::INVALID_YAML.rule_meta(),
            files::DUPLICATE_KEY.rule_meta(),
            ignores::UNUSED_IGNORE.rule_meta(),
        ];
        metas.extend(github::audits::all().iter().map(|a| a.meta().rule_meta()));
        metas.extend(gitlab::audits::all().iter().map(|a| a.meta().rule_meta()));
        metas.extend(trust::rule_metas());
        metas
    }

    /// Takes the files collected so far, leaving none.
    pub fn take_collected(&self) -> Repo {
        std::mem::take(
            &mut *self
                .collected
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Runs every audit over `repo`, in parallel, and returns the findings
    /// the configured persona sees, per file in path order.
    pub fn audit(&self, repo: &Repo) -> Vec<FileFindings> {
        let mut results = self.audit_every_persona(repo);
        for result in &mut results {
            result
                .findings
                .retain(|finding| finding.persona <= self.settings.persona);
        }
        results.retain(|r| !r.findings.is_empty());
        results
    }

    /// Like [`CiScanner::audit`] before the persona filter, so ignores of
    /// findings the persona hides do not count as unused.
    fn audit_every_persona(&self, repo: &Repo) -> Vec<FileFindings> {
        let files: Vec<&RepoFile> = repo
            .files()
            .filter(|f| {
                matches!(
                    f.kind,
                    FileKind::GithubWorkflow | FileKind::GithubAction | FileKind::Dependabot
                )
            })
            .collect();
        let mut results: Vec<FileFindings> = files
            .par_iter()
            .map(|file| FileFindings {
                path: file.path.clone(),
                findings: self.audit_github_file(repo, file),
            })
            .collect();
        results.extend(gitlab::audit_pipelines(&self.gitlab, &self.settings, repo));
        results.extend(trust::audit(repo));
        merge_by_path(results)
    }

    fn audit_github_file(&self, repo: &Repo, file: &RepoFile) -> Vec<CiFinding> {
        let mut sink = Sink::new();
        match file.document() {
            Err(error) => files::report_unparseable(file, &error, &mut sink),
            Ok(doc) => {
                files::report_issues(doc, &mut sink);
                github::audit_file(&self.github, &self.settings, repo, file, doc, &mut sink);
            }
        }
        sink.into_findings()
    }
}

/// One entry per path, in path order: several passes (per-file audits,
/// trust linkage) may report on the same file.
fn merge_by_path(results: Vec<FileFindings>) -> Vec<FileFindings> {
    let mut by_path: BTreeMap<String, Vec<CiFinding>> = BTreeMap::new();
    for result in results {
        by_path
            .entry(result.path)
            .or_default()
            .extend(result.findings);
    }
    by_path
        .into_iter()
        .map(|(path, findings)| FileFindings { path, findings })
        .collect()
}

impl Scanner for CiScanner {
    fn name(&self) -> &'static str {
        "ci"
    }

    fn wants(&self, path: &str) -> bool {
        FileKind::of(path).is_some()
    }

    fn scan(&self, file: &SourceFile<'_>, _findings: &mut Vec<Finding>) {
        let Some(kind) = FileKind::of(file.path) else {
            return;
        };
        if kind == FileKind::Json && !trust::may_hold_trust_policy(file.content) {
            return;
        }
        let collected = RepoFile::new(file.path.to_owned(), kind, file.content);
        self.collected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(collected);
    }

    fn rules(&self) -> Vec<RuleMeta> {
        CiScanner::rule_metas()
    }

    fn finish(&self, findings: &mut Vec<Finding>) -> u64 {
        let repo = self.take_collected();
        let mut by_path: BTreeMap<String, Vec<CiFinding>> = self
            .audit_every_persona(&repo)
            .into_iter()
            .map(|result| (result.path, result.findings))
            .collect();
        let check_ignores = self.settings.persona >= Persona::Pedantic;
        if check_ignores {
            for file in repo.files().filter(|f| f.kind.is_ci_configuration()) {
                by_path.entry(file.path.clone()).or_default();
            }
        }
        let ci_rules: BTreeSet<String> =
            CiScanner::rule_metas().into_iter().map(|r| r.id).collect();
        let mut suppressed = 0;
        for (path, file_findings) in by_path {
            let Some(text) = repo.get(&path).map(RepoFile::lossy_text) else {
                continue;
            };
            let lines = LineIndex::new(text.as_bytes());
            let place = |finding: &CiFinding| {
                (
                    finding.persona,
                    audit::to_model(finding, &path, text, &lines),
                )
            };
            let mut placed: Vec<(Persona, Finding)> = file_findings.iter().map(place).collect();
            if check_ignores {
                let every: Vec<&Finding> = placed.iter().map(|(_, f)| f).collect();
                let mut sink = Sink::new();
                ignores::report_unused(text, &every, |id| ci_rules.contains(id), &mut sink);
                placed.extend(sink.findings().iter().map(place));
            }
            let mut visible: Vec<Finding> = placed
                .into_iter()
                .filter(|(persona, _)| *persona <= self.settings.persona)
                .map(|(_, finding)| finding)
                .collect();
            suppressed += suppress::apply(text.as_bytes(), &mut visible);
            findings.extend(visible);
        }
        suppressed
    }
}
