//! End-to-end tests of keys, signing, attestations and verification.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64::Engine;
use common::{fixtures, shipgate};
use serde_json::Value;
use sha2::Digest;
use tempfile::TempDir;

const PASSPHRASE: &str = "correct horse battery staple";

/// An environment variable: name and value.
type Variable = (&'static str, &'static str);

/// The variables of a GitHub Actions tag-push run.
const GITHUB_ENV: [Variable; 12] = [
    ("GITHUB_ACTIONS", "true"),
    ("GITHUB_SERVER_URL", "https://github.com"),
    ("GITHUB_REPOSITORY", "org/app"),
    ("GITHUB_REPOSITORY_ID", "123"),
    ("GITHUB_REPOSITORY_OWNER_ID", "456"),
    ("GITHUB_REF", "refs/tags/v1.0.0"),
    ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
    (
        "GITHUB_WORKFLOW_REF",
        "org/app/.github/workflows/release.yml@refs/tags/v1.0.0",
    ),
    ("GITHUB_EVENT_NAME", "push"),
    ("GITHUB_RUN_ID", "789"),
    ("GITHUB_RUN_ATTEMPT", "1"),
    ("RUNNER_ENVIRONMENT", "github-hosted"),
];

/// The variables of a GitLab CI tag pipeline job.
const GITLAB_ENV: [Variable; 15] = [
    ("GITLAB_CI", "true"),
    ("CI_SERVER_URL", "https://gitlab.example.com"),
    ("CI_PROJECT_PATH", "group/app"),
    ("CI_PROJECT_URL", "https://gitlab.example.com/group/app"),
    ("CI_PROJECT_ID", "42"),
    ("CI_COMMIT_SHA", "0123456789abcdef0123456789abcdef01234567"),
    ("CI_COMMIT_REF_NAME", "v1.0.0"),
    ("CI_COMMIT_TAG", "v1.0.0"),
    ("CI_PIPELINE_ID", "1001"),
    ("CI_PIPELINE_SOURCE", "push"),
    ("CI_JOB_ID", "2002"),
    ("CI_JOB_NAME", "release"),
    (
        "CI_JOB_URL",
        "https://gitlab.example.com/group/app/-/jobs/2002",
    ),
    ("CI_RUNNER_ID", "7"),
    ("CI_CONFIG_PATH", ".gitlab-ci.yml"),
];

/// The binary with no CI or key variables from the environment running
/// the tests, and the test passphrase.
fn sg(dir: &Path) -> Command {
    let mut cmd = shipgate();
    for (name, _) in std::env::vars() {
        if name.starts_with("GITHUB_")
            || name.starts_with("CI_")
            || name.starts_with("SHIPGATE_KEY")
        {
            cmd.env_remove(name);
        }
    }
    cmd.env_remove("GITLAB_CI")
        .env_remove("CI")
        .env_remove("SOURCE_DATE_EPOCH")
        .env("SHIPGATE_KEY_PASSWORD", PASSPHRASE)
        .current_dir(dir);
    cmd
}

/// A workspace with an artifact and an ECDSA and an Ed25519 key pair.
struct Workspace {
    dir: TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = TempDir::new().expect("temp dir");
        std::fs::write(
            dir.path().join("app.tar.gz"),
            b"release bytes\x00\x01\x02".repeat(1000),
        )
        .expect("artifact");
        for (name, algorithm) in [("ecdsa", "ecdsa-p256"), ("ed", "ed25519")] {
            sg(dir.path())
                .args([
                    "key",
                    "generate",
                    "-q",
                    "--algorithm",
                    algorithm,
                    "--output",
                    name,
                ])
                .assert()
                .success();
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        sg(self.dir.path())
    }

    fn local_provenance(&self, key: &str) {
        self.cmd()
            .args(["provenance", "-q", "--key", key, "--platform", "local"])
            .args(["--builder-id", "https://ci.example.com/builders/release@v2"])
            .args([
                "--source-uri",
                "git+https://github.com/org/app",
                "--source-ref",
                "refs/tags/v1.0.0",
            ])
            .args([
                "--source-commit",
                "0123456789abcdef0123456789abcdef01234567",
                "app.tar.gz",
            ])
            .assert()
            .success();
    }

    /// The statement of the first envelope in `file`.
    fn statement(&self, file: &str) -> Value {
        decoded_payload(&envelope_lines(&self.path(file))[0])
    }

    /// `shipgate verify` of `app.tar.gz` against the attestations in `file`
    /// with one trusted key and `extra` flags.
    fn verify_attestations(&self, key: &str, file: &str, extra: &[&str]) -> (i32, Value) {
        let mut args = vec!["--key", key, "--attestations", file];
        args.extend_from_slice(extra);
        args.push("app.tar.gz");
        self.verify(&args)
    }

    /// `shipgate verify` with JSON output: (exit code, report).
    fn verify(&self, args: &[&str]) -> (i32, Value) {
        let output = self
            .cmd()
            .args(["verify", "--format", "json"])
            .args(args)
            .output()
            .expect("runs");
        let code = output.status.code().expect("exit code");
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "verify output is not JSON ({error}): {}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (code, report)
    }
}

/// Runs `cmd` with `args` and expects an input error (exit 2) whose message
/// contains `needle`.
fn assert_input_error(cmd: &mut Command, args: &[&str], needle: &str) {
    cmd.args(args)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(needle));
}

fn builder_id(statement: &Value) -> &Value {
    &statement["predicate"]["runDetails"]["builder"]["id"]
}

fn failed_checks(report: &Value) -> Vec<String> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|check| check["passed"] == false)
        .map(|check| {
            format!(
                "{}: {}",
                check["name"].as_str().unwrap_or(""),
                check["detail"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn envelope_lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("attestations")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one envelope per line"))
        .collect()
}

fn decoded_payload(envelope: &Value) -> Value {
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().expect("payload"))
        .expect("base64");
    serde_json::from_slice(&payload).expect("statement")
}

#[test]
fn generated_keys_are_encrypted_pem_and_owner_only() {
    let workspace = Workspace::new();
    let private = std::fs::read_to_string(workspace.path("ecdsa.key")).unwrap();
    assert!(
        private.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{private}"
    );
    let public = std::fs::read_to_string(workspace.path("ecdsa.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(workspace.path("ecdsa.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "private key mode {mode:o}");
    }
    let printed = workspace
        .cmd()
        .args(["key", "public", "--key", "ecdsa.key"])
        .output()
        .unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8_lossy(&printed.stdout), public);

    assert_input_error(
        &mut workspace.cmd(),
        &["key", "generate", "-q", "--output", "ecdsa"],
        "already exists",
    );
}

#[test]
fn wrong_or_missing_passphrases_and_swapped_keys_are_clear_errors() {
    let workspace = Workspace::new();
    assert_input_error(
        workspace.cmd().env("SHIPGATE_KEY_PASSWORD", "wrong"),
        &["sign", "--key", "ecdsa.key", "app.tar.gz"],
        "passphrase",
    );
    assert_input_error(
        workspace.cmd().env_remove("SHIPGATE_KEY_PASSWORD"),
        &["sign", "--key", "ecdsa.key", "app.tar.gz"],
        "SHIPGATE_KEY_PASSWORD",
    );
    assert_input_error(
        &mut workspace.cmd(),
        &["sign", "--key", "ecdsa.pub", "app.tar.gz"],
        "public key",
    );
    assert_input_error(
        &mut workspace.cmd(),
        &[
            "verify",
            "--key",
            "ecdsa.key",
            "--signature",
            "x.sig",
            "app.tar.gz",
        ],
        "private key",
    );
    std::fs::write(
        workspace.path("corrupt.key"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap();
    assert_input_error(
        &mut workspace.cmd(),
        &["sign", "--key", "corrupt.key", "app.tar.gz"],
        "corrupt.key",
    );
}

#[test]
fn keys_load_from_environment_variables() {
    let workspace = Workspace::new();
    let pem = std::fs::read_to_string(workspace.path("ed.key")).unwrap();
    workspace
        .cmd()
        .env("RELEASE_SIGNING_KEY", pem)
        .args([
            "sign",
            "-q",
            "--key",
            "env://RELEASE_SIGNING_KEY",
            "app.tar.gz",
        ])
        .assert()
        .success();
    workspace
        .cmd()
        .args([
            "verify",
            "-q",
            "--key",
            "ed.pub",
            "--signature",
            "app.tar.gz.sig",
            "app.tar.gz",
        ])
        .assert()
        .success();
    assert_input_error(
        workspace.cmd().env_remove("UNSET_SIGNING_KEY"),
        &["sign", "--key", "env://UNSET_SIGNING_KEY", "app.tar.gz"],
        "UNSET_SIGNING_KEY is not set",
    );
}

#[test]
fn blob_signatures_verify_and_catch_changes_for_both_algorithms() {
    let workspace = Workspace::new();
    for key in ["ecdsa", "ed"] {
        let signature = format!("{key}.sig");
        let bundle = format!("{key}.sigstore.json");
        workspace
            .cmd()
            .args([
                "sign",
                "-q",
                "--key",
                &format!("{key}.key"),
                "-o",
                &signature,
                "--bundle",
                &bundle,
                "app.tar.gz",
            ])
            .assert()
            .success();
        for evidence in [&signature, &bundle] {
            let (code, report) = workspace.verify(&[
                "--key",
                &format!("{key}.pub"),
                "--signature",
                evidence,
                "app.tar.gz",
            ]);
            assert_eq!(code, 0, "{key} {evidence}: {:?}", failed_checks(&report));
        }
        let other = if key == "ecdsa" {
            "ed.pub"
        } else {
            "ecdsa.pub"
        };
        let (code, report) =
            workspace.verify(&["--key", other, "--signature", &signature, "app.tar.gz"]);
        assert_eq!(code, 1);
        assert!(
            failed_checks(&report)[0].contains("none of the trusted keys"),
            "{report}"
        );
    }
    std::fs::write(workspace.path("app.tar.gz"), b"tampered").unwrap();
    for evidence in ["ecdsa.sig", "ecdsa.sigstore.json", "ed.sig"] {
        let key = if evidence.starts_with("ed.") {
            "ed.pub"
        } else {
            "ecdsa.pub"
        };
        let (code, report) =
            workspace.verify(&["--key", key, "--signature", evidence, "app.tar.gz"]);
        assert_eq!(code, 1, "{evidence} accepted a changed artifact: {report}");
    }
}

#[test]
fn ecdsa_blob_signature_is_over_the_whole_file() {
    // cosign verify-blob checks ECDSA P-256 signatures over SHA-256 of the
    // file; the signature must verify with a plain one-shot check too.
    let workspace = Workspace::new();
    workspace
        .cmd()
        .args(["sign", "-q", "--key", "ecdsa.key", "app.tar.gz"])
        .assert()
        .success();
    let signature = base64::engine::general_purpose::STANDARD
        .decode(
            std::fs::read_to_string(workspace.path("app.tar.gz.sig"))
                .unwrap()
                .trim(),
        )
        .unwrap();
    let public = shipgate_attest::keys::PublicKey::from_pem(
        &std::fs::read_to_string(workspace.path("ecdsa.pub")).unwrap(),
    )
    .unwrap();
    let artifact = std::fs::read(workspace.path("app.tar.gz")).unwrap();
    public
        .verify(&artifact, &signature)
        .expect("plain ECDSA-SHA256 verification");
}

#[test]
fn local_provenance_verifies_with_expectations_like_slsa_verifier() {
    let workspace = Workspace::new();
    workspace.local_provenance("ecdsa.key");
    let lines = envelope_lines(&workspace.path("app.tar.gz.intoto.jsonl"));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["payloadType"], "application/vnd.in-toto+json");
    let statement = decoded_payload(&lines[0]);
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    let artifact = std::fs::read(workspace.path("app.tar.gz")).unwrap();
    let hex = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    };
    let sha256 = hex(&sha2::Sha256::digest(&artifact));
    let sha512 = hex(&sha2::Sha512::digest(&artifact));
    assert_eq!(statement["subject"][0]["name"], "app.tar.gz");
    assert_eq!(statement["subject"][0]["digest"]["sha256"], sha256.as_str());
    assert_eq!(statement["subject"][0]["digest"]["sha512"], sha512.as_str());
    assert_eq!(
        builder_id(&statement),
        "https://ci.example.com/builders/release@v2"
    );

    let good = [
        "--key",
        "ecdsa.pub",
        "--attestations",
        "app.tar.gz.intoto.jsonl",
        "--require",
        "slsa",
        "--source-uri",
        "github.com/org/app",
        "--source-ref",
        "v1.0.0",
        "--builder-id",
        "https://ci.example.com/builders/release",
        "app.tar.gz",
    ];
    let (code, report) = workspace.verify(&good);
    assert_eq!(code, 0, "{:?}", failed_checks(&report));
    assert_eq!(report["passed"], true);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for expected in [
        "attestation",
        "subject",
        "required-type",
        "builder-id",
        "source-uri",
        "source-ref",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }

    for (flag, value, failing) in [
        ("--source-uri", "github.com/org/other", "source-uri"),
        ("--source-ref", "v2.0.0", "source-ref"),
        (
            "--builder-id",
            "https://ci.example.com/builders/release@v3",
            "builder-id",
        ),
        ("--require", "cyclonedx", "required-type"),
    ] {
        let (code, report) =
            workspace.verify_attestations("ecdsa.pub", "app.tar.gz.intoto.jsonl", &[flag, value]);
        assert_eq!(code, 1, "{flag} {value}");
        let failed = failed_checks(&report);
        assert!(
            failed.len() == 1 && failed[0].starts_with(failing),
            "{flag}: {failed:?}"
        );
    }
}

#[test]
fn ci_provenance_comes_from_the_environment() {
    let platforms: [(&[Variable], &str, &str, &str); 2] = [
        (
            &GITHUB_ENV,
            "https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.0.0",
            "github.com/org/app",
            "refs/tags/v1.0.0",
        ),
        (
            &GITLAB_ENV,
            "https://gitlab.example.com/group/app/-/runners/7",
            "gitlab.example.com/group/app",
            "v1.0.0",
        ),
    ];
    for (env, builder, source_uri, source_ref) in platforms {
        let workspace = Workspace::new();
        workspace
            .cmd()
            .envs(env.iter().copied())
            .args(["provenance", "-q", "--key", "ecdsa.key", "app.tar.gz"])
            .assert()
            .success();
        assert_eq!(
            builder_id(&workspace.statement("app.tar.gz.intoto.jsonl")),
            builder
        );
        let expected_builder = builder.split('@').next().unwrap_or(builder);
        let (code, report) = workspace.verify_attestations(
            "ecdsa.pub",
            "app.tar.gz.intoto.jsonl",
            &[
                "--source-uri",
                source_uri,
                "--source-ref",
                source_ref,
                "--builder-id",
                expected_builder,
            ],
        );
        assert_eq!(code, 0, "{builder}: {:?}", failed_checks(&report));
    }

    let workspace = Workspace::new();
    assert_input_error(
        workspace.cmd().env("GITHUB_ACTIONS", "true"),
        &[
            "provenance",
            "-q",
            "--key",
            "ecdsa.key",
            "-o",
            "x.jsonl",
            "app.tar.gz",
        ],
        "GITHUB_",
    );
}

#[test]
fn sbom_attestations_are_generated_from_the_source_tree() {
    let workspace = Workspace::new();
    let source = fixtures().join("deps-app");
    let source = source.to_str().unwrap();
    for predicate_type in ["cyclonedx", "spdx"] {
        workspace
            .cmd()
            .args([
                "attest",
                "-q",
                "--key",
                "ed.key",
                "--predicate-type",
                predicate_type,
                "--source",
                source,
            ])
            .args(["--append", "-o", "sbom.intoto.jsonl", "app.tar.gz"])
            .assert()
            .success();
    }
    let lines = envelope_lines(&workspace.path("sbom.intoto.jsonl"));
    assert_eq!(lines.len(), 2);
    let cyclonedx = decoded_payload(&lines[0]);
    assert_eq!(cyclonedx["predicateType"], "https://cyclonedx.org/bom");
    assert_eq!(cyclonedx["predicate"]["specVersion"], "1.6");
    assert!(
        cyclonedx["predicate"]["components"]
            .as_array()
            .unwrap()
            .len()
            > 3
    );
    let spdx = decoded_payload(&lines[1]);
    assert_eq!(spdx["predicateType"], "https://spdx.dev/Document");
    assert_eq!(spdx["predicate"]["spdxVersion"], "SPDX-2.3");

    let (code, report) = workspace.verify_attestations(
        "ed.pub",
        "sbom.intoto.jsonl",
        &["--require", "cyclonedx", "--require", "spdx"],
    );
    assert_eq!(code, 0, "{:?}", failed_checks(&report));

    assert_input_error(
        &mut workspace.cmd(),
        &[
            "attest",
            "--key",
            "ed.key",
            "--predicate-type",
            "vulns",
            "--source",
            source,
            "app.tar.gz",
        ],
        "db",
    );
}

#[test]
fn vulnerability_attestations_record_the_scan() {
    let workspace = Workspace::new();
    let db = workspace.path("db");
    let fixtures = fixtures();
    shipgate()
        .args(["db", "import", "-q", "--db", db.to_str().unwrap()])
        .arg(fixtures.join("deps-app/osv"))
        .assert()
        .success();
    workspace
        .cmd()
        .args([
            "attest",
            "-q",
            "--key",
            "ecdsa.key",
            "--predicate-type",
            "vulns",
            "--db",
            db.to_str().unwrap(),
        ])
        .arg("--source")
        .arg(fixtures.join("deps-app"))
        .arg("app.tar.gz")
        .assert()
        .success();
    let statement = workspace.statement("app.tar.gz.intoto.jsonl");
    assert_eq!(
        statement["predicateType"],
        "https://in-toto.io/attestation/vulns/v0.1"
    );
    let results = statement["predicate"]["scanner"]["result"]
        .as_array()
        .expect("results");
    assert!(!results.is_empty(), "{statement}");
    assert!(results.iter().all(|result| result["id"].is_string()));
}

#[test]
fn tampered_envelopes_are_refused() {
    let workspace = Workspace::new();
    workspace.local_provenance("ecdsa.key");
    let original = envelope_lines(&workspace.path("app.tar.gz.intoto.jsonl")).remove(0);
    let engine = base64::engine::general_purpose::STANDARD;

    let mut changed_payload = original.clone();
    let mut statement = decoded_payload(&original);
    statement["predicate"]["runDetails"]["builder"]["id"] = "https://evil.example.com".into();
    changed_payload["payload"] = engine.encode(statement.to_string()).into();

    let mut changed_type = original.clone();
    changed_type["payloadType"] = "application/vnd.other+json".into();

    let mut unsigned = original.clone();
    unsigned["signatures"] = Value::Array(Vec::new());

    let original_text = original.to_string();
    let duplicated =
        original_text.replacen("{", "{\"payloadType\":\"application/vnd.in-toto+json\",", 1);

    let cases = [
        ("payload", changed_payload.to_string(), "does not verify"),
        ("type", changed_type.to_string(), "does not verify"),
        ("unsigned", unsigned.to_string(), "no signatures"),
        ("duplicate", duplicated, "duplicate key"),
        (
            "truncated",
            original_text[..original_text.len() / 2].to_owned(),
            "not valid JSON",
        ),
        ("garbage", "\u{0}\u{1}not json".to_owned(), "not valid JSON"),
    ];
    for (name, text, reason) in cases {
        let file = format!("{name}.jsonl");
        std::fs::write(workspace.path(&file), text).unwrap();
        let (code, report) =
            workspace.verify(&["--key", "ecdsa.pub", "--attestations", &file, "app.tar.gz"]);
        assert_eq!(code, 1, "{name} was accepted");
        let failed = failed_checks(&report).join(" | ");
        assert!(failed.contains(reason), "{name}: {failed}");
    }

    let (code, report) = workspace.verify_attestations("ed.pub", "app.tar.gz.intoto.jsonl", &[]);
    assert_eq!(code, 1);
    assert!(
        failed_checks(&report).join(" ").contains("unknown key id"),
        "{report}"
    );

    std::fs::write(workspace.path("app.tar.gz"), b"a different build").unwrap();
    let (code, report) = workspace.verify_attestations("ecdsa.pub", "app.tar.gz.intoto.jsonl", &[]);
    assert_eq!(code, 1);
    assert!(
        failed_checks(&report)
            .iter()
            .any(|check| check.starts_with("subject")),
        "{report}"
    );
}

#[test]
fn rego_policy_decides_over_the_verified_attestations() {
    let workspace = Workspace::new();
    workspace.local_provenance("ecdsa.key");
    std::fs::write(
        workspace.path("release.rego"),
        r#"package release

deny contains msg if {
    some attestation in input.attestations
    attestation.predicateType == "https://slsa.dev/provenance/v1"
    builder := attestation.predicate.runDetails.builder.id
    not startswith(builder, "https://ci.example.com/")
    msg := sprintf("untrusted builder %s", [builder])
}

deny contains "no provenance" if {
    count([a | some a in input.attestations; a.predicateType == "https://slsa.dev/provenance/v1"]) == 0
}

warn contains "release built outside the main pipeline" if {
    some attestation in input.attestations
    endswith(attestation.predicate.runDetails.builder.id, "@v2")
}
"#,
    )
    .unwrap();
    let (code, report) = workspace.verify_attestations(
        "ecdsa.pub",
        "app.tar.gz.intoto.jsonl",
        &["--policy", "release.rego"],
    );
    assert_eq!(code, 0, "{:?}", failed_checks(&report));
    assert_eq!(
        report["warnings"][0],
        "release built outside the main pipeline"
    );

    std::fs::write(workspace.path("strict.rego"), "package strict\n\ndeny contains \"builder not allowed\" if {\n    some a in input.attestations\n    a.predicate.runDetails.builder.id != \"https://ci.example.com/builders/release@v3\"\n}\n").unwrap();
    let (code, report) = workspace.verify_attestations(
        "ecdsa.pub",
        "app.tar.gz.intoto.jsonl",
        &["--policy", "strict.rego"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        failed_checks(&report),
        vec!["policy: builder not allowed".to_owned()]
    );

    std::fs::write(
        workspace.path("broken.rego"),
        "package broken\n\ndeny contains msg if {\n",
    )
    .unwrap();
    assert_input_error(
        &mut workspace.cmd(),
        &[
            "verify",
            "--key",
            "ecdsa.pub",
            "--attestations",
            "app.tar.gz.intoto.jsonl",
            "--policy",
            "broken.rego",
            "app.tar.gz",
        ],
        "broken.rego",
    );
}

#[test]
fn verification_summary_is_a_signed_attestation() {
    let workspace = Workspace::new();
    workspace.local_provenance("ecdsa.key");
    for (expected, source_ref) in [("PASSED", "v1.0.0"), ("FAILED", "v9")] {
        let output = workspace
            .cmd()
            .args([
                "verify",
                "-q",
                "--key",
                "ecdsa.pub",
                "--attestations",
                "app.tar.gz.intoto.jsonl",
            ])
            .args([
                "--source-ref",
                source_ref,
                "--emit-vsa",
                "vsa.intoto.jsonl",
                "--vsa-key",
                "ed.key",
                "app.tar.gz",
            ])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(if expected == "PASSED" { 0 } else { 1 })
        );
        let vsa = workspace.statement("vsa.intoto.jsonl");
        assert_eq!(
            vsa["predicateType"],
            "https://slsa.dev/verification_summary/v1"
        );
        assert_eq!(vsa["predicate"]["verificationResult"], expected);
        assert_eq!(vsa["predicate"]["resourceUri"], "app.tar.gz");
        assert_eq!(
            vsa["predicate"]["inputAttestations"][0]["digest"]["sha256"]
                .as_str()
                .map(str::len),
            Some(64)
        );
        let (code, report) =
            workspace.verify_attestations("ed.pub", "vsa.intoto.jsonl", &["--require", "vsa"]);
        assert_eq!(code, 0, "{:?}", failed_checks(&report));
    }
}

#[test]
fn sigstore_bundle_holds_the_attestation() {
    let workspace = Workspace::new();
    workspace
        .cmd()
        .args([
            "provenance",
            "-q",
            "--key",
            "ecdsa.key",
            "--platform",
            "local",
            "--bundle",
            "app.sigstore.json",
            "app.tar.gz",
        ])
        .assert()
        .success();
    let bundle: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.path("app.sigstore.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        bundle["dsseEnvelope"]["payloadType"],
        "application/vnd.in-toto+json"
    );
    let key_id = bundle["verificationMaterial"]["publicKey"]["hint"]
        .as_str()
        .unwrap();
    assert_eq!(key_id.len(), 64);
    let (code, report) =
        workspace.verify_attestations("ecdsa.pub", "app.sigstore.json", &["--require", "slsa"]);
    assert_eq!(code, 0, "{:?}", failed_checks(&report));
}

#[test]
fn test_results_attest_from_junit() {
    let workspace = Workspace::new();
    std::fs::write(
        workspace.path("junit.xml"),
        r#"<testsuites><testsuite name="unit"><testcase name="a"/><testcase name="b"><failure message="boom"/></testcase></testsuite></testsuites>"#,
    )
    .unwrap();
    workspace
        .cmd()
        .args([
            "attest",
            "-q",
            "--key",
            "ecdsa.key",
            "--predicate-type",
            "test-result",
            "--predicate",
            "junit.xml",
            "app.tar.gz",
        ])
        .assert()
        .success();
    let statement = workspace.statement("app.tar.gz.intoto.jsonl");
    assert_eq!(statement["predicate"]["result"], "FAILED");
    assert_eq!(statement["predicate"]["failedTests"][0], "unit/b");
}

#[test]
fn human_output_names_each_check() {
    let workspace = Workspace::new();
    workspace.local_provenance("ecdsa.key");
    let output = workspace
        .cmd()
        .args([
            "verify",
            "--key",
            "ecdsa.pub",
            "--attestations",
            "app.tar.gz.intoto.jsonl",
            "--source-ref",
            "v2",
            "app.tar.gz",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    let hex = regex::Regex::new("[0-9a-f]{64}").unwrap();
    let text = hex.replace_all(&text, "[hex]");
    insta::assert_snapshot!(text);
}

#[test]
fn markdown_output_is_a_table_of_checks() {
    let workspace = Workspace::new();
    workspace.local_provenance("ecdsa.key");
    let output = workspace
        .cmd()
        .args([
            "verify",
            "--format",
            "markdown",
            "--key",
            "ecdsa.pub",
            "--attestations",
            "app.tar.gz.intoto.jsonl",
        ])
        .args(["--require", "spdx", "app.tar.gz"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("### shipgate verify: **failed**"),
        "{text}"
    );
    assert!(text.contains("| **FAIL** | required-type | app.tar.gz | no trusted https://spdx.dev/Document attestation covers it |"), "{text}");
    assert!(text.contains("| pass | subject | app.tar.gz |"), "{text}");
}
