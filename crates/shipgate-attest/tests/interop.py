"""Interoperability of shipgate's keys, DSSE envelopes, in-toto statements
and Sigstore bundles with the reference Python implementations.

Usage: interop.py produce WORKDIR | check WORKDIR

`check` reads what `shipgate` wrote into WORKDIR and verifies it with
securesystemslib (DSSE), in-toto-attestation (Statement v1 and the SLSA
provenance v1, VSA v1 and test-result protos, parsed strictly) and
sigstore-protobuf-specs (bundle v0.3). `produce` writes envelopes and keys
made by the Python libraries for `shipgate verify` to check.
"""

import base64
import hashlib
import json
import os
import sys
from pathlib import Path

import betterproto
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from google.protobuf import json_format
from in_toto_attestation.predicates.provenance.v1 import provenance_pb2
from in_toto_attestation.predicates.test_result.v0 import test_result_pb2
from in_toto_attestation.predicates.vsa.v1 import vsa_pb2
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import Statement
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner, SSlibKey
from sigstore_protobuf_specs.dev.sigstore.bundle.v1 import Bundle
from sigstore_protobuf_specs.dev.sigstore.common.v1 import MessageSignature

PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_PROTOS = {
    "https://slsa.dev/provenance/v1": provenance_pb2.Provenance,
    "https://slsa.dev/verification_summary/v1": vsa_pb2.VerificationSummary,
    "https://in-toto.io/attestation/test-result/v0.1": test_result_pb2.TestResult,
}


def key_id(public_key) -> str:
    """shipgate's key id: SHA-256 of the SubjectPublicKeyInfo DER."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def sslib_key(pem_path: Path) -> SSlibKey:
    public_key = serialization.load_pem_public_key(pem_path.read_bytes())
    return SSlibKey.from_crypto(public_key, keyid=key_id(public_key))


def check_statement(payload: bytes, origin: str) -> str:
    proto = json_format.Parse(payload, statement_pb2.Statement(), ignore_unknown_fields=False)
    Statement.copy_from_pb(proto).validate()
    statement = json.loads(payload)
    predicate = dict(statement["predicate"])
    strict = True
    if statement["predicateType"] == "https://slsa.dev/verification_summary/v1":
        # in-toto-attestation 0.9.3's VSA proto lags the SLSA specification:
        # it declares verifiedLevels a single string (the specification: an
        # array of strings) and has no verifier.version map. The
        # specification wins; those two fields are checked here by hand.
        levels = predicate.pop("verifiedLevels")
        assert isinstance(levels, list) and all(isinstance(level, str) for level in levels), origin
        assert isinstance(predicate["verifier"].get("version", {}), dict), origin
        strict = False
    proto_type = PREDICATE_PROTOS.get(statement["predicateType"])
    if proto_type is not None:
        json_format.Parse(json.dumps(predicate), proto_type(), ignore_unknown_fields=not strict)
    for subject in statement["subject"]:
        assert len(subject["digest"]["sha256"]) == 64, origin
    return statement["predicateType"]


def check(workdir: Path) -> None:
    keys = {path.stem: sslib_key(path) for path in workdir.glob("*.pub")}
    checked = 0
    for jsonl in sorted(workdir.glob("*.intoto.jsonl")):
        for number, line in enumerate(jsonl.read_text().splitlines(), 1):
            if not line.strip():
                continue
            origin = f"{jsonl.name}:{number}"
            envelope = Envelope.from_dict(json.loads(line))
            assert envelope.payload_type == PAYLOAD_TYPE, origin
            accepted = envelope.verify(list(keys.values()), 1)
            assert accepted, origin
            predicate_type = check_statement(envelope.payload, origin)
            print(f"ok {origin}: {predicate_type} verified by {sorted(accepted)}")
            checked += 1
    for path in sorted(workdir.glob("*.sigstore.json")):
        text = path.read_text()
        ours = json.loads(text)
        # betterproto's pydantic dataclasses need one member of the content
        # oneof to construct; parsing then sets whichever the JSON holds.
        bundle = Bundle(message_signature=MessageSignature()).from_json(text)
        assert bundle.to_dict() == {key: value for key, value in ours.items()} | {
            "verificationMaterial": {"publicKey": ours["verificationMaterial"]["publicKey"]}
        }, f"{path}: fields were lost or renamed in parsing"
        assert bundle.media_type == "application/vnd.dev.sigstore.bundle.v0.3+json", path
        hint = bundle.verification_material.public_key.hint
        content, _ = betterproto.which_one_of(bundle, "content")
        if content == "dsse_envelope":
            envelope = Envelope.from_dict(ours["dsseEnvelope"])
            assert envelope.verify(list(keys.values()), 1), path
            # The bundle specification: a key hint and the DSSE key ids agree.
            assert [signature.keyid for signature in bundle.dsse_envelope.signatures] == [hint], path
            check_statement(envelope.payload, path.name)
        else:
            assert content == "message_signature", path
            digest = bundle.message_signature.message_digest
            artifact = (workdir / "artifact.tar.gz").read_bytes()
            assert digest.digest == hashlib.sha256(artifact).digest(), path
            public_key = serialization.load_pem_public_key((workdir / "ecdsa.pub").read_bytes())
            assert key_id(public_key) == hint, path
            public_key.verify(bundle.message_signature.signature, artifact, ec.ECDSA(hashes.SHA256()))
        print(f"ok {path.name}: {content} bundle read by sigstore-protobuf-specs")
        checked += 1
    assert checked > 0, "nothing to check"
    print(f"{checked} document(s) interoperate")


def statement_about(artifact: Path, predicate_type: str, predicate: dict) -> bytes:
    data = artifact.read_bytes()
    return json.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [
                {
                    "name": artifact.name,
                    "digest": {
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "sha512": hashlib.sha512(data).hexdigest(),
                    },
                }
            ],
            "predicateType": predicate_type,
            "predicate": predicate,
        }
    ).encode()


def produce(workdir: Path) -> None:
    artifact = workdir / "artifact.tar.gz"
    password = os.environ["SHIPGATE_KEY_PASSWORD"].encode()
    provenance = {
        "buildDefinition": {
            "buildType": "https://example.com/python-build/v1",
            "externalParameters": {"source": "git+https://example.com/org/app@refs/tags/v1.0.0"},
            "resolvedDependencies": [
                {"uri": "git+https://example.com/org/app@refs/tags/v1.0.0", "digest": {"gitCommit": "a" * 40}}
            ],
        },
        "runDetails": {"builder": {"id": "https://example.com/python-builder@v1"}},
    }
    payload = statement_about(artifact, "https://slsa.dev/provenance/v1", provenance)

    # A key shipgate generated (encrypted PKCS#8, scrypt), loaded by cryptography.
    shipgate_private = serialization.load_pem_private_key((workdir / "ecdsa.key").read_bytes(), password)
    signer = CryptoSigner(shipgate_private, SSlibKey.from_crypto(shipgate_private.public_key(), keyid=key_id(shipgate_private.public_key())))
    envelope = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
    envelope.sign(signer)
    (workdir / "python-with-shipgate-key.jsonl").write_text(json.dumps(envelope.to_dict()) + "\n")

    # Keys cryptography generated, signing through securesystemslib with its
    # own key ids (not shipgate's).
    for name, private_key in (
        ("python-ecdsa", ec.generate_private_key(ec.SECP256R1())),
        ("python-ed25519", ed25519.Ed25519PrivateKey.generate()),
    ):
        envelope = Envelope(payload=payload, payload_type=PAYLOAD_TYPE, signatures={})
        envelope.sign(CryptoSigner(private_key))
        (workdir / f"{name}.jsonl").write_text(json.dumps(envelope.to_dict()) + "\n")
        public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (workdir / f"{name}.pem").write_bytes(public_pem)
        # The private key, encrypted the way cryptography does it (PBES2,
        # PBKDF2 + AES-256-CBC), for shipgate to load.
        encrypted = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password),
        )
        (workdir / f"{name}.key.pem").write_bytes(encrypted)
    print("python envelopes and keys written")


if __name__ == "__main__":
    command, workdir = sys.argv[1], Path(sys.argv[2])
    {"check": check, "produce": produce}[command](workdir)
