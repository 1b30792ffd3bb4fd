use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Document;

audit_meta! {
    /// Finds Dependabot updates without a `cooldown:` whose `default-days`
    /// is at least the configured minimum (7 days unless
    /// `dependabot-cooldown-days` under `[ci]` says otherwise).
    ///
    /// ## Why it matters
    /// Malicious releases of popular packages are usually spotted and pulled
    /// within hours or days. Without a cooldown, Dependabot proposes a new
    /// release as soon as it is published, and an auto-merge or a hurried
    /// review lets a compromised version in before anyone has noticed. A
    /// cooldown lets the rest of the ecosystem find out first; security
    /// updates are not delayed by it.
    ///
    /// ## Example
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: npm        # flagged: no cooldown
    ///     directory: /
    ///     schedule:
    ///       interval: daily
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     cooldown:
    ///       default-days: 7
    /// ```
    pub(crate) static DEPENDABOT_COOLDOWN = {
        id: "github/dependabot-cooldown",
        title: "Dependabot proposes releases without a cooldown",
        severity: Low,
        confidence: High,
        persona: Pedantic,
        controls: ["CICD-SEC-3", "SSDF-PW.4"],
    };
}

pub(crate) struct DependabotCooldown;

impl GithubAudit for DependabotCooldown {
    fn meta(&self) -> &'static AuditMeta {
        &DEPENDABOT_COOLDOWN
    }

    fn dependabot(&self, cx: &AuditContext<'_>, doc: &Document, sink: &mut Sink) {
        let Some(updates) = doc.root().and_then(|root| root.get("updates")) else {
            return;
        };
        let minimum = cx.settings.dependabot_cooldown_days;
        for (index, update) in updates.items().enumerate() {
            if update.as_map().is_none() {
                continue;
            }
            let path = format!("updates[{index}]");
            let ecosystem = update.get("package-ecosystem");
            let name = ecosystem
                .and_then(|e| e.as_str())
                .unwrap_or("this ecosystem");
            let Some(cooldown) = update.entry("cooldown") else {
                let anchor = ecosystem.unwrap_or(update);
                sink.report(
                    &DEPENDABOT_COOLDOWN,
                    anchor.span.clone(),
                    format!("{path}.package-ecosystem"),
                    format!("{name} updates have no cooldown: new releases are proposed the day they are published"),
                );
                continue;
            };
            match cooldown.value.get("default-days") {
                None => {
                    sink.report(
                        &DEPENDABOT_COOLDOWN,
                        cooldown.key.span.clone(),
                        format!("{path}.cooldown"),
                        format!("the {name} cooldown sets no `default-days`, so most releases are proposed at once"),
                    );
                }
                Some(days_node) => {
                    let days = days_node
                        .as_str()
                        .and_then(|d| d.trim().parse::<u32>().ok());
                    if days.is_some_and(|days| days >= minimum) {
                        continue;
                    }
                    let shown = days_node.as_str().unwrap_or("?");
                    sink.report(
                        &DEPENDABOT_COOLDOWN,
                        days_node.span.clone(),
                        format!("{path}.cooldown.default-days"),
                        format!("the {name} cooldown of {shown} days is shorter than the {minimum} days required"),
                    );
                }
            }
        }
    }
}
