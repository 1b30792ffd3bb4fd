//! How bad a finding is, and how sure the rule is about it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Impact of a finding if it is real. Ordered from least to most severe, so
/// `severity >= threshold` is the gate test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never a risk on its own.
    Info,
    /// A weakness that needs other flaws to matter.
    Low,
    /// A real weakness with limited reach.
    Medium,
    /// Directly exploitable or a live credential.
    High,
    /// Exploitable with broad reach (for example a cloud root credential).
    Critical,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in configuration, CLI flags and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a severity or confidence name that is not one of the known words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`; expected one of: {expected}")]
pub struct UnknownLevel {
    kind: &'static str,
    value: String,
    expected: &'static str,
}

impl FromStr for Severity {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLevel {
                kind: "severity",
                value: s.to_owned(),
                expected: "info, low, medium, high, critical",
            })
    }
}

/// How likely a finding is to be a true positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Pattern is generic; expect false positives.
    Low,
    /// Pattern is specific but the context can make it benign.
    Medium,
    /// Pattern is distinctive (for example a prefixed, checksummed token).
    High,
}

impl Confidence {
    /// Every confidence level, least sure first.
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    /// The lowercase name used in configuration and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Confidence {
    type Err = UnknownLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Confidence::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownLevel {
                kind: "confidence",
                value: s.to_owned(),
                expected: "low, medium, high",
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_from_info_to_critical() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn confidence_parses_case_insensitively() {
        assert_eq!("Medium".parse::<Confidence>(), Ok(Confidence::Medium));
        assert!("certain".parse::<Confidence>().is_err());
    }
}
