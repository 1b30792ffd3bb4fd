//! Sigstore bundles (media type [`BUNDLE_V0_3`]) for key-based signing.
//!
//! A bundle carries either a DSSE envelope (an attestation) or a plain
//! message signature (a signed artifact), plus the material needed to
//! verify it. With keys the user controls, that material is a public key
//! hint: the key id of the signing key, which the verifier looks up among
//! the keys it trusts. Transparency-log entries and timestamps are left
//! empty because signing is offline; verifiers such as cosign must then be
//! told not to require a log entry (`--insecure-ignore-tlog`).
//!
//! Reading accepts v0.1 to v0.3 bundles but only uses what keyed
//! verification needs: certificates and log entries are ignored, so a
//! bundle is trusted only through the keys passed to the verifier.

use serde_json::{Value, json};

use crate::dsse::{BASE64, Envelope, EnvelopeError, MAX_ENVELOPE_BYTES, decode_base64};
use crate::strict_json;
use base64::Engine;

/// Media type of a v0.3 Sigstore bundle, the version written.
pub const BUNDLE_V0_3: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

const BUNDLE_MEDIA_TYPE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";

/// What a bundle signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleContent {
    /// An attestation.
    Envelope(Envelope),
    /// A signature over an artifact's SHA-256 digest.
    MessageSignature {
        /// The artifact's SHA-256 digest.
        sha256: [u8; 32],
        /// The signature bytes.
        signature: Vec<u8>,
    },
}

/// A Sigstore bundle signed with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The public key hint: the signing key's id.
    pub key_hint: Option<String>,
    /// The signed content.
    pub content: BundleContent,
}

/// Why a bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Over the size limit.
    #[error("bundle is {size} bytes, over the {MAX_ENVELOPE_BYTES}-byte limit")]
    TooLarge {
        /// The bundle's size in bytes.
        size: usize,
    },
    /// Not JSON, or not shaped like a bundle.
    #[error("not a Sigstore bundle: {0}")]
    Malformed(String),
    /// The bundle's envelope is invalid.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

impl Bundle {
    /// Whether a parsed JSON document looks like a Sigstore bundle (it has
    /// a bundle media type).
    pub fn is_bundle(value: &Value) -> bool {
        value
            .get("mediaType")
            .and_then(Value::as_str)
            .is_some_and(|media_type| media_type.starts_with(BUNDLE_MEDIA_TYPE_PREFIX))
    }

    /// Reads a bundle from JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(BundleError::TooLarge { size: bytes.len() });
        }
        let value = strict_json::from_slice(bytes)
            .map_err(|error| BundleError::Malformed(error.to_string()))?;
        Self::from_value(value)
    }

    /// Reads a bundle from a parsed JSON value.
    pub fn from_value(mut value: Value) -> Result<Self, BundleError> {
        if !Self::is_bundle(&value) {
            return Err(BundleError::Malformed(format!(
                "`mediaType` is missing or not {BUNDLE_MEDIA_TYPE_PREFIX}*"
            )));
        }
        let key_hint = value
            .pointer("/verificationMaterial/publicKey/hint")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(envelope) = value.get_mut("dsseEnvelope").map(Value::take) {
            return Ok(Self {
                key_hint,
                content: BundleContent::Envelope(Envelope::from_value(envelope)?),
            });
        }
        let Some(message) = value.get("messageSignature") else {
            return Err(BundleError::Malformed(
                "it has neither `dsseEnvelope` nor `messageSignature`".to_owned(),
            ));
        };
        let algorithm = message
            .pointer("/messageDigest/algorithm")
            .and_then(Value::as_str);
        if algorithm != Some("SHA2_256") {
            return Err(BundleError::Malformed(format!(
                "message digest algorithm {} is not supported; only SHA2_256 is",
                algorithm.unwrap_or("(missing)")
            )));
        }
        let decode = |pointer: &str| {
            message
                .pointer(pointer)
                .and_then(Value::as_str)
                .and_then(decode_base64)
                .ok_or_else(|| {
                    BundleError::Malformed(format!(
                        "`messageSignature{pointer}` is missing or not base64"
                    ))
                })
        };
        let sha256 = decode("/messageDigest/digest")?
            .try_into()
            .map_err(|_| BundleError::Malformed("the message digest is not 32 bytes".to_owned()))?;
        let signature = decode("/signature")?;
        Ok(Self {
            key_hint,
            content: BundleContent::MessageSignature { sha256, signature },
        })
    }

    /// The v0.3 JSON form.
    pub fn to_value(&self) -> Value {
        let mut verification_material = json!({ "tlogEntries": [] });
        if let Some(hint) = &self.key_hint {
            verification_material["publicKey"] = json!({ "hint": hint });
        }
        let mut bundle = json!({
            "mediaType": BUNDLE_V0_3,
            "verificationMaterial": verification_material,
        });
        match &self.content {
            BundleContent::Envelope(envelope) => bundle["dsseEnvelope"] = envelope.to_value(),
            BundleContent::MessageSignature { sha256, signature } => {
                bundle["messageSignature"] = json!({
                    "messageDigest": { "algorithm": "SHA2_256", "digest": BASE64.encode(sha256) },
                    "signature": BASE64.encode(signature),
                });
            }
        }
        bundle
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope() -> Envelope {
        Envelope {
            payload_type: "application/vnd.in-toto+json".to_owned(),
            payload: b"{}".to_vec(),
            signatures: vec![crate::dsse::EnvelopeSignature {
                keyid: "k1".to_owned(),
                sig: vec![1, 2, 3],
            }],
        }
    }

    #[test]
    fn bundles_round_trip_with_v0_3_media_type() {
        for content in [
            BundleContent::Envelope(envelope()),
            BundleContent::MessageSignature {
                sha256: [7; 32],
                signature: vec![9; 70],
            },
        ] {
            let bundle = Bundle {
                key_hint: Some("k1".to_owned()),
                content,
            };
            let value = bundle.to_value();
            assert_eq!(value["mediaType"], BUNDLE_V0_3);
            assert_eq!(value["verificationMaterial"]["publicKey"]["hint"], "k1");
            assert!(Bundle::is_bundle(&value));
            assert_eq!(
                Bundle::from_json(value.to_string().as_bytes()).unwrap(),
                bundle
            );
        }
    }

    #[test]
    fn older_media_types_are_read() {
        let mut value = Bundle {
            key_hint: None,
            content: BundleContent::Envelope(envelope()),
        }
        .to_value();
        value["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.2".into();
        assert!(Bundle::from_value(value).is_ok());
    }

    #[test]
    fn malformed_bundles_are_refused() {
        let cases: [(&str, &str); 5] = [
            (r#"{"mediaType":"application/json"}"#, "mediaType"),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
                "neither",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{"messageDigest":{"algorithm":"SHA2_512","digest":"AA=="},"signature":"AA=="}}"#,
                "SHA2_512",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AA=="},"signature":"AA=="}}"#,
                "32 bytes",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payload":"e30=","payloadType":"t","signatures":[]}}"#,
                "no signatures",
            ),
        ];
        for (input, reason) in cases {
            let error = Bundle::from_json(input.as_bytes()).unwrap_err().to_string();
            assert!(error.contains(reason), "{input}: {error}");
        }
    }
}
