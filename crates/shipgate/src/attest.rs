//! `shipgate attest`, `shipgate provenance` and `shipgate sign`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use base64::Engine;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use shipgate_attest::Timestamp;
use shipgate_attest::bundle::{Bundle, BundleContent};
use shipgate_attest::digest::{ArtifactDigests, digest_reader};
use shipgate_attest::dsse::Envelope;
use shipgate_attest::keys::Algorithm;
use shipgate_attest::predicates::{PredicateKind, SLSA_PROVENANCE_V1};
use shipgate_attest::provenance::{self, BuildPlatform, BuildTimes, LocalBuild};
use shipgate_attest::signer::Signer;
use shipgate_attest::statement::{ResourceDescriptor, Statement};
use shipgate_attest::{test_result, vulns};

use crate::cli::{
    AttestArgs, AttestationOutputArgs, BuildPlatformArg, ProvenanceArgs, SbomFormat, SignArgs,
    TreeArgs,
};
use crate::output::write_atomically;
use crate::signing::load_signer;

/// The builder id of a local build when `--builder-id` is not given.
const LOCAL_BUILDER_ID: &str = "https://shipgate.dev/builders/local@v1";

/// Files at least this large show a progress bar while they are hashed.
const PROGRESS_THRESHOLD: u64 = 64 * 1024 * 1024;

/// Hashes `path` once, streaming, with a progress bar on a terminal for
/// large files.
pub(crate) fn hash_artifact(
    path: &Path,
    with_sha512: bool,
    quiet: bool,
) -> anyhow::Result<ArtifactDigests> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the artifact {}", path.display()))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("cannot read the artifact {}", path.display()))?;
    if !metadata.is_file() {
        bail!(
            "{} is not a regular file; artifacts are files",
            path.display()
        );
    }
    let visible = !quiet && std::io::stderr().is_terminal() && metadata.len() >= PROGRESS_THRESHOLD;
    let bar = ProgressBar::with_draw_target(
        Some(metadata.len()),
        if visible {
            ProgressDrawTarget::stderr_with_hz(10)
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} hashing {msg} {bytes}/{total_bytes} ({bytes_per_sec}) [{elapsed}]",
    ) {
        bar.set_style(style);
    }
    bar.set_message(path.display().to_string());
    let digests = digest_reader(bar.wrap_read(file), with_sha512)
        .with_context(|| format!("cannot read the artifact {}", path.display()))?;
    bar.finish_and_clear();
    Ok(digests)
}

/// The subject of an artifact: its file name and digests.
fn subject(path: &Path, digests: &ArtifactDigests) -> ResourceDescriptor {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    ResourceDescriptor::named(name, digests.to_map())
}

fn subjects(
    paths: &[PathBuf],
    with_sha512: bool,
    quiet: bool,
) -> anyhow::Result<Vec<ResourceDescriptor>> {
    paths
        .iter()
        .map(|path| Ok(subject(path, &hash_artifact(path, with_sha512, quiet)?)))
        .collect()
}

/// Where an attestation about `artifacts` goes by default:
/// `ARTIFACT.intoto.jsonl` beside a single artifact, else
/// `multiple.intoto.jsonl`, as slsa-github-generator names them.
fn default_output(artifacts: &[PathBuf]) -> PathBuf {
    match artifacts {
        [single] => {
            let mut name = single.as_os_str().to_owned();
            name.push(".intoto.jsonl");
            PathBuf::from(name)
        }
        _ => PathBuf::from("multiple.intoto.jsonl"),
    }
}

/// Signs `statement` and writes it where `output` says.
fn sign_and_write(
    statement: &Statement,
    signer: &dyn Signer,
    artifacts: &[PathBuf],
    output: &AttestationOutputArgs,
) -> anyhow::Result<()> {
    let envelope = Envelope::sign_statement(statement, &[signer])?;
    let path = output
        .output
        .clone()
        .unwrap_or_else(|| default_output(artifacts));
    let mut text = String::new();
    if output.append && path.exists() {
        text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {} to append to it", path.display()))?;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
    }
    text.push_str(&envelope.to_json_line());
    text.push('\n');
    write_atomically(&path, text.as_bytes())?;
    if let Some(bundle_path) = &output.bundle {
        let bundle = Bundle {
            key_hint: Some(signer.key_id().to_owned()),
            content: BundleContent::Envelope(envelope),
        };
        let json = serde_json::to_string_pretty(&bundle.to_value())?;
        write_atomically(bundle_path, json.as_bytes())?;
    }
    if !output.quiet {
        eprintln!(
            "signed {} about {} artifact(s) with key {}: {}{}",
            statement.predicate_type,
            statement.subject.len(),
            signer.key_id(),
            path.display(),
            output
                .bundle
                .as_ref()
                .map(|bundle| format!(" and {}", bundle.display()))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// The time a build or attestation is stamped with: SOURCE_DATE_EPOCH
/// when set (reproducible output), else now.
fn now() -> anyhow::Result<Timestamp> {
    Ok(crate::sbom::source_date_epoch()?.unwrap_or_else(Timestamp::now))
}

/// `shipgate attest`
pub fn attest(args: &AttestArgs) -> anyhow::Result<ExitCode> {
    let kind: PredicateKind = args.predicate_type.parse()?;
    let signer = load_signer(&args.signing.key)?;
    let quiet = args.output.quiet;
    let predicate = match (&args.predicate, &kind) {
        (Some(path), PredicateKind::TestResult) if !looks_like_json(path)? => {
            let xml = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let result = test_result::from_junit(&xml, Vec::new(), None)
                .with_context(|| format!("{} is not a JUnit XML report", path.display()))?;
            serde_json::to_value(result)?
        }
        (Some(path), _) => read_json_predicate(path)?,
        (None, PredicateKind::CycloneDx) => generated_sbom(args, SbomFormat::Cyclonedx)?,
        (None, PredicateKind::Spdx) => generated_sbom(args, SbomFormat::Spdx)?,
        (None, PredicateKind::Vulns) => generated_vulns(args)?,
        (None, other) => bail!(
            "--predicate FILE is needed for {other}: only cyclonedx, spdx and vulns predicates can be generated (from --source)"
        ),
    };
    let subjects = subjects(&args.artifacts, !args.output.sha256_only, quiet)?;
    let statement = Statement::new(subjects, kind.type_uri(), predicate);
    sign_and_write(&statement, &signer, &args.artifacts, &args.output)?;
    Ok(ExitCode::SUCCESS)
}

fn looks_like_json(path: &Path) -> anyhow::Result<bool> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes
        .trim_ascii_start()
        .first()
        .is_some_and(|&byte| byte == b'{'))
}

fn read_json_predicate(path: &Path) -> anyhow::Result<serde_json::Value> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the predicate {}", path.display()))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("the predicate {} is not JSON", path.display()))?;
    if !value.is_object() {
        bail!("the predicate {} must be a JSON object", path.display());
    }
    Ok(value)
}

fn source_tree(args: &AttestArgs) -> TreeArgs {
    TreeArgs {
        path: args.source.clone(),
        config: None,
        no_ignore: false,
    }
}

fn generated_sbom(args: &AttestArgs, format: SbomFormat) -> anyhow::Result<serde_json::Value> {
    let text = crate::sbom::render(
        &source_tree(args),
        format,
        false,
        &args.db,
        args.output.quiet,
    )?;
    Ok(serde_json::from_str(&text)?)
}

fn generated_vulns(args: &AttestArgs) -> anyhow::Result<serde_json::Value> {
    let started = Timestamp::now();
    let scan = crate::scan::deps_findings(&source_tree(args), &args.db)?;
    let predicate = vulns::from_findings(
        vulns::ScannerInfo {
            uri: format!("pkg:cargo/shipgate@{}", env!("CARGO_PKG_VERSION")),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            db: Some(vulns::VulnDatabase {
                uri: Some("https://osv.dev".to_owned()),
                version: None,
                last_update: scan.database_updated,
            }),
        },
        &scan.findings,
        started,
        Timestamp::now(),
    );
    Ok(serde_json::to_value(predicate)?)
}

/// `shipgate provenance`
pub fn provenance(args: &ProvenanceArgs) -> anyhow::Result<ExitCode> {
    let signer = load_signer(&args.signing.key)?;
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let platform = match args.platform {
        BuildPlatformArg::Auto => provenance::detect_platform(&env),
        BuildPlatformArg::Github => BuildPlatform::GitHubActions,
        BuildPlatformArg::Gitlab => BuildPlatform::GitLabCi,
        BuildPlatformArg::Local => BuildPlatform::Local,
    };
    let started_on = args
        .started_on
        .as_deref()
        .map(|text| {
            text.parse::<Timestamp>().with_context(|| {
                format!(
                    "--started-on `{text}` is not an RFC 3339 time such as 2026-01-31T12:00:00Z"
                )
            })
        })
        .transpose()?;
    let times = BuildTimes {
        started_on,
        finished_on: now()?,
    };
    let predicate = match platform {
        BuildPlatform::GitHubActions => provenance::from_github(&env, &times)?,
        BuildPlatform::GitLabCi => provenance::from_gitlab(&env, &times)?,
        BuildPlatform::Local => provenance::from_local(&local_build(args)?, &times),
    };
    let subjects = subjects(&args.artifacts, !args.output.sha256_only, args.output.quiet)?;
    let statement = Statement::new(
        subjects,
        SLSA_PROVENANCE_V1,
        serde_json::to_value(predicate)?,
    );
    sign_and_write(&statement, &signer, &args.artifacts, &args.output)?;
    Ok(ExitCode::SUCCESS)
}

fn local_build(args: &ProvenanceArgs) -> anyhow::Result<LocalBuild> {
    let parameters = args
        .params
        .iter()
        .map(|param| {
            param
                .split_once('=')
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .with_context(|| format!("--param `{param}` is not KEY=VALUE"))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(LocalBuild {
        builder_id: args
            .builder_id
            .clone()
            .unwrap_or_else(|| LOCAL_BUILDER_ID.to_owned()),
        build_type: args.build_type.clone(),
        source_uri: args.source_uri.clone(),
        source_ref: args.source_ref.clone(),
        source_commit: args.source_commit.clone(),
        invocation_id: args.invocation_id.clone(),
        parameters,
    })
}

/// `shipgate sign`
pub fn sign(args: &SignArgs) -> anyhow::Result<ExitCode> {
    let signer = load_signer(&args.signing.key)?;
    let with_sha512 = signer.public_key().algorithm() == Algorithm::Ed25519;
    let digests = hash_artifact(&args.artifact, with_sha512, args.quiet)?;
    let signature = signer.sign_artifact(&digests)?;
    let path = args.output.clone().unwrap_or_else(|| {
        let mut name = args.artifact.as_os_str().to_owned();
        name.push(".sig");
        PathBuf::from(name)
    });
    let encoded = base64::engine::general_purpose::STANDARD.encode(&signature);
    write_atomically(&path, encoded.as_bytes())?;
    if let Some(bundle_path) = &args.bundle {
        let bundle = Bundle {
            key_hint: Some(signer.key_id().to_owned()),
            content: BundleContent::MessageSignature {
                sha256: digests.sha256,
                signature,
            },
        };
        write_atomically(
            bundle_path,
            serde_json::to_string_pretty(&bundle.to_value())?.as_bytes(),
        )?;
    }
    if !args.quiet {
        eprintln!(
            "signed {} (sha256:{}) with key {}: {}",
            args.artifact.display(),
            digests.sha256_hex(),
            signer.key_id(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
