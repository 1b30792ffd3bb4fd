//! What the Node.js lockfiles (npm, yarn, pnpm, bun) share: the
//! `package.json` beside them, Subresource Integrity strings, where a
//! `resolved` URL points, key lines of JSON text and scope propagation
//! from direct dependencies.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Package, PackageSource, Relation, RootComponent, Scope,
};

/// The parts of `package.json` a lockfile needs: the project's identity and
/// what it declares, with the scope each declaration gives.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    /// Declared dependency names with their version ranges and scopes, in
    /// declaration order; a name declared twice keeps its most needed scope.
    pub(crate) declared: Vec<(String, String, Scope)>,
}

impl Manifest {
    /// The `package.json` beside `lockfile_path`, when present and readable.
    pub(crate) fn beside(lockfile_path: &str, files: &FileSet) -> Option<Manifest> {
        let path = super::sibling(lockfile_path, "package.json")?;
        let value: serde_json::Value = serde_json::from_slice(files.get(&path)?).ok()?;
        Some(Manifest::from_value(&value))
    }

    /// Reads a `package.json`-shaped object (also a lockfile's own root entry).
    pub(crate) fn from_value(value: &serde_json::Value) -> Manifest {
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let mut manifest = Manifest {
            name: text("name"),
            version: text("version"),
            declared: Vec::new(),
        };
        for (field, scope) in DECLARATION_FIELDS {
            let Some(map) = value.get(field).and_then(|v| v.as_object()) else {
                continue;
            };
            for (name, range) in map {
                manifest.declare(name, range.as_str().unwrap_or_default(), scope);
            }
        }
        manifest
    }

    /// Records a declaration; runtime beats optional beats development when
    /// a name is declared in several lists, because that is what installs it.
    pub(crate) fn declare(&mut self, name: &str, range: &str, scope: Scope) {
        match self.declared.iter_mut().find(|(known, _, _)| known == name) {
            Some(entry) => entry.2 = most_needed(entry.2, scope),
            None => self
                .declared
                .push((name.to_owned(), range.to_owned(), scope)),
        }
    }

    /// The root component, when the manifest names the project.
    pub(crate) fn root(&self) -> Option<RootComponent> {
        Some(RootComponent {
            name: self.name.clone().filter(|name| !name.is_empty())?,
            version: self.version.clone(),
            ecosystem: Ecosystem::Npm,
        })
    }
}

/// The `package.json` lists and the scope each gives. Peer dependencies
/// are installed alongside the package that asks, so they count as runtime.
pub(crate) const DECLARATION_FIELDS: [(&str, Scope); 4] = [
    ("dependencies", Scope::Runtime),
    ("optionalDependencies", Scope::Optional),
    ("peerDependencies", Scope::Runtime),
    ("devDependencies", Scope::Development),
];

/// Of two scopes, the one that gets a package installed in more cases.
pub(crate) fn most_needed(a: Scope, b: Scope) -> Scope {
    let rank = |scope| match scope {
        Scope::Runtime => 0,
        Scope::Optional => 1,
        Scope::Development => 2,
        Scope::Unknown => 3,
    };
    if rank(a) <= rank(b) { a } else { b }
}

/// The hashes of a Subresource Integrity string (`sha512-<base64>`, several
/// separated by spaces), in hex. Unknown algorithms and bad base64 are
/// dropped: a wrong digest is worse than none.
pub(crate) fn integrity_hashes(sri: &str) -> Vec<Hash> {
    sri.split_whitespace()
        .filter_map(|item| {
            let (algorithm, digest) = item.split_once('-')?;
            let algorithm = match algorithm.to_ascii_lowercase().as_str() {
                "sha1" => HashAlgorithm::Sha1,
                "sha256" => HashAlgorithm::Sha256,
                "sha384" => HashAlgorithm::Sha384,
                "sha512" => HashAlgorithm::Sha512,
                "md5" => HashAlgorithm::Md5,
                _ => return None,
            };
            let digest = digest.split_once('?').map_or(digest, |(digest, _)| digest);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(digest)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(digest))
                .ok()?;
            (bytes.len() == digest_length(algorithm)).then(|| Hash {
                algorithm,
                value: hex(&bytes),
            })
        })
        .collect()
}

/// The byte length of an algorithm's digest.
pub(crate) fn digest_length(algorithm: HashAlgorithm) -> usize {
    match algorithm {
        HashAlgorithm::Md5 => 16,
        HashAlgorithm::Sha1 => 20,
        HashAlgorithm::Sha256 => 32,
        HashAlgorithm::Sha384 => 48,
        HashAlgorithm::Sha512 => 64,
    }
}

/// A hex digest of `algorithm`, when `text` is one (case is normalised).
pub(crate) fn hex_hash(algorithm: HashAlgorithm, text: &str) -> Option<Hash> {
    (text.len() == digest_length(algorithm) * 2 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| Hash {
            algorithm,
            value: text.to_ascii_lowercase(),
        })
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// Hosts that serve the default npm registry.
const DEFAULT_REGISTRIES: [&str; 3] = [
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    "registry.npmjs.com",
];

/// Where a `resolved` URL (or a non-registry version spec) points. `None`
/// for local code: `file:`, `link:`, `portal:` and `workspace:` specs.
pub(crate) fn source_of(resolved: &str) -> Option<PackageSource> {
    let resolved = resolved.trim();
    if resolved.is_empty() {
        return Some(PackageSource::Registry);
    }
    if ["file:", "link:", "portal:", "workspace:"]
        .iter()
        .any(|prefix| resolved.starts_with(prefix))
    {
        return None;
    }
    let is_git = resolved.starts_with("git+")
        || resolved.starts_with("git://")
        || resolved.starts_with("github:")
        || resolved.starts_with("gitlab:")
        || resolved.starts_with("bitbucket:")
        || resolved.contains(".git#");
    if is_git {
        let (url, rev) = match resolved.split_once('#') {
            Some((url, rev)) => (url, Some(rev.trim_start_matches("commit=").to_owned())),
            None => (resolved, None),
        };
        return Some(PackageSource::Git {
            url: url.to_owned(),
            rev: rev.filter(|rev| !rev.is_empty()),
        });
    }
    let Some((scheme, rest)) = resolved.split_once("://") else {
        return Some(PackageSource::Registry);
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_name = host.rsplit_once('@').map_or(host, |(_, host)| host);
    if DEFAULT_REGISTRIES.contains(&host_name) {
        Some(PackageSource::Registry)
    } else if rest.contains("/-/") {
        Some(PackageSource::AlternateRegistry {
            url: format!("{scheme}://{host_name}"),
        })
    } else {
        Some(PackageSource::Url {
            url: resolved.to_owned(),
        })
    }
}

/// The SHA-1 in the fragment of a yarn v1 or npm v1 `resolved` URL
/// (`...tgz#<sha1 hex>`), which digests the registry tarball.
pub(crate) fn resolved_sha1(resolved: &str) -> Option<Hash> {
    let (_, fragment) = resolved.rsplit_once('#')?;
    hex_hash(HashAlgorithm::Sha1, fragment)
}

/// Adds `hash` unless an equal one is already there.
pub(crate) fn push_hash(hashes: &mut Vec<Hash>, hash: Hash) {
    if !hashes.contains(&hash) {
        hashes.push(hash);
    }
}

/// The licence of a `license` field: an SPDX string, or the legacy
/// `{ "type": "MIT" }` object.
pub(crate) fn license_of(value: &serde_json::Value) -> Option<String> {
    let text = value
        .as_str()
        .or_else(|| value.get("type").and_then(|t| t.as_str()))?
        .trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Splits `name@spec` at the `@` after the name (a scope's `@` is part of
/// the name).
pub(crate) fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let at = descriptor.get(1..)?.find('@')? + 1;
    Some((&descriptor[..at], &descriptor[at + 1..]))
}

/// The 1-based line of every JSON object key `select` picks, in file order.
/// `select` gets the keys of the containers around the key (outermost
/// first, the document's own object left out;
/// an array element's key is empty) and the key, and returns the name
/// to record it under. One forward pass; `//` and `/* */` comments are
/// skipped so that JSONC text works too. Text that is not JSON gives
/// whatever keys were seen before it went wrong.
pub(crate) fn key_lines(
    text: &str,
    mut select: impl FnMut(&[String], &str) -> Option<String>,
) -> Vec<(String, u32)> {
    struct Frame {
        object: bool,
        expecting_key: bool,
    }
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut containers: Vec<String> = Vec::new();
    let mut pending: Option<String> = None;
    let mut line: u32 = 1;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'\n' => line = line.saturating_add(1),
            b'{' | b'[' => {
                let object = byte == b'{';
                containers.push(pending.take().unwrap_or_default());
                frames.push(Frame {
                    object,
                    expecting_key: object,
                });
            }
            b'}' | b']' => {
                frames.pop();
                containers.pop();
                pending = None;
            }
            b',' => {
                if let Some(frame) = frames.last_mut() {
                    frame.expecting_key = frame.object;
                }
                pending = None;
            }
            b'"' => {
                let start = at + 1;
                let mut end = start;
                let mut escaped = false;
                while let Some(&b) = bytes.get(end) {
                    if b == b'\\' {
                        escaped = true;
                        end += 2;
                        continue;
                    }
                    if b == b'"' {
                        break;
                    }
                    if b == b'\n' {
                        line = line.saturating_add(1);
                    }
                    end += 1;
                }
                let raw = text.get(start..end.min(text.len())).unwrap_or_default();
                at = end;
                match frames.last_mut() {
                    Some(frame) if frame.object && frame.expecting_key => {
                        frame.expecting_key = false;
                        let key: Cow<'_, str> = if escaped {
                            serde_json::from_str::<String>(&format!("\"{raw}\""))
                                .map_or(Cow::Borrowed(raw), Cow::Owned)
                        } else {
                            Cow::Borrowed(raw)
                        };
                        let outer = containers.get(1..).unwrap_or_default();
                        if let Some(name) = select(outer, &key) {
                            lines.push((name, line));
                        }
                        pending = Some(key.into_owned());
                    }
                    _ => pending = None,
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                while bytes.get(at + 1).is_some_and(|&b| b != b'\n') {
                    at += 1;
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at += 2;
                while let Some(&b) = bytes.get(at) {
                    if b == b'*' && bytes.get(at + 1) == Some(&b'/') {
                        at += 1;
                        break;
                    }
                    if b == b'\n' {
                        line = line.saturating_add(1);
                    }
                    at += 1;
                }
            }
            _ => {}
        }
        at += 1;
    }
    lines
}

/// JSONC text as JSON: comments and trailing commas become spaces, so
/// byte offsets and lines stay where they were.
pub(crate) fn strip_jsonc(text: &str) -> Cow<'_, str> {
    if !text.contains("//") && !text.contains("/*") && !text.contains(',') {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    let mut at = 0;
    let mut last_comma: Option<usize> = None;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                last_comma = None;
                at += 1;
                while at < bytes.len() && bytes[at] != b'"' {
                    at += if bytes[at] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    bytes[at] = b' ';
                    at += 1;
                }
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                while at < bytes.len() {
                    if bytes[at] == b'*' && bytes.get(at + 1) == Some(&b'/') {
                        bytes[at] = b' ';
                        bytes[at + 1] = b' ';
                        at += 2;
                        break;
                    }
                    if bytes[at] != b'\n' {
                        bytes[at] = b' ';
                    }
                    at += 1;
                }
                continue;
            }
            b',' => last_comma = Some(at),
            b'}' | b']' => {
                if let Some(comma) = last_comma.take() {
                    bytes[comma] = b' ';
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => last_comma = None,
        }
        at += 1;
    }
    // Only ASCII bytes were replaced by ASCII spaces, and never inside a
    // multi-byte character, so the text is still UTF-8.
    String::from_utf8(bytes).map_or(Cow::Borrowed(text), Cow::Owned)
}

/// Gives every package the most needed scope of the direct dependencies
/// it is reachable from (itself included): runtime wins over optional,
/// which wins over development, so a dev-declared package that a runtime
/// one needs is runtime. Packages reachable from no scoped direct
/// dependency keep their scope.
pub(crate) fn propagate_scopes(packages: &mut [Package]) {
    let mut reached: Vec<Option<Scope>> = vec![None; packages.len()];
    for start_scope in [Scope::Runtime, Scope::Optional, Scope::Development] {
        let mut stack: Vec<usize> = packages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.relation == Relation::Direct && p.scope == start_scope)
            .map(|(index, _)| index)
            .collect();
        while let Some(index) = stack.pop() {
            if reached[index].is_some() {
                continue;
            }
            reached[index] = Some(start_scope);
            stack.extend(
                packages[index]
                    .dependencies
                    .iter()
                    .filter(|&&d| reached.get(d).is_some_and(Option::is_none)),
            );
        }
    }
    for (package, scope) in packages.iter_mut().zip(reached) {
        if let Some(scope) = scope {
            package.scope = most_needed(package.scope, scope);
        }
    }
}

/// Sets each package's relation: `Direct` for the indices in `direct`,
/// `Transitive` for the rest.
pub(crate) fn mark_relations(packages: &mut [Package], direct: &[usize]) {
    for package in packages.iter_mut() {
        package.relation = Relation::Transitive;
    }
    for &index in direct {
        if let Some(package) = packages.get_mut(index) {
            package.relation = Relation::Direct;
        }
    }
}

/// Sorts packages into file order and rewrites edges to match.
pub(crate) fn sort_by_line(packages: Vec<Package>) -> Vec<Package> {
    let mut order: Vec<usize> = (0..packages.len()).collect();
    order.sort_by_key(|&index| packages[index].line);
    let mut new_index = vec![0; packages.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Package>> = packages.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&old| slots[old].take())
        .map(|mut package| {
            for dependency in &mut package.dependencies {
                *dependency = new_index[*dependency];
            }
            package
        })
        .collect()
}

/// Index of each key, first occurrence wins.
pub(crate) fn index_by<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut index = HashMap::new();
    for (position, key) in keys.enumerate() {
        index.entry(key).or_insert(position);
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_is_decoded_to_hex_and_bad_digests_are_dropped() {
        let hashes = integrity_hashes("sha1-qUwlJ+kFHO4AM/5HPLCWyoqqw2c= sha512-bad md5-x");
        assert_eq!(hashes.len(), 1);
        assert_eq!(hashes[0].algorithm, HashAlgorithm::Sha1);
        assert_eq!(hashes[0].value, "a94c2527e9051cee0033fe473cb096ca8aaac367");
    }

    #[test]
    fn sources_distinguish_registries_git_urls_and_local_code() {
        assert_eq!(
            source_of("https://registry.npmjs.org/a/-/a-1.0.0.tgz"),
            Some(PackageSource::Registry)
        );
        assert_eq!(
            source_of("https://npm.example.com/a/-/a-1.0.0.tgz"),
            Some(PackageSource::AlternateRegistry {
                url: "https://npm.example.com".to_owned()
            })
        );
        assert_eq!(
            source_of("git+ssh://git@github.com/o/r.git#abc"),
            Some(PackageSource::Git {
                url: "git+ssh://git@github.com/o/r.git".to_owned(),
                rev: Some("abc".to_owned())
            })
        );
        assert_eq!(source_of("file:../local"), None);
    }

    #[test]
    fn key_lines_follow_nesting_and_skip_strings_and_comments() {
        let text = "{\n  // \"packages\": {\n  \"a\": [\"{\", {\"x\": 1}],\n  \"packages\": {\n    \"p\\u0031\": {\"packages\": {}},\n    \"q\": 2\n  }\n}";
        let lines = key_lines(text, |outer, key| {
            (outer == ["packages"]).then(|| key.to_owned())
        });
        assert_eq!(lines, vec![("p1".to_owned(), 5), ("q".to_owned(), 6)]);
    }

    #[test]
    fn jsonc_comments_and_trailing_commas_become_spaces() {
        let text = "{\"a\": [1, 2,], // note\n \"b,\": {\"c\": 1,},}";
        let json = strip_jsonc(text);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["a"][1], 2);
        assert_eq!(value["b,"]["c"], 1);
        assert_eq!(json.len(), text.len());
    }

    #[test]
    fn runtime_reach_beats_development_reach() {
        let mut packages: Vec<Package> = (0..4)
            .map(|i| Package::new(Ecosystem::Npm, format!("p{i}"), "1.0.0"))
            .collect();
        mark_relations(&mut packages, &[0, 1]);
        packages[0].scope = Scope::Development;
        packages[1].scope = Scope::Runtime;
        packages[0].dependencies = vec![2, 3];
        packages[1].dependencies = vec![3];
        propagate_scopes(&mut packages);
        assert_eq!(packages[2].scope, Scope::Development);
        assert_eq!(packages[3].scope, Scope::Runtime);
    }
}
