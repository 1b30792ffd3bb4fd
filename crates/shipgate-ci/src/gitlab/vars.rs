//! What several GitLab audits need to know about variables and rules.

use std::ops::Range;

use crate::gitlab::pipeline::{Job, Pipeline, Value};

/// Whether GitLab itself defines `name` (`CI_*`, `GITLAB_*`...); such
/// variables are not project secrets.
pub fn is_predefined(name: &str) -> bool {
    [
        "CI_",
        "GITLAB_",
        "RUNNER_",
        "FF_",
        "TRIGGER_PAYLOAD",
        "CHAT_",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

/// Every `$NAME` / `${NAME}` reference in `text`, with the byte range of the
/// whole reference.
pub fn references(text: &str) -> Vec<(&str, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = text.get(at..).and_then(|rest| rest.find('$')) {
        let dollar = at + found;
        let braced = bytes.get(dollar + 1) == Some(&b'{');
        let start = dollar + 1 + usize::from(braced);
        let end = start
            + bytes[start.min(bytes.len())..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
        let starts_well = bytes
            .get(start)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if end > start && starts_well {
            let close = if braced && bytes.get(end) == Some(&b'}') {
                end + 1
            } else {
                end
            };
            if !braced || close > end {
                out.push((&text[start..end], dollar..close));
            }
        }
        at = dollar + 1;
    }
    out
}

/// Whether `text` is exactly one variable reference, optionally quoted.
pub fn is_single_reference(text: &str) -> bool {
    let trimmed = text.trim().trim_matches('"');
    references(trimmed)
        .first()
        .is_some_and(|(_, range)| range.start == 0 && range.end == trimmed.len())
}

/// The `if:` of a rule.
pub fn rule_if<'v>(rule: &'v Value<'_>) -> Option<&'v str> {
    rule.get("if").and_then(Value::as_str)
}

/// The `when:` of a rule or job.
pub fn when_of<'v>(value: &'v Value<'_>) -> Option<&'v str> {
    value.get("when").and_then(Value::as_str)
}

/// Conditions that hold only for protected, reviewed refs: the default
/// branch, tags, or refs GitLab marks protected.
pub fn limits_to_protected_refs(condition: &str) -> bool {
    let compact: String = condition.chars().filter(|c| !c.is_whitespace()).collect();
    let negated = compact.contains("$CI_COMMIT_TAG==null")
        || compact.contains("$CI_COMMIT_TAG==\"\"")
        || compact.contains("!$CI_COMMIT_TAG");
    if negated || compact.contains("||") {
        return false;
    }
    compact.contains("$CI_COMMIT_BRANCH==$CI_DEFAULT_BRANCH")
        || compact.contains("$CI_COMMIT_REF_NAME==$CI_DEFAULT_BRANCH")
        || compact.contains("$CI_DEFAULT_BRANCH==$CI_COMMIT_BRANCH")
        || compact.contains("$CI_DEFAULT_BRANCH==$CI_COMMIT_REF_NAME")
        || compact.contains("$CI_COMMIT_TAG")
        || compact.contains("$CI_COMMIT_REF_PROTECTED==\"true\"")
        || compact.contains("$CI_COMMIT_REF_PROTECTED=='true'")
        || compact.contains("$CI_COMMIT_REF_PROTECTED==true")
        || ["main", "master"].iter().any(|branch| {
            compact.contains(&format!("$CI_COMMIT_BRANCH==\"{branch}\""))
                || compact.contains(&format!("$CI_COMMIT_BRANCH=='{branch}'"))
                || compact.contains(&format!("$CI_COMMIT_REF_NAME==\"{branch}\""))
                || compact.contains(&format!("$CI_COMMIT_REF_NAME=='{branch}'"))
        })
}

/// Whether `only:` (a list or `refs:` mapping) allows only the default
/// branch, tags and release branches.
fn only_protected(only: &Value<'_>) -> bool {
    let refs = only.get("refs").unwrap_or(only);
    let names: Vec<&str> = refs
        .lines()
        .into_iter()
        .filter_map(|l| l.as_str())
        .collect();
    !names.is_empty()
        && names.iter().all(|name| {
            matches!(*name, "main" | "master" | "tags" | "/^v\\d+.*$/")
                || name.starts_with("/^release")
                || name.starts_with("/^v")
                || name.starts_with("release")
                || name.starts_with("stable")
        })
}

/// Whether the job runs only on protected refs: through `rules:` whose every
/// running rule is so limited, through `only:`, or through `workflow:
/// rules:` of the pipeline.
pub fn runs_only_on_protected_refs(pipeline: &Pipeline<'_>, job: &Job<'_>) -> bool {
    if let Some(only) = job.get("only")
        && only_protected(only)
    {
        return true;
    }
    let rules = job.rules();
    if !rules.is_empty() && all_running_rules_protected(&rules) {
        return true;
    }
    let workflow = pipeline.workflow_rules();
    let workflow: Vec<&Value<'_>> = workflow.iter().collect();
    !workflow.is_empty() && all_running_rules_protected(&workflow)
}

fn all_running_rules_protected(rules: &[&Value<'_>]) -> bool {
    let running: Vec<&&Value<'_>> = rules
        .iter()
        .filter(|rule| when_of(rule) != Some("never"))
        .collect();
    !running.is_empty()
        && running
            .iter()
            .all(|rule| rule_if(rule).is_some_and(limits_to_protected_refs))
}

/// Whether a condition matches merge-request pipelines.
pub fn matches_merge_requests(condition: &str) -> bool {
    let compact: String = condition.chars().filter(|c| !c.is_whitespace()).collect();
    (compact.contains("$CI_PIPELINE_SOURCE==\"merge_request_event\"")
        || compact.contains("$CI_PIPELINE_SOURCE=='merge_request_event'")
        || compact.contains("$CI_PIPELINE_SOURCE=~/merge_request")
        || compact.contains("$CI_MERGE_REQUEST_IID")
        || compact.contains("$CI_MERGE_REQUEST_ID"))
        && !compact.contains("$CI_PIPELINE_SOURCE!=\"merge_request_event\"")
        && !compact.contains("$CI_PIPELINE_SOURCE!='merge_request_event'")
}

/// Whether a condition excludes merge requests from forks.
pub fn excludes_forks(condition: &str) -> bool {
    let compact: String = condition.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_ID==$CI_PROJECT_ID")
        || compact.contains("$CI_PROJECT_ID==$CI_MERGE_REQUEST_SOURCE_PROJECT_ID")
        || compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH==$CI_PROJECT_PATH")
        || compact.contains("$CI_PROJECT_PATH==$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH")
        || compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH==\"")
        || compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_PATH=='")
        || compact.contains("$CI_MERGE_REQUEST_SOURCE_PROJECT_ID==\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_cover_both_forms_and_ignore_non_names() {
        let refs = references("a $FOO ${BAR}x $1 $ {Z} ${UNCLOSED");
        let names: Vec<&str> = refs.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["FOO", "BAR"]);
        assert_eq!(refs[1].1, 7..13);
        assert!(is_single_reference("\"$TOKEN\""));
        assert!(!is_single_reference("x$TOKEN"));
    }

    #[test]
    fn protected_ref_conditions() {
        assert!(limits_to_protected_refs(
            "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
        ));
        assert!(limits_to_protected_refs("$CI_COMMIT_TAG"));
        assert!(!limits_to_protected_refs(
            "$CI_COMMIT_TAG || $CI_PIPELINE_SOURCE == \"merge_request_event\""
        ));
        assert!(!limits_to_protected_refs("$CI_COMMIT_TAG == null"));
        assert!(!limits_to_protected_refs("$CI_COMMIT_BRANCH"));
    }

    #[test]
    fn merge_request_and_fork_conditions() {
        assert!(matches_merge_requests(
            "$CI_PIPELINE_SOURCE == \"merge_request_event\""
        ));
        assert!(!matches_merge_requests(
            "$CI_PIPELINE_SOURCE != \"merge_request_event\""
        ));
        assert!(excludes_forks(
            "$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID"
        ));
    }
}
