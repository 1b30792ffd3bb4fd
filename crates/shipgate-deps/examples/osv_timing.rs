//! Writes a synthetic OSV dump, or times importing a dump into a database
//! directory and matching a synthetic 5,000-package inventory against it
//! (used by bench/osv.sh).
//!
//! Usage: osv_timing generate ADVISORIES OUT.zip
//!        osv_timing run DUMP.zip DB_DIR ADVISORIES
//!        osv_timing match DB_DIR ADVISORIES   (matching only, for profiling)

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::time::Instant;

use shipgate_deps::osv::{Database, ImportOptions, ImportSource};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, command, advisories, out] = args.as_slice()
        && command == "generate"
    {
        std::fs::write(out, synthetic::dump(advisories.parse()?))?;
        return Ok(());
    }
    if let [_, command, dir, advisories] = args.as_slice()
        && command == "match"
    {
        let database = Database::open_read_only(std::path::Path::new(dir))?;
        return time_matching(&database, advisories.parse()?);
    }
    let [_, command, dump, dir, advisories] = args.as_slice() else {
        return Err(
            "usage: osv_timing generate ADVISORIES OUT.zip | run DUMP.zip DB_DIR ADVISORIES \
             | match DB_DIR ADVISORIES"
                .into(),
        );
    };
    if command != "run" {
        return Err(format!("unknown command `{command}`: use generate or run").into());
    }
    let advisories: usize = advisories.parse()?;
    let dir = std::path::Path::new(dir);
    let mut database = Database::open(dir)?;
    let started = Instant::now();
    let report = database.import(
        &[ImportSource::Path(dump.into())],
        &ImportOptions::default(),
        jiff::Timestamp::now(),
        &mut |_| {},
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let records = report.counts.records;
    println!(
        "import: {records} records in {seconds:.2} s = {:.0} advisories/s (added {}, skipped {})",
        records as f64 / seconds,
        report.counts.added,
        report.counts.skipped
    );
    drop(database);
    let database = Database::open_read_only(dir)?;
    println!(
        "index size: {:.1} MiB",
        database.status()?.file_size as f64 / 1_048_576.0
    );
    time_matching(&database, advisories)
}

fn time_matching(database: &Database, advisories: usize) -> Result<(), Box<dyn std::error::Error>> {
    let inventory = synthetic::inventory(5_000, advisories);
    let packages: Vec<_> = inventory.iter().collect();
    database.match_packages(&packages)?;
    let mut best = f64::MAX;
    let mut matched = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let result = database.match_packages(&packages)?;
        best = best.min(started.elapsed().as_secs_f64());
        matched = result.matches.len();
    }
    println!(
        "match: 5000 packages in {:.1} ms (best of 5, warm), {matched} with advisories",
        best * 1000.0
    );
    Ok(())
}
