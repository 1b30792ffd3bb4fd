use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::credentials::is_credential_name;
use crate::gitlab::pipeline::{Job, Pipeline, Variable};
use crate::gitlab::vars::is_predefined;
use crate::gitlab::{AuditContext, Findings, GitlabAudit};

audit_meta! {
    /// Finds `variables:` (pipeline-level or in a job) whose name says they
    /// hold a secret (`PASSWORD`, `TOKEN`, `SECRET`, `API_KEY`,
    /// `PRIVATE_KEY`...) and whose value is written right there in the file
    /// rather than taken from a CI/CD variable (`$VAR`). Passwords for
    /// throwaway test databases started as `services:` of the same job (such
    /// as `POSTGRES_PASSWORD: postgres`) are reported only to the pedantic,
    /// with low confidence.
    ///
    /// ## Why it matters
    /// Everything in `.gitlab-ci.yml` is readable by anyone who can read the
    /// repository, forever, through its history. GitLab can mask and
    /// protect a CI/CD variable set in the project settings; it can do
    /// neither for a literal in the file.
    ///
    /// ## Example
    /// ```yaml
    /// variables:
    ///   DEPLOY_TOKEN: <the token itself>        # flagged
    ///   REGISTRY_PASSWORD: $REGISTRY_PASSWORD   # fine: a CI/CD variable
    /// ```
    ///
    /// ## Fix
    /// Revoke the credential, create a masked (and, where it is only needed
    /// on protected branches, protected) CI/CD variable for the new one in
    /// Settings > CI/CD > Variables, and delete the literal from the file.
    pub(crate) static HARDCODED_CREDENTIALS = {
        id: "gitlab/hardcoded-credentials",
        title: "Credential written in the pipeline file",
        severity: High,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-6", "area-secrets", "checklist-1"],
    };
}

/// Variables that configure a database or broker image for tests.
const SERVICE_PASSWORDS: &[&str] = &[
    "POSTGRES_PASSWORD",
    "POSTGRESQL_PASSWORD",
    "PGPASSWORD",
    "MYSQL_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "MARIADB_PASSWORD",
    "MARIADB_ROOT_PASSWORD",
    "MONGO_INITDB_ROOT_PASSWORD",
    "REDIS_PASSWORD",
    "RABBITMQ_DEFAULT_PASS",
    "MSSQL_SA_PASSWORD",
    "SA_PASSWORD",
];

/// Values that are placeholders or test fixtures, not real secrets.
const OBVIOUS_TEST_VALUES: &[&str] = &[
    "password", "passwd", "secret", "test", "testing", "postgres", "root", "example", "changeme",
    "dummy", "admin", "mysql", "redis", "guest", "xxx", "none", "null", "true", "false",
];

pub(crate) struct HardcodedCredentials;

impl GitlabAudit for HardcodedCredentials {
    fn meta(&self) -> &'static AuditMeta {
        &HARDCODED_CREDENTIALS
    }

    fn pipeline(&self, _cx: &AuditContext<'_>, pipeline: &Pipeline<'_>, out: &mut Findings) {
        for job in &pipeline.jobs {
            let has_services = job.get("services").is_some();
            for variable in job.variables() {
                check(variable, has_services, Some(job), out);
            }
        }
        if let Some(globals) = pipeline.global_variables() {
            for member in globals.members() {
                let value = member
                    .value
                    .as_str()
                    .map(|_| member.value.at())
                    .or_else(|| {
                        member
                            .value
                            .get("value")
                            .filter(|v| v.as_str().is_some())
                            .map(|v| v.at())
                    });
                let variable = Variable {
                    name: member.name,
                    key: &member.key,
                    value,
                    global: true,
                };
                check(variable, false, None, out);
            }
        }
    }
}

fn check(
    variable: Variable<'_, '_>,
    has_services: bool,
    job: Option<&Job<'_>>,
    out: &mut Findings,
) {
    if is_predefined(variable.name) || !is_credential_name(variable.name) {
        return;
    }
    let Some(value) = variable.value else {
        return;
    };
    let Some(text) = value.as_str() else {
        return;
    };
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.contains('$') || trimmed.len() < 4 {
        return;
    }
    let upper = variable.name.to_ascii_uppercase();
    let service = SERVICE_PASSWORDS.contains(&upper.as_str());
    let placeholder = OBVIOUS_TEST_VALUES
        .iter()
        .any(|v| v.eq_ignore_ascii_case(trimmed));
    let scope = match job {
        Some(job) if !variable.global => format!("job `{}`", job.name),
        _ => "the pipeline".to_owned(),
    };
    let finding = out.report_node(
        &HARDCODED_CREDENTIALS,
        value,
        format!(
            "`{}` is set to a literal in {scope}; anyone who can read the repository has it",
            variable.name
        ),
    );
    if (service && has_services) || placeholder {
        finding
            .severity(Severity::Low)
            .confidence(Confidence::Low)
            .persona(Persona::Pedantic)
            .note("looks like a throwaway password for a test service or a placeholder");
    } else if service {
        finding
            .confidence(Confidence::Low)
            .severity(Severity::Medium)
            .note("a database password; fine only if it guards a throwaway test database");
    }
}
