use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::{Action, Step, Workflow};
use crate::github::uses::Uses;
use crate::github::{AuditContext, GithubAudit};
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
        for command in commands(script) {
            if installs_project(&command) {
                project_installed = true;
                continue;
            }
            for problem in problems(&command, project_installed) {
                let nth = script[..problem.token.start]
                    .matches(problem.token.raw)
                    .count();
                sink.report(
                    &ADHOC_PACKAGES,
                    doc.locate_nth(run, problem.token.raw, nth),
                    format!("{}.run", step.path),
                    problem.message,
                );
            }
        }
    }
}

/// A word of a command, unquoted, with where it was written.
#[derive(Clone, Copy, Debug)]
struct Token<'s> {
    /// The word as written, quotes included.
    raw: &'s str,
    /// Byte offset in the script.
    start: usize,
}

impl Token<'_> {
    fn text(&self) -> &str {
        self.raw.trim_matches(['"', '\''])
    }
}

/// Splits a shell script into simple commands: words separated by blanks,
/// commands by newlines, `;`, `&`, `|`, parentheses and backquotes. Quotes
/// keep blanks inside a word; comments are dropped. Good enough to find
/// install commands, not a shell parser.
fn commands(script: &str) -> Vec<Vec<Token<'_>>> {
    let bytes = script.as_bytes();
    let mut commands = Vec::new();
    let mut current: Vec<Token<'_>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'`' => {
                if !current.is_empty() {
                    commands.push(std::mem::take(&mut current));
                }
                i += 1;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let start = i;
                let mut quote = None;
                while i < bytes.len() {
                    let b = bytes[i];
                    match quote {
                        Some(q) if b == q => quote = None,
                        Some(_) => {}
                        None if b == b'"' || b == b'\'' => quote = Some(b),
                        None if b == b'$' && bytes.get(i + 1) == Some(&b'(') => break,
                        None if bytes[i..].starts_with(b"${{") => {
                            // An expression is one value, whatever its spaces.
                            i += bytes[i..]
                                .windows(2)
                                .position(|pair| pair == b"}}")
                                .map_or(bytes.len() - i, |end| end + 2);
                            continue;
                        }
                        None if matches!(
                            b,
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'`'
                        ) =>
                        {
                            break;
                        }
                        None => {}
                    }
                    i += 1;
                }
                if i == start {
                    // `$(` starts a subshell: a command boundary.
                    i += 2;
                    if !current.is_empty() {
                        commands.push(std::mem::take(&mut current));
                    }
                    continue;
                }
                if let Some(raw) = script.get(start..i) {
                    current.push(Token { raw, start });
                }
            }
        }
    }
    if !current.is_empty() {
        commands.push(current);
    }
    commands
}

/// The command with `sudo`, `env VAR=x` and similar prefixes removed.
fn strip_prefixes<'c, 's>(mut words: &'c [Token<'s>]) -> &'c [Token<'s>] {
    while let Some((first, rest)) = words.split_first() {
        let text = first.text();
        if matches!(text, "sudo" | "env" | "time" | "exec" | "command") || text.contains('=') {
            words = rest;
        } else {
            break;
        }
    }
    words
}

fn program(token: &Token<'_>) -> String {
    let text = token.text();
    text.rsplit('/').next().unwrap_or(text).to_ascii_lowercase()
}

/// Whether the command installs the project's locked dependencies.
fn installs_project(command: &[Token<'_>]) -> bool {
    let words = strip_prefixes(command);
    let texts: Vec<&str> = words.iter().map(Token::text).collect();
    let Some(first) = words.first() else {
        return false;
    };
    let rest = &texts[1..];
    match program(first).as_str() {
        "npm" => {
            matches!(rest.first(), Some(&("ci" | "install" | "i")))
                && !rest.iter().any(|w| matches!(*w, "-g" | "--global"))
                && rest.iter().skip(1).all(|w| w.starts_with('-'))
        }
        "yarn" | "pnpm" | "bun" => {
            rest.is_empty() || matches!(rest.first(), Some(&("install" | "i")))
        }
        _ => false,
    }
}

/// One unpinned install found in a command.
struct Problem<'s> {
    token: Token<'s>,
    message: String,
}

fn problems<'s>(command: &[Token<'s>], project_installed: bool) -> Vec<Problem<'s>> {
    let words = strip_prefixes(command);
    let Some((first, rest)) = words.split_first() else {
        return Vec::new();
    };
    let program = program(first);
    match program.as_str() {
        "pip" | "pip3" => pip(rest),
        name if name.starts_with("pip3.") => pip(rest),
        name if name.starts_with("python") || name == "py" => match rest {
            [flag, module, args @ ..]
                if flag.text() == "-m" && module.text().starts_with("pip") =>
            {
                pip(args)
            }
            _ => Vec::new(),
        },
        "uv" => match rest {
            [sub, args @ ..] if sub.text() == "pip" => pip(args),
            _ => Vec::new(),
        },
        "npm" => npm_global(rest),
        "npx" => npx(rest, project_installed),
        "gem" => gem(rest),
        "go" => go_install(rest),
        "cargo" => cargo_install(rest),
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

fn pip<'s>(args: &[Token<'s>]) -> Vec<Problem<'s>> {
    let Some((sub, args)) = args.split_first() else {
        return Vec::new();
    };
    if sub.text() != "install" {
        return Vec::new();
    }
    let texts: Vec<&str> = args.iter().map(Token::text).collect();
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
    let mut problems = Vec::new();
    let mut skip_value = false;
    for token in args {
        let text = token.text();
        if skip_value {
            skip_value = false;
            continue;
        }
        if text.starts_with('-') {
            skip_value = PIP_VALUE_OPTIONS.contains(&text) || matches!(text, "-e" | "--editable");
            continue;
        }
        if is_local_or_dynamic(text) || text.contains("==") || is_installer(text) {
            continue;
        }
        problems.push(Problem {
            token: *token,
            message: format!(
                "`pip install {text}` is not pinned to one version; pin it (`==<version>`) or install from a requirements file"
            ),
        });
    }
    problems
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

fn npm_global<'s>(args: &[Token<'s>]) -> Vec<Problem<'s>> {
    let Some((sub, args)) = args.split_first() else {
        return Vec::new();
    };
    if !matches!(sub.text(), "install" | "i" | "add") {
        return Vec::new();
    }
    if !args
        .iter()
        .any(|t| matches!(t.text(), "-g" | "--global" | "--location=global"))
    {
        return Vec::new();
    }
    args.iter()
        .filter(|t| !t.text().starts_with('-'))
        .filter(|t| {
            let spec = t.text();
            !spec.contains('$')
                && !spec.starts_with('.')
                && !spec.starts_with('/')
                && !npm_has_version(spec)
                && !spec.eq_ignore_ascii_case("npm")
        })
        .map(|token| Problem {
            token: *token,
            message: format!(
                "`npm install -g {}` takes whatever version is newest; pin it (`{}@<version>`)",
                token.text(),
                token.text()
            ),
        })
        .collect()
}

/// npx options that take a value.
const NPX_VALUE_OPTIONS: &[&str] = &["-p", "--package", "-c", "--call", "--cache"];

fn npx<'s>(args: &[Token<'s>], project_installed: bool) -> Vec<Problem<'s>> {
    let mut packages = Vec::new();
    let mut iter = args.iter();
    while let Some(token) = iter.next() {
        let text = token.text();
        if matches!(text, "-p" | "--package") {
            if let Some(package) = iter.next() {
                packages.push(*package);
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
            packages.push(*token);
        }
        break;
    }
    if project_installed {
        return Vec::new();
    }
    packages
        .into_iter()
        .filter(|t| {
            let spec = t.text();
            !spec.contains('$') && !spec.starts_with('.') && !spec.starts_with('/')
        })
        .filter(|t| !npm_has_version(t.text()))
        .map(|token| Problem {
            token,
            message: format!(
                "`npx {}` downloads whatever version is newest (no project install precedes it); pin it (`{}@<version>`)",
                token.text(),
                token.text()
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

fn gem<'s>(args: &[Token<'s>]) -> Vec<Problem<'s>> {
    let Some((sub, args)) = args.split_first() else {
        return Vec::new();
    };
    if sub.text() != "install" {
        return Vec::new();
    }
    let versioned = args
        .iter()
        .any(|t| matches!(t.text(), "-v" | "--version") || t.text().starts_with("--version="));
    if versioned {
        return Vec::new();
    }
    let mut problems = Vec::new();
    let mut skip_value = false;
    for token in args {
        let text = token.text();
        if skip_value {
            skip_value = false;
            continue;
        }
        if text.starts_with('-') {
            skip_value = GEM_VALUE_OPTIONS.contains(&text);
            continue;
        }
        // `gem install rake:13.2.1` names a version inline.
        if text.contains(':') || is_local_or_dynamic(text) || is_installer(text) {
            continue;
        }
        problems.push(Problem {
            token: *token,
            message: format!(
                "`gem install {text}` takes whatever version is newest; pin it (`-v <version>`)"
            ),
        });
    }
    problems
}

fn go_install<'s>(args: &[Token<'s>]) -> Vec<Problem<'s>> {
    let Some((sub, args)) = args.split_first() else {
        return Vec::new();
    };
    if sub.text() != "install" {
        return Vec::new();
    }
    args.iter()
        .filter(|t| {
            t.text().rsplit_once('@').is_some_and(|(_, version)| {
                matches!(version, "latest" | "master" | "main" | "HEAD")
            })
        })
        .map(|token| Problem {
            token: *token,
            message: format!(
                "`go install {}` takes whatever is newest; pin a version (`@v1.2.3`)",
                token.text()
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

fn cargo_install<'s>(args: &[Token<'s>]) -> Vec<Problem<'s>> {
    let Some((sub, args)) = args.split_first() else {
        return Vec::new();
    };
    if sub.text() != "install" {
        return Vec::new();
    }
    let pinned = args.iter().any(|t| {
        let text = t.text();
        matches!(text, "--version" | "--vers" | "--path" | "--rev" | "--tag")
            || ["--version=", "--vers=", "--path=", "--rev=", "--tag="]
                .iter()
                .any(|p| text.starts_with(p))
    });
    if pinned {
        return Vec::new();
    }
    let mut problems = Vec::new();
    let mut skip_value = false;
    for token in args {
        let text = token.text();
        if skip_value {
            skip_value = false;
            continue;
        }
        if text.starts_with('-') {
            skip_value = CARGO_VALUE_OPTIONS.contains(&text) || text == "--git";
            continue;
        }
        // `cargo install tool@1.2.3` names a version inline.
        if text.contains('@') || text.contains('$') {
            continue;
        }
        problems.push(Problem {
            token: *token,
            message: format!(
                "`cargo install {text}` takes whatever version is newest; pin it (`--version <version> --locked`)"
            ),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(script: &str) -> Vec<String> {
        commands(script)
            .iter()
            .flat_map(|c| problems(c, false))
            .map(|p| p.token.text().to_owned())
            .collect()
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
        let script = "npm ci\nnpx eslint .";
        let mut installed = false;
        let mut found = Vec::new();
        for command in commands(script) {
            if installs_project(&command) {
                installed = true;
                continue;
            }
            found.extend(problems(&command, installed));
        }
        assert!(found.is_empty());
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
}
