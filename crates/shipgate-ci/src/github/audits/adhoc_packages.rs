use std::ops::Range;

use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Step, Workflow};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
use crate::shell::{Pipeline, Word, all_pipelines, pipelines};
use crate::yaml::Document;

audit_meta! {
    /// Finds `run:` steps that install packages ad hoc, by name and without
    /// a version: `pip install requests`, `npm install -g typescript`,
    /// `npx some-tool` before any project install, `gem install rake`,
    /// `go install x@latest`, `cargo install tool`.
    ///
    /// ## Why it matters
    /// Such an install takes whatever the registry serves that day. A
    /// hijacked maintainer account or a malicious release then runs in CI
    /// with the job's secrets, and nothing in the repository records which
    /// version ran. Installs from a lockfile or with an exact version are
    /// reproducible and reviewable.
    ///
    /// Installs that are fine: `pip install -r requirements.txt`,
    /// `pip install -e .` and other local paths, `pip install x==1.2`,
    /// `npm ci`, `npx tool@1.2.3`, `gem install x -v 1.2`,
    /// `go install x@v1.2.3`, `cargo install x --version 1.2.3`,
    /// distribution packages (`apt-get install`), and the installers
    /// themselves (`pip`, `setuptools`, `wheel`, `bundler`).
    ///
    /// ## Example
    /// ```yaml
    /// - run: pip install requests              # flagged
    /// - run: npm install -g @vercel/ncc         # flagged
    /// - run: pip install requests==2.32.3       # fine
    /// ```
    ///
    /// ## Fix
    /// Add the tool to the project's manifest and lockfile, or pin an exact
    /// version in the command (with `--require-hashes` for pip when you
    /// can).
    pub(crate) static ADHOC_PACKAGES = {
        id: "github/adhoc-packages",
        title: "Package installed ad hoc without a pinned version",
        severity: Low,
        confidence: High,
        persona: Pedantic,
        controls: ["CICD-SEC-3", "SSDF-PW.4", "SSDF-PO.3"],
    };
}

pub(crate) struct AdhocPackages;

impl GithubAudit for AdhocPackages {
    fn meta(&self) -> &'static AuditMeta {
        &ADHOC_PACKAGES
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for job in &workflow.jobs {
            check_steps(workflow.doc, &job.steps, false, sink);
        }
    }

    fn action(&self, _cx: &AuditContext<'_>, action: &Action<'_>, sink: &mut Sink) {
        // A composite action runs inside a job that has usually installed
        // the project already, so its `npx` calls are not judged.
        check_steps(action.doc, &action.steps, true, sink);
    }
}

/// Installers whose own unpinned upgrade is routine bootstrap, not a
/// dependency of the project.
const INSTALLERS: &[&str] = &["pip", "setuptools", "wheel", "bundler"];

/// Shells whose scripts are not shell commands.
const NON_SHELLS: &[&str] = &["python", "cmd"];

fn check_steps(doc: &Document, steps: &[Step<'_>], in_action: bool, sink: &mut Sink) {
    // Once the project's own dependencies are installed, `npx tool` runs the
    // locked local copy instead of downloading one. Local actions commonly
    // do that install, so they count as one.
    let mut project_installed = in_action;
    for step in steps {
        if matches!(step.uses_ref(), Some(Uses::Local { .. })) {
            project_installed = true;
        }
        let (Some(run), Some(script)) = (step.run, step.script()) else {
            continue;
        };
        let shell = step.shell.and_then(|s| s.as_str()).unwrap_or("");
        if NON_SHELLS.iter().any(|s| shell.trim().starts_with(s)) {
            continue;
        }
        let top = pipelines(script);
        for problem in script_problems(&top, &mut project_installed) {
            sink.report(
                &ADHOC_PACKAGES,
                doc.locate_value_range(run, package_range(script, problem.word)),
                format!("{}.run", step.path),
                problem.message,
            );
        }
    }
}

/// The unpinned installs of a parsed script, in order. `project_installed`
/// says whether the project's dependencies were installed before the
/// script, and is updated when the script installs them.
fn script_problems<'w>(top: &'w [Pipeline], project_installed: &mut bool) -> Vec<Problem<'w>> {
    let mut problems = Vec::new();
    for command in all_pipelines(top)
        .into_iter()
        .flat_map(|pipeline| pipeline.commands.iter())
    {
        let Some(program) = command.program().map(str::to_ascii_lowercase) else {
            continue;
        };
        let args = command.arguments();
        if installs_project(&program, args) {
            *project_installed = true;
            continue;
        }
        problems.extend(command_problems(&program, args, *project_installed));
    }
    problems
}

/// The bytes of `script` that name the package in `word`. A plain YAML
/// scalar folds a `\` line continuation into `\ `, an escaped blank the
/// shell keeps at the start of the next word; the package starts after it.
fn package_range(script: &str, word: &Word) -> Range<usize> {
    let raw = script.get(word.range.clone()).unwrap_or_default();
    let escaped_blanks = raw.len() - raw.trim_start_matches(['\\', ' ', '\t']).len();
    word.range.start + escaped_blanks..word.range.end
}

/// The package named by `word`, without the blanks a folded line
/// continuation leaves in it.
fn package(word: &Word) -> &str {
    word.text.trim()
}

/// Whether `program args` fills the local `node_modules`, where `npx`
/// looks before downloading: the project's locked dependencies, or
/// packages added next to them (whose commands need not share their name,
/// as `typescript` gives `tsc`).
fn installs_project(program: &str, args: &[Word]) -> bool {
    let rest: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    match program {
        "npm" => {
            matches!(rest.first(), Some(&("ci" | "install" | "i" | "add")))
                && !rest
                    .iter()
                    .any(|w| matches!(*w, "-g" | "--global" | "--location=global"))
        }
        "yarn" | "pnpm" | "bun" => {
            rest.is_empty() || matches!(rest.first(), Some(&("install" | "i" | "add")))
        }
        _ => false,
    }
}

/// One unpinned install found in a command.
struct Problem<'w> {
    /// The package as written.
    word: &'w Word,
    message: String,
}

fn command_problems<'w>(
    program: &str,
    args: &'w [Word],
    project_installed: bool,
) -> Vec<Problem<'w>> {
    match program {
        "pip" | "pip3" => pip(args),
        name if name.starts_with("pip3.") => pip(args),
        name if name.starts_with("python") || name == "py" => match args {
            [flag, module, args @ ..] if flag.text == "-m" && module.text.starts_with("pip") => {
                pip(args)
            }
            _ => Vec::new(),
        },
        "uv" => match args {
            [sub, args @ ..] if sub.text == "pip" => pip(args),
            _ => Vec::new(),
        },
        "npm" => npm_global(args),
        "npx" => npx(args, project_installed),
        "gem" => gem(args),
        "go" => go_install(args),
        "cargo" => cargo_install(args),
        _ => Vec::new(),
    }
}

/// pip options that take a value.
const PIP_VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--log",
    "--cache-dir",
    "--src",
    "--upgrade-strategy",
    "--trusted-host",
    "--proxy",
    "--retries",
    "--timeout",
    "-C",
    "--config-settings",
    "--global-option",
    "--python",
    "--report",
    "--exists-action",
];

fn pip(args: &[Word]) -> Vec<Problem<'_>> {
    let Some(args) = after_install(args) else {
        return Vec::new();
    };
    let texts: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
    // Requirement and constraint files, and hash checking, pin everything
    // the command installs.
    let locked = texts.iter().any(|t| {
        matches!(
            *t,
            "-r" | "--requirement" | "-c" | "--constraint" | "--require-hashes"
        ) || t.starts_with("--requirement=")
            || t.starts_with("--constraint=")
            || (t.starts_with("-r") && t.len() > 2 && !t.starts_with("--"))
    });
    if locked {
        return Vec::new();
    }
    let takes_value =
        |option: &str| PIP_VALUE_OPTIONS.contains(&option) || matches!(option, "-e" | "--editable");
    operands(args, takes_value)
        .into_iter()
        .filter(|word| {
            let text = package(word);
            !(is_local_or_dynamic(text) || text.contains("==") || is_installer(text))
        })
        .map(|word| Problem {
            word,
            message: format!(
                "`pip install {}` is not pinned to one version; pin it (`==<version>`) or install from a requirements file",
                package(word)
            ),
        })
        .collect()
}

/// The arguments after an `install` subcommand.
fn after_install(args: &[Word]) -> Option<&[Word]> {
    match args {
        [sub, rest @ ..] if sub.text == "install" => Some(rest),
        _ => None,
    }
}

/// The operands of a command: the words that are neither options nor the
/// values of the options `takes_value` accepts.
fn operands(args: &[Word], takes_value: impl Fn(&str) -> bool) -> Vec<&Word> {
    let mut operands = Vec::new();
    let mut skip_value = false;
    for word in args {
        let text = package(word);
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if text.starts_with('-') {
            skip_value = takes_value(text);
            continue;
        }
        operands.push(word);
    }
    operands
}

/// Paths, URLs, archives, extras of local projects and values only known at
/// run time.
fn is_local_or_dynamic(text: &str) -> bool {
    text.is_empty()
        || text.starts_with('.')
        || text.starts_with('/')
        || text.starts_with('~')
        || text.contains('$')
        || text.contains("://")
        || text.contains('/')
        || text.contains('\\')
        || text.contains('@')
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|ext| text.to_ascii_lowercase().ends_with(ext))
}

fn is_installer(text: &str) -> bool {
    let name = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .next()
        .unwrap_or(text);
    INSTALLERS.iter().any(|i| i.eq_ignore_ascii_case(name))
}

/// Whether an npm package spec names a version: `name@1.2.3`,
/// `@scope/name@1.2.3`.
fn npm_has_version(spec: &str) -> bool {
    let unscoped = spec.strip_prefix('@').unwrap_or(spec);
    unscoped
        .split_once('@')
        .is_some_and(|(_, version)| !version.is_empty() && version != "latest")
}

fn npm_global(args: &[Word]) -> Vec<Problem<'_>> {
    let Some((sub, args)) = args.split_first() else {
        return Vec::new();
    };
    if !matches!(sub.text.as_str(), "install" | "i" | "add") {
        return Vec::new();
    }
    if !args
        .iter()
        .any(|t| matches!(t.text.as_str(), "-g" | "--global" | "--location=global"))
    {
        return Vec::new();
    }
    args.iter()
        .filter(|t| !t.text.starts_with('-'))
        .filter(|t| {
            let spec = package(t);
            !spec.contains('$')
                && !spec.starts_with('.')
                && !spec.starts_with('/')
                && !npm_has_version(spec)
                && !spec.eq_ignore_ascii_case("npm")
        })
        .map(|word| Problem {
            word,
            message: format!(
                "`npm install -g {}` takes whatever version is newest; pin it (`{}@<version>`)",
                package(word),
                package(word)
            ),
        })
        .collect()
}

/// npx options that take a value.
const NPX_VALUE_OPTIONS: &[&str] = &["-p", "--package", "-c", "--call", "--cache"];

fn npx(args: &[Word], project_installed: bool) -> Vec<Problem<'_>> {
    let mut packages = Vec::new();
    let mut iter = args.iter();
    while let Some(word) = iter.next() {
        let text = package(word);
        if matches!(text, "-p" | "--package") {
            if let Some(package) = iter.next() {
                packages.push(package);
            }
            continue;
        }
        if text.starts_with("--package=") {
            continue;
        }
        if text.starts_with('-') {
            if NPX_VALUE_OPTIONS.contains(&text) {
                iter.next();
            }
            continue;
        }
        // The first word is the command; without `-p` it is also the package.
        if packages.is_empty() {
            packages.push(word);
        }
        break;
    }
    if project_installed {
        return Vec::new();
    }
    packages
        .into_iter()
        .filter(|t| {
            let spec = package(t);
            !spec.contains('$') && !spec.starts_with('.') && !spec.starts_with('/')
        })
        .filter(|t| !npm_has_version(package(t)))
        .map(|word| Problem {
            word,
            message: format!(
                "`npx {}` downloads whatever version is newest (no project install precedes it); pin it (`{}@<version>`)",
                package(word),
                package(word)
            ),
        })
        .collect()
}

/// gem options that take a value.
const GEM_VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "--source",
    "-s",
    "--platform",
    "-P",
    "--trust-policy",
];

fn gem(args: &[Word]) -> Vec<Problem<'_>> {
    let Some(args) = after_install(args) else {
        return Vec::new();
    };
    let versioned = args
        .iter()
        .any(|t| matches!(t.text.as_str(), "-v" | "--version") || t.text.starts_with("--version="));
    if versioned {
        return Vec::new();
    }
    let takes_value = |option: &str| GEM_VALUE_OPTIONS.contains(&option);
    operands(args, takes_value)
        .into_iter()
        .filter(|word| {
            // `gem install rake:13.2.1` names a version inline.
            let text = package(word);
            !(text.contains(':') || is_local_or_dynamic(text) || is_installer(text))
        })
        .map(|word| Problem {
            word,
            message: format!(
                "`gem install {}` takes whatever version is newest; pin it (`-v <version>`)",
                package(word)
            ),
        })
        .collect()
}

fn go_install(args: &[Word]) -> Vec<Problem<'_>> {
    let Some(args) = after_install(args) else {
        return Vec::new();
    };
    args.iter()
        .filter(|t| {
            t.text.rsplit_once('@').is_some_and(|(_, version)| {
                matches!(version, "latest" | "master" | "main" | "HEAD")
            })
        })
        .map(|word| Problem {
            word,
            message: format!(
                "`go install {}` takes whatever is newest; pin a version (`@v1.2.3`)",
                package(word)
            ),
        })
        .collect()
}

/// cargo install options that take a value.
const CARGO_VALUE_OPTIONS: &[&str] = &[
    "--root",
    "--index",
    "--registry",
    "--target",
    "--target-dir",
    "--profile",
    "-j",
    "--jobs",
    "-F",
    "--features",
    "--bin",
    "--example",
    "--config",
    "-Z",
    "--branch",
];

fn cargo_install(args: &[Word]) -> Vec<Problem<'_>> {
    let Some(args) = after_install(args) else {
        return Vec::new();
    };
    let pinned = args.iter().any(|t| {
        let text = t.text.as_str();
        matches!(text, "--version" | "--vers" | "--path" | "--rev" | "--tag")
            || ["--version=", "--vers=", "--path=", "--rev=", "--tag="]
                .iter()
                .any(|p| text.starts_with(p))
    });
    if pinned {
        return Vec::new();
    }
    let takes_value = |option: &str| CARGO_VALUE_OPTIONS.contains(&option) || option == "--git";
    operands(args, takes_value)
        .into_iter()
        .filter(|word| {
            // `cargo install tool@1.2.3` names a version inline.
            let text = package(word);
            !(text.contains('@') || text.contains('$'))
        })
        .map(|word| Problem {
            word,
            message: format!(
                "`cargo install {}` takes whatever version is newest; pin it (`--version <version> --locked`)",
                package(word)
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The packages flagged in `script`, given whether the project was
    /// installed before it.
    fn flagged_after(script: &str, project_installed: bool) -> Vec<String> {
        let top = pipelines(script);
        let mut installed = project_installed;
        script_problems(&top, &mut installed)
            .iter()
            .map(|p| package(p.word).to_owned())
            .collect()
    }

    fn flagged(script: &str) -> Vec<String> {
        flagged_after(script, false)
    }

    #[test]
    fn unpinned_installs_are_found() {
        assert_eq!(flagged("pip install requests"), ["requests"]);
        assert_eq!(
            flagged("python3 -m pip install -U 'black>=24' ruff==0.6.0"),
            ["black>=24"]
        );
        assert_eq!(
            flagged("sudo npm i -g typescript @vercel/ncc@0.38.1"),
            ["typescript"]
        );
        assert_eq!(flagged("npx cowsay hi"), ["cowsay"]);
        assert_eq!(
            flagged("gem install rake && gem install rubocop -v 1.66"),
            ["rake"]
        );
        assert_eq!(
            flagged("go install golang.org/x/tools/cmd/goimports@latest"),
            ["golang.org/x/tools/cmd/goimports@latest"]
        );
        assert_eq!(flagged("cargo install --locked cargo-deny"), ["cargo-deny"]);
        assert_eq!(flagged("echo x; uv pip install httpx\n"), ["httpx"]);
    }

    #[test]
    fn pinned_local_and_locked_installs_are_fine() {
        for script in [
            "pip install .",
            "pip install -e .[dev]",
            "pip install -r requirements.txt pytest",
            "pip install --require-hashes -r req.txt",
            "pip install --upgrade pip setuptools wheel",
            "pip install dist/*.whl",
            "pip install $PACKAGE",
            "pip install -i https://example.com/simple x==1.0",
            "npm ci",
            "npm install",
            "npm install -g npm@10",
            "npx prettier@3.3.3 --check .",
            "gem install bundler",
            "gem install rake:13.2.1",
            "go install ./...",
            "go install golang.org/x/tools/cmd/goimports@v0.24.0",
            "cargo install cargo-deny --version 0.16.1 --locked",
            "cargo install --path .",
            "cargo install cargo-nextest@0.9.72",
            "apt-get install -y jq",
            "echo 'pip install requests'",
            "# pip install requests",
        ] {
            assert!(
                flagged(script).is_empty(),
                "{script}: {:?}",
                flagged(script)
            );
        }
    }

    #[test]
    fn npx_after_a_project_install_runs_the_local_copy() {
        assert!(flagged("npm ci\nnpx eslint .").is_empty());
        assert!(flagged("yarn && npx tsc").is_empty());
        assert!(flagged("npm install deno@2.1.0\nV=\"$(npx deno -v)\"").is_empty());
        assert!(flagged("npm i -D typescript && npx tsc").is_empty());
        assert!(flagged_after("npx eslint .", true).is_empty());
        assert_eq!(flagged("npx eslint . && npm ci"), ["eslint"]);
        assert_eq!(
            flagged("npm install -g pnpm\nnpx eslint ."),
            ["pnpm", "eslint"]
        );
    }

    #[test]
    fn continuation_lines_and_subshells_split_correctly() {
        assert_eq!(
            flagged("pip install \\\n  requests \\\n  flask==3.0.0"),
            ["requests"]
        );
        assert_eq!(flagged("VERSION=$(pip install x)"), ["x"]);
        assert_eq!(flagged("pip install ${{ matrix.extra }} y"), ["y"]);
        assert_eq!(flagged("echo \"ok — ${{ x }}é\" && pip install z"), ["z"]);
        assert_eq!(flagged("echo ok—é && pip install z"), ["z"]);
    }

    #[test]
    fn shell_grammar_is_followed() {
        assert_eq!(flagged("if pip install x; then echo y; fi"), ["x"]);
        assert_eq!(flagged("sudo -H pip install x"), ["x"]);
        assert_eq!(
            flagged("for p in a b; do gem install $p; done"),
            Vec::<String>::new()
        );
        assert!(flagged("cat <<EOF > notes.md\npip install requests\nEOF").is_empty());
        assert_eq!(flagged("pip install \\ semgrep"), ["semgrep"]);
    }

    #[test]
    fn folded_continuations_point_at_the_package() {
        let script = "pip3 install \\ semgrep";
        let top = pipelines(script);
        let problems = script_problems(&top, &mut false);
        let range = package_range(script, problems[0].word);
        assert_eq!(&script[range], "semgrep");
    }
}
