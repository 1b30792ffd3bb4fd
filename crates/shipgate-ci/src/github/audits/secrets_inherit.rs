use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::fix::{Edit, Fix};
use crate::github::model::{Job, Workflow};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds calls to reusable workflows with `secrets: inherit`.
    ///
    /// ## Why it matters
    /// `inherit` hands the called workflow every secret the caller can see,
    /// organisation secrets included, whatever it actually needs. A
    /// compromise of the called workflow (or of any action it runs) then
    /// exposes all of them, and nobody reviewing the caller can tell which
    /// secrets leave.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   release:
    ///     uses: ./.github/workflows/publish.yml
    ///     secrets: inherit          # flagged
    /// ```
    ///
    /// ## Fix
    /// Pass the secrets the callee declares, by name. For a callee in the
    /// same repository the fix writes that mapping from the callee's
    /// `on.workflow_call.secrets` and its `secrets.*` references; review it,
    /// since the callee may need secrets only some of its paths use.
    pub(crate) static SECRETS_INHERIT = {
        id: "github/secrets-inherit",
        title: "Reusable workflow receives every secret",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-5", "CICD-SEC-6", "area-secrets"],
    };
}

static SECRET_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)").expect("static pattern is valid")
});

pub(crate) struct SecretsInherit;

impl GithubAudit for SecretsInherit {
    fn meta(&self) -> &'static AuditMeta {
        &SECRETS_INHERIT
    }

    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            let Some(secrets) = job.secrets else {
                continue;
            };
            if secrets.as_str().map(str::trim) != Some("inherit") {
                continue;
            }
            let callee = job
                .uses
                .and_then(|u| u.as_str())
                .unwrap_or("the called workflow");
            let finding = sink.report(
                &SECRETS_INHERIT,
                secrets.span.clone(),
                format!("{}.secrets", job.path),
                format!(
                    "`secrets: inherit` passes every secret this repository can see to `{callee}`"
                ),
            );
            match local_callee_secrets(cx, job) {
                Some(names) => {
                    if let Some(fix) = fix(workflow.doc, job, &names) {
                        finding.fix(fix);
                    }
                }
                None if matches!(job.uses_ref(), Some(Uses::Repository { owner, .. }) if owner != "$") =>
                {
                    finding.note("The callee lives in another repository; list the secrets it documents as required.");
                }
                None => {}
            }
        }
    }
}

/// The secrets a local callee declares or references, `GITHUB_TOKEN`
/// aside; `None` when the callee is remote or missing.
fn local_callee_secrets(cx: &AuditContext<'_>, job: &Job<'_>) -> Option<BTreeSet<String>> {
    let written = job.uses.and_then(|u| u.as_str())?.trim();
    // `$/path` names a workflow of the calling repository itself.
    let path = match written.strip_prefix("$/") {
        Some(rest) => format!("./{}", rest.split('@').next().unwrap_or(rest)),
        None => match job.uses_ref() {
            Some(Uses::Local { path }) => path.to_owned(),
            _ => return None,
        },
    };
    let doc = cx.local_workflow(&path)?.document().ok()?;
    let mut names = BTreeSet::new();
    if let Some(declared) = doc
        .root()
        .and_then(|root| root.get("on"))
        .and_then(|on| on.get("workflow_call"))
        .and_then(|call| call.get("secrets"))
    {
        names.extend(
            declared
                .entries()
                .filter_map(|e| e.key.as_str().map(str::to_owned)),
        );
    }
    names.extend(
        SECRET_REFERENCE
            .captures_iter(doc.source())
            .filter_map(|c| c.get(1))
            .map(|m| m.as_str().to_owned()),
    );
    names.remove("GITHUB_TOKEN");
    Some(names)
}

fn fix(doc: &Document, job: &Job<'_>, names: &BTreeSet<String>) -> Option<Fix> {
    let entry = job.node.entry("secrets")?;
    let source = doc.source();
    let key_start = entry.key.span.start;
    let line_start = source[..key_start].rfind('\n').map_or(0, |at| at + 1);
    let indent = &source[line_start..key_start];
    if !indent.chars().all(|c| c == ' ') {
        return None;
    }
    let (range, replacement) = if names.is_empty() {
        let line_end = source[entry.value.span.end..]
            .find('\n')
            .map_or(source.len(), |at| entry.value.span.end + at + 1);
        (line_start..line_end, String::new())
    } else {
        let mapping: String = names
            .iter()
            .map(|name| format!("\n{indent}  {name}: ${{{{ secrets.{name} }}}}"))
            .collect();
        (
            entry.key.span.end..entry.value.span.end,
            format!(":{mapping}"),
        )
    };
    Some(Fix {
        title: if names.is_empty() {
            "remove `secrets: inherit`: the called workflow uses no secrets".into()
        } else {
            "pass only the secrets the called workflow uses".into()
        },
        safe: false,
        edits: vec![Edit { range, replacement }],
        touches: vec![format!("{}.secrets", job.path)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(src: &str, fix: &Fix) -> String {
        let mut out = src.to_owned();
        for edit in fix.edits.iter().rev() {
            out.replace_range(edit.range.clone(), &edit.replacement);
        }
        out
    }

    #[test]
    fn the_fix_lists_the_callee_secrets_or_drops_inherit() {
        let src = "on: push\njobs:\n  call:\n    uses: ./.github/workflows/x.yml\n    secrets: inherit\n    with:\n      a: 1\n";
        let doc = Document::parse(src).expect("valid");
        let workflow = Workflow::new(&doc).expect("workflow");
        let job = &workflow.jobs[0];
        let names: BTreeSet<String> = ["NPM_TOKEN".to_owned(), "SLACK".to_owned()].into();
        let fixed = apply(src, &fix(&doc, job, &names).expect("fix"));
        assert_eq!(
            fixed,
            "on: push\njobs:\n  call:\n    uses: ./.github/workflows/x.yml\n    secrets:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n      SLACK: ${{ secrets.SLACK }}\n    with:\n      a: 1\n"
        );
        let dropped = apply(src, &fix(&doc, job, &BTreeSet::new()).expect("fix"));
        assert_eq!(
            dropped,
            "on: push\njobs:\n  call:\n    uses: ./.github/workflows/x.yml\n    with:\n      a: 1\n"
        );
        assert!(Document::parse(&fixed).is_ok() && Document::parse(&dropped).is_ok());
    }
}
