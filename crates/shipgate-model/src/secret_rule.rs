//! The data schema of a secret rule, shared by the built-in rule files and
//! custom rules in `shipgate.toml`.

use serde::{Deserialize, Serialize};

use crate::severity::{Confidence, Severity};

/// A secret rule as written in TOML. The secrets engine compiles it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRuleSpec {
    /// Stable id, `secrets/<provider>-<kind>`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// What the credential grants and how to rotate it (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// A `regex` crate pattern, matched against raw bytes.
    pub regex: String,
    /// Case-insensitive literals; the regex runs only on buffers containing one.
    /// An empty list means the rule runs on every buffer, so keep that rare.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Capture group holding the secret; the whole match when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    /// Default severity.
    pub severity: Severity,
    /// How distinctive the pattern is.
    pub confidence: Confidence,
    /// Control ids; the secrets defaults apply when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Path globs the rule is restricted to; every path when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Other rules that must match within `within_lines` of this match for
    /// it to count (for example an AWS secret key needs an access key id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<RequiredRule>,
    /// Matches to ignore for this rule only.
    #[serde(default, skip_serializing_if = "Allowlist::is_empty")]
    pub allowlist: Allowlist,
    /// Strings that must match and strings that must not; the test suite runs them.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
}

/// A companion match a composite rule needs nearby.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredRule {
    /// Id of the companion rule.
    pub id: String,
    /// Maximum distance in lines between the two matches.
    #[serde(default = "default_within_lines")]
    pub within_lines: u32,
}

fn default_within_lines() -> u32 {
    5
}

/// Matches to drop. Any one condition suffices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allowlist {
    /// Path globs whose files are not scanned by the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Regexes tested against the secret; a match drops the finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regexes: Vec<String>,
    /// Case-insensitive substrings of the secret that mark it as not a secret.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stopwords: Vec<String>,
}

impl Allowlist {
    /// True when the allowlist drops nothing.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.regexes.is_empty() && self.stopwords.is_empty()
    }
}

/// Example inputs checked by the test suite.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Inputs that must produce a finding of this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positive: Vec<String>,
    /// Inputs that must not produce a finding of this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negative: Vec<String>,
}

impl Examples {
    /// True when there are no examples.
    pub fn is_empty(&self) -> bool {
        self.positive.is_empty() && self.negative.is_empty()
    }
}

/// A file of secret rules: `[[rule]]` tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRuleFile {
    /// The rules, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rule: Vec<SecretRuleSpec>,
}
