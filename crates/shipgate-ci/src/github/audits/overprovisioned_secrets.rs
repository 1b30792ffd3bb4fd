use std::sync::LazyLock;

use regex::Regex;
use shipgate_model::{Confidence, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::{Document, Node};

audit_meta! {
    /// Finds expressions that expand the whole `secrets` context:
    /// `toJSON(secrets)`, `${{ secrets }}`, and `secrets[...]` indexed by
    /// anything but a fixed name.
    ///
    /// ## Why it matters
    /// Every secret of the repository and organisation then reaches the
    /// step: its process environment, its logs if anything echoes the
    /// value (redaction only works on exact values, not on a JSON blob
    /// containing them), and any action or tool it calls. A dynamic index
    /// means the set of exposed secrets is chosen at run time, possibly by
    /// an input an attacker controls.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./deploy.sh
    ///   env:
    ///     ALL_SECRETS: ${{ toJSON(secrets) }}            # flagged
    ///     TOKEN: ${{ secrets[inputs.token_name] }}       # flagged
    /// ```
    ///
    /// ## Fix
    /// Pass each secret a step needs by name: `${{ secrets.DEPLOY_KEY }}`.
    pub(crate) static OVERPROVISIONED_SECRETS = {
        id: "github/overprovisioned-secrets",
        title: "Whole secrets context exposed",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "CICD-SEC-5", "area-secrets"],
    };
}

/// `toJSON(secrets)`, `${{ secrets }}` and `secrets[<not a literal>]`,
/// inside expressions.
static WHOLE_SECRETS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)tojson\s*\(\s*secrets\s*\)",
        r"|\$\{\{\s*secrets\s*\}\}",
        r#"|\bsecrets\s*\[\s*[^'"\s\]][^\]]*\]"#,
    ))
    .expect("static pattern is valid")
});

pub(crate) struct OverprovisionedSecrets;

impl GithubAudit for OverprovisionedSecrets {
    fn meta(&self) -> &'static AuditMeta {
        &OVERPROVISIONED_SECRETS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        audit_tree(workflow.doc, workflow.root, sink);
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        audit_tree(action.doc, action.root, sink);
    }
}

fn audit_tree(doc: &Document, root: &Node, sink: &mut Sink) {
    for scalar in root.scalars() {
        let Some(text) = scalar.as_str() else {
            continue;
        };
        if !text.contains("secrets") {
            continue;
        }
        let expressions = expression_ranges(text);
        let mut seen = Vec::new();
        for found in WHOLE_SECRETS.find_iter(text) {
            if !expressions.iter().any(|r| r.contains(&found.start())) {
                continue;
            }
            let matched = found.as_str();
            let nth = seen.iter().filter(|s| **s == matched).count();
            seen.push(matched);
            let dynamic = matched.trim_start().starts_with("secrets");
            let by_matrix = dynamic && matched.contains("matrix.");
            let finding = sink.report(
                &OVERPROVISIONED_SECRETS,
                doc.locate_nth(scalar, matched, nth),
                "",
                if dynamic {
                    format!("`{matched}` picks a secret by a value computed at run time, so any secret can be exposed")
                } else {
                    format!("`{matched}` expands every secret of the repository and organisation into this value")
                },
            );
            if by_matrix {
                // The matrix is written in the workflow, so the set of
                // secrets is fixed unless the matrix itself is computed.
                finding
                    .severity(Severity::Medium)
                    .confidence(Confidence::Medium)
                    .note("The index comes from the matrix; if its values are literal, only those secrets are reachable. Name each secret explicitly instead.");
            }
        }
    }
}

/// Byte ranges of the `${{ ... }}` expressions in `text`, so shell syntax
/// that merely looks alike (`secrets[$key]` in a bash array) is left alone.
fn expression_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("${{").map(|at| from + at) {
        let end = text[open..]
            .find("}}")
            .map_or(text.len(), |at| open + at + 2);
        out.push(open..end);
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_expressions_are_searched() {
        let text = "declare -A secrets; secrets[$k]=1; echo ${{ secrets[inputs.name] }}";
        let ranges = expression_ranges(text);
        let hits: Vec<usize> = WHOLE_SECRETS
            .find_iter(text)
            .map(|m| m.start())
            .filter(|start| ranges.iter().any(|r| r.contains(start)))
            .collect();
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn literal_indexes_are_not_dynamic() {
        for hit in [
            "${{ toJSON(secrets) }}",
            "${{ secrets }}",
            "${{ secrets[matrix.name] }}",
            "${{ toJson( secrets ) }}",
        ] {
            assert!(WHOLE_SECRETS.is_match(hit), "{hit}");
        }
        for miss in [
            "${{ secrets.TOKEN }}",
            "${{ secrets['TOKEN'] }}",
            "${{ toJSON(github) }}",
        ] {
            assert!(!WHOLE_SECRETS.is_match(miss), "{miss}");
        }
    }
}
