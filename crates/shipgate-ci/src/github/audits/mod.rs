//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod adhoc_packages;
mod anonymous_definition;
mod curl_pipe_shell;
mod dependabot_cooldown;
mod dependabot_execution;
mod forbidden_uses;
mod hardcoded_credentials;
mod known_vulnerable_actions;
mod secrets_in_logs;
mod static_cloud_credentials;
mod support;
mod unpinned_images;
mod unpinned_uses;
mod unredacted_secrets;
mod use_trusted_publishing;
mod uses_sites;

/// Every GitHub audit, in documentation order.
pub fn all() -> Vec<&'static dyn GithubAudit> {
    vec![
        &unpinned_uses::UnpinnedUses,
        &curl_pipe_shell::CurlPipeShell,
        &static_cloud_credentials::StaticCloudCredentials,
        &use_trusted_publishing::UseTrustedPublishing,
        &hardcoded_credentials::HardcodedCredentials,
        &secrets_in_logs::SecretsInLogs,
        &unredacted_secrets::UnredactedSecrets,
        &known_vulnerable_actions::KnownVulnerableActions,
        &unpinned_images::UnpinnedImages,
        &forbidden_uses::ForbiddenUses,
        &dependabot_execution::DependabotExecution,
        &dependabot_cooldown::DependabotCooldown,
        &adhoc_packages::AdhocPackages,
        &anonymous_definition::AnonymousDefinition,
    ]
}
