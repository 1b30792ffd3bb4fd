//! Typed views over a workflow or action tree.
//!
//! Views borrow the YAML nodes, so every field still knows its span, and
//! they accept anything: a job with an unexpected shape yields fewer fields,
//! never an error, so one odd key cannot hide the rest of the file.

use crate::github::uses::Uses;
use crate::yaml::{Document, Entry, Node};

/// One event in `on:`.
#[derive(Clone, Copy, Debug)]
pub struct Trigger<'d> {
    /// Event name, such as `pull_request_target`.
    pub name: &'d str,
    /// The node naming the event (a key or a list item).
    pub node: &'d Node,
    /// Its configuration (`types`, `branches`, `inputs`...), when given.
    pub config: Option<&'d Node>,
}

/// A GitHub Actions workflow.
#[derive(Debug)]
pub struct Workflow<'d> {
    /// The file.
    pub doc: &'d Document,
    /// Its root mapping.
    pub root: &'d Node,
    /// The `on:` entry.
    pub on: Option<&'d Entry>,
    /// Events that start the workflow.
    pub triggers: Vec<Trigger<'d>>,
    /// Top-level `permissions:` entry.
    pub permissions: Option<&'d Entry>,
    /// Top-level `env:`.
    pub env: Option<&'d Node>,
    /// The `jobs:` entry.
    pub jobs_entry: Option<&'d Entry>,
    /// Jobs, in source order.
    pub jobs: Vec<Job<'d>>,
}

impl<'d> Workflow<'d> {
    /// Reads the workflow in `doc`; `None` when the root is not a mapping.
    pub fn new(doc: &'d Document) -> Option<Workflow<'d>> {
        let root = doc.root()?;
        root.as_map()?;
        let on = root.entry("on");
        let triggers = on.map(|entry| triggers(&entry.value)).unwrap_or_default();
        let jobs_entry = root.entry("jobs");
        let jobs = jobs_entry
            .map(|entry| {
                entry
                    .value
                    .entries()
                    .filter_map(|job| {
                        let id = job.key.as_str()?;
                        Some(Job::new(id, job))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Workflow {
            doc,
            root,
            on,
            triggers,
            permissions: root.entry("permissions"),
            env: root.get("env"),
            jobs_entry,
            jobs,
        })
    }

    /// The trigger named `name`, if the workflow has it.
    pub fn trigger(&self, name: &str) -> Option<&Trigger<'d>> {
        self.triggers.iter().find(|t| t.name == name)
    }

    /// Whether any of `names` starts the workflow.
    pub fn triggered_by_any(&self, names: &[&str]) -> bool {
        self.triggers.iter().any(|t| names.contains(&t.name))
    }

    /// Whether this is a reusable workflow (`on: workflow_call`).
    pub fn is_reusable(&self) -> bool {
        self.trigger("workflow_call").is_some()
    }
}

fn triggers(on: &Node) -> Vec<Trigger<'_>> {
    if let Some(name) = on.as_str() {
        return vec![Trigger {
            name,
            node: on,
            config: None,
        }];
    }
    if let Some(items) = on.as_seq() {
        return items
            .iter()
            .filter_map(|item| {
                Some(Trigger {
                    name: item.as_str()?,
                    node: item,
                    config: None,
                })
            })
            .collect();
    }
    on.entries()
        .filter_map(|entry| {
            Some(Trigger {
                name: entry.key.as_str()?,
                node: &entry.key,
                config: (!entry.value.is_null()).then_some(&entry.value),
            })
        })
        .collect()
}

/// One job: either steps on a runner or a call to a reusable workflow.
#[derive(Debug)]
pub struct Job<'d> {
    /// The job id (its key under `jobs:`).
    pub id: &'d str,
    /// The key node.
    pub key: &'d Node,
    /// The job mapping.
    pub node: &'d Node,
    /// Symbolic path, `jobs.<id>`.
    pub path: String,
    /// `if:`
    pub condition: Option<&'d Node>,
    /// `permissions:` entry.
    pub permissions: Option<&'d Entry>,
    /// `environment:` (a name or a mapping with `name`/`url`).
    pub environment: Option<&'d Node>,
    /// `runs-on:`
    pub runs_on: Option<&'d Node>,
    /// `container:`
    pub container: Option<&'d Node>,
    /// `services:`
    pub services: Option<&'d Node>,
    /// `env:`
    pub env: Option<&'d Node>,
    /// `steps:`, empty for reusable-workflow calls.
    pub steps: Vec<Step<'d>>,
    /// `uses:` of a reusable-workflow call.
    pub uses: Option<&'d Node>,
    /// `with:` of a reusable-workflow call.
    pub with: Option<&'d Node>,
    /// `secrets:` of a reusable-workflow call (`inherit` or a mapping).
    pub secrets: Option<&'d Node>,
    /// `needs:` job ids.
    pub needs: Vec<&'d str>,
    /// `outputs:`
    pub outputs: Option<&'d Node>,
    /// `strategy:`
    pub strategy: Option<&'d Node>,
}

impl<'d> Job<'d> {
    fn new(id: &'d str, entry: &'d Entry) -> Job<'d> {
        let node = &entry.value;
        let path = format!("jobs.{id}");
        let steps = node
            .get("steps")
            .map(|steps| Step::list(steps, &format!("{path}.steps")))
            .unwrap_or_default();
        let needs = match node.get("needs") {
            Some(needs) if needs.as_str().is_some() => needs.as_str().into_iter().collect(),
            Some(needs) => needs.items().filter_map(Node::as_str).collect(),
            None => Vec::new(),
        };
        Job {
            id,
            key: &entry.key,
            node,
            path,
            condition: node.get("if"),
            permissions: node.entry("permissions"),
            environment: node.get("environment"),
            runs_on: node.get("runs-on"),
            container: node.get("container"),
            services: node.get("services"),
            env: node.get("env"),
            steps,
            uses: node.get("uses"),
            with: node.get("with"),
            secrets: node.get("secrets"),
            needs,
            outputs: node.get("outputs"),
            strategy: node.get("strategy"),
        }
    }

    /// The parsed `uses:` of a reusable-workflow call.
    pub fn uses_ref(&self) -> Option<Uses<'d>> {
        self.uses.and_then(Node::as_str).and_then(Uses::parse)
    }

    /// The environment's name, when one is set.
    pub fn environment_name(&self) -> Option<&'d str> {
        let environment = self.environment?;
        environment
            .as_str()
            .or_else(|| environment.get("name").and_then(Node::as_str))
            .filter(|name| !name.trim().is_empty())
    }
}

/// One step of a job or composite action.
#[derive(Debug)]
pub struct Step<'d> {
    /// 0-based position in `steps:`.
    pub index: usize,
    /// The step mapping.
    pub node: &'d Node,
    /// Symbolic path, such as `jobs.build.steps[2]`.
    pub path: String,
    /// `id:`
    pub id: Option<&'d str>,
    /// `name:`
    pub name: Option<&'d Node>,
    /// `if:`
    pub condition: Option<&'d Node>,
    /// `uses:`
    pub uses: Option<&'d Node>,
    /// `run:`
    pub run: Option<&'d Node>,
    /// `shell:`
    pub shell: Option<&'d Node>,
    /// `with:`
    pub with: Option<&'d Node>,
    /// `env:`
    pub env: Option<&'d Node>,
}

impl<'d> Step<'d> {
    /// The steps of a `steps:` sequence whose symbolic path is `path`.
    pub fn list(steps: &'d Node, path: &str) -> Vec<Step<'d>> {
        steps
            .items()
            .enumerate()
            .filter(|(_, node)| node.as_map().is_some())
            .map(|(index, node)| Step {
                index,
                node,
                path: format!("{path}[{index}]"),
                id: node.get("id").and_then(Node::as_str),
                name: node.get("name"),
                condition: node.get("if"),
                uses: node.get("uses"),
                run: node.get("run"),
                shell: node.get("shell"),
                with: node.get("with"),
                env: node.get("env"),
            })
            .collect()
    }

    /// The parsed `uses:`.
    pub fn uses_ref(&self) -> Option<Uses<'d>> {
        self.uses.and_then(Node::as_str).and_then(Uses::parse)
    }

    /// Whether the step uses `owner/repo` (any subpath, any ref),
    /// compared case-insensitively.
    pub fn uses_action(&self, slug: &str) -> bool {
        match self.uses_ref() {
            Some(Uses::Repository { owner, repo, .. }) => {
                slug.split_once('/').is_some_and(|(o, r)| {
                    o.eq_ignore_ascii_case(owner) && r.eq_ignore_ascii_case(repo)
                })
            }
            _ => false,
        }
    }

    /// The value of input `name` under `with:`.
    pub fn input(&self, name: &str) -> Option<&'d Node> {
        self.with.and_then(|with| with.get(name))
    }

    /// The script, for `run:` steps.
    pub fn script(&self) -> Option<&'d str> {
        self.run.and_then(Node::as_str)
    }
}

/// An action definition (`action.yml`).
#[derive(Debug)]
pub struct Action<'d> {
    /// The file.
    pub doc: &'d Document,
    /// Its root mapping.
    pub root: &'d Node,
    /// `inputs:`
    pub inputs: Option<&'d Node>,
    /// `runs:`
    pub runs: Option<&'d Node>,
    /// `runs.using`, lower-cased by the caller when compared.
    pub using: Option<&'d str>,
    /// Steps of a composite action (`runs.steps`).
    pub steps: Vec<Step<'d>>,
    /// `runs.image` of a Docker action.
    pub image: Option<&'d Node>,
}

impl<'d> Action<'d> {
    /// Reads the action in `doc`; `None` when the root is not a mapping.
    pub fn new(doc: &'d Document) -> Option<Action<'d>> {
        let root = doc.root()?;
        root.as_map()?;
        let runs = root.get("runs");
        Some(Action {
            doc,
            root,
            inputs: root.get("inputs"),
            runs,
            using: runs.and_then(|r| r.get("using")).and_then(Node::as_str),
            steps: runs
                .and_then(|r| r.get("steps"))
                .map(|steps| Step::list(steps, "runs.steps"))
                .unwrap_or_default(),
            image: runs.and_then(|r| r.get("image")),
        })
    }

    /// Whether this is a composite action.
    pub fn is_composite(&self) -> bool {
        self.using
            .is_some_and(|u| u.eq_ignore_ascii_case("composite"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_accept_every_spelling() {
        for (src, expected) in [
            ("on: push\n", vec!["push"]),
            ("on: [push, pull_request]\n", vec!["push", "pull_request"]),
            (
                "on:\n  pull_request_target:\n    types: [opened]\n  workflow_dispatch:\n",
                vec!["pull_request_target", "workflow_dispatch"],
            ),
        ] {
            let doc = Document::parse(src).expect("valid");
            let wf = Workflow::new(&doc).expect("workflow");
            let names: Vec<&str> = wf.triggers.iter().map(|t| t.name).collect();
            assert_eq!(names, expected, "{src}");
        }
    }

    #[test]
    fn jobs_and_steps_carry_symbolic_paths() {
        let src = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    environment: prod\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n";
        let doc = Document::parse(src).expect("valid");
        let wf = Workflow::new(&doc).expect("workflow");
        let job = &wf.jobs[0];
        assert_eq!(job.path, "jobs.build");
        assert_eq!(job.environment_name(), Some("prod"));
        assert_eq!(job.steps[1].path, "jobs.build.steps[1]");
        assert_eq!(job.steps[1].script(), Some("make"));
        assert!(job.steps[0].uses_action("Actions/Checkout"));
    }

    #[test]
    fn composite_actions_expose_their_steps() {
        let src =
            "name: x\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n";
        let doc = Document::parse(src).expect("valid");
        let action = Action::new(&doc).expect("action");
        assert!(action.is_composite());
        assert_eq!(action.steps[0].path, "runs.steps[0]");
    }
}
