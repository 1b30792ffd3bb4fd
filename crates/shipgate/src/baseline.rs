//! Findings baselines: accepted fingerprints, so a scan reports only new findings.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use shipgate_model::{Finding, Fingerprint};

use crate::output::write_atomically;

const BASELINE_VERSION: u32 = 1;

/// The on-disk baseline file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<BaselineEntry>,
}

/// One accepted finding. Rule and path are kept so the file can be reviewed.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct BaselineEntry {
    fingerprint: Fingerprint,
    rule_id: String,
    path: String,
}

/// The set of accepted fingerprints.
#[derive(Debug, Default)]
pub struct Baseline {
    accepted: BTreeSet<Fingerprint>,
}

impl Baseline {
    /// Reads a baseline written by `--write-baseline`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read baseline {}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a shipgate baseline; create one with `shipgate scan --write-baseline {}`",
                path.display(),
                path.display()
            )
        })?;
        if file.version != BASELINE_VERSION {
            bail!(
                "{} has baseline version {}, this shipgate reads version {BASELINE_VERSION}",
                path.display(),
                file.version
            );
        }
        Ok(Baseline {
            accepted: file.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    /// Whether `finding` was accepted.
    pub fn contains(&self, finding: &Finding) -> bool {
        self.accepted.contains(&finding.fingerprint)
    }

    /// Writes every finding's fingerprint to `path`, sorted so the file diffs well.
    pub fn write(path: &Path, findings: &[Finding]) -> anyhow::Result<usize> {
        let entries: BTreeSet<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule_id: f.rule_id.clone(),
                path: f.location.path.clone(),
            })
            .collect();
        let count = entries.len();
        let file = BaselineFile {
            version: BASELINE_VERSION,
            findings: entries.into_iter().collect(),
        };
        let mut text = serde_json::to_string_pretty(&file)?;
        text.push('\n');
        write_atomically(path, text.as_bytes())?;
        Ok(count)
    }
}
