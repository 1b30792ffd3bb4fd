//! The severity of an advisory: a CVSS base score when the advisory gives a
//! vector, else the database's own rating, else medium.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use shipgate_model::Severity;

use crate::osv::record::SeverityEntry;

/// Where an advisory's severity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeveritySource {
    /// A CVSS v4.0 base score.
    CvssV4,
    /// A CVSS v3.0 or v3.1 base score.
    CvssV3,
    /// A CVSS v2 base score.
    CvssV2,
    /// The Ubuntu priority word.
    Ubuntu,
    /// The database's own word (`database_specific.severity`).
    Database,
    /// A `MAL-` advisory: a malicious package.
    Malicious,
    /// Nothing usable: medium by default.
    Default,
}

/// The severity shipgate gives an advisory, with the score and its source.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdvisorySeverity {
    /// The resulting severity.
    pub severity: Severity,
    /// The CVSS base score, when computed from a vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Where it comes from.
    pub source: SeveritySource,
}

impl AdvisorySeverity {
    /// A note for reports when the severity is a default, not a rating.
    pub fn note(&self) -> Option<&'static str> {
        (self.source == SeveritySource::Default)
            .then_some("the advisory gives no usable severity; medium is assumed")
    }
}

/// The CVSS base score of a vector: `CVSS:3.0/…`, `CVSS:3.1/…`,
/// `CVSS:4.0/…`, or a bare v2 vector (`AV:N/AC:L/Au:N/…`). `None` when the
/// vector does not parse.
pub fn cvss_base_score(vector: &str) -> Option<(f64, SeveritySource)> {
    let vector = vector.trim();
    if vector.starts_with("CVSS:4.") {
        let parsed = cvss::v4::Vector::from_str(vector).ok()?;
        return Some((parsed.score().value(), SeveritySource::CvssV4));
    }
    if vector.starts_with("CVSS:3.") {
        let parsed = cvss::v3::Vector::from_str(vector).ok()?;
        return Some((parsed.score().value(), SeveritySource::CvssV3));
    }
    let bare = vector.strip_prefix("CVSS:2.0/").unwrap_or(vector);
    let parsed = cvss::v2::Vector::from_str(bare).ok()?;
    Some((parsed.score().value(), SeveritySource::CvssV2))
}

/// The severity band of a CVSS score (FIRST's qualitative scale; 0 is
/// informational).
pub fn severity_of_score(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else if score > 0.0 {
        Severity::Low
    } else {
        Severity::Info
    }
}

/// The severity of a database's rating word (GHSA `LOW`, `MODERATE`,
/// `HIGH`, `CRITICAL`; also Ubuntu's priorities).
pub fn severity_of_word(word: &str) -> Option<Severity> {
    match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" | "important" => Some(Severity::High),
        "moderate" | "medium" => Some(Severity::Medium),
        "low" => Some(Severity::Low),
        "negligible" | "none" | "info" | "informational" | "unimportant" => Some(Severity::Info),
        _ => None,
    }
}

/// Decides an advisory's severity: `MAL-` ids are critical; otherwise the
/// newest CVSS version's base score (the highest when an advisory gives
/// several of that version), then the database's word, then Ubuntu's
/// priority, then medium.
pub fn assess(
    id: &str,
    entries: &[SeverityEntry],
    database_word: Option<&str>,
) -> AdvisorySeverity {
    if id.starts_with("MAL-") {
        return AdvisorySeverity {
            severity: Severity::Critical,
            score: None,
            source: SeveritySource::Malicious,
        };
    }
    let rank = |source: SeveritySource| match source {
        SeveritySource::CvssV4 => 3,
        SeveritySource::CvssV3 => 2,
        _ => 1,
    };
    let best = entries
        .iter()
        .filter(|entry| entry.kind.starts_with("CVSS_V"))
        .filter_map(|entry| cvss_base_score(&entry.score))
        .max_by(|(a, source_a), (b, source_b)| {
            rank(*source_a).cmp(&rank(*source_b)).then(a.total_cmp(b))
        });
    if let Some((score, source)) = best {
        return AdvisorySeverity {
            severity: severity_of_score(score),
            score: Some(score),
            source,
        };
    }
    if let Some(severity) = database_word.and_then(severity_of_word) {
        return AdvisorySeverity {
            severity,
            score: None,
            source: SeveritySource::Database,
        };
    }
    let ubuntu = entries
        .iter()
        .filter(|entry| entry.kind == "Ubuntu")
        .filter_map(|entry| severity_of_word(&entry.score))
        .max();
    if let Some(severity) = ubuntu {
        return AdvisorySeverity {
            severity,
            score: None,
            source: SeveritySource::Ubuntu,
        };
    }
    AdvisorySeverity {
        severity: Severity::Medium,
        score: None,
        source: SeveritySource::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, score: &str) -> SeverityEntry {
        SeverityEntry {
            kind: kind.to_owned(),
            score: score.to_owned(),
        }
    }

    #[test]
    fn cvss_v3_base_scores_match_the_specification() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ];
        for (vector, expected) in cases {
            let (score, source) = cvss_base_score(vector).unwrap();
            assert_eq!(score, expected, "{vector}");
            assert_eq!(source, SeveritySource::CvssV3);
        }
    }

    #[test]
    fn cvss_v4_base_scores_match_firsts_calculator() {
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                8.5,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
                5.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
        ];
        for (vector, expected) in cases {
            let (score, source) = cvss_base_score(vector).unwrap();
            assert_eq!(score, expected, "{vector}");
            assert_eq!(source, SeveritySource::CvssV4);
        }
    }

    #[test]
    fn bare_cvss_v2_vectors_are_scored() {
        assert_eq!(
            cvss_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            Some((7.5, SeveritySource::CvssV2))
        );
        assert_eq!(cvss_base_score("not a vector"), None);
    }

    #[test]
    fn scores_map_to_bands() {
        assert_eq!(severity_of_score(0.0), Severity::Info);
        assert_eq!(severity_of_score(0.1), Severity::Low);
        assert_eq!(severity_of_score(3.9), Severity::Low);
        assert_eq!(severity_of_score(4.0), Severity::Medium);
        assert_eq!(severity_of_score(6.9), Severity::Medium);
        assert_eq!(severity_of_score(7.0), Severity::High);
        assert_eq!(severity_of_score(8.9), Severity::High);
        assert_eq!(severity_of_score(9.0), Severity::Critical);
    }

    #[test]
    fn the_newest_cvss_version_wins_then_the_database_word_then_medium() {
        let both = [
            entry("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            entry(
                "CVSS_V4",
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N",
            ),
        ];
        let assessed = assess("GHSA-x", &both, Some("CRITICAL"));
        assert_eq!(assessed.source, SeveritySource::CvssV4);
        assert_eq!(assessed.severity, Severity::Medium);
        let word = assess("GHSA-x", &[], Some("MODERATE"));
        assert_eq!(
            (word.severity, word.source),
            (Severity::Medium, SeveritySource::Database)
        );
        let ubuntu = assess("UBUNTU-x", &[entry("Ubuntu", "high")], None);
        assert_eq!(
            (ubuntu.severity, ubuntu.source),
            (Severity::High, SeveritySource::Ubuntu)
        );
        let none = assess("GHSA-x", &[entry("CVSS_V3", "garbage")], None);
        assert_eq!(none.severity, Severity::Medium);
        assert!(none.note().is_some());
        let malicious = assess("MAL-2024-1", &both, Some("LOW"));
        assert_eq!(malicious.severity, Severity::Critical);
    }
}
