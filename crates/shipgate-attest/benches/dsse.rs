//! Signing and verifying attestations in bulk: 10,000 in-toto statements
//! signed into DSSE envelopes and serialised (`sign_*`), then read back and
//! verified one after another (`verify_*`) and through `verify` as
//! `shipgate verify` runs it, on every core (`verify_all_*`, parsed
//! envelopes in, so it measures signatures, statements and subjects). The
//! target is under 2 s for signing and verifying the 10,000.

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use shipgate_attest::digest::digest_reader;
use shipgate_attest::dsse::Envelope;
use shipgate_attest::keys::{Algorithm, PrivateKey};
use shipgate_attest::read::LoadedAttestation;
use shipgate_attest::signer::{LocalSigner, Signer};
use shipgate_attest::statement::{ResourceDescriptor, Statement};
use shipgate_attest::verify::{Artifact, Expectations, VerifyOptions, verify};

const ATTESTATIONS: usize = 10_000;

fn statements() -> Vec<Statement> {
    (0..ATTESTATIONS)
        .map(|index| {
            let digest = BTreeMap::from([("sha256".to_owned(), format!("{index:064x}"))]);
            Statement::new(
                vec![ResourceDescriptor::named(format!("artifact-{index}.tar.gz"), digest)],
                "https://slsa.dev/provenance/v1",
                serde_json::json!({
                    "buildDefinition": {
                        "buildType": "https://shipgate.dev/buildtypes/local/v1",
                        "externalParameters": {"source": {"uri": "git+https://github.com/org/app", "ref": "refs/tags/v1.0.0"}},
                    },
                    "runDetails": {"builder": {"id": "https://shipgate.dev/builders/local@v1"}},
                }),
            )
        })
        .collect()
}

fn sign_and_verify(criterion: &mut Criterion) {
    let statements = statements();
    let mut group = criterion.benchmark_group("dsse_10k");
    group.sample_size(10);
    for algorithm in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
        let signer = LocalSigner::new(PrivateKey::generate(algorithm).expect("key"));
        let trusted = [signer.public_key().clone()];
        group.bench_function(format!("sign_{algorithm}"), |bench| {
            bench.iter(|| {
                statements
                    .iter()
                    .map(|statement| {
                        Envelope::sign_statement(statement, &[&signer])
                            .expect("signs")
                            .to_json_line()
                    })
                    .collect::<Vec<_>>()
            })
        });
        let lines: Vec<String> = statements
            .iter()
            .map(|statement| {
                Envelope::sign_statement(statement, &[&signer])
                    .expect("signs")
                    .to_json_line()
            })
            .collect();
        let artifact = Artifact {
            name: "artifact".to_owned(),
            digests: digest_reader(&b"artifact"[..], false).expect("digest"),
        };
        let loaded: Vec<LoadedAttestation> = lines
            .iter()
            .enumerate()
            .map(|(index, line)| LoadedAttestation {
                origin: format!("bench.jsonl:{index}"),
                sha256: String::new(),
                envelope: Envelope::from_json(line.as_bytes()).map_err(|error| error.to_string()),
            })
            .collect();
        let options = VerifyOptions {
            keys: trusted.to_vec(),
            threshold: 1,
            try_unknown_key_ids: false,
            required: Vec::new(),
            expectations: Expectations::default(),
        };
        group.bench_function(format!("verify_all_{algorithm}"), |bench| {
            bench.iter(|| {
                let verification = verify(std::slice::from_ref(&artifact), &loaded, &options);
                verification
                    .attestations
                    .iter()
                    .all(|report| report.accepted)
            })
        });
        group.bench_function(format!("verify_{algorithm}"), |bench| {
            bench.iter(|| {
                lines.iter().all(|line| {
                    let envelope = Envelope::from_json(line.as_bytes()).expect("reads");
                    envelope
                        .verify_signatures(&trusted, false)
                        .verified_key_ids
                        .len()
                        == 1
                        && envelope.statement().is_ok()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sign_and_verify);
criterion_main!(benches);
