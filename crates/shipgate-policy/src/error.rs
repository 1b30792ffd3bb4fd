//! Everything that can go wrong while loading or evaluating policies.

use std::path::PathBuf;

/// The rules a policy must declare at least one of, in the order they are evaluated.
pub const DECISION_RULES: [&str; 3] = ["deny", "violation", "warn"];

/// Why a policy set could not be built or evaluated.
///
/// Every message says what went wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A policy file could not be read from disk.
    #[error("failed to read policy file `{}`: {source}\n  hint: check that the path exists and is a readable UTF-8 text file", path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system reported.
        source: std::io::Error,
    },

    /// No policy module was given at all.
    #[error("no policy was given\n  hint: pass at least one `.rego` file")]
    NoPolicies,

    /// Two modules were given the same name, so errors could not tell them apart.
    #[error("policy `{name}` was given more than once\n  hint: pass each policy file only once")]
    DuplicateSource {
        /// The repeated name.
        name: String,
    },

    /// A module is not valid Rego in either syntax version.
    #[error("{}", syntax_message(.file, *.line, *.column, .message, .excerpt))]
    Syntax {
        /// The name the module was loaded under (its path for files).
        file: String,
        /// 1-based line of the error, when the parser reported one.
        line: Option<u32>,
        /// 1-based column of the error, when the parser reported one.
        column: Option<u32>,
        /// The parser's own description of the problem.
        message: String,
        /// The offending source line with a caret under the column, as the parser drew it.
        excerpt: String,
    },

    /// The policies load, but none of them can produce a decision.
    #[error(
        "no package in {} declares a `deny`, `violation` or `warn` rule, so the policy can never fail or warn\n  hint: add a rule such as `deny contains msg if {{ ... }}` to one of the packages ({})",
        sources.join(", "),
        packages.join(", ")
    )]
    NoDecisionRules {
        /// Names of the modules that were loaded.
        sources: Vec<String>,
        /// Packages those modules declare.
        packages: Vec<String>,
    },

    /// The engine could not report on modules it had just parsed.
    #[error(
        "the policy engine failed to describe the loaded modules: {message}\n  hint: this is a defect in shipgate; please report it together with the policy"
    )]
    Engine {
        /// What the engine reported.
        message: String,
    },

    /// The `data` document could not be added to the policies.
    #[error(
        "the data document was rejected: {message}\n  hint: `data` must be a JSON object whose keys do not clash with values already given"
    )]
    Data {
        /// What the engine reported.
        message: String,
    },

    /// The input document given as text is not JSON.
    #[error(
        "the policy input is not valid JSON: {message}\n  hint: pass a JSON document, such as the attestations printed by `shipgate verify --format json`"
    )]
    Input {
        /// What the JSON parser reported.
        message: String,
    },

    /// A rule failed at evaluation time: a type error, a builtin that is not available, a
    /// conflict between rule values, or a time limit.
    #[error(
        "evaluating `{rule}` in package `{package}` failed: {message}\n  hint: see docs/policy.md for the builtins this build lacks and for the expected input document"
    )]
    Evaluation {
        /// The package of the failing rule.
        package: String,
        /// The rule that was being evaluated.
        rule: String,
        /// What the engine reported.
        message: String,
    },

    /// A decision rule produced a value that is neither a boolean nor a collection of messages.
    #[error(
        "`{rule}` in package `{package}` produced {found}, which is not a decision\n  hint: make `{rule}` a set or array of strings or of objects with a string `msg` field, or a boolean"
    )]
    RuleValue {
        /// The package of the rule.
        package: String,
        /// The rule name.
        rule: String,
        /// A short description of the offending value.
        found: String,
    },
}

fn syntax_message(
    file: &str,
    line: Option<u32>,
    column: Option<u32>,
    message: &str,
    excerpt: &str,
) -> String {
    let place = match (line, column) {
        (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
        _ => String::new(),
    };
    let excerpt = if excerpt.is_empty() {
        String::new()
    } else {
        format!("\n{excerpt}")
    };
    format!(
        "policy `{file}` is not valid Rego{place}: {message}{excerpt}\n  hint: policies are read as Rego v1 (`deny contains msg if {{ ... }}`); a file that only parses as Rego v0 (`deny[msg] {{ ... }}`) is read as v0"
    )
}
