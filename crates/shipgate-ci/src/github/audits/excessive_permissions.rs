use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::fix::{Edit, Fix};
use crate::github::commands::writes_with_token;
use crate::github::model::{Job, Workflow};
use crate::github::triggers::is_privileged;
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Entry;

audit_meta! {
    /// Finds `GITHUB_TOKEN` permissions wider than the jobs need: no
    /// `permissions:` at all, `write-all`, `contents: write` for jobs that
    /// never write, and `id-token: write` granted to every job of a
    /// workflow instead of the one that publishes.
    ///
    /// ## Why it matters
    /// Every job gets a token. Whatever a compromised step, action or
    /// dependency can do with it, an attacker can: push to branches, rewrite
    /// releases, approve pull requests, or mint cloud credentials through
    /// OIDC. Without a `permissions:` block the token's scope is the
    /// repository or organisation default, which is write access to
    /// everything for repositories created before February 2023 unless an
    /// administrator changed it. Reusable workflows (`on: workflow_call`)
    /// are skipped for the missing block: their caller sets the ceiling.
    ///
    /// ## Example
    /// ```yaml
    /// on: push
    /// permissions: write-all      # flagged
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: make test
    /// ```
    ///
    /// ## Fix
    /// Start every workflow with `permissions: contents: read` (the fix
    /// inserts it) and grant write scopes per job, only to the job that
    /// pushes, releases or publishes.
    pub(crate) static EXCESSIVE_PERMISSIONS = {
        id: "github/excessive-permissions",
        title: "Workflow token has more permissions than it needs",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-5", "checklist-3", "SSDF-PO.5", "SOC2-CC6.3"],
    };
}

/// Actions that only read the repository, so `contents: write` is surely
/// not for them.
const READ_ONLY_ACTIONS: &[&str] = &[
    "actions/checkout",
    "actions/cache",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/setup-node",
    "actions/setup-python",
    "actions/setup-go",
    "actions/setup-java",
    "actions/setup-dotnet",
    "dtolnay/rust-toolchain",
    "Swatinem/rust-cache",
    "actions-rs/toolchain",
    "docker/setup-buildx-action",
    "docker/setup-qemu-action",
    "codecov/codecov-action",
];

/// Words in a script that suggest it writes to the repository through
/// tooling we cannot see into.
const WRITE_HINTS: &[&str] = &[
    "release",
    "publish",
    "deploy",
    "tag",
    "version",
    "token",
    "push",
    "gh ",
    "api.github.com",
];

pub(crate) struct ExcessivePermissions;

impl GithubAudit for ExcessivePermissions {
    fn meta(&self) -> &'static AuditMeta {
        &EXCESSIVE_PERMISSIONS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        match workflow.permissions {
            None => missing_block(workflow, sink),
            Some(entry) => {
                let inheriting: Vec<&Job<'_>> = workflow
                    .jobs
                    .iter()
                    .filter(|job| job.permissions.is_none())
                    .collect();
                check_block(entry, "permissions", &inheriting, sink);
                id_token_everywhere(entry, &inheriting, sink);
            }
        }
        for job in &workflow.jobs {
            if let Some(entry) = job.permissions {
                check_block(entry, &format!("{}.permissions", job.path), &[job], sink);
            }
        }
    }
}

fn missing_block(workflow: &Workflow<'_>, sink: &mut Sink) {
    if workflow.triggers.iter().all(|t| t.name == "workflow_call") && !workflow.triggers.is_empty()
    {
        return;
    }
    let Some(jobs_entry) = workflow.jobs_entry else {
        return;
    };
    let unrestricted: Vec<&str> = workflow
        .jobs
        .iter()
        .filter(|job| job.permissions.is_none())
        .map(|job| job.id)
        .collect();
    if unrestricted.is_empty() {
        return;
    }
    let jobs = if unrestricted.len() == workflow.jobs.len() {
        "every job runs".to_owned()
    } else if unrestricted.len() == 1 {
        format!("job {} runs", list(&unrestricted))
    } else {
        format!("jobs {} run", list(&unrestricted))
    };
    // Read-only is safe only when no job left on the default could need
    // more: a reusable call, an unknown action, a script that pushes or
    // releases would break.
    let safe = !workflow
        .jobs
        .iter()
        .filter(|job| job.permissions.is_none())
        .any(might_write_contents);
    let source = workflow.doc.source();
    let line_start = source[..jobs_entry.key.span.start.min(source.len())]
        .rfind('\n')
        .map_or(0, |at| at + 1);
    let privileged = is_privileged(workflow);
    let finding = sink.report(
        &EXCESSIVE_PERMISSIONS,
        jobs_entry.key.span.clone(),
        "permissions",
        format!(
            "no `permissions:` block: {jobs} with the repository's default token scope{}",
            if privileged {
                ", in a workflow outsiders can start"
            } else {
                ""
            }
        ),
    );
    finding
        .note("The default is a repository or organisation setting: read-only for repositories created since February 2023, write access to everything for older ones unless changed.")
        .fix(Fix {
            title: "add `permissions: contents: read` at the top level".into(),
            safe,
            edits: vec![Edit {
                range: line_start..line_start,
                replacement: "permissions:\n  contents: read\n".into(),
            }],
            touches: vec!["permissions".into()],
        });
    if privileged {
        finding.severity(Severity::High);
    }
}

fn list(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_block(entry: &Entry, symbolic: &str, jobs: &[&Job<'_>], sink: &mut Sink) {
    let value = &entry.value;
    if value.as_str().is_some_and(|s| s.trim() == "write-all") {
        sink.report(
            &EXCESSIVE_PERMISSIONS,
            value.span.clone(),
            symbolic,
            "`write-all` gives the token every write scope: contents, packages, workflows' actions, pull requests, OIDC tokens",
        )
        .severity(Severity::High);
        return;
    }
    let Some(contents) = value.get("contents") else {
        return;
    };
    if contents.as_str() != Some("write") || jobs.is_empty() {
        return;
    }
    if jobs.iter().any(|job| might_write_contents(job)) {
        if jobs.iter().all(|job| !visibly_writes(job)) {
            sink.report(
                &EXCESSIVE_PERMISSIONS,
                contents.span.clone(),
                format!("{symbolic}.contents"),
                "`contents: write` is granted but no step visibly pushes, tags or releases; check whether tooling needs it",
            )
            .severity(Severity::Low)
            .confidence(Confidence::Low)
            .persona(Persona::Pedantic);
        }
        return;
    }
    let ids: Vec<&str> = jobs.iter().map(|job| job.id).collect();
    sink.report(
        &EXCESSIVE_PERMISSIONS,
        contents.span.clone(),
        format!("{symbolic}.contents"),
        format!("`contents: write` is granted to {}, whose steps only run read-only actions and scripts that never push, tag or release", list(&ids)),
    )
    .confidence(Confidence::Medium);
}

/// Whether something in `job` could plausibly write contents: a reusable
/// call, an action outside the read-only list, a script that mentions
/// pushing, releasing or the token.
fn might_write_contents(job: &Job<'_>) -> bool {
    if job.uses.is_some() {
        return true;
    }
    job.steps.iter().any(|step| {
        if let Some(script) = step.script() {
            let lower = script.to_ascii_lowercase();
            return WRITE_HINTS.iter().any(|hint| lower.contains(hint));
        }
        step.uses.is_some() && !READ_ONLY_ACTIONS.iter().any(|slug| step.uses_action(slug))
    })
}

fn visibly_writes(job: &Job<'_>) -> bool {
    job.uses.is_some() || job.steps.iter().any(writes_with_token)
}

fn id_token_everywhere(entry: &Entry, inheriting: &[&Job<'_>], sink: &mut Sink) {
    let Some(id_token) = entry.value.get("id-token") else {
        return;
    };
    if id_token.as_str() != Some("write") || inheriting.len() < 2 {
        return;
    }
    let ids: Vec<&str> = inheriting.iter().map(|job| job.id).collect();
    sink.report(
        &EXCESSIVE_PERMISSIONS,
        id_token.span.clone(),
        "permissions.id-token",
        format!(
            "`id-token: write` at the workflow level lets {} mint OIDC tokens for your cloud and registries; grant it only to the job that publishes or deploys",
            list(&ids)
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Document;

    #[test]
    fn read_only_jobs_do_not_need_contents_write() {
        let src = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test\n  b:\n    runs-on: x\n    steps:\n      - run: git push origin HEAD\n";
        let doc = Document::parse(src).expect("valid");
        let workflow = Workflow::new(&doc).expect("workflow");
        assert!(!might_write_contents(&workflow.jobs[0]));
        assert!(might_write_contents(&workflow.jobs[1]));
        assert!(visibly_writes(&workflow.jobs[1]));
    }
}

#[cfg(test)]
mod fix_tests {
    use super::*;
    use crate::github::audit_workflow_text;

    #[test]
    fn the_missing_block_fix_inserts_read_only_contents() {
        let src = "on: push\n\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n";
        let findings = audit_workflow_text(&ExcessivePermissions, src);
        let fix = findings[0].fix.as_ref().expect("fix");
        assert!(fix.safe);
        let mut fixed = src.to_owned();
        fixed.replace_range(fix.edits[0].range.clone(), &fix.edits[0].replacement);
        assert_eq!(
            fixed,
            "on: push\n\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n"
        );
    }

    #[test]
    fn the_fix_needs_review_when_a_job_may_write() {
        let src = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: gh release create v1\n";
        let findings = audit_workflow_text(&ExcessivePermissions, src);
        let fix = findings[0].fix.as_ref().expect("fix");
        assert!(!fix.safe);
    }
}
