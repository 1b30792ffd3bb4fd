use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Step, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::shell::{Command, pipelines};
use crate::yaml::{Document, Node};

use super::support::{
    ScopedStep, action_steps, command_carries_secret, expressions, output_is_logged, reads_secret,
    secret_word, workflow_steps,
};

audit_meta! {
    /// Finds secret values GitHub cannot mask: fields of structured
    /// secrets read with `fromJSON(secrets.X).field`, and secrets printed
    /// after a transformation in a `run:` script (`echo "$KEY" | base64 -d`,
    /// `echo "${{ secrets.CFG }}" | jq .token`, `${SECRET:0:8}`).
    ///
    /// ## Why it matters
    /// The runner masks each secret's exact value. A value derived from it
    /// (a JSON field, a decoded or re-encoded form, a substring) is a
    /// different string, so it is printed in clear if it reaches the log,
    /// and anyone who can read the log can read it.
    ///
    /// ## Example
    /// ```yaml
    /// - run: ./deploy --token "$TOKEN"
    ///   env:
    ///     TOKEN: ${{ fromJSON(secrets.DEPLOY).token }}   # flagged
    /// - run: echo "${{ secrets.CERT_B64 }}" | base64 -d  # flagged
    /// ```
    ///
    /// ## Fix
    /// Store each value that must stay hidden as its own secret. When a
    /// derived value is unavoidable, register it for masking first
    /// (`echo "::add-mask::$VALUE"`) and never print it; write decoded
    /// files with `> file`, not to the log.
    pub(crate) static UNREDACTED_SECRETS = {
        id: "github/unredacted-secrets",
        title: "Secret transformed so log masking cannot hide it",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "area-secrets"],
    };
}

/// Programs that turn a value into a different string.
const TRANSFORMERS: &[&str] = &[
    "base64", "base32", "basenc", "xxd", "od", "hexdump", "rev", "tr", "cut", "sed", "awk", "jq",
    "yq", "fold", "openssl", "iconv", "gzip", "gunzip",
];

pub(crate) struct UnredactedSecrets;

impl GithubAudit for UnredactedSecrets {
    fn meta(&self) -> &'static AuditMeta {
        &UNREDACTED_SECRETS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        structured_secrets(workflow.doc, workflow.root, sink);
        for scoped in workflow_steps(workflow) {
            transformed_secrets(workflow.doc, &scoped, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        structured_secrets(action.doc, action.root, sink);
        for scoped in action_steps(action) {
            transformed_secrets(action.doc, &scoped, sink);
        }
    }
}

/// `fromJSON(secrets.X)` followed by a property access, in any value.
fn structured_secrets(doc: &Document, root: &Node, sink: &mut Sink) {
    for node in root.scalars() {
        let Some(text) = node.as_str() else {
            continue;
        };
        for (offset, expression) in expressions(text) {
            if !reads_structured_secret(expression) {
                continue;
            }
            sink.report(
                &UNREDACTED_SECRETS,
                doc.locate_value_range(node, offset..offset + expression.len()),
                String::new(),
                "a field of a JSON secret is a new value the runner does not mask",
            )
            .note(
                "store the field as its own secret, or register it with `::add-mask::` before use",
            );
        }
    }
}

/// Whether an expression reads a field of `fromJSON(<secret>)`.
fn reads_structured_secret(expression: &str) -> bool {
    let lower = expression.to_ascii_lowercase();
    lower.match_indices("fromjson(").any(|(at, call)| {
        let inner_start = at + call.len();
        let mut depth = 1;
        let close = lower[inner_start..].char_indices().find_map(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(inner_start + i);
                    }
                }
                _ => {}
            }
            None
        });
        close.is_some_and(|close| {
            reads_secret(&lower[inner_start..close])
                && matches!(
                    lower[close + 1..].trim_start().bytes().next(),
                    Some(b'.' | b'[')
                )
        })
    })
}

fn transformed_secrets(doc: &Document, scoped: &ScopedStep<'_, '_>, sink: &mut Sink) {
    let step: &Step<'_> = scoped.step;
    let (Some(run), Some(script)) = (step.run, step.script()) else {
        return;
    };
    let secret_variables = scoped.secret_variables();
    for pipeline in pipelines(script) {
        let commands = &pipeline.commands;
        let Some(last) = commands.last() else {
            continue;
        };
        if !output_is_logged(last) || writes_output_file(last) {
            continue;
        }
        let source = commands
            .iter()
            .position(|c| command_carries_secret(c, &secret_variables));
        let transformed = source.and_then(|at| {
            commands[at..]
                .iter()
                .skip(usize::from(!is_transformer(&commands[at])))
                .find(|c| is_transformer(c))
        });
        if let (Some(at), Some(transformer)) = (source, transformed) {
            let name = transformer.program().unwrap_or_default();
            sink.report(
                &UNREDACTED_SECRETS,
                doc.locate_value_range(run, commands[at].range.start..last.range.end),
                format!("{}.run", step.path),
                format!("a secret passed through `{name}` is printed; the runner masks only the original value"),
            )
            .note("send the result to a file (`> file`) or register it with `::add-mask::` first");
            continue;
        }
        if let [command] = commands.as_slice()
            && matches!(command.program(), Some("echo" | "printf"))
            && let Some(word) = command
                .arguments()
                .iter()
                .find(|w| secret_variables.iter().any(|v| substring_of(&w.text, v)))
            && secret_word(word, &secret_variables)
        {
            sink.report(
                &UNREDACTED_SECRETS,
                doc.locate_value_range(run, command.range.clone()),
                format!("{}.run", step.path),
                "part of a secret is printed; the runner masks only the whole value",
            );
        }
    }
}

/// Whether a command writes its result to a file named by an option
/// (`base64 --decode -o cert.p12`, `openssl enc -out key`).
fn writes_output_file(command: &Command) -> bool {
    command.arguments().iter().any(|w| {
        matches!(w.text.as_str(), "-o" | "--output" | "-out") || w.text.starts_with("--output=")
    })
}

fn is_transformer(command: &Command) -> bool {
    command.program().is_some_and(|p| TRANSFORMERS.contains(&p))
}

/// Whether `text` takes a substring or pattern-edit of `$name`
/// (`${name:0:4}`, `${name#prefix}`, `${name/a/b}`).
fn substring_of(text: &str, name: &str) -> bool {
    let open = format!("${{{name}");
    text.match_indices(&open).any(|(at, _)| {
        matches!(
            text[at + open.len()..].bytes().next(),
            Some(b':' | b'#' | b'%' | b'/' | b'^' | b',')
        ) && !text[at + open.len()..].starts_with(":-")
            && !text[at + open.len()..].starts_with(":+")
            && !text[at + open.len()..].starts_with(":=")
            && !text[at + open.len()..].starts_with(":?")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_reads_need_a_property_after_the_call() {
        assert!(reads_structured_secret(
            "${{ fromJSON(secrets.CFG).token }}"
        ));
        assert!(reads_structured_secret(
            "${{ fromJson( secrets.CFG )['key'] }}"
        ));
        assert!(!reads_structured_secret("${{ fromJSON(secrets.CFG) }}"));
        assert!(!reads_structured_secret(
            "${{ fromJSON(needs.a.outputs.m).x }}"
        ));
        assert!(!reads_structured_secret(
            "${{ fromJSON(format('{0}', secrets.X) }}"
        ));
    }

    #[test]
    fn substrings_exclude_default_values() {
        assert!(substring_of("${KEY:0:4}", "KEY"));
        assert!(substring_of("${KEY#abc}", "KEY"));
        assert!(!substring_of("${KEY:-none}", "KEY"));
    }
}
