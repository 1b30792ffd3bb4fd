//! Loading rule files: the built-in ones embedded at compile time, or any
//! text in the same `[[rule]]` schema.

use serde::Deserialize;
use shipgate_model::config::line_column;
use shipgate_model::{SecretRuleFile, SecretRuleSpec};

/// The built-in rule files as `(name, TOML text)`, in load order.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("rules/cloud.toml", include_str!("../rules/cloud.toml")),
    ("rules/vcs.toml", include_str!("../rules/vcs.toml")),
    (
        "rules/registries.toml",
        include_str!("../rules/registries.toml"),
    ),
    ("rules/cicd.toml", include_str!("../rules/cicd.toml")),
    ("rules/comms.toml", include_str!("../rules/comms.toml")),
    (
        "rules/payments.toml",
        include_str!("../rules/payments.toml"),
    ),
    ("rules/saas.toml", include_str!("../rules/saas.toml")),
    ("rules/ai.toml", include_str!("../rules/ai.toml")),
    ("rules/generic.toml", include_str!("../rules/generic.toml")),
];

/// A rule file that is not valid TOML or does not fit the rule schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {}{message}", rule_id.as_ref().map(|id| format!("rule `{id}`: ")).unwrap_or_default())]
pub struct RuleLoadError {
    /// Name of the file, for example `rules/cloud.toml`.
    pub file: String,
    /// Id of the rule the problem is in, when it could be told.
    pub rule_id: Option<String>,
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// What is wrong, as the TOML parser put it.
    pub message: String,
}

/// Every built-in rule, in file order.
pub fn builtin_rules() -> Result<Vec<SecretRuleSpec>, RuleLoadError> {
    let mut rules = Vec::new();
    for (name, text) in BUILTIN_RULE_FILES {
        rules.extend(parse_rule_file(name, text)?);
    }
    Ok(rules)
}

/// Parses `text`, a `[[rule]]` file named `file` in error messages.
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<SecretRuleSpec>, RuleLoadError> {
    match toml::from_str::<SecretRuleFile>(text) {
        Ok(parsed) => Ok(parsed.rule),
        Err(err) => {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            Err(RuleLoadError {
                file: file.to_owned(),
                rule_id: failing_rule_id(text),
                line,
                column,
                message: err.message().trim_end().to_owned(),
            })
        }
    }
}

/// The id of the first rule that does not fit the schema, found by reading
/// the file untyped and checking each rule on its own, because the typed
/// parse error only carries a position.
fn failing_rule_id(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Untyped {
        #[serde(default)]
        rule: Vec<toml::Table>,
    }
    let untyped: Untyped = toml::from_str(text).ok()?;
    untyped.rule.into_iter().find_map(|table| {
        let id = table.get("id").and_then(toml::Value::as_str)?.to_owned();
        SecretRuleSpec::deserialize(toml::Value::Table(table))
            .is_err()
            .then_some(id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_all_parse() {
        for (name, text) in BUILTIN_RULE_FILES {
            if let Err(err) = parse_rule_file(name, text) {
                panic!("{err}");
            }
        }
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = parse_rule_file("rules/x.toml", "[[rule]]\nid = = 1\n").unwrap_err();
        assert_eq!(err.file, "rules/x.toml");
        assert_eq!(err.line, 2);
        assert!(err.to_string().starts_with("rules/x.toml:2:"), "{err}");
    }

    #[test]
    fn schema_errors_name_the_rule() {
        let text = r#"
[[rule]]
id = "secrets/good-one"
title = "Good"
regex = 'a'
severity = "high"
confidence = "high"

[[rule]]
id = "secrets/bad-one"
title = "Bad"
regex = 'b'
severity = "severe"
confidence = "high"
"#;
        let err = parse_rule_file("rules/x.toml", text).unwrap_err();
        assert_eq!(err.rule_id.as_deref(), Some("secrets/bad-one"));
        assert_eq!(err.line, 13);
        let shown = err.to_string();
        assert!(shown.contains("rule `secrets/bad-one`"), "{shown}");
        assert!(shown.contains("severe"), "{shown}");
    }

    #[test]
    fn unknown_fields_are_errors() {
        let text = "[[rule]]\nid = \"secrets/a-b\"\ntitle = \"t\"\nregex = 'a'\nseverity = \"high\"\nconfidence = \"high\"\nkeyword = [\"a\"]\n";
        let err = parse_rule_file("f.toml", text).unwrap_err();
        assert_eq!(err.rule_id.as_deref(), Some("secrets/a-b"));
        assert!(err.message.contains("keyword"), "{}", err.message);
    }
}
