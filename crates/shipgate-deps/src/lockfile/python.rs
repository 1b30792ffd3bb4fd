//! Python packaging facts shared by the poetry, uv, pdm, Pipfile and
//! requirements readers: PEP 503 name matching, `algorithm:hex` file
//! hashes, and what `pyproject.toml` says about the project and the
//! packages it asks for.
//!
//! `pyproject.toml` names direct dependencies in several places, all read
//! here: `[project] dependencies` (runtime), `[project.optional-dependencies]`
//! (optional), `[dependency-groups]` (PEP 735, development),
//! `[tool.poetry.dependencies]` (runtime, or optional when marked so),
//! `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.<g>.dependencies]`
//! (development, except the `main` group), `[tool.uv] dev-dependencies`
//! and `[tool.pdm.dev-dependencies]` (development).

use std::collections::{HashMap, HashSet, VecDeque};

use toml::{Table, Value};

use crate::ecosystem::Ecosystem;
use crate::inventory::{
    FileSet, Hash, HashAlgorithm, Package, ParseWarning, Relation, RootComponent, Scope,
};

/// What the manifest beside a lockfile says.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    /// The project, when the manifest names it.
    pub(crate) root: Option<RootComponent>,
    /// Normalized names of the packages the project asks for, with the
    /// widest scope it asks for each in.
    pub(crate) direct: HashMap<String, Scope>,
}

impl Manifest {
    /// Records `name` as asked for in `scope`; runtime beats optional,
    /// which beats development, because that is when it gets installed.
    pub(crate) fn add(&mut self, name: &str, scope: Scope) {
        let entry = self.direct.entry(normalize(name)).or_insert(scope);
        if scope_rank(scope) < scope_rank(*entry) {
            *entry = scope;
        }
    }
}

/// Lower rank wins when one package is reached in several scopes.
pub(crate) fn scope_rank(scope: Scope) -> u8 {
    match scope {
        Scope::Runtime => 0,
        Scope::Optional => 1,
        Scope::Development => 2,
        Scope::Unknown => 3,
    }
}

/// The PEP 503 form of a distribution name, used to match names across
/// files that spell them differently (`typing_extensions`, `Typing-Extensions`).
pub(crate) fn normalize(name: &str) -> String {
    Ecosystem::PyPi.normalize_name(name).into_owned()
}

/// A `sha256:<hex>` style hash; `None` for unknown algorithms or non-hex
/// digests of the wrong length.
pub(crate) fn prefixed_hash(text: &str) -> Option<Hash> {
    let (algorithm, digest) = text.trim().split_once(':')?;
    hex_hash(algorithm, digest)
}

/// A hash from an algorithm name as pip spells it and a hex digest.
pub(crate) fn hex_hash(algorithm: &str, digest: &str) -> Option<Hash> {
    let (algorithm, length) = match algorithm.to_ascii_lowercase().as_str() {
        "md5" => (HashAlgorithm::Md5, 32),
        "sha1" => (HashAlgorithm::Sha1, 40),
        "sha256" => (HashAlgorithm::Sha256, 64),
        "sha384" => (HashAlgorithm::Sha384, 96),
        "sha512" => (HashAlgorithm::Sha512, 128),
        _ => return None,
    };
    (digest.len() == length && digest.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Hash {
        algorithm,
        value: digest.to_ascii_lowercase(),
    })
}

/// Adds `hash` to `hashes` unless it is already there.
pub(crate) fn push_hash(hashes: &mut Vec<Hash>, hash: Hash) {
    if !hashes.contains(&hash) {
        hashes.push(hash);
    }
}

/// The name of a PEP 508 requirement string (`requests[socks]>=2;
/// python_version<'3.8'`), or of the leading word when the rest is not
/// PEP 508.
pub(crate) fn requirement_name(requirement: &str) -> Option<String> {
    match Requirement::parse(requirement) {
        Ok(parsed) => Some(parsed.name.to_owned()),
        Err(_) => leading_name(requirement).map(str::to_owned),
    }
}

/// The parts of a PEP 508 requirement a lockfile reader needs, borrowed
/// from the text as written. Markers after `;` are not interpreted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Requirement<'a> {
    /// The distribution name as written.
    pub(crate) name: &'a str,
    /// Version specifiers as (operator, version) pairs.
    pub(crate) specifiers: Vec<(&'a str, &'a str)>,
    /// The URL after `@`, for direct references.
    pub(crate) url: Option<&'a str>,
}

const OPERATORS: [&str; 8] = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"];

impl<'a> Requirement<'a> {
    /// Reads `name [extras] (specifiers | @ url) [; marker]`; the error
    /// says what was expected where.
    pub(crate) fn parse(text: &'a str) -> Result<Requirement<'a>, String> {
        let text = text.trim();
        let name = leading_name(text).ok_or("no package name")?;
        if name.ends_with(['-', '_', '.']) {
            return Err(format!("package name `{name}` ends with punctuation"));
        }
        let mut rest = text[name.len()..].trim_start();
        if let Some(extras) = rest.strip_prefix('[') {
            let close = extras.find(']').ok_or("unclosed extras")?;
            let valid = extras[..close]
                .split(',')
                .map(str::trim)
                .all(|extra| extra.is_empty() || leading_name(extra) == Some(extra));
            if !valid {
                return Err("invalid extras".to_owned());
            }
            rest = extras[close + 1..].trim_start();
        }
        let (body, _marker) = match rest.find(';') {
            Some(at) => (rest[..at].trim(), Some(&rest[at + 1..])),
            None => (rest.trim(), None),
        };
        if let Some(url) = body.strip_prefix('@') {
            let url = url.trim();
            if url.is_empty() || url.contains(char::is_whitespace) {
                return Err("expected one URL after @".to_owned());
            }
            return Ok(Requirement {
                name,
                specifiers: Vec::new(),
                url: Some(url),
            });
        }
        let body = match body.strip_prefix('(') {
            Some(inner) => inner
                .strip_suffix(')')
                .ok_or("unclosed parenthesis")?
                .trim(),
            None => body,
        };
        let mut specifiers = Vec::new();
        if !body.is_empty() {
            for clause in body.split(',') {
                let clause = clause.trim();
                let operator = OPERATORS
                    .iter()
                    .find(|operator| clause.starts_with(**operator))
                    .ok_or_else(|| format!("expected a version operator at `{clause}`"))?;
                let version = clause[operator.len()..].trim();
                let valid = !version.is_empty()
                    && version.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
                    });
                if !valid {
                    return Err(format!("invalid version `{version}`"));
                }
                specifiers.push((*operator, version));
            }
        }
        Ok(Requirement {
            name,
            specifiers,
            url: None,
        })
    }

    /// The version when the requirement pins exactly one (`==1.2`,
    /// `===1.2`; not `==1.*`).
    pub(crate) fn pinned_version(&self) -> Option<&'a str> {
        match self.specifiers.as_slice() {
            [("==" | "===", version)] if !version.contains('*') => Some(version),
            _ => None,
        }
    }
}

/// The distribution name at the start of `text`, as written.
pub(crate) fn leading_name(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    let name = &text[..end];
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some(name)
}

/// Reads the `pyproject.toml` beside `lock_path`; `None` when there is
/// none or it is unreadable, which adds a warning to `warnings`, since
/// the lockfile is still worth reading without it.
pub(crate) fn read_pyproject(
    lock_path: &str,
    files: &FileSet,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Manifest> {
    match pyproject_beside(lock_path, files) {
        Ok(manifest) => manifest,
        Err(warning) => {
            warnings.push(warning);
            None
        }
    }
}

/// The `pyproject.toml` beside `lock_path`: `Ok(None)` when there is
/// none, a warning when it is there but unreadable.
fn pyproject_beside(lock_path: &str, files: &FileSet) -> Result<Option<Manifest>, ParseWarning> {
    let Some(bytes) = super::sibling(lock_path, "pyproject.toml").and_then(|path| files.get(&path))
    else {
        return Ok(None);
    };
    let unreadable = |why: String| ParseWarning {
        line: None,
        message: format!(
            "pyproject.toml beside the lockfile is unreadable ({why}); relations are unknown"
        ),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| unreadable("not UTF-8".to_owned()))?;
    let document: Table =
        toml::from_str(text).map_err(|error| unreadable(error.message().to_owned()))?;
    Ok(Some(pyproject_manifest(&document)))
}

fn pyproject_manifest(document: &Table) -> Manifest {
    let mut manifest = Manifest::default();
    let project = document.get("project").and_then(Value::as_table);
    let poetry = document
        .get("tool")
        .and_then(Value::as_table)
        .and_then(|tool| tool.get("poetry"))
        .and_then(Value::as_table);
    let tool = |name: &str| {
        document
            .get("tool")
            .and_then(Value::as_table)
            .and_then(|tool| tool.get(name))
            .and_then(Value::as_table)
    };

    let name = project
        .and_then(|p| p.get("name"))
        .or_else(|| poetry.and_then(|p| p.get("name")))
        .and_then(Value::as_str);
    let version = project
        .and_then(|p| p.get("version"))
        .or_else(|| poetry.and_then(|p| p.get("version")))
        .and_then(Value::as_str);
    manifest.root = name.map(|name| RootComponent {
        name: name.to_owned(),
        version: version.map(str::to_owned),
        ecosystem: Ecosystem::PyPi,
    });

    if let Some(project) = project {
        add_requirements(&mut manifest, project.get("dependencies"), Scope::Runtime);
        for (_, extra) in project
            .get("optional-dependencies")
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            add_requirements(&mut manifest, Some(extra), Scope::Optional);
        }
    }
    for (_, group) in document
        .get("dependency-groups")
        .and_then(Value::as_table)
        .into_iter()
        .flatten()
    {
        add_requirements(&mut manifest, Some(group), Scope::Development);
    }
    if let Some(poetry) = poetry {
        add_poetry_table(&mut manifest, poetry.get("dependencies"), Scope::Runtime);
        add_poetry_table(
            &mut manifest,
            poetry.get("dev-dependencies"),
            Scope::Development,
        );
        for (group_name, group) in poetry
            .get("group")
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            let scope = if group_name == "main" {
                Scope::Runtime
            } else {
                Scope::Development
            };
            add_poetry_table(&mut manifest, group.get("dependencies"), scope);
        }
    }
    if let Some(uv) = tool("uv") {
        add_requirements(
            &mut manifest,
            uv.get("dev-dependencies"),
            Scope::Development,
        );
    }
    if let Some(pdm) = tool("pdm") {
        for (_, group) in pdm
            .get("dev-dependencies")
            .and_then(Value::as_table)
            .into_iter()
            .flatten()
        {
            add_requirements(&mut manifest, Some(group), Scope::Development);
        }
    }
    manifest
}

/// A list of PEP 508 strings; tables (PEP 735 `{include-group = ...}`)
/// name no package and are passed over.
fn add_requirements(manifest: &mut Manifest, list: Option<&Value>, scope: Scope) {
    for requirement in list.and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = requirement.as_str().and_then(requirement_name) {
            manifest.add(&name, scope);
        }
    }
}

/// A poetry dependency table: keys are names, `python` is the interpreter.
fn add_poetry_table(manifest: &mut Manifest, table: Option<&Value>, scope: Scope) {
    for (name, spec) in table.and_then(Value::as_table).into_iter().flatten() {
        if name.eq_ignore_ascii_case("python") {
            continue;
        }
        let optional = spec
            .as_table()
            .and_then(|spec| spec.get("optional"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let scope = if optional && scope == Scope::Runtime {
            Scope::Optional
        } else {
            scope
        };
        manifest.add(name, scope);
    }
}

/// Gives packages whose scope the lockfile left open the scope of the
/// direct dependencies they are reached from: whatever a runtime
/// dependency pulls in is needed at run time, and so on down the ranks.
/// `starts` are (package index, scope) pairs for the direct dependencies.
pub(crate) fn propagate_scopes(packages: &mut [Package], starts: &[(usize, Scope)]) {
    let mut best: Vec<u8> = vec![scope_rank(Scope::Unknown); packages.len()];
    let mut scope_of = vec![Scope::Unknown; packages.len()];
    let mut queue = VecDeque::new();
    for &(index, scope) in starts {
        if index < packages.len() && scope_rank(scope) < best[index] {
            best[index] = scope_rank(scope);
            scope_of[index] = scope;
            queue.push_back(index);
        }
    }
    while let Some(index) = queue.pop_front() {
        let scope = scope_of[index];
        for &next in &packages[index].dependencies {
            if next < packages.len() && scope_rank(scope) < best[next] {
                best[next] = scope_rank(scope);
                scope_of[next] = scope;
                queue.push_back(next);
            }
        }
    }
    for (package, scope) in packages.iter_mut().zip(scope_of) {
        if package.scope == Scope::Unknown {
            package.scope = scope;
        }
    }
}

/// Indices of packages by normalized name; one name can have several
/// versions when markers fork the resolution.
pub(crate) fn index_by_name(packages: &[Package]) -> HashMap<String, Vec<usize>> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, package) in packages.iter().enumerate() {
        by_name
            .entry(normalize(&package.name))
            .or_default()
            .push(index);
    }
    by_name
}

/// The `name` and `version` of a `[[package]]` table; `None` with a
/// warning at `line` when either is missing, since such an entry cannot
/// be matched against advisories.
pub(crate) fn name_and_version<'a>(
    table: &'a Table,
    line: u32,
    warnings: &mut Vec<ParseWarning>,
) -> Option<(&'a str, &'a str)> {
    let name = table.get("name").and_then(Value::as_str);
    let version = table.get("version").and_then(Value::as_str);
    if let (Some(name), Some(version)) = (name, version) {
        return Some((name, version));
    }
    warnings.push(ParseWarning {
        line: Some(line),
        message: "package entry without a name or version; skipped".to_owned(),
    });
    None
}

/// The warning for a package entry that repeats one first seen at
/// `first_line`; the first entry is the one kept.
pub(crate) fn listed_twice(name: &str, version: &str, line: u32, first_line: u32) -> ParseWarning {
    ParseWarning {
        line: Some(line),
        message: format!(
            "{name} {version} is listed twice (first at line {first_line}); the first entry is kept"
        ),
    }
}

/// Adds the hashes of `artifacts`, tables with a `hash = "sha256:..."`
/// key (a lockfile's `files`, `sdist` or `wheels`); artifacts without a
/// readable hash are passed over.
pub(crate) fn push_artifact_hashes<'a>(
    hashes: &mut Vec<Hash>,
    artifacts: impl IntoIterator<Item = &'a Value>,
) {
    for artifact in artifacts {
        if let Some(hash) = artifact
            .get("hash")
            .and_then(Value::as_str)
            .and_then(prefixed_hash)
        {
            push_hash(hashes, hash);
        }
    }
}

/// The entries of the array under `key` in `table`; none when the key is
/// missing or not an array.
pub(crate) fn array_entries<'a>(table: &'a Table, key: &str) -> impl Iterator<Item = &'a Value> {
    table
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// Sets each package's dependency edges from the normalized names in
/// `dependency_names` (one list per package, in the same order): every
/// version of a named package, without self-edges or repeats.
pub(crate) fn link_dependencies(
    packages: &mut [Package],
    by_name: &HashMap<String, Vec<usize>>,
    dependency_names: &[Vec<String>],
) {
    for (index, names) in dependency_names.iter().enumerate() {
        let mut edges: Vec<usize> = names
            .iter()
            .filter_map(|name| by_name.get(name))
            .flatten()
            .copied()
            .filter(|&target| target != index)
            .collect();
        edges.sort_unstable();
        edges.dedup();
        if let Some(package) = packages.get_mut(index) {
            package.dependencies = edges;
        }
    }
}

/// (package index, scope) pairs for every package with one of the
/// normalized `names`, each with the scope it is asked for in.
pub(crate) fn starts_by_name<'a>(
    by_name: &HashMap<String, Vec<usize>>,
    names: impl IntoIterator<Item = (&'a str, Scope)>,
) -> Vec<(usize, Scope)> {
    names
        .into_iter()
        .flat_map(|(name, scope)| {
            by_name
                .get(name)
                .into_iter()
                .flatten()
                .map(move |&index| (index, scope))
        })
        .collect()
}

/// Marks the packages in `starts` direct and every other one transitive,
/// then lets scopes flow from the direct ones, the widest scope first.
pub(crate) fn mark_direct(packages: &mut [Package], mut starts: Vec<(usize, Scope)>) {
    let direct: HashSet<usize> = starts.iter().map(|&(index, _)| index).collect();
    for (index, package) in packages.iter_mut().enumerate() {
        package.relation = if direct.contains(&index) {
            Relation::Direct
        } else {
            Relation::Transitive
        };
    }
    starts.sort_by_key(|&(index, scope)| (scope_rank(scope), index));
    propagate_scopes(packages, &starts);
}

/// Settles relations and open scopes from what the project asks for: the
/// `manifest`'s direct dependencies and `local_dependencies`, the
/// normalized names the project's own entries in the lockfile depend on.
/// With neither, relations stay unknown.
pub(crate) fn settle_relations(
    packages: &mut [Package],
    by_name: &HashMap<String, Vec<usize>>,
    manifest: Option<&Manifest>,
    local_dependencies: &[String],
) {
    if manifest.is_none() && local_dependencies.is_empty() {
        return;
    }
    let local = local_dependencies
        .iter()
        .map(|name| (name.as_str(), Scope::Unknown));
    let asked = manifest
        .into_iter()
        .flat_map(|manifest| &manifest.direct)
        .map(|(name, &scope)| (name.as_str(), scope));
    let starts = starts_by_name(by_name, local.chain(asked));
    mark_direct(packages, starts);
}

/// The 1-based line of byte `offset`, from an index built once per file.
pub(crate) fn line_at(lines: &shipgate_model::LineIndex, offset: usize) -> u32 {
    u32::try_from(lines.line_of(offset) + 1).unwrap_or(u32::MAX)
}

/// Reads the TOML lockfile at `path` into `T`, with the line index its
/// package spans are resolved against; a TOML error carries its line.
pub(crate) fn read_toml<T: serde::de::DeserializeOwned>(
    path: &str,
    files: &FileSet,
) -> Result<(T, shipgate_model::LineIndex), crate::LockfileError> {
    let text = super::text(path, files)?;
    let document = toml::from_str(text).map_err(|error| toml_error(path, text, &error))?;
    Ok((document, shipgate_model::LineIndex::new(text.as_bytes())))
}

/// The 1-based line of a TOML parse error, for a [`crate::LockfileError`].
pub(crate) fn toml_error(path: &str, text: &str, error: &toml::de::Error) -> crate::LockfileError {
    let line = error
        .span()
        .map(|span| line_at(&shipgate_model::LineIndex::new(text.as_bytes()), span.start));
    super::error(
        path,
        line,
        format!("not valid TOML: {}", error.message().trim_end()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_need_a_known_algorithm_and_a_digest_of_its_length() {
        let digest = "a".repeat(64);
        assert_eq!(
            prefixed_hash(&format!("sha256:{}", digest.to_uppercase())),
            Some(Hash {
                algorithm: HashAlgorithm::Sha256,
                value: digest.clone()
            })
        );
        assert_eq!(prefixed_hash(&format!("sha512:{digest}")), None);
        assert_eq!(prefixed_hash(&format!("blake2:{digest}")), None);
        assert_eq!(prefixed_hash("sha1:zz"), None);
    }

    #[test]
    fn pyproject_collects_names_from_every_table_with_the_widest_scope() {
        let document: Table = toml::from_str(
            r#"
            [project]
            name = "demo"
            version = "1.2.0"
            dependencies = ["Requests[socks]>=2; python_version > '3.8'", "click"]
            [project.optional-dependencies]
            yaml = ["PyYAML>=6", "click"]
            [dependency-groups]
            test = ["pytest>=8", {include-group = "lint"}]
            lint = ["ruff"]
            [tool.poetry.dependencies]
            python = "^3.10"
            rich = { version = "^13", optional = true }
            [tool.poetry.group.docs.dependencies]
            mkdocs = "*"
            [tool.poetry.group.main.dependencies]
            attrs = "*"
            [tool.uv]
            dev-dependencies = ["mypy"]
            [tool.pdm.dev-dependencies]
            bench = ["pyperf"]
            "#,
        )
        .unwrap();
        let manifest = pyproject_manifest(&document);
        let root = manifest.root.unwrap();
        assert_eq!(
            (root.name.as_str(), root.version.as_deref()),
            ("demo", Some("1.2.0"))
        );
        let scope = |name: &str| manifest.direct.get(name).copied();
        assert_eq!(scope("requests"), Some(Scope::Runtime));
        assert_eq!(scope("click"), Some(Scope::Runtime));
        assert_eq!(scope("pyyaml"), Some(Scope::Optional));
        assert_eq!(scope("rich"), Some(Scope::Optional));
        assert_eq!(scope("pytest"), Some(Scope::Development));
        assert_eq!(scope("ruff"), Some(Scope::Development));
        assert_eq!(scope("mkdocs"), Some(Scope::Development));
        assert_eq!(scope("attrs"), Some(Scope::Runtime));
        assert_eq!(scope("mypy"), Some(Scope::Development));
        assert_eq!(scope("pyperf"), Some(Scope::Development));
        assert_eq!(scope("python"), None);
    }

    #[test]
    fn scopes_flow_from_direct_dependencies_and_runtime_wins() {
        let mut packages: Vec<Package> = ["a", "b", "c", "d"]
            .iter()
            .map(|name| Package::new(Ecosystem::PyPi, *name, "1"))
            .collect();
        packages[0].dependencies = vec![2];
        packages[1].dependencies = vec![2, 3];
        packages[3].scope = Scope::Optional;
        propagate_scopes(
            &mut packages,
            &[(1, Scope::Development), (0, Scope::Runtime)],
        );
        let scopes: Vec<Scope> = packages.iter().map(|p| p.scope).collect();
        assert_eq!(
            scopes,
            [
                Scope::Runtime,
                Scope::Development,
                Scope::Runtime,
                Scope::Optional
            ]
        );
    }

    #[test]
    fn requirements_read_names_extras_specifiers_urls_and_skip_markers() {
        let parsed = Requirement::parse(
            "Requests[socks, security] (>=2.0, ==2.31.*) ; python_version < '3.8'",
        )
        .unwrap();
        assert_eq!(parsed.name, "Requests");
        assert_eq!(parsed.specifiers, [(">=", "2.0"), ("==", "2.31.*")]);
        assert_eq!(parsed.pinned_version(), None);
        assert_eq!(
            Requirement::parse("six===1.16.0").unwrap().pinned_version(),
            Some("1.16.0")
        );
        assert_eq!(
            Requirement::parse("six == 1.16.0 ")
                .unwrap()
                .pinned_version(),
            Some("1.16.0")
        );
        assert_eq!(Requirement::parse("six").unwrap().specifiers, []);
        assert_eq!(
            Requirement::parse("pkg @ https://x.example/pkg.whl ; os_name == 'nt'")
                .unwrap()
                .url,
            Some("https://x.example/pkg.whl")
        );
        for bad in [
            "j_ ", "j_==1", "-x", "a[b", "a[b c]", "a (==1", "a ~~ 1", "a==", "a==1 2", "a @ ", "",
            "é==1",
        ] {
            assert!(Requirement::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn requirement_names_come_from_pep_508_or_the_leading_word() {
        assert_eq!(
            requirement_name("Typing_Extensions>=4; python_version<'3.11'").as_deref(),
            Some("Typing_Extensions")
        );
        assert_eq!(
            requirement_name("odd-name @@ broken").as_deref(),
            Some("odd-name")
        );
        assert_eq!(requirement_name("  "), None);
    }
}
