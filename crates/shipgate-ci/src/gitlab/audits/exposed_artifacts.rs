use shipgate_model::{Confidence, Persona, Severity};

use crate::audit::{AuditMeta, audit_meta};
use crate::gitlab::pipeline::{Job, Pipeline, Value};
use crate::gitlab::{AuditContext, Findings, GitlabAudit};

audit_meta! {
    /// Finds `artifacts: paths:` that upload credentials (`.env`, `*.pem`,
    /// `*.key`, `id_rsa`, `.npmrc`, `.pypirc`, `.netrc`, `kubeconfig`,
    /// `.docker/config.json`, `terraform.tfstate`) or the whole project
    /// directory (`.`, `./`, `**`, `$CI_PROJECT_DIR`), and, for the
    /// pedantic, `artifacts: untracked: true`. Severity is high when such
    /// artifacts are public (the default; `public: false` or `access:
    /// developer`/`none` restrict them).
    ///
    /// ## Why it matters
    /// Artifacts can be downloaded by anyone who can see the pipeline, which
    /// in a public project is everyone, for as long as they are kept. The
    /// whole project directory includes `.git/config` and any credential
    /// file a job wrote into the working tree.
    ///
    /// ## Example
    /// ```yaml
    /// build:
    ///   artifacts:
    ///     paths: [dist/, .env]      # flagged: .env
    /// ```
    ///
    /// ## Fix
    /// List only the build outputs that later jobs or users need. Keep
    /// credentials out of the working tree (or delete them in
    /// `after_script`), and set `access: developer` on artifacts that must
    /// stay private.
    pub(crate) static EXPOSED_ARTIFACTS = {
        id: "gitlab/exposed-artifacts",
        title: "Artifacts may upload credentials",
        severity: Medium,
        confidence: Medium,
        persona: Default,
        controls: ["CICD-SEC-6", "CICD-SEC-9", "area-artifact-integrity"],
    };
}

/// File names that hold credentials.
const SENSITIVE_NAMES: &[&str] = &[
    ".env",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    "kubeconfig",
    "id_rsa",
    "id_ecdsa",
    "id_ed25519",
    "credentials.json",
    "terraform.tfstate",
    "terraform.tfstate.backup",
];

/// Extensions of key and certificate-with-key files.
const SENSITIVE_EXTENSIONS: &[&str] = &[
    ".pem",
    ".key",
    ".p12",
    ".pfx",
    ".tfstate",
    ".jks",
    ".keystore",
];

/// Paths that mean the whole project directory.
const WHOLE_PROJECT: &[&str] = &[
    ".",
    "./",
    "*",
    "**",
    "**/*",
    "./*",
    "./**",
    "$CI_PROJECT_DIR",
    "${CI_PROJECT_DIR}",
    "$CI_PROJECT_DIR/",
    "${CI_PROJECT_DIR}/",
    "$CI_PROJECT_DIR/*",
    "${CI_PROJECT_DIR}/*",
];

/// Why uploading `path` exposes credentials, if it does.
pub(crate) fn exposure(path: &str) -> Option<String> {
    let path = path.trim();
    if WHOLE_PROJECT.contains(&path) {
        return Some(
            "the whole project directory (`.git/config` and any credential file in it included)"
                .to_owned(),
        );
    }
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let sensitive = SENSITIVE_NAMES.contains(&lower.as_str())
        || (lower.starts_with(".env.")
            && !lower.ends_with(".example")
            && !lower.ends_with(".sample"))
        || lower.starts_with("id_rsa")
        || SENSITIVE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext))
        || path.ends_with(".docker/config.json")
        || path.ends_with(".kube/config");
    sensitive.then(|| format!("`{path}` (a credential file)"))
}

/// Whether the artifacts are restricted to project members.
pub(crate) fn restricted(artifacts: &Value<'_>) -> bool {
    let private = artifacts
        .get("public")
        .and_then(Value::as_str)
        .is_some_and(|v| v.eq_ignore_ascii_case("false"));
    let access = artifacts.get("access").and_then(Value::as_str);
    private || matches!(access, Some("developer" | "maintainer" | "none"))
}

pub(crate) struct ExposedArtifacts;

impl GitlabAudit for ExposedArtifacts {
    fn meta(&self) -> &'static AuditMeta {
        &EXPOSED_ARTIFACTS
    }

    fn job(
        &self,
        _cx: &AuditContext<'_>,
        _pipeline: &Pipeline<'_>,
        job: &Job<'_>,
        out: &mut Findings,
    ) {
        let Some(artifacts) = job.get("artifacts") else {
            return;
        };
        let restricted = restricted(artifacts);
        for path in artifacts.get("paths").map(Value::lines).unwrap_or_default() {
            let Some(text) = path.as_str() else {
                continue;
            };
            let Some(why) = exposure(text) else {
                continue;
            };
            let finding = out.report_node(
                &EXPOSED_ARTIFACTS,
                path,
                format!("job `{}` uploads {why} as an artifact", job.name),
            );
            if restricted {
                finding
                    .severity(Severity::Low)
                    .note("the artifacts are restricted to project members");
            } else {
                finding.note("artifacts are downloadable by anyone who can see the pipeline");
                if !WHOLE_PROJECT.contains(&text.trim()) {
                    finding.severity(Severity::High);
                }
            }
        }
        if let Some(untracked) = artifacts.member("untracked")
            && untracked.value.is_true()
        {
            out.report_node(
                &EXPOSED_ARTIFACTS,
                untracked.value.at(),
                format!("job `{}` uploads every untracked file, whatever the job wrote into the working tree", job.name),
            )
            .severity(Severity::Low)
            .confidence(Confidence::Low)
            .persona(Persona::Pedantic);
        }
    }
}
