//! What every audit shares: its metadata, the findings it reports, and how
//! those become the model's [`Finding`]s.

use std::ops::Range;

use shipgate_model::{
    Confidence, Finding, Fingerprint, LineIndex, Location, Persona, RuleMeta, Severity, Snippet,
};

use crate::fix::Fix;

/// Static description of one audit; its documentation is the doc comment
/// written on the `audit_meta!` declaration.
#[derive(Debug)]
pub struct AuditMeta {
    /// Stable rule id, for example `github/template-injection`.
    pub id: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Default confidence.
    pub confidence: Confidence,
    /// The least persona that sees this audit's findings by default.
    pub persona: Persona,
    /// Control ids from the catalog.
    pub controls: &'static [&'static str],
    /// Markdown documentation, from the declaration's doc comment.
    pub docs: &'static str,
}

impl AuditMeta {
    /// The model's view of this audit.
    pub fn rule_meta(&self) -> RuleMeta {
        let docs: Vec<&str> = self
            .docs
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect();
        let mut docs = docs.join("\n").trim().to_owned();
        if self.persona != Persona::Default {
            let persona = match self.persona {
                Persona::Pedantic => "pedantic",
                _ => "auditor",
            };
            docs.push_str(&format!(
                "\n\nReported with `--{persona}` (or `persona = \"{persona}\"` under `[ci]`)."
            ));
        }
        RuleMeta {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            severity: self.severity,
            confidence: self.confidence,
            controls: self.controls.iter().map(|c| (*c).to_owned()).collect(),
            docs,
        }
    }
}

/// Declares an audit's metadata; the doc comment becomes its documentation
/// in `shipgate rules`, `shipgate explain` and `docs/rules.md`.
macro_rules! audit_meta {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = {
            id: $id:literal,
            title: $title:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            persona: $persona:ident,
            controls: [$($control:literal),* $(,)?] $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::audit::AuditMeta = $crate::audit::AuditMeta {
            id: $id,
            title: $title,
            severity: shipgate_model::Severity::$severity,
            confidence: shipgate_model::Confidence::$confidence,
            persona: shipgate_model::Persona::$persona,
            controls: &[$($control),*],
            docs: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use audit_meta;

/// One finding as an audit reports it, before it is placed in a file.
#[derive(Debug)]
pub struct CiFinding {
    /// The audit that found it.
    pub meta: &'static AuditMeta,
    /// Byte range of the offending token.
    pub span: Range<usize>,
    /// Symbolic location such as `jobs.build.steps[2].run`.
    pub symbolic: String,
    /// What is wrong here, in one sentence.
    pub message: String,
    /// Severity, when it differs from the audit's default.
    pub severity: Severity,
    /// Confidence, when it differs from the audit's default.
    pub confidence: Confidence,
    /// Who sees it.
    pub persona: Persona,
    /// How it was judged, or what to do.
    pub note: Option<String>,
    /// A mechanical fix, when one is known.
    pub fix: Option<Fix>,
}

impl CiFinding {
    /// Overrides the severity.
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    /// Overrides the confidence.
    pub fn confidence(&mut self, confidence: Confidence) -> &mut Self {
        self.confidence = confidence;
        self
    }

    /// Shows the finding only to `persona` and above.
    pub fn persona(&mut self, persona: Persona) -> &mut Self {
        self.persona = persona;
        self
    }

    /// Adds a note saying how it was judged or what to do.
    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.note = Some(note.into());
        self
    }

    /// Attaches a fix.
    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
}

/// Collects the findings of one file.
#[derive(Debug, Default)]
pub struct Sink {
    findings: Vec<CiFinding>,
}

impl Sink {
    /// An empty sink.
    pub fn new() -> Self {
        Sink::default()
    }

    /// Reports a finding of `meta` at `span`; chain the setters on the
    /// result to adjust it.
    pub fn report(
        &mut self,
        meta: &'static AuditMeta,
        span: Range<usize>,
        symbolic: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut CiFinding {
        self.findings.push(CiFinding {
            meta,
            span,
            symbolic: symbolic.into(),
            message: message.into(),
            severity: meta.severity,
            confidence: meta.confidence,
            persona: meta.persona,
            note: None,
            fix: None,
        });
        let last = self.findings.len() - 1;
        &mut self.findings[last]
    }

    /// The findings so far.
    pub fn findings(&self) -> &[CiFinding] {
        &self.findings
    }

    /// Takes the findings out.
    pub fn into_findings(self) -> Vec<CiFinding> {
        self.findings
    }
}

/// Most lines of source kept in a finding's snippet.
const SNIPPET_MAX_LINES: usize = 12;

/// Places `finding` in the file at `path` whose text is `source`.
pub fn to_model(finding: &CiFinding, path: &str, source: &str, lines: &LineIndex) -> Finding {
    let source = source.as_bytes();
    let start = finding.span.start.min(source.len());
    let end = finding.span.end.clamp(start, source.len());
    let first_line = lines.line_of(start);
    let last_line = lines
        .line_of(end.saturating_sub(1).max(start))
        .min(first_line + SNIPPET_MAX_LINES - 1);
    let snippet_start = lines.line_range(source, first_line).start;
    let snippet_end = lines.line_range(source, last_line).end;
    let snippet = String::from_utf8_lossy(&source[snippet_start..snippet_end.max(snippet_start)]);
    let mut identity = finding.symbolic.clone().into_bytes();
    identity.push(0);
    identity.extend_from_slice(&source[start..end]);
    Finding {
        rule_id: finding.meta.id.to_owned(),
        title: finding.meta.title.to_owned(),
        severity: finding.severity,
        confidence: finding.confidence,
        message: finding.message.clone(),
        location: Location {
            path: path.to_owned(),
            start: lines.position(source, start),
            end: lines.position(source, end),
            byte_start: start,
            byte_end: end,
            commit: None,
            symbolic: (!finding.symbolic.is_empty()).then(|| finding.symbolic.clone()),
        },
        snippet: Snippet {
            first_line: u32::try_from(first_line + 1).unwrap_or(u32::MAX),
            text: snippet.into_owned(),
        },
        secret: None,
        fingerprint: Fingerprint::new(finding.meta.id, path, &identity),
        controls: finding
            .meta
            .controls
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        note: finding.note.clone(),
        properties: Default::default(),
    }
}
