use std::ops::Range;

use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::commands::{ScriptCommand, commands, is_workspace_command, runs_workspace_code};
use crate::github::model::{Action, Job, Step, Workflow};
use crate::github::triggers::{Gate, PrTaint, job_gate, job_skips_outsider_events, names_pr_head};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Document, Node};

audit_meta! {
    /// Finds workflows started by `pull_request_target`, `workflow_run` or
    /// `issue_comment` that check out a pull request's code, or download
    /// the artifacts of the run that triggered them, and then run it.
    ///
    /// ## Why it matters
    /// These events run in the base repository with its secrets and a token
    /// that can write, but anyone can open the pull request or comment that
    /// starts them. Checking out the head of the pull request and then
    /// running `npm install`, `make`, a test suite or a local action runs
    /// the author's code with those privileges ("pwn request"). Artifacts
    /// of a pull-request run are written by the same untrusted code.
    ///
    /// Checkouts are recognised in `actions/checkout` (`ref:` or
    /// `repository:` naming the head, directly or through environment
    /// variables, step outputs and job outputs), `gh pr checkout` and
    /// `git fetch`/`git checkout` of pull-request refs, including inside
    /// local composite actions. A job gated on a maintainer's label, the
    /// author's association or an environment is reported with lower
    /// severity and a note.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///         with:
    ///           ref: ${{ github.event.pull_request.head.sha }}   # flagged
    ///       - run: npm ci && npm test                              # runs it
    /// ```
    ///
    /// ## Fix
    /// Build and test pull requests under `pull_request`, which has no
    /// secrets and a read-only token for forks. When a privileged follow-up
    /// is needed (commenting, labelling), let a `pull_request` run upload
    /// plain data and have a `workflow_run` job read it as data, never as
    /// code. If the head must be checked out, check it out into a separate
    /// `path:` and only read files from it.
    pub(crate) static UNTRUSTED_CHECKOUT = {
        id: "github/untrusted-checkout",
        title: "Privileged workflow checks out and runs pull-request code",
        severity: Critical,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-4", "SSDF-PW.6", "SOC2-CC6.8"],
    };
}

/// Events under which a checkout of the pull request's head is privileged.
const RISKY_EVENTS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

pub(crate) struct UntrustedCheckout;

impl GithubAudit for UntrustedCheckout {
    fn meta(&self) -> &'static AuditMeta {
        &UNTRUSTED_CHECKOUT
    }

    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let Some(event) = RISKY_EVENTS
            .iter()
            .find(|event| workflow.trigger(event).is_some())
        else {
            return;
        };
        for job in &workflow.jobs {
            if job_skips_outsider_events(job) {
                continue;
            }
            let taint = PrTaint::new(workflow, job);
            audit_job(cx, workflow.doc, event, job, &taint, sink);
        }
    }
}

/// A step that brings pull-request code into the workspace.
struct Checkout {
    index: usize,
    span: Range<usize>,
    symbolic: String,
    what: String,
    /// `path:` it was checked out into, when not the workspace root.
    dir: Option<String>,
    /// A command inside a followed local action that runs the code.
    runs_inside: Option<String>,
}

fn audit_job(
    cx: &AuditContext<'_>,
    doc: &Document,
    event: &str,
    job: &Job<'_>,
    taint: &PrTaint<'_>,
    sink: &mut Sink,
) {
    let gate = job_gate(job);
    for step in &job.steps {
        if let Some(checkout) = checkout_of(cx, doc, step, taint) {
            let runner = checkout.runs_inside.clone().or_else(|| {
                job.steps
                    .iter()
                    .filter(|later| later.index > checkout.index)
                    .find_map(|later| runs_checked_out_code(later, checkout.dir.as_deref()))
            });
            report_checkout(sink, event, &checkout, runner, gate.as_ref());
        }
        if let Some(download) = artifact_download(doc, step) {
            report_artifacts(sink, job, step, download, event, gate.as_ref());
        }
    }
}

fn report_checkout(
    sink: &mut Sink,
    event: &str,
    checkout: &Checkout,
    runner: Option<String>,
    gate: Option<&Gate>,
) {
    let (message, severity, confidence) = match &runner {
        Some(runner) => (
            format!(
                "{} checks out the pull request's code in a workflow started by `{event}`, and {runner} then runs it with the workflow's secrets and token",
                checkout.what
            ),
            Severity::Critical,
            Confidence::High,
        ),
        None => (
            format!(
                "{} checks out the pull request's code in a workflow started by `{event}`; nothing here visibly runs it, but any later build, script or local action would",
                checkout.what
            ),
            Severity::Medium,
            Confidence::Medium,
        ),
    };
    let finding = sink.report(
        &UNTRUSTED_CHECKOUT,
        checkout.span.clone(),
        checkout.symbolic.clone(),
        message,
    );
    finding.severity(severity).confidence(confidence);
    if let (None, Some(dir)) = (&runner, &checkout.dir) {
        // Checked out beside the trusted code and never run: the pattern
        // recommended for reading a pull request's files.
        finding
            .severity(Severity::Low)
            .persona(Persona::Auditor)
            .note(format!(
                "The code lands in `{dir}`, apart from the workspace; nothing runs from there."
            ));
        return;
    }
    apply_gate(finding, gate, severity);
}

fn apply_gate(finding: &mut crate::audit::CiFinding, gate: Option<&Gate>, severity: Severity) {
    let Some(gate) = gate else {
        return;
    };
    finding.note(format!("Mitigated: {}.", gate.describe()));
    if *gate == Gate::SameRepository {
        finding.severity(Severity::Low).persona(Persona::Auditor);
    } else {
        finding.severity(lower(severity));
    }
}

fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        _ => Severity::Info,
    }
}

/// The checkout `step` performs of pull-request code, if any.
fn checkout_of(
    cx: &AuditContext<'_>,
    doc: &Document,
    step: &Step<'_>,
    taint: &PrTaint<'_>,
) -> Option<Checkout> {
    if step.uses_action("actions/checkout") {
        let (name, node) = ["ref", "repository"].into_iter().find_map(|name| {
            step.input(name)
                .filter(|n| taint.is_controlled(n))
                .map(|n| (name, n))
        })?;
        return Some(Checkout {
            index: step.index,
            span: node.span.clone(),
            symbolic: format!("{}.with.{name}", step.path),
            what: format!(
                "`actions/checkout` with `{name}: {}`",
                doc.text(&node.span).trim()
            ),
            dir: checkout_dir(step),
            runs_inside: None,
        });
    }
    if let (Some(script), Some(run)) = (step.script(), step.run) {
        let all = commands(script);
        let position = all
            .iter()
            .position(|command| is_pr_checkout_command(command, taint))?;
        let command = &all[position];
        let runs_inside = all[position + 1..]
            .iter()
            .find(|later| is_workspace_command(later))
            .map(|later| format!("`{}`", later.line));
        return Some(Checkout {
            index: step.index,
            span: doc.locate_value_range(run, command.range.clone()),
            symbolic: format!("{}.run", step.path),
            what: format!("`{}`", command.line),
            dir: None,
            runs_inside,
        });
    }
    let Some(Uses::Local { path }) = step.uses_ref() else {
        return None;
    };
    let file = cx.local_action(path)?;
    let action_doc = file.document().ok()?;
    let action = Action::new(action_doc)?;
    let controlled_inputs: Vec<String> = step
        .with
        .into_iter()
        .flat_map(Node::entries)
        .filter(|entry| taint.is_controlled(&entry.value))
        .filter_map(|entry| entry.key.as_str().map(|k| format!("inputs.{k}")))
        .collect();
    let inner_controlled = |node: &Node| {
        let text = action_doc.text(&node.span);
        names_pr_head(text)
            || controlled_inputs
                .iter()
                .any(|input| text.contains(input.as_str()))
    };
    let position = action.steps.iter().position(|inner| {
        inner.uses_action("actions/checkout")
            && ["ref", "repository"]
                .iter()
                .any(|name| inner.input(name).is_some_and(&inner_controlled))
    })?;
    let runs_inside = action.steps[position + 1..]
        .iter()
        .find_map(|inner| {
            runs_checked_out_code(inner, checkout_dir(&action.steps[position]).as_deref())
        })
        .map(|runner| format!("{runner} in `{path}`"));
    let uses = step.uses?;
    Some(Checkout {
        index: step.index,
        span: uses.span.clone(),
        symbolic: format!("{}.uses", step.path),
        what: format!("local action `{path}` ({})", action.steps[position].path),
        dir: checkout_dir(&action.steps[position]),
        runs_inside,
    })
}

fn checkout_dir(step: &Step<'_>) -> Option<String> {
    let path = step.input("path").and_then(Node::as_str)?;
    let path = path.trim().trim_start_matches("./").trim_end_matches('/');
    (!path.is_empty() && path != ".").then(|| path.to_owned())
}

/// Whether a shell command fetches or switches to pull-request code.
fn is_pr_checkout_command(command: &ScriptCommand<'_>, taint: &PrTaint<'_>) -> bool {
    match command.words.as_slice() {
        ["gh", "pr", third, ..] => *third == "checkout",
        ["git", sub, ..] => {
            matches!(
                *sub,
                "fetch" | "checkout" | "switch" | "pull" | "reset" | "merge" | "worktree" | "clone"
            ) && (taint.text_is_controlled(command.text)
                || (*sub == "fetch" && command.words.iter().copied().any(is_pull_refspec)))
        }
        _ => false,
    }
}

/// `pull/123/head`, `pull/${PR}/merge:branch`, `+refs/pull/...`.
fn is_pull_refspec(word: &str) -> bool {
    let word = word.trim_start_matches('+').trim_start_matches("refs/");
    word.starts_with("pull/") && (word.contains("/head") || word.contains("/merge"))
}

/// What in `step` runs code checked out into `dir` (the workspace root when
/// `None`), if anything: a command run from inside `dir` (by
/// `working-directory`, a `cd` or its path), or a local action there.
fn runs_checked_out_code(step: &Step<'_>, dir: Option<&str>) -> Option<String> {
    let Some(dir) = dir else {
        return runs_workspace_code(step);
    };
    let under = |path: &str| {
        let path = path.trim_matches(['"', '\'']).trim_start_matches("./");
        path == dir || path.starts_with(&format!("{dir}/"))
    };
    if let Some(Uses::Local { path }) = step.uses_ref() {
        return under(path).then(|| format!("local action `{path}`"));
    }
    let script = step.script()?;
    let mut inside = step
        .node
        .get("working-directory")
        .and_then(Node::as_str)
        .is_some_and(under);
    for command in commands(script) {
        let first = command.words.first().copied().unwrap_or("");
        let second = command.words.get(1).copied().unwrap_or("");
        if first == "cd" {
            inside = under(second);
            continue;
        }
        let from_dir = inside || under(first) || (is_interpreter(first) && under(second));
        if from_dir && is_workspace_command(&command) {
            return Some(format!("`{}`", command.line));
        }
    }
    None
}

fn is_interpreter(word: &str) -> bool {
    matches!(
        word,
        "bash" | "sh" | "zsh" | "pwsh" | "source" | "node" | "python" | "python3"
    )
}

/// A step that downloads artifacts another run uploaded.
struct Download {
    span: Range<usize>,
    /// Directory the artifacts land in, when not the workspace root.
    dir: Option<String>,
}

fn artifact_download(doc: &Document, step: &Step<'_>) -> Option<Download> {
    let dir = || checkout_dir(step);
    if step.uses_action("actions/download-artifact") {
        let from_other_run = step
            .input("run-id")
            .or_else(|| step.input("github-token"))?;
        return Some(Download {
            span: from_other_run.span.clone(),
            dir: dir(),
        });
    }
    if step.uses_action("dawidd6/action-download-artifact") {
        return step.uses.map(|uses| Download {
            span: uses.span.clone(),
            dir: dir(),
        });
    }
    if step.uses_action("actions/github-script") {
        let script = step.input("script")?;
        return doc
            .text(&script.span)
            .contains("downloadArtifact")
            .then(|| Download {
                span: doc.locate(script, "downloadArtifact"),
                dir: None,
            });
    }
    let run = step.run?;
    let script = step.script()?;
    let command = commands(script)
        .into_iter()
        .find(|c| c.line.starts_with("gh run download"))?;
    let mut words = command.words.iter().copied();
    let dir = words
        .by_ref()
        .find(|w| *w == "-D" || *w == "--dir")
        .and(words.next())
        .map(|d| {
            d.trim_matches(['"', '\''])
                .trim_start_matches("./")
                .to_owned()
        })
        .filter(|d| !d.is_empty() && d != ".");
    Some(Download {
        span: doc.locate_value_range(run, command.range),
        dir,
    })
}

fn report_artifacts(
    sink: &mut Sink,
    job: &Job<'_>,
    step: &Step<'_>,
    download: Download,
    event: &str,
    gate: Option<&Gate>,
) {
    let runner = job
        .steps
        .iter()
        .filter(|later| later.index > step.index)
        .find_map(|later| runs_checked_out_code(later, download.dir.as_deref()));
    let (message, severity, confidence, persona) = match (&runner, &download.dir) {
        (Some(runner), None) => (
            format!(
                "artifacts of the triggering run are unpacked over the workspace in a workflow started by `{event}`, and {runner} runs afterwards: files the pull request wrote can replace the code it runs"
            ),
            Severity::High,
            Confidence::Medium,
            Persona::Default,
        ),
        (Some(runner), Some(dir)) => (
            format!(
                "artifacts of the triggering run are downloaded into `{dir}` in a workflow started by `{event}`, and {runner} runs from there: content written by pull-request code must be read as data, never run"
            ),
            Severity::High,
            Confidence::High,
            Persona::Default,
        ),
        (None, _) => (
            format!(
                "artifacts of the triggering run are downloaded in a workflow started by `{event}`; check that later steps only read them as data"
            ),
            Severity::Low,
            Confidence::Low,
            Persona::Auditor,
        ),
    };
    let finding = sink.report(
        &UNTRUSTED_CHECKOUT,
        download.span,
        step.path.clone(),
        message,
    );
    finding
        .severity(severity)
        .confidence(confidence)
        .persona(persona);
    apply_gate(finding, gate, severity);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_refspecs_are_recognised() {
        assert!(is_pull_refspec("pull/123/head"));
        assert!(is_pull_refspec("+refs/pull/${PR}/merge:pr"));
        assert!(!is_pull_refspec("origin"));
        assert!(!is_pull_refspec("pull/request"));
    }
}
