//! `go.mod`, completed by the `go.sum` beside it.
//!
//! Format facts relied on:
//! - One directive per line, or a block `verb ( ... )` holding one entry
//!   per line; `//` starts a comment; tokens may be quoted with `"` or
//!   `` ` ``.
//! - `module` names the project (the root component); it is not a package.
//! - `require` entries are `path version`; a trailing `// indirect`
//!   comment marks a module the project does not import itself
//!   (transitive), the rest are direct. Go records no dev/runtime split, so
//!   every module is runtime.
//! - `replace old [version] => new [version]`: a replacement by another
//!   module version changes the package's identity to that module and
//!   version (that is the code that is built); a replacement by a
//!   directory (`./x`, `../x`, `/x`) keeps the required identity with a
//!   path source, since the code is local. A replacement naming an old
//!   version applies only to that version.
//! - `exclude`, `retract`, `toolchain`, `godebug`, `tool` and `ignore`
//!   name no package. `exclude` and `retract` only constrain version
//!   selection, which `require` already records.
//! - Since Go 1.17 (module graph pruning) `go.mod` lists every module the
//!   build needs, so `go.sum` adds nothing. Before 1.17 (or without a `go`
//!   directive, which Go reads as 1.16) `go.mod` lists only some modules;
//!   then each module with a content line (`path version h1:...`, not only
//!   `/go.mod`) in `go.sum` and absent from `go.mod` is added as
//!   transitive at its highest listed version, with line 0 because its
//!   entry is in `go.sum`, not in this file. `h1:` is a hash of a file
//!   tree, not of an artifact, so it is not stored.
//! - The Go standard library is a package named `stdlib` in OSV, whose
//!   advisories are many; the toolchain the project asks for (the
//!   `toolchain` directive, else the `go` directive) is added as `stdlib`
//!   so they match, as it is the oldest toolchain that may build the
//!   project. A two-part version (`1.21`) is read as its first release
//!   (`1.21.0`).

use std::collections::{BTreeMap, HashMap};

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, PackageSource, ParseWarning, Relation,
    RootComponent, Scope,
};
use crate::lockfile::LockfileKind;
use crate::version;

/// The Go release that made `go.mod` list every module of the build.
const PRUNED_GRAPH_MINOR: u64 = 17;

struct Requirement {
    name: String,
    version: String,
    indirect: bool,
    line: u32,
}

struct Replacement {
    old_version: Option<String>,
    target: ReplacementTarget,
}

enum ReplacementTarget {
    Module { name: String, version: String },
    Directory(String),
}

#[derive(Default)]
struct GoMod {
    module: Option<String>,
    go_version: Option<(String, u32)>,
    toolchain: Option<(String, u32)>,
    requirements: Vec<Requirement>,
    replacements: HashMap<String, Vec<Replacement>>,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let mut warnings = Vec::new();
    let go_mod = read_go_mod(text, &mut warnings);
    if go_mod.module.is_none()
        && go_mod.requirements.is_empty()
        && go_mod.go_version.is_none()
        && !text.lines().all(is_blank_or_comment)
    {
        return Err(super::error(
            path,
            None,
            "no `module`, `go` or `require` directive: not a go.mod file",
        ));
    }

    let mut packages: Vec<Package> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for requirement in &go_mod.requirements {
        if let Some(&index) = seen.get(&requirement.name) {
            if packages[index].version != requirement.version {
                warnings.push(warning(
                    requirement.line,
                    format!(
                        "`{}` is required twice ({} and {}); the first is kept",
                        requirement.name, packages[index].version, requirement.version
                    ),
                ));
            }
            continue;
        }
        let mut package = resolve(requirement, &go_mod.replacements);
        package.relation = if requirement.indirect {
            Relation::Transitive
        } else {
            Relation::Direct
        };
        package.scope = Scope::Runtime;
        package.line = requirement.line;
        seen.insert(requirement.name.clone(), packages.len());
        packages.push(package);
    }

    if !lists_every_module(&go_mod)
        && let Some(sum) = super::sibling(path, "go.sum").and_then(|sum| files.get(&sum))
    {
        add_go_sum_modules(
            &String::from_utf8_lossy(sum),
            &go_mod,
            &mut seen,
            &mut packages,
        );
    }

    if let Some((version, line)) = go_mod.toolchain.as_ref().or(go_mod.go_version.as_ref()) {
        let mut stdlib = Package::new(Ecosystem::Go, "stdlib", release_version(version));
        stdlib.relation = Relation::Direct;
        stdlib.scope = Scope::Runtime;
        stdlib.line = *line;
        packages.push(stdlib);
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::GoMod,
        root: go_mod.module.map(|name| RootComponent {
            name,
            version: None,
            ecosystem: Ecosystem::Go,
        }),
        packages,
        warnings,
    })
}

fn is_blank_or_comment(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with("//")
}

/// Whether the `go` directive is 1.17 or later, so `go.mod` is complete.
fn lists_every_module(go_mod: &GoMod) -> bool {
    let Some((version, _)) = &go_mod.go_version else {
        return false;
    };
    let mut parts = version.split('.');
    let major = parts.next().and_then(|p| p.parse::<u64>().ok());
    let minor = parts
        .next()
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|p| p.parse::<u64>().ok());
    match (major, minor) {
        (Some(major), Some(minor)) => major > 1 || minor >= PRUNED_GRAPH_MINOR,
        (Some(major), None) => major > 1,
        _ => false,
    }
}

/// `go1.21.3` or `1.21` as a three-part release version.
fn release_version(text: &str) -> String {
    let bare = text.strip_prefix("go").unwrap_or(text);
    let numeric = bare
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric && bare.split('.').count() == 2 {
        format!("{bare}.0")
    } else {
        bare.to_owned()
    }
}

/// The package a requirement builds, after `replace` directives.
fn resolve(requirement: &Requirement, replacements: &HashMap<String, Vec<Replacement>>) -> Package {
    let chosen = replacements.get(&requirement.name).and_then(|candidates| {
        candidates
            .iter()
            .find(|r| r.old_version.as_deref() == Some(requirement.version.as_str()))
            .or_else(|| candidates.iter().find(|r| r.old_version.is_none()))
    });
    match chosen.map(|r| &r.target) {
        Some(ReplacementTarget::Module { name, version }) => {
            Package::new(Ecosystem::Go, name.clone(), version.clone())
        }
        Some(ReplacementTarget::Directory(directory)) => {
            let mut package = Package::new(
                Ecosystem::Go,
                requirement.name.clone(),
                requirement.version.clone(),
            );
            package.source = PackageSource::Path {
                path: directory.clone(),
            };
            package
        }
        None => Package::new(
            Ecosystem::Go,
            requirement.name.clone(),
            requirement.version.clone(),
        ),
    }
}

fn add_go_sum_modules(
    sum: &str,
    go_mod: &GoMod,
    seen: &mut HashMap<String, usize>,
    packages: &mut Vec<Package>,
) {
    let mut highest: BTreeMap<&str, &str> = BTreeMap::new();
    for line in sum.lines() {
        let mut fields = line.split_whitespace();
        let (Some(name), Some(version), Some(_hash)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if version.ends_with("/go.mod") || seen.contains_key(name) {
            continue;
        }
        if Some(name) == go_mod.module.as_deref() {
            continue;
        }
        let newer = match highest.get(name) {
            Some(current) => matches!(
                version::compare(Ecosystem::Go, version, current),
                Ok(std::cmp::Ordering::Greater)
            ),
            None => true,
        };
        if newer {
            highest.insert(name, version);
        }
    }
    for (name, version) in highest {
        let requirement = Requirement {
            name: name.to_owned(),
            version: version.to_owned(),
            indirect: true,
            line: 0,
        };
        let mut package = resolve(&requirement, &go_mod.replacements);
        package.relation = Relation::Transitive;
        package.scope = Scope::Runtime;
        seen.insert(name.to_owned(), packages.len());
        packages.push(package);
    }
}

fn read_go_mod(text: &str, warnings: &mut Vec<ParseWarning>) -> GoMod {
    let mut go_mod = GoMod::default();
    let mut block: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (code, comment) = split_comment(raw);
        let tokens = match tokenize(code) {
            Ok(tokens) => tokens,
            Err(message) => {
                warnings.push(warning(line_number, message));
                continue;
            }
        };
        if tokens.is_empty() {
            continue;
        }
        let indirect = comment.is_some_and(is_indirect_comment);
        if let Some(verb) = &block {
            if tokens == [")"] {
                block = None;
                continue;
            }
            let verb = verb.clone();
            directive(&mut go_mod, &verb, &tokens, indirect, line_number, warnings);
            continue;
        }
        if tokens.len() == 2 && tokens[1] == "(" {
            block = Some(tokens[0].clone());
            continue;
        }
        let verb = tokens[0].clone();
        directive(
            &mut go_mod,
            &verb,
            &tokens[1..],
            indirect,
            line_number,
            warnings,
        );
    }
    if block.is_some() {
        warnings.push(ParseWarning {
            line: None,
            message: "a `(` block is not closed; the file may be truncated".to_owned(),
        });
    }
    go_mod
}

fn directive(
    go_mod: &mut GoMod,
    verb: &str,
    args: &[String],
    indirect: bool,
    line: u32,
    warnings: &mut Vec<ParseWarning>,
) {
    match verb {
        "module" => match args {
            [name] => go_mod.module = Some(name.clone()),
            _ => warnings.push(warning(line, "`module` needs exactly one path; ignored")),
        },
        "go" => match args {
            [version] => go_mod.go_version = Some((version.clone(), line)),
            _ => warnings.push(warning(line, "`go` needs exactly one version; ignored")),
        },
        "toolchain" => match args {
            [name] => go_mod.toolchain = Some((name.clone(), line)),
            _ => warnings.push(warning(line, "`toolchain` needs exactly one name; ignored")),
        },
        "require" => match args {
            [name, version] => go_mod.requirements.push(Requirement {
                name: name.clone(),
                version: version.clone(),
                indirect,
                line,
            }),
            _ => warnings.push(warning(
                line,
                "a requirement is `path version`; entry skipped",
            )),
        },
        "replace" => match replacement(args) {
            Some((name, replacement)) => {
                go_mod
                    .replacements
                    .entry(name)
                    .or_default()
                    .push(replacement);
            }
            None => warnings.push(warning(
                line,
                "a replacement is `path [version] => path [version]`; entry skipped",
            )),
        },
        "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
        other => warnings.push(warning(
            line,
            format!("unknown directive `{other}`; ignored"),
        )),
    }
}

fn replacement(args: &[String]) -> Option<(String, Replacement)> {
    let arrow = args.iter().position(|token| token == "=>")?;
    let (old, new) = (&args[..arrow], &args[arrow + 1..]);
    let (name, old_version) = match old {
        [name] => (name.clone(), None),
        [name, version] => (name.clone(), Some(version.clone())),
        _ => return None,
    };
    let target = match new {
        [directory] if is_directory(directory) => ReplacementTarget::Directory(directory.clone()),
        [name, version] => ReplacementTarget::Module {
            name: name.clone(),
            version: version.clone(),
        },
        _ => return None,
    };
    Some((
        name,
        Replacement {
            old_version,
            target,
        },
    ))
}

/// Go reads a replacement target as a directory when it is a path, not a
/// module path.
fn is_directory(target: &str) -> bool {
    target.starts_with("./")
        || target.starts_with("../")
        || target.starts_with('/')
        || target == "."
        || target == ".."
        || target.as_bytes().get(1) == Some(&b':')
}

fn is_indirect_comment(comment: &str) -> bool {
    let comment = comment.trim();
    comment == "indirect" || comment.starts_with("indirect;")
}

/// The code before a `//` comment (outside quotes) and the comment text.
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match quote {
            Some(b'"') if byte == b'\\' => index += 1,
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'"' || byte == b'`' => quote = Some(byte),
            None if byte == b'/' && bytes.get(index + 1) == Some(&b'/') => {
                return (&line[..index], Some(&line[index + 2..]));
            }
            None => {}
        }
        index += 1;
    }
    (line, None)
}

/// Splits a directive into tokens: words, `(`, `)`, `=>` and quoted
/// strings (unquoted).
fn tokenize(code: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some(&(start, ch)) = chars.peek() {
        if ch.is_whitespace() {
            chars.next();
            continue;
        }
        if ch == '"' || ch == '`' {
            chars.next();
            let mut value = String::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                if c == ch {
                    closed = true;
                    break;
                }
                if c == '\\' && ch == '"' {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                    continue;
                }
                value.push(c);
            }
            if !closed {
                return Err("unterminated quoted string; line skipped".to_owned());
            }
            tokens.push(value);
            continue;
        }
        let mut end = code.len();
        while let Some(&(position, c)) = chars.peek() {
            if c.is_whitespace() || c == '"' || c == '`' {
                end = position;
                break;
            }
            chars.next();
        }
        tokens.push(code[start..end].to_owned());
    }
    Ok(tokens)
}

fn warning(line: u32, message: impl Into<String>) -> ParseWarning {
    ParseWarning {
        line: Some(line),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(go_mod: &str, go_sum: Option<&str>) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("svc/go.mod", go_mod.as_bytes().to_vec());
        if let Some(sum) = go_sum {
            files.insert("svc/go.sum", sum.as_bytes().to_vec());
        }
        parse("svc/go.mod", &files).unwrap()
    }

    #[test]
    fn single_line_and_block_requirements_with_indirect_comments() {
        let lockfile = read(
            "module example.com/svc\n\ngo 1.22\n\nrequire example.com/a v1.0.0\nrequire (\n\texample.com/b v0.2.0 // indirect\n\t\"example.com/c\" v3.1.0+incompatible // indirect; kept for tests\n\texample.com/d v1.1.0 // pinned\n)\n",
            None,
        );
        let root = lockfile.root.unwrap();
        assert_eq!(root.name, "example.com/svc");
        let got: Vec<_> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.relation, p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("example.com/a", "v1.0.0", Relation::Direct, 5),
                ("example.com/b", "v0.2.0", Relation::Transitive, 7),
                (
                    "example.com/c",
                    "v3.1.0+incompatible",
                    Relation::Transitive,
                    8
                ),
                ("example.com/d", "v1.1.0", Relation::Direct, 9),
                ("stdlib", "1.22.0", Relation::Direct, 3),
            ]
        );
        assert!(lockfile.warnings.is_empty());
    }

    #[test]
    fn replacements_change_identity_or_source_and_respect_old_versions() {
        let lockfile = read(
            "module m\ngo 1.21.5\ntoolchain go1.22.1\nrequire (\n a v1.0.0\n b v1.0.0\n c v1.0.0\n)\nreplace a => fork/a v1.0.1\nreplace b v0.9.0 => fork/b v0.9.1\nreplace c => ../c\n",
            None,
        );
        let a = &lockfile.packages[0];
        assert_eq!((a.name.as_str(), a.version.as_str()), ("fork/a", "v1.0.1"));
        let b = &lockfile.packages[1];
        assert_eq!((b.name.as_str(), b.version.as_str()), ("b", "v1.0.0"));
        let c = &lockfile.packages[2];
        assert_eq!(
            c.source,
            PackageSource::Path {
                path: "../c".to_owned()
            }
        );
        let stdlib = &lockfile.packages[3];
        assert_eq!(
            (stdlib.name.as_str(), stdlib.version.as_str(), stdlib.line),
            ("stdlib", "1.22.1", 3)
        );
    }

    #[test]
    fn go_sum_completes_only_pre_pruning_modules() {
        let sum = "x v1.0.0 h1:aaa=\nx v1.0.0/go.mod h1:bbb=\ny v1.2.0 h1:ccc=\ny v1.10.0 h1:ddd=\nz v2.0.0/go.mod h1:eee=\n";
        let old = read("module m\ngo 1.16\nrequire x v1.0.0\n", Some(sum));
        let names: Vec<_> = old
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            names,
            [
                ("x", "v1.0.0", 3),
                ("y", "v1.10.0", 0),
                ("stdlib", "1.16.0", 2)
            ]
        );
        let new = read("module m\ngo 1.17\nrequire x v1.0.0\n", Some(sum));
        assert_eq!(new.packages.len(), 2);
    }

    #[test]
    fn conflicting_duplicates_and_broken_lines_warn() {
        let lockfile = read(
            "module m\nrequire a v1.0.0\nrequire a v2.0.0\nrequire b\nrequire \"c v1\nfrobnicate x\nrequire (\n d v1.0.0\n",
            None,
        );
        assert_eq!(lockfile.packages.len(), 2);
        let lines: Vec<_> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(4), Some(5), Some(6), None, Some(3)]);
    }

    #[test]
    fn comments_inside_quotes_are_not_comments_and_non_go_mod_text_is_an_error() {
        assert_eq!(
            split_comment("a \"b//c\" // d"),
            ("a \"b//c\" ", Some(" d"))
        );
        let mut files = FileSet::new();
        files.insert("go.mod", b"<html>\n".to_vec());
        assert!(parse("go.mod", &files).is_err());
        files.insert("go.mod", b"// just a comment\n".to_vec());
        assert!(parse("go.mod", &files).unwrap().packages.is_empty());
    }
}
