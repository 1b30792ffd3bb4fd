use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Entry, Node};

use super::support::{ScopedStep, action_steps, mentions_secret, workflow_steps};

audit_meta! {
    /// Finds long-lived cloud keys read from secrets where the cloud
    /// accepts GitHub's OIDC token instead: AWS access keys given to
    /// `aws-actions/configure-aws-credentials` or set as
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, a Google service-account
    /// key given to `google-github-actions/auth` (`credentials_json`) or as
    /// `GOOGLE_APPLICATION_CREDENTIALS`-style variables, and Azure client
    /// secrets given to `azure/login` (`creds`) or as
    /// `ARM_CLIENT_SECRET`/`AZURE_CLIENT_SECRET`.
    ///
    /// ## Why it matters
    /// A static key works from anywhere until someone rotates it. Anyone who
    /// can read it from a log, a compromised action or a poisoned pull
    /// request keeps cloud access for months. With OIDC the job exchanges a
    /// token that names this repository, branch and environment for
    /// credentials that expire within the hour, and the cloud's trust policy
    /// decides which workflows may get them.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: aws-actions/configure-aws-credentials@v4
    ///   with:
    ///     aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}          # flagged
    ///     aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
    ///     aws-region: eu-west-1
    /// ```
    ///
    /// ## Fix
    /// Give the job `permissions: id-token: write`, create a role (AWS),
    /// workload identity provider (Google Cloud) or federated credential
    /// (Azure) that trusts `token.actions.githubusercontent.com` for this
    /// repository, then use `role-to-assume` (AWS),
    /// `workload_identity_provider` + `service_account` (Google) or
    /// `client-id` + `tenant-id` + `subscription-id` (Azure, or
    /// `ARM_USE_OIDC=true` for Terraform). Delete the stored key.
    pub(crate) static STATIC_CLOUD_CREDENTIALS = {
        id: "github/static-cloud-credentials",
        title: "Long-lived cloud credentials where OIDC is available",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "checklist-1", "checklist-2", "SOC2-CC6.1"],
    };
}

/// A cloud, the variables that carry its static key and how to use OIDC.
struct Cloud {
    name: &'static str,
    variables: &'static [&'static str],
    oidc: &'static str,
}

const AWS: Cloud = Cloud {
    name: "AWS",
    variables: &["AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID"],
    oidc: "give the job `permissions: id-token: write` and use `aws-actions/configure-aws-credentials` with `role-to-assume`",
};

const GOOGLE: Cloud = Cloud {
    name: "Google Cloud",
    variables: &[
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GOOGLE_CREDENTIALS",
        "GOOGLE_CLOUD_KEYFILE_JSON",
        "GCP_SA_KEY",
        "GCLOUD_SERVICE_KEY",
        "GCP_CREDENTIALS",
    ],
    oidc: "give the job `permissions: id-token: write` and use `google-github-actions/auth` with `workload_identity_provider` and `service_account`",
};

const AZURE: Cloud = Cloud {
    name: "Azure",
    variables: &["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"],
    oidc: "give the job `permissions: id-token: write` and use `azure/login` with `client-id`, `tenant-id` and `subscription-id` (for Terraform, `ARM_USE_OIDC=true`)",
};

pub(crate) struct StaticCloudCredentials;

impl GithubAudit for StaticCloudCredentials {
    fn meta(&self) -> &'static AuditMeta {
        &STATIC_CLOUD_CREDENTIALS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        check_env(workflow.env, "env", sink);
        for job in &workflow.jobs {
            check_env(job.env, &format!("{}.env", job.path), sink);
        }
        for scoped in workflow_steps(workflow) {
            check_step(&scoped, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        for scoped in action_steps(action) {
            check_step(&scoped, sink);
        }
    }
}

fn check_step(scoped: &ScopedStep<'_, '_>, sink: &mut Sink) {
    let step = scoped.step;
    check_env(step.env, &format!("{}.env", step.path), sink);
    let with = format!("{}.with", step.path);
    if step.uses_action("aws-actions/configure-aws-credentials") {
        let key = ["aws-secret-access-key", "aws-access-key-id"]
            .iter()
            .find_map(|name| step.with.and_then(|w| w.entry(name)));
        if let Some(entry) = key.filter(|e| !e.value.is_null()) {
            let message = if step.input("role-to-assume").is_some() {
                "AWS access keys are used to assume a role; the keys themselves are long-lived"
            } else {
                "AWS access keys are long-lived; assume a role through OIDC instead"
            };
            report(entry, &with, &AWS, message, sink);
        }
    }
    if step.uses_action("google-github-actions/auth")
        || step.uses_action("google-github-actions/setup-gcloud")
    {
        let key = ["credentials_json", "service_account_key"]
            .iter()
            .find_map(|name| step.with.and_then(|w| w.entry(name)));
        if let Some(entry) = key.filter(|e| !e.value.is_null()) {
            report(
                entry,
                &with,
                &GOOGLE,
                "a Google service-account key is long-lived; use Workload Identity Federation instead",
                sink,
            );
        }
    }
    if step.uses_action("azure/login")
        && let Some(entry) = step.with.and_then(|w| w.entry("creds"))
        && !entry.value.is_null()
    {
        report(
            entry,
            &with,
            &AZURE,
            "`creds` holds a long-lived Azure client secret; use a federated credential instead",
            sink,
        );
    }
}

/// Reports the first static-key variable of each cloud set from a secret
/// in one `env:` block.
fn check_env(env: Option<&Node>, path: &str, sink: &mut Sink) {
    let Some(env) = env else {
        return;
    };
    // S3-compatible stores (Cloudflare R2, MinIO...) read AWS variables
    // but have no OIDC federation; an endpoint override marks them.
    let other_endpoint = env.entries().any(|e| {
        e.key
            .as_str()
            .is_some_and(|k| k.to_ascii_uppercase().contains("ENDPOINT"))
    });
    for cloud in [&AWS, &GOOGLE, &AZURE] {
        if other_endpoint && cloud.name == AWS.name {
            continue;
        }
        let entry = cloud.variables.iter().find_map(|name| {
            env.entry(name).filter(|e| {
                e.value
                    .as_str()
                    .is_some_and(|v| mentions_secret(v) && !s3_compatible(v))
            })
        });
        if let Some(entry) = entry {
            let name = entry.key.as_str().unwrap_or_default();
            report(
                entry,
                path,
                cloud,
                &format!(
                    "`{name}` holds a long-lived {} key from a secret",
                    cloud.name
                ),
                sink,
            );
        }
    }
}

/// Whether a secret's name says it belongs to an S3-compatible store
/// without OIDC federation.
fn s3_compatible(expression: &str) -> bool {
    expression
        .to_ascii_uppercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            matches!(
                word,
                "R2" | "MINIO"
                    | "B2"
                    | "BACKBLAZE"
                    | "WASABI"
                    | "SPACES"
                    | "CLOUDFLARE"
                    | "LINODE"
                    | "SCALEWAY"
            )
        })
        || expression.to_ascii_uppercase().contains("R2_")
}

fn report(entry: &Entry, path: &str, cloud: &Cloud, message: &str, sink: &mut Sink) {
    let name = entry.key.as_str().unwrap_or_default();
    sink.report(
        &STATIC_CLOUD_CREDENTIALS,
        entry.key.span.start..entry.value.span.end,
        format!("{path}.{name}"),
        message,
    )
    .note(format!("{}; then delete the stored key", cloud.oidc));
}
