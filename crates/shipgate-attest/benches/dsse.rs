//! Signing and verifying attestations in bulk: 10,000 in-toto statements
//! signed into DSSE envelopes, serialised, read back and verified, for
//! each key type. The target is under 2 s for the 10,000 together.

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use shipgate_attest::dsse::Envelope;
use shipgate_attest::keys::{Algorithm, PrivateKey};
use shipgate_attest::signer::{LocalSigner, Signer};
use shipgate_attest::statement::{ResourceDescriptor, Statement};

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
