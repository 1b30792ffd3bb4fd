use shipgate_model::{Persona, Severity};

use super::claims::{Reach, narrowest};
use super::{Cloud, Issuer, Link, TrustAudit, TrustPolicy, linked};
use crate::audit::{AuditMeta, Sink, audit_meta};

audit_meta! {
    /// Finds cloud trust policies that accept GitHub Actions or GitLab CI
    /// OIDC tokens without pinning which repository, and which branch or
    /// environment of it, the token must come from. Read from Terraform
    /// (`aws_iam_role` trust documents inline, as heredoc, `jsonencode` or
    /// `aws_iam_policy_document`; GCP workload identity providers and
    /// `principalSet://` bindings; Azure federated identity credentials;
    /// Vault `vault_jwt_auth_backend_role`) and IAM JSON documents.
    ///
    /// ## Why it matters
    /// Every repository on GitHub can get a token from
    /// `token.actions.githubusercontent.com`; only the `sub` claim (or the
    /// `repository` claim) says whose it is. A role trusted with only an
    /// `aud` condition can be assumed from any repository in the world
    /// (critical). `repo:acme/*` admits every repository of the
    /// organisation, and `repo:acme/app:*` every branch, pull request and
    /// environment of one repository, so anyone who can push a branch gets
    /// production credentials without review (high). A wildcard over
    /// branches, tags or environments is medium; an exact
    /// `repo:acme/app:pull_request` subject is reported to auditors only.
    ///
    /// Each finding names the workflows of the same repository that assume
    /// the identity (`aws-actions/configure-aws-credentials`
    /// `role-to-assume`, `google-github-actions/auth`
    /// `workload_identity_provider`, `azure/login`,
    /// `hashicorp/vault-action` `role`, GitLab jobs with `id_tokens`). When
    /// such a workflow runs on a trigger outsiders can start
    /// (`pull_request_target`, `workflow_run`, `issue_comment`...), the
    /// severity is raised one step.
    ///
    /// ## Example
    /// ```yaml
    /// # IAM trust policy condition (Terraform jsonencode or JSON)
    /// StringLike:
    ///   token.actions.githubusercontent.com:sub: "repo:acme/*"   # flagged
    /// StringEquals:
    ///   token.actions.githubusercontent.com:sub: "repo:acme/app:environment:prod"
    /// ```
    ///
    /// ## Fix
    /// Pin the subject to one repository and a protected context:
    /// `repo:acme/app:environment:prod` (with required reviewers on the
    /// environment) or `repo:acme/app:ref:refs/heads/main` (GitLab:
    /// `project_path:acme/app:ref_type:branch:ref:main`). In GCP, set
    /// `attribute_condition = "assertion.repository == 'acme/app'"`; in
    /// Vault, bind `bound_claims = { repository = "acme/app", ref =
    /// "refs/heads/main" }`.
    pub(crate) static UNPINNED_SUBJECT = {
        id: "ci/oidc-trust-unpinned-subject",
        title: "Cloud OIDC trust does not pin the CI repository and context",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-2", "CICD-SEC-5", "SSDF-PO.5", "SOC2-CC6.1", "checklist-2", "checklist-3"],
    };
}

pub(crate) struct UnpinnedSubject;

impl TrustAudit for UnpinnedSubject {
    fn meta(&self) -> &'static AuditMeta {
        &UNPINNED_SUBJECT
    }

    fn check(&self, policy: &TrustPolicy, link: &Link, sink: &mut Sink) {
        let platform = policy.issuer.platform();
        let advice = advice(policy);
        let Some(judged) = narrowest(policy.issuer, &policy.conditions) else {
            let message = match policy.cloud {
                Cloud::Gcp => format!(
                    "the provider trusts {platform} OIDC tokens with no `attribute_condition` on the repository: any {platform} repository can impersonate what the pool is bound to"
                ),
                Cloud::Vault => format!(
                    "the role binds no repository or subject claim: a job of any {platform} repository can log in"
                ),
                _ => format!(
                    "trusts {platform} OIDC tokens without a condition on `sub` or the repository: any repository on {platform} can assume it"
                ),
            };
            let finding = sink
                .report(
                    &UNPINNED_SUBJECT,
                    policy.anchor.clone(),
                    &policy.symbolic,
                    message,
                )
                .severity(Severity::Critical);
            linked(finding, link, &advice);
            return;
        };
        let value = if judged.claim == "sub" {
            judged.value.clone()
        } else {
            format!("{} = {}", judged.claim, judged.value)
        };
        let (severity, message) = match &judged.reach {
            Reach::Pinned => return,
            Reach::AnyOwner => (
                Severity::Critical,
                format!(
                    "`{value}` matches repositories of every owner on {platform}: anyone can assume this identity"
                ),
            ),
            Reach::AnyRepository { owner } => (
                Severity::High,
                format!(
                    "`{value}` admits every repository of `{owner}`, including ones created later or by any member"
                ),
            ),
            Reach::AnyContext { repository } => (
                Severity::High,
                format!(
                    "`{value}` admits every branch, pull request and environment of `{repository}`: a push to any branch gets these credentials"
                ),
            ),
            Reach::AnyRef { repository, over } => (
                Severity::Medium,
                format!(
                    "`{value}` admits any {over} of `{repository}`, so unreviewed branches or unprotected environments get these credentials"
                ),
            ),
            Reach::AnyPullRequest { repository } => (
                Severity::Low,
                format!(
                    "`{value}` admits the pull request workflows of `{repository}`, which run code not yet reviewed"
                ),
            ),
        };
        let finding = sink
            .report(
                &UNPINNED_SUBJECT,
                judged.span.clone(),
                &policy.symbolic,
                message,
            )
            .severity(severity);
        if matches!(judged.reach, Reach::AnyPullRequest { .. }) {
            finding.persona(Persona::Auditor);
        }
        linked(finding, link, &advice);
    }
}

fn advice(policy: &TrustPolicy) -> String {
    match (policy.cloud, policy.issuer) {
        (Cloud::Gcp, _) => "Constrain the repository in `attribute_condition`, for example `assertion.repository == 'org/repo' && assertion.ref == 'refs/heads/main'`.".to_owned(),
        (Cloud::Vault, Issuer::Github) => "Bind `bound_claims = { repository = \"org/repo\", ref = \"refs/heads/main\" }` (or `environment`).".to_owned(),
        (Cloud::Vault, Issuer::Gitlab) => "Bind `bound_claims = { project_path = \"group/project\", ref_protected = \"true\" }`.".to_owned(),
        (_, Issuer::Github) => "Pin `sub` to one repository and a protected context, such as `repo:org/repo:environment:prod` or `repo:org/repo:ref:refs/heads/main`.".to_owned(),
        (_, Issuer::Gitlab) => "Pin `sub` to one project and a protected ref, such as `project_path:group/project:ref_type:branch:ref:main`.".to_owned(),
    }
}
