//! shipgate-secrets
