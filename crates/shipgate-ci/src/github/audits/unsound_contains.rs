use shipgate_model::Severity;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::expr::{Expr, ExprKind, Function};
use crate::github::conditions::{self, Condition};
use crate::github::model::{Action, Workflow};
use crate::github::taint::{Dataflow, Taint};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds `contains()` in conditions whose haystack is a string literal
    /// and whose needle is a context someone other than the maintainers can
    /// influence: `contains('refs/heads/main refs/heads/release', github.ref)`.
    ///
    /// ## Why it matters
    /// On a string, `contains` is a substring test, not a list lookup. A
    /// branch named `mai` or `heads/main refs` satisfies the condition above,
    /// so whoever can push a branch or name a pull request's head gets past a
    /// gate meant for `main` and `release` only.
    ///
    /// ## Example
    /// ```yaml
    /// if: contains('refs/heads/main refs/heads/release', github.ref)   # flagged
    /// ```
    ///
    /// ## Fix
    /// Compare against a real list:
    /// `contains(fromJSON('["refs/heads/main", "refs/heads/release"]'), github.ref)`,
    /// or use `==` for a single value.
    pub(crate) static UNSOUND_CONTAINS = {
        id: "github/unsound-contains",
        title: "Substring test used as a list lookup in a condition",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-1"],
    };
}

pub(crate) struct UnsoundContains;

impl GithubAudit for UnsoundContains {
    fn meta(&self) -> &'static AuditMeta {
        &UNSOUND_CONTAINS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let flow = Dataflow::for_workflow(workflow);
        for condition in conditions::of_workflow(workflow) {
            check(workflow.doc, &flow, &condition, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        let flow = Dataflow::for_action(action);
        for condition in conditions::of_action(action) {
            check(action.doc, &flow, &condition, sink);
        }
    }
}

fn check(doc: &Document, flow: &Dataflow<'_, '_>, condition: &Condition<'_, '_>, sink: &mut Sink) {
    for (expression, inner) in &condition.expressions {
        let mut calls: Vec<&Expr> = Vec::new();
        expression.walk(&mut |node| {
            if let ExprKind::Call { name, args } = &node.kind
                && Function::from_name(name) == Some(Function::Contains)
                && args.len() == 2
                && matches!(args[0].kind, ExprKind::String(_))
                && args[1].is_context_ref()
            {
                calls.push(node);
            }
        });
        for call in calls {
            let ExprKind::Call { args, .. } = &call.kind else {
                continue;
            };
            let (ExprKind::String(haystack), Some(needle)) =
                (&args[0].kind, args[1].context_path())
            else {
                continue;
            };
            let taint = flow.context(&needle, condition.place);
            if taint == Taint::Safe {
                continue;
            }
            let items: Vec<String> = haystack
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .map(|s| format!("\"{s}\""))
                .collect();
            let finding = sink.report(
                &UNSOUND_CONTAINS,
                condition.span_of(doc, inner, call),
                condition.symbolic.clone(),
                format!("`contains` on the string '{haystack}' is a substring test: any `{needle}` that is part of it passes"),
            );
            finding.note(format!(
                "Use a list: `contains(fromJSON('[{}]'), {needle})`.",
                items.join(", ")
            ));
            if taint.is_attacker() {
                finding.severity(Severity::High);
            }
        }
    }
}
