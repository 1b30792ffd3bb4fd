use shipgate_model::{Persona, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::pipeline::{Job, Pipeline};
use crate::gitlab::script::script_lines;
use crate::gitlab::vars::{runs_only_on_protected_refs, when_of};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};
use crate::shell::Command;

audit_meta! {
    /// Finds jobs that deploy or publish (an `environment:` named
    /// production, prod or live, or a script that runs `kubectl apply`,
    /// `helm upgrade`, `terraform apply`, `docker push`, a cloud deploy
    /// command or a package `publish`) and that run automatically on any
    /// branch: no `when: manual` gate and no rule limiting them to the
    /// default branch, tags or protected refs. Deploy scripts with no
    /// `environment:` at all are reported too.
    ///
    /// ## Why it matters
    /// Anyone who can push a branch can then change what is deployed to
    /// production or published under your name, and the job gets the
    /// deployment credentials. An `environment:` lets GitLab protect the
    /// deployment (who may run it, approvals, environment-scoped
    /// variables); `rules:` limited to protected refs keep unreviewed code
    /// out of it. Protected-environment settings live in the project, not
    /// in the file, so the finding cannot see them: confidence is medium.
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   environment: production     # flagged: runs on every branch
    ///   script: [kubectl apply -f k8s/]
    ///
    /// deploy-safely:
    ///   environment: production
    ///   script: [kubectl apply -f k8s/]
    ///   rules:
    ///     - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
    ///       when: manual
    /// ```
    ///
    /// ## Fix
    /// Give the job an `environment:`, protect that environment in the
    /// project settings, and limit the job with `rules:` to
    /// `$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH` or `$CI_COMMIT_TAG`
    /// (optionally `when: manual`).
    pub(crate) static UNPROTECTED_DEPLOYMENT = {
        id: "gitlab/unprotected-deployment",
        title: "Deployment job runs on any branch without a gate",
        severity: High,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-1", "area-approval-gates", "SOC2-CC8.1"],
    };
}

/// Environment names that mean the live system.
const PRODUCTION: &[&str] = &["production", "prod", "live"];

/// What a deploy command does, for the message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Deploys {
    /// Changes running infrastructure.
    Infrastructure,
    /// Publishes a package to a public registry.
    Package,
}

/// What `command` deploys, if anything.
fn deploy_kind(command: &Command) -> Option<Deploys> {
    let program = command.program()?;
    let args: Vec<&str> = command
        .arguments()
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    let has = |word: &str| args.contains(&word);
    let infrastructure = match program {
        "kubectl" | "oc" => has("apply") || has("replace") || (has("rollout") && has("restart")),
        "helm" => has("upgrade") || has("install"),
        "terraform" | "tofu" | "terragrunt" => has("apply"),
        "aws" => has("deploy") || has("update-service") || has("update-function-code"),
        "gcloud" => has("deploy"),
        "az" => has("deploy") || (has("deployment") && has("create")),
        "docker" | "podman" | "buildah" => {
            let pushes = args.first() == Some(&"push")
                || (args.first() == Some(&"image") && args.get(1) == Some(&"push"));
            // Pushing to the project's own registry is how CI images and
            // per-branch builds are shared; publishing elsewhere is a release.
            pushes
                && !command
                    .arguments()
                    .iter()
                    .any(|w| w.text.contains("CI_REGISTRY"))
        }
        _ => false,
    };
    if infrastructure {
        return Some(Deploys::Infrastructure);
    }
    let package = match program {
        "npm" | "yarn" | "pnpm" | "cargo" | "poetry" | "flit" | "hatch" => {
            args.first() == Some(&"publish")
        }
        "twine" => args.first() == Some(&"upload"),
        "gem" => args.first() == Some(&"push"),
        _ => false,
    };
    package.then_some(Deploys::Package)
}

/// The first deploy command of the job, with the line it is on.
fn first_deploy(job: &Job<'_>) -> Option<(Deploys, String)> {
    script_lines(job).iter().find_map(|line| {
        line.commands().into_iter().find_map(|(_, _, command)| {
            let kind = deploy_kind(command)?;
            let text = line.line.as_str()?;
            let shown = text.get(command.range.clone()).unwrap_or(text);
            Some((kind, shown.lines().next().unwrap_or(shown).to_owned()))
        })
    })
}

/// Whether a person must start the job: `when: manual` on the job or on
/// every rule that runs it.
fn is_manual(job: &Job<'_>) -> bool {
    if job.get("when").and_then(|w| w.as_str()) == Some("manual") {
        return true;
    }
    let rules = job.rules();
    let running: Vec<_> = rules
        .iter()
        .filter(|rule| when_of(rule) != Some("never"))
        .collect();
    !running.is_empty() && running.iter().all(|rule| when_of(rule) == Some("manual"))
}

pub(crate) struct UnprotectedDeployment;

impl GitlabAudit for UnprotectedDeployment {
    fn meta(&self) -> &'static AuditMeta {
        &UNPROTECTED_DEPLOYMENT
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        let environment = job.environment_name();
        let action = job
            .get("environment")
            .and_then(|e| e.get("action"))
            .and_then(|a| a.as_str());
        if matches!(action, Some("stop" | "prepare" | "verify" | "access")) {
            return;
        }
        let production = environment.is_some_and(|name| {
            let lower = name.to_ascii_lowercase();
            PRODUCTION
                .iter()
                .any(|p| lower == *p || lower.starts_with(&format!("{p}/")))
        });
        let deploy = first_deploy(job);
        if !production && deploy.is_none() {
            return;
        }
        let protected = runs_only_on_protected_refs(pipeline, job);
        let manual = is_manual(job);
        let what = match (&deploy, environment) {
            (Some((_, command)), _) => format!("runs `{command}`"),
            (None, Some(name)) => format!("deploys to `{name}`"),
            (None, None) => "deploys".to_owned(),
        };
        if environment.is_none() {
            let finding = out.report_node(
                &UNPROTECTED_DEPLOYMENT,
                &job.key,
                format!("job `{}` {what} with no `environment:`, so GitLab cannot protect or approve it", job.name),
            );
            if protected || manual {
                finding
                    .severity(Severity::Low)
                    .persona(Persona::Pedantic)
                    .note("it is limited to protected refs or started by hand; an environment would add access control and scoped variables");
            } else if matches!(deploy, Some((Deploys::Infrastructure, _))) {
                finding.severity(Severity::Medium);
            }
            return;
        }
        if protected || manual {
            return;
        }
        let finding = out.report_node(
            &UNPROTECTED_DEPLOYMENT,
            &job.key,
            format!(
                "job `{}` {what} automatically on any branch: no `when: manual` and no rule limiting it to the default branch, tags or protected refs",
                job.name
            ),
        );
        if !production && !matches!(deploy, Some((Deploys::Package, _))) {
            finding.severity(Severity::Medium);
        }
    }
}
