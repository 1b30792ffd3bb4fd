use shipgate_model::Severity;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::expr::{BinaryOp, Expr, ExprKind, Function};
use crate::fix::{Edit, Fix};
use crate::github::conditions::{self, Condition};
use crate::github::model::Workflow;
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds conditions that trust a pull request because `github.actor`
    /// (or `github.triggering_actor`) is a bot such as `dependabot[bot]`,
    /// in workflows that pull request events start. Checks that the actor
    /// is *not* a bot are not reported: spoofing them only skips work.
    ///
    /// ## Why it matters
    /// The actor is whoever caused the latest event, not who wrote the pull
    /// request. An attacker can open a pull request from a fork and get the
    /// bot to act on it (asking Dependabot to rebase, or pushing to a branch
    /// the bot then updates), and the check passes on the attacker's code:
    /// auto-merge, secrets, or write tokens follow.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   automerge:
    ///     if: github.actor == 'dependabot[bot]'   # flagged
    /// ```
    ///
    /// ## Fix
    /// Check who opened the pull request:
    /// `github.event.pull_request.user.login == 'dependabot[bot]'`, which
    /// the bot's actions cannot change.
    pub(crate) static BOT_CONDITIONS = {
        id: "github/bot-conditions",
        title: "Spoofable bot check on the event's actor",
        severity: High,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-1", "CICD-SEC-4"],
    };
}

const PULL_REQUEST_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
];

/// Events that run with the base repository's privileges.
const PRIVILEGED_EVENTS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

pub(crate) struct BotConditions;

impl GithubAudit for BotConditions {
    fn meta(&self) -> &'static AuditMeta {
        &BOT_CONDITIONS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let spoofable = workflow.triggered_by_any(PULL_REQUEST_EVENTS)
            || workflow.triggered_by_any(PRIVILEGED_EVENTS);
        if !spoofable {
            return;
        }
        let privileged = workflow.triggered_by_any(PRIVILEGED_EVENTS);
        let only_pull_requests = workflow
            .triggers
            .iter()
            .all(|t| PULL_REQUEST_EVENTS.contains(&t.name));
        for condition in conditions::of_workflow(workflow) {
            check(
                workflow.doc,
                &condition,
                privileged,
                only_pull_requests,
                sink,
            );
        }
    }
}

fn is_actor(expr: &Expr) -> Option<String> {
    let path = expr.context_path()?;
    matches!(path.as_str(), "github.actor" | "github.triggering_actor").then_some(path)
}

fn is_bot_literal(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::String(s) if s.to_ascii_lowercase().ends_with("[bot]"))
}

fn check(
    doc: &Document,
    condition: &Condition<'_, '_>,
    privileged: bool,
    only_pull_requests: bool,
    sink: &mut Sink,
) {
    // Checks of the author, or that the head is in the base repository,
    // already shut out forks.
    let text = condition.text;
    if text.contains("pull_request.user.login")
        || text.contains("head.repo.full_name == github.repository")
    {
        return;
    }
    for (expression, inner) in &condition.expressions {
        let mut actors: Vec<&Expr> = Vec::new();
        expression.walk(&mut |node| {
            let pair = match &node.kind {
                ExprKind::Binary {
                    op: BinaryOp::Eq,
                    lhs,
                    rhs,
                } => Some((&**lhs, &**rhs)),
                ExprKind::Call { name, args }
                    if matches!(
                        Function::from_name(name),
                        Some(Function::Contains | Function::StartsWith | Function::EndsWith)
                    ) && args.len() == 2 =>
                {
                    Some((&args[0], &args[1]))
                }
                _ => None,
            };
            if let Some((a, b)) = pair {
                if is_actor(a).is_some() && is_bot_literal(b) {
                    actors.push(a);
                } else if is_actor(b).is_some() && is_bot_literal(a) {
                    actors.push(b);
                }
            }
        });
        for actor in actors {
            let Some(path) = is_actor(actor) else {
                continue;
            };
            let span = condition.span_of(doc, inner, actor);
            let finding = sink.report(
                &BOT_CONDITIONS,
                span.clone(),
                condition.symbolic.clone(),
                format!("`{path}` is whoever caused the latest event; an outsider's pull request can pass this bot check"),
            );
            if !privileged {
                finding.severity(Severity::Medium);
            }
            let literal_text = doc.text(&span).eq_ignore_ascii_case(&path);
            if only_pull_requests && literal_text {
                finding.fix(Fix {
                    title: "check the pull request's author instead of the actor".to_owned(),
                    safe: false,
                    edits: vec![Edit {
                        range: span,
                        replacement: "github.event.pull_request.user.login".to_owned(),
                    }],
                    touches: vec![condition.symbolic.clone()],
                });
            }
        }
    }
}
