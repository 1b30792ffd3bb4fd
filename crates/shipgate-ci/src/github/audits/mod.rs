//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod adhoc_packages;
mod anonymous_definition;
mod dependabot_cooldown;
mod dependabot_execution;
mod forbidden_uses;
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
        &forbidden_uses::ForbiddenUses,
        &dependabot_execution::DependabotExecution,
        &dependabot_cooldown::DependabotCooldown,
        &adhoc_packages::AdhocPackages,
        &anonymous_definition::AnonymousDefinition,
    ]
}
