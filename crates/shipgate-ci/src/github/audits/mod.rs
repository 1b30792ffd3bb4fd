//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod template_injection;
mod unpinned_uses;

/// Every GitHub audit, in documentation order.
pub fn all() -> Vec<&'static dyn GithubAudit> {
    vec![
        &unpinned_uses::UnpinnedUses,
        &template_injection::TemplateInjection,
    ]
}
