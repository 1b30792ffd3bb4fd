use crate::audit::{AuditMeta, audit_meta};
use crate::credentials::is_credential_name;
use crate::gitlab::pipeline::{Job, Pipeline, Value};
use crate::gitlab::script::script_lines;
use crate::gitlab::vars::{
    excludes_forks, is_predefined, matches_merge_requests, references, rule_if, when_of,
};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};

audit_meta! {
    /// Finds jobs that run in merge-request pipelines (`rules: - if:
    /// $CI_PIPELINE_SOURCE == "merge_request_event"`, `only:
    /// [merge_requests]`, or `workflow: rules:` that admit merge requests)
    /// and use secrets (CI/CD variables with secret-looking names, `id_tokens:`,
    /// Vault `secrets:`) without a rule that keeps merge requests from forks
    /// out (`$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID`).
    ///
    /// ## Why it matters
    /// By default GitLab runs the pipeline of a fork's merge request in the
    /// fork, with the fork's variables, so your secrets are safe. But a
    /// maintainer can run it in the parent project ("Run pipeline" on the
    /// merge request's Pipelines tab, or merge trains and merged-results
    /// pipelines in some setups), and then the fork's code runs with the
    /// parent project's unprotected CI/CD variables and can mint its ID
    /// tokens. One click on a plausible-looking merge request is enough.
    /// Protected variables are not exposed, since the fork's branch is not
    /// protected.
    ///
    /// ## Example
    /// ```yaml
    /// integration:
    ///   rules:
    ///     - if: $CI_PIPELINE_SOURCE == "merge_request_event"   # flagged
    ///   script: [./run-tests --api-key "$STAGING_API_KEY"]
    /// ```
    ///
    /// ## Fix
    /// Add the source-project check to the rule, make the secrets
    /// protected variables, or split the job so the secret-using part runs
    /// only on protected branches:
    /// ```yaml
    ///   rules:
    ///     - if: $CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID
    /// ```
    pub(crate) static FORK_MR_SECRETS = {
        id: "gitlab/fork-mr-secrets",
        title: "Merge-request job uses secrets without excluding forks",
        severity: Medium,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-4", "area-secrets"],
    };
}

pub(crate) struct ForkMrSecrets;

impl GitlabAudit for ForkMrSecrets {
    fn meta(&self) -> &'static AuditMeta {
        &FORK_MR_SECRETS
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        let Some(how) = runs_for_merge_requests(pipeline, job) else {
            return;
        };
        let Some(secret) = secret_used(job) else {
            return;
        };
        out.report_node(
            &FORK_MR_SECRETS,
            &job.key,
            format!(
                "job `{}` runs in merge-request pipelines ({how}) and uses {secret}, with no rule excluding merge requests from forks",
                job.name
            ),
        );
    }
}

/// How the job gets into merge-request pipelines without a fork check, if it does.
fn runs_for_merge_requests(pipeline: &Pipeline<'_>, job: &Job<'_>) -> Option<&'static str> {
    let rules = job.rules();
    if !rules.is_empty() {
        return unguarded(&rules).then_some("its `rules:`");
    }
    if let Some(only) = job.get("only") {
        let refs = only.get("refs").unwrap_or(only);
        let names: Vec<&str> = refs
            .lines()
            .into_iter()
            .filter_map(|l| l.as_str())
            .collect();
        return names
            .contains(&"merge_requests")
            .then_some("`only: merge_requests`");
    }
    let workflow = pipeline.workflow_rules();
    let workflow: Vec<&Value<'_>> = workflow.iter().collect();
    unguarded(&workflow).then_some("the `workflow: rules:`")
}

/// Whether the first rule matching merge requests runs the job, and no
/// earlier or same rule keeps forks out.
fn unguarded(rules: &[&Value<'_>]) -> bool {
    for rule in rules {
        let Some(condition) = rule_if(rule) else {
            continue;
        };
        let compact: String = condition.chars().filter(|c| !c.is_whitespace()).collect();
        let never = when_of(rule) == Some("never");
        if never
            && (compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_ID!=$CI_PROJECT_ID")
                || compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH!=$CI_PROJECT_PATH"))
        {
            return false;
        }
        if matches_merge_requests(condition) {
            return !never && !excludes_forks(condition);
        }
    }
    false
}

/// The first secret the job uses, described.
fn secret_used(job: &Job<'_>) -> Option<String> {
    if job.get("id_tokens").is_some() {
        return Some("`id_tokens:`".to_owned());
    }
    if job.get("secrets").is_some() {
        return Some("`secrets:`".to_owned());
    }
    let is_secret = |name: &str| !is_predefined(name) && is_credential_name(name);
    for variable in job.variables() {
        let Some(text) = variable.value.and_then(|v| v.as_str()) else {
            continue;
        };
        if let Some((name, _)) = references(text)
            .into_iter()
            .find(|(name, _)| is_secret(name))
        {
            return Some(format!("`${name}`"));
        }
    }
    for line in script_lines(job) {
        for (_, _, command) in line.commands() {
            for word in &command.words {
                if let Some(name) = word.variables.iter().find(|name| is_secret(name)) {
                    return Some(format!("`${name}`"));
                }
            }
        }
    }
    None
}
