use shipgate_model::Severity;

use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::images::{job_images, parse, short_name};
use crate::gitlab::pipeline::{Job, Pipeline};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};

audit_meta! {
    /// Finds jobs that start Docker-in-Docker (`docker:dind` or any
    /// `*-dind` service), which only works on runners that run containers
    /// privileged, and reports it with high severity when the Docker daemon
    /// is reached without TLS (`DOCKER_TLS_CERTDIR: ""` or `DOCKER_HOST:
    /// tcp://...:2375`).
    ///
    /// ## Why it matters
    /// A privileged container can take over the runner host: read other
    /// jobs' files and credentials, or persist on a shared runner. Without
    /// TLS, the daemon listens unauthenticated on port 2375 to anything that
    /// can reach the service network, and whoever reaches it controls a
    /// privileged daemon.
    ///
    /// ## Example
    /// ```yaml
    /// build:
    ///   image: docker:27
    ///   services: [docker:27-dind]     # flagged
    ///   variables:
    ///     DOCKER_TLS_CERTDIR: ""       # flagged: TLS off
    /// ```
    ///
    /// ## Fix
    /// Build images without a daemon: kaniko, buildah (`--isolation
    /// chroot`) or BuildKit rootless. If dind must stay, keep TLS on
    /// (`DOCKER_TLS_CERTDIR: "/certs"`, the default in current images) and
    /// use dedicated runners that run nothing else.
    pub(crate) static PRIVILEGED_DIND = {
        id: "gitlab/privileged-dind",
        title: "Docker-in-Docker needs a privileged runner",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-7", "SLSA-build-isolated"],
    };
}

pub(crate) struct PrivilegedDind;

impl GitlabAudit for PrivilegedDind {
    fn meta(&self) -> &'static AuditMeta {
        &PRIVILEGED_DIND
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        let Some(dind) = job_images(job).into_iter().find(|image| {
            let parsed = parse(image.reference);
            image.service
                && (parsed.tag.is_some_and(|tag| tag.contains("dind"))
                    || short_name(parsed.repository).contains("dind"))
        }) else {
            return;
        };
        out.report_node(
            &PRIVILEGED_DIND,
            dind.at,
            format!("`{}` runs a Docker daemon that needs a privileged runner", dind.reference),
        )
        .note("build with kaniko, buildah or rootless BuildKit instead, or keep dind on dedicated runners");
        for variable in job.variables() {
            let Some(value) = variable.value else {
                continue;
            };
            let text = value.as_str().unwrap_or_default().trim();
            let tls_off = match variable.name {
                "DOCKER_TLS_CERTDIR" => text.is_empty(),
                "DOCKER_HOST" => {
                    text.starts_with("tcp://") && text.trim_end_matches('/').ends_with(":2375")
                }
                _ => false,
            };
            if tls_off {
                out.report_node(
                    &PRIVILEGED_DIND,
                    value,
                    format!(
                        "`{}` turns TLS off: the privileged Docker daemon accepts unauthenticated connections on port 2375",
                        variable.name
                    ),
                )
                .severity(Severity::High);
            }
        }
    }
}
