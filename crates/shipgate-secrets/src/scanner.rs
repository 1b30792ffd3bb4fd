//! The secret scanner: prefilter, regex, entropy, composite rules,
//! allowlists and noise filters, producing findings.

use std::collections::HashSet;

use shipgate_model::secret_rule::Allowlist;
use shipgate_model::{
    Finding, Fingerprint, LineIndex, Location, RuleMeta, Scanner, SecretRuleSpec, Severity,
    Snippet, SourceFile,
};

use crate::compile::{
    CompiledAllowlist, CompiledRule, RuleCompileError, RuleProblem, compile_rules,
};
use crate::docs::rule_docs;
use crate::matching::{RawMatch, Scratch, find};
use crate::noise::{Noise, classify};
use crate::prefilter::Prefilter;
use crate::reach::Reach;
use crate::report::{Positions, Snippets, drop_overlapped, keep_satisfied, merge_identical};

/// Note attached to findings of known placeholder values.
pub const PLACEHOLDER_NOTE: &str = "known placeholder/example value";

/// How a note begins its list of the other rules that reported the same
/// secret, comma-separated, when one finding stands for several.
pub const ALSO_MATCHES_NOTE: &str = "also matches: ";

/// Settings of the secret scanner.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretsOptions {
    /// Report known documentation and placeholder values as `info` findings
    /// instead of dropping them.
    pub report_placeholders: bool,
    /// Matches dropped for every rule.
    pub allowlist: Allowlist,
}

/// Finds secrets with a set of compiled rules.
#[derive(Clone, Debug)]
pub struct SecretScanner {
    rules: Vec<CompiledRule>,
    prefilter: Prefilter,
    /// Rules without keywords: they run on every buffer.
    keywordless: Vec<usize>,
    allowlist: CompiledAllowlist,
    report_placeholders: bool,
}

impl SecretScanner {
    /// Compiles `specs` with `options`; fails on the first rule that cannot
    /// be compiled, naming it.
    pub fn new(
        specs: Vec<SecretRuleSpec>,
        options: SecretsOptions,
    ) -> Result<Self, RuleCompileError> {
        let rules = compile_rules(specs)?;
        let allowlist = CompiledAllowlist::new(&options.allowlist, None)?;
        let prefilter =
            Prefilter::new(rules.iter().map(|rule| rule.keywords.as_slice())).map_err(|err| {
                RuleCompileError {
                    rule_id: None,
                    problem: RuleProblem::BadKeywords(err.to_string()),
                }
            })?;
        let keywordless = rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.keywords.is_empty())
            .map(|(index, _)| index)
            .collect();
        Ok(SecretScanner {
            rules,
            prefilter,
            keywordless,
            allowlist,
            report_placeholders: options.report_placeholders,
        })
    }

    /// Splits off the rules that can never match because a rule they
    /// `require` is missing from `specs`: a built-in rule left out (for
    /// example disabled in configuration), or a rule split off itself, so
    /// a chain of requirements falls together. Returns the rules to
    /// compile, in `specs` order, and the ids split off, for the caller to
    /// mention; those missing a built-in companion come first, then those
    /// that needed them. A required id that names no built-in rule is left alone,
    /// so [`SecretScanner::new`] still reports it as unknown, naming the
    /// rule that requires it.
    pub fn without_unsatisfied(specs: Vec<SecretRuleSpec>) -> (Vec<SecretRuleSpec>, Vec<String>) {
        let mut kept = specs;
        let mut dropped: Vec<String> = Vec::new();
        loop {
            let unsatisfied: Vec<bool> = {
                let present: HashSet<&str> = kept.iter().map(|spec| spec.id.as_str()).collect();
                kept.iter()
                    .map(|spec| {
                        spec.requires.iter().any(|required| {
                            let id = required.id.as_str();
                            !present.contains(id)
                                && (crate::loader::is_builtin(id)
                                    || dropped.iter().any(|d| d == id))
                        })
                    })
                    .collect()
            };
            if !unsatisfied.contains(&true) {
                return (kept, dropped);
            }
            let (now_dropped, still_kept): (Vec<_>, Vec<_>) = kept
                .into_iter()
                .zip(unsatisfied)
                .partition(|(_, unsatisfied)| *unsatisfied);
            dropped.extend(now_dropped.into_iter().map(|(spec, _)| spec.id));
            kept = still_kept.into_iter().map(|(spec, _)| spec).collect();
        }
    }

    /// The built-in rules with `options`.
    pub fn builtin(options: SecretsOptions) -> Result<Self, crate::BuiltinError> {
        let specs = crate::builtin_rules()?;
        Ok(SecretScanner::new(specs, options)?)
    }

    /// Number of rules loaded.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Ids of the rules whose regex runs over a whole buffer as soon as one
    /// of their keywords occurs (or always, without keywords), because the
    /// engine cannot prove that a keyword lies inside every match and that
    /// matches are bounded. They cost the most time; bounding repetitions
    /// (`{0,40}` instead of `*`) usually fixes that.
    pub fn whole_buffer_rules(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|rule| rule.reach == Reach::Whole)
            .map(|rule| rule.spec.id.as_str())
            .collect()
    }

    /// Scans `file` and returns its findings, in order of position.
    pub fn scan_file(&self, file: &SourceFile<'_>) -> Vec<Finding> {
        let mut findings = Vec::new();
        self.scan(file, &mut findings);
        findings
    }

    /// Every match of every rule that may run on `file`, sorted by secret
    /// position, without duplicates.
    fn raw_matches(&self, file: &SourceFile<'_>) -> Vec<RawMatch> {
        let content = file.content;
        let mut hits = Vec::new();
        self.prefilter.hits(content, &mut hits);
        let mut matches = Vec::new();
        let mut scratch = Scratch::default();
        for group in hits.chunk_by(|a, b| a.rule == b.rule) {
            let rule_index = group[0].rule as usize;
            if let Some(rule) = self.rules.get(rule_index)
                && rule.applies_to(file.path)
            {
                find(rule_index, rule, content, group, &mut scratch, &mut matches);
            }
        }
        for &rule_index in &self.keywordless {
            let rule = &self.rules[rule_index];
            if rule.applies_to(file.path) {
                find(rule_index, rule, content, &[], &mut scratch, &mut matches);
            }
        }
        matches.sort_by_key(|m| (m.secret.start, m.secret.end, m.rule));
        matches.dedup_by_key(|m| (m.secret.start, m.secret.end, m.rule));
        matches
    }

    /// The note of a finding: whether it is a placeholder, and the other
    /// rules (by index) that reported the same secret.
    fn note(&self, placeholder: bool, also: &[usize]) -> Option<String> {
        let mut others: Vec<&str> = also
            .iter()
            .map(|&index| self.rules[index].spec.id.as_str())
            .collect();
        others.sort_unstable();
        let also_matches =
            (!others.is_empty()).then(|| format!("{ALSO_MATCHES_NOTE}{}", others.join(", ")));
        match (placeholder, also_matches) {
            (true, Some(also)) => Some(format!("{PLACEHOLDER_NOTE}; {also}")),
            (true, None) => Some(PLACEHOLDER_NOTE.to_owned()),
            (false, also) => also,
        }
    }

    /// Whether the match is reported: `None` to drop it, otherwise whether
    /// it is a placeholder reported at info level.
    fn judge(&self, file: &SourceFile<'_>, m: &RawMatch) -> Option<bool> {
        let rule = &self.rules[m.rule];
        let secret = &file.content[m.secret.clone()];
        if rule.allowlist.allows_secret(secret) || self.allowlist.allows_secret(secret) {
            return None;
        }
        match classify(file.content, m.secret.clone(), file.path, rule.generic) {
            None => Some(false),
            Some(Noise::Placeholder) if self.report_placeholders => Some(true),
            Some(_) => None,
        }
    }
}

impl Scanner for SecretScanner {
    fn name(&self) -> &'static str {
        "secrets"
    }

    fn wants(&self, path: &str) -> bool {
        !self.allowlist.allows_path(path)
    }

    fn scan(&self, file: &SourceFile<'_>, findings: &mut Vec<Finding>) {
        if !self.wants(file.path) {
            return;
        }
        let matches = self.raw_matches(file);
        if matches.is_empty() {
            return;
        }
        let content = file.content;
        let lines = LineIndex::new(content);
        let kept: Vec<(RawMatch, bool)> = keep_satisfied(matches, &self.rules, &lines)
            .into_iter()
            .filter_map(|m| self.judge(file, &m).map(|placeholder| (m, placeholder)))
            .collect();
        let kept = drop_overlapped(merge_identical(kept, &self.rules), &self.rules);
        let snippets = Snippets::new(
            content,
            &lines,
            kept.iter().map(|(m, _)| m.secret.clone()).collect(),
        );
        let mut positions = Positions::new(content, &lines);
        for (m, (placeholder, also)) in &kept {
            let rule = &self.rules[m.rule];
            let secret = &content[m.secret.clone()];
            let (first_line, text) = snippets.of(m);
            findings.push(Finding {
                rule_id: rule.spec.id.clone(),
                title: rule.spec.title.clone(),
                severity: if *placeholder {
                    Severity::Info
                } else {
                    rule.severity()
                },
                confidence: rule.spec.confidence,
                message: format!("{} found", rule.spec.title),
                location: Location {
                    path: file.path.to_owned(),
                    start: positions.at(m.secret.start),
                    end: positions.at(m.secret.end),
                    byte_start: m.secret.start,
                    byte_end: m.secret.end,
                    commit: None,
                    symbolic: None,
                },
                snippet: Snippet { first_line, text },
                secret: Some(String::from_utf8_lossy(secret).into_owned()),
                fingerprint: Fingerprint::new(&rule.spec.id, file.path, secret),
                controls: rule.controls.clone(),
                note: self.note(*placeholder, also),
                properties: Default::default(),
            });
        }
    }

    fn rules(&self) -> Vec<RuleMeta> {
        self.rules
            .iter()
            .map(|rule| RuleMeta {
                id: rule.spec.id.clone(),
                title: rule.spec.title.clone(),
                severity: rule.spec.severity,
                confidence: rule.spec.confidence,
                controls: rule.controls.clone(),
                docs: rule_docs(&rule.spec, &rule.regex),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::Confidence;
    use shipgate_model::secret_rule::RequiredRule;

    fn spec(id: &str, regex: &str, keywords: &[&str]) -> SecretRuleSpec {
        crate::compile::test_spec(id, regex, keywords)
    }

    fn scan(scanner: &SecretScanner, path: &str, text: &[u8]) -> Vec<Finding> {
        scanner.scan_file(&SourceFile {
            path,
            content: text,
        })
    }

    fn github() -> SecretRuleSpec {
        let mut rule = spec(
            "secrets/github-pat",
            r"\b(ghp_[A-Za-z0-9]{36})\b",
            &["ghp_"],
        );
        rule.title = "GitHub classic personal access token".into();
        rule.secret_group = Some(1);
        rule
    }

    const TOKEN: &str = "ghp_R8x2kQ9vLm3ZpT7wYc1Hd5NfA0sUeJ4bGi6o";

    #[test]
    fn a_finding_carries_span_position_snippet_and_fingerprint() {
        let scanner = SecretScanner::new(vec![github()], SecretsOptions::default()).unwrap();
        let text = format!("line one\nexport GITHUB_TOKEN={TOKEN}\n");
        let findings = scan(&scanner, "ci/env.sh", text.as_bytes());
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.rule_id, "secrets/github-pat");
        assert_eq!(f.message, "GitHub classic personal access token found");
        assert!(!f.message.contains(TOKEN));
        let start = text.find(TOKEN).unwrap();
        assert_eq!(
            (f.location.byte_start, f.location.byte_end),
            (start, start + TOKEN.len())
        );
        assert_eq!((f.location.start.line, f.location.start.column), (2, 21));
        assert_eq!(
            (f.location.end.line, f.location.end.column),
            (2, 21 + TOKEN.len() as u32)
        );
        assert_eq!(f.snippet.first_line, 2);
        assert_eq!(f.snippet.text, format!("export GITHUB_TOKEN={TOKEN}"));
        assert_eq!(f.secret.as_deref(), Some(TOKEN));
        assert_eq!(
            f.fingerprint,
            Fingerprint::new("secrets/github-pat", "ci/env.sh", TOKEN.as_bytes())
        );
        assert_eq!(f.controls, crate::DEFAULT_SECRET_CONTROLS);
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.note, None);
    }

    #[test]
    fn keyword_prefilter_gates_rules() {
        // The regex would match, but without the keyword the rule never runs.
        let rule = spec("secrets/acme-key", r"[A-Z]{3}[0-9]{3}", &["acme"]);
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        assert!(scan(&scanner, "a", b"id = QWE384").is_empty());
        assert_eq!(scan(&scanner, "a", b"ACME id = QWE384").len(), 1);
    }

    #[test]
    fn windowed_and_full_scans_agree() {
        let windowed = github();
        let mut unbounded = spec(
            "secrets/github-pat",
            r"\b(ghp_[A-Za-z0-9]{36,})\b",
            &["ghp_"],
        );
        unbounded.secret_group = Some(1);
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "let value_{i} = \"{}\"; // ghp_ mention\n",
                "q".repeat(i % 50)
            ));
            if i % 37 == 0 {
                text.push_str(&format!("token = {TOKEN}\n"));
            }
        }
        let spans = |rule: SecretRuleSpec| {
            let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
            assert!(matches!(scanner.rules[0].reach, Reach::Prefix(_)));
            scan(&scanner, "a", text.as_bytes())
                .into_iter()
                .map(|f| f.location.byte_start)
                .collect::<Vec<_>>()
        };
        let a = spans(windowed);
        assert_eq!(a.len(), 6);
        assert_eq!(a, spans(unbounded));
    }

    #[test]
    fn entropy_threshold_drops_low_entropy_secrets() {
        let mut rule = spec(
            "secrets/acme-key",
            r"acme_key=([a-z0-9]{16})",
            &["acme_key"],
        );
        rule.secret_group = Some(1);
        rule.entropy = Some(3.0);
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        assert!(scan(&scanner, "a", b"acme_key=aabbaabbaabbaabb").is_empty());
        assert_eq!(scan(&scanner, "a", b"acme_key=k3j9x8v7q2w1m5n4").len(), 1);
    }

    #[test]
    fn composite_rules_need_their_companion_nearby() {
        let id = spec(
            "secrets/aws-access-key-id",
            r"\bAKIA[A-Z2-7]{16}\b",
            &["akia"],
        );
        let mut secret = spec(
            "secrets/aws-secret-access-key",
            r"(?i)aws_secret_access_key\s{0,3}=\s{0,3}([A-Za-z0-9/+]{40})",
            &["aws_secret_access_key"],
        );
        secret.secret_group = Some(1);
        secret.requires = vec![RequiredRule {
            id: "secrets/aws-access-key-id".into(),
            within_lines: 2,
        }];
        let scanner = SecretScanner::new(vec![id, secret], SecretsOptions::default()).unwrap();
        let key_id = "AKIAQ3ZK7WJ2MXR5TB4N";
        let key = "k9Qz/3mXv+R8tLw2Yp7Hc1Nf5Ds0Ue4JbGi6oA2q";
        let rules = |text: &str| {
            scan(&scanner, "a", text.as_bytes())
                .into_iter()
                .map(|f| f.rule_id)
                .collect::<Vec<_>>()
        };
        let near = format!("aws_access_key_id = {key_id}\naws_secret_access_key = {key}\n");
        assert_eq!(
            rules(&near),
            ["secrets/aws-access-key-id", "secrets/aws-secret-access-key"]
        );
        let alone = format!("aws_secret_access_key = {key}\n");
        assert!(rules(&alone).is_empty());
        let far = format!("aws_access_key_id = {key_id}\n\n\n\naws_secret_access_key = {key}\n");
        assert_eq!(rules(&far), ["secrets/aws-access-key-id"]);
    }

    fn requiring(id: &str, required: &str) -> SecretRuleSpec {
        let mut rule = spec(id, "needs [a-z]{8}", &["needs"]);
        rule.requires = vec![RequiredRule {
            id: required.into(),
            within_lines: 5,
        }];
        rule
    }

    fn ids(specs: &[SecretRuleSpec]) -> Vec<&str> {
        specs.iter().map(|spec| spec.id.as_str()).collect()
    }

    #[test]
    fn rules_whose_disabled_builtin_companion_is_missing_are_split_off() {
        let mut builtin = crate::builtin_rules().unwrap();
        let companion = "secrets/aws-access-key-id";
        builtin.retain(|spec| spec.id != companion);
        // The built-in scanner cannot be built without the companion...
        let err = SecretScanner::new(builtin.clone(), SecretsOptions::default()).unwrap_err();
        assert_eq!(
            err.problem,
            RuleProblem::UnknownRequiredRule(companion.into())
        );
        // ...but can without the rules that need it, directly or through
        // another rule.
        builtin.push(requiring(
            "secrets/acme-pair",
            "secrets/aws-secret-access-key",
        ));
        builtin.push(requiring("secrets/acme-triple", "secrets/acme-pair"));
        let count = builtin.len();
        let (kept, dropped) = SecretScanner::without_unsatisfied(builtin);
        assert_eq!(
            dropped,
            [
                "secrets/aws-secret-access-key",
                "secrets/acme-pair",
                "secrets/acme-triple"
            ]
        );
        assert_eq!(kept.len() + dropped.len(), count);
        let scanner = SecretScanner::new(kept, SecretsOptions::default()).unwrap();
        assert_eq!(scanner.rule_count(), count - 3);
    }

    #[test]
    fn unknown_companions_are_still_compile_errors() {
        let specs = vec![
            github(),
            requiring("secrets/acme-pair", "secrets/acme-typo"),
            requiring("secrets/acme-ok", "secrets/github-pat"),
        ];
        let (kept, dropped) = SecretScanner::without_unsatisfied(specs);
        assert!(dropped.is_empty());
        assert_eq!(
            ids(&kept),
            ["secrets/github-pat", "secrets/acme-pair", "secrets/acme-ok"]
        );
        let err = SecretScanner::new(kept, SecretsOptions::default()).unwrap_err();
        assert_eq!(err.rule_id.as_deref(), Some("secrets/acme-pair"));
        assert_eq!(
            err.problem,
            RuleProblem::UnknownRequiredRule("secrets/acme-typo".into())
        );
    }

    #[test]
    fn allowlists_drop_matches_per_rule_and_globally() {
        let mut rule = github();
        rule.allowlist.stopwords = vec!["ZpT7".into()];
        rule.allowlist.paths = vec!["**/testdata/**".into()];
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        assert!(scan(&scanner, "a", TOKEN.as_bytes()).is_empty());

        let scanner = SecretScanner::new(
            vec![github()],
            SecretsOptions {
                report_placeholders: false,
                allowlist: Allowlist {
                    paths: vec!["vendor/**".into()],
                    regexes: vec!["^ghp_R8x2".into()],
                    stopwords: vec![],
                },
            },
        )
        .unwrap();
        assert!(scan(&scanner, "src/a.rs", TOKEN.as_bytes()).is_empty());
        assert!(!scanner.wants("vendor/lib/a.rs"));
        assert!(scanner.wants("src/a.rs"));

        let mut rule = github();
        rule.allowlist.paths = vec!["**/testdata/**".into()];
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        assert!(scan(&scanner, "pkg/testdata/t.txt", TOKEN.as_bytes()).is_empty());
        assert_eq!(scan(&scanner, "pkg/src/t.txt", TOKEN.as_bytes()).len(), 1);
    }

    #[test]
    fn path_globs_restrict_rules() {
        let mut rule = spec(
            "secrets/npm-auth",
            r"_authToken=([A-Za-z0-9]{20})",
            &["_authtoken"],
        );
        rule.paths = vec!["**/.npmrc".into()];
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        let text = b"//registry/:_authToken=k3j9x8v7q2w1m5n4R8x2";
        assert_eq!(scan(&scanner, "app/.npmrc", text).len(), 1);
        assert!(scan(&scanner, "app/README.md", text).is_empty());
    }

    #[test]
    fn placeholders_are_dropped_or_reported_as_info() {
        let rule = spec(
            "secrets/aws-access-key-id",
            r"\bAKIA[A-Z0-9]{16}\b",
            &["akia"],
        );
        let text = b"aws_access_key_id = AKIAIOSFODNN7EXAMPLE";
        let quiet = SecretScanner::new(vec![rule.clone()], SecretsOptions::default()).unwrap();
        assert!(scan(&quiet, "a", text).is_empty());
        let loud = SecretScanner::new(
            vec![rule],
            SecretsOptions {
                report_placeholders: true,
                ..SecretsOptions::default()
            },
        )
        .unwrap();
        let findings = scan(&loud, "a", text);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Info);
        assert_eq!(findings[0].note.as_deref(), Some(PLACEHOLDER_NOTE));
    }

    #[test]
    fn more_confident_rules_win_overlaps() {
        let mut generic = spec(
            "secrets/generic-token",
            r"token\s{0,2}=\s{0,2}(\S{20,60})",
            &["token"],
        );
        generic.secret_group = Some(1);
        generic.confidence = Confidence::Low;
        let scanner =
            SecretScanner::new(vec![generic, github()], SecretsOptions::default()).unwrap();
        let findings = scan(&scanner, "a", format!("token = {TOKEN}").as_bytes());
        let ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(ids, ["secrets/github-pat"]);
    }

    /// `(rule id, secret, note)` of each finding when `specs`, in either
    /// order, scan `text`; both orders must agree.
    fn reported(specs: Vec<SecretRuleSpec>, text: &str) -> Vec<(String, String, Option<String>)> {
        let run = |specs: Vec<SecretRuleSpec>| {
            let scanner = SecretScanner::new(specs, SecretsOptions::default()).unwrap();
            scan(&scanner, "a", text.as_bytes())
                .into_iter()
                .map(|f| (f.rule_id, f.secret.unwrap_or_default(), f.note))
                .collect::<Vec<_>>()
        };
        let forward = run(specs.clone());
        assert_eq!(forward, run(specs.into_iter().rev().collect()));
        forward
    }

    fn grouped(id: &str, regex: &str, keywords: &[&str]) -> SecretRuleSpec {
        let mut rule = spec(id, regex, keywords);
        rule.secret_group = Some(1);
        rule
    }

    const ACME: &str = "ak_r8x2kq9vlm3zpt7wyc1h";

    #[test]
    fn one_finding_per_secret_with_the_other_rules_noted() {
        let text = format!("ACME_KEY={ACME}\n");
        let bare = spec("secrets/acme-key", r"\bak_[a-z0-9]{20}\b", &["ak_"]);
        let contextual = grouped(
            "secrets/acme-env-key",
            r"ACME_KEY=(ak_[a-z0-9]{20})\b",
            &["acme_key"],
        );
        // Equal confidence, both provider rules: the longer match wins.
        assert_eq!(
            reported(vec![bare.clone(), contextual.clone()], &text),
            [(
                "secrets/acme-env-key".to_owned(),
                ACME.to_owned(),
                Some("also matches: secrets/acme-key".to_owned())
            )]
        );
        // Confidence comes first.
        let mut sure = bare.clone();
        sure.confidence = Confidence::High;
        let mut unsure = contextual.clone();
        unsure.confidence = Confidence::Medium;
        assert_eq!(reported(vec![sure, unsure], &text)[0].0, "secrets/acme-key");
        // A rule of the generic file yields to a provider rule, however
        // long its match.
        let mut generic_file = contextual.clone();
        generic_file.id = "secrets/private-key-pkcs8".into();
        let mut generic_id = contextual.clone();
        generic_id.id = "secrets/generic-acme".into();
        assert_eq!(
            reported(vec![bare.clone(), generic_file, generic_id], &text),
            [(
                "secrets/acme-key".to_owned(),
                ACME.to_owned(),
                Some("also matches: secrets/generic-acme, secrets/private-key-pkcs8".to_owned())
            )]
        );
        // Identical in every way but the id: the lowest id wins.
        let mut twin = bare.clone();
        twin.id = "secrets/acme-twin".into();
        assert_eq!(
            reported(vec![twin, bare.clone()], &text)[0],
            (
                "secrets/acme-key".to_owned(),
                ACME.to_owned(),
                Some("also matches: secrets/acme-twin".to_owned())
            )
        );
        // One rule alone gets no note.
        assert_eq!(reported(vec![bare], &text)[0].2, None);
    }

    #[test]
    fn placeholders_keep_their_note_when_merged() {
        let text = "ACME_KEY=ak_xxxxxxxxxxxxxxxxxxxx\n";
        let bare = spec("secrets/acme-key", r"\bak_[a-z0-9]{20}\b", &["ak_"]);
        let contextual = grouped(
            "secrets/acme-env-key",
            r"ACME_KEY=(ak_[a-z0-9]{20})\b",
            &["acme_key"],
        );
        let scanner = SecretScanner::new(
            vec![bare, contextual],
            SecretsOptions {
                report_placeholders: true,
                ..SecretsOptions::default()
            },
        )
        .unwrap();
        let findings = scan(&scanner, "a", text.as_bytes());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Info);
        assert_eq!(
            findings[0].note.as_deref(),
            Some("known placeholder/example value; also matches: secrets/acme-key")
        );
    }

    #[test]
    fn overlapping_but_different_secrets_of_equal_confidence_are_both_kept() {
        let text = format!("ACME_KEY={ACME}\n");
        let bare = spec("secrets/acme-key", r"\bak_[a-z0-9]{20}\b", &["ak_"]);
        let wider = spec(
            "secrets/acme-env-key",
            r"ACME_KEY=ak_[a-z0-9]{20}\b",
            &["acme_key"],
        );
        let found = reported(vec![bare, wider], &text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(_, _, note)| note.is_none()));
    }

    #[test]
    fn neighbouring_secrets_are_masked_in_each_snippet() {
        let other = "ghp_Zt5mQ1xR7vK2pL9wN3cY8hB4dF6gJ0sA2eU5";
        let scanner = SecretScanner::new(vec![github()], SecretsOptions::default()).unwrap();
        let text = format!("a={TOKEN} b={other}");
        let mut findings = scan(&scanner, "a", text.as_bytes());
        assert_eq!(findings.len(), 2);
        for f in &mut findings {
            f.redact();
            assert!(!f.snippet.text.contains(TOKEN), "{}", f.snippet.text);
            assert!(!f.snippet.text.contains(other), "{}", f.snippet.text);
        }
    }

    #[test]
    fn long_lines_are_cut_around_the_secret() {
        let scanner = SecretScanner::new(vec![github()], SecretsOptions::default()).unwrap();
        let text = format!("{}é {TOKEN} {}", "a".repeat(5000), "b".repeat(5000));
        let findings = scan(&scanner, "app.min.js", text.as_bytes());
        let snippet = &findings[0].snippet.text;
        assert!(snippet.len() < 200, "{} bytes", snippet.len());
        assert!(snippet.starts_with('…') && snippet.ends_with('…'));
        assert!(snippet.contains(TOKEN));
    }

    #[test]
    fn invalid_utf8_is_scanned_and_decoded_lossily() {
        let scanner = SecretScanner::new(vec![github()], SecretsOptions::default()).unwrap();
        let mut text = b"\xff\xfe token=".to_vec();
        text.extend_from_slice(TOKEN.as_bytes());
        text.extend_from_slice(b" \xc3(\n");
        let findings = scan(&scanner, "a.bin", &text);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].secret.as_deref(), Some(TOKEN));
        assert!(findings[0].snippet.text.contains('\u{FFFD}'));
        let mut redacted = findings[0].clone();
        redacted.redact();
        assert!(!redacted.snippet.text.contains(TOKEN));
    }

    #[test]
    fn multi_line_private_keys_span_their_lines() {
        let rule = spec(
            "secrets/private-key",
            r"-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----[\s\S]{64,8192}?-----END [A-Z ]{0,20}PRIVATE KEY-----",
            &["private key"],
        );
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        let body = "MIIEowIBAAKCAQEAq3k9Rz7Lw2Yp7Hc1Nf5Ds0Ue4JbGi6oA2qk9Qz3mXvR8tLw2\nYp7Hc1Nf5Ds0Ue4JbGi6oA2qk9Qz3mXvR8tLw2Yp7Hc1Nf5Ds0Ue4JbGi6oA2qk9Qz\n";
        let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----");
        let text = format!("# deploy key\n{key}\nrest\n");
        let findings = scan(&scanner, "id_rsa", text.as_bytes());
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!((f.location.start.line, f.location.end.line), (2, 5));
        assert_eq!(f.snippet.first_line, 2);
        assert_eq!(f.snippet.text, key);
        assert_eq!(f.secret.as_deref(), Some(key.as_str()));
    }

    #[test]
    fn random_bytes_do_not_break_the_engine() {
        let scanner = SecretScanner::new(
            vec![github(), spec("secrets/any-digits", r"[0-9]{12}", &[])],
            SecretsOptions::default(),
        )
        .unwrap();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let bytes: Vec<u8> = (0..50 * 1024 * 1024)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let findings = scan(&scanner, "blob.bin", &bytes);
        assert!(findings.iter().all(|f| f.location.byte_end <= bytes.len()));
    }

    #[test]
    fn files_full_of_secrets_scan_in_near_linear_time() {
        let scanner = SecretScanner::new(vec![github()], SecretsOptions::default()).unwrap();
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let token = || {
            let body: String = (0..36)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    char::from(ALPHABET[(state % 62) as usize])
                })
                .collect();
            format!("ghp_{body}")
        };
        // One minified line and many short lines, 20 000 tokens each.
        // Random tokens occasionally spell a placeholder marker; those are
        // left out so every token is expected back.
        let tokens: Vec<String> = std::iter::repeat_with(token)
            .filter(|t| !crate::noise::is_placeholder(t.as_bytes()))
            .take(20_000)
            .collect();
        // One minified line, then one token per line.
        let text = tokens.join(",");
        let findings = scan(&scanner, "bundle.min.js", text.as_bytes());
        assert_eq!(findings.len(), 20_000);
        let last = &findings[19_999];
        assert_eq!(last.location.start.column as usize, text.len() - 40 + 1);
        assert!(last.snippet.text.starts_with('…'));
        assert!(!last.snippet.text.contains(&tokens[19_998]));
        let many_lines = tokens.join("\n");
        assert_eq!(
            scan(&scanner, "dump.txt", many_lines.as_bytes()).len(),
            20_000
        );
    }

    #[test]
    fn rule_docs_are_generated() {
        let mut rule = github();
        rule.description = "Acts as the user on GitHub.".into();
        rule.examples.positive = vec![format!("token: {TOKEN}")];
        let scanner = SecretScanner::new(vec![rule], SecretsOptions::default()).unwrap();
        let metas = scanner.rules();
        assert_eq!(metas.len(), 1);
        assert_eq!(metas[0].id, "secrets/github-pat");
        assert!(metas[0].docs.contains("Acts as the user on GitHub."));
        assert!(metas[0].docs.contains("token: ghp_****"));
        assert!(!metas[0].docs.contains(TOKEN));
        assert_eq!(scanner.name(), "secrets");
    }
}
