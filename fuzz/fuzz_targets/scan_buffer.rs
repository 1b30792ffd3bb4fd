//! Arbitrary bytes scanned with every built-in rule: no panics, and every
//! finding points inside the buffer with its secret visible in the snippet.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shipgate_model::SourceFile;
use shipgate_secrets::{SecretScanner, SecretsOptions};

fn scanner() -> &'static SecretScanner {
    static SCANNER: OnceLock<SecretScanner> = OnceLock::new();
    SCANNER.get_or_init(|| {
        SecretScanner::builtin(SecretsOptions {
            report_placeholders: true,
            ..SecretsOptions::default()
        })
        .expect("built-in rules compile")
    })
}

fuzz_target!(|data: &[u8]| {
    for finding in scanner().scan_file(&SourceFile {
        path: "fuzz/input.txt",
        content: data,
    }) {
        let location = &finding.location;
        assert!(location.byte_start < location.byte_end && location.byte_end <= data.len());
        assert!(location.start <= location.end);
        let secret = finding.secret.as_deref().expect("secret present before redaction");
        assert_eq!(
            secret,
            String::from_utf8_lossy(&data[location.byte_start..location.byte_end])
        );
        assert!(finding.snippet.text.contains(secret), "snippet lacks the secret");
    }
});
