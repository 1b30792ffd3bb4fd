use shipgate_model::{Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::commands::runs_workspace_code;
use crate::github::model::{Step, Workflow};
use crate::github::triggers::{
    Gate, PrTaint, job_gate, job_skips_outsider_events, privileged_triggers,
};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Document, Node};

audit_meta! {
    /// Finds workflows started by events that run with the repository's
    /// secrets and a writable token while outsiders control when they fire
    /// and what they carry: `pull_request_target`, `workflow_run`,
    /// `issue_comment`, `issues` and discussions.
    ///
    /// ## Why it matters
    /// These triggers are how most "pwn request" compromises start. On
    /// their own they are often needed (labelling, commenting on forks'
    /// pull requests), so the trigger alone is reported only with
    /// `--pedantic` (`pull_request_target`, `workflow_run`) or `--auditor`
    /// (comment and issue events). The dangerous combinations are reported
    /// by `github/untrusted-checkout`, `github/excessive-permissions` and
    /// `github/secrets-outside-environment`; this rule reports in the
    /// default persona what those cannot see: a job that hands the pull
    /// request's head to a reusable workflow, which typically checks it out
    /// and builds it with the caller's secrets. A local callee
    /// (`uses: ./.github/workflows/x.yml`) is read: when it checks the input
    /// out and a later step runs the code, the finding is high; when it
    /// never checks the input out, it is only shown with `--pedantic`.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     uses: ./.github/workflows/build.yml
    ///     with:
    ///       ref: ${{ github.event.pull_request.head.sha }}   # flagged
    ///     secrets: inherit
    /// ```
    ///
    /// ## Fix
    /// Prefer `pull_request`, which runs forks' code without secrets. Keep
    /// `pull_request_target` and `workflow_run` jobs to work that never
    /// touches the pull request's code, with the least permissions, and gate
    /// anything else on a maintainer's approval (an environment with
    /// required reviewers).
    pub(crate) static DANGEROUS_TRIGGERS = {
        id: "github/dangerous-triggers",
        title: "Workflow started by an event outsiders control, with privileges",
        severity: Low,
        confidence: High,
        persona: Pedantic,
        controls: ["CICD-SEC-4", "CICD-SEC-1"],
    };
}

pub(crate) struct DangerousTriggers;

impl GithubAudit for DangerousTriggers {
    fn meta(&self) -> &'static AuditMeta {
        &DANGEROUS_TRIGGERS
    }

    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let mut triggers = privileged_triggers(workflow).peekable();
        let Some(first) = triggers.peek().map(|t| t.name) else {
            return;
        };
        for trigger in triggers {
            let (what, persona) = match trigger.name {
                "pull_request_target" => (
                    "runs the base branch's workflow with secrets and a writable token for any pull request, forks included",
                    Persona::Pedantic,
                ),
                "workflow_run" => (
                    "runs with secrets and a writable token after another workflow, including runs a fork's pull request started",
                    Persona::Pedantic,
                ),
                _ => (
                    "runs with secrets and a writable token whenever anyone comments or opens an issue",
                    Persona::Auditor,
                ),
            };
            sink.report(
                &DANGEROUS_TRIGGERS,
                trigger.node.span.clone(),
                format!("on.{}", trigger.name),
                format!(
                    "`{}` {what}; keep its jobs away from the pull request's code and data",
                    trigger.name
                ),
            )
            .persona(persona);
        }
        for job in &workflow.jobs {
            if job.uses.is_none() || job_skips_outsider_events(job) {
                continue;
            }
            let taint = PrTaint::new(workflow, job);
            let Some(entry) = job
                .with
                .into_iter()
                .flat_map(Node::entries)
                .find(|entry| taint.is_controlled(&entry.value))
            else {
                continue;
            };
            let input = entry.key.as_str().unwrap_or("input");
            let callee = job
                .uses
                .and_then(Node::as_str)
                .unwrap_or("reusable workflow");
            let finding = sink
                .report(
                    &DANGEROUS_TRIGGERS,
                    entry.value.span.clone(),
                    format!("{}.with.{input}", job.path),
                    format!(
                        "a workflow started by `{first}` passes the pull request's head to `{callee}` as `{input}`: if it checks that out and builds it, the pull request's code runs with this workflow's privileges"
                    ),
                )
                .severity(Severity::Medium)
                .persona(Persona::Default);
            if let Some(Uses::Local { path }) = job.uses_ref() {
                match callee_use(cx, path, input) {
                    Some(CalleeUse::Runs { checkout, runner }) => {
                        finding.severity(Severity::High).note(format!(
                            "`{path}` checks it out at `{checkout}` and then runs {runner}."
                        ));
                    }
                    Some(CalleeUse::ChecksOut { checkout }) => {
                        finding.note(format!(
                            "`{path}` checks it out at `{checkout}`; nothing there was seen running it."
                        ));
                    }
                    None => {
                        finding
                            .severity(Severity::Low)
                            .persona(Persona::Pedantic)
                            .note(format!(
                                "`{path}` was read: it does not check out `inputs.{input}`."
                            ));
                    }
                }
            }
            if let Some(gate) = job_gate(job) {
                finding.note(format!("Mitigated: {}.", gate.describe()));
                finding.severity(if gate == Gate::SameRepository {
                    Severity::Info
                } else {
                    Severity::Low
                });
            }
        }
    }
}

/// What a local reusable workflow does with an input carrying the pull
/// request's head.
enum CalleeUse {
    /// A checkout uses it, and a later step of that job runs the code.
    Runs { checkout: String, runner: String },
    /// A checkout uses it; nothing later was seen running it.
    ChecksOut { checkout: String },
}

/// Follows a local `uses: ./.github/workflows/x.yml` and looks for a step
/// that checks out `inputs.<input>`; `None` when the callee cannot be read
/// or never checks the input out.
fn callee_use(cx: &AuditContext<'_>, path: &str, input: &str) -> Option<CalleeUse> {
    let doc = cx.local_workflow(path)?.document().ok()?;
    let callee = Workflow::new(doc)?;
    let reference = format!("inputs.{input}");
    let mut found = None;
    for job in &callee.jobs {
        let Some(position) = job
            .steps
            .iter()
            .position(|step| checks_out(doc, step, &reference))
        else {
            continue;
        };
        let checkout = job.steps[position].path.clone();
        match job.steps[position + 1..]
            .iter()
            .find_map(runs_workspace_code)
        {
            Some(runner) => return Some(CalleeUse::Runs { checkout, runner }),
            None => found = Some(CalleeUse::ChecksOut { checkout }),
        }
    }
    found
}

/// Whether `step` checks out what `reference` (`inputs.x`) names: a
/// checkout action (`actions/checkout` or a wrapper such as
/// `org/ci/checkout`) or a `ref`/`repository`/`sha` input given it, or a
/// script that runs git with it.
fn checks_out(doc: &Document, step: &Step<'_>, reference: &str) -> bool {
    let mentions = |node: &Node| doc.text(&node.span).contains(reference);
    if let Some(Uses::Repository { repo, subpath, .. }) = step.uses_ref() {
        let checkout_action =
            repo.contains("checkout") || subpath.is_some_and(|p| p.contains("checkout"));
        return step.with.into_iter().flat_map(Node::entries).any(|entry| {
            let key = entry.key.as_str().unwrap_or_default();
            mentions(&entry.value)
                && (checkout_action || matches!(key, "ref" | "repository" | "sha" | "commit"))
        });
    }
    step.run
        .is_some_and(|run| mentions(run) && doc.text(&run.span).contains("git "))
}
