//! Keys for the signing commands: loading them from files or variables,
//! asking for passphrases, and `shipgate key ...`.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, bail};
use shipgate_attest::keys::{Algorithm, KeyError, KeyReference, PrivateKey, PublicKey};
use shipgate_attest::signer::LocalSigner;
use zeroize::Zeroizing;

use crate::cli::{KeyAlgorithm, KeyGenerateArgs, KeyPublicArgs};
use crate::output::write_atomically;

/// The variable a passphrase is read from before any prompt.
const PASSPHRASE_VARIABLE: &str = "SHIPGATE_KEY_PASSWORD";

/// The PEM text a key reference points at.
fn read_key_text(reference: &str) -> anyhow::Result<Zeroizing<String>> {
    let parsed: KeyReference = reference
        .parse()
        .with_context(|| format!("`{reference}` is not a key reference"))?;
    match parsed {
        KeyReference::File(path) => std::fs::read_to_string(&path)
            .map(Zeroizing::new)
            .with_context(|| format!("cannot read the key file {}", path.display())),
        KeyReference::Env(name) => match std::env::var(&name) {
            Ok(text) if !text.trim().is_empty() => Ok(Zeroizing::new(text)),
            _ => bail!(
                "{reference}: the variable {name} is not set or empty; export the PEM key in it"
            ),
        },
    }
}

/// The passphrase of `what`: from SHIPGATE_KEY_PASSWORD, else asked on the
/// terminal (twice when `confirm`).
fn passphrase(what: &str, confirm: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Some(value) = std::env::var_os(PASSPHRASE_VARIABLE) {
        return value
            .into_string()
            .map(Zeroizing::new)
            .map_err(|_| anyhow::anyhow!("{PASSPHRASE_VARIABLE} is not valid UTF-8"));
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "{what} needs a passphrase: set {PASSPHRASE_VARIABLE}, or run in a terminal to be asked for it"
        );
    }
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("Passphrase for {what}: "))
            .context("cannot read the passphrase")?,
    );
    if confirm {
        let second = Zeroizing::new(
            rpassword::prompt_password("Repeat the passphrase: ")
                .context("cannot read the passphrase")?,
        );
        if first != second {
            bail!("the passphrases differ; nothing was written");
        }
    }
    Ok(first)
}

/// Loads the private key `reference` names, asking for its passphrase
/// when it is encrypted.
pub(crate) fn load_signer(reference: &str) -> anyhow::Result<LocalSigner> {
    let pem = read_key_text(reference)?;
    let passphrase = if PrivateKey::needs_passphrase(&pem) {
        Some(passphrase(reference, false)?)
    } else {
        None
    };
    let key = PrivateKey::from_pem(&pem, passphrase.as_ref().map(|p| p.as_bytes()))
        .with_context(|| format!("cannot load the private key {reference}"))?;
    Ok(LocalSigner::new(key))
}

/// Loads the public key `reference` names.
pub(crate) fn load_public_key(reference: &str) -> anyhow::Result<PublicKey> {
    let pem = read_key_text(reference)?;
    PublicKey::from_pem(&pem).map_err(|error| {
        let hint = if matches!(error, KeyError::PrivateKeyGiven) {
            format!("; `shipgate key public --key {reference}` prints the public half")
        } else {
            String::new()
        };
        anyhow::Error::new(error).context(format!("cannot load the public key {reference}{hint}"))
    })
}

/// `shipgate key generate`
pub fn generate(args: &KeyGenerateArgs) -> anyhow::Result<ExitCode> {
    let private_path = args.output.with_extension("key");
    let public_path = args.output.with_extension("pub");
    for path in [&private_path, &public_path] {
        if path.exists() {
            if !args.force {
                bail!(
                    "{} already exists; choose another --output NAME, or pass --force to replace the key pair",
                    path.display()
                );
            }
            // Removed rather than overwritten so the new private key file
            // is created owner-only instead of keeping the old mode.
            std::fs::remove_file(path)
                .with_context(|| format!("cannot replace {}", path.display()))?;
        }
    }
    let algorithm = match args.algorithm {
        KeyAlgorithm::EcdsaP256 => Algorithm::EcdsaP256,
        KeyAlgorithm::Ed25519 => Algorithm::Ed25519,
    };
    let passphrase = passphrase(&private_path.display().to_string(), true)?;
    let key = PrivateKey::generate(algorithm)?;
    let public = key.public_key();
    let encrypted = key.to_encrypted_pem(passphrase.as_bytes())?;
    write_atomically(&private_path, encrypted.as_bytes())?;
    write_atomically(&public_path, public.to_pem().as_bytes())?;
    if !args.quiet {
        eprintln!(
            "wrote {} (encrypted private key) and {} ({algorithm}, key id {})",
            private_path.display(),
            public_path.display(),
            public.key_id()
        );
        if passphrase.is_empty() {
            eprintln!(
                "warning: the passphrase is empty, so the private key is effectively unprotected"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `shipgate key public`
pub fn public(args: &KeyPublicArgs) -> anyhow::Result<ExitCode> {
    let signer = load_signer(&args.key)?;
    let public = shipgate_attest::signer::Signer::public_key(&signer);
    print!("{}", public.to_pem());
    eprintln!("key id {}", public.key_id());
    Ok(ExitCode::SUCCESS)
}
