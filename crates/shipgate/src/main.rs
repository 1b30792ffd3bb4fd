//! The `shipgate` binary: parses arguments and wires the library crates.

mod attest;
mod baseline;
mod cli;
mod commands;
mod db;
mod deps;
mod fix;
mod output;
mod progress;
mod sbom;
mod scan;
mod selection;
mod signing;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, DbCommand, DepsCommand, KeyCommand, OutputFormat, SecretsCommand};

/// Exit status for usage, input and configuration errors.
const EXIT_INPUT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => commands::rules(args),
        Command::Explain(args) => commands::explain(args),
        Command::Fix(args) => fix::run(args),
        Command::Secrets(SecretsCommand::ImportGitleaks(args)) => commands::import_gitleaks(args),
        Command::Deps(DepsCommand::List(args)) => deps::list(args),
        Command::Db(DbCommand::Import(args)) => db::import(args),
        Command::Db(DbCommand::Update(args)) => db::update(args),
        Command::Db(DbCommand::Status(args)) => db::status(args),
        Command::Sbom(args) => sbom::run(args),
        Command::Key(KeyCommand::Generate(args)) => signing::generate(args),
        Command::Key(KeyCommand::Public(args)) => signing::public(args),
        Command::Attest(args) => attest::attest(args),
        Command::Provenance(args) => attest::provenance(args),
        Command::Sign(args) => attest::sign(args),
        Command::Verify(args) => verify::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}

impl From<OutputFormat> for shipgate_report::Format {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Table => shipgate_report::Format::Table,
            OutputFormat::Json => shipgate_report::Format::Json,
            OutputFormat::Sarif => shipgate_report::Format::Sarif,
            OutputFormat::Junit => shipgate_report::Format::Junit,
            OutputFormat::Markdown => shipgate_report::Format::Markdown,
            OutputFormat::Html => shipgate_report::Format::Html,
        }
    }
}
