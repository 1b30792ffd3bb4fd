//! `shipgate sbom`: CycloneDX or SPDX from the lockfile inventory.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use shipgate_sbom::{SbomOptions, Timestamp};

use crate::cli::{DbArgs, SbomArgs, SbomFormat, TreeArgs};
use crate::db;
use crate::deps::read_inventory;
use crate::output::write_atomically;

/// `shipgate sbom`
pub fn run(args: &SbomArgs) -> anyhow::Result<ExitCode> {
    let text = render(
        &args.tree,
        args.format,
        args.with_vulns,
        &args.db,
        args.quiet,
    )?;
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if !args.quiet
        && let Some(path) = &args.output
    {
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The SBOM of the lockfiles under `tree` in `format`, as JSON text.
pub(crate) fn render(
    tree: &TreeArgs,
    format: SbomFormat,
    with_vulns: bool,
    db: &DbArgs,
    quiet: bool,
) -> anyhow::Result<String> {
    if with_vulns && format == SbomFormat::Spdx {
        bail!(
            "SPDX 2.3 has no place for vulnerabilities; use `--format cyclonedx --with-vulns`, \
             or drop --with-vulns"
        );
    }
    let inventory = read_inventory(tree, quiet)?;
    let timestamp = match source_date_epoch()? {
        Some(timestamp) => timestamp,
        None => Timestamp::now(),
    };
    let fallback_name = std::path::absolute(&tree.path)
        .ok()
        .and_then(|path| {
            let path = if path.is_file() {
                path.parent()?.to_path_buf()
            } else {
                path
            };
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "project".to_owned());
    let options = SbomOptions::new(timestamp, env!("CARGO_PKG_VERSION"), fallback_name);
    let text = match format {
        SbomFormat::Cyclonedx => {
            let vulnerabilities = if with_vulns {
                db::sbom_vulnerabilities(&inventory, db, quiet)?
            } else {
                Vec::new()
            };
            shipgate_sbom::cyclonedx(&inventory, &vulnerabilities, &options)?
        }
        SbomFormat::Spdx => shipgate_sbom::spdx(&inventory, &options)?,
    };
    if !quiet {
        let packages: usize = inventory.lockfiles.iter().map(|l| l.packages.len()).sum();
        eprintln!(
            "SBOM lists {packages} package(s) from {} lockfile(s)",
            inventory.lockfiles.len()
        );
    }
    Ok(text)
}

/// The build time reproducible builds agree on, when `SOURCE_DATE_EPOCH`
/// is set: the same input then gives a byte-identical SBOM.
pub(crate) fn source_date_epoch() -> anyhow::Result<Option<Timestamp>> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    let seconds: i64 = text.trim().parse().with_context(|| {
        format!("SOURCE_DATE_EPOCH=`{text}` is not a number of seconds since 1970-01-01")
    })?;
    Timestamp::from_second(seconds)
        .map(Some)
        .with_context(|| format!("SOURCE_DATE_EPOCH=`{text}` is out of range"))
}
