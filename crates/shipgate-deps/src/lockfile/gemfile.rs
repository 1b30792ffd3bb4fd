//! Bundler's `Gemfile.lock` (also named `gems.locked`).
//!
//! Format facts relied on:
//! - Sections start at column 0: source sections `GEM`, `GIT`, `PATH`
//!   (and `PLUGIN SOURCE`), then `PLATFORMS`, `DEPENDENCIES`,
//!   `RUBY VERSION`, `CHECKSUMS` (Bundler 2.5+) and `BUNDLED WITH`.
//! - A source section holds two-space options (`remote:`, `revision:`,
//!   `ref:`, `branch:`, `tag:`) and `specs:`; under it, four-space lines
//!   `name (version)` are resolved gems and six-space lines
//!   `name (requirement)` are their dependencies, which become edges.
//! - A platform-specific gem is written `name (version-platform)`; the
//!   version is everything before the first `-`, as Bundler splits it
//!   (gem versions cannot hold `-`). Variants of one gem for several
//!   platforms are one package, with the checksums of every variant.
//! - `DEPENDENCIES` lists what the Gemfile asks for: those gems are direct,
//!   every other gem transitive (without the section, relation is unknown).
//!   A trailing `!` marks a gem from a non-default source. Bundler records
//!   no groups in the lockfile, so scope stays unknown.
//! - `PATH` with `remote: .` holds the project's own gems (a `gemspec`
//!   line in the Gemfile): they are the project, not packages; the root
//!   component is the one named in `DEPENDENCIES` (else the first), and
//!   their dependencies count as direct. Gems from other paths (vendored
//!   or sibling gems) are kept with a path source.
//! - `CHECKSUMS` lines are `name (version[-platform]) sha256=hex`.

use std::collections::HashMap;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Lockfile, LockfileError, Package, PackageSource, ParseWarning,
    Relation, RootComponent,
};
use crate::lockfile::LockfileKind;

const KNOWN_SECTIONS: [&str; 9] = [
    "GEM",
    "GIT",
    "PATH",
    "PLUGIN SOURCE",
    "PLATFORMS",
    "DEPENDENCIES",
    "RUBY VERSION",
    "CHECKSUMS",
    "BUNDLED WITH",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Source(SourceKind),
    Dependencies,
    Checksums,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SourceKind {
    Gem,
    Git,
    Path,
    Plugin,
}

struct Spec {
    name: String,
    version: String,
    source: PackageSource,
    project_own: bool,
    dependencies: Vec<String>,
    line: u32,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let mut warnings = Vec::new();
    let mut specs: Vec<Spec> = Vec::new();
    let mut direct: Option<Vec<(String, bool)>> = None;
    let mut checksums: Vec<(String, String, Hash, u32)> = Vec::new();

    let mut section = Section::Other;
    let mut source = SourceOptions::default();
    let mut in_specs = false;
    let mut saw_section = false;

    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let raw = raw.trim_end();
        if raw.is_empty() {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        let content = &raw[indent..];
        if indent == 0 {
            saw_section |= KNOWN_SECTIONS.contains(&content);
            in_specs = false;
            source = SourceOptions::default();
            section = match content {
                "GEM" => Section::Source(SourceKind::Gem),
                "GIT" => Section::Source(SourceKind::Git),
                "PATH" => Section::Source(SourceKind::Path),
                "PLUGIN SOURCE" => Section::Source(SourceKind::Plugin),
                "DEPENDENCIES" => {
                    direct.get_or_insert_with(Vec::new);
                    Section::Dependencies
                }
                "CHECKSUMS" => Section::Checksums,
                known if KNOWN_SECTIONS.contains(&known) => Section::Other,
                unknown => {
                    warnings.push(warning(
                        line,
                        format!("unknown section `{unknown}`; skipped"),
                    ));
                    Section::Other
                }
            };
            continue;
        }
        match section {
            Section::Source(kind) => match indent {
                2 => {
                    if content == "specs:" {
                        in_specs = true;
                    } else if let Some((key, value)) = content.split_once(':') {
                        source.set(key, value.trim());
                    }
                }
                4 if in_specs => match name_and_version(content) {
                    Some((name, Some(version))) => {
                        let version = version.split_once('-').map_or(version, |(v, _)| v);
                        specs.push(Spec {
                            name: name.to_owned(),
                            version: version.to_owned(),
                            source: source.package_source(kind),
                            project_own: kind == SourceKind::Path && source.is_project_itself(),
                            dependencies: Vec::new(),
                            line,
                        });
                    }
                    _ => warnings.push(warning(
                        line,
                        "a gem spec is `name (version)`; entry skipped",
                    )),
                },
                6 if in_specs => {
                    if let (Some(spec), Some((name, _))) =
                        (specs.last_mut(), name_and_version(content))
                    {
                        spec.dependencies.push(name.to_owned());
                    }
                }
                _ => warnings.push(warning(
                    line,
                    "unexpected indentation in a source section; line skipped",
                )),
            },
            Section::Dependencies if indent == 2 => {
                if let Some((name, _)) = name_and_version(content) {
                    let (name, pinned) = match name.strip_suffix('!') {
                        Some(name) => (name, true),
                        None => (name, false),
                    };
                    direct
                        .get_or_insert_with(Vec::new)
                        .push((name.to_owned(), pinned));
                }
            }
            Section::Checksums if indent == 2 => {
                if let Some(entry) = checksum(content, line) {
                    checksums.push(entry);
                }
            }
            _ => {}
        }
    }
    if !saw_section && !text.trim().is_empty() {
        return Err(super::error(
            path,
            Some(1),
            "no GEM, GIT, PATH or DEPENDENCIES section: not a Gemfile.lock",
        ));
    }

    let root = root_component(&specs, direct.as_deref());
    let project_dependencies: Vec<String> = specs
        .iter()
        .filter(|spec| spec.project_own)
        .flat_map(|spec| spec.dependencies.iter().cloned())
        .collect();

    let mut packages: Vec<Package> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut edges: Vec<Vec<String>> = Vec::new();
    let project_names: Vec<&str> = specs
        .iter()
        .filter(|s| s.project_own)
        .map(|s| s.name.as_str())
        .collect();
    for spec in specs.iter().filter(|spec| !spec.project_own) {
        if let Some(&existing) = by_name.get(&spec.name) {
            if packages[existing].version != spec.version
                || packages[existing].source != spec.source
            {
                warnings.push(warning(
                    spec.line,
                    format!(
                        "`{}` is locked twice ({} and {}); the first is kept",
                        spec.name, packages[existing].version, spec.version
                    ),
                ));
            } else {
                edges[existing].extend(spec.dependencies.iter().cloned());
            }
            continue;
        }
        let mut package =
            Package::new(Ecosystem::RubyGems, spec.name.clone(), spec.version.clone());
        package.source = spec.source.clone();
        package.line = spec.line;
        package.relation = match &direct {
            Some(names) => {
                let named = names.iter().any(|(name, _)| name == &spec.name)
                    || project_dependencies.iter().any(|name| name == &spec.name);
                if named {
                    Relation::Direct
                } else {
                    Relation::Transitive
                }
            }
            None => Relation::Unknown,
        };
        by_name.insert(spec.name.clone(), packages.len());
        edges.push(spec.dependencies.clone());
        packages.push(package);
    }
    for (index, names) in edges.into_iter().enumerate() {
        let mut targets: Vec<usize> = names
            .iter()
            .filter(|name| !project_names.contains(&name.as_str()))
            .filter_map(|name| by_name.get(name).copied())
            .filter(|&target| target != index)
            .collect();
        targets.sort_unstable();
        targets.dedup();
        packages[index].dependencies = targets;
    }
    for (name, version, hash, line) in checksums {
        match by_name.get(&name) {
            Some(&index)
                if packages[index].version == version
                    && !packages[index].hashes.contains(&hash) =>
            {
                packages[index].hashes.push(hash);
            }
            Some(&index) if packages[index].version == version => {}
            Some(_) => warnings.push(warning(
                line,
                format!(
                    "checksum for `{name}` {version} does not match the locked version; ignored"
                ),
            )),
            None => {}
        }
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::GemfileLock,
        root,
        packages,
        warnings,
    })
}

/// The options of one source section.
#[derive(Default)]
struct SourceOptions {
    remote: Option<String>,
    revision: Option<String>,
}

impl SourceOptions {
    fn set(&mut self, key: &str, value: &str) {
        match key {
            "remote" if self.remote.is_none() => self.remote = Some(value.to_owned()),
            "revision" => self.revision = Some(value.to_owned()),
            _ => {}
        }
    }

    fn is_project_itself(&self) -> bool {
        matches!(self.remote.as_deref(), Some("." | "./"))
    }

    fn package_source(&self, kind: SourceKind) -> PackageSource {
        let remote = self.remote.clone().unwrap_or_default();
        match kind {
            SourceKind::Gem | SourceKind::Plugin => {
                if remote.is_empty() || is_default_registry(&remote) {
                    PackageSource::Registry
                } else {
                    PackageSource::AlternateRegistry { url: remote }
                }
            }
            SourceKind::Git => PackageSource::Git {
                url: remote,
                rev: self.revision.clone(),
            },
            SourceKind::Path => PackageSource::Path { path: remote },
        }
    }
}

fn is_default_registry(remote: &str) -> bool {
    let host = remote
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    matches!(
        host,
        "rubygems.org" | "www.rubygems.org" | "index.rubygems.org"
    )
}

/// `name (text)` as the name and the text in parentheses; `name` alone.
fn name_and_version(content: &str) -> Option<(&str, Option<&str>)> {
    match content.split_once(" (") {
        Some((name, rest)) => {
            let inside = rest.strip_suffix(')')?;
            (!name.is_empty() && !name.contains(' ')).then_some((name, Some(inside)))
        }
        None => (!content.contains(' ')).then_some((content, None)),
    }
}

/// A `CHECKSUMS` line as (name, version, hash, line); `None` when it has
/// no digest (Bundler writes none for path and git gems).
fn checksum(content: &str, line: u32) -> Option<(String, String, Hash, u32)> {
    let close = content.find(") ")?;
    let (name, version) = name_and_version(&content[..=close])?;
    let version = version?.split_once('-').map_or(version?, |(v, _)| v);
    let digest = content[close + 2..]
        .split(',')
        .find_map(|part| part.trim().strip_prefix("sha256="))?;
    let valid = digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| {
        (
            name.to_owned(),
            version.to_owned(),
            Hash {
                algorithm: HashAlgorithm::Sha256,
                value: digest.to_ascii_lowercase(),
            },
            line,
        )
    })
}

fn root_component(specs: &[Spec], direct: Option<&[(String, bool)]>) -> Option<RootComponent> {
    let own: Vec<&Spec> = specs.iter().filter(|spec| spec.project_own).collect();
    let named = direct.and_then(|names| {
        own.iter().find(|spec| {
            names
                .iter()
                .any(|(name, pinned)| *pinned && name == &spec.name)
        })
    });
    named.or(own.first()).map(|spec| RootComponent {
        name: spec.name.clone(),
        version: Some(spec.version.clone()),
        ecosystem: Ecosystem::RubyGems,
    })
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

    fn read(text: &str) -> Lockfile {
        let mut files = FileSet::new();
        files.insert("Gemfile.lock", text.as_bytes().to_vec());
        parse("Gemfile.lock", &files).unwrap()
    }

    const SAMPLE: &str = "\
PATH
  remote: .
  specs:
    mygem (0.3.0)
      rack (~> 3.0)

GIT
  remote: https://github.com/example/widget.git
  revision: 0123456789abcdef0123456789abcdef01234567
  branch: main
  specs:
    widget (1.2.0)

GEM
  remote: https://rubygems.org/
  specs:
    mini_portile2 (2.8.8)
    nokogiri (1.16.0)
      mini_portile2 (~> 2.8.2)
      racc (~> 1.4)
    nokogiri (1.16.0-x86_64-linux)
      racc (~> 1.4)
    racc (1.8.1)
    rack (3.1.0)

PLATFORMS
  ruby
  x86_64-linux

DEPENDENCIES
  mygem!
  nokogiri (~> 1.16)
  widget!

CHECKSUMS
  mini_portile2 (2.8.8) sha256=8e47136cdac04ce81750bb6c09733b37895bf06962554e4b4056d78168d70a75
  mygem (0.3.0)
  nokogiri (1.16.0) sha256=341388184e975d1e8f4f3d8c1a2e9e6c3e7b7f5b2b7a1a0e3b2ce6ad4c1a5e10
  nokogiri (1.16.0-x86_64-linux) sha256=AAAA88184e975d1e8f4f3d8c1a2e9e6c3e7b7f5b2b7a1a0e3b2ce6ad4c1a5e10

BUNDLED WITH
   2.5.22
";

    #[test]
    fn sources_platform_variants_relations_edges_and_checksums() {
        let lockfile = read(SAMPLE);
        let root = lockfile.root.as_ref().unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("mygem", Some("0.3.0"))
        );
        let names: Vec<_> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.relation, p.line))
            .collect();
        assert_eq!(
            names,
            [
                ("widget", "1.2.0", Relation::Direct, 12),
                ("mini_portile2", "2.8.8", Relation::Transitive, 17),
                ("nokogiri", "1.16.0", Relation::Direct, 18),
                ("racc", "1.8.1", Relation::Transitive, 23),
                ("rack", "3.1.0", Relation::Direct, 24),
            ]
        );
        assert_eq!(
            lockfile.packages[0].source,
            PackageSource::Git {
                url: "https://github.com/example/widget.git".to_owned(),
                rev: Some("0123456789abcdef0123456789abcdef01234567".to_owned())
            }
        );
        let nokogiri = &lockfile.packages[2];
        assert_eq!(nokogiri.dependencies, [1, 3]);
        assert_eq!(nokogiri.hashes.len(), 2);
        assert!(nokogiri.hashes[1].value.starts_with("aaaa"));
        assert!(lockfile.warnings.is_empty());
    }

    #[test]
    fn missing_dependencies_section_leaves_relation_unknown_and_bad_lines_warn() {
        let lockfile = read(
            "GEM\n  remote: https://gems.example.com/\n  specs:\n    a (1.0)\n    broken spec line\n    a (2.0)\n",
        );
        assert_eq!(lockfile.packages.len(), 1);
        assert_eq!(lockfile.packages[0].relation, Relation::Unknown);
        assert_eq!(
            lockfile.packages[0].source,
            PackageSource::AlternateRegistry {
                url: "https://gems.example.com/".to_owned()
            }
        );
        let lines: Vec<_> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(5), Some(6)]);
    }

    #[test]
    fn text_without_sections_is_an_error() {
        let mut files = FileSet::new();
        files.insert("Gemfile.lock", b"just text\n  indented\n".to_vec());
        assert!(parse("Gemfile.lock", &files).is_err());
    }
}
