//! The secret scanner: prefilter, regex, entropy, composite rules,
//! allowlists and noise filters, producing findings.

use std::ops::Range;

use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};
use shipgate_model::finding::mask;
use shipgate_model::secret_rule::Allowlist;
use shipgate_model::{
    Finding, Fingerprint, LineIndex, Location, RuleMeta, Scanner, SecretRuleSpec, Severity,
    Snippet, SourceFile,
};

use crate::compile::{
    CompiledAllowlist, CompiledRule, RuleCompileError, RuleProblem, compile_rules,
};
use crate::docs::rule_docs;
use crate::noise::{Noise, classify, shannon_entropy};
use crate::prefilter::{Hit, Prefilter};
use crate::reach::Reach;

/// Note attached to findings of known placeholder values.
pub const PLACEHOLDER_NOTE: &str = "known placeholder/example value";

/// Lines up to this many bytes (beyond the secret) are shown whole.
const SNIPPET_WHOLE_LINE: usize = 240;
/// Context kept on each side of the secret when a line is longer.
const SNIPPET_CONTEXT: usize = 60;

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

/// One regex match that passed the entropy check.
#[derive(Clone, Debug)]
struct RawMatch {
    rule: usize,
    whole: Range<usize>,
    secret: Range<usize>,
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

    fn raw_matches(&self, file: &SourceFile<'_>) -> Vec<RawMatch> {
        let content = file.content;
        let mut hits = Vec::new();
        self.prefilter.hits(content, &mut hits);
        let mut matches = Vec::new();
        let mut windows = Vec::new();
        let mut starts = Vec::new();
        for group in hits.chunk_by(|a, b| a.rule == b.rule) {
            let rule_index = group[0].rule as usize;
            let Some(rule) = self.rules.get(rule_index) else {
                continue;
            };
            if !rule.applies_to(file.path) {
                continue;
            }
            match &rule.reach {
                Reach::Prefix(offsets) => {
                    candidate_starts(group, offsets, &mut starts);
                    find_anchored(rule_index, rule, content, &starts, &mut matches);
                }
                Reach::Window(max_len) => {
                    keyword_windows(group, *max_len, content.len(), &mut windows);
                    for window in &windows {
                        find_matches(rule_index, rule, content, window.clone(), &mut matches);
                    }
                }
                Reach::Whole => {
                    find_matches(rule_index, rule, content, 0..content.len(), &mut matches)
                }
            }
        }
        for &rule_index in &self.keywordless {
            let rule = &self.rules[rule_index];
            if rule.applies_to(file.path) {
                find_matches(rule_index, rule, content, 0..content.len(), &mut matches);
            }
        }
        matches.sort_by_key(|m| (m.secret.start, m.secret.end, m.rule));
        matches.dedup_by_key(|m| (m.secret.start, m.secret.end, m.rule));
        matches
    }

    /// Drops composite-rule matches without their companion nearby.
    fn keep_satisfied(&self, matches: Vec<RawMatch>, lines: &LineIndex) -> Vec<(RawMatch, usize)> {
        let lined: Vec<(RawMatch, usize)> = matches
            .into_iter()
            .map(|m| {
                let line = lines.line_of(m.whole.start);
                (m, line)
            })
            .collect();
        let satisfied = |(m, line): &(RawMatch, usize)| {
            self.rules[m.rule]
                .requires
                .iter()
                .all(|&(required, within)| {
                    let within = within as usize;
                    lined.iter().any(|(other, other_line)| {
                        other.rule == required && line.abs_diff(*other_line) <= within
                    })
                })
        };
        let keep: Vec<bool> = lined.iter().map(satisfied).collect();
        lined
            .into_iter()
            .zip(keep)
            .filter_map(|(entry, keep)| keep.then_some(entry))
            .collect()
    }

    fn finding(
        &self,
        file: &SourceFile<'_>,
        lines: &LineIndex,
        m: &RawMatch,
        placeholder: bool,
    ) -> Finding {
        let rule = &self.rules[m.rule];
        let content = file.content;
        let secret = &content[m.secret.clone()];
        Finding {
            rule_id: rule.spec.id.clone(),
            title: rule.spec.title.clone(),
            severity: if placeholder {
                Severity::Info
            } else {
                rule.severity()
            },
            confidence: rule.spec.confidence,
            message: format!("{} found", rule.spec.title),
            location: Location {
                path: file.path.to_owned(),
                start: lines.position(content, m.secret.start),
                end: lines.position(content, m.secret.end),
                byte_start: m.secret.start,
                byte_end: m.secret.end,
                commit: None,
            },
            snippet: snippet(content, lines, m),
            secret: Some(String::from_utf8_lossy(secret).into_owned()),
            fingerprint: Fingerprint::new(&rule.spec.id, file.path, secret),
            controls: rule.controls.clone(),
            note: placeholder.then(|| PLACEHOLDER_NOTE.to_owned()),
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
        let lines = LineIndex::new(file.content);
        let mut kept: Vec<(RawMatch, bool)> = Vec::new();
        for (m, _) in self.keep_satisfied(matches, &lines) {
            let rule = &self.rules[m.rule];
            let secret = &file.content[m.secret.clone()];
            if rule.allowlist.allows_secret(secret) || self.allowlist.allows_secret(secret) {
                continue;
            }
            let placeholder =
                match classify(file.content, m.secret.clone(), file.path, rule.generic) {
                    None => false,
                    Some(Noise::Placeholder) if self.report_placeholders => true,
                    Some(_) => continue,
                };
            kept.push((m, placeholder));
        }
        let kept = drop_overlapped(kept, &self.rules);
        let first_new = findings.len();
        findings.extend(
            kept.iter()
                .map(|(m, placeholder)| self.finding(file, &lines, m, *placeholder)),
        );
        mask_neighbours(&mut findings[first_new..]);
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

/// Merged byte windows around `hits` that can hold a match of at most
/// `max_len` bytes containing one of them.
fn keyword_windows(hits: &[Hit], max_len: usize, len: usize, windows: &mut Vec<Range<usize>>) {
    windows.clear();
    for hit in hits {
        let start = hit.end.saturating_sub(max_len);
        let end = hit.start.saturating_add(max_len).min(len);
        match windows.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => windows.push(start..end),
        }
    }
}

/// Where matches of a prefix-pinned rule can start: each hit's start minus
/// each offset its keyword has in the rule's literal prefixes.
fn candidate_starts(hits: &[Hit], offsets: &[Vec<usize>], starts: &mut Vec<usize>) {
    starts.clear();
    for hit in hits {
        let Some(offsets) = offsets.get(hit.keyword as usize) else {
            continue;
        };
        starts.extend(
            offsets
                .iter()
                .filter_map(|&offset| hit.start.checked_sub(offset)),
        );
    }
    starts.sort_unstable();
    starts.dedup();
}

/// Tries `rule` anchored at each of `starts`, skipping starts inside an
/// earlier match as a left-to-right scan would.
fn find_anchored(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    starts: &[usize],
    matches: &mut Vec<RawMatch>,
) {
    let mut caps = rule.regex.create_captures();
    let mut resume = 0;
    for &start in starts {
        if start < resume {
            continue;
        }
        let input = Input::new(content)
            .span(start..content.len())
            .anchored(Anchored::Yes);
        rule.regex.search_captures(&input, &mut caps);
        if let Some(whole) = caps.get_match() {
            resume = whole.end().max(start + 1);
            accept(rule_index, rule, content, &caps, matches);
        }
    }
}

/// Runs `rule` over `content[window]`. Searching a span of the whole buffer
/// keeps `\b`, `^` and `$` true to the bytes around the window.
fn find_matches(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    window: Range<usize>,
    matches: &mut Vec<RawMatch>,
) {
    let input = Input::new(content).span(window);
    for caps in rule.regex.captures_iter(input) {
        accept(rule_index, rule, content, &caps, matches);
    }
}

/// Records the match in `caps` if its secret group took part, is not
/// empty and is random enough.
fn accept(
    rule_index: usize,
    rule: &CompiledRule,
    content: &[u8],
    caps: &Captures,
    matches: &mut Vec<RawMatch>,
) {
    let group = rule.spec.secret_group.unwrap_or(0);
    let (Some(whole), Some(secret)) = (caps.get_match(), caps.get_group(group)) else {
        return;
    };
    let secret = secret.range();
    if secret.is_empty() {
        return;
    }
    if let Some(minimum) = rule.spec.entropy
        && shannon_entropy(&content[secret.clone()]) < minimum
    {
        return;
    }
    matches.push(RawMatch {
        rule: rule_index,
        whole: whole.range(),
        secret,
    });
}

/// Where two rules report overlapping secrets, keeps only the more
/// confident one, so a provider rule wins over a generic one.
fn drop_overlapped(kept: Vec<(RawMatch, bool)>, rules: &[CompiledRule]) -> Vec<(RawMatch, bool)> {
    let confidence = |m: &RawMatch| rules[m.rule].spec.confidence;
    let beaten: Vec<bool> = kept
        .iter()
        .map(|(m, _)| {
            kept.iter().any(|(other, _)| {
                other.rule != m.rule
                    && other.secret.start < m.secret.end
                    && m.secret.start < other.secret.end
                    && confidence(other) > confidence(m)
            })
        })
        .collect();
    kept.into_iter()
        .zip(beaten)
        .filter_map(|(entry, beaten)| (!beaten).then_some(entry))
        .collect()
}

/// Masks, in each finding's snippet, the secrets of the other findings, so
/// that redacting one finding never leaves a neighbour's secret readable.
fn mask_neighbours(findings: &mut [Finding]) {
    let secrets: Vec<String> = findings
        .iter()
        .filter_map(|f| f.secret.clone())
        .filter(|s| !s.is_empty())
        .collect();
    for finding in findings.iter_mut() {
        let Some(own) = finding.secret.clone() else {
            continue;
        };
        for other in &secrets {
            if *other != own && !own.contains(other.as_str()) && !other.contains(own.as_str()) {
                finding.snippet.text = finding.snippet.text.replace(other.as_str(), &mask(other));
            }
        }
    }
}

/// The lines of the match, cut around the secret when very long. The secret
/// itself is always whole so redaction can find it.
fn snippet(content: &[u8], lines: &LineIndex, m: &RawMatch) -> Snippet {
    let first = lines.line_of(m.whole.start);
    let last = lines.line_of(m.whole.end.saturating_sub(1).max(m.whole.start));
    let line_start = lines.line_range(content, first).start;
    let line_end = lines.line_range(content, last).end.max(m.secret.end);
    let secret_len = m.secret.end - m.secret.start;
    let (mut start, mut end) = (line_start, line_end);
    if line_end - line_start > secret_len + SNIPPET_WHOLE_LINE {
        if m.secret.start.saturating_sub(SNIPPET_CONTEXT) > line_start {
            start = char_boundary(content, m.secret.start - SNIPPET_CONTEXT).max(line_start);
        }
        if m.secret.end + SNIPPET_CONTEXT < line_end {
            end = char_boundary(content, m.secret.end + SNIPPET_CONTEXT);
        }
    }
    // Decoding the secret on its own, exactly as `Finding::secret` is
    // decoded, guarantees redaction finds it even in invalid UTF-8.
    let mut text = String::new();
    if start > line_start {
        text.push('…');
    }
    text.push_str(&String::from_utf8_lossy(&content[start..m.secret.start]));
    text.push_str(&String::from_utf8_lossy(&content[m.secret.clone()]));
    text.push_str(&String::from_utf8_lossy(&content[m.secret.end..end]));
    if end < line_end {
        text.push('…');
    }
    Snippet {
        first_line: u32::try_from(first + 1).unwrap_or(u32::MAX),
        text,
    }
}

/// Moves `offset` back to the start of the UTF-8 character it falls in.
fn char_boundary(content: &[u8], mut offset: usize) -> usize {
    let floor = offset.saturating_sub(3);
    while offset > floor && content.get(offset).is_some_and(|b| (b & 0xC0) == 0x80) {
        offset -= 1;
    }
    offset
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
