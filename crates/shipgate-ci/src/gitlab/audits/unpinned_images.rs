use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::images::{job_images, parse};
use crate::gitlab::pipeline::{Job, Pipeline};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};

audit_meta! {
    /// Finds `image:` and `services:` (pipeline-level, `default:` and per
    /// job) that are not pinned to a digest. No tag or `:latest` is high
    /// severity and shown to everyone; a version tag (`python:3.12`,
    /// `postgres:16`) is medium and shown only to the pedantic, because tags
    /// are how almost every pipeline names images and the usual risk is
    /// drift rather than attack. Images named through a variable
    /// (`$BUILD_IMAGE`) are left to the auditor.
    ///
    /// ## Why it matters
    /// The job runs whatever the registry serves under that name at that
    /// moment, with the job's variables and token. `latest` changes on
    /// every release; a tag can be re-pushed by the image's owner or by
    /// anyone who takes over their registry account. A digest
    /// (`@sha256:...`) names exactly one image.
    ///
    /// ## Example
    /// ```yaml
    /// image: node                         # flagged (high): no tag
    /// test:
    ///   services: [postgres:16]           # flagged (medium, pedantic)
    ///   image: node:22@sha256:0b5e...     # fine
    /// ```
    ///
    /// ## Fix
    /// Append the digest of the image you tested (`docker buildx imagetools
    /// inspect node:22`), keeping the tag for readability, and let Renovate
    /// or Dependabot update both.
    pub(crate) static UNPINNED_IMAGES = {
        id: "gitlab/unpinned-images",
        title: "Container image not pinned to a digest",
        severity: High,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-3", "SSDF-PW.4", "checklist-4"],
    };
}

pub(crate) struct UnpinnedImages;

impl GitlabAudit for UnpinnedImages {
    fn meta(&self) -> &'static AuditMeta {
        &UNPINNED_IMAGES
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        for image in job_images(job) {
            let reference = image.reference.trim();
            let parsed = parse(reference);
            if parsed.digest.is_some() || is_hosted_macos_image(reference) {
                continue;
            }
            let what = if image.service { "service" } else { "image" };
            if reference.contains('$') {
                out.report_node(
                    &UNPINNED_IMAGES,
                    image.at,
                    format!("{what} `{reference}` is chosen by a variable; check that it resolves to a digest"),
                )
                .severity(Severity::Medium)
                .confidence(Confidence::Low)
                .persona(Persona::Auditor);
                continue;
            }
            match parsed.tag {
                None | Some("latest") => {
                    out.report_node(
                        &UNPINNED_IMAGES,
                        image.at,
                        format!("{what} `{reference}` follows `latest`: every push to it changes what this job runs"),
                    );
                }
                Some(tag) => {
                    out.report_node(
                        &UNPINNED_IMAGES,
                        image.at,
                        format!("{what} `{reference}` is pinned to tag `{tag}`, which its owner can re-push; add the digest"),
                    )
                    .severity(Severity::Medium)
                    .persona(Persona::Pedantic);
                }
            }
        }
    }
}

/// GitLab's hosted macOS runners take a virtual-machine image name such as
/// `macos-15-xcode-16` in `image:`: GitLab builds and versions those, and
/// there is no container digest to pin.
fn is_hosted_macos_image(reference: &str) -> bool {
    let mut parts = reference.split('-');
    let shape = [
        parts.next() == Some("macos"),
        parts
            .next()
            .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit())),
        parts.next() == Some("xcode"),
        parts
            .next()
            .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit())),
    ];
    shape.iter().all(|ok| *ok) && parts.next().is_none()
}
