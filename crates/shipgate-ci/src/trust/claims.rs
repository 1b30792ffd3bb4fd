//! How far a trust condition's claim values reach: one repository's
//! protected context, or every repository on the platform.

use std::ops::Range;

use super::{ClaimTest, Issuer};

/// How many workloads a trust condition admits, narrowest first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// One repository (or project), in one named context or any context
    /// the condition does not widen with a wildcard.
    Pinned,
    /// Any pull request of one repository.
    AnyPullRequest {
        /// `owner/repo` or `group/project`.
        repository: String,
    },
    /// Any branch, tag or environment of one repository.
    AnyRef {
        /// `owner/repo` or `group/project`.
        repository: String,
        /// What the wildcard ranges over: `branch`, `tag`, `environment`, `ref`.
        over: &'static str,
    },
    /// Any workflow run of one repository: every branch, pull request and
    /// environment.
    AnyContext {
        /// `owner/repo` or `group/project`.
        repository: String,
    },
    /// Any repository of one owner, organisation or group.
    AnyRepository {
        /// The owner or group.
        owner: String,
    },
    /// Any repository of any owner on the platform.
    AnyOwner,
}

/// The reach of one condition, with the value that sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judged {
    /// How far the condition reaches.
    pub reach: Reach,
    /// Span of the value that reaches furthest.
    pub span: Range<usize>,
    /// That value.
    pub value: String,
    /// The claim it is compared with.
    pub claim: String,
}

/// Whether a claim narrows who may assume a role: the subject and the
/// claims that name a repository, owner or workflow do; `aud`, `ref` or
/// `actor` alone do not.
pub fn is_identity_claim(claim: &str) -> bool {
    matches!(
        claim,
        "sub"
            | "repository"
            | "repository_id"
            | "repository_owner"
            | "repository_owner_id"
            | "job_workflow_ref"
            | "workflow_ref"
            | "project_path"
            | "project_id"
            | "namespace_path"
            | "namespace_id"
            | "ci_config_ref_uri"
    )
}

/// The narrowest reach among `tests` (conditions on different claims must
/// all hold), where each test reaches as far as its broadest value (values
/// of one claim are alternatives). `None` when no test constrains the
/// identity at all.
pub fn narrowest(issuer: Issuer, tests: &[ClaimTest]) -> Option<Judged> {
    tests
        .iter()
        .filter(|test| is_identity_claim(&test.claim))
        .filter_map(|test| broadest(issuer, test))
        .min_by(|a, b| a.reach.cmp(&b.reach))
}

fn broadest(issuer: Issuer, test: &ClaimTest) -> Option<Judged> {
    test.values
        .iter()
        .map(|value| Judged {
            reach: reach_of(issuer, &test.claim, &value.text, test.glob),
            span: value.span.clone(),
            value: value.text.clone(),
            claim: test.claim.clone(),
        })
        .max_by(|a, b| a.reach.cmp(&b.reach))
}

/// How far one value of `claim` reaches. Wildcards count only when the
/// comparison is a glob (`StringLike`, Vault `glob` claims, CEL
/// `startsWith`); an exact comparison treats `*` literally.
pub fn reach_of(issuer: Issuer, claim: &str, value: &str, glob: bool) -> Reach {
    let wild = |text: &str| glob && text.contains(['*', '?']);
    match claim {
        "sub" => subject_reach(issuer, value, glob),
        "repository_owner" | "repository_owner_id" | "namespace_path" | "namespace_id" => {
            if wild(value) || value.is_empty() {
                Reach::AnyOwner
            } else {
                Reach::AnyRepository {
                    owner: value.to_owned(),
                }
            }
        }
        "repository" | "project_path" | "job_workflow_ref" | "workflow_ref"
        | "ci_config_ref_uri" => {
            let path = value.split('@').next().unwrap_or(value);
            let (owner, rest) = path.split_once('/').unwrap_or((path, ""));
            if wild(owner) || owner.is_empty() {
                return Reach::AnyOwner;
            }
            let repository_part = match claim {
                "repository" | "project_path" => rest,
                _ => rest.split("/.").next().unwrap_or(rest),
            };
            if wild(repository_part) || repository_part.is_empty() {
                return Reach::AnyRepository {
                    owner: owner.to_owned(),
                };
            }
            if wild(value) {
                return Reach::AnyRef {
                    repository: format!("{owner}/{repository_part}"),
                    over: "ref",
                };
            }
            Reach::Pinned
        }
        _ if wild(value) => Reach::AnyOwner,
        _ => Reach::Pinned,
    }
}

/// Reach of a `sub` value: GitHub's `repo:OWNER/REPO:CONTEXT` or GitLab's
/// `project_path:GROUP/PROJECT:ref_type:KIND:ref:NAME`.
fn subject_reach(issuer: Issuer, value: &str, glob: bool) -> Reach {
    let wild = |text: &str| glob && text.contains(['*', '?']);
    let prefix = match issuer {
        Issuer::Gitlab => "project_path:",
        Issuer::Github => "repo:",
    };
    let Some(rest) = value.strip_prefix(prefix) else {
        return if wild(value) {
            Reach::AnyOwner
        } else {
            Reach::Pinned
        };
    };
    let (path, context) = rest.split_once(':').unwrap_or((rest, ""));
    let (owner, repository) = path.split_once('/').unwrap_or((path, ""));
    if wild(owner) || owner.is_empty() {
        return Reach::AnyOwner;
    }
    if wild(repository) || repository.is_empty() || (context.is_empty() && wild(rest)) {
        return Reach::AnyRepository {
            owner: owner.to_owned(),
        };
    }
    let repository = path.to_owned();
    if context == "pull_request" {
        return Reach::AnyPullRequest { repository };
    }
    if !wild(context) {
        return Reach::Pinned;
    }
    if context.trim_matches(['*', '?']).is_empty() {
        return Reach::AnyContext { repository };
    }
    let over = if context.starts_with("environment:") {
        "environment"
    } else if context.starts_with("ref:refs/heads/") || context.contains("ref_type:branch") {
        "branch"
    } else if context.starts_with("ref:refs/tags/") || context.contains("ref_type:tag") {
        "tag"
    } else {
        "ref"
    };
    Reach::AnyRef { repository, over }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::ClaimValue;

    fn github(claim: &str, value: &str) -> Reach {
        reach_of(Issuer::Github, claim, value, true)
    }

    #[test]
    fn github_subjects_are_judged_by_where_the_wildcard_sits() {
        assert_eq!(github("sub", "*"), Reach::AnyOwner);
        assert_eq!(github("sub", "repo:*"), Reach::AnyOwner);
        assert_eq!(
            github("sub", "repo:*/infra:ref:refs/heads/main"),
            Reach::AnyOwner
        );
        assert_eq!(
            github("sub", "repo:acme/*"),
            Reach::AnyRepository {
                owner: "acme".into()
            }
        );
        assert_eq!(
            github("sub", "repo:acme/app-*:ref:refs/heads/main"),
            Reach::AnyRepository {
                owner: "acme".into()
            }
        );
        assert_eq!(
            github("sub", "repo:acme/app:*"),
            Reach::AnyContext {
                repository: "acme/app".into()
            }
        );
        assert_eq!(
            github("sub", "repo:acme/app:ref:refs/heads/*"),
            Reach::AnyRef {
                repository: "acme/app".into(),
                over: "branch"
            }
        );
        assert_eq!(
            github("sub", "repo:acme/app:environment:*"),
            Reach::AnyRef {
                repository: "acme/app".into(),
                over: "environment"
            }
        );
        assert_eq!(
            github("sub", "repo:acme/app:pull_request"),
            Reach::AnyPullRequest {
                repository: "acme/app".into()
            }
        );
        assert_eq!(
            github("sub", "repo:acme/app:environment:prod"),
            Reach::Pinned
        );
        assert_eq!(
            github("sub", "repo:acme@123/app@456:ref:refs/heads/main"),
            Reach::Pinned
        );
    }

    #[test]
    fn exact_comparisons_take_wildcards_literally() {
        assert_eq!(
            reach_of(Issuer::Github, "sub", "repo:acme/*", false),
            Reach::Pinned
        );
        assert_eq!(
            reach_of(Issuer::Github, "repository", "acme/*", false),
            Reach::Pinned
        );
    }

    #[test]
    fn gitlab_subjects_allow_nested_groups() {
        let gitlab = |value| reach_of(Issuer::Gitlab, "sub", value, true);
        assert_eq!(
            gitlab("project_path:acme/*"),
            Reach::AnyRepository {
                owner: "acme".into()
            }
        );
        assert_eq!(
            gitlab("project_path:acme/platform/infra:ref_type:branch:ref:*"),
            Reach::AnyRef {
                repository: "acme/platform/infra".into(),
                over: "branch"
            }
        );
        assert_eq!(
            gitlab("project_path:acme/platform/infra:ref_type:branch:ref:main"),
            Reach::Pinned
        );
        assert_eq!(gitlab("project_path:*"), Reach::AnyOwner);
    }

    #[test]
    fn repository_claims_pin_or_widen() {
        assert_eq!(github("repository", "acme/app"), Reach::Pinned);
        assert_eq!(
            github("repository", "acme/*"),
            Reach::AnyRepository {
                owner: "acme".into()
            }
        );
        assert_eq!(
            github("repository_owner", "acme"),
            Reach::AnyRepository {
                owner: "acme".into()
            }
        );
        assert_eq!(
            github(
                "job_workflow_ref",
                "acme/app/.github/workflows/deploy.yml@*"
            ),
            Reach::AnyRef {
                repository: "acme/app".into(),
                over: "ref"
            }
        );
        assert_eq!(github("actor", "*"), Reach::AnyOwner);
    }

    #[test]
    fn the_narrowest_claim_wins_and_each_claim_counts_its_broadest_value() {
        let test = |claim: &str, values: &[&str]| ClaimTest {
            claim: claim.into(),
            glob: true,
            values: values
                .iter()
                .enumerate()
                .map(|(i, v)| ClaimValue {
                    text: (*v).into(),
                    span: i..i + 1,
                })
                .collect(),
            span: 0..1,
        };
        let judged = narrowest(
            Issuer::Github,
            &[
                test("sub", &["repo:acme/app:ref:refs/heads/main", "repo:acme/*"]),
                test("aud", &["sts.amazonaws.com"]),
            ],
        )
        .expect("sub constrains");
        assert_eq!(
            judged.reach,
            Reach::AnyRepository {
                owner: "acme".into()
            }
        );
        assert_eq!(judged.value, "repo:acme/*");
        let narrowed = narrowest(
            Issuer::Github,
            &[
                test("repository_owner", &["acme"]),
                test("repository", &["acme/app"]),
            ],
        )
        .expect("constrained");
        assert_eq!(narrowed.reach, Reach::Pinned);
        assert_eq!(narrowest(Issuer::Github, &[test("aud", &["x"])]), None);
    }
}
