//! `shipgate rules`, `shipgate explain` and `shipgate secrets import-gitleaks`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::Serialize;
use shipgate_model::secret_rule::Allowlist;
use shipgate_model::{RuleMeta, Scanner, SecretRuleSpec};
use shipgate_report::RulesFormat;
use shipgate_secrets::{SecretScanner, SecretsOptions};

use crate::cli::{ExplainArgs, ImportGitleaksArgs, RulesArgs, RulesOutput};
use crate::output::write_atomically;
use crate::selection::closest;

/// Metadata of every built-in rule, sorted by id.
pub fn builtin_rules() -> anyhow::Result<Vec<RuleMeta>> {
    let specs =
        shipgate_secrets::builtin_rules().context("the built-in secret rules are broken")?;
    let scanner = SecretScanner::new(specs, SecretsOptions::default())
        .context("the built-in secret rules are broken")?;
    let mut rules = scanner.rules();
    rules.extend(shipgate_ci::CiScanner::rule_metas());
    rules.extend(shipgate_deps::DepsScanner::rule_metas());
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rules)
}

/// `shipgate rules`
pub fn rules(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let rules = builtin_rules()?;
    let format = match args.format {
        RulesOutput::Table => RulesFormat::Table,
        RulesOutput::Json => RulesFormat::Json,
        RulesOutput::Markdown => RulesFormat::Markdown,
    };
    let mut out = std::io::stdout().lock();
    shipgate_report::render_rules(&rules, format, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `shipgate explain RULE_ID`
pub fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let rules = builtin_rules()?;
    let Some(rule) = rules.iter().find(|rule| rule.id == args.rule_id) else {
        let ids: Vec<String> = rules.iter().map(|rule| rule.id.clone()).collect();
        let hint = closest(&args.rule_id, &ids)
            .map(|id| format!("did you mean `{id}`?"))
            .unwrap_or_else(|| "run `shipgate rules` to list rule ids".into());
        bail!("no rule has the id `{}`; {hint}", args.rule_id);
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::stdout().lock();
    shipgate_report::render_explanation(rule, color, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The part of shipgate.toml an import produces.
#[derive(Serialize)]
struct ConfigFragment {
    secrets: SecretsFragment,
}

#[derive(Serialize)]
struct SecretsFragment {
    #[serde(skip_serializing_if = "Allowlist::is_empty")]
    allowlist: Allowlist,
    rules: Vec<SecretRuleSpec>,
}

/// `shipgate secrets import-gitleaks FILE`
pub fn import_gitleaks(args: &ImportGitleaksArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let imported = shipgate_secrets::gitleaks::import(&text)
        .map_err(|err| anyhow::anyhow!("{}: {err}", args.file.display()))?;
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    // The import already dropped (with a warning) every rule whose regex does
    // not compile; compiling the set together also checks `requires` links.
    let rules = imported.rules;
    SecretScanner::new(rules.clone(), SecretsOptions::default())
        .context("the imported rules do not compile together")?;
    let count = rules.len();
    let fragment = ConfigFragment {
        secrets: SecretsFragment {
            allowlist: imported.allowlist,
            rules,
        },
    };
    let body = toml::to_string(&fragment).context("cannot serialise the imported rules")?;
    let text = format!(
        "# Imported from {} by `shipgate secrets import-gitleaks`.\n# Paste into shipgate.toml, or keep the gitleaks file and set `[secrets] extend = \"{}\"`.\n\n{body}",
        args.file.display(),
        args.file.display()
    );
    match &args.output {
        Some(path) => write_atomically(path, text.as_bytes())?,
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    eprintln!("imported {count} rule(s) from {}", args.file.display());
    Ok(ExitCode::SUCCESS)
}
