//! Who can start a workflow, what they control in it, and what holds them
//! back: the questions the trigger, permission and secret audits share.

use crate::github::model::{Job, Step, Workflow};
use crate::yaml::{Document, Node};

/// Events that run with the base repository's secrets and a token that can
/// write, while someone without write access chooses when they fire and
/// writes much of their payload.
pub const PRIVILEGED_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
];

/// Events that someone without write access can start: a fork's pull
/// request, a review, a comment, or a run that follows one.
pub const OUTSIDER_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "pull_request_review",
    "pull_request_review_comment",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "workflow_run",
];

/// Expression contexts and ref spellings whose value a pull request's
/// author chooses: they name the head of the pull request, not the base.
const PR_HEAD_MARKERS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.head.label",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.id",
    "github.event.workflow_run.head_repository.full_name",
    "github.event.workflow_run.pull_requests[0].head",
    "refs/pull/",
];

/// Text in a step that looks a pull request's head up at run time, which
/// makes the step's outputs as PR-controlled as the head itself.
const PR_LOOKUP_MARKERS: &[&str] = &[
    "pulls.get(",
    "gh pr view",
    "/pulls/",
    "headrefname",
    "headrefoid",
    "head.sha",
    "head.ref",
    "head_sha",
    "pull-request-comment-branch",
    "refs/pull/",
];

/// The privileged events that start `workflow`.
pub fn privileged_triggers<'w, 'd>(
    workflow: &'w Workflow<'d>,
) -> impl Iterator<Item = &'w crate::github::model::Trigger<'d>> {
    workflow
        .triggers
        .iter()
        .filter(|t| PRIVILEGED_TRIGGERS.contains(&t.name))
}

/// Whether someone without write access can start `workflow`.
pub fn outsider_can_trigger(workflow: &Workflow<'_>) -> bool {
    workflow.triggered_by_any(OUTSIDER_TRIGGERS)
}

/// Whether a privileged event starts `workflow`.
pub fn is_privileged(workflow: &Workflow<'_>) -> bool {
    workflow.triggered_by_any(PRIVILEGED_TRIGGERS)
}

/// Whether `text` names a pull request's head directly.
pub fn names_pr_head(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    PR_HEAD_MARKERS.iter().any(|marker| lower.contains(marker))
}

/// What holds back an outsider-started job, read from its `if:` and
/// `environment:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Runs only for pull requests from branches of the repository itself.
    SameRepository,
    /// Runs only when a maintainer applied a label.
    Label,
    /// Runs only for commenters or authors with a given association.
    AuthorAssociation,
    /// Deploys through an environment, which can require approval.
    Environment(String),
}

impl Gate {
    /// Why the gate lowers the risk, for a finding's note.
    pub fn describe(&self) -> String {
        match self {
            Gate::SameRepository => {
                "the job only runs for pull requests from this repository's own branches".into()
            }
            Gate::Label => "the job waits for a maintainer's label; a push after labelling still runs unreviewed code unless the label is removed on every push".into(),
            Gate::AuthorAssociation => {
                "the job checks the author's association with the repository".into()
            }
            Gate::Environment(name) => format!(
                "the job uses environment `{name}`, which holds it for approval when reviewers are required"
            ),
        }
    }
}

/// The gate on `job`, if any, from its condition and environment.
pub fn job_gate(job: &Job<'_>) -> Option<Gate> {
    if let Some(gate) = job
        .condition
        .and_then(Node::as_str)
        .and_then(condition_gate)
    {
        return Some(gate);
    }
    // A step that checks the association and fails the job otherwise gates
    // like a condition does.
    let checks_association = job.steps.iter().any(|step| {
        step.node.scalars().iter().any(|node| {
            node.as_str()
                .is_some_and(|text| text.contains("author_association"))
        })
    });
    if checks_association {
        return Some(Gate::AuthorAssociation);
    }
    job.environment_name()
        .map(|name| Gate::Environment(name.to_owned()))
}

/// The gate an `if:` expression sets up, if any.
pub fn condition_gate(condition: &str) -> Option<Gate> {
    let compact: String = condition
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let same_repository = [
        "head.repo.full_name==github.repository",
        "github.repository==github.event.pull_request.head.repo.full_name",
        "head.repo.fork==false",
        "!github.event.pull_request.head.repo.fork",
        "head_repository.full_name==github.repository",
        "github.repository==github.event.workflow_run.head_repository.full_name",
    ];
    if same_repository
        .iter()
        .any(|pattern| compact.contains(pattern))
    {
        return Some(Gate::SameRepository);
    }
    if compact.contains("labels.*.name") || compact.contains("github.event.label.name") {
        return Some(Gate::Label);
    }
    if compact.contains("author_association") {
        return Some(Gate::AuthorAssociation);
    }
    None
}

/// Whether `job`'s condition keeps it to events no outsider starts
/// (`github.event_name == 'push'` and the like), so a privileged trigger of
/// its workflow never runs it.
pub fn job_skips_outsider_events(job: &Job<'_>) -> bool {
    let Some(condition) = job.condition.and_then(Node::as_str) else {
        return false;
    };
    let compact: String = condition
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('"', "'");
    if compact.contains("||") {
        return false;
    }
    // A merged pull request's code has been reviewed into the base branch.
    if compact.contains("github.event.pull_request.merged==true")
        || (compact.contains("github.event.pull_request.merged")
            && !compact.contains("!github.event.pull_request.merged")
            && !compact.contains("merged==false"))
    {
        return true;
    }
    [
        "push",
        "schedule",
        "workflow_dispatch",
        "pull_request",
        "release",
        "merge_group",
    ]
    .iter()
    .any(|event| compact.contains(&format!("github.event_name=='{event}'")))
}

/// Which values inside one job a pull request's author controls: the head
/// contexts themselves, environment variables set from them, outputs of
/// steps that look the head up, and outputs of needed jobs built from them.
pub struct PrTaint<'a> {
    doc: &'a Document,
    /// Steps whose outputs carry the head.
    derived_steps: Vec<DerivedStep>,
    /// `needs.<job>.outputs.<name>` prefixes carrying the head.
    derived_needs: Vec<String>,
    /// Names of environment variables holding the head.
    env_vars: Vec<String>,
}

impl<'a> PrTaint<'a> {
    /// The taint of `job` in `workflow`.
    pub fn new(workflow: &'a Workflow<'a>, job: &'a Job<'a>) -> PrTaint<'a> {
        let doc = workflow.doc;
        let derived_steps = derived_step_ids(doc, &job.steps);
        let mut derived_needs = Vec::new();
        for needed in &job.needs {
            let Some(other) = workflow.jobs.iter().find(|j| j.id == *needed) else {
                continue;
            };
            let other_steps = derived_step_ids(doc, &other.steps);
            for output in other.outputs.into_iter().flat_map(Node::entries) {
                let (Some(name), Some(value)) = (output.key.as_str(), output.value.as_str()) else {
                    continue;
                };
                let derived = names_pr_head(value)
                    || mentions_derived(&value.to_ascii_lowercase(), &other_steps);
                if derived {
                    derived_needs
                        .push(format!("needs.{}.outputs.{}", other.id, name).to_ascii_lowercase());
                }
            }
        }
        let mut taint = PrTaint {
            doc,
            derived_steps,
            derived_needs,
            env_vars: Vec::new(),
        };
        let env_blocks = [workflow.env, job.env]
            .into_iter()
            .flatten()
            .chain(job.steps.iter().filter_map(|s| s.env));
        let mut env_vars = Vec::new();
        for env in env_blocks {
            for entry in env.entries() {
                if let Some(name) = entry
                    .key
                    .as_str()
                    .filter(|_| taint.is_controlled(&entry.value))
                {
                    env_vars.push(name.to_owned());
                }
            }
        }
        taint.env_vars = env_vars;
        taint
    }

    /// Whether the value of `node` is chosen by the pull request's author.
    pub fn is_controlled(&self, node: &Node) -> bool {
        self.text_is_controlled(self.doc.text(&node.span))
    }

    /// Whether `text` (an expression or a shell line) carries the head.
    pub fn text_is_controlled(&self, text: &str) -> bool {
        if names_pr_head(text) {
            return true;
        }
        let lower = text.to_ascii_lowercase();
        mentions_derived(&lower, &self.derived_steps)
            || self.derived_needs.iter().any(|p| lower.contains(p))
            || self
                .env_vars
                .iter()
                .any(|name| mentions_shell_var(text, name))
    }
}

/// Whether a step's text looks a pull request's head up or names it.
fn step_reads_pr_head(doc: &Document, step: &Step<'_>) -> bool {
    let lower = doc.text(&step.node.span).to_ascii_lowercase();
    PR_LOOKUP_MARKERS.iter().any(|m| lower.contains(m))
        || PR_HEAD_MARKERS.iter().any(|m| lower.contains(m))
}

/// A step that looks the head up, and those of its outputs that provably
/// carry something else (the base, named on the line that sets them).
struct DerivedStep {
    id: String,
    base_outputs: Vec<String>,
}

fn derived_step_ids(doc: &Document, steps: &[Step<'_>]) -> Vec<DerivedStep> {
    steps
        .iter()
        .filter(|step| step_reads_pr_head(doc, step))
        .filter_map(|step| {
            let id = step.id?.to_ascii_lowercase();
            let text = doc.text(&step.node.span).to_ascii_lowercase();
            let base_outputs = text
                .lines()
                .filter(|line| {
                    let base = [
                        "base.sha",
                        "base.ref",
                        "base_ref",
                        "baserefname",
                        "baserefoid",
                    ]
                    .iter()
                    .any(|m| line.contains(m));
                    base && !PR_LOOKUP_MARKERS.iter().any(|m| line.contains(m))
                })
                .filter_map(output_name)
                .collect();
            Some(DerivedStep { id, base_outputs })
        })
        .collect()
}

/// The output a line sets: `core.setOutput('name', ...)`,
/// `echo "name=..." >> "$GITHUB_OUTPUT"` or `::set-output name=...::`.
fn output_name(line: &str) -> Option<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let name = if let Some(at) = line.find("setoutput(") {
        line[at + "setoutput(".len()..]
            .trim_start()
            .trim_start_matches(['\'', '"', '`'])
            .split(|c: char| !is_name(c))
            .next()
    } else if let Some(at) = line.find("::set-output name=") {
        line[at + "::set-output name=".len()..]
            .split(|c: char| !is_name(c))
            .next()
    } else if line.contains("github_output") {
        let before = line.split('=').next()?;
        before.rsplit(|c: char| !is_name(c)).next()
    } else {
        None
    }?;
    (!name.is_empty()).then(|| name.to_owned())
}

/// Whether lower-cased `text` reads an output of a derived step other than
/// one known to carry the base.
fn mentions_derived(text: &str, steps: &[DerivedStep]) -> bool {
    steps.iter().any(|step| {
        let prefix = format!("steps.{}.outputs.", step.id);
        text.match_indices(&prefix).any(|(at, _)| {
            let name: String = text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            !step.base_outputs.contains(&name)
        })
    })
}

/// Whether `text` expands shell variable `name` (`$NAME` or `${NAME}`,
/// or `env.NAME` in an expression).
pub fn mentions_shell_var(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for (at, _) in text.match_indices(name) {
        let end = at + name.len();
        let next_ok = bytes.get(end).is_none_or(|b| !is_name_byte(*b));
        if !next_ok {
            continue;
        }
        let before = &text[..at];
        if before.ends_with('$') || before.ends_with("${") || before.ends_with("env.") {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow_taint_check(src: &str, job_index: usize, probe: &str) -> bool {
        let doc = Document::parse(src).expect("valid");
        let workflow = Workflow::new(&doc).expect("workflow");
        let job = &workflow.jobs[job_index];
        PrTaint::new(&workflow, job).text_is_controlled(probe)
    }

    #[test]
    fn head_contexts_are_controlled_and_base_contexts_are_not() {
        assert!(names_pr_head("${{ github.event.pull_request.head.sha }}"));
        assert!(names_pr_head("refs/pull/${{ github.event.number }}/merge"));
        assert!(names_pr_head("${{ github.head_ref }}"));
        assert!(!names_pr_head("${{ github.event.pull_request.base.sha }}"));
        assert!(!names_pr_head("${{ github.sha }}"));
    }

    #[test]
    fn taint_follows_env_step_outputs_and_job_outputs() {
        let src = r#"
on: issue_comment
env:
  HEAD: ${{ github.event.pull_request.head.ref }}
jobs:
  resolve:
    runs-on: ubuntu-latest
    outputs:
      sha: ${{ steps.pr.outputs.sha }}
      other: ${{ steps.plain.outputs.x }}
    steps:
      - id: pr
        run: gh pr view "$N" --json headRefOid
      - id: plain
        run: echo x=1 >> "$GITHUB_OUTPUT"
  build:
    needs: resolve
    runs-on: ubuntu-latest
    steps:
      - run: echo
"#;
        assert!(workflow_taint_check(src, 0, "${{ steps.pr.outputs.sha }}"));
        assert!(!workflow_taint_check(
            src,
            0,
            "${{ steps.plain.outputs.x }}"
        ));
        assert!(workflow_taint_check(
            src,
            1,
            "${{ needs.resolve.outputs.sha }}"
        ));
        assert!(!workflow_taint_check(
            src,
            1,
            "${{ needs.resolve.outputs.other }}"
        ));
        assert!(workflow_taint_check(src, 1, "git checkout \"$HEAD\""));
        assert!(!workflow_taint_check(src, 1, "git checkout \"$HEADLESS\""));
    }

    #[test]
    fn outputs_naming_the_base_are_not_the_head() {
        let src = r#"
on: issue_comment
jobs:
  diff:
    runs-on: ubuntu-latest
    steps:
      - id: config
        uses: actions/github-script@v7
        with:
          script: |
            const pr = await github.rest.pulls.get({pull_number: 1})
            core.setOutput('base', pr.data.base.sha)
            core.setOutput('head', pr.data.head.sha)
"#;
        assert!(!workflow_taint_check(
            src,
            0,
            "${{ steps.config.outputs.base }}"
        ));
        assert!(workflow_taint_check(
            src,
            0,
            "${{ steps.config.outputs.head }}"
        ));
        assert_eq!(
            output_name("echo \"sha=$x\" >> \"$github_output\""),
            Some("sha".into())
        );
    }

    #[test]
    fn gates_are_read_from_conditions() {
        assert_eq!(
            condition_gate("github.event.pull_request.head.repo.full_name == github.repository"),
            Some(Gate::SameRepository)
        );
        assert_eq!(
            condition_gate("contains(github.event.pull_request.labels.*.name, 'safe to test')"),
            Some(Gate::Label)
        );
        assert_eq!(
            condition_gate("github.event.comment.author_association == 'MEMBER'"),
            Some(Gate::AuthorAssociation)
        );
        assert_eq!(condition_gate("github.event.action == 'opened'"), None);
    }

    #[test]
    fn shell_variables_match_whole_names() {
        assert!(mentions_shell_var("git checkout $REF", "REF"));
        assert!(mentions_shell_var("git checkout ${REF}", "REF"));
        assert!(!mentions_shell_var("git checkout $REFS", "REF"));
        assert!(!mentions_shell_var("REF=1", "REF"));
    }
}
