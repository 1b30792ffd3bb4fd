use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::fix::{Edit, Fix};
use crate::github::commands::{commands, writes_with_token};
use crate::github::model::{Action, Step, Workflow};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds `actions/checkout` steps that leave the token in `.git/config`
    /// (the default, `persist-credentials: true`) in jobs that then upload
    /// the workspace or `.git` as an artifact.
    ///
    /// ## Why it matters
    /// `actions/checkout` writes the job's token into `.git/config` so later
    /// `git` commands can push. An artifact of the whole workspace then
    /// carries that token to anyone who can download the run's artifacts,
    /// which for public repositories is everyone. `actions/upload-artifact`
    /// leaves hidden files out since v4.4 unless `include-hidden-files:
    /// true`; older versions, SHA pins we cannot date, and that option are
    /// reported. A persisted token without an upload is reported with
    /// `--pedantic`: any later step or action can read it.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: actions/checkout@v4                # flagged
    /// - uses: actions/upload-artifact@v3
    ///   with:
    ///     path: .
    /// ```
    ///
    /// ## Fix
    /// Set `persist-credentials: false` on the checkout (the fix adds it;
    /// it is marked unsafe when a later step pushes), and upload only the
    /// build outputs.
    pub(crate) static ARTIPACKED = {
        id: "github/artipacked",
        title: "Checkout token persisted and uploaded with the workspace",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "area-secrets"],
    };
}

pub(crate) struct Artipacked;

impl GithubAudit for Artipacked {
    fn meta(&self) -> &'static AuditMeta {
        &ARTIPACKED
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            audit_steps(workflow.doc, &job.steps, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        audit_steps(action.doc, &action.steps, sink);
    }
}

/// How far an upload step exposes the workspace's `.git`.
struct Upload {
    what: String,
    confidence: Confidence,
}

fn audit_steps(doc: &Document, steps: &[Step<'_>], sink: &mut Sink) {
    for (position, step) in steps.iter().enumerate() {
        if !step.uses_action("actions/checkout") {
            continue;
        }
        let persist = step.input("persist-credentials");
        if persist.is_some_and(|p| p.as_bool() == Some(false)) {
            continue;
        }
        let later = &steps[position + 1..];
        let upload = later.iter().find_map(|s| upload_of(s).map(|u| (s, u)));
        let Some(uses) = step.uses else {
            continue;
        };
        let finding = match upload {
            Some((upload_step, upload)) => sink
                .report(
                    &ARTIPACKED,
                    uses.span.clone(),
                    format!("{}.uses", step.path),
                    format!(
                        "the checkout keeps the token in `.git/config` and {} ({}) uploads it with the workspace",
                        upload.what, upload_step.path
                    ),
                )
                .confidence(upload.confidence),
            None => sink
                .report(
                    &ARTIPACKED,
                    uses.span.clone(),
                    format!("{}.uses", step.path),
                    "the checkout keeps the token in `.git/config`, where every later step and action can read it",
                )
                .severity(Severity::Low)
                .persona(Persona::Pedantic),
        };
        if let Some(fix) = fix(doc, step, later) {
            finding.fix(fix);
        }
    }
}

/// The upload in `step` that carries the workspace's `.git`, if any.
fn upload_of(step: &Step<'_>) -> Option<Upload> {
    if !step.uses_action("actions/upload-artifact") {
        return None;
    }
    let path = step.input("path")?.as_str()?;
    let entry = path.lines().map(str::trim).find(|line| uploads_git(line))?;
    let hidden_included = step
        .input("include-hidden-files")
        .is_some_and(|v| v.as_bool() == Some(true));
    let version = match step.uses_ref() {
        Some(Uses::Repository { git_ref, .. }) => git_ref,
        _ => None,
    };
    let confidence = if hidden_included || version.is_some_and(excludes_nothing_hidden) {
        Confidence::High
    } else if version.is_some_and(excludes_hidden_files) {
        return None;
    } else {
        Confidence::Medium
    };
    Some(Upload {
        what: format!("`actions/upload-artifact` with path `{entry}`"),
        confidence,
    })
}

fn uploads_git(path: &str) -> bool {
    if path.starts_with('!') {
        return false;
    }
    matches!(path, "." | "./" | "*" | "**" | "./*" | "./**" | "**/*")
        || path.replace(' ', "").starts_with("${{github.workspace}}")
            && path.replace(' ', "").trim_end_matches('/').ends_with("}}")
        || path.split('/').any(|component| component == ".git")
}

/// Major versions of `upload-artifact` that upload hidden files.
fn excludes_nothing_hidden(git_ref: &str) -> bool {
    let version = git_ref.trim_start_matches('v');
    let mut parts = version.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    match (major, minor) {
        (Some(major), _) if major < 4 => true,
        (Some(4), Some(minor)) => minor < 4,
        _ => false,
    }
}

/// Versions of `upload-artifact` that leave hidden files out by default.
fn excludes_hidden_files(git_ref: &str) -> bool {
    let version = git_ref.trim_start_matches('v');
    let mut parts = version.split('.');
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts.next().and_then(|p| p.parse::<u32>().ok());
    match (major, minor) {
        (Some(major), _) if major >= 5 => true,
        (Some(4), Some(minor)) => minor >= 4,
        _ => false,
    }
}

/// Adds `persist-credentials: false` under the checkout's `with:`,
/// creating the block when absent. Unsafe when a later step pushes.
fn fix(doc: &Document, step: &Step<'_>, later: &[Step<'_>]) -> Option<Fix> {
    let source = doc.source();
    let pushes_later = later.iter().any(|s| {
        writes_with_token(s)
            || s.script().is_some_and(|script| {
                commands(script).iter().any(|c| {
                    let line = &c.line;
                    line.starts_with("git ")
                        && (line.contains(" fetch")
                            || line.contains(" pull")
                            || line.contains(" commit"))
                })
            })
    });
    let edit = if let Some(existing) = step.input("persist-credentials") {
        Edit {
            range: existing.span.clone(),
            replacement: "false".into(),
        }
    } else if let Some(with) = step.with {
        let first = with.as_map()?.first()?;
        if doc.text(&with.span).trim_start().starts_with('{') {
            return None;
        }
        let start = first.key.span.start;
        let line_start = line_start(source, start);
        let indent = &source[line_start..start];
        if !indent.chars().all(|c| c == ' ') {
            return None;
        }
        Edit {
            range: line_start..line_start,
            replacement: format!("{indent}persist-credentials: false\n"),
        }
    } else {
        let uses_entry = step.node.entry("uses")?;
        let key_start = uses_entry.key.span.start;
        let column = key_start - line_start(source, key_start);
        let after = line_end(source, uses_entry.value.span.end);
        if doc.text(&step.node.span).trim_start().starts_with('{') {
            return None;
        }
        let indent = " ".repeat(column);
        Edit {
            range: after..after,
            replacement: format!("{indent}with:\n{indent}  persist-credentials: false\n"),
        }
    };
    Some(Fix {
        title: "set `persist-credentials: false` on the checkout".into(),
        safe: !pushes_later,
        edits: vec![edit],
        touches: vec![format!("{}.with", step.path)],
    })
}

fn line_start(source: &str, at: usize) -> usize {
    source[..at.min(source.len())]
        .rfind('\n')
        .map_or(0, |newline| newline + 1)
}

/// The offset just after the newline ending the line that holds `at`.
fn line_end(source: &str, at: usize) -> usize {
    let at = at.min(source.len());
    source[at..]
        .find('\n')
        .map_or(source.len(), |newline| at + newline + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_and_git_paths_are_uploads_of_git() {
        for path in [".", "./", "${{ github.workspace }}", "repo/.git", "**"] {
            assert!(uploads_git(path), "{path}");
        }
        for path in ["dist/", "target/release/app", ".github/report.txt", "!.git"] {
            assert!(!uploads_git(path), "{path}");
        }
    }

    #[test]
    fn hidden_files_are_excluded_from_v4_4_on() {
        assert!(excludes_nothing_hidden("v3"));
        assert!(excludes_nothing_hidden("v4.3.6"));
        assert!(!excludes_nothing_hidden("v4"));
        assert!(excludes_hidden_files("v4.4.0"));
        assert!(excludes_hidden_files("v5"));
        assert!(!excludes_hidden_files("v4"));
    }

    #[test]
    fn the_fix_adds_persist_credentials() {
        let src = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/checkout@v4\n        with:\n          fetch-depth: 0\n";
        let doc = Document::parse(src).expect("valid");
        let workflow = Workflow::new(&doc).expect("workflow");
        let steps = &workflow.jobs[0].steps;
        let mut fixed = src.to_owned();
        for step in steps.iter().rev() {
            let fix = fix(&doc, step, &[]).expect("fix");
            assert!(fix.safe);
            let edit = &fix.edits[0];
            fixed.replace_range(edit.range.clone(), &edit.replacement);
        }
        assert_eq!(
            fixed,
            "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n          fetch-depth: 0\n"
        );
        let reparsed = Document::parse(&fixed).expect("still valid");
        assert!(Workflow::new(&reparsed).is_some());
    }
}
