//! Writes the test inventories' SBOMs into a directory, for checking them
//! with other tools (`tests/interop.py`).
//!
//! Usage: `cargo run -p shipgate-sbom --example sbom_samples -- DIR`

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(directory) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: sbom_samples DIR");
        return ExitCode::from(2);
    };
    match write_samples(&directory) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("sbom_samples: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_samples(directory: &std::path::Path) -> Result<Vec<PathBuf>, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(directory)?;
    let options = fixture::options();
    let samples = [
        (
            "full",
            fixture::full_inventory(),
            fixture::full_vulnerabilities(),
        ),
        (
            "small",
            fixture::small_inventory(),
            fixture::small_vulnerabilities(),
        ),
        ("empty", shipgate_deps::Inventory::default(), Vec::new()),
        (
            "odd",
            fixture::odd_inventory(),
            fixture::full_vulnerabilities(),
        ),
    ];
    let mut paths = Vec::new();
    for (name, inventory, vulnerabilities) in samples {
        let cyclonedx = directory.join(format!("{name}.cdx.json"));
        std::fs::write(
            &cyclonedx,
            shipgate_sbom::cyclonedx(&inventory, &vulnerabilities, &options)?,
        )?;
        let spdx = directory.join(format!("{name}.spdx.json"));
        std::fs::write(&spdx, shipgate_sbom::spdx(&inventory, &options)?)?;
        paths.extend([cyclonedx, spdx]);
    }
    Ok(paths)
}
