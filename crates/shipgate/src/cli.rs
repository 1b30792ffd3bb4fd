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
    /// Signing keys: generate a key pair, print a public key.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign an in-toto attestation (SBOM, vulnerability scan, test
    /// results, any predicate) about artifacts.
    Attest(AttestArgs),
    /// Sign SLSA v1 provenance for artifacts, from the CI environment
    /// (GitHub Actions, GitLab CI) or from flags.
    Provenance(ProvenanceArgs),
    /// Sign an artifact itself (a cosign-compatible blob signature).
    Sign(SignArgs),
    /// Verify artifacts against their attestations or signatures, offline,
    /// with trusted keys, expectations and an optional Rego policy.
    Verify(VerifyArgs),
}

/// `shipgate key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a key pair: NAME.key (encrypted private key) and NAME.pub.
    Generate(KeyGenerateArgs),
    /// Print the public key (PEM) and key id of a private key.
    Public(KeyPublicArgs),
}

/// Signature algorithms for new keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyAlgorithm {
    /// ECDSA over NIST P-256 with SHA-256 (what cosign generates).
    EcdsaP256,
    /// Ed25519.
    Ed25519,
}

/// Arguments of `shipgate key generate`.
#[derive(Debug, Args)]
pub struct KeyGenerateArgs {
    /// Signature algorithm.
    #[arg(long, value_enum, default_value_t = KeyAlgorithm::EcdsaP256)]
    pub algorithm: KeyAlgorithm,

    /// Name of the key pair: writes NAME.key and NAME.pub.
    #[arg(long, short = 'o', value_name = "NAME", default_value = "shipgate")]
    pub output: PathBuf,

    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `shipgate key public`.
#[derive(Debug, Args)]
pub struct KeyPublicArgs {
    /// The private key: a file, or env://VAR for a PEM held in a variable.
    #[arg(long, value_name = "KEY")]
    pub key: String,
}

/// The signing key, shared by the signing commands.
#[derive(Debug, Args)]
pub struct SigningArgs {
    /// The private key: a file, or env://VAR for a PEM held in a variable.
    /// Its passphrase comes from SHIPGATE_KEY_PASSWORD, else a prompt.
    #[arg(long, value_name = "KEY")]
    pub key: String,
}

/// Where signed attestations go.
#[derive(Debug, Args)]
pub struct AttestationOutputArgs {
    /// JSON Lines file of DSSE envelopes [default: ARTIFACT.intoto.jsonl,
    /// or multiple.intoto.jsonl for several artifacts].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Add the envelope to the end of an existing output file instead of
    /// replacing it.
    #[arg(long)]
    pub append: bool,

    /// Also write a Sigstore bundle (v0.3) holding the envelope.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,

    /// Digest subjects with SHA-256 only (SHA-512 is the slower half of
    /// hashing on CPUs without SHA-512 instructions).
    #[arg(long)]
    pub sha256_only: bool,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `shipgate attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The artifacts the attestation is about.
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,

    /// The signing key.
    #[command(flatten)]
    pub signing: SigningArgs,

    /// Predicate type: slsa, cyclonedx, spdx, vulns, test-result, or a URI.
    #[arg(long, value_name = "TYPE")]
    pub predicate_type: String,

    /// The predicate: a JSON file (a JUnit XML report for test-result).
    /// Without it, cyclonedx, spdx and vulns are generated from --source.
    #[arg(long, value_name = "FILE")]
    pub predicate: Option<PathBuf>,

    /// The source tree whose lockfiles the generated SBOM or vulnerability
    /// scan describes.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub source: PathBuf,

    /// The database, for generated vulnerability scans.
    #[command(flatten)]
    pub db: DbArgs,

    /// Where the attestation goes.
    #[command(flatten)]
    pub output: AttestationOutputArgs,
}

/// Which CI system's environment describes the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BuildPlatformArg {
    /// GitHub Actions when GITHUB_ACTIONS=true, GitLab CI when GITLAB_CI=true, else local.
    Auto,
    /// GitHub Actions (GITHUB_* variables).
    Github,
    /// GitLab CI (CI_* variables).
    Gitlab,
    /// A local build described by the flags.
    Local,
}

/// Arguments of `shipgate provenance`.
#[derive(Debug, Args)]
pub struct ProvenanceArgs {
    /// The artifacts the build produced.
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,

    /// The signing key.
    #[command(flatten)]
    pub signing: SigningArgs,

    /// Where the build ran.
    #[arg(long, value_enum, default_value_t = BuildPlatformArg::Auto)]
    pub platform: BuildPlatformArg,

    /// Builder id of a local build [default: https://shipgate.dev/builders/local@v1].
    #[arg(long, value_name = "URI")]
    pub builder_id: Option<String>,

    /// Build type of a local build.
    #[arg(long, value_name = "URI")]
    pub build_type: Option<String>,

    /// Source repository of a local build (git+https://host/org/repo).
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,

    /// Source ref of a local build (refs/tags/v1.2.0).
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,

    /// Source commit of a local build.
    #[arg(long, value_name = "SHA")]
    pub source_commit: Option<String>,

    /// Invocation id of a local build.
    #[arg(long, value_name = "ID")]
    pub invocation_id: Option<String>,

    /// External parameter of a local build (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,

    /// When the build started (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub started_on: Option<String>,

    /// Where the provenance goes.
    #[command(flatten)]
    pub output: AttestationOutputArgs,
}

/// Arguments of `shipgate sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The artifact to sign.
    #[arg(value_name = "ARTIFACT")]
    pub artifact: PathBuf,

    /// The signing key.
    #[command(flatten)]
    pub signing: SigningArgs,

    /// The signature file, base64 [default: ARTIFACT.sig].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Also write a Sigstore bundle (v0.3) holding the signature.
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,

    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Output formats of `shipgate verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// One line per check, for people.
    Table,
    /// The whole result as JSON.
    Json,
    /// A Markdown table of the checks (for $GITHUB_STEP_SUMMARY or a
    /// merge-request note).
    Markdown,
}

/// Arguments of `shipgate verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The artifacts to verify (hashed once; only those digests are checked).
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,

    /// Trusted public key (PEM file or env://VAR); repeatable.
    #[arg(long = "key", required = true, value_name = "KEY")]
    pub keys: Vec<String>,

    /// Attestation files: .intoto.jsonl, a DSSE envelope or a Sigstore
    /// bundle; repeatable.
    #[arg(long = "attestations", value_name = "FILE")]
    pub attestations: Vec<PathBuf>,

    /// Blob signature (base64, as `shipgate sign` writes) or a Sigstore
    /// bundle holding one, for the first artifact; repeatable.
    #[arg(long = "signature", value_name = "FILE")]
    pub signatures: Vec<PathBuf>,

    /// Provenance must name this source repository.
    #[arg(long, value_name = "URI")]
    pub source_uri: Option<String>,

    /// Provenance must name this source ref (v1.2.0, main, refs/tags/v1.2.0).
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,

    /// Provenance must name this builder (without @version: any version).
    #[arg(long, value_name = "ID")]
    pub builder_id: Option<String>,

    /// Predicate type that must cover every artifact (slsa, cyclonedx,
    /// spdx, vulns, test-result, vsa or a URI); repeatable.
    #[arg(long = "require", value_name = "TYPE")]
    pub required: Vec<String>,

    /// Rego policy evaluated over the verified attestations; repeatable.
    #[arg(long = "policy", value_name = "FILE")]
    pub policies: Vec<PathBuf>,

    /// Distinct trusted keys that must have signed each attestation.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub threshold: usize,

    /// Try every trusted key on signatures whose key id is unknown (for
    /// signers that compute key ids differently).
    #[arg(long)]
    pub any_key_id: bool,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = VerifyFormat::Table)]
    pub format: VerifyFormat,

    /// Write a signed SLSA verification summary (VSA) of the result to FILE.
    #[arg(long, value_name = "FILE", requires = "vsa_key")]
    pub emit_vsa: Option<PathBuf>,

    /// The key that signs the verification summary.
    #[arg(long, value_name = "KEY")]
    pub vsa_key: Option<String>,

    /// The verification summary's resource URI [default: file name of the
    /// first artifact].
    #[arg(long, value_name = "URI")]
    pub resource_uri: Option<String>,

    /// Print nothing but errors (the exit code tells the result).
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
