use std::collections::HashSet;

use shipgate_model::Confidence;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::shell::{Command, Pipeline, basename, pipelines};
use crate::yaml::Document;

use super::support::{
    ScopedStep, action_steps, command_carries_secret, mentions_secret, output_is_logged,
    secret_word, workflow_steps,
};

audit_meta! {
    /// Finds `run:` scripts that write secrets into the job log: `echo` or
    /// `printf` of `${{ secrets.X }}` or of a variable set from a secret,
    /// `env`/`printenv`/`export -p` dumps in a step whose environment holds
    /// secrets, shell tracing (`set -x`, `bash -x`, `shell: bash -x {0}`)
    /// where secrets are in use, and `cat` of a file the script wrote a
    /// secret into.
    ///
    /// ## Why it matters
    /// GitHub masks a secret's exact value in logs, but only that exact
    /// value: a multi-line secret, one printed with a prefix split across
    /// lines, or a log read through an artifact or a third-party log
    /// forwarder is not protected. Logs of public repositories are public,
    /// and anyone with read access can download them for months.
    ///
    /// ## Example
    /// ```yaml
    /// - run: |
    ///     set -x                          # flagged: traces $DEPLOY_KEY
    ///     echo "key: $DEPLOY_KEY"         # flagged
    ///     ./deploy.sh
    ///   env:
    ///     DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
    /// ```
    ///
    /// ## Fix
    /// Never print a secret, even to check that it is set
    /// (`[ -n "$DEPLOY_KEY" ] || exit 1` checks without printing). Drop
    /// `set -x` from steps that handle secrets, or turn tracing off
    /// (`set +x`) around them. Write secrets to files with restrictive
    /// permissions and do not `cat` them.
    pub(crate) static SECRETS_IN_LOGS = {
        id: "github/secrets-in-logs",
        title: "Secret written to the job log",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "area-secrets"],
    };
}

pub(crate) struct SecretsInLogs;

impl GithubAudit for SecretsInLogs {
    fn meta(&self) -> &'static AuditMeta {
        &SECRETS_IN_LOGS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for scoped in workflow_steps(workflow) {
            check_step(workflow.doc, &scoped, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        for scoped in action_steps(action) {
            check_step(action.doc, &scoped, sink);
        }
    }
}

/// Programs whose output only passes on part of what they read.
const FILTERS: &[&str] = &[
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "awk",
    "sed",
    "cut",
    "wc",
    "head",
    "tail",
    "jq",
    "test",
    "base64",
    "sha256sum",
    "md5sum",
];

fn check_step(doc: &Document, scoped: &ScopedStep<'_, '_>, sink: &mut Sink) {
    let step = scoped.step;
    let (Some(run), Some(script)) = (step.run, step.script()) else {
        return;
    };
    let secret_variables = scoped.secret_variables();
    if secret_variables.is_empty() && !mentions_secret(script) {
        return;
    }
    let symbolic = format!("{}.run", step.path);
    if let Some(shell) = step.shell
        && shell.as_str().is_some_and(traces_shell)
    {
        sink.report(
            &SECRETS_IN_LOGS,
            shell.span.clone(),
            format!("{}.shell", step.path),
            "the shell traces every command of a step that uses secrets, expanded values included",
        )
        .confidence(Confidence::Medium)
        .note("drop `-x` from `shell:`, or turn tracing off around the commands that use secrets");
    }
    let mut secret_files: HashSet<String> = HashSet::new();
    let mut report = |range: std::ops::Range<usize>, message: String, confidence| {
        sink.report(
            &SECRETS_IN_LOGS,
            doc.locate_value_range(run, range),
            symbolic.clone(),
            message,
        )
        .confidence(confidence);
    };
    let top = pipelines(script);
    for (index, pipeline) in top.iter().enumerate() {
        let Some(last) = pipeline.commands.last() else {
            continue;
        };
        let carries = pipeline
            .commands
            .iter()
            .any(|c| command_carries_secret(c, &secret_variables));
        if carries && let Some(file) = written_file(last) {
            secret_files.insert(file);
        }
        for (at, command) in pipeline.commands.iter().enumerate() {
            let Some(program) = command.program() else {
                if dumps_environment(command)
                    && !secret_variables.is_empty()
                    && reaches_log(pipeline, at)
                {
                    report(
                        command.range.clone(),
                        "`env` prints every variable of a step whose environment holds secrets"
                            .into(),
                        Confidence::High,
                    );
                }
                continue;
            };
            let args = command.arguments();
            match program {
                "echo" | "printf"
                    if at + 1 == pipeline.commands.len() && output_is_logged(command) =>
                {
                    let masks = args.iter().any(|w| w.text.starts_with("::add-mask::"));
                    if !masks && args.iter().any(|w| secret_word(w, &secret_variables)) {
                        report(
                            command.range.clone(),
                            format!("`{program}` prints a secret to the job log"),
                            Confidence::High,
                        );
                    }
                }
                "printenv" | "export" | "declare" | "set"
                    if dumps_environment(command)
                        && !secret_variables.is_empty()
                        && reaches_log(pipeline, at) =>
                {
                    report(
                        command.range.clone(),
                        format!(
                            "`{}` prints every variable of a step whose environment holds secrets",
                            command_text(command)
                        ),
                        Confidence::High,
                    );
                }
                "printenv"
                    if !secret_variables.is_empty()
                        && reaches_log(pipeline, at)
                        && args
                            .iter()
                            .any(|w| secret_variables.contains(&w.text.as_str())) =>
                {
                    report(
                        command.range.clone(),
                        "`printenv` prints a variable set from a secret".into(),
                        Confidence::High,
                    );
                }
                "set"
                    if (args.iter().any(|w| enables_xtrace(&w.text))
                        || args
                            .windows(2)
                            .any(|w| w[0].text == "-o" && w[1].text == "xtrace"))
                        && traced_secret(&top[index + 1..], &secret_variables) =>
                {
                    report(command.range.clone(), "`set -x` traces later commands that are given a secret, with their expanded values".into(), Confidence::Medium);
                }
                "cat"
                    if at + 1 == pipeline.commands.len()
                        && output_is_logged(command)
                        && args.iter().any(|w| secret_files.contains(&w.text)) =>
                {
                    report(
                        command.range.clone(),
                        "`cat` prints a file this script wrote a secret into".into(),
                        Confidence::High,
                    );
                }
                _ => {}
            }
        }
    }
}

/// Whether a command after `set -x`, before any `set +x`, is given a
/// secret, so the trace prints it.
fn traced_secret(after: &[Pipeline], secret_variables: &[&str]) -> bool {
    for command in after.iter().flat_map(|p| p.commands.iter()) {
        let stops = command.program() == Some("set")
            && command.arguments().iter().any(|w| {
                w.text
                    .strip_prefix('+')
                    .is_some_and(|letters| letters.contains('x'))
            });
        if stops {
            return false;
        }
        if command_carries_secret(command, secret_variables) {
            return true;
        }
    }
    false
}

fn command_text(command: &Command) -> String {
    command
        .words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a `shell:` value runs bash or sh with tracing on.
fn traces_shell(shell: &str) -> bool {
    let top = pipelines(shell);
    let Some(command) = top.first().and_then(|p| p.commands.first()) else {
        return false;
    };
    command
        .program()
        .is_some_and(|p| matches!(p, "bash" | "sh"))
        && command.arguments().iter().any(|w| enables_xtrace(&w.text))
}

/// `-x`, `-ex`, `-eux`... : a short-option cluster that turns tracing on.
fn enables_xtrace(option: &str) -> bool {
    option
        .strip_prefix('-')
        .is_some_and(|letters| !letters.starts_with('-') && letters.contains('x'))
}

/// `env`, `printenv`, `export -p`, `declare -x`/`-p` or `set` alone.
fn dumps_environment(command: &Command) -> bool {
    let words: Vec<&str> = command.words.iter().map(|w| w.text.as_str()).collect();
    match words.as_slice() {
        [one] => matches!(basename(one), "env" | "printenv" | "set" | "export"),
        ["export", "-p"] | ["declare", "-p" | "-x" | "-px"] => true,
        _ => false,
    }
}

/// Whether the output of command `at` of `pipeline` reaches the log whole,
/// not filtered or captured.
fn reaches_log(pipeline: &Pipeline, at: usize) -> bool {
    pipeline.commands[at..].iter().all(output_is_logged)
        && pipeline.commands[at + 1..]
            .iter()
            .all(|c| c.program().is_none_or(|p| !FILTERS.contains(&p)))
}

/// The file a command writes its output to.
fn written_file(command: &Command) -> Option<String> {
    if let Some(redirect) = command
        .redirects
        .iter()
        .rfind(|r| r.writes_stdout_to_file())
    {
        return Some(redirect.target.text.clone());
    }
    if command.program() == Some("tee") {
        return command
            .arguments()
            .iter()
            .find(|w| !w.text.starts_with('-'))
            .map(|w| w.text.clone());
    }
    None
}
