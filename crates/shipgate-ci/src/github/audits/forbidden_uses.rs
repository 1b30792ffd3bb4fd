use super::uses_sites::{UsesSite, action_uses, workflow_uses};
use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Workflow};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
use crate::settings::{Settings, glob_match};

audit_meta! {
    /// Finds actions and reusable workflows that the project's allow or deny
    /// list forbids. Active only when a list is configured.
    ///
    /// ## Why it matters
    /// Every third-party action runs with the job's token and secrets, so
    /// many organisations keep a list of vetted publishers. GitHub's own
    /// allow list applies only to organisations on paid plans and is
    /// invisible in the repository; checking it in CI puts the policy next
    /// to the code and reports violations in the pull request that adds
    /// them.
    ///
    /// Patterns are matched case-insensitively against `owner/repo` and
    /// `owner/repo/path`; `*` matches any run of characters, and a bare
    /// owner (`actions`) matches all of its repositories. A deny match
    /// always forbids; with an allow list, everything it does not match is
    /// forbidden. Local (`./`) and `docker://` references are not checked.
    ///
    /// ```toml
    /// [ci.forbidden-uses]
    /// allow = ["actions", "github/codeql-action", "my-org/*"]
    /// deny = ["actions/create-release"]
    /// ```
    ///
    /// ## Example
    /// ```yaml
    /// - uses: random-user/deploy-action@v1   # flagged: not on the allow list
    /// ```
    ///
    /// ## Fix
    /// Replace the action with an allowed one, or vet it and add it to the
    /// allow list.
    pub(crate) static FORBIDDEN_USES = {
        id: "github/forbidden-uses",
        title: "Action or reusable workflow forbidden by the project's policy",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-8", "CICD-SEC-3", "SSDF-PW.4", "SOC2-CC6.8"],
    };
}

pub(crate) struct ForbiddenUses;

impl GithubAudit for ForbiddenUses {
    fn meta(&self) -> &'static AuditMeta {
        &FORBIDDEN_USES
    }

    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        if is_configured(cx.settings) {
            for site in workflow_uses(workflow) {
                check(cx.settings, &site, sink);
            }
        }
    }

    fn action(&self, cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        if is_configured(cx.settings) {
            for site in action_uses(action) {
                check(cx.settings, &site, sink);
            }
        }
    }
}

fn is_configured(settings: &Settings) -> bool {
    !settings.allow_uses.is_empty() || !settings.deny_uses.is_empty()
}

/// Why a reference is forbidden.
#[derive(Debug, PartialEq, Eq)]
enum Verdict<'s> {
    /// A deny pattern matches it.
    Denied(&'s str),
    /// An allow list exists and nothing on it matches.
    NotAllowed,
}

fn verdict<'s>(settings: &'s Settings, slug: &str, full: &str) -> Option<Verdict<'s>> {
    let matches = |pattern: &String| glob_match(pattern, slug) || glob_match(pattern, full);
    if let Some(pattern) = settings.deny_uses.iter().find(|p| matches(p)) {
        return Some(Verdict::Denied(pattern));
    }
    if !settings.allow_uses.is_empty() && !settings.allow_uses.iter().any(matches) {
        return Some(Verdict::NotAllowed);
    }
    None
}

fn check(settings: &Settings, site: &UsesSite<'_>, sink: &mut Sink) {
    let Some(Uses::Repository {
        owner,
        repo,
        subpath,
        ..
    }) = site.parsed()
    else {
        return;
    };
    let slug = format!("{owner}/{repo}");
    let full = match subpath {
        Some(subpath) => format!("{slug}/{subpath}"),
        None => slug.clone(),
    };
    let message = match verdict(settings, &slug, &full) {
        None => return,
        Some(Verdict::Denied(pattern)) => {
            format!("`{full}` is forbidden by the deny pattern `{pattern}` in [ci.forbidden-uses]")
        }
        Some(Verdict::NotAllowed) => {
            format!("`{full}` matches nothing on the allow list in [ci.forbidden-uses]")
        }
    };
    sink.report(
        &FORBIDDEN_USES,
        site.node.span.clone(),
        site.symbolic.clone(),
        message,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_wins_and_allow_covers_paths_and_owners() {
        let settings = Settings {
            allow_uses: vec!["actions".into(), "org/repo".into(), "my-org/*".into()],
            deny_uses: vec!["actions/create-release".into()],
            ..Settings::default()
        };
        assert_eq!(
            verdict(&settings, "actions/checkout", "actions/checkout"),
            None
        );
        assert_eq!(
            verdict(&settings, "org/repo", "org/repo/sub/action"),
            None,
            "an allowed repository allows its sub-actions"
        );
        assert_eq!(verdict(&settings, "My-Org/tool", "My-Org/tool"), None);
        assert_eq!(
            verdict(
                &settings,
                "actions/create-release",
                "actions/create-release"
            ),
            Some(Verdict::Denied("actions/create-release"))
        );
        assert_eq!(
            verdict(&settings, "other/thing", "other/thing"),
            Some(Verdict::NotAllowed)
        );
        let deny_only = Settings {
            deny_uses: vec!["bad/*".into()],
            ..Settings::default()
        };
        assert_eq!(verdict(&deny_only, "other/thing", "other/thing"), None);
    }
}
