//! `shipgate deps list`: the inventory the lockfiles describe.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use comfy_table::Table;
use comfy_table::presets::UTF8_FULL_CONDENSED;
use shipgate_deps::{DepsScanner, Inventory, Relation, Scope};
use shipgate_model::Scanner;
use shipgate_walk::WalkOptions;

use crate::cli::{DepsListArgs, ListFormat, TreeArgs};
use crate::output::write_atomically;
use crate::progress::Bar;
use crate::scan::{load_config, walk_options};

/// Reads every lockfile under the tree into one inventory, telling the
/// user on stderr about lockfiles that could not be read.
pub(crate) fn read_inventory(tree: &TreeArgs, quiet: bool) -> anyhow::Result<Inventory> {
    if !tree.path.exists() {
        bail!(
            "`{}` does not exist; pass the directory that holds your lockfiles",
            tree.path.display()
        );
    }
    let loaded = load_config(&tree.path, tree.config.as_deref())?;
    let options = WalkOptions {
        respect_ignore: !tree.no_ignore,
        ..walk_options(&loaded, &tree.path)
    };
    let scanner = DepsScanner::new();
    let outcome = shipgate_walk::scan_tree(
        &options,
        &[&scanner as &dyn Scanner],
        &Bar::new(false, false),
    )?;
    if !quiet {
        for note in &outcome.notes {
            eprintln!(
                "note: {}{}",
                note.path
                    .as_deref()
                    .map(|p| format!("{p}: "))
                    .unwrap_or_default(),
                note.message
            );
        }
    }
    let inventory = scanner.into_inventory();
    if !quiet {
        for error in &inventory.errors {
            eprintln!("warning: {error}");
        }
        if inventory.lockfiles.is_empty() && inventory.errors.is_empty() {
            eprintln!(
                "warning: no lockfile found under `{}` (docs/deps.md lists the formats read); files ignored by .gitignore are skipped unless --no-ignore is given",
                tree.path.display()
            );
        }
    }
    Ok(inventory)
}

/// `shipgate deps list`
pub fn list(args: &DepsListArgs) -> anyhow::Result<ExitCode> {
    let inventory = read_inventory(&args.tree, false)?;
    let mut rendered = match args.format {
        ListFormat::Json => serde_json::to_vec_pretty(&inventory)?,
        ListFormat::Table => table(&inventory).into_bytes(),
    };
    rendered.push(b'\n');
    match &args.output {
        Some(path) => write_atomically(path, &rendered)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&rendered)?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn table(inventory: &Inventory) -> String {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_header([
            "ecosystem",
            "package",
            "version",
            "relation",
            "scope",
            "lockfile",
        ]);
    for (lockfile, package) in inventory.packages() {
        table.add_row([
            package.ecosystem.to_string(),
            package.name.clone(),
            package.version.clone(),
            relation_name(package.relation).to_owned(),
            scope_name(package.scope).to_owned(),
            if package.line > 0 {
                format!("{}:{}", lockfile.path, package.line)
            } else {
                lockfile.path.clone()
            },
        ]);
    }
    let packages: usize = inventory.lockfiles.iter().map(|l| l.packages.len()).sum();
    format!(
        "{table}\n{packages} package(s) in {} lockfile(s){}",
        inventory.lockfiles.len(),
        if inventory.errors.is_empty() {
            String::new()
        } else {
            format!(", {} unreadable", inventory.errors.len())
        }
    )
}

fn relation_name(relation: Relation) -> &'static str {
    match relation {
        Relation::Direct => "direct",
        Relation::Transitive => "transitive",
        Relation::Unknown => "-",
    }
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Runtime => "runtime",
        Scope::Development => "dev",
        Scope::Optional => "optional",
        Scope::Unknown => "-",
    }
}
