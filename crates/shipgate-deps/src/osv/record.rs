//! OSV records (schema 1.x) as read from a dump, and the compact form the
//! database keeps of them.
//!
//! Reading is lenient where the schema allows it (unknown fields are
//! ignored, optional fields may be missing or `null`) and strict where a
//! wrong guess could produce a false match or hide one: a record without an
//! id or `modified` time, an event that is not exactly one of the four
//! kinds, or a range type outside `SEMVER`/`ECOSYSTEM`/`GIT` is rejected
//! whole, with the reason.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ecosystem::Ecosystem;
use crate::osv::severity::{self, AdvisorySeverity};

/// The longest `details` text kept, in bytes: enough for a report's first
/// paragraph while keeping the index small.
pub const DETAILS_LIMIT: usize = 1024;

/// How a range's event versions are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RangeKind {
    /// SemVer 2.0 ordering.
    #[serde(rename = "SEMVER")]
    Semver,
    /// The ecosystem's own version ordering.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// Git commits, ordered by history (not evaluable offline).
    #[serde(rename = "GIT")]
    Git,
}

/// One event of a range, in the range's version scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Versions from this one on are affected (`"0"`: from the first).
    #[serde(rename = "i")]
    Introduced(String),
    /// This version and later are not affected.
    #[serde(rename = "f")]
    Fixed(String),
    /// This version is the last affected one.
    #[serde(rename = "l")]
    LastAffected(String),
    /// This version and later are outside the range.
    #[serde(rename = "x")]
    Limit(String),
}

impl Event {
    /// The event's version (or commit).
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }
}

/// A range of affected versions: events in one ordering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// The ordering of the events.
    #[serde(rename = "t")]
    pub kind: RangeKind,
    /// The repository of a `GIT` range.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The events, as listed.
    #[serde(rename = "e")]
    pub events: Vec<Event>,
}

/// What an advisory says about one package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// The full OSV ecosystem string, with any release suffix (`Debian:12`).
    #[serde(rename = "s")]
    pub ecosystem: String,
    /// The package name as the advisory spells it.
    #[serde(rename = "n")]
    pub name: String,
    /// Ranges of affected versions.
    #[serde(rename = "r", default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Individually listed affected versions.
    #[serde(rename = "v", default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// A severity entry (`severity[]`) as given: its type and score text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityEntry {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4` or `Ubuntu`.
    #[serde(rename = "t")]
    pub kind: String,
    /// The vector or score text.
    #[serde(rename = "s")]
    pub score: String,
}

/// The compact advisory the database keeps and lookups return: enough to
/// match, rank and report, without the raw record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The advisory id (`GHSA-…`, `RUSTSEC-…`, `PYSEC-…`, `MAL-…`).
    pub id: String,
    /// Other ids of the same vulnerability (`CVE-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary (may be empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The details text, cut at [`DETAILS_LIMIT`] bytes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub details: String,
    /// When the advisory was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Timestamp>,
    /// When the advisory was last changed.
    pub modified: Timestamp,
    /// The severity entries, top-level and per package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity_entries: Vec<SeverityEntry>,
    /// The database's own severity word (`database_specific.severity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_severity: Option<String>,
    /// The severity shipgate assigns, computed once at import.
    pub severity: AdvisorySeverity,
    /// Reference URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The affected entries; from a lookup, only those of the looked-up
    /// package.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
}

impl Advisory {
    /// The newest CVSS vector the advisory gives (v4 over v3 over v2), the
    /// one its score was computed from.
    pub fn cvss_vector(&self) -> Option<&str> {
        self.severity_entries
            .iter()
            .filter(|entry| entry.kind.starts_with("CVSS_V"))
            .max_by(|a, b| a.kind.cmp(&b.kind))
            .map(|entry| entry.score.as_str())
    }
}

/// A record read from a dump.
#[derive(Debug)]
pub enum Record {
    /// A live advisory.
    Advisory(Box<Advisory>),
    /// A withdrawn advisory: to be removed if present.
    Withdrawn {
        /// The id.
        id: String,
        /// Its `modified` time.
        modified: Timestamp,
    },
}

impl Record {
    /// The advisory id.
    pub fn id(&self) -> &str {
        match self {
            Record::Advisory(advisory) => &advisory.id,
            Record::Withdrawn { id, .. } => id,
        }
    }
}

#[derive(Deserialize)]
struct RawRecord {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    references: Option<Vec<RawReference>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(default)]
    url: Option<String>,
}

/// Reads one OSV record from JSON text. The error is the reason it was
/// skipped.
pub fn parse_record(json: &[u8]) -> Result<Record, String> {
    let raw: RawRecord =
        serde_json::from_slice(json).map_err(|error| format!("invalid OSV JSON: {error}"))?;
    from_raw(raw)
}

/// Reads the JSON value of one record (an element of a JSON array file).
pub fn parse_record_value(value: serde_json::Value) -> Result<Record, String> {
    let raw: RawRecord =
        serde_json::from_value(value).map_err(|error| format!("invalid OSV record: {error}"))?;
    from_raw(raw)
}

fn from_raw(raw: RawRecord) -> Result<Record, String> {
    let id = raw
        .id
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or("missing `id`")?;
    let modified = raw
        .modified
        .as_deref()
        .ok_or_else(|| format!("{id}: missing `modified`"))
        .and_then(|text| timestamp(text).map_err(|reason| format!("{id}: `modified` {reason}")))?;
    if raw.withdrawn.is_some() {
        return Ok(Record::Withdrawn { id, modified });
    }
    let published = raw
        .published
        .as_deref()
        .and_then(|text| timestamp(text).ok());
    let mut severity_entries = severities(raw.severity);
    let mut affected = Vec::new();
    let mut affected_database_severity = None;
    for entry in raw.affected.unwrap_or_default() {
        let Some(package) = entry.package else {
            continue;
        };
        let mut ranges = Vec::new();
        for range in entry.ranges.unwrap_or_default() {
            ranges.push(convert_range(&id, range)?);
        }
        severity_entries.extend(severities(entry.severity));
        if affected_database_severity.is_none() {
            affected_database_severity = entry.database_specific.as_ref().and_then(severity_word);
        }
        affected.push(Affected {
            ecosystem: package.ecosystem.trim().to_owned(),
            name: package.name,
            ranges,
            versions: entry.versions.unwrap_or_default(),
        });
    }
    let database_severity = raw
        .database_specific
        .as_ref()
        .and_then(severity_word)
        .or(affected_database_severity);
    let severity = severity::assess(&id, &severity_entries, database_severity.as_deref());
    Ok(Record::Advisory(Box::new(Advisory {
        aliases: raw.aliases.unwrap_or_default(),
        summary: raw.summary.unwrap_or_default().trim().to_owned(),
        details: truncate(raw.details.unwrap_or_default().trim(), DETAILS_LIMIT),
        published,
        modified,
        severity_entries,
        database_severity,
        severity,
        references: raw
            .references
            .unwrap_or_default()
            .into_iter()
            .filter_map(|reference| reference.url)
            .collect(),
        affected,
        id,
    })))
}

fn convert_range(id: &str, range: RawRange) -> Result<Range, String> {
    let kind = match range.kind.as_str() {
        "SEMVER" => RangeKind::Semver,
        "ECOSYSTEM" => RangeKind::Ecosystem,
        "GIT" => RangeKind::Git,
        other => return Err(format!("{id}: unknown range type `{other}`")),
    };
    let mut events = Vec::with_capacity(range.events.len());
    for event in range.events {
        let present = [
            event.introduced.map(Event::Introduced),
            event.fixed.map(Event::Fixed),
            event.last_affected.map(Event::LastAffected),
            event.limit.map(Event::Limit),
        ];
        let mut present = present.into_iter().flatten();
        match (present.next(), present.next()) {
            (Some(event), None) if !event.version().trim().is_empty() => events.push(event),
            (Some(_), None) => return Err(format!("{id}: range event with an empty version")),
            (None, _) => {
                return Err(format!(
                    "{id}: range event is none of introduced, fixed, last_affected, limit"
                ));
            }
            (Some(_), Some(_)) => return Err(format!("{id}: range event has more than one kind")),
        }
    }
    if events.is_empty() {
        return Err(format!("{id}: range without events"));
    }
    Ok(Range {
        kind,
        repo: range.repo,
        events,
    })
}

fn severities(raw: Option<Vec<RawSeverity>>) -> Vec<SeverityEntry> {
    raw.unwrap_or_default()
        .into_iter()
        .map(|entry| SeverityEntry {
            kind: entry.kind,
            score: entry.score.trim().to_owned(),
        })
        .collect()
}

fn severity_word(database_specific: &serde_json::Value) -> Option<String> {
    database_specific
        .get("severity")
        .and_then(serde_json::Value::as_str)
        .map(|word| word.trim().to_owned())
        .filter(|word| !word.is_empty())
}

fn timestamp(text: &str) -> Result<Timestamp, String> {
    text.trim()
        .parse::<Timestamp>()
        .map_err(|error| format!("`{text}` is not an RFC 3339 time: {error}"))
}

fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Affected entries keyed by (ecosystem, normalized package name).
pub(crate) type PackageGroups = BTreeMap<(Ecosystem, String), Vec<Affected>>;

/// The affected entries of `advisory` grouped by the package they name,
/// for ecosystems shipgate knows: key (ecosystem, normalized name).
/// Entries of unknown ecosystems are returned by their ecosystem string.
pub(crate) fn group_by_package(advisory: &Advisory) -> (PackageGroups, Vec<String>) {
    let mut known = PackageGroups::new();
    let mut unknown = Vec::new();
    for entry in &advisory.affected {
        match Ecosystem::from_osv(&entry.ecosystem) {
            Some(ecosystem) => known
                .entry((
                    ecosystem,
                    ecosystem.normalize_name(&entry.name).into_owned(),
                ))
                .or_default()
                .push(entry.clone()),
            None => unknown.push(entry.ecosystem.clone()),
        }
    }
    (known, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(json: &str) -> String {
        match parse_record(json.as_bytes()) {
            Err(reason) => reason,
            Ok(record) => panic!("{} was accepted", record.id()),
        }
    }

    #[test]
    fn minimal_records_read_with_missing_optional_fields() {
        let record =
            parse_record(br#"{"id":"X-1","modified":"2024-01-02T03:04:05Z","extra":{"a":1}}"#)
                .unwrap();
        let Record::Advisory(advisory) = record else {
            panic!("withdrawn")
        };
        assert_eq!(advisory.id, "X-1");
        assert!(advisory.affected.is_empty());
        assert_eq!(advisory.published, None);
    }

    #[test]
    fn malformed_records_say_why() {
        assert!(reason("{").starts_with("invalid OSV JSON"));
        assert_eq!(
            reason(r#"{"modified":"2024-01-01T00:00:00Z"}"#),
            "missing `id`"
        );
        assert!(reason(r#"{"id":"A"}"#).contains("missing `modified`"));
        assert!(reason(r#"{"id":"A","modified":"yesterday"}"#).contains("RFC 3339"));
        let bad_event = r#"{"id":"A","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}"#;
        assert!(reason(bad_event).contains("more than one kind"));
        let bad_type = bad_event.replace("SEMVER", "CALVER");
        assert!(reason(&bad_type).contains("unknown range type `CALVER`"));
    }

    #[test]
    fn details_are_cut_on_a_character_boundary() {
        let long = "é".repeat(DETAILS_LIMIT);
        let cut = truncate(&long, DETAILS_LIMIT);
        assert!(cut.len() <= DETAILS_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn withdrawn_records_are_recognised() {
        let record = parse_record(
            br#"{"id":"W-1","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert!(matches!(record, Record::Withdrawn { .. }));
    }
}
