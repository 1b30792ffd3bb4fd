//! CI/CD configuration audits.
pub mod yaml;
