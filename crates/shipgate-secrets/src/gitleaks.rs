//! Importing a gitleaks v8 configuration as shipgate rules.
//!
//! Rules become `secrets/gitleaks-<id>` with high severity and medium
//! confidence. Whatever shipgate cannot express exactly is either
//! approximated in the direction of reporting more (never hiding findings)
//! or dropped, and each such case is explained in a warning. Only malformed
//! TOML is an error.

use regex_syntax::hir::{Class, Hir, HirKind, Look};
use shipgate_model::config::line_column;
use shipgate_model::secret_rule::{Allowlist, RequiredRule};
use shipgate_model::{Confidence, SecretRuleSpec, Severity};
use toml::{Table, Value};

use crate::compile::check_pattern;

/// Most globs one gitleaks path regex may expand into.
const MAX_GLOBS_PER_PATH: usize = 64;

/// The result of importing a gitleaks configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GitleaksImport {
    /// The imported rules, in file order.
    pub rules: Vec<SecretRuleSpec>,
    /// The global allowlist (`[allowlist]` and untargeted `[[allowlists]]`).
    pub allowlist: Allowlist,
    /// What was skipped or approximated, one sentence each.
    pub warnings: Vec<String>,
}

/// A gitleaks configuration that cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GitleaksError {
    /// The text is not valid TOML.
    #[error("{line}:{column}: {message}")]
    Toml {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A top-level section has the wrong shape (for example `rules` that is
    /// not an array of tables).
    #[error("`{key}` must be {expected}")]
    Shape {
        /// The key concerned.
        key: String,
        /// What it must be.
        expected: &'static str,
    },
}

/// Imports the gitleaks v8 configuration in `toml_text`.
pub fn import(toml_text: &str) -> Result<GitleaksImport, GitleaksError> {
    let table: Table = toml_text.parse().map_err(|err: toml::de::Error| {
        let (line, column) = err
            .span()
            .map_or((1, 1), |span| line_column(toml_text, span.start));
        GitleaksError::Toml {
            line,
            column,
            message: err.message().trim_end().to_owned(),
        }
    })?;
    let mut import = GitleaksImport::default();
    let mut targeted: Vec<(Vec<String>, Allowlist)> = Vec::new();
    for (key, value) in &table {
        match key.as_str() {
            "title" | "description" => {}
            "extend" => read_extend(value, &mut import.warnings),
            "rules" => {
                for (index, rule) in tables(value, "rules")?.into_iter().enumerate() {
                    if let Some(spec) = read_rule(rule, index, &import.rules, &mut import.warnings)
                    {
                        import.rules.push(spec);
                    }
                }
            }
            "allowlist" | "allowlists" => {
                let lists = match value {
                    Value::Table(list) => vec![list],
                    other => tables(other, key)?,
                };
                for list in lists {
                    let context = format!("global `[{key}]`");
                    let targets = strings(list.get("targetRules"), &context, &mut import.warnings);
                    let parsed = read_allowlist(list, &context, true, &mut import.warnings);
                    if targets.is_empty() {
                        merge(&mut import.allowlist, parsed);
                    } else {
                        targeted.push((targets, parsed));
                    }
                }
            }
            other => import
                .warnings
                .push(format!("unknown top-level key `{other}` ignored")),
        }
    }
    for (targets, list) in targeted {
        for target in targets {
            let id = shipgate_id(&target);
            match import.rules.iter_mut().find(|rule| rule.id == id) {
                Some(rule) => merge(&mut rule.allowlist, list.clone()),
                None => import.warnings.push(format!(
                    "an allowlist targets rule `{target}`, which was not imported; it is ignored"
                )),
            }
        }
    }
    let known: Vec<String> = import.rules.iter().map(|rule| rule.id.clone()).collect();
    for rule in &mut import.rules {
        rule.requires.retain(|required| {
            if required.id == rule.id {
                import.warnings.push(format!(
                    "rule `{}` requires itself; the requirement is dropped",
                    rule.id
                ));
                return false;
            }
            let exists = known.contains(&required.id);
            if !exists {
                import.warnings.push(format!(
                    "rule `{}` requires `{}`, which was not imported; the requirement is dropped",
                    rule.id, required.id
                ));
            }
            exists
        });
    }
    Ok(import)
}

/// The shipgate id of gitleaks rule `id`.
pub fn shipgate_id(id: &str) -> String {
    let mut slug = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    if slug.is_empty() {
        "secrets/gitleaks-rule".to_owned()
    } else {
        format!("secrets/gitleaks-{slug}")
    }
}

fn tables<'a>(value: &'a Value, key: &str) -> Result<Vec<&'a Table>, GitleaksError> {
    let shape = || GitleaksError::Shape {
        key: key.to_owned(),
        expected: "an array of tables",
    };
    value
        .as_array()
        .ok_or_else(shape)?
        .iter()
        .map(|item| item.as_table().ok_or_else(shape))
        .collect()
}

fn read_extend(value: &Value, warnings: &mut Vec<String>) {
    let Some(extend) = value.as_table() else {
        warnings.push("`[extend]` is not a table; ignored".into());
        return;
    };
    for (key, value) in extend {
        match key.as_str() {
            "useDefault" if value.as_bool() == Some(true) => warnings.push(
                "`[extend] useDefault` asks for gitleaks' default rules; shipgate's own built-in rules are used instead".into(),
            ),
            "useDefault" => {}
            "path" | "url" => warnings.push(format!(
                "`[extend] {key}` is not followed; import that file separately if its rules are wanted"
            )),
            "disabledRules" => warnings.push(
                "`[extend] disabledRules` names gitleaks default rules, which are not used; ignored".into(),
            ),
            other => warnings.push(format!("unknown key `extend.{other}` ignored")),
        }
    }
}

fn read_rule(
    rule: &Table,
    index: usize,
    imported: &[SecretRuleSpec],
    warnings: &mut Vec<String>,
) -> Option<SecretRuleSpec> {
    let Some(gitleaks_id) = rule.get("id").and_then(Value::as_str) else {
        warnings.push(format!("rule #{} has no `id`; skipped", index + 1));
        return None;
    };
    let context = format!("rule `{gitleaks_id}`");
    let mut id = shipgate_id(gitleaks_id);
    if imported.iter().any(|r| r.id == id) {
        let unique = (2..)
            .map(|n| format!("{id}-{n}"))
            .find(|candidate| imported.iter().all(|r| r.id != *candidate));
        if let Some(unique) = unique {
            warnings.push(format!(
                "{context}: id `{id}` is taken; imported as `{unique}`"
            ));
            id = unique;
        }
    }
    let Some(regex) = rule.get("regex").and_then(Value::as_str) else {
        warnings.push(format!(
            "{context} has no `regex` (path-only rules are not supported); skipped"
        ));
        return None;
    };
    let groups = match check_pattern(regex) {
        Ok(groups) => groups,
        Err(message) => {
            warnings.push(format!(
                "{context} skipped: its regex is not valid in shipgate's (Rust) regex syntax: {message}"
            ));
            return None;
        }
    };
    let description = rule
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tags = strings(rule.get("tags"), &context, warnings);
    let mut spec = SecretRuleSpec {
        id,
        title: if description.is_empty() {
            gitleaks_id.to_owned()
        } else {
            description.to_owned()
        },
        description: imported_description(gitleaks_id, description, &tags),
        regex: regex.to_owned(),
        keywords: keywords(rule.get("keywords"), &context, warnings),
        secret_group: None,
        entropy: None,
        severity: Severity::High,
        confidence: Confidence::Medium,
        controls: Vec::new(),
        paths: Vec::new(),
        requires: Vec::new(),
        allowlist: Allowlist::default(),
        examples: Default::default(),
    };
    spec.secret_group = secret_group(rule.get("secretGroup"), groups, &context, warnings)?;
    for (key, value) in rule {
        match key.as_str() {
            "id" | "regex" | "description" | "tags" | "keywords" | "secretGroup" => {}
            "entropy" => match value.as_float().or_else(|| value.as_integer().map(|i| i as f64)) {
                Some(entropy) if entropy > 0.0 && entropy <= 8.0 => spec.entropy = Some(entropy),
                Some(0.0) => {}
                _ => warnings.push(format!("{context}: `entropy` is not a number between 0 and 8; ignored")),
            },
            "path" => match value.as_str().map(path_regex_to_globs) {
                Some(Some(globs)) => spec.paths = globs,
                _ => warnings.push(format!(
                    "{context}: path regex {value} cannot be expressed as globs; the rule applies to every file"
                )),
            },
            "allowlist" => {
                if let Some(list) = value.as_table() {
                    let parsed = read_allowlist(list, &context, false, warnings);
                    merge(&mut spec.allowlist, parsed);
                }
            }
            "allowlists" => match tables(value, key) {
                Ok(lists) => {
                    for list in lists {
                        let parsed = read_allowlist(list, &context, false, warnings);
                        merge(&mut spec.allowlist, parsed);
                    }
                }
                Err(_) => warnings.push(format!("{context}: `allowlists` is not an array of tables; ignored")),
            },
            "required" => spec.requires = read_required(value, &context, warnings),
            "skipReport" if value.as_bool() == Some(true) => warnings.push(format!(
                "{context}: `skipReport` is not supported; the rule's own findings are reported too"
            )),
            "skipReport" => {}
            other => warnings.push(format!("{context}: unknown key `{other}` ignored")),
        }
    }
    Some(spec)
}

/// gitleaks takes the first non-empty group when `secretGroup` is unset;
/// shipgate takes one fixed group, so the first group is the closest.
fn secret_group(
    value: Option<&Value>,
    groups: usize,
    context: &str,
    warnings: &mut Vec<String>,
) -> Option<Option<usize>> {
    let configured = value.and_then(Value::as_integer).unwrap_or(0);
    match usize::try_from(configured) {
        Ok(0) if groups == 0 => Some(None),
        Ok(0) => {
            if groups > 1 {
                warnings.push(format!(
                    "{context}: without `secretGroup` gitleaks uses the first non-empty capture group; shipgate uses group 1"
                ));
            }
            Some(Some(1))
        }
        Ok(group) if group <= groups => Some(Some(group)),
        _ => {
            warnings.push(format!(
                "{context} skipped: `secretGroup = {configured}` but the regex has {groups} capture group(s)"
            ));
            None
        }
    }
}

fn imported_description(id: &str, description: &str, tags: &[String]) -> String {
    let mut text = format!("Imported from the gitleaks rule `{id}`.");
    if !description.is_empty() {
        text.push(' ');
        text.push_str(description.trim_end_matches('.'));
        text.push('.');
    }
    if !tags.is_empty() {
        text.push_str(&format!(" Tags: {}.", tags.join(", ")));
    }
    text
}

/// The rule's keywords without empty ones, which would match everywhere.
fn keywords(value: Option<&Value>, context: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let mut keywords = strings(value, context, warnings);
    if keywords.iter().any(String::is_empty) {
        warnings.push(format!("{context}: empty keywords ignored"));
        keywords.retain(|keyword| !keyword.is_empty());
    }
    keywords
}

fn read_required(value: &Value, context: &str, warnings: &mut Vec<String>) -> Vec<RequiredRule> {
    let Ok(items) = tables(value, "required") else {
        warnings.push(format!(
            "{context}: `required` is not an array of tables; ignored"
        ));
        return Vec::new();
    };
    let mut required = Vec::new();
    for item in items {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            warnings.push(format!(
                "{context}: a `[[rules.required]]` entry has no `id`; ignored"
            ));
            continue;
        };
        if item.contains_key("withinColumns") {
            warnings.push(format!(
                "{context}: `withinColumns` for `{id}` is not supported; only the line distance is checked"
            ));
        }
        // Without a line limit gitleaks accepts the companion anywhere in
        // the file, which the largest distance expresses.
        let within_lines = item
            .get("withinLines")
            .and_then(Value::as_integer)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(u32::MAX);
        required.push(RequiredRule {
            id: shipgate_id(id),
            within_lines,
        });
    }
    required
}

/// Reads one gitleaks allowlist. Criteria shipgate cannot apply are
/// dropped; where that would make an `AND` allowlist broader, the whole
/// allowlist is dropped instead, so imports never hide more than gitleaks.
fn read_allowlist(
    list: &Table,
    context: &str,
    global: bool,
    warnings: &mut Vec<String>,
) -> Allowlist {
    let mut allowlist = Allowlist::default();
    let condition_and = list
        .get("condition")
        .and_then(Value::as_str)
        .is_some_and(|c| c.eq_ignore_ascii_case("and") || c == "&&");
    let target = list
        .get("regexTarget")
        .and_then(Value::as_str)
        .unwrap_or("secret");
    let mut dropped_criterion = false;
    let mut kinds = 0;
    for (key, value) in list {
        match key.as_str() {
            "description" | "condition" | "regexTarget" => {}
            "targetRules" if global => {}
            "commits" => {
                kinds += 1;
                dropped_criterion = true;
                warnings.push(format!(
                    "{context}: allowlisted commits are ignored (shipgate applies allowlists to content, not commits)"
                ));
            }
            "paths" => {
                kinds += 1;
                for path in strings(Some(value), context, warnings) {
                    match path_regex_to_globs(&path) {
                        Some(globs) => allowlist.paths.extend(globs),
                        None => {
                            dropped_criterion = true;
                            warnings.push(format!(
                                "{context}: allowlisted path regex `{path}` cannot be expressed as globs; ignored"
                            ));
                        }
                    }
                }
            }
            "regexes" => {
                kinds += 1;
                for regex in strings(Some(value), context, warnings) {
                    if !target.eq_ignore_ascii_case("secret") {
                        dropped_criterion = true;
                        warnings.push(format!(
                            "{context}: allowlist regex `{regex}` targets the {target}; shipgate tests allowlist regexes against the secret only, so it is ignored"
                        ));
                    } else if let Err(message) = check_pattern(&regex) {
                        dropped_criterion = true;
                        warnings.push(format!(
                            "{context}: allowlist regex `{regex}` is invalid ({message}); ignored"
                        ));
                    } else {
                        allowlist.regexes.push(regex);
                    }
                }
            }
            "stopwords" => {
                kinds += 1;
                allowlist
                    .stopwords
                    .extend(strings(Some(value), context, warnings));
            }
            other => warnings.push(format!(
                "{context}: unknown allowlist key `{other}` ignored"
            )),
        }
    }
    if condition_and && kinds > 1 {
        warnings.push(format!(
            "{context}: an allowlist with `condition = \"AND\"` over several criteria cannot be expressed (shipgate drops a finding when any criterion matches); it is ignored"
        ));
        return Allowlist::default();
    }
    if condition_and && dropped_criterion {
        return Allowlist::default();
    }
    allowlist
}

fn merge(into: &mut Allowlist, from: Allowlist) {
    into.paths.extend(from.paths);
    into.regexes.extend(from.regexes);
    into.stopwords.extend(from.stopwords);
}

fn strings(value: Option<&Value>, context: &str, warnings: &mut Vec<String>) -> Vec<String> {
    let Some(value) = value else {
        return Vec::new();
    };
    match value.as_array() {
        Some(items) => items
            .iter()
            .filter_map(|item| {
                let text = item.as_str().map(str::to_owned);
                if text.is_none() {
                    warnings.push(format!("{context}: non-string list item {item} ignored"));
                }
                text
            })
            .collect(),
        None => {
            warnings.push(format!(
                "{context}: expected a list of strings, found {value}; ignored"
            ));
            Vec::new()
        }
    }
}

/// One piece of a path pattern on its way to becoming a glob.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Start,
    End,
    Text(String),
    AnyRun,
    AnyOne,
}

/// Globs matching the same paths as the gitleaks path regex `pattern`
/// (matched unanchored against the relative path), when the regex only uses
/// literals, `.`, `.*`, simple classes, anchors, optional parts and
/// alternation.
pub fn path_regex_to_globs(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let sequences = pieces(&hir)?;
    sequences.iter().map(|sequence| glob_of(sequence)).collect()
}

fn pieces(hir: &Hir) -> Option<Vec<Vec<Piece>>> {
    let sequences = match hir.kind() {
        HirKind::Empty => vec![Vec::new()],
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0).ok()?;
            // A backslash is an escape in globs on some platforms; rare in
            // paths, so such patterns are not translated.
            if text.contains('\\') {
                return None;
            }
            vec![vec![Piece::Text(escape_glob(text))]]
        }
        HirKind::Class(class) => vec![vec![class_piece(class)?]],
        HirKind::Look(Look::Start | Look::StartLF) => vec![vec![Piece::Start]],
        HirKind::Look(Look::End | Look::EndLF) => vec![vec![Piece::End]],
        HirKind::Look(_) => return None,
        HirKind::Capture(capture) => pieces(&capture.sub)?,
        HirKind::Repetition(repetition) => {
            let any = matches!(repetition.sub.kind(), HirKind::Class(class) if matches_any(class));
            match (repetition.min, repetition.max) {
                (0, None) if any => vec![vec![Piece::AnyRun]],
                (1, None) if any => vec![vec![Piece::AnyOne, Piece::AnyRun]],
                (0, Some(1)) => {
                    let mut optional = vec![Vec::new()];
                    optional.extend(pieces(&repetition.sub)?);
                    optional
                }
                _ => return None,
            }
        }
        HirKind::Concat(parts) => {
            let mut sequences = vec![Vec::new()];
            for part in parts {
                let options = pieces(part)?;
                let mut next = Vec::new();
                for prefix in &sequences {
                    for option in &options {
                        let mut joined: Vec<Piece> = prefix.clone();
                        joined.extend(option.iter().cloned());
                        next.push(joined);
                    }
                }
                if next.len() > MAX_GLOBS_PER_PATH {
                    return None;
                }
                sequences = next;
            }
            sequences
        }
        HirKind::Alternation(branches) => {
            let mut sequences = Vec::new();
            for branch in branches {
                sequences.extend(pieces(branch)?);
            }
            sequences
        }
    };
    (sequences.len() <= MAX_GLOBS_PER_PATH).then_some(sequences)
}

fn glob_of(sequence: &[Piece]) -> Option<String> {
    let anchored_start = sequence.first() == Some(&Piece::Start);
    let anchored_end = sequence.last() == Some(&Piece::End);
    let inner = &sequence[usize::from(anchored_start)..sequence.len() - usize::from(anchored_end)];
    let mut glob = String::new();
    if !anchored_start {
        glob.push('*');
    }
    for piece in inner {
        match piece {
            Piece::Text(text) => glob.push_str(text),
            Piece::AnyRun => glob.push('*'),
            Piece::AnyOne => glob.push('?'),
            // An anchor in the middle can only match at a path's edge,
            // which a glob cannot say.
            Piece::Start | Piece::End => return None,
        }
    }
    if !anchored_end {
        glob.push('*');
    }
    // `**` and `*` mean the same to an unanchored match; keep it tidy.
    while glob.contains("**") {
        glob = glob.replace("**", "*");
    }
    Some(glob)
}

fn escape_glob(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            escaped.push('[');
            escaped.push(c);
            escaped.push(']');
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// Whether `class` matches every byte but perhaps the newline, as `.` does.
fn matches_any(class: &Class) -> bool {
    let count: usize = match class {
        Class::Bytes(bytes) => bytes
            .ranges()
            .iter()
            .map(|r| usize::from(r.end() - r.start()) + 1)
            .sum(),
        Class::Unicode(unicode) => unicode
            .ranges()
            .iter()
            .map(|r| (u32::from(r.end()) - u32::from(r.start())) as usize + 1)
            .sum(),
    };
    count >= 255
}

/// A glob character class for a small class of plain ASCII characters.
fn class_piece(class: &Class) -> Option<Piece> {
    if matches_any(class) {
        return Some(Piece::AnyOne);
    }
    let Class::Bytes(bytes) = class else {
        return None;
    };
    let mut members = String::new();
    for range in bytes.ranges() {
        let (start, end) = (char::from(range.start()), char::from(range.end()));
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/');
        if !plain(start) || !plain(end) {
            return None;
        }
        members.push(start);
        if end != start {
            members.push('-');
            members.push(end);
        }
    }
    Some(Piece::Text(format!("[{members}]")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SecretScanner, SecretsOptions};
    use globset::Glob;
    use shipgate_model::SourceFile;

    const CONFIG: &str = r#"
title = "acme gitleaks config"

[extend]
useDefault = true

[allowlist]
description = "global"
paths = ['''(^|/)vendor/''', '''(.*?)(jpg|png)$''', '''\bweird\b''']
stopwords = ["sandbox"]

[[rules]]
id = "acme-api-token"
description = "Acme API token"
regex = '''acme_(?:live|test)_([a-z0-9]{24})'''
keywords = ["acme_live", "acme_test"]
entropy = 3.0
tags = ["acme", "api"]
path = '''\.(env|ini)$'''

[rules.allowlist]
regexes = ['''^0{24}$''']

[[rules]]
id = "acme secret"
description = "Acme secret near token"
regex = '''acme_secret\s*=\s*([A-Za-z0-9]{32})'''
secretGroup = 1
keywords = ["acme_secret"]
unknownThing = 1

[[rules.required]]
id = "acme-api-token"
withinLines = 3
withinColumns = 10

[[rules.allowlists]]
condition = "AND"
paths = ['''tests/''']
stopwords = ["fixture"]

[[rules]]
id = "look-around"
regex = '''(?<=x)secret'''

[[rules]]
id = "path-only"
path = '''\.pem$'''

[[allowlists]]
targetRules = ["acme-api-token"]
stopwords = ["staging"]

[[allowlists]]
targetRules = ["missing-rule"]
stopwords = ["x"]
"#;

    #[test]
    fn rules_allowlists_and_warnings_are_imported() {
        let import = import(CONFIG).unwrap();
        let ids: Vec<&str> = import.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "secrets/gitleaks-acme-api-token",
                "secrets/gitleaks-acme-secret"
            ]
        );

        let token = &import.rules[0];
        assert_eq!(token.title, "Acme API token");
        assert_eq!(
            (token.severity, token.confidence),
            (Severity::High, Confidence::Medium)
        );
        assert_eq!(token.secret_group, Some(1));
        assert_eq!(token.entropy, Some(3.0));
        assert_eq!(token.keywords, ["acme_live", "acme_test"]);
        assert_eq!(token.paths, ["*.env", "*.ini"]);
        assert_eq!(token.allowlist.regexes, ["^0{24}$"]);
        assert_eq!(token.allowlist.stopwords, ["staging"]);
        assert!(
            token.description.contains("Tags: acme, api."),
            "{}",
            token.description
        );

        let secret = &import.rules[1];
        assert_eq!(
            secret.requires,
            [RequiredRule {
                id: "secrets/gitleaks-acme-api-token".into(),
                within_lines: 3
            }]
        );
        // The AND allowlist spans two criteria, so it is dropped, not widened.
        assert_eq!(secret.allowlist, Allowlist::default());

        assert_eq!(
            import.allowlist.paths,
            ["vendor/*", "*/vendor/*", "*jpg", "*png"]
        );
        assert_eq!(import.allowlist.stopwords, ["sandbox"]);

        let warnings = import.warnings.join("\n");
        for expected in [
            "useDefault",
            "`\\bweird\\b` cannot be expressed as globs",
            "unknown key `unknownThing`",
            "withinColumns",
            "condition = \"AND\"",
            "rule `look-around` skipped: its regex is not valid",
            "rule `path-only` has no `regex`",
            "targets rule `missing-rule`",
        ] {
            assert!(
                warnings.contains(expected),
                "missing warning {expected:?} in:\n{warnings}"
            );
        }
    }

    #[test]
    fn imported_rules_compile_and_find_secrets() {
        let import = import(CONFIG).unwrap();
        let scanner = SecretScanner::new(
            import.rules,
            SecretsOptions {
                report_placeholders: false,
                allowlist: import.allowlist,
            },
        )
        .unwrap();
        let found = |path: &str, text: &str| {
            scanner
                .scan_file(&SourceFile {
                    path,
                    content: text.as_bytes(),
                })
                .into_iter()
                .map(|f| f.rule_id)
                .collect::<Vec<_>>()
        };
        let text =
            "acme_live_k3j9x8v7q2w1m5n4r8t2y6u0\nacme_secret = Qz3mXvR8tLw2Yp7Hc1Nf5Ds0Ue4JbGi6\n";
        assert_eq!(
            found("app/.env", text),
            [
                "secrets/gitleaks-acme-api-token",
                "secrets/gitleaks-acme-secret"
            ]
        );
        // Outside `.env`/`.ini` the token rule does not run, so the secret
        // rule misses its required companion too.
        assert!(found("app/config.yaml", text).is_empty());
        assert!(found("vendor/lib/.env", text).is_empty());
    }

    #[test]
    fn go_regex_idioms_compile() {
        let config = r#"
[[rules]]
id = "inline-flags"
regex = '''\b(zq7-(?i)[a-z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)'''
keywords = ["zq7-"]

[[rules]]
id = "scoped-flags"
regex = '''\b((?:sc|ext)_(?i)[a-z0-9]{5,30}\.(?-i:acc)[_-][a-z0-9]{10,32})\z'''
keywords = ["sc_", "ext_"]

[[rules]]
id = "posix-classes"
regex = '''tok_[[:alnum:]]{20}'''
keywords = ["tok_"]
"#;
        let import = import(config).unwrap();
        assert_eq!(import.rules.len(), 3, "{:?}", import.warnings);
        assert!(import.warnings.is_empty(), "{:?}", import.warnings);
        let scanner = SecretScanner::new(import.rules, SecretsOptions::default()).unwrap();
        let findings = scanner.scan_file(&SourceFile {
            path: "a.txt",
            content: b"key=zq7-K3J9X8V7Q2W1M5N4R8T2Y6U0P4L7H3D9 tok_k3J9x8V7q2W1m5N4r8T2",
        });
        let ids: Vec<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "secrets/gitleaks-inline-flags",
                "secrets/gitleaks-posix-classes"
            ]
        );
    }

    #[test]
    fn malformed_toml_reports_line_and_column() {
        let err = import("[[rules]]\nid = \"x\"\nregex = = 'a'\n").unwrap_err();
        assert!(
            matches!(err, GitleaksError::Toml { line: 3, .. }),
            "{err:?}"
        );
        let err = import("rules = 5\n").unwrap_err();
        assert_eq!(err.to_string(), "`rules` must be an array of tables");
    }

    #[test]
    fn ids_become_kebab_case_under_the_gitleaks_prefix() {
        assert_eq!(
            shipgate_id("generic-api-key"),
            "secrets/gitleaks-generic-api-key"
        );
        assert_eq!(
            shipgate_id("AWS_Access Token"),
            "secrets/gitleaks-aws-access-token"
        );
        assert_eq!(shipgate_id("--"), "secrets/gitleaks-rule");
        let import =
            import("[[rules]]\nid = \"a b\"\nregex = 'x'\n[[rules]]\nid = \"a-b\"\nregex = 'y'\n")
                .unwrap();
        let ids: Vec<&str> = import.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["secrets/gitleaks-a-b", "secrets/gitleaks-a-b-2"]);
    }

    #[test]
    fn self_requirements_and_empty_keywords_are_dropped() {
        let import = import(
            "[[rules]]\nid='a'\nregex='x'\nkeywords=['', 'x']\n[[rules.required]]\nid='a'\n",
        )
        .unwrap();
        assert_eq!(import.rules[0].keywords, ["x"]);
        assert!(import.rules[0].requires.is_empty());
        assert_eq!(import.warnings.len(), 2, "{:?}", import.warnings);
        assert!(SecretScanner::new(import.rules, SecretsOptions::default()).is_ok());
    }

    #[test]
    fn secret_groups_follow_gitleaks_defaults() {
        let rules = |toml: &str| import(toml).unwrap().rules;
        assert_eq!(
            rules("[[rules]]\nid='a'\nregex='x(y)'\n")[0].secret_group,
            Some(1)
        );
        assert_eq!(
            rules("[[rules]]\nid='a'\nregex='xy'\n")[0].secret_group,
            None
        );
        assert_eq!(
            rules("[[rules]]\nid='a'\nregex='(x)(y)'\nsecretGroup=2\n")[0].secret_group,
            Some(2)
        );
        assert!(rules("[[rules]]\nid='a'\nregex='(x)'\nsecretGroup=3\n").is_empty());
    }

    #[test]
    fn path_regexes_become_equivalent_globs() {
        /// Regex, expected globs, paths both match, paths neither matches.
        type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);
        let cases: &[Case] = &[
            (
                r"gitleaks\.toml",
                &["*gitleaks.toml*"],
                &["a/gitleaks.toml"],
                &["gitleaks_toml"],
            ),
            (
                r"(go.mod|go.sum)$",
                &["*go?mod", "*go?sum"],
                &["x/go.sum"],
                &["go.sum.bak"],
            ),
            (r"^\.?env$", &["env", ".env"], &[".env"], &["a/.env"]),
            (
                r"(?i)\.tf$",
                &["*.[Tt][Ff]"],
                &["main.TF"],
                &["main.tfvars"],
            ),
            (
                r"^docs/.+\.md$",
                &["docs/?*.md"],
                &["docs/a/b.md"],
                &["src/docs/a.md"],
            ),
        ];
        for (regex, globs, matching, other) in cases {
            let converted = path_regex_to_globs(regex).unwrap_or_default();
            assert_eq!(&converted, globs, "{regex}");
            let regex = regex::Regex::new(regex).unwrap();
            for glob in globs.iter() {
                let matcher = Glob::new(glob).unwrap().compile_matcher();
                for path in *matching {
                    assert!(regex.is_match(path), "{regex} vs {path}");
                }
                for path in *other {
                    assert!(
                        !regex.is_match(path) && !matcher.is_match(path),
                        "{glob} vs {path}"
                    );
                }
            }
            let set: Vec<_> = globs
                .iter()
                .map(|g| Glob::new(g).unwrap().compile_matcher())
                .collect();
            for path in *matching {
                assert!(set.iter().any(|m| m.is_match(path)), "{globs:?} vs {path}");
            }
        }
        assert_eq!(path_regex_to_globs(r"\bx\b"), None);
        assert_eq!(path_regex_to_globs(r"a{2,3}"), None);
        assert_eq!(path_regex_to_globs(r"a^b"), None);
        assert_eq!(path_regex_to_globs(r"a\\b"), None);
        let odd = path_regex_to_globs(r"^a\[\]\{\}\*\?!$").unwrap();
        assert_eq!(odd, ["a[[][]][{][}][*][?]!"]);
        let matcher = Glob::new(&odd[0]).unwrap().compile_matcher();
        assert!(matcher.is_match("a[]{}*?!"));
        assert!(!matcher.is_match("a[]{}xy!"));
    }
}
