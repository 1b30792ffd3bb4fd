//! Container images named by `image:` and `services:`.

use crate::gitlab::pipeline::{Job, Located, Value};

/// One image a job runs in or next to.
#[derive(Clone, Copy, Debug)]
pub struct ImageUse<'v, 'r> {
    /// The node naming the image (the string, or `name:`).
    pub at: &'v Located<'r>,
    /// The image reference as written.
    pub reference: &'r str,
    /// Whether it is a service container rather than the job's image.
    pub service: bool,
}

/// The job's image and services.
pub fn job_images<'v, 'r>(job: &'v Job<'r>) -> Vec<ImageUse<'v, 'r>> {
    let mut out = Vec::new();
    if let Some(image) = job.get("image") {
        out.extend(image_name(image, false));
    }
    if let Some(services) = job.get("services") {
        for service in services.flatten() {
            out.extend(image_name(service, true));
        }
    }
    out
}

fn image_name<'v, 'r>(value: &'v Value<'r>, service: bool) -> Option<ImageUse<'v, 'r>> {
    let named = match value {
        Value::Scalar(_) => value,
        Value::Map(..) => value.get("name")?,
        _ => return None,
    };
    let at = named.at();
    let reference = at.as_str().filter(|text| !text.trim().is_empty())?;
    Some(ImageUse {
        at,
        reference,
        service,
    })
}

/// An image reference split into repository, tag and digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'t> {
    /// Registry and path, such as `registry.example.com:5000/team/app`.
    pub repository: &'t str,
    /// The tag, if any.
    pub tag: Option<&'t str>,
    /// The digest, if any.
    pub digest: Option<&'t str>,
}

/// Splits `reference` (`repo[:tag][@digest]`); a `:` before the last `/` is
/// a registry port, not a tag.
pub fn parse(reference: &str) -> ImageRef<'_> {
    let reference = reference.trim();
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (reference, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(colon) => {
            let at = last_slash + colon;
            ImageRef {
                repository: &rest[..at],
                tag: Some(&rest[at + 1..]),
                digest,
            }
        }
        None => ImageRef {
            repository: rest,
            tag: None,
            digest,
        },
    }
}

/// The last path component of the repository (`docker` for
/// `registry/x/docker`).
pub fn short_name(repository: &str) -> &str {
    repository.rsplit('/').next().unwrap_or(repository)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_right_colon() {
        assert_eq!(
            parse("registry.example.com:5000/team/app:1.2@sha256:abc"),
            ImageRef {
                repository: "registry.example.com:5000/team/app",
                tag: Some("1.2"),
                digest: Some("sha256:abc"),
            }
        );
        assert_eq!(parse("alpine").tag, None);
        assert_eq!(parse("localhost:5000/app").tag, None);
        assert_eq!(parse("docker:24-dind").tag, Some("24-dind"));
        assert_eq!(short_name("registry/x/docker"), "docker");
    }
}
