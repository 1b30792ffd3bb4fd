//! The signing seam: attestations and bundles are signed through [`Signer`]
//! so a local key, a cloud KMS key or a Vault transit key are
//! interchangeable.

use crate::digest::ArtifactDigests;
use crate::keys::{KeyError, PrivateKey, PublicKey};

/// Anything that can sign: a local key now, a KMS or Vault transit key later.
pub trait Signer: Send + Sync {
    /// The public key that verifies this signer's signatures.
    fn public_key(&self) -> &PublicKey;
    /// The key id recorded next to signatures: see [`PublicKey::key_id`].
    fn key_id(&self) -> &str;
    /// Signs `message` as [`PrivateKey::sign`] does.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
    /// Signs an already digested artifact as [`PrivateKey::sign_artifact`] does.
    fn sign_artifact(&self, digests: &ArtifactDigests) -> Result<Vec<u8>, SignError>;
}

/// Why a signer could not sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The key could not sign this input.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// A remote signing backend failed or refused.
    #[error("{backend} could not sign: {detail}")]
    Backend {
        /// The backend, as the user named it (for example `awskms`).
        backend: String,
        /// What the backend reported.
        detail: String,
    },
}

/// Signs with a private key held in this process.
#[derive(Debug)]
pub struct LocalSigner {
    key: PrivateKey,
    public_key: PublicKey,
}

impl LocalSigner {
    /// A signer for `key`.
    pub fn new(key: PrivateKey) -> Self {
        let public_key = key.public_key();
        Self { key, public_key }
    }
}

impl Signer for LocalSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    fn key_id(&self) -> &str {
        self.public_key.key_id_str()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.key.sign(message))
    }

    fn sign_artifact(&self, digests: &ArtifactDigests) -> Result<Vec<u8>, SignError> {
        Ok(self.key.sign_artifact(digests)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::digest_reader;
    use crate::keys::Algorithm;

    fn boxed(algorithm: Algorithm) -> Box<dyn Signer> {
        Box::new(LocalSigner::new(PrivateKey::generate(algorithm).unwrap()))
    }

    #[test]
    fn local_signer_signs_with_its_key() {
        for algorithm in [Algorithm::EcdsaP256, Algorithm::Ed25519] {
            let signer = boxed(algorithm);
            assert_eq!(signer.key_id(), signer.public_key().key_id());
            assert_eq!(signer.public_key().algorithm(), algorithm);

            let signature = signer.sign(b"payload").unwrap();
            signer.public_key().verify(b"payload", &signature).unwrap();

            let digests = digest_reader(&b"artifact"[..], true).unwrap();
            let signature = signer.sign_artifact(&digests).unwrap();
            signer
                .public_key()
                .verify_artifact(&digests, &signature)
                .unwrap();
        }
    }

    #[test]
    fn key_errors_pass_through() {
        let signer = boxed(Algorithm::Ed25519);
        let digests = digest_reader(&b"artifact"[..], false).unwrap();
        assert_eq!(
            signer.sign_artifact(&digests).unwrap_err(),
            SignError::Key(KeyError::MissingSha512)
        );
    }

    #[test]
    fn signers_cross_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<LocalSigner>();
        let signer = boxed(Algorithm::EcdsaP256);
        let signature = std::thread::scope(|scope| {
            scope
                .spawn(|| signer.sign(b"from another thread"))
                .join()
                .unwrap()
        })
        .unwrap();
        signer
            .public_key()
            .verify(b"from another thread", &signature)
            .unwrap();
    }
}
