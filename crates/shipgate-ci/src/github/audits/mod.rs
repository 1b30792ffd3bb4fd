//! The GitHub Actions audits, one module each.

use super::GithubAudit;

mod bot_conditions;
mod github_env;
mod insecure_commands;
mod obfuscation;
mod template_injection;
mod unpinned_uses;
mod unsound_condition;
mod unsound_contains;

/// Every GitHub audit, in documentation order.
pub fn all() -> Vec<&'static dyn GithubAudit> {
    vec![
        &unpinned_uses::UnpinnedUses,
        &template_injection::TemplateInjection,
        &github_env::GithubEnv,
        &unsound_condition::UnsoundCondition,
        &unsound_contains::UnsoundContains,
        &bot_conditions::BotConditions,
        &obfuscation::Obfuscation,
        &insecure_commands::InsecureCommands,
    ]
}
