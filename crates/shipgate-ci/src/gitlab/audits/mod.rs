//! The GitLab CI audits, one module each.

use super::GitlabAudit;

mod curl_pipe_shell;
mod exposed_artifacts;
mod fork_mr_secrets;
mod hardcoded_credentials;
mod job_token_misuse;
mod privileged_dind;
mod script_injection;
mod secrets_in_logs;
mod static_cloud_credentials;
mod unpinned_images;
mod unpinned_include;
mod unprotected_deployment;

/// Every GitLab audit, in documentation order.
pub fn all() -> Vec<&'static dyn GitlabAudit> {
    vec![
        &unpinned_include::UnpinnedInclude,
        &unprotected_deployment::UnprotectedDeployment,
        &static_cloud_credentials::StaticCloudCredentials,
        &hardcoded_credentials::HardcodedCredentials,
        &privileged_dind::PrivilegedDind,
        &unpinned_images::UnpinnedImages,
        &fork_mr_secrets::ForkMrSecrets,
        &script_injection::ScriptInjection,
        &curl_pipe_shell::CurlPipeShell,
        &secrets_in_logs::SecretsInLogs,
        &exposed_artifacts::ExposedArtifacts,
        &job_token_misuse::JobTokenMisuse,
    ]
}
