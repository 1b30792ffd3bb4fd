//! Just enough shell reading for the injection audits: which lines of a
//! `run:` script write to the files behind `$GITHUB_ENV`, `$GITHUB_PATH`
//! and `$GITHUB_OUTPUT`, which shell variables a piece of script expands,
//! and what quoting surrounds a position (so a fix can swap an expression
//! for a variable without changing how the shell splits words).

use std::ops::Range;

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

/// Lines of a script whose output goes to one of the [`Target`] files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write<'s> {
    /// Which file.
    pub target: Target,
    /// Byte range in the script of the writing line, widened to the body of
    /// a heredoc or `{ …; }` group redirected as a whole.
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

/// Most lines a `{ …; } >> file` group is looked back over.
const GROUP_LOOKBACK: usize = 50;

/// Every write to a [`Target`] file in `script`, in order.
pub fn writes(script: &str) -> Vec<Write<'_>> {
    let lines: Vec<Range<usize>> = line_ranges(script);
    let mut found = Vec::new();
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        let text = &script[line.clone()];
        let target = if text.contains("::set-output ") {
            Some(Target::Output)
        } else {
            redirect_target(text)
        };
        let Some(target) = target else {
            index += 1;
            continue;
        };
        let mut range = line.clone();
        if let Some(delimiter) = heredoc_delimiter(text) {
            let mut end = index + 1;
            while let Some(body) = lines.get(end) {
                range.end = body.end;
                if script[body.clone()].trim() == delimiter {
                    break;
                }
                end += 1;
            }
            index = end;
        } else if text.trim_start().starts_with('}') {
            let first = index.saturating_sub(GROUP_LOOKBACK);
            if let Some(open) = (first..index)
                .rev()
                .find(|&i| script[lines[i].clone()].trim_start().starts_with('{'))
            {
                range.start = lines[open].start;
            }
        }
        found.push(Write {
            target,
            text: &script[range.clone()],
            range,
        });
        index += 1;
    }
    found
}

fn line_ranges(text: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices('\n') {
        ranges.push(start..at);
        start = at + 1;
    }
    if start < text.len() {
        ranges.push(start..text.len());
    }
    ranges
}

/// The target file a line redirects or appends to, if any.
fn redirect_target(line: &str) -> Option<Target> {
    [Target::Env, Target::Path, Target::Output]
        .into_iter()
        .find(|target| {
            let variable = target.variable();
            line.match_indices(variable).any(|(at, _)| {
                let before = line[..at].trim_end_matches(['{', '"', '\'']);
                let after = &line[at + variable.len()..];
                let whole_name = after.chars().next().is_none_or(|c| !is_name_char(c));
                let referenced = before.ends_with('$')
                    || before.ends_with("$env:")
                    || before.ends_with("$Env:")
                    || before.ends_with("$ENV:")
                    || before.ends_with('%');
                whole_name && referenced && writes_to(&line[..at])
            })
        })
}

/// Whether the text before a file reference sends output to it.
fn writes_to(before: &str) -> bool {
    let lower = before.to_ascii_lowercase();
    before.contains('>')
        || lower.contains("tee ")
        || lower.contains("out-file")
        || lower.contains("add-content")
        || lower.contains("set-content")
}

/// The delimiter of a heredoc opened on `line` (`<<EOF`, `<<-'EOF'`),
/// ignoring here-strings (`<<<`) and the `NAME<<EOF` syntax of the
/// workflow-command files, whose body is written by later lines.
fn heredoc_delimiter(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = &line[at + 2..];
    if rest.starts_with('<') {
        return None;
    }
    if line[..at].chars().next_back().is_some_and(is_name_char) {
        return None;
    }
    let rest = rest.strip_prefix('-').unwrap_or(rest).trim_start();
    let delimiter: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!delimiter.is_empty()).then_some(delimiter)
}

/// Names of the shell variables `text` expands (`$NAME`, `${NAME}`,
/// `${NAME:-x}`), skipping positional and special parameters.
pub fn variables(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut names = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'$' {
            index += 1;
            continue;
        }
        let braced = bytes.get(index + 1) == Some(&b'{');
        let start = index + 1 + usize::from(braced);
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let starts_with_letter = bytes
            .get(start)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_');
        if end > start && starts_with_letter {
            names.push(&text[start..end]);
        }
        index = end.max(index + 1);
    }
    names
}

/// Whether `text` runs a command and uses its output (`$(…)` or
/// backticks), whose value the audits cannot follow.
pub fn has_command_substitution(text: &str) -> bool {
    text.contains("$(") || text.contains('`')
}

/// The quoting around a position in a POSIX shell script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    /// Unquoted, subject to word splitting.
    Bare,
    /// Inside `"…"`.
    Double,
    /// Inside `'…'`.
    Single,
    /// In the body of a heredoc whose delimiter is unquoted, where `$VAR`
    /// expands and quotes are literal.
    Heredoc,
}

/// The quoting at byte `offset` of `script`, a POSIX shell script.
/// `opaque` lists ranges (the `${{ … }}` expressions) read as plain word
/// characters. `None` when the position is one a rewrite cannot treat
/// soundly: in a comment, between backticks, or in a heredoc with a quoted
/// delimiter.
pub fn quoting_at(script: &str, offset: usize, opaque: &[Range<usize>]) -> Option<Quoting> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Bare,
        Double,
        Single,
        Substitution,
        Backtick,
        Comment,
    }
    let bytes = script.as_bytes();
    let mut stack = vec![State::Bare];
    let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
    let mut index = 0;
    while index < offset.min(bytes.len()) {
        if let Some(range) = opaque.iter().find(|r| r.start == index) {
            index = range.end.max(index + 1);
            continue;
        }
        let state = *stack.last().unwrap_or(&State::Bare);
        let byte = bytes[index];
        match (state, byte) {
            (State::Comment, b'\n') => {
                stack.pop();
                continue;
            }
            (State::Comment, _) => {}
            (State::Single, b'\'') => {
                stack.pop();
            }
            (State::Single, _) => {}
            (State::Bare | State::Substitution | State::Double, b'\\') => index += 1,
            (State::Double, b'"') => {
                stack.pop();
            }
            (State::Bare | State::Substitution, b'"') => stack.push(State::Double),
            (State::Bare | State::Substitution, b'\'') => stack.push(State::Single),
            (State::Bare | State::Substitution | State::Double, b'$')
                if bytes.get(index + 1) == Some(&b'(') =>
            {
                stack.push(State::Substitution);
                index += 1;
            }
            (State::Substitution, b')') => {
                stack.pop();
            }
            (State::Backtick, b'`') => {
                stack.pop();
            }
            (_, b'`') => stack.push(State::Backtick),
            (State::Bare | State::Substitution, b'#')
                if index == 0 || bytes[index - 1].is_ascii_whitespace() =>
            {
                stack.push(State::Comment);
            }
            (State::Bare | State::Substitution, b'<')
                if bytes.get(index + 1) == Some(&b'<') && bytes.get(index + 2) != Some(&b'<') =>
            {
                let line_end = script[index..]
                    .find('\n')
                    .map_or(script.len(), |e| index + e);
                let rest = &script[index + 2..line_end];
                let rest = rest.strip_prefix('-').unwrap_or(rest).trim_start();
                let quoted = rest.starts_with(['\'', '"']) || rest.starts_with('\\');
                let delimiter: String = rest
                    .trim_start_matches(['\'', '"', '\\'])
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !delimiter.is_empty() {
                    pending_heredocs.push((delimiter, quoted));
                }
                index += 1;
            }
            (State::Bare, b'\n') if !pending_heredocs.is_empty() => {
                for (delimiter, quoted) in std::mem::take(&mut pending_heredocs) {
                    let body_start = index + 1;
                    let mut line_start = body_start;
                    let mut body_end = script.len();
                    while line_start < script.len() {
                        let line_end = script[line_start..]
                            .find('\n')
                            .map_or(script.len(), |e| line_start + e);
                        if script[line_start..line_end].trim() == delimiter {
                            body_end = line_end;
                            break;
                        }
                        line_start = line_end + 1;
                    }
                    if (body_start..body_end).contains(&offset) {
                        return (!quoted).then_some(Quoting::Heredoc);
                    }
                    index = body_end;
                }
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    match stack.last().copied().unwrap_or(State::Bare) {
        State::Bare | State::Substitution => Some(Quoting::Bare),
        State::Double => Some(Quoting::Double),
        State::Single => Some(Quoting::Single),
        State::Backtick | State::Comment => None,
    }
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
                      cat $GITHUB_ENV\n";
        let found: Vec<Target> = writes(script).iter().map(|w| w.target).collect();
        assert_eq!(
            found,
            vec![
                Target::Env,
                Target::Env,
                Target::Env,
                Target::Path,
                Target::Env,
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
    fn variables_skip_special_parameters() {
        assert_eq!(
            variables("echo $A ${B:-x} $1 $? $$ ${C}"),
            vec!["A", "B", "C"]
        );
    }

    #[test]
    fn quoting_follows_quotes_substitutions_and_heredocs() {
        let at = |script: &str, needle: &str| quoting_at(script, script.find(needle).unwrap(), &[]);
        assert_eq!(at("echo X", "X"), Some(Quoting::Bare));
        assert_eq!(at("echo \"a X\"", "X"), Some(Quoting::Double));
        assert_eq!(at("echo 'a X'", "X"), Some(Quoting::Single));
        assert_eq!(at("echo \"$(cat X)\"", "X"), Some(Quoting::Bare));
        assert_eq!(at("echo `X`", "X"), None);
        assert_eq!(at("# X\n", "X"), None);
        assert_eq!(at("cat <<EOF\nX\nEOF\necho Y", "X"), Some(Quoting::Heredoc));
        assert_eq!(at("cat <<'EOF'\nX\nEOF\n", "X"), None);
        assert_eq!(at("cat <<EOF\na\nEOF\necho Y", "Y"), Some(Quoting::Bare));
        assert_eq!(at("echo \"it's X\"", "X"), Some(Quoting::Double));
    }

    #[test]
    fn opaque_ranges_hide_expression_quotes() {
        let script = "echo ${{ format('{0}', x) }} Y";
        let open = script.find("${{").unwrap();
        let close = script.find("}}").unwrap() + 2;
        let at = script.find('Y').unwrap();
        let opaque = [std::ops::Range {
            start: open,
            end: close,
        }];
        assert_eq!(quoting_at(script, at, &opaque), Some(Quoting::Bare));
    }
}
