//! Software bills of materials from the dependency inventory: CycloneDX
//! 1.6 JSON (with the vulnerabilities found) and SPDX 2.3 JSON.
//!
//! Both formats are built from one [`Inventory`] through the same catalog,
//! so they list the same packages with the same identities. Output is
//! deterministic: the same inventory, vulnerabilities and options always
//! give byte-identical documents, down to the serial number and the SPDX
//! namespace, which are derived from the content rather than drawn at
//! random. The caller decides the timestamp (a release build passes the
//! `SOURCE_DATE_EPOCH` time).

mod catalog;
mod cyclonedx;
mod license;
mod spdx;

/// The UTC instant type of [`SbomOptions::timestamp`], re-exported so that
/// callers need no time crate of their own.
pub use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use shipgate_deps::Inventory;
use shipgate_model::Severity;

/// What an SBOM says about itself: when and by what it was made, and what
/// it describes.
#[derive(Clone, Debug, PartialEq)]
pub struct SbomOptions {
    /// When the SBOM was made. Fixing it (from `SOURCE_DATE_EPOCH`) makes
    /// the whole document reproducible. Sub-second precision is dropped.
    pub timestamp: Timestamp,
    /// The generating tool's name, as listed in the SBOM's tool metadata.
    pub tool_name: String,
    /// The generating tool's version.
    pub tool_version: String,
    /// The name of what the SBOM describes. When `None`, the project named
    /// by the lockfiles' manifests is used if they all name the same one,
    /// and [`fallback_name`](Self::fallback_name) otherwise.
    pub root_name: Option<String>,
    /// The name used when neither [`root_name`](Self::root_name) nor the
    /// manifests give one: typically the scanned directory's name.
    pub fallback_name: String,
    /// The URI prefix of the SPDX `documentNamespace`; a name and a
    /// content-derived UUID are appended to it.
    pub namespace_base: String,
}

impl SbomOptions {
    /// Options for `tool_version` of shipgate at `timestamp`, describing the
    /// directory called `fallback_name` unless the manifests name the
    /// project.
    pub fn new(
        timestamp: Timestamp,
        tool_version: impl Into<String>,
        fallback_name: impl Into<String>,
    ) -> Self {
        SbomOptions {
            timestamp,
            tool_name: "shipgate".to_owned(),
            tool_version: tool_version.into(),
            root_name: None,
            fallback_name: fallback_name.into(),
            namespace_base: DEFAULT_NAMESPACE_BASE.to_owned(),
        }
    }
}

/// The namespace prefix the SPDX specification's own examples use for
/// documents that are not published at a URL of their own.
pub const DEFAULT_NAMESPACE_BASE: &str = "https://spdx.org/spdxdocs";

/// How a vulnerability's score was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RatingMethod {
    /// CVSS version 2.
    CvssV2,
    /// CVSS version 3.0.
    CvssV3,
    /// CVSS version 3.1.
    CvssV31,
    /// CVSS version 4.0.
    CvssV4,
    /// Any other scoring system.
    Other,
}

impl RatingMethod {
    /// The CycloneDX name of the method.
    pub fn cyclonedx_name(self) -> &'static str {
        match self {
            RatingMethod::CvssV2 => "CVSSv2",
            RatingMethod::CvssV3 => "CVSSv3",
            RatingMethod::CvssV31 => "CVSSv31",
            RatingMethod::CvssV4 => "CVSSv4",
            RatingMethod::Other => "other",
        }
    }
}

/// A known vulnerability of packages in the inventory, as the SBOM reports
/// it. Several entries with the same `id` are merged into one.
#[derive(Clone, Debug, PartialEq)]
pub struct SbomVulnerability {
    /// The advisory's id (`GHSA-…`, `RUSTSEC-…`, `CVE-…`).
    pub id: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// One-line summary.
    pub summary: String,
    /// Longer description, when the advisory has one.
    pub details: Option<String>,
    /// How bad it is.
    pub severity: Severity,
    /// Numeric score, when the advisory gives one.
    pub score: Option<f64>,
    /// Score vector (for example a CVSS vector string).
    pub vector: Option<String>,
    /// How the score was computed.
    pub method: RatingMethod,
    /// Name of the database the advisory comes from (for example `OSV`).
    pub source_name: String,
    /// URL of the advisory.
    pub source_url: Option<String>,
    /// Package URLs of the affected packages; those not in the inventory
    /// are left out of the SBOM.
    pub affected_purls: Vec<String>,
    /// Versions that fix it.
    pub fixed_versions: Vec<String>,
    /// When the advisory was published.
    pub published: Option<Timestamp>,
    /// When the advisory was last changed.
    pub updated: Option<Timestamp>,
}

/// An SBOM could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    /// The document could not be serialised to JSON.
    #[error("cannot write the SBOM as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The CycloneDX 1.6 JSON document for `inventory`, listing `vulnerabilities`
/// against its components. Pretty-printed, ending in a newline.
pub fn cyclonedx(
    inventory: &Inventory,
    vulnerabilities: &[SbomVulnerability],
    options: &SbomOptions,
) -> Result<String, SbomError> {
    let catalog = catalog::Catalog::build(inventory, options);
    cyclonedx::render(&catalog, vulnerabilities, options)
}

/// The SPDX 2.3 JSON document for `inventory`. Pretty-printed, ending in a
/// newline.
pub fn spdx(inventory: &Inventory, options: &SbomOptions) -> Result<String, SbomError> {
    let catalog = catalog::Catalog::build(inventory, options);
    spdx::render(&catalog, options)
}

/// RFC 3339 in UTC to the second, the form both formats accept.
fn format_time(timestamp: Timestamp) -> String {
    Timestamp::from_second(timestamp.as_second())
        .unwrap_or(timestamp)
        .to_string()
}

/// Stands in for the content-derived UUID while the content is hashed.
const PLACEHOLDER_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// Pretty JSON with a final newline, whose identity (the value of `key`,
/// ending in [`PLACEHOLDER_UUID`]) becomes a name-based (version 5 layout)
/// UUID from the SHA-256 of the document: identical documents get identical
/// ids and different ones differ. The document is written once and the
/// placeholder overwritten in place, which halves the cost of large SBOMs.
fn to_json_with_content_id(document: &impl Serialize, key: &str) -> Result<String, SbomError> {
    let mut text = serde_json::to_string_pretty(document)?;
    text.push('\n');
    let digest = Sha256::digest(text.as_bytes());
    let mut head = [0u8; 16];
    head.copy_from_slice(&digest[..16]);
    let uuid = uuid::Builder::from_sha1_bytes(head).into_uuid();
    // In a JSON string a quote is always escaped, so the key with its real
    // quotes, and the placeholder followed by a real quote, can only be the
    // identity field and the end of its value.
    let marker = format!("\"{key}\": \"");
    let end_of_value = format!("{PLACEHOLDER_UUID}\"");
    if let Some(value_start) = text.find(&marker).map(|at| at + marker.len())
        && let Some(offset) = text[value_start..].find(&end_of_value)
    {
        let at = value_start + offset;
        text.replace_range(
            at..at + PLACEHOLDER_UUID.len(),
            &uuid.hyphenated().to_string(),
        );
    }
    Ok(text)
}
