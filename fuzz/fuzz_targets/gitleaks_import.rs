//! Arbitrary bytes as a gitleaks config: importing must never panic, the
//! imported rules must compile, and writing them out must read back the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_secrets::gitleaks::import;
use shipgate_secrets::{SecretScanner, SecretsOptions, parse_rule_file, write_rule_file};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = import(text) else {
        return;
    };
    let written = write_rule_file(&imported.rules).expect("imported rules serialise");
    let read_back = parse_rule_file("written.toml", &written).expect("written rules parse");
    assert_eq!(read_back, imported.rules);
    let options = SecretsOptions {
        report_placeholders: false,
        allowlist: imported.allowlist,
    };
    if let Err(err) = SecretScanner::new(imported.rules, options) {
        // Regexes are checked during import; only globs may still fail.
        assert!(
            matches!(err.problem, shipgate_secrets::RuleProblem::BadGlob { .. }),
            "{err}"
        );
    }
});
