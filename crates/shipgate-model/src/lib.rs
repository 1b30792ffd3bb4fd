//! The shared vocabulary of shipgate.
//!
//! Every scanner emits [`Finding`]s; every consumer (reports, baselines,
//! policy, ledger) reads only this model, never a scanner's internals.

pub mod config;
pub mod controls;
pub mod finding;
pub mod location;
pub mod rule;
pub mod scan;
pub mod secret_rule;
pub mod severity;
pub mod suppress;

pub use config::{
    AdvisoryIgnore, CiConfig, Config, ConfigError, DepsConfig, ForbiddenUses, IsoDate,
    LoadedConfig, Persona, PinPolicy,
};
pub use controls::{Control, Framework};
pub use finding::{Finding, Fingerprint, Snippet};
pub use location::{CommitInfo, LineIndex, Location, Position};
pub use rule::RuleMeta;
pub use scan::{Note, NoteKind, ScanReport, ScanStats, Scanner, SourceFile, ToolInfo};
pub use secret_rule::{SecretRuleFile, SecretRuleSpec};
pub use severity::{Confidence, Severity};
