//! Key parsing must return an error, never panic or run away, on any text:
//! damaged PEM, hostile DER, and encrypted keys with extreme KDF parameters.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_attest::keys::{PrivateKey, PublicKey};

fuzz_target!(|text: &str| {
    let _ = PrivateKey::needs_passphrase(text);
    let _ = PrivateKey::from_pem(text, Some(b"x"));
    let _ = PublicKey::from_pem(text);
});
