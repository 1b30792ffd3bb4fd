//! Which rules run and at what severity, from `[rules]` in shipgate.toml.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use shipgate_model::{Finding, LoadedConfig, Severity};
use toml::Spanned;

/// Compiled `[rules]` settings.
pub struct RuleSelection {
    enable: Vec<GlobMatcher>,
    disable: Vec<GlobMatcher>,
    severity: Vec<(GlobMatcher, Severity)>,
}

impl RuleSelection {
    /// Compiles the patterns in `loaded`, checking each against `known_ids` so
    /// a typo is an error at its line instead of a silently ignored setting.
    pub fn new(loaded: &LoadedConfig, known_ids: &[String]) -> anyhow::Result<Self> {
        let rules = &loaded.config.rules;
        let compile = |key: &str, pattern: &Spanned<String>| -> anyhow::Result<GlobMatcher> {
            let text = pattern.get_ref();
            let matcher = Glob::new(text)
                .map_err(|err| {
                    loaded.error_at(
                        pattern.span(),
                        format!("invalid pattern in rules.{key}: {err}"),
                    )
                })?
                .compile_matcher();
            if !known_ids.iter().any(|id| matcher.is_match(id)) {
                let hint = closest(text, known_ids)
                    .map(|id| format!("; did you mean `{id}`?"))
                    .unwrap_or_else(|| "; run `shipgate rules` to list rule ids".into());
                return Err(loaded
                    .error_at(
                        pattern.span(),
                        format!("rules.{key}: no rule matches `{text}`{hint}"),
                    )
                    .into());
            }
            Ok(matcher)
        };
        let enable = rules
            .enable
            .iter()
            .map(|p| compile("enable", p))
            .collect::<anyhow::Result<_>>()?;
        let disable = rules
            .disable
            .iter()
            .map(|p| compile("disable", p))
            .collect::<anyhow::Result<_>>()?;
        let severity = severity_overrides(&rules.severity)
            .map(|(pattern, level)| compile("severity", pattern).map(|m| (m, level)))
            .collect::<anyhow::Result<_>>()?;
        Ok(RuleSelection {
            enable,
            disable,
            severity,
        })
    }

    /// Whether the rule with `id` runs.
    pub fn is_enabled(&self, id: &str) -> bool {
        (self.enable.is_empty() || self.enable.iter().any(|m| m.is_match(id)))
            && !self.disable.iter().any(|m| m.is_match(id))
    }

    /// The configured severity for `id`, if overridden. The last matching
    /// pattern in file order wins, so specific ids can follow broad globs.
    pub fn severity_for(&self, id: &str) -> Option<Severity> {
        self.severity
            .iter()
            .rev()
            .find(|(m, _)| m.is_match(id))
            .map(|&(_, level)| level)
    }

    /// Applies severity overrides to `finding`.
    pub fn apply(&self, finding: &mut Finding) {
        if let Some(level) = self.severity_for(&finding.rule_id) {
            finding.severity = level;
        }
    }
}

fn severity_overrides(
    map: &BTreeMap<Spanned<String>, Severity>,
) -> impl Iterator<Item = (&Spanned<String>, Severity)> {
    let mut entries: Vec<_> = map.iter().map(|(k, &v)| (k, v)).collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries.into_iter()
}

/// The known id closest to `text`, if any is close enough to be a typo or
/// an abbreviation (`secrets/jwt` for `secrets/jwt-token`).
pub fn closest<'a>(text: &str, known: &'a [String]) -> Option<&'a str> {
    let typo = known
        .iter()
        .map(|id| (strsim::levenshtein(text, id), id))
        .filter(|&(distance, _)| distance <= 3)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, id)| id.as_str());
    typo.or_else(|| {
        known
            .iter()
            .filter(|id| id.starts_with(text))
            .min_by_key(|id| id.len())
            .map(String::as_str)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn ids() -> Vec<String> {
        [
            "secrets/aws-access-key-id",
            "secrets/aws-secret-access-key",
            "secrets/jwt",
        ]
        .map(String::from)
        .to_vec()
    }

    fn select(toml: &str) -> anyhow::Result<RuleSelection> {
        let loaded = LoadedConfig::parse(Path::new("shipgate.toml"), toml.into())?;
        RuleSelection::new(&loaded, &ids())
    }

    #[test]
    fn disable_and_enable_globs() {
        let s = select("[rules]\nenable = [\"secrets/aws-*\"]\ndisable = [\"secrets/aws-secret-access-key\"]\n")
            .unwrap();
        assert!(s.is_enabled("secrets/aws-access-key-id"));
        assert!(!s.is_enabled("secrets/aws-secret-access-key"));
        assert!(!s.is_enabled("secrets/jwt"));
    }

    #[test]
    fn later_severity_patterns_win() {
        let s =
            select("[rules.severity]\n\"secrets/*\" = \"low\"\n\"secrets/jwt\" = \"critical\"\n")
                .unwrap();
        assert_eq!(s.severity_for("secrets/jwt"), Some(Severity::Critical));
        assert_eq!(
            s.severity_for("secrets/aws-access-key-id"),
            Some(Severity::Low)
        );
    }

    #[test]
    fn abbreviations_suggest_the_shortest_completion() {
        let known = ["secrets/jwt-token", "secrets/jwt-unsigned"].map(String::from);
        assert_eq!(closest("secrets/jwt", &known), Some("secrets/jwt-token"));
        assert_eq!(closest("secrets/nothing-like-it", &known), None);
    }

    #[test]
    fn unknown_rule_is_an_error_with_position_and_hint() {
        let err = select("[rules]\ndisable = [\"secrets/jwtt\"]\n")
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(text.starts_with("shipgate.toml:2:12:"), "{text}");
        assert!(text.contains("did you mean `secrets/jwt`"), "{text}");
    }
}
