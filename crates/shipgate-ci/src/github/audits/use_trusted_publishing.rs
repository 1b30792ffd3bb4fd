use crate::audit::{AuditMeta, Sink, audit_meta};
use crate::github::model::Workflow;
use crate::github::{AuditContext, GithubAudit};
use crate::shell::{Command, all_pipelines, pipelines};

use super::support::{ScopedStep, mentions_secret, secret_word, workflow_steps};

audit_meta! {
    /// Finds packages published with a stored API token to a registry that
    /// supports trusted publishing: PyPI (`pypa/gh-action-pypi-publish`
    /// with `password`, `twine upload` with `TWINE_PASSWORD`, `uv publish`,
    /// `poetry publish`), npm (`npm publish` with `NODE_AUTH_TOKEN` or
    /// `NPM_TOKEN`), crates.io (`cargo publish` with
    /// `CARGO_REGISTRY_TOKEN`) and RubyGems (`gem push` with
    /// `GEM_HOST_API_KEY`).
    ///
    /// ## Why it matters
    /// A publish token is long-lived and usually scoped to every package
    /// of its owner; whoever reads it can push a malicious release from
    /// anywhere. Trusted publishing exchanges the job's OIDC token for a
    /// credential that lasts minutes, works only for this repository and
    /// workflow, and leaves provenance on the registry. Publishing to
    /// another index (GitHub Packages, a private registry) is not reported.
    ///
    /// ## Example
    /// ```yaml
    /// - run: cargo publish
    ///   env:
    ///     CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES_IO_TOKEN }}   # flagged
    /// ```
    ///
    /// ## Fix
    /// Register this workflow as a trusted publisher on the registry, give
    /// the job `permissions: id-token: write`, and drop the token:
    /// `pypa/gh-action-pypi-publish` without `password`; `npm publish`
    /// from npm 11.5 with no token; `rust-lang/crates-io-auth-action` to
    /// get a short-lived `CARGO_REGISTRY_TOKEN`; `rubygems/release-gem`.
    /// Then revoke the stored token.
    pub(crate) static USE_TRUSTED_PUBLISHING = {
        id: "github/use-trusted-publishing",
        title: "Package published with a long-lived token instead of trusted publishing",
        severity: Medium,
        confidence: High,
        persona: Default,
        controls: ["CICD-SEC-6", "checklist-2", "SSDF-PS.1"],
    };
}

const PYPI_NOTE: &str = "register this workflow as a trusted publisher on PyPI, give the job `permissions: id-token: write` and publish without a password (`pypa/gh-action-pypi-publish` does so by default)";
const NPM_NOTE: &str = "register this workflow as a trusted publisher on npmjs.com, give the job `permissions: id-token: write` and run `npm publish` (npm 11.5 or later) without a token";
const CRATES_NOTE: &str = "register this workflow as a trusted publisher on crates.io, give the job `permissions: id-token: write` and set `CARGO_REGISTRY_TOKEN` from `rust-lang/crates-io-auth-action`";
const RUBYGEMS_NOTE: &str = "register this workflow as a trusted publisher on rubygems.org, give the job `permissions: id-token: write` and publish with `rubygems/release-gem`";

pub(crate) struct UseTrustedPublishing;

impl GithubAudit for UseTrustedPublishing {
    fn meta(&self) -> &'static AuditMeta {
        &USE_TRUSTED_PUBLISHING
    }

    fn workflow(&self, _cx: &AuditContext<'_>, workflow: &Workflow<'_>, sink: &mut Sink) {
        for scoped in workflow_steps(workflow) {
            check_action(&scoped, sink);
            check_script(workflow, &scoped, sink);
        }
    }
}

fn check_action(scoped: &ScopedStep<'_, '_>, sink: &mut Sink) {
    let step = scoped.step;
    if !step.uses_action("pypa/gh-action-pypi-publish") {
        return;
    }
    let Some(password) = step.with.and_then(|w| w.entry("password")) else {
        return;
    };
    if password.value.as_str().is_none_or(|v| v.trim().is_empty()) {
        return;
    }
    let repository = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"))
        .and_then(|n| n.as_str());
    if repository.is_some_and(|url| !url.contains("pypi.org")) {
        return;
    }
    sink.report(
        &USE_TRUSTED_PUBLISHING,
        password.key.span.start..password.value.span.end,
        format!("{}.with.password", step.path),
        "PyPI upload with an API token; PyPI supports trusted publishing",
    )
    .note(PYPI_NOTE);
}

fn check_script(workflow: &Workflow<'_>, scoped: &ScopedStep<'_, '_>, sink: &mut Sink) {
    let step = scoped.step;
    let (Some(run), Some(script)) = (step.run, step.script()) else {
        return;
    };
    let secret_variables = scoped.secret_variables();
    let top = pipelines(script);
    for pipeline in all_pipelines(&top) {
        for command in &pipeline.commands {
            let Some((registry, note)) = token_publish(scoped, command, &secret_variables, script)
            else {
                continue;
            };
            sink.report(
                &USE_TRUSTED_PUBLISHING,
                workflow.doc.locate_value_range(run, command.range.clone()),
                format!("{}.run", step.path),
                format!("{registry} publish with a long-lived token; {registry} supports trusted publishing"),
            )
            .note(note);
        }
    }
}

/// Whether an option in `flags` is given a secret (`--token X`, `--token=X`).
fn secret_option(command: &Command, flags: &[&str], secret_variables: &[&str]) -> bool {
    let args = command.arguments();
    args.iter().enumerate().any(|(i, arg)| {
        flags.iter().any(|flag| {
            (arg.text == *flag
                && args
                    .get(i + 1)
                    .is_some_and(|v| secret_word(v, secret_variables)))
                || (arg
                    .text
                    .strip_prefix(flag)
                    .is_some_and(|rest| rest.starts_with('='))
                    && secret_word(arg, secret_variables))
        })
    })
}

fn secret_env(scoped: &ScopedStep<'_, '_>, names: &[&str]) -> bool {
    names.iter().any(|name| {
        scoped
            .env_value(name)
            .and_then(|v| v.as_str())
            .is_some_and(|v| mentions_secret(v) && !v.contains("GITHUB_TOKEN"))
    })
}

fn option_value<'c>(command: &'c Command, flags: &[&str]) -> Option<&'c str> {
    let args = command.arguments();
    args.iter().enumerate().find_map(|(i, arg)| {
        flags.iter().find_map(|flag| {
            if arg.text == *flag {
                args.get(i + 1).map(|v| v.text.as_str())
            } else {
                arg.text.strip_prefix(flag)?.strip_prefix('=')
            }
        })
    })
}

/// The registry a command publishes to with a stored token, and what to do.
fn token_publish(
    scoped: &ScopedStep<'_, '_>,
    command: &Command,
    secret_variables: &[&str],
    script: &str,
) -> Option<(&'static str, &'static str)> {
    let program = command.program()?;
    let args: Vec<&str> = command
        .arguments()
        .iter()
        .map(|w| w.text.as_str())
        .collect();
    let subcommand = |name: &str| args.iter().take(3).any(|a| *a == name);
    let is_python = program.starts_with("python");
    if (program == "twine" && subcommand("upload"))
        || (is_python && args.windows(3).any(|w| w == ["-m", "twine", "upload"]))
    {
        let custom = option_value(command, &["--repository-url"])
            .or_else(|| {
                scoped
                    .env_value("TWINE_REPOSITORY_URL")
                    .and_then(|v| v.as_str())
            })
            .is_some_and(|url| !url.contains("pypi.org"));
        let token = secret_env(scoped, &["TWINE_PASSWORD"])
            || secret_option(command, &["-p", "--password"], secret_variables);
        return (token && !custom).then_some(("PyPI", PYPI_NOTE));
    }
    if program == "uv" && subcommand("publish") {
        let custom =
            option_value(command, &["--publish-url"]).is_some_and(|url| !url.contains("pypi.org"));
        let token = secret_env(scoped, &["UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"])
            || secret_option(
                command,
                &["--token", "-t", "--password", "-p"],
                secret_variables,
            );
        return (token && !custom).then_some(("PyPI", PYPI_NOTE));
    }
    if program == "poetry" && subcommand("publish") {
        let custom = option_value(command, &["--repository", "-r"]).is_some();
        let token = secret_env(scoped, &["POETRY_PYPI_TOKEN_PYPI"])
            || secret_option(command, &["--password", "-p"], secret_variables)
            || (script.contains("pypi-token.pypi")
                && (mentions_secret(script)
                    || secret_variables.iter().any(|v| script.contains(v))));
        return (token && !custom).then_some(("PyPI", PYPI_NOTE));
    }
    if matches!(program, "npm" | "pnpm" | "yarn") && subcommand("publish") {
        let custom = option_value(command, &["--registry"])
            .is_some_and(|url| !url.contains("registry.npmjs.org"))
            || scoped.job.is_some_and(|job| {
                job.steps.iter().any(|s| {
                    s.uses_action("actions/setup-node")
                        && s.input("registry-url")
                            .and_then(|v| v.as_str())
                            .is_some_and(|url| !url.contains("registry.npmjs.org"))
                })
            });
        let token = secret_env(scoped, &["NODE_AUTH_TOKEN", "NPM_TOKEN", "NPM_AUTH_TOKEN"]);
        return (token && !custom).then_some(("npm", NPM_NOTE));
    }
    if program == "cargo" && subcommand("publish") {
        let custom = option_value(command, &["--registry", "--index"]).is_some();
        let token = secret_env(scoped, &["CARGO_REGISTRY_TOKEN"])
            || secret_option(command, &["--token"], secret_variables);
        return (token && !custom).then_some(("crates.io", CRATES_NOTE));
    }
    if program == "gem" && subcommand("push") {
        let custom =
            option_value(command, &["--host"]).is_some_and(|url| !url.contains("rubygems.org"));
        let token = secret_env(scoped, &["GEM_HOST_API_KEY"]);
        return (token && !custom).then_some(("RubyGems", RUBYGEMS_NOTE));
    }
    None
}
