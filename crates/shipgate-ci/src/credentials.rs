//! What variable names say about their values, for the credential audits
//! of both platforms.

/// Name parts after the credential word that make it a setting about a
/// credential rather than the credential (`TOKEN_FILE`, `PASSWORD_LENGTH`).
const NOT_A_VALUE: &[&str] = &[
    "FILE",
    "VARIABLE",
    "VERSION",
    "PATH",
    "NAME",
    "URL",
    "URI",
    "ID",
    "TYPE",
    "HEADER",
    "ENDPOINT",
    "VAR",
    "ENV",
    "LENGTH",
    "COUNT",
    "MAX",
    "MIN",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "REQUIRED",
    "ENABLED",
    "DIR",
    "PREFIX",
    "SUFFIX",
    "FIELD",
    "SOURCE",
    "LIMIT",
    "SIZE",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "SCOPE",
    "SCOPES",
    "ROLE",
    "REF",
    "MODE",
    "METHOD",
    "FORMAT",
    "STORE",
    "PROVIDER",
    "AUDIENCE",
    "USAGE",
    "SUMMARY",
    "TITLE",
    "NAMES",
    "LABEL",
    "DESCRIPTION",
    "MESSAGE",
    "TEXT",
];

/// Whether a variable name says it holds a credential: a credential word
/// (`PASSWORD`, `TOKEN`, `SECRET`, `API_KEY`, `CREDENTIALS`...) not followed
/// by a word that makes it a setting about one (`TOKEN_FILE`,
/// `PASSWORD_LENGTH`). Words, not substrings, so `TOKENIZER` and
/// `PASSENGER` are not credentials.
pub fn is_credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    let parts: Vec<&str> = upper.split('_').filter(|p| !p.is_empty()).collect();
    let is_credential = |part: &str| {
        matches!(
            part,
            "PASSWORD" | "PASSWD" | "TOKEN" | "SECRET" | "APIKEY" | "PASSPHRASE" | "CREDENTIALS"
        )
    };
    // `PASS` and `PWD` also mean "pass through" and "working directory";
    // only a last word (`DB_PASS`) is read as a password.
    let short = matches!(parts.last(), Some(&("PASS" | "PWD"))) && parts.len() > 1;
    if short {
        return true;
    }
    let Some(at) = parts.iter().rposition(|p| is_credential(p)).or_else(|| {
        parts
            .windows(2)
            .rposition(|w| w == ["API", "KEY"] || w == ["PRIVATE", "KEY"] || w == ["ACCESS", "KEY"])
            .map(|i| i + 1)
    }) else {
        return false;
    };
    !parts[at + 1..].iter().any(|p| NOT_A_VALUE.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_exclude_settings_about_credentials() {
        for name in [
            "DB_PASSWORD",
            "NPM_TOKEN",
            "api-key",
            "CLIENT_SECRET",
            "STRIPE_API_KEY",
            "MYSQL_ROOT_PASSWORD",
            "GPG_PASSPHRASE",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "TOKEN_FILE",
            "PASSWORD_LENGTH",
            "SECRET_NAME",
            "MAX_TOKENS",
            "AWS_ACCESS_KEY_ID",
            "TOKEN_URL",
            "PASSENGER",
            "TOKENIZER",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn pointers_to_credentials_are_not_credentials() {
        assert!(is_credential_name("npm_token"));
        assert!(is_credential_name("GOOGLE_CREDENTIALS"));
        assert!(!is_credential_name("VAULT_TOKEN_URL"));
        assert!(!is_credential_name("SECRET_FILE"));
        assert!(!is_credential_name("TOKEN_VARIABLE"));
        assert!(!is_credential_name("IMAGE"));
    }
}
