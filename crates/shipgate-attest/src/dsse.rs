//! DSSE (Dead Simple Signing Envelope) v1: a payload, its type, and
//! signatures over the pre-authentication encoding (PAE) of both.
//!
//! Signing the PAE rather than the payload binds the signature to the
//! payload type, so a signature made over an in-toto statement cannot be
//! replayed as a signature over some other kind of document. Because the
//! signed bytes are the payload exactly as carried, no JSON
//! canonicalisation is involved: the verifier checks the bytes and then
//! parses them.
//!
//! Reading is strict where a lenient reader could be fooled: duplicate
//! JSON keys, an envelope without signatures, undecodable base64 and
//! envelopes over [`MAX_ENVELOPE_BYTES`] are refused. Base64 may use the
//! standard or URL-safe alphabet, padded or not, as the DSSE protocol
//! allows; what shipgate writes is standard and padded.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

use crate::keys::PublicKey;
use crate::signer::{SignError, Signer};
use crate::statement::{PAYLOAD_TYPE, STATEMENT_V0_1, STATEMENT_V1, Statement};
use crate::strict_json;

/// The largest envelope read, in bytes. SBOM attestations of large
/// monorepos run to tens of megabytes; anything past this is refused
/// before it is parsed.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024 * 1024;

/// Standard base64 with padding, as written.
pub(crate) const BASE64: GeneralPurpose = base64::engine::general_purpose::STANDARD;

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64_STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const BASE64_URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes base64 in either alphabet, padded or not.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    BASE64_STANDARD_LENIENT
        .decode(text)
        .or_else(|_| BASE64_URL_SAFE_LENIENT.decode(text))
        .ok()
}

/// The pre-authentication encoding of DSSE v1:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII
/// decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = payload.len().to_string();
    let mut encoded = Vec::with_capacity(
        10 + type_len.len() + payload_type.len() + body_len.len() + payload.len(),
    );
    encoded.extend_from_slice(b"DSSEv1 ");
    encoded.extend_from_slice(type_len.as_bytes());
    encoded.push(b' ');
    encoded.extend_from_slice(payload_type.as_bytes());
    encoded.push(b' ');
    encoded.extend_from_slice(body_len.as_bytes());
    encoded.push(b' ');
    encoded.extend_from_slice(payload);
    encoded
}

/// One signature in an envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The signer's key id. A hint only: it is not covered by the
    /// signature, so it only chooses which key to try.
    pub keyid: String,
    /// The raw signature bytes.
    pub sig: Vec<u8>,
}

/// A DSSE envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// What the payload is; [`PAYLOAD_TYPE`] for in-toto statements.
    pub payload_type: String,
    /// The signed payload bytes.
    pub payload: Vec<u8>,
    /// Signatures over [`pae`] of the type and payload.
    pub signatures: Vec<EnvelopeSignature>,
}

/// Why an envelope could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// Over [`MAX_ENVELOPE_BYTES`].
    #[error("envelope is {size} bytes, over the {MAX_ENVELOPE_BYTES}-byte limit")]
    TooLarge {
        /// The envelope's size in bytes.
        size: usize,
    },
    /// Not JSON, duplicated keys, or not shaped like a DSSE envelope.
    #[error("not a DSSE envelope: {0}")]
    Malformed(String),
    /// A base64 field did not decode.
    #[error("the `{field}` field is not valid base64")]
    Base64 {
        /// The field's name.
        field: &'static str,
    },
    /// An envelope with no signatures proves nothing.
    #[error("the envelope carries no signatures")]
    Unsigned,
    /// The payload is not an in-toto statement.
    #[error("payload type is `{0}`, not `{PAYLOAD_TYPE}`")]
    PayloadType(String),
    /// The payload claims to be a statement but is not a valid one.
    #[error("payload is not a valid in-toto statement: {0}")]
    Statement(String),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEnvelope {
    payload: String,
    payload_type: String,
    signatures: Vec<WireSignature>,
}

#[derive(Serialize, Deserialize)]
struct WireSignature {
    #[serde(default)]
    keyid: String,
    sig: String,
}

impl Envelope {
    /// Signs `payload` of type `payload_type` with every signer.
    pub fn sign(
        payload_type: &str,
        payload: Vec<u8>,
        signers: &[&dyn Signer],
    ) -> Result<Self, SignError> {
        let message = pae(payload_type, &payload);
        let signatures = signers
            .iter()
            .map(|signer| {
                Ok(EnvelopeSignature {
                    keyid: signer.key_id().to_owned(),
                    sig: signer.sign(&message)?,
                })
            })
            .collect::<Result<_, SignError>>()?;
        Ok(Self {
            payload_type: payload_type.to_owned(),
            payload,
            signatures,
        })
    }

    /// Serialises `statement` and signs it as an in-toto payload.
    pub fn sign_statement(
        statement: &Statement,
        signers: &[&dyn Signer],
    ) -> Result<Self, SignError> {
        // Statements hold only strings, arrays and objects with string
        // keys, which always serialise.
        let payload = serde_json::to_vec(statement).expect("a statement serialises to JSON");
        Self::sign(PAYLOAD_TYPE, payload, signers)
    }

    /// Reads an envelope from its JSON form.
    pub fn from_json(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_ENVELOPE_BYTES {
            return Err(EnvelopeError::TooLarge { size: bytes.len() });
        }
        let value = strict_json::from_slice(bytes)
            .map_err(|error| EnvelopeError::Malformed(error.to_string()))?;
        Self::from_value(value)
    }

    /// Reads an envelope from an already parsed JSON value (such as the
    /// `dsseEnvelope` of a Sigstore bundle).
    pub fn from_value(value: serde_json::Value) -> Result<Self, EnvelopeError> {
        let wire: WireEnvelope = serde_json::from_value(value)
            .map_err(|error| EnvelopeError::Malformed(error.to_string()))?;
        if wire.signatures.is_empty() {
            return Err(EnvelopeError::Unsigned);
        }
        let payload =
            decode_base64(&wire.payload).ok_or(EnvelopeError::Base64 { field: "payload" })?;
        let signatures = wire
            .signatures
            .into_iter()
            .map(|signature| {
                Ok(EnvelopeSignature {
                    sig: decode_base64(&signature.sig)
                        .ok_or(EnvelopeError::Base64 { field: "sig" })?,
                    keyid: signature.keyid,
                })
            })
            .collect::<Result<_, EnvelopeError>>()?;
        Ok(Self {
            payload_type: wire.payload_type,
            payload,
            signatures,
        })
    }

    /// The envelope's JSON value, with standard padded base64.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::json!({
            "payload": BASE64.encode(&self.payload),
            "payloadType": self.payload_type,
            "signatures": self.signatures.iter().map(|signature| serde_json::json!({
                "keyid": signature.keyid,
                "sig": BASE64.encode(&signature.sig),
            })).collect::<Vec<_>>(),
        })
    }

    /// The envelope as one line of compact JSON, as `.intoto.jsonl` holds.
    pub fn to_json_line(&self) -> String {
        self.to_value().to_string()
    }

    /// The bytes every signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// Checks the signatures against `trusted` keys.
    ///
    /// A signature whose key id names a trusted key is checked with that
    /// key only. A signature with an empty key id (cosign writes these) is
    /// tried against every trusted key. A signature naming a key id that
    /// no trusted key has is reported as unknown, unless
    /// `try_unknown_key_ids` is set, when it too is tried against every
    /// key (for signers that compute key ids differently).
    pub fn verify_signatures(
        &self,
        trusted: &[PublicKey],
        try_unknown_key_ids: bool,
    ) -> SignatureReport {
        let message = self.signed_bytes();
        let mut report = SignatureReport::default();
        for signature in &self.signatures {
            let named = trusted
                .iter()
                .find(|key| !signature.keyid.is_empty() && key.key_id_str() == signature.keyid);
            let candidates: Vec<&PublicKey> = match named {
                Some(key) => vec![key],
                None if signature.keyid.is_empty() || try_unknown_key_ids => {
                    trusted.iter().collect()
                }
                None => {
                    report.problems.push(format!(
                        "signature by unknown key id `{}` (pass its public key with --key, or --any-key-id to try every trusted key)",
                        signature.keyid
                    ));
                    continue;
                }
            };
            match candidates
                .into_iter()
                .find(|key| key.verify(&message, &signature.sig).is_ok())
            {
                Some(key) => {
                    let key_id = key.key_id();
                    if !report.verified_key_ids.contains(&key_id) {
                        report.verified_key_ids.push(key_id);
                    }
                }
                None if signature.keyid.is_empty() => report
                    .problems
                    .push("a signature without key id verifies with none of the trusted keys".to_owned()),
                None => report.problems.push(format!(
                    "the signature by key `{}` does not verify: the payload or its type was changed after signing, or the signature is corrupt",
                    signature.keyid
                )),
            }
        }
        report
    }

    /// Parses the payload as an in-toto statement (v1, or v0.1 as written
    /// by older generators).
    pub fn statement(&self) -> Result<Statement, EnvelopeError> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(EnvelopeError::PayloadType(self.payload_type.clone()));
        }
        let value = strict_json::from_slice(&self.payload)
            .map_err(|error| EnvelopeError::Statement(error.to_string()))?;
        let statement: Statement = serde_json::from_value(value)
            .map_err(|error| EnvelopeError::Statement(error.to_string()))?;
        if statement.statement_type != STATEMENT_V1 && statement.statement_type != STATEMENT_V0_1 {
            return Err(EnvelopeError::Statement(format!(
                "unknown statement type `{}`",
                statement.statement_type
            )));
        }
        if statement.subject.is_empty() {
            return Err(EnvelopeError::Statement(
                "the statement has no subjects".to_owned(),
            ));
        }
        if let Some(subject) = statement
            .subject
            .iter()
            .find(|subject| !subject.digest.contains_key("sha256"))
        {
            return Err(EnvelopeError::Statement(format!(
                "subject `{}` has no sha256 digest, so it cannot be matched safely",
                subject.name.as_deref().unwrap_or("(unnamed)")
            )));
        }
        Ok(statement)
    }
}

/// The outcome of checking an envelope's signatures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignatureReport {
    /// Ids of the trusted keys with a valid signature, each once.
    pub verified_key_ids: Vec<String>,
    /// Signatures that did not verify, and why.
    pub problems: Vec<String>,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::keys::{Algorithm, PrivateKey};
    use crate::signer::LocalSigner;
    use crate::statement::ResourceDescriptor;

    fn signer(algorithm: Algorithm) -> LocalSigner {
        LocalSigner::new(PrivateKey::generate(algorithm).unwrap())
    }

    fn statement() -> Statement {
        Statement::new(
            vec![ResourceDescriptor::named(
                "app.tar.gz",
                BTreeMap::from([("sha256".to_owned(), "ab".repeat(32))]),
            )],
            "https://example.com/predicate/v1",
            serde_json::json!({"ok": true}),
        )
    }

    #[test]
    fn pae_matches_the_protocol_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn signed_envelopes_round_trip_and_verify_for_both_algorithms() {
        for algorithm in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
            let signer = signer(algorithm);
            let envelope = Envelope::sign_statement(&statement(), &[&signer]).unwrap();
            let line = envelope.to_json_line();
            assert!(!line.contains('\n'));
            let read = Envelope::from_json(line.as_bytes()).unwrap();
            assert_eq!(read, envelope);
            let report = read.verify_signatures(&[signer.public_key().clone()], false);
            assert_eq!(
                report.verified_key_ids,
                vec![signer.key_id().to_owned()],
                "{report:?}"
            );
            assert!(report.problems.is_empty());
            assert_eq!(read.statement().unwrap(), statement());
        }
    }

    #[test]
    fn any_change_to_type_or_payload_breaks_the_signature() {
        let signer = signer(Algorithm::EcdsaP256);
        let trusted = [signer.public_key().clone()];
        let envelope = Envelope::sign_statement(&statement(), &[&signer]).unwrap();
        let mut retyped = envelope.clone();
        retyped.payload_type = "application/json".to_owned();
        let mut changed = envelope.clone();
        changed.payload.push(b' ');
        for tampered in [retyped, changed] {
            let report = tampered.verify_signatures(&trusted, false);
            assert!(report.verified_key_ids.is_empty());
            assert!(report.problems[0].contains("does not verify"), "{report:?}");
        }
    }

    #[test]
    fn key_ids_are_hints() {
        let signer = signer(Algorithm::Ed25519);
        let other = self::signer(Algorithm::Ed25519);
        let trusted = [other.public_key().clone(), signer.public_key().clone()];
        let mut envelope = Envelope::sign_statement(&statement(), &[&signer]).unwrap();

        envelope.signatures[0].keyid = String::new();
        assert_eq!(
            envelope
                .verify_signatures(&trusted, false)
                .verified_key_ids
                .len(),
            1
        );

        envelope.signatures[0].keyid = "someone-else".to_owned();
        let unknown = envelope.verify_signatures(&trusted, false);
        assert!(unknown.verified_key_ids.is_empty());
        assert!(unknown.problems[0].contains("unknown key id `someone-else`"));
        assert_eq!(
            envelope
                .verify_signatures(&trusted, true)
                .verified_key_ids
                .len(),
            1
        );

        // A key id naming the wrong trusted key is checked with that key only.
        envelope.signatures[0].keyid = other.key_id().to_owned();
        assert!(
            envelope
                .verify_signatures(&trusted, false)
                .verified_key_ids
                .is_empty()
        );
    }

    #[test]
    fn two_signers_count_once_each() {
        let first = signer(Algorithm::EcdsaP256);
        let second = signer(Algorithm::Ed25519);
        let mut envelope = Envelope::sign_statement(&statement(), &[&first, &second]).unwrap();
        let duplicate = envelope.signatures[0].clone();
        envelope.signatures.push(duplicate);
        let report = envelope.verify_signatures(
            &[first.public_key().clone(), second.public_key().clone()],
            false,
        );
        assert_eq!(report.verified_key_ids.len(), 2);
    }

    #[test]
    fn base64_in_either_alphabet_with_or_without_padding_is_read() {
        let signer = signer(Algorithm::Ed25519);
        let envelope = Envelope::sign_statement(&statement(), &[&signer]).unwrap();
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let text = serde_json::json!({
            "payload": url_safe.encode(&envelope.payload),
            "payloadType": envelope.payload_type,
            "signatures": [{"keyid": signer.key_id(), "sig": url_safe.encode(&envelope.signatures[0].sig)}],
        })
        .to_string();
        assert_eq!(Envelope::from_json(text.as_bytes()).unwrap(), envelope);
    }

    #[test]
    fn malformed_envelopes_are_refused_with_reasons() {
        let cases: [(&[u8], &str); 6] = [
            (br#"{"payload":"e30=","payloadType":"t","signatures":[]}"#, "no signatures"),
            (br#"{"payload":"e30=","payloadType":"t"}"#, "not a DSSE envelope"),
            (br#"{"payload":"!!","payloadType":"t","signatures":[{"sig":"AA=="}]}"#, "`payload`"),
            (br#"{"payload":"e30=","payloadType":"t","signatures":[{"sig":"%%"}]}"#, "`sig`"),
            (
                br#"{"payload":"e30=","payload":"e30=","payloadType":"t","signatures":[{"sig":"AA=="}]}"#,
                "duplicate key",
            ),
            (b"[1,2,3]", "not a DSSE envelope"),
        ];
        for (input, reason) in cases {
            let error = Envelope::from_json(input).unwrap_err().to_string();
            assert!(error.contains(reason), "{error}");
        }
        let huge = vec![b' '; MAX_ENVELOPE_BYTES + 1];
        assert!(matches!(
            Envelope::from_json(&huge),
            Err(EnvelopeError::TooLarge { .. })
        ));
    }

    #[test]
    fn statements_must_be_in_toto_with_sha256_subjects() {
        let envelope = |payload_type: &str, payload: serde_json::Value| Envelope {
            payload_type: payload_type.to_owned(),
            payload: payload.to_string().into_bytes(),
            signatures: Vec::new(),
        };
        let good = serde_json::to_value(statement()).unwrap();
        assert!(envelope(PAYLOAD_TYPE, good.clone()).statement().is_ok());
        assert!(matches!(
            envelope("application/json", good.clone()).statement(),
            Err(EnvelopeError::PayloadType(_))
        ));
        let mut no_sha256 = good.clone();
        no_sha256["subject"][0]["digest"] = serde_json::json!({"sha1": "00"});
        assert!(
            envelope(PAYLOAD_TYPE, no_sha256)
                .statement()
                .unwrap_err()
                .to_string()
                .contains("no sha256")
        );
        let mut no_subjects = good.clone();
        no_subjects["subject"] = serde_json::json!([]);
        assert!(envelope(PAYLOAD_TYPE, no_subjects).statement().is_err());
        let mut other_type = good.clone();
        other_type["_type"] = "https://example.com/Statement".into();
        assert!(envelope(PAYLOAD_TYPE, other_type).statement().is_err());
        let mut old = good;
        old["_type"] = STATEMENT_V0_1.into();
        assert!(envelope(PAYLOAD_TYPE, old).statement().is_ok());
        let duplicated = Envelope {
            payload_type: PAYLOAD_TYPE.to_owned(),
            payload: br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"subject":[{"digest":{"sha256":"00"}}],"predicateType":"x"}"#.to_vec(),
            signatures: Vec::new(),
        };
        assert!(
            duplicated
                .statement()
                .unwrap_err()
                .to_string()
                .contains("duplicate key")
        );
    }
}
