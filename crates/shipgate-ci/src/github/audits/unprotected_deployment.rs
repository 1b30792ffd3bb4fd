use shipgate_model::Confidence;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::commands::{commands, creates_local_cluster, deploy_command, deploys};
use crate::github::model::Workflow;
use crate::github::{AuditContext, GithubAudit};

audit_meta! {
    /// Finds jobs that deploy or publish (`kubectl apply`, `helm upgrade`,
    /// `terraform apply`, `docker push`, `npm publish`, `cargo publish`,
    /// `gh release create`, PyPI, cloud deploy actions...) without an
    /// `environment:`.
    ///
    /// ## Why it matters
    /// An environment is GitHub's approval gate: required reviewers, branch
    /// and tag restrictions, wait timers, and secrets released only after
    /// they pass. Without one, any change that reaches the triggering
    /// branch or tag (or anyone who can push one) deploys straight to
    /// production or publishes to users, and the run leaves no deployment
    /// record for auditors.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   publish:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: npm publish          # flagged
    /// ```
    ///
    /// ## Fix
    /// Add `environment: production` (or `release`, `pypi`...) to the job
    /// and configure the environment's protection rules and deployment
    /// branches in the repository settings.
    pub(crate) static UNPROTECTED_DEPLOYMENT = {
        id: "github/unprotected-deployment",
        title: "Deployment or publish without an environment gate",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["checklist-6", "CICD-SEC-1", "area-approval-gates", "SOC2-CC8.1"],
    };
}

pub(crate) struct UnprotectedDeployment;

impl GithubAudit for UnprotectedDeployment {
    fn meta(&self) -> &'static AuditMeta {
        &UNPROTECTED_DEPLOYMENT
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            if job.environment.is_some() {
                continue;
            }
            let local_cluster = job.steps.iter().any(|step| {
                step.uses_action("helm/kind-action")
                    || step.uses_action("medyagh/setup-minikube")
                    || step.uses_action("AbsaOSS/k3d-action")
                    || step
                        .script()
                        .is_some_and(|script| commands(script).iter().any(creates_local_cluster))
            });
            let deploying: Vec<(usize, String)> = job
                .steps
                .iter()
                .enumerate()
                .filter_map(|(at, step)| deploys(step).map(|what| (at, what)))
                .filter(|(_, what)| {
                    !(local_cluster && (what.contains("kubectl") || what.contains("helm")))
                })
                .collect();
            let Some((first, _)) = deploying.first() else {
                continue;
            };
            let step = &job.steps[*first];
            let mut kinds: Vec<&str> = Vec::new();
            for (_, what) in &deploying {
                if !kinds.contains(&what.as_str()) {
                    kinds.push(what);
                }
            }
            let (node, field) = match (step.run, step.uses) {
                (Some(run), _) => (run, "run"),
                (None, Some(uses)) => (uses, "uses"),
                (None, None) => continue,
            };
            let span = match step.script().and_then(deploy_command) {
                Some((command, _)) => workflow.doc.locate_value_range(node, command.range),
                None => node.span.clone(),
            };
            let finding = sink.report(
                &UNPROTECTED_DEPLOYMENT,
                span,
                format!("{}.{field}", step.path),
                format!(
                    "job `{}` deploys or publishes ({}) without an `environment:`, so no approval or branch rule stands in the way",
                    job.id,
                    kinds.join(", ")
                ),
            );
            if step.script().is_some() {
                finding.confidence(Confidence::Medium);
            }
        }
    }
}
