use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::expr::ExprKind;
use crate::github::conditions::{self, Condition, always_truthy};
use crate::github::model::{Action, Workflow};
use crate::github::{AuditContext, GithubAudit};

audit_meta! {
    /// Finds job and step `if:` conditions that are always true: text
    /// around or between `${{ }}` (which makes the condition a string, and
    /// any non-empty string is true), and expressions that are true
    /// whatever the contexts hold (`github.ref == 'x' || 'true'`).
    ///
    /// ## Why it matters
    /// GitHub evaluates an `if:` holding `${{ }}` plus anything else, even
    /// the trailing newline a `|` block adds, as a template: the result is
    /// text such as `false\n`, which is true. The job or step the condition
    /// was meant to guard (a deployment, a privileged command on a pull
    /// request) then always runs.
    ///
    /// ## Example
    /// ```yaml
    /// if: |
    ///   ${{ github.event_name == 'push' }}        # flagged: always true
    /// if: ${{ github.actor == 'a' }} && ${{ github.ref == 'b' }}   # flagged
    /// ```
    ///
    /// ## Fix
    /// Write the whole condition as one expression without `${{ }}`
    /// (`if: github.event_name == 'push'`), or as exactly one `${{ }}` with
    /// nothing around it (use `>-` for block scalars).
    pub(crate) static UNSOUND_CONDITION = {
        id: "github/unsound-condition",
        title: "Condition that is always true",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-1", "CICD-SEC-4"],
    };
}

pub(crate) struct UnsoundCondition;

impl GithubAudit for UnsoundCondition {
    fn meta(&self) -> &'static AuditMeta {
        &UNSOUND_CONDITION
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for condition in conditions::of_workflow(workflow) {
            check(&condition, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        for condition in conditions::of_action(action) {
            check(&condition, sink);
        }
    }
}

fn check(condition: &Condition<'_, '_>, sink: &mut Sink) {
    let text = condition.text;
    if condition.template {
        let embedded = crate::expr::embedded(text);
        let exactly_one = embedded.len() == 1 && embedded[0].range == (0..text.len());
        if !exactly_one {
            let extra = if embedded.len() > 1 {
                "several `${{ }}` joined by text"
            } else if text.ends_with('\n') {
                "`${{ }}` followed by the newline a `|` block keeps"
            } else {
                "`${{ }}` with text around it"
            };
            sink.report(
                &UNSOUND_CONDITION,
                condition.node.span.clone(),
                condition.symbolic.clone(),
                format!("this condition is {extra}, so it evaluates to a non-empty string, which is always true"),
            );
            return;
        }
    }
    let Some((expression, _)) = condition.expressions.first() else {
        return;
    };
    if !always_truthy(expression) {
        return;
    }
    let literal = matches!(
        expression.kind,
        ExprKind::Bool(true) | ExprKind::Number(_) | ExprKind::String(_)
    ) && expression.constant().is_some_and(|c| c.truthy());
    if literal && matches!(expression.kind, ExprKind::Bool(true)) {
        sink.report(
            &UNSOUND_CONDITION,
            condition.node.span.clone(),
            condition.symbolic.clone(),
            "`if: true` never skips anything; remove it",
        )
        .severity(Severity::Low)
        .confidence(Confidence::High)
        .persona(Persona::Pedantic);
        return;
    }
    sink.report(
        &UNSOUND_CONDITION,
        condition.node.span.clone(),
        condition.symbolic.clone(),
        "this condition is true whatever the contexts hold (a non-empty string or `true` on one side of `||`)",
    );
}
