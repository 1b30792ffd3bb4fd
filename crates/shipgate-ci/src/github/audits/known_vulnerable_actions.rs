use shipgate_deps::Ecosystem;
use shipgate_deps::osv::{self, Advisory, Affected, Event, RangeKind};
use shipgate_deps::version::Version;
use shipgate_model::Confidence;

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
    /// The check is offline: references are compared with the advisories of
    /// the OSV ecosystem "GitHub Actions" in the local OSV database (filled by
    /// `shipgate db update`, or `shipgate db import` from a downloaded dump);
    /// without that database the audit reports nothing. A tag such as
    /// `v1.2.3` is compared with the advisory's version ranges and listed
    /// versions; a short tag such as `v4` stands for the newest release of
    /// that series, so it is affected only when no fixed release exists in
    /// the series. A commit SHA is affected when the advisory names that
    /// commit, in a `GIT` range or among its listed versions.
    ///
    /// When a `# v1.2.3` comment follows a SHA pin, that version is checked
    /// too, with medium confidence since the comment is only a claim, unless
    /// the advisory names commits. An advisory that names commits is about
    /// those commits, typically release tags moved to malicious code while
    /// the releases' own commits stay sound, so a SHA pin is judged by the
    /// named commits alone. The severity is the advisory's; `MAL-`
    /// (malicious code) advisories are critical.
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

pub(crate) struct KnownVulnerableActions;

impl GithubAudit for KnownVulnerableActions {
    fn meta(&self) -> &'static AuditMeta {
        &KNOWN_VULNERABLE_ACTIONS
    }

    fn workflow(&self, cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        let advisories = &cx.settings.action_advisories;
        if advisories.is_empty() {
            return;
        }
        for site in workflow_uses(workflow) {
            check(advisories, workflow.doc, &site, sink);
        }
    }

    fn action(&self, cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        let advisories = &cx.settings.action_advisories;
        if advisories.is_empty() {
            return;
        }
        for site in action_uses(action) {
            check(advisories, action.doc, &site, sink);
        }
    }
}

/// The numeric parts of `v1`, `1.2` or `v1.2.3`; `None` for anything else
/// (branches, pre-releases, `latest`), which no release range describes
/// reliably.
fn version_parts(text: &str) -> Option<Vec<&str>> {
    let digits = text.strip_prefix(['v', 'V']).unwrap_or(text);
    let parts: Vec<&str> = digits.split('.').collect();
    let numeric = |part: &&str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    ((1..=3).contains(&parts.len()) && parts.iter().all(numeric)).then_some(parts)
}

/// The release a tag resolves to, as version text for range matching: a
/// short tag (`v4`, `v4.1`) moves with its series, so it stands for the
/// newest release in it, written with the largest parts a release could
/// have.
fn tag_release(tag: &str) -> Option<String> {
    let mut parts: Vec<String> = version_parts(tag)?.into_iter().map(str::to_owned).collect();
    while parts.len() < 3 {
        parts.push(u64::MAX.to_string());
    }
    Some(parts.join("."))
}

/// The affected entries of `advisory` for the action `owner/repo`, used at
/// `subpath`. An entry naming a path inside the repository covers only
/// that path.
fn entries_for<'a>(
    advisory: &'a Advisory,
    owner: &str,
    repo: &str,
    subpath: Option<&str>,
) -> Vec<&'a Affected> {
    advisory
        .affected
        .iter()
        .filter(|entry| Ecosystem::from_osv(&entry.ecosystem) == Some(Ecosystem::GitHubActions))
        .filter(|entry| {
            let mut parts = entry.name.trim().splitn(3, '/');
            let same = |expected: &str, part: Option<&str>| {
                part.is_some_and(|part| part.eq_ignore_ascii_case(expected))
            };
            same(owner, parts.next())
                && same(repo, parts.next())
                && parts.next().is_none_or(|path| {
                    subpath.is_some_and(|used| {
                        path.trim_matches('/')
                            .eq_ignore_ascii_case(used.trim_matches('/'))
                    })
                })
        })
        .collect()
}

/// The advisory restricted to `entries`, the form the OSV matching
/// functions expect.
fn restricted(advisory: &Advisory, entries: &[&Affected]) -> Advisory {
    Advisory {
        affected: entries.iter().map(|entry| (*entry).clone()).collect(),
        ..advisory.clone()
    }
}

/// Whether an entry lists `tag`; tags are compared without case and with
/// or without their leading `v`, since advisories spell them both ways.
fn lists_tag(entries: &[&Affected], tag: &str) -> bool {
    let bare = |text: &str| {
        text.trim()
            .trim_start_matches(['v', 'V'])
            .to_ascii_lowercase()
    };
    let tag = bare(tag);
    entries
        .iter()
        .flat_map(|entry| &entry.versions)
        .any(|listed| bare(listed) == tag)
}

/// Whether an entry names commit `sha` as affected: an `introduced` or
/// `last_affected` event of a `GIT` range, or a listed version.
fn names_commit(entries: &[&Affected], sha: &str) -> bool {
    entries.iter().any(|entry| {
        entry.versions.iter().any(|v| v.eq_ignore_ascii_case(sha))
            || git_events(entry).any(|event| {
                matches!(event, Event::Introduced(commit) | Event::LastAffected(commit)
                    if commit.eq_ignore_ascii_case(sha))
            })
    })
}

/// Whether an entry names any commit: then the advisory is about those
/// commits, and the release a SHA pin claims to be says nothing.
fn names_commits(entries: &[&Affected]) -> bool {
    entries.iter().any(|entry| {
        entry.versions.iter().any(|v| is_commit_sha(v))
            || git_events(entry).any(|event| is_commit_sha(event.version()))
    })
}

fn git_events(entry: &Affected) -> impl Iterator<Item = &Event> {
    entry
        .ranges
        .iter()
        .filter(|range| range.kind == RangeKind::Git)
        .flat_map(|range| &range.events)
}

/// The newest `fixed` release of the entries' version ranges: past every
/// affected release, for a commit whose release is unknown.
fn last_fixed(entries: &[&Affected]) -> Option<String> {
    entries
        .iter()
        .flat_map(|entry| &entry.ranges)
        .filter(|range| range.kind != RangeKind::Git)
        .flat_map(|range| &range.events)
        .filter_map(|event| match event {
            Event::Fixed(text) => Version::parse(Ecosystem::GitHubActions, text).ok(),
            _ => None,
        })
        .max()
        .map(|version| version.as_str().trim().to_owned())
}

/// How a reference was found to be affected.
enum Evidence {
    /// The tag itself.
    Tag,
    /// The commit is one the advisory names.
    Commit,
    /// The version in the comment after a SHA pin.
    Comment(String),
}

/// A release named in the style of `like` (with or without the leading
/// `v`), so a suggested tag is spelled the way the action tags releases;
/// `v` when there is nothing to go by.
fn release_name(version: &str, like: Option<&str>) -> String {
    let bare = version.trim().trim_start_matches(['v', 'V']);
    if like.is_some_and(|like| !like.starts_with(['v', 'V'])) {
        bare.to_owned()
    } else {
        format!("v{bare}")
    }
}

fn check(advisories: &[Advisory], doc: &Document, site: &UsesSite<'_>, sink: &mut Sink) {
    let Some(Uses::Repository {
        owner,
        repo,
        subpath,
        git_ref: Some(git_ref),
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
    let release = if pinned_by_sha {
        None
    } else {
        tag_release(git_ref)
    };
    for advisory in advisories {
        let entries = entries_for(advisory, owner, repo, subpath);
        let Some(package) = entries.first().map(|entry| entry.name.trim()) else {
            continue;
        };
        let only = restricted(advisory, &entries);
        let affects =
            |version: &str| osv::evaluate(Ecosystem::GitHubActions, version, &only).affected;
        let upgrade =
            |version: &str| osv::fixing_upgrade(Ecosystem::GitHubActions, version, &[&only]);
        let (evidence, fixed) = if pinned_by_sha {
            if names_commit(&entries, git_ref) {
                (
                    Evidence::Commit,
                    last_fixed(&entries).map(|fixed| release_name(&fixed, None)),
                )
            } else if let Some(version) = comment_version
                .as_deref()
                .filter(|v| !names_commits(&entries) && affects(v))
            {
                (
                    Evidence::Comment(version.to_owned()),
                    upgrade(version).map(|fixed| release_name(&fixed, Some(version))),
                )
            } else {
                continue;
            }
        } else {
            let by_range = release.as_deref().is_some_and(affects);
            if !by_range && !lists_tag(&entries, git_ref) {
                continue;
            }
            let fixed = release
                .as_deref()
                .and_then(upgrade)
                .map(|fixed| release_name(&fixed, Some(git_ref)));
            (Evidence::Tag, fixed)
        };
        report(
            doc, site, git_ref, package, advisory, &evidence, fixed, sink,
        );
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one finding's facts, passed once"
)]
fn report(
    doc: &Document,
    site: &UsesSite<'_>,
    git_ref: &str,
    package: &str,
    advisory: &Advisory,
    evidence: &Evidence,
    fixed: Option<String>,
    sink: &mut Sink,
) {
    let subject = format!("`{package}@{git_ref}`");
    let how = match evidence {
        Evidence::Tag => String::new(),
        Evidence::Commit => " (this commit is named in the advisory)".to_owned(),
        Evidence::Comment(version) => format!(" (the pin's comment says {version})"),
    };
    let summary = match advisory.summary.as_str() {
        "" => String::new(),
        summary => format!(": {summary}"),
    };
    let advice = match &fixed {
        Some(fixed) => format!("; fixed in {fixed}"),
        None => String::new(),
    };
    let finding = sink
        .report(
            &KNOWN_VULNERABLE_ACTIONS,
            site.node.span.clone(),
            site.symbolic.clone(),
            format!(
                "{subject}{how} is affected by {}{summary}{advice}",
                label(advisory)
            ),
        )
        .severity(advisory.severity.severity)
        .note(advisory_url(&advisory.id));
    match evidence {
        Evidence::Comment(_) => {
            finding.confidence(Confidence::Medium);
        }
        Evidence::Tag => {
            if let Some(fixed) = fixed {
                let at = doc.locate(site.node, &format!("@{git_ref}"));
                if at != site.node.span {
                    finding.fix(Fix {
                        title: format!("move to {fixed}"),
                        safe: false,
                        edits: vec![Edit {
                            range: at.start + 1..at.end,
                            replacement: fixed,
                        }],
                        touches: vec![site.symbolic.clone()],
                    });
                }
            }
        }
        Evidence::Commit => {}
    }
}

/// The advisory id with its first alias.
fn label(advisory: &Advisory) -> String {
    match advisory.aliases.first() {
        Some(alias) => format!("{} ({alias})", advisory.id),
        None => advisory.id.clone(),
    }
}

/// Where to read the advisory: GitHub's page for its own ids, OSV's for the
/// rest.
fn advisory_url(id: &str) -> String {
    if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{id}")
    } else {
        format!("https://osv.dev/vulnerability/{id}")
    }
}

/// The version in a `# v1.2.3` comment on the same line after a SHA pin,
/// as written.
fn trailing_comment_version(doc: &Document, site: &UsesSite<'_>) -> Option<String> {
    let rest = doc.source().get(site.node.span.end..)?;
    let line = rest.lines().next()?;
    let comment = line.trim_start().strip_prefix('#')?;
    let word = comment.split_whitespace().next()?;
    (version_parts(word)?.len() == 3).then(|| word.to_owned())
}

#[cfg(test)]
mod tests {
    use shipgate_deps::osv::record::{Record, parse_record};
    use shipgate_model::Severity;

    use super::*;
    use crate::github::audit_workflow_text_with;
    use crate::settings::Settings;

    /// The advisory records the fixture repository is scanned with.
    const FIXTURE_RECORDS: [&[u8]; 8] = [
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-69fq-xp46-6x23.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-6q4m-7476-932w.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-cxww-7g56-2vh6.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-h3qr-39j9-4r5v.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-mcph-m25j-8j63.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-mrrh-fwg8-r2c3.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-qmg3-hpqr-gqvc.json"),
        include_bytes!("../../../tests/fixtures/osv-actions/GHSA-vqf5-2xx6-9wfm.json"),
    ];

    fn parse(json: &[u8]) -> Advisory {
        match parse_record(json).expect("a valid OSV record") {
            Record::Advisory(advisory) => *advisory,
            Record::Withdrawn { id, .. } => panic!("{id} is withdrawn"),
        }
    }

    fn advisory(id: &str) -> Advisory {
        FIXTURE_RECORDS
            .iter()
            .map(|json| parse(json))
            .find(|advisory| advisory.id == id)
            .expect("a fixture advisory")
    }

    fn settings_with(advisories: Vec<Advisory>) -> Settings {
        Settings {
            action_advisories: advisories.into(),
            ..Settings::default()
        }
    }

    fn scan(advisories: Vec<Advisory>, uses: &str) -> Vec<crate::audit::CiFinding> {
        let source = format!(
            "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: {uses}\n"
        );
        audit_workflow_text_with(&KnownVulnerableActions, &source, &settings_with(advisories))
    }

    #[test]
    fn the_fixture_records_are_action_advisories_that_match_something() {
        for json in FIXTURE_RECORDS {
            let advisory = parse(json);
            assert_eq!(
                advisory.severity.severity,
                Severity::High,
                "{}",
                advisory.id
            );
            assert!(!advisory.affected.is_empty(), "{}", advisory.id);
            for entry in &advisory.affected {
                assert_eq!(
                    Ecosystem::from_osv(&entry.ecosystem),
                    Some(Ecosystem::GitHubActions)
                );
                assert_eq!(entry.name.split('/').count(), 2, "{}", advisory.id);
                assert!(
                    !entry.ranges.is_empty() || !entry.versions.is_empty(),
                    "{} matches nothing",
                    advisory.id
                );
            }
        }
    }

    #[test]
    fn short_tags_stand_for_the_newest_release_of_their_series() {
        let advisory = advisory("GHSA-cxww-7g56-2vh6");
        let entries = entries_for(&advisory, "actions", "download-artifact", None);
        let only = restricted(&advisory, &entries);
        let affected = |tag: &str| {
            tag_release(tag).is_some_and(|release| {
                osv::evaluate(Ecosystem::GitHubActions, &release, &only).affected
            })
        };
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
    fn entries_match_owner_and_repo_without_case_and_paths_exactly() {
        let trivy = advisory("GHSA-69fq-xp46-6x23");
        let names = |owner, repo, subpath| {
            entries_for(&trivy, owner, repo, subpath)
                .iter()
                .map(|entry| entry.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("AquaSecurity", "Setup-Trivy", None),
            ["aquasecurity/setup-trivy"]
        );
        assert_eq!(
            names("aquasecurity", "trivy-action", Some("sub")),
            ["aquasecurity/trivy-action"]
        );
        assert!(names("aquasecurity", "trivy", None).is_empty());
        let mut scoped = advisory("GHSA-vqf5-2xx6-9wfm");
        scoped.affected[0].name = "github/codeql-action/upload-sarif".to_owned();
        assert_eq!(
            entries_for(&scoped, "github", "codeql-action", Some("upload-sarif")).len(),
            1
        );
        assert!(entries_for(&scoped, "github", "codeql-action", Some("init")).is_empty());
        assert!(entries_for(&scoped, "github", "codeql-action", None).is_empty());
        scoped.affected[0].ecosystem = "npm".to_owned();
        assert!(entries_for(&scoped, "github", "codeql-action", Some("upload-sarif")).is_empty());
    }

    #[test]
    fn advisories_that_name_commits_judge_sha_pins_by_those_commits_alone() {
        let rewritten = advisory("GHSA-mrrh-fwg8-r2c3");
        let entries = entries_for(&rewritten, "tj-actions", "changed-files", None);
        assert!(names_commits(&entries));
        assert!(names_commit(
            &entries,
            "0E58ED8671D6B60D0890C21B07F8835ACE038E67"
        ));
        assert!(!names_commit(
            &entries,
            "c3a1bb2c992d77180ae65be6ae6c166cf40f857c"
        ));
        let injection = advisory("GHSA-mcph-m25j-8j63");
        assert!(!names_commits(&entries_for(
            &injection,
            "tj-actions",
            "changed-files",
            None
        )));

        let claimed = "tj-actions/changed-files@c3a1bb2c992d77180ae65be6ae6c166cf40f857c # v45.0.3";
        assert!(scan(vec![rewritten.clone()], claimed).is_empty());
        let named = scan(
            vec![rewritten],
            "tj-actions/changed-files@0e58ed8671d6b60d0890c21b07f8835ace038e67",
        );
        assert_eq!(named.len(), 1);
        assert!(
            named[0].message.contains("this commit is named"),
            "{}",
            named[0].message
        );
        assert!(
            named[0].message.ends_with("fixed in v46.0.1"),
            "{}",
            named[0].message
        );
        assert!(named[0].fix.is_none());

        let older = "tj-actions/changed-files@c3a1bb2c992d77180ae65be6ae6c166cf40f857c # v40.1.1";
        let by_comment = scan(vec![injection], older);
        assert_eq!(by_comment.len(), 1);
        assert_eq!(by_comment[0].confidence, Confidence::Medium);
        assert!(by_comment[0].message.contains("comment says v40.1.1"));
    }

    #[test]
    fn tags_get_a_fix_to_the_first_clean_release_in_their_own_spelling() {
        let trivy = scan(
            vec![advisory("GHSA-69fq-xp46-6x23")],
            "aquasecurity/trivy-action@0.28.0",
        );
        assert_eq!(trivy.len(), 1);
        let fix = trivy[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.title, "move to 0.35.0");
        assert_eq!(fix.edits[0].replacement, "0.35.0");
        assert!(!fix.safe);

        let codeql = scan(
            vec![advisory("GHSA-vqf5-2xx6-9wfm")],
            "github/codeql-action/init@v2.27.0",
        );
        assert_eq!(codeql.len(), 1);
        assert!(
            codeql[0].message.ends_with("fixed in v3.0.0"),
            "{}",
            codeql[0].message
        );
        assert_eq!(
            codeql[0].fix.as_ref().expect("a fix").edits[0].replacement,
            "v3.0.0"
        );

        let listed = scan(
            vec![advisory("GHSA-qmg3-hpqr-gqvc")],
            "reviewdog/action-setup@V1",
        );
        assert_eq!(listed.len(), 1);
        assert!(
            listed[0].fix.is_none(),
            "the advisory names no fixed release"
        );
    }

    #[test]
    fn severity_and_link_come_from_the_advisory() {
        let mut malicious = advisory("GHSA-h3qr-39j9-4r5v");
        malicious.id = "MAL-2026-1".to_owned();
        malicious.aliases.clear();
        malicious.summary.clear();
        malicious.severity = shipgate_deps::osv::severity::assess(&malicious.id, &[], None);
        let findings = scan(vec![malicious], "gradle/gradle-build-action@v2.4.0");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Critical);
        assert_eq!(
            findings[0].note.as_deref(),
            Some("https://osv.dev/vulnerability/MAL-2026-1")
        );
        assert_eq!(
            findings[0].message,
            "`gradle/gradle-build-action@v2.4.0` is affected by MAL-2026-1; fixed in v2.4.2"
        );
    }

    #[test]
    fn without_advisories_nothing_is_reported() {
        assert!(scan(Vec::new(), "tj-actions/changed-files@v35").is_empty());
        assert_eq!(
            scan(
                vec![advisory("GHSA-mcph-m25j-8j63")],
                "tj-actions/changed-files@v35"
            )
            .len(),
            1
        );
    }

    #[test]
    fn releases_follow_the_spelling_of_the_reference() {
        assert_eq!(release_name("1.2.3", Some("v1")), "v1.2.3");
        assert_eq!(release_name("v1.2.3", Some("1.0.0")), "1.2.3");
        assert_eq!(release_name("1.2.3", None), "v1.2.3");
        assert_eq!(
            tag_release("v4").as_deref(),
            Some("4.18446744073709551615.18446744073709551615")
        );
        assert_eq!(tag_release("V4.1.2").as_deref(), Some("4.1.2"));
        assert_eq!(tag_release("4.1.2.3"), None);
    }
}
