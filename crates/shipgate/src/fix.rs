//! `shipgate fix`: applies the CI audits' fixes to the files under a path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use shipgate_ci::CiScanner;
use shipgate_ci::fix::{FileFix, FixOptions, SkipReason, fix_repo};
use shipgate_model::{Finding, RuleMeta, Scanner, SourceFile};
use shipgate_walk::NoProgress;
use similar::TextDiff;

use crate::cli::FixArgs;
use crate::output::write_atomically;
use crate::scan::{ci_settings, known_rule_ids, load_config, walk_options};
use crate::selection::RuleSelection;

/// Hands the walked files to the CI scanner without letting the walk's
/// `finish` audit them: fixing audits the collected files itself, round
/// after round.
struct Collector<'s>(&'s CiScanner);

impl Scanner for Collector<'_> {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn wants(&self, path: &str) -> bool {
        self.0.wants(path)
    }

    fn scan(&self, file: &SourceFile<'_>, findings: &mut Vec<Finding>) {
        self.0.scan(file, findings);
    }

    fn rules(&self) -> Vec<RuleMeta> {
        self.0.rules()
    }
}

/// Counts for the closing summary.
#[derive(Default)]
struct Totals {
    fixed_findings: usize,
    fixed_files: usize,
    unsafe_skipped: usize,
    other_skipped: usize,
    refused_files: usize,
}

/// Runs `shipgate fix` and returns the process exit code.
pub fn run(args: &FixArgs) -> anyhow::Result<ExitCode> {
    if !args.path.exists() {
        bail!(
            "`{}` does not exist; pass a directory or file to fix",
            args.path.display()
        );
    }
    let loaded = load_config(&args.path, args.config.as_deref())?;
    let selection = RuleSelection::new(&loaded, &known_rule_ids(&loaded)?)?;
    let mut settings = ci_settings(&loaded, args.pedantic, args.auditor);
    settings.action_advisories = crate::db::action_advisories(&args.db)?.0;
    let scanner = CiScanner::new(settings);
    let walk = walk_options(&loaded, &args.path);
    shipgate_walk::scan_tree(&walk, &[&Collector(&scanner)], &NoProgress)?;
    let repo = scanner.take_collected();
    let options = FixOptions {
        allow_unsafe: args.allow_unsafe,
        rules: Some(
            CiScanner::rule_metas()
                .into_iter()
                .map(|rule| rule.id)
                .filter(|id| selection.is_enabled(id))
                .collect(),
        ),
    };
    let results = fix_repo(&scanner, &repo, &options);

    let mut totals = Totals::default();
    let mut failures = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for result in &results {
        let written = match &result.fixed {
            Some(fixed) if args.dry_run => {
                let diff = TextDiff::from_lines(&result.original, fixed)
                    .unified_diff()
                    .header(&format!("a/{}", result.path), &format!("b/{}", result.path))
                    .to_string();
                stdout.write_all(diff.as_bytes())?;
                true
            }
            Some(fixed) => match write_back(&args.path, result, fixed) {
                Ok(()) => true,
                Err(err) => {
                    failures.push(format!("{}: {err:#}", result.path));
                    false
                }
            },
            None => false,
        };
        if written {
            totals.fixed_files += 1;
            totals.fixed_findings += result.applied.len();
        }
        if result.refused.is_some() {
            totals.refused_files += 1;
        }
        for skipped in &result.skipped {
            match skipped.reason {
                SkipReason::Unsafe => totals.unsafe_skipped += 1,
                SkipReason::FileRefused => {}
                _ => totals.other_skipped += 1,
            }
        }
        if !args.quiet {
            report_file(result, written, args.dry_run);
        }
    }
    stdout.flush()?;
    if !args.quiet {
        eprintln!("{}", summary(&totals, args.dry_run));
    }
    if !failures.is_empty() {
        for failure in &failures {
            eprintln!("error: {failure}");
        }
        bail!("{} fixed file(s) could not be written", failures.len());
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `fixed` over the file `result` came from, unless it changed on
/// disk since it was read or is a symbolic link (replacing the link with a
/// file would cut it).
fn write_back(root: &Path, result: &FileFix, fixed: &str) -> anyhow::Result<()> {
    let target: PathBuf = if root.is_file() {
        root.to_path_buf()
    } else {
        root.join(&result.path)
    };
    if std::fs::symlink_metadata(&target)?.file_type().is_symlink() {
        bail!("is a symbolic link; fix the file it points to");
    }
    if std::fs::read(&target)? != result.original.as_bytes() {
        bail!("changed on disk while it was being fixed; run `shipgate fix` again");
    }
    write_atomically(&target, fixed.as_bytes())
}

fn report_file(result: &FileFix, written: bool, dry_run: bool) {
    let verb = if dry_run { "would fix" } else { "fixed" };
    match (&result.refused, written) {
        (Some(reason), _) => eprintln!("{}: left unchanged: {reason}", result.path),
        (None, true) => eprintln!(
            "{}: {verb} {}",
            result.path,
            plural(result.applied.len(), "finding", "findings")
        ),
        (None, false) if result.fixed.is_some() => {
            eprintln!("{}: not written", result.path);
        }
        (None, false) => eprintln!("{}: nothing fixed", result.path),
    }
    if written {
        for applied in &result.applied {
            eprintln!("  {verb:<9} {}: {}", applied.rule_id, applied.title);
        }
    }
    for skipped in &result.skipped {
        eprintln!(
            "  {:<9} {}: {} ({})",
            "skipped", skipped.rule_id, skipped.title, skipped.reason
        );
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

fn summary(totals: &Totals, dry_run: bool) -> String {
    let verb = if dry_run { "would fix" } else { "fixed" };
    let mut parts = vec![if totals.fixed_findings == 0 {
        "nothing to fix".to_owned()
    } else {
        format!(
            "{verb} {} in {}",
            plural(totals.fixed_findings, "finding", "findings"),
            plural(totals.fixed_files, "file", "files")
        )
    }];
    if totals.unsafe_skipped > 0 {
        parts.push(format!(
            "{} not applied (pass --unsafe)",
            plural(totals.unsafe_skipped, "unsafe fix", "unsafe fixes")
        ));
    }
    if totals.other_skipped > 0 {
        parts.push(format!(
            "{} skipped",
            plural(totals.other_skipped, "fix", "fixes")
        ));
    }
    if totals.refused_files > 0 {
        parts.push(format!(
            "{} left unchanged because a fix failed verification",
            plural(totals.refused_files, "file", "files")
        ));
    }
    parts.join("; ")
}
