use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Step, Workflow};
use crate::github::{AuditContext, GithubAudit};
use crate::shell::{RemoteExecutionKind, remote_script_executions};
use crate::yaml::Document;

audit_meta! {
    /// Finds `run:` scripts that execute code fetched from the network
    /// without checking it: `curl ... | bash`, `bash <(curl ...)`,
    /// `sh -c "$(curl ...)"`, `iwr ... | iex`, or a script downloaded to a
    /// file and run with no checksum or signature check in between.
    ///
    /// ## Why it matters
    /// Whatever the server returns at that moment runs with the job's
    /// secrets and token. A compromised download host, a hijacked domain or
    /// a moved branch in a `raw.githubusercontent.com` URL changes the
    /// code silently; the Codecov bash uploader compromise of 2021 exfiltrated
    /// CI credentials from thousands of pipelines this way. Nothing pins or
    /// records what ran.
    ///
    /// Interpreters that only read the download as data
    /// (`curl ... | python3 -c 'import json...'`, `curl ... | jq`) are not
    /// reported.
    ///
    /// ## Example
    /// ```yaml
    /// - run: curl -fsSL https://get.example.com/install.sh | sudo bash   # flagged
    /// - run: |
    ///     curl -fsSLo install.sh https://get.example.com/v1.2.3/install.sh
    ///     echo "4f1c...e9  install.sh" | sha256sum -c -
    ///     bash install.sh
    /// ```
    ///
    /// ## Fix
    /// Prefer a pinned action or a package manager with a lockfile. When a
    /// script must be downloaded, fetch a versioned URL to a file, verify
    /// its SHA-256 (`sha256sum -c`) or signature (`gpg --verify`,
    /// `cosign verify-blob`), then run it.
    pub(crate) static CURL_PIPE_SHELL = {
        id: "github/curl-pipe-shell",
        title: "Downloaded code executed without verification",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "CICD-SEC-9", "SSDF-PW.4"],
    };
}

pub(crate) struct CurlPipeShell;

impl GithubAudit for CurlPipeShell {
    fn meta(&self) -> &'static AuditMeta {
        &CURL_PIPE_SHELL
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            check_steps(workflow.doc, &job.steps, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        check_steps(action.doc, &action.steps, sink);
    }
}

fn check_steps(doc: &Document, steps: &[Step<'_>], sink: &mut Sink) {
    for step in steps {
        let (Some(run), Some(script)) = (step.run, step.script()) else {
            continue;
        };
        for execution in remote_script_executions(script) {
            let what = match execution.kind {
                RemoteExecutionKind::Pipe => "is piped into an interpreter",
                RemoteExecutionKind::ProcessSubstitution => "is run through `<(...)`",
                RemoteExecutionKind::CommandSubstitution => "is run through `$(...)`",
                RemoteExecutionKind::DownloadThenRun => {
                    "is saved and run with no checksum or signature check"
                }
                RemoteExecutionKind::PowerShell => "is run by `Invoke-Expression`",
            };
            let source = match &execution.url {
                Some(url) => format!("code from `{url}`"),
                None => "downloaded code".to_owned(),
            };
            sink.report(
                &CURL_PIPE_SHELL,
                doc.locate_value_range(run, execution.range),
                format!("{}.run", step.path),
                format!(
                    "{source} {what}: whatever the server returns runs with this job's secrets"
                ),
            );
        }
    }
}
