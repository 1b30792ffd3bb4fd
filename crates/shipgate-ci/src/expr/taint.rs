//! Who controls the value of a context path.
//!
//! Sources of truth:
//! - GitHub's "Security hardening for GitHub Actions" guide, section on
//!   script injection, which names the untrusted inputs: issue and pull
//!   request titles and bodies, comment and review bodies, wiki page names,
//!   commit messages and author names/emails, `pull_request.head.ref`,
//!   `head.label`, `head.repo.default_branch` and `github.head_ref`, with
//!   the advice that anything ending in `body`, `title`, `message`, `name`
//!   or `email` under `github.event` deserves suspicion.
//! - GitHub's "Webhook events and payloads" reference, for which fields each
//!   event carries and which of them the event's sender writes (titles,
//!   bodies, branch names of forks, fork metadata, commit metadata,
//!   `repository_dispatch`'s free-form `client_payload`) and which GitHub
//!   itself fills in (ids, numbers, URLs, SHAs, states, timestamps).
//! - GitHub's "Contexts reference", for the fixed-format values of the
//!   `github`, `job`, `jobs`, `steps`, `needs`, `runner` and `strategy`
//!   contexts.
//!
//! Field rules match path suffixes, so a rule written once covers every
//! event that nests the same object (a `comment` in `issue_comment`,
//! `pull_request_review_comment` and `discussion_comment`; a `head_commit`
//! in `push` and in `workflow_run`).

/// Who can choose a context's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A fixed format an attacker cannot use to inject: numbers, booleans,
    /// SHAs, ids, URLs GitHub builds, `github.repository`, `github.sha`,
    /// `github.run_id`, `needs.*.result`, `steps.*.outcome`/`conclusion`,
    /// `job.status`, `runner.*`, and `secrets.*` (not attacker controlled;
    /// other audits handle secrets).
    Safe,
    /// Any user who can open an issue, pull request or comment, or push to a
    /// fork, controls it. `free_text` is false for values with a restricted
    /// character set that still allow injection, such as branch names,
    /// labels, usernames and fork repository names (no spaces, but `$(…)`,
    /// backticks or `;` may get through).
    Attacker {
        /// Whether any text at all (spaces, quotes, newlines) can appear.
        free_text: bool,
    },
    /// Set by maintainers or collaborators only (`workflow_dispatch` inputs,
    /// `vars.*`, `env.*`, `matrix.*`, `inputs.*`, `steps.*.outputs.*`,
    /// `needs.*.outputs.*`, `github.ref_name`), or simply not known: callers
    /// decide.
    Unknown,
}

const FREE_TEXT: Origin = Origin::Attacker { free_text: true };
const RESTRICTED: Origin = Origin::Attacker { free_text: false };

/// Classifies a context path as produced by
/// [`Expr::context_path`](super::Expr::context_path) (dotted, `*` for any
/// index); case does not matter.
pub fn classify(context_path: &str) -> Origin {
    let path = context_path.to_lowercase();
    let segments: Vec<&str> = path.split('.').collect();
    match segments.as_slice() {
        // The whole `github` context carries the event payload.
        ["github"] => FREE_TEXT,
        ["github", "event", event @ ..] => classify_event(event),
        ["github", field] => classify_github_field(field),
        ["secrets", ..] | ["runner", ..] | ["strategy", ..] => Origin::Safe,
        ["job", "status" | "check_run_id"]
        | ["job", "container", "id" | "network"]
        | ["job", "services", _, "id" | "network"]
        | ["job", "services", _, "ports", ..]
        | ["needs" | "jobs", _, "result"]
        | ["steps", _, "outcome" | "conclusion"] => Origin::Safe,
        _ => Origin::Unknown,
    }
}

/// `github.<field>` outside the event payload.
fn classify_github_field(field: &str) -> Origin {
    match field {
        // Branch of the pull request's head, which a fork names.
        "head_ref" => RESTRICTED,
        // Usernames: letters, digits and hyphens, but a fork's owner picks it.
        "actor" | "triggering_actor" => RESTRICTED,
        "repository"
        | "repository_id"
        | "repository_owner"
        | "repository_owner_id"
        | "repositoryurl"
        | "sha"
        | "run_id"
        | "run_number"
        | "run_attempt"
        | "actor_id"
        | "triggering_actor_id"
        | "event_name"
        | "job"
        | "workflow_ref"
        | "workflow_sha"
        | "server_url"
        | "api_url"
        | "graphql_url"
        | "token"
        | "ref_type"
        | "ref_protected"
        | "retention_days"
        | "secret_source"
        | "workspace"
        | "action_path"
        | "env"
        | "path"
        | "output"
        | "state"
        | "step_summary"
        | "event_path"
        | "action_status" => Origin::Safe,
        _ => Origin::Unknown,
    }
}

/// Objects the event's sender owns (as opposed to the base repository and
/// its organisation, which maintainers own): handing the whole object to
/// `toJSON` carries its titles and bodies.
const SENDER_OBJECTS: &[&str] = &[
    "pull_request",
    "issue",
    "comment",
    "review",
    "discussion",
    "answer",
    "head_commit",
    "commits",
    "release",
    "workflow_run",
    "check_run",
    "check_suite",
    "output",
    "pages",
    "head",
    "repo",
    "head_repository",
    "forkee",
    "milestone",
    "merge_group",
    "pull_requests",
    "author",
    "committer",
    "changes",
    "label",
    "labels",
];

/// Field suffixes an outsider writes as free text. `*` matches any one
/// segment.
const FREE_TEXT_FIELDS: &[&[&str]] = &[
    &["title"],
    &["body"],
    &["message"],
    &["description"],
    &["homepage"],
    // check_run / check_suite output.
    &["summary"],
    &["text"],
    // workflow_run: the pull request title or commit message.
    &["display_title"],
    // gollum (wiki) pages.
    &["page_name"],
    // Review comments quote the pull request's code and name its files.
    &["diff_hunk"],
    &["comment", "path"],
    // Git lets the committer write any name and email.
    &["author", "name"],
    &["author", "email"],
    &["committer", "name"],
    &["committer", "email"],
    // File names a commit touches.
    &["added", "*"],
    &["removed", "*"],
    &["modified", "*"],
    &["release", "name"],
    // A workflow run's name comes from the workflow file of the commit that
    // ran it, which a fork's pull request can change.
    &["workflow_run", "name"],
    &["workflow", "name"],
];

/// Field suffixes an outsider chooses within a restricted character set.
const RESTRICTED_FIELDS: &[&[&str]] = &[
    // Branch names (git ref rules: no spaces or `~^:?*[\`, but `$();` pass).
    &["head", "ref"],
    &["head", "label"],
    &["head_branch"],
    &["head_ref"],
    &["head", "repo", "default_branch"],
    &["forkee", "default_branch"],
    &["release", "tag_name"],
    // Usernames.
    &["login"],
    &["username"],
    &["pusher", "name"],
    // Label names.
    &["label", "name"],
    &["labels", "*", "name"],
    // Fork repository names.
    &["head", "repo", "name"],
    &["head", "repo", "full_name"],
    &["head_repository", "name"],
    &["head_repository", "full_name"],
    &["forkee", "name"],
    &["forkee", "full_name"],
];

/// Leaf names whose values GitHub generates in a fixed format.
const FIXED_FORMAT_LEAVES: &[&str] = &[
    "id",
    "node_id",
    "number",
    "url",
    "sha",
    "before",
    "after",
    "state",
    "merged",
    "draft",
    "locked",
    "author_association",
    "action",
    "conclusion",
    "status",
    "run_number",
    "run_attempt",
    "type",
    "site_admin",
    "private",
    "fork",
    "size",
    "forced",
    "deleted",
    "created",
    "distinct",
    "timestamp",
    "date",
    "mergeable",
    "rebaseable",
    "mergeable_state",
    "maintainer_can_modify",
    "line",
    "original_line",
    "start_line",
    "original_start_line",
    "position",
    "original_position",
    "side",
    "start_side",
    "comments",
    "review_comments",
    "additions",
    "deletions",
    "changed_files",
    "ref_type",
    "pusher_type",
    "event",
    "visibility",
];

/// Leaf suffixes of fixed-format fields: `html_url`, `head_sha`,
/// `check_suite_id`, `created_at`, `stargazers_count`…
const FIXED_FORMAT_SUFFIXES: &[&str] = &["_url", "_id", "_sha", "_at", "_count"];

/// A path under `github.event`, given as its segments after `event`.
fn classify_event(event: &[&str]) -> Origin {
    match event {
        [] => return FREE_TEXT,
        // repository_dispatch: whatever the caller of the API sent.
        ["client_payload", ..] => return FREE_TEXT,
        // workflow_dispatch inputs: only people with write access trigger it.
        ["inputs", ..] => return Origin::Unknown,
        [
            "repository" | "organization" | "enterprise" | "installation",
            ..,
        ] => {
            return Origin::Safe;
        }
        // pull_request.commits is a count; push's commits is a list.
        [.., "pull_request", "commits"] => return Origin::Safe,
        // Edits keep the previous title or body.
        [.., "changes", "title" | "body", "from"] => return FREE_TEXT,
        _ => {}
    }
    let base_repository =
        event.contains(&"repository") || event.windows(2).any(|pair| pair == ["base", "repo"]);
    if base_repository {
        return Origin::Safe;
    }
    let leaf = event.last().copied().unwrap_or_default();
    let fixed_format = FIXED_FORMAT_LEAVES.contains(&leaf)
        || FIXED_FORMAT_SUFFIXES
            .iter()
            .any(|suffix| leaf.ends_with(suffix));
    if fixed_format {
        return Origin::Safe;
    }
    if FREE_TEXT_FIELDS
        .iter()
        .any(|pattern| ends_with(event, pattern))
    {
        return FREE_TEXT;
    }
    if RESTRICTED_FIELDS
        .iter()
        .any(|pattern| ends_with(event, pattern))
    {
        return RESTRICTED;
    }
    let object = event.iter().rev().find(|segment| **segment != "*");
    if object.is_some_and(|object| SENDER_OBJECTS.contains(object)) {
        return FREE_TEXT;
    }
    Origin::Unknown
}

/// Whether `segments` ends with `pattern`, where `*` in the pattern matches
/// any one segment.
fn ends_with(segments: &[&str], pattern: &[&str]) -> bool {
    let Some(start) = segments.len().checked_sub(pattern.len()) else {
        return false;
    };
    segments[start..]
        .iter()
        .zip(pattern)
        .all(|(segment, expected)| *expected == "*" || segment == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(expected: Origin, paths: &[&str]) {
        for path in paths {
            assert_eq!(classify(path), expected, "{path}");
        }
    }

    #[test]
    fn free_text_from_outsiders() {
        check(
            FREE_TEXT,
            &[
                "github.event.issue.title",
                "github.event.issue.body",
                "github.event.pull_request.title",
                "github.event.pull_request.body",
                "github.event.comment.body",
                "github.event.review.body",
                "github.event.discussion.title",
                "github.event.discussion.body",
                "github.event.answer.body",
                "github.event.head_commit.message",
                "github.event.head_commit.author.name",
                "github.event.head_commit.author.email",
                "github.event.head_commit.committer.name",
                "github.event.commits.*.message",
                "github.event.commits.*.author.email",
                "github.event.commits.*.committer.name",
                "github.event.commits.*.added.*",
                "github.event.pages.*.page_name",
                "github.event.pages.*.title",
                "github.event.workflow_run.head_commit.message",
                "github.event.workflow_run.head_commit.author.name",
                "github.event.workflow_run.display_title",
                "github.event.workflow_run.name",
                "github.event.pull_request.head.repo.description",
                "github.event.pull_request.head.repo.homepage",
                "github.event.workflow_run.head_repository.description",
                "github.event.release.name",
                "github.event.release.body",
                "github.event.check_run.output.title",
                "github.event.check_run.output.summary",
                "github.event.check_suite.head_commit.message",
                "github.event.client_payload.anything",
                "github.event.client_payload.id",
                "github.event.issue.milestone.title",
                "github.event.pull_request.milestone.description",
                "github.event.comment.diff_hunk",
                "github.event.comment.path",
                "github.event.changes.title.from",
                "github.event.changes.body.from",
                "github.event.forkee.description",
            ],
        );
    }

    #[test]
    fn restricted_values_from_outsiders() {
        check(
            RESTRICTED,
            &[
                "github.head_ref",
                "github.actor",
                "github.triggering_actor",
                "github.event.pull_request.head.ref",
                "github.event.pull_request.head.label",
                "github.event.pull_request.head.repo.default_branch",
                "github.event.pull_request.head.repo.name",
                "github.event.pull_request.head.repo.full_name",
                "github.event.pull_request.head.repo.owner.login",
                "github.event.pull_request.user.login",
                "github.event.sender.login",
                "github.event.comment.user.login",
                "github.event.commits.*.author.username",
                "github.event.pusher.name",
                "github.event.workflow_run.head_branch",
                "github.event.workflow_run.pull_requests.*.head.ref",
                "github.event.workflow_run.head_repository.full_name",
                "github.event.check_suite.head_branch",
                "github.event.label.name",
                "github.event.issue.labels.*.name",
                "github.event.pull_request.labels.*.name",
                "github.event.forkee.full_name",
                "github.event.release.tag_name",
            ],
        );
    }

    #[test]
    fn fixed_formats_and_owned_values_are_safe() {
        check(
            Origin::Safe,
            &[
                "github.repository",
                "github.repository_owner",
                "github.sha",
                "github.run_id",
                "github.actor_id",
                "github.event_name",
                "github.token",
                "github.event.pull_request.head.sha",
                "github.event.pull_request.number",
                "github.event.pull_request.html_url",
                "github.event.pull_request.head.repo.id",
                "github.event.pull_request.head.repo.clone_url",
                "github.event.pull_request.merged",
                "github.event.pull_request.commits",
                "github.event.pull_request.created_at",
                "github.event.pull_request.node_id",
                "github.event.pull_request.base.repo.name",
                "github.event.issue.state",
                "github.event.issue.comments",
                "github.event.comment.id",
                "github.event.head_commit.id",
                "github.event.head_commit.timestamp",
                "github.event.commits.*.id",
                "github.event.before",
                "github.event.action",
                "github.event.review.state",
                "github.event.sender.type",
                "github.event.workflow_run.conclusion",
                "github.event.workflow_run.head_sha",
                "github.event.workflow_run.repository.full_name",
                "github.event.repository.name",
                "github.event.repository.description",
                "github.event.repository.default_branch",
                "github.event.repository.owner.login",
                "github.event.organization.login",
                "secrets.github_token",
                "secrets.*",
                "needs.build.result",
                "jobs.build.result",
                "steps.checkout.outcome",
                "steps.*.conclusion",
                "job.status",
                "job.services.postgres.ports.*",
                "runner.os",
                "runner.temp",
                "strategy.job-index",
            ],
        );
    }

    #[test]
    fn maintainer_values_and_the_unlisted_are_unknown() {
        check(
            Origin::Unknown,
            &[
                "github.ref_name",
                "github.ref",
                "github.base_ref",
                "github.workflow",
                "github.event.ref",
                "github.event.inputs.title",
                "github.event.pull_request.base.ref",
                "github.event.discussion.category.name",
                "github.event.deployment.payload.x",
                "github.event.check_run.name",
                "inputs.title",
                "vars.x",
                "env.title",
                "matrix.os",
                "steps.build.outputs.version",
                "needs.build.outputs.body",
                "jobs.build.outputs.x",
                "job.container.image",
                "unknowncontext.title",
                "",
            ],
        );
    }

    #[test]
    fn whole_objects_carry_their_text() {
        check(
            FREE_TEXT,
            &[
                "github",
                "github.event",
                "github.event.pull_request",
                "github.event.issue",
                "github.event.commits",
                "github.event.commits.*",
                "github.event.pull_request.head",
                "github.event.client_payload",
            ],
        );
        check(
            Origin::Safe,
            &[
                "github.event.repository",
                "github.event.pull_request.base.repo",
            ],
        );
    }

    #[test]
    fn case_is_ignored() {
        assert_eq!(classify("GitHub.Event.Issue.Title"), FREE_TEXT);
        assert_eq!(classify("GITHUB.HEAD_REF"), RESTRICTED);
    }
}
