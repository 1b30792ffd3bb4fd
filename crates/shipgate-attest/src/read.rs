//! Reading attestation files: JSON Lines of DSSE envelopes
//! (`*.intoto.jsonl`, as slsa-github-generator and `shipgate attest`
//! write them), a single envelope, or Sigstore bundles.

use sha2::{Digest, Sha256};

use crate::bundle::{Bundle, BundleContent};
use crate::digest::to_hex;
use crate::dsse::{Envelope, EnvelopeError, MAX_ENVELOPE_BYTES};
use crate::strict_json;

/// One attestation read from a file, or why it could not be read.
#[derive(Clone, Debug)]
pub struct LoadedAttestation {
    /// Where it came from: `file`, or `file:line` for JSON Lines.
    pub origin: String,
    /// Lowercase hex SHA-256 of the attestation's bytes as stored, so a
    /// verification summary can name exactly what it checked.
    pub sha256: String,
    /// The envelope, or the reason it could not be read.
    pub envelope: Result<Envelope, String>,
}

/// Reads every attestation in `bytes`, the contents of the file `origin`.
///
/// A document is JSON Lines when its first non-empty line is a complete
/// JSON value by itself; otherwise the whole document is one envelope or
/// bundle (pretty-printed JSON). A bad line is reported in its slot and
/// never stops the others from being read.
pub fn read_attestations(origin: &str, bytes: &[u8]) -> Vec<LoadedAttestation> {
    let lines: Vec<(usize, &[u8])> = bytes
        .split(|&byte| byte == b'\n')
        .enumerate()
        .map(|(index, line)| (index + 1, line.trim_ascii()))
        .filter(|(_, line)| !line.is_empty())
        .collect();
    let is_json_lines = lines.first().is_some_and(|(_, first)| {
        lines.len() > 1 && serde_json::from_slice::<serde::de::IgnoredAny>(first).is_ok()
    });
    if !is_json_lines {
        if lines.is_empty() {
            return vec![LoadedAttestation {
                origin: origin.to_owned(),
                sha256: hex_sha256(bytes),
                envelope: Err("the file is empty".to_owned()),
            }];
        }
        return vec![load_one(origin.to_owned(), bytes.trim_ascii())];
    }
    lines
        .into_iter()
        .map(|(line_number, line)| load_one(format!("{origin}:{line_number}"), line))
        .collect()
}

fn load_one(origin: String, bytes: &[u8]) -> LoadedAttestation {
    LoadedAttestation {
        sha256: hex_sha256(bytes),
        envelope: parse_document(bytes),
        origin,
    }
}

fn parse_document(bytes: &[u8]) -> Result<Envelope, String> {
    if bytes.len() > MAX_ENVELOPE_BYTES {
        return Err(EnvelopeError::TooLarge { size: bytes.len() }.to_string());
    }
    let probe =
        strict_json::from_slice(bytes).map_err(|error| format!("not valid JSON: {error}"))?;
    if !Bundle::is_bundle(&probe) {
        return Envelope::from_json(bytes).map_err(|error| error.to_string());
    }
    match Bundle::from_value(probe).map_err(|error| error.to_string())?.content {
        BundleContent::Envelope(envelope) => Ok(envelope),
        BundleContent::MessageSignature { .. } => Err(
            "this Sigstore bundle holds an artifact signature, not an attestation: pass it with --signature".to_owned(),
        ),
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Bundle;

    fn envelope(keyid: &str) -> Envelope {
        Envelope {
            payload_type: "application/vnd.in-toto+json".to_owned(),
            payload: b"{}".to_vec(),
            signatures: vec![crate::dsse::EnvelopeSignature {
                keyid: keyid.to_owned(),
                sig: vec![1],
            }],
        }
    }

    #[test]
    fn json_lines_are_read_line_by_line_and_bad_lines_stay_in_their_slot() {
        let text = format!(
            "{}\n\nnot json\n{}\n",
            envelope("a").to_json_line(),
            envelope("b").to_json_line()
        );
        let loaded = read_attestations("x.jsonl", text.as_bytes());
        let origins: Vec<&str> = loaded.iter().map(|l| l.origin.as_str()).collect();
        assert_eq!(origins, ["x.jsonl:1", "x.jsonl:3", "x.jsonl:4"]);
        assert_eq!(
            loaded[0].envelope.as_ref().unwrap().signatures[0].keyid,
            "a"
        );
        assert!(
            loaded[1]
                .envelope
                .as_ref()
                .unwrap_err()
                .contains("not valid JSON")
        );
        assert_eq!(
            loaded[2].envelope.as_ref().unwrap().signatures[0].keyid,
            "b"
        );
        assert_eq!(
            loaded[0].sha256,
            hex_sha256(envelope("a").to_json_line().as_bytes())
        );
    }

    #[test]
    fn a_pretty_printed_envelope_or_bundle_is_one_document() {
        let pretty = serde_json::to_string_pretty(&envelope("a").to_value()).unwrap();
        let loaded = read_attestations("e.json", pretty.as_bytes());
        assert_eq!(loaded.len(), 1);
        assert!(loaded[0].envelope.is_ok());

        let bundle = Bundle {
            key_hint: Some("a".to_owned()),
            content: BundleContent::Envelope(envelope("a")),
        };
        let text = serde_json::to_string_pretty(&bundle.to_value()).unwrap();
        assert_eq!(
            read_attestations("b.json", text.as_bytes())[0]
                .envelope
                .as_ref()
                .unwrap(),
            &envelope("a")
        );

        let signature = Bundle {
            key_hint: None,
            content: BundleContent::MessageSignature {
                sha256: [0; 32],
                signature: vec![1],
            },
        };
        let loaded = read_attestations("s.json", signature.to_value().to_string().as_bytes());
        assert!(
            loaded[0]
                .envelope
                .as_ref()
                .unwrap_err()
                .contains("--signature")
        );
    }

    #[test]
    fn empty_and_binary_files_are_reported() {
        assert!(
            read_attestations("e", b"  \n")
                .remove(0)
                .envelope
                .unwrap_err()
                .contains("empty")
        );
        assert!(
            read_attestations("b", &[0xff, 0xfe, 0x00])
                .remove(0)
                .envelope
                .is_err()
        );
    }
}
