//! Arbitrary bytes as a rule file: loading, compiling, documenting and
//! scanning with whatever compiles must never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_model::{Scanner, SourceFile};
use shipgate_secrets::{SecretScanner, SecretsOptions, parse_rule_file};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(rules) = parse_rule_file("fuzz.toml", text) else {
        return;
    };
    let Ok(scanner) = SecretScanner::new(rules, SecretsOptions::default()) else {
        return;
    };
    let _ = scanner.rules();
    let _ = scanner.scan_file(&SourceFile {
        path: "fuzz/input.toml",
        content: data,
    });
});
