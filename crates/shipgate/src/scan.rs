//! `shipgate scan`: wires configuration, scanners, sources, baselines and reports.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use shipgate_ci::{CiScanner, Settings};
use shipgate_deps::DepsScanner;
use shipgate_model::config::CONFIG_FILE_NAME;
use shipgate_model::scan::REPORT_SCHEMA_VERSION;
use shipgate_model::secret_rule::Allowlist;
use shipgate_model::{
    LoadedConfig, Note, NoteKind, Persona, RuleMeta, ScanReport, Scanner, SecretRuleSpec, ToolInfo,
};
use shipgate_report::RenderOptions;
use shipgate_secrets::{SecretScanner, SecretsOptions};
use shipgate_walk::{Outcome, WalkOptions};

use crate::baseline::Baseline;
use crate::cli::{ColorChoice, ScanArgs, ScannerKind};
use crate::output::write_atomically;
use crate::progress::Bar;
use crate::selection::RuleSelection;

/// Runs a scan and returns the process exit code.
pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if !args.path.exists() {
        bail!(
            "`{}` does not exist; pass a directory or file to scan",
            args.path.display()
        );
    }
    for path in [&args.output, &args.write_baseline].into_iter().flatten() {
        check_writable_destination(path)?;
    }
    let loaded = load_config(&args.path, args.config.as_deref())?;
    let mut notes = Vec::new();
    let (specs, secret_allowlist) = secret_rules(&loaded, &mut notes)?;
    let mut known_ids: Vec<String> = specs.iter().map(|rule| rule.spec.id.clone()).collect();
    known_ids.extend(CiScanner::rule_metas().into_iter().map(|rule| rule.id));
    known_ids.extend(DepsScanner::rule_metas().into_iter().map(|rule| rule.id));
    let selection = RuleSelection::new(&loaded, &known_ids)?;
    let secrets = if args.scanners.contains(&ScannerKind::Secrets) {
        Some(compile_secret_scanner(
            &loaded,
            specs,
            secret_allowlist,
            &selection,
            &mut notes,
        )?)
    } else {
        None
    };
    let tree_scan = !(args.history || args.since.is_some() || args.staged);
    let ci = if tree_scan && args.scanners.contains(&ScannerKind::Ci) {
        let mut settings = ci_settings(&loaded, args.pedantic, args.auditor);
        let (advisories, missing) = crate::db::action_advisories(&args.db)?;
        settings.action_advisories = advisories;
        if let Some(message) = missing.filter(|_| args.path.join(".github").is_dir()) {
            notes.push(Note {
                kind: NoteKind::Info,
                path: None,
                message,
            });
        }
        Some(CiScanner::new(settings))
    } else {
        None
    };
    let deps = if tree_scan && args.scanners.contains(&ScannerKind::Deps) {
        Some(DepsScanner::with_options(crate::db::deps_options(
            &args.db,
            &loaded,
            args.require_db,
        )?))
    } else {
        None
    };
    let mut scanners: Vec<&dyn Scanner> = secrets.iter().map(|s| s as &dyn Scanner).collect();
    scanners.extend(ci.iter().map(|s| s as &dyn Scanner));
    scanners.extend(deps.iter().map(|s| s as &dyn Scanner));

    let walk_options = WalkOptions {
        respect_ignore: !args.no_ignore,
        threads: args.threads,
        index_file: args.staged.then(git_index_file).flatten(),
        ..walk_options(&loaded, &args.path)
    };
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;

    let bar = Bar::new(
        show_progress(args),
        args.history || args.since.is_some() || args.staged,
    );
    let outcome = collect(args, &walk_options, &scanners, &bar);
    bar.finish();
    let outcome = outcome?;

    let Outcome {
        mut findings,
        notes: source_notes,
        mut stats,
        ..
    } = outcome;
    notes.extend(source_notes);
    findings.retain(|finding| selection.is_enabled(&finding.rule_id));
    for finding in &mut findings {
        selection.apply(finding);
        if !args.show_secrets {
            finding.redact();
        }
    }
    findings.retain(|finding| {
        args.min_severity.is_none_or(|min| finding.severity >= min)
            && args
                .min_confidence
                .is_none_or(|min| finding.confidence >= min)
    });
    if let Some(path) = &args.write_baseline {
        let count = Baseline::write(path, &findings)?;
        if !args.quiet {
            eprintln!(
                "wrote {count} accepted finding(s) to {}; pass `--baseline {}` to report only new ones",
                path.display(),
                path.display()
            );
        }
    }
    if let Some(baseline) = &baseline {
        let before = findings.len();
        findings.retain(|f| !baseline.contains(f));
        stats.suppressed_baseline = (before - findings.len()) as u64;
    }
    stats.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

    let rules = referenced_rules(&scanners, &findings);
    let report = ScanReport {
        schema_version: REPORT_SCHEMA_VERSION,
        tool: ToolInfo {
            name: "shipgate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        root: args.path.display().to_string(),
        scanners: scanners.iter().map(|s| s.name().to_owned()).collect(),
        findings,
        notes,
        stats,
        rules,
    };

    let threshold = args.fail_on.threshold();
    let failed = threshold.is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let options = RenderOptions {
        color: match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
        },
        fail_on: threshold,
    };
    let mut rendered = Vec::new();
    shipgate_report::render(&report, args.format.into(), &options, &mut rendered)
        .context("cannot render the report")?;
    match &args.output {
        Some(path) => write_atomically(path, &rendered)?,
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&rendered)?;
            stdout.flush()?;
        }
    }
    if !args.quiet && (args.output.is_some() || args.format != crate::cli::OutputFormat::Table) {
        eprintln!("{}", one_line_summary(&report, failed));
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Fails before the scan, not after it, when an output file cannot be
/// created because its directory does not exist.
fn check_writable_destination(path: &std::path::Path) -> anyhow::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => bail!(
            "cannot write {}: directory {} does not exist; create it first",
            path.display(),
            dir.display()
        ),
        _ => Ok(()),
    }
}

/// A secret rule with the place it was defined, for error messages.
struct SourcedRule {
    spec: SecretRuleSpec,
    span: Option<std::ops::Range<usize>>,
}

/// The configuration at `config`, else `shipgate.toml` under `root` when
/// present, else the defaults.
pub(crate) fn load_config(
    root: &std::path::Path,
    config: Option<&std::path::Path>,
) -> anyhow::Result<LoadedConfig> {
    let path = match config {
        Some(path) => {
            if !path.is_file() {
                bail!(
                    "config file `{}` does not exist; drop --config to use `{CONFIG_FILE_NAME}` at the scan root",
                    path.display()
                );
            }
            Some(path.to_path_buf())
        }
        None => {
            let candidate = root.join(CONFIG_FILE_NAME);
            candidate.is_file().then_some(candidate)
        }
    };
    match path {
        Some(path) => Ok(LoadedConfig::load(&path)?),
        None => Ok(LoadedConfig::defaults()),
    }
}

/// Built-in rules, then custom rules from shipgate.toml, then an imported
/// gitleaks config, with the allowlist that applies to all of them.
fn secret_rules(
    loaded: &LoadedConfig,
    notes: &mut Vec<Note>,
) -> anyhow::Result<(Vec<SourcedRule>, Allowlist)> {
    let secrets = &loaded.config.secrets;
    let mut rules: Vec<SourcedRule> = shipgate_secrets::builtin_rules()
        .context("the built-in secret rules are broken")?
        .into_iter()
        .map(|spec| SourcedRule { spec, span: None })
        .collect();
    rules.extend(secrets.rules.iter().map(|rule| SourcedRule {
        spec: rule.get_ref().clone(),
        span: Some(rule.span()),
    }));
    let mut allowlist = secrets.allowlist.clone();
    if let Some(extend) = &secrets.extend {
        let path = loaded.base_dir().map_or_else(
            || PathBuf::from(extend.get_ref()),
            |dir| dir.join(extend.get_ref()),
        );
        let text = std::fs::read_to_string(&path).map_err(|err| {
            loaded.error_at(
                extend.span(),
                format!("cannot read gitleaks config {}: {err}", path.display()),
            )
        })?;
        let imported = shipgate_secrets::gitleaks::import(&text)
            .map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
        for warning in imported.warnings {
            notes.push(Note {
                kind: NoteKind::Info,
                path: Some(path.display().to_string()),
                message: warning,
            });
        }
        rules.extend(imported.rules.into_iter().map(|spec| SourcedRule {
            spec,
            span: Some(extend.span()),
        }));
        merge_allowlist(&mut allowlist, imported.allowlist);
    }
    let mut seen = BTreeSet::new();
    for rule in &rules {
        if !seen.insert(rule.spec.id.as_str()) {
            let message = format!(
                "secret rule id `{}` is defined twice; give the custom rule its own id",
                rule.spec.id
            );
            return Err(match &rule.span {
                Some(span) => loaded.error_at(span.clone(), message).into(),
                None => anyhow::anyhow!(message),
            });
        }
    }
    Ok((rules, allowlist))
}

/// Every rule id `[rules]` may name: the built-in, custom and imported
/// secret rules and the CI audits.
/// Walk options for `root` with the `[scan]` settings of the configuration.
pub(crate) fn walk_options(loaded: &LoadedConfig, root: &std::path::Path) -> WalkOptions {
    WalkOptions {
        max_file_size: loaded.config.scan.max_file_size,
        exclude: loaded
            .config
            .scan
            .exclude
            .iter()
            .map(|glob| glob.get_ref().clone())
            .collect(),
        ..WalkOptions::new(root)
    }
}

/// Every rule id `[rules]` patterns may name: built-in and configured secret
/// rules plus every CI audit.
pub(crate) fn known_rule_ids(loaded: &LoadedConfig) -> anyhow::Result<Vec<String>> {
    let (rules, _) = secret_rules(loaded, &mut Vec::new())?;
    let mut ids: Vec<String> = rules.into_iter().map(|rule| rule.spec.id).collect();
    ids.extend(CiScanner::rule_metas().into_iter().map(|rule| rule.id));
    ids.extend(DepsScanner::rule_metas().into_iter().map(|rule| rule.id));
    Ok(ids)
}

fn merge_allowlist(into: &mut Allowlist, from: Allowlist) {
    into.paths.extend(from.paths);
    into.regexes.extend(from.regexes);
    into.stopwords.extend(from.stopwords);
}

fn compile_secret_scanner(
    loaded: &LoadedConfig,
    rules: Vec<SourcedRule>,
    allowlist: Allowlist,
    selection: &RuleSelection,
    notes: &mut Vec<Note>,
) -> anyhow::Result<SecretScanner> {
    let spans: Vec<(String, Option<std::ops::Range<usize>>)> = rules
        .iter()
        .map(|rule| (rule.spec.id.clone(), rule.span.clone()))
        .collect();
    let specs = rules
        .into_iter()
        .map(|rule| rule.spec)
        .filter(|spec| selection.is_enabled(&spec.id))
        .collect();
    // A rule whose companion was disabled can never match; say so instead of failing.
    let (specs, unsatisfied) = SecretScanner::without_unsatisfied(specs);
    if !unsatisfied.is_empty() {
        notes.push(Note {
            kind: NoteKind::Info,
            path: loaded.path.as_ref().map(|p| p.display().to_string()),
            message: format!(
                "also disabled, because a rule they require is disabled: {}",
                unsatisfied.join(", ")
            ),
        });
    }
    let options = SecretsOptions {
        report_placeholders: loaded.config.secrets.report_placeholders,
        allowlist,
    };
    SecretScanner::new(specs, options).map_err(|err| {
        let span = spans
            .iter()
            .find(|(id, _)| Some(id.as_str()) == err.rule_id.as_deref())
            .and_then(|(_, span)| span.clone());
        match span {
            Some(span) => loaded.error_at(span, err.to_string()).into(),
            None => anyhow::Error::new(err).context("cannot compile the secret rules"),
        }
    })
}

/// The CI audit settings: `[ci]` from the configuration, with the persona
/// flags taking precedence.
pub(crate) fn ci_settings(loaded: &LoadedConfig, pedantic: bool, auditor: bool) -> Settings {
    let mut settings = Settings::from_config(&loaded.config.ci);
    if auditor {
        settings.persona = Persona::Auditor;
    } else if pedantic {
        settings.persona = settings.persona.max(Persona::Pedantic);
    }
    settings
}

fn collect(
    args: &ScanArgs,
    options: &WalkOptions,
    scanners: &[&dyn Scanner],
    bar: &Bar,
) -> anyhow::Result<Outcome> {
    let outcome = if args.history {
        shipgate_walk::scan_history(options, scanners, bar)?
    } else if let Some(rev) = &args.since {
        shipgate_walk::scan_since(options, rev, scanners, bar)?
    } else if args.staged {
        shipgate_walk::scan_staged(options, scanners, bar)?
    } else {
        shipgate_walk::scan_tree(options, scanners, bar)?
    };
    Ok(outcome)
}

/// The index git points a pre-commit hook at. During `git commit -a` or
/// `git commit <paths>` git stages into a temporary index and names it in
/// `GIT_INDEX_FILE`; reading the default index would miss those changes.
fn git_index_file() -> Option<PathBuf> {
    let path = PathBuf::from(std::env::var_os("GIT_INDEX_FILE")?);
    if path.is_absolute() {
        Some(path)
    } else {
        std::env::current_dir().ok().map(|dir| dir.join(path))
    }
}

/// A bar only for a person watching a terminal: stderr must be one, and the
/// report must not be going to the same screen unless it is a file.
fn show_progress(args: &ScanArgs) -> bool {
    !args.quiet
        && !args.no_progress
        && std::io::stderr().is_terminal()
        && (args.output.is_some() || std::io::stdout().is_terminal())
}

fn referenced_rules(
    scanners: &[&dyn Scanner],
    findings: &[shipgate_model::Finding],
) -> Vec<RuleMeta> {
    let used: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    let mut rules: Vec<RuleMeta> = scanners
        .iter()
        .flat_map(|s| s.rules())
        .filter(|rule| used.contains(rule.id.as_str()))
        .collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules
}

fn one_line_summary(report: &ScanReport, failed: bool) -> String {
    let verdict = if failed { "gate: fail" } else { "gate: pass" };
    format!(
        "shipgate: {} finding(s) in {} file(s) scanned, {} skipped; {verdict}",
        report.findings.len(),
        report.stats.files_scanned,
        report.stats.files_skipped,
    )
}

/// The dependency findings of a tree, and when its database was last
/// imported, for a vulnerability-scan attestation.
pub(crate) struct DepsFindings {
    /// `deps/*` findings.
    pub findings: Vec<shipgate_model::Finding>,
    /// When the vulnerability database was last imported.
    pub database_updated: Option<jiff::Timestamp>,
}

/// Scans the lockfiles under `tree` against the vulnerability database,
/// which must exist: an attestation that no vulnerabilities were found
/// must not rest on a scan that never looked.
pub(crate) fn deps_findings(
    tree: &crate::cli::TreeArgs,
    db: &crate::cli::DbArgs,
) -> anyhow::Result<DepsFindings> {
    let loaded = load_config(&tree.path, tree.config.as_deref())?;
    let options = crate::db::deps_options(db, &loaded, true)?;
    let database_updated = match &options.database {
        Some(database) => database.last_import()?.map(|import| import.time),
        None => None,
    };
    let scanner = DepsScanner::with_options(options);
    let walk = WalkOptions {
        respect_ignore: !tree.no_ignore,
        ..walk_options(&loaded, &tree.path)
    };
    let outcome =
        shipgate_walk::scan_tree(&walk, &[&scanner as &dyn Scanner], &Bar::new(false, false))?;
    Ok(DepsFindings {
        findings: outcome.findings,
        database_updated,
    })
}
