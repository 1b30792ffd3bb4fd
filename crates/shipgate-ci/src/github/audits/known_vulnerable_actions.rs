use std::sync::LazyLock;

use serde::Deserialize;
use shipgate_model::{Confidence, Severity};

use super::uses_sites::{UsesSite, action_uses, workflow_uses};
use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::fix::{Edit, Fix};
use crate::github::model::{Action, Workflow};
use crate::github::uses::{Uses, is_commit_sha};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds actions used at a release or commit that a published advisory
    /// names as vulnerable or compromised.
    ///
    /// ## Why it matters
    /// An action runs with the job's token and secrets. When an action had a
    /// vulnerability, or its tags were rewritten to malicious code (as
    /// happened to `tj-actions/changed-files` and `reviewdog/action-setup`
    /// in March 2025 and to `aquasecurity/trivy-action` in March 2026), every
    /// workflow still referencing an affected release stays exposed.
    ///
    /// The check is offline: references are compared with a curated list of
    /// advisories shipped with shipgate. A tag such as `v1.2.3` is compared
    /// with the advisory's version ranges; a short tag such as `v4` stands
    /// for the newest release of that series, so it is affected only when no
    /// fixed release exists in the series. A commit SHA is matched against
    /// the commits an advisory names, and, when a `# v1.2.3` comment follows
    /// it, that version is checked too (with medium confidence, since the
    /// comment is only a claim).
    ///
    /// ## Example
    /// ```yaml
    /// - uses: tj-actions/changed-files@v45        # flagged: GHSA-mrrh-fwg8-r2c3
    /// - uses: actions/download-artifact@v4.1.0   # flagged: GHSA-cxww-7g56-2vh6
    /// ```
    ///
    /// ## Fix
    /// Move to the fixed release named in the finding, pinned by its full
    /// commit SHA. For compromised releases, also rotate every secret the
    /// affected workflows could read.
    pub(crate) static KNOWN_VULNERABLE_ACTIONS = {
        id: "github/known-vulnerable-actions",
        title: "Action release with a known advisory",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "CICD-SEC-8", "SSDF-RV.1", "SSDF-PW.4", "SOC2-CC6.8"],
    };
}

/// The advisory list, embedded at build time.
const ADVISORY_DATA: &str = include_str!("../../../data/vulnerable-actions.toml");

/// The advisories, parsed once. The embedded file is validated by a test, so
/// an empty list only results from a build that skipped it.
static ADVISORIES: LazyLock<Vec<Advisory>> =
    LazyLock::new(|| parse_advisories(ADVISORY_DATA).unwrap_or_default());

pub(crate) struct KnownVulnerableActions;

impl GithubAudit for KnownVulnerableActions {
    fn meta(&self) -> &'static AuditMeta {
        &KNOWN_VULNERABLE_ACTIONS
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for site in workflow_uses(workflow) {
            check(workflow.doc, &site, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        for site in action_uses(action) {
            check(action.doc, &site, sink);
        }
    }
}

/// Why a file could not be read as an advisory list.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AdvisoryError {
    /// Not TOML of the expected shape.
    #[error("advisory list is not valid: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A version bound that is not `major[.minor[.patch]]`.
    #[error("advisory {id}: `{version}` is not a version")]
    Version {
        /// The advisory.
        id: String,
        /// The bound as written.
        version: String,
    },
    /// A range with neither or both of `fixed` and `last_affected`.
    #[error("advisory {id}: a range needs exactly one of `fixed` and `last_affected`")]
    RangeEnd {
        /// The advisory.
        id: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvisoryFile {
    advisory: Vec<RawAdvisory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdvisory {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    package: String,
    summary: String,
    severity: Severity,
    #[serde(default)]
    ranges: Vec<RawRange>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    rewritten_tags: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    introduced: String,
    fixed: Option<String>,
    last_affected: Option<String>,
}

/// One advisory for one action.
#[derive(Debug)]
pub(crate) struct Advisory {
    id: String,
    aliases: Vec<String>,
    package: String,
    summary: String,
    severity: Severity,
    ranges: Vec<Range>,
    versions: Vec<String>,
    commits: Vec<String>,
    /// Tags were moved to malicious commits; the releases' own commits are
    /// sound.
    rewritten_tags: bool,
}

/// Affected releases from `introduced` up to `end`.
#[derive(Debug)]
struct Range {
    introduced: Version,
    end: RangeEnd,
}

#[derive(Debug)]
enum RangeEnd {
    /// The first release without the flaw.
    Fixed(Version),
    /// The last release with it.
    LastAffected(Version),
}

/// A release version; parts a tag leaves out are filled by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Reads an advisory list in the format of `data/vulnerable-actions.toml`.
pub(crate) fn parse_advisories(text: &str) -> Result<Vec<Advisory>, AdvisoryError> {
    let file: AdvisoryFile = toml::from_str(text)?;
    file.advisory
        .into_iter()
        .map(|raw| {
            let bound = |version: &str| {
                version_parts(version)
                    .map(|parts| fill(parts, 0))
                    .ok_or_else(|| AdvisoryError::Version {
                        id: raw.id.clone(),
                        version: version.to_owned(),
                    })
            };
            let ranges = raw
                .ranges
                .iter()
                .map(|range| {
                    let end = match (&range.fixed, &range.last_affected) {
                        (Some(fixed), None) => RangeEnd::Fixed(bound(fixed)?),
                        (None, Some(last)) => RangeEnd::LastAffected(bound(last)?),
                        _ => return Err(AdvisoryError::RangeEnd { id: raw.id.clone() }),
                    };
                    Ok(Range {
                        introduced: bound(&range.introduced)?,
                        end,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Advisory {
                ranges,
                id: raw.id,
                aliases: raw.aliases,
                package: raw.package,
                summary: raw.summary,
                severity: raw.severity,
                versions: raw.versions,
                commits: raw.commits,
                rewritten_tags: raw.rewritten_tags,
            })
        })
        .collect()
}

/// The numeric parts of `v1`, `1.2` or `v1.2.3`; `None` for anything else
/// (branches, pre-releases, `latest`).
fn version_parts(text: &str) -> Option<Vec<u64>> {
    let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let parts: Vec<u64> = digits
        .split('.')
        .map(|part| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        })
        .collect::<Option<_>>()?;
    (1..=3).contains(&parts.len()).then_some(parts)
}

/// A version from its parts, with missing parts set to `missing`.
fn fill(parts: Vec<u64>, missing: u64) -> Version {
    let part = |i: usize| parts.get(i).copied().unwrap_or(missing);
    Version {
        major: part(0),
        minor: part(1),
        patch: part(2),
    }
}

/// The release a tag resolves to, for comparison: a short tag (`v4`,
/// `v4.1`) moves with its series, so it stands for the newest release in
/// it.
fn tag_version(tag: &str) -> Option<Version> {
    version_parts(tag).map(|parts| fill(parts, u64::MAX))
}

impl Advisory {
    fn covers(&self, owner: &str, repo: &str) -> bool {
        self.package
            .split_once('/')
            .is_some_and(|(o, r)| o.eq_ignore_ascii_case(owner) && r.eq_ignore_ascii_case(repo))
    }

    fn affects_version(&self, version: Version) -> bool {
        self.ranges.iter().any(|range| {
            version >= range.introduced
                && match range.end {
                    RangeEnd::Fixed(fixed) => version < fixed,
                    RangeEnd::LastAffected(last) => version <= last,
                }
        })
    }

    fn names_tag(&self, tag: &str) -> bool {
        self.versions.iter().any(|v| v.eq_ignore_ascii_case(tag))
    }

    fn names_commit(&self, sha: &str) -> bool {
        self.commits.iter().any(|c| c.eq_ignore_ascii_case(sha))
    }

    /// The first release past every range that covers `version`, when the
    /// advisory names one.
    fn fixed_after(&self, version: Option<Version>) -> Option<Version> {
        self.ranges
            .iter()
            .filter(|range| version.is_none_or(|v| v >= range.introduced))
            .filter_map(|range| match range.end {
                RangeEnd::Fixed(fixed) => Some(fixed),
                RangeEnd::LastAffected(_) => None,
            })
            .max()
    }

    fn label(&self) -> String {
        match self.aliases.first() {
            Some(alias) => format!("{} ({alias})", self.id),
            None => self.id.clone(),
        }
    }
}

/// How a reference was found to be affected.
enum Evidence {
    /// The tag itself.
    Tag(Option<Version>),
    /// The commit is one the advisory names.
    Commit,
    /// The version in the comment after a SHA pin.
    Comment(Version),
}

fn check(doc: &Document, site: &UsesSite<'_>, sink: &mut Sink) {
    let Some(Uses::Repository {
        owner,
        repo,
        git_ref: Some(git_ref),
        ..
    }) = site.parsed()
    else {
        return;
    };
    let pinned_by_sha = is_commit_sha(git_ref);
    let comment_version = if pinned_by_sha {
        trailing_comment_version(doc, site)
    } else {
        None
    };
    for advisory in ADVISORIES.iter().filter(|a| a.covers(owner, repo)) {
        let evidence = if pinned_by_sha {
            if advisory.names_commit(git_ref) {
                Evidence::Commit
            } else if let Some(version) =
                comment_version.filter(|v| !advisory.rewritten_tags && advisory.affects_version(*v))
            {
                Evidence::Comment(version)
            } else {
                continue;
            }
        } else {
            let version = tag_version(git_ref);
            let by_range = version.is_some_and(|v| advisory.affects_version(v));
            if !by_range && !advisory.names_tag(git_ref) {
                continue;
            }
            Evidence::Tag(version)
        };
        report(doc, site, git_ref, advisory, &evidence, sink);
    }
}

fn report(
    doc: &Document,
    site: &UsesSite<'_>,
    git_ref: &str,
    advisory: &Advisory,
    evidence: &Evidence,
    sink: &mut Sink,
) {
    let subject = format!("`{}@{git_ref}`", advisory.package);
    let how = match evidence {
        Evidence::Tag(_) => String::new(),
        Evidence::Commit => " (this commit is named in the advisory)".to_owned(),
        Evidence::Comment(version) => format!(" (the pin's comment says v{version})"),
    };
    let fixed = advisory.fixed_after(match evidence {
        Evidence::Tag(version) => *version,
        Evidence::Comment(version) => Some(*version),
        Evidence::Commit => None,
    });
    let advice = match fixed {
        Some(fixed) => format!("; fixed in v{fixed}"),
        None => String::new(),
    };
    let finding = sink
        .report(
            &KNOWN_VULNERABLE_ACTIONS,
            site.node.span.clone(),
            site.symbolic.clone(),
            format!(
                "{subject}{how} is affected by {}: {}{advice}",
                advisory.label(),
                advisory.summary
            ),
        )
        .severity(advisory.severity)
        .note(format!("https://github.com/advisories/{}", advisory.id));
    match evidence {
        Evidence::Comment(_) => {
            finding.confidence(Confidence::Medium);
        }
        Evidence::Tag(_) => {
            if let Some(fixed) = fixed {
                let at = doc.locate(site.node, &format!("@{git_ref}"));
                if at != site.node.span {
                    finding.fix(Fix {
                        title: format!("move to v{fixed}"),
                        safe: false,
                        edits: vec![Edit {
                            range: at.start + 1..at.end,
                            replacement: format!("v{fixed}"),
                        }],
                        touches: vec![site.symbolic.clone()],
                    });
                }
            }
        }
        Evidence::Commit => {}
    }
}

/// The version in a `# v1.2.3` comment on the same line after a SHA pin.
fn trailing_comment_version(doc: &Document, site: &UsesSite<'_>) -> Option<Version> {
    let rest = doc.source().get(site.node.span.end..)?;
    let line = rest.lines().next()?;
    let comment = line.trim_start().strip_prefix('#')?;
    let word = comment.split_whitespace().next()?;
    let parts = version_parts(word)?;
    (parts.len() == 3).then(|| fill(parts, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_is_valid_and_non_empty() {
        let advisories = parse_advisories(ADVISORY_DATA).expect("embedded list parses");
        assert!(advisories.len() >= 8);
        for advisory in &advisories {
            assert!(advisory.package.split('/').count() == 2, "{}", advisory.id);
            assert!(
                !advisory.ranges.is_empty()
                    || !advisory.versions.is_empty()
                    || !advisory.commits.is_empty(),
                "{} matches nothing",
                advisory.id
            );
            assert!(advisory.commits.iter().all(|c| is_commit_sha(c)));
        }
        assert_eq!(ADVISORIES.len(), advisories.len());
    }

    #[test]
    fn short_tags_stand_for_the_newest_release_of_their_series() {
        let advisories = parse_advisories(
            "[[advisory]]\nid = \"X\"\npackage = \"o/r\"\nsummary = \"s\"\nseverity = \"high\"\n\
             ranges = [{ introduced = \"4.0.0\", fixed = \"4.1.3\" }]\n",
        )
        .expect("parses");
        let advisory = &advisories[0];
        let affected = |tag: &str| tag_version(tag).is_some_and(|v| advisory.affects_version(v));
        assert!(affected("v4.1.2"));
        assert!(affected("4.0"));
        assert!(!affected("v4"), "v4 now resolves to a fixed release");
        assert!(!affected("v4.1"), "v4.1 resolves to 4.1.3 or later");
        assert!(!affected("v3.9.9"));
        assert!(!affected("v4.1.3"));
        assert!(!affected("main"));
        assert!(!affected("v4.1.2-beta"));
    }

    #[test]
    fn bad_lists_are_typed_errors() {
        let no_end = "[[advisory]]\nid = \"X\"\npackage = \"o/r\"\nsummary = \"s\"\n\
                      severity = \"high\"\nranges = [{ introduced = \"0\" }]\n";
        assert!(matches!(
            parse_advisories(no_end),
            Err(AdvisoryError::RangeEnd { .. })
        ));
        let bad_version = no_end.replace("introduced = \"0\"", "introduced = \"x\", fixed = \"1\"");
        assert!(matches!(
            parse_advisories(&bad_version),
            Err(AdvisoryError::Version { .. })
        ));
        assert!(matches!(
            parse_advisories("advisory = 3"),
            Err(AdvisoryError::Syntax(_))
        ));
    }
}
