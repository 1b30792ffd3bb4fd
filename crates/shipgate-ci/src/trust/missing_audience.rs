use super::{Cloud, Link, TrustAudit, TrustPolicy, linked};
use crate::audit::{AuditMeta, Sink, audit_meta};

audit_meta! {
    /// Finds AWS role trust statements for GitHub or GitLab OIDC tokens
    /// without a condition on the `aud` claim, and Vault JWT roles without
    /// `bound_audiences`.
    ///
    /// ## Why it matters
    /// The audience says which relying party a token was minted for. A
    /// trust that ignores it accepts tokens requested for any other
    /// service, so a token a job hands to a third party (a deployment
    /// service, a package registry) can be replayed against the role.
    /// Vault 1.17 and later refuse such roles for tokens that carry `aud`.
    /// GCP and Azure check a configured audience themselves and are not
    /// reported.
    ///
    /// ## Example
    /// ```yaml
    /// # IAM trust policy condition: no ":aud" key -> flagged
    /// StringLike:
    ///   token.actions.githubusercontent.com:sub: "repo:acme/app:environment:prod"
    /// ```
    ///
    /// ## Fix
    /// Add `"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"`
    /// under `StringEquals` (GitLab: the `aud` set in `id_tokens`), or
    /// `bound_audiences` on the Vault role.
    pub(crate) static MISSING_AUDIENCE = {
        id: "ci/oidc-trust-missing-audience",
        title: "Cloud OIDC trust does not check the token audience",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-2", "SSDF-PO.5", "SOC2-CC6.1", "checklist-2"],
    };
}

pub(crate) struct MissingAudience;

impl TrustAudit for MissingAudience {
    fn meta(&self) -> &'static AuditMeta {
        &MISSING_AUDIENCE
    }

    fn check(&self, policy: &TrustPolicy, link: &Link, sink: &mut Sink) {
        if !policy.audience_required || policy.tests_claim("aud") {
            return;
        }
        let (message, advice) = match policy.cloud {
            Cloud::Vault => (
                "the Vault role has no `bound_audiences`: tokens minted for any other service are accepted",
                "Set `bound_audiences` to the audience the jobs request.",
            ),
            _ => (
                "no condition on the token's `aud` claim: tokens minted for any other service are accepted",
                "Add a `StringEquals` condition on `<issuer>:aud` (`sts.amazonaws.com` for `configure-aws-credentials`).",
            ),
        };
        let finding = sink.report(
            &MISSING_AUDIENCE,
            policy.anchor.clone(),
            &policy.symbolic,
            message,
        );
        linked(finding, link, advice);
    }
}
