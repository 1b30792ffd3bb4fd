//! Gradle dependency locks.
//!
//! Format facts relied on:
//! - `gradle.lockfile` (Gradle 6+): one line per module,
//!   `group:artifact:version=configuration1,configuration2`, `#` comments,
//!   and a final `empty=...` line naming configurations that resolved to
//!   nothing.
//! - The older per-configuration files `gradle/dependency-locks/<configuration>.lockfile`
//!   hold `group:artifact:version` lines; the configuration is the file's
//!   name.
//! - Each configuration is resolved on its own, so one module may be
//!   locked at several versions (a tool's classpath beside the
//!   application's): each version is a package, not a conflict.
//! - Gradle records neither direct/transitive nor edges, so relation is
//!   unknown. Scope comes from the configurations: a module locked only in
//!   test configurations (`test…`, or a source set named `…Test…` such as
//!   `integrationTestRuntimeClasspath`) or in build-tool configurations
//!   (annotation processors, static analysers, coverage agents) is
//!   development; anything else is runtime.

use std::collections::HashMap;

use crate::ecosystem::Ecosystem;
use crate::inventory::{FileSet, Lockfile, LockfileError, Package, ParseWarning, Scope};
use crate::lockfile::LockfileKind;

/// Configuration prefixes of build tools whose classpaths never ship.
const TOOL_CONFIGURATIONS: [&str; 10] = [
    "annotationprocessor",
    "kapt",
    "checkstyle",
    "pmd",
    "spotbugs",
    "codenarc",
    "jacoco",
    "detekt",
    "ktlint",
    "errorprone",
];

pub(crate) fn parse(path: &str, files: &FileSet) -> Result<Lockfile, LockfileError> {
    let text = super::text(path, files)?;
    let file_configuration = path
        .contains("gradle/dependency-locks/")
        .then(|| super::file_name(path).trim_end_matches(".lockfile"));
    let mut warnings = Vec::new();
    let mut packages: Vec<Package> = Vec::new();
    let mut development_only: Vec<bool> = Vec::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut read_any = false;

    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let (coordinates, configurations) = match content.split_once('=') {
            Some((coordinates, configurations)) => (coordinates.trim(), configurations.trim()),
            None => (content, file_configuration.unwrap_or_default()),
        };
        if coordinates == "empty" {
            read_any = true;
            continue;
        }
        let parts: Vec<&str> = coordinates.split(':').collect();
        let [group, artifact, version] = parts.as_slice() else {
            warnings.push(warning(
                line,
                "a locked module is `group:artifact:version`; entry skipped",
            ));
            continue;
        };
        if [group, artifact, version]
            .iter()
            .any(|part| part.is_empty() || part.contains(char::is_whitespace))
        {
            warnings.push(warning(
                line,
                "a locked module is `group:artifact:version`; entry skipped",
            ));
            continue;
        }
        read_any = true;
        let development = configurations
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .all(is_development_configuration)
            && !configurations.trim().is_empty();
        let name = format!("{group}:{artifact}");
        let key = (name.clone(), (*version).to_owned());
        if let Some(&existing) = seen.get(&key) {
            development_only[existing] &= development;
            continue;
        }
        let mut package = Package::new(Ecosystem::Maven, name, *version);
        package.line = line;
        seen.insert(key, packages.len());
        packages.push(package);
        development_only.push(development);
    }
    if !read_any && !warnings.is_empty() {
        return Err(super::error(
            path,
            warnings[0].line,
            "no `group:artifact:version` line: not a Gradle lockfile",
        ));
    }
    for (package, development) in packages.iter_mut().zip(development_only) {
        package.scope = if development {
            Scope::Development
        } else {
            Scope::Runtime
        };
    }

    Ok(Lockfile {
        path: path.to_owned(),
        kind: LockfileKind::GradleLock,
        root: None,
        packages,
        warnings,
    })
}

fn is_development_configuration(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with("test")
        || has_camel_word(name, "Test")
        || TOOL_CONFIGURATIONS
            .iter()
            .any(|tool| lower.starts_with(tool) || has_camel_word(name, &capitalized(tool)))
}

/// Whether `word` (capitalised) starts a camel-case word of `name`.
fn has_camel_word(name: &str, word: &str) -> bool {
    name.match_indices(word).any(|(at, _)| {
        at > 0
            && name[at + word.len()..]
                .chars()
                .next()
                .is_none_or(|next| !next.is_ascii_lowercase())
    })
}

fn capitalized(lower: &str) -> String {
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
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

    fn read(path: &str, text: &str) -> Lockfile {
        let mut files = FileSet::new();
        files.insert(path, text.as_bytes().to_vec());
        parse(path, &files).unwrap()
    }

    #[test]
    fn scopes_follow_configurations_and_versions_per_configuration_are_kept() {
        let lockfile = read(
            "gradle.lockfile",
            "# comment\ncom.example:app-lib:1.0=compileClasspath,runtimeClasspath,testRuntimeClasspath\norg.junit:junit-bom:5.10.0=testCompileClasspath,integrationTestRuntimeClasspath\ncom.github.spotbugs:spotbugs:4.8.0=spotbugs,annotationProcessor\ncom.example:app-lib:0.9=spotbugsPlugins\nbroken-line=compileClasspath\nempty=annotationProcessor\n",
        );
        let got: Vec<_> = lockfile
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.scope, p.line))
            .collect();
        assert_eq!(
            got,
            [
                ("com.example:app-lib", "1.0", Scope::Runtime, 2),
                ("org.junit:junit-bom", "5.10.0", Scope::Development, 3),
                (
                    "com.github.spotbugs:spotbugs",
                    "4.8.0",
                    Scope::Development,
                    4
                ),
                ("com.example:app-lib", "0.9", Scope::Development, 5),
            ]
        );
        assert_eq!(lockfile.warnings.len(), 1);
        assert_eq!(lockfile.warnings[0].line, Some(6));
    }

    #[test]
    fn legacy_per_configuration_files_take_the_configuration_from_the_name() {
        let test = read(
            "gradle/dependency-locks/testRuntimeClasspath.lockfile",
            "junit:junit:4.13.2\n",
        );
        assert_eq!(test.packages[0].scope, Scope::Development);
        let runtime = read(
            "gradle/dependency-locks/runtimeClasspath.lockfile",
            "a:b:1\n",
        );
        assert_eq!(runtime.packages[0].scope, Scope::Runtime);
    }

    #[test]
    fn camel_words_are_whole_words() {
        assert!(has_camel_word("integrationTestRuntimeClasspath", "Test"));
        assert!(!has_camel_word("contestRuntime", "Test"));
        assert!(!has_camel_word("myTestingClasspath", "Test"));
        assert!(is_development_configuration("kaptTest"));
        assert!(!is_development_configuration("runtimeClasspath"));
    }

    #[test]
    fn text_without_module_lines_is_an_error() {
        let mut files = FileSet::new();
        files.insert("gradle.lockfile", b"<xml>\n".to_vec());
        assert!(parse("gradle.lockfile", &files).is_err());
    }
}
