use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::expr;
use crate::github::model::{Action, Step, Workflow};
use crate::github::script::{self, Target};
use crate::github::taint::{Dataflow, Events, Place, Taint};
use crate::github::{AuditContext, GithubAudit};
use crate::shell;
use crate::yaml::Document;

audit_meta! {
    /// Finds untrusted data written to `$GITHUB_ENV` or `$GITHUB_PATH`
    /// (`echo "X=${{ … }}" >> $GITHUB_ENV`, `>> "$GITHUB_ENV"`,
    /// `>> ${GITHUB_ENV}`, `tee -a`, PowerShell's `Out-File -Append
    /// $env:GITHUB_ENV`), and to `$GITHUB_OUTPUT` when a later `run:` expands
    /// that output. Data counts as untrusted when it comes from a field an
    /// outsider writes (directly or through `env:`), and, in workflows
    /// started by `pull_request_target`, `workflow_run`, `issues`,
    /// `issue_comment` or discussions, when it is read from downloaded
    /// artifacts or files.
    ///
    /// ## Why it matters
    /// Every later step of the job starts with the variables written to
    /// `$GITHUB_ENV`. A value containing a newline defines any variable the
    /// attacker likes: `LD_PRELOAD`, `BASH_ENV` or `NODE_OPTIONS` turn that
    /// into code execution in the next step, with the job's token and
    /// secrets. `$GITHUB_PATH` puts an attacker's directory in front of
    /// `PATH`. Artifacts uploaded by a pull request's run are the attacker's
    /// files when a `workflow_run` workflow downloads them.
    ///
    /// ## Example
    /// ```yaml
    /// on: workflow_run
    /// jobs:
    ///   comment:
    ///     steps:
    ///       - uses: actions/download-artifact@v4
    ///       - run: echo "PR_NUMBER=$(cat pr/number)" >> "$GITHUB_ENV"   # flagged
    /// ```
    ///
    /// ## Fix
    /// Use a step output instead, read through `env:` by the steps that
    /// need it; validate artifact data (`[[ "$n" =~ ^[0-9]+$ ]]`) before
    /// using it, and never write attacker text to `$GITHUB_ENV`.
    pub(crate) static GITHUB_ENV = {
        id: "github/github-env",
        title: "Untrusted data written to GITHUB_ENV or GITHUB_PATH",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-4", "SSDF-PO.5"],
    };
}

/// Events that run with the base repository's token and secrets while an
/// outsider provides the payload or the artifacts.
const DANGEROUS_EVENTS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issues",
    "issue_comment",
    "discussion",
    "discussion_comment",
];

pub(crate) struct GithubEnv;

impl GithubAudit for GithubEnv {
    fn meta(&self) -> &'static AuditMeta {
        &GITHUB_ENV
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let flow = Dataflow::for_workflow(workflow);
        let dangerous =
            matches!(flow.events(), Events::Only(_)) && flow.events().any_of(DANGEROUS_EVENTS);
        for job in &workflow.jobs {
            for step in &job.steps {
                let place = Place {
                    job: Some(job),
                    step: Some(step),
                };
                check_step(workflow.doc, &flow, place, &job.steps, dangerous, sink);
            }
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        let flow = Dataflow::for_action(action);
        for step in &action.steps {
            let place = Place {
                job: None,
                step: Some(step),
            };
            check_step(action.doc, &flow, place, &action.steps, false, sink);
        }
    }
}

fn downloads_artifacts(step: &Step<'_>) -> bool {
    step.uses_action("actions/download-artifact")
        || step.uses_action("dawidd6/action-download-artifact")
        || step
            .script()
            .is_some_and(|s| s.contains("gh run download") || s.contains("/artifacts"))
}

/// Whether a written line takes its value from a file or a command.
fn reads_files(text: &str) -> bool {
    shell::has_command_substitution(text)
        || text.contains("cat ")
        || text.contains("$(<")
        || text.contains(" < ")
}

fn check_step<'a, 'd>(
    doc: &Document,
    flow: &Dataflow<'a, 'd>,
    place: Place<'a, 'd>,
    steps: &'a [Step<'d>],
    dangerous: bool,
    sink: &mut Sink,
) {
    let Some(step) = place.step else {
        return;
    };
    let (Some(run), Some(script)) = (step.run, step.script()) else {
        return;
    };
    let after_download = steps
        .iter()
        .take_while(|s| s.index < step.index)
        .any(downloads_artifacts);
    for write in script::writes(script) {
        let first_line = write
            .text
            .lines()
            .find(|l| l.contains(write.target.variable()) || l.contains("::set-output"));
        let span = doc.locate(run, first_line.unwrap_or(write.text).trim());
        let symbolic = format!("{}.run", step.path);
        let taint = flow.written_data(write.text, place, 0);
        if write.target == Target::Output {
            if taint.is_attacker()
                && let Some(user) = output_used_in_script(step, steps, &write)
            {
                sink.report(
                    &GITHUB_ENV,
                    span,
                    symbolic,
                    format!(
                        "untrusted data becomes a step output that `{user}` expands into a script"
                    ),
                )
                .severity(Severity::Medium)
                .confidence(Confidence::Medium)
                .note("Pass the output to the consuming step through `env:` and quote it there.");
            }
            continue;
        }
        let file = write.target.variable();
        match &taint {
            Taint::Attacker {
                source, privileged, ..
            } => {
                let finding = sink.report(
                    &GITHUB_ENV,
                    span,
                    symbolic,
                    format!(
                        "`{source}`, which an outsider chooses, is written to `${file}`: a newline in it defines any variable for the later steps"
                    ),
                );
                if !privileged {
                    finding.severity(Severity::Medium);
                }
            }
            _ if dangerous && after_download && reads_files(write.text) => {
                sink.report(
                    &GITHUB_ENV,
                    span,
                    symbolic,
                    format!("data read from downloaded artifacts or files is written to `${file}` in a workflow that runs with the base repository's privileges"),
                )
                .confidence(Confidence::Medium)
                .note("Artifacts of a pull request's run are the attacker's files; validate the value before use and keep it out of `$GITHUB_ENV`.");
            }
            Taint::Unknown { source } if dangerous => {
                sink.report(
                    &GITHUB_ENV,
                    span,
                    symbolic,
                    format!("a value from {source} is written to `${file}` in a workflow that runs with the base repository's privileges"),
                )
                .severity(Severity::Medium)
                .confidence(Confidence::Low)
                .persona(Persona::Auditor);
            }
            _ => {}
        }
    }
}

/// The symbolic path of a later `run:` of the job that expands an output
/// `write` defines.
fn output_used_in_script(
    step: &Step<'_>,
    steps: &[Step<'_>],
    write: &script::Write<'_>,
) -> Option<String> {
    let id = step.id?.to_ascii_lowercase();
    let prefix = format!("steps.{id}.outputs.");
    steps
        .iter()
        .filter(|s| s.index > step.index)
        .find_map(|later| {
            let script = later.script()?;
            let used = expr::embedded(script).iter().any(|embedded| {
                expr::parse(embedded.inner).is_ok_and(|parsed| {
                    parsed.value_sources().iter().any(|source| {
                        source
                            .context_path()
                            .and_then(|p| p.strip_prefix(&prefix).map(str::to_owned))
                            .is_some_and(|output| write.defines(&output))
                    })
                })
            });
            used.then(|| format!("{}.run", later.path))
        })
}
