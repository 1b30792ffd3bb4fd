//! Renders a [`ScanReport`] and rule metadata in every output format shipgate
//! offers: terminal text, JSON, SARIF 2.1.0, JUnit XML, Markdown and HTML.
//!
//! Nothing here prints: every renderer writes to the `&mut dyn Write` it is
//! given and returns a typed [`RenderError`]. Findings arrive already redacted;
//! a finding whose `secret` is still set is shown as it is.

mod html;
mod json;
mod junit;
mod markdown;
mod rules;
mod sarif;
mod span;
mod summary;
mod table;
mod terminal;

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::str::FromStr;

use shipgate_model::{RuleMeta, ScanReport, Severity};

/// Where the project lives; SARIF names it as the tool's `informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/shipgate/shipgate";

/// An output format for a scan report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Annotated source snippets and a summary, for a terminal.
    Table,
    /// The report as versioned JSON (see `docs/json-report.md`).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test-report views.
    Junit,
    /// GitHub-flavoured Markdown, for CI job summaries.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
        Format::Html,
    ];

    /// The names [`Format::from_str`] accepts, for a CLI's list of possible values.
    pub const NAMES: [&'static str; 6] = ["table", "json", "sarif", "junit", "markdown", "html"];

    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat::new(s, &Format::NAMES))
    }
}

/// An output format for a list of rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RulesFormat {
    /// One line per rule, for a terminal.
    Table,
    /// A JSON array of rule metadata.
    Json,
    /// The rule reference page (`docs/rules.md`).
    Markdown,
}

impl RulesFormat {
    /// Every rules format, in the order help texts list them.
    pub const ALL: [RulesFormat; 3] =
        [RulesFormat::Table, RulesFormat::Json, RulesFormat::Markdown];

    /// The names [`RulesFormat::from_str`] accepts.
    pub const NAMES: [&'static str; 3] = ["table", "json", "markdown"];

    /// The lowercase name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RulesFormat::Table => "table",
            RulesFormat::Json => "json",
            RulesFormat::Markdown => "markdown",
        }
    }
}

impl fmt::Display for RulesFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RulesFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RulesFormat::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFormat::new(s, &RulesFormat::NAMES))
    }
}

/// A format name that is not one of the known ones.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{value}`; expected one of: {expected}")]
pub struct UnknownFormat {
    value: String,
    expected: String,
}

impl UnknownFormat {
    fn new(value: &str, names: &[&str]) -> Self {
        UnknownFormat {
            value: value.to_owned(),
            expected: names.join(", "),
        }
    }
}

/// Choices that change how a report looks, not what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Emit ANSI colours (terminal format only); the caller decides, for
    /// example by checking whether standard output is a terminal.
    pub color: bool,
    /// The severity at or above which a finding fails the gate, or `None`
    /// when findings fail nothing; reports state the gate's verdict.
    pub fail_on: Option<Severity>,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing to the output failed.
    #[error("could not write the report: {0}")]
    Io(#[from] io::Error),
    /// Serialising JSON (or SARIF, which is JSON) failed.
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders `report` in `format` to `out`.
pub fn render(
    report: &ScanReport,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let mut out = BufWriter::new(out);
    match format {
        Format::Table => table::render(report, options, &mut out)?,
        Format::Json => json::render(report, &mut out)?,
        Format::Sarif => sarif::render(report, &mut out)?,
        Format::Junit => junit::render(report, &mut out)?,
        Format::Markdown => markdown::render(report, options, &mut out)?,
        Format::Html => html::render(report, options, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// Renders a list of rules in `format` to `out`.
pub fn render_rules(
    rules: &[RuleMeta],
    format: RulesFormat,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let mut out = BufWriter::new(out);
    match format {
        RulesFormat::Table => rules::render_table(rules, &mut out)?,
        RulesFormat::Json => rules::render_json(rules, &mut out)?,
        RulesFormat::Markdown => rules::render_markdown(rules, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// Renders everything known about one rule, for `shipgate explain`.
pub fn render_explanation(
    rule: &RuleMeta,
    color: bool,
    out: &mut dyn Write,
) -> Result<(), RenderError> {
    let mut out = BufWriter::new(out);
    rules::render_explanation(rule, color, &mut out)?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for (format, name) in Format::ALL.into_iter().zip(Format::NAMES) {
            assert_eq!(format.to_string(), name);
            assert_eq!(name.parse::<Format>(), Ok(format));
        }
        assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
        let error = "xml".parse::<Format>().unwrap_err();
        assert!(error.to_string().contains("table, json, sarif"));
    }

    #[test]
    fn rules_format_names_round_trip() {
        for (format, name) in RulesFormat::ALL.into_iter().zip(RulesFormat::NAMES) {
            assert_eq!(format.to_string(), name);
            assert_eq!(name.parse::<RulesFormat>(), Ok(format));
        }
        assert!("html".parse::<RulesFormat>().is_err());
    }
}
