//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod known_vulnerable_actions;
mod unpinned_images;
mod unpinned_uses;
mod uses_sites;

/// Every GitHub audit, in documentation order.
pub fn all() -> Vec<&'static dyn GithubAudit> {
    vec![
        &unpinned_uses::UnpinnedUses,
        &known_vulnerable_actions::KnownVulnerableActions,
        &unpinned_images::UnpinnedImages,
    ]
}
