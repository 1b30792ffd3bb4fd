//! The outcome of evaluating a policy set, and how rule values turn into it.

use serde::Serialize;
use serde_json::Value;

use crate::error::PolicyError;

/// What the policies concluded about one input document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Decision {
    /// Messages from `deny` and `violation` rules: any of these fails the check.
    pub denials: Vec<Violation>,
    /// Messages from `warn` rules: reported, but the check still passes.
    pub warnings: Vec<Violation>,
    /// Output of the policies' `print` calls, each prefixed with `file:line:`, in call order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prints: Vec<String>,
}

impl Decision {
    /// True when no rule denied the input; warnings do not count.
    pub fn allowed(&self) -> bool {
        self.denials.is_empty()
    }
}

/// One message produced by a decision rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The package the rule belongs to, dotted (`main`, `shipgate.verify`).
    pub package: String,
    /// The rule that produced the message: `deny`, `violation` or `warn`.
    pub rule: String,
    /// The human-readable message.
    pub message: String,
    /// The other fields of an object-valued result (everything except `msg`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// Turns the value of one decision rule into violations, following conftest's conventions.
///
/// `false` and an absent rule mean nothing was found; `true` is a single violation named after
/// the rule; a string is one message; a set or array holds strings or objects with a `msg`.
pub(crate) fn violations_from_value(
    package: &str,
    rule: &str,
    value: Value,
) -> Result<Vec<Violation>, PolicyError> {
    let make = |message: String, details: Option<Value>| Violation {
        package: package.to_owned(),
        rule: rule.to_owned(),
        message,
        details,
    };
    match value {
        Value::Bool(false) | Value::Null => Ok(Vec::new()),
        Value::Bool(true) => Ok(vec![make(format!("{package}.{rule} is true"), None)]),
        Value::String(message) => Ok(vec![make(message, None)]),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(message) => Ok(make(message, None)),
                Value::Object(mut fields) => match fields.remove("msg") {
                    Some(Value::String(message)) => {
                        let details = (!fields.is_empty()).then_some(Value::Object(fields));
                        Ok(make(message, details))
                    }
                    Some(other) => Err(rule_value_error(
                        package,
                        rule,
                        format!("an object whose `msg` is {}", describe(&other)),
                    )),
                    None => Err(rule_value_error(
                        package,
                        rule,
                        "an object without a `msg` field".to_owned(),
                    )),
                },
                other => Err(rule_value_error(
                    package,
                    rule,
                    format!("a collection holding {}", describe(&other)),
                )),
            })
            .collect(),
        other => Err(rule_value_error(package, rule, describe(&other))),
    }
}

fn rule_value_error(package: &str, rule: &str, found: String) -> PolicyError {
    PolicyError::RuleValue {
        package: package.to_owned(),
        rule: rule.to_owned(),
        found,
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => format!("the boolean {flag}"),
        Value::Number(number) => format!("the number {number}"),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn object_details_exclude_msg() {
        let found = violations_from_value(
            "main",
            "deny",
            json!([{"msg": "bad", "id": "X1"}, {"msg": "plain"}]),
        )
        .unwrap();
        assert_eq!(found[0].message, "bad");
        assert_eq!(found[0].details, Some(json!({"id": "X1"})));
        assert_eq!(found[1].details, None);
    }

    #[test]
    fn booleans_and_strings() {
        assert!(
            violations_from_value("main", "deny", json!(false))
                .unwrap()
                .is_empty()
        );
        let found = violations_from_value("a.b", "deny", json!(true)).unwrap();
        assert_eq!(found[0].message, "a.b.deny is true");
        let found = violations_from_value("main", "warn", json!("careful")).unwrap();
        assert_eq!(found[0].message, "careful");
    }

    #[test]
    fn other_values_are_rejected() {
        for value in [
            json!(3),
            json!({"msg": "single object"}),
            json!([1]),
            json!([{"msg": 2}]),
            json!([{"text": "no msg"}]),
        ] {
            let error = violations_from_value("main", "deny", value.clone()).unwrap_err();
            assert!(
                matches!(error, PolicyError::RuleValue { .. }),
                "{value}: {error}"
            );
        }
    }
}
