//! Secret detection for shipgate.
//!
//! Rules are data ([`shipgate_model::SecretRuleSpec`] in TOML); the built-in
//! ones are embedded from `rules/*.toml`. A [`SecretScanner`] runs one
//! case-insensitive keyword automaton over each buffer, then only the rules
//! whose keywords occur (near the keyword, when every match must contain
//! it), then checks entropy, companion rules, allowlists and known noise
//! such as placeholders, references to stored secrets and lockfile digests.

mod compile;
mod docs;
pub mod gitleaks;
mod loader;
mod matching;
mod noise;
mod prefilter;
mod reach;
mod report;
mod scanner;

pub use compile::{DEFAULT_SECRET_CONTROLS, RuleCompileError, RuleProblem};
pub use loader::{
    BUILTIN_RULE_FILES, RuleLoadError, RuleWriteError, builtin_rules, parse_rule_file,
    write_rule_file,
};
pub use scanner::{PLACEHOLDER_NOTE, SecretScanner, SecretsOptions};

/// Why the built-in scanner could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum BuiltinError {
    /// A rule file does not parse.
    #[error(transparent)]
    Load(#[from] RuleLoadError),
    /// A rule does not compile.
    #[error(transparent)]
    Compile(#[from] RuleCompileError),
}
