//! The one finding model every scanner emits and every consumer reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::location::Location;
use crate::severity::{Confidence, Severity};

/// A stable identity for a finding that survives line moves and re-runs.
///
/// It hashes the rule, the path and the matched content, never the line, so a
/// secret that moves down a file keeps its fingerprint; baselines, inline
/// suppressions and time-to-fix metrics all key on it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Fingerprint of `content` matched by `rule_id` in the file at `path`.
    pub fn new(rule_id: &str, path: &str, content: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        for part in [rule_id.as_bytes(), path.as_bytes(), content] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        Fingerprint(hex)
    }

    /// Wraps an already computed fingerprint, for example one read from a baseline file.
    pub fn from_hex(hex: impl Into<String>) -> Self {
        Fingerprint(hex.into())
    }

    /// The 32-character lowercase hexadecimal form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The source lines around a finding, already safe to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// 1-based number of the first line in `text`.
    pub first_line: u32,
    /// The lines, joined by `\n`, lossily decoded as UTF-8.
    pub text: String,
}

/// One problem found by one rule at one place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case rule id, for example `secrets/aws-access-key-id`.
    pub rule_id: String,
    /// The rule's title.
    pub title: String,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// What was found here, in one sentence.
    pub message: String,
    /// Where it was found.
    pub location: Location,
    /// The surrounding source with any secret masked.
    pub snippet: Snippet,
    /// The raw secret, present only until [`Finding::redact`] runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Stable identity used by baselines and suppressions.
    pub fingerprint: Fingerprint,
    /// Control ids from the catalog this finding maps to.
    pub controls: Vec<String>,
    /// Short note saying how the finding was judged, for example that the
    /// value is a known documentation example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Structured facts for tools, by name: for a vulnerable package the
    /// advisory, its aliases, the package and the fixed versions
    /// (SARIF `properties`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// Masks the secret in the snippet and forgets it.
    ///
    /// Masking keeps the first four characters and replaces each of the rest
    /// with `*`, so column numbers stay true and the reader can still tell
    /// which credential it was.
    pub fn redact(&mut self) {
        if let Some(secret) = self.secret.take() {
            let masked = mask(&secret);
            if !secret.is_empty() {
                self.snippet.text = self.snippet.text.replace(&secret, &masked);
            }
            self.message = self.message.replace(&secret, &masked);
        }
    }

    /// Sort key that groups findings by file, then by position, then by rule.
    pub fn sort_key(&self) -> (&str, u32, u32, &str) {
        (
            &self.location.path,
            self.location.start.line,
            self.location.start.column,
            &self.rule_id,
        )
    }
}

/// Masks all but the first four characters of `secret`.
///
/// Line breaks are kept, so a multi-line secret still spans the same lines
/// and columns; the `-----BEGIN …-----` and `-----END …-----` lines of a PEM
/// block stay readable because they name the key type and are not secret.
pub fn mask(secret: &str) -> String {
    let chars = secret.chars().count();
    let mut visible_prefix = if chars > 8 { 4 } else { 0 };
    let mut visible_suffix = 0;
    if secret.starts_with("-----BEGIN ") {
        if let Some(header) = secret.find('\n') {
            visible_prefix = secret[..header].chars().count();
        }
        let footer_start = secret.trim_end().rfind('\n').map_or(0, |i| i + 1);
        if footer_start > 0 && secret[footer_start..].starts_with("-----END ") {
            visible_suffix = secret[footer_start..].chars().count();
        }
    }
    secret
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if c == '\n' || c == '\r' || i < visible_prefix || i + visible_suffix >= chars {
                c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::Position;

    fn finding(secret: &str) -> Finding {
        Finding {
            rule_id: "secrets/test".into(),
            title: "Test".into(),
            severity: Severity::High,
            confidence: Confidence::High,
            message: format!("found {secret}"),
            location: Location {
                path: "a.txt".into(),
                start: Position { line: 1, column: 5 },
                end: Position {
                    line: 1,
                    column: 17,
                },
                byte_start: 4,
                byte_end: 16,
                commit: None,
                symbolic: None,
            },
            snippet: Snippet {
                first_line: 1,
                text: format!("key={secret}"),
            },
            secret: Some(secret.into()),
            fingerprint: Fingerprint::new("secrets/test", "a.txt", secret.as_bytes()),
            controls: vec![],
            note: None,
            properties: Default::default(),
        }
    }

    #[test]
    fn redaction_masks_everywhere_and_keeps_length() {
        let mut f = finding("abcdefghijkl");
        f.redact();
        assert_eq!(f.snippet.text, "key=abcd********");
        assert_eq!(f.message, "found abcd********");
        assert!(f.secret.is_none());
    }

    #[test]
    fn pem_blocks_keep_their_armour_and_line_breaks() {
        let key = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\nIBAgQ=\n-----END EC PRIVATE KEY-----";
        assert_eq!(
            mask(key),
            "-----BEGIN EC PRIVATE KEY-----\n********\n******\n-----END EC PRIVATE KEY-----"
        );
        assert_eq!(mask("abcdefghij\r\nklmn"), "abcd******\r\n****");
    }

    #[test]
    fn short_secrets_are_fully_masked() {
        assert_eq!(mask("hunter2"), "*******");
    }

    #[test]
    fn fingerprints_depend_on_rule_path_and_content_only() {
        let a = Fingerprint::new("r", "p", b"x");
        assert_eq!(a, Fingerprint::new("r", "p", b"x"));
        assert_ne!(a, Fingerprint::new("r", "q", b"x"));
        assert_ne!(a, Fingerprint::new("r", "p", b"y"));
        // Length prefixes stop ("ab","c") colliding with ("a","bc").
        assert_ne!(
            Fingerprint::new("ab", "c", b""),
            Fingerprint::new("a", "bc", b"")
        );
        assert_eq!(a.as_str().len(), 32);
    }
}
