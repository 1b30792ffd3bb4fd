use shipgate_model::Severity;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::Workflow;
use crate::github::{AuditContext, GithubAudit};

audit_meta! {
    /// Finds workflows and jobs without a `name:`.
    ///
    /// ## Why it matters
    /// Without a name, GitHub shows the file path or the job id in the
    /// Actions tab, in required status checks and in audit logs. Reviewers
    /// and auditors then have to map ids back to files to tell what ran,
    /// and renaming a file silently changes the check that branch
    /// protection requires.
    ///
    /// ## Example
    /// ```yaml
    /// on: push            # flagged: the workflow has no name
    /// jobs:
    ///   build:            # flagged: the job has no name
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: make
    /// ```
    ///
    /// ## Fix
    /// Add `name:` to the workflow and to each job.
    pub(crate) static ANONYMOUS_DEFINITION = {
        id: "github/anonymous-definition",
        title: "Workflow or job without a name",
        severity: Info,
        confidence: High,
        persona: Pedantic,
        controls: ["CICD-SEC-10"],
    };
}

pub(crate) struct AnonymousDefinition;

impl GithubAudit for AnonymousDefinition {
    fn meta(&self) -> &'static AuditMeta {
        &ANONYMOUS_DEFINITION
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        if !has_name(workflow.root.get("name")) {
            let anchor = workflow
                .on
                .map(|on| &on.key)
                .or_else(|| workflow.root.entries().next().map(|e| &e.key));
            if let Some(anchor) = anchor {
                sink.report(
                    &ANONYMOUS_DEFINITION,
                    anchor.span.clone(),
                    "name",
                    "the workflow has no `name:`, so it is listed by its file path",
                )
                .severity(Severity::Info);
            }
        }
        for job in &workflow.jobs {
            if !has_name(job.node.get("name")) {
                sink.report(
                    &ANONYMOUS_DEFINITION,
                    job.key.span.clone(),
                    format!("{}.name", job.path),
                    format!("job `{}` has no `name:`, so checks show its id", job.id),
                );
            }
        }
    }
}

fn has_name(name: Option<&crate::yaml::Node>) -> bool {
    name.is_some_and(|n| !n.is_null() && n.as_str().is_none_or(|s| !s.trim().is_empty()))
}
