use shipgate_model::{Persona, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::github::uses::is_commit_sha;
use crate::gitlab::pipeline::{Located, Pipeline};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};
use crate::yaml::Node;

audit_meta! {
    /// Finds `include:` entries that pull pipeline configuration from a
    /// place that can change under you: `remote:` URLs, `project:` files
    /// without a `ref:` or on a branch or tag, `component:` versions that are
    /// not a commit SHA (`@~latest`, `@main`, `@1.2.0`), and, for the
    /// pedantic, `template:` includes.
    ///
    /// ## Why it matters
    /// An included file runs with the full rights of your pipeline: your
    /// CI/CD variables, your job token, your deploy keys. Whoever can change
    /// the included file (the owner of the URL, anyone who can push to the
    /// other project's branch, or move its tag) changes what your jobs run,
    /// with no review in your project. A plain `http://` URL can be rewritten
    /// by anyone on the network path. `template:` files change when the
    /// GitLab instance is upgraded.
    ///
    /// ## Example
    /// ```yaml
    /// include:
    ///   - remote: https://example.com/ci/build.yml            # flagged
    ///   - project: my-group/ci-templates                      # flagged: no ref
    ///     file: /deploy.yml
    ///   - component: gitlab.com/my-group/lint/lint@~latest    # flagged
    ///   - project: my-group/ci-templates
    ///     ref: 2f7c5bfce28377bc069a65ba478de0a74aa0ca32       # fine
    ///     file: /deploy.yml
    /// ```
    ///
    /// ## Fix
    /// Pin `ref:` and component versions to a full commit SHA (keep the tag
    /// in a comment). Replace `remote:` includes with a vendored copy or a
    /// pinned `project:` include.
    pub(crate) static UNPINNED_INCLUDE = {
        id: "gitlab/unpinned-include",
        title: "Included pipeline configuration is not pinned to a commit SHA",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "SSDF-PW.4", "checklist-4"],
    };
}

/// Refs that are conventionally branches and so move with every push.
const BRANCH_NAMES: &[&str] = &["main", "master", "develop", "dev", "trunk", "HEAD"];

pub(crate) struct UnpinnedInclude;

impl GitlabAudit for UnpinnedInclude {
    fn meta(&self) -> &'static AuditMeta {
        &UNPINNED_INCLUDE
    }

    fn pipeline(&self, _cx: &AuditContext<'_>, pipeline: &Pipeline<'_>, out: &mut Findings) {
        for include in pipeline.includes.iter().filter(|i| !i.local) {
            check(&include.at, out);
        }
    }
}

fn check(at: &Located<'_>, out: &mut Findings) {
    let node = at.node;
    if let Some(url) = node.as_str() {
        remote(at, node, url, out);
        return;
    }
    if let Some(url_node) = node.get("remote")
        && let Some(url) = url_node.as_str()
    {
        remote(at, url_node, url, out);
    } else if let Some(project_node) = node.get("project") {
        project(at, project_node, node.get("ref"), out);
    } else if let Some(component_node) = node.get("component") {
        component(at, component_node, out);
    } else if let Some(template) = node.get("template") {
        out.report(
            &UNPINNED_INCLUDE,
            at,
            template.span.clone(),
            "`template:` includes follow the GitLab instance: an upgrade changes what this pipeline runs",
        )
        .severity(Severity::Low)
        .persona(Persona::Pedantic);
    }
}

fn remote(at: &Located<'_>, node: &Node, url: &str, out: &mut Findings) {
    let finding = out.report(
        &UNPINNED_INCLUDE,
        at,
        node.span.clone(),
        format!(
            "`{url}` is fetched at pipeline creation: whoever controls that URL controls these jobs"
        ),
    );
    if url.starts_with("http://") {
        finding
            .severity(Severity::High)
            .note("plain HTTP: anyone on the network path can substitute the file");
    }
}

fn project(at: &Located<'_>, project: &Node, git_ref: Option<&Node>, out: &mut Findings) {
    let name = project.as_str().unwrap_or("the project");
    let Some(git_ref) = git_ref else {
        out.report(
            &UNPINNED_INCLUDE,
            at,
            project.span.clone(),
            format!("`{name}` is included without `ref:`: whatever its default branch holds runs"),
        )
        .severity(Severity::High);
        return;
    };
    let Some(reference) = git_ref.as_str() else {
        return;
    };
    judge_version(at, git_ref, name, reference, out);
}

fn component(at: &Located<'_>, node: &Node, out: &mut Findings) {
    let Some(text) = node.as_str() else {
        return;
    };
    let Some((name, version)) = text.rsplit_once('@') else {
        out.report(
            &UNPINNED_INCLUDE,
            at,
            node.span.clone(),
            format!("component `{text}` has no version"),
        )
        .severity(Severity::High);
        return;
    };
    judge_version(at, node, name, version, out);
}

fn judge_version(at: &Located<'_>, node: &Node, name: &str, version: &str, out: &mut Findings) {
    if is_commit_sha(version) {
        return;
    }
    let span = at.src.doc.locate(node, version);
    if version.contains('$') {
        out.report(
            &UNPINNED_INCLUDE,
            at,
            span,
            format!("`{name}` is included at `{version}`, chosen by a variable"),
        )
        .persona(Persona::Auditor)
        .confidence(shipgate_model::Confidence::Low);
        return;
    }
    let moving =
        version == "~latest" || BRANCH_NAMES.iter().any(|b| b.eq_ignore_ascii_case(version));
    let message = if moving {
        format!("`{name}` follows `{version}`: every push there changes what runs here")
    } else {
        format!(
            "`{name}` is included at `{version}`, which its owner can move; pin a full commit SHA"
        )
    };
    let finding = out.report(&UNPINNED_INCLUDE, at, span, message);
    if moving {
        finding.severity(Severity::High);
    }
}
