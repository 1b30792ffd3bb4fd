use shipgate_model::{PinPolicy, Severity};

use crate::audit::{Sink, audit_meta};
use crate::github::model::{Action, Workflow};
use crate::github::uses::{Uses, is_commit_sha};
use crate::github::{AuditContext, GithubAudit};

use super::uses_sites::{UsesSite, action_uses, workflow_uses};

audit_meta! {
    /// Finds actions and reusable workflows referenced by a tag or branch
    /// instead of a full commit SHA.
    ///
    /// ## Why it matters
    /// A tag or branch is a pointer its owner (or whoever compromises the
    /// owner) can move. In March 2025 the tags of `tj-actions/changed-files`
    /// were rewritten to a commit that printed CI secrets into build logs;
    /// every workflow that used a tag ran it. A full commit SHA cannot be
    /// moved.
    ///
    /// By default, actions published by GitHub (`actions/*`, `github/*`)
    /// may use a tag and everything else must be hash-pinned. Configure the
    /// policy per owner or repository in `shipgate.toml`:
    ///
    /// ```toml
    /// [ci.pinning]
    /// "actions/*" = "hash-pin"   # stricter than the default
    /// "my-org/*" = "ref-pin"     # our own actions may use tags
    /// ```
    ///
    /// Policies are `hash-pin`, `ref-pin` and `any`; the longest matching
    /// pattern wins.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: tj-actions/changed-files@v45        # flagged
    /// - uses: tj-actions/changed-files@2f7c5bfce28377bc069a65ba478de0a74aa0ca32 # v46.0.1
    /// ```
    ///
    /// ## Fix
    /// Pin to the full SHA of the release and keep the tag in a comment so
    /// Dependabot and Renovate can still propose updates.
    pub(crate) static UNPINNED_USES = {
        id: "github/unpinned-uses",
        title: "Action or reusable workflow not pinned to a commit SHA",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "SSDF-PW.4.1", "checklist-4"],
    };
}

/// Branch names that are conventionally mutable; a reference to one of
/// these moves with every push.
const BRANCH_NAMES: &[&str] = &[
    "main", "master", "develop", "dev", "trunk", "latest", "HEAD",
];

pub(crate) struct UnpinnedUses;

impl GithubAudit for UnpinnedUses {
    fn meta(&self) -> &'static crate::audit::AuditMeta {
        &UNPINNED_USES
    }

    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for site in workflow_uses(workflow) {
            check(cx, &site, sink);
        }
    }

    fn action(&self, cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        for site in action_uses(action) {
            check(cx, &site, sink);
        }
    }
}

fn check(cx: &AuditContext<'_>, site: &UsesSite<'_>, sink: &mut Sink) {
    let Some(Uses::Repository {
        owner,
        repo,
        subpath,
        git_ref,
    }) = site.parsed()
    else {
        return;
    };
    let reference = match subpath {
        Some(subpath) => format!("{owner}/{repo}/{subpath}"),
        None => format!("{owner}/{repo}"),
    };
    let policy = cx.settings.pin_policy(&reference);
    match (policy, git_ref) {
        (PinPolicy::Any, _) => {}
        (_, None) => {
            sink.report(
                &UNPINNED_USES,
                site.node.span.clone(),
                site.symbolic.as_str(),
                format!("`{reference}` is used without any version: whatever its default branch holds runs"),
            )
            .severity(Severity::High);
        }
        (PinPolicy::RefPin, Some(_)) => {}
        (PinPolicy::HashPin, Some(git_ref)) if is_commit_sha(git_ref) => {}
        (PinPolicy::HashPin, Some(git_ref)) => {
            let branch = BRANCH_NAMES.iter().any(|b| b.eq_ignore_ascii_case(git_ref));
            let finding = sink.report(
                &UNPINNED_USES,
                site.node.span.clone(),
                site.symbolic.as_str(),
                if branch {
                    format!("`{reference}` follows branch `{git_ref}`: every push to it changes what runs here")
                } else {
                    format!("`{reference}` is pinned to `{git_ref}`, which its owner can move; pin a full commit SHA")
                },
            );
            if branch {
                finding.severity(Severity::High);
            }
        }
    }
}
