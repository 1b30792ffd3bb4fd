//! Which commands of a `run:` script write to the files behind
//! `$GITHUB_ENV`, `$GITHUB_PATH` and `$GITHUB_OUTPUT`, and which names
//! those writes define, for the injection audits.

use std::ops::Range;

use crate::shell::{self, Command, Word, references_variable};

/// The workflow-command files a step can append to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `$GITHUB_ENV`: environment variables for later steps.
    Env,
    /// `$GITHUB_PATH`: directories prepended to `PATH` for later steps.
    Path,
    /// `$GITHUB_OUTPUT` (or the retired `::set-output`): step outputs.
    Output,
}

impl Target {
    /// The variable naming the file, as scripts spell it.
    pub fn variable(self) -> &'static str {
        match self {
            Target::Env => "GITHUB_ENV",
            Target::Path => "GITHUB_PATH",
            Target::Output => "GITHUB_OUTPUT",
        }
    }
}

/// A command of a script whose output goes to one of the [`Target`] files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write<'s> {
    /// Which file.
    pub target: Target,
    /// Byte range in the script of the writing pipeline, widened to the
    /// body of a here-document it reads or to the `{ …; }` group redirected
    /// as a whole.
    pub range: Range<usize>,
    /// The script text of `range`.
    pub text: &'s str,
}

impl Write<'_> {
    /// Whether this write defines `name` (`name=…`, `name<<DELIM` or
    /// `::set-output name=name::`); names compare case-insensitively for
    /// outputs and exactly for environment variables.
    pub fn defines(&self, name: &str) -> bool {
        let text = self.text;
        let exact = self.target == Target::Env;
        let mut from = 0;
        while let Some(found) = find_word(&text[from..], name, exact) {
            let start = from + found;
            let end = start + name.len();
            let after = &text[end..];
            let before = text[..start].chars().next_back();
            let boundary = before.is_none_or(|c| !is_name_char(c));
            let legacy = text[..start].ends_with("name=") && after.starts_with("::");
            if boundary && (after.starts_with('=') || after.starts_with("<<") || legacy) {
                return true;
            }
            from = end;
        }
        false
    }
}

fn find_word(haystack: &str, needle: &str, exact: bool) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    if exact {
        return haystack.find(needle);
    }
    haystack.char_indices().map(|(i, _)| i).find(|&i| {
        haystack
            .get(i..i + needle.len())
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(needle))
    })
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Every write to a [`Target`] file in `script`, in order. A write spans
/// the pipeline that produces the data, with the body of a here-document it
/// reads; the commands of a `{ …; } >> file` group make one write.
pub fn writes(script: &str) -> Vec<Write<'_>> {
    // Taint lookups ask again for every variable; most scripts name no
    // target file and need no parsing.
    let mentions_target = [Target::Env, Target::Path, Target::Output]
        .iter()
        .any(|target| script.contains(target.variable()))
        || script.contains("::set-output");
    if !mentions_target {
        return Vec::new();
    }
    let top = shell::pipelines(script);
    let mut found: Vec<(Target, Range<usize>, Option<usize>)> = Vec::new();
    for pipeline in shell::all_pipelines(&top) {
        for command in &pipeline.commands {
            let Some((target, group)) = command_target(command) else {
                continue;
            };
            let mut range = pipeline.range.start..command.range.end;
            for redirect in &command.redirects {
                range.end = range.end.max(redirect.range.end);
                if let Some(document) = &redirect.here_document {
                    range.end = range.end.max(document.body.end);
                }
            }
            match found.last_mut() {
                Some((last, merged, Some(last_group)))
                    if group == Some(*last_group) && *last == target =>
                {
                    merged.end = merged.end.max(range.end);
                }
                _ => found.push((target, range, group)),
            }
        }
    }
    found.sort_by_key(|(_, range, _)| range.start);
    found
        .into_iter()
        .filter_map(|(target, range, _)| {
            Some(Write {
                target,
                text: script.get(range.clone())?,
                range,
            })
        })
        .collect()
}

/// The file `command` writes to, if any, with the start of the redirection
/// when it follows a `{ …; }` group around the command.
fn command_target(command: &Command) -> Option<(Target, Option<usize>)> {
    // Unquoted, `echo ::set-output name=x::v` splits the command from its
    // parameters into two words.
    let legacy = command.words.iter().any(|word| {
        word.text.match_indices("::set-output").any(|(at, found)| {
            matches!(
                word.text[at + found.len()..].chars().next(),
                None | Some(' ')
            )
        })
    });
    if legacy {
        return Some((Target::Output, None));
    }
    let targets = [Target::Env, Target::Path, Target::Output];
    for redirect in command
        .redirects
        .iter()
        .filter(|r| r.operator.contains('>') && !r.operator.ends_with('&'))
    {
        if let Some(target) = targets
            .into_iter()
            .find(|target| names_file(&redirect.target, *target))
        {
            let group = (redirect.range.start >= command.range.end).then_some(redirect.range.start);
            return Some((target, group));
        }
    }
    let program = command.program()?.to_ascii_lowercase();
    let writer = matches!(
        program.as_str(),
        "tee" | "out-file" | "add-content" | "set-content"
    );
    if !writer {
        return None;
    }
    targets
        .into_iter()
        .find(|target| command.arguments().iter().any(|w| names_file(w, *target)))
        .map(|target| (target, None))
}

/// Whether `word` names the file behind `target`: `$GITHUB_ENV`,
/// `"${GITHUB_ENV}"`, PowerShell's `$env:GITHUB_ENV` or cmd's `%GITHUB_ENV%`.
fn names_file(word: &Word, target: Target) -> bool {
    let variable = target.variable();
    if references_variable(word, variable) {
        return true;
    }
    let text = &word.text;
    text.match_indices(variable).any(|(at, _)| {
        let before = &text[..at];
        let after = &text[at + variable.len()..];
        let whole_name = after.chars().next().is_none_or(|c| !is_name_char(c));
        let powershell = before
            .get(before.len().saturating_sub(5)..)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("$env:"));
        whole_name && (powershell || (before.ends_with('%') && after.starts_with('%')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_spelling_of_a_write() {
        let script = "echo \"A=${{ x }}\" >> $GITHUB_ENV\n\
                      echo B=1 >> \"$GITHUB_ENV\"\n\
                      echo C=1 >> ${GITHUB_ENV}\n\
                      echo /opt/bin | tee -a $GITHUB_PATH\n\
                      \"D=1\" | Out-File -FilePath $env:GITHUB_ENV -Append\n\
                      echo \"out=1\" >> $GITHUB_OUTPUT\n\
                      echo \"::set-output name=legacy::x\"\n\
                      echo ::set-output name=bare::${GITHUB_REF#refs/tags/}\n\
                      cat $GITHUB_ENV\n";
        let all = writes(script);
        assert!(all[7].defines("bare"));
        let found: Vec<Target> = all.iter().map(|w| w.target).collect();
        assert_eq!(
            found,
            vec![
                Target::Env,
                Target::Env,
                Target::Env,
                Target::Path,
                Target::Env,
                Target::Output,
                Target::Output,
                Target::Output
            ]
        );
    }

    #[test]
    fn heredocs_and_groups_widen_the_write() {
        let script =
            "cat <<EOF >> $GITHUB_ENV\nA=${{ x }}\nEOF\n{\n  echo b=1\n} >> $GITHUB_OUTPUT\n";
        let found = writes(script);
        assert_eq!(found.len(), 2);
        assert!(found[0].text.contains("A=${{ x }}"));
        assert!(found[1].text.contains("echo b=1"));
        assert!(found[0].defines("A"));
        assert!(found[1].defines("B"));
        assert!(!found[1].defines("echo"));
    }

    #[test]
    fn defines_matches_whole_names() {
        let script = "echo \"title=$T\" >> $GITHUB_OUTPUT\necho \"::set-output name=x::1\"\n";
        let found = writes(script);
        assert!(found[0].defines("title"));
        assert!(!found[0].defines("itle"));
        assert!(found[1].defines("x"));
    }

    #[test]
    fn only_commands_that_write_are_writes() {
        let script = "echo 'A=1 >> $GITHUB_ENV'\n\
                      echo \"$GITHUB_ENV\" # >> $GITHUB_ENV\n\
                      echo x 2>&1 | grep -c x > $GITHUB_ENV_COPY\n\
                      cat <<'EOF' > notes.txt\necho B=1 >> $GITHUB_ENV\nEOF\n\
                      echo C=1 >> $GITHUB_ENV && echo D=2 >> \"$GITHUB_ENV\"\n\
                      echo E=1>>%GITHUB_ENV%\n";
        let found = writes(script);
        let texts: Vec<&str> = found.iter().map(|w| w.text).collect();
        assert_eq!(
            texts,
            [
                "echo C=1 >> $GITHUB_ENV",
                "echo D=2 >> \"$GITHUB_ENV\"",
                "echo E=1>>%GITHUB_ENV%"
            ]
        );
        assert_eq!(&script[found[0].range.clone()], found[0].text);
    }

    #[test]
    fn pipelines_and_groups_write_as_one() {
        let script = "curl -s $U | jq -r .v | tee -a $GITHUB_OUTPUT\n\
                      { echo \"a=$A\"; echo \"b=$(date)\"; } >> \"$GITHUB_ENV\"\n";
        let found = writes(script);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].text,
            "curl -s $U | jq -r .v | tee -a $GITHUB_OUTPUT"
        );
        assert_eq!(
            found[1].text,
            "echo \"a=$A\"; echo \"b=$(date)\"; } >> \"$GITHUB_ENV\""
        );
        assert!(found[1].defines("a") && found[1].defines("b"));
    }
}
