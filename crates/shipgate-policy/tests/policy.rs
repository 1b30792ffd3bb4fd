//! End-to-end checks of Rego policies loaded from the fixtures directory.

use std::path::{Path, PathBuf};

use serde_json::json;
use shipgate_policy::{PolicyError, PolicySet};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(names: &[&str]) -> Result<PolicySet, PolicyError> {
    let paths: Vec<PathBuf> = names.iter().map(|name| fixture(name)).collect();
    PolicySet::from_files(&paths)
}

fn messages(violations: &[shipgate_policy::Violation]) -> Vec<&str> {
    violations.iter().map(|v| v.message.as_str()).collect()
}

#[test]
fn v1_deny_and_warn_rules() {
    let set = load(&["v1_deny_warn.rego"]).unwrap();
    assert_eq!(set.packages(), vec!["main"]);
    let decision = set
        .evaluate(&json!({"kind": "Deployment", "name": "web", "spec": {}}))
        .unwrap();
    assert!(!decision.allowed());
    assert_eq!(messages(&decision.denials), ["web must run as non-root"]);
    assert_eq!(decision.denials[0].rule, "deny");
    assert_eq!(decision.denials[0].package, "main");
    assert_eq!(
        messages(&decision.warnings),
        ["resource has no owner label"]
    );

    let decision = set
        .evaluate(&json!({
            "kind": "Deployment", "name": "web", "labels": {"owner": "ops"},
            "spec": {"securityContext": {"runAsNonRoot": true}}
        }))
        .unwrap();
    assert!(decision.allowed());
    assert!(decision.warnings.is_empty());
}

#[test]
fn v0_syntax_with_violation_objects() {
    let set = load(&["v0_deny.rego"]).unwrap();
    let decision = set
        .evaluate(&json!({"kind": "Deployment", "name": "api", "spec": {"replicas": 1}}))
        .unwrap();
    assert_eq!(
        messages(&decision.denials),
        ["api must run as non-root (v0)", "fewer than two replicas"]
    );
    let violation = &decision.denials[1];
    assert_eq!(violation.rule, "violation");
    assert_eq!(violation.details, Some(json!({"field": "spec.replicas"})));
}

#[test]
fn v0_and_v1_modules_mix_in_one_set() {
    let set = load(&["v1_deny_warn.rego", "v0_deny.rego", "boolean_deny.rego"]).unwrap();
    assert_eq!(set.packages(), vec!["gate", "legacy", "main"]);
    let decision = set
        .evaluate(&json!({"kind": "Service", "blocked": true, "labels": {"owner": "x"}}))
        .unwrap();
    assert_eq!(messages(&decision.denials), ["gate.deny is true"]);
}

#[test]
fn boolean_deny_follows_input() {
    let set = load(&["boolean_deny.rego"]).unwrap();
    assert!(!set.evaluate(&json!({"blocked": true})).unwrap().allowed());
    assert!(set.evaluate(&json!({"blocked": false})).unwrap().allowed());
    assert!(set.evaluate(&json!({})).unwrap().allowed());
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let error = load(&["syntax_error.rego"]).unwrap_err();
    let PolicyError::Syntax {
        file,
        line,
        column,
        message,
        ..
    } = &error
    else {
        panic!("expected a syntax error, got {error:?}");
    };
    assert!(file.ends_with("syntax_error.rego"), "{file}");
    assert_eq!(*line, Some(4));
    assert_eq!(*column, Some(25));
    assert!(!message.is_empty());
    let shown = error.to_string();
    assert!(shown.contains("syntax_error.rego"), "{shown}");
    assert!(shown.contains("line 4, column 25"), "{shown}");
    assert!(shown.contains(message.as_str()), "{shown}");
}

#[test]
fn v1_mistake_is_reported_at_its_own_position() {
    let error = PolicySet::from_sources([(
        "typo.rego".to_owned(),
        "package main\n\ndeny contains msg if {\n\tmsg := \n}\n".to_owned(),
    )])
    .unwrap_err();
    assert!(
        matches!(&error, PolicyError::Syntax { file, line: Some(_), .. } if file == "typo.rego"),
        "{error:?}"
    );
}

#[test]
fn policy_without_decision_rules_is_rejected() {
    let error = load(&["no_rules.rego"]).unwrap_err();
    assert!(
        matches!(&error, PolicyError::NoDecisionRules { packages, .. } if packages == &["helpers"]),
        "{error:?}"
    );
    let shown = error.to_string();
    for rule in ["deny", "violation", "warn"] {
        assert!(shown.contains(&format!("`{rule}`")), "{shown}");
    }
}

#[test]
fn helper_modules_may_sit_beside_decision_rules() {
    let set = load(&["no_rules.rego", "v1_deny_warn.rego"]).unwrap();
    assert_eq!(set.packages(), vec!["helpers", "main"]);
}

#[test]
fn empty_and_duplicate_sources_are_rejected() {
    assert!(matches!(
        PolicySet::from_sources(Vec::new()),
        Err(PolicyError::NoPolicies)
    ));
    let module = ("p.rego".to_owned(), "package p\ndeny if false\n".to_owned());
    assert!(matches!(
        PolicySet::from_sources([module.clone(), module]),
        Err(PolicyError::DuplicateSource { name }) if name == "p.rego"
    ));
}

#[test]
fn missing_file_is_a_read_error() {
    let error = load(&["does_not_exist.rego"]).unwrap_err();
    assert!(matches!(error, PolicyError::Read { .. }), "{error:?}");
    assert!(error.to_string().contains("does_not_exist.rego"));
}

fn attestation(predicate_type: &str, builder: &str) -> serde_json::Value {
    json!({
        "predicateType": predicate_type,
        "predicate": {"runDetails": {"builder": {"id": builder}}}
    })
}

fn builder_policy() -> PolicySet {
    load(&["builder.rego"])
        .unwrap()
        .with_data(json!({
            "trusted_builder_prefixes": ["https://github.com/slsa-framework/slsa-github-generator/"]
        }))
        .unwrap()
}

#[test]
fn attestation_builder_prefix_decides() {
    let set = builder_policy();
    assert_eq!(set.packages(), vec!["shipgate.verify"]);
    let trusted = attestation(
        "https://slsa.dev/provenance/v1",
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0",
    );
    let decision = set.evaluate(&json!({"attestations": [trusted]})).unwrap();
    assert!(decision.allowed(), "{decision:?}");

    let untrusted = attestation(
        "https://slsa.dev/provenance/v1",
        "https://evil.example/builder",
    );
    let decision = set
        .evaluate(&json!({"attestations": [trusted, untrusted]}))
        .unwrap();
    assert_eq!(
        messages(&decision.denials),
        ["provenance built by untrusted builder \"https://evil.example/builder\""]
    );
    assert_eq!(
        decision.denials[0].details,
        Some(json!({"builder": "https://evil.example/builder"}))
    );

    let decision = set
        .evaluate(&json!({"attestations": [attestation("https://spdx.dev/Document", "x")]}))
        .unwrap();
    assert_eq!(
        messages(&decision.denials),
        ["no SLSA provenance attestation found"]
    );
}

#[test]
fn data_document_changes_the_decision() {
    let input = json!({"attestations": [attestation("https://slsa.dev/provenance/v1", "https://ci.internal/builder")]});
    assert!(!builder_policy().evaluate(&input).unwrap().allowed());
    let widened = load(&["builder.rego"])
        .unwrap()
        .with_data(json!({"trusted_builder_prefixes": ["https://ci.internal/"]}))
        .unwrap();
    assert!(widened.evaluate(&input).unwrap().allowed());
}

#[test]
fn data_must_be_an_object() {
    let error = load(&["builder.rego"])
        .unwrap()
        .with_data(json!(["not", "an", "object"]))
        .unwrap_err();
    assert!(matches!(error, PolicyError::Data { .. }), "{error:?}");
}

#[test]
fn runtime_error_is_an_evaluation_error() {
    let set = load(&["runtime_error.rego"]).unwrap();
    assert!(set.evaluate(&json!({"replicas": "3"})).unwrap().allowed());
    let error = set.evaluate(&json!({"replicas": "three"})).unwrap_err();
    assert!(
        matches!(&error, PolicyError::Evaluation { package, rule, .. } if package == "main" && rule == "deny"),
        "{error:?}"
    );
}

#[test]
fn builtin_missing_from_this_build_is_reported() {
    let result =
        load(&["missing_builtin.rego"]).and_then(|set| set.evaluate(&json!({"token": "a.b.c"})));
    let error = result.unwrap_err();
    assert!(error.to_string().contains("io.jwt.decode"), "{error}");
}

#[test]
fn rule_with_a_non_decision_value_is_rejected() {
    let error = load(&["bad_value.rego"])
        .unwrap()
        .evaluate(&json!({}))
        .unwrap_err();
    assert!(
        matches!(&error, PolicyError::RuleValue { found, .. } if found.contains("42")),
        "{error:?}"
    );
}

#[test]
fn prints_are_collected_not_written() {
    let decision = load(&["print.rego"])
        .unwrap()
        .evaluate(&json!({"name": "web"}))
        .unwrap();
    assert_eq!(decision.prints.len(), 1, "{:?}", decision.prints);
    assert!(
        decision.prints[0].contains("checking web"),
        "{:?}",
        decision.prints
    );
    assert_eq!(messages(&decision.warnings), ["printed"]);
}

#[test]
fn one_set_evaluates_many_inputs_independently() {
    let set = load(&["boolean_deny.rego"]).unwrap();
    let first = set.evaluate(&json!({"blocked": true})).unwrap();
    let second = set.evaluate(&json!({"blocked": false})).unwrap();
    assert!(!first.allowed());
    assert!(second.allowed());
}

#[test]
fn json_text_input_is_parsed_or_rejected() {
    let set = load(&["boolean_deny.rego"]).unwrap();
    assert!(!set.evaluate_json(r#"{"blocked": true}"#).unwrap().allowed());
    let error = set.evaluate_json("{blocked").unwrap_err();
    assert!(matches!(error, PolicyError::Input { .. }), "{error:?}");
}

#[test]
fn time_limit_stops_a_runaway_policy() {
    let slow = "package main\n\ndeny contains i if {\n\tsome i in numbers.range(1, 3000)\n\tsome j in numbers.range(1, 3000)\n\ti * j < 0\n}\n";
    let set = PolicySet::from_sources([("slow.rego".to_owned(), slow.to_owned())])
        .unwrap()
        .with_time_limit(std::time::Duration::from_millis(10));
    let error = set.evaluate(&json!({})).unwrap_err();
    assert!(matches!(error, PolicyError::Evaluation { .. }), "{error:?}");
    assert!(error.to_string().contains("time"), "{error}");
}

#[test]
fn policy_sets_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PolicySet>();
}

#[test]
fn package_with_a_quoted_component_is_evaluated() {
    let module = "package releases[\"1.0\"]\n\ndeny contains \"frozen\" if input.frozen\n";
    let set = PolicySet::from_sources([("quoted.rego".to_owned(), module.to_owned())]).unwrap();
    assert_eq!(set.packages(), vec!["releases.1.0"]);
    let decision = set.evaluate(&json!({"frozen": true})).unwrap();
    assert_eq!(messages(&decision.denials), ["frozen"]);
}

#[test]
fn deeply_nested_brackets_are_refused_before_parsing() {
    let nested = format!(
        "package p\n\ndeny := {}{}\n",
        "{".repeat(40),
        "}".repeat(40)
    );
    let error = PolicySet::from_sources([("deep.rego".to_owned(), nested)]).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("deep.rego") && message.contains("nest more than"),
        "{message}"
    );

    // Brackets in strings, raw strings and comments do not count.
    let quoted = format!(
        "package p\n\n# {}\ndeny contains msg if {{\n    msg := \"{}\"\n    x := `{}`\n    x != msg\n}}\n",
        "{".repeat(40),
        "[".repeat(40),
        "(".repeat(40)
    );
    let policies = PolicySet::from_sources([("quoted.rego".to_owned(), quoted)]).expect("loads");
    assert_eq!(
        policies
            .evaluate(&serde_json::json!({}))
            .expect("evaluates")
            .denials
            .len(),
        1
    );
}
