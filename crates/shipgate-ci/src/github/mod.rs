//! GitHub Actions: workflows, actions and Dependabot configuration.

pub mod audits;
pub mod commands;
pub mod conditions;
pub mod model;
pub mod script;
pub mod taint;
pub mod triggers;
pub mod uses;

use crate::audit::{AuditMeta, Sink};
use crate::repo::{FileKind, Repo, RepoFile, join_relative};
use crate::settings::Settings;
use crate::yaml::Document;
use model::{Action, Workflow};

/// One GitHub audit. Each lives in its own module under [`audits`], whose
/// doc comment on its `audit_meta!` is the rule's documentation.
pub trait GithubAudit: Sync {
    /// The rule this audit reports.
    fn meta(&self) -> &'static AuditMeta;

    /// Audits a workflow.
    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let _ = (cx, workflow, sink);
    }

    /// Audits an action definition.
    fn action(&self, cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        let _ = (cx, action, sink);
    }

    /// Audits `.github/dependabot.yml`.
    fn dependabot(&self, cx: &AuditContext<'_>, doc: &Document, sink: &mut Sink) {
        let _ = (cx, doc, sink);
    }
}

/// What an audit may consult besides the file it audits.
pub struct AuditContext<'r> {
    /// User settings.
    pub settings: &'r Settings,
    /// Every collected file, for following local references.
    pub repo: &'r Repo,
    /// Path of the file being audited.
    pub path: &'r str,
}

impl<'r> AuditContext<'r> {
    /// The repository root the audited file belongs to: the directory
    /// holding its `.github/` (the scan root otherwise).
    pub fn repository_root(&self) -> &'r str {
        match self.path.find(".github/") {
            Some(at) => self.path[..at].trim_end_matches('/'),
            None => "",
        }
    }

    /// The action a local `uses: ./path` names, with its file path.
    pub fn local_action(&self, uses_path: &str) -> Option<&'r RepoFile> {
        let dir = join_relative(self.repository_root(), uses_path)?;
        ["action.yml", "action.yaml"].iter().find_map(|name| {
            let path = if dir.is_empty() {
                (*name).to_owned()
            } else {
                format!("{dir}/{name}")
            };
            self.repo
                .get(&path)
                .filter(|file| file.kind == FileKind::GithubAction)
        })
    }

    /// The reusable workflow a local `uses: ./.github/workflows/x.yml` names.
    pub fn local_workflow(&self, uses_path: &str) -> Option<&'r RepoFile> {
        let path = join_relative(self.repository_root(), uses_path)?;
        self.repo
            .get(&path)
            .filter(|file| file.kind == FileKind::GithubWorkflow)
    }
}

/// Runs every audit in `audits` on `file`, which must be a GitHub file that
/// parsed.
pub fn audit_file(
    audits: &[&dyn GithubAudit],
    settings: &Settings,
    repo: &Repo,
    file: &RepoFile,
    doc: &Document,
    sink: &mut Sink,
) {
    let cx = AuditContext {
        settings,
        repo,
        path: &file.path,
    };
    match file.kind {
        FileKind::GithubWorkflow => {
            if let Some(workflow) = Workflow::new(doc) {
                for audit in audits {
                    audit.workflow(&cx, &workflow, sink);
                }
            }
        }
        FileKind::GithubAction => {
            if let Some(action) = Action::new(doc) {
                for audit in audits {
                    audit.action(&cx, &action, sink);
                }
            }
        }
        FileKind::Dependabot => {
            for audit in audits {
                audit.dependabot(&cx, doc, sink);
            }
        }
        _ => {}
    }
}

/// Runs one audit over a workflow given as text, outside any repository:
/// what unit tests of an audit's fixes need.
#[cfg(test)]
pub(crate) fn audit_workflow_text(
    audit: &dyn GithubAudit,
    source: &str,
) -> Vec<crate::audit::CiFinding> {
    audit_workflow_text_with(audit, source, &Settings::default())
}

/// [`audit_workflow_text`] with the given settings.
#[cfg(test)]
pub(crate) fn audit_workflow_text_with(
    audit: &dyn GithubAudit,
    source: &str,
    settings: &Settings,
) -> Vec<crate::audit::CiFinding> {
    let doc = Document::parse(source).expect("valid YAML");
    let workflow = Workflow::new(&doc).expect("a workflow");
    let repo = Repo::new();
    let cx = AuditContext {
        settings,
        repo: &repo,
        path: ".github/workflows/test.yml",
    };
    let mut sink = Sink::new();
    audit.workflow(&cx, &workflow, &mut sink);
    sink.into_findings()
}
