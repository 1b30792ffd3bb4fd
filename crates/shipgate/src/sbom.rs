//! `shipgate sbom`: CycloneDX or SPDX from the lockfile inventory.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use shipgate_sbom::{SbomOptions, Timestamp};

use crate::cli::{SbomArgs, SbomFormat};
use crate::db;
use crate::deps::read_inventory;
use crate::output::write_atomically;

/// `shipgate sbom`
pub fn run(args: &SbomArgs) -> anyhow::Result<ExitCode> {
    if args.with_vulns && args.format == SbomFormat::Spdx {
        bail!(
            "SPDX 2.3 has no place for vulnerabilities; use `--format cyclonedx --with-vulns`, \
             or drop --with-vulns"
        );
    }
    let inventory = read_inventory(&args.tree, args.quiet)?;
    let timestamp = match source_date_epoch()? {
        Some(timestamp) => timestamp,
        None => Timestamp::now(),
    };
    let fallback_name = std::path::absolute(&args.tree.path)
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
    let text = match args.format {
        SbomFormat::Cyclonedx => {
            let vulnerabilities = if args.with_vulns {
                db::sbom_vulnerabilities(&inventory, &args.db, args.quiet)?
            } else {
                Vec::new()
            };
            shipgate_sbom::cyclonedx(&inventory, &vulnerabilities, &options)?
        }
        SbomFormat::Spdx => shipgate_sbom::spdx(&inventory, &options)?,
    };
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if !args.quiet {
        let packages: usize = inventory.lockfiles.iter().map(|l| l.packages.len()).sum();
        if let Some(path) = &args.output {
            eprintln!(
                "wrote {} with {packages} package(s) from {} lockfile(s)",
                path.display(),
                inventory.lockfiles.len()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The build time reproducible builds agree on, when `SOURCE_DATE_EPOCH`
/// is set: the same input then gives a byte-identical SBOM.
fn source_date_epoch() -> anyhow::Result<Option<Timestamp>> {
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
