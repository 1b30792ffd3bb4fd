use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Workflow};
use crate::github::uses::{Uses, image_has_digest};
use crate::github::{AuditContext, GithubAudit};
use crate::yaml::Node;

use super::uses_sites::{UsesSite, action_uses, workflow_uses};

audit_meta! {
    /// Finds container images that are not pinned by digest: job
    /// `container:` and `services:` images, `uses: docker://` steps and
    /// Docker actions' `runs.image: docker://`.
    ///
    /// ## Why it matters
    /// A tag is a name the image's publisher (or whoever takes over the
    /// registry account) can point at new content at any time; the job runs
    /// whatever the tag names on the day it runs, with the job's token and
    /// secrets. An image without a tag, or tagged `latest`, changes with every
    /// push upstream. Only a digest (`@sha256:...`) names fixed content.
    ///
    /// Images without a tag or tagged `latest` are high severity. Tagged
    /// images without a digest are medium; for `services:` sidecars, which do
    /// not run the job's steps, they are reported only with `--pedantic`.
    /// Images computed from expressions (`${{ matrix.image }}`) cannot be
    /// judged statically and are reported only with `--auditor`.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     container: node:latest                 # flagged (high)
    ///     services:
    ///       db:
    ///         image: postgres                    # flagged (high)
    ///     steps:
    ///       - uses: docker://alpine:3.20         # flagged (medium)
    ///       - uses: docker://alpine:3.20@sha256:beefdbd8a1da6d2915566fde36db9db0b524eb737fc57cd1367effd16dc0d06d
    /// ```
    ///
    /// ## Fix
    /// Pin the image by digest and keep the tag for readers:
    /// `node:22.11@sha256:<digest>`. Dependabot's `docker` ecosystem and
    /// Renovate update digests alongside tags.
    pub(crate) static UNPINNED_IMAGES = {
        id: "github/unpinned-images",
        title: "Container image not pinned by digest",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "SSDF-PW.4", "checklist-4", "SOC2-CC6.8"],
    };
}

pub(crate) struct UnpinnedImages;

impl GithubAudit for UnpinnedImages {
    fn meta(&self) -> &'static AuditMeta {
        &UNPINNED_IMAGES
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            if let Some(container) = job.container {
                let (image, symbolic) = match container.get("image") {
                    Some(image) => (image, format!("{}.container.image", job.path)),
                    None => (container, format!("{}.container", job.path)),
                };
                check(image, image.as_str(), &symbolic, Role::JobContainer, sink);
            }
            for service in job.services.into_iter().flat_map(Node::entries) {
                let (Some(name), Some(image)) = (service.key.as_str(), service.value.get("image"))
                else {
                    continue;
                };
                let symbolic = format!("{}.services.{name}.image", job.path);
                check(image, image.as_str(), &symbolic, Role::Service, sink);
            }
        }
        for site in workflow_uses(workflow) {
            check_docker_uses(&site, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        for site in action_uses(action) {
            check_docker_uses(&site, sink);
        }
        if let Some(image) = action.image {
            // `runs.image` is otherwise a Dockerfile path built from the
            // action's own repository, which pins nothing to check.
            let reference = image
                .as_str()
                .and_then(|i| i.trim().strip_prefix("docker://"));
            if reference.is_some() {
                check(image, reference, "runs.image", Role::Step, sink);
            }
        }
    }
}

/// Where an image is used, which decides how much an unpinned tag matters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The job's steps run inside it.
    JobContainer,
    /// A sidecar next to the job.
    Service,
    /// A step or action runs it.
    Step,
}

/// Checks a `uses: docker://image` step.
fn check_docker_uses(site: &UsesSite<'_>, sink: &mut Sink) {
    if let Some(Uses::Docker { image }) = site.parsed() {
        check(site.node, Some(image), &site.symbolic, Role::Step, sink);
    }
}

/// What a reference pins.
#[derive(Debug, PartialEq, Eq)]
enum Pinning<'a> {
    /// A digest: immutable.
    Digest,
    /// A tag other than `latest`.
    Tag(&'a str),
    /// `latest`, or no tag at all.
    Floating,
    /// Built from an expression; unknown until run time.
    Dynamic,
}

fn pinning(image: &str) -> Pinning<'_> {
    if image.contains("${{") {
        return Pinning::Dynamic;
    }
    if image_has_digest(image) {
        return Pinning::Digest;
    }
    // A `:` before the last `/` is a registry port, not a tag.
    let name = image.rsplit('/').next().unwrap_or(image);
    match name.split_once(':') {
        Some((_, tag)) if !tag.is_empty() && !tag.eq_ignore_ascii_case("latest") => {
            Pinning::Tag(tag)
        }
        _ => Pinning::Floating,
    }
}

fn check(node: &Node, image: Option<&str>, symbolic: &str, role: Role, sink: &mut Sink) {
    let Some(image) = image.map(str::trim).filter(|i| !i.is_empty()) else {
        return;
    };
    match pinning(image) {
        Pinning::Digest => {}
        Pinning::Floating => {
            sink.report(
                &UNPINNED_IMAGES,
                node.span.clone(),
                symbolic,
                format!("image `{image}` follows whatever its publisher pushes last; pin a digest"),
            )
            .severity(Severity::High);
        }
        Pinning::Tag(tag) => {
            let finding = sink.report(
                &UNPINNED_IMAGES,
                node.span.clone(),
                symbolic,
                format!("image `{image}` is pinned to tag `{tag}`, which can be re-pushed; add its `@sha256:` digest"),
            );
            if role == Role::Service {
                finding.persona(Persona::Pedantic);
            }
        }
        Pinning::Dynamic => {
            sink.report(
                &UNPINNED_IMAGES,
                node.span.clone(),
                symbolic,
                format!("image `{image}` is computed at run time; check that every value it takes is pinned by digest"),
            )
            .severity(Severity::Low)
            .confidence(Confidence::Low)
            .persona(Persona::Auditor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_digests_and_ports_are_told_apart() {
        assert_eq!(pinning("node"), Pinning::Floating);
        assert_eq!(pinning("node:LATEST"), Pinning::Floating);
        assert_eq!(pinning("localhost:5000/app"), Pinning::Floating);
        assert_eq!(pinning("localhost:5000/app:1.2"), Pinning::Tag("1.2"));
        assert_eq!(pinning("ghcr.io/o/app:v1"), Pinning::Tag("v1"));
        assert_eq!(pinning("app:1@sha256:abc"), Pinning::Digest);
        assert_eq!(pinning("app@sha256:abc"), Pinning::Digest);
        assert_eq!(pinning("node:${{ matrix.node }}"), Pinning::Dynamic);
    }
}
