//! `shipgate verify`: artifacts against attestations, signatures,
//! expectations and policy, offline; optionally recorded as a signed
//! verification summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use shipgate_attest::Timestamp;
use shipgate_attest::bundle::{Bundle, BundleContent};
use shipgate_attest::digest::{digest_eq, to_hex};
use shipgate_attest::dsse::Envelope;
use shipgate_attest::keys::{Algorithm, PublicKey};
use shipgate_attest::predicates::{PredicateKind, SLSA_VSA_V1};
use shipgate_attest::read::{LoadedAttestation, read_attestations};
use shipgate_attest::signer::Signer;
use shipgate_attest::statement::{ResourceDescriptor, Statement};
use shipgate_attest::verify::{Artifact, Check, Expectations, Verification, VerifyOptions, verify};
use shipgate_attest::vsa;
use shipgate_policy::PolicySet;

use crate::attest::hash_artifact;
use crate::cli::{VerifyArgs, VerifyFormat};
use crate::output::write_atomically;
use crate::signing::{load_public_key, load_signer};

/// The id this verifier writes into verification summaries.
const VERIFIER_ID: &str = "https://github.com/shipgate/shipgate/verify";

/// `shipgate verify`
pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    if args.attestations.is_empty() && args.signatures.is_empty() {
        bail!(
            "nothing to verify against: pass --attestations FILE (.intoto.jsonl or a bundle) or --signature FILE"
        );
    }
    if !args.signatures.is_empty() && args.artifacts.len() != 1 {
        bail!(
            "--signature checks one artifact; verify artifacts one at a time, or use attestations"
        );
    }
    let keys = args
        .keys
        .iter()
        .map(|reference| load_public_key(reference))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let required = args
        .required
        .iter()
        .map(|text| text.parse::<PredicateKind>())
        .collect::<Result<Vec<_>, _>>()?;
    // Each policy file is read once: the text evaluated is the text whose
    // digest the verification summary records.
    let mut policy_digests = BTreeMap::new();
    let mut policy_sources = Vec::new();
    for path in &args.policies {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the policy {}", path.display()))?;
        let name = path.display().to_string();
        policy_digests.insert(name.clone(), to_hex(&Sha256::digest(text.as_bytes())));
        policy_sources.push((name, text));
    }
    let policies = if policy_sources.is_empty() {
        None
    } else {
        Some(PolicySet::from_sources(policy_sources)?)
    };
    let vsa_signer = args.vsa_key.as_deref().map(load_signer).transpose()?;
    let mut loaded = Vec::new();
    for path in &args.attestations {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the attestations {}", path.display()))?;
        loaded.extend(read_attestations(&path.display().to_string(), &bytes));
    }
    // SHA-512 is the slow half of hashing: computed only when an Ed25519
    // blob signature needs it or an attestation's subject claims one,
    // which must then agree with the artifact.
    let needs_sha512 = (keys.iter().any(|key| key.algorithm() == Algorithm::Ed25519)
        && !args.signatures.is_empty())
        || loaded.iter().any(claims_sha512);
    let artifacts = args
        .artifacts
        .iter()
        .map(|path| {
            Ok(Artifact {
                name: path.display().to_string(),
                digests: hash_artifact(path, needs_sha512, args.quiet)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = VerifyOptions {
        keys,
        threshold: args.threshold,
        try_unknown_key_ids: args.any_key_id,
        required,
        expectations: Expectations {
            source_uri: args.source_uri.clone(),
            source_ref: args.source_ref.clone(),
            builder_id: args.builder_id.clone(),
        },
    };
    let mut verification = if loaded.is_empty() {
        Verification {
            artifacts: Vec::new(),
            attestations: Vec::new(),
            checks: Vec::new(),
        }
    } else {
        verify(&artifacts, &loaded, &options)
    };
    for path in &args.signatures {
        verification.add_check(signature_check(path, &artifacts[0], &options.keys)?);
    }
    let mut warnings = Vec::new();
    if let Some(policies) = &policies {
        let decision = policies
            .evaluate(&verification.policy_input())
            .context("the policy could not be evaluated")?;
        for denial in &decision.denials {
            verification.add_check(Check {
                name: "policy".to_owned(),
                target: format!("{}.{}", denial.package, denial.rule),
                passed: false,
                detail: denial.message.clone(),
            });
        }
        if decision.denials.is_empty() {
            verification.add_check(Check {
                name: "policy".to_owned(),
                target: policies.packages().join(", "),
                passed: true,
                detail: "no denials".to_owned(),
            });
        }
        warnings.extend(
            decision
                .warnings
                .iter()
                .map(|warning| warning.message.clone()),
        );
    }
    let passed = verification.passed();
    if let (Some(path), Some(signer)) = (&args.emit_vsa, &vsa_signer) {
        let envelope = summary(args, &artifacts, &verification, &policy_digests, signer)?;
        write_atomically(path, format!("{}\n", envelope.to_json_line()).as_bytes())?;
    }
    if !args.quiet {
        print_result(args.format, &verification, &warnings, passed)?;
    }
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Whether an attestation's statement names a subject by SHA-512.
fn claims_sha512(loaded: &LoadedAttestation) -> bool {
    loaded
        .envelope
        .as_ref()
        .ok()
        .and_then(|envelope| envelope.statement().ok())
        .is_some_and(|statement| {
            statement
                .subject
                .iter()
                .any(|subject| subject.digest.contains_key("sha512"))
        })
}

/// Checks a blob signature file (base64, or a Sigstore bundle) over the
/// artifact's digests with each trusted key.
fn signature_check(
    path: &std::path::Path,
    artifact: &Artifact,
    keys: &[PublicKey],
) -> anyhow::Result<Check> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the signature {}", path.display()))?;
    let mut check = Check {
        name: "signature".to_owned(),
        target: path.display().to_string(),
        passed: false,
        detail: String::new(),
    };
    let (signature, hint) = if bytes.trim_ascii_start().starts_with(b"{") {
        let bundle = Bundle::from_json(&bytes)
            .with_context(|| format!("{} is not a Sigstore bundle", path.display()))?;
        match bundle.content {
            BundleContent::MessageSignature { sha256, signature } => {
                if !digest_eq(&to_hex(&sha256), &artifact.digests.sha256_hex()) {
                    check.detail = format!(
                        "the bundle signs sha256:{}, not the artifact",
                        to_hex(&sha256)
                    );
                    return Ok(check);
                }
                (signature, bundle.key_hint)
            }
            BundleContent::Envelope(_) => bail!(
                "{} holds an attestation, not a signature: pass it with --attestations",
                path.display()
            ),
        }
    } else {
        let text = String::from_utf8_lossy(&bytes);
        let signature = shipgate_attest::dsse::decode_base64(text.trim())
            .with_context(|| format!("{} is not a base64 signature", path.display()))?;
        (signature, None)
    };
    let candidates: Vec<&PublicKey> = match hint
        .as_deref()
        .and_then(|hint| keys.iter().find(|key| key.key_id() == hint))
    {
        Some(key) => vec![key],
        None => keys.iter().collect(),
    };
    match candidates
        .into_iter()
        .find(|key| key.verify_artifact(&artifact.digests, &signature).is_ok())
    {
        Some(key) => {
            check.passed = true;
            check.detail = format!("{} signed by {}", artifact.name, key.key_id());
        }
        None => {
            check.detail = format!(
                "the signature over {} verifies with none of the trusted keys: the artifact changed, or it was signed by another key",
                artifact.name
            );
        }
    }
    Ok(check)
}

/// The signed verification summary of this run.
fn summary(
    args: &VerifyArgs,
    artifacts: &[Artifact],
    verification: &Verification,
    policy_digests: &BTreeMap<String, String>,
    signer: &dyn Signer,
) -> anyhow::Result<Envelope> {
    let input_attestations = verification
        .attestations
        .iter()
        .map(|report| ResourceDescriptor {
            uri: Some(report.origin.clone()),
            digest: BTreeMap::from([("sha256".to_owned(), report.sha256.clone())]),
            ..ResourceDescriptor::default()
        })
        .collect();
    let resource_uri = args.resource_uri.clone().unwrap_or_else(|| {
        args.artifacts[0].file_name().map_or_else(
            || args.artifacts[0].display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
    });
    let verifier = vsa::Verifier {
        id: VERIFIER_ID.to_owned(),
        version: BTreeMap::from([("shipgate".to_owned(), env!("CARGO_PKG_VERSION").to_owned())]),
    };
    let result = if verification.passed() {
        vsa::VerificationResult::Passed
    } else {
        vsa::VerificationResult::Failed
    };
    let predicate = vsa::VerificationSummary::new(
        verifier,
        Timestamp::now(),
        resource_uri,
        policy_reference(args, policy_digests),
        input_attestations,
        result,
        &verified_levels(verification),
    );
    let subjects = artifacts
        .iter()
        .map(|artifact| {
            let name = std::path::Path::new(&artifact.name)
                .file_name()
                .map_or_else(
                    || artifact.name.clone(),
                    |name| name.to_string_lossy().into_owned(),
                );
            ResourceDescriptor::named(name, artifact.digests.to_map())
        })
        .collect();
    let statement = Statement::new(subjects, SLSA_VSA_V1, serde_json::to_value(predicate)?);
    Ok(Envelope::sign_statement(&statement, &[signer])?)
}

fn policy_reference(
    args: &VerifyArgs,
    policy_digests: &BTreeMap<String, String>,
) -> vsa::PolicyReference {
    match policy_digests.iter().next() {
        Some((path, digest)) if policy_digests.len() == 1 => vsa::PolicyReference {
            uri: path.clone(),
            digest: BTreeMap::from([("sha256".to_owned(), digest.clone())]),
        },
        _ => {
            let mut description = String::from("shipgate verify");
            for (flag, value) in [
                ("source-uri", &args.source_uri),
                ("source-ref", &args.source_ref),
                ("builder-id", &args.builder_id),
            ] {
                if let Some(value) = value {
                    description.push_str(&format!(" --{flag} {value}"));
                }
            }
            for required in &args.required {
                description.push_str(&format!(" --require {required}"));
            }
            for (path, digest) in policy_digests {
                description.push_str(&format!(" --policy {path}#sha256:{digest}"));
            }
            vsa::PolicyReference {
                digest: BTreeMap::from([(
                    "sha256".to_owned(),
                    to_hex(&Sha256::digest(description.as_bytes())),
                )]),
                uri: format!("{VERIFIER_ID}#{}", description.replace(' ', "%20")),
            }
        }
    }
}

/// The SLSA build level the checks establish when they pass: a trusted
/// provenance covering every artifact is level 1 (provenance exists and
/// is authentic to the key holder). Higher levels depend on how the
/// signing key is protected on the build platform, which an offline
/// verifier cannot see, so they are never claimed. A failed verification
/// records `FAILED` whatever this says.
fn verified_levels(verification: &Verification) -> Vec<String> {
    let has_provenance = verification.artifacts.iter().all(|artifact| {
        verification.attestations.iter().any(|report| {
            report.accepted
                && report.covers.contains(&artifact.name)
                && report
                    .predicate_type
                    .as_deref()
                    .is_some_and(|predicate_type| PredicateKind::Provenance.matches(predicate_type))
        })
    });
    if has_provenance && !verification.artifacts.is_empty() {
        vec![vsa::build_level(1)]
    } else {
        vec![vsa::build_level(0)]
    }
}

/// Text safe inside a Markdown table cell: pipes escaped, one line.
fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn print_result(
    format: VerifyFormat,
    verification: &Verification,
    warnings: &[String],
    passed: bool,
) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match format {
        VerifyFormat::Json => {
            let mut value = serde_json::to_value(verification)?;
            value["passed"] = serde_json::Value::Bool(passed);
            value["warnings"] = serde_json::to_value(warnings)?;
            writeln!(stdout, "{}", serde_json::to_string_pretty(&value)?)?;
        }
        VerifyFormat::Markdown => {
            let verdict = if passed { "passed" } else { "**failed**" };
            writeln!(stdout, "### shipgate verify: {verdict}\n")?;
            writeln!(stdout, "| result | check | target | detail |")?;
            writeln!(stdout, "|---|---|---|---|")?;
            for check in &verification.checks {
                writeln!(
                    stdout,
                    "| {} | {} | {} | {} |",
                    if check.passed { "pass" } else { "**FAIL**" },
                    check.name,
                    markdown_cell(&check.target),
                    markdown_cell(&check.detail)
                )?;
            }
            for warning in warnings {
                writeln!(stdout, "| warn | policy | | {} |", markdown_cell(warning))?;
            }
        }
        VerifyFormat::Table => {
            for check in &verification.checks {
                writeln!(
                    stdout,
                    "{} {:<14} {}: {}",
                    if check.passed { "pass" } else { "FAIL" },
                    check.name,
                    check.target,
                    check.detail
                )?;
            }
            for warning in warnings {
                writeln!(stdout, "warn policy          {warning}")?;
            }
            let failed = verification
                .checks
                .iter()
                .filter(|check| !check.passed)
                .count();
            if passed {
                writeln!(
                    stdout,
                    "verified: {} check(s) passed",
                    verification.checks.len()
                )?;
            } else {
                writeln!(
                    stdout,
                    "NOT verified: {failed} of {} check(s) failed",
                    verification.checks.len()
                )?;
            }
        }
    }
    stdout.flush()?;
    Ok(())
}
