//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod artipacked;
mod cache_poisoning;
mod dangerous_triggers;
mod excessive_permissions;
mod overprovisioned_secrets;
mod secrets_inherit;
mod secrets_outside_environment;
mod self_hosted_runner;
mod unpinned_uses;
mod unprotected_deployment;
mod untrusted_checkout;

/// Every GitHub audit, in documentation order.
pub fn all() -> Vec<&'static dyn GithubAudit> {
    vec![
        &unpinned_uses::UnpinnedUses,
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
    ]
}
