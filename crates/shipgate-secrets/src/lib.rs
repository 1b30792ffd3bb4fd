//! Secret detection for shipgate.
//!
//! Rules are data ([`shipgate_model::SecretRuleSpec`] in TOML); the built-in
//! ones are embedded from `rules/*.toml`, and [`gitleaks::import`] turns a
//! gitleaks configuration into the same form.
//!
//! A [`SecretScanner`] runs one ASCII case-insensitive keyword automaton
//! over each buffer and then only the rules whose keywords occur. When a
//! rule's pattern proves that every match starts with a keyword, its regex
//! is tried only at those starts; when it proves every match contains a
//! keyword and is bounded, only in windows around the hits; otherwise over
//! the whole buffer ([`SecretScanner::whole_buffer_rules`] lists those).
//! Matches then pass the entropy check, companion (`requires`) rules,
//! allowlists and noise filters for placeholders, references to stored
//! secrets, digests and identifiers. A secret several rules report gives
//! one finding, whose note names the other rules ([`ALSO_MATCHES_NOTE`]);
//! of overlapping secrets, the more confident rule's wins.
//!
//! Patterns use `regex` crate syntax matched against raw bytes, read in
//! ASCII mode: `\w`, `\d`, `\s` and `\b` cover ASCII only, as in Go's RE2
//! (the syntax of gitleaks rules), and so does `(?i)`. Tokens are ASCII,
//! and this keeps counted repetitions small. A pattern that needs Unicode,
//! such as `\p{L}`, is compiled with Unicode on.

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
pub use scanner::{ALSO_MATCHES_NOTE, PLACEHOLDER_NOTE, SecretScanner, SecretsOptions};

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
