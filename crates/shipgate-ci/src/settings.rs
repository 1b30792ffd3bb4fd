//! The audit settings, from `[ci]` in `shipgate.toml` and the command line.

use std::sync::Arc;

use shipgate_deps::osv::Advisory;
use shipgate_model::{CiConfig, Persona, PinPolicy};

/// Owners whose actions GitHub publishes and maintains.
const GITHUB_OWNED: &[&str] = &["actions", "github"];

/// What the audits are told by the user.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Findings for personas above this one are dropped.
    pub persona: Persona,
    /// `owner/repo` pattern and the pinning it needs.
    pub pinning: Vec<(String, PinPolicy)>,
    /// When non-empty, only matching `uses:` are allowed.
    pub allow_uses: Vec<String>,
    /// Matching `uses:` are forbidden.
    pub deny_uses: Vec<String>,
    /// Least Dependabot cooldown, in days.
    pub dependabot_cooldown_days: u32,
    /// Advisories of the OSV "GitHub Actions" ecosystem, from the local
    /// OSV database, that `github/known-vulnerable-actions` matches `uses:`
    /// against. Empty (the default) when there is no database: the audit
    /// then reports nothing.
    pub action_advisories: Arc<[Advisory]>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::from_config(&CiConfig::default())
    }
}

impl Settings {
    /// Settings from the configuration file's `[ci]` table.
    pub fn from_config(config: &CiConfig) -> Settings {
        Settings {
            persona: config.persona,
            pinning: config
                .pinning
                .iter()
                .map(|(pattern, policy)| (pattern.get_ref().clone(), *policy))
                .collect(),
            allow_uses: config
                .forbidden_uses
                .allow
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
            deny_uses: config
                .forbidden_uses
                .deny
                .iter()
                .map(|p| p.get_ref().clone())
                .collect(),
            dependabot_cooldown_days: config.dependabot_cooldown_days,
            action_advisories: Arc::default(),
        }
    }

    /// The pinning policy for `uses:` of `owner/repo[/path]`: the most
    /// specific (longest) matching pattern wins. Without a match, actions
    /// owned by GitHub itself (`actions`, `github`) may use a tag, since
    /// GitHub protects their release tags; everything else must be
    /// hash-pinned.
    pub fn pin_policy(&self, reference: &str) -> PinPolicy {
        let configured = self
            .pinning
            .iter()
            .filter(|(pattern, _)| glob_match(pattern, reference))
            .max_by_key(|(pattern, _)| pattern.len())
            .map(|(_, policy)| *policy);
        configured.unwrap_or_else(|| {
            let owner = reference.split('/').next().unwrap_or_default();
            if GITHUB_OWNED.iter().any(|o| o.eq_ignore_ascii_case(owner)) {
                PinPolicy::RefPin
            } else {
                PinPolicy::HashPin
            }
        })
    }
}

/// Case-insensitive match of `text` against `pattern`, where `*` matches any
/// run of characters (including `/`). A pattern without `*` and without `/`
/// also matches everything under that owner (`actions` matches
/// `actions/checkout`).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let text = text.to_ascii_lowercase();
    if !pattern.contains('*') && !pattern.contains('/') {
        return text.split('/').next() == Some(pattern.as_str());
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((first, rest)) = parts.split_first() else {
        return false;
    };
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_owners_repos_and_paths() {
        assert!(glob_match("actions/*", "actions/checkout"));
        assert!(glob_match("actions", "Actions/checkout"));
        assert!(!glob_match("actions", "actions-rs/toolchain"));
        assert!(glob_match("*/*", "a/b"));
        assert!(glob_match("org/repo", "org/repo"));
        assert!(!glob_match("org/repo", "org/repo2"));
        assert!(glob_match("org/*-action", "org/cache-action"));
    }

    #[test]
    fn the_most_specific_policy_wins() {
        let settings = Settings {
            pinning: vec![
                ("actions/*".into(), PinPolicy::RefPin),
                ("actions/cache".into(), PinPolicy::HashPin),
                ("*".into(), PinPolicy::Any),
            ],
            ..Settings::default()
        };
        assert_eq!(settings.pin_policy("actions/checkout"), PinPolicy::RefPin);
        assert_eq!(settings.pin_policy("actions/cache"), PinPolicy::HashPin);
        assert_eq!(settings.pin_policy("other/thing"), PinPolicy::Any);
        assert_eq!(Settings::default().pin_policy("x/y"), PinPolicy::HashPin);
        assert_eq!(
            Settings::default().pin_policy("actions/checkout"),
            PinPolicy::RefPin
        );
    }
}
