//! Turning rule specs into matchers, with errors that name the rule.

use std::collections::HashMap;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex_automata::meta;
use regex_syntax::hir::Hir;
use shipgate_model::secret_rule::Allowlist;
use shipgate_model::{Confidence, SecretRuleSpec, Severity};

use crate::reach::Reach;

/// Controls a built-in or custom secret rule maps to when it names none.
pub const DEFAULT_SECRET_CONTROLS: &[&str] = &[
    "checklist-1",
    "area-secrets",
    "CICD-SEC-6",
    "SSDF-PS.1",
    "SOC2-CC6.1",
];

/// A rule (or the global allowlist) that cannot be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", rule_id.as_ref().map_or_else(|| "global secrets allowlist".to_owned(), |id| format!("rule `{id}`")))]
pub struct RuleCompileError {
    /// The rule, or `None` for the global allowlist.
    pub rule_id: Option<String>,
    /// What is wrong with it.
    pub problem: RuleProblem,
}

/// What is wrong with a rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleProblem {
    /// The id is used by another rule too.
    #[error("the id is used by more than one rule")]
    DuplicateId,
    /// The matching regex does not compile.
    #[error("invalid regex: {0}")]
    BadRegex(String),
    /// An allowlist regex does not compile.
    #[error("invalid allowlist regex `{regex}`: {message}")]
    BadAllowlistRegex {
        /// The regex as written.
        regex: String,
        /// The regex error.
        message: String,
    },
    /// A path glob does not parse.
    #[error("invalid path glob `{glob}`: {message}")]
    BadGlob {
        /// The glob as written.
        glob: String,
        /// The glob error.
        message: String,
    },
    /// A control id is not in the catalog.
    #[error("unknown control id `{0}`")]
    UnknownControl(String),
    /// `secret_group` names a capture group the regex does not have.
    #[error("secret_group {group} is out of range: the regex has {groups} capture group(s)")]
    SecretGroupOutOfRange {
        /// The configured group.
        group: usize,
        /// How many explicit groups the regex has.
        groups: usize,
    },
    /// `requires` names a rule that is not loaded. When the rule is a
    /// built-in one left out on purpose, [`crate::SecretScanner::without_unsatisfied`]
    /// splits off the rules that need it first.
    #[error("requires unknown rule `{0}`")]
    UnknownRequiredRule(String),
    /// `requires` names the rule itself.
    #[error("a rule cannot require itself")]
    RequiresItself,
    /// A keyword is empty, which would run the rule everywhere.
    #[error("keywords must not be empty strings")]
    EmptyKeyword,
    /// `entropy` is negative or not a number.
    #[error("entropy must be a number between 0 and 8, not {0}")]
    BadEntropy(String),
    /// The keyword automaton could not be built.
    #[error("keywords cannot be compiled: {0}")]
    BadKeywords(String),
}

/// An allowlist ready to test secrets and paths against.
#[derive(Clone, Debug, Default)]
pub(crate) struct CompiledAllowlist {
    paths: Option<GlobSet>,
    regexes: Vec<meta::Regex>,
    /// Stored lowercased, because matching is case-insensitive.
    stopwords: Vec<Vec<u8>>,
}

impl CompiledAllowlist {
    pub(crate) fn new(list: &Allowlist, rule_id: Option<&str>) -> Result<Self, RuleCompileError> {
        let fail = |problem| RuleCompileError {
            rule_id: rule_id.map(str::to_owned),
            problem,
        };
        let paths = glob_set(&list.paths).map_err(fail)?;
        let regexes = list
            .regexes
            .iter()
            .map(|pattern| {
                parse_pattern(pattern)
                    .and_then(|hir| build_regex(&hir))
                    .map_err(|message| {
                        fail(RuleProblem::BadAllowlistRegex {
                            regex: pattern.clone(),
                            message,
                        })
                    })
            })
            .collect::<Result<_, _>>()?;
        let stopwords = list
            .stopwords
            .iter()
            .filter(|word| !word.is_empty())
            .map(|word| word.to_ascii_lowercase().into_bytes())
            .collect();
        Ok(CompiledAllowlist {
            paths,
            regexes,
            stopwords,
        })
    }

    /// Whether files at `path` are exempt.
    pub(crate) fn allows_path(&self, path: &str) -> bool {
        self.paths.as_ref().is_some_and(|set| set.is_match(path))
    }

    /// Whether `secret` is exempt.
    pub(crate) fn allows_secret(&self, secret: &[u8]) -> bool {
        if self.regexes.iter().any(|regex| regex.is_match(secret)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = secret.to_ascii_lowercase();
        self.stopwords.iter().any(|word| contains(&lower, word))
    }
}

/// A rule ready to run.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRule {
    pub(crate) spec: SecretRuleSpec,
    /// The automata-level regex, because it can search a window of a
    /// buffer while look-around assertions still see the bytes outside it.
    pub(crate) regex: meta::Regex,
    /// Keywords, lowercased.
    pub(crate) keywords: Vec<String>,
    pub(crate) controls: Vec<String>,
    pub(crate) paths: Option<GlobSet>,
    pub(crate) allowlist: CompiledAllowlist,
    /// `(rule index, within lines)` of each required companion rule.
    pub(crate) requires: Vec<(usize, u32)>,
    /// Where the regex must run relative to keyword hits.
    pub(crate) reach: Reach,
    /// The longest possible match, when bounded.
    pub(crate) max_len: Option<usize>,
    /// Generic rules (low confidence or `generic` ids) get extra noise filters.
    pub(crate) generic: bool,
    /// Whether the rule knows a provider's format, rather than being generic
    /// or a rule of `rules/generic.toml`; such a rule wins a secret another
    /// rule reports too.
    pub(crate) provider_specific: bool,
}

impl CompiledRule {
    pub(crate) fn severity(&self) -> Severity {
        self.spec.severity
    }

    /// Whether the rule looks at the file at `path`.
    pub(crate) fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|set| set.is_match(path))
            && !self.allowlist.allows_path(path)
    }
}

/// Compiles every spec, resolving `requires` ids to indices.
pub(crate) fn compile_rules(
    specs: Vec<SecretRuleSpec>,
) -> Result<Vec<CompiledRule>, RuleCompileError> {
    let mut index_of = HashMap::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        if index_of.insert(spec.id.clone(), index).is_some() {
            return Err(RuleCompileError {
                rule_id: Some(spec.id.clone()),
                problem: RuleProblem::DuplicateId,
            });
        }
    }
    specs
        .into_iter()
        .map(|spec| compile_rule(spec, &index_of))
        .collect()
}

fn compile_rule(
    spec: SecretRuleSpec,
    index_of: &HashMap<String, usize>,
) -> Result<CompiledRule, RuleCompileError> {
    let fail = |problem| RuleCompileError {
        rule_id: Some(spec.id.clone()),
        problem,
    };
    let hir = parse_pattern(&spec.regex).map_err(|message| fail(RuleProblem::BadRegex(message)))?;
    let regex = build_regex(&hir).map_err(|message| fail(RuleProblem::BadRegex(message)))?;
    if let Some(group) = spec.secret_group {
        let groups = regex
            .group_info()
            .group_len(regex_automata::PatternID::ZERO)
            .saturating_sub(1);
        if group > groups {
            return Err(fail(RuleProblem::SecretGroupOutOfRange { group, groups }));
        }
    }
    if let Some(entropy) = spec.entropy
        && !(0.0..=8.0).contains(&entropy)
    {
        return Err(fail(RuleProblem::BadEntropy(entropy.to_string())));
    }
    if spec.keywords.iter().any(String::is_empty) {
        return Err(fail(RuleProblem::EmptyKeyword));
    }
    for control in &spec.controls {
        if shipgate_model::controls::control(control).is_none() {
            return Err(fail(RuleProblem::UnknownControl(control.clone())));
        }
    }
    let controls = if spec.controls.is_empty() {
        DEFAULT_SECRET_CONTROLS
            .iter()
            .map(|c| (*c).to_owned())
            .collect()
    } else {
        spec.controls.clone()
    };
    let paths = glob_set(&spec.paths).map_err(fail)?;
    let allowlist = CompiledAllowlist::new(&spec.allowlist, Some(&spec.id))?;
    let requires = spec
        .requires
        .iter()
        .map(|required| {
            if required.id == spec.id {
                return Err(fail(RuleProblem::RequiresItself));
            }
            index_of
                .get(&required.id)
                .map(|&index| (index, required.within_lines))
                .ok_or_else(|| fail(RuleProblem::UnknownRequiredRule(required.id.clone())))
        })
        .collect::<Result<_, _>>()?;
    let keywords: Vec<String> = spec
        .keywords
        .iter()
        .map(|k| k.to_ascii_lowercase())
        .collect();
    let reach = Reach::of(&hir, &keywords);
    let max_len = hir.properties().maximum_len();
    let generic = spec.confidence == Confidence::Low || spec.id.starts_with("secrets/generic-");
    let provider_specific = !generic && !crate::loader::is_generic_builtin(&spec.id);
    Ok(CompiledRule {
        regex,
        keywords,
        controls,
        paths,
        allowlist,
        requires,
        reach,
        max_len,
        generic,
        provider_specific,
        spec,
    })
}

fn glob_set(globs: &[String]) -> Result<Option<GlobSet>, RuleProblem> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let parsed = Glob::new(glob).map_err(|err| RuleProblem::BadGlob {
            glob: glob.clone(),
            message: err.kind().to_string(),
        })?;
        builder.add(parsed);
    }
    builder
        .build()
        .map(Some)
        .map_err(|err| RuleProblem::BadGlob {
            glob: globs.join(", "),
            message: err.to_string(),
        })
}

/// Checks that `pattern` compiles as a rule regex; returns how many
/// explicit capture groups it has.
pub(crate) fn check_pattern(pattern: &str) -> Result<usize, String> {
    let regex = build_regex(&parse_pattern(pattern)?)?;
    Ok(regex
        .group_info()
        .group_len(regex_automata::PatternID::ZERO)
        .saturating_sub(1))
}

/// Parses a rule pattern for matching raw bytes.
///
/// Patterns are read in ASCII mode first: `\w`, `\d`, `\s`, `\b` and `(?i)`
/// then cover ASCII only, which is what tokens are made of (and, but for
/// `(?i)`, what Go's RE2, the syntax of imported gitleaks rules, does), and
/// keeps counted repetitions such as `[\w.-]{1,128}` from growing into
/// huge automata.
/// A pattern that needs Unicode (`\p{L}`, a non-ASCII class) is read with
/// Unicode on instead.
fn parse_pattern(pattern: &str) -> Result<Hir, String> {
    let parse = |unicode: bool| {
        regex_syntax::ParserBuilder::new()
            .utf8(false)
            .unicode(unicode)
            .build()
            .parse(pattern)
            .map_err(|err| err.to_string())
    };
    parse(false).or_else(|_| parse(true))
}

/// Builds the matcher with the same limits as `regex::bytes::Regex`.
fn build_regex(hir: &Hir) -> Result<meta::Regex, String> {
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(10 << 20))
        .hybrid_cache_capacity(2 << 20);
    meta::Builder::new()
        .configure(config)
        .build_from_hir(hir)
        .map_err(|err| match err.size_limit() {
            Some(limit) => format!("the compiled regex exceeds the size limit of {limit} bytes"),
            None => err.to_string(),
        })
}

pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// A minimal high-severity spec for unit tests.
#[cfg(test)]
pub(crate) fn test_spec(id: &str, regex: &str, keywords: &[&str]) -> SecretRuleSpec {
    SecretRuleSpec {
        id: id.into(),
        title: "T".into(),
        description: String::new(),
        regex: regex.into(),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        secret_group: None,
        entropy: None,
        severity: Severity::High,
        confidence: Confidence::High,
        controls: vec![],
        paths: vec![],
        requires: vec![],
        allowlist: Allowlist::default(),
        examples: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::secret_rule::RequiredRule;

    fn spec(id: &str, regex: &str, keywords: &[&str]) -> SecretRuleSpec {
        test_spec(id, regex, keywords)
    }

    fn problem(specs: Vec<SecretRuleSpec>) -> RuleProblem {
        compile_rules(specs).unwrap_err().problem
    }

    #[test]
    fn default_controls_exist_in_the_catalog() {
        for id in DEFAULT_SECRET_CONTROLS {
            assert!(shipgate_model::controls::control(id).is_some(), "{id}");
        }
        let rules = compile_rules(vec![spec("secrets/a-b", "x", &["x"])]).unwrap();
        assert_eq!(rules[0].controls.len(), DEFAULT_SECRET_CONTROLS.len());
    }

    #[test]
    fn compile_errors_name_rule_and_problem() {
        let err = compile_rules(vec![spec("secrets/a-b", "(", &["a"])]).unwrap_err();
        assert_eq!(err.rule_id.as_deref(), Some("secrets/a-b"));
        assert!(
            err.to_string()
                .starts_with("rule `secrets/a-b`: invalid regex"),
            "{err}"
        );

        let mut s = spec("secrets/a-b", "(a)", &["a"]);
        s.secret_group = Some(2);
        assert_eq!(
            problem(vec![s]),
            RuleProblem::SecretGroupOutOfRange {
                group: 2,
                groups: 1
            }
        );

        let mut s = spec("secrets/a-b", "a", &["a"]);
        s.controls = vec!["NOPE-1".into()];
        assert_eq!(
            problem(vec![s]),
            RuleProblem::UnknownControl("NOPE-1".into())
        );

        let mut s = spec("secrets/a-b", "a", &["a"]);
        s.paths = vec!["a/[".into()];
        assert!(matches!(problem(vec![s]), RuleProblem::BadGlob { .. }));

        let mut s = spec("secrets/a-b", "a", &["a"]);
        s.requires = vec![RequiredRule {
            id: "secrets/c-d".into(),
            within_lines: 3,
        }];
        assert_eq!(
            problem(vec![s]),
            RuleProblem::UnknownRequiredRule("secrets/c-d".into())
        );

        let mut s = spec("secrets/a-b", "a", &["a"]);
        s.allowlist.regexes = vec!["[".into()];
        assert!(matches!(
            problem(vec![s]),
            RuleProblem::BadAllowlistRegex { .. }
        ));

        let mut s = spec("secrets/a-b", "a", &["a"]);
        s.entropy = Some(f64::NAN);
        assert!(matches!(problem(vec![s]), RuleProblem::BadEntropy(_)));

        assert_eq!(
            problem(vec![spec("secrets/a-b", "a", &[""])]),
            RuleProblem::EmptyKeyword
        );
        assert_eq!(
            problem(vec![
                spec("secrets/a-b", "a", &["a"]),
                spec("secrets/a-b", "b", &["b"])
            ]),
            RuleProblem::DuplicateId
        );
    }

    #[test]
    fn allowlists_match_paths_regexes_and_stopwords() {
        let list = CompiledAllowlist::new(
            &Allowlist {
                paths: vec!["**/fixtures/**".into()],
                regexes: vec!["^AKIA0{4}".into()],
                stopwords: vec!["Local".into()],
            },
            None,
        )
        .unwrap();
        assert!(list.allows_path("a/fixtures/b.txt"));
        assert!(!list.allows_path("src/main.rs"));
        assert!(list.allows_secret(b"AKIA0000ZZZZ"));
        assert!(list.allows_secret(b"abcLOCALdef"));
        assert!(!list.allows_secret(b"s3cr3tvalue"));
    }
}
