//! Where the value of a `${{ }}` expression comes from, followed through
//! one workflow or action.
//!
//! [`classify`] says who controls a context such as
//! `github.event.issue.title`. This module adds what one file knows:
//!
//! - **Triggers.** An attacker-controlled field only matters when an event
//!   that carries it can start the workflow: `github.event.issue.title`
//!   under `on: push` is empty, and `github.head_ref` is set for pull
//!   request events only. Reusable workflows and actions run under their
//!   caller's events, so every event counts there.
//! - **Derivation.** `env.X` follows the nearest `env:` (step, then job,
//!   then workflow) that defines `X`, or an earlier step's write of `X=` to
//!   `$GITHUB_ENV`; `steps.<id>.outputs.<o>` follows the step's writes of
//!   `<o>=` to `$GITHUB_OUTPUT` (and the outputs of a few well-known
//!   actions); `needs.<job>.outputs.<o>` follows the job's `outputs:`;
//!   `matrix.<k>` follows the job's `strategy.matrix`; `inputs.<i>` is safe
//!   when the input is typed `boolean`, `number` or `choice`.
//! - **Releases.** Only people with write access publish a release, so
//!   its name, tag and notes are maintainer-set (unknown), not an outsider's.
//! - **Usernames.** GitHub logins are made of letters, digits and hyphens
//!   (apps add `[bot]`), which cannot break out of a shell word, so
//!   `github.actor` and `*.login` are not treated as injectable here.

use crate::expr::{self, Expr, Origin, classify};
use crate::github::model::{Action, Job, Step, Workflow};
use crate::github::script::{self, Target};
use crate::shell;
use crate::yaml::Node;

/// How far derivations are followed (`needs` → `steps` → `env` → …); a
/// longer chain is reported as unknown rather than followed forever.
const MAX_DEPTH: usize = 8;

/// Who controls a value, once triggers and derivations are taken into account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Taint {
    /// Nobody outside the maintainers can choose it, or no event that
    /// starts the workflow carries it.
    Safe,
    /// Not known: a maintainer-set value, or one the file does not define.
    Unknown {
        /// The context path that could not be resolved, such as `inputs.name`.
        source: String,
    },
    /// An outsider chooses it.
    Attacker {
        /// Whether any text can appear (spaces, quotes, newlines), as
        /// opposed to a restricted character set such as a branch name.
        free_text: bool,
        /// The attacker-controlled context at the root, such as
        /// `github.event.issue.title`.
        source: String,
        /// The derivation steps from the expression to `source`, such as
        /// `env.TITLE`; empty when the expression names `source` directly.
        via: Vec<String>,
        /// Whether an event that runs with the base repository's token and
        /// secrets delivers it (everything but `pull_request` and its
        /// review events, which run fork code with a read-only token).
        privileged: bool,
    },
}

impl Taint {
    fn rank(&self) -> u8 {
        match self {
            Taint::Safe => 0,
            Taint::Unknown { .. } => 1,
            Taint::Attacker {
                privileged: false, ..
            } => 2,
            Taint::Attacker {
                privileged: true, ..
            } => 3,
        }
    }

    /// The worse of two verdicts; on a tie the first is kept.
    pub fn worst(self, other: Taint) -> Taint {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// Whether an outsider chooses the value.
    pub fn is_attacker(&self) -> bool {
        matches!(self, Taint::Attacker { .. })
    }

    fn through(self, step: String) -> Taint {
        match self {
            Taint::Attacker {
                free_text,
                source,
                mut via,
                privileged,
            } => {
                via.insert(0, step);
                Taint::Attacker {
                    free_text,
                    source,
                    via,
                    privileged,
                }
            }
            other => other,
        }
    }
}

/// Events that start a workflow with a pull request's data but run the
/// pull request's own workflow file with a read-only token and no secrets.
const UNPRIVILEGED_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
];

const PULL_REQUEST_EVENTS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
];

/// The events whose payload carries the object under `github.event.<first>`;
/// `None` for objects every event may carry (`sender`) or unknown ones.
fn carriers(first: &str) -> Option<&'static [&'static str]> {
    Some(match first {
        "pull_request" => PULL_REQUEST_EVENTS,
        "issue" => &["issues", "issue_comment"],
        "comment" => &[
            "issue_comment",
            "pull_request_review_comment",
            "discussion_comment",
            "commit_comment",
        ],
        "review" => &["pull_request_review"],
        "discussion" => &["discussion", "discussion_comment"],
        "answer" => &["discussion"],
        "head_commit" | "commits" | "pusher" => &["push"],
        "workflow_run" => &["workflow_run"],
        "workflow" => &["workflow_run"],
        "client_payload" => &["repository_dispatch"],
        "pages" => &["gollum"],
        "release" => &["release"],
        "check_run" => &["check_run"],
        "check_suite" => &["check_suite"],
        "label" => &[
            "issues",
            "pull_request",
            "pull_request_target",
            "discussion",
            "label",
        ],
        "forkee" => &["fork"],
        "merge_group" => &["merge_group"],
        "milestone" => &["milestone"],
        _ => return None,
    })
}

/// The events a workflow can start on, as far as the file says.
#[derive(Clone, Debug)]
pub enum Events {
    /// The caller's events: an action, or a reusable workflow.
    Any,
    /// Exactly these.
    Only(Vec<String>),
}

impl Events {
    /// The events of `workflow`.
    pub fn of(workflow: &Workflow<'_>) -> Events {
        if workflow.is_reusable() {
            return Events::Any;
        }
        Events::Only(
            workflow
                .triggers
                .iter()
                .map(|t| t.name.to_owned())
                .collect(),
        )
    }

    /// Whether any of `names` can start the workflow.
    pub fn any_of(&self, names: &[&str]) -> bool {
        match self {
            Events::Any => true,
            Events::Only(events) => events.iter().any(|e| names.contains(&e.as_str())),
        }
    }

    /// Of the events in `carriers` (every event when `None`), whether one
    /// can start the workflow, and whether one of those runs privileged.
    fn reach(&self, carriers: Option<&[&str]>) -> Option<bool> {
        match self {
            Events::Any => Some(true),
            Events::Only(events) => {
                let reaching: Vec<&str> = events
                    .iter()
                    .map(String::as_str)
                    .filter(|e| carriers.is_none_or(|c| c.contains(e)))
                    .collect();
                if reaching.is_empty() {
                    None
                } else {
                    Some(reaching.iter().any(|e| !UNPRIVILEGED_EVENTS.contains(e)))
                }
            }
        }
    }
}

/// Where in the file an expression is evaluated.
#[derive(Clone, Copy, Debug, Default)]
pub struct Place<'a, 'd> {
    /// The job, for workflows.
    pub job: Option<&'a Job<'d>>,
    /// The step, when the expression is in one.
    pub step: Option<&'a Step<'d>>,
}

/// The taint analysis of one workflow or action.
pub struct Dataflow<'a, 'd> {
    workflow: Option<&'a Workflow<'d>>,
    action: Option<&'a Action<'d>>,
    events: Events,
}

impl<'a, 'd> Dataflow<'a, 'd> {
    /// Analysis of a workflow.
    pub fn for_workflow(workflow: &'a Workflow<'d>) -> Self {
        Dataflow {
            workflow: Some(workflow),
            action: None,
            events: Events::of(workflow),
        }
    }

    /// Analysis of an action definition.
    pub fn for_action(action: &'a Action<'d>) -> Self {
        Dataflow {
            workflow: None,
            action: Some(action),
            events: Events::Any,
        }
    }

    /// The events that can start the file.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// The taint of the value of `expr` evaluated at `place`.
    pub fn expression(&self, expr: &Expr, place: Place<'a, 'd>) -> Taint {
        self.expression_at(expr, place, 0)
    }

    /// The taint of every `${{ }}` in `text` combined; a text without
    /// expressions is safe.
    pub fn text(&self, text: &str, place: Place<'a, 'd>) -> Taint {
        self.text_at(text, place, 0)
    }

    fn text_at(&self, text: &str, place: Place<'a, 'd>, depth: usize) -> Taint {
        let mut taint = Taint::Safe;
        for embedded in expr::embedded(text) {
            let verdict = match expr::parse(embedded.inner) {
                Ok(parsed) => self.expression_at(&parsed, place, depth),
                Err(_) => Taint::Unknown {
                    source: embedded.inner.trim().to_owned(),
                },
            };
            taint = taint.worst(verdict);
        }
        taint
    }

    fn expression_at(&self, expr: &Expr, place: Place<'a, 'd>, depth: usize) -> Taint {
        let mut taint = Taint::Safe;
        for source in expr.value_sources() {
            let verdict = match source.context_path() {
                Some(path) => self.context_at(&path, place, depth),
                // A call to a function GitHub does not define.
                None => Taint::Unknown {
                    source: "an unknown function".to_owned(),
                },
            };
            taint = taint.worst(verdict);
        }
        taint
    }

    /// The taint of a context path such as `env.title` at `place`.
    pub fn context(&self, path: &str, place: Place<'a, 'd>) -> Taint {
        self.context_at(path, place, 0)
    }

    fn context_at(&self, path: &str, place: Place<'a, 'd>, depth: usize) -> Taint {
        let unknown = || Taint::Unknown {
            source: path.to_owned(),
        };
        if depth > MAX_DEPTH {
            return unknown();
        }
        let segments: Vec<&str> = path.split('.').collect();
        match segments.as_slice() {
            ["env", name] => return self.env(name, place, depth),
            ["steps", id, "outputs", output] => {
                return self.step_output(id, output, place, depth);
            }
            ["needs", job, "outputs", output] => return self.job_output(job, output, depth),
            ["inputs", name] | ["github", "event", "inputs", name] => return self.input(name),
            ["matrix", key, ..] => return self.matrix(key, place, depth),
            _ => {}
        }
        if is_username(&segments) {
            return Taint::Safe;
        }
        match classify(path) {
            Origin::Safe => Taint::Safe,
            Origin::Unknown => unknown(),
            // Only people with write access publish releases.
            Origin::Attacker { .. } if segments.get(2) == Some(&"release") => unknown(),
            Origin::Attacker { free_text } => {
                let carried_by = match segments.as_slice() {
                    ["github", "head_ref"] => Some(PULL_REQUEST_EVENTS),
                    ["github", "event", first, ..] => carriers(first),
                    _ => None,
                };
                match self.events.reach(carried_by) {
                    None => Taint::Safe,
                    Some(privileged) => Taint::Attacker {
                        free_text,
                        source: path.to_owned(),
                        via: Vec::new(),
                        privileged,
                    },
                }
            }
        }
    }

    fn env(&self, name: &str, place: Place<'a, 'd>, depth: usize) -> Taint {
        let scopes = [
            place.step.and_then(|s| s.env),
            place.job.and_then(|j| j.env),
            self.workflow.and_then(|w| w.env),
        ];
        for scope in scopes.into_iter().flatten() {
            if let Some(entry) = scope
                .entries()
                .find(|e| e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
            {
                let key = entry.key.as_str().unwrap_or(name);
                let taint = match entry.value.as_str() {
                    Some(value) => self.text_at(value, place, depth + 1),
                    None => Taint::Unknown {
                        source: format!("env.{key}"),
                    },
                };
                return taint.through(format!("env.{key}"));
            }
        }
        if let Some(taint) = self.env_written_earlier(name, place, depth) {
            return taint.through(format!("env.{name}"));
        }
        Taint::Unknown {
            source: format!("env.{name}"),
        }
    }

    /// `name` as written to `$GITHUB_ENV` by a step before `place`'s step.
    fn env_written_earlier(&self, name: &str, place: Place<'a, 'd>, depth: usize) -> Option<Taint> {
        let current = place.step.map_or(usize::MAX, |s| s.index);
        let steps = self.steps_of(place)?;
        let mut found: Option<Taint> = None;
        for step in steps.iter().filter(|s| s.index < current) {
            let Some(script) = step.script() else {
                continue;
            };
            let at = Place {
                job: place.job,
                step: Some(step),
            };
            for write in script::writes(script) {
                if write.target == Target::Env && write.defines(name) {
                    let taint = self.written_data(write.text, at, depth + 1);
                    found = Some(found.map_or(taint.clone(), |f| f.worst(taint)));
                }
            }
        }
        found
    }

    fn steps_of(&self, place: Place<'a, 'd>) -> Option<&'a [Step<'d>]> {
        match (place.job, self.action) {
            (Some(job), _) => Some(&job.steps),
            (None, Some(action)) => Some(&action.steps),
            (None, None) => None,
        }
    }

    /// The taint of data a script line writes: its expressions, and the
    /// shell variables it expands, resolved through the step's `env:`.
    pub fn written_data(&self, text: &str, place: Place<'a, 'd>, depth: usize) -> Taint {
        let mut taint = self.text_at(text, place, depth);
        for variable in shell::variable_names(text) {
            let verdict = match variable {
                // The runner's copy of `github.head_ref`.
                "GITHUB_HEAD_REF" => self.context_at("github.head_ref", place, depth + 1),
                "HOME" | "PWD" | "PATH" | "USER" | "RANDOM" => Taint::Safe,
                runner if runner.starts_with("GITHUB_") || runner.starts_with("RUNNER_") => {
                    Taint::Safe
                }
                _ => self.env(variable, place, depth + 1),
            };
            taint = taint.worst(verdict);
        }
        if shell::has_command_substitution(text) {
            taint = taint.worst(Taint::Unknown {
                source: "a command's output".to_owned(),
            });
        }
        taint
    }

    fn step_output(&self, id: &str, output: &str, place: Place<'a, 'd>, depth: usize) -> Taint {
        let path = format!("steps.{id}.outputs.{output}");
        let unknown = Taint::Unknown {
            source: path.clone(),
        };
        let Some(step) = self.steps_of(place).and_then(|steps| {
            steps
                .iter()
                .find(|s| s.id.is_some_and(|s| s.eq_ignore_ascii_case(id)))
        }) else {
            return unknown;
        };
        let at = Place {
            job: place.job,
            step: Some(step),
        };
        if let Some(script) = step.script() {
            let mut found: Option<Taint> = None;
            for write in script::writes(script) {
                if write.target == Target::Output && write.defines(output) {
                    let taint = self.written_data(write.text, at, depth + 1);
                    found = Some(found.map_or(taint.clone(), |f| f.worst(taint)));
                }
            }
            return found.map_or(unknown, |taint| taint.through(path));
        }
        // The file-list outputs; the others are booleans, counts, or keys
        // of the workflow's own filter configuration.
        let file_list = output.ends_with("files");
        if file_list
            && (step.uses_action("tj-actions/changed-files")
                || step.uses_action("dorny/paths-filter"))
        {
            return match self.events.reach(Some(PULL_REQUEST_EVENTS)) {
                None => Taint::Safe,
                Some(privileged) => Taint::Attacker {
                    free_text: false,
                    source: "the file names a pull request changes".to_owned(),
                    via: vec![path],
                    privileged,
                },
            };
        }
        if step.uses_action("dorny/paths-filter") || step.uses_action("tj-actions/changed-files") {
            return Taint::Safe;
        }
        unknown
    }

    fn job_output(&self, job_id: &str, output: &str, depth: usize) -> Taint {
        let path = format!("needs.{job_id}.outputs.{output}");
        let unknown = Taint::Unknown {
            source: path.clone(),
        };
        let Some(job) = self
            .workflow
            .and_then(|w| w.jobs.iter().find(|j| j.id.eq_ignore_ascii_case(job_id)))
        else {
            return unknown;
        };
        let Some(value) = job.outputs.and_then(|outputs| {
            outputs
                .entries()
                .find(|e| {
                    e.key
                        .as_str()
                        .is_some_and(|k| k.eq_ignore_ascii_case(output))
                })
                .and_then(|e| e.value.as_str())
        }) else {
            return unknown;
        };
        let place = Place {
            job: Some(job),
            step: None,
        };
        self.text_at(value, place, depth + 1).through(path)
    }

    fn input(&self, name: &str) -> Taint {
        let unknown = Taint::Unknown {
            source: format!("inputs.{name}"),
        };
        let Some(workflow) = self.workflow else {
            return unknown;
        };
        let mut declared = false;
        for trigger in ["workflow_call", "workflow_dispatch"] {
            let Some(input) = workflow
                .trigger(trigger)
                .and_then(|t| t.config)
                .and_then(|c| c.get("inputs"))
                .and_then(|inputs| {
                    inputs
                        .entries()
                        .find(|e| e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
                })
            else {
                continue;
            };
            declared = true;
            let typed = input
                .value
                .get("type")
                .and_then(Node::as_str)
                .is_some_and(|t| matches!(t, "boolean" | "number" | "choice"));
            if !typed {
                return unknown;
            }
        }
        if declared { Taint::Safe } else { unknown }
    }

    fn matrix(&self, key: &str, place: Place<'a, 'd>, depth: usize) -> Taint {
        let unknown = Taint::Unknown {
            source: format!("matrix.{key}"),
        };
        let Some(matrix) = place
            .job
            .and_then(|j| j.strategy)
            .and_then(|s| s.get("matrix"))
        else {
            return unknown;
        };
        let job_place = Place {
            job: place.job,
            step: None,
        };
        if let Some(text) = matrix.as_str() {
            return self
                .text_at(text, job_place, depth + 1)
                .worst(unknown)
                .through(format!("matrix.{key}"));
        }
        let mut values: Vec<&Node> = Vec::new();
        let mut found = false;
        for entry in matrix.entries() {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            if name.eq_ignore_ascii_case(key) {
                found = true;
                values.push(&entry.value);
            } else if name == "include" {
                let includes: Vec<&Node> = if entry.value.as_str().is_some() {
                    vec![&entry.value]
                } else {
                    entry.value.items().collect()
                };
                for include in includes {
                    if include.as_str().is_some() {
                        values.push(include);
                        found = true;
                    } else if let Some(value) = include
                        .entries()
                        .find(|e| e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)))
                    {
                        values.push(&value.value);
                        found = true;
                    }
                }
            }
        }
        if !found {
            return unknown;
        }
        let mut taint = Taint::Safe;
        for value in values {
            for scalar in value.scalars() {
                if let Some(text) = scalar.as_str() {
                    taint = taint.worst(self.text_at(text, job_place, depth + 1));
                }
            }
        }
        taint.through(format!("matrix.{key}"))
    }
}

/// Whether a path names a GitHub login, whose character set cannot break
/// out of a shell word.
fn is_username(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["github", "actor" | "triggering_actor" | "repository_owner"]
            | ["github", "event", .., "login" | "username"]
            | ["github", "event", "pusher", "name"]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Document;

    fn taint_of(source: &str, job: usize, step: usize, expression: &str) -> Taint {
        let doc = Document::parse(source).expect("valid");
        let workflow = Workflow::new(&doc).expect("workflow");
        let flow = Dataflow::for_workflow(&workflow);
        let place = Place {
            job: workflow.jobs.get(job),
            step: workflow.jobs.get(job).and_then(|j| j.steps.get(step)),
        };
        flow.expression(&expr::parse(expression).expect("parses"), place)
    }

    fn is_privileged_attacker(taint: &Taint) -> bool {
        matches!(
            taint,
            Taint::Attacker {
                privileged: true,
                ..
            }
        )
    }

    #[test]
    fn fields_need_an_event_that_carries_them() {
        let push = "on: push\njobs:\n  a:\n    steps:\n      - run: x\n";
        assert_eq!(
            taint_of(push, 0, 0, "github.event.issue.title"),
            Taint::Safe
        );
        assert_eq!(taint_of(push, 0, 0, "github.head_ref"), Taint::Safe);
        let issues = "on: issues\njobs:\n  a:\n    steps:\n      - run: x\n";
        assert!(is_privileged_attacker(&taint_of(
            issues,
            0,
            0,
            "github.event.issue.title"
        )));
        let pr = "on: pull_request\njobs:\n  a:\n    steps:\n      - run: x\n";
        assert!(matches!(
            taint_of(pr, 0, 0, "github.head_ref"),
            Taint::Attacker {
                privileged: false,
                free_text: false,
                ..
            }
        ));
        let reusable = "on: workflow_call\njobs:\n  a:\n    steps:\n      - run: x\n";
        assert!(taint_of(reusable, 0, 0, "github.event.comment.body").is_attacker());
    }

    #[test]
    fn env_follows_the_nearest_scope() {
        let source = "on: issues\nenv:\n  T: ${{ github.event.issue.title }}\n  S: fixed\njobs:\n  a:\n    env:\n      S: ${{ github.event.issue.body }}\n    steps:\n      - env:\n          S: also-fixed\n        run: x\n      - run: y\n";
        let via_workflow = taint_of(source, 0, 0, "env.T");
        match via_workflow {
            Taint::Attacker { via, source, .. } => {
                assert_eq!(via, vec!["env.T"]);
                assert_eq!(source, "github.event.issue.title");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(taint_of(source, 0, 0, "env.S"), Taint::Safe);
        assert!(taint_of(source, 0, 1, "env.S").is_attacker());
        assert!(matches!(
            taint_of(source, 0, 1, "env.MISSING"),
            Taint::Unknown { .. }
        ));
    }

    #[test]
    fn step_outputs_follow_github_output_writes() {
        let source = "on: issue_comment\njobs:\n  a:\n    steps:\n      - id: parse\n        env:\n          BODY: ${{ github.event.comment.body }}\n        run: |\n          echo \"cmd=$BODY\" >> $GITHUB_OUTPUT\n          echo \"n=3\" >> $GITHUB_OUTPUT\n      - id: files\n        uses: tj-actions/changed-files@v45\n      - run: x\n";
        assert!(taint_of(source, 0, 2, "steps.parse.outputs.cmd").is_attacker());
        assert_eq!(taint_of(source, 0, 2, "steps.parse.outputs.n"), Taint::Safe);
        assert!(matches!(
            taint_of(source, 0, 2, "steps.parse.outputs.other"),
            Taint::Unknown { .. }
        ));
        // issue_comment does not carry a pull request's files.
        assert_eq!(
            taint_of(source, 0, 2, "steps.files.outputs.all_changed_files"),
            Taint::Safe
        );
    }

    #[test]
    fn needs_outputs_follow_the_job_mapping() {
        let source = "on: pull_request_target\njobs:\n  a:\n    outputs:\n      ref: ${{ github.event.pull_request.head.ref }}\n      sha: ${{ github.event.pull_request.head.sha }}\n    steps:\n      - run: x\n  b:\n    needs: a\n    steps:\n      - run: y\n";
        assert!(is_privileged_attacker(&taint_of(
            source,
            1,
            0,
            "needs.a.outputs.ref"
        )));
        assert_eq!(taint_of(source, 1, 0, "needs.a.outputs.sha"), Taint::Safe);
        assert_eq!(taint_of(source, 1, 0, "needs.a.result"), Taint::Safe);
    }

    #[test]
    fn typed_inputs_and_literal_matrices_are_safe() {
        let source = "on:\n  workflow_call:\n    inputs:\n      debug:\n        type: boolean\n      name:\n        type: string\njobs:\n  a:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n        include:\n          - extra: ${{ github.event.issue.title }}\n    steps:\n      - run: x\n";
        assert_eq!(taint_of(source, 0, 0, "inputs.debug"), Taint::Safe);
        assert!(matches!(
            taint_of(source, 0, 0, "inputs.name"),
            Taint::Unknown { .. }
        ));
        assert_eq!(taint_of(source, 0, 0, "matrix.os"), Taint::Safe);
        assert!(taint_of(source, 0, 0, "matrix.extra").is_attacker());
    }

    #[test]
    fn usernames_and_boolean_results_are_safe() {
        let source = "on: pull_request_target\njobs:\n  a:\n    steps:\n      - run: x\n";
        assert_eq!(taint_of(source, 0, 0, "github.actor"), Taint::Safe);
        assert_eq!(
            taint_of(source, 0, 0, "github.event.pull_request.user.login"),
            Taint::Safe
        );
        assert_eq!(
            taint_of(source, 0, 0, "github.event.pull_request.title == 'x'"),
            Taint::Safe
        );
        assert!(taint_of(source, 0, 0, "format('{0}', github.head_ref)").is_attacker());
    }
}
