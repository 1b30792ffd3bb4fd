//! Markdown documentation generated from a rule spec, so the docs and the
//! rule are never written twice.

use std::fmt::Write;

use regex_automata::meta::Regex;
use shipgate_model::SecretRuleSpec;
use shipgate_model::finding::mask;

/// The Markdown body documenting `spec`; `regex` is its compiled pattern,
/// used to find and mask the secret in the example.
pub(crate) fn rule_docs(spec: &SecretRuleSpec, regex: &Regex) -> String {
    let mut docs = String::new();
    let description = spec.description.trim();
    if description.is_empty() {
        let _ = writeln!(
            docs,
            "Finds a {} committed to the repository.",
            lowercase_first(&spec.title)
        );
    } else {
        let _ = writeln!(docs, "{description}");
    }
    let _ = writeln!(
        docs,
        "\nA leaked credential lets anyone who can read the repository, a fork, \
         a clone or a build log act with its permissions until it is revoked."
    );
    if let Some(example) = masked_example(spec, regex) {
        let _ = writeln!(docs, "\n**Example** (masked):\n\n```text\n{example}\n```");
    }
    if !spec.keywords.is_empty() {
        let keywords: Vec<String> = spec.keywords.iter().map(|k| format!("`{k}`")).collect();
        let _ = writeln!(docs, "\n**Keywords:** {}", keywords.join(", "));
    }
    if !spec.requires.is_empty() {
        let required: Vec<String> = spec
            .requires
            .iter()
            .map(|r| format!("`{}` within {} lines", r.id, r.within_lines))
            .collect();
        let _ = writeln!(docs, "\n**Reported only with:** {}", required.join(", "));
    }
    let _ = writeln!(
        docs,
        "\n**Fix:**\n\n\
         1. Revoke or rotate the credential at the provider now; treat it as \
         compromised, because deleting the line does not remove it from history.\n\
         2. Load it at run time from a secret manager or CI secret store, or \
         replace it with short-lived credentials (OIDC federation) so no \
         long-lived key is needed.\n\
         3. Purge it from git history (for example with `git filter-repo`) and \
         ask holders of forks and clones to re-fetch."
    );
    docs
}

/// The first positive example with each secret it contains masked.
fn masked_example(spec: &SecretRuleSpec, regex: &Regex) -> Option<String> {
    let example = spec.examples.positive.first()?;
    let bytes = example.as_bytes();
    let mut masked = String::new();
    let mut copied = 0;
    for caps in regex.captures_iter(bytes) {
        let Some(found) = caps.get_group(spec.secret_group.unwrap_or(0)) else {
            continue;
        };
        if found.start < copied || found.is_empty() {
            continue;
        }
        masked.push_str(&String::from_utf8_lossy(&bytes[copied..found.start]));
        masked.push_str(&mask(&String::from_utf8_lossy(&bytes[found.range()])));
        copied = found.end;
    }
    if copied == 0 {
        return None;
    }
    masked.push_str(&String::from_utf8_lossy(&bytes[copied..]));
    Some(mask_companions(masked.trim_end()))
}

/// Masks the other token-like runs of an example (a companion key id next to
/// the secret, say), so generated documentation never carries a value that a
/// scanner, this one included, would report.
fn mask_companions(text: &str) -> String {
    let is_token_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '.');
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let looks_like_token = run.len() >= 16
            && run.chars().any(|c| c.is_ascii_digit())
            && run.chars().any(|c| c.is_ascii_alphabetic())
            && !run.contains('*');
        out.push_str(&if looks_like_token {
            mask(run)
        } else {
            run.clone()
        });
        run.clear();
    };
    for c in text.chars() {
        if is_token_char(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn lowercase_first(title: &str) -> String {
    let mut chars = title.chars();
    match chars.next() {
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => title.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::secret_rule::Examples;
    use shipgate_model::{Confidence, Severity};

    #[test]
    fn docs_mask_the_example_and_list_keywords_and_fix() {
        let spec = SecretRuleSpec {
            id: "secrets/acme-token".into(),
            title: "Acme token".into(),
            description: "Grants full access to Acme.".into(),
            regex: r"key=(acme_[a-z0-9]{12})".into(),
            keywords: vec!["acme_".into()],
            secret_group: Some(1),
            entropy: None,
            severity: Severity::High,
            confidence: Confidence::High,
            controls: vec![],
            paths: vec![],
            requires: vec![],
            allowlist: Default::default(),
            examples: Examples {
                positive: vec!["key=acme_k3j9x8v7q2w1".into()],
                negative: vec![],
            },
        };
        let regex = regex_automata::meta::Regex::builder()
            .syntax(regex_automata::util::syntax::Config::new().utf8(false))
            .build(&spec.regex)
            .unwrap();
        let docs = rule_docs(&spec, &regex);
        assert!(docs.starts_with("Grants full access to Acme."), "{docs}");
        assert!(
            docs.contains(&format!("key=acme{}", "*".repeat(13))),
            "{docs}"
        );
        assert!(!docs.contains("k3j9x8v7q2w1"), "{docs}");
        assert!(docs.contains("**Keywords:** `acme_`"), "{docs}");
        assert!(docs.contains("Revoke or rotate"), "{docs}");
        assert!(docs.contains("git filter-repo"), "{docs}");
    }

    #[test]
    fn companion_tokens_in_examples_are_masked_too() {
        let text = "id = AKIAQ3ZK7WJ2MXR5TB4N secret = abcd**** version = 1.2.3";
        assert_eq!(
            mask_companions(text),
            "id = AKIA**************** secret = abcd**** version = 1.2.3"
        );
    }

    #[test]
    fn titles_are_lowercased_only_when_not_acronyms() {
        assert_eq!(lowercase_first("Acme token"), "acme token");
        assert_eq!(lowercase_first("AWS key"), "AWS key");
    }
}
