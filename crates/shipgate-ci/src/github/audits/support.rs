//! Helpers the credential audits share: secret references in expressions,
//! the environment a step sees, and the scripts of a file.

use crate::github::model::{Action, Job, Step, Workflow};
use crate::shell::{Command, Redirect, Word, references_variable};
use crate::yaml::{Entry, Node};

/// The `${{ ... }}` expressions in `text`, with their byte offsets.
pub(super) fn expressions(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|rest| rest.find("${{")) {
        let start = from + open;
        let Some(close) = text[start + 3..].find("}}") else {
            break;
        };
        let end = start + 3 + close + 2;
        out.push((start, &text[start..end]));
        from = end;
    }
    out
}

/// Whether `expression` (with or without `${{ }}`) reads a secret.
pub(super) fn reads_secret(expression: &str) -> bool {
    let lower = expression.to_ascii_lowercase();
    lower.match_indices("secrets").any(|(at, _)| {
        let before = lower[..at].bytes().next_back();
        let rest = &lower[at + "secrets".len()..];
        let reference = before
            .is_none_or(|b| !b.is_ascii_alphanumeric() && !matches!(b, b'_' | b'.' | b'-'))
            && matches!(rest.bytes().next(), Some(b'.' | b'[' | b')' | b' ' | b'}'));
        // A comparison or negation yields a boolean, not the secret.
        let token_end = rest
            .find(|c: char| {
                !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']' | '\''))
            })
            .unwrap_or(rest.len());
        let after_token = rest[token_end..].trim_start();
        let before_token = lower[..at].trim_end();
        let compared = after_token.starts_with("==")
            || after_token.starts_with("!=")
            || before_token.ends_with("==")
            || before_token.ends_with("!=")
            || (before_token.ends_with('!') && !before_token.ends_with("!="));
        reference && !compared
    })
}

/// Whether `text` holds a `${{ }}` expression that reads a secret.
pub(super) fn mentions_secret(text: &str) -> bool {
    expressions(text).iter().any(|(_, e)| reads_secret(e))
}

/// Whether `text` holds any `${{ }}` expression.
pub(super) fn has_expression(text: &str) -> bool {
    text.contains("${{")
}

/// One step with the environment it runs in.
pub(super) struct ScopedStep<'a, 'd> {
    /// The job, for workflow steps.
    pub job: Option<&'a Job<'d>>,
    /// The step.
    pub step: &'a Step<'d>,
    /// `env:` entries in scope, outermost first (workflow, job, step).
    pub env: Vec<&'d Entry>,
}

impl<'d> ScopedStep<'_, 'd> {
    /// The value the step sees for variable `name`, the innermost wins.
    pub fn env_value(&self, name: &str) -> Option<&'d Node> {
        self.env
            .iter()
            .rev()
            .find(|entry| entry.key.as_str() == Some(name))
            .map(|entry| &entry.value)
    }

    /// Names of variables in scope whose value reads a secret.
    pub fn secret_variables(&self) -> Vec<&'d str> {
        let mut names: Vec<&'d str> = Vec::new();
        for entry in &self.env {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            let secret = entry.value.as_str().is_some_and(mentions_secret);
            names.retain(|n| *n != name);
            if secret {
                names.push(name);
            }
        }
        names
    }
}

fn env_entries(node: Option<&Node>) -> impl Iterator<Item = &Entry> {
    node.into_iter().flat_map(Node::entries)
}

/// Every step of a workflow with its environment.
pub(super) fn workflow_steps<'a, 'd>(workflow: &'a Workflow<'d>) -> Vec<ScopedStep<'a, 'd>> {
    let mut out = Vec::new();
    for job in &workflow.jobs {
        for step in &job.steps {
            let env = env_entries(workflow.env)
                .chain(env_entries(job.env))
                .chain(env_entries(step.env))
                .collect();
            out.push(ScopedStep {
                job: Some(job),
                step,
                env,
            });
        }
    }
    out
}

/// Every step of a composite action with its environment.
pub(super) fn action_steps<'a, 'd>(action: &'a Action<'d>) -> Vec<ScopedStep<'a, 'd>> {
    action
        .steps
        .iter()
        .map(|step| ScopedStep {
            job: None,
            step,
            env: env_entries(step.env).collect(),
        })
        .collect()
}

/// Whether `word` carries a secret: an expression reading one, or a
/// variable set from one.
pub(super) fn secret_word(word: &Word, secret_variables: &[&str]) -> bool {
    mentions_secret(&word.text)
        || secret_variables
            .iter()
            .any(|v| references_variable(word, v))
}

/// Whether `command` is given a secret as an argument or here-string.
pub(super) fn command_carries_secret(command: &Command, secret_variables: &[&str]) -> bool {
    command
        .arguments()
        .iter()
        .any(|w| secret_word(w, secret_variables))
        || command
            .redirects
            .iter()
            .any(|r| r.operator == "<<<" && secret_word(&r.target, secret_variables))
}

/// Whether the standard output of `command` reaches the job
/// log rather than a file.
pub(super) fn output_is_logged(command: &Command) -> bool {
    !command
        .redirects
        .iter()
        .any(Redirect::writes_stdout_to_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_reads_are_recognised_in_every_spelling() {
        assert!(mentions_secret("echo ${{ secrets.TOKEN }}"));
        assert!(mentions_secret("${{secrets['TOKEN']}}"));
        assert!(mentions_secret("${{ fromJSON(secrets.CFG).key }}"));
        assert!(!mentions_secret("${{ github.event.inputs.secrets }}"));
        assert!(!mentions_secret("secrets.TOKEN"));
        assert!(!mentions_secret("${{ env.my_secrets_dir }}"));
        assert!(!mentions_secret("${{ steps.get-secrets.outputs.x }}"));
        assert!(!mentions_secret("${{ secrets.TOKEN == '' }}"));
        assert!(!mentions_secret("${{ '' != secrets.TOKEN }}"));
        assert!(!mentions_secret("${{ !secrets.TOKEN }}"));
        assert!(mentions_secret(
            "${{ github.ref == 'x' && secrets.A || secrets.B }}"
        ));
        assert_eq!(
            expressions("a ${{ x }} b ${{ y }}"),
            [(2, "${{ x }}"), (13, "${{ y }}")]
        );
    }
}
