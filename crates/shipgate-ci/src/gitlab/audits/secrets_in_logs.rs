use shipgate_model::{Confidence, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::credentials::is_credential_name;
use crate::gitlab::pipeline::{Job, Pipeline, Variable};
use crate::gitlab::script::{output_is_logged, script_lines};
use crate::gitlab::vars::is_predefined;
use crate::gitlab::{AuditContext, Findings, GitlabAudit};
use crate::shell::basename;

audit_meta! {
    /// Finds what writes secrets into the job log: `CI_DEBUG_TRACE` set to
    /// `true` (the runner then prints every variable), `CI_DEBUG_SERVICES`
    /// (service containers' logs join the job log), `echo`/`printf` of a variable with a secret-looking name,
    /// `printenv`, `env`, `export -p` or `set` with no arguments, and
    /// `set -x` in a job that handles secret variables.
    ///
    /// ## Why it matters
    /// Job logs are kept for months and are readable by everyone with
    /// access to the pipeline (in a public project, by everyone). GitLab
    /// masks only variables marked masked, and only in their exact form;
    /// debug tracing reveals all of them.
    ///
    /// ## Example
    /// ```yaml
    /// variables:
    ///   CI_DEBUG_TRACE: "true"          # flagged
    /// deploy:
    ///   script:
    ///     - echo "token is $API_TOKEN"  # flagged
    ///     - printenv                    # flagged
    /// ```
    ///
    /// ## Fix
    /// Remove debug tracing from committed configuration (set it for one
    /// manual run instead), never print secrets, and mark secret CI/CD
    /// variables as masked.
    pub(crate) static SECRETS_IN_LOGS = {
        id: "gitlab/secrets-in-logs",
        title: "Secrets written to the job log",
        severity: Medium,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-6", "CICD-SEC-10", "area-secrets"],
    };
}

pub(crate) struct SecretsInLogs;

impl GitlabAudit for SecretsInLogs {
    fn meta(&self) -> &'static AuditMeta {
        &SECRETS_IN_LOGS
    }

    fn pipeline(&self, _cx: &AuditContext<'_>, pipeline: &Pipeline<'_>, out: &mut Findings) {
        for job in &pipeline.jobs {
            for variable in job.variables() {
                debug_trace(variable, out);
            }
            logged_commands(job, out);
        }
        if let Some(globals) = pipeline.global_variables() {
            for member in globals.members() {
                let value = member.value.as_str().map(|_| member.value.at());
                debug_trace(
                    Variable {
                        name: member.name,
                        key: &member.key,
                        value,
                        global: true,
                    },
                    out,
                );
            }
        }
    }
}

fn debug_trace(variable: Variable<'_, '_>, out: &mut Findings) {
    if !matches!(variable.name, "CI_DEBUG_TRACE" | "CI_DEBUG_SERVICES") {
        return;
    }
    let Some(value) = variable.value else {
        return;
    };
    if !value
        .as_str()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    {
        return;
    }
    if variable.name == "CI_DEBUG_TRACE" {
        out.report_node(
            &SECRETS_IN_LOGS,
            value,
            "`CI_DEBUG_TRACE` makes the runner print every variable, secrets included, into the job log",
        )
        .severity(Severity::High)
        .confidence(Confidence::High);
    } else {
        out.report_node(
            &SECRETS_IN_LOGS,
            value,
            "`CI_DEBUG_SERVICES` adds the service containers' own logs to the job log; a service that logs its environment or credentials leaks them",
        )
        .confidence(Confidence::Low);
    }
}

fn is_secret(name: &str) -> bool {
    !is_predefined(name) && is_credential_name(name)
}

fn logged_commands(job: &Job<'_>, out: &mut Findings) {
    let lines = script_lines(job);
    let handles_secrets = lines.iter().any(|line| {
        line.commands().iter().any(|(_, _, c)| {
            c.words
                .iter()
                .any(|w| w.variables.iter().any(|v| is_secret(v)))
        })
    });
    for line in &lines {
        for (pipeline, index, command) in line.commands() {
            // A bare `env` is a wrapper with nothing to run: it prints.
            let bare_env = command.words.len() == 1
                && command
                    .words
                    .first()
                    .is_some_and(|w| basename(&w.text) == "env");
            let Some(program) = command.program().or(bare_env.then_some("env")) else {
                continue;
            };
            let arguments = command.arguments();
            let message = match program {
                "echo" | "printf" if output_is_logged(pipeline, index, command) => arguments
                    .iter()
                    .find_map(|w| w.variables.iter().find(|v| is_secret(v)))
                    .map(|name| format!("`${name}` is printed into the job log")),
                "printenv" | "env" if arguments.is_empty() && dumps(pipeline, index) => {
                    Some(format!("`{program}` prints every variable, secrets included, into the job log"))
                }
                "export" if arguments.len() == 1 && arguments[0].text == "-p" && dumps(pipeline, index) => {
                    Some("`export -p` prints every variable, secrets included, into the job log".to_owned())
                }
                "set" if arguments.is_empty() && dumps(pipeline, index) => {
                    Some("`set` prints every variable, secrets included, into the job log".to_owned())
                }
                "set" if handles_secrets && arguments.iter().any(|w| enables_xtrace(&w.text)) => {
                    Some("`set -x` echoes every command with its variables expanded, and this job uses secret variables".to_owned())
                }
                _ => None,
            };
            if let Some(message) = message {
                let span = line.line.value_span(command.range.clone());
                out.report(&SECRETS_IN_LOGS, line.line, span, message);
            }
        }
    }
}

/// Whether a `set` option turns on command tracing (`-x`, `-ex`, `-o xtrace`).
fn enables_xtrace(option: &str) -> bool {
    option == "xtrace"
        || (option.starts_with('-') && !option.starts_with("--") && option.contains('x'))
}

/// Whether the output of the command at `index` reaches the log whole:
/// it is last, or only passes through commands that print everything.
fn dumps(pipeline: &crate::shell::Pipeline, index: usize) -> bool {
    pipeline.commands[index + 1..].iter().all(|next| {
        matches!(
            next.program(),
            Some("sort" | "cat" | "tee" | "less" | "more")
        )
    })
}
