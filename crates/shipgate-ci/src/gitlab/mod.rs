//! GitLab CI: the effective pipeline of each `.gitlab-ci.yml` and the
//! audits that run on it.

pub mod audits;
pub mod images;
pub mod pipeline;
pub mod script;
pub mod vars;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use rayon::prelude::*;

use crate::FileFindings;
use crate::audit::{AuditMeta, CiFinding, Sink};
use crate::files;
use crate::repo::{FileKind, Repo, RepoFile};
use crate::settings::Settings;
use pipeline::{Job, Located, Pipeline};

/// One GitLab audit. Each lives in its own module under [`audits`], whose
/// doc comment on its `audit_meta!` is the rule's documentation.
pub trait GitlabAudit: Sync {
    /// The rule this audit reports.
    fn meta(&self) -> &'static AuditMeta;

    /// Audits a whole pipeline; by default, each job in turn.
    fn pipeline(&self, cx: &AuditContext<'_>, pipeline: &Pipeline<'_>, out: &mut Findings) {
        for job in &pipeline.jobs {
            self.job(cx, pipeline, job, out);
        }
    }

    /// Audits one effective job.
    fn job(
        &self,
        cx: &AuditContext<'_>,
        pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        let _ = (cx, pipeline, job, out);
    }
}

/// What an audit may consult besides the pipeline.
pub struct AuditContext<'r> {
    /// User settings.
    pub settings: &'r Settings,
    /// Every collected file.
    pub repo: &'r Repo,
}

/// Findings of one pipeline, grouped by the file each one points into.
#[derive(Debug, Default)]
pub struct Findings {
    sinks: BTreeMap<String, Sink>,
}

impl Findings {
    /// The sink for the file at `path`.
    pub fn sink(&mut self, path: &str) -> &mut Sink {
        self.sinks.entry(path.to_owned()).or_default()
    }

    /// Reports `meta` at `span` inside the file of `at`, with `at`'s
    /// symbolic path.
    pub fn report(
        &mut self,
        meta: &'static AuditMeta,
        at: &Located<'_>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> &mut CiFinding {
        self.sink(at.path())
            .report(meta, span, at.symbolic.clone(), message)
    }

    /// Reports `meta` on the whole node `at`.
    pub fn report_node(
        &mut self,
        meta: &'static AuditMeta,
        at: &Located<'_>,
        message: impl Into<String>,
    ) -> &mut CiFinding {
        let span = at.node.span.clone();
        self.report(meta, at, span, message)
    }
}

/// Builds and audits every pipeline in `repo`, in parallel, and returns the
/// findings per file in path order. A file shared by several pipelines
/// reports each finding once.
pub fn audit_pipelines(
    audits: &[&dyn GitlabAudit],
    settings: &Settings,
    repo: &Repo,
) -> Vec<FileFindings> {
    let roots: Vec<&RepoFile> = repo.of_kind(FileKind::GitlabPipeline).collect();
    let per_pipeline: Vec<Findings> = roots
        .par_iter()
        .map(|root| audit_pipeline(audits, settings, repo, root))
        .collect();
    let mut by_path: BTreeMap<String, Vec<CiFinding>> = BTreeMap::new();
    let mut seen: HashSet<(String, &'static str, usize, usize)> = HashSet::new();
    for findings in per_pipeline {
        for (path, sink) in findings.sinks {
            for finding in sink.into_findings() {
                let identity = (
                    path.clone(),
                    finding.meta.id,
                    finding.span.start,
                    finding.span.end,
                );
                if seen.insert(identity) {
                    by_path.entry(path.clone()).or_default().push(finding);
                }
            }
        }
    }
    by_path
        .into_iter()
        .map(|(path, findings)| FileFindings { path, findings })
        .collect()
}

fn audit_pipeline(
    audits: &[&dyn GitlabAudit],
    settings: &Settings,
    repo: &Repo,
    root: &RepoFile,
) -> Findings {
    let mut out = Findings::default();
    let pipeline = match Pipeline::build(repo, root) {
        Ok(pipeline) => pipeline,
        Err(error) => {
            files::report_unparseable(root, &error, out.sink(&root.path));
            return out;
        }
    };
    for source in &pipeline.sources {
        files::report_issues(source.doc, out.sink(&source.file.path));
    }
    for broken in &pipeline.unparseable {
        files::report_unparseable(broken.file, &broken.error, out.sink(&broken.file.path));
    }
    let cx = AuditContext { settings, repo };
    for audit in audits {
        audit.pipeline(&cx, &pipeline, &mut out);
    }
    out
}
