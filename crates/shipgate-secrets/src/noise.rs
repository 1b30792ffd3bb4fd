//! Values that look like secrets but are not: documentation placeholders,
//! references to secrets stored elsewhere, integrity hashes and identifiers.

use std::ops::Range;

/// Why a match is not a live secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Noise {
    /// A documented example or an obvious placeholder; reportable at info
    /// level on request.
    Placeholder,
    /// A reference to a secret kept elsewhere (`$TOKEN`, `${{ secrets.X }}`).
    Reference,
    /// A content hash, such as a lockfile integrity value.
    Digest,
    /// An identifier (UUID, commit id) caught by a generic rule.
    Identifier,
}

/// Example values published in provider documentation, so any scanner
/// seeing them in a repository is looking at copied docs.
const DOCUMENTED_EXAMPLES: &[&[u8]] = &[
    b"AKIAIOSFODNN7EXAMPLE",
    b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    b"sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    b"pk_test_TYooMQauvdEDq54NiTphI7jx",
    b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Lowercase words that mark a value as a stand-in when they stand apart
/// in it (see [`placeholder_word`]). Anywhere else they are left alone:
/// by chance they turn up inside about one random token in tens of
/// thousands, and inside about one long private key in a few hundred.
const PLACEHOLDER_WORDS: &[&[u8]] = &[
    b"example",
    b"sample",
    b"dummy",
    b"placeholder",
    b"your_",
    b"your-",
    b"changeme",
    b"change_me",
    b"change-me",
    b"redacted",
    b"replace_me",
    b"replaceme",
    b"not_a_real",
    b"not-a-real",
    b"notreal",
    b"fake",
    // Five, not four, because a random value starting or ending with four
    // x's is about as likely as one containing "fake" there.
    b"xxxxx",
];

/// Text no generated secret holds (masks, elisions, template syntax), so
/// it marks a stand-in wherever it occurs.
const PLACEHOLDER_SYMBOLS: &[&[u8]] = &[b"***", b"...", b"${", b"{{", b"}}"];

/// Key blocks longer than this are never judged by words or sequences:
/// thousands of random base64 characters spell them by chance.
const KEY_BLOCK_MIN_LEN: usize = 200;

/// Text that opens a private key block.
const KEY_BLOCK_MARKERS: &[&[u8]] = &[b"PRIVATE KEY", b"PuTTY-User-Key-File"];

/// Below this many bits per byte, what is left of a value once its
/// placeholder words are taken out is filler (`AKIAFAKE0000000000`);
/// random characters stay above it even in short values.
const FILLER_ENTROPY: f64 = 2.0;

/// Text right before a value that makes it a reference, not a literal.
const REFERENCE_PREFIXES: &[&[u8]] = &[
    b"$",
    b"${",
    b"$(",
    b"{{",
    b"{{ ",
    b"process.env.",
    b"process.env[\"",
    b"process.env['",
    b"os.environ[\"",
    b"os.environ['",
    b"os.environ.get(\"",
    b"os.environ.get('",
    b"os.getenv(\"",
    b"os.getenv('",
    b"getenv(\"",
    b"getenv('",
    b"env[\"",
    b"env['",
    b"env.",
    b"secrets.",
    b"vars.",
];

/// Text right before a value that makes it a content digest.
const DIGEST_PREFIXES: &[&[u8]] = &[
    b"sha1-", b"sha256-", b"sha384-", b"sha512-", b"sha1:", b"sha256:", b"sha384:", b"sha512:",
    b"h1:", b"md5-", b"md5:",
];

/// File names of lockfiles, whose hex and base64 values are digests.
const LOCKFILE_NAMES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "composer.lock",
    "packages.lock.json",
    "gradle.lockfile",
    "flake.lock",
    "mix.lock",
    "pubspec.lock",
    "Package.resolved",
    "Podfile.lock",
    "conan.lock",
    "deno.lock",
    "MODULE.bazel.lock",
];

/// A run of this many ascending characters (`123456`, `abcdef`) marks a
/// made-up value; random tokens almost never contain one.
const SEQUENCE_RUN: usize = 6;

/// Classifies the match whose secret is `secret` in `content`.
pub(crate) fn classify(
    content: &[u8],
    secret: Range<usize>,
    path: &str,
    generic: bool,
) -> Option<Noise> {
    let value = content.get(secret.clone())?;
    if is_reference(content, &secret) {
        return Some(Noise::Reference);
    }
    if is_digest(content, &secret, path) {
        return Some(Noise::Digest);
    }
    if generic && is_identifier(value) {
        return Some(Noise::Identifier);
    }
    if is_placeholder(value) {
        return Some(Noise::Placeholder);
    }
    None
}

/// Whether `value` is a documented example or an obvious stand-in.
pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    if DOCUMENTED_EXAMPLES.contains(&value) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_SYMBOLS
        .iter()
        .any(|symbol| contains(&lower, symbol))
        || few_distinct_bytes(value)
    {
        return true;
    }
    if is_key_block(value) {
        return false;
    }
    (lower.contains(&b'<') && lower.contains(&b'>'))
        || longest_ascending_run(value) >= SEQUENCE_RUN
        || placeholder_word(value, &lower)
        || SHOUTED_MARKERS.iter().any(|marker| contains(value, marker))
}

/// Documentation writes stand-ins in capitals inside otherwise plausible
/// values (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY`). Seven or more
/// specific capitals in a row are a one-in-10^12 accident in a random
/// token, so these count wherever they stand.
const SHOUTED_MARKERS: &[&[u8]] = &[
    b"EXAMPLE",
    b"PLACEHOLDER",
    b"REDACTED",
    b"CHANGEME",
    b"YOURKEY",
    b"YOURTOKEN",
];

/// Whether `value` is a whole private key block, long enough that its
/// random body spells words and sequences by chance.
fn is_key_block(value: &[u8]) -> bool {
    value.len() > KEY_BLOCK_MIN_LEN
        && KEY_BLOCK_MARKERS
            .iter()
            .any(|marker| contains(value, marker))
}

/// Whether a placeholder word marks `value` (`lower` is its lowercase
/// form): a word standing apart, at either end of the value or next to a
/// separator (`sk_live_FAKE_KEY`, `my-dummy-key`, `sampleSecret`), or
/// words embedded in filler, where the rest of the value is repetitive.
/// People write such words in one case or capitalised; `fAkE` is chance.
fn placeholder_word(value: &[u8], lower: &[u8]) -> bool {
    let mut inside_word = vec![false; lower.len()];
    let mut embedded = false;
    for word in PLACEHOLDER_WORDS {
        for start in crate::reach::occurrences(lower, word) {
            let end = start + word.len();
            if !written_as_word(&value[start..end]) {
                continue;
            }
            let apart_before = start == 0 || !lower[start - 1].is_ascii_alphanumeric();
            let apart_after = end == lower.len() || !lower[end].is_ascii_alphanumeric();
            if apart_before || apart_after {
                return true;
            }
            embedded = true;
            inside_word[start..end].fill(true);
        }
    }
    if !embedded {
        return false;
    }
    let rest: Vec<u8> = value
        .iter()
        .zip(&inside_word)
        .filter(|&(byte, &inside)| !inside && byte.is_ascii_alphanumeric())
        .map(|(&byte, _)| byte)
        .collect();
    shannon_entropy(&rest) < FILLER_ENTROPY || longest_ascending_run(&rest) >= SEQUENCE_RUN
}

/// Whether the letters of `text` are all uppercase, all lowercase, or
/// lowercase after a capital.
fn written_as_word(text: &[u8]) -> bool {
    let letters = text.iter().filter(|b| b.is_ascii_alphabetic());
    letters.clone().all(u8::is_ascii_uppercase) || letters.skip(1).all(u8::is_ascii_lowercase)
}

fn is_reference(content: &[u8], secret: &Range<usize>) -> bool {
    let value = &content[secret.clone()];
    if value.first() == Some(&b'$') || (value.first() == Some(&b'%') && value.last() == Some(&b'%'))
    {
        return true;
    }
    let before = &content[secret.start.saturating_sub(24)..secret.start];
    let before_lower = before.to_ascii_lowercase();
    if REFERENCE_PREFIXES
        .iter()
        .any(|prefix| before_lower.ends_with(prefix))
    {
        return true;
    }
    // Windows batch style `%NAME%`.
    before.last() == Some(&b'%') && content.get(secret.end) == Some(&b'%')
}

fn is_digest(content: &[u8], secret: &Range<usize>, path: &str) -> bool {
    let value = &content[secret.clone()];
    let lower = value.to_ascii_lowercase();
    if DIGEST_PREFIXES
        .iter()
        .any(|prefix| lower.starts_with(prefix))
    {
        return true;
    }
    let before = content[secret.start.saturating_sub(8)..secret.start].to_ascii_lowercase();
    if DIGEST_PREFIXES
        .iter()
        .any(|prefix| before.ends_with(prefix))
    {
        return true;
    }
    is_lockfile(path) && value.len() >= 32 && value.iter().all(u8::is_ascii_hexdigit)
}

/// Whether the file at `path` is a package manager lockfile.
pub(crate) fn is_lockfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    LOCKFILE_NAMES.contains(&name)
}

/// UUIDs and hexadecimal object ids (SHA-1 or SHA-256 commit and blob ids).
fn is_identifier(value: &[u8]) -> bool {
    is_uuid(value) || (matches!(value.len(), 40 | 64) && value.iter().all(u8::is_ascii_hexdigit))
}

fn is_uuid(value: &[u8]) -> bool {
    value.len() == 36
        && value.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn few_distinct_bytes(value: &[u8]) -> bool {
    if value.len() < 6 {
        return false;
    }
    let mut seen = [false; 256];
    let mut distinct = 0;
    for &b in value {
        if !seen[usize::from(b)] {
            seen[usize::from(b)] = true;
            distinct += 1;
            if distinct > 2 {
                return false;
            }
        }
    }
    true
}

/// Longest run of characters each one greater than the last, counting `9`
/// followed by `0` or `a` as ascending too (`1234567890`, `789abc`).
fn longest_ascending_run(value: &[u8]) -> usize {
    let mut longest = usize::from(!value.is_empty());
    let mut run = 1;
    for pair in value.windows(2) {
        let (a, b) = (pair[0].to_ascii_lowercase(), pair[1].to_ascii_lowercase());
        let ascending = a.is_ascii_alphanumeric()
            && b.is_ascii_alphanumeric()
            && (b == a.wrapping_add(1) || (a == b'9' && (b == b'0' || b == b'a')));
        run = if ascending { run + 1 } else { 1 };
        longest = longest.max(run);
    }
    longest
}

/// Shannon entropy of `bytes` in bits per byte.
pub(crate) fn shannon_entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let total = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / total;
            -p * p.log2()
        })
        .sum()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    crate::compile::contains(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_in(line: &str, secret: &str, path: &str, generic: bool) -> Option<Noise> {
        let start = line.rfind(secret).unwrap();
        classify(line.as_bytes(), start..start + secret.len(), path, generic)
    }

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(b""), 0.0);
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!((shannon_entropy(b"ab") - 1.0).abs() < 1e-9);
        assert!((shannon_entropy(b"0123456789abcdef") - 4.0).abs() < 1e-9);
        assert!(shannon_entropy(b"R8x2kQ9vLm3ZpT7wYc1Hd5Nf") > 4.0);
    }

    #[test]
    fn shouted_markers_count_anywhere() {
        assert!(is_placeholder(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"));
        assert!(is_placeholder(b"ABCDE12345670EXAMPLE"));
        assert!(!is_placeholder(
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzExAmPlEKEY"
        ));
    }

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "ghp_ExampleTokenValueGoesHere1234",
            "sk_live_your_key_here",
            "<your-token>",
            "{{ token }}",
            "xoxb-xxxxxxxxxxxx",
            "sk_XXXXXaB3",
            "1234567890abcdef",
            "aaaaaaaaaaaaaaaa",
            "abababababab",
            "changeme",
            "REDACTED",
            "********",
            "my-dummy-key",
            "sampleSecretValue",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
        for value in [
            "ghp_R8x2kQ9vLm3ZpT7wYc1Hd5NfA0sUeJ4bGi6o",
            "sk_live_51HcQ2kLmZp9TvW8yRx3",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
        ] {
            assert!(!is_placeholder(value.as_bytes()), "{value}");
        }
    }

    #[test]
    fn placeholder_words_count_only_standing_apart_or_in_filler() {
        for value in [
            "your_api_key_here",
            "sk_live_FAKE_KEY_DO_NOT_USE",
            "xxxxxxxxxxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "AKIAXXXXXXXXXXXXXXXX",
            "token.sample",
            "ghp_fakeR8x2kQ9vLm3ZpT7wYc1Hd5NfA0sUeJ4b",
            // Embedded, but the rest is filler or a sequence.
            "AKIAFAKEAAAAAAAAAAAA",
            "ghp_0000000000fake0000000000",
            "k9abcFAKEdefQz",
        ] {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
        for value in [
            // Random 36-character bodies that happen to spell a word inside,
            // or at an end in mixed case.
            "ghp_R8x2kQ9vLm3ZpT7wfakeYc1Hd5NfA0sUeJ4b",
            "Qnjpy3zB5djLTQctqldvljf4bVA7xkrvfAke",
            "Zt5mQ1xR7vK2pL9wN3cYDummy8hB4dF6gJ0sA",
            "k9Qz/3mXv+R8tLwSamPLEp7Hc1Nf5Ds0Ue4JbG",
            "AKIAQ3ZKXXXXXWJ2MXR5",
        ] {
            assert!(!is_placeholder(value.as_bytes()), "{value}");
        }
    }

    /// Deterministic xorshift, so the statistics below repeat exactly.
    fn random_tokens(seed: u64, alphabet: &[u8], len: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut state = seed;
        std::iter::repeat_with(move || {
            (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect()
        })
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        const ALPHANUMERIC: &[u8] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let tokens: Vec<Vec<u8>> = random_tokens(0x2545_F491_4F6C_DD1D, ALPHANUMERIC, 36)
            .take(120_000)
            .collect();
        // A few of these spell "fake" somewhere; none may be dropped for
        // it unless the word sits at an end, written as a word.
        let spelling_fake = tokens
            .iter()
            .filter(|t| contains(&t.to_ascii_lowercase(), b"fake"))
            .count();
        assert!(spelling_fake >= 3, "{spelling_fake}");
        let dropped: Vec<String> = tokens
            .iter()
            .filter(|t| is_placeholder(t))
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect();
        assert!(dropped.is_empty(), "{dropped:?}");
    }

    #[test]
    fn long_private_keys_are_never_placeholders_by_chance() {
        const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let body: Vec<u8> = random_tokens(0x9E37_79B9_7F4A_7C15, BASE64, 1600)
            .next()
            .unwrap_or_default();
        let mut lines: Vec<String> = body
            .chunks(64)
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect();
        // Words and sequences a long body spells by chance.
        lines[3].replace_range(10..21, "/fake+Dummy");
        lines[7].replace_range(0..8, "abcdefgh");
        let key = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
            lines.join("\n")
        );
        assert!(!is_placeholder(key.as_bytes()));
        let putty = format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: build@example.com\nPublic-Lines: 2\n{}",
            lines.join("\n")
        );
        assert!(!is_placeholder(putty.as_bytes()));
        // Short blocks and elided bodies are still stand-ins.
        assert!(is_placeholder(
            b"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-your-key-here\n-----END PRIVATE KEY-----"
        ));
        let elided = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n...\n-----END PRIVATE KEY-----",
            lines.join("\n")
        );
        assert!(is_placeholder(elided.as_bytes()));
    }

    #[test]
    fn references_are_recognised() {
        let cases = [
            ("token: ${{ secrets.GH_TOKEN }}", "GH_TOKEN"),
            ("API_KEY=$API_KEY", "$API_KEY"),
            ("API_KEY=${API_KEY}", "API_KEY"),
            ("set KEY=%API_KEY%", "API_KEY"),
            ("key = os.environ[\"API_KEY\"]", "API_KEY"),
            ("const key = process.env.STRIPE_KEY", "STRIPE_KEY"),
            ("password: {{ vault_password }}", "vault_password"),
        ];
        for (line, secret) in cases {
            assert_eq!(
                classify_in(line, secret, "x", false),
                Some(Noise::Reference),
                "{line}"
            );
        }
        assert_eq!(
            classify_in("key=R8x2kQ9vLm3ZpT7w", "R8x2kQ9vLm3ZpT7w", "x", false),
            None
        );
    }

    #[test]
    fn digests_are_recognised() {
        let sri = "sha512-Qk9vLm3ZpT7wYc1Hd5NfA0sUeJ4bGi6oR8x2kQ9vLm3ZpT7wYc1Hd5NfA0sUeJ4bGi6o==";
        assert_eq!(classify_in(sri, sri, "x", false), Some(Noise::Digest));
        let line = "\"integrity\": \"sha512-Qk9vLm3ZpT7wYc1Hd5Nf==\"";
        assert_eq!(
            classify_in(line, "Qk9vLm3ZpT7wYc1Hd5Nf==", "a.json", false),
            Some(Noise::Digest)
        );
        let go_sum = "golang.org/x/sys v0.1.0 h1:kunALQeHf1/185U1i0GOB/fy1IPRDDpuoOOqRReG57c=";
        assert_eq!(
            classify_in(
                go_sum,
                "kunALQeHf1/185U1i0GOB/fy1IPRDDpuoOOqRReG57c=",
                "go.sum",
                false
            ),
            Some(Noise::Digest)
        );
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let line = format!("checksum = \"{hex}\"");
        assert_eq!(
            classify_in(&line, hex, "Cargo.lock", false),
            Some(Noise::Digest)
        );
        assert_eq!(
            classify_in(&line, hex, "vendor/Cargo.lock", true),
            Some(Noise::Digest)
        );
        assert_eq!(classify_in(&line, hex, "src/config.rs", false), None);
    }

    #[test]
    fn identifiers_are_noise_only_for_generic_rules() {
        let uuid = "123e4567-e89b-42d3-a456-426614174000";
        assert_eq!(classify_in(uuid, uuid, "x", true), Some(Noise::Identifier));
        assert_eq!(classify_in(uuid, uuid, "x", false), None);
        let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b";
        assert_eq!(classify_in(sha, sha, "x", true), Some(Noise::Identifier));
        assert_eq!(classify_in(sha, sha, "x", false), None);
    }

    #[test]
    fn ascending_runs() {
        assert_eq!(longest_ascending_run(b""), 0);
        assert_eq!(longest_ascending_run(b"x"), 1);
        assert_eq!(longest_ascending_run(b"1234567890abcdef"), 10);
        assert_eq!(longest_ascending_run(b"aBcDeZ"), 5);
        assert_eq!(longest_ascending_run(b"R8x2kQ9v"), 1);
    }
}
