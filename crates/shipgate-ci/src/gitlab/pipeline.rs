//! The effective GitLab pipeline of one `.gitlab-ci.yml`.
//!
//! GitLab never runs the file as written: it merges local `include:` files
//! into it, fills jobs from `default:`, deep-merges `extends:` templates and
//! splices `!reference` tags. Audits must see that result, yet every finding
//! has to point at the file and span a value really came from. So the merged
//! tree keeps, for every value, the node it came from ([`Located`]).

use std::collections::HashSet;

use crate::repo::{FileKind, Repo, RepoFile, join_relative};
use crate::yaml::{Document, Node, Value as Yaml, YamlError};

/// Most files one pipeline may include, as GitLab limits it.
const MAX_INCLUDES: usize = 150;

/// Deepest `!reference` nesting and include chain followed; GitLab stops
/// before this, so anything deeper is a cycle or hostile.
const MAX_NESTING: usize = 16;

/// Deepest `extends:` chain GitLab accepts.
const MAX_EXTENDS_DEPTH: usize = 11;

/// Top-level keys that configure the pipeline rather than name a job.
const RESERVED_KEYS: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "spec",
];

/// Top-level keys that act as `default:` for every job (the older syntax).
const LEGACY_DEFAULT_KEYS: &[&str] = &[
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// A parsed file of the pipeline.
#[derive(Clone, Copy, Debug)]
pub struct Source<'r> {
    /// The file.
    pub file: &'r RepoFile,
    /// Its YAML.
    pub doc: &'r Document,
}

/// A node together with the file it is in and its symbolic path there.
#[derive(Clone, Debug)]
pub struct Located<'r> {
    /// Where the node is.
    pub src: Source<'r>,
    /// The node.
    pub node: &'r Node,
    /// Symbolic path inside its own file, such as `build.script[2]`.
    pub symbolic: String,
}

impl<'r> Located<'r> {
    fn new(src: Source<'r>, node: &'r Node, symbolic: String) -> Self {
        Located {
            src,
            node,
            symbolic,
        }
    }

    /// Path of the file the node is in.
    pub fn path(&self) -> &'r str {
        &self.src.file.path
    }

    /// The scalar text, for scalars.
    pub fn as_str(&self) -> Option<&'r str> {
        self.node.as_str()
    }

    /// The node's source text.
    pub fn source_text(&self) -> &'r str {
        self.src.doc.text(&self.node.span)
    }

    /// Span of `needle` inside this node (the node's span when not found
    /// verbatim, such as in a folded scalar).
    pub fn locate(&self, needle: &str) -> std::ops::Range<usize> {
        self.src.doc.locate(self.node, needle)
    }

    /// Source span of `range`, a byte range of this scalar's value (such as
    /// one command of a script line).
    pub fn value_span(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        self.src.doc.locate_value_range(self.node, range)
    }

    fn child(&self, node: &'r Node, key: &str) -> Located<'r> {
        let symbolic = if self.symbolic.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.symbolic)
        };
        Located::new(self.src, node, symbolic)
    }

    fn item(&self, node: &'r Node, index: usize) -> Located<'r> {
        Located::new(self.src, node, format!("{}[{index}]", self.symbolic))
    }
}

/// A value of the effective configuration.
#[derive(Clone, Debug)]
pub enum Value<'r> {
    /// A scalar.
    Scalar(Located<'r>),
    /// A sequence, items in order.
    List(Located<'r>, Vec<Value<'r>>),
    /// A mapping after merging: the node is the last mapping that set it.
    Map(Located<'r>, Vec<Member<'r>>),
    /// A `!reference` tag that names nothing in the pipeline.
    Unresolved(Located<'r>),
}

/// One key of a merged mapping.
#[derive(Clone, Debug)]
pub struct Member<'r> {
    /// The key text.
    pub name: &'r str,
    /// The key node that set it last.
    pub key: Located<'r>,
    /// Its value.
    pub value: Value<'r>,
}

impl<'r> Value<'r> {
    fn from_node(at: Located<'r>) -> Value<'r> {
        let node = at.node;
        match &node.value {
            Yaml::Seq(_) if node.tag.as_deref() == Some("!reference") => Value::Unresolved(at),
            Yaml::Seq(items) => {
                let values = items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| Value::from_node(at.item(item, index)))
                    .collect();
                Value::List(at, values)
            }
            Yaml::Map(entries) => {
                let members = entries
                    .iter()
                    .filter_map(|entry| {
                        let name = entry.key.as_str()?;
                        let key = at.child(&entry.key, name);
                        let value = Value::from_node(at.child(&entry.value, name));
                        Some(Member { name, key, value })
                    })
                    .collect();
                Value::Map(at, members)
            }
            Yaml::Scalar(..) => Value::Scalar(at),
        }
    }

    /// Where this value was written.
    pub fn at(&self) -> &Located<'r> {
        match self {
            Value::Scalar(at) | Value::List(at, _) | Value::Map(at, _) | Value::Unresolved(at) => {
                at
            }
        }
    }

    /// The scalar text, for scalars.
    pub fn as_str(&self) -> Option<&'r str> {
        match self {
            Value::Scalar(at) => at.as_str(),
            _ => None,
        }
    }

    /// The members, for mappings.
    pub fn members(&self) -> &[Member<'r>] {
        match self {
            Value::Map(_, members) => members,
            _ => &[],
        }
    }

    /// The member `name` of a mapping.
    pub fn member(&self, name: &str) -> Option<&Member<'r>> {
        self.members().iter().find(|m| m.name == name)
    }

    /// The value under `name` in a mapping.
    pub fn get(&self, name: &str) -> Option<&Value<'r>> {
        self.member(name).map(|m| &m.value)
    }

    /// The value itself when it is not a list, else its items with nested
    /// lists flattened, as GitLab flattens `script:` and `rules:` that
    /// splice in `!reference` lists.
    pub fn flatten(&self) -> Vec<&Value<'r>> {
        let mut out = Vec::new();
        let mut stack = vec![(self, 0usize)];
        while let Some((value, depth)) = stack.pop() {
            match value {
                Value::List(_, items) if depth <= MAX_NESTING => {
                    stack.extend(items.iter().rev().map(|item| (item, depth + 1)));
                }
                Value::List(..) => {}
                other => out.push(other),
            }
        }
        out
    }

    /// The scalars of [`Value::flatten`]: script lines, paths, names.
    pub fn lines(&self) -> Vec<&Located<'r>> {
        self.flatten()
            .into_iter()
            .filter_map(|value| match value {
                Value::Scalar(at) => Some(at),
                _ => None,
            })
            .collect()
    }

    /// Whether the value is the boolean `true` (`true`, `"true"`).
    pub fn is_true(&self) -> bool {
        self.as_str()
            .is_some_and(|text| text.eq_ignore_ascii_case("true"))
    }
}

/// Deep merge as GitLab does it for `include:` and `extends:`: mappings
/// merge key by key, anything else is replaced by the overriding value.
fn merge<'r>(base: Value<'r>, over: Value<'r>) -> Value<'r> {
    match (base, over) {
        (Value::Map(_, mut members), Value::Map(at, overriding)) => {
            for member in overriding {
                match members.iter().position(|m| m.name == member.name) {
                    Some(index) => {
                        let earlier = members.remove(index);
                        let value = merge(earlier.value, member.value);
                        members.insert(
                            index,
                            Member {
                                name: member.name,
                                key: member.key,
                                value,
                            },
                        );
                    }
                    None => members.push(member),
                }
            }
            Value::Map(at, members)
        }
        (_, over) => over,
    }
}

/// A variable visible to a job.
#[derive(Clone, Copy, Debug)]
pub struct Variable<'v, 'r> {
    /// Its name.
    pub name: &'r str,
    /// The key node.
    pub key: &'v Located<'r>,
    /// The value node: the scalar, or `value:` of the expanded form.
    pub value: Option<&'v Located<'r>>,
    /// Whether it is a pipeline-level (global) variable.
    pub global: bool,
}

/// The variables of a `variables:` mapping.
fn variables_of<'v, 'r>(value: Option<&'v Value<'r>>, global: bool) -> Vec<Variable<'v, 'r>> {
    let Some(value) = value else {
        return Vec::new();
    };
    value
        .members()
        .iter()
        .map(|member| variable_of(member, global))
        .collect()
}

/// A variable from its `variables:` entry: `NAME: value` or
/// `NAME: {value: ..., description: ...}`.
fn variable_of<'v, 'r>(member: &'v Member<'r>, global: bool) -> Variable<'v, 'r> {
    let value = match &member.value {
        Value::Scalar(at) => Some(at),
        map @ Value::Map(..) => match map.get("value") {
            Some(Value::Scalar(at)) => Some(at),
            _ => None,
        },
        _ => None,
    };
    Variable {
        name: member.name,
        key: &member.key,
        value,
        global,
    }
}

/// A job after `extends:`, `default:` and `!reference` are applied.
#[derive(Debug)]
pub struct Job<'r> {
    /// The job name.
    pub name: &'r str,
    /// The key naming the job in the file that defines it.
    pub key: Located<'r>,
    /// The effective configuration (a mapping).
    pub config: Value<'r>,
    /// Pipeline variables the job inherits (after `inherit: variables:`).
    inherited_variables: Vec<Member<'r>>,
}

impl<'r> Job<'r> {
    /// The effective value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value<'r>> {
        self.config.get(key)
    }

    /// The script lines of `before_script`, `script` and `after_script`,
    /// with the key each came from.
    pub fn script_lines(&self) -> Vec<(&'static str, &Located<'r>)> {
        ["before_script", "script", "after_script"]
            .into_iter()
            .flat_map(|key| {
                self.get(key)
                    .map(Value::lines)
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |line| (key, line))
            })
            .collect()
    }

    /// Every variable the job sees: inherited pipeline variables first, then
    /// its own (which win on a name clash).
    pub fn variables(&self) -> Vec<Variable<'_, 'r>> {
        let own = variables_of(self.get("variables"), false);
        let mut all: Vec<Variable<'_, 'r>> = self
            .inherited_variables
            .iter()
            .filter(|global| !own.iter().any(|v| v.name == global.name))
            .map(|member| variable_of(member, true))
            .collect();
        all.extend(own);
        all
    }

    /// The rules, `!reference`s spliced in.
    pub fn rules(&self) -> Vec<&Value<'r>> {
        self.get("rules").map(Value::flatten).unwrap_or_default()
    }

    /// The environment name, from `environment:` or `environment: name:`.
    pub fn environment_name(&self) -> Option<&'r str> {
        let environment = self.get("environment")?;
        environment
            .as_str()
            .or_else(|| environment.get("name").and_then(Value::as_str))
    }
}

/// One `include:` entry, as written.
#[derive(Clone, Debug)]
pub struct Include<'r> {
    /// The entry (a string or a mapping).
    pub at: Located<'r>,
    /// Whether it names a local file.
    pub local: bool,
    /// For local entries: whether a collected file matched.
    pub resolved: bool,
}

/// Why a pipeline cannot be built at all.
#[derive(Debug)]
pub struct Unparseable<'r> {
    /// The file that failed.
    pub file: &'r RepoFile,
    /// The parse error.
    pub error: YamlError,
}

/// The effective pipeline of one `.gitlab-ci.yml`.
#[derive(Debug)]
pub struct Pipeline<'r> {
    /// The `.gitlab-ci.yml` itself.
    pub root_file: &'r RepoFile,
    /// Every file that contributed, the root first.
    pub sources: Vec<Source<'r>>,
    /// Included files that could not be parsed.
    pub unparseable: Vec<Unparseable<'r>>,
    /// Every `include:` entry of every contributing file.
    pub includes: Vec<Include<'r>>,
    /// The merged top-level configuration.
    pub top: Value<'r>,
    /// The jobs (hidden `.templates` excluded), in merged order.
    pub jobs: Vec<Job<'r>>,
}

impl<'r> Pipeline<'r> {
    /// Builds the pipeline whose root is `root_file`; `Err` when the root
    /// itself cannot be parsed.
    pub fn build(repo: &'r Repo, root_file: &'r RepoFile) -> Result<Pipeline<'r>, YamlError> {
        let doc = root_file.document()?;
        let project_root = root_file
            .path
            .rsplit_once('/')
            .map_or("", |(dir, _)| dir)
            .to_owned();
        let mut loader = Loader {
            repo,
            project_root,
            visited: HashSet::from([root_file.path.clone()]),
            sources: Vec::new(),
            unparseable: Vec::new(),
            includes: Vec::new(),
        };
        let top = loader.load(root_file, doc, 0);
        let mut pipeline = Pipeline {
            root_file,
            sources: loader.sources,
            unparseable: loader.unparseable,
            includes: loader.includes,
            top,
            jobs: Vec::new(),
        };
        pipeline.jobs = pipeline.build_jobs();
        Ok(pipeline)
    }

    /// A top-level value, `!reference` tags resolved.
    pub fn global(&self, key: &str) -> Option<Value<'r>> {
        self.top.get(key).map(|value| self.resolve(value, 0))
    }

    /// The pipeline-level variables.
    pub fn global_variables(&self) -> Option<Value<'r>> {
        self.global("variables")
    }

    /// `workflow: rules:`, flattened.
    pub fn workflow_rules(&self) -> Vec<Value<'r>> {
        self.global("workflow")
            .and_then(|workflow| workflow.get("rules").cloned())
            .map(|rules| rules.flatten().into_iter().cloned().collect())
            .unwrap_or_default()
    }

    fn build_jobs(&self) -> Vec<Job<'r>> {
        let default = self.top.get("default");
        let global_variables = self.global_variables();
        self.top
            .members()
            .iter()
            .filter(|member| {
                !RESERVED_KEYS.contains(&member.name)
                    && !member.name.starts_with('.')
                    && matches!(member.value, Value::Map(..))
            })
            .map(|member| {
                let mut config = self.extended(member.name, &member.value, 0);
                let inherit = config.get("inherit").cloned();
                self.apply_defaults(&mut config, default, inherit.as_ref());
                let config = self.resolve(&config, 0);
                let inherited_variables = match &global_variables {
                    Some(variables) => inherited(variables, inherit.as_ref(), "variables"),
                    None => Vec::new(),
                };
                Job {
                    name: member.name,
                    key: member.key.clone(),
                    config,
                    inherited_variables,
                }
            })
            .collect()
    }

    /// `value` with its `extends:` templates merged underneath.
    fn extended(&self, name: &str, value: &Value<'r>, depth: usize) -> Value<'r> {
        let parents: Vec<&str> = value
            .get("extends")
            .map(|extends| {
                extends
                    .lines()
                    .into_iter()
                    .filter_map(Located::as_str)
                    .collect()
            })
            .unwrap_or_default();
        if parents.is_empty() || depth >= MAX_EXTENDS_DEPTH {
            return value.clone();
        }
        let mut base: Option<Value<'r>> = None;
        for parent in parents {
            if parent == name {
                continue;
            }
            let Some(template) = self.top.get(parent) else {
                continue;
            };
            let template = self.extended(parent, template, depth + 1);
            base = Some(match base {
                Some(base) => merge(base, template),
                None => template,
            });
        }
        match base {
            Some(base) => merge(base, value.clone()),
            None => value.clone(),
        }
    }

    /// Fills keys the job does not set from `default:` and the legacy
    /// top-level defaults, honouring `inherit: default:`.
    fn apply_defaults(
        &self,
        config: &mut Value<'r>,
        default: Option<&Value<'r>>,
        inherit: Option<&Value<'r>>,
    ) {
        let Value::Map(_, members) = config else {
            return;
        };
        let mut candidates: Vec<Member<'r>> = Vec::new();
        if let Some(default) = default {
            candidates.extend(inherited(default, inherit, "default"));
        }
        let legacy: Vec<Member<'r>> = self
            .top
            .members()
            .iter()
            .filter(|m| LEGACY_DEFAULT_KEYS.contains(&m.name))
            .cloned()
            .collect();
        let legacy_map = Value::Map(self.top.at().clone(), legacy);
        candidates.extend(inherited(&legacy_map, inherit, "default"));
        for candidate in candidates {
            if !members.iter().any(|m| m.name == candidate.name) {
                members.push(candidate);
            }
        }
    }

    /// `value` with every `!reference` replaced by what it names.
    fn resolve(&self, value: &Value<'r>, depth: usize) -> Value<'r> {
        match value {
            Value::Unresolved(at) if depth < MAX_NESTING => match self.lookup(at) {
                Some(target) => self.resolve(&target, depth + 1),
                None => value.clone(),
            },
            Value::List(at, items) => Value::List(
                at.clone(),
                items.iter().map(|item| self.resolve(item, depth)).collect(),
            ),
            Value::Map(at, members) => Value::Map(
                at.clone(),
                members
                    .iter()
                    .map(|member| Member {
                        name: member.name,
                        key: member.key.clone(),
                        value: self.resolve(&member.value, depth),
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// What `!reference [.job, key, ...]` at `at` names: looked up in the
    /// merged configuration with the named job's `extends:` applied.
    fn lookup(&self, at: &Located<'r>) -> Option<Value<'r>> {
        let path: Vec<&str> = at.node.items().filter_map(Node::as_str).collect();
        let (first, rest) = path.split_first()?;
        let mut current = self.extended(first, self.top.get(first)?, 0);
        for key in rest {
            current = current.get(key)?.clone();
        }
        Some(current)
    }
}

/// The members of `source` that `inherit: <what>:` lets through:
/// `true`/absent = all, `false` = none, a list = those named.
fn inherited<'r>(source: &Value<'r>, inherit: Option<&Value<'r>>, what: &str) -> Vec<Member<'r>> {
    let rule = inherit.and_then(|inherit| inherit.get(what));
    match rule {
        None => source.members().to_vec(),
        Some(rule) if rule.as_str().is_some() => {
            if rule.as_str() == Some("false") {
                Vec::new()
            } else {
                source.members().to_vec()
            }
        }
        Some(rule) => {
            let allowed: Vec<&str> = rule
                .lines()
                .into_iter()
                .filter_map(Located::as_str)
                .collect();
            source
                .members()
                .iter()
                .filter(|m| allowed.contains(&m.name))
                .cloned()
                .collect()
        }
    }
}

/// Follows `include:` through the collected files.
struct Loader<'r> {
    repo: &'r Repo,
    project_root: String,
    visited: HashSet<String>,
    sources: Vec<Source<'r>>,
    unparseable: Vec<Unparseable<'r>>,
    includes: Vec<Include<'r>>,
}

impl<'r> Loader<'r> {
    /// The merged configuration of `file`: its includes, in order, then its
    /// own keys on top.
    fn load(&mut self, file: &'r RepoFile, doc: &'r Document, depth: usize) -> Value<'r> {
        let src = Source { file, doc };
        self.sources.push(src);
        let Some(content) = content_document(doc) else {
            return Value::Map(Located::new(src, empty_node(), String::new()), Vec::new());
        };
        let own = Value::from_node(Located::new(src, content, String::new()));
        let mut merged: Option<Value<'r>> = None;
        if let Some(include) = own.get("include") {
            for entry in include.flatten() {
                let at = entry.at().clone();
                let local = local_target(at.node);
                let mut resolved = false;
                if let Some(pattern) = local {
                    for target in self.local_files(pattern) {
                        resolved = true;
                        if depth + 1 > MAX_NESTING
                            || self.visited.len() >= MAX_INCLUDES
                            || !self.visited.insert(target.path.clone())
                        {
                            continue;
                        }
                        match target.document() {
                            Ok(included) => {
                                let value = self.load(target, included, depth + 1);
                                merged = Some(match merged {
                                    Some(base) => merge(base, value),
                                    None => value,
                                });
                            }
                            Err(error) => self.unparseable.push(Unparseable {
                                file: target,
                                error,
                            }),
                        }
                    }
                }
                self.includes.push(Include {
                    at,
                    local: local.is_some(),
                    resolved,
                });
            }
        }
        let own = match own {
            Value::Map(at, members) => Value::Map(
                at,
                members
                    .into_iter()
                    .filter(|m| m.name != "include")
                    .collect(),
            ),
            other => other,
        };
        match merged {
            Some(base) => merge(base, own),
            None => own,
        }
    }

    /// The collected YAML files a local include pattern names.
    fn local_files(&self, pattern: &str) -> Vec<&'r RepoFile> {
        let relative = pattern.trim_start_matches('/');
        if relative.contains('$') {
            return Vec::new();
        }
        let Some(full) = join_relative(&self.project_root, relative) else {
            return Vec::new();
        };
        if !full.contains('*') {
            return self
                .repo
                .get(&full)
                .filter(|f| is_yaml(f))
                .into_iter()
                .collect();
        }
        self.repo
            .files()
            .filter(|f| is_yaml(f) && glob_matches(&full, &f.path))
            .collect()
    }
}

fn is_yaml(file: &RepoFile) -> bool {
    matches!(
        file.kind,
        FileKind::GitlabPipeline
            | FileKind::OtherYaml
            | FileKind::GithubWorkflow
            | FileKind::GithubAction
            | FileKind::Dependabot
    )
}

fn empty_node() -> &'static Node {
    static EMPTY: std::sync::LazyLock<Node> = std::sync::LazyLock::new(|| Node {
        value: Yaml::Map(Vec::new()),
        span: 0..0,
        tag: None,
        alias: None,
    });
    &EMPTY
}

/// The document holding the configuration: a CI/CD component file starts
/// with a `spec:` header document, the configuration follows `---`.
fn content_document(doc: &Document) -> Option<&Node> {
    let documents = doc.documents();
    let first = documents.first()?;
    if first.get("spec").is_some()
        && let Some(second) = documents.get(1)
    {
        return Some(second);
    }
    Some(first)
}

/// The local path an include entry names: `'/x.yml'`, `'x/*.yml'` or
/// `local: x.yml`. Remote URLs and other kinds are not local.
pub fn local_target(node: &Node) -> Option<&str> {
    if let Some(text) = node.as_str() {
        let remote = text.starts_with("http://") || text.starts_with("https://");
        return (!remote && !text.is_empty()).then_some(text);
    }
    node.get("local").and_then(Node::as_str)
}

/// Whether `path` matches the include glob `pattern`: `*` stays within a
/// directory, `**` crosses directories.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.as_bytes();
    let path = path.as_bytes();
    // matches[j]: pattern[..i] matches path[..j]; rolled over i.
    let mut matches = vec![false; path.len() + 1];
    matches[0] = true;
    let mut i = 0;
    while i < pattern.len() {
        let mut next = vec![false; path.len() + 1];
        if pattern[i] == b'*' {
            let double = pattern.get(i + 1) == Some(&b'*');
            let mut reachable = false;
            for j in 0..=path.len() {
                if matches[j] {
                    reachable = true;
                }
                next[j] = reachable;
                if j < path.len() && path[j] == b'/' && !double {
                    reachable = false;
                }
            }
            i += if double { 2 } else { 1 };
        } else {
            for j in 0..path.len() {
                if matches[j] && path[j] == pattern[i] {
                    next[j + 1] = true;
                }
            }
            i += 1;
        }
        matches = next;
    }
    matches[path.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::RepoFile;

    fn repo(files: &[(&str, &str)]) -> Repo {
        let mut repo = Repo::new();
        for (path, text) in files {
            let kind = FileKind::of(path).unwrap_or(FileKind::OtherYaml);
            repo.insert(RepoFile::new((*path).to_owned(), kind, text.as_bytes()));
        }
        repo
    }

    fn build<'r>(repo: &'r Repo, root: &str) -> Pipeline<'r> {
        let file = repo.get(root).expect("root file");
        Pipeline::build(repo, file).expect("parses")
    }

    fn script(job: &Job<'_>) -> Vec<String> {
        job.get("script")
            .map(Value::lines)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|l| l.as_str().map(str::to_owned))
            .collect()
    }

    #[test]
    fn globs_keep_single_stars_within_a_directory() {
        assert!(glob_matches("ci/*.yml", "ci/a.yml"));
        assert!(!glob_matches("ci/*.yml", "ci/sub/a.yml"));
        assert!(glob_matches("ci/**.yml", "ci/sub/a.yml"));
        assert!(!glob_matches("ci/**/*.yml", "ci/a.yml"));
        assert!(glob_matches("ci/**/*.yml", "ci/x/a.yml"));
        assert!(!glob_matches("ci/*.yml", "other/a.yml"));
    }

    #[test]
    fn local_includes_merge_and_the_including_file_wins() {
        let repo = repo(&[
            (
                "p/.gitlab-ci.yml",
                "include:\n  - local: /ci/base.yml\n  - 'ci/more/*.yml'\nbuild:\n  script: [own]\n",
            ),
            (
                "p/ci/base.yml",
                "build:\n  image: alpine\n  script: [base]\n",
            ),
            ("p/ci/more/test.yml", "test:\n  script: [t]\n"),
        ]);
        let pipeline = build(&repo, "p/.gitlab-ci.yml");
        let names: Vec<&str> = pipeline.jobs.iter().map(|j| j.name).collect();
        assert_eq!(names, ["build", "test"]);
        let job = &pipeline.jobs[0];
        assert_eq!(script(job), ["own"]);
        let image = job.get("image").expect("image from include");
        assert_eq!(image.at().path(), "p/ci/base.yml");
        assert_eq!(image.at().symbolic, "build.image");
        assert_eq!(pipeline.sources.len(), 3);
        assert!(pipeline.includes.iter().all(|i| i.resolved));
    }

    #[test]
    fn include_cycles_terminate() {
        let repo = repo(&[
            (".gitlab-ci.yml", "include: a.yml\nj:\n  script: [x]\n"),
            ("a.yml", "include: b.yml\n"),
            ("b.yml", "include: [a.yml, /.gitlab-ci.yml]\n"),
        ]);
        let pipeline = build(&repo, ".gitlab-ci.yml");
        assert_eq!(pipeline.jobs.len(), 1);
        assert_eq!(pipeline.sources.len(), 3);
    }

    #[test]
    fn extends_deep_merges_in_order_and_survives_cycles() {
        let repo = repo(&[(
            ".gitlab-ci.yml",
            ".a:\n  variables: {A: 1, B: 1}\n  script: [a]\n.b:\n  extends: .a\n  variables: {B: 2}\n\
             job:\n  extends: [.b]\n  variables: {C: 3}\nloop:\n  extends: loop2\n  script: [l]\nloop2:\n  extends: loop\n",
        )]);
        let pipeline = build(&repo, ".gitlab-ci.yml");
        let job = pipeline.jobs.iter().find(|j| j.name == "job").expect("job");
        assert_eq!(script(job), ["a"]);
        let variables: Vec<(&str, &str)> = job
            .variables()
            .into_iter()
            .filter_map(|v| Some((v.name, v.value?.as_str()?)))
            .collect();
        assert_eq!(variables, [("A", "1"), ("B", "2"), ("C", "3")]);
        assert!(pipeline.jobs.iter().any(|j| j.name == "loop"));
    }

    #[test]
    fn references_splice_and_defaults_fill_gaps() {
        let repo = repo(&[(
            ".gitlab-ci.yml",
            "default:\n  image: ruby:3\n  before_script: [setup]\nvariables:\n  G: g\n\
             .setup:\n  script: [one, two]\njob:\n  script:\n    - !reference [.setup, script]\n    - three\n\
             other:\n  image: alpine\n  inherit:\n    default: [before_script]\n    variables: false\n  script: [x]\n",
        )]);
        let pipeline = build(&repo, ".gitlab-ci.yml");
        let job = &pipeline.jobs[0];
        assert_eq!(script(job), ["one", "two", "three"]);
        assert_eq!(job.get("image").and_then(Value::as_str), Some("ruby:3"));
        assert_eq!(job.variables().len(), 1);
        let other = &pipeline.jobs[1];
        assert_eq!(other.get("image").and_then(Value::as_str), Some("alpine"));
        assert!(other.get("before_script").is_some());
        assert!(other.variables().is_empty());
    }

    #[test]
    fn component_spec_headers_are_skipped() {
        let repo = repo(&[(
            ".gitlab-ci.yml",
            "spec:\n  inputs:\n    stage: {default: test}\n---\ncomponent-job:\n  script: [x]\n",
        )]);
        let pipeline = build(&repo, ".gitlab-ci.yml");
        assert_eq!(pipeline.jobs.len(), 1);
        assert_eq!(pipeline.jobs[0].name, "component-job");
    }

    #[test]
    fn odd_shapes_do_not_break_the_model() {
        let repo = repo(&[(
            ".gitlab-ci.yml",
            "include: 42\nvariables: [a]\nstages: {x: 1}\njob: just a string\nj2:\n  extends: 7\n  script: !reference [.nope, script]\n",
        )]);
        let pipeline = build(&repo, ".gitlab-ci.yml");
        assert_eq!(pipeline.jobs.len(), 1);
        assert!(matches!(
            pipeline.jobs[0].get("script"),
            Some(Value::Unresolved(_))
        ));
    }
}
