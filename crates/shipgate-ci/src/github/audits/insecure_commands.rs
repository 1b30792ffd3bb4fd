use shipgate_model::{Confidence, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Step, Workflow};
use crate::github::script::{self, Target};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Document, Node};

audit_meta! {
    /// Finds `ACTIONS_ALLOW_UNSECURE_COMMANDS` turned on (in a workflow,
    /// job or step `env:`, an action's `runs.env`, or written to
    /// `$GITHUB_ENV`), and scripts that use the `::set-env` and
    /// `::add-path` workflow commands it re-enables.
    ///
    /// ## Why it matters
    /// GitHub disabled `::set-env` and `::add-path` in 2020 (CVE-2020-15228)
    /// because any text printed to the log can issue them: a pull request
    /// title or a test's output that gets echoed sets `LD_PRELOAD` or
    /// `NODE_OPTIONS` for every later step. The variable turns them back on
    /// for everything the job prints.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   ACTIONS_ALLOW_UNSECURE_COMMANDS: true   # flagged
    /// steps:
    ///   - run: echo "::add-path::$HOME/bin"     # flagged
    /// ```
    ///
    /// ## Fix
    /// Remove the variable and write to the environment files instead:
    /// `echo "NAME=value" >> "$GITHUB_ENV"`, `echo "$HOME/bin" >> "$GITHUB_PATH"`.
    pub(crate) static INSECURE_COMMANDS = {
        id: "github/insecure-commands",
        title: "Insecure workflow commands enabled",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-7", "CICD-SEC-4"],
    };
}

const VARIABLE: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";

pub(crate) struct InsecureCommands;

impl GithubAudit for InsecureCommands {
    fn meta(&self) -> &'static AuditMeta {
        &INSECURE_COMMANDS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        check_env(workflow.env, "env", sink);
        for job in &workflow.jobs {
            check_env(job.env, &format!("{}.env", job.path), sink);
            check_steps(workflow.doc, &job.steps, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        check_env(action.runs.and_then(|r| r.get("env")), "runs.env", sink);
        check_steps(action.doc, &action.steps, sink);
    }
}

/// Whether the runner reads the value as enabled: anything but an explicit
/// false, zero, or empty value.
fn enabled(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "false" | "0" | "no" | "off"
    )
}

fn check_env(env: Option<&Node>, symbolic: &str, sink: &mut Sink) {
    let Some(env) = env else {
        return;
    };
    for entry in env.entries() {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        if !key.eq_ignore_ascii_case(VARIABLE) {
            continue;
        }
        let value = entry.value.as_str().unwrap_or_default();
        if !enabled(value) {
            continue;
        }
        let span = entry.key.span.start..entry.value.span.end.max(entry.key.span.end);
        let finding = sink.report(
            &INSECURE_COMMANDS,
            span,
            format!("{symbolic}.{key}"),
            "`ACTIONS_ALLOW_UNSECURE_COMMANDS` re-enables `::set-env` and `::add-path`, which any printed text can issue",
        );
        if value.contains("${{") {
            finding.confidence(Confidence::Medium);
        }
    }
}

fn check_steps(doc: &Document, steps: &[Step<'_>], sink: &mut Sink) {
    for step in steps {
        check_env(step.env, &format!("{}.env", step.path), sink);
        let (Some(run), Some(script)) = (step.run, step.script()) else {
            continue;
        };
        let symbolic = format!("{}.run", step.path);
        for write in script::writes(script) {
            let enables = write.target == Target::Env
                && write.defines(VARIABLE)
                && !write.text.contains(&format!("{VARIABLE}=false"));
            if enables {
                sink.report(
                    &INSECURE_COMMANDS,
                    doc.locate(run, VARIABLE),
                    symbolic.clone(),
                    "this step enables `::set-env` and `::add-path` for the rest of the job through `$GITHUB_ENV`",
                );
            }
        }
        for command in ["::set-env ", "::add-path::"] {
            if script.contains(command) {
                sink.report(
                    &INSECURE_COMMANDS,
                    doc.locate(run, command.trim_end()),
                    symbolic.clone(),
                    format!("`{}` is a disabled workflow command; it only works with `ACTIONS_ALLOW_UNSECURE_COMMANDS` set", command.trim_end()),
                )
                .severity(Severity::Medium);
            }
        }
    }
}
