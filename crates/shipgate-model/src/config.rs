//! `shipgate.toml`: the project configuration, with errors that point at the
//! offending line and column.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use crate::secret_rule::{Allowlist, SecretRuleSpec};
use crate::severity::Severity;

/// File name looked up at the scan root.
pub const CONFIG_FILE_NAME: &str = "shipgate.toml";

/// Files larger than this are skipped (and noted) unless configured otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// The whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What to scan.
    #[serde(default)]
    pub scan: ScanConfig,
    /// Which rules run and how severe they are.
    #[serde(default)]
    pub rules: RulesConfig,
    /// Secret scanner settings.
    #[serde(default)]
    pub secrets: SecretsConfig,
    /// CI/CD configuration audit settings.
    #[serde(default)]
    pub ci: CiConfig,
    /// Dependency and vulnerability-database settings.
    #[serde(default)]
    pub deps: DepsConfig,
}

/// `[scan]`
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Files larger than this many bytes are skipped with a note.
    /// Accepts an integer or a string such as `"25 MiB"`.
    #[serde(default = "default_max_file_size", deserialize_with = "byte_size")]
    pub max_file_size: u64,
    /// Path globs (gitignore-style, relative to the root) never scanned.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Vec::new(),
        }
    }
}

fn default_max_file_size() -> u64 {
    DEFAULT_MAX_FILE_SIZE
}

/// `[rules]`
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// When non-empty, only rules matching one of these ids or globs run.
    #[serde(default)]
    pub enable: Vec<Spanned<String>>,
    /// Rules matching one of these ids or globs never run.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Severity overrides by rule id or glob.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Severity>,
}

/// `[secrets]`
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// A gitleaks TOML config whose rules and allowlists are imported.
    /// Relative paths are resolved against the config file's directory.
    #[serde(default)]
    pub extend: Option<Spanned<String>>,
    /// Report known documentation/placeholder values as `info` findings
    /// instead of dropping them.
    #[serde(default)]
    pub report_placeholders: bool,
    /// Extra rules, in the same schema as the built-in ones.
    #[serde(default)]
    pub rules: Vec<Spanned<SecretRuleSpec>>,
    /// Matches to drop for every secret rule.
    #[serde(default)]
    pub allowlist: Allowlist,
}

/// How much the CI audits report, from high-signal to exhaustive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Persona {
    /// Findings that are very likely real problems.
    #[default]
    Default,
    /// Adds code-smell and hygiene findings.
    Pedantic,
    /// Adds everything that needs a human to judge, such as expressions of
    /// unknown origin.
    Auditor,
}

/// How strictly a `uses:` reference must be pinned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinPolicy {
    /// Any reference, even none, is accepted.
    Any,
    /// A tag or branch is enough.
    RefPin,
    /// Only a full commit SHA is accepted.
    HashPin,
}

/// `[ci]`
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CiConfig {
    /// Which persona's findings are reported; `--pedantic` and `--auditor`
    /// override it.
    #[serde(default)]
    pub persona: Persona,
    /// Pinning policy per `owner/repo` pattern (`*` matches any run of
    /// characters, the most specific pattern wins); unmatched references
    /// must be hash-pinned.
    #[serde(default)]
    pub pinning: BTreeMap<Spanned<String>, PinPolicy>,
    /// Action and reusable-workflow references that are allowed or denied.
    #[serde(default)]
    pub forbidden_uses: ForbiddenUses,
    /// Minimum `cooldown` (days) Dependabot must wait before proposing a new
    /// release.
    #[serde(default = "default_dependabot_cooldown_days")]
    pub dependabot_cooldown_days: u32,
}

impl Default for CiConfig {
    fn default() -> Self {
        CiConfig {
            persona: Persona::Default,
            pinning: BTreeMap::new(),
            forbidden_uses: ForbiddenUses::default(),
            dependabot_cooldown_days: default_dependabot_cooldown_days(),
        }
    }
}

fn default_dependabot_cooldown_days() -> u32 {
    7
}

/// `[ci.forbidden-uses]`: `owner/repo` patterns (`*` wildcards). With an
/// allow list, everything else is forbidden; a deny list forbids only what
/// it names.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenUses {
    /// Only these may be used (when non-empty).
    #[serde(default)]
    pub allow: Vec<Spanned<String>>,
    /// These may never be used.
    #[serde(default)]
    pub deny: Vec<Spanned<String>>,
}

/// `[deps]`
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DepsConfig {
    /// A scan warns when the vulnerability database is older than this many
    /// days.
    #[serde(default = "default_max_db_age_days")]
    pub max_db_age_days: u32,
    /// A missing or stale database fails the scan instead of warning (as
    /// `--require-db` does).
    #[serde(default)]
    pub require_db: bool,
    /// Advisories accepted for a limited time.
    #[serde(default)]
    pub ignore: Vec<Spanned<AdvisoryIgnore>>,
}

impl Default for DepsConfig {
    fn default() -> Self {
        DepsConfig {
            max_db_age_days: default_max_db_age_days(),
            require_db: false,
            ignore: Vec::new(),
        }
    }
}

fn default_max_db_age_days() -> u32 {
    7
}

/// `[[deps.ignore]]`: one advisory accepted until a date, for a reason.
///
/// The expiry date is required: an acceptance nobody revisits outlives the
/// reason it was made for.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryIgnore {
    /// The advisory id or any of its aliases (`GHSA-...`, `CVE-...`).
    pub id: String,
    /// Only for this package name (all packages when absent).
    #[serde(default)]
    pub package: Option<String>,
    /// Why the advisory does not apply or is accepted.
    pub reason: String,
    /// The last day (`YYYY-MM-DD`, UTC) the acceptance holds.
    pub expires: IsoDate,
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    /// Year.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

impl IsoDate {
    /// Reads `YYYY-MM-DD`, checking the day exists in that month.
    pub fn parse(text: &str) -> Option<IsoDate> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = text.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).ok()?;
        let day = u8::try_from(number(8..10)?).ok()?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(IsoDate { year, month, day })
    }
}

impl std::fmt::Display for IsoDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A bare TOML date and a quoted one both read naturally; accept both.
        let text = match toml::Value::deserialize(deserializer)? {
            toml::Value::Datetime(datetime) => datetime.to_string(),
            toml::Value::String(text) => text,
            _ => {
                return Err(serde::de::Error::custom(
                    "expected a date written YYYY-MM-DD, such as 2027-01-31",
                ));
            }
        };
        IsoDate::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a date written YYYY-MM-DD, such as 2027-01-31"
            ))
        })
    }
}

/// A configuration problem, with the place it was found.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the schema.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong and, where possible, what to write instead.
        message: String,
    },
}

/// A parsed configuration together with its source, so later checks (rule
/// ids, globs, regexes) can report line and column too.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    /// The parsed configuration.
    pub config: Config,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    source: String,
}

impl LoadedConfig {
    /// The built-in defaults, used when no `shipgate.toml` exists.
    pub fn defaults() -> Self {
        LoadedConfig {
            config: Config::default(),
            path: None,
            source: String::new(),
        }
    }

    /// Reads and parses the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let source = String::from_utf8(bytes).map_err(|err| {
            let offset = err.utf8_error().valid_up_to();
            let source = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let (line, column) = line_column(&source, offset);
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: "the file is not valid UTF-8".into(),
            }
        })?;
        Self::parse(path, source)
    }

    /// Parses `source` as if read from `path`.
    pub fn parse(path: &Path, source: String) -> Result<Self, ConfigError> {
        match toml::from_str::<Config>(&source) {
            Ok(config) => Ok(LoadedConfig {
                config,
                path: Some(path.to_owned()),
                source,
            }),
            Err(err) => {
                let (line, column) = err
                    .span()
                    .map_or((1, 1), |span| line_column(&source, span.start));
                Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    line,
                    column,
                    message: err.message().trim_end().to_owned(),
                })
            }
        }
    }

    /// An error at byte range `span` of the config file.
    pub fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_column(&self.source, span.start);
        ConfigError::Invalid {
            path: self
                .path
                .clone()
                .unwrap_or_else(|| PathBuf::from(CONFIG_FILE_NAME)),
            line,
            column,
            message: message.into(),
        }
    }

    /// Directory relative paths in the config resolve against.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, tail)| tail)
        .chars()
        .count()
        + 1;
    (line, column)
}

fn byte_size<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bytes(u64),
        Text(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Bytes(n) => Ok(n),
        Raw::Text(text) => parse_byte_size(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid size `{text}`; write a number of bytes or e.g. \"512 KiB\", \"10 MB\", \"1 GiB\""
            ))
        }),
    }
}

/// Parses sizes such as `1024`, `512 KiB`, `10MB` or `1 GiB`.
pub fn parse_byte_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(multiplier)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LoadedConfig, ConfigError> {
        LoadedConfig::parse(Path::new("shipgate.toml"), text.to_owned())
    }

    #[test]
    fn advisory_ignores_need_a_real_expiry_date() {
        let loaded = parse(
            "[deps]\nmax-db-age-days = 3\n[[deps.ignore]]\nid = \"GHSA-1\"\nreason = \"unused\"\nexpires = 2027-02-28\n\
             [[deps.ignore]]\nid = \"CVE-2\"\npackage = \"x\"\nreason = \"r\"\nexpires = \"2028-02-29\"\n",
        )
        .unwrap();
        let deps = &loaded.config.deps;
        assert_eq!(deps.max_db_age_days, 3);
        assert_eq!(deps.ignore[0].get_ref().expires.to_string(), "2027-02-28");
        assert_eq!(deps.ignore[1].get_ref().package.as_deref(), Some("x"));
        let missing = parse("[[deps.ignore]]\nid = \"GHSA-1\"\nreason = \"r\"\n").unwrap_err();
        assert!(missing.to_string().contains("expires"), "{missing}");
        let impossible =
            parse("[[deps.ignore]]\nid = \"A\"\nreason = \"r\"\nexpires = \"2027-02-29\"\n")
                .unwrap_err();
        assert!(
            impossible.to_string().contains("not a date"),
            "{impossible}"
        );
    }

    #[test]
    fn empty_file_gives_defaults() {
        let loaded = parse("").unwrap();
        assert_eq!(loaded.config.scan.max_file_size, DEFAULT_MAX_FILE_SIZE);
        assert!(loaded.config.rules.disable.is_empty());
    }

    #[test]
    fn full_file_parses() {
        let loaded = parse(
            r#"
[scan]
max_file_size = "2 MiB"
exclude = ["vendor/**"]

[rules]
disable = ["secrets/generic-api-key"]
severity = { "secrets/jwt" = "low" }

[secrets]
report_placeholders = true
allowlist = { stopwords = ["dummy"] }

[[secrets.rules]]
id = "secrets/acme-token"
title = "ACME token"
regex = 'acme_[a-z0-9]{32}'
keywords = ["acme_"]
severity = "high"
confidence = "high"
"#,
        )
        .unwrap();
        let config = loaded.config;
        assert_eq!(config.scan.max_file_size, 2 << 20);
        assert_eq!(config.scan.exclude[0].get_ref(), "vendor/**");
        assert_eq!(config.secrets.rules[0].get_ref().id, "secrets/acme-token");
        assert_eq!(config.secrets.allowlist.stopwords, vec!["dummy"]);
        let (key, level) = config.rules.severity.iter().next().unwrap();
        assert_eq!(
            (key.get_ref().as_str(), *level),
            ("secrets/jwt", Severity::Low)
        );
    }

    #[test]
    fn unknown_keys_report_line_and_column() {
        let err = parse("[scan]\nmax_file_size = 10\nexclud = []\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("shipgate.toml:3:1:"), "{text}");
        assert!(text.contains("exclud"), "{text}");
    }

    #[test]
    fn bad_values_report_line_and_column() {
        let err = parse("[rules]\nseverity = { \"x\" = \"severe\" }\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("shipgate.toml:2:"), "{text}");
        assert!(text.contains("severe"), "{text}");
        let err = parse("[scan]\nmax_file_size = \"ten\"\n").unwrap_err();
        assert!(err.to_string().contains("invalid size"), "{err}");
    }

    #[test]
    fn byte_sizes_parse() {
        assert_eq!(parse_byte_size("1024"), Some(1024));
        assert_eq!(parse_byte_size("10MB"), Some(10_000_000));
        assert_eq!(parse_byte_size("1 GiB"), Some(1 << 30));
        assert_eq!(parse_byte_size("1 parsec"), None);
        assert_eq!(parse_byte_size("99999999999999 GiB"), None);
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\nçd", 5), (2, 2));
        assert_eq!(line_column("x", 99), (1, 2));
    }
}
