//! SLSA Verification Summary Attestation (VSA) v1: a verifier's signed
//! verdict that an artifact met a policy, so consumers can trust the
//! verdict without re-checking every attestation behind it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::provenance::{rfc3339, whole_seconds};
use crate::statement::ResourceDescriptor;

/// The `verifiedLevels` entry that marks a failed verification.
pub const FAILED_LEVEL: &str = "FAILED";

/// The SLSA specification version shipgate verifies against.
pub const SLSA_VERSION: &str = "1.0";

/// The predicate of a SLSA VSA v1 statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationSummary {
    /// Who verified.
    pub verifier: Verifier,
    /// When the verification ran.
    #[serde(with = "rfc3339")]
    pub time_verified: Timestamp,
    /// URI of the artifact that was verified.
    pub resource_uri: String,
    /// The policy the artifact was verified against.
    pub policy: PolicyReference,
    /// Every attestation the verification used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_attestations: Vec<ResourceDescriptor>,
    /// Whether the artifact passed.
    pub verification_result: VerificationResult,
    /// The highest level verified on each SLSA track, or [`FAILED_LEVEL`].
    #[serde(default)]
    pub verified_levels: Vec<String>,
    /// How many transitive dependencies were verified at each level; an
    /// absent level means none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependency_levels: BTreeMap<String, u64>,
    /// The SLSA version verified against, `<major>.<minor>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slsa_version: Option<String>,
}

/// The entity that performed the verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verifier {
    /// URI identifying the verifier.
    pub id: String,
    /// Versions of the verifier's components, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
}

/// The policy an artifact was verified against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyReference {
    /// Where the policy lives.
    pub uri: String,
    /// Digests of the policy's content, by algorithm.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
}

/// The verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerificationResult {
    /// The artifact met the policy.
    #[serde(rename = "PASSED")]
    Passed,
    /// The artifact did not meet the policy.
    #[serde(rename = "FAILED")]
    Failed,
}

/// The `verifiedLevels` name of SLSA Build level `level`, such as
/// `SLSA_BUILD_LEVEL_2`.
pub fn build_level(level: u8) -> String {
    format!("SLSA_BUILD_LEVEL_{level}")
}

impl VerificationSummary {
    /// A summary of one verification, written against [`SLSA_VERSION`].
    ///
    /// On [`VerificationResult::Passed`], `verified_levels` holds the
    /// highest of `levels` on each SLSA track (a level implies the ones
    /// below it, and the specification allows one level per track), plus
    /// any custom values, sorted. On [`VerificationResult::Failed`] it
    /// holds only [`FAILED_LEVEL`], whatever `levels` says, as the
    /// specification asks. `dependency_levels` starts empty.
    pub fn new(
        verifier: Verifier,
        time_verified: Timestamp,
        resource_uri: impl Into<String>,
        policy: PolicyReference,
        input_attestations: Vec<ResourceDescriptor>,
        result: VerificationResult,
        levels: &[String],
    ) -> Self {
        let verified_levels = match result {
            VerificationResult::Passed => highest_per_track(levels),
            VerificationResult::Failed => vec![FAILED_LEVEL.to_owned()],
        };
        Self {
            verifier,
            time_verified: whole_seconds(time_verified),
            resource_uri: resource_uri.into(),
            policy,
            input_attestations,
            verification_result: result,
            verified_levels,
            dependency_levels: BTreeMap::new(),
            slsa_version: Some(SLSA_VERSION.to_owned()),
        }
    }
}

/// Keeps the highest `SLSA_<TRACK>_LEVEL_<n>` of each track and every
/// other value once, sorted.
fn highest_per_track(levels: &[String]) -> Vec<String> {
    let mut highest: BTreeMap<&str, (u32, &str)> = BTreeMap::new();
    let mut others: Vec<String> = Vec::new();
    for level in levels {
        let parsed = level
            .strip_prefix("SLSA_")
            .and_then(|rest| rest.rsplit_once("_LEVEL_"))
            .and_then(|(track, number)| Some((track, number.parse::<u32>().ok()?)));
        match parsed {
            Some((track, number)) => {
                let entry = highest.entry(track).or_insert((number, level));
                if number > entry.0 {
                    *entry = (number, level);
                }
            }
            None => others.push(level.clone()),
        }
    }
    others.extend(highest.into_values().map(|(_, level)| level.to_owned()));
    others.sort();
    others.dedup();
    others
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(result: VerificationResult, levels: &[String]) -> VerificationSummary {
        VerificationSummary::new(
            Verifier {
                id: "https://shipgate.dev/verifier".into(),
                version: BTreeMap::from([("shipgate".to_owned(), "0.1.0".to_owned())]),
            },
            "2026-03-02T08:30:15.9Z".parse().unwrap(),
            "https://downloads.example.com/rocket-1.4.0.tar.gz",
            PolicyReference {
                uri: "https://example.com/policies/release.toml".into(),
                digest: BTreeMap::from([("sha256".to_owned(), "ab".repeat(32))]),
            },
            vec![ResourceDescriptor {
                uri: Some("https://example.com/rocket-1.4.0.intoto.jsonl".into()),
                digest: BTreeMap::from([("sha256".to_owned(), "cd".repeat(32))]),
                ..ResourceDescriptor::default()
            }],
            result,
            levels,
        )
    }

    #[test]
    fn passed_summary() {
        let levels = [build_level(1), build_level(3), build_level(2)];
        let mut passed = summary(VerificationResult::Passed, &levels);
        passed.dependency_levels.insert(build_level(2), 4);
        assert_eq!(passed.verified_levels, vec!["SLSA_BUILD_LEVEL_3"]);
        insta::assert_json_snapshot!(passed);
    }

    #[test]
    fn failed_summary_reports_only_failed() {
        let failed = summary(VerificationResult::Failed, &[build_level(2)]);
        assert_eq!(failed.verified_levels, vec![FAILED_LEVEL]);
        insta::assert_json_snapshot!(failed);
    }

    #[test]
    fn levels_keep_one_per_track_and_custom_values() {
        let levels = [
            "SLSA_SOURCE_LEVEL_2".to_owned(),
            build_level(2),
            "SLSA_SOURCE_LEVEL_1".to_owned(),
            "ACME_REVIEWED".to_owned(),
            build_level(1),
            "ACME_REVIEWED".to_owned(),
        ];
        assert_eq!(
            highest_per_track(&levels),
            vec!["ACME_REVIEWED", "SLSA_BUILD_LEVEL_2", "SLSA_SOURCE_LEVEL_2"]
        );
    }

    #[test]
    fn summaries_round_trip() {
        for result in [VerificationResult::Passed, VerificationResult::Failed] {
            let original = summary(result, &[build_level(3)]);
            let text = serde_json::to_string(&original).unwrap();
            let back: VerificationSummary = serde_json::from_str(&text).unwrap();
            assert_eq!(back, original);
            assert!(text.contains("\"timeVerified\":\"2026-03-02T08:30:15Z\""));
        }
    }

    #[test]
    fn foreign_summary_with_unknown_fields_parses() {
        let parsed: VerificationSummary = serde_json::from_str(
            r#"{
                "verifier": {"id": "https://example.com/publication_verifier"},
                "timeVerified": "1985-04-12T23:20:50.52Z",
                "resourceUri": "https://example.com/example-1.2.3.tar.gz",
                "policy": {"uri": "https://example.com/example_tarball.policy"},
                "verificationResult": "PASSED",
                "verifiedLevels": ["SLSA_BUILD_LEVEL_3"],
                "dependencyLevels": {"SLSA_BUILD_LEVEL_3": 5, "SLSA_BUILD_LEVEL_1": 1},
                "https://example.com/extension": true
            }"#,
        )
        .unwrap();
        assert_eq!(parsed.verification_result, VerificationResult::Passed);
        assert_eq!(parsed.dependency_levels["SLSA_BUILD_LEVEL_3"], 5);
        assert!(parsed.slsa_version.is_none());
        assert!(
            serde_json::from_str::<VerificationSummary>(
                r#"{"verifier": {"id": "v"}, "timeVerified": "1985-04-12T23:20:50Z",
                    "resourceUri": "r", "policy": {"uri": "p"},
                    "verificationResult": "MAYBE", "verifiedLevels": []}"#
            )
            .is_err()
        );
    }
}
