//! Arbitrary bytes as `shipgate.toml`: parsing, and locating every spanned
//! value for error messages, must never panic.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use shipgate_model::LoadedConfig;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let Ok(loaded) = LoadedConfig::parse(Path::new("shipgate.toml"), text) else {
        return;
    };
    let config = &loaded.config;
    let spans = config
        .scan
        .exclude
        .iter()
        .chain(&config.rules.enable)
        .chain(&config.rules.disable)
        .chain(config.rules.severity.keys())
        .chain(&config.secrets.extend)
        .map(|value| value.span())
        .chain(config.secrets.rules.iter().map(|rule| rule.span()));
    for span in spans {
        let _ = loaded.error_at(span, "fuzz").to_string();
    }
});
