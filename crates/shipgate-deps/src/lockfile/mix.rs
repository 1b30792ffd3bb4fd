//! Elixir `mix.lock`.
//!
//! Format facts relied on:
//! - The file is one Elixir map literal: `%{"app": {...}, ...}` (older
//!   files write `"app" => {...}`), keyed by the application name.
//! - A Hex entry is `{:hex, :package, "version", "inner_checksum",
//!   managers, deps, "repo", "outer_checksum"}`; older ones stop after
//!   `deps` or after `repo`. The outer checksum is the SHA-256 of the
//!   package tarball and is stored; the inner one hashes the contents only
//!   and is not an artifact hash. `repo` `hexpm` is the default registry;
//!   any other (`hexpm:org`, a private repo) is an alternate one.
//! - Each dep is `{:app, "requirement", [hex: :package, repo: "hexpm",
//!   optional: false]}`; deps become edges to the entry of that app.
//! - A Git entry is `{:git, "url", "sha", [branch: ..]}`; its version is
//!   the commit.
//! - The lockfile does not say which deps the project asks for. The
//!   `mix.exs` beside it does, in its `deps` list of `{:app, ...}` tuples:
//!   when it is present, apps named there are direct (development when
//!   `only:` names just `:dev`/`:test`), the rest transitive.
//! - A small tokenizer reads this term syntax (maps, tuples, lists,
//!   keyword pairs, atoms, strings, numbers); nesting is bounded so a
//!   hostile file cannot exhaust the stack.

use std::collections::HashMap;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Lockfile, LockfileError, Package, PackageSource, ParseWarning,
    Relation, RootComponent, Scope,
};
use crate::lockfile::LockfileKind;

/// Deepest term nesting read; real lockfiles nest four levels.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    MapOpen,
    BraceOpen,
    BraceClose,
    BracketOpen,
    BracketClose,
    Comma,
    Arrow,
    Atom(String),
    Str(String),
    /// `"name":` or `name:`: a key in keyword syntax.
    Key(String),
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
enum Term {
    Map(Vec<(Term, Term, u32)>),
    Tuple(Vec<Term>),
    List(Vec<Term>),
    Atom(String),
    Str(String),
    Other,
}

impl Term {
    fn as_text(&self) -> Option<&str> {
        match self {
            Term::Atom(text) | Term::Str(text) => Some(text),
            _ => None,
        }
    }
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let tokens =
        tokenize(text).map_err(|(line, message)| super::error(path, Some(line), message))?;
    let mut reader = Reader {
        tokens: &tokens,
        position: 0,
    };
    let entries = if tokens.is_empty() {
        Vec::new()
    } else {
        match reader
            .term(0)
            .map_err(|(line, message)| super::error(path, Some(line), message))?
        {
            Term::Map(entries) => entries,
            _ => {
                return Err(super::error(
                    path,
                    Some(1),
                    "a mix.lock is one `%{...}` map",
                ));
            }
        }
    };
    if let Some((_, line)) = tokens.get(reader.position) {
        return Err(super::error(
            path,
            Some(*line),
            "text after the lockfile's map",
        ));
    }

    let declared = super::sibling(path, "mix.exs")
        .and_then(|manifest| files.get(&manifest))
        .map(|bytes| declared_deps(&String::from_utf8_lossy(bytes)));

    let mut warnings = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    let mut by_app: HashMap<String, usize> = HashMap::new();
    let mut deps_of: Vec<Vec<String>> = Vec::new();
    for (key, value, line) in entries {
        let Some(app) = key.as_text().map(str::to_owned) else {
            warnings.push(warning(line, "a lockfile key is not a name; entry skipped"));
            continue;
        };
        let Some((mut package, deps)) = read_entry(&app, &value) else {
            warnings.push(warning(
                line,
                format!("`{app}` is neither a :hex nor a :git entry; skipped"),
            ));
            continue;
        };
        if by_app.contains_key(&app) {
            warnings.push(warning(
                line,
                format!("`{app}` is locked twice; the first is kept"),
            ));
            continue;
        }
        package.line = line;
        if let Some(declared) = &declared {
            (package.relation, package.scope) = match declared.get(&app) {
                Some(true) => (Relation::Direct, Scope::Development),
                Some(false) => (Relation::Direct, Scope::Runtime),
                None => (Relation::Transitive, Scope::Unknown),
            };
        }
        by_app.insert(app, packages.len());
        packages.push(package);
        deps_of.push(deps);
    }
    for (index, deps) in deps_of.into_iter().enumerate() {
        let mut targets: Vec<usize> = deps
            .iter()
            .filter_map(|dep| by_app.get(dep).copied())
            .filter(|&target| target != index)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        packages[index].dependencies = targets;
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::MixLock,
        root: manifest_root(path, files),
        packages,
        warnings,
    })
}

/// The package of one entry and the apps it depends on.
fn read_entry(app: &str, value: &Term) -> Option<(Package, Vec<String>)> {
    let Term::Tuple(items) = value else {
        return None;
    };
    match items.first()?.as_text()? {
        "hex" => {
            let name = items.get(1)?.as_text()?;
            let version = items.get(2)?.as_text()?;
            let mut package = Package::new(Ecosystem::Hex, name, version);
            if let Some(repo) = items.get(6).and_then(Term::as_text)
                && repo != "hexpm"
            {
                package.source = PackageSource::AlternateRegistry {
                    url: repo.to_owned(),
                };
            }
            if let Some(outer) = items.get(7).and_then(Term::as_text)
                && outer.len() == 64
                && outer.bytes().all(|b| b.is_ascii_hexdigit())
            {
                package.hashes.push(Hash {
                    algorithm: HashAlgorithm::Sha256,
                    value: outer.to_ascii_lowercase(),
                });
            }
            let deps = match items.get(5) {
                Some(Term::List(deps)) => deps
                    .iter()
                    .filter_map(|dep| match dep {
                        Term::Tuple(parts) => parts.first()?.as_text().map(str::to_owned),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            Some((package, deps))
        }
        "git" => {
            let url = items.get(1)?.as_text()?;
            let commit = items.get(2)?.as_text()?;
            let mut package = Package::new(Ecosystem::Hex, app, commit);
            package.source = PackageSource::Git {
                url: url.to_owned(),
                rev: Some(commit.to_owned()),
            };
            Some((package, Vec::new()))
        }
        _ => None,
    }
}

/// Apps named as `{:app, ...}` in `mix.exs`, each with whether it is only
/// for `:dev`/`:test`. Read from the text, not evaluated: every tuple
/// opening with an atom counts, which is what a `deps` list holds.
fn declared_deps(manifest: &str) -> HashMap<String, bool> {
    let mut declared = HashMap::new();
    let mut rest = manifest;
    while let Some(start) = rest.find("{:") {
        let after = &rest[start + 2..];
        let name_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_end];
        let tuple_end = after.find('}').unwrap_or(after.len());
        let tuple = &after[..tuple_end];
        if !name.is_empty() && tuple.contains(',') {
            let development = tuple.split_once("only:").is_some_and(|(_, only)| {
                let only = only.split(']').next().unwrap_or(only);
                let environments: Vec<&str> = only
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .filter(|word| word.starts_with(':'))
                    .collect();
                !environments.is_empty()
                    && environments.iter().all(|e| matches!(*e, ":dev" | ":test"))
            });
            declared.insert(name.to_owned(), development);
        }
        rest = &after[name_end..];
    }
    declared
}

/// The project's `app:` and `version:` from `mix.exs`, when written as
/// literals.
fn manifest_root(path: &str, files: &FileSet) -> Option<RootComponent> {
    let manifest = super::sibling(path, "mix.exs")?;
    let text = String::from_utf8_lossy(files.get(&manifest)?).into_owned();
    let app = text.split_once("app: :").map(|(_, rest)| {
        rest.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
    })?;
    let version = text
        .split_once("version: \"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(version, _)| version.to_owned());
    (!app.is_empty()).then_some(RootComponent {
        name: app,
        version,
        ecosystem: Ecosystem::Hex,
    })
}

struct Reader<'a> {
    tokens: &'a [(Token, u32)],
    position: usize,
}

impl Reader<'_> {
    fn next(&mut self) -> Result<(Token, u32), (u32, String)> {
        let token = self.tokens.get(self.position).cloned().ok_or_else(|| {
            let line = self.tokens.last().map_or(1, |(_, line)| *line);
            (
                line,
                "the file ends inside a term; it may be truncated".to_owned(),
            )
        })?;
        self.position += 1;
        Ok(token)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position).map(|(token, _)| token)
    }

    fn term(&mut self, depth: usize) -> Result<Term, (u32, String)> {
        let (token, line) = self.next()?;
        if depth > MAX_DEPTH {
            return Err((line, "terms nest too deeply".to_owned()));
        }
        match token {
            Token::MapOpen => self.map(depth),
            Token::BraceOpen => Ok(Term::Tuple(self.sequence(Token::BraceClose, depth)?)),
            Token::BracketOpen => Ok(Term::List(self.sequence(Token::BracketClose, depth)?)),
            Token::Atom(atom) => Ok(Term::Atom(atom)),
            Token::Str(text) => Ok(Term::Str(text)),
            Token::Other(_) => Ok(Term::Other),
            unexpected => Err((line, format!("unexpected {unexpected:?}"))),
        }
    }

    fn map(&mut self, depth: usize) -> Result<Term, (u32, String)> {
        let mut entries = Vec::new();
        loop {
            let (token, line) = self.next()?;
            let key = match token {
                Token::BraceClose => return Ok(Term::Map(entries)),
                Token::Key(key) => Term::Str(key),
                Token::Str(key) => {
                    self.expect_arrow(line)?;
                    Term::Str(key)
                }
                Token::Atom(key) => {
                    self.expect_arrow(line)?;
                    Term::Atom(key)
                }
                unexpected => {
                    return Err((line, format!("expected a map key, found {unexpected:?}")));
                }
            };
            let value = self.term(depth + 1)?;
            entries.push((key, value, line));
            if !self.separator(Token::BraceClose)? {
                return Ok(Term::Map(entries));
            }
        }
    }

    fn expect_arrow(&mut self, line: u32) -> Result<(), (u32, String)> {
        match self.next()? {
            (Token::Arrow, _) => Ok(()),
            _ => Err((line, "expected `=>` after a map key".to_owned())),
        }
    }

    /// Items up to `close`, keyword pairs (`key: value`) read as 2-tuples.
    fn sequence(&mut self, close: Token, depth: usize) -> Result<Vec<Term>, (u32, String)> {
        let mut items = Vec::new();
        if self.peek() == Some(&close) {
            self.position += 1;
            return Ok(items);
        }
        loop {
            if let Some(Token::Key(key)) = self.peek().cloned() {
                self.position += 1;
                let value = self.term(depth + 1)?;
                items.push(Term::Tuple(vec![Term::Atom(key), value]));
            } else {
                items.push(self.term(depth + 1)?);
            }
            if !self.separator(close.clone())? {
                return Ok(items);
            }
        }
    }

    /// After an item: `true` when another follows, `false` at `close`
    /// (a trailing comma before `close` is allowed).
    fn separator(&mut self, close: Token) -> Result<bool, (u32, String)> {
        let (token, line) = self.next()?;
        if token == close {
            return Ok(false);
        }
        if token != Token::Comma {
            return Err((
                line,
                format!("expected `,` or the closing bracket, found {token:?}"),
            ));
        }
        if self.peek() == Some(&close) {
            self.position += 1;
            return Ok(false);
        }
        Ok(true)
    }
}

fn tokenize(text: &str) -> Result<Vec<(Token, u32)>, (u32, String)> {
    let mut tokens = Vec::new();
    let mut line = 1u32;
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        let start_line = line;
        let token = match ch {
            '\n' => {
                line += 1;
                continue;
            }
            c if c.is_whitespace() => continue,
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
                continue;
            }
            '%' if chars.peek() == Some(&'{') => {
                chars.next();
                Token::MapOpen
            }
            '{' => Token::BraceOpen,
            '}' => Token::BraceClose,
            '[' => Token::BracketOpen,
            ']' => Token::BracketClose,
            ',' => Token::Comma,
            '=' if chars.peek() == Some(&'>') => {
                chars.next();
                Token::Arrow
            }
            '"' => {
                let text = quoted(&mut chars, &mut line)
                    .ok_or((start_line, "unterminated string".to_owned()))?;
                if chars.peek() == Some(&':') {
                    chars.next();
                    Token::Key(text)
                } else {
                    Token::Str(text)
                }
            }
            ':' => match chars.peek() {
                Some('"') => {
                    chars.next();
                    Token::Atom(
                        quoted(&mut chars, &mut line)
                            .ok_or((start_line, "unterminated atom".to_owned()))?,
                    )
                }
                _ => {
                    let name = word(&mut chars);
                    if name.is_empty() {
                        return Err((line, "`:` without an atom name".to_owned()));
                    }
                    Token::Atom(name)
                }
            },
            c if c.is_alphanumeric() || c == '_' || c == '-' || c == '+' => {
                let mut name = c.to_string();
                name.push_str(&word(&mut chars));
                if chars.peek() == Some(&':') {
                    chars.next();
                    Token::Key(name)
                } else {
                    Token::Other(name)
                }
            }
            other => return Err((line, format!("unexpected character `{other}`"))),
        };
        tokens.push((token, start_line));
    }
    Ok(tokens)
}

fn word(chars: &mut std::iter::Peekable<std::str::Chars>) -> String {
    let mut name = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_alphanumeric() || matches!(c, '_' | '.' | '?' | '!' | '@') {
            name.push(c);
            chars.next();
        } else {
            break;
        }
    }
    name
}

/// The rest of a `"`-quoted string, unescaped; `None` when unterminated.
fn quoted(chars: &mut std::iter::Peekable<std::str::Chars>, line: &mut u32) -> Option<String> {
    let mut text = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(text),
            '\\' => text.push(chars.next()?),
            '\n' => {
                *line += 1;
                text.push(c);
            }
            c => text.push(c),
        }
    }
    None
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

    const SAMPLE: &str = r#"%{
  "bunt": {:hex, :bunt, "1.0.0", "aaaa", [:mix], [], "hexpm", "7af5c7e09fe1d40f76c8e4f9dd2bf7cebd7b5cc7aa46fe1e8a3a3f80cec9c5d3"},
  "credo": {:hex, :credo, "1.7.7", "bbbb", [:mix], [{:bunt, "~> 1.0", [hex: :bunt, repo: "hexpm", optional: false]}, {:jason, "~> 1.0", [hex: :jason, repo: "hexpm", optional: false]}], "hexpm", "D5A2C2D8A1F0E9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B4"},
  "jason": {:hex, :jason, "1.4.1", "cccc", [:mix], [{:decimal, "~> 1.0 or ~> 2.0", [hex: :decimal, repo: "hexpm", optional: true]}], "hexpm", "short"},
  "private_lib": {:hex, :private_lib, "0.2.0", "dddd", [:mix], [], "hexpm:acme", "8af5c7e09fe1d40f76c8e4f9dd2bf7cebd7b5cc7aa46fe1e8a3a3f80cec9c5d3"},
  "phoenix": {:git, "https://github.com/phoenixframework/phoenix.git", "0f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c", [branch: "main"]},
  "odd": {:path, "../odd"},
}
"#;

    const MANIFEST: &str = r#"defmodule Shop.MixProject do
  use Mix.Project

  def project do
    [app: :shop, version: "0.4.0", deps: deps()]
  end

  defp deps do
    [
      {:phoenix, github: "phoenixframework/phoenix"},
      {:jason, "~> 1.4"},
      {:credo, "~> 1.7", only: [:dev, :test], runtime: false}
    ]
  end
end
"#;

    #[test]
    fn hex_and_git_entries_edges_hashes_and_manifest_relations() {
        let mut files = FileSet::new();
        files.insert("mix.lock", SAMPLE.as_bytes().to_vec());
        files.insert("mix.exs", MANIFEST.as_bytes().to_vec());
        let lockfile = parse("mix.lock", &files).unwrap();
        let root = lockfile.root.as_ref().unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("shop", Some("0.4.0"))
        );
        let got = crate::lockfile::package_rows(&lockfile);
        assert_eq!(
            got,
            [
                ("bunt", "1.0.0", Relation::Transitive, Scope::Unknown, 2),
                ("credo", "1.7.7", Relation::Direct, Scope::Development, 3),
                ("jason", "1.4.1", Relation::Direct, Scope::Runtime, 4),
                (
                    "private_lib",
                    "0.2.0",
                    Relation::Transitive,
                    Scope::Unknown,
                    5
                ),
                (
                    "phoenix",
                    "0f1e2d3c4b5a69788f1e2d3c4b5a69788f1e2d3c",
                    Relation::Direct,
                    Scope::Runtime,
                    6
                ),
            ]
        );
        assert_eq!(lockfile.packages[1].dependencies, [0, 2]);
        assert!(lockfile.packages[1].hashes[0].value.starts_with("d5a2"));
        assert!(lockfile.packages[2].hashes.is_empty());
        assert_eq!(
            lockfile.packages[3].source,
            PackageSource::AlternateRegistry {
                url: "hexpm:acme".to_owned()
            }
        );
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(7));
    }

    #[test]
    fn arrow_keys_without_manifest_leave_relation_unknown() {
        let mut files = FileSet::new();
        files.insert(
            "mix.lock",
            br#"%{"plug" => {:hex, :plug, "1.15.3", "x", [:mix], [], "hexpm"}}"#.to_vec(),
        );
        let lockfile = parse("mix.lock", &files).unwrap();
        assert_eq!(lockfile.packages[0].relation, Relation::Unknown);
        assert_eq!(lockfile.packages[0].version, "1.15.3");
    }

    #[test]
    fn truncated_deep_and_trailing_input_are_errors_with_lines() {
        let mut files = FileSet::new();
        files.insert("mix.lock", b"%{\n  \"a\": {:hex, :a, \"1.0\"".to_vec());
        assert_eq!(parse("mix.lock", &files).unwrap_err().line, Some(2));
        let deep = format!("%{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        files.insert("mix.lock", deep.into_bytes());
        assert!(parse("mix.lock", &files).is_err());
        files.insert("mix.lock", b"%{}\n}".to_vec());
        assert_eq!(parse("mix.lock", &files).unwrap_err().line, Some(2));
        files.insert("mix.lock", b"".to_vec());
        assert!(parse("mix.lock", &files).unwrap().packages.is_empty());
    }
}
