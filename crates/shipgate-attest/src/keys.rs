//! Signing keys: ECDSA P-256 (what cosign and securesystemslib use) and
//! Ed25519, stored at rest as passphrase-encrypted PKCS#8 PEM, with public
//! keys as SPKI PEM.
//!
//! ECDSA verification accepts high-S signatures, as cosign and OpenSSL do:
//! ECDSA malleability doesn't matter here because nothing identifies a
//! signature by its bytes. Malformed DER, including trailing bytes, is
//! rejected. Ed25519 verification uses the strict RFC 8032 checks.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::elliptic_curve::Generate as _;
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::pem::{self, LineEnding};
use pkcs8::der::{Decode as _, Encode as _, Header, SliceReader};
use pkcs8::pkcs5::{self, pbes2};
use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use pkcs8::{
    DecodePrivateKey, EncodePrivateKey, EncryptedPrivateKeyInfoRef, ObjectIdentifier,
    PrivateKeyInfoRef,
};
use sha2::digest::consts::U64;
use sha2::digest::{FixedOutput, HashMarker, Output, OutputSizeUser, Update};
use spki::{DecodePublicKey, EncodePublicKey};
use zeroize::Zeroizing;

use crate::digest::{ArtifactDigests, to_hex};

const PRIVATE_KEY_LABEL: &str = "PRIVATE KEY";
const ENCRYPTED_PRIVATE_KEY_LABEL: &str = "ENCRYPTED PRIVATE KEY";
const PUBLIC_KEY_LABEL: &str = "PUBLIC KEY";

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const CURVE_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Memory one scrypt derivation may use (128·N·r bytes). OpenSSL caps this
/// at 32 MiB by default; the limit stops a crafted key file from making us
/// allocate gigabytes before the passphrase is even checked.
const MAX_SCRYPT_MEMORY: u64 = 256 << 20;
/// Total scrypt work (128·N·r·p bytes mixed).
const MAX_SCRYPT_WORK: u64 = 1 << 30;
/// PBKDF2 rounds: well above OWASP's 600,000, well below "hangs for minutes".
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// A signature algorithm shipgate signs and verifies with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA over NIST P-256 with SHA-256, ASN.1 DER signatures.
    EcdsaP256,
    /// Ed25519 (RFC 8032).
    Ed25519,
}

impl Algorithm {
    /// The name used on the command line and in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::EcdsaP256 => "ecdsa-p256",
            Algorithm::Ed25519 => "ed25519",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = KeyError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "ecdsa-p256" => Ok(Algorithm::EcdsaP256),
            "ed25519" => Ok(Algorithm::Ed25519),
            other => Err(KeyError::UnknownAlgorithmName {
                name: other.to_owned(),
            }),
        }
    }
}

/// Why a key could not be generated, loaded or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// An algorithm name other than the supported ones.
    #[error("unknown key algorithm `{name}`: use `ecdsa-p256` or `ed25519`")]
    UnknownAlgorithmName {
        /// The name given.
        name: String,
    },
    /// The input has no PEM block at all.
    #[error(
        "the key is not PEM: expected a block starting with `-----BEGIN PRIVATE KEY-----`, \
         `-----BEGIN ENCRYPTED PRIVATE KEY-----` or `-----BEGIN PUBLIC KEY-----`"
    )]
    NotPem,
    /// A PEM block that doesn't decode: truncated, edited or mis-pasted.
    #[error(
        "the PEM block is damaged ({detail}); copy the whole key file again, including the BEGIN and END lines"
    )]
    MalformedPem {
        /// What the PEM decoder reported.
        detail: String,
    },
    /// The PEM decodes but the key structure inside is invalid.
    #[error("the key data is corrupt ({detail}); re-export the key or generate a new one")]
    MalformedKey {
        /// What the decoder reported.
        detail: String,
    },
    /// An encrypted private key was given without a passphrase.
    #[error("the private key is encrypted: supply its passphrase")]
    PassphraseRequired,
    /// The passphrase doesn't decrypt the key.
    #[error("wrong passphrase for the encrypted private key")]
    WrongPassphrase,
    /// An empty passphrase was offered for encrypting a key.
    #[error("refusing to encrypt a key with an empty passphrase: choose a non-empty one")]
    EmptyPassphrase,
    /// A public key was given where a private key is needed.
    #[error(
        "this is a public key, but signing needs the private key: pass the private key file \
         (its public key is derived from it)"
    )]
    PublicKeyGiven,
    /// A private key was given where a public key is needed.
    #[error(
        "this is a private key, but a public key is expected here: export the public half \
         (for example `openssl pkey -in key.pem -pubout`) and keep the private key secret"
    )]
    PrivateKeyGiven,
    /// A cosign-encrypted private key (scrypt + NaCl secretbox).
    #[error(
        "cosign's encrypted key format (`{label}`) is not supported: generate or keep the key \
         as PKCS#8 (for example `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
         | openssl pkcs8 -topk8 -v2 aes-256-cbc -out key.pem`) and give cosign the same key with \
         `cosign import-key-pair --key key.pem`"
    )]
    CosignKeyUnsupported {
        /// The PEM label found.
        label: String,
    },
    /// A key for an algorithm shipgate doesn't sign with.
    #[error("{algorithm} keys are not supported: use an ECDSA P-256 or Ed25519 key")]
    UnsupportedAlgorithm {
        /// The algorithm found, as precisely as it could be named.
        algorithm: String,
    },
    /// A PEM block of a kind that holds no usable key.
    #[error("unsupported PEM block `{label}`: {hint}")]
    UnsupportedPemLabel {
        /// The PEM label found.
        label: String,
        /// How to get a supported form.
        hint: &'static str,
    },
    /// The key is encrypted with a scheme this build can't decrypt.
    #[error(
        "the key's encryption ({scheme}) is not supported: re-encrypt it with \
         `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` (or `-scrypt`)"
    )]
    UnsupportedEncryption {
        /// The scheme found.
        scheme: String,
    },
    /// The key's passphrase derivation asks for more memory or time than allowed.
    #[error(
        "the key's passphrase derivation is too expensive to attempt ({detail}); re-encrypt it \
         with `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256`"
    )]
    KdfTooExpensive {
        /// Which parameter is over the limit.
        detail: String,
    },
    /// The operating system's random number generator failed.
    #[error(
        "the operating system's random number generator failed: retry, or check the system's entropy source"
    )]
    RandomnessUnavailable,
    /// Encrypting or encoding a key failed.
    #[error("could not encode the key: {detail}")]
    Encoding {
        /// What the encoder reported.
        detail: String,
    },
    /// Signing failed.
    #[error("signing failed: {detail}")]
    Signing {
        /// What the signer reported.
        detail: String,
    },
    /// An Ed25519 artifact signature needs the artifact's SHA-512.
    #[error(
        "Ed25519 artifact signatures sign the SHA-512 digest: digest the artifact with SHA-512 enabled"
    )]
    MissingSha512,
    /// A key reference that names nothing.
    #[error("invalid key reference `{reference}`: {reason}")]
    InvalidKeyReference {
        /// The reference given.
        reference: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature bytes are not a well-formed signature for the key's algorithm.
    #[error("malformed {algorithm} signature: {detail}")]
    Malformed {
        /// The key's algorithm.
        algorithm: Algorithm,
        /// What is wrong.
        detail: &'static str,
    },
    /// The signature looks like one made with another algorithm.
    #[error(
        "the signature looks like {found}, but the key is {expected}: check that the right key was used"
    )]
    WrongAlgorithm {
        /// The key's algorithm.
        expected: Algorithm,
        /// What the signature looks like.
        found: &'static str,
    },
    /// The signature is well formed but does not match the message and key.
    #[error("signature does not match: the data was changed or another key signed it")]
    Mismatch,
    /// Verifying an Ed25519 artifact signature needs the artifact's SHA-512.
    #[error("Ed25519 artifact signatures cover the SHA-512 digest, which was not computed")]
    MissingSha512,
}

/// A private signing key. Its secret scalar is wiped from memory on drop and
/// never appears in `Debug` output.
pub struct PrivateKey {
    secret: SecretKey,
    public: PublicKey,
}

enum SecretKey {
    EcdsaP256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

// Both inner key types wipe themselves on drop.
impl zeroize::ZeroizeOnDrop for PrivateKey {}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.public.key_id)
            .finish_non_exhaustive()
    }
}

impl PrivateKey {
    /// A new key from the operating system's random number generator.
    pub fn generate(algorithm: Algorithm) -> Result<Self, KeyError> {
        let secret = match algorithm {
            Algorithm::EcdsaP256 => SecretKey::EcdsaP256(
                p256::ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
                    .map_err(|_| KeyError::RandomnessUnavailable)?,
            ),
            Algorithm::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                getrandom::fill(seed.as_mut()).map_err(|_| KeyError::RandomnessUnavailable)?;
                SecretKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
        };
        Self::from_secret(secret)
    }

    fn from_secret(secret: SecretKey) -> Result<Self, KeyError> {
        let public = match &secret {
            SecretKey::EcdsaP256(key) => {
                PublicKey::from_inner(VerifyingKey::EcdsaP256(*key.verifying_key()))?
            }
            SecretKey::Ed25519(key) => {
                PublicKey::from_inner(VerifyingKey::Ed25519(key.verifying_key()))?
            }
        };
        Ok(Self { secret, public })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.secret {
            SecretKey::EcdsaP256(_) => Algorithm::EcdsaP256,
            SecretKey::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// PKCS#8 PBES2 (scrypt + AES-256-CBC), PEM "ENCRYPTED PRIVATE KEY".
    ///
    /// scrypt uses N = 2^14, r = 8, p = 1, the parameters OpenSSL 3 reads
    /// within its default memory limit.
    pub fn to_encrypted_pem(&self, passphrase: &[u8]) -> Result<Zeroizing<String>, KeyError> {
        if passphrase.is_empty() {
            return Err(KeyError::EmptyPassphrase);
        }
        let encoding = |error: pkcs8::Error| KeyError::Encoding {
            detail: error.to_string(),
        };
        let parameters = pbes2::Parameters::generate_scrypt(&mut getrandom::SysRng).map_err(
            |error| match error {
                pkcs5::Error::Rng => KeyError::RandomnessUnavailable,
                other => KeyError::Encoding {
                    detail: other.to_string(),
                },
            },
        )?;
        let encrypted = match &self.secret {
            SecretKey::EcdsaP256(key) => {
                let plain = key.to_pkcs8_der().map_err(encoding)?;
                PrivateKeyInfoRef::try_from(plain.as_bytes())
                    .and_then(|info| info.encrypt_with_params(parameters, passphrase))
            }
            // ed25519-dalek writes PKCS#8 v2 (with the public key), which
            // OpenSSL 3.0 and Python `cryptography` refuse to read; the v1 form
            // of RFC 8410 holds just the seed and is read everywhere.
            SecretKey::Ed25519(key) => {
                let seed = Zeroizing::new(key.to_bytes());
                let curve_private_key = Zeroizing::new(
                    OctetStringRef::new(seed.as_slice())
                        .and_then(|octets| octets.to_der())
                        .map_err(|error| encoding(error.into()))?,
                );
                let private_key = OctetStringRef::new(&curve_private_key)
                    .map_err(|error| encoding(error.into()))?;
                let algorithm = AlgorithmIdentifierRef {
                    oid: ID_ED25519,
                    parameters: None,
                };
                PrivateKeyInfoRef::new(algorithm, private_key)
                    .encrypt_with_params(parameters, passphrase)
            }
        }
        .map_err(encoding)?;
        encrypted
            .to_pem(ENCRYPTED_PRIVATE_KEY_LABEL, LineEnding::LF)
            .map_err(|error| KeyError::Encoding {
                detail: error.to_string(),
            })
    }

    /// Accepts "ENCRYPTED PRIVATE KEY" (needs a passphrase; PBES2 with scrypt or PBKDF2-SHA256,
    /// AES-CBC — what OpenSSL and Python `cryptography` write) and unencrypted "PRIVATE KEY"
    /// (PKCS#8). Every other input gets a [`KeyError`] naming the problem and the way out:
    /// wrong or missing passphrase, a public key, a cosign-format key, RSA or curves other
    /// than P-256, text that isn't PEM, and corrupt key data.
    pub fn from_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            PRIVATE_KEY_LABEL => Self::from_pkcs8_der(&der),
            ENCRYPTED_PRIVATE_KEY_LABEL => {
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                let plain = decrypt_pkcs8(&der, passphrase)?;
                Self::from_pkcs8_der(plain.as_bytes())
            }
            PUBLIC_KEY_LABEL => Err(KeyError::PublicKeyGiven),
            _ => Err(label_error(&label)),
        }
    }

    /// Whether the PEM is encrypted (so the caller knows to ask for a passphrase).
    ///
    /// False for cosign's encrypted format: it can't be loaded anyway, and
    /// [`PrivateKey::from_pem`] says so without a passphrase.
    pub fn needs_passphrase(pem: &str) -> bool {
        pem_label(pem) == Some(ENCRYPTED_PRIVATE_KEY_LABEL)
    }

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = PrivateKeyInfoRef::try_from(der).map_err(malformed_key)?;
        let secret = match classify(&info.algorithm)? {
            Algorithm::EcdsaP256 => SecretKey::EcdsaP256(
                p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(malformed_key)?,
            ),
            Algorithm::Ed25519 => SecretKey::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(malformed_key)?,
            ),
        };
        Self::from_secret(secret)
    }

    /// ECDSA P-256: SHA-256, deterministic (RFC 6979), ASN.1 DER signature (what cosign and
    /// securesystemslib `ecdsa-sha2-nistp256` use). Ed25519: plain 64-byte signature.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.secret {
            SecretKey::EcdsaP256(key) => {
                let signature: DerSignature = key.sign(message);
                signature.as_bytes().to_vec()
            }
            SecretKey::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
        }
    }

    /// Signature over an artifact already hashed: ECDSA P-256 signs the SHA-256 prehash
    /// (identical to `sign` over the whole file, so cosign verify-blob accepts it);
    /// Ed25519 uses Ed25519ph (RFC 8032) over the SHA-512 (error if digests.sha512 is None).
    pub fn sign_artifact(&self, digests: &ArtifactDigests) -> Result<Vec<u8>, KeyError> {
        let signing = |detail: String| KeyError::Signing { detail };
        match &self.secret {
            SecretKey::EcdsaP256(key) => {
                let signature: DerSignature = key
                    .sign_prehash(&digests.sha256)
                    .map_err(|error| signing(error.to_string()))?;
                Ok(signature.as_bytes().to_vec())
            }
            SecretKey::Ed25519(key) => {
                let sha512 = digests.sha512.ok_or(KeyError::MissingSha512)?;
                let signature = key
                    .sign_prehashed(Sha512Prehash::new(sha512), None)
                    .map_err(|error| signing(error.to_string()))?;
                Ok(signature.to_bytes().to_vec())
            }
        }
    }
}

/// A public key that verifies signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    spki_der: Vec<u8>,
    pem: String,
    key_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum VerifyingKey {
    EcdsaP256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl PublicKey {
    /// Encodes once up front so the accessors can't fail.
    fn from_inner(key: VerifyingKey) -> Result<Self, KeyError> {
        let encoding = |error: spki::Error| KeyError::Encoding {
            detail: error.to_string(),
        };
        let document = match &key {
            VerifyingKey::EcdsaP256(key) => key.to_public_key_der(),
            VerifyingKey::Ed25519(key) => key.to_public_key_der(),
        }
        .map_err(encoding)?;
        let spki_der = document.as_bytes().to_vec();
        let pem =
            pem::encode_string(PUBLIC_KEY_LABEL, LineEnding::LF, &spki_der).map_err(|error| {
                KeyError::Encoding {
                    detail: error.to_string(),
                }
            })?;
        let key_id = to_hex(&<sha2::Sha256 as sha2::Digest>::digest(&spki_der));
        Ok(Self {
            key,
            spki_der,
            pem,
            key_id,
        })
    }

    /// Reads an SPKI "PUBLIC KEY" PEM; a private key given here is a clear error.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            PUBLIC_KEY_LABEL => Self::from_spki_der(&der),
            PRIVATE_KEY_LABEL
            | ENCRYPTED_PRIVATE_KEY_LABEL
            | "EC PRIVATE KEY"
            | "RSA PRIVATE KEY"
            | "OPENSSH PRIVATE KEY" => Err(KeyError::PrivateKeyGiven),
            label if is_cosign_label(label) => Err(KeyError::PrivateKeyGiven),
            "CERTIFICATE" => Err(KeyError::UnsupportedPemLabel {
                label: label.to_owned(),
                hint: "extract the public key with `openssl x509 -in cert.pem -pubkey -noout`",
            }),
            "RSA PUBLIC KEY" => Err(KeyError::UnsupportedAlgorithm {
                algorithm: "RSA".to_owned(),
            }),
            _ => Err(KeyError::UnsupportedPemLabel {
                label,
                hint: "expected `-----BEGIN PUBLIC KEY-----` (SPKI, as cosign and OpenSSL write it)",
            }),
        }
    }

    fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = SubjectPublicKeyInfoRef::try_from(der).map_err(malformed_key_spki)?;
        let key = match classify(&info.algorithm)? {
            Algorithm::EcdsaP256 => VerifyingKey::EcdsaP256(
                p256::ecdsa::VerifyingKey::from_public_key_der(der).map_err(malformed_key_spki)?,
            ),
            Algorithm::Ed25519 => VerifyingKey::Ed25519(
                ed25519_dalek::VerifyingKey::from_public_key_der(der)
                    .map_err(malformed_key_spki)?,
            ),
        };
        Self::from_inner(key)
    }

    /// SPKI PEM with LF line endings and 64-column base64, byte-identical to cosign.pub.
    pub fn to_pem(&self) -> String {
        self.pem.clone()
    }

    /// The SubjectPublicKeyInfo DER encoding.
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.spki_der.clone()
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self.key {
            VerifyingKey::EcdsaP256(_) => Algorithm::EcdsaP256,
            VerifyingKey::Ed25519(_) => Algorithm::Ed25519,
        }
    }

    /// Lowercase hex SHA-256 of the SPKI DER: stable, and recomputable by anyone with the PEM.
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    pub(crate) fn key_id_str(&self) -> &str {
        &self.key_id
    }

    /// Checks a signature made by [`PrivateKey::sign`] (or cosign, OpenSSL and
    /// securesystemslib with the same key) over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
        match &self.key {
            VerifyingKey::EcdsaP256(key) => {
                // The DER is checked here (so malformed signatures get a
                // precise error); the arithmetic runs in aws-lc, whose
                // P-256 verification is several times faster than the
                // portable implementation, which matters when thousands of
                // attestations are verified at once.
                parse_ecdsa_signature(signature)?;
                let point = key.to_sec1_bytes();
                aws_lc_rs::signature::UnparsedPublicKey::new(
                    &aws_lc_rs::signature::ECDSA_P256_SHA256_ASN1,
                    &point[..],
                )
                .verify(message, signature)
                .map_err(|_| SignatureError::Mismatch)
            }
            VerifyingKey::Ed25519(key) => {
                let signature = parse_ed25519_signature(signature)?;
                key.verify_strict(message, &signature)
                    .map_err(|_| SignatureError::Mismatch)
            }
        }
    }

    /// Checks a signature made by [`PrivateKey::sign_artifact`] against the
    /// artifact's digests. ECDSA P-256 signatures from `sign` over the whole
    /// artifact verify here too.
    pub fn verify_artifact(
        &self,
        digests: &ArtifactDigests,
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        match &self.key {
            VerifyingKey::EcdsaP256(key) => {
                let signature = parse_ecdsa_signature(signature)?;
                key.verify_prehash(&digests.sha256, &signature)
                    .map_err(|_| SignatureError::Mismatch)
            }
            VerifyingKey::Ed25519(key) => {
                let sha512 = digests.sha512.ok_or(SignatureError::MissingSha512)?;
                let signature = parse_ed25519_signature(signature)?;
                key.verify_prehashed_strict(Sha512Prehash::new(sha512), None, &signature)
                    .map_err(|_| SignatureError::Mismatch)
            }
        }
    }
}

fn parse_ecdsa_signature(signature: &[u8]) -> Result<p256::ecdsa::Signature, SignatureError> {
    let malformed = |detail| SignatureError::Malformed {
        algorithm: Algorithm::EcdsaP256,
        detail,
    };
    let Ok(der) = DerSignature::from_bytes(signature) else {
        if signature.len() == 64 {
            return Err(SignatureError::WrongAlgorithm {
                expected: Algorithm::EcdsaP256,
                found: "a raw 64-byte signature (Ed25519, or ECDSA in IEEE P1363 form)",
            });
        }
        return Err(malformed("not a single ASN.1 DER SEQUENCE of two INTEGERs"));
    };
    p256::ecdsa::Signature::try_from(der).map_err(|_| malformed("r or s is out of range"))
}

fn parse_ed25519_signature(signature: &[u8]) -> Result<ed25519_dalek::Signature, SignatureError> {
    ed25519_dalek::Signature::from_slice(signature).map_err(|_| {
        if DerSignature::from_bytes(signature).is_ok() {
            SignatureError::WrongAlgorithm {
                expected: Algorithm::Ed25519,
                found: "an ASN.1 DER ECDSA signature",
            }
        } else {
            SignatureError::Malformed {
                algorithm: Algorithm::Ed25519,
                detail: "an Ed25519 signature is exactly 64 bytes",
            }
        }
    })
}

/// Carries an already computed SHA-512 into ed25519-dalek's Ed25519ph API,
/// which takes the message hash as a `Digest` and only ever finalizes it.
/// Acts as the identity function over its first 64 input bytes.
#[derive(Clone)]
struct Sha512Prehash {
    digest: [u8; 64],
    filled: usize,
}

impl Sha512Prehash {
    fn new(sha512: [u8; 64]) -> Self {
        Self {
            digest: sha512,
            filled: 64,
        }
    }
}

impl Default for Sha512Prehash {
    fn default() -> Self {
        Self {
            digest: [0; 64],
            filled: 0,
        }
    }
}

impl Update for Sha512Prehash {
    fn update(&mut self, data: &[u8]) {
        let take = data.len().min(self.digest.len() - self.filled);
        self.digest[self.filled..self.filled + take].copy_from_slice(&data[..take]);
        self.filled += take;
    }
}

impl OutputSizeUser for Sha512Prehash {
    type OutputSize = U64;
}

impl FixedOutput for Sha512Prehash {
    fn finalize_into(self, out: &mut Output<Self>) {
        out.copy_from_slice(&self.digest);
    }
}

impl HashMarker for Sha512Prehash {}

/// Decodes the first PEM block in `text`, ignoring anything around it.
fn decode_pem(text: &str) -> Result<(String, Zeroizing<Vec<u8>>), KeyError> {
    let block = pem_block(text).ok_or(KeyError::NotPem)?;
    let (label, der) =
        pem::decode_vec(block.as_bytes()).map_err(|error| KeyError::MalformedPem {
            detail: error.to_string(),
        })?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

/// The first `-----BEGIN` … `-----END …-----` block, trimmed of surrounding text.
fn pem_block(text: &str) -> Option<&str> {
    let start = text.find("-----BEGIN ")?;
    let block = &text[start..];
    let end = block
        .find("-----END ")
        .and_then(|end_line| {
            let after = &block[end_line + "-----END ".len()..];
            after
                .find("-----")
                .map(|close| end_line + "-----END ".len() + close + "-----".len())
        })
        .unwrap_or(block.len());
    Some(&block[..end])
}

/// The label of the first PEM block, without decoding its body.
fn pem_label(text: &str) -> Option<&str> {
    pem_block(text).and_then(|block| pem::decode_label(block.as_bytes()).ok())
}

fn is_cosign_label(label: &str) -> bool {
    label == "ENCRYPTED SIGSTORE PRIVATE KEY" || label == "ENCRYPTED COSIGN PRIVATE KEY"
}

/// The error for a PEM label that is not a PKCS#8 private key.
fn label_error(label: &str) -> KeyError {
    match label {
        _ if is_cosign_label(label) => KeyError::CosignKeyUnsupported {
            label: label.to_owned(),
        },
        "RSA PRIVATE KEY" | "RSA PUBLIC KEY" => KeyError::UnsupportedAlgorithm {
            algorithm: "RSA".to_owned(),
        },
        "EC PRIVATE KEY" => KeyError::UnsupportedPemLabel {
            label: label.to_owned(),
            hint: "convert the SEC1 key to PKCS#8 with \
                   `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key.p8.pem`",
        },
        "OPENSSH PRIVATE KEY" => KeyError::UnsupportedPemLabel {
            label: label.to_owned(),
            hint: "OpenSSH keys are not read; generate a PKCS#8 key with `openssl genpkey` \
                   or `shipgate` itself",
        },
        "CERTIFICATE" => KeyError::PublicKeyGiven,
        _ => KeyError::UnsupportedPemLabel {
            label: label.to_owned(),
            hint: "expected `-----BEGIN PRIVATE KEY-----` or `-----BEGIN ENCRYPTED PRIVATE KEY-----` (PKCS#8)",
        },
    }
}

/// Decrypts an `EncryptedPrivateKeyInfo`, after checking that its key
/// derivation is one we support at a bounded cost.
fn decrypt_pkcs8(der: &[u8], passphrase: &[u8]) -> Result<pkcs8::SecretDocument, KeyError> {
    let info =
        EncryptedPrivateKeyInfoRef::try_from(der).map_err(
            |error| match encryption_algorithm_oid(der) {
                Some(oid) if oid != pbes2::PBES2_OID => KeyError::UnsupportedEncryption {
                    scheme: format!("legacy PBES1 or PKCS#12 encryption, algorithm {oid}"),
                },
                _ => malformed_key(error),
            },
        )?;
    let Some(parameters) = info.encryption_algorithm.pbes2() else {
        return Err(KeyError::UnsupportedEncryption {
            scheme: "PBES1 (legacy PKCS#5 v1.5 / PKCS#12 encryption)".to_owned(),
        });
    };
    check_kdf_cost(&parameters.kdf)?;
    info.decrypt(passphrase).map_err(|error| match error {
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
            KeyError::UnsupportedEncryption {
                scheme: format!("algorithm {oid}"),
            }
        }
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::NoPbes1CryptSupport) => {
            KeyError::UnsupportedEncryption {
                scheme: "PBES1".to_owned(),
            }
        }
        pkcs8::Error::EncryptedPrivateKey(pkcs5::Error::AlgorithmParametersInvalid { oid }) => {
            KeyError::MalformedKey {
                detail: format!("invalid encryption parameters for {oid}"),
            }
        }
        // A wrong passphrase nearly always breaks the CBC padding; the rare
        // time the padding survives, the plaintext isn't DER.
        _ => KeyError::WrongPassphrase,
    })
}

/// The OID naming an `EncryptedPrivateKeyInfo`'s encryption scheme, read
/// without understanding the scheme's parameters.
fn encryption_algorithm_oid(der: &[u8]) -> Option<ObjectIdentifier> {
    let mut reader = SliceReader::new(der).ok()?;
    Header::decode(&mut reader).ok()?;
    AlgorithmIdentifierRef::decode(&mut reader)
        .ok()
        .map(|algorithm| algorithm.oid)
}

fn check_kdf_cost(kdf: &pbes2::Kdf) -> Result<(), KeyError> {
    if let Some(scrypt) = kdf.scrypt() {
        let block = 128u64.saturating_mul(u64::from(scrypt.block_size));
        let memory = block.saturating_mul(scrypt.cost_parameter);
        let work = memory.saturating_mul(u64::from(scrypt.parallelization));
        if memory > MAX_SCRYPT_MEMORY || work > MAX_SCRYPT_WORK {
            return Err(KeyError::KdfTooExpensive {
                detail: format!(
                    "scrypt N={}, r={}, p={}",
                    scrypt.cost_parameter, scrypt.block_size, scrypt.parallelization
                ),
            });
        }
    }
    if let Some(pbkdf2) = kdf.pbkdf2()
        && pbkdf2.iteration_count > MAX_PBKDF2_ITERATIONS
    {
        return Err(KeyError::KdfTooExpensive {
            detail: format!("PBKDF2 with {} iterations", pbkdf2.iteration_count),
        });
    }
    Ok(())
}

/// Maps a key's AlgorithmIdentifier to a supported algorithm, naming the
/// unsupported ones people actually have.
fn classify(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<Algorithm, KeyError> {
    let unsupported = |name: &str| KeyError::UnsupportedAlgorithm {
        algorithm: name.to_owned(),
    };
    if algorithm.oid == ID_ED25519 {
        return Ok(Algorithm::Ed25519);
    }
    if algorithm.oid == ID_EC_PUBLIC_KEY {
        let curve = algorithm.parameters_oid().map_err(malformed_key_spki)?;
        if curve == CURVE_P256 {
            return Ok(Algorithm::EcdsaP256);
        }
        return Err(match curve.to_string().as_str() {
            "1.3.132.0.34" => unsupported("ECDSA P-384"),
            "1.3.132.0.35" => unsupported("ECDSA P-521"),
            "1.3.132.0.10" => unsupported("ECDSA secp256k1"),
            other => unsupported(&format!("ECDSA on curve {other}")),
        });
    }
    Err(match algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => unsupported("RSA"),
        "1.2.840.10040.4.1" => unsupported("DSA"),
        "1.3.101.113" => unsupported("Ed448"),
        "1.3.101.110" | "1.3.101.111" => unsupported("X25519/X448 (key agreement)"),
        other => unsupported(&format!("algorithm {other}")),
    })
}

fn malformed_key(error: pkcs8::Error) -> KeyError {
    KeyError::MalformedKey {
        detail: error.to_string(),
    }
}

fn malformed_key_spki(error: spki::Error) -> KeyError {
    KeyError::MalformedKey {
        detail: error.to_string(),
    }
}

/// Where a key comes from: `env://VAR` or a file path (future: kms://, vault://).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyReference {
    /// A PEM file on disk.
    File(PathBuf),
    /// An environment variable holding the PEM text.
    Env(String),
}

impl fmt::Display for KeyReference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyReference::File(path) => write!(formatter, "{}", path.display()),
            KeyReference::Env(name) => write!(formatter, "env://{name}"),
        }
    }
}

impl FromStr for KeyReference {
    type Err = KeyError;

    /// `env://NAME`, `file://PATH` or a plain path. Other `scheme://`
    /// references (KMS, Vault) are rejected until a backend exists.
    fn from_str(reference: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| KeyError::InvalidKeyReference {
            reference: reference.to_owned(),
            reason,
        };
        if reference.is_empty() {
            return Err(invalid("it is empty; give a file path or `env://VARIABLE`"));
        }
        if let Some(name) = reference.strip_prefix("env://") {
            if name.is_empty() {
                return Err(invalid(
                    "`env://` needs a variable name, as in `env://SHIPGATE_KEY`",
                ));
            }
            if name.contains(['=', '\0']) {
                return Err(invalid(
                    "an environment variable name can't contain `=` or NUL",
                ));
            }
            return Ok(KeyReference::Env(name.to_owned()));
        }
        if let Some(path) = reference.strip_prefix("file://") {
            if path.is_empty() {
                return Err(invalid("`file://` needs a path"));
            }
            return Ok(KeyReference::File(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = reference.split_once("://")
            && !scheme.is_empty()
            && scheme
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || "+-.".contains(character))
        {
            return Err(invalid(
                "only file paths and `env://` are supported; KMS and Vault keys are not yet",
            ));
        }
        Ok(KeyReference::File(PathBuf::from(reference)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    const PASSPHRASE: &[u8] = b"correct horse";

    fn fixture(name: &str) -> String {
        let path = format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|index| u8::from_str_radix(&text[index..index + 2], 16).unwrap())
            .collect()
    }

    fn digests_of(message: &[u8]) -> ArtifactDigests {
        crate::digest::digest_reader(message, true).unwrap()
    }

    #[test]
    fn algorithm_names_round_trip() {
        for algorithm in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
            assert_eq!(algorithm.to_string().parse::<Algorithm>(), Ok(algorithm));
        }
        assert_eq!(Algorithm::EcdsaP256.to_string(), "ecdsa-p256");
        assert_eq!(Algorithm::Ed25519.to_string(), "ed25519");
        assert!(matches!(
            "rsa".parse::<Algorithm>(),
            Err(KeyError::UnknownAlgorithmName { .. })
        ));
    }

    #[test]
    fn generated_keys_round_trip_through_encrypted_pem() {
        for algorithm in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
            let key = PrivateKey::generate(algorithm).unwrap();
            assert_eq!(key.algorithm(), algorithm);
            let pem = key.to_encrypted_pem(PASSPHRASE).unwrap();
            assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
            assert!(PrivateKey::needs_passphrase(&pem));

            let loaded = PrivateKey::from_pem(&pem, Some(PASSPHRASE)).unwrap();
            assert_eq!(loaded.public_key(), key.public_key());
            assert_eq!(loaded.algorithm(), algorithm);

            let public = PublicKey::from_pem(&key.public_key().to_pem()).unwrap();
            assert_eq!(public, key.public_key());
            assert_eq!(public.algorithm(), algorithm);

            let signature = loaded.sign(b"release v1.2.3");
            public.verify(b"release v1.2.3", &signature).unwrap();
            assert_eq!(
                public.verify(b"release v1.2.4", &signature),
                Err(SignatureError::Mismatch)
            );

            assert_eq!(
                PrivateKey::from_pem(&pem, Some(b"wrong horse")).unwrap_err(),
                KeyError::WrongPassphrase
            );
            assert_eq!(
                PrivateKey::from_pem(&pem, None).unwrap_err(),
                KeyError::PassphraseRequired
            );
        }
    }

    #[test]
    fn ed25519_is_written_as_pkcs8_v1_for_openssl() {
        let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let pem = key.to_encrypted_pem(PASSPHRASE).unwrap();
        let (_, der) = decode_pem(&pem).unwrap();
        let plain = decrypt_pkcs8(&der, PASSPHRASE).unwrap();
        let info = PrivateKeyInfoRef::try_from(plain.as_bytes()).unwrap();
        assert_eq!(info.version(), pkcs8::Version::V1);
        assert_eq!(info.algorithm.oid, ID_ED25519);
        assert_eq!(info.private_key.as_bytes().len(), 34);
    }

    #[test]
    fn generated_keys_differ() {
        let first = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let second = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        assert_ne!(first.public_key(), second.public_key());
    }

    #[test]
    fn empty_passphrase_is_refused_for_encryption() {
        let key = PrivateKey::generate(Algorithm::EcdsaP256).unwrap();
        assert_eq!(
            key.to_encrypted_pem(b"").unwrap_err(),
            KeyError::EmptyPassphrase
        );
    }

    #[test]
    fn unencrypted_fixtures_match_their_public_keys_byte_for_byte() {
        for (private, public) in [
            ("p256.pem", "p256.pub.pem"),
            ("ed25519.pem", "ed25519.pub.pem"),
        ] {
            let key = PrivateKey::from_pem(&fixture(private), None).unwrap();
            assert!(!PrivateKey::needs_passphrase(&fixture(private)));
            assert_eq!(key.public_key().to_pem(), fixture(public));
            let loaded = PublicKey::from_pem(&fixture(public)).unwrap();
            assert_eq!(loaded, key.public_key());
            assert_eq!(loaded.to_pem(), fixture(public));
        }
    }

    #[test]
    fn key_ids_match_openssl() {
        // `openssl pkey -pubin -in <pub> -outform DER | sha256sum`
        let p256 = PublicKey::from_pem(&fixture("p256.pub.pem")).unwrap();
        assert_eq!(
            p256.key_id(),
            "5a7a78cca4a0f420d9bc62bb669c3c2759e39f723d3ae10dcbe0f0815a07ecd4"
        );
        let ed25519 = PublicKey::from_pem(&fixture("ed25519.pub.pem")).unwrap();
        assert_eq!(
            ed25519.key_id(),
            "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
        );
        assert_eq!(
            hex(&p256.key_id()),
            sha2::Sha256::digest(p256.to_spki_der()).to_vec()
        );
    }

    #[test]
    fn openssl_encrypted_keys_load() {
        let p256_public = fixture("p256.pub.pem");
        for name in ["p256-pbkdf2.pem", "p256-scrypt.pem"] {
            let pem = fixture(name);
            assert!(PrivateKey::needs_passphrase(&pem), "{name}");
            let key = PrivateKey::from_pem(&pem, Some(PASSPHRASE)).unwrap();
            assert_eq!(key.public_key().to_pem(), p256_public, "{name}");
            assert_eq!(
                PrivateKey::from_pem(&pem, Some(b"correct horse!")).unwrap_err(),
                KeyError::WrongPassphrase,
                "{name}"
            );
        }
        let ed25519 =
            PrivateKey::from_pem(&fixture("ed25519-pbkdf2.pem"), Some(PASSPHRASE)).unwrap();
        assert_eq!(ed25519.public_key().to_pem(), fixture("ed25519.pub.pem"));
    }

    #[test]
    fn unsupported_encryption_is_named() {
        for name in ["p256-pbkdf2-sha1.pem", "p256-pbes1.pem"] {
            assert!(
                matches!(
                    PrivateKey::from_pem(&fixture(name), Some(PASSPHRASE)),
                    Err(KeyError::UnsupportedEncryption { .. })
                ),
                "{name}"
            );
        }
    }

    /// Re-encodes an encrypted fixture with its key derivation made costlier.
    fn with_kdf(name: &str, change: impl FnOnce(&mut pbes2::Kdf)) -> String {
        let (_, der) = decode_pem(&fixture(name)).unwrap();
        let mut info = EncryptedPrivateKeyInfoRef::try_from(der.as_slice()).unwrap();
        let pkcs5::EncryptionScheme::Pbes2(parameters) = &mut info.encryption_algorithm else {
            panic!("{name} is not PBES2");
        };
        change(&mut parameters.kdf);
        let der = info.to_der().unwrap();
        pem::encode_string(ENCRYPTED_PRIVATE_KEY_LABEL, LineEnding::LF, &der).unwrap()
    }

    #[test]
    fn excessive_kdf_cost_is_refused_before_deriving() {
        let scrypt = with_kdf("p256-scrypt.pem", |kdf| {
            if let pbes2::Kdf::Scrypt(parameters) = kdf {
                parameters.cost_parameter = 1 << 24;
            }
        });
        let pbkdf2 = with_kdf("p256-pbkdf2.pem", |kdf| {
            if let pbes2::Kdf::Pbkdf2(parameters) = kdf {
                parameters.iteration_count = u32::MAX;
            }
        });
        for pem in [scrypt, pbkdf2] {
            assert!(matches!(
                PrivateKey::from_pem(&pem, Some(PASSPHRASE)),
                Err(KeyError::KdfTooExpensive { .. })
            ));
        }
    }

    #[test]
    fn wrong_kind_of_key_is_named() {
        assert_eq!(
            PrivateKey::from_pem(&fixture("p256.pub.pem"), Some(PASSPHRASE)).unwrap_err(),
            KeyError::PublicKeyGiven
        );
        for name in [
            "p256.pem",
            "p256-scrypt.pem",
            "p256-sec1.pem",
            "rsa-pkcs1.pem",
            "cosign.pem",
        ] {
            assert_eq!(
                PublicKey::from_pem(&fixture(name)).unwrap_err(),
                KeyError::PrivateKeyGiven,
                "{name}"
            );
        }
    }

    #[test]
    fn unsupported_algorithms_are_named() {
        for (name, algorithm) in [
            ("rsa.pem", "RSA"),
            ("rsa-pkcs1.pem", "RSA"),
            ("p384.pem", "ECDSA P-384"),
        ] {
            assert_eq!(
                PrivateKey::from_pem(&fixture(name), None).unwrap_err(),
                KeyError::UnsupportedAlgorithm {
                    algorithm: algorithm.to_owned()
                },
                "{name}"
            );
        }
        for (name, algorithm) in [("rsa.pub.pem", "RSA"), ("p384.pub.pem", "ECDSA P-384")] {
            assert_eq!(
                PublicKey::from_pem(&fixture(name)).unwrap_err(),
                KeyError::UnsupportedAlgorithm {
                    algorithm: algorithm.to_owned()
                },
                "{name}"
            );
        }
    }

    #[test]
    fn cosign_and_sec1_keys_explain_the_conversion() {
        let cosign = fixture("cosign.pem");
        assert!(!PrivateKey::needs_passphrase(&cosign));
        assert!(matches!(
            PrivateKey::from_pem(&cosign, Some(PASSPHRASE)),
            Err(KeyError::CosignKeyUnsupported { .. })
        ));
        let error = PrivateKey::from_pem(&cosign, None).unwrap_err();
        assert!(matches!(error, KeyError::CosignKeyUnsupported { .. }));
        assert!(error.to_string().contains("cosign import-key-pair"));

        let error = PrivateKey::from_pem(&fixture("p256-sec1.pem"), None).unwrap_err();
        assert!(
            matches!(error, KeyError::UnsupportedPemLabel { ref label, .. } if label == "EC PRIVATE KEY")
        );
        assert!(error.to_string().contains("openssl pkcs8 -topk8"));
    }

    #[test]
    fn damaged_input_is_named() {
        let pem = fixture("p256.pem");
        let truncated = &pem[..pem.len() - 40];
        assert!(matches!(
            PrivateKey::from_pem(truncated, None),
            Err(KeyError::MalformedPem { .. })
        ));
        let public = fixture("p256.pub.pem");
        assert!(matches!(
            PublicKey::from_pem(&public[..public.len() / 2]),
            Err(KeyError::MalformedPem { .. })
        ));
        assert_eq!(
            PrivateKey::from_pem("not a key at all", None).unwrap_err(),
            KeyError::NotPem
        );
        assert_eq!(PublicKey::from_pem("").unwrap_err(), KeyError::NotPem);
        assert!(!PrivateKey::needs_passphrase("garbage"));

        let corrupt = "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgc=\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            PrivateKey::from_pem(corrupt, None),
            Err(KeyError::MalformedKey { .. })
        ));
        let corrupt_public = corrupt.replace("PRIVATE", "PUBLIC");
        assert!(matches!(
            PublicKey::from_pem(&corrupt_public),
            Err(KeyError::MalformedKey { .. })
        ));
    }

    #[test]
    fn text_around_the_pem_block_is_ignored() {
        let wrapped = format!(
            "Key for releases:\n{}\ntrailing note\n",
            fixture("p256.pub.pem")
        );
        assert_eq!(
            PublicKey::from_pem(&wrapped).unwrap(),
            PublicKey::from_pem(&fixture("p256.pub.pem")).unwrap()
        );
    }

    #[test]
    fn ed25519_known_answers() {
        let key = PrivateKey::from_pem(&fixture("ed25519.pem"), None).unwrap();
        // RFC 8032 section 7.1, TEST 1.
        assert_eq!(
            key.sign(b""),
            hex(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
            )
        );
        // `openssl pkeyutl -sign -rawin -inkey ed25519.pem` over "sample".
        let openssl = hex(
            "3c3c92d39e5c1aa14bfeeb43f0c87bc822a01562c86df3225a00879694996f6ca14e75377d413349e782d71580eb1fe377a3a3cb2cd2cd1d85496376ee3cc300",
        );
        assert_eq!(key.sign(b"sample"), openssl);
        key.public_key().verify(b"sample", &openssl).unwrap();
    }

    #[test]
    fn ed25519ph_known_answer() {
        // RFC 8032 section 7.3, Ed25519ph TEST abc.
        let secret: [u8; 32] =
            hex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
                .try_into()
                .unwrap();
        let key = PrivateKey::from_secret(SecretKey::Ed25519(
            ed25519_dalek::SigningKey::from_bytes(&secret),
        ))
        .unwrap();
        let signature = key.sign_artifact(&digests_of(b"abc")).unwrap();
        assert_eq!(
            signature,
            hex(
                "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"
            )
        );
        let public = key.public_key();
        public
            .verify_artifact(&digests_of(b"abc"), &signature)
            .unwrap();
        assert_eq!(
            public.verify_artifact(&digests_of(b"abd"), &signature),
            Err(SignatureError::Mismatch)
        );
        // An Ed25519ph signature is not a plain Ed25519 signature of the message.
        assert_eq!(
            public.verify(b"abc", &signature),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn p256_known_answer_is_rfc6979() {
        // RFC 6979 appendix A.2.5: P-256, SHA-256, message "sample".
        let key = PrivateKey::from_pem(&fixture("p256.pem"), None).unwrap();
        let r = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716";
        let s = "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
        // Both have their top bit set, so DER prefixes each with a zero byte.
        let expected = hex(&format!("3046022100{r}022100{s}"));
        assert_eq!(key.sign(b"sample"), expected);
        assert_eq!(key.sign_artifact(&digests_of(b"sample")).unwrap(), expected);
    }

    #[test]
    fn p256_verifies_openssl_signatures() {
        // `openssl dgst -sha256 -sign p256.pem` over "sample" (random nonce, high S).
        let openssl = hex(
            "3046022100e66faa36257c1b89a327a0bceab500a687f327488e9234bb5e66759621d99f2b022100f904266303415450ca0333b57dae60d4585b290be03cf0411545c0874f0c8768",
        );
        let public = PublicKey::from_pem(&fixture("p256.pub.pem")).unwrap();
        public.verify(b"sample", &openssl).unwrap();
        public
            .verify_artifact(&digests_of(b"sample"), &openssl)
            .unwrap();
        assert_eq!(
            public.verify(b"sampler", &openssl),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn ecdsa_artifact_signature_equals_whole_message_signature() {
        let key = PrivateKey::generate(Algorithm::EcdsaP256).unwrap();
        let message = vec![0x5a; 3 << 20];
        let digests = crate::digest::digest_reader(message.as_slice(), false).unwrap();
        let artifact_signature = key.sign_artifact(&digests).unwrap();
        key.public_key()
            .verify(&message, &artifact_signature)
            .unwrap();
        key.public_key()
            .verify_artifact(&digests, &key.sign(&message))
            .unwrap();
    }

    #[test]
    fn ed25519_artifact_signatures_need_sha512() {
        let key = PrivateKey::generate(Algorithm::Ed25519).unwrap();
        let sha256_only = crate::digest::digest_reader(&b"abc"[..], false).unwrap();
        assert_eq!(
            key.sign_artifact(&sha256_only).unwrap_err(),
            KeyError::MissingSha512
        );
        let signature = key.sign_artifact(&digests_of(b"abc")).unwrap();
        assert_eq!(
            key.public_key().verify_artifact(&sha256_only, &signature),
            Err(SignatureError::MissingSha512)
        );
    }

    #[test]
    fn malformed_signatures_are_rejected() {
        let p256 = PrivateKey::from_pem(&fixture("p256.pem"), None).unwrap();
        let mut signature = p256.sign(b"m");
        signature.push(0);
        assert!(matches!(
            p256.public_key().verify(b"m", &signature),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(matches!(
            p256.public_key().verify(b"m", &[]),
            Err(SignatureError::Malformed { .. })
        ));
        let ed25519 = PrivateKey::from_pem(&fixture("ed25519.pem"), None).unwrap();
        assert!(matches!(
            p256.public_key().verify(b"m", &ed25519.sign(b"m")),
            Err(SignatureError::WrongAlgorithm {
                expected: Algorithm::EcdsaP256,
                ..
            })
        ));
        assert!(matches!(
            ed25519.public_key().verify(b"m", &p256.sign(b"m")),
            Err(SignatureError::WrongAlgorithm {
                expected: Algorithm::Ed25519,
                ..
            })
        ));
        assert!(matches!(
            ed25519.public_key().verify(b"m", &[0; 63]),
            Err(SignatureError::Malformed { .. })
        ));
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wipes_on_drop::<p256::ecdsa::SigningKey>();
        wipes_on_drop::<ed25519_dalek::SigningKey>();
        wipes_on_drop::<PrivateKey>();

        let key = PrivateKey::from_pem(&fixture("ed25519.pem"), None).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains("Ed25519"));
        assert!(debug.contains(&key.public_key().key_id()));
        assert!(!debug.contains("9d61b1"));
        assert!(!debug.to_lowercase().contains("secret"));
    }

    #[test]
    fn key_references_parse() {
        assert_eq!(
            "env://SHIPGATE_KEY".parse::<KeyReference>(),
            Ok(KeyReference::Env("SHIPGATE_KEY".to_owned()))
        );
        assert_eq!(
            "keys/release.pem".parse::<KeyReference>(),
            Ok(KeyReference::File(PathBuf::from("keys/release.pem")))
        );
        assert_eq!(
            "file:///etc/shipgate/key.pem".parse::<KeyReference>(),
            Ok(KeyReference::File(PathBuf::from("/etc/shipgate/key.pem")))
        );
        for invalid in [
            "env://",
            "",
            "file://",
            "awskms://alias/release",
            "env://A=B",
        ] {
            assert!(
                matches!(
                    invalid.parse::<KeyReference>(),
                    Err(KeyError::InvalidKeyReference { .. })
                ),
                "{invalid}"
            );
        }
        assert_eq!(KeyReference::Env("K".to_owned()).to_string(), "env://K");
    }
}
