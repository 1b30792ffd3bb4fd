//! Command-line interface definition.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use shipgate_model::{Confidence, Severity};

/// Secures the path from commit to production: finds leaked secrets and
/// long-lived credentials, offline and fast.
#[derive(Debug, Parser)]
#[command(name = "shipgate", version, about, long_about = None)]
#[command(propagate_version = true, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory (or its git history) and report findings.
    Scan(ScanArgs),
    /// List every rule shipgate can report.
    Rules(RulesArgs),
    /// Show the documentation of one rule.
    Explain(ExplainArgs),
    /// Apply the CI audits' safe, verified fixes to workflow files.
    Fix(FixArgs),
    /// Secret-scanner utilities.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// The dependency inventory read from lockfiles.
    #[command(subcommand)]
    Deps(DepsCommand),
    /// The offline vulnerability database (OSV advisories).
    #[command(subcommand)]
    Db(DbCommand),
    /// Write a CycloneDX 1.6 or SPDX 2.3 SBOM of the lockfiles under PATH.
    Sbom(SbomArgs),
}

/// Where the vulnerability database lives.
#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database directory [default: $XDG_CACHE_HOME/shipgate/osv, else
    /// ~/.cache/shipgate/osv; or $SHIPGATE_DB].
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,
}

/// `shipgate db ...`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV advisories from directories, JSON files or zip archives
    /// (such as OSV's per-ecosystem all.zip dumps).
    Import(DbImportArgs),
    /// Download OSV's dumps for the ecosystems of the lockfiles under PATH
    /// and import them (the only command that uses the network).
    Update(DbUpdateArgs),
    /// Show what the database holds and how old it is.
    Status(DbStatusArgs),
}

/// Arguments of `shipgate db import`.
#[derive(Debug, Args)]
pub struct DbImportArgs {
    /// Directories, `.json` files or `.zip` archives of OSV records.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// The database.
    #[command(flatten)]
    pub db: DbArgs,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `shipgate db update`.
#[derive(Debug, Args)]
pub struct DbUpdateArgs {
    /// Download the ecosystems of the lockfiles (and workflows) under this
    /// directory.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Download these ecosystems instead (OSV names: npm, PyPI, crates.io,
    /// Go, Maven, "GitHub Actions", ...).
    #[arg(long = "ecosystem", value_name = "NAME")]
    pub ecosystems: Vec<String>,

    /// Base URL of the OSV dumps (a mirror).
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://osv-vulnerabilities.storage.googleapis.com"
    )]
    pub mirror: String,

    /// The database.
    #[command(flatten)]
    pub db: DbArgs,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `shipgate db status`.
#[derive(Debug, Args)]
pub struct DbStatusArgs {
    /// The database.
    #[command(flatten)]
    pub db: DbArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// Arguments of `shipgate sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The tree to read.
    #[command(flatten)]
    pub tree: TreeArgs,

    /// SBOM standard.
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub format: SbomFormat,

    /// Write to FILE instead of standard output (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Add the known vulnerabilities of the packages (CycloneDX only), from
    /// the local database.
    #[arg(long)]
    pub with_vulns: bool,

    /// The database, for --with-vulns.
    #[command(flatten)]
    pub db: DbArgs,

    /// Print nothing but the SBOM.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// SBOM standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

/// `shipgate deps ...`
#[derive(Debug, Subcommand)]
pub enum DepsCommand {
    /// List every package the lockfiles under PATH lock.
    List(DepsListArgs),
}

/// Where to find lockfiles: the tree, its configuration and ignore files.
#[derive(Debug, Args)]
pub struct TreeArgs {
    /// Directory (or single lockfile) to read.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Configuration file [default: <PATH>/shipgate.toml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read files that .gitignore and similar files exclude.
    #[arg(long)]
    pub no_ignore: bool,
}

/// Arguments of `shipgate deps list`.
#[derive(Debug, Args)]
pub struct DepsListArgs {
    /// The tree to read.
    #[command(flatten)]
    pub tree: TreeArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    /// Write to FILE instead of standard output (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Formats of `shipgate deps list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One row per package.
    Table,
    /// The inventory as JSON: lockfiles with their packages, edges and
    /// problems.
    Json,
}

/// Arguments of `shipgate scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory or file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Scanners to run, comma-separated. CI audits and dependency checks
    /// run on working-tree scans only, not with --history, --since or
    /// --staged.
    #[arg(long, value_delimiter = ',', default_value = "secrets,ci,deps")]
    pub scanners: Vec<ScannerKind>,

    /// Also report code smells and hygiene findings of the CI audits.
    #[arg(long, conflicts_with = "auditor")]
    pub pedantic: bool,

    /// Report everything the CI audits find, including what needs a human
    /// to judge (implies --pedantic).
    #[arg(long)]
    pub auditor: bool,

    /// Report only findings of at least this severity.
    #[arg(long, value_name = "LEVEL")]
    pub min_severity: Option<Severity>,

    /// Report only findings of at least this confidence.
    #[arg(long, value_name = "LEVEL")]
    pub min_confidence: Option<Confidence>,

    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Write the report to FILE instead of standard output (written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,

    /// Configuration file [default: <PATH>/shipgate.toml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Scan files that .gitignore and similar files exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// Scan every blob reachable from any ref instead of the working tree.
    #[arg(long, conflicts_with_all = ["since", "staged"])]
    pub history: bool,

    /// Report only content added since REV (for pull requests).
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    pub since: Option<String>,

    /// Report only content in the staged diff (for a pre-commit hook).
    #[arg(long)]
    pub staged: bool,

    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Accept every current finding: write their fingerprints to FILE.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Print secrets in full instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,

    /// Print nothing but the report (no progress, no summary on stderr).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// When to use colour in the table report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// The vulnerability database for the deps scanner.
    #[command(flatten)]
    pub db: DbArgs,

    /// Fail (exit 2) when the vulnerability database is missing or older
    /// than `[deps] max-db-age-days`, instead of warning.
    #[arg(long)]
    pub require_db: bool,
}

/// Arguments of `shipgate fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Directory whose CI configuration to fix.
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Also apply fixes that change behaviour and need a review.
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,

    /// Print the changes as a unified diff instead of writing them.
    #[arg(long)]
    pub dry_run: bool,

    /// Configuration file [default: <PATH>/shipgate.toml when present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Also fix code smells and hygiene findings.
    #[arg(long, conflicts_with = "auditor")]
    pub pedantic: bool,

    /// Also fix findings that otherwise need a human to judge (implies
    /// --pedantic).
    #[arg(long)]
    pub auditor: bool,

    /// Print nothing but the diff of --dry-run (no per-file messages or
    /// summary).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// The vulnerability database, for moving actions with known
    /// advisories to their fixed releases.
    #[command(flatten)]
    pub db: DbArgs,
}

/// Scanners selectable with `--scanners`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScannerKind {
    /// Leaked secrets and long-lived credentials.
    Secrets,
    /// GitHub Actions and GitLab CI configuration audits.
    Ci,
    /// Known-vulnerable and malicious dependencies in lockfiles.
    Deps,
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable, grouped by file, with source snippets.
    Table,
    /// The versioned JSON report (docs/json-report.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, for CI test reports.
    Junit,
    /// Markdown, for CI job summaries.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

/// Gate threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on any finding.
    Info,
    /// Fail on low or worse.
    Low,
    /// Fail on medium or worse.
    Medium,
    /// Fail on high or critical.
    High,
    /// Fail only on critical.
    Critical,
    /// Never fail because of findings.
    Never,
}

impl FailOn {
    /// The threshold severity, or `None` for never.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::Never => None,
        }
    }
}

/// Colour choice for terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Arguments of `shipgate rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesOutput::Table)]
    pub format: RulesOutput,
}

/// Formats of `shipgate rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesOutput {
    /// One line per rule.
    Table,
    /// An array of rule objects.
    Json,
    /// The generated reference (docs/rules.md).
    Markdown,
}

/// Arguments of `shipgate explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule id, for example `secrets/aws-access-key-id`.
    pub rule_id: String,
}

/// `shipgate secrets ...`
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Convert a gitleaks TOML config into shipgate.toml `[secrets]` settings.
    ImportGitleaks(ImportGitleaksArgs),
}

/// Arguments of `shipgate secrets import-gitleaks`.
#[derive(Debug, Args)]
pub struct ImportGitleaksArgs {
    /// The gitleaks config file (for example `.gitleaks.toml`).
    pub file: PathBuf,
    /// Write the result to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}
