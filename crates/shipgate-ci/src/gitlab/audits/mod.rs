//! The GitLab CI audits, one module each.

use super::GitlabAudit;

mod unpinned_include;

/// Every GitLab audit, in documentation order.
pub fn all() -> Vec<&'static dyn GitlabAudit> {
    vec![&unpinned_include::UnpinnedInclude]
}
