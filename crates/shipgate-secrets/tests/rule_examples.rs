//! Every built-in rule against its own examples, through the full engine
//! (all rules, default options), plus the conventions every rule follows.
//!
//! One test per rule file, so a single file checks quickly:
//! `cargo test -p shipgate-secrets --test rule_examples -- cloud`.
//! Each test lists every failing rule and reason before failing.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use globset::Glob;
use regex::Regex;
use shipgate_model::{Finding, SecretRuleSpec, SourceFile};
use shipgate_secrets::{BUILTIN_RULE_FILES, SecretScanner, SecretsOptions, parse_rule_file};

/// Rules allowed to have no keywords (they run on every buffer).
const KEYWORDLESS_ALLOWED: &[&str] = &[];

/// Rules allowed to run over whole buffers (see
/// `SecretScanner::whole_buffer_rules`).
const WHOLE_BUFFER_ALLOWED: &[&str] = &[];

/// The engine over every rule that loads and compiles, plus the load and
/// compile problems of the rest, keyed by file.
struct Built {
    scanner: SecretScanner,
    /// Ids of the rules the scanner runs over whole buffers.
    whole_buffer: HashSet<String>,
    placeholder_scanner: SecretScanner,
    rules_by_file: BTreeMap<&'static str, Vec<SecretRuleSpec>>,
    problems_by_file: BTreeMap<&'static str, Vec<String>>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut rules_by_file = BTreeMap::new();
        let mut problems_by_file: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let mut file_of_rule = BTreeMap::new();
        let mut specs = Vec::new();
        for &(file, text) in BUILTIN_RULE_FILES {
            match parse_rule_file(file, text) {
                Ok(rules) => {
                    for rule in &rules {
                        file_of_rule.insert(rule.id.clone(), file);
                    }
                    specs.extend(rules.iter().cloned());
                    rules_by_file.insert(file, rules);
                }
                Err(err) => problems_by_file
                    .entry(file)
                    .or_default()
                    .push(err.to_string()),
            }
        }
        // Drop rules that do not compile one at a time, so one broken rule
        // does not hide the examples of every other.
        let scanner = loop {
            match SecretScanner::new(specs.clone(), SecretsOptions::default()) {
                Ok(scanner) => break scanner,
                Err(err) => {
                    let id = err.rule_id.clone().expect("global options are empty");
                    let file = file_of_rule.get(&id).copied().unwrap_or("rules/?");
                    problems_by_file
                        .entry(file)
                        .or_default()
                        .push(err.to_string());
                    let before = specs.len();
                    let position = specs.iter().rposition(|s| s.id == id);
                    specs.remove(position.expect("failing rule is loaded"));
                    assert!(specs.len() < before);
                }
            }
        };
        let placeholder_scanner = SecretScanner::new(
            specs,
            SecretsOptions {
                report_placeholders: true,
                ..SecretsOptions::default()
            },
        )
        .expect("the same rules compiled above");
        let whole_buffer = scanner
            .whole_buffer_rules()
            .into_iter()
            .map(str::to_owned)
            .collect();
        Built {
            scanner,
            whole_buffer,
            placeholder_scanner,
            rules_by_file,
            problems_by_file,
        }
    })
}

/// A path the rule's `paths` globs accept, so path-restricted rules still see
/// their examples.
fn example_path(spec: &SecretRuleSpec) -> Result<String, String> {
    let Some(glob) = spec.paths.first() else {
        return Ok("config/settings.env".into());
    };
    let path = glob
        .replace("**/", "")
        .replace("/**", "/x")
        .replace(['*', '?'], "x")
        .replace(['{', '}'], "");
    let path = path.split(',').next().unwrap_or(&path).to_owned();
    let matcher = Glob::new(glob)
        .map_err(|e| e.to_string())?
        .compile_matcher();
    if matcher.is_match(&path) {
        Ok(path)
    } else {
        Err(format!(
            "cannot derive an example path from paths glob `{glob}`"
        ))
    }
}

fn scan(scanner: &SecretScanner, path: &str, text: &str) -> Vec<Finding> {
    scanner.scan_file(&SourceFile {
        path,
        content: text.as_bytes(),
    })
}

fn entropy(bytes: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let total = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// Why a positive example gave no finding, as far as the test can tell.
fn diagnose_miss(built: &Built, spec: &SecretRuleSpec, path: &str, example: &str) -> String {
    let Ok(regex) = regex::bytes::Regex::new(&spec.regex) else {
        return "the regex does not compile".into();
    };
    let Some(caps) = regex.captures(example.as_bytes()) else {
        return "the regex does not match it".into();
    };
    let group = spec.secret_group.unwrap_or(0);
    let Some(secret) = caps.get(group) else {
        return format!("the regex matches but secret_group {group} did not participate");
    };
    if let Some(minimum) = spec.entropy {
        let actual = entropy(secret.as_bytes());
        if actual < minimum {
            return format!("secret entropy {actual:.2} is below the rule's minimum {minimum}");
        }
    }
    let lowered = example.to_ascii_lowercase();
    if !spec.keywords.is_empty()
        && !spec
            .keywords
            .iter()
            .any(|k| lowered.contains(&k.to_ascii_lowercase()))
    {
        return "no keyword occurs in it".into();
    }
    let with_placeholders = scan(&built.placeholder_scanner, path, example);
    if with_placeholders.iter().any(|f| f.rule_id == spec.id) {
        return format!(
            "the secret `{}` is treated as a placeholder (avoid words like example/sample/dummy/fake, xxxx, ascending runs like 123456 or abcdef, repeated characters)",
            String::from_utf8_lossy(secret.as_bytes())
        );
    }
    let others: Vec<String> = scan(&built.scanner, path, example)
        .into_iter()
        .map(|f| f.rule_id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    format!(
        "the regex matches `{}` but the finding was dropped (allowlist, reference/digest/identifier filter, a missing `requires` companion, or a more confident overlapping rule); rules that did report: {others:?}",
        String::from_utf8_lossy(secret.as_bytes())
    )
}

fn check_rule(built: &Built, spec: &SecretRuleSpec, failures: &mut Vec<String>) {
    let id_pattern = Regex::new(r"^secrets/[a-z0-9]+(-[a-z0-9]+)+$").expect("valid");
    let mut fail = |reason: String| failures.push(format!("{}: {reason}", spec.id));
    if !id_pattern.is_match(&spec.id) {
        fail("id must match ^secrets/[a-z0-9]+(-[a-z0-9]+)+$".into());
    }
    if spec.title.trim().is_empty() {
        fail("title is empty".into());
    }
    if spec.description.trim().is_empty() {
        fail("description is empty".into());
    }
    if spec.keywords.is_empty() && !KEYWORDLESS_ALLOWED.contains(&spec.id.as_str()) {
        fail("keywords are empty (the rule would run on every buffer)".into());
    }
    if spec.examples.positive.is_empty() {
        fail("no positive example".into());
    }
    if spec.examples.negative.is_empty() {
        fail("no negative example".into());
    }
    if let Err(err) = regex::bytes::Regex::new(&spec.regex) {
        fail(format!("regex does not compile: {err}"));
        return;
    }
    if built.whole_buffer.contains(&spec.id) && !WHOLE_BUFFER_ALLOWED.contains(&spec.id.as_str()) {
        fail(
            "the regex must run over whole files (slow): make every match contain a keyword \
             the pattern spells out, with keywords for every spelling it allows, and bound \
             repetitions unless the pattern starts with its keyword (`[ \\t]{0,8}`, not `[ \\t]*`)"
                .into(),
        );
    }
    let path = match example_path(spec) {
        Ok(path) => path,
        Err(reason) => {
            fail(reason);
            return;
        }
    };
    for (n, example) in spec.examples.positive.iter().enumerate() {
        let n = n + 1;
        let lowered = example.to_ascii_lowercase();
        if !spec.keywords.is_empty()
            && !spec
                .keywords
                .iter()
                .any(|k| lowered.contains(&k.to_ascii_lowercase()))
        {
            fail(format!(
                "positive example #{n} contains none of the keywords {:?}",
                spec.keywords
            ));
        }
        let findings = scan(&built.scanner, &path, example);
        if !findings.iter().any(|f| f.rule_id == spec.id) {
            fail(format!(
                "positive example #{n} gave no finding: {}",
                diagnose_miss(built, spec, &path, example)
            ));
        }
    }
    for (n, example) in spec.examples.negative.iter().enumerate() {
        let findings = scan(&built.scanner, &path, example);
        if let Some(found) = findings.iter().find(|f| f.rule_id == spec.id) {
            fail(format!(
                "negative example #{} gave a finding for `{}`",
                n + 1,
                found.secret.as_deref().unwrap_or_default()
            ));
        }
    }
}

fn check_file(file: &str) {
    let built = built();
    let mut failures: Vec<String> = built
        .problems_by_file
        .get(file)
        .cloned()
        .unwrap_or_default();
    for spec in built.rules_by_file.get(file).into_iter().flatten() {
        check_rule(built, spec, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in {file}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rules_cloud() {
    check_file("rules/cloud.toml");
}

#[test]
fn rules_vcs() {
    check_file("rules/vcs.toml");
}

#[test]
fn rules_registries() {
    check_file("rules/registries.toml");
}

#[test]
fn rules_cicd() {
    check_file("rules/cicd.toml");
}

#[test]
fn rules_comms() {
    check_file("rules/comms.toml");
}

#[test]
fn rules_payments() {
    check_file("rules/payments.toml");
}

#[test]
fn rules_saas() {
    check_file("rules/saas.toml");
}

#[test]
fn rules_ai() {
    check_file("rules/ai.toml");
}

#[test]
fn rules_generic() {
    check_file("rules/generic.toml");
}

#[test]
fn every_rule_file_is_checked() {
    let files: Vec<&str> = BUILTIN_RULE_FILES.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        files,
        [
            "rules/cloud.toml",
            "rules/vcs.toml",
            "rules/registries.toml",
            "rules/cicd.toml",
            "rules/comms.toml",
            "rules/payments.toml",
            "rules/saas.toml",
            "rules/ai.toml",
            "rules/generic.toml",
        ]
    );
}

#[test]
fn rule_ids_are_unique_across_files() {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for (file, rules) in &built().rules_by_file {
        for rule in rules {
            if let Some(first) = seen.insert(rule.id.as_str(), file) {
                duplicates.push(format!("{}: in {first} and {file}", rule.id));
            }
        }
    }
    assert!(
        duplicates.is_empty(),
        "duplicate ids:\n{}",
        duplicates.join("\n")
    );
}

#[test]
fn keywordless_allowance_lists_only_existing_rules() {
    let ids: HashSet<&str> = built()
        .rules_by_file
        .values()
        .flatten()
        .map(|r| r.id.as_str())
        .collect();
    for id in KEYWORDLESS_ALLOWED {
        assert!(
            ids.contains(id),
            "{id} is allowed to lack keywords but does not exist"
        );
    }
}

#[test]
fn there_are_at_least_300_rules() {
    let count: usize = built().rules_by_file.values().map(Vec::len).sum();
    assert!(count >= 300, "only {count} built-in rules");
}
