//! Maven `pom.xml`: the dependencies a project declares, with the versions
//! the POM itself (and its parents in the same repository) pins.
//!
//! A POM is not a lockfile: transitive dependencies are only known after
//! Maven resolves the graph against a repository, which an offline scan
//! cannot do. So every package here is direct, and there are no edges.
//!
//! Format facts relied on:
//! - `project/groupId`, `artifactId`, `version` name the project (the
//!   root component); a missing groupId or version is inherited from
//!   `project/parent`.
//! - `project/dependencies/dependency` are the packages, named
//!   `groupId:artifactId`. A dependency without `version` takes it from
//!   `dependencyManagement` (this POM's, then its parents'); managed
//!   entries are a version source only, not packages. Imported BOMs and
//!   parents outside the repository cannot be read offline, so such a
//!   dependency stays unresolved.
//! - `${name}` placeholders resolve from `properties` (a child's override
//!   its parents'), `project.version`/`project.groupId`/`project.artifactId`,
//!   `project.parent.*` and the deprecated `pom.*` forms. Property values
//!   may themselves hold placeholders; a cycle, too much nesting or an
//!   oversized expansion leaves the value unresolved.
//! - Parents are read from `parent/relativePath` (default `../pom.xml`)
//!   when the scanned set holds that file and its artifactId matches the
//!   declared parent; an empty `relativePath` means none.
//! - A version that is a range (`[1.0,2.0)`) or stays unresolved is not an
//!   exact version: the dependency is skipped with a warning.
//! - `scope` `test` and `provided` are development (not shipped by this
//!   artifact), `optional` true is optional, the rest runtime. Plugins and
//!   their dependencies are build tools and are not read.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node, ParsingOptions};
use shipgate_model::LineIndex;

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Lockfile, LockfileError, Package, ParseWarning, Relation, RootComponent, Scope,
};
use crate::lockfile::LockfileKind;

/// Parents followed at most; real hierarchies are a few levels deep.
const MAX_PARENTS: usize = 16;
/// Placeholder nesting followed at most.
const MAX_NESTING: usize = 32;
/// Longest property expansion accepted, so that a chain of properties
/// doubling each other cannot exhaust memory.
const MAX_EXPANSION: usize = 4096;
/// Nodes parsed at most per POM: far beyond any real POM.
const MAX_NODES: u32 = 1_000_000;

/// What one POM file says, before placeholders are resolved.
#[derive(Default)]
struct PomFacts {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    parent: Option<ParentRef>,
    properties: Vec<(String, String)>,
    managed: Vec<(String, String, String)>,
}

#[derive(Clone)]
struct ParentRef {
    group: Option<String>,
    artifact: Option<String>,
    version: Option<String>,
    relative_path: Option<String>,
}

struct Declared {
    group: String,
    artifact: String,
    version: Option<String>,
    scope: Option<String>,
    optional: bool,
    classifier: String,
    line: u32,
}

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let lines = LineIndex::new(text.as_bytes());
    let document = parse_xml(text).map_err(|error| {
        // XML also breaks lines at a lone `\r`; keep the line inside the
        // file as shipgate counts lines.
        let last_line = u32::try_from(lines.line_count()).unwrap_or(u32::MAX);
        super::error(
            path,
            Some(error.pos().row.min(last_line)),
            format!("not well-formed XML: {error}"),
        )
    })?;
    let project = document.root_element();
    if project.tag_name().name() != "project" {
        return Err(super::error(
            path,
            Some(1),
            "the root element is not <project>: not a Maven POM",
        ));
    }
    let line_of =
        |node: Node| u32::try_from(lines.line_of(node.range().start) + 1).unwrap_or(u32::MAX);
    let mut warnings = Vec::new();

    let facts = read_facts(project);
    let ancestors = read_ancestors(path, &facts, files, &mut warnings);
    let context = Context::new(&facts, &ancestors);

    let root = facts.artifact.as_ref().map(|artifact| {
        let group = context.group.clone().unwrap_or_default();
        RootComponent {
            name: if group.is_empty() {
                artifact.clone()
            } else {
                format!("{group}:{artifact}")
            },
            version: context.version.clone(),
            ecosystem: Ecosystem::Maven,
        }
    });

    let mut packages: Vec<Package> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for declared in declared_dependencies(project, line_of) {
        let group = context.resolve(&declared.group);
        let artifact = context.resolve(&declared.artifact);
        let (Some(group), Some(artifact)) = (group, artifact) else {
            warnings.push(warning(
                declared.line,
                "groupId or artifactId has an unresolved `${...}`; dependency skipped",
            ));
            continue;
        };
        let name = format!("{group}:{artifact}");
        let raw_version = declared
            .version
            .clone()
            .or_else(|| context.managed_version(&group, &artifact));
        let Some(raw_version) = raw_version else {
            warnings.push(warning(
                declared.line,
                format!("`{name}` has no version here or in a readable parent's dependencyManagement; skipped"),
            ));
            continue;
        };
        let Some(version) = context.resolve(&raw_version) else {
            warnings.push(warning(
                declared.line,
                format!("version `{raw_version}` of `{name}` does not resolve; skipped"),
            ));
            continue;
        };
        if version.starts_with('[') || version.starts_with('(') || version.contains(',') {
            warnings.push(warning(
                declared.line,
                format!("`{name}` asks for the range `{version}`, not an exact version; skipped"),
            ));
            continue;
        }
        let scope = match declared
            .scope
            .as_deref()
            .and_then(|s| context.resolve(s))
            .as_deref()
        {
            Some("test" | "provided") => Scope::Development,
            _ if declared.optional => Scope::Optional,
            _ => Scope::Runtime,
        };
        let key = (format!("{name}:{}", declared.classifier), version.clone());
        if let Some(&existing) = seen.get(&key) {
            let package: &mut Package = &mut packages[existing];
            if scope_rank(scope) < scope_rank(package.scope) {
                package.scope = scope;
            }
            continue;
        }
        if let Some(other) = packages
            .iter()
            .find(|p| p.name == name && p.version != version)
        {
            warnings.push(warning(
                declared.line,
                format!(
                    "`{name}` is declared again with version {version} (first: {})",
                    other.version
                ),
            ));
        }
        let mut package = Package::new(Ecosystem::Maven, name, version);
        package.relation = Relation::Direct;
        package.scope = scope;
        package.line = declared.line;
        seen.insert(key, packages.len());
        packages.push(package);
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::MavenPom,
        root,
        packages,
        warnings,
    })
}

/// Runtime first: a package needed at run time by any declaration is
/// runtime.
fn scope_rank(scope: Scope) -> u8 {
    match scope {
        Scope::Runtime => 0,
        Scope::Optional => 1,
        Scope::Development => 2,
        Scope::Unknown => 3,
    }
}

fn parse_xml(text: &str) -> Result<Document<'_>, roxmltree::Error> {
    Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
            ..ParsingOptions::default()
        },
    )
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child_text(node: Node, name: &str) -> Option<String> {
    child(node, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn read_facts(project: Node) -> PomFacts {
    let parent = child(project, "parent").map(|parent| ParentRef {
        group: child_text(parent, "groupId"),
        artifact: child_text(parent, "artifactId"),
        version: child_text(parent, "version"),
        relative_path: child(parent, "relativePath")
            .map(|node| node.text().map(str::trim).unwrap_or_default().to_owned()),
    });
    let properties = child(project, "properties")
        .map(|properties| {
            properties
                .children()
                .filter(Node::is_element)
                .map(|p| {
                    (
                        p.tag_name().name().to_owned(),
                        p.text().map(str::trim).unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let managed = child(project, "dependencyManagement")
        .and_then(|management| child(management, "dependencies"))
        .map(|dependencies| {
            children(dependencies, "dependency")
                .filter_map(|d| {
                    Some((
                        child_text(d, "groupId")?,
                        child_text(d, "artifactId")?,
                        child_text(d, "version")?,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    PomFacts {
        group: child_text(project, "groupId"),
        artifact: child_text(project, "artifactId"),
        version: child_text(project, "version"),
        parent,
        properties,
        managed,
    }
}

fn declared_dependencies(project: Node, line_of: impl Fn(Node) -> u32) -> Vec<Declared> {
    let Some(dependencies) = child(project, "dependencies") else {
        return Vec::new();
    };
    children(dependencies, "dependency")
        .map(|dependency| Declared {
            group: child_text(dependency, "groupId").unwrap_or_default(),
            artifact: child_text(dependency, "artifactId").unwrap_or_default(),
            version: child_text(dependency, "version"),
            scope: child_text(dependency, "scope"),
            optional: child_text(dependency, "optional")
                .is_some_and(|o| o.eq_ignore_ascii_case("true")),
            classifier: format!(
                "{}:{}",
                child_text(dependency, "type").unwrap_or_default(),
                child_text(dependency, "classifier").unwrap_or_default()
            ),
            line: line_of(dependency),
        })
        .collect()
}

/// The parents readable from the scanned set, nearest first.
fn read_ancestors(
    path: &str,
    facts: &PomFacts,
    files: &FileSet,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<PomFacts> {
    let mut ancestors: Vec<PomFacts> = Vec::new();
    let mut visited: HashSet<String> = HashSet::from([path.to_owned()]);
    let mut current_path = path.to_owned();
    let mut next = facts.parent.clone();
    while let Some(parent) = next.take() {
        if ancestors.len() >= MAX_PARENTS {
            break;
        }
        let relative = match parent.relative_path.as_deref() {
            Some("") => break,
            Some(relative) if relative.ends_with(".xml") => relative.to_owned(),
            Some(relative) => format!("{}/pom.xml", relative.trim_end_matches('/')),
            None => "../pom.xml".to_owned(),
        };
        let Some(parent_path) = super::sibling(&current_path, &relative) else {
            break;
        };
        if !visited.insert(parent_path.clone()) {
            break;
        }
        let Some(bytes) = files.get(&parent_path) else {
            break;
        };
        let Ok(parent_text) =
            std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        else {
            warnings.push(warning_without_line(format!(
                "parent POM {parent_path} is not UTF-8; not read"
            )));
            break;
        };
        let document = match parse_xml(parent_text) {
            Ok(document) => document,
            Err(error) => {
                warnings.push(warning_without_line(format!(
                    "parent POM {parent_path} is not well-formed: {error}"
                )));
                break;
            }
        };
        let parent_facts = read_facts(document.root_element());
        if parent_facts.artifact != parent.artifact {
            break;
        }
        next = parent_facts.parent.clone();
        ancestors.push(parent_facts);
        current_path = parent_path;
    }
    ancestors
}

/// Everything placeholders and managed versions resolve against.
struct Context {
    group: Option<String>,
    version: Option<String>,
    properties: HashMap<String, String>,
    managed: HashMap<(String, String), String>,
}

impl Context {
    fn new(facts: &PomFacts, ancestors: &[PomFacts]) -> Context {
        let parent = facts.parent.as_ref();
        let group = facts
            .group
            .clone()
            .or_else(|| parent.and_then(|p| p.group.clone()));
        let version = facts
            .version
            .clone()
            .or_else(|| parent.and_then(|p| p.version.clone()));
        let mut properties: HashMap<String, String> = HashMap::new();
        let mut managed: HashMap<(String, String), String> = HashMap::new();
        for pom in ancestors.iter().rev().chain(std::iter::once(facts)) {
            for (name, value) in &pom.properties {
                properties.insert(name.clone(), value.clone());
            }
            for (group, artifact, version) in &pom.managed {
                managed.insert((group.clone(), artifact.clone()), version.clone());
            }
        }
        let mut builtins: Vec<(&str, Option<String>)> = vec![
            ("groupId", group.clone()),
            ("version", version.clone()),
            ("artifactId", facts.artifact.clone()),
            ("parent.groupId", parent.and_then(|p| p.group.clone())),
            ("parent.version", parent.and_then(|p| p.version.clone())),
            ("parent.artifactId", parent.and_then(|p| p.artifact.clone())),
        ];
        for (name, value) in builtins.drain(..) {
            if let Some(value) = value {
                properties.insert(format!("project.{name}"), value.clone());
                properties.insert(format!("pom.{name}"), value);
            }
        }
        let mut context = Context {
            group: None,
            version: None,
            properties,
            managed,
        };
        context.group = group.and_then(|g| context.resolve(&g));
        context.version = version.and_then(|v| context.resolve(&v));
        context
    }

    /// The managed version of `group:artifact`, matching entries whose
    /// coordinates are themselves placeholders after resolution.
    fn managed_version(&self, group: &str, artifact: &str) -> Option<String> {
        if let Some(version) = self.managed.get(&(group.to_owned(), artifact.to_owned())) {
            return Some(version.clone());
        }
        self.managed.iter().find_map(|((g, a), version)| {
            if !g.contains("${") && !a.contains("${") {
                return None;
            }
            let matches = self.resolve(g)? == group && self.resolve(a)? == artifact;
            matches.then(|| version.clone())
        })
    }

    /// `text` with every `${name}` replaced, or `None` when one does not
    /// resolve.
    fn resolve(&self, text: &str) -> Option<String> {
        let mut visiting = Vec::new();
        self.expand(text, &mut visiting)
    }

    fn expand(&self, text: &str, visiting: &mut Vec<String>) -> Option<String> {
        if visiting.len() > MAX_NESTING {
            return None;
        }
        let mut output = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            output.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}')?;
            let name = &after[..end];
            if visiting.iter().any(|v| v == name) {
                return None;
            }
            let value = self.properties.get(name)?;
            visiting.push(name.to_owned());
            let expanded = self.expand(value, visiting)?;
            visiting.pop();
            output.push_str(&expanded);
            if output.len() > MAX_EXPANSION {
                return None;
            }
            rest = &after[end + 1..];
        }
        output.push_str(rest);
        (output.len() <= MAX_EXPANSION).then_some(output)
    }
}

fn warning(line: u32, message: impl Into<String>) -> ParseWarning {
    ParseWarning {
        line: Some(line),
        message: message.into(),
    }
}

fn warning_without_line(message: String) -> ParseWarning {
    ParseWarning {
        line: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: &str = r#"<project>
  <groupId>org.example</groupId>
  <artifactId>parent</artifactId>
  <version>2.0.0</version>
  <properties>
    <jackson.version>2.17.1</jackson.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson.core</groupId>
        <artifactId>jackson-databind</artifactId>
        <version>${jackson.version}</version>
      </dependency>
    </dependencies>
  </dependencyManagement>
</project>
"#;

    const CHILD: &str = r#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent>
    <groupId>org.example</groupId>
    <artifactId>parent</artifactId>
    <version>2.0.0</version>
  </parent>
  <artifactId>app</artifactId>
  <properties>
    <slf4j.major>2.0</slf4j.major>
    <slf4j.version>${slf4j.major}.13</slf4j.version>
    <loop.a>${loop.b}</loop.a>
    <loop.b>${loop.a}</loop.b>
  </properties>
  <dependencies>
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
      <version>${slf4j.version}</version>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>app-core</artifactId>
      <version>${project.version}</version>
      <optional>true</optional>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.10.2</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>bad</groupId>
      <artifactId>looping</artifactId>
      <version>${loop.a}</version>
    </dependency>
    <dependency>
      <groupId>bad</groupId>
      <artifactId>ranged</artifactId>
      <version>[1.0,2.0)</version>
    </dependency>
    <dependency>
      <groupId>bad</groupId>
      <artifactId>unmanaged</artifactId>
    </dependency>
  </dependencies>
</project>
"#;

    #[test]
    fn properties_parents_and_management_resolve_versions() {
        let mut files = FileSet::new();
        files.insert("pom.xml", PARENT.as_bytes().to_vec());
        files.insert("app/pom.xml", CHILD.as_bytes().to_vec());
        let lockfile = parse("app/pom.xml", &files).unwrap();
        let root = lockfile.root.unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("org.example:app", Some("2.0.0"))
        );
        let got: Vec<_> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.scope, p.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.17.1",
                    Scope::Runtime,
                    16
                ),
                ("org.slf4j:slf4j-api", "2.0.13", Scope::Runtime, 20),
                ("org.example:app-core", "2.0.0", Scope::Optional, 25),
                (
                    "org.junit.jupiter:junit-jupiter",
                    "5.10.2",
                    Scope::Development,
                    31
                ),
            ]
        );
        assert!(
            lockfile
                .packages
                .iter()
                .all(|p| p.relation == Relation::Direct)
        );
        let lines: Vec<_> = lockfile.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(37), Some(42), Some(47)]);
    }

    #[test]
    fn without_the_parent_inherited_coordinates_still_name_the_root() {
        let mut files = FileSet::new();
        files.insert("app/pom.xml", CHILD.as_bytes().to_vec());
        let lockfile = parse("app/pom.xml", &files).unwrap();
        assert_eq!(lockfile.root.unwrap().name, "org.example:app");
        assert!(
            lockfile
                .packages
                .iter()
                .all(|p| p.name != "com.fasterxml.jackson.core:jackson-databind")
        );
    }

    #[test]
    fn parent_cycles_and_exponential_properties_terminate() {
        let looping = "<project><parent><artifactId>a</artifactId><relativePath>pom.xml</relativePath></parent><artifactId>a</artifactId></project>";
        let mut files = FileSet::new();
        files.insert("pom.xml", looping.as_bytes().to_vec());
        assert!(parse("pom.xml", &files).is_ok());

        let mut properties = String::from("<p0>x</p0>");
        for level in 1..40 {
            properties.push_str(&format!(
                "<p{level}>${{p{0}}}${{p{0}}}</p{level}>",
                level - 1
            ));
        }
        let bomb = format!(
            "<project><properties>{properties}</properties><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${{p39}}</version></dependency></dependencies></project>"
        );
        files.insert("pom.xml", bomb.into_bytes());
        let lockfile = parse("pom.xml", &files).unwrap();
        assert!(lockfile.packages.is_empty());
        assert_eq!(lockfile.warnings.len(), 1);
    }

    #[test]
    fn malformed_xml_and_other_documents_are_errors() {
        let mut files = FileSet::new();
        files.insert("pom.xml", b"<project>\n<dependencies>\n</project>".to_vec());
        assert_eq!(parse("pom.xml", &files).unwrap_err().line, Some(3));
        files.insert("pom.xml", b"<settings/>".to_vec());
        assert!(parse("pom.xml", &files).is_err());
        files.insert(
            "pom.xml",
            b"<!DOCTYPE project [<!ENTITY x \"y\">]><project/>".to_vec(),
        );
        assert!(parse("pom.xml", &files).is_err());
    }
}
