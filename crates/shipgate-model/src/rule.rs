//! Rule metadata: what `shipgate rules` lists and `shipgate explain` prints.

use serde::{Deserialize, Serialize};

use crate::severity::{Confidence, Severity};

/// Where generated rule documentation lives; SARIF `helpUri` points here.
pub const RULES_DOC_URL: &str = "https://github.com/shipgate/shipgate/blob/main/docs/rules.md";

/// Everything known about a rule apart from how it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleMeta {
    /// Stable kebab-case id under its domain, for example `secrets/stripe-secret-key`.
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Default severity before configuration overrides.
    pub severity: Severity,
    /// How sure the rule is when it matches.
    pub confidence: Confidence,
    /// Control ids from the catalog.
    pub controls: Vec<String>,
    /// Markdown documentation: what it finds, why it matters, and the fix.
    pub docs: String,
}

impl RuleMeta {
    /// The domain part of the id (`secrets` in `secrets/aws-access-key-id`).
    pub fn domain(&self) -> &str {
        self.id.split_once('/').map_or(self.id.as_str(), |(d, _)| d)
    }

    /// The anchor GitHub gives the rule's heading in `docs/rules.md`.
    pub fn docs_anchor(&self) -> String {
        self.id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }

    /// Absolute URL of the rule's documentation.
    pub fn help_uri(&self) -> String {
        format!("{RULES_DOC_URL}#{}", self.docs_anchor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_github_heading_rules() {
        let rule = RuleMeta {
            id: "secrets/aws-access-key-id".into(),
            title: "t".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            controls: vec![],
            docs: String::new(),
        };
        assert_eq!(rule.domain(), "secrets");
        assert_eq!(rule.docs_anchor(), "secretsaws-access-key-id");
        assert!(
            rule.help_uri()
                .ends_with("rules.md#secretsaws-access-key-id")
        );
    }
}
