//! Loading rule files: the built-in ones embedded at compile time, or any
//! text in the same `[[rule]]` schema.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use shipgate_model::config::line_column;
use shipgate_model::secret_rule::{Allowlist, Examples, RequiredRule};
use shipgate_model::{Confidence, SecretRuleFile, SecretRuleSpec, Severity};

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

/// The built-in file whose rules match by context any secret can sit in
/// (key blocks, connection strings, assignments), not by one provider's
/// token format.
const GENERIC_RULE_FILE: &str = "rules/generic.toml";

/// Ids of the built-in rules, read once per process.
#[derive(Default)]
struct BuiltinIds {
    all: HashSet<String>,
    generic: HashSet<String>,
}

fn builtin_ids() -> &'static BuiltinIds {
    static IDS: OnceLock<BuiltinIds> = OnceLock::new();
    IDS.get_or_init(|| {
        let mut ids = BuiltinIds::default();
        for (name, text) in BUILTIN_RULE_FILES {
            // A file that does not parse names no rules; loading the
            // built-in rules reports its error.
            for rule in parse_rule_file(name, text).unwrap_or_default() {
                if *name == GENERIC_RULE_FILE {
                    ids.generic.insert(rule.id.clone());
                }
                ids.all.insert(rule.id);
            }
        }
        ids
    })
}

/// Whether `id` names a built-in rule.
pub(crate) fn is_builtin(id: &str) -> bool {
    builtin_ids().all.contains(id)
}

/// Whether `id` names a rule of `rules/generic.toml`.
pub(crate) fn is_generic_builtin(id: &str) -> bool {
    builtin_ids().generic.contains(id)
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

/// Rules that cannot be written as TOML.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot write the rules as TOML: {0}")]
pub struct RuleWriteError(String);

/// A rule as written back to TOML: spec field order, empty fields left out.
#[derive(Serialize)]
struct WrittenRule<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    regex: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    keywords: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_group: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entropy: Option<f64>,
    severity: Severity,
    confidence: Confidence,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    controls: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    paths: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    requires: &'a [RequiredRule],
    #[serde(skip_serializing_if = "is_default")]
    allowlist: &'a Allowlist,
    #[serde(skip_serializing_if = "is_default")]
    examples: &'a Examples,
}

fn is_default<T: Default + PartialEq>(value: &&T) -> bool {
    **value == T::default()
}

#[derive(Serialize)]
struct WrittenFile<'a> {
    rule: Vec<WrittenRule<'a>>,
}

/// `rules` as a `[[rule]]` TOML file that [`parse_rule_file`] reads back
/// unchanged, for example to save imported gitleaks rules for editing.
pub fn write_rule_file(rules: &[SecretRuleSpec]) -> Result<String, RuleWriteError> {
    let file = WrittenFile {
        rule: rules
            .iter()
            .map(|rule| WrittenRule {
                id: &rule.id,
                title: &rule.title,
                description: &rule.description,
                regex: &rule.regex,
                keywords: &rule.keywords,
                secret_group: rule.secret_group,
                entropy: rule.entropy,
                severity: rule.severity,
                confidence: rule.confidence,
                controls: &rule.controls,
                paths: &rule.paths,
                requires: &rule.requires,
                allowlist: &rule.allowlist,
                examples: &rule.examples,
            })
            .collect(),
    };
    toml::to_string_pretty(&file).map_err(|err| RuleWriteError(err.to_string()))
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
    fn builtin_ids_know_the_generic_file() {
        assert!(!is_generic_builtin("secrets/stripe-secret-key"));
        assert!(is_generic_builtin("secrets/private-key-pkcs8"));
        let (_, text) = BUILTIN_RULE_FILES
            .iter()
            .find(|(name, _)| *name == GENERIC_RULE_FILE)
            .unwrap();
        let generic_count = parse_rule_file(GENERIC_RULE_FILE, text).unwrap().len();
        assert_eq!(builtin_ids().generic.len(), generic_count);
        assert_eq!(builtin_ids().all.len(), builtin_rules().unwrap().len());
        assert!(is_builtin("secrets/stripe-secret-key"));
        assert!(is_builtin("secrets/private-key-pkcs8"));
        assert!(!is_builtin("secrets/acme-token"));
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
    fn written_rules_read_back_unchanged() {
        let rules = builtin_rules().unwrap();
        let mut sample: Vec<SecretRuleSpec> = rules.into_iter().take(25).collect();
        sample.push(SecretRuleSpec {
            id: "secrets/acme-pair".into(),
            title: "Acme \"quoted\" title".into(),
            description: String::new(),
            regex: r#"acme['"]?\s*=\s*'''([a-z]{8})"#.into(),
            keywords: vec![],
            secret_group: Some(1),
            entropy: Some(2.5),
            severity: Severity::Low,
            confidence: Confidence::Low,
            controls: vec!["CICD-SEC-6".into()],
            paths: vec!["**/*.env".into()],
            requires: vec![RequiredRule {
                id: "secrets/x-y".into(),
                within_lines: 2,
            }],
            allowlist: Allowlist {
                stopwords: vec!["dev".into()],
                ..Allowlist::default()
            },
            examples: Examples::default(),
        });
        let text = write_rule_file(&sample).unwrap();
        assert_eq!(parse_rule_file("written.toml", &text).unwrap(), sample);
        let last = text.rsplit("[[rule]]").next().unwrap();
        assert!(!last.contains("keywords"), "{last}");
        assert!(!last.contains("examples"), "{last}");
        assert!(last.trim_start().starts_with("id = "), "{last}");
    }

    #[test]
    fn unknown_fields_are_errors() {
        let text = "[[rule]]\nid = \"secrets/a-b\"\ntitle = \"t\"\nregex = 'a'\nseverity = \"high\"\nconfidence = \"high\"\nkeyword = [\"a\"]\n";
        let err = parse_rule_file("f.toml", text).unwrap_err();
        assert_eq!(err.rule_id.as_deref(), Some("secrets/a-b"));
        assert!(err.message.contains("keyword"), "{}", err.message);
    }
}
