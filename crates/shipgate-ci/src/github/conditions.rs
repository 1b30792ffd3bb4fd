//! The `if:` conditions of a workflow or action, parsed once for the
//! audits that read them.

use crate::expr::{self, BinaryOp, Expr, ExprKind};
use crate::github::model::{Action, Workflow};
use crate::github::taint::Place;
use crate::yaml::{Document, Node};

/// One `if:` of a job or step.
pub struct Condition<'a, 'd> {
    /// Where it is evaluated.
    pub place: Place<'a, 'd>,
    /// The `if:` value node.
    pub node: &'d Node,
    /// Symbolic path, such as `jobs.build.steps[1].if`.
    pub symbolic: String,
    /// The condition's text as GitHub reads it.
    pub text: &'d str,
    /// The parsed expressions: the whole text when it has no `${{`, else
    /// each `${{ }}`; with the text each was parsed from.
    pub expressions: Vec<(Expr, &'d str)>,
    /// Whether the text holds `${{ }}`, making it a template.
    pub template: bool,
}

impl Condition<'_, '_> {
    /// Exact span of `sub` (a node of the expression parsed from `inner`).
    pub fn span_of(&self, doc: &Document, inner: &str, sub: &Expr) -> std::ops::Range<usize> {
        let text = inner.get(sub.span.clone()).unwrap_or(inner).trim();
        doc.locate(self.node, text)
    }
}

fn parse<'a, 'd>(
    place: Place<'a, 'd>,
    node: &'d Node,
    symbolic: String,
) -> Option<Condition<'a, 'd>> {
    let text = node.as_str()?;
    let template = text.contains("${{");
    let expressions = if template {
        expr::embedded(text)
            .into_iter()
            .filter_map(|e| Some((expr::parse(e.inner).ok()?, e.inner)))
            .collect()
    } else {
        expr::parse(text)
            .ok()
            .map(|e| (e, text))
            .into_iter()
            .collect()
    };
    Some(Condition {
        place,
        node,
        symbolic,
        text,
        expressions,
        template,
    })
}

/// Every job and step condition of `workflow`.
pub fn of_workflow<'a, 'd>(workflow: &'a Workflow<'d>) -> Vec<Condition<'a, 'd>> {
    let mut found = Vec::new();
    for job in &workflow.jobs {
        let place = Place {
            job: Some(job),
            step: None,
        };
        if let Some(node) = job.condition {
            found.extend(parse(place, node, format!("{}.if", job.path)));
        }
        for step in &job.steps {
            if let Some(node) = step.condition {
                let place = Place {
                    job: Some(job),
                    step: Some(step),
                };
                found.extend(parse(place, node, format!("{}.if", step.path)));
            }
        }
    }
    found
}

/// Every step condition of a composite action.
pub fn of_action<'a, 'd>(action: &'a Action<'d>) -> Vec<Condition<'a, 'd>> {
    action
        .steps
        .iter()
        .filter_map(|step| {
            let place = Place {
                job: None,
                step: Some(step),
            };
            parse(place, step.condition?, format!("{}.if", step.path))
        })
        .collect()
}

/// Whether `expr` is truthy whatever the contexts hold: constant and
/// truthy, or an `||` with such a side, or an `&&` of two.
pub fn always_truthy(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Binary {
            op: BinaryOp::Or,
            lhs,
            rhs,
        } => always_truthy(lhs) || always_truthy(rhs),
        ExprKind::Binary {
            op: BinaryOp::And,
            lhs,
            rhs,
        } => always_truthy(lhs) && always_truthy(rhs),
        _ => expr.constant().is_some_and(|c| c.truthy()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_truthy_sees_through_or() {
        for (text, expected) in [
            ("true", true),
            ("'false'", true),
            ("github.ref == 'x' || 'true'", true),
            ("github.ref == 'x' && 'true'", false),
            ("always()", false),
            ("false", false),
            ("'a' && 1", true),
        ] {
            let parsed = expr::parse(text).expect("parses");
            assert_eq!(always_truthy(&parsed), expected, "{text}");
        }
    }
}
