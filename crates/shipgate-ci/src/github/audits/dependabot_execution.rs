use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::fix::{Edit, Fix};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds Dependabot updates that allow `insecure-external-code-execution`.
    ///
    /// ## Why it matters
    /// For some ecosystems (Bundler, Mix, pip with `setup.py`) resolving
    /// dependencies can run code from the manifest or the dependencies
    /// themselves. With `insecure-external-code-execution: allow`,
    /// Dependabot runs that code while it holds the registry credentials
    /// configured under `registries:`, so a compromised or malicious
    /// dependency can steal them.
    ///
    /// ## Example
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: bundler
    ///     directory: /
    ///     schedule:
    ///       interval: weekly
    ///     insecure-external-code-execution: allow   # flagged
    /// ```
    ///
    /// ## Fix
    /// Remove the option (the default denies execution) or set it to `deny`,
    /// and make the manifest resolvable without running code.
    pub(crate) static DEPENDABOT_EXECUTION = {
        id: "github/dependabot-execution",
        title: "Dependabot may run code from dependencies while resolving",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "CICD-SEC-6", "SSDF-PO.5"],
    };
}

pub(crate) struct DependabotExecution;

impl GithubAudit for DependabotExecution {
    fn meta(&self) -> &'static AuditMeta {
        &DEPENDABOT_EXECUTION
    }

    fn dependabot(&self, _cx: &AuditContext<'_>, doc: &Document, sink: &mut Sink) {
        let Some(updates) = doc.root().and_then(|root| root.get("updates")) else {
            return;
        };
        for (index, update) in updates.items().enumerate() {
            let Some(value) = update.get("insecure-external-code-execution") else {
                continue;
            };
            if !value
                .as_str()
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("allow"))
            {
                continue;
            }
            let symbolic = format!("updates[{index}].insecure-external-code-execution");
            let ecosystem = update
                .get("package-ecosystem")
                .and_then(|e| e.as_str())
                .unwrap_or("this ecosystem");
            sink.report(
                &DEPENDABOT_EXECUTION,
                value.span.clone(),
                symbolic.clone(),
                format!(
                    "Dependabot may run code from {ecosystem} manifests and dependencies, with access to the configured registry credentials"
                ),
            )
            .fix(Fix {
                title: "deny external code execution".to_owned(),
                safe: false,
                edits: vec![Edit {
                    range: value.span.clone(),
                    replacement: "deny".to_owned(),
                }],
                touches: vec![symbolic],
            });
        }
    }
}
