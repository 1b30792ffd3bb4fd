//! What a step does, read from its `run:` script or the action it uses:
//! runs the checked-out code, deploys, writes to the repository, restores a
//! cache.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::github::model::Step;
use crate::github::uses::Uses;
use crate::shell;
use crate::yaml::Node;

/// Commands that run code from the working tree: package-manager scripts
/// and installs (which run lifecycle hooks), build tools reading build
/// files, and scripts by path. Matched at the start of a command.
static RUNS_WORKSPACE_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?:npm|pnpm|bun)\s+(?:install|i|ci|run|run-script|test|t|build|exec|x|start|rebuild)\b",
        r"|yarn(?:\s|$)|npx\s|bunx\s|g?make\b",
        r"|pip3?\s+install\s+(?:-\S+\s+)*(?:\.|-e\b|-r\b)",
        r"|python3?\s+-m\s+(?:pip\s+install\s+(?:-\S+\s+)*(?:\.|-e\b|-r\b)|pytest|tox|nox|build)",
        r"|python3?\s+[\w./-]+\.py\b|pytest\b|tox\b|nox\b|mvnw?\s|\./mvnw\b|\./gradlew\b|gradle\s",
        r"|cargo\s+(?:\+\S+\s+)?(?:build|b|test|t|run|r|check|c|clippy|install|bench|doc|xtask|make|nextest)\b",
        r"|go\s+(?:build|test|run|generate|install|vet)\b",
        r"|docker\s+(?:build|buildx\s+build|compose)\b|docker-compose\b|bazel(?:isk)?\s",
        r"|poetry\s+(?:install|run)\b|uv\s+(?:sync|run|pip\s+install)\b|bundle\s+(?:install|exec)\b|rake\b",
        r"|composer\s+(?:install|update|run)\b|dotnet\s+(?:build|test|run|restore|pack)\b",
        r"|cmake\b|meson\b|ninja\b|sbt\b|mix\s|swift\s+(?:build|test|run)\b|flutter\s|deno\s+(?:run|task|test)\b",
        r"|node\s+\S|(?:bash|sh|zsh|pwsh|source)\s+[\w./$-]+|\./\S)",
    ))
    .expect("static pattern is valid")
});

/// Actions that build or test the working tree they run in.
const BUILDING_ACTIONS: &[&str] = &[
    "docker/build-push-action",
    "gradle/gradle-build-action",
    "gradle/actions",
    "goreleaser/goreleaser-action",
    "pre-commit/action",
    "cypress-io/github-action",
    "borales/actions-yarn",
    "bahmutov/npm-install",
    "pnpm/action-setup",
];

/// One command of a `run:` script, from the program it runs on: wrappers
/// (`sudo -E`, `env`, `time`) and variable assignments before it are left
/// out, so patterns can anchor at the program's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptCommand<'s> {
    /// The command as written, from the program to its last word or
    /// redirection.
    pub text: &'s str,
    /// Byte range of `text` in the script.
    pub range: Range<usize>,
    /// The words from the program on, as written (quotes kept).
    pub words: Vec<&'s str>,
    /// `words` joined by single spaces: the command on one line, without
    /// redirections, line continuations or comments.
    pub line: String,
}

/// The commands of a script in the order they are written, those inside
/// subshells and `$(...)` included; here-document bodies and comments are
/// not commands.
pub fn commands(script: &str) -> Vec<ScriptCommand<'_>> {
    let top = shell::pipelines(script);
    let mut out: Vec<ScriptCommand<'_>> = shell::all_commands(&top)
        .into_iter()
        .filter_map(|command| {
            let words: Vec<&str> = command
                .words
                .get(command.program_index()?..)?
                .iter()
                .filter_map(|word| script.get(word.range.clone()))
                .collect();
            let start = command.words.get(command.program_index()?)?.range.start;
            let range = start..command.range.end;
            Some(ScriptCommand {
                text: script.get(range.clone())?,
                line: words.join(" "),
                range,
                words,
            })
        })
        .collect();
    out.sort_by_key(|command| command.range.start);
    out
}

/// The first command in `script` that runs code from the working tree.
pub fn first_workspace_command(script: &str) -> Option<ScriptCommand<'_>> {
    commands(script).into_iter().find(is_workspace_command)
}

/// Whether one command runs code from the working tree.
pub fn is_workspace_command(command: &ScriptCommand<'_>) -> bool {
    RUNS_WORKSPACE_CODE.is_match(&command.line)
}

/// Why `step` runs code from the working tree, if it does: the command or
/// action responsible.
pub fn runs_workspace_code(step: &Step<'_>) -> Option<String> {
    if let Some(script) = step.script() {
        return first_workspace_command(script).map(|c| format!("`{}`", shorten(&c.line)));
    }
    match step.uses_ref()? {
        Uses::Local { path } => Some(format!("local action `{path}`")),
        Uses::Repository { .. } => BUILDING_ACTIONS
            .iter()
            .find(|slug| step.uses_action(slug))
            .map(|slug| format!("`{slug}`")),
        Uses::Docker { .. } => None,
    }
}

/// Shell commands that deploy or publish, with the name used in messages.
static DEPLOY_COMMANDS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"^kubectl\s.*\b(?:apply|rollout|set\s+image|replace|patch)\b", "kubectl apply"),
        (r"^helm\s+(?:upgrade|install)\b", "helm upgrade"),
        (r"^(?:terraform|tofu|terragrunt)\s+(?:-\S+\s+)*apply\b", "terraform apply"),
        (r"^pulumi\s+up\b", "pulumi up"),
        (r"^(?:docker|podman)\s+(?:image\s+|manifest\s+)?push\b", "docker push"),
        (r"^docker\s+buildx\s+(?:build|bake)\b.*--push\b", "docker buildx --push"),
        (r"^(?:npm|pnpm|yarn)\s+(?:npm\s+)?publish\b", "npm publish"),
        (r"^cargo\s+publish\b", "cargo publish"),
        (r"^(?:python3?\s+-m\s+)?twine\s+upload\b", "twine upload"),
        (r"^(?:poetry|flit|uv|hatch)\s+publish\b", "package publish"),
        (r"^gh\s+release\s+(?:create|upload)\b", "gh release"),
        (r"^gem\s+push\b", "gem push"),
        (r"^(?:serverless|sls)\s+deploy\b", "serverless deploy"),
        (r"^(?:npx\s+)?vercel\b.*--prod\b", "vercel --prod"),
        (r"^(?:fly|flyctl)\s+deploy\b", "fly deploy"),
        (r"^(?:npx\s+)?firebase\s+deploy\b", "firebase deploy"),
        (r"^(?:npx\s+)?netlify\s+deploy\b.*--prod\b", "netlify deploy --prod"),
        (r"^(?:npx\s+)?wrangler\s+(?:deploy|publish)\b", "wrangler deploy"),
        (r"^gcloud\s+(?:\S+\s+)*deploy\b", "gcloud deploy"),
        (r"^az\s+(?:webapp|functionapp)\s+deploy", "az deploy"),
        (r"^aws\s+(?:ecs\s+update-service|lambda\s+update-function-code|cloudformation\s+deploy)\b", "aws deploy"),
        (r"^(?:sam|cdk)\s+deploy\b|^npx\s+cdk\s+deploy\b", "cdk/sam deploy"),
        (r"^(?:dotnet\s+)?nuget\s+push\b", "nuget push"),
        (r"^(?:\./)?mvnw?\s.*\bdeploy\b", "mvn deploy"),
        (r"^(?:\./)?gradlew?\s.*\bpublish(?:\s|$|To(?:Sonatype|MavenCentral|Plugins)|AllPublications|Plugins)", "gradle publish"),
        (r"^goreleaser\s+release\b", "goreleaser release"),
    ]
    .into_iter()
    .map(|(pattern, what)| {
        (
            Regex::new(pattern).expect("static pattern is valid"),
            what,
        )
    })
    .collect()
});

/// The first command in `script` that deploys or publishes, with its
/// kind; dry runs and pushes to a local registry do neither.
pub fn deploy_command(script: &str) -> Option<(ScriptCommand<'_>, &'static str)> {
    commands(script).into_iter().find_map(|command| {
        if ["--dry-run", "localhost", "--draft", "--snapshot"]
            .iter()
            .any(|skip| command.line.contains(skip))
        {
            return None;
        }
        let what = DEPLOY_COMMANDS
            .iter()
            .find(|(pattern, _)| pattern.is_match(&command.line))
            .map(|(_, what)| *what)?;
        Some((command, what))
    })
}

/// Actions that deploy or publish.
const DEPLOY_ACTIONS: &[&str] = &[
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "azure/webapps-deploy",
    "azure/functions-action",
    "azure/k8s-deploy",
    "azure/arm-deploy",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "google-github-actions/deploy-cloud-functions",
    "cloudflare/wrangler-action",
    "pypa/gh-action-pypi-publish",
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "JamesIves/github-pages-deploy-action",
    "peaceiris/actions-gh-pages",
    "actions/deploy-pages",
    "amondnet/vercel-action",
    "superfly/flyctl-actions",
    "rubygems/release-gem",
    "JS-DevTools/npm-publish",
    "FirebaseExtended/action-hosting-deploy",
];

/// What `step` deploys or publishes, if it does: a short name for
/// messages.
pub fn deploys(step: &Step<'_>) -> Option<String> {
    if let Some(script) = step.script() {
        return deploy_command(script).map(|(_, what)| format!("`{what}`"));
    }
    if step.uses_action("docker/build-push-action") {
        let push = step.input("push")?;
        return (push.as_bool() != Some(false) && !push.is_null())
            .then(|| "`docker/build-push-action` with `push`".to_owned());
    }
    if step.uses_action("goreleaser/goreleaser-action") {
        let args = step.input("args").and_then(Node::as_str).unwrap_or("");
        return (args.contains("release") && !args.contains("--snapshot"))
            .then(|| "`goreleaser release`".to_owned());
    }
    if step.uses_action("changesets/action") {
        return step
            .input("publish")
            .map(|_| "`changesets/action` publish".to_owned());
    }
    let draft = step
        .input("draft")
        .is_some_and(|d| d.as_bool() == Some(true));
    DEPLOY_ACTIONS
        .iter()
        .find(|slug| step.uses_action(slug))
        .filter(|_| !draft)
        .map(|slug| format!("`{slug}`"))
}

/// Whether `command` creates a throwaway cluster for the job itself (kind,
/// minikube, k3d), so deploying to it deploys nothing anywhere.
pub fn creates_local_cluster(command: &ScriptCommand<'_>) -> bool {
    [
        "kind create cluster",
        "minikube start",
        "k3d cluster create",
        "ctlptl create",
    ]
    .iter()
    .any(|start| command.line.starts_with(start))
}

/// Shell commands that write to the repository through the job's token.
static TOKEN_WRITES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:git\s+(?:-c\s+\S+\s+)*(?:push|tag)\b|gh\s|hub\s)")
        .expect("static pattern is valid")
});

/// Actions that push, tag, release or otherwise write repository contents.
const CONTENT_WRITING_ACTIONS: &[&str] = &[
    "stefanzweifel/git-auto-commit-action",
    "EndBug/add-and-commit",
    "ad-m/github-push-action",
    "peter-evans/create-pull-request",
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
    "actions/upload-release-asset",
    "googleapis/release-please-action",
    "google-github-actions/release-please-action",
    "changesets/action",
    "JamesIves/github-pages-deploy-action",
    "peaceiris/actions-gh-pages",
    "mathieudutour/github-tag-action",
    "anothrNick/github-tag-action",
    "rickstaa/action-create-tag",
    "goreleaser/goreleaser-action",
    "actions/github-script",
    "svenstaro/upload-release-action",
    "cycjimmy/semantic-release-action",
];

/// Whether `step` visibly uses the token to write: `git push`, `gh`, a
/// release action, or a script that hands the token to a tool.
pub fn writes_with_token(step: &Step<'_>) -> bool {
    if let Some(script) = step.script() {
        return commands(script)
            .into_iter()
            .any(|command| TOKEN_WRITES.is_match(&command.line));
    }
    CONTENT_WRITING_ACTIONS
        .iter()
        .any(|slug| step.uses_action(slug))
}

fn shorten(command: &str) -> &str {
    const MAX: usize = 60;
    if command.len() <= MAX {
        return command;
    }
    let mut end = MAX;
    while !command.is_char_boundary(end) {
        end -= 1;
    }
    &command[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(script: &str) -> Vec<String> {
        commands(script).into_iter().map(|c| c.line).collect()
    }

    #[test]
    fn commands_split_and_lose_prefixes() {
        let script = "# build\nsudo npm ci && CI=1 make test | tee log\n$(./x.sh)";
        assert_eq!(
            lines(script),
            ["npm ci", "make test", "tee log", "$(./x.sh)", "./x.sh"]
        );
        let found = commands("sudo -E  npm   ci # deps");
        assert_eq!(found[0].text, "npm   ci");
        assert_eq!(found[0].line, "npm ci");
        assert_eq!(found[0].range, 9..17);
    }

    #[test]
    fn commands_follow_the_shell_grammar() {
        let script = "if npm ci; then\n  cargo \\\n    test\nfi\n\
                      git commit -m \"a | npm publish; b\"\n\
                      cat <<EOF > x\nmake all\nEOF\n\
                      V=$(./get.sh) make";
        assert_eq!(
            lines(script),
            [
                "npm ci",
                "cargo test",
                "git commit -m \"a | npm publish; b\"",
                "cat",
                "./get.sh",
                "make"
            ]
        );
    }

    #[test]
    fn workspace_code_is_recognised_at_command_start() {
        for hit in [
            "npm ci",
            "yarn",
            "pip install -e .",
            "cargo test --all",
            "./scripts/test.sh",
            "go test ./...",
            "bash ci/run.sh",
            "python setup.py build",
        ] {
            assert!(first_workspace_command(hit).is_some(), "{hit}");
            assert!(
                first_workspace_command(&format!("sudo {hit}")).is_some(),
                "{hit}"
            );
        }
        for miss in [
            "echo npm ci",
            "git diff --stat",
            "pip install requests",
            "cp ./a b",
            "gh pr comment 1 --body hi",
        ] {
            assert!(first_workspace_command(miss).is_none(), "{miss}");
        }
    }

    #[test]
    fn deploy_commands_skip_dry_runs() {
        let deploy = |script| deploy_command(script).map(|(_, what)| what);
        assert_eq!(deploy("npm publish --access public"), Some("npm publish"));
        assert!(deploy("kubectl -n prod apply -f k8s/").is_some());
        assert!(deploy("helm upgrade --install app ./chart").is_some());
        assert!(deploy("cargo publish --dry-run").is_none());
        assert!(deploy("kubectl get pods").is_none());
        assert!(deploy("helm plugin install https://example.org/x.git").is_none());
        assert!(deploy("./gradlew publishToMavenLocal").is_none());
        assert_eq!(deploy("./gradlew publish"), Some("gradle publish"));
        assert!(deploy("gh release create v1 --draft").is_none());
        assert!(deploy("echo docker push").is_none());
    }
}
