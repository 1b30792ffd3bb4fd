use std::ops::Range;

use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Job, Workflow};
use crate::github::triggers::{Gate, job_gate, job_skips_outsider_events, outsider_can_trigger};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Node;

audit_meta! {
    /// Finds jobs on self-hosted runners (`self-hosted` labels, runner
    /// groups) in workflows that forks' pull requests, comments or issues
    /// can start.
    ///
    /// ## Why it matters
    /// A self-hosted runner is a machine you own that keeps state between
    /// jobs. A fork's pull request that reaches it runs arbitrary code there:
    /// it can install a persistent backdoor, read credentials left by other
    /// jobs, and reach your internal network. GitHub recommends
    /// self-hosted runners only for private repositories for this reason.
    /// Self-hosted jobs in workflows only maintainers start are reported
    /// with `--auditor`, as are `runs-on` expressions whose runner cannot
    /// be known statically.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request
    /// jobs:
    ///   test:
    ///     runs-on: [self-hosted, linux, gpu]   # flagged
    /// ```
    ///
    /// ## Fix
    /// Run pull requests from forks on GitHub-hosted runners; keep
    /// self-hosted runners for trusted events (push, release), use
    /// ephemeral just-in-time runners, or require approval for all outside
    /// collaborators in the repository's Actions settings.
    pub(crate) static SELF_HOSTED_RUNNER = {
        id: "github/self-hosted-runner",
        title: "Self-hosted runner reachable from untrusted events",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-7", "checklist-3", "SSDF-PO.5"],
    };
}

/// What a `runs-on` says about the runner.
enum Runner {
    /// Labelled `self-hosted`.
    SelfHosted,
    /// A runner group, which can hold self-hosted or larger hosted runners.
    Group,
    /// An expression we cannot resolve.
    Expression,
}

pub(crate) struct SelfHostedRunner;

impl GithubAudit for SelfHostedRunner {
    fn meta(&self) -> &'static AuditMeta {
        &SELF_HOSTED_RUNNER
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let exposed = outsider_can_trigger(workflow);
        for job in &workflow.jobs {
            let Some(runs_on) = job.runs_on else {
                continue;
            };
            let Some((runner, span)) = classify(job, runs_on) else {
                continue;
            };
            let job_exposed = exposed
                && !job_skips_outsider_events(job)
                && job_gate(job) != Some(Gate::SameRepository);
            report(sink, job, runner, span, job_exposed);
        }
    }
}

fn report(sink: &mut Sink, job: &Job<'_>, runner: Runner, span: Range<usize>, exposed: bool) {
    let symbolic = format!("{}.runs-on", job.path);
    let finding = match (runner, exposed) {
        (Runner::SelfHosted, true) => sink.report(
            &SELF_HOSTED_RUNNER,
            span,
            symbolic,
            "self-hosted runner in a workflow forks or outsiders can start: their code runs on your machine and can persist there",
        ),
        (Runner::Group, true) => sink
            .report(
                &SELF_HOSTED_RUNNER,
                span,
                symbolic,
                "runner group in a workflow forks or outsiders can start: if the group holds self-hosted runners, their code runs on your machines",
            )
            .confidence(Confidence::Medium),
        (Runner::Expression, _) => sink
            .report(
                &SELF_HOSTED_RUNNER,
                span,
                symbolic,
                "the runner is chosen by an expression; check that it can never pick a self-hosted runner for untrusted events",
            )
            .severity(Severity::Low)
            .confidence(Confidence::Low)
            .persona(Persona::Auditor),
        (_, false) => sink
            .report(
                &SELF_HOSTED_RUNNER,
                span,
                symbolic,
                "self-hosted runner; only maintainers' events start this job, but the machine keeps state between jobs",
            )
            .severity(Severity::Info)
            .persona(Persona::Auditor),
    };
    if let Some(gate) = job_gate(job).filter(|g| exposed && *g != Gate::SameRepository) {
        finding.note(format!("Mitigated in part: {}.", gate.describe()));
    }
}

fn classify<'d>(job: &Job<'d>, runs_on: &'d Node) -> Option<(Runner, Range<usize>)> {
    if let Some(label) = runs_on.as_str() {
        return classify_label(job, runs_on, label);
    }
    if runs_on.as_seq().is_some() {
        let mut expression = None;
        for item in runs_on.items() {
            let Some(label) = item.as_str() else {
                continue;
            };
            match classify_label(job, item, label) {
                Some((Runner::SelfHosted, span)) => return Some((Runner::SelfHosted, span)),
                Some((runner, span)) => expression = expression.or(Some((runner, span))),
                None => {}
            }
        }
        return expression;
    }
    if let Some(found) = runs_on
        .get("labels")
        .and_then(|labels| classify(job, labels))
    {
        return Some(found);
    }
    runs_on
        .entry("group")
        .map(|group| (Runner::Group, group.key.span.start..group.value.span.end))
}

fn classify_label(job: &Job<'_>, node: &Node, label: &str) -> Option<(Runner, Range<usize>)> {
    if label.trim().eq_ignore_ascii_case("self-hosted") {
        return Some((Runner::SelfHosted, node.span.clone()));
    }
    if !label.contains("${{") {
        return None;
    }
    if label.contains("matrix.") {
        // The matrix is written in the same job, so its values are known.
        let matrix_text_mentions = job
            .strategy
            .map(|s| {
                s.scalars().iter().any(|n| {
                    n.as_str()
                        .is_some_and(|t| t.trim().eq_ignore_ascii_case("self-hosted"))
                })
            })
            .unwrap_or(false);
        return matrix_text_mentions.then(|| (Runner::SelfHosted, node.span.clone()));
    }
    Some((Runner::Expression, node.span.clone()))
}
