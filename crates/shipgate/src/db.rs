//! `shipgate db ...`, and the database the scan and SBOM commands read.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jiff::Timestamp;
use shipgate_deps::osv::{
    Advisory, Database, DbError, DbStatus, ImportOptions, ImportReport, ImportSource,
    UpdateOptions, UpdateProgress,
};
use shipgate_deps::{DepsOptions, Ecosystem, Inventory};
use shipgate_model::{IsoDate, LoadedConfig};
use shipgate_sbom::{RatingMethod, SbomVulnerability};

use crate::cli::{DbArgs, DbImportArgs, DbStatusArgs, DbUpdateArgs, ListFormat, TreeArgs};
use crate::deps::read_inventory;

/// The database directory: `--db`, else `$SHIPGATE_DB`, else the user's
/// cache directory.
pub(crate) fn db_dir(args: &DbArgs) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &args.db {
        return Ok(dir.clone());
    }
    if let Some(dir) = std::env::var_os("SHIPGATE_DB").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
    {
        return Ok(cache.join("shipgate/osv"));
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cache/shipgate/osv")),
        None => bail!(
            "cannot tell where the vulnerability database lives: HOME is not set; pass --db DIR"
        ),
    }
}

/// A spinner on stderr for a person at a terminal.
fn spinner(quiet: bool) -> ProgressBar {
    let target = if !quiet && std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr_with_hz(10)
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// `shipgate db import`
pub fn import(args: &DbImportArgs) -> anyhow::Result<ExitCode> {
    for path in &args.paths {
        if !path.exists() {
            bail!(
                "`{}` does not exist; pass a directory, .json file or .zip archive of OSV records",
                path.display()
            );
        }
    }
    let dir = db_dir(&args.db)?;
    let mut database = Database::open(&dir)?;
    let sources: Vec<ImportSource> = args.paths.iter().cloned().map(ImportSource::Path).collect();
    let bar = spinner(args.quiet);
    let report = database.import(
        &sources,
        &ImportOptions::default(),
        Timestamp::now(),
        &mut |progress| {
            bar.set_message(format!(
                "importing {}: {} records",
                progress.source, progress.records
            ));
        },
    );
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        print_import(&report, &database);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_import(report: &ImportReport, database: &Database) {
    let counts = &report.counts;
    eprintln!(
        "imported {} record(s) into {}: {} added, {} updated, {} unchanged, {} withdrawn ({} removed), {} skipped",
        counts.records,
        database.path().display(),
        counts.added,
        counts.updated,
        counts.unchanged,
        counts.withdrawn,
        counts.removed,
        counts.skipped
    );
    if !counts.unknown_ecosystems.is_empty() {
        let names: Vec<String> = counts
            .unknown_ecosystems
            .iter()
            .map(|(name, count)| format!("{name} ({count})"))
            .collect();
        eprintln!("not matched by shipgate, kept out: {}", names.join(", "));
    }
    const SHOWN: usize = 20;
    for skipped in report.skipped.iter().take(SHOWN) {
        eprintln!("skipped {}: {}", skipped.file, skipped.reason);
    }
    if report.skipped.len() > SHOWN {
        eprintln!("... and {} more skipped", report.skipped.len() - SHOWN);
    }
}

/// `shipgate db update`
pub fn update(args: &DbUpdateArgs) -> anyhow::Result<ExitCode> {
    let ecosystems: Vec<String> = if args.ecosystems.is_empty() {
        seen_ecosystems(&args.path)?
    } else {
        for name in &args.ecosystems {
            if Ecosystem::from_osv(name).is_none() {
                let known: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.osv_name()).collect();
                bail!(
                    "`{name}` is not an OSV ecosystem shipgate matches; use one of: {}",
                    known.join(", ")
                );
            }
        }
        args.ecosystems.clone()
    };
    if ecosystems.is_empty() {
        bail!(
            "no lockfiles or workflows under `{}` name an ecosystem; pass --ecosystem NAME",
            args.path.display()
        );
    }
    let dir = db_dir(&args.db)?;
    let mut database = Database::open(&dir)?;
    let options = UpdateOptions {
        base_url: args.mirror.clone(),
        ..UpdateOptions::default()
    };
    let names: Vec<&str> = ecosystems.iter().map(String::as_str).collect();
    let bar = spinner(args.quiet);
    let report = database.update(
        &names,
        &options,
        Timestamp::now(),
        &mut |progress| match progress {
            UpdateProgress::Downloading {
                ecosystem, bytes, ..
            } => {
                bar.set_message(format!("downloading {ecosystem}: {} KiB", bytes / 1024));
            }
            UpdateProgress::Importing(progress) => {
                bar.set_message(format!(
                    "importing {}: {} records",
                    progress.source, progress.records
                ));
            }
        },
    );
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        for download in &report.downloads {
            eprintln!(
                "downloaded {} ({} KiB) from {}",
                download.ecosystem,
                download.bytes / 1024,
                download.url
            );
        }
        print_import(&report.import, &database);
    }
    Ok(ExitCode::SUCCESS)
}

/// The OSV ecosystems of the lockfiles under `path`, plus GitHub Actions
/// when it has workflows.
fn seen_ecosystems(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let tree = TreeArgs {
        path: path.to_path_buf(),
        config: None,
        no_ignore: false,
    };
    let inventory = read_inventory(&tree, true)?;
    let mut seen: Vec<Ecosystem> = inventory.packages().map(|(_, p)| p.ecosystem).collect();
    if path.join(".github/workflows").is_dir() {
        seen.push(Ecosystem::GitHubActions);
    }
    seen.sort();
    seen.dedup();
    Ok(seen.into_iter().map(|e| e.osv_name().to_owned()).collect())
}

/// `shipgate db status`
pub fn status(args: &DbStatusArgs) -> anyhow::Result<ExitCode> {
    let dir = db_dir(&args.db)?;
    let database = match Database::open_read_only(&dir) {
        Ok(database) => database,
        Err(DbError::Missing { path }) => bail!(
            "no vulnerability database at {}; run `shipgate db update` (network) or \
             `shipgate db import all.zip` (offline)",
            path.display()
        ),
        Err(error) => return Err(error.into()),
    };
    let status = database.status()?;
    let now = Timestamp::now();
    let mut out = std::io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            let mut value = serde_json::to_value(&status)?;
            if let Some(age) = status.age(now) {
                value["age_seconds"] = serde_json::json!(age.as_secs());
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        ListFormat::Table => writeln!(out, "{}", status_table(&status, now))?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn status_table(status: &DbStatus, now: Timestamp) -> String {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_header(["ecosystem", "advisories"]);
    for (ecosystem, count) in &status.per_ecosystem {
        table.add_row([ecosystem.clone(), count.to_string()]);
    }
    let imported = match (&status.last_import, status.age(now)) {
        (Some(import), Some(age)) => format!(
            "last import {} ({}) from {}",
            import.time.strftime("%Y-%m-%d %H:%M UTC"),
            describe_age(age),
            import.sources.join(", ")
        ),
        _ => "never imported".to_owned(),
    };
    format!(
        "{table}\n{} advisories in {} ({} KiB); {imported}",
        status.total_advisories,
        status.path.display(),
        status.file_size / 1024
    )
}

fn describe_age(age: jiff::SignedDuration) -> String {
    let hours = age.as_secs() / 3600;
    if hours < 48 {
        format!("{hours} hour(s) ago")
    } else {
        format!("{} days ago", hours / 24)
    }
}

/// Today's date in UTC, for the expiry of advisory ignores.
pub(crate) fn today() -> IsoDate {
    let date = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    IsoDate {
        year: u16::try_from(date.year()).unwrap_or(0),
        month: u8::try_from(date.month()).unwrap_or(1),
        day: u8::try_from(date.day()).unwrap_or(1),
    }
}

/// The deps scanner's settings: the database when there is a usable one,
/// otherwise a note saying why and what to do. With `require`, a missing,
/// unreadable or stale database is an error instead.
pub(crate) fn deps_options(
    args: &DbArgs,
    loaded: &LoadedConfig,
    require_flag: bool,
) -> anyhow::Result<DepsOptions> {
    let deps = &loaded.config.deps;
    let require = require_flag || deps.require_db;
    let mut options = DepsOptions {
        ignores: deps.ignore.iter().map(|i| i.get_ref().clone()).collect(),
        today: Some(today()),
        ..DepsOptions::default()
    };
    let dir = db_dir(args)?;
    let database = match Database::open_read_only(&dir) {
        Ok(database) => database,
        Err(error) => {
            let message = match &error {
                DbError::Missing { path } => format!(
                    "dependencies were not checked for known vulnerabilities: no database at {}; \
                     run `shipgate db update` (network) or `shipgate db import all.zip` (offline)",
                    path.display()
                ),
                other => {
                    format!("dependencies were not checked for known vulnerabilities: {other}")
                }
            };
            if require {
                bail!("{message} (required by {})", require_source(require_flag));
            }
            options.database_notes.push(message);
            return Ok(options);
        }
    };
    let max_age = deps.max_db_age_days;
    let now = Timestamp::now();
    let age = database
        .last_import()?
        .map(|import| now.duration_since(import.time));
    if age.is_none_or(|age| age > jiff::SignedDuration::from_hours(i64::from(max_age) * 24)) {
        let age = age
            .map(describe_age)
            .unwrap_or_else(|| "never imported".to_owned());
        let message = format!(
            "the vulnerability database is older than {max_age} day(s) (last import: {age}); \
             run `shipgate db update` or import a fresh dump"
        );
        if require {
            bail!("{message} (required by {})", require_source(require_flag));
        }
        options.database_notes.push(message);
    }
    options.database = Some(database);
    Ok(options)
}

fn require_source(flag: bool) -> &'static str {
    if flag {
        "--require-db"
    } else {
        "`require-db = true` in [deps]"
    }
}

/// The "GitHub Actions" advisories for the CI audit
/// `github/known-vulnerable-actions`, and a note when there are none to
/// read.
pub(crate) fn action_advisories(
    args: &DbArgs,
) -> anyhow::Result<(Arc<[Advisory]>, Option<String>)> {
    let dir = db_dir(args)?;
    match Database::open_read_only(&dir) {
        Ok(database) => Ok((
            database
                .advisories_in_ecosystem(Ecosystem::GitHubActions)?
                .into(),
            None,
        )),
        Err(error) => Ok((
            Arc::default(),
            Some(format!(
                "`uses:` references were not checked for known-vulnerable actions: {error}"
            )),
        )),
    }
}

/// The advisories affecting the inventory's packages, for a CycloneDX
/// `vulnerabilities` section.
pub(crate) fn sbom_vulnerabilities(
    inventory: &Inventory,
    args: &DbArgs,
    quiet: bool,
) -> anyhow::Result<Vec<SbomVulnerability>> {
    let dir = db_dir(args)?;
    let database = Database::open_read_only(&dir).with_context(|| {
        "--with-vulns reads the vulnerability database; run `shipgate db update` or `shipgate db import` first"
    })?;
    let now = Timestamp::now();
    let stale = database.last_import()?.is_none_or(|import| {
        now.duration_since(import.time) > jiff::SignedDuration::from_hours(7 * 24)
    });
    if !quiet && stale {
        eprintln!(
            "warning: the vulnerability database is more than 7 days old; run `shipgate db update`"
        );
    }
    let packages: Vec<_> = inventory.packages().map(|(_, package)| package).collect();
    let report = database.match_packages(&packages)?;
    let mut vulnerabilities = Vec::new();
    for matches in &report.matches {
        let package = packages[matches.package];
        for matched in &matches.advisories {
            let advisory = &matched.advisory;
            let vector = advisory.cvss_vector().map(str::to_owned);
            let method = match vector.as_deref() {
                Some(v) if v.starts_with("CVSS:4.") => RatingMethod::CvssV4,
                Some(v) if v.starts_with("CVSS:3.1") => RatingMethod::CvssV31,
                Some(v) if v.starts_with("CVSS:3.") => RatingMethod::CvssV3,
                Some(_) => RatingMethod::CvssV2,
                None => RatingMethod::Other,
            };
            vulnerabilities.push(SbomVulnerability {
                id: advisory.id.clone(),
                aliases: advisory.aliases.clone(),
                summary: advisory.summary.clone(),
                details: (!advisory.details.is_empty()).then(|| advisory.details.clone()),
                severity: advisory.severity.severity,
                score: advisory.severity.score,
                vector,
                method,
                source_name: "OSV".to_owned(),
                source_url: Some(format!("https://osv.dev/vulnerability/{}", advisory.id)),
                affected_purls: vec![package.purl()],
                fixed_versions: matched.fixed.clone(),
                published: advisory.published,
                updated: Some(advisory.modified),
            });
        }
    }
    Ok(vulnerabilities)
}
