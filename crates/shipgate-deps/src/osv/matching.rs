//! Deciding whether a package version is affected by an advisory, per the
//! OSV specification's evaluation of `versions` and `ranges`.
//!
//! - `versions` lists affected versions exactly.
//! - `SEMVER` ranges order events as SemVer 2.0, `ECOSYSTEM` ranges in the
//!   package's ecosystem. Events are sorted; `introduced` opens the range
//!   (`"0"` means from the first version), `fixed` and `limit` close it
//!   before their version, `last_affected` after its version. A range may
//!   open and close several times.
//! - `GIT` ranges order commits by history, which is not available
//!   offline: a version counts as affected only when it is itself a commit
//!   named by an `introduced` or `last_affected` event (or listed in
//!   `versions`).
//! - A version or event that does not parse in the range's scheme makes
//!   that range unusable: it is skipped with a warning, never guessed.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use serde::Serialize;

use crate::ecosystem::Ecosystem;
use crate::inventory::Package;
use crate::osv::record::{Advisory, Affected, Event, Range, RangeKind};
use crate::osv::store::{Candidate, Database, DbError};
use crate::version::Version;

/// The verdict for one advisory and one version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Whether the version is affected.
    pub affected: bool,
    /// `fixed` versions after this version in the ranges that matched.
    pub fixed: Vec<String>,
    /// Ranges that could not be evaluated, and why.
    pub warnings: Vec<String>,
}

/// An advisory that affects a package.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdvisoryMatch {
    /// The advisory, with the package's affected entries.
    pub advisory: Arc<Advisory>,
    /// Versions that fix it, from the ranges that matched (may be empty:
    /// no fix yet, or only `last_affected` is known).
    pub fixed: Vec<String>,
}

/// The advisories affecting one package.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PackageMatches {
    /// Index of the package in the slice given to
    /// [`Database::match_packages`].
    pub package: usize,
    /// The advisories, ordered by id.
    pub advisories: Vec<AdvisoryMatch>,
}

/// A range that could not be evaluated for a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchWarning {
    /// Index of the package in the slice given to
    /// [`Database::match_packages`].
    pub package: usize,
    /// The advisory whose range was skipped.
    pub advisory: String,
    /// Why.
    pub message: String,
}

/// The result of matching an inventory.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MatchReport {
    /// Packages with at least one advisory, in input order.
    pub matches: Vec<PackageMatches>,
    /// Ranges skipped because a version did not parse.
    pub warnings: Vec<MatchWarning>,
    /// Packages not matched because they come from git, a path or a URL.
    pub not_from_registry: usize,
}

/// A candidate advisory of one package name, with its id and the advisory
/// itself once needed (a warning names it, a version matched it).
struct Loaded {
    candidate: Candidate,
    id: Option<String>,
    advisory: Option<Arc<Advisory>>,
}

impl Loaded {
    fn id(&mut self, database: &Database) -> Result<String, DbError> {
        match &self.id {
            Some(id) => Ok(id.clone()),
            None => {
                let id = database.advisory_id(self.candidate.rowid)?;
                self.id = Some(id.clone());
                Ok(id)
            }
        }
    }

    fn advisory(&mut self, database: &Database) -> Result<Arc<Advisory>, DbError> {
        if let Some(advisory) = &self.advisory {
            return Ok(Arc::clone(advisory));
        }
        let advisory =
            Arc::new(database.advisory(self.candidate.rowid, self.candidate.affected.clone())?);
        self.id = Some(advisory.id.clone());
        self.advisory = Some(Arc::clone(&advisory));
        Ok(advisory)
    }
}

impl Database {
    /// Matches every registry package against the database. Advisories of
    /// one name are read once however many versions of it there are, and
    /// only advisories that match are read whole.
    pub fn match_packages(&self, packages: &[&Package]) -> Result<MatchReport, DbError> {
        self.in_snapshot(|| self.match_in_snapshot(packages))
    }

    fn match_in_snapshot(&self, packages: &[&Package]) -> Result<MatchReport, DbError> {
        let mut report = MatchReport::default();
        let mut by_name: HashMap<(Ecosystem, String), Vec<Loaded>> = HashMap::new();
        for (index, package) in packages.iter().enumerate() {
            if !package.from_registry() {
                report.not_from_registry += 1;
                continue;
            }
            let key = (
                package.ecosystem,
                package.ecosystem.normalize_name(&package.name).into_owned(),
            );
            let loaded = match by_name.entry(key) {
                Entry::Occupied(entry) => entry.into_mut(),
                Entry::Vacant(entry) => {
                    let candidates = self.candidates(package.ecosystem, &package.name)?;
                    entry.insert(
                        candidates
                            .into_iter()
                            .map(|candidate| Loaded {
                                candidate,
                                id: None,
                                advisory: None,
                            })
                            .collect(),
                    )
                }
            };
            let mut version = ParsedVersion::new(package.ecosystem, &package.version);
            let mut matched = Vec::new();
            let mut warnings = Vec::new();
            for candidate in loaded.iter_mut() {
                let evaluation = evaluate_entries(&mut version, &candidate.candidate.affected);
                if !evaluation.warnings.is_empty() {
                    let id = candidate.id(self)?;
                    warnings.extend(evaluation.warnings.into_iter().map(|message| MatchWarning {
                        package: index,
                        advisory: id.clone(),
                        message,
                    }));
                }
                if evaluation.affected {
                    matched.push(AdvisoryMatch {
                        advisory: candidate.advisory(self)?,
                        fixed: evaluation.fixed,
                    });
                }
            }
            // Stable sorts: a warning's ranges stay in the advisory's order.
            warnings.sort_by(|a, b| a.advisory.cmp(&b.advisory));
            report.warnings.extend(warnings);
            if !matched.is_empty() {
                matched.sort_by(|a, b| a.advisory.id.cmp(&b.advisory.id));
                report.matches.push(PackageMatches {
                    package: index,
                    advisories: matched,
                });
            }
        }
        Ok(report)
    }
}

/// Whether `version` of a package in `ecosystem` is affected by
/// `advisory`, whose affected entries are taken to be that package's (as
/// [`Database::lookup`] returns them).
pub fn evaluate(ecosystem: Ecosystem, version: &str, advisory: &Advisory) -> Evaluation {
    evaluate_entries(
        &mut ParsedVersion::new(ecosystem, version),
        &advisory.affected,
    )
}

/// [`evaluate`] on one package's affected entries, with the package
/// version parsed at most once per scheme however many entries there are.
fn evaluate_entries(version: &mut ParsedVersion<'_>, entries: &[Affected]) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for entry in entries {
        if entry
            .versions
            .iter()
            .any(|listed| same_listed_version(version.ecosystem, listed, version.text))
        {
            evaluation.affected = true;
        }
        for range in &entry.ranges {
            match evaluate_range(version, range) {
                Ok(Some(fixed)) => {
                    evaluation.affected = true;
                    for fix in fixed {
                        if !evaluation.fixed.contains(&fix) {
                            evaluation.fixed.push(fix);
                        }
                    }
                }
                Ok(None) => {}
                Err(warning) => evaluation.warnings.push(warning),
            }
        }
    }
    evaluation
}

/// The smallest version above `current` among the advisories' `fixed`
/// events that none of `advisories` affects; `None` when there is no such
/// version (no fix published, or only `last_affected` is known).
pub fn fixing_upgrade(
    ecosystem: Ecosystem,
    current: &str,
    advisories: &[&Advisory],
) -> Option<String> {
    let current = Version::parse(ecosystem, current).ok()?;
    let mut candidates: Vec<Version> = advisories
        .iter()
        .flat_map(|advisory| &advisory.affected)
        .flat_map(|entry| &entry.ranges)
        .filter(|range| range.kind != RangeKind::Git)
        .flat_map(|range| &range.events)
        .filter_map(|event| match event {
            Event::Fixed(version) => Version::parse(ecosystem, version).ok(),
            _ => None,
        })
        .filter(|candidate| *candidate > current)
        .collect();
    candidates.sort();
    candidates.dedup();
    candidates
        .into_iter()
        .find(|candidate| {
            advisories.iter().all(|advisory| {
                let evaluation = evaluate(ecosystem, candidate.as_str(), advisory);
                !evaluation.affected && evaluation.warnings.is_empty()
            })
        })
        .map(|candidate| candidate.as_str().to_owned())
}

/// The package version, parsed at most once per scheme.
struct ParsedVersion<'a> {
    ecosystem: Ecosystem,
    text: &'a str,
    semver: Option<Result<Version, String>>,
    native: Option<Result<Version, String>>,
}

impl<'a> ParsedVersion<'a> {
    fn new(ecosystem: Ecosystem, text: &'a str) -> Self {
        ParsedVersion {
            ecosystem,
            text,
            semver: None,
            native: None,
        }
    }

    fn get(&mut self, kind: RangeKind) -> Result<&Version, String> {
        let (ecosystem, text) = (self.ecosystem, self.text);
        let slot = if kind == RangeKind::Semver {
            &mut self.semver
        } else {
            &mut self.native
        };
        slot.get_or_insert_with(|| parse(ecosystem, kind, text).map_err(|error| error.to_string()))
            .as_ref()
            .map_err(|error| format!("package version unreadable, range skipped: {error}"))
    }
}

fn parse(
    ecosystem: Ecosystem,
    kind: RangeKind,
    text: &str,
) -> Result<Version, crate::version::VersionError> {
    if kind == RangeKind::Semver {
        Version::parse_semver(text)
    } else {
        Version::parse(ecosystem, text)
    }
}

/// A sorted event's position: `introduced: "0"` sits below every version.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    Start,
    At(Version),
}

/// `Ok(Some(fixes))` when the range affects the version, `Ok(None)` when
/// not, `Err` when it cannot be evaluated.
fn evaluate_range(
    version: &mut ParsedVersion<'_>,
    range: &Range,
) -> Result<Option<Vec<String>>, String> {
    if range.kind == RangeKind::Git {
        let named = range.events.iter().any(|event| {
            matches!(event, Event::Introduced(commit) | Event::LastAffected(commit)
                if commit.eq_ignore_ascii_case(version.text))
        });
        return Ok(named.then(Vec::new));
    }
    let ecosystem = version.ecosystem;
    let current = version.get(range.kind)?;
    let mut events = Vec::with_capacity(range.events.len());
    for event in &range.events {
        let bound = match event {
            Event::Introduced(text) if text.trim() == "0" => Bound::Start,
            _ => Bound::At(
                parse(ecosystem, range.kind, event.version())
                    .map_err(|error| format!("range event unreadable, range skipped: {error}"))?,
            ),
        };
        let order = u8::from(!matches!(event, Event::Introduced(_)));
        events.push((bound, order, event));
    }
    events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut affected = false;
    for (bound, _, event) in &events {
        let relation = match bound {
            Bound::Start => Ordering::Greater,
            Bound::At(at) => current.cmp(at),
        };
        match event {
            Event::Introduced(_) if relation != Ordering::Less => affected = true,
            Event::Fixed(_) | Event::Limit(_) if relation != Ordering::Less => affected = false,
            Event::LastAffected(_) if relation == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    if !affected {
        return Ok(None);
    }
    let fixes = events
        .iter()
        .filter_map(|(bound, _, event)| match (bound, event) {
            (Bound::At(at), Event::Fixed(text)) if at > current => Some(text.clone()),
            _ => None,
        })
        .collect();
    Ok(Some(fixes))
}

/// `versions` entries are compared as written, except that Go module
/// versions carry a `v` the advisories may leave out.
fn same_listed_version(ecosystem: Ecosystem, listed: &str, version: &str) -> bool {
    if listed == version {
        return true;
    }
    ecosystem == Ecosystem::Go && listed.trim_start_matches('v') == version.trim_start_matches('v')
}
