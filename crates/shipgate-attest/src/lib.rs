//! Release integrity: signing keys, DSSE envelopes carrying in-toto
//! Statement v1 attestations, the predicates shipgate writes (SLSA
//! Provenance v1, SBOMs, vulnerability scans, test results, SLSA
//! verification summaries), Sigstore bundles, and offline verification of
//! all of them against keys the user controls.
//!
//! Everything here takes values and returns values: reading keys from the
//! environment, prompting for passphrases and writing files is the
//! binary's job.

pub mod bundle;
pub mod digest;
pub mod dsse;
pub mod keys;
pub mod predicates;
pub mod provenance;
pub mod read;
pub mod signer;
pub mod statement;
mod strict_json;
pub mod test_result;
pub mod verify;
pub mod vsa;
pub mod vulns;

pub use jiff::Timestamp;
