use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::pipeline::{Job, Pipeline};
use crate::gitlab::script::script_lines;
use crate::gitlab::vars::references;
use crate::gitlab::{AuditContext, Findings, GitlabAudit};

audit_meta! {
    /// Finds jobs that authenticate to AWS, Google Cloud or Azure with
    /// long-lived keys (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`,
    /// `GOOGLE_APPLICATION_CREDENTIALS` or a service-account key JSON,
    /// `ARM_CLIENT_SECRET`/`AZURE_CLIENT_SECRET`, `aws configure set`,
    /// `gcloud auth activate-service-account --key-file`, `az login
    /// --service-principal --password`) where the job could use a GitLab ID
    /// token instead. Jobs that declare `id_tokens:` are not reported.
    ///
    /// ## Why it matters
    /// A static key works from anywhere until someone rotates it. It can be
    /// printed, exfiltrated by a compromised dependency or build tool, or
    /// leak through a log, and it then stays valid. A GitLab ID token is
    /// minted per job, expires with it, and the cloud role that trusts it
    /// can be limited to one project, branch or environment through the
    /// token's claims (`project_path`, `ref`, `ref_protected`,
    /// `environment`).
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   variables:
    ///     AWS_SECRET_ACCESS_KEY: $PROD_AWS_SECRET     # flagged
    ///   script: [aws s3 sync dist/ s3://bucket]
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// deploy:
    ///   id_tokens:
    ///     AWS_ID_TOKEN:
    ///       aud: https://gitlab.com
    ///   script:
    ///     - >
    ///       export $(printf "AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_SESSION_TOKEN=%s"
    ///       $(aws sts assume-role-with-web-identity --role-arn "$ROLE_ARN"
    ///       --role-session-name "gitlab-$CI_JOB_ID" --web-identity-token "$AWS_ID_TOKEN"
    ///       --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text))
    /// ```
    /// On Google Cloud use workload identity federation with the ID token;
    /// on Azure, a federated credential on the app registration
    /// (`az login --federated-token "$AZURE_ID_TOKEN"`). Then delete the
    /// static keys from the CI/CD variables and the cloud account.
    pub(crate) static STATIC_CLOUD_CREDENTIALS = {
        id: "gitlab/static-cloud-credentials",
        title: "Long-lived cloud credentials where an ID token would do",
        severity: High,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-6", "area-identity-access", "SOC2-CC6.1"],
    };
}

/// Variables holding a cloud account's long-lived secret, and the cloud.
const KEY_VARIABLES: &[(&str, &str)] = &[
    ("AWS_SECRET_ACCESS_KEY", "AWS"),
    ("AWS_ACCESS_KEY_ID", "AWS"),
    ("GOOGLE_APPLICATION_CREDENTIALS", "Google Cloud"),
    ("GOOGLE_CREDENTIALS", "Google Cloud"),
    ("GCP_SERVICE_ACCOUNT_KEY", "Google Cloud"),
    ("GCLOUD_SERVICE_KEY", "Google Cloud"),
    ("GCP_SA_KEY", "Google Cloud"),
    ("ARM_CLIENT_SECRET", "Azure"),
    ("AZURE_CLIENT_SECRET", "Azure"),
];

fn cloud_of(name: &str) -> Option<&'static str> {
    KEY_VARIABLES
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, cloud)| *cloud)
}

pub(crate) struct StaticCloudCredentials;

impl GitlabAudit for StaticCloudCredentials {
    fn meta(&self) -> &'static AuditMeta {
        &STATIC_CLOUD_CREDENTIALS
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        if job.get("id_tokens").is_some() {
            return;
        }
        let mut reported = false;
        for variable in job.variables() {
            let Some(cloud) = cloud_of(variable.name) else {
                continue;
            };
            // Set to a literal is the hardcoded-credentials rule's business;
            // here the key comes from a CI/CD variable.
            let from_variable = variable
                .value
                .and_then(|v| v.as_str())
                .is_some_and(|text| !references(text).is_empty());
            if !from_variable {
                continue;
            }
            out.report_node(
                &STATIC_CLOUD_CREDENTIALS,
                variable.key,
                format!(
                    "`{}` passes a long-lived {cloud} key to job `{}`; use `id_tokens:` and role federation instead",
                    variable.name, job.name
                ),
            );
            reported = true;
        }
        if reported {
            return;
        }
        for line in script_lines(job) {
            for (_, _, command) in line.commands() {
                let Some(message) = static_login(command) else {
                    continue;
                };
                let span = line.line.value_span(command.range.clone());
                out.report(&STATIC_CLOUD_CREDENTIALS, line.line, span, message);
            }
        }
    }
}

/// Describes a command that logs in with a static key.
fn static_login(command: &crate::shell::Command) -> Option<String> {
    let program = command.program()?;
    let args = command.arguments();
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    let uses_key_variable = |names: &[&str]| {
        args.iter()
            .any(|w| w.variables.iter().any(|v| names.contains(&v.as_str())))
    };
    match program {
        "aws"
            if texts.starts_with(&["configure", "set"])
                && texts
                    .iter()
                    .any(|t| *t == "aws_secret_access_key" || *t == "aws_access_key_id") =>
        {
            Some("`aws configure set` stores a long-lived AWS key; assume a role with the job's ID token instead".to_owned())
        }
        "gcloud"
            if texts.contains(&"activate-service-account")
                && texts.iter().any(|t| t.starts_with("--key-file")) =>
        {
            Some("`gcloud auth activate-service-account --key-file` logs in with a service-account key; use workload identity federation with an ID token".to_owned())
        }
        "az" if texts.contains(&"--service-principal")
            && (texts.iter().any(|t| t.starts_with("--password") || t.starts_with("--secret") || *t == "-p")
                || uses_key_variable(&["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"])) =>
        {
            Some("`az login --service-principal` with a client secret; use a federated credential with an ID token".to_owned())
        }
        _ => None,
    }
}
