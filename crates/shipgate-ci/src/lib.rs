//! CI/CD configuration audits.
pub mod expr;
pub mod yaml;
