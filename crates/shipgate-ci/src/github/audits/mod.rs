//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod curl_pipe_shell;
mod hardcoded_credentials;
mod secrets_in_logs;
mod static_cloud_credentials;
mod support;
mod unpinned_uses;
mod unredacted_secrets;
mod use_trusted_publishing;

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
    ]
}
