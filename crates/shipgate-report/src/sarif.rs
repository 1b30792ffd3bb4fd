//! SARIF 2.1.0 output, shaped for GitHub code scanning and other SARIF viewers.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location as SarifLocation, LogicalLocation,
    Message, MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region,
    ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};
use shipgate_model::{Finding, Location, Note, NoteKind, RuleMeta, ScanReport, Severity};

use crate::span::{line_number, span_text};
use crate::{INFORMATION_URI, RenderError};

/// The SARIF 2.1.0 schema as published on SchemaStore, which editors and
/// GitHub's documentation refer to.
const SCHEMA_URL: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Base id that every artifact location is relative to.
const SRCROOT: &str = "%SRCROOT%";

/// Key of the fingerprint in `partialFingerprints`; versioned so a future
/// change of the fingerprint scheme does not match old alerts by mistake.
const FINGERPRINT_KEY: &str = "shipgateFingerprint/v1";

/// Everything but unreserved URI characters and the path separator is encoded.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

pub(crate) fn render(report: &ScanReport, out: &mut dyn Write) -> Result<(), RenderError> {
    serde_json::to_writer_pretty(&mut *out, &sarif_log(report))?;
    writeln!(out)?;
    Ok(())
}

fn sarif_log(report: &ScanReport) -> Sarif {
    let rules = RuleTable::new(report);
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|finding| result(finding, rules.index_of(&finding.rule_id)))
        .collect();

    let driver = ToolComponent::builder()
        .name("shipgate")
        .version(report.tool.version.as_str())
        .semantic_version(report.tool.version.as_str())
        .information_uri(INFORMATION_URI)
        .rules(rules.descriptors())
        .build();

    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(report.notes.iter().map(notification).collect::<Vec<_>>())
        .build();

    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .column_kind(json!("unicodeCodePoints"));
    let run = match root_uri(&report.root) {
        Some(uri) => run
            .original_uri_base_ids(BTreeMap::from([(
                SRCROOT.to_owned(),
                ArtifactLocation::builder().uri(uri).build(),
            )]))
            .build(),
        None => run.build(),
    };

    Sarif::builder()
        .schema(SCHEMA_URL)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The run's rules: the report's rule metadata, plus a stand-in for any rule
/// a finding names that the metadata lacks, so every `ruleIndex` is valid.
struct RuleTable<'a> {
    rules: Vec<RuleRef<'a>>,
    index: HashMap<&'a str, usize>,
}

enum RuleRef<'a> {
    Known(&'a RuleMeta),
    FromFinding(&'a Finding),
}

impl<'a> RuleTable<'a> {
    fn new(report: &'a ScanReport) -> Self {
        let mut table = RuleTable {
            rules: Vec::new(),
            index: HashMap::new(),
        };
        for rule in &report.rules {
            table.add(&rule.id, RuleRef::Known(rule));
        }
        for finding in &report.findings {
            table.add(&finding.rule_id, RuleRef::FromFinding(finding));
        }
        table
    }

    fn add(&mut self, id: &'a str, rule: RuleRef<'a>) {
        if !self.index.contains_key(id) {
            self.index.insert(id, self.rules.len());
            self.rules.push(rule);
        }
    }

    fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    fn descriptors(&self) -> Vec<ReportingDescriptor> {
        self.rules
            .iter()
            .map(|rule| match rule {
                RuleRef::Known(meta) => descriptor(meta),
                RuleRef::FromFinding(finding) => descriptor(&RuleMeta {
                    id: finding.rule_id.clone(),
                    title: finding.title.clone(),
                    severity: finding.severity,
                    confidence: finding.confidence,
                    controls: finding.controls.clone(),
                    docs: String::new(),
                }),
            })
            .collect()
    }
}

fn descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    let docs = if rule.docs.trim().is_empty() {
        rule.title.clone()
    } else {
        rule.docs.clone()
    };
    let full_description = first_paragraph(&docs);
    let mut tags = vec!["security".to_owned(), rule.domain().to_owned()];
    tags.extend(rule.controls.iter().cloned());
    let properties = PropertyBag::builder()
        .tags(tags)
        .additional_properties(BTreeMap::from([
            (
                "security-severity".to_owned(),
                json!(security_severity(rule.severity)),
            ),
            ("precision".to_owned(), json!(rule.confidence.as_str())),
        ]))
        .build();
    ReportingDescriptor::builder()
        .id(rule.id.as_str())
        .name(pascal_case(&rule.id))
        .short_description(text(&rule.title))
        .full_description(text(&full_description))
        .help(
            MultiformatMessageString::builder()
                .text(docs.as_str())
                .markdown(docs.as_str())
                .build(),
        )
        .help_uri(rule.help_uri())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity).to_string()))
                .build(),
        )
        .properties(properties)
        .build()
}

fn result(finding: &Finding, rule_index: Option<usize>) -> SarifResult {
    let mut properties =
        BTreeMap::from([("confidence".to_owned(), json!(finding.confidence.as_str()))]);
    if let Some(commit) = &finding.location.commit {
        properties.insert("commit".to_owned(), json!(commit.id));
        properties.insert("author".to_owned(), json!(commit.author));
        properties.insert("date".to_owned(), json!(commit.date));
    }
    if let Some(note) = &finding.note {
        properties.insert("note".to_owned(), json!(note));
    }
    for (name, value) in &finding.properties {
        properties.insert(name.clone(), value.clone());
    }
    let builder = SarifResult::builder()
        .rule_id(finding.rule_id.as_str())
        .level(level(finding.severity))
        .message(Message::builder().text(finding.message.as_str()).build())
        .locations(vec![location(finding)])
        .partial_fingerprints(BTreeMap::from([(
            FINGERPRINT_KEY.to_owned(),
            finding.fingerprint.to_string(),
        )]))
        .properties(
            PropertyBag::builder()
                .additional_properties(properties)
                .build(),
        );
    match rule_index.and_then(|index| i64::try_from(index).ok()) {
        Some(index) => builder.rule_index(index).build(),
        None => builder.build(),
    }
}

fn location(finding: &Finding) -> SarifLocation {
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact(&finding.location.path))
        .region(region(finding));
    let physical = match context_region(finding) {
        Some(context) => physical.context_region(context).build(),
        None => physical.build(),
    };
    match &finding.location.symbolic {
        Some(symbolic) => SarifLocation::builder()
            .physical_location(physical)
            .logical_locations(vec![
                LogicalLocation::builder()
                    .fully_qualified_name(symbolic.as_str())
                    .kind("element")
                    .build(),
            ])
            .build(),
        None => SarifLocation::builder().physical_location(physical).build(),
    }
}

fn artifact(path: &str) -> ArtifactLocation {
    ArtifactLocation::builder()
        .uri(uri_path(path))
        .uri_base_id(SRCROOT)
        .build()
}

/// The finding's region; lines and columns are clamped to what SARIF allows
/// (1-based, end not before start) rather than trusted.
fn region(finding: &Finding) -> Region {
    let Location {
        start,
        end,
        byte_start,
        byte_end,
        ..
    } = &finding.location;
    let start_line = start.line.max(1);
    let start_column = start.column.max(1);
    let end_line = end.line.max(start_line);
    let end_column = if end_line == start_line {
        end.column.max(start_column)
    } else {
        end.column.max(1)
    };
    let matched = span_text(&finding.snippet, &finding.location);
    let region = Region::builder()
        .start_line(i64::from(start_line))
        .start_column(i64::from(start_column))
        .end_line(i64::from(end_line))
        .end_column(i64::from(end_column))
        .byte_offset(to_i64(*byte_start))
        .byte_length(to_i64(byte_end.saturating_sub(*byte_start)));
    if matched.is_empty() {
        region.build()
    } else {
        region
            .snippet(ArtifactContent::builder().text(matched).build())
            .build()
    }
}

/// The whole snippet as the region around the finding, which viewers show
/// when they do not have the file.
fn context_region(finding: &Finding) -> Option<Region> {
    let snippet = &finding.snippet;
    if snippet.text.is_empty() {
        return None;
    }
    let first = line_number(snippet.first_line, 0);
    let last = line_number(snippet.first_line, snippet.text.split('\n').count() - 1);
    Some(
        Region::builder()
            .start_line(i64::from(first))
            .end_line(i64::from(last))
            .snippet(
                ArtifactContent::builder()
                    .text(snippet.text.as_str())
                    .build(),
            )
            .build(),
    )
}

fn notification(note: &Note) -> Notification {
    let level = match note.kind {
        NoteKind::Binary | NoteKind::TooLarge | NoteKind::Info => "note",
        NoteKind::Unreadable | NoteKind::Walk | NoteKind::Git => "warning",
    };
    let kind = serde_json::to_value(note.kind).unwrap_or(Value::Null);
    let builder = Notification::builder()
        .level(json!(level))
        .message(Message::builder().text(note.message.as_str()).build())
        .properties(
            PropertyBag::builder()
                .additional_properties(BTreeMap::from([("kind".to_owned(), kind)]))
                .build(),
        );
    match &note.path {
        Some(path) => builder
            .locations(vec![
                SarifLocation::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(artifact(path))
                            .build(),
                    )
                    .build(),
            ])
            .build(),
        None => builder.build(),
    }
}

/// SARIF levels for our severities, as GitHub maps them back to its own.
fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub code scanning sorts security alerts by this CVSS-like score.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn text(value: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(value).build()
}

/// The docs up to the first blank line: a rule's one-paragraph description.
fn first_paragraph(docs: &str) -> String {
    docs.trim()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// `secrets/aws-access-key-id` → `SecretsAwsAccessKeyId`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_alphanumeric())
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .chain(chars)
        })
        .collect()
}

fn uri_path(path: &str) -> String {
    utf8_percent_encode(&path.replace('\\', "/"), URI_PATH).to_string()
}

/// `file:` URI of the scan root when it is absolute; SARIF needs an absolute
/// URI ending in `/` here, and a relative root is better left unsaid.
fn root_uri(root: &str) -> Option<String> {
    let root = root.replace('\\', "/");
    let encoded = match root.as_bytes() {
        [b'/', ..] => uri_path(&root),
        [drive, b':', b'/', ..] if drive.is_ascii_alphabetic() => {
            let rest = root.get(2..).unwrap_or_default();
            format!("/{}:{}", char::from(*drive), uri_path(rest))
        }
        _ => return None,
    };
    let slash = if encoded.ends_with('/') { "" } else { "/" };
    Some(format!("file://{encoded}{slash}"))
}

fn to_i64(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            pascal_case("secrets/aws-access-key-id"),
            "SecretsAwsAccessKeyId"
        );
        assert_eq!(pascal_case("x"), "X");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_path("src/a b#c.rs"), "src/a%20b%23c.rs");
        assert_eq!(uri_path("données/clé.env"), "donn%C3%A9es/cl%C3%A9.env");
        assert_eq!(uri_path("c:odd"), "c%3Aodd");
    }

    #[test]
    fn only_absolute_roots_get_a_base_uri() {
        assert_eq!(
            root_uri("/home/me/repo").as_deref(),
            Some("file:///home/me/repo/")
        );
        assert_eq!(root_uri("/").as_deref(), Some("file:///"));
        assert_eq!(
            root_uri("C:\\work\\my repo").as_deref(),
            Some("file:///C:/work/my%20repo/")
        );
        assert_eq!(root_uri("."), None);
        assert_eq!(root_uri("repo/sub"), None);
        assert_eq!(root_uri(""), None);
    }

    #[test]
    fn first_paragraph_stops_at_a_blank_line() {
        assert_eq!(first_paragraph("\nOne\nline.\n\nTwo."), "One\nline.");
        assert_eq!(first_paragraph(""), "");
    }
}
