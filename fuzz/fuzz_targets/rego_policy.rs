//! Arbitrary text as a Rego policy, optionally followed by a NUL byte and a JSON input
//! document: loading, listing packages and evaluating must never panic, and a loaded policy
//! must always declare a decision rule.

#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use shipgate_policy::{PolicyError, PolicySet};

const ATTESTATIONS: &str = r#"{"attestations": [{"predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {"runDetails": {"builder": {"id": "https://github.com/actions/runner"}}}}]}"#;

fuzz_target!(|data: &[u8]| {
    let (policy, input) = match data.iter().position(|&byte| byte == 0) {
        Some(split) => (&data[..split], &data[split + 1..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(policy).into_owned();
    let set = match PolicySet::from_sources([("fuzz.rego".to_owned(), text)]) {
        Ok(set) => set,
        Err(error) => {
            if let PolicyError::Syntax { file, .. } = &error {
                assert_eq!(file, "fuzz.rego");
            }
            let _ = error.to_string();
            return;
        }
    };
    assert!(!set.packages().is_empty());
    // A policy may legitimately loop over huge ranges; the limit keeps such inputs from being
    // reported as hangs while still running every builtin they reach.
    let set = set.with_time_limit(Duration::from_millis(200));
    let input = std::str::from_utf8(input).unwrap_or_default();
    for document in [input, ATTESTATIONS] {
        if let Ok(decision) = set.evaluate_json(document) {
            let _ = decision.allowed();
        }
    }
});
