//! The `deps` scanner: collects lockfiles during the walk, reads them into
//! one inventory when the walk ends, and reports what the advisories say.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::json;

use shipgate_model::{
    AdvisoryIgnore, Finding, Fingerprint, IsoDate, LineIndex, Location, Note, NoteKind, RuleMeta,
    Scanner, Snippet, SourceFile,
};

use crate::inventory::{FileSet, Inventory, Lockfile, LockfileError, Package};
use crate::lockfile;
use crate::osv::matching::{AdvisoryMatch, fixing_upgrade};
use crate::osv::{Advisory, Database};
use crate::rules::{self, DepsRule};

/// What the scanner is told by the user and the binary.
#[derive(Debug, Default)]
pub struct DepsOptions {
    /// The advisory database; without one, only the inventory is built.
    pub database: Option<Database>,
    /// Said once when the tree has packages: the database is missing,
    /// stale or unreadable, and what to do.
    pub database_notes: Vec<String>,
    /// Advisories accepted until a date.
    pub ignores: Vec<AdvisoryIgnore>,
    /// Today's date (UTC), for the ignores' expiry.
    pub today: Option<IsoDate>,
}

/// Reads every lockfile of a working tree into an [`Inventory`] and, with
/// a database, reports the packages published advisories affect.
#[derive(Debug, Default)]
pub struct DepsScanner {
    files: Mutex<FileSet>,
    inventory: Mutex<Inventory>,
    notes: Mutex<Vec<Note>>,
    database: Option<Mutex<Database>>,
    database_notes: Vec<String>,
    ignores: Vec<AdvisoryIgnore>,
    today: Option<IsoDate>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl DepsScanner {
    /// A scanner that only builds the inventory.
    pub fn new() -> Self {
        DepsScanner::default()
    }

    /// A scanner that also matches the inventory against a database.
    pub fn with_options(options: DepsOptions) -> Self {
        DepsScanner {
            database: options.database.map(Mutex::new),
            database_notes: options.database_notes,
            ignores: options.ignores,
            today: options.today,
            ..DepsScanner::default()
        }
    }

    /// The inventory read when the walk finished (empty before).
    pub fn into_inventory(self) -> Inventory {
        self.inventory
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Every rule this scanner can report.
    pub fn rule_metas() -> Vec<RuleMeta> {
        rules::all()
    }

    /// Reports every (package, advisory) pair the database knows, unless
    /// an unexpired ignore accepts it; returns how many ignores dropped.
    fn report_advisories(
        &self,
        inventory: &Inventory,
        files: &FileSet,
        findings: &mut Vec<Finding>,
        notes: &mut Vec<Note>,
    ) -> u64 {
        let Some(database) = &self.database else {
            return 0;
        };
        let located: Vec<(&Lockfile, &Package)> = inventory.packages().collect();
        let packages: Vec<&Package> = located.iter().map(|(_, package)| *package).collect();
        let report = match lock(database).match_packages(&packages) {
            Ok(report) => report,
            Err(error) => {
                notes.push(Note {
                    kind: NoteKind::Info,
                    path: None,
                    message: format!("dependencies were not checked for advisories: {error}"),
                });
                return 0;
            }
        };
        for warning in &report.warnings {
            let (lockfile, package) = located[warning.package];
            notes.push(Note {
                kind: NoteKind::Info,
                path: Some(format!("{}:{}", lockfile.path, package.line)),
                message: format!(
                    "{}@{}: a range of {} was skipped: {}",
                    package.name, package.version, warning.advisory, warning.message
                ),
            });
        }
        let mut ignored = 0;
        let mut expired = BTreeSet::new();
        for matches in &report.matches {
            let (lockfile, package) = located[matches.package];
            let advisories: Vec<&Advisory> = matches
                .advisories
                .iter()
                .map(|m| m.advisory.as_ref())
                .collect();
            let upgrade = fixing_upgrade(package.ecosystem, &package.version, &advisories);
            for matched in &matches.advisories {
                match self.ignore_for(package, &matched.advisory) {
                    Some(ignore) if self.today.is_some_and(|today| today <= ignore.expires) => {
                        ignored += 1;
                        continue;
                    }
                    Some(ignore) if expired.insert((ignore.id.clone(), ignore.expires)) => {
                        notes.push(Note {
                            kind: NoteKind::Info,
                            path: None,
                            message: format!(
                                "the [[deps.ignore]] of {} expired on {}; its findings are reported again",
                                ignore.id, ignore.expires
                            ),
                        });
                    }
                    Some(_) => {}
                    None => {}
                }
                findings.push(advisory_finding(
                    lockfile,
                    package,
                    matched,
                    upgrade.as_deref(),
                    files,
                ));
            }
        }
        ignored
    }

    fn ignore_for(&self, package: &Package, advisory: &Advisory) -> Option<&AdvisoryIgnore> {
        self.ignores.iter().find(|ignore| {
            let names_advisory = ignore.id.eq_ignore_ascii_case(&advisory.id)
                || advisory
                    .aliases
                    .iter()
                    .any(|alias| ignore.id.eq_ignore_ascii_case(alias));
            let names_package = ignore.package.as_deref().is_none_or(|name| {
                package.ecosystem.normalize_name(name)
                    == package.ecosystem.normalize_name(&package.name)
            });
            names_advisory && names_package
        })
    }
}

impl Scanner for DepsScanner {
    fn name(&self) -> &'static str {
        "deps"
    }

    fn wants(&self, path: &str) -> bool {
        lockfile::is_relevant(path)
    }

    fn scan(&self, file: &SourceFile<'_>, _findings: &mut Vec<Finding>) {
        lock(&self.files).insert(file.path, file.content.to_vec());
    }

    fn rules(&self) -> Vec<RuleMeta> {
        rules::all()
    }

    fn finish(&self, findings: &mut Vec<Finding>) -> u64 {
        let files = std::mem::take(&mut *lock(&self.files));
        let inventory = Inventory::build(&files);
        let mut notes = lock(&self.notes);
        for error in &inventory.errors {
            findings.push(invalid_lockfile(error, &files));
        }
        for lockfile in &inventory.lockfiles {
            for warning in &lockfile.warnings {
                notes.push(Note {
                    kind: NoteKind::Info,
                    path: Some(match warning.line {
                        Some(line) => format!("{}:{line}", lockfile.path),
                        None => lockfile.path.clone(),
                    }),
                    message: warning.message.clone(),
                });
            }
        }
        if inventory.packages().next().is_some() {
            notes.extend(self.database_notes.iter().map(|message| Note {
                kind: NoteKind::Info,
                path: None,
                message: message.clone(),
            }));
        }
        let ignored = self.report_advisories(&inventory, &files, findings, &mut notes);
        *lock(&self.inventory) = inventory;
        ignored
    }

    fn notes(&self) -> Vec<Note> {
        std::mem::take(&mut *lock(&self.notes))
    }
}

/// One `deps/vulnerable-package` or `deps/malicious-package` finding.
fn advisory_finding(
    lockfile: &Lockfile,
    package: &Package,
    matched: &AdvisoryMatch,
    upgrade: Option<&str>,
    files: &FileSet,
) -> Finding {
    let advisory = &matched.advisory;
    let malicious = advisory.id.starts_with("MAL-");
    let rule = if malicious {
        &rules::MALICIOUS_PACKAGE
    } else {
        &rules::VULNERABLE_PACKAGE
    };
    let label = if advisory.aliases.is_empty() {
        advisory.id.clone()
    } else {
        format!("{} ({})", advisory.id, advisory.aliases.join(", "))
    };
    let summary = if advisory.summary.is_empty() {
        advisory
            .details
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    } else {
        advisory.summary.clone()
    };
    let mut message = format!(
        "`{}@{}` is affected by {label}",
        package.name, package.version
    );
    if !summary.is_empty() {
        message.push_str(": ");
        message.push_str(summary.trim_end_matches('.'));
    }
    if malicious {
        message.push_str("; remove it and rotate the secrets of every machine that installed it");
    } else if let Some(upgrade) = upgrade {
        message.push_str(&format!("; upgrade to {upgrade}"));
    } else if matched.fixed.is_empty() {
        message.push_str("; no fixed version is published");
    } else {
        message.push_str(&format!("; fixed in {}", matched.fixed.join(", ")));
    }
    let purl = package.purl();
    let mut finding = finding_at(
        rule,
        &lockfile.path,
        package.line,
        message,
        files,
        &format!("{}\0{}\0{}", purl, advisory.id, package.ecosystem),
        Some(purl.clone()),
    );
    if !malicious {
        finding.severity = advisory.severity.severity;
    }
    finding.note = advisory.severity.note().map(str::to_owned);
    let vector = advisory.cvss_vector();
    let properties = &mut finding.properties;
    properties.insert("advisory".into(), json!(advisory.id));
    properties.insert("aliases".into(), json!(advisory.aliases));
    properties.insert("package".into(), json!(package.name));
    properties.insert("version".into(), json!(package.version));
    properties.insert("ecosystem".into(), json!(package.ecosystem.osv_name()));
    properties.insert("purl".into(), json!(purl));
    properties.insert("fixed".into(), json!(matched.fixed));
    if let Some(upgrade) = upgrade {
        properties.insert("upgrade".into(), json!(upgrade));
    }
    if let Some(score) = advisory.severity.score {
        properties.insert("cvss".into(), json!(score));
    }
    if let Some(vector) = vector {
        properties.insert("vector".into(), json!(vector));
    }
    finding
}

/// A finding on `line` (1-based; 0 means the first line) of `path`, with
/// that line as its snippet. `identity` separates findings on the same
/// line (package and advisory) for the fingerprint.
pub(crate) fn finding_at(
    rule: &DepsRule,
    path: &str,
    line: u32,
    message: String,
    files: &FileSet,
    identity: &str,
    symbolic: Option<String>,
) -> Finding {
    let content = files.get(path).unwrap_or_default();
    let index = LineIndex::new(content);
    let last_line = index.line_count().saturating_sub(1);
    let line_index = usize::try_from(line.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .min(last_line);
    let range = index.line_range(content, line_index);
    let text = &content[range.clone()];
    let trimmed_end = range.start + text.trim_ascii_end().len();
    Finding {
        rule_id: rule.id.to_owned(),
        title: rule.title.to_owned(),
        severity: rule.severity,
        confidence: rule.confidence,
        message,
        location: Location {
            path: path.to_owned(),
            start: index.position(content, range.start),
            end: index.position(content, trimmed_end),
            byte_start: range.start,
            byte_end: trimmed_end,
            commit: None,
            symbolic,
        },
        snippet: Snippet {
            first_line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
            text: String::from_utf8_lossy(&content[range.start..trimmed_end]).into_owned(),
        },
        secret: None,
        fingerprint: Fingerprint::new(rule.id, path, identity.as_bytes()),
        controls: rule.controls.iter().map(|c| (*c).to_owned()).collect(),
        note: None,
        properties: Default::default(),
    }
}

fn invalid_lockfile(error: &LockfileError, files: &FileSet) -> Finding {
    finding_at(
        &rules::INVALID_LOCKFILE,
        &error.path,
        error.line.unwrap_or(1),
        format!("cannot read this lockfile: {}", error.message),
        files,
        &error.message,
        None,
    )
}
