//! in-toto Statement v1: the signed claim "these subjects, identified by
//! digest, have this predicate".
//!
//! The statement is the payload of a DSSE envelope with payload type
//! [`PAYLOAD_TYPE`]. Subjects are matched by digest only: the name is a
//! hint for people, never evidence. Statement v0.1 is still written by
//! older generators, so it is read as well, but only v1 is written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// `_type` of the earlier Statement v0.1, accepted when reading.
pub const STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";

/// DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A reference to a software artifact or resource (the in-toto v1
/// `ResourceDescriptor`). Subjects, resolved dependencies, byproducts and
/// input attestations are all described with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceDescriptor {
    /// A name for the resource, such as a file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A URI identifying the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Digests by algorithm name (`sha256`, `sha512`, `gitCommit`, ...),
    /// lowercase hex for the hash algorithms.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub digest: BTreeMap<String, String>,
    /// Where the resource can be downloaded from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_location: Option<String>,
    /// The resource's media type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Further information about the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<serde_json::Map<String, serde_json::Value>>,
}

impl ResourceDescriptor {
    /// A descriptor with just a name and digests.
    pub fn named(name: impl Into<String>, digest: BTreeMap<String, String>) -> Self {
        Self {
            name: Some(name.into()),
            digest,
            ..Self::default()
        }
    }
}

/// An in-toto statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The statement schema: [`STATEMENT_V1`] when written.
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// What the statement is about.
    pub subject: Vec<ResourceDescriptor>,
    /// The URI naming the predicate's schema.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// The claim itself, shaped by the predicate type.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub predicate: serde_json::Value,
}

impl Statement {
    /// A v1 statement about `subject` with the given predicate.
    pub fn new(
        subject: Vec<ResourceDescriptor>,
        predicate_type: impl Into<String>,
        predicate: serde_json::Value,
    ) -> Self {
        Self {
            statement_type: STATEMENT_V1.to_owned(),
            subject,
            predicate_type: predicate_type.into(),
            predicate,
        }
    }
}
