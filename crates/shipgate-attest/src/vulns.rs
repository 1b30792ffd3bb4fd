//! The in-toto vulnerability scan predicate, v0.1: which scanner and
//! advisory database looked at the subjects, when, and which
//! vulnerabilities it found. An empty result is a claim too: the scanner
//! found nothing.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use shipgate_model::{Finding, Severity};

use crate::provenance::{rfc3339, whole_seconds};

/// Rule id of findings for packages with a known vulnerability.
pub const VULNERABLE_PACKAGE_RULE: &str = "deps/vulnerable-package";

/// Rule id of findings for packages known to be malicious.
pub const MALICIOUS_PACKAGE_RULE: &str = "deps/malicious-package";

/// Severity method naming shipgate's own severity scale.
pub const SHIPGATE_SEVERITY_METHOD: &str = "shipgate";

/// The predicate of a vulns v0.1 statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnsPredicate {
    /// The scanner, its database and what it found.
    pub scanner: Scanner,
    /// When the scan ran.
    pub metadata: ScanMetadata,
}

/// A scanner and its results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scanner {
    /// URI identifying the scanner.
    pub uri: String,
    /// The scanner's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The vulnerability database the scanner used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db: Option<VulnDatabase>,
    /// The vulnerabilities found; empty when none were.
    #[serde(default)]
    pub result: Vec<Vulnerability>,
}

/// The state of a vulnerability database.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VulnDatabase {
    /// URI identifying the database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The database's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the database was last updated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub last_update: Option<Timestamp>,
}

/// One vulnerability found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The advisory id, such as `GHSA-fxph-q3j8-mv87`.
    pub id: String,
    /// Its severity by one or more scoring methods.
    #[serde(default)]
    pub severity: Vec<SeverityScore>,
    /// Further facts as single-entry objects: shipgate writes `aliases`
    /// (other ids of the advisory), `purls` (affected packages) and
    /// `malicious` (`true` for malicious packages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<Map<String, Value>>,
}

/// A severity under one scoring method.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityScore {
    /// The method: `CVSS_V2`, `CVSS_V3` or `CVSS_V4` with the vector as
    /// score, or [`SHIPGATE_SEVERITY_METHOD`] with a severity name.
    pub method: String,
    /// The score under that method.
    pub score: String,
}

/// When the scan ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanMetadata {
    /// When the scan started.
    #[serde(with = "rfc3339")]
    pub scan_started_on: Timestamp,
    /// When the scan finished.
    #[serde(with = "rfc3339")]
    pub scan_finished_on: Timestamp,
}

/// The scanner that produced the findings.
#[derive(Clone, Debug, PartialEq)]
pub struct ScannerInfo {
    /// URI identifying the scanner, such as a package URL of shipgate.
    pub uri: String,
    /// The scanner's version.
    pub version: Option<String>,
    /// The advisory database the scan matched against.
    pub db: Option<VulnDatabase>,
}

/// Facts gathered from every finding of one advisory.
#[derive(Default)]
struct Gathered {
    aliases: BTreeSet<String>,
    purls: BTreeSet<String>,
    vectors: BTreeSet<String>,
    severity: Option<Severity>,
    malicious: bool,
}

/// The predicate for a scan's findings: each advisory of a
/// [`VULNERABLE_PACKAGE_RULE`] or [`MALICIOUS_PACKAGE_RULE`] finding once,
/// sorted by id, however many packages or lockfiles it hit; other findings
/// and findings without an `advisory` property are left out.
pub fn from_findings(
    scanner: ScannerInfo,
    findings: &[Finding],
    started: Timestamp,
    finished: Timestamp,
) -> VulnsPredicate {
    let mut by_advisory: BTreeMap<String, Gathered> = BTreeMap::new();
    for finding in findings {
        let malicious = finding.rule_id == MALICIOUS_PACKAGE_RULE;
        if !malicious && finding.rule_id != VULNERABLE_PACKAGE_RULE {
            continue;
        }
        let property = |name: &str| finding.properties.get(name).and_then(Value::as_str);
        let Some(advisory) = property("advisory") else {
            continue;
        };
        let gathered = by_advisory.entry(advisory.to_owned()).or_default();
        gathered.malicious |= malicious;
        gathered.severity = gathered.severity.max(Some(finding.severity));
        if let Some(purl) = property("purl") {
            gathered.purls.insert(purl.to_owned());
        }
        if let Some(vector) = property("vector") {
            gathered.vectors.insert(vector.to_owned());
        }
        let aliases = finding.properties.get("aliases").and_then(Value::as_array);
        for alias in aliases.into_iter().flatten().filter_map(Value::as_str) {
            gathered.aliases.insert(alias.to_owned());
        }
    }

    let result = by_advisory
        .into_iter()
        .map(|(id, gathered)| vulnerability(id, gathered))
        .collect();
    VulnsPredicate {
        scanner: Scanner {
            uri: scanner.uri,
            version: scanner.version,
            db: scanner.db,
            result,
        },
        metadata: ScanMetadata {
            scan_started_on: whole_seconds(started),
            scan_finished_on: whole_seconds(finished),
        },
    }
}

fn vulnerability(id: String, gathered: Gathered) -> Vulnerability {
    let mut severity: Vec<SeverityScore> = gathered
        .vectors
        .into_iter()
        .map(|vector| SeverityScore {
            method: cvss_method(&vector).to_owned(),
            score: vector,
        })
        .collect();
    if let Some(level) = gathered.severity {
        severity.push(SeverityScore {
            method: SHIPGATE_SEVERITY_METHOD.to_owned(),
            score: level.as_str().to_owned(),
        });
    }
    let mut annotations = Vec::new();
    let mut annotate = |key: &str, value: Value| {
        annotations.push(Map::from_iter([(key.to_owned(), value)]));
    };
    if !gathered.aliases.is_empty() {
        annotate("aliases", json!(gathered.aliases));
    }
    if !gathered.purls.is_empty() {
        annotate("purls", json!(gathered.purls));
    }
    if gathered.malicious {
        annotate("malicious", json!(true));
    }
    Vulnerability {
        id,
        severity,
        annotations,
    }
}

/// The OSV severity type of a CVSS vector: v3 and v4 vectors name their
/// version, v2 vectors carry no prefix.
fn cvss_method(vector: &str) -> &'static str {
    if vector.starts_with("CVSS:4") {
        "CVSS_V4"
    } else if vector.starts_with("CVSS:3") {
        "CVSS_V3"
    } else {
        "CVSS_V2"
    }
}

#[cfg(test)]
mod tests {
    use shipgate_model::{Confidence, Fingerprint, Location, Position, Snippet};

    use super::*;

    fn finding(
        rule_id: &str,
        severity: Severity,
        properties: &[(&str, Value)],
        path: &str,
    ) -> Finding {
        Finding {
            rule_id: rule_id.into(),
            title: "Dependency with a known vulnerability".into(),
            severity,
            confidence: Confidence::High,
            message: "a package is affected".into(),
            location: Location {
                path: path.into(),
                start: Position { line: 3, column: 1 },
                end: Position { line: 3, column: 9 },
                byte_start: 20,
                byte_end: 28,
                commit: None,
                symbolic: None,
            },
            snippet: Snippet {
                first_line: 3,
                text: "lodash@4.17.20".into(),
            },
            secret: None,
            fingerprint: Fingerprint::new(rule_id, path, b"x"),
            controls: vec![],
            note: None,
            properties: properties
                .iter()
                .map(|(key, value)| ((*key).to_owned(), value.clone()))
                .collect(),
        }
    }

    fn scanner() -> ScannerInfo {
        ScannerInfo {
            uri: "pkg:github/shipgate/shipgate@0.1.0".into(),
            version: Some("0.1.0".into()),
            db: Some(VulnDatabase {
                uri: Some("https://osv.dev".into()),
                version: None,
                last_update: Some("2026-02-28T23:00:00Z".parse().unwrap()),
            }),
        }
    }

    fn scan(findings: &[Finding]) -> VulnsPredicate {
        from_findings(
            scanner(),
            findings,
            "2026-03-01T10:00:00Z".parse().unwrap(),
            "2026-03-01T10:00:02.4Z".parse().unwrap(),
        )
    }

    fn findings() -> Vec<Finding> {
        let lodash = [
            ("advisory", json!("GHSA-35jh-r3h4-6jhm")),
            ("aliases", json!(["CVE-2021-23337"])),
            ("purl", json!("pkg:npm/lodash@4.17.20")),
            ("cvss", json!(7.2)),
            (
                "vector",
                json!("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"),
            ),
        ];
        let mut lodash_elsewhere = lodash.clone();
        lodash_elsewhere[2] = ("purl", json!("pkg:npm/lodash@4.17.19"));
        vec![
            finding(
                VULNERABLE_PACKAGE_RULE,
                Severity::High,
                &lodash,
                "package-lock.json",
            ),
            finding(
                MALICIOUS_PACKAGE_RULE,
                Severity::Critical,
                &[
                    ("advisory", json!("MAL-2025-1234")),
                    ("aliases", json!([])),
                    ("purl", json!("pkg:npm/evil-pkg@1.0.0")),
                ],
                "package-lock.json",
            ),
            finding(
                VULNERABLE_PACKAGE_RULE,
                Severity::High,
                &lodash_elsewhere,
                "web/package-lock.json",
            ),
            finding(
                VULNERABLE_PACKAGE_RULE,
                Severity::Medium,
                &[
                    ("advisory", json!("GHSA-2222-old-v2")),
                    ("purl", json!("pkg:pypi/requests@2.5.0")),
                    ("vector", json!("AV:N/AC:M/Au:N/C:P/I:N/A:N")),
                ],
                "requirements.txt",
            ),
            finding("secrets/aws-access-key-id", Severity::Critical, &[], ".env"),
            finding(VULNERABLE_PACKAGE_RULE, Severity::Low, &[], "Cargo.lock"),
        ]
    }

    #[test]
    fn findings_become_one_sorted_entry_per_advisory() {
        let predicate = scan(&findings());
        let ids: Vec<&str> = predicate
            .scanner
            .result
            .iter()
            .map(|vulnerability| vulnerability.id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["GHSA-2222-old-v2", "GHSA-35jh-r3h4-6jhm", "MAL-2025-1234"]
        );
        insta::assert_json_snapshot!(predicate);
    }

    #[test]
    fn severity_lists_the_vector_then_shipgate_severity() {
        let predicate = scan(&findings());
        let lodash = &predicate.scanner.result[1];
        assert_eq!(
            lodash.severity,
            vec![
                SeverityScore {
                    method: "CVSS_V3".into(),
                    score: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H".into(),
                },
                SeverityScore {
                    method: "shipgate".into(),
                    score: "high".into(),
                },
            ]
        );
        assert_eq!(predicate.scanner.result[0].severity[0].method, "CVSS_V2");
        assert_eq!(cvss_method("CVSS:4.0/AV:N/AC:L/AT:N"), "CVSS_V4");
    }

    #[test]
    fn no_findings_is_an_empty_result() {
        let predicate = scan(&[]);
        assert!(predicate.scanner.result.is_empty());
        let json = serde_json::to_value(&predicate).unwrap();
        assert_eq!(json["scanner"]["result"], json!([]));
        assert_eq!(json["metadata"]["scanFinishedOn"], "2026-03-01T10:00:02Z");
    }

    #[test]
    fn predicate_round_trips() {
        let predicate = scan(&findings());
        let text = serde_json::to_string(&predicate).unwrap();
        let back: VulnsPredicate = serde_json::from_str(&text).unwrap();
        assert_eq!(back, predicate);
    }

    #[test]
    fn foreign_predicate_parses() {
        let parsed: VulnsPredicate = serde_json::from_value(json!({
            "invocation": {"uri": "https://example.com/runs/1"},
            "scanner": {
                "uri": "pkg:github/aquasecurity/trivy@244fd47e07d1004f0aed9",
                "version": "0.19.2",
                "db": {"lastUpdate": "2021-08-06T17:45:50.52Z"},
                "result": [{"id": "CVE-123", "severity": [{"method": "nvd", "score": "medium"}]}]
            },
            "metadata": {
                "scanStartedOn": "2021-08-06T17:45:50.52Z",
                "scanFinishedOn": "2021-08-06T17:50:50.52Z"
            }
        }))
        .unwrap();
        assert_eq!(parsed.scanner.result[0].severity[0].score, "medium");
    }
}
