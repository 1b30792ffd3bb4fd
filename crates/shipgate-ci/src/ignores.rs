//! Inline `shipgate:ignore[...]` directives that silence nothing.

use shipgate_model::Finding;
use shipgate_model::suppress::named_rules;

use crate::audit::{Sink, audit_meta};

audit_meta! {
    /// Reports `# shipgate:ignore[rule-id]` comments in CI files that no
    /// longer silence any finding of that rule.
    ///
    /// ## Why it matters
    /// An ignore outlives the problem it was written for: after the step is
    /// fixed or moved, the stale comment silences whatever that rule finds
    /// on the line next time, unseen. Reviewing ignores keeps them honest.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3 # shipgate:ignore[github/unpinned-uses]
    /// ```
    /// The reference is pinned now, so the directive silences nothing.
    ///
    /// ## Fix
    /// Delete the directive (or the rule id from its list).
    pub(crate) static UNUSED_IGNORE = {
        id: "ci/unused-ignore",
        title: "Inline ignore that silences nothing",
        severity: Info,
        confidence: High,
        persona: Pedantic,
        controls: ["CICD-SEC-1"],
    };
}

/// Reports each CI rule named in a directive of `text` that covers none of
/// `findings` (the file's findings before suppression). Directives naming
/// rules of other scanners are left to them; `is_ci_rule` says which ids
/// belong to the CI audits.
pub(crate) fn report_unused(
    text: &str,
    findings: &[&Finding],
    is_ci_rule: impl Fn(&str) -> bool,
    sink: &mut Sink,
) {
    for named in named_rules(text.as_bytes()) {
        if !is_ci_rule(&named.rule_id) || named.rule_id == UNUSED_IGNORE.id {
            continue;
        }
        if findings.iter().any(|finding| named.covers(finding)) {
            continue;
        }
        sink.report(
            &UNUSED_IGNORE,
            named.range.clone(),
            "",
            format!(
                "`shipgate:ignore[{}]` silences nothing here; delete it",
                named.rule_id
            ),
        );
    }
}
