use shipgate_model::{Confidence, Persona};

use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::audits::exposed_artifacts::exposure;
use crate::gitlab::pipeline::{Job, Pipeline, Value};
use crate::gitlab::script::{output_is_logged, script_lines};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};
use crate::shell::{Command, Word};

audit_meta! {
    /// Finds uses of `CI_JOB_TOKEN` that let it leave the job: printed
    /// (`echo $CI_JOB_TOKEN`), written to a file the job uploads as an
    /// artifact (`.netrc`, `.npmrc`, a `git remote set-url` kept in
    /// `.git/config`), or sent to a host that is not the GitLab instance
    /// (`curl --header "JOB-TOKEN: $CI_JOB_TOKEN" https://other.example`).
    ///
    /// ## Why it matters
    /// The job token acts as the user who started the pipeline, on this
    /// project and on every project that allows it in its job-token
    /// allowlist: it can read repositories and packages, push to the
    /// registry, and more. It expires with the job, but a job can run for
    /// hours, and an artifact or a third-party server keeps it as long as
    /// it likes.
    ///
    /// ## Example
    /// ```yaml
    /// build:
    ///   script:
    ///     - echo "//gitlab.example.com/:_authToken=$CI_JOB_TOKEN" > .npmrc
    ///     - curl -H "JOB-TOKEN: $CI_JOB_TOKEN" https://metrics.example.com  # flagged
    ///   artifacts:
    ///     paths: [.npmrc]                                                   # flagged
    /// ```
    ///
    /// ## Fix
    /// Send the token only to `$CI_API_V4_URL`, `$CI_SERVER_URL` or
    /// `$CI_REGISTRY`; keep files that hold it out of artifacts (or delete
    /// them in `after_script`); never print it.
    pub(crate) static JOB_TOKEN_MISUSE = {
        id: "gitlab/job-token-misuse",
        title: "CI job token may leave the job",
        severity: Medium,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-2", "CICD-SEC-6", "area-identity-access"],
    };
}

const TOKEN: &str = "CI_JOB_TOKEN";

/// Variables that name the GitLab instance itself.
const GITLAB_HOSTS: &[&str] = &[
    "CI_API_V4_URL",
    "CI_API_GRAPHQL_URL",
    "CI_SERVER_URL",
    "CI_SERVER_HOST",
    "CI_SERVER_FQDN",
    "CI_SERVER_SHELL_SSH_HOST",
    "CI_PROJECT_URL",
    "CI_REPOSITORY_URL",
    "CI_REGISTRY",
    "CI_REGISTRY_IMAGE",
    "CI_DEPENDENCY_PROXY_SERVER",
    "CI_PAGES_URL",
];

fn carries_token(word: &Word) -> bool {
    word.variables.iter().any(|v| v == TOKEN)
}

pub(crate) struct JobTokenMisuse;

impl GitlabAudit for JobTokenMisuse {
    fn meta(&self) -> &'static AuditMeta {
        &JOB_TOKEN_MISUSE
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        let uploaded = uploaded_paths(job);
        for line in script_lines(job) {
            for (pipeline, index, command) in line.commands() {
                if !command.words.iter().any(carries_token) {
                    continue;
                }
                let Some(program) = command.program() else {
                    continue;
                };
                let message = match program {
                    "echo" | "printf" => written_to_artifact(command, &uploaded).or_else(|| {
                        output_is_logged(pipeline, index, command)
                            .then(|| "`$CI_JOB_TOKEN` is printed into the job log".to_owned())
                    }),
                    "curl" | "wget" | "http" | "httpie" => foreign_host(command),
                    "git" => git_persisted(command, &uploaded),
                    _ => None,
                };
                let Some((message, guessed)) = message.map(|m| {
                    let guessed = m.contains("chosen by");
                    (m, guessed)
                }) else {
                    continue;
                };
                let span = line.line.value_span(command.range.clone());
                let finding = out.report(&JOB_TOKEN_MISUSE, line.line, span, message);
                if guessed {
                    finding
                        .confidence(Confidence::Low)
                        .persona(Persona::Auditor);
                }
            }
        }
    }
}

/// The job's artifact paths as written.
fn uploaded_paths(job: &Job<'_>) -> Vec<String> {
    job.get("artifacts")
        .and_then(|a| a.get("paths"))
        .map(Value::lines)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| p.as_str().map(|s| s.trim().to_owned()))
        .collect()
}

/// Whether `file` (relative to the project directory) is among `uploaded`.
fn is_uploaded(file: &str, uploaded: &[String]) -> bool {
    let file = file.trim_start_matches("./");
    uploaded.iter().any(|path| {
        let path = path.trim_start_matches("./");
        exposure(path).is_some_and(|why| why.starts_with("the whole project"))
            || path.trim_end_matches('/') == file
            || file.starts_with(&format!("{}/", path.trim_end_matches('/')))
    })
}

fn written_to_artifact(command: &Command, uploaded: &[String]) -> Option<String> {
    let redirect = command
        .redirects
        .iter()
        .find(|r| r.writes_stdout_to_file())?;
    let target = redirect.target.text.as_str();
    let relative = target
        .strip_prefix("$CI_PROJECT_DIR/")
        .or_else(|| target.strip_prefix("${CI_PROJECT_DIR}/"))
        .unwrap_or(target);
    if relative.starts_with('/') || relative.starts_with('~') || relative.starts_with('$') {
        return None;
    }
    is_uploaded(relative, uploaded).then(|| {
        format!("`$CI_JOB_TOKEN` is written to `{relative}`, which the job uploads as an artifact")
    })
}

fn git_persisted(command: &Command, uploaded: &[String]) -> Option<String> {
    let texts: Vec<&str> = command
        .arguments()
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    let persists = texts.starts_with(&["remote", "set-url"])
        || texts.starts_with(&["remote", "add"])
        || texts.starts_with(&["config"]);
    (persists && is_uploaded(".git/config", uploaded)).then(|| {
        "`$CI_JOB_TOKEN` is stored in `.git/config`, which the job uploads as an artifact"
            .to_owned()
    })
}

/// A message when the request carrying the token goes to a host that is
/// not the GitLab instance.
fn foreign_host(command: &Command) -> Option<String> {
    let url = command.arguments().iter().find(|w| {
        let text = w.text.as_str();
        text.starts_with("http://") || text.starts_with("https://") || text.starts_with('$')
    })?;
    let text = url.text.as_str();
    if url
        .variables
        .first()
        .is_some_and(|v| GITLAB_HOSTS.contains(&v.as_str()))
        && text.starts_with('$')
    {
        return None;
    }
    if text.starts_with('$') {
        return Some(format!(
            "`$CI_JOB_TOKEN` is sent to `{text}`, chosen by a variable; make sure it is the GitLab instance"
        ));
    }
    let host = text
        .split_once("://")
        .map_or(text, |(_, rest)| rest)
        .split(['/', ':', '?'])
        .next()
        .unwrap_or_default();
    let gitlab = host.contains("gitlab")
        || url
            .variables
            .iter()
            .any(|v| GITLAB_HOSTS.contains(&v.as_str()));
    (!gitlab)
        .then(|| format!("`$CI_JOB_TOKEN` is sent to `{host}`, which is not the GitLab instance"))
}
