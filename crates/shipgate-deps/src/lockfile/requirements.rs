//! pip requirements files (`requirements*.txt`, `requirements/*.txt`, and
//! any file another one includes with `-r` / `-c`). One requirement per
//! logical line: a trailing `\` continues it, `#` after whitespace starts
//! a comment. Only exact pins (`==1.2`, `===1.2`) are locked versions;
//! ranges and bare names are counted in one warning per file and left
//! out. Per-requirement options follow the requirement (`--hash=sha256:...`);
//! global options (`--index-url`, `--find-links`, ...) are ignored.
//! `name @ url`, bare URLs and `-e` give git or URL packages (the name
//! from `#egg=` or the archive's file name); local paths are the
//! project's own code and stay out.
//!
//! Includes are separate lockfiles: this file only checks that they are
//! there, and [`is_included`] makes them detected. pip-compile's
//! `# via` annotations give relations (`-r file` or `project (setup.py)`
//! → direct, a package name → transitive, with an edge from it); without
//! them the relation is unknown.

use std::collections::{HashMap, HashSet, VecDeque};

use super::python;
use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning, Relation,
};
use crate::lockfile::LockfileKind;

/// What a `# via` annotation says about the package above it.
#[derive(Default)]
struct Via {
    annotated: bool,
    direct: bool,
    parents: Vec<String>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let mut warnings = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    let mut vias: Vec<Via> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut unpinned = 0usize;
    // Index of the package whose `# via` block is being read, and whether
    // the block continues on the next comment line.
    let mut via_target: Option<(usize, bool)> = None;

    for (line, logical) in logical_lines(text) {
        let trimmed = logical.trim();
        if let Some(comment) = trimmed.strip_prefix('#') {
            via_target = read_via(comment, via_target, &mut vias);
            continue;
        }
        via_target = None;
        let content = strip_comment(trimmed);
        if content.is_empty() {
            continue;
        }
        if let Some(option) = content.strip_prefix('-') {
            match option_value(option) {
                Some(OptionLine::Include(target)) => {
                    let present = super::sibling(path, target)
                        .is_some_and(|target| files.get(&target).is_some());
                    if !present {
                        warnings.push(ParseWarning {
                            line: Some(line),
                            message: format!("included file {target} is not in the scanned set"),
                        });
                    }
                }
                Some(OptionLine::Editable(target)) => {
                    if let Some(package) = url_requirement(None, target, line) {
                        add(
                            &mut packages,
                            &mut vias,
                            &mut by_name,
                            &mut warnings,
                            package,
                            &mut via_target,
                        );
                    }
                }
                None => {}
            }
            continue;
        }
        let (requirement, options) = split_options(content);
        let hashes = hash_options(options);
        let outcome = read_requirement(requirement, line);
        match outcome {
            Outcome::Package(mut package) => {
                for hash in hashes {
                    python::push_hash(&mut package.hashes, hash);
                }
                add(
                    &mut packages,
                    &mut vias,
                    &mut by_name,
                    &mut warnings,
                    *package,
                    &mut via_target,
                );
            }
            Outcome::Unpinned => unpinned += 1,
            Outcome::Local => {}
            Outcome::Unreadable(why) => warnings.push(ParseWarning {
                line: Some(line),
                message: format!("unreadable requirement `{requirement}` ({why}); skipped"),
            }),
        }
    }
    if unpinned > 0 {
        warnings.push(ParseWarning {
            line: None,
            message: format!(
                "{unpinned} requirement{} not pinned to one version (== or ===) and not listed",
                if unpinned == 1 { " is" } else { "s are" }
            ),
        });
    }
    apply_vias(&mut packages, &vias, &by_name);
    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::Requirements,
        root: None,
        packages,
        warnings,
    })
}

/// Adds a package unless its name is already there; a second pin of
/// another version is a conflict worth a warning.
fn add(
    packages: &mut Vec<Package>,
    vias: &mut Vec<Via>,
    by_name: &mut HashMap<String, usize>,
    warnings: &mut Vec<ParseWarning>,
    package: Package,
    via_target: &mut Option<(usize, bool)>,
) {
    let key = python::normalize(&package.name);
    if let Some(&first) = by_name.get(&key) {
        let existing = &mut packages[first];
        if existing.version == package.version {
            for hash in package.hashes {
                python::push_hash(&mut existing.hashes, hash);
            }
        } else {
            warnings.push(ParseWarning {
                line: Some(package.line),
                message: format!(
                    "{} is pinned to {} here and to {} at line {}; the first is kept",
                    package.name, package.version, existing.version, existing.line
                ),
            });
        }
        *via_target = None;
        return;
    }
    by_name.insert(key, packages.len());
    *via_target = Some((packages.len(), false));
    packages.push(package);
    vias.push(Via::default());
}

/// Reads one comment line of a `# via` block.
fn read_via(
    comment: &str,
    target: Option<(usize, bool)>,
    vias: &mut [Via],
) -> Option<(usize, bool)> {
    let (index, in_block) = target?;
    let via = vias.get_mut(index)?;
    let body = comment.trim();
    let tokens = if let Some(rest) = body.strip_prefix("via") {
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return None;
        }
        via.annotated = true;
        rest.trim()
    } else if in_block && comment.starts_with("   ") {
        body
    } else {
        return None;
    };
    if tokens.starts_with("-r") || tokens.starts_with("-c") || tokens.contains('(') {
        via.direct = true;
    } else if let Some(name) = python::leading_name(tokens) {
        via.parents.push(python::normalize(name));
    }
    Some((index, true))
}

fn apply_vias(packages: &mut [Package], vias: &[Via], by_name: &HashMap<String, usize>) {
    if !vias.iter().any(|via| via.annotated) {
        return;
    }
    for (index, via) in vias.iter().enumerate() {
        if !via.annotated {
            continue;
        }
        packages[index].relation = if via.direct {
            Relation::Direct
        } else {
            Relation::Transitive
        };
        for parent in &via.parents {
            if let Some(&parent) = by_name.get(parent)
                && parent != index
                && !packages[parent].dependencies.contains(&index)
            {
                packages[parent].dependencies.push(index);
            }
        }
    }
    for package in packages {
        package.dependencies.sort_unstable();
    }
}

/// Logical lines with the 1-based line each starts on: a line ending in
/// `\` is joined with the next.
fn logical_lines(text: &str) -> impl Iterator<Item = (u32, String)> + '_ {
    let mut lines = text.lines().enumerate().peekable();
    std::iter::from_fn(move || {
        let (first, line) = lines.next()?;
        let mut logical = String::new();
        let mut current = line;
        loop {
            match current.trim_end().strip_suffix('\\') {
                Some(head) if lines.peek().is_some() => {
                    logical.push_str(head);
                    logical.push(' ');
                    current = lines.next().map_or("", |(_, next)| next);
                }
                Some(head) => {
                    logical.push_str(head);
                    break;
                }
                None => {
                    logical.push_str(current);
                    break;
                }
            }
        }
        Some((u32::try_from(first + 1).unwrap_or(u32::MAX), logical))
    })
}

/// Drops a `#` comment that starts the line or follows whitespace (a `#`
/// inside a URL, as in `#egg=`, is kept).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let cut = (0..bytes.len())
        .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()));
    cut.map_or(line, |cut| &line[..cut]).trim()
}

enum OptionLine<'a> {
    Include(&'a str),
    Editable(&'a str),
}

/// The value of an include or editable option line (without its leading
/// `-`); `None` for every other option.
fn option_value(option: &str) -> Option<OptionLine<'_>> {
    const FORMS: [(&str, bool); 6] = [
        ("-requirement", true),
        ("-constraint", true),
        ("-editable", false),
        ("r", true),
        ("c", true),
        ("e", false),
    ];
    FORMS.iter().find_map(|&(name, include)| {
        let rest = option.strip_prefix(name)?;
        let value = if let Some(value) = rest.strip_prefix('=') {
            value
        } else if name.len() == 1 || rest.starts_with(char::is_whitespace) || rest.is_empty() {
            rest
        } else {
            return None;
        };
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        Some(if include {
            OptionLine::Include(value)
        } else {
            OptionLine::Editable(value)
        })
    })
}

/// Splits `req --hash=... --hash ...` at the first option.
fn split_options(content: &str) -> (&str, &str) {
    let bytes = content.as_bytes();
    let start = (1..bytes.len()).find(|&i| {
        bytes[i] == b'-' && bytes[i - 1].is_ascii_whitespace() && bytes.get(i + 1) == Some(&b'-')
    });
    match start {
        Some(start) => (content[..start].trim(), &content[start..]),
        None => (content.trim(), ""),
    }
}

fn hash_options(options: &str) -> Vec<crate::inventory::Hash> {
    let mut hashes = Vec::new();
    let mut tokens = options.split_whitespace();
    while let Some(token) = tokens.next() {
        let value = if let Some(value) = token.strip_prefix("--hash=") {
            Some(value)
        } else if token == "--hash" {
            tokens.next()
        } else {
            None
        };
        if let Some(hash) = value.and_then(python::prefixed_hash) {
            hashes.push(hash);
        }
    }
    hashes
}

enum Outcome {
    Package(Box<Package>),
    Unpinned,
    Local,
    Unreadable(String),
}

fn read_requirement(requirement: &str, line: u32) -> Outcome {
    if looks_like_location(requirement) {
        return url_requirement(None, requirement, line)
            .map_or(Outcome::Local, |p| Outcome::Package(Box::new(p)));
    }
    let parsed = match python::Requirement::parse(requirement) {
        Ok(parsed) => parsed,
        Err(why) => return Outcome::Unreadable(why),
    };
    if let Some(url) = parsed.url {
        return url_requirement(Some(parsed.name), url, line)
            .map_or(Outcome::Local, |p| Outcome::Package(Box::new(p)));
    }
    let Some(version) = parsed.pinned_version() else {
        return Outcome::Unpinned;
    };
    let name = parsed.name;
    let mut package = Package::new(Ecosystem::PyPi, name, version);
    package.line = line;
    Outcome::Package(Box::new(package))
}

/// A bare URL or path rather than `name ...`.
fn looks_like_location(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "git+", "hg+", "svn+", "bzr+", "http://", "https://", "file:", ".", "/",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

/// A requirement given by location; `None` for a local path.
fn url_requirement(name: Option<&str>, location: &str, line: u32) -> Option<Package> {
    let location = location.trim();
    let lower = location.to_ascii_lowercase();
    let (without_fragment, fragment) = location.split_once('#').unwrap_or((location, ""));
    let egg = fragment
        .split('&')
        .find_map(|pair| pair.strip_prefix("egg="))
        .map(|egg| egg.split_once('-').map_or(egg, |(name, _)| name));
    let vcs = ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    if !vcs && !lower.contains("://") || lower.starts_with("file:") {
        return None;
    }
    let (archive_name, archive_version) = archive_identity(without_fragment);
    let name = name.or(egg).or(archive_name)?;
    let (source, version) = if vcs {
        let url = without_fragment
            .split_once('+')
            .map_or(without_fragment, |(_, url)| url);
        let (url, rev) = match url.rsplit_once('@') {
            Some((repo, rev)) if !rev.contains('/') => (repo, Some(rev.to_owned())),
            _ => (url, None),
        };
        (
            PackageSource::Git {
                url: url.to_owned(),
                rev,
            },
            "",
        )
    } else {
        (
            PackageSource::Url {
                url: without_fragment.to_owned(),
            },
            archive_version.unwrap_or(""),
        )
    };
    let mut package = Package::new(Ecosystem::PyPi, name, version);
    package.source = source;
    package.line = line;
    Some(package)
}

/// Name and version from an sdist or wheel file name at the end of a URL
/// (`pkg-1.0.tar.gz`, `pkg-1.0-py3-none-any.whl`).
fn archive_identity(url: &str) -> (Option<&str>, Option<&str>) {
    let file = url.rsplit('/').next().unwrap_or(url);
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".whl", ".tgz"]
        .iter()
        .find_map(|suffix| file.strip_suffix(suffix));
    let Some(stem) = stem else {
        return (None, None);
    };
    let mut parts = stem.splitn(3, '-');
    let name = parts.next().filter(|name| !name.is_empty());
    let version = parts
        .next()
        .filter(|version| version.starts_with(|c: char| c.is_ascii_digit()));
    match (name, version) {
        (Some(name), Some(version)) => (Some(name), Some(version)),
        _ => (None, None),
    }
}

/// Whether `path` is named like a requirements file (`requirements.txt`,
/// `requirements-dev.txt`, `requirements/base.txt`).
pub(crate) fn is_requirements_name(path: &str) -> bool {
    let name = super::file_name(path);
    name.ends_with(".txt") && (name.starts_with("requirements") || path.contains("requirements/"))
}

/// Whether `path` might be included by a requirements file, so it must be
/// collected: text files whose name or directory speaks of requirements or
/// constraints. Collecting every `.txt` would hold licences and docs in
/// memory for nothing.
pub(crate) fn is_candidate(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".txt") || lower.ends_with(".in"))
        && (lower.contains("req") || lower.contains("constraint"))
}

/// Whether a requirements file in `files` includes `path` with `-r`/`-c`,
/// directly or through other includes. Each file is read once, so include
/// cycles end.
pub(crate) fn is_included(path: &str, files: &FileSet) -> bool {
    let mut queue: VecDeque<String> = files
        .iter()
        .map(|(name, _)| name)
        .filter(|name| is_requirements_name(name) && *name != path)
        .map(str::to_owned)
        .collect();
    let mut visited: HashSet<String> = queue.iter().cloned().collect();
    while let Some(current) = queue.pop_front() {
        let Some(text) = files
            .get(&current)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
        else {
            continue;
        };
        for target in include_targets(text) {
            let Some(resolved) = super::sibling(&current, target) else {
                continue;
            };
            if resolved == path {
                return true;
            }
            if files.get(&resolved).is_some() && visited.insert(resolved.clone()) {
                queue.push_back(resolved);
            }
        }
    }
    false
}

/// The files a requirements text includes with `-r` / `-c`.
fn include_targets(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let option = strip_comment(line.trim()).strip_prefix('-')?;
        match option_value(option)? {
            OptionLine::Include(target) => Some(target),
            OptionLine::Editable(_) => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::HashAlgorithm;

    fn parse_one(text: &str) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("requirements.txt", text.as_bytes().to_vec());
        parse("requirements.txt", &files).unwrap()
    }

    #[test]
    fn pins_hashes_continuations_markers_and_extras() {
        let sha_a = "a".repeat(64);
        let sha_b = "b".repeat(64);
        let text = format!(
            "# comment\n--index-url https://pypi.example/simple\nRequests[socks]==2.31.0 \\\n    --hash=sha256:{sha_a} \\\n    --hash sha256:{sha_b}\ntomli==2.0.1; python_version < \"3.11\"  # why\nflask>=2\nclick\narrow===1.3.0\nlegacy == 1.0.*\n"
        );
        let lockfile = parse_one(&text);
        let summary: Vec<(&str, &str, u32)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("Requests", "2.31.0", 3),
                ("tomli", "2.0.1", 6),
                ("arrow", "1.3.0", 9)
            ]
        );
        assert_eq!(lockfile.packages[0].hashes.len(), 2);
        assert_eq!(
            lockfile.packages[0].hashes[1].algorithm,
            HashAlgorithm::Sha256
        );
        assert_eq!(lockfile.packages[0].relation, Relation::Unknown);
        assert_eq!(lockfile.warnings.len(), 1);
        assert!(lockfile.warnings[0].message.starts_with("3 requirements"));
    }

    #[test]
    fn urls_git_and_editables_become_packages_and_local_paths_do_not() {
        let text = "pkg@https://files.example/pkg-1.4.2.tar.gz\n-e git+https://github.com/o/tool.git@v2.0#egg=tool\n./libs/local\n-e .\nts_utils @ file:lib\nhttps://files.example/other-0.3-py3-none-any.whl\n";
        let lockfile = parse_one(text);
        let summary: Vec<(&str, &str, &PackageSource)> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), &p.source))
            .collect();
        assert_eq!(summary.len(), 3, "{summary:?}");
        assert_eq!(summary[0].1, "1.4.2");
        assert_eq!(
            summary[1],
            (
                "tool",
                "",
                &PackageSource::Git {
                    url: "https://github.com/o/tool.git".into(),
                    rev: Some("v2.0".into())
                }
            )
        );
        assert_eq!(summary[2].0, "other");
        assert!(lockfile.warnings.is_empty(), "{:?}", lockfile.warnings);
    }

    #[test]
    fn pip_compile_annotations_give_relations_and_edges() {
        let text = "attrs==23.1.0\n    # via\n    #   -r requirements.in\n    #   jsonschema\njsonschema==4.19.0\n    # via -r requirements.in\nrpds-py==0.10.0\n    # via jsonschema\n\n# The following packages are considered to be unsafe:\npip==23.2\n";
        let lockfile = parse_one(text);
        let relations: Vec<Relation> = lockfile.packages.iter().map(|p| p.relation).collect();
        assert_eq!(
            relations,
            [
                Relation::Direct,
                Relation::Direct,
                Relation::Transitive,
                Relation::Unknown
            ]
        );
        assert_eq!(lockfile.packages[1].dependencies, vec![0, 2]);
    }

    #[test]
    fn conflicting_pins_and_unreadable_lines_are_warnings() {
        let lockfile = parse_one("six==1.16.0\nsix==1.15.0\nsix==1.16.0\nbad==\n[broken\n");
        assert_eq!(lockfile.packages.len(), 1);
        let lines: Vec<Option<u32>> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(2), Some(4), Some(5)]);
    }

    #[test]
    fn includes_are_detected_checked_and_cycles_end() {
        let mut files = FileSet::new();
        files.insert(
            "requirements.txt",
            b"-r base/common.in\n--constraint=constraints.txt\n-r missing.txt\n".to_vec(),
        );
        files.insert(
            "base/common.in",
            b"-r ../requirements.txt\n-r deeper.pip\nsix==1.16.0\n".to_vec(),
        );
        files.insert("base/deeper.pip", b"idna==3.7\n".to_vec());
        files.insert("constraints.txt", b"idna==3.7\n".to_vec());
        files.insert("notes.txt", b"nothing\n".to_vec());
        assert!(is_included("base/common.in", &files));
        assert!(is_included("base/deeper.pip", &files));
        assert!(is_included("constraints.txt", &files));
        assert!(!is_included("notes.txt", &files));
        let lockfile = parse("requirements.txt", &files).unwrap();
        assert!(lockfile.packages.is_empty());
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(3));
        assert!(lockfile.warnings[0].message.contains("missing.txt"));
    }

    #[test]
    fn names_and_candidates() {
        assert!(is_requirements_name("requirements-dev.txt"));
        assert!(is_requirements_name("ci/requirements/lint.txt"));
        assert!(!is_requirements_name("docs/notes.txt"));
        assert!(is_candidate("constraints.txt"));
        assert!(!is_candidate("LICENSE.txt"));
    }
}
