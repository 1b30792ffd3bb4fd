//! Cloud trust policies that let CI jobs assume cloud roles with OIDC,
//! audited for how narrowly they admit workloads and linked to the
//! workflows in the same repository that assume them.
//!
//! Parsers turn Terraform (`*.tf`) and IAM JSON documents into
//! [`TrustPolicy`] values; the audits only read those, so another source
//! of trust policies (a later IaC scanner, a cloud export) can feed
//! [`audit_policies`] with policies of its own.

mod claims;
mod iam;
mod linkage;
mod missing_audience;
mod terraform;
mod tree;
mod unpinned_subject;

use std::ops::Range;

use rayon::prelude::*;
use shipgate_model::{RuleMeta, Severity};

use crate::FileFindings;
use crate::audit::{AuditMeta, CiFinding, Sink};
use crate::repo::{FileKind, Repo};

pub use claims::{Reach, reach_of};
pub use linkage::{Link, Usage, UsageKind, usages};

/// The cloud (or secret store) a trust policy belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    /// An AWS IAM role trust policy.
    Aws,
    /// A Google Cloud workload identity pool provider or service account binding.
    Gcp,
    /// An Azure federated identity credential.
    Azure,
    /// A HashiCorp Vault JWT auth role.
    Vault,
}

/// Whose OIDC tokens a trust policy accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Issuer {
    /// GitHub Actions (`token.actions.githubusercontent.com`).
    Github,
    /// GitLab CI `id_tokens` (gitlab.com or a self-managed instance).
    Gitlab,
}

impl Issuer {
    /// The issuer named by a URL, host, ARN or condition key, if it is one
    /// of the CI platforms.
    pub fn from_text(text: &str) -> Option<Issuer> {
        let lower = text.to_ascii_lowercase();
        if lower.contains("token.actions.githubusercontent.com") {
            Some(Issuer::Github)
        } else if lower.contains("gitlab") {
            Some(Issuer::Gitlab)
        } else {
            None
        }
    }

    fn platform(self) -> &'static str {
        match self {
            Issuer::Github => "GitHub",
            Issuer::Gitlab => "GitLab",
        }
    }
}

/// One value a condition compares a claim with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimValue {
    /// The value as written (Terraform interpolations kept verbatim).
    pub text: String,
    /// Where it is written.
    pub span: Range<usize>,
}

/// One condition on a token claim: the claim must equal (or, for a glob,
/// match) one of the values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimTest {
    /// The claim name without issuer prefix: `sub`, `aud`, `repository`...
    pub claim: String,
    /// Whether `*` and `?` are wildcards.
    pub glob: bool,
    /// The accepted values.
    pub values: Vec<ClaimValue>,
    /// The whole condition.
    pub span: Range<usize>,
}

/// A trust relationship between a CI platform's OIDC tokens and a cloud
/// identity, wherever it was read from.
#[derive(Clone, Debug)]
pub struct TrustPolicy {
    /// File the spans refer to.
    pub path: String,
    /// Cloud the identity lives in.
    pub cloud: Cloud,
    /// Whose tokens are trusted.
    pub issuer: Issuer,
    /// How the policy is named in its file, such as `aws_iam_role.deploy`.
    pub name: String,
    /// Symbolic location of the trust, such as
    /// `aws_iam_role.deploy.assume_role_policy.Statement[0]`.
    pub symbolic: String,
    /// Where findings about a missing condition point.
    pub anchor: Range<usize>,
    /// Names workflows use to refer to this identity: role names, pool
    /// and provider ids, Vault role names.
    pub identities: Vec<String>,
    /// The conditions on token claims.
    pub conditions: Vec<ClaimTest>,
    /// Whether the cloud relies on the policy itself to check `aud`: AWS
    /// and Vault do; GCP and Azure check a configured audience themselves.
    pub audience_required: bool,
}

impl TrustPolicy {
    /// Whether any condition tests `claim`.
    pub fn tests_claim(&self, claim: &str) -> bool {
        self.conditions.iter().any(|c| c.claim == claim)
    }
}

/// One trust audit. Each lives in its own module, whose doc comment on its
/// `audit_meta!` is the rule's documentation.
trait TrustAudit: Sync {
    /// The rule this audit reports.
    fn meta(&self) -> &'static AuditMeta;

    /// Checks one policy; `link` adds what the repository's workflows
    /// tell about it to each finding.
    fn check(&self, policy: &TrustPolicy, link: &Link, sink: &mut Sink);
}

fn all() -> [&'static dyn TrustAudit; 2] {
    [
        &unpinned_subject::UnpinnedSubject,
        &missing_audience::MissingAudience,
    ]
}

/// Metadata of every trust rule.
pub fn rule_metas() -> Vec<RuleMeta> {
    all().iter().map(|a| a.meta().rule_meta()).collect()
}

/// Whether a JSON file is worth keeping for trust analysis: only documents
/// that mention web-identity role assumption or a CI issuer can hold a CI
/// trust policy, and checking that on the raw bytes keeps a repository's
/// other JSON files (lockfiles, fixtures) out of memory.
pub fn may_hold_trust_policy(content: &[u8]) -> bool {
    [
        b"AssumeRoleWithWebIdentity".as_slice(),
        b"token.actions.githubusercontent.com",
        b"gitlab",
    ]
    .iter()
    .any(|needle| memchr::memmem::find(content, needle).is_some())
}

/// Every trust policy in the Terraform and JSON files of `repo`.
pub fn policies(repo: &Repo) -> Vec<TrustPolicy> {
    let terraform: Vec<(&str, &str)> = repo
        .of_kind(FileKind::Terraform)
        .filter_map(|f| Some((f.path.as_str(), f.text().ok()?)))
        .collect();
    let mut found = terraform::policies(&terraform);
    let json: Vec<TrustPolicy> = repo
        .of_kind(FileKind::Json)
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|file| match file.text() {
            Ok(text) => iam::json_file_policies(&file.path, text),
            Err(_) => Vec::new(),
        })
        .collect();
    terraform::name_json_roles(&terraform, json.into_iter(), &mut found);
    found
}

/// Audits the trust policies in `repo` and links them to its workflows.
pub fn audit(repo: &Repo) -> Vec<FileFindings> {
    let found = policies(repo);
    if found.is_empty() {
        return Vec::new();
    }
    audit_policies(&found, &usages(repo))
}

/// Audits `policies` against the workflow `usages` of the same repository;
/// the findings are grouped per file, in path order.
pub fn audit_policies(policies: &[TrustPolicy], usages: &[Usage]) -> Vec<FileFindings> {
    let mut by_path: std::collections::BTreeMap<&str, Sink> = std::collections::BTreeMap::new();
    for policy in policies {
        let link = Link::new(policy, usages);
        let sink = by_path.entry(policy.path.as_str()).or_default();
        for audit in all() {
            audit.check(policy, &link, sink);
        }
    }
    by_path
        .into_iter()
        .map(|(path, sink)| FileFindings {
            path: path.to_owned(),
            findings: sink.into_findings(),
        })
        .filter(|f| !f.findings.is_empty())
        .collect()
}

/// One step up, for trust that fork-triggerable workflows assume.
fn raised(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        _ => Severity::Critical,
    }
}

/// Applies the workflow linkage to a fresh finding.
fn linked(finding: &mut CiFinding, link: &Link, advice: &str) {
    let mut note = String::new();
    if let Some(text) = link.note() {
        note.push_str(&text);
        note.push(' ');
    }
    note.push_str(advice);
    if link.fork_triggerable() {
        let severity = raised(finding.severity);
        finding.severity(severity);
    }
    finding.note(note);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_that_can_hold_ci_trust_is_kept() {
        assert!(may_hold_trust_policy(
            br#"{"Action": "sts:AssumeRoleWithWebIdentity"}"#
        ));
        assert!(may_hold_trust_policy(
            b"{\"url\": \"https://gitlab.example.com\"}"
        ));
        assert!(!may_hold_trust_policy(
            br#"{"name": "left-pad", "version": "1.3.0"}"#
        ));
    }

    #[test]
    fn terraform_file_calls_name_the_role_of_a_json_document() {
        let terraform = [(
            "infra/iam.tf",
            "resource \"aws_iam_role\" \"r\" {\n  name = \"gha-deploy\"\n  assume_role_policy = file(\"${path.module}/trust/gha.json\")\n}\n",
        )];
        let json = iam::json_file_policies(
            "infra/trust/gha.json",
            r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"}}]}"#,
        );
        let mut found = Vec::new();
        terraform::name_json_roles(&terraform, json.into_iter(), &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].identities, ["gha-deploy"]);
    }
}
