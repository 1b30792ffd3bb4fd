//! Built-in rules that report the very same secret give one finding: the
//! rule that knows most about it, with the others named in its note.

use std::sync::OnceLock;

use shipgate_model::{Finding, SourceFile};
use shipgate_secrets::{ALSO_MATCHES_NOTE, SecretScanner, SecretsOptions};

fn scanner() -> &'static SecretScanner {
    static SCANNER: OnceLock<SecretScanner> = OnceLock::new();
    SCANNER
        .get_or_init(|| SecretScanner::builtin(SecretsOptions::default()).expect("built-in rules"))
}

fn scan(path: &str, text: &str) -> Vec<Finding> {
    scanner().scan_file(&SourceFile {
        path,
        content: text.as_bytes(),
    })
}

/// The findings whose secret is `secret`.
fn of<'a>(findings: &'a [Finding], secret: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.secret.as_deref() == Some(secret))
        .collect()
}

#[test]
fn a_clerk_key_is_reported_once_as_clerk() {
    let key = "sk_live_em4EIrH6tZTCvIsewicjqhrb8prk4vmSZyFVKE4G8zoCSg";
    let findings = scan(".env", &format!("CLERK_SECRET_KEY={key}\n"));
    let found = of(&findings, key);
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert_eq!(found[0].rule_id, "secrets/clerk-secret-key");
    let note = found[0].note.as_deref().unwrap_or_default();
    assert!(note.starts_with(ALSO_MATCHES_NOTE), "{note}");
    assert!(note.contains("secrets/stripe-secret-key"), "{note}");

    // Without the word "clerk" (or an assignment generic rules see) it is
    // a Stripe key, alone.
    let findings = scan("notes.txt", &format!("rotated {key} today\n"));
    let found = of(&findings, key);
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert_eq!(found[0].rule_id, "secrets/stripe-secret-key");
    assert_eq!(found[0].note, None);
}

#[test]
fn a_service_account_key_is_reported_once_as_gcp() {
    let key = "-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQ87YVkF8KPep9OM\\n2f+32on5IqNu3FouBWn4JLVJJptDOwu0XR3P5CK0KAieEyydH8HJpW2v5ZswcWkf\\nwbIM+LvouarhQFj+FU4pCdqdXNheard+p35q0eAwELMmn6riLptNuRan1rCjnz5G\\nBU6tgUO941XE8BgHuAocoWSmRocbYd110plKZq8uQhZHjHx/UmUuHC+Hn+/dGrBC\\nmGKnyAg6x25WwprhH+RuMSgkR6uTCGdAgCGpGDy0==\\n-----END PRIVATE KEY-----";
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"ledger-prod-41923\",\n  \"private_key_id\": \"5f6fa4755141ace33e782550e808bd945442af1f\",\n  \"private_key\": \"{key}\\n\",\n  \"client_email\": \"deployer@ledger-prod-41923.iam.gserviceaccount.com\"\n}}\n"
    );
    let findings = scan("deploy/sa.json", &json);
    let found = of(&findings, key);
    assert_eq!(found.len(), 1, "{findings:#?}");
    assert_eq!(found[0].rule_id, "secrets/gcp-service-account-key");
    let note = found[0].note.as_deref().unwrap_or_default();
    assert!(note.starts_with(ALSO_MATCHES_NOTE), "{note}");
    assert!(note.contains("secrets/private-key-pkcs8"), "{note}");
}
