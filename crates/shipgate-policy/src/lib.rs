//! Policy as code: Rego policies evaluated over a JSON input document.
//!
//! A [`PolicySet`] holds one or more Rego modules, parsed once. [`PolicySet::evaluate`] runs
//! the conftest-style decision rules of every package (`deny`, `violation`, `warn`) over an
//! input document and returns a [`Decision`]. See `docs/policy.md` for the conventions.
//!
//! Syntax versions: each module is read as Rego v1 first (the language of OPA 1.x). When v1
//! rejects it only because a rule body lacks `if` (the mark of v0 syntax) and the module
//! parses as Rego v0, it is read as v0, so older conftest policies keep working. A module that
//! imports `rego.v1` is always v1. Modules of both versions can be mixed in one set.

mod decision;
mod error;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use regorus::Engine;
use regorus::utils::limits::ExecutionTimerConfig;

pub use decision::{Decision, Violation};
pub use error::{DECISION_RULES, PolicyError};

/// How many units of evaluation work pass between two looks at the clock when a time limit
/// is set; checking on every step would slow evaluation down for no gain in precision.
const TIME_CHECK_INTERVAL: NonZeroU32 = NonZeroU32::new(256).expect("constant is non-zero");

/// What the Rego v1 parser says about a rule body without `if`, the one v1 requirement
/// every v0 policy breaks.
const V0_MARKER: &str = "`if` keyword is required";

/// One or more Rego modules, parsed once and evaluated many times.
#[derive(Clone)]
pub struct PolicySet {
    engine: Engine,
    packages: Vec<Package>,
}

/// A package and the decision rules any of its modules declare.
#[derive(Debug, Clone)]
struct Package {
    name: String,
    rule_path: String,
    rules: Vec<&'static str>,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PolicySet")
            .field("packages", &self.packages)
            .finish_non_exhaustive()
    }
}

impl PolicySet {
    /// Parses each (name, source) pair; a syntax error names the file, line and column and
    /// says what the parser reported.
    ///
    /// Names must be unique: they are how errors point at a module. At least one package must
    /// declare `deny`, `violation` or `warn`.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, PolicyError> {
        let mut engine = Engine::new();
        // A failing builtin must fail the check rather than quietly leave a `deny` undefined.
        engine.set_strict_builtin_errors(true);
        // `print` output belongs to the caller, not to this process's stderr.
        engine.set_gather_prints(true);
        let mut names: Vec<String> = Vec::new();
        for (name, text) in sources {
            if names.contains(&name) {
                return Err(PolicyError::DuplicateSource { name });
            }
            add_module(&mut engine, &name, text)?;
            names.push(name);
        }
        if names.is_empty() {
            return Err(PolicyError::NoPolicies);
        }
        let packages = decision_packages(&engine)?;
        if packages.iter().all(|package| package.rules.is_empty()) {
            return Err(PolicyError::NoDecisionRules {
                sources: names,
                packages: packages.into_iter().map(|package| package.name).collect(),
            });
        }
        Ok(Self { engine, packages })
    }

    /// Reads and parses files; each module is named by its path as given.
    pub fn from_files(paths: &[PathBuf]) -> Result<Self, PolicyError> {
        let sources = paths
            .iter()
            .map(|path| {
                std::fs::read_to_string(path)
                    .map(|text| (path.display().to_string(), text))
                    .map_err(|source| PolicyError::Read {
                        path: path.clone(),
                        source,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_sources(sources)
    }

    /// Adds a `data` document (a JSON object) that policies read as `data.<key>`.
    ///
    /// Several documents can be added; they are merged, and conflicting values are an error.
    pub fn with_data(mut self, data: serde_json::Value) -> Result<Self, PolicyError> {
        self.engine
            .add_data(regorus::Value::from(data))
            .map_err(|error| PolicyError::Data {
                message: error.to_string(),
            })?;
        Ok(self)
    }

    /// Stops any single evaluation that runs longer than `limit` with
    /// [`PolicyError::Evaluation`], so a runaway policy cannot stall a pipeline.
    pub fn with_time_limit(mut self, limit: Duration) -> Self {
        self.engine
            .set_execution_timer_config(ExecutionTimerConfig {
                limit,
                check_interval: TIME_CHECK_INTERVAL,
            });
        self
    }

    /// Packages declared by the modules (e.g. "main", "shipgate.verify"), sorted, each once.
    pub fn packages(&self) -> Vec<String> {
        self.packages
            .iter()
            .map(|package| package.name.clone())
            .collect()
    }

    /// Evaluates the conftest-style rules `deny`, `violation` and `warn` of every package
    /// over `input` (and the `data` document, if one was added).
    ///
    /// Each rule may be a set or array of strings or of objects with a `msg` field, or a
    /// boolean. Denials and warnings come in package order, then rule order, then the order
    /// of the rule's value (sets are sorted).
    pub fn evaluate(&self, input: &serde_json::Value) -> Result<Decision, PolicyError> {
        let mut engine = self.engine.clone();
        engine.set_input(regorus::Value::from(input.clone()));
        let mut decision = Decision::default();
        for package in &self.packages {
            for &rule in &package.rules {
                let evaluation_error = |message: String| PolicyError::Evaluation {
                    package: package.name.clone(),
                    rule: rule.to_owned(),
                    message,
                };
                let value = engine
                    .eval_rule(format!("{}.{rule}", package.rule_path))
                    .map_err(|error| evaluation_error(error.to_string()))?;
                if value == regorus::Value::Undefined {
                    continue;
                }
                let value = serde_json::to_value(&value)
                    .map_err(|error| evaluation_error(error.to_string()))?;
                let found = decision::violations_from_value(&package.name, rule, value)?;
                if rule == "warn" {
                    decision.warnings.extend(found);
                } else {
                    decision.denials.extend(found);
                }
            }
        }
        decision.prints = engine.take_prints().map_err(|error| PolicyError::Engine {
            message: error.to_string(),
        })?;
        Ok(decision)
    }

    /// Like [`PolicySet::evaluate`], for an input document still in JSON text form.
    pub fn evaluate_json(&self, input: &str) -> Result<Decision, PolicyError> {
        let input = serde_json::from_str(input).map_err(|error| PolicyError::Input {
            message: error.to_string(),
        })?;
        self.evaluate(&input)
    }
}

/// Parses one module as Rego v1, falling back to v0 when v1 rejects a rule body for lacking
/// `if` and the module parses as v0.
fn add_module(engine: &mut Engine, name: &str, text: String) -> Result<(), PolicyError> {
    check_nesting(name, &text)?;
    engine.set_rego_v0(false);
    let v1_error = match engine.add_policy(name.to_owned(), text.clone()) {
        Ok(_) => return Ok(()),
        Err(error) => SyntaxReport::from_engine_error(error.to_string()),
    };
    // Only a missing `if` marks a module as v0-style; any other error is a plain mistake and
    // is reported as such, without a second parse that would blame different text.
    if !v1_error.message.contains(V0_MARKER) {
        return Err(v1_error.into_error(name));
    }
    engine.set_rego_v0(true);
    let v0_result = engine.add_policy(name.to_owned(), text);
    engine.set_rego_v0(false);
    let v0_error = match v0_result {
        Ok(_) => return Ok(()),
        Err(error) => SyntaxReport::from_engine_error(error.to_string()),
    };
    // The reading that got further into the file is the likelier intent; ties go to v1.
    let report = if v0_error.position() > v1_error.position() {
        v0_error
    } else {
        v1_error
    };
    Err(report.into_error(name))
}

/// The deepest bracket nesting a module may use. The Rego parser's time
/// doubles with each level of nested braces (about 70 ms at 13 levels in
/// a debug build), so a hostile or generated policy with a few dozen
/// levels would hang the verifier. Hand-written policies stay well below
/// this.
pub const MAX_NESTING: usize = 16;

/// Refuses modules nested deeper than [`MAX_NESTING`] before the parser
/// sees them. Brackets inside strings, raw strings and comments do not
/// count.
fn check_nesting(name: &str, text: &str) -> Result<(), PolicyError> {
    let mut depth = 0usize;
    let mut chars = text.chars();
    let (mut line, mut column) = (1u32, 0u32);
    let mut advance = |chars: &mut std::str::Chars<'_>| {
        let next = chars.next();
        match next {
            Some('\n') => {
                line += 1;
                column = 0;
            }
            Some(_) => column += 1,
            None => {}
        }
        next.map(|character| (character, line, column))
    };
    while let Some((character, at_line, at_column)) = advance(&mut chars) {
        match character {
            '#' => while advance(&mut chars).is_some_and(|(next, _, _)| next != '\n') {},
            '"' => {
                while let Some((next, _, _)) = advance(&mut chars) {
                    match next {
                        '\\' => {
                            advance(&mut chars);
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '`' => while advance(&mut chars).is_some_and(|(next, _, _)| next != '`') {},
            '{' | '[' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(PolicyError::Syntax {
                        file: name.to_owned(),
                        line: Some(at_line),
                        column: Some(at_column),
                        message: format!(
                            "brackets nest more than {MAX_NESTING} deep; split the rule into helper rules"
                        ),
                        excerpt: String::new(),
                    });
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A parse error taken apart: the engine reports `--> file:line:col`, a source excerpt with a
/// caret, and a final `error: message` line, all in one string.
struct SyntaxReport {
    line: Option<u32>,
    column: Option<u32>,
    message: String,
    excerpt: String,
}

impl SyntaxReport {
    fn from_engine_error(text: String) -> Self {
        let text = text.trim();
        let mut line = None;
        let mut column = None;
        let mut message = None;
        let mut excerpt = Vec::new();
        for part in text.lines() {
            if let Some(location) = part.strip_prefix("--> ") {
                let mut pieces = location.rsplitn(3, ':');
                column = pieces.next().and_then(|piece| piece.parse().ok());
                line = pieces.next().and_then(|piece| piece.parse().ok());
            } else if let Some(reported) = part.strip_prefix("error: ") {
                message = Some(reported.to_owned());
            } else if part.contains('|') {
                excerpt.push(part);
            }
        }
        match message {
            Some(message) => Self {
                line,
                column,
                message,
                excerpt: excerpt.join("\n"),
            },
            None => Self {
                line,
                column,
                message: text.to_owned(),
                excerpt: String::new(),
            },
        }
    }

    fn into_error(self, file: &str) -> PolicyError {
        PolicyError::Syntax {
            file: file.to_owned(),
            line: self.line,
            column: self.column,
            message: self.message,
            excerpt: self.excerpt,
        }
    }

    fn position(&self) -> (u32, u32) {
        (self.line.unwrap_or(0), self.column.unwrap_or(0))
    }
}

/// Groups modules by package and records which decision rules each package declares.
fn decision_packages(engine: &Engine) -> Result<Vec<Package>, PolicyError> {
    let declared = engine
        .get_policy_package_components()
        .map_err(|error| PolicyError::Engine {
            message: error.to_string(),
        })?;
    let mut packages: BTreeMap<Vec<String>, Vec<&'static str>> = BTreeMap::new();
    for module in &declared {
        let rules = packages.entry(module.components.clone()).or_default();
        for rule in DECISION_RULES {
            let has_rule = engine
                .has_declared_rule_rooted_at(&module.source_file, rule)
                .map_err(|error| PolicyError::Engine {
                    message: error.to_string(),
                })?;
            if has_rule && !rules.contains(&rule) {
                rules.push(rule);
            }
        }
    }
    Ok(packages
        .into_iter()
        .map(|(components, mut rules)| {
            rules.sort_by_key(|rule| DECISION_RULES.iter().position(|known| known == rule));
            Package {
                name: components.join("."),
                rule_path: rule_path(&components),
                rules,
            }
        })
        .collect())
}

/// The `data.…` reference of a package: plain names are dotted, anything else is quoted in
/// brackets so that `package graph["1.0.0"]` stays one component.
fn rule_path(components: &[String]) -> String {
    let mut path = String::from("data");
    for component in components {
        let plain = component
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
            && component
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '_');
        if plain {
            path.push('.');
            path.push_str(component);
        } else {
            path.push('[');
            path.push_str(&serde_json::Value::String(component.clone()).to_string());
            path.push(']');
        }
    }
    path
}
