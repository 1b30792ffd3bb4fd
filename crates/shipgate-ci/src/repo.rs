//! Every file the CI audits may look at, collected during the walk and
//! parsed at most once, on first use.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::yaml::{Document, YamlError};

/// What a file is to the audits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `.github/workflows/*.yml`
    GithubWorkflow,
    /// `action.yml` / `action.yaml`
    GithubAction,
    /// `.github/dependabot.yml`
    Dependabot,
    /// `.gitlab-ci.yml`
    GitlabPipeline,
    /// Any other YAML file: a possible GitLab `include:` target.
    OtherYaml,
    /// Terraform, for OIDC trust policies.
    Terraform,
    /// A JSON document that may be a cloud trust policy.
    Json,
}

impl FileKind {
    /// Whether the file is CI configuration itself (as opposed to a file
    /// the audits consult).
    pub fn is_ci_configuration(self) -> bool {
        matches!(
            self,
            FileKind::GithubWorkflow
                | FileKind::GithubAction
                | FileKind::Dependabot
                | FileKind::GitlabPipeline
        )
    }

    /// The kind of the file at `path` (relative, `/`-separated), if the
    /// audits want it at all.
    pub fn of(path: &str) -> Option<FileKind> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
        if yaml {
            let parent = path.strip_suffix(name).unwrap_or("");
            if parent.ends_with(".github/workflows/") {
                return Some(FileKind::GithubWorkflow);
            }
            if lower == "action.yml" || lower == "action.yaml" {
                return Some(FileKind::GithubAction);
            }
            if parent.ends_with(".github/")
                && (lower == "dependabot.yml" || lower == "dependabot.yaml")
            {
                return Some(FileKind::Dependabot);
            }
            if lower == ".gitlab-ci.yml" || lower == ".gitlab-ci.yaml" {
                return Some(FileKind::GitlabPipeline);
            }
            return Some(FileKind::OtherYaml);
        }
        if lower.ends_with(".tf") {
            return Some(FileKind::Terraform);
        }
        if lower.ends_with(".json") {
            return Some(FileKind::Json);
        }
        None
    }
}

/// One collected file. Cloning keeps the parsed tree, so a copy of a
/// repository with a few files replaced re-parses only those.
#[derive(Clone, Debug)]
pub struct RepoFile {
    /// Path relative to the scan root.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// The text, invalid UTF-8 replaced, so findings can still be placed.
    text: String,
    /// Offset of the first byte that is not UTF-8, if any.
    invalid_utf8: Option<usize>,
    parsed: OnceLock<Result<Document, YamlError>>,
}

impl RepoFile {
    /// A file with raw `content`.
    pub fn new(path: String, kind: FileKind, content: &[u8]) -> RepoFile {
        let (text, invalid_utf8) = match std::str::from_utf8(content) {
            Ok(text) => (text.to_owned(), None),
            Err(err) => (
                String::from_utf8_lossy(content).into_owned(),
                Some(err.valid_up_to()),
            ),
        };
        RepoFile {
            path,
            kind,
            text,
            invalid_utf8,
            parsed: OnceLock::new(),
        }
    }

    /// The text, or the offset of the first byte that is not UTF-8.
    pub fn text(&self) -> Result<&str, usize> {
        match self.invalid_utf8 {
            None => Ok(&self.text),
            Some(offset) => Err(offset),
        }
    }

    /// The text with invalid UTF-8 replaced by U+FFFD, for placing findings.
    pub fn lossy_text(&self) -> &str {
        &self.text
    }

    /// The YAML tree, parsed on first use.
    pub fn document(&self) -> Result<&Document, YamlError> {
        let text = self.text().map_err(|offset| YamlError {
            message: "not valid UTF-8".to_owned(),
            offset,
        })?;
        self.parsed
            .get_or_init(|| Document::parse(text))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The collected files, by path.
#[derive(Clone, Debug, Default)]
pub struct Repo {
    files: BTreeMap<String, RepoFile>,
}

impl Repo {
    /// An empty collection.
    pub fn new() -> Repo {
        Repo::default()
    }

    /// Adds a file.
    pub fn insert(&mut self, file: RepoFile) {
        self.files.insert(file.path.clone(), file);
    }

    /// The file at `path`.
    pub fn get(&self, path: &str) -> Option<&RepoFile> {
        self.files.get(path)
    }

    /// Every file, in path order.
    pub fn files(&self) -> impl Iterator<Item = &RepoFile> {
        self.files.values()
    }

    /// Files of one kind, in path order.
    pub fn of_kind(&self, kind: FileKind) -> impl Iterator<Item = &RepoFile> {
        self.files.values().filter(move |f| f.kind == kind)
    }
}

/// Joins a `./relative` path onto directory `base` (both `/`-separated,
/// relative to the scan root), resolving `.` and `..`; `None` when it
/// climbs above the root.
pub fn join_relative(base: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_platform_conventions() {
        assert_eq!(
            FileKind::of(".github/workflows/ci.yml"),
            Some(FileKind::GithubWorkflow)
        );
        assert_eq!(
            FileKind::of("a/b/.github/workflows/ci.yaml"),
            Some(FileKind::GithubWorkflow)
        );
        assert_eq!(
            FileKind::of(".github/workflows/sub/x.yml"),
            Some(FileKind::OtherYaml)
        );
        assert_eq!(
            FileKind::of("tools/action.yml"),
            Some(FileKind::GithubAction)
        );
        assert_eq!(
            FileKind::of(".github/dependabot.yml"),
            Some(FileKind::Dependabot)
        );
        assert_eq!(
            FileKind::of(".gitlab-ci.yml"),
            Some(FileKind::GitlabPipeline)
        );
        assert_eq!(FileKind::of("infra/main.tf"), Some(FileKind::Terraform));
        assert_eq!(FileKind::of("src/main.rs"), None);
    }

    #[test]
    fn relative_paths_resolve_without_escaping_the_root() {
        assert_eq!(
            join_relative("repo", "./.github/actions/x").as_deref(),
            Some("repo/.github/actions/x")
        );
        assert_eq!(join_relative("", "./a/../b").as_deref(), Some("b"));
        assert_eq!(join_relative("", "../x"), None);
    }

    #[test]
    fn invalid_utf8_is_an_error_with_its_offset() {
        let file = RepoFile::new("a.yml".into(), FileKind::OtherYaml, b"ok: \xff\n");
        assert_eq!(file.text(), Err(4));
        assert_eq!(file.document().map(|_| ()).map_err(|e| e.offset), Err(4));
    }
}
