//! SLSA Provenance v1: how an artifact was built, by which builder, from
//! which source.
//!
//! The structs read any v1 provenance (unknown fields are ignored, optional
//! fields may be absent) and write only the fields that are set. Three
//! builders fill them from a CI run; the library never reads the
//! environment itself, so callers pass the variables as a map.
//!
//! Build types written here:
//!
//! - GitHub Actions uses GitHub's own [`GITHUB_WORKFLOW_BUILD_TYPE`]:
//!   `externalParameters.workflow {ref, repository, path}` and
//!   `internalParameters.github {event_name, repository_id,
//!   repository_owner_id, runner_environment}`.
//! - GitLab CI uses [`GITLAB_CI_BUILD_TYPE`]. GitLab's runner names its
//!   own provenance after the runner version's `PROVENANCE.md`, which
//!   describes provenance the runner itself writes (all job variables);
//!   provenance written from inside a job is a different claim, so it gets
//!   its own type. `externalParameters`: `source {uri, ref}` (project URL
//!   and full git ref), `entryPoint` (job name), `configPath` (pipeline
//!   file), `pipelineSource` (what started the pipeline), the last three
//!   when known. `internalParameters.gitlab`: `projectId`, `pipelineId`,
//!   `jobId`, `runnerId`, when known. The builder id is the runner, as in
//!   GitLab's own runner provenance: `<server>/<project>/-/runners/<id>`.
//! - Local and other builds use [`LOCAL_BUILD_TYPE`] unless the caller
//!   names another. `externalParameters`: `source {uri, ref}` when the
//!   source repository is known (`ref` only when known) and `parameters`,
//!   an object of strings chosen by whoever ran the build (always
//!   present, possibly empty). No internal parameters.
//!
//! Every generated provenance lists the source commit in
//! `resolvedDependencies` as `git+<repository>@<ref>` with a `gitCommit`
//! digest, the form GitHub's build type prescribes.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::statement::ResourceDescriptor;

/// GitHub's build type for a top-level GitHub Actions workflow run.
pub const GITHUB_WORKFLOW_BUILD_TYPE: &str = "https://actions.github.io/buildtypes/workflow/v1";

/// shipgate's build type for provenance written from inside a GitLab CI
/// job (the shape is in the module documentation).
pub const GITLAB_CI_BUILD_TYPE: &str = "https://shipgate.dev/buildtypes/gitlab-ci/v1";

/// shipgate's build type for builds outside a known CI platform (the shape
/// is in the module documentation).
pub const LOCAL_BUILD_TYPE: &str = "https://shipgate.dev/buildtypes/local/v1";

/// The predicate of a SLSA Provenance v1 statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// What the build was asked to do.
    pub build_definition: BuildDefinition,
    /// Who ran the build and how it went.
    pub run_details: RunDetails,
}

/// The inputs of a build: everything that, given the build type, decides
/// its output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildDefinition {
    /// URI of the template that gives the parameters their meaning.
    pub build_type: String,
    /// Parameters under the control of whoever started the build; the
    /// ones a verifier must check.
    #[serde(default)]
    pub external_parameters: Value,
    /// Parameters set by the build platform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal_parameters: Option<Value>,
    /// Artifacts fetched for the build, the source commit first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resolved_dependencies: Vec<ResourceDescriptor>,
}

/// Details of the run that are not inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetails {
    /// The platform that ran the build and wrote this provenance.
    pub builder: Builder,
    /// When the build ran and how to find it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BuildMetadata>,
    /// Further outputs, such as logs, that are not subjects.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub byproducts: Vec<ResourceDescriptor>,
}

/// The build platform: its identity is what a verifier trusts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Builder {
    /// URI identifying the builder; the sole determiner of the SLSA Build
    /// level.
    pub id: String,
    /// Versions of the builder's components, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub version: BTreeMap<String, String>,
    /// The builder's own dependencies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub builder_dependencies: Vec<ResourceDescriptor>,
}

/// When the build ran and which invocation it was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildMetadata {
    /// Identifies this run among all runs of the builder, usually a URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_id: Option<String>,
    /// When the build started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub started_on: Option<Timestamp>,
    /// When the build finished.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rfc3339::option"
    )]
    pub finished_on: Option<Timestamp>,
}

/// A source repository a provenance claims the build came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceClaim {
    /// Repository URI, without the `git+` prefix.
    pub uri: String,
    /// The git ref, such as `refs/tags/v1.2.0`, when claimed.
    pub git_ref: Option<String>,
    /// The commit id, when claimed.
    pub commit: Option<String>,
}

/// Where a build runs, which decides how its provenance is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildPlatform {
    /// A GitHub Actions workflow run.
    GitHubActions,
    /// A GitLab CI job.
    GitLabCi,
    /// Anything else: a developer machine or an unrecognised CI.
    Local,
}

impl fmt::Display for BuildPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::GitHubActions => "GitHub Actions",
            Self::GitLabCi => "GitLab CI",
            Self::Local => "local build",
        })
    }
}

/// Why provenance could not be built from CI variables.
#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    /// A variable the platform always sets is absent or empty.
    #[error("{platform} provenance needs the variable {variable}, which is not set")]
    MissingVariable {
        /// The platform whose variables were read.
        platform: BuildPlatform,
        /// The missing variable.
        variable: &'static str,
    },
    /// A variable is set to something that cannot be what the platform sets.
    #[error("{platform} variable {variable} has the unusable value `{value}`: {reason}")]
    InvalidVariable {
        /// The platform whose variables were read.
        platform: BuildPlatform,
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Which platform the variables in `env` come from: `GITHUB_ACTIONS=true`
/// means GitHub Actions, `GITLAB_CI=true` GitLab CI, anything else local.
pub fn detect_platform(env: &BTreeMap<String, String>) -> BuildPlatform {
    let is_true = |name: &str| env.get(name).is_some_and(|value| value == "true");
    if is_true("GITHUB_ACTIONS") {
        BuildPlatform::GitHubActions
    } else if is_true("GITLAB_CI") {
        BuildPlatform::GitLabCi
    } else {
        BuildPlatform::Local
    }
}

/// When the build ran, as the caller measured it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildTimes {
    /// When the build started, when known.
    pub started_on: Option<Timestamp>,
    /// When the build finished.
    pub finished_on: Timestamp,
}

/// Reads variables of one platform, treating empty values as unset since
/// CI systems export unset variables as empty strings.
struct Variables<'a> {
    env: &'a BTreeMap<String, String>,
    platform: BuildPlatform,
}

impl<'a> Variables<'a> {
    fn optional(&self, name: &str) -> Option<&'a str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    fn required(&self, name: &'static str) -> Result<&'a str, ProvenanceError> {
        self.optional(name).ok_or(ProvenanceError::MissingVariable {
            platform: self.platform,
            variable: name,
        })
    }

    fn invalid(&self, variable: &'static str, value: &str, reason: &str) -> ProvenanceError {
        ProvenanceError::InvalidVariable {
            platform: self.platform,
            variable,
            value: value.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

/// Provenance for a GitHub Actions workflow run, from the run's default
/// variables (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_REF`,
/// `GITHUB_SHA`, `GITHUB_WORKFLOW_REF`, `GITHUB_EVENT_NAME`,
/// `GITHUB_RUN_ID`, `GITHUB_RUN_ATTEMPT`, and when set
/// `GITHUB_REPOSITORY_ID`, `GITHUB_REPOSITORY_OWNER_ID`,
/// `RUNNER_ENVIRONMENT`).
///
/// The builder id is the workflow (`<server>/<GITHUB_WORKFLOW_REF>`), the
/// source is `<server>/<GITHUB_REPOSITORY>` at `GITHUB_REF` and commit
/// `GITHUB_SHA`, and the invocation id is the run attempt's URL.
pub fn from_github(
    env: &BTreeMap<String, String>,
    times: &BuildTimes,
) -> Result<Provenance, ProvenanceError> {
    let vars = Variables {
        env,
        platform: BuildPlatform::GitHubActions,
    };
    let server = vars
        .optional("GITHUB_SERVER_URL")
        .unwrap_or("https://github.com")
        .trim_end_matches('/');
    let repository = vars.required("GITHUB_REPOSITORY")?;
    let git_ref = vars.required("GITHUB_REF")?;
    let commit = vars.required("GITHUB_SHA")?;
    let workflow_ref = vars.required("GITHUB_WORKFLOW_REF")?;
    let event_name = vars.required("GITHUB_EVENT_NAME")?;
    let run_id = vars.required("GITHUB_RUN_ID")?;
    let run_attempt = vars.required("GITHUB_RUN_ATTEMPT")?;

    // GITHUB_WORKFLOW_REF is `<owner>/<repo>/<path>@<ref>`; the path and
    // the ref may both contain '@', so strip the known ref rather than
    // splitting.
    let workflow_path = workflow_ref
        .strip_prefix(repository)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| {
            rest.strip_suffix(git_ref)
                .and_then(|path| path.strip_suffix('@'))
                .or_else(|| rest.rsplit_once('@').map(|(path, _)| path))
        })
        .filter(|path| !path.is_empty())
        .ok_or_else(|| {
            vars.invalid(
                "GITHUB_WORKFLOW_REF",
                workflow_ref,
                "expected <owner>/<repository>/<workflow path>@<ref> for GITHUB_REPOSITORY",
            )
        })?;

    let repository_uri = format!("{server}/{repository}");
    let mut github = Map::new();
    github.insert("event_name".into(), json!(event_name));
    for (key, variable) in [
        ("repository_id", "GITHUB_REPOSITORY_ID"),
        ("repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"),
        ("runner_environment", "RUNNER_ENVIRONMENT"),
    ] {
        if let Some(value) = vars.optional(variable) {
            github.insert(key.into(), json!(value));
        }
    }

    Ok(Provenance {
        build_definition: BuildDefinition {
            build_type: GITHUB_WORKFLOW_BUILD_TYPE.to_owned(),
            external_parameters: json!({
                "workflow": {
                    "ref": git_ref,
                    "repository": repository_uri,
                    "path": workflow_path,
                }
            }),
            internal_parameters: Some(json!({ "github": github })),
            resolved_dependencies: vec![git_dependency(
                &repository_uri,
                Some(git_ref),
                Some(commit),
            )],
        },
        run_details: RunDetails {
            builder: Builder {
                id: format!("{server}/{workflow_ref}"),
                version: BTreeMap::new(),
                builder_dependencies: Vec::new(),
            },
            metadata: Some(BuildMetadata {
                invocation_id: Some(format!(
                    "{repository_uri}/actions/runs/{run_id}/attempts/{run_attempt}"
                )),
                started_on: times.started_on.map(whole_seconds),
                finished_on: Some(whole_seconds(times.finished_on)),
            }),
            byproducts: Vec::new(),
        },
    })
}

/// Provenance for a GitLab CI job, from its predefined variables
/// (`CI_SERVER_URL`, `CI_PROJECT_PATH`, `CI_COMMIT_SHA`, `CI_RUNNER_ID`,
/// `CI_JOB_ID`, `CI_COMMIT_TAG` or else `CI_COMMIT_REF_NAME`, and when set
/// `CI_PROJECT_ID`, `CI_PIPELINE_ID`, `CI_PIPELINE_SOURCE`,
/// `CI_CONFIG_PATH`, `CI_JOB_NAME`, `CI_JOB_URL`, `CI_JOB_STARTED_AT`,
/// `CI_RUNNER_VERSION`).
///
/// The job's own start time, `CI_JOB_STARTED_AT`, wins over
/// `times.started_on`: it covers the whole job, not only the part after
/// shipgate started.
pub fn from_gitlab(
    env: &BTreeMap<String, String>,
    times: &BuildTimes,
) -> Result<Provenance, ProvenanceError> {
    let vars = Variables {
        env,
        platform: BuildPlatform::GitLabCi,
    };
    let server = vars.required("CI_SERVER_URL")?.trim_end_matches('/');
    let project = vars.required("CI_PROJECT_PATH")?;
    let commit = vars.required("CI_COMMIT_SHA")?;
    let runner_id = vars.required("CI_RUNNER_ID")?;
    let job_id = vars.required("CI_JOB_ID")?;
    let git_ref = match vars.optional("CI_COMMIT_TAG") {
        Some(tag) => format!("refs/tags/{tag}"),
        None => format!("refs/heads/{}", vars.required("CI_COMMIT_REF_NAME")?),
    };
    let started_on = match vars.optional("CI_JOB_STARTED_AT") {
        Some(text) => Some(
            text.parse::<Timestamp>()
                .map_err(|error| vars.invalid("CI_JOB_STARTED_AT", text, &error.to_string()))?,
        ),
        None => times.started_on,
    };

    let project_uri = format!("{server}/{project}");
    let mut external = Map::new();
    external.insert(
        "source".into(),
        json!({ "uri": project_uri, "ref": git_ref }),
    );
    for (key, variable) in [
        ("entryPoint", "CI_JOB_NAME"),
        ("configPath", "CI_CONFIG_PATH"),
        ("pipelineSource", "CI_PIPELINE_SOURCE"),
    ] {
        if let Some(value) = vars.optional(variable) {
            external.insert(key.into(), json!(value));
        }
    }
    let mut gitlab = Map::new();
    for (key, variable) in [
        ("projectId", "CI_PROJECT_ID"),
        ("pipelineId", "CI_PIPELINE_ID"),
        ("jobId", "CI_JOB_ID"),
        ("runnerId", "CI_RUNNER_ID"),
    ] {
        if let Some(value) = vars.optional(variable) {
            gitlab.insert(key.into(), json!(value));
        }
    }
    let version = vars
        .optional("CI_RUNNER_VERSION")
        .map(|version| BTreeMap::from([("gitlab-runner".to_owned(), version.to_owned())]))
        .unwrap_or_default();
    let invocation_id = vars
        .optional("CI_JOB_URL")
        .map_or_else(|| format!("{project_uri}/-/jobs/{job_id}"), str::to_owned);

    Ok(Provenance {
        build_definition: BuildDefinition {
            build_type: GITLAB_CI_BUILD_TYPE.to_owned(),
            external_parameters: Value::Object(external),
            internal_parameters: Some(json!({ "gitlab": gitlab })),
            resolved_dependencies: vec![git_dependency(&project_uri, Some(&git_ref), Some(commit))],
        },
        run_details: RunDetails {
            builder: Builder {
                id: format!("{project_uri}/-/runners/{runner_id}"),
                version,
                builder_dependencies: Vec::new(),
            },
            metadata: Some(BuildMetadata {
                invocation_id: Some(invocation_id),
                started_on: started_on.map(whole_seconds),
                finished_on: Some(whole_seconds(times.finished_on)),
            }),
            byproducts: Vec::new(),
        },
    })
}

/// What the caller knows about a build outside a recognised CI platform.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalBuild {
    /// Identity of whoever ran the build, as a URI.
    pub builder_id: String,
    /// Build type URI; [`LOCAL_BUILD_TYPE`] when `None`.
    pub build_type: Option<String>,
    /// Source repository URI, such as `https://github.com/org/repo`.
    pub source_uri: Option<String>,
    /// Git ref built, such as `refs/heads/main`.
    pub source_ref: Option<String>,
    /// Commit id built.
    pub source_commit: Option<String>,
    /// Identifies this build among the builder's runs.
    pub invocation_id: Option<String>,
    /// Parameters that shaped the build, by name.
    pub parameters: BTreeMap<String, String>,
}

/// Provenance for a build described by the caller; see the module
/// documentation for the shape of its external parameters.
pub fn from_local(build: &LocalBuild, times: &BuildTimes) -> Provenance {
    let mut external = Map::new();
    if let Some(uri) = &build.source_uri {
        let mut source = Map::new();
        source.insert("uri".into(), json!(uri));
        if let Some(git_ref) = &build.source_ref {
            source.insert("ref".into(), json!(git_ref));
        }
        external.insert("source".into(), Value::Object(source));
    }
    external.insert("parameters".into(), json!(build.parameters));

    let resolved_dependencies = match (&build.source_uri, &build.source_commit) {
        (Some(uri), commit) => vec![git_dependency(
            uri,
            build.source_ref.as_deref(),
            commit.as_deref(),
        )],
        (None, Some(commit)) => vec![ResourceDescriptor {
            digest: BTreeMap::from([("gitCommit".to_owned(), commit.clone())]),
            ..ResourceDescriptor::default()
        }],
        (None, None) => Vec::new(),
    };

    Provenance {
        build_definition: BuildDefinition {
            build_type: build
                .build_type
                .clone()
                .unwrap_or_else(|| LOCAL_BUILD_TYPE.to_owned()),
            external_parameters: Value::Object(external),
            internal_parameters: None,
            resolved_dependencies,
        },
        run_details: RunDetails {
            builder: Builder {
                id: build.builder_id.clone(),
                version: BTreeMap::new(),
                builder_dependencies: Vec::new(),
            },
            metadata: Some(BuildMetadata {
                invocation_id: build.invocation_id.clone(),
                started_on: times.started_on.map(whole_seconds),
                finished_on: Some(whole_seconds(times.finished_on)),
            }),
            byproducts: Vec::new(),
        },
    }
}

/// A resolved dependency naming a git source in SPDX download location
/// form, `git+<repository>@<ref>`.
fn git_dependency(
    repository: &str,
    git_ref: Option<&str>,
    commit: Option<&str>,
) -> ResourceDescriptor {
    let base = if repository.starts_with("git+") {
        repository.to_owned()
    } else {
        format!("git+{repository}")
    };
    let uri = match git_ref {
        Some(git_ref) => format!("{base}@{git_ref}"),
        None => base,
    };
    ResourceDescriptor {
        uri: Some(uri),
        digest: commit
            .map(|commit| BTreeMap::from([("gitCommit".to_owned(), commit.to_owned())]))
            .unwrap_or_default(),
        ..ResourceDescriptor::default()
    }
}

impl Provenance {
    /// The builder's identity.
    pub fn builder_id(&self) -> &str {
        &self.run_details.builder.id
    }

    /// The source repositories this provenance claims, with refs and
    /// commits where claimed: `git+` resolved dependencies first, then
    /// `externalParameters.workflow {repository, ref}` and
    /// `externalParameters.source` (`{uri, ref}`, or a bare URI string as
    /// GitLab's runner writes it) unless a dependency already claimed the
    /// same repository and ref.
    pub fn sources(&self) -> Vec<SourceClaim> {
        let definition = &self.build_definition;
        let mut claims: Vec<SourceClaim> = definition
            .resolved_dependencies
            .iter()
            .filter_map(|dependency| {
                let located = dependency.uri.as_deref()?.strip_prefix("git+")?;
                let (uri, git_ref) = split_git_ref(located);
                let commit = dependency
                    .digest
                    .get("gitCommit")
                    .or_else(|| dependency.digest.get("sha1"))
                    .cloned();
                Some(SourceClaim {
                    uri: uri.to_owned(),
                    git_ref: git_ref.map(str::to_owned),
                    commit,
                })
            })
            .collect();

        let parameters = &definition.external_parameters;
        let declared = [
            (
                parameters.pointer("/workflow/repository"),
                parameters.pointer("/workflow/ref"),
            ),
            (
                parameters
                    .pointer("/source/uri")
                    .or_else(|| parameters.get("source").filter(|value| value.is_string())),
                parameters.pointer("/source/ref"),
            ),
        ];
        for (uri, git_ref) in declared {
            let Some(uri) = uri.and_then(Value::as_str) else {
                continue;
            };
            let git_ref = git_ref.and_then(Value::as_str);
            let already_claimed = claims
                .iter()
                .any(|claim| claim.uri == uri && claim.git_ref.as_deref() == git_ref);
            if !already_claimed {
                claims.push(SourceClaim {
                    uri: uri.to_owned(),
                    git_ref: git_ref.map(str::to_owned),
                    commit: None,
                });
            }
        }
        claims
    }
}

/// Splits `https://host/repo@refs/heads/main` at its last '@' into
/// repository and ref. An '@' before the path (user info, as in
/// `ssh://git@host/repo`) is not a ref separator.
fn split_git_ref(located: &str) -> (&str, Option<&str>) {
    let path_start = located
        .find("://")
        .map(|scheme_end| scheme_end + 3)
        .and_then(|authority| {
            located[authority..]
                .find('/')
                .map(|slash| authority + slash)
        })
        .unwrap_or(0);
    match located.rfind('@') {
        Some(at) if at > path_start => (&located[..at], Some(&located[at + 1..])),
        _ => (located, None),
    }
}

/// `timestamp` without its fraction of a second: predicates carry whole
/// seconds so the same build always signs the same bytes.
pub(crate) fn whole_seconds(timestamp: Timestamp) -> Timestamp {
    Timestamp::from_second(timestamp.as_second()).unwrap_or(timestamp)
}

/// Serde for timestamps as RFC 3339 in UTC with a `Z` and whole seconds,
/// reading any RFC 3339 timestamp.
pub(crate) mod rfc3339 {
    use jiff::Timestamp;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::whole_seconds;

    /// Writes `timestamp` as `YYYY-MM-DDTHH:MM:SSZ`.
    pub(crate) fn serialize<S: Serializer>(
        timestamp: &Timestamp,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&whole_seconds(*timestamp))
    }

    /// Reads an RFC 3339 timestamp with any offset.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(D::Error::custom)
    }

    /// The same for optional timestamps.
    pub(crate) mod option {
        use jiff::Timestamp;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes a present timestamp; absent ones are skipped by the field.
        pub(crate) fn serialize<S: Serializer>(
            timestamp: &Option<Timestamp>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match timestamp {
                Some(timestamp) => super::serialize(timestamp, serializer),
                None => serializer.serialize_none(),
            }
        }

        /// Reads an RFC 3339 timestamp or `null`.
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Timestamp>, D::Error> {
            #[derive(Deserialize)]
            struct Wrapped(#[serde(with = "super")] Timestamp);
            Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(timestamp)| timestamp))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn times() -> BuildTimes {
        BuildTimes {
            started_on: Some("2026-03-01T10:00:00Z".parse().unwrap()),
            finished_on: "2026-03-01T10:04:31.75Z".parse().unwrap(),
        }
    }

    fn github_tag_push() -> BTreeMap<String, String> {
        env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/rocket"),
            ("GITHUB_REF", "refs/tags/v1.4.0"),
            ("GITHUB_SHA", "9f1c6a1e2b3d4c5f60718293a4b5c6d7e8f90a1b"),
            (
                "GITHUB_WORKFLOW_REF",
                "acme/rocket/.github/workflows/release.yml@refs/tags/v1.4.0",
            ),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_RUN_ID", "8812345678"),
            ("GITHUB_RUN_ATTEMPT", "2"),
            ("GITHUB_REPOSITORY_ID", "701234567"),
            ("GITHUB_REPOSITORY_OWNER_ID", "1234567"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
        ])
    }

    #[test]
    fn platform_is_detected_from_the_ci_flag_variables() {
        assert_eq!(
            detect_platform(&env(&[("GITHUB_ACTIONS", "true")])),
            BuildPlatform::GitHubActions
        );
        assert_eq!(
            detect_platform(&env(&[("GITLAB_CI", "true")])),
            BuildPlatform::GitLabCi
        );
        assert_eq!(
            detect_platform(&env(&[("GITHUB_ACTIONS", "false"), ("CI", "true")])),
            BuildPlatform::Local
        );
    }

    #[test]
    fn github_tag_push_provenance() {
        let provenance = from_github(&github_tag_push(), &times()).unwrap();
        insta::assert_json_snapshot!(provenance);
        assert_eq!(
            provenance.builder_id(),
            "https://github.com/acme/rocket/.github/workflows/release.yml@refs/tags/v1.4.0"
        );
    }

    #[test]
    fn github_pull_request_provenance() {
        let mut variables = github_tag_push();
        variables.insert("GITHUB_REF".into(), "refs/pull/42/merge".into());
        variables.insert(
            "GITHUB_WORKFLOW_REF".into(),
            "acme/rocket/.github/workflows/ci@v2.yml@refs/pull/42/merge".into(),
        );
        variables.insert("GITHUB_EVENT_NAME".into(), "pull_request".into());
        variables.insert(
            "GITHUB_SERVER_URL".into(),
            "https://ghe.example.com/".into(),
        );
        variables.remove("RUNNER_ENVIRONMENT");
        let provenance = from_github(&variables, &times()).unwrap();
        insta::assert_json_snapshot!(provenance);
        assert_eq!(
            provenance.build_definition.external_parameters["workflow"]["path"],
            ".github/workflows/ci@v2.yml"
        );
    }

    #[test]
    fn github_missing_variable_is_named() {
        for variable in ["GITHUB_SHA", "GITHUB_WORKFLOW_REF", "GITHUB_RUN_ID"] {
            let mut variables = github_tag_push();
            variables.insert(variable.into(), String::new());
            let error = from_github(&variables, &times()).unwrap_err();
            assert!(
                matches!(
                    error,
                    ProvenanceError::MissingVariable {
                        platform: BuildPlatform::GitHubActions,
                        variable: missing,
                    } if missing == variable
                ),
                "{error}"
            );
            assert!(error.to_string().contains("GitHub Actions"));
        }
    }

    #[test]
    fn github_workflow_ref_of_another_repository_is_rejected() {
        let mut variables = github_tag_push();
        variables.insert(
            "GITHUB_WORKFLOW_REF".into(),
            "other/repo/.github/workflows/release.yml@refs/tags/v1.4.0".into(),
        );
        let error = from_github(&variables, &times()).unwrap_err();
        assert!(matches!(
            error,
            ProvenanceError::InvalidVariable {
                variable: "GITHUB_WORKFLOW_REF",
                ..
            }
        ));
    }

    fn gitlab_tag_pipeline() -> BTreeMap<String, String> {
        env(&[
            ("GITLAB_CI", "true"),
            ("CI_SERVER_URL", "https://gitlab.example.com"),
            ("CI_PROJECT_PATH", "platform/rocket"),
            ("CI_PROJECT_ID", "4711"),
            ("CI_COMMIT_SHA", "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d"),
            ("CI_COMMIT_REF_NAME", "v2.0.0"),
            ("CI_COMMIT_TAG", "v2.0.0"),
            ("CI_PIPELINE_ID", "991"),
            ("CI_PIPELINE_SOURCE", "push"),
            ("CI_JOB_ID", "12345"),
            ("CI_JOB_NAME", "release"),
            (
                "CI_JOB_URL",
                "https://gitlab.example.com/platform/rocket/-/jobs/12345",
            ),
            ("CI_JOB_STARTED_AT", "2026-03-01T09:58:12Z"),
            ("CI_RUNNER_ID", "77"),
            ("CI_RUNNER_VERSION", "18.2.1"),
            ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
        ])
    }

    #[test]
    fn gitlab_tag_pipeline_provenance() {
        let provenance = from_gitlab(&gitlab_tag_pipeline(), &times()).unwrap();
        insta::assert_json_snapshot!(provenance);
        assert_eq!(
            provenance.builder_id(),
            "https://gitlab.example.com/platform/rocket/-/runners/77"
        );
        let started = provenance.run_details.metadata.unwrap().started_on.unwrap();
        assert_eq!(started.to_string(), "2026-03-01T09:58:12Z");
    }

    #[test]
    fn gitlab_branch_pipeline_claims_the_branch() {
        let mut variables = gitlab_tag_pipeline();
        variables.remove("CI_COMMIT_TAG");
        variables.insert("CI_COMMIT_REF_NAME".into(), "main".into());
        let provenance = from_gitlab(&variables, &times()).unwrap();
        assert_eq!(
            provenance.sources(),
            vec![SourceClaim {
                uri: "https://gitlab.example.com/platform/rocket".into(),
                git_ref: Some("refs/heads/main".into()),
                commit: Some("0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d".into()),
            }]
        );
    }

    #[test]
    fn gitlab_missing_and_invalid_variables() {
        let mut variables = gitlab_tag_pipeline();
        variables.remove("CI_RUNNER_ID");
        let error = from_gitlab(&variables, &times()).unwrap_err();
        assert!(matches!(
            error,
            ProvenanceError::MissingVariable {
                platform: BuildPlatform::GitLabCi,
                variable: "CI_RUNNER_ID"
            }
        ));
        assert!(error.to_string().contains("CI_RUNNER_ID"));

        let mut variables = gitlab_tag_pipeline();
        variables.remove("CI_COMMIT_TAG");
        variables.remove("CI_COMMIT_REF_NAME");
        assert!(matches!(
            from_gitlab(&variables, &times()),
            Err(ProvenanceError::MissingVariable {
                variable: "CI_COMMIT_REF_NAME",
                ..
            })
        ));

        let mut variables = gitlab_tag_pipeline();
        variables.insert("CI_JOB_STARTED_AT".into(), "yesterday".into());
        assert!(matches!(
            from_gitlab(&variables, &times()),
            Err(ProvenanceError::InvalidVariable {
                variable: "CI_JOB_STARTED_AT",
                ..
            })
        ));
    }

    fn local_build() -> LocalBuild {
        LocalBuild {
            builder_id: "https://shipgate.dev/builders/local/alice@build-box".into(),
            build_type: None,
            source_uri: Some("https://github.com/acme/rocket".into()),
            source_ref: Some("refs/heads/main".into()),
            source_commit: Some("9f1c6a1e2b3d4c5f60718293a4b5c6d7e8f90a1b".into()),
            invocation_id: Some("build-2026-03-01-1".into()),
            parameters: BTreeMap::from([
                ("profile".to_owned(), "release".to_owned()),
                ("target".to_owned(), "x86_64-unknown-linux-gnu".to_owned()),
            ]),
        }
    }

    #[test]
    fn local_provenance() {
        let provenance = from_local(&local_build(), &times());
        insta::assert_json_snapshot!(provenance);
        assert_eq!(provenance.build_definition.build_type, LOCAL_BUILD_TYPE);
    }

    #[test]
    fn local_provenance_without_source_claims_nothing() {
        let build = LocalBuild {
            builder_id: "urn:example:builder".into(),
            build_type: Some("https://example.com/buildtypes/make/v1".into()),
            ..LocalBuild::default()
        };
        let provenance = from_local(&build, &times());
        assert!(provenance.sources().is_empty());
        assert!(provenance.build_definition.resolved_dependencies.is_empty());
        assert_eq!(
            provenance.build_definition.build_type,
            "https://example.com/buildtypes/make/v1"
        );
    }

    #[test]
    fn generated_provenance_round_trips() {
        let all = [
            from_github(&github_tag_push(), &times()).unwrap(),
            from_gitlab(&gitlab_tag_pipeline(), &times()).unwrap(),
            from_local(&local_build(), &times()),
        ];
        for provenance in all {
            let text = serde_json::to_string(&provenance).unwrap();
            let back: Provenance = serde_json::from_str(&text).unwrap();
            assert_eq!(back, provenance);
            assert!(
                text.contains("\"finishedOn\":\"2026-03-01T10:04:31Z\""),
                "{text}"
            );
        }
    }

    #[test]
    fn foreign_github_provenance_parses_and_names_its_source() {
        let statement: crate::statement::Statement = serde_json::from_str(include_str!(
            "../tests/fixtures/github-attest-build-provenance.json"
        ))
        .unwrap();
        let provenance: Provenance = serde_json::from_value(statement.predicate).unwrap();
        assert_eq!(
            provenance.builder_id(),
            "https://github.com/octo-org/widget/.github/workflows/release.yml@refs/tags/v3.1.0"
        );
        assert_eq!(
            provenance.sources(),
            vec![SourceClaim {
                uri: "https://github.com/octo-org/widget".into(),
                git_ref: Some("refs/tags/v3.1.0".into()),
                commit: Some("4c3f1d2b8e9a7f6e5d4c3b2a1f0e9d8c7b6a5f4e".into()),
            }]
        );
        let metadata = provenance.run_details.metadata.unwrap();
        assert_eq!(
            metadata.invocation_id.as_deref(),
            Some("https://github.com/octo-org/widget/actions/runs/9876543210/attempts/1")
        );
    }

    #[test]
    fn gitlab_runner_provenance_source_string_is_claimed() {
        let provenance: Provenance = serde_json::from_value(json!({
            "buildDefinition": {
                "buildType": "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v17.0.0/PROVENANCE.md",
                "externalParameters": {
                    "source": "https://gitlab.com/group/project",
                    "entryPoint": "build"
                }
            },
            "runDetails": { "builder": { "id": "https://gitlab.com/group/project/-/runners/7" } }
        }))
        .unwrap();
        assert_eq!(
            provenance.sources(),
            vec![SourceClaim {
                uri: "https://gitlab.com/group/project".into(),
                git_ref: None,
                commit: None,
            }]
        );
    }

    #[test]
    fn git_refs_split_only_after_the_authority() {
        assert_eq!(
            split_git_ref("ssh://git@host/repo"),
            ("ssh://git@host/repo", None)
        );
        assert_eq!(
            split_git_ref("https://host/repo@refs/heads/main"),
            ("https://host/repo", Some("refs/heads/main"))
        );
    }

    #[test]
    fn missing_required_fields_fail_to_parse() {
        let result: Result<Provenance, _> = serde_json::from_value(json!({
            "buildDefinition": { "externalParameters": {} },
            "runDetails": { "builder": { "id": "x" } }
        }));
        assert!(result.is_err());
    }
}
