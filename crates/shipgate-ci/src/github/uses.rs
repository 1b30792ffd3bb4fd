//! The `uses:` reference grammar: local paths, Docker images and
//! `owner/repo[/path]@ref`.

/// A parsed `uses:` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Uses<'a> {
    /// `./path/to/action` in the same repository.
    Local {
        /// The path as written, leading `./` included.
        path: &'a str,
    },
    /// `docker://image[:tag][@digest]`.
    Docker {
        /// The image reference after `docker://`.
        image: &'a str,
    },
    /// `owner/repo[/subpath]@ref`.
    Repository {
        /// Account or organisation.
        owner: &'a str,
        /// Repository name.
        repo: &'a str,
        /// Path inside the repository (an action directory or a workflow file).
        subpath: Option<&'a str>,
        /// The git ref after `@`, if any.
        git_ref: Option<&'a str>,
    },
}

impl<'a> Uses<'a> {
    /// Parses a `uses:` value; `None` when it fits none of the three forms.
    pub fn parse(text: &'a str) -> Option<Uses<'a>> {
        let text = text.trim();
        if text.starts_with("./") || text.starts_with("../") {
            return Some(Uses::Local { path: text });
        }
        if let Some(image) = text.strip_prefix("docker://") {
            return (!image.is_empty()).then_some(Uses::Docker { image });
        }
        let (path, git_ref) = match text.split_once('@') {
            Some((path, git_ref)) => (path, Some(git_ref)),
            None => (text, None),
        };
        let mut parts = path.splitn(3, '/');
        let owner = parts.next().filter(|s| !s.is_empty())?;
        let repo = parts.next().filter(|s| !s.is_empty())?;
        let subpath = parts.next().filter(|s| !s.is_empty());
        Some(Uses::Repository {
            owner,
            repo,
            subpath,
            git_ref: git_ref.filter(|r| !r.is_empty()),
        })
    }

    /// `owner/repo` for repository references.
    pub fn slug(&self) -> Option<String> {
        match self {
            Uses::Repository { owner, repo, .. } => Some(format!("{owner}/{repo}")),
            _ => None,
        }
    }

    /// Whether the reference is a full 40- (SHA-1) or 64-character (SHA-256)
    /// commit id, or for Docker an image digest.
    pub fn is_hash_pinned(&self) -> bool {
        match self {
            Uses::Local { .. } => true,
            Uses::Docker { image } => image.contains("@sha256:"),
            Uses::Repository { git_ref, .. } => git_ref.is_some_and(is_commit_sha),
        }
    }
}

/// Whether `text` is a full hexadecimal commit id.
pub fn is_commit_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether a container image reference carries a digest.
pub fn image_has_digest(image: &str) -> bool {
    image.contains("@sha256:") || image.contains("@sha512:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_references_split_into_parts() {
        assert_eq!(
            Uses::parse("actions/checkout@v4"),
            Some(Uses::Repository {
                owner: "actions",
                repo: "checkout",
                subpath: None,
                git_ref: Some("v4"),
            })
        );
        let reusable = Uses::parse("org/repo/.github/workflows/ci.yml@main").expect("parses");
        assert!(matches!(
            reusable,
            Uses::Repository {
                subpath: Some(".github/workflows/ci.yml"),
                ..
            }
        ));
        assert_eq!(reusable.slug().as_deref(), Some("org/repo"));
    }

    #[test]
    fn local_and_docker_forms_are_recognised() {
        assert!(matches!(
            Uses::parse("./.github/actions/x"),
            Some(Uses::Local { .. })
        ));
        assert!(matches!(
            Uses::parse("docker://alpine:3"),
            Some(Uses::Docker { .. })
        ));
        assert_eq!(Uses::parse("nonsense"), None);
    }

    #[test]
    fn only_full_shas_count_as_pinned() {
        let pinned = "actions/checkout@8f4b7f84864484a7bf31766abe9204da3cbe65b3";
        assert!(Uses::parse(pinned).is_some_and(|u| u.is_hash_pinned()));
        assert!(!Uses::parse("actions/checkout@8f4b7f8").is_some_and(|u| u.is_hash_pinned()));
        assert!(!Uses::parse("actions/checkout").is_some_and(|u| u.is_hash_pinned()));
    }
}
