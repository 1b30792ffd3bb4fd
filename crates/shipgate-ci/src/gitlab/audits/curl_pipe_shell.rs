use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::pipeline::{Job, Pipeline};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};
use crate::shell::{RemoteExecutionKind, remote_script_executions};

audit_meta! {
    /// Finds `script:`, `before_script:` and `after_script:` lines that run
    /// code straight from the network: `curl ... | sh`, `bash <(curl ...)`,
    /// `sh -c "$(wget -O- ...)"`, or a download run as a script with no
    /// checksum or signature check in between.
    ///
    /// ## Why it matters
    /// Whoever controls that URL (its owner, a compromised CDN, anyone on
    /// the path of a plain-HTTP download) runs code in your job, with its
    /// CI/CD variables and job token. Nothing records what ran, so a
    /// one-off malicious response leaves no trace in the repository.
    ///
    /// ## Example
    /// ```yaml
    /// setup:
    ///   script:
    ///     - curl -fsSL https://get.example.com/install.sh | sh   # flagged
    /// ```
    ///
    /// ## Fix
    /// Install from a package manager or a pinned image, or download a
    /// fixed version and verify it before running it:
    /// ```yaml
    ///     - curl -fsSLo install.sh https://get.example.com/v1.2.3/install.sh
    ///     - echo "<sha256>  install.sh" | sha256sum -c -
    ///     - sh install.sh
    /// ```
    pub(crate) static CURL_PIPE_SHELL = {
        id: "gitlab/curl-pipe-shell",
        title: "Remote script run without verification",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "SSDF-PW.4", "checklist-4"],
    };
}

pub(crate) struct CurlPipeShell;

impl GitlabAudit for CurlPipeShell {
    fn meta(&self) -> &'static AuditMeta {
        &CURL_PIPE_SHELL
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        for (_, line) in job.script_lines() {
            let Some(text) = line.as_str() else {
                continue;
            };
            for execution in remote_script_executions(text) {
                let how = match execution.kind {
                    RemoteExecutionKind::Pipe => "piped into an interpreter",
                    RemoteExecutionKind::ProcessSubstitution => "run through `<(...)`",
                    RemoteExecutionKind::CommandSubstitution => "run through `$(...)`",
                    RemoteExecutionKind::DownloadThenRun => {
                        "downloaded and run without a checksum check"
                    }
                    RemoteExecutionKind::PowerShell => "downloaded and run by PowerShell",
                };
                let source = execution
                    .url
                    .as_deref()
                    .map_or_else(|| "a download".to_owned(), |url| format!("`{url}`"));
                let span = line.value_span(execution.range.clone());
                let finding =
                    out.report(&CURL_PIPE_SHELL, line, span, format!("{source} is {how}"));
                if execution
                    .url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("http://"))
                {
                    finding
                        .severity(shipgate_model::Severity::High)
                        .note("plain HTTP: anyone on the network path can substitute the script");
                }
            }
        }
    }
}
