//! The predicate types shipgate writes and understands, by URI and by the
//! short names the command line accepts.

use std::fmt;
use std::str::FromStr;

/// SLSA Provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// SLSA Provenance v0.2, still written by older generators; read only.
pub const SLSA_PROVENANCE_V0_2: &str = "https://slsa.dev/provenance/v0.2";
/// SLSA Verification Summary Attestation v1.
pub const SLSA_VSA_V1: &str = "https://slsa.dev/verification_summary/v1";
/// The in-toto CycloneDX predicate: the predicate is the BOM itself.
pub const CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// The in-toto SPDX predicate: the predicate is the SPDX document itself.
pub const SPDX: &str = "https://spdx.dev/Document";
/// The in-toto vulnerability scan predicate.
pub const VULNS_V0_1: &str = "https://in-toto.io/attestation/vulns/v0.1";
/// The in-toto test result predicate.
pub const TEST_RESULT_V0_1: &str = "https://in-toto.io/attestation/test-result/v0.1";

/// A predicate type as chosen on the command line: a short name for the
/// types shipgate knows, or any URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PredicateKind {
    /// SLSA Provenance v1 (`slsa`).
    Provenance,
    /// CycloneDX SBOM (`cyclonedx`).
    CycloneDx,
    /// SPDX SBOM (`spdx`).
    Spdx,
    /// Vulnerability scan results (`vulns`).
    Vulns,
    /// Test results (`test-result`).
    TestResult,
    /// SLSA verification summary (`vsa`).
    VerificationSummary,
    /// Any other predicate type, named by its URI.
    Custom(String),
}

impl PredicateKind {
    /// The predicate type URI written into statements.
    pub fn type_uri(&self) -> &str {
        match self {
            Self::Provenance => SLSA_PROVENANCE_V1,
            Self::CycloneDx => CYCLONEDX,
            Self::Spdx => SPDX,
            Self::Vulns => VULNS_V0_1,
            Self::TestResult => TEST_RESULT_V0_1,
            Self::VerificationSummary => SLSA_VSA_V1,
            Self::Custom(uri) => uri,
        }
    }

    /// Whether a statement's predicate type is of this kind. SBOM
    /// predicates may carry a spec version suffix (`.../bom/v1.6`,
    /// `.../Document/v2.3`), and provenance v0.2 counts as provenance.
    pub fn matches(&self, predicate_type: &str) -> bool {
        let versioned = |base: &str| {
            predicate_type == base
                || predicate_type
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with("/v"))
        };
        match self {
            Self::Provenance => {
                predicate_type == SLSA_PROVENANCE_V1 || predicate_type == SLSA_PROVENANCE_V0_2
            }
            Self::CycloneDx => versioned(CYCLONEDX),
            Self::Spdx => versioned(SPDX),
            other => predicate_type == other.type_uri(),
        }
    }
}

/// A predicate type that is neither a known short name nor a URI.
#[derive(Debug, thiserror::Error)]
pub enum UnknownPredicateKind {
    /// A word that names no predicate type.
    #[error(
        "unknown predicate type `{0}`: use slsa, cyclonedx, spdx, vulns, test-result, vsa, or a URI such as https://example.com/my-predicate/v1"
    )]
    Unknown(String),
    /// `custom` alone: a custom predicate is named by its own URI.
    #[error(
        "a custom predicate is named by its own type URI: pass it, such as --predicate-type https://example.com/my-predicate/v1"
    )]
    CustomWithoutUri,
}

impl FromStr for PredicateKind {
    type Err = UnknownPredicateKind;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "slsa" | "provenance" | "slsaprovenance" => Self::Provenance,
            "cyclonedx" => Self::CycloneDx,
            "spdx" | "spdxjson" => Self::Spdx,
            "vulns" | "vuln" => Self::Vulns,
            "test-result" => Self::TestResult,
            "vsa" => Self::VerificationSummary,
            "custom" => return Err(UnknownPredicateKind::CustomWithoutUri),
            uri if uri.contains("://") => match uri {
                SLSA_PROVENANCE_V1 => Self::Provenance,
                CYCLONEDX => Self::CycloneDx,
                SPDX => Self::Spdx,
                VULNS_V0_1 => Self::Vulns,
                TEST_RESULT_V0_1 => Self::TestResult,
                SLSA_VSA_V1 => Self::VerificationSummary,
                other => Self::Custom(other.to_owned()),
            },
            other => return Err(UnknownPredicateKind::Unknown(other.to_owned())),
        })
    }
}

impl fmt::Display for PredicateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.type_uri())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_and_uris_name_the_same_kinds() {
        for (name, kind) in [
            ("slsa", PredicateKind::Provenance),
            ("cyclonedx", PredicateKind::CycloneDx),
            ("spdx", PredicateKind::Spdx),
            ("vulns", PredicateKind::Vulns),
            ("test-result", PredicateKind::TestResult),
            ("vsa", PredicateKind::VerificationSummary),
        ] {
            assert_eq!(name.parse::<PredicateKind>().unwrap(), kind);
            assert_eq!(kind.type_uri().parse::<PredicateKind>().unwrap(), kind);
        }
        let custom: PredicateKind = "https://example.com/p/v1".parse().unwrap();
        assert_eq!(
            custom,
            PredicateKind::Custom("https://example.com/p/v1".to_owned())
        );
        assert!(matches!(
            "custom".parse::<PredicateKind>(),
            Err(UnknownPredicateKind::CustomWithoutUri)
        ));
        assert!(
            "sbom"
                .parse::<PredicateKind>()
                .unwrap_err()
                .to_string()
                .contains("unknown predicate type `sbom`")
        );
    }

    #[test]
    fn versioned_sbom_types_and_old_provenance_match() {
        assert!(PredicateKind::CycloneDx.matches("https://cyclonedx.org/bom/v1.6"));
        assert!(PredicateKind::Spdx.matches("https://spdx.dev/Document/v2.3"));
        assert!(!PredicateKind::CycloneDx.matches("https://cyclonedx.org/bomb"));
        assert!(PredicateKind::Provenance.matches(SLSA_PROVENANCE_V0_2));
        assert!(!PredicateKind::Provenance.matches(SLSA_VSA_V1));
    }
}
