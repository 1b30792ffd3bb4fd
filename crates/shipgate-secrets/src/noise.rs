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

/// Lowercase substrings that mark a value as a stand-in.
const PLACEHOLDER_MARKERS: &[&[u8]] = &[
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
    // Five, not four: four x's turn up by chance in about one random
    // token in thirty thousand; five in about one in a million.
    b"xxxxx",
    b"***",
    b"...",
    b"${",
    b"{{",
    b"}}",
];

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
    if PLACEHOLDER_MARKERS
        .iter()
        .any(|marker| contains(&lower, marker))
    {
        return true;
    }
    if lower.contains(&b'<') && lower.contains(&b'>') {
        return true;
    }
    few_distinct_bytes(value) || longest_ascending_run(value) >= SEQUENCE_RUN
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
