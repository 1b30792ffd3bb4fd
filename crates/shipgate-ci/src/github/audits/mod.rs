//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod adhoc_packages;
mod anonymous_definition;
mod artipacked;
mod bot_conditions;
mod cache_poisoning;
mod curl_pipe_shell;
mod dangerous_triggers;
mod dependabot_cooldown;
mod dependabot_execution;
mod excessive_permissions;
mod forbidden_uses;
mod github_env;
mod hardcoded_credentials;
mod insecure_commands;
mod known_vulnerable_actions;
mod obfuscation;
mod overprovisioned_secrets;
mod secrets_in_logs;
mod secrets_inherit;
mod secrets_outside_environment;
mod self_hosted_runner;
mod static_cloud_credentials;
mod support;
mod template_injection;
mod unpinned_images;
mod unpinned_uses;
mod unprotected_deployment;
mod unredacted_secrets;
mod unsound_condition;
mod unsound_contains;
mod untrusted_checkout;
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
        &untrusted_checkout::UntrustedCheckout,
        &dangerous_triggers::DangerousTriggers,
        &excessive_permissions::ExcessivePermissions,
        &self_hosted_runner::SelfHostedRunner,
        &artipacked::Artipacked,
        &cache_poisoning::CachePoisoning,
        &secrets_inherit::SecretsInherit,
        &overprovisioned_secrets::OverprovisionedSecrets,
        &secrets_outside_environment::SecretsOutsideEnvironment,
        &unprotected_deployment::UnprotectedDeployment,
        &template_injection::TemplateInjection,
        &github_env::GithubEnv,
        &unsound_condition::UnsoundCondition,
        &unsound_contains::UnsoundContains,
        &bot_conditions::BotConditions,
        &obfuscation::Obfuscation,
        &insecure_commands::InsecureCommands,
    ]
}
