//! Arbitrary bytes as an attestation file: DSSE envelopes, Sigstore
//! bundles and JSON Lines of either must be read or refused without a
//! panic, and whatever is read must survive a write and re-read and a
//! signature check.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_attest::bundle::Bundle;
use shipgate_attest::dsse::Envelope;
use shipgate_attest::read::read_attestations;

fuzz_target!(|data: &[u8]| {
    if let Ok(envelope) = Envelope::from_json(data) {
        let reread = Envelope::from_json(envelope.to_json_line().as_bytes())
            .expect("a written envelope reads back");
        assert_eq!(reread, envelope);
        let _ = envelope.statement();
        let report = envelope.verify_signatures(&[], true);
        assert!(report.verified_key_ids.is_empty());
    }
    if let Ok(bundle) = Bundle::from_json(data) {
        let written = bundle.to_value().to_string();
        let reread = Bundle::from_json(written.as_bytes()).expect("a written bundle reads back");
        assert_eq!(reread, bundle);
    }
    for loaded in read_attestations("fuzz", data) {
        if let Ok(envelope) = loaded.envelope {
            let _ = envelope.statement();
        }
    }
});
