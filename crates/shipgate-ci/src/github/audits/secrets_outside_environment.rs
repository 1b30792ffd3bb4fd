use std::sync::LazyLock;

use regex::Regex;
use shipgate_model::{Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::Workflow;
use crate::github::triggers::{Gate, is_privileged, job_gate, job_skips_outsider_events};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Node;

audit_meta! {
    /// Finds jobs that read repository or organisation secrets (anything
    /// but `GITHUB_TOKEN`) without an `environment:`.
    ///
    /// ## Why it matters
    /// Secrets stored in an environment are released only to jobs that name
    /// it, after its protection rules pass: required reviewers, allowed
    /// branches, wait timers. Repository and organisation secrets go to
    /// every job of every workflow, including one a pull request edits on a
    /// branch. The finding is pedantic for ordinary workflows and reported
    /// by default when the workflow runs on events outsiders start with
    /// secrets (`pull_request_target`, `workflow_run`, comments).
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   deploy-preview:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: ./preview.sh
    ///         env:
    ///           API_KEY: ${{ secrets.PREVIEW_API_KEY }}   # flagged
    /// ```
    ///
    /// ## Fix
    /// Move the secret into an environment with protection rules and set
    /// `environment:` on the job that needs it.
    pub(crate) static SECRETS_OUTSIDE_ENVIRONMENT = {
        id: "github/secrets-outside-environment",
        title: "Secrets used outside a protected environment",
        severity: Low,
        confidence: High,
        persona: Pedantic,
        controls: ["CICD-SEC-5", "area-secrets", "SOC2-CC6.1"],
    };
}

static SECRET_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\bsecrets(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*'([^']+)'\s*\]|\[\s*"([^"]+)"\s*\])"#,
    )
    .expect("static pattern is valid")
});

pub(crate) struct SecretsOutsideEnvironment;

impl GithubAudit for SecretsOutsideEnvironment {
    fn meta(&self) -> &'static AuditMeta {
        &SECRETS_OUTSIDE_ENVIRONMENT
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let privileged = is_privileged(workflow);
        for job in &workflow.jobs {
            if job.environment_name().is_some() || job.uses.is_some() {
                continue;
            }
            let references = secret_references(job.node);
            let Some((node, first, _)) = references.first() else {
                continue;
            };
            let mut names: Vec<&str> = references
                .iter()
                .map(|(_, _, name)| name.as_str())
                .collect();
            names.dedup();
            names.sort_unstable();
            names.dedup();
            let shown: Vec<String> = names.iter().take(4).map(|n| format!("`{n}`")).collect();
            let more = names.len().saturating_sub(4);
            let exposed = privileged
                && !job_skips_outsider_events(job)
                && job_gate(job).is_none_or(|g| matches!(g, Gate::Label));
            let finding = sink.report(
                &SECRETS_OUTSIDE_ENVIRONMENT,
                workflow.doc.locate(node, first),
                job.path.clone(),
                format!(
                    "job `{}` reads {}{} without an `environment:`{}",
                    job.id,
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    },
                    if exposed {
                        ", in a workflow outsiders can start"
                    } else {
                        ""
                    }
                ),
            );
            if exposed {
                finding.severity(Severity::Medium).persona(Persona::Default);
            }
        }
    }
}

/// Every `secrets.X` reference under `node` other than `GITHUB_TOKEN`:
/// the scalar, the matched text and the secret's name.
fn secret_references(node: &Node) -> Vec<(&Node, String, String)> {
    let mut out = Vec::new();
    for scalar in node.scalars() {
        let Some(text) = scalar.as_str() else {
            continue;
        };
        if !text.contains("secrets") {
            continue;
        }
        for captures in SECRET_REFERENCE.captures_iter(text) {
            let Some(name) = captures
                .get(1)
                .or_else(|| captures.get(2))
                .or_else(|| captures.get(3))
            else {
                continue;
            };
            if name.as_str().eq_ignore_ascii_case("GITHUB_TOKEN") {
                continue;
            }
            let whole = captures.get(0).map_or("", |m| m.as_str());
            out.push((scalar, whole.to_owned(), name.as_str().to_owned()));
        }
    }
    out
}
