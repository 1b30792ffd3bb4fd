use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::credentials::is_credential_name;
use crate::github::model::{Action, Step, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Entry, Node};

use super::support::has_expression;

audit_meta! {
    /// Finds passwords, tokens and keys written literally in a workflow:
    /// `container.credentials.password`, `services.*.credentials.password`,
    /// `env:` variables named like `*PASSWORD*`, `*TOKEN*`, `*SECRET*` or
    /// `*API_KEY*`, and `with:` inputs named `password`, `token`, `*-token`
    /// or `api-key`, whose value is text rather than a `${{ }}` expression.
    ///
    /// ## Why it matters
    /// Everything in the repository is readable by everyone who can clone
    /// it, forks included, and stays in its history after the line is
    /// changed. A registry password or API token written here is public to
    /// that audience and cannot be masked in logs. Well-known test values
    /// (`postgres`, `password`, `test`...) for throwaway service
    /// containers, and values next to a `localhost` host, are reported only
    /// with `--pedantic`, at low confidence.
    ///
    /// ## Example
    /// ```yaml
    /// container:
    ///   image: registry.example.com/build:1
    ///   credentials:
    ///     username: ci
    ///     password: hunter2            # flagged
    /// ```
    ///
    /// ## Fix
    /// Store the value as an encrypted secret (or use the job's
    /// `GITHUB_TOKEN` for GitHub's registry) and reference it:
    /// `password: ${{ secrets.REGISTRY_PASSWORD }}`. Rotate the exposed
    /// credential: it is in the history.
    pub(crate) static HARDCODED_CREDENTIALS = {
        id: "github/hardcoded-credentials",
        title: "Credential written literally in the workflow",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "area-secrets", "SOC2-CC6.1"],
    };
}

/// Values that are conventional test passwords, not secrets.
const TEST_VALUES: &[&str] = &[
    "postgres",
    "password",
    "passw0rd",
    "root",
    "secret",
    "mysql",
    "admin",
    "pass",
    "passwd",
    "pwd",
    "foobar",
    "foo",
    "bar",
    "user",
    "guest",
    "mongo",
    "redis",
    "sa",
    "123456",
    "12345678",
    "letmein",
    "default",
    "ci",
    "local",
    "localhost",
    "dev",
    "development",
    "token",
    "keycloak",
    "rabbitmq",
    "minio",
    "minioadmin",
    "minio123",
    "elastic",
    "changeit",
    "xxx",
    "none",
    "null",
    "empty",
    "demo",
    "docker",
];

/// Parts of test values that mark them as placeholders.
const TEST_MARKERS: &[&str] = &[
    "test",
    "dummy",
    "fake",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "sample",
    "mock",
    "insecure",
    "notsecret",
    "not-a-secret",
    "not_a_secret",
    "not-secret",
    "unused",
    "<",
    "your",
];

pub(crate) struct HardcodedCredentials;

impl GithubAudit for HardcodedCredentials {
    fn meta(&self) -> &'static AuditMeta {
        &HARDCODED_CREDENTIALS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        check_env(workflow.env, "env", false, &[], sink);
        for job in &workflow.jobs {
            // A value the job's own service containers are configured with is
            // the password of a throwaway test database, wherever it repeats.
            let service_values: Vec<&str> = job
                .services
                .into_iter()
                .flat_map(Node::entries)
                .filter_map(|service| service.value.get("env"))
                .flat_map(Node::entries)
                .filter_map(|entry| entry.value.as_str())
                .collect();
            check_env(
                job.env,
                &format!("{}.env", job.path),
                false,
                &service_values,
                sink,
            );
            if let Some(container) = job.container {
                let path = format!("{}.container", job.path);
                check_registry_password(container, &path, false, sink);
                check_env(
                    container.get("env"),
                    &format!("{path}.env"),
                    false,
                    &service_values,
                    sink,
                );
            }
            for service in job.services.into_iter().flat_map(Node::entries) {
                let Some(name) = service.key.as_str() else {
                    continue;
                };
                let path = format!("{}.services.{name}", job.path);
                check_registry_password(&service.value, &path, true, sink);
                check_env(
                    service.value.get("env"),
                    &format!("{path}.env"),
                    true,
                    &[],
                    sink,
                );
            }
            check_steps(&job.steps, &service_values, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        check_steps(&action.steps, &[], sink);
    }
}

fn check_steps(steps: &[Step<'_>], service_values: &[&str], sink: &mut Sink) {
    for step in steps {
        check_env(
            step.env,
            &format!("{}.env", step.path),
            false,
            service_values,
            sink,
        );
        for entry in step.with.into_iter().flat_map(Node::entries) {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            let lower = name.to_ascii_lowercase().replace('_', "-");
            let credential = matches!(lower.as_str(), "password" | "token" | "api-key" | "apikey")
                || lower.ends_with("-token")
                || lower.ends_with("-password");
            if credential {
                check_value(entry, &format!("{}.with.{name}", step.path), false, sink);
            }
        }
    }
}

fn check_registry_password(node: &Node, path: &str, service: bool, sink: &mut Sink) {
    if let Some(entry) = node.get("credentials").and_then(|c| c.entry("password")) {
        check_value(
            entry,
            &format!("{path}.credentials.password"),
            service,
            sink,
        );
    }
}

fn check_env(
    env: Option<&Node>,
    path: &str,
    test_context: bool,
    service_values: &[&str],
    sink: &mut Sink,
) {
    // Credentials next to a local host are for a throwaway local service.
    let local = env.into_iter().flat_map(Node::entries).any(|e| {
        e.value.as_str().is_some_and(|v| {
            let v = v.trim();
            matches!(v, "localhost" | "0.0.0.0" | "::1") || v.starts_with("127.")
        })
    });
    for entry in env.into_iter().flat_map(Node::entries) {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        if is_credential_name(name) {
            let service_value = entry
                .value
                .as_str()
                .is_some_and(|v| service_values.contains(&v));
            let test_context = test_context || local || service_value;
            check_value(entry, &format!("{path}.{name}"), test_context, sink);
        }
    }
}

/// Whether a literal value could be a credential at all.
fn literal_credential(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && !has_expression(value)
        && !value.starts_with('$')
        && !value.starts_with('/')
        && !value.starts_with("./")
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off"
        )
        && !value.bytes().all(|b| b.is_ascii_digit())
        && !value.contains(char::is_whitespace)
        && !names_a_variable(value)
}

/// Whether `value` is the name of an environment variable (or a list of
/// them), as inputs such as `setup-java`'s `server-password` expect.
fn names_a_variable(value: &str) -> bool {
    value.split(',').all(|name| {
        let name = name.trim();
        !name.is_empty()
            && name.contains('_')
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    })
}

fn test_value(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    TEST_VALUES.contains(&lower.as_str()) || TEST_MARKERS.iter().any(|m| lower.contains(m))
}

fn check_value(entry: &Entry, path: &str, test_context: bool, sink: &mut Sink) {
    let Some(value) = entry.value.as_str() else {
        return;
    };
    if !literal_credential(value) {
        return;
    }
    let name = entry.key.as_str().unwrap_or_default();
    let placeholder = test_value(value) || test_context;
    let finding = sink.report(
        &HARDCODED_CREDENTIALS,
        entry.value.span.clone(),
        path,
        format!(
            "`{name}` is set to a literal value; anyone who can read the repository can read it"
        ),
    );
    if placeholder {
        finding
            .severity(Severity::Info)
            .confidence(Confidence::Low)
            .persona(Persona::Pedantic)
            .note("looks like a throwaway test value; if it is real, move it to a secret");
    } else {
        finding.note("move it to an encrypted secret and rotate it: it stays in the history");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_literal_values_count() {
        assert!(literal_credential("hunter2"));
        assert!(!literal_credential("${{ secrets.X }}"));
        assert!(!literal_credential("$OTHER"));
        assert!(!literal_credential("true"));
        assert!(!literal_credential(""));
        assert!(!literal_credential("MAVEN_PASSWORD"));
        assert!(!literal_credential("A_TOKEN,B_TOKEN"));
        assert!(!literal_credential("Threat Detection Token Usage"));
        assert!(test_value("postgres"));
        assert!(test_value("my-test-pass"));
        assert!(!test_value("s3cr3t-Value-9"));
    }
}
