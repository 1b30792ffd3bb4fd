//! Offline verification of an artifact against its attestations.
//!
//! The artifact is hashed once by the caller and only those digests are
//! compared, so the file cannot change between the check and its use by
//! this code (deploy the bytes you hashed, or hash what you deploy).
//!
//! Verification is a list of named checks, each passed or failed with a
//! reason, in the spirit of slsa-verifier's flags:
//!
//! - every attestation given is readable, signed by enough trusted keys
//!   and carries a valid in-toto statement;
//! - each artifact is a subject (by digest) of at least one of them;
//! - each required predicate type covers each artifact;
//! - every provenance covering an artifact names the expected builder,
//!   source repository and ref.
//!
//! A Rego policy is evaluated by the caller over [`Verification::policy_input`],
//! and its outcome added with [`Verification::add_check`].

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::digest::{ArtifactDigests, digest_eq};
use crate::keys::PublicKey;
use crate::predicates::{PredicateKind, SLSA_PROVENANCE_V0_2};
use crate::provenance::Provenance;
use crate::read::LoadedAttestation;
use crate::statement::Statement;

/// An artifact being verified, hashed once.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// The name the user gave (a path).
    pub name: String,
    /// Its digests.
    pub digests: ArtifactDigests,
}

/// What the provenance must say, like slsa-verifier's flags.
#[derive(Clone, Debug, Default)]
pub struct Expectations {
    /// The source repository (`github.com/org/repo`, with or without
    /// scheme, `git+` prefix or `.git` suffix).
    pub source_uri: Option<String>,
    /// The source ref: a full ref (`refs/tags/v1.2.0`) matches exactly, a
    /// short one (`v1.2.0`, `main`) matches a tag or branch of that name.
    pub source_ref: Option<String>,
    /// The builder id. Without an `@`, any version of that builder
    /// matches (`https://github.com/org/repo/.github/workflows/release.yml`
    /// accepts `...release.yml@refs/tags/v1`).
    pub builder_id: Option<String>,
}

impl Expectations {
    fn is_empty(&self) -> bool {
        self.source_uri.is_none() && self.source_ref.is_none() && self.builder_id.is_none()
    }
}

/// How to verify.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The keys whose signatures are trusted.
    pub keys: Vec<PublicKey>,
    /// How many distinct trusted keys must have signed each attestation.
    pub threshold: usize,
    /// Try every trusted key on signatures whose key id is unknown.
    pub try_unknown_key_ids: bool,
    /// Predicate types that must cover every artifact.
    pub required: Vec<PredicateKind>,
    /// What provenance must say.
    pub expectations: Expectations,
}

/// One named check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable name: `attestation`, `subject`, `required-type`,
    /// `builder-id`, `source-uri`, `source-ref`, `signature`, `policy`.
    pub name: String,
    /// What the check was about (an artifact or attestation origin).
    pub target: String,
    /// Whether it passed.
    pub passed: bool,
    /// Why, in words.
    pub detail: String,
}

/// What was learned about one attestation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationReport {
    /// Where it came from.
    pub origin: String,
    /// SHA-256 of the attestation as stored.
    pub sha256: String,
    /// Its predicate type, when the statement could be read.
    pub predicate_type: Option<String>,
    /// Trusted keys that signed it.
    pub verified_key_ids: Vec<String>,
    /// Whether it is signed well enough and its statement is valid.
    pub accepted: bool,
    /// Names of the artifacts among its subjects.
    pub covers: Vec<String>,
    /// Everything wrong with it.
    pub problems: Vec<String>,
    /// The statement, for accepted attestations.
    #[serde(skip)]
    pub statement: Option<Statement>,
}

/// The result of verifying artifacts against attestations.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    /// The artifacts, with their digests.
    pub artifacts: Vec<ArtifactSummary>,
    /// Every attestation read.
    pub attestations: Vec<AttestationReport>,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

/// An artifact as reported.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactSummary {
    /// Its name.
    pub name: String,
    /// Its digests, by algorithm.
    pub digest: std::collections::BTreeMap<String, String>,
}

impl Verification {
    /// Whether every check passed (and there was at least one).
    pub fn passed(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|check| check.passed)
    }

    /// Adds a check made by the caller (a policy decision, a plain
    /// signature).
    pub fn add_check(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// The document a Rego policy sees as `input`: the artifacts, the
    /// accepted attestations with their statements decoded, and the checks
    /// made so far.
    pub fn policy_input(&self) -> Value {
        let attestations: Vec<Value> = self
            .attestations
            .iter()
            .filter_map(|report| {
                let statement = report.statement.as_ref()?;
                Some(json!({
                    "origin": report.origin,
                    "keyIds": report.verified_key_ids,
                    "covers": report.covers,
                    "predicateType": statement.predicate_type,
                    "subject": statement.subject,
                    "predicate": statement.predicate,
                }))
            })
            .collect();
        json!({
            "artifacts": self.artifacts,
            "attestations": attestations,
            "checks": self.checks,
        })
    }
}

/// Verifies `artifacts` against `attestations`.
pub fn verify(
    artifacts: &[Artifact],
    attestations: &[LoadedAttestation],
    options: &VerifyOptions,
) -> Verification {
    // Each attestation is checked on its own (signature, statement,
    // subjects), so they are spread over the cores: verifying thousands of
    // ECDSA signatures is the slow part of a large verification.
    let reports: Vec<AttestationReport> = attestations
        .par_iter()
        .map(|loaded| examine(loaded, artifacts, options))
        .collect();
    let mut checks = Vec::new();
    if reports.is_empty() {
        checks.push(Check {
            name: "attestation".to_owned(),
            target: "(none)".to_owned(),
            passed: false,
            detail: "no attestations were given".to_owned(),
        });
    }
    for report in &reports {
        checks.push(Check {
            name: "attestation".to_owned(),
            target: report.origin.clone(),
            passed: report.accepted && report.problems.is_empty(),
            detail: if report.accepted && report.problems.is_empty() {
                format!(
                    "{} signed by {}",
                    report.predicate_type.as_deref().unwrap_or("statement"),
                    report.verified_key_ids.join(", ")
                )
            } else {
                report.problems.join("; ")
            },
        });
    }
    for artifact in artifacts {
        let covering: Vec<&AttestationReport> = reports
            .iter()
            .filter(|report| report.accepted && report.covers.contains(&artifact.name))
            .collect();
        checks.push(Check {
            name: "subject".to_owned(),
            target: artifact.name.clone(),
            passed: !covering.is_empty(),
            detail: if covering.is_empty() {
                format!(
                    "no trusted attestation names sha256:{} as a subject",
                    artifact.digests.sha256_hex()
                )
            } else {
                format!("a subject of {} trusted attestation(s)", covering.len())
            },
        });
        for required in &options.required {
            let found = covering.iter().any(|report| {
                report
                    .predicate_type
                    .as_deref()
                    .is_some_and(|predicate_type| required.matches(predicate_type))
            });
            checks.push(Check {
                name: "required-type".to_owned(),
                target: artifact.name.clone(),
                passed: found,
                detail: if found {
                    format!("{required} present")
                } else {
                    format!("no trusted {required} attestation covers it")
                },
            });
        }
        if !options.expectations.is_empty() {
            checks.extend(provenance_checks(
                artifact,
                &covering,
                &options.expectations,
            ));
        }
    }
    Verification {
        artifacts: artifacts
            .iter()
            .map(|artifact| ArtifactSummary {
                name: artifact.name.clone(),
                digest: artifact.digests.to_map(),
            })
            .collect(),
        attestations: reports,
        checks,
    }
}

fn examine(
    loaded: &LoadedAttestation,
    artifacts: &[Artifact],
    options: &VerifyOptions,
) -> AttestationReport {
    let mut report = AttestationReport {
        origin: loaded.origin.clone(),
        sha256: loaded.sha256.clone(),
        predicate_type: None,
        verified_key_ids: Vec::new(),
        accepted: false,
        covers: Vec::new(),
        problems: Vec::new(),
        statement: None,
    };
    let envelope = match &loaded.envelope {
        Ok(envelope) => envelope,
        Err(reason) => {
            report.problems.push(reason.clone());
            return report;
        }
    };
    let signatures = envelope.verify_signatures(&options.keys, options.try_unknown_key_ids);
    report.verified_key_ids = signatures.verified_key_ids;
    let threshold = options.threshold.max(1);
    if report.verified_key_ids.len() < threshold {
        report.problems.extend(signatures.problems);
        report.problems.push(format!(
            "signed by {} trusted key(s), {threshold} required",
            report.verified_key_ids.len()
        ));
        return report;
    }
    let statement = match envelope.statement() {
        Ok(statement) => statement,
        Err(error) => {
            report.problems.push(error.to_string());
            return report;
        }
    };
    report.predicate_type = Some(statement.predicate_type.clone());
    for artifact in artifacts {
        match subject_match(&statement, &artifact.digests) {
            SubjectMatch::Yes => report.covers.push(artifact.name.clone()),
            SubjectMatch::No => {}
            SubjectMatch::Conflict => report.problems.push(format!(
                "a subject has the sha256 of `{}` but a different sha512: the attestation is inconsistent",
                artifact.name
            )),
        }
    }
    report.accepted = report.problems.is_empty();
    report.statement = Some(statement);
    report
}

enum SubjectMatch {
    Yes,
    No,
    Conflict,
}

fn subject_match(statement: &Statement, digests: &ArtifactDigests) -> SubjectMatch {
    let sha256 = digests.sha256_hex();
    let sha512 = digests.sha512_hex();
    let mut matched = SubjectMatch::No;
    for subject in &statement.subject {
        let Some(subject_sha256) = subject.digest.get("sha256") else {
            continue;
        };
        if !digest_eq(subject_sha256, &sha256) {
            continue;
        }
        if let (Some(claimed), Some(actual)) = (subject.digest.get("sha512"), &sha512)
            && !digest_eq(claimed, actual)
        {
            return SubjectMatch::Conflict;
        }
        matched = SubjectMatch::Yes;
    }
    matched
}

/// Builder and sources claimed by a provenance predicate, v1 or v0.2.
struct ProvenanceClaims {
    builder_id: String,
    sources: Vec<(String, Option<String>)>,
}

fn provenance_claims(statement: &Statement) -> Option<ProvenanceClaims> {
    if statement.predicate_type == SLSA_PROVENANCE_V0_2 {
        let predicate = &statement.predicate;
        let mut uris: Vec<&str> = Vec::new();
        if let Some(uri) = predicate
            .pointer("/invocation/configSource/uri")
            .and_then(Value::as_str)
        {
            uris.push(uri);
        }
        if let Some(materials) = predicate.get("materials").and_then(Value::as_array) {
            uris.extend(
                materials
                    .iter()
                    .filter_map(|material| material.get("uri")?.as_str()),
            );
        }
        return Some(ProvenanceClaims {
            builder_id: predicate.pointer("/builder/id")?.as_str()?.to_owned(),
            sources: uris
                .into_iter()
                .filter(|uri| uri.starts_with("git+"))
                .map(split_git_uri)
                .collect(),
        });
    }
    let provenance: Provenance = serde_json::from_value(statement.predicate.clone()).ok()?;
    Some(ProvenanceClaims {
        builder_id: provenance.builder_id().to_owned(),
        sources: provenance
            .sources()
            .into_iter()
            .map(|claim| (claim.uri, claim.git_ref))
            .collect(),
    })
}

fn split_git_uri(uri: &str) -> (String, Option<String>) {
    // `git+ssh://git@host/repo` has an `@` that is not a ref separator: the
    // ref `@` is the one after the repository path.
    match uri.rsplit_once('@') {
        Some((repository, git_ref))
            if repository
                .split_once("://")
                .is_some_and(|(_, rest)| rest.contains('/')) =>
        {
            (repository.to_owned(), Some(git_ref.to_owned()))
        }
        _ => (uri.to_owned(), None),
    }
}

fn provenance_checks(
    artifact: &Artifact,
    covering: &[&AttestationReport],
    expected: &Expectations,
) -> Vec<Check> {
    let provenances: Vec<(&str, Option<ProvenanceClaims>)> = covering
        .iter()
        .filter_map(|report| {
            let statement = report.statement.as_ref()?;
            PredicateKind::Provenance
                .matches(&statement.predicate_type)
                .then(|| (report.origin.as_str(), provenance_claims(statement)))
        })
        .collect();
    let mut checks = Vec::new();
    let check = |name: &str, passed: bool, detail: String| Check {
        name: name.to_owned(),
        target: artifact.name.clone(),
        passed,
        detail,
    };
    if provenances.is_empty() {
        checks.push(check(
            "provenance",
            false,
            "expectations were given but no trusted provenance covers the artifact".to_owned(),
        ));
        return checks;
    }
    for (origin, claims) in provenances {
        let Some(claims) = claims else {
            checks.push(check(
                "provenance",
                false,
                format!("{origin}: the provenance predicate is not readable SLSA provenance"),
            ));
            continue;
        };
        if let Some(builder) = &expected.builder_id {
            let passed = builder_matches(builder, &claims.builder_id);
            checks.push(check(
                "builder-id",
                passed,
                format!(
                    "{origin}: builder `{}`, expected `{builder}`",
                    claims.builder_id
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let claimed = claims
            .sources
            .iter()
            .filter(|(uri, git_ref)| seen.insert((normalise_repository(uri), git_ref.clone())))
            .map(|(uri, git_ref)| format!("{uri}@{}", git_ref.as_deref().unwrap_or("?")))
            .collect::<Vec<_>>()
            .join(", ");
        let claimed = if claimed.is_empty() {
            "no source".to_owned()
        } else {
            claimed
        };
        let in_repository: Vec<&(String, Option<String>)> = match &expected.source_uri {
            Some(uri) => {
                let wanted = normalise_repository(uri);
                let matching: Vec<_> = claims
                    .sources
                    .iter()
                    .filter(|(claimed_uri, _)| normalise_repository(claimed_uri) == wanted)
                    .collect();
                checks.push(check(
                    "source-uri",
                    !matching.is_empty(),
                    format!("{origin}: built from {claimed}, expected {uri}"),
                ));
                matching
            }
            None => claims.sources.iter().collect(),
        };
        if let Some(git_ref) = &expected.source_ref {
            let passed = in_repository.iter().any(|(_, claimed_ref)| {
                claimed_ref
                    .as_deref()
                    .is_some_and(|claimed_ref| ref_matches(git_ref, claimed_ref))
            });
            checks.push(check(
                "source-ref",
                passed,
                format!("{origin}: built from {claimed}, expected ref {git_ref}"),
            ));
        }
    }
    checks
}

fn builder_matches(expected: &str, claimed: &str) -> bool {
    if expected.contains('@') {
        return expected == claimed;
    }
    claimed.split_once('@').map_or(claimed, |(id, _)| id) == expected
}

fn ref_matches(expected: &str, claimed: &str) -> bool {
    if expected.starts_with("refs/") {
        return expected == claimed;
    }
    claimed == expected
        || claimed.strip_prefix("refs/tags/") == Some(expected)
        || claimed.strip_prefix("refs/heads/") == Some(expected)
}

/// Reduces the spellings of one repository to one form:
/// `git+https://GitHub.com/Org/Repo.git` and `github.com/org/repo` agree.
fn normalise_repository(uri: &str) -> String {
    let uri = uri.trim().strip_prefix("git+").unwrap_or(uri.trim());
    let without_scheme = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let without_user = without_scheme
        .split_once('@')
        .filter(|(user, _)| !user.contains('/'))
        .map_or(without_scheme, |(_, rest)| rest);
    let path_form = match without_user.split_once(':') {
        Some((host, path))
            if !host.contains('/') && !path.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            format!("{host}/{path}")
        }
        _ => without_user.to_owned(),
    };
    let trimmed = path_form.trim_end_matches('/');
    trimmed
        .strip_suffix(".git")
        .unwrap_or(trimmed)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::digest::digest_reader;
    use crate::dsse::Envelope;
    use crate::keys::{Algorithm, PrivateKey};
    use crate::signer::{LocalSigner, Signer};
    use crate::statement::ResourceDescriptor;

    fn artifact() -> Artifact {
        Artifact {
            name: "app.tar.gz".to_owned(),
            digests: digest_reader(&b"artifact bytes"[..], true).unwrap(),
        }
    }

    fn loaded(statement: &Statement, signers: &[&dyn Signer]) -> LoadedAttestation {
        LoadedAttestation {
            origin: "test.jsonl:1".to_owned(),
            sha256: String::new(),
            envelope: Ok(Envelope::sign_statement(statement, signers).unwrap()),
        }
    }

    fn options(keys: &[&LocalSigner]) -> VerifyOptions {
        VerifyOptions {
            keys: keys
                .iter()
                .map(|signer| signer.public_key().clone())
                .collect(),
            threshold: 1,
            try_unknown_key_ids: false,
            required: Vec::new(),
            expectations: Expectations::default(),
        }
    }

    fn v02_provenance(subject: ResourceDescriptor, builder: &str, source: &str) -> Statement {
        Statement::new(
            vec![subject],
            SLSA_PROVENANCE_V0_2,
            serde_json::json!({
                "builder": {"id": builder},
                "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
                "invocation": {"configSource": {"uri": source, "digest": {"sha1": "00"}, "entryPoint": ".github/workflows/release.yml"}},
            }),
        )
    }

    #[test]
    fn threshold_counts_distinct_trusted_keys() {
        let first = LocalSigner::new(PrivateKey::generate(Algorithm::Ed25519).unwrap());
        let second = LocalSigner::new(PrivateKey::generate(Algorithm::EcdsaP256).unwrap());
        let subject = ResourceDescriptor::named("app.tar.gz", artifact().digests.to_map());
        let statement = Statement::new(
            vec![subject],
            "https://example.com/p",
            serde_json::json!({}),
        );
        let mut two = options(&[&first, &second]);
        two.threshold = 2;
        let once = verify(&[artifact()], &[loaded(&statement, &[&first])], &two);
        assert!(!once.passed());
        assert!(
            once.checks[0]
                .detail
                .contains("1 trusted key(s), 2 required"),
            "{:?}",
            once.checks
        );
        let twice = verify(
            &[artifact()],
            &[loaded(&statement, &[&first, &second])],
            &two,
        );
        assert!(twice.passed(), "{:?}", twice.checks);
    }

    #[test]
    fn a_subject_with_the_sha256_but_another_sha512_is_a_conflict() {
        let signer = LocalSigner::new(PrivateKey::generate(Algorithm::Ed25519).unwrap());
        let mut digest = artifact().digests.to_map();
        digest.insert("sha512".to_owned(), "00".repeat(64));
        let statement = Statement::new(
            vec![ResourceDescriptor::named("app.tar.gz", digest)],
            "https://example.com/p",
            serde_json::json!({}),
        );
        let result = verify(
            &[artifact()],
            &[loaded(&statement, &[&signer])],
            &options(&[&signer]),
        );
        assert!(!result.passed());
        assert!(
            result.checks[0].detail.contains("different sha512"),
            "{:?}",
            result.checks
        );
    }

    #[test]
    fn slsa_v0_2_provenance_meets_expectations_and_every_provenance_must() {
        let signer = LocalSigner::new(PrivateKey::generate(Algorithm::Ed25519).unwrap());
        let subject = ResourceDescriptor::named("app.tar.gz", artifact().digests.to_map());
        let builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0";
        let good = v02_provenance(
            subject.clone(),
            builder,
            "git+https://github.com/org/app@refs/tags/v1.0.0",
        );
        let mut options = options(&[&signer]);
        options.required = vec![PredicateKind::Provenance];
        options.expectations = Expectations {
            source_uri: Some("github.com/org/app".to_owned()),
            source_ref: Some("v1.0.0".to_owned()),
            builder_id: Some(
                "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
                    .to_owned(),
            ),
        };
        let result = verify(&[artifact()], &[loaded(&good, &[&signer])], &options);
        assert!(result.passed(), "{:?}", result.checks);

        let rogue = v02_provenance(
            subject,
            "https://evil.example.com/builder@v1",
            "git+https://github.com/org/app@refs/tags/v1.0.0",
        );
        let result = verify(
            &[artifact()],
            &[loaded(&good, &[&signer]), loaded(&rogue, &[&signer])],
            &options,
        );
        let failed: Vec<&str> = result
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(failed, ["builder-id"]);
    }

    #[test]
    fn attestations_about_other_artifacts_do_not_cover_this_one() {
        let signer = LocalSigner::new(PrivateKey::generate(Algorithm::Ed25519).unwrap());
        let other = ResourceDescriptor::named(
            "app.tar.gz",
            BTreeMap::from([("sha256".to_owned(), "11".repeat(32))]),
        );
        let statement = Statement::new(vec![other], "https://example.com/p", serde_json::json!({}));
        let result = verify(
            &[artifact()],
            &[loaded(&statement, &[&signer])],
            &options(&[&signer]),
        );
        let subject = result
            .checks
            .iter()
            .find(|check| check.name == "subject")
            .unwrap();
        assert!(!subject.passed && subject.detail.contains("no trusted attestation"));
        assert_eq!(
            result.policy_input()["attestations"][0]["covers"],
            serde_json::json!([])
        );
    }

    #[test]
    fn repository_spellings_agree() {
        let canonical = normalise_repository("github.com/org/repo");
        for spelling in [
            "git+https://github.com/org/repo",
            "https://GitHub.com/Org/Repo.git",
            "git@github.com:org/repo.git",
            "ssh://git@github.com/org/repo",
            "https://github.com/org/repo/",
        ] {
            assert_eq!(normalise_repository(spelling), canonical, "{spelling}");
        }
        assert_ne!(normalise_repository("github.com/org/repo-evil"), canonical);
        assert_ne!(normalise_repository("github.com/evil/org/repo"), canonical);
    }

    #[test]
    fn refs_match_short_and_full_forms() {
        assert!(ref_matches("v1.2.0", "refs/tags/v1.2.0"));
        assert!(ref_matches("main", "refs/heads/main"));
        assert!(ref_matches("refs/tags/v1.2.0", "refs/tags/v1.2.0"));
        assert!(!ref_matches("refs/tags/v1.2.0", "refs/heads/v1.2.0"));
        assert!(!ref_matches("v1.2", "refs/tags/v1.2.0"));
    }

    #[test]
    fn builder_versions_are_optional_in_expectations() {
        let claimed = "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v1";
        assert!(builder_matches(
            "https://github.com/org/repo/.github/workflows/release.yml",
            claimed
        ));
        assert!(builder_matches(claimed, claimed));
        assert!(!builder_matches(
            "https://github.com/org/repo/.github/workflows/release.yml@refs/tags/v2",
            claimed
        ));
        assert!(!builder_matches(
            "https://github.com/org/repo/.github/workflows/release",
            claimed
        ));
    }

    #[test]
    fn git_uris_split_at_the_ref() {
        assert_eq!(
            split_git_uri("git+https://github.com/org/repo@refs/tags/v1"),
            (
                "git+https://github.com/org/repo".to_owned(),
                Some("refs/tags/v1".to_owned())
            )
        );
        assert_eq!(
            split_git_uri("git+ssh://git@github.com/org/repo"),
            ("git+ssh://git@github.com/org/repo".to_owned(), None)
        );
    }
}
