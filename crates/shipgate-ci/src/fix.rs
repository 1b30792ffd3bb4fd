//! Mechanical, format-preserving fixes that audits attach to findings, and
//! the engine that applies them.
//!
//! The engine works like a linter's fix loop: audit, apply every fix that
//! does not collide with one already taken, prove the result, audit the new
//! text again, and repeat (at most [`MAX_ROUNDS`] times) so fixes that were
//! put off by a collision are offered again with spans that fit the new
//! text. The proof ([`verify`]) re-parses the result and checks that only
//! the subtrees each fix declared in [`Fix::touches`] differ, and that each
//! of them did; a file whose fixes fail it is left exactly as it was.

mod verify;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use shipgate_model::{LineIndex, suppress};

use crate::CiScanner;
use crate::audit::{self, CiFinding};
use crate::repo::{Repo, RepoFile};
use crate::yaml::Document;

pub use verify::{VerifyError, verify};

/// Most audit-and-apply rounds per run.
pub const MAX_ROUNDS: usize = 5;

/// One text replacement in the file a finding is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Byte range replaced; empty for an insertion.
    pub range: Range<usize>,
    /// The new text.
    pub replacement: String,
}

/// A fix: edits plus what they are allowed to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, in the imperative (`set persist-credentials: false`).
    pub title: String,
    /// Safe fixes keep behaviour for legitimate use; unsafe ones need review
    /// and are applied only with `--unsafe`.
    pub safe: bool,
    /// The text edits, non-overlapping.
    pub edits: Vec<Edit>,
    /// Symbolic paths (`jobs.build.steps[1].with`) of the only subtrees the
    /// fix may change; applying it is refused when the re-parsed file differs
    /// anywhere else.
    pub touches: Vec<String>,
}

/// How fixes are chosen.
#[derive(Clone, Debug, Default)]
pub struct FixOptions {
    /// Also apply fixes marked unsafe.
    pub allow_unsafe: bool,
    /// When set, only findings of these rule ids are fixed (the rules the
    /// configuration leaves enabled).
    pub rules: Option<BTreeSet<String>>,
}

/// A fix offered by a finding of one rule.
#[derive(Clone, Copy, Debug)]
pub struct Offer<'f> {
    /// The rule of the finding.
    pub rule_id: &'f str,
    /// Its fix.
    pub fix: &'f Fix,
}

/// A fix that was applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    /// The rule whose finding it fixed.
    pub rule_id: String,
    /// The fix's title.
    pub title: String,
}

/// A fix that was offered but not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFix {
    /// The rule whose finding offered it.
    pub rule_id: String,
    /// The fix's title.
    pub title: String,
    /// Why it was not applied.
    pub reason: SkipReason,
}

/// Why an offered fix was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// It is unsafe and unsafe fixes were not allowed.
    Unsafe,
    /// Its edits overlap those of a fix already applied, and it was still
    /// colliding after the last round.
    Overlaps {
        /// Title of the fix that was applied instead.
        applied: String,
    },
    /// Its edits do not fit the file (out of range, inside a character, or
    /// overlapping each other): a defect of the audit.
    BadEdits,
    /// Its edits would leave the text as it is.
    NoChange,
    /// The file's fixes failed verification, so none was applied.
    FileRefused,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Unsafe => f.write_str("unsafe fix; pass --unsafe to apply it"),
            SkipReason::Overlaps { applied } => {
                write!(f, "its edits overlap those of `{applied}`")
            }
            SkipReason::BadEdits => f.write_str("its edits do not fit the file"),
            SkipReason::NoChange => f.write_str("it would change nothing"),
            SkipReason::FileRefused => f.write_str("the file's fixes were refused"),
        }
    }
}

/// What fixing did to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFix {
    /// Path relative to the scan root.
    pub path: String,
    /// The text before any fix.
    pub original: String,
    /// The fixed text, when it differs from the original.
    pub fixed: Option<String>,
    /// Fixes applied, over all rounds, in order.
    pub applied: Vec<AppliedFix>,
    /// Fixes still offered at the end and not applied.
    pub skipped: Vec<SkippedFix>,
    /// Why the file was left unchanged although fixes were applicable.
    pub refused: Option<String>,
}

/// What one round did to one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundOutcome {
    /// The new text (the input when nothing was applied).
    pub text: String,
    /// Fixes applied.
    pub applied: Vec<AppliedFix>,
    /// Fixes not applied.
    pub skipped: Vec<SkippedFix>,
}

/// Applies `offers` to the text `before` was parsed from: each fix in turn
/// unless it is unsafe (and `allow_unsafe` is off), its edits are malformed,
/// or they collide with an earlier accepted fix. Identical fixes offered by
/// several findings are applied once and count for each. The result is then
/// checked with [`verify`] against the union of the accepted fixes'
/// `touches`; on failure nothing is applied and the error says why.
///
/// In a file with CRLF line ends, the line breaks of replacements become
/// CRLF too.
pub fn apply_round(
    before: &Document,
    offers: &[Offer<'_>],
    allow_unsafe: bool,
) -> Result<RoundOutcome, VerifyError> {
    let source = before.source();
    let crlf = source.contains("\r\n");
    let mut accepted: Vec<&Fix> = Vec::new();
    let mut applied = Vec::new();
    let mut skipped = Vec::new();
    for offer in offers {
        let skip = |reason| SkippedFix {
            rule_id: offer.rule_id.to_owned(),
            title: offer.fix.title.clone(),
            reason,
        };
        if !offer.fix.safe && !allow_unsafe {
            skipped.push(skip(SkipReason::Unsafe));
            continue;
        }
        if !edits_fit(source, &offer.fix.edits) {
            skipped.push(skip(SkipReason::BadEdits));
            continue;
        }
        let changes_nothing = offer.fix.edits.iter().all(|edit| {
            source.get(edit.range.clone()) == Some(&*line_breaks(&edit.replacement, crlf))
        });
        if changes_nothing {
            skipped.push(skip(SkipReason::NoChange));
            continue;
        }
        let duplicate = accepted
            .iter()
            .any(|a| a.edits == offer.fix.edits && a.touches == offer.fix.touches);
        if !duplicate {
            if let Some(taken) = accepted.iter().find(|a| collides(a, offer.fix)) {
                skipped.push(skip(SkipReason::Overlaps {
                    applied: taken.title.clone(),
                }));
                continue;
            }
            accepted.push(offer.fix);
        }
        applied.push(AppliedFix {
            rule_id: offer.rule_id.to_owned(),
            title: offer.fix.title.clone(),
        });
    }
    if accepted.is_empty() {
        return Ok(RoundOutcome {
            text: source.to_owned(),
            applied,
            skipped,
        });
    }
    let text = splice(source, &accepted, crlf);
    let touches: Vec<String> = accepted
        .iter()
        .flat_map(|fix| fix.touches.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    verify(before, &text, &touches)?;
    Ok(RoundOutcome {
        text,
        applied,
        skipped,
    })
}

/// Whether every edit lies inside `source` on character boundaries, with no
/// two overlapping. Within one fix, edits may touch: the author's order of
/// two insertions at one point is kept, and an insertion where a
/// replacement starts goes before it.
fn edits_fit(source: &str, edits: &[Edit]) -> bool {
    let in_bounds = edits.iter().all(|edit| {
        edit.range.start <= edit.range.end
            && source.is_char_boundary(edit.range.start)
            && source.is_char_boundary(edit.range.end)
    });
    in_bounds
        && edits.iter().enumerate().all(|(i, a)| {
            edits[i + 1..]
                .iter()
                .all(|b| !(a.range.start < b.range.end && b.range.start < a.range.end))
        })
}

fn collides(a: &Fix, b: &Fix) -> bool {
    a.edits
        .iter()
        .any(|x| b.edits.iter().any(|y| ranges_collide(&x.range, &y.range)))
}

/// Edits of two fixes collide when they overlap, and also when an
/// insertion of one touches an edit of the other, since which goes first
/// would be arbitrary.
fn ranges_collide(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() || b.is_empty() {
        a.start <= b.end && b.start <= a.end
    } else {
        a.start < b.end && b.start < a.end
    }
}

/// `text` with its line breaks made CRLF when the file uses CRLF.
fn line_breaks(text: &str, crlf: bool) -> Cow<'_, str> {
    if crlf && text.contains('\n') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\n', "\r\n"))
    } else {
        Cow::Borrowed(text)
    }
}

fn splice(source: &str, fixes: &[&Fix], crlf: bool) -> String {
    let mut edits: Vec<&Edit> = fixes.iter().flat_map(|fix| &fix.edits).collect();
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&line_breaks(&edit.replacement, crlf));
        at = edit.range.end;
    }
    out.push_str(&source[at..]);
    out
}

/// Where one file stands during the loop.
struct FileState {
    original: String,
    current: String,
    applied: Vec<AppliedFix>,
    skipped: Vec<SkippedFix>,
    refused: Option<String>,
}

/// Fixes every file of `repo` that `scanner`'s audits offer fixes for:
/// audits, applies a round of fixes per file, re-collects the changed files
/// into a fresh [`Repo`] and audits again, for at most [`MAX_ROUNDS`]
/// rounds. Only findings the scanner's persona shows, of rules
/// `options.rules` allows, and not silenced by a `shipgate:ignore` comment
/// are fixed. Returns one entry per file that was offered a fix, in path
/// order; nothing is written anywhere.
pub fn fix_repo(scanner: &CiScanner, repo: &Repo, options: &FixOptions) -> Vec<FileFix> {
    let mut files: BTreeMap<String, FileState> = BTreeMap::new();
    let mut rewritten: Option<Repo> = None;
    for _ in 0..MAX_ROUNDS {
        let current = rewritten.as_ref().unwrap_or(repo);
        let mut changes: Vec<(String, String)> = Vec::new();
        for state in files.values_mut().filter(|state| state.refused.is_none()) {
            state.skipped.clear();
        }
        for result in scanner.audit(current) {
            let Some(file) = current.get(&result.path) else {
                continue;
            };
            let Ok(doc) = file.document() else {
                continue;
            };
            let offers = offers(&result.path, doc.source(), &result.findings, options);
            if offers.is_empty() {
                continue;
            }
            let state = files
                .entry(result.path.clone())
                .or_insert_with(|| FileState {
                    original: doc.source().to_owned(),
                    current: doc.source().to_owned(),
                    applied: Vec::new(),
                    skipped: Vec::new(),
                    refused: None,
                });
            if state.refused.is_some() {
                continue;
            }
            match apply_round(doc, &offers, options.allow_unsafe) {
                Ok(outcome) => {
                    state.applied.extend(outcome.applied);
                    state.skipped = outcome.skipped;
                    if outcome.text != state.current {
                        state.current = outcome.text.clone();
                        changes.push((result.path.clone(), outcome.text));
                    }
                }
                Err(error) => {
                    state.refused = Some(error.to_string());
                    state.applied.clear();
                    state.skipped = offers
                        .iter()
                        .map(|offer| SkippedFix {
                            rule_id: offer.rule_id.to_owned(),
                            title: offer.fix.title.clone(),
                            reason: SkipReason::FileRefused,
                        })
                        .collect();
                    if state.current != state.original {
                        // Later rounds must see the file as it will stay.
                        state.current = state.original.clone();
                        changes.push((result.path.clone(), state.original.clone()));
                    }
                }
            }
        }
        if changes.is_empty() {
            break;
        }
        let mut next = current.clone();
        for (path, text) in changes {
            if let Some(kind) = current.get(&path).map(|file| file.kind) {
                next.insert(RepoFile::new(path, kind, text.as_bytes()));
            }
        }
        rewritten = Some(next);
    }
    files
        .into_iter()
        .map(|(path, state)| FileFix {
            path,
            fixed: (state.current != state.original).then_some(state.current),
            original: state.original,
            applied: state.applied,
            skipped: state.skipped,
            refused: state.refused,
        })
        .collect()
}

/// The fixes `findings` offer that the options allow and no inline
/// directive silences.
fn offers<'f>(
    path: &str,
    source: &str,
    findings: &'f [CiFinding],
    options: &FixOptions,
) -> Vec<Offer<'f>> {
    let mut lines: Option<LineIndex> = None;
    findings
        .iter()
        .filter(|finding| {
            options
                .rules
                .as_ref()
                .is_none_or(|rules| rules.contains(finding.meta.id))
        })
        .filter_map(|finding| {
            let fix = finding.fix.as_ref()?;
            let lines = lines.get_or_insert_with(|| LineIndex::new(source.as_bytes()));
            let model = audit::to_model(finding, path, source, lines);
            (!suppress::is_suppressed(source.as_bytes(), lines, &model)).then_some(Offer {
                rule_id: finding.meta.id,
                fix,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;
    use crate::audit::{Sink, audit_meta};
    use crate::github::model::{Step, Workflow};
    use crate::github::{AuditContext, GithubAudit};
    use crate::repo::FileKind;
    use crate::yaml::Node;

    fn fix(title: &str, edits: &[(Range<usize>, &str)], touches: &[&str]) -> Fix {
        Fix {
            title: title.to_owned(),
            safe: true,
            edits: edits
                .iter()
                .map(|(range, text)| Edit {
                    range: range.clone(),
                    replacement: (*text).to_owned(),
                })
                .collect(),
            touches: touches.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    fn offers(fixes: &[Fix]) -> Vec<Offer<'_>> {
        fixes
            .iter()
            .map(|fix| Offer {
                rule_id: "test/rule",
                fix,
            })
            .collect()
    }

    fn at(source: &str, needle: &str) -> usize {
        source.find(needle).expect("needle present")
    }

    const WORKFLOW: &str = "\
# Build on every push.
on: push

jobs:
  build:   # the only job
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
            fetch-depth: 0   # full history for tags
      - run: make
";

    #[test]
    fn a_valid_fix_is_applied_keeping_comments_and_indentation() {
        let doc = Document::parse(WORKFLOW).expect("valid");
        let end = at(WORKFLOW, "      - run: make");
        let fixes = [fix(
            "set persist-credentials: false",
            &[(end..end, "            persist-credentials: false\n")],
            &["jobs.build.steps[0].with.persist-credentials"],
        )];
        let outcome = apply_round(&doc, &offers(&fixes), false).expect("verified");
        assert_eq!(
            outcome.text,
            WORKFLOW.replace("tags\n", "tags\n            persist-credentials: false\n")
        );
        assert!(outcome.text.contains("# Build on every push.\n"));
        assert!(outcome.text.contains("build:   # the only job\n"));
        assert!(outcome.text.contains("0   # full history for tags\n"));
        assert_eq!(outcome.applied.len(), 1);
        assert!(outcome.skipped.is_empty());
    }

    #[test]
    fn a_fix_that_changes_an_untouched_key_is_refused() {
        let doc = Document::parse(WORKFLOW).expect("valid");
        let start = at(WORKFLOW, "make");
        let fixes = [fix(
            "set persist-credentials: false",
            &[(start..start + 4, "make all")],
            &["jobs.build.steps[0].with"],
        )];
        let err = apply_round(&doc, &offers(&fixes), false).expect_err("refused");
        assert_eq!(
            err,
            VerifyError::Untouched("jobs.build.steps[1].run".into())
        );
    }

    #[test]
    fn overlapping_fixes_keep_the_first_and_skip_the_second() {
        let doc = Document::parse(WORKFLOW).expect("valid");
        let start = at(WORKFLOW, "make");
        let fixes = [
            fix(
                "run make all",
                &[(start..start + 4, "make all")],
                &["jobs.build.steps[1].run"],
            ),
            fix(
                "run make check",
                &[(start + 2..start + 4, "ke check")],
                &["jobs.build.steps[1].run"],
            ),
            fix(
                "insert at the end of the first",
                &[(start + 4..start + 4, " -j2")],
                &["jobs.build.steps[1].run"],
            ),
        ];
        let outcome = apply_round(&doc, &offers(&fixes), false).expect("verified");
        assert!(outcome.text.contains("- run: make all\n"));
        assert_eq!(outcome.applied.len(), 1);
        assert_eq!(outcome.skipped.len(), 2);
        for skipped in &outcome.skipped {
            assert_eq!(
                skipped.reason,
                SkipReason::Overlaps {
                    applied: "run make all".into()
                }
            );
        }
    }

    #[test]
    fn edits_of_one_fix_may_touch_and_keep_their_meaning() {
        let source =
            "on: push\njobs:\n  a:\n    steps:\n      - run: echo ${{ github.head_ref }}\n";
        let doc = Document::parse(source).expect("valid");
        let start = at(source, "${{");
        let end = source.len() - 1;
        let fixes = [fix(
            "pass the branch through env",
            &[
                (
                    end..end,
                    "\n        env:\n          HEAD_REF: ${{ github.head_ref }}",
                ),
                (start..end, "\"$HEAD_REF\""),
                (start..start, "-- "),
            ],
            &["jobs.a.steps[0].run", "jobs.a.steps[0].env"],
        )];
        let outcome = apply_round(&doc, &offers(&fixes), false).expect("verified");
        assert_eq!(
            outcome.text,
            "on: push\njobs:\n  a:\n    steps:\n      - run: echo -- \"$HEAD_REF\"\n        env:\n          HEAD_REF: ${{ github.head_ref }}\n"
        );
    }

    #[test]
    fn identical_fixes_from_two_findings_are_applied_once() {
        let doc = Document::parse("on: push\njobs: {}\n").expect("valid");
        let same = fix(
            "set permissions",
            &[(0..0, "permissions: {}\n")],
            &["permissions"],
        );
        let fixes = [same.clone(), same];
        let outcome = apply_round(&doc, &offers(&fixes), false).expect("verified");
        assert_eq!(outcome.text, "permissions: {}\non: push\njobs: {}\n");
        assert_eq!(outcome.applied.len(), 2);
    }

    #[test]
    fn unsafe_and_malformed_fixes_are_skipped() {
        let source = "name: café\non: push\n";
        let doc = Document::parse(source).expect("valid");
        let mut risky = fix("rename", &[(6..11, "tea")], &["name"]);
        risky.safe = false;
        let inside_a_character = fix("bad", &[(10..10, "x")], &["name"]);
        let past_the_end = fix("bad", &[(90..95, "x")], &["name"]);
        let rewrite_as_is = fix("same", &[(6..11, "café")], &["name"]);
        let fixes = [
            risky.clone(),
            inside_a_character,
            past_the_end,
            rewrite_as_is,
        ];
        let outcome = apply_round(&doc, &offers(&fixes), false).expect("nothing applied");
        assert_eq!(outcome.text, source);
        let reasons: Vec<&SkipReason> = outcome.skipped.iter().map(|s| &s.reason).collect();
        assert_eq!(
            reasons,
            [
                &SkipReason::Unsafe,
                &SkipReason::BadEdits,
                &SkipReason::BadEdits,
                &SkipReason::NoChange
            ]
        );
        let outcome = apply_round(&doc, &offers(&[risky]), true).expect("verified");
        assert_eq!(outcome.text, "name: tea\non: push\n");
    }

    #[test]
    fn crlf_files_get_crlf_replacements() {
        let source = "on: push\r\njobs:\r\n  build:\r\n    runs-on: ubuntu-latest\r\n";
        let doc = Document::parse(source).expect("valid");
        let fixes = [fix(
            "set permissions",
            &[(10..10, "permissions:\n  contents: read\n")],
            &["permissions"],
        )];
        let outcome = apply_round(&doc, &offers(&fixes), false).expect("verified");
        assert_eq!(
            outcome.text,
            "on: push\r\npermissions:\r\n  contents: read\r\njobs:\r\n  build:\r\n    runs-on: ubuntu-latest\r\n"
        );
    }

    audit_meta! {
        /// Test rule: checkout without `persist-credentials`.
        static CREDENTIALS = {
            id: "test/credentials",
            title: "checkout keeps credentials",
            severity: Medium,
            confidence: High,
            persona: Default,
            controls: [],
        };
    }

    audit_meta! {
        /// Test rule: no top-level `permissions`.
        static PERMISSIONS = {
            id: "test/permissions",
            title: "no permissions",
            severity: Medium,
            confidence: High,
            persona: Default,
            controls: [],
        };
    }

    audit_meta! {
        /// Test rule: no top-level `concurrency`, fixed unsafely.
        static CONCURRENCY = {
            id: "test/concurrency",
            title: "no concurrency",
            severity: Low,
            confidence: High,
            persona: Default,
            controls: [],
        };
    }

    /// Column of the byte at `offset`.
    fn column(source: &str, offset: usize) -> usize {
        offset - source[..offset].rfind('\n').map_or(0, |at| at + 1)
    }

    /// Offers to add `persist-credentials: false` under each checkout step.
    struct Credentials;

    impl GithubAudit for Credentials {
        fn meta(&self) -> &'static audit::AuditMeta {
            &CREDENTIALS
        }

        fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
            let source = workflow.doc.source();
            for step in workflow.jobs.iter().flat_map(|job| &job.steps) {
                let (Some(uses), true) = (step.uses, step.uses_action("actions/checkout")) else {
                    continue;
                };
                if step.input("persist-credentials").is_some() {
                    continue;
                }
                let edit = credentials_edit(source, step, uses);
                sink.report(
                    &CREDENTIALS,
                    uses.span.clone(),
                    &step.path,
                    "keeps credentials",
                )
                .fix(Fix {
                    title: "set persist-credentials: false".into(),
                    safe: true,
                    edits: vec![edit],
                    touches: vec![format!("{}.with.persist-credentials", step.path)],
                });
            }
        }
    }

    fn credentials_edit(source: &str, step: &Step<'_>, uses: &Node) -> Edit {
        match step
            .with
            .and_then(|with| with.as_map())
            .and_then(<[_]>::last)
        {
            Some(last) => {
                let indent = column(source, last.key.span.start);
                Edit {
                    range: last.value.span.end..last.value.span.end,
                    replacement: format!("\n{}persist-credentials: false", " ".repeat(indent)),
                }
            }
            None => {
                let key = step.node.entry("uses").map_or(0, |e| e.key.span.start);
                let indent = " ".repeat(column(source, key));
                Edit {
                    range: uses.span.end..uses.span.end,
                    replacement: format!("\n{indent}with:\n{indent}  persist-credentials: false"),
                }
            }
        }
    }

    /// Offers a top-level key, inserted at the start of the file.
    struct TopLevel {
        meta: &'static audit::AuditMeta,
        key: &'static str,
        value: &'static str,
        safe: bool,
    }

    impl GithubAudit for TopLevel {
        fn meta(&self) -> &'static audit::AuditMeta {
            self.meta
        }

        fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
            if workflow.root.get(self.key).is_some() {
                return;
            }
            sink.report(self.meta, 0..0, "", "missing").fix(Fix {
                title: format!("add {}", self.key),
                safe: self.safe,
                edits: vec![Edit {
                    range: 0..0,
                    replacement: format!("{}: {}\n", self.key, self.value),
                }],
                touches: vec![self.key.to_owned()],
            });
        }
    }

    static PERMISSIONS_AUDIT: TopLevel = TopLevel {
        meta: &PERMISSIONS,
        key: "permissions",
        value: "{}",
        safe: true,
    };

    static CONCURRENCY_AUDIT: TopLevel = TopLevel {
        meta: &CONCURRENCY,
        key: "concurrency",
        value: "ci",
        safe: false,
    };

    /// Both insert at offset 0, so they always collide within one round.
    static COLLIDING_AUDIT: TopLevel = TopLevel {
        meta: &CONCURRENCY,
        key: "concurrency",
        value: "ci",
        safe: true,
    };

    fn scanner(audits: Vec<&'static dyn GithubAudit>) -> CiScanner {
        CiScanner::with_github_audits(Settings::default(), audits)
    }

    fn repo_of(files: &[(&str, &str)]) -> Repo {
        let mut repo = Repo::new();
        for (path, text) in files {
            let kind = FileKind::of(path).expect("a CI path");
            repo.insert(RepoFile::new((*path).to_owned(), kind, text.as_bytes()));
        }
        repo
    }

    const CHECKOUTS: &str = "\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4   # first
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: make   # shipgate:ignore[test/credentials] is not on a checkout line
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4 # shipgate:ignore[test/credentials]
";

    #[test]
    fn the_loop_fixes_each_finding_once_and_honours_suppressions() {
        let scanner = scanner(vec![&Credentials]);
        let repo = repo_of(&[(".github/workflows/ci.yml", CHECKOUTS)]);
        let results = fix_repo(&scanner, &repo, &FixOptions::default());
        assert_eq!(results.len(), 1);
        let fixed = results[0].fixed.as_deref().expect("changed");
        assert_eq!(
            fixed,
            CHECKOUTS
                .replace(
                    "@v4   # first\n",
                    "@v4\n        with:\n          persist-credentials: false   # first\n"
                )
                .replace(
                    "fetch-depth: 0\n",
                    "fetch-depth: 0\n          persist-credentials: false\n"
                )
        );
        assert_eq!(results[0].applied.len(), 2);
        assert!(results[0].skipped.is_empty());
        assert!(results[0].refused.is_none());

        let again = fix_repo(
            &scanner,
            &repo_of(&[(".github/workflows/ci.yml", fixed)]),
            &FixOptions::default(),
        );
        assert!(again.is_empty(), "a second run changes nothing: {again:?}");
    }

    #[test]
    fn fixes_put_off_by_a_collision_are_applied_in_a_later_round() {
        let scanner = scanner(vec![&PERMISSIONS_AUDIT, &COLLIDING_AUDIT]);
        let source = "on: push\njobs: {}\n";
        let results = fix_repo(
            &scanner,
            &repo_of(&[(".github/workflows/ci.yml", source)]),
            &FixOptions::default(),
        );
        assert_eq!(
            results[0].fixed.as_deref(),
            Some("concurrency: ci\npermissions: {}\non: push\njobs: {}\n")
        );
        let titles: Vec<&str> = results[0]
            .applied
            .iter()
            .map(|a| a.title.as_str())
            .collect();
        assert_eq!(titles, ["add permissions", "add concurrency"]);
        assert!(results[0].skipped.is_empty());
    }

    #[test]
    fn unsafe_fixes_wait_for_permission_and_rules_can_be_left_out() {
        let scanner = scanner(vec![&PERMISSIONS_AUDIT, &CONCURRENCY_AUDIT]);
        let repo = repo_of(&[(".github/workflows/ci.yml", "on: push\njobs: {}\n")]);
        let results = fix_repo(&scanner, &repo, &FixOptions::default());
        assert_eq!(
            results[0].fixed.as_deref(),
            Some("permissions: {}\non: push\njobs: {}\n")
        );
        assert_eq!(results[0].skipped.len(), 1);
        assert_eq!(results[0].skipped[0].reason, SkipReason::Unsafe);

        let options = FixOptions {
            allow_unsafe: true,
            rules: Some(BTreeSet::from(["test/concurrency".to_owned()])),
        };
        let results = fix_repo(&scanner, &repo, &options);
        assert_eq!(
            results[0].fixed.as_deref(),
            Some("concurrency: ci\non: push\njobs: {}\n")
        );
    }

    /// Offers a fix that also rewrites `on:`, which it does not declare.
    struct Sloppy;

    impl GithubAudit for Sloppy {
        fn meta(&self) -> &'static audit::AuditMeta {
            &PERMISSIONS
        }

        fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
            let Some(on) = workflow.on else {
                return;
            };
            if workflow.permissions.is_some() {
                return;
            }
            sink.report(&PERMISSIONS, on.key.span.clone(), "on", "missing")
                .fix(Fix {
                    title: "add permissions".into(),
                    safe: true,
                    edits: vec![Edit {
                        range: on.value.span.clone(),
                        replacement: "pull_request\npermissions: {}".into(),
                    }],
                    touches: vec!["permissions".into()],
                });
        }
    }

    #[test]
    fn a_file_whose_fixes_fail_verification_is_left_unchanged() {
        let scanner = scanner(vec![&Sloppy, &Credentials]);
        let source = "on: push\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n";
        let fine = "permissions: {}\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n";
        let results = fix_repo(
            &scanner,
            &repo_of(&[
                (".github/workflows/ci.yml", source),
                (".github/workflows/other.yml", fine),
            ]),
            &FixOptions::default(),
        );
        assert_eq!(results.len(), 2);
        assert!(results[1].fixed.is_some(), "the other file is still fixed");
        assert_eq!(results[0].fixed, None);
        assert!(results[0].applied.is_empty());
        assert_eq!(
            results[0].refused.as_deref(),
            Some("`on` changed, but no fix may change it")
        );
        assert!(
            results[0]
                .skipped
                .iter()
                .all(|s| s.reason == SkipReason::FileRefused)
        );
        assert_eq!(results[0].skipped.len(), 2);
    }
}
