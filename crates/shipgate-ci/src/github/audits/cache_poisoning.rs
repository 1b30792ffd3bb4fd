use shipgate_model::Confidence;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::commands::deploys;
use crate::github::model::{Job, Step, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Node;

audit_meta! {
    /// Finds jobs that publish or release and restore a build cache on the
    /// way: `actions/cache`, `actions/setup-*` with `cache:`,
    /// `Swatinem/rust-cache`, `docker/build-push-action` reading
    /// `type=gha`, and the like.
    ///
    /// ## Why it matters
    /// Caches are shared across a repository's workflows by key. Anything
    /// that can write a cache entry on the default branch (a
    /// `pull_request_target` job, a compromised test dependency, a
    /// hijacked action in an unrelated workflow) can plant one a release
    /// job later restores, and the poisoned dependency or compiler output
    /// ships in the release. Release jobs should build from scratch.
    ///
    /// A job publishes when it runs a publish or deploy command or action,
    /// or when the workflow only runs on releases or tag pushes.
    ///
    /// ## Example
    /// ```yaml
    /// on:
    ///   push:
    ///     tags: ["v*"]
    /// jobs:
    ///   release:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - uses: actions/setup-node@v4
    ///         with:
    ///           cache: npm           # flagged
    ///       - run: npm ci && npm publish
    /// ```
    ///
    /// ## Fix
    /// Turn caching off in publishing jobs (drop `cache:`, set
    /// `cache: false` or `lookup-only`, or use `actions/cache/save` only),
    /// and build releases from a clean state.
    pub(crate) static CACHE_POISONING = {
        id: "github/cache-poisoning",
        title: "Release or publish job restores a cache",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-4", "CICD-SEC-9", "SLSA-build-isolated"],
    };
}

/// `actions/setup-*` and similar actions whose `cache`-like input, when
/// set, restores a dependency cache.
const CACHE_INPUTS: &[(&str, &str)] = &[
    ("actions/setup-node", "cache"),
    ("actions/setup-python", "cache"),
    ("actions/setup-java", "cache"),
    ("actions/setup-dotnet", "cache"),
    ("astral-sh/setup-uv", "enable-cache"),
    ("ruby/setup-ruby", "bundler-cache"),
    ("pnpm/action-setup", "cache"),
    ("oven-sh/setup-bun", "cache"),
];

/// Actions that restore a cache whenever they run.
const CACHING_ACTIONS: &[&str] = &[
    "Swatinem/rust-cache",
    "mozilla-actions/sccache-action",
    "actions/cache",
];

pub(crate) struct CachePoisoning;

impl GithubAudit for CachePoisoning {
    fn meta(&self) -> &'static AuditMeta {
        &CACHE_POISONING
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let release_only = !workflow.triggers.is_empty()
            && workflow.triggers.iter().all(|t| {
                t.name == "release"
                    || (t.name == "push"
                        && t.config.is_some_and(|c| {
                            c.get("tags").is_some() && c.get("branches").is_none()
                        }))
            });
        for job in &workflow.jobs {
            // Restores are rarer than steps, so look for them first.
            let restores: Vec<(&Step<'_>, Restore<'_>)> = job
                .steps
                .iter()
                .filter_map(|step| restores_cache(step).map(|restore| (step, restore)))
                .collect();
            if restores.is_empty() {
                continue;
            }
            let publishes = job
                .steps
                .iter()
                .find_map(deploys)
                .or_else(|| release_only.then(|| "runs only for releases and tags".to_owned()));
            let Some(publishes) = publishes else {
                continue;
            };
            for (step, restore) in &restores {
                report(sink, job, step, restore, &publishes);
            }
        }
    }
}

/// A step's cache restore: where it is written, what it is, how sure.
struct Restore<'d> {
    node: &'d Node,
    /// Symbolic suffix under the step, `uses` or `with.<input>`.
    field: String,
    what: String,
    confidence: Confidence,
}

fn report(sink: &mut Sink, job: &Job<'_>, step: &Step<'_>, restore: &Restore<'_>, publishes: &str) {
    let publishes = if publishes.starts_with('`') {
        format!("publishes with {publishes}")
    } else {
        publishes.to_owned()
    };
    sink.report(
        &CACHE_POISONING,
        restore.node.span.clone(),
        format!("{}.{}", step.path, restore.field),
        format!(
            "{} restores a cache in job `{}`, which {publishes}: a cache entry planted by another workflow run can end up in the release",
            restore.what, job.id
        ),
    )
    .confidence(restore.confidence);
}

/// The node to point at, a description and the confidence, when `step`
/// restores a cache.
fn restores_cache<'d>(step: &Step<'d>) -> Option<Restore<'d>> {
    let uses = step.uses?;
    for (slug, input) in CACHE_INPUTS {
        if step.uses_action(slug) {
            let value = step.input(input)?;
            let off = value.as_bool() == Some(false)
                || value.as_str().is_some_and(|v| v.trim().is_empty());
            return (!off).then(|| Restore {
                node: value,
                field: format!("with.{input}"),
                what: format!("`{slug}` with `{input}`"),
                confidence: Confidence::High,
            });
        }
    }
    if step.uses_action("actions/setup-go") {
        let explicit = step.input("cache");
        if explicit.is_some_and(|v| v.as_bool() == Some(false)) {
            return None;
        }
        return Some(match explicit {
            Some(value) => Restore {
                node: value,
                field: "with.cache".into(),
                what: "`actions/setup-go` with `cache`".into(),
                confidence: Confidence::High,
            },
            None => Restore {
                node: uses,
                field: "uses".into(),
                what: "`actions/setup-go` (caching by default since v4)".into(),
                confidence: Confidence::Medium,
            },
        });
    }
    if step.uses_action("docker/build-push-action") {
        let cache_from = step.input("cache-from")?;
        return cache_from
            .as_str()
            .is_some_and(|c| c.contains("type=gha"))
            .then(|| Restore {
                node: cache_from,
                field: "with.cache-from".into(),
                what: "`docker/build-push-action` with `cache-from: type=gha`".into(),
                confidence: Confidence::High,
            });
    }
    let uses_text = uses.as_str()?;
    if uses_text.contains("actions/cache/save") {
        return None;
    }
    if step.uses_action("actions/cache")
        && step
            .input("lookup-only")
            .is_some_and(|v| v.as_bool() == Some(true))
    {
        return None;
    }
    CACHING_ACTIONS
        .iter()
        .find(|slug| step.uses_action(slug))
        .map(|slug| Restore {
            node: uses,
            field: "uses".into(),
            what: format!("`{slug}`"),
            confidence: Confidence::High,
        })
}
