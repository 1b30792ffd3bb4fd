//! Which workflows of the repository assume a trust policy's identity, and
//! whether anyone outside the repository can start them.

use crate::github::model::Workflow;
use crate::repo::{FileKind, Repo};

use super::{Cloud, Issuer, TrustPolicy};

/// Triggers that run a workflow in the base repository's context on
/// behalf of someone who may not have write access (forks, commenters).
const FORK_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "discussion_comment",
];

/// How a CI job obtains cloud credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsageKind {
    /// `aws-actions/configure-aws-credentials` with `role-to-assume`.
    AwsRole,
    /// `google-github-actions/auth` with `workload_identity_provider`.
    GcpProvider,
    /// `azure/login` with `client-id`.
    AzureLogin,
    /// `hashicorp/vault-action` with `role`.
    VaultRole,
    /// A GitLab job that requests `id_tokens`.
    GitlabIdToken,
}

/// One place a CI file asks for cloud credentials.
#[derive(Clone, Debug)]
pub struct Usage {
    /// The CI file.
    pub path: String,
    /// Symbolic location: `jobs.deploy.steps[2]` or a GitLab job name.
    pub location: String,
    /// How it asks.
    pub kind: UsageKind,
    /// The role, provider or client id it names, as written.
    pub value: String,
    /// A trigger of the workflow that outsiders can start, if any.
    pub fork_trigger: Option<String>,
}

/// Every credential request in the repository's workflows and pipelines.
pub fn usages(repo: &Repo) -> Vec<Usage> {
    let mut found = Vec::new();
    for file in repo.of_kind(FileKind::GithubWorkflow) {
        let Ok(doc) = file.document() else { continue };
        let Some(workflow) = Workflow::new(doc) else {
            continue;
        };
        let fork_trigger = workflow
            .triggers
            .iter()
            .find(|t| FORK_TRIGGERS.contains(&t.name))
            .map(|t| t.name.to_owned());
        for step in workflow.jobs.iter().flat_map(|job| &job.steps) {
            let request = [
                (
                    "aws-actions/configure-aws-credentials",
                    "role-to-assume",
                    UsageKind::AwsRole,
                ),
                (
                    "google-github-actions/auth",
                    "workload_identity_provider",
                    UsageKind::GcpProvider,
                ),
                ("azure/login", "client-id", UsageKind::AzureLogin),
                ("hashicorp/vault-action", "role", UsageKind::VaultRole),
            ]
            .into_iter()
            .find(|(action, input, kind)| {
                step.uses_action(action)
                    && (step.input(input).is_some() || *kind == UsageKind::AzureLogin)
            });
            if let Some((_, input, kind)) = request {
                found.push(Usage {
                    path: file.path.clone(),
                    location: step.path.clone(),
                    kind,
                    value: step
                        .input(input)
                        .and_then(|n| n.as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    fork_trigger: fork_trigger.clone(),
                });
            }
        }
    }
    for file in repo.of_kind(FileKind::GitlabPipeline) {
        let Ok(doc) = file.document() else { continue };
        let Some(root) = doc.root() else { continue };
        for job in root.entries() {
            let Some(tokens) = job.value.get("id_tokens") else {
                continue;
            };
            let audiences: Vec<&str> = tokens
                .entries()
                .filter_map(|token| token.value.get("aud"))
                .flat_map(|aud| {
                    aud.as_str()
                        .into_iter()
                        .chain(aud.items().filter_map(|a| a.as_str()))
                })
                .collect();
            found.push(Usage {
                path: file.path.clone(),
                location: job.key.as_str().unwrap_or_default().to_owned(),
                kind: UsageKind::GitlabIdToken,
                value: audiences.join(", "),
                fork_trigger: None,
            });
        }
    }
    found
}

/// How sure a usage is to assume a policy's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relation {
    /// It names the role, provider or Vault role.
    Assumes,
    /// It takes the name from a variable or secret, or the cloud's
    /// reference (an Azure client id) cannot be compared.
    Possibly,
}

/// What the repository's CI files say about one trust policy.
#[derive(Clone, Debug, Default)]
pub struct Link {
    assumes: Vec<String>,
    possibly: Vec<String>,
    fork: Vec<String>,
}

impl Link {
    /// Links `policy` to `usages`.
    pub fn new(policy: &TrustPolicy, usages: &[Usage]) -> Link {
        let mut link = Link::default();
        for usage in usages {
            let Some(relation) = relation(policy, usage) else {
                continue;
            };
            let place = format!("`{}` ({})", usage.path, usage.location);
            if let (Relation::Assumes, Some(trigger)) = (relation, &usage.fork_trigger) {
                link.fork
                    .push(format!("`{}` runs on `{trigger}`", usage.path));
            }
            match relation {
                Relation::Assumes => link.assumes.push(place),
                Relation::Possibly => link.possibly.push(place),
            }
        }
        link
    }

    /// Whether a workflow that outsiders can start assumes the identity.
    pub fn fork_triggerable(&self) -> bool {
        !self.fork.is_empty()
    }

    /// The linkage in a sentence or two, when there is any.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.assumes.is_empty() {
            parts.push(format!("Assumed by {}.", self.assumes.join(", ")));
        }
        if !self.possibly.is_empty() {
            parts.push(format!(
                "Possibly assumed by {} (the identity is not named literally).",
                self.possibly.join(", ")
            ));
        }
        if !self.fork.is_empty() {
            parts.push(format!(
                "{}, which people without write access can trigger: severity raised.",
                self.fork.join(" and ")
            ));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

fn relation(policy: &TrustPolicy, usage: &Usage) -> Option<Relation> {
    let cloud = match usage.kind {
        UsageKind::GitlabIdToken => {
            return (policy.issuer == Issuer::Gitlab).then_some(Relation::Possibly);
        }
        UsageKind::AwsRole => Cloud::Aws,
        UsageKind::GcpProvider => Cloud::Gcp,
        UsageKind::AzureLogin => Cloud::Azure,
        UsageKind::VaultRole => Cloud::Vault,
    };
    if policy.issuer != Issuer::Github || policy.cloud != cloud {
        return None;
    }
    let value = usage.value.trim();
    if value.contains("${{") || cloud == Cloud::Azure {
        return Some(Relation::Possibly);
    }
    let named = match cloud {
        Cloud::Aws => policy.identities.iter().any(|id| {
            value == id
                || value.ends_with(&format!(":role/{id}"))
                || value.ends_with(&format!("/{id}"))
        }),
        Cloud::Gcp => {
            let segments: Vec<&str> = value.split('/').collect();
            let after = |key: &str| {
                segments
                    .iter()
                    .position(|s| *s == key)
                    .and_then(|i| segments.get(i + 1))
            };
            [after("workloadIdentityPools"), after("providers")]
                .into_iter()
                .flatten()
                .any(|segment| policy.identities.iter().any(|id| id == segment))
        }
        _ => policy.identities.iter().any(|id| id == value),
    };
    named.then_some(Relation::Assumes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(cloud: Cloud, identities: &[&str]) -> TrustPolicy {
        TrustPolicy {
            path: "infra/iam.tf".into(),
            cloud,
            issuer: Issuer::Github,
            name: "x".into(),
            symbolic: "x".into(),
            anchor: 0..1,
            identities: identities.iter().map(|s| (*s).to_owned()).collect(),
            conditions: Vec::new(),
            audience_required: true,
        }
    }

    fn usage(kind: UsageKind, value: &str, fork: Option<&str>) -> Usage {
        Usage {
            path: ".github/workflows/deploy.yml".into(),
            location: "jobs.deploy.steps[1]".into(),
            kind,
            value: value.into(),
            fork_trigger: fork.map(str::to_owned),
        }
    }

    #[test]
    fn roles_are_matched_by_name_or_arn_and_variables_only_possibly() {
        let aws = policy(Cloud::Aws, &["gha-deploy"]);
        let arn = usage(
            UsageKind::AwsRole,
            "arn:aws:iam::123456789012:role/gha-deploy",
            None,
        );
        assert_eq!(relation(&aws, &arn), Some(Relation::Assumes));
        let other = usage(
            UsageKind::AwsRole,
            "arn:aws:iam::123456789012:role/gha-deploy-2",
            None,
        );
        assert_eq!(relation(&aws, &other), None);
        let secret = usage(UsageKind::AwsRole, "${{ secrets.ROLE_ARN }}", None);
        assert_eq!(relation(&aws, &secret), Some(Relation::Possibly));
        let gcp = policy(Cloud::Gcp, &["github", "ci-pool"]);
        let provider = usage(
            UsageKind::GcpProvider,
            "projects/1/locations/global/workloadIdentityPools/ci-pool/providers/github",
            None,
        );
        assert_eq!(relation(&gcp, &provider), Some(Relation::Assumes));
        assert_eq!(relation(&gcp, &arn), None);
    }

    #[test]
    fn fork_triggers_are_reported_only_for_certain_links() {
        let aws = policy(Cloud::Aws, &["gha-deploy"]);
        let usages = [
            usage(
                UsageKind::AwsRole,
                "gha-deploy",
                Some("pull_request_target"),
            ),
            usage(
                UsageKind::AwsRole,
                "${{ vars.ROLE }}",
                Some("issue_comment"),
            ),
        ];
        let link = Link::new(&aws, &usages);
        assert!(link.fork_triggerable());
        let note = link.note().expect("linked");
        assert!(note.contains("pull_request_target"), "{note}");
        assert!(!note.contains("issue_comment"), "{note}");
        assert!(note.contains("Possibly assumed"), "{note}");
    }
}
