//! A small reader for the POSIX-shell scripts in `run:` steps and GitLab
//! `script:` lists.
//!
//! It is not a shell: it splits a script into pipelines, commands and words
//! with enough of the grammar (quotes, escapes, line continuations,
//! `$(...)`, backticks, `<(...)`, redirections, here-documents, comments)
//! that audits can ask "which program runs here, with which arguments" and
//! point at the exact bytes. It never fails: whatever it does not
//! understand becomes ordinary word text. CI expressions such as
//! `${{ secrets.X }}` are kept whole inside the word they appear in.

use std::ops::Range;

/// Deepest nesting of substitutions and subshells that is still read;
/// deeper text is kept as plain word text so hostile input cannot exhaust
/// the stack.
const MAX_NESTING: usize = 48;

/// How a word was quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// No quotes at all.
    None,
    /// Entirely `'...'`.
    Single,
    /// Entirely `"..."`.
    Double,
    /// Entirely `$'...'`.
    AnsiC,
    /// Quoted in part, or in several styles (`--token="$X"`).
    Mixed,
}

/// The kind of a substitution inside a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubstitutionKind {
    /// `$(...)`
    Command,
    /// `` `...` ``
    Backtick,
    /// `<(...)`: the command's output read as a file.
    ProcessInput,
    /// `>(...)`: a file written into the command.
    ProcessOutput,
}

/// A command or process substitution.
#[derive(Clone, Debug)]
pub struct Substitution {
    /// Its kind.
    pub kind: SubstitutionKind,
    /// Byte range of the whole substitution, delimiters included.
    pub range: Range<usize>,
    /// The script inside it.
    pub pipelines: Vec<Pipeline>,
}

/// One word of a command.
#[derive(Clone, Debug)]
pub struct Word {
    /// The text with quotes and escapes removed; substitutions, parameter
    /// expansions and CI expressions are kept as written.
    pub text: String,
    /// Byte range of the word as written in the script.
    pub range: Range<usize>,
    /// How it was quoted.
    pub quote: Quote,
    /// Variables it expands (`$NAME`, `${NAME}`, `${NAME:-x}`), outside
    /// single quotes, in order.
    pub variables: Vec<String>,
    /// Command and process substitutions in it.
    pub substitutions: Vec<Substitution>,
    /// Byte ranges of its quoted parts, quotes included, with their style
    /// ([`Quote::Single`], [`Quote::Double`] or [`Quote::AnsiC`]).
    pub quoted: Vec<(Quote, Range<usize>)>,
}

/// The body of a here-document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereDocument {
    /// Byte range of the body, from the line after the operator to the end
    /// of the line before the delimiter.
    pub body: Range<usize>,
    /// Whether `$VAR` and `$(...)` expand in the body, as they do when no
    /// part of the delimiter is quoted.
    pub expands: bool,
}

/// A redirection such as `> out.txt`, `2>&1` or `<<EOF`.
#[derive(Clone, Debug)]
pub struct Redirect {
    /// The file descriptor written before the operator (`2` in `2>`).
    pub fd: Option<u32>,
    /// The operator: `<`, `>`, `>>`, `>|`, `<>`, `<&`, `>&`, `&>`, `&>>`,
    /// `<<`, `<<-` or `<<<`.
    pub operator: &'static str,
    /// The file, descriptor, here-string or here-document delimiter.
    pub target: Word,
    /// Byte range from the operator (with its descriptor) to the target.
    pub range: Range<usize>,
    /// For `<<` and `<<-`, the body that follows on the next lines.
    pub here_document: Option<HereDocument>,
}

impl Redirect {
    /// Whether this sends standard output to a file (`> f`, `>> f`, `&> f`,
    /// `1> f`), as opposed to a descriptor duplication or an input.
    pub fn writes_stdout_to_file(&self) -> bool {
        matches!(self.operator, ">" | ">>" | ">|" | "&>" | "&>>")
            && matches!(self.fd, None | Some(1))
    }
}

/// One simple command: words and redirections.
#[derive(Clone, Debug)]
pub struct Command {
    /// The words, assignments and wrappers (`sudo`, `env`) included.
    pub words: Vec<Word>,
    /// The redirections, in order.
    pub redirects: Vec<Redirect>,
    /// Byte range from the first to the last word or redirection.
    pub range: Range<usize>,
}

/// How a pipeline is joined to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// The first pipeline of its list.
    Start,
    /// `;` or a newline.
    Sequence,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `&` (the previous pipeline runs in the background).
    Background,
}

/// Commands joined by `|`.
#[derive(Clone, Debug)]
pub struct Pipeline {
    /// The commands, left to right.
    pub commands: Vec<Command>,
    /// Byte range of the whole pipeline.
    pub range: Range<usize>,
    /// The operator before it.
    pub connector: Connector,
}

/// Splits `script` into its top-level pipelines, in order. Pipelines of
/// subshells `( ... )` are included in place; those of substitutions are
/// reached through [`Word::substitutions`] (or [`all_pipelines`]). Every
/// range is a byte range of `script`.
pub fn pipelines(script: &str) -> Vec<Pipeline> {
    let mut parser = Parser {
        source: script,
        bytes: script.as_bytes(),
        pos: 0,
        end: script.len(),
        depth: 0,
        heredocs: Vec::new(),
        bodies: Vec::new(),
    };
    let mut top = parser.list(false);
    if !parser.bodies.is_empty() {
        attach_here_documents(&mut top, &parser.bodies);
    }
    top
}

/// Gives each here-document redirection the body read after its line;
/// `bodies` is keyed by the redirection's start.
fn attach_here_documents(pipelines: &mut [Pipeline], bodies: &[(usize, HereDocument)]) {
    for command in pipelines.iter_mut().flat_map(|p| p.commands.iter_mut()) {
        for redirect in &mut command.redirects {
            if let Some((_, body)) = bodies.iter().find(|(at, _)| *at == redirect.range.start) {
                redirect.here_document = Some(body.clone());
            }
        }
        for substitution in command
            .words
            .iter_mut()
            .flat_map(|w| w.substitutions.iter_mut())
        {
            attach_here_documents(&mut substitution.pipelines, bodies);
        }
    }
}

/// `pipelines` and, depth first, every pipeline nested in their
/// substitutions.
pub fn all_pipelines(pipelines: &[Pipeline]) -> Vec<&Pipeline> {
    let mut out = Vec::new();
    let mut stack: Vec<&Pipeline> = pipelines.iter().rev().collect();
    while let Some(pipeline) = stack.pop() {
        out.push(pipeline);
        let nested: Vec<&Pipeline> = pipeline
            .commands
            .iter()
            .flat_map(|command| command.words.iter())
            .flat_map(|word| word.substitutions.iter())
            .flat_map(|substitution| substitution.pipelines.iter())
            .collect();
        stack.extend(nested.into_iter().rev());
    }
    out
}

/// Every command of `pipelines` and of the substitutions nested in them,
/// in the order they are written.
pub fn all_commands(pipelines: &[Pipeline]) -> Vec<&Command> {
    let mut commands: Vec<&Command> = all_pipelines(pipelines)
        .into_iter()
        .flat_map(|p| p.commands.iter())
        .collect();
    commands.sort_by_key(|c| c.range.start);
    commands
}

/// Whether `word` expands the variable `name` outside single quotes.
pub fn references_variable(word: &Word, name: &str) -> bool {
    word.variables.iter().any(|v| v == name)
}

/// Names of the shell variables `text` expands (`$NAME`, `${NAME}`,
/// `${NAME:-x}`), skipping positional and special parameters. Reads plain
/// text, quotes and all, so it also sees names inside single quotes and
/// here-document bodies: callers use it where over-reading is the safe
/// side.
pub fn variable_names(text: &str) -> Vec<&str> {
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

/// Whether `text` runs a command and uses its output (`$(...)` or
/// backticks), a value no reading of the script can follow.
pub fn has_command_substitution(text: &str) -> bool {
    text.contains("$(") || text.contains('`')
}

/// The quoting around a position in a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    /// Unquoted, subject to word splitting.
    Bare,
    /// Inside `"..."`.
    Double,
    /// Inside `'...'`.
    Single,
    /// In the body of a here-document whose delimiter is unquoted, where
    /// `$VAR` expands and quotes are literal.
    HereDocument,
}

/// The quoting at byte `offset` of the script `pipelines` were read from.
/// `None` where rewriting the text there cannot be done soundly by quoting
/// rules alone: in a comment or between words, between backticks (whose
/// escaping differs), inside `$'...'`, or in a here-document whose body does
/// not expand.
pub fn quoting_at(pipelines: &[Pipeline], offset: usize) -> Option<Quoting> {
    for command in pipelines.iter().flat_map(|p| p.commands.iter()) {
        for redirect in &command.redirects {
            if let Some(document) = &redirect.here_document
                && document.body.contains(&offset)
            {
                return document.expands.then_some(Quoting::HereDocument);
            }
        }
        let words = command
            .words
            .iter()
            .chain(command.redirects.iter().map(|r| &r.target));
        for word in words {
            if word.range.contains(&offset) {
                return word_quoting_at(word, offset);
            }
        }
    }
    None
}

fn word_quoting_at(word: &Word, offset: usize) -> Option<Quoting> {
    if let Some(substitution) = word
        .substitutions
        .iter()
        .find(|s| s.range.contains(&offset))
    {
        return match substitution.kind {
            SubstitutionKind::Backtick => None,
            _ => quoting_at(&substitution.pipelines, offset),
        };
    }
    match word
        .quoted
        .iter()
        .find(|(_, range)| range.contains(&offset))
    {
        None => Some(Quoting::Bare),
        Some((Quote::Single, _)) => Some(Quoting::Single),
        Some((Quote::Double, _)) => Some(Quoting::Double),
        Some(_) => None,
    }
}

/// Wrappers that run the command given after their own options.
const WRAPPERS: &[&str] = &["sudo", "doas", "env", "time", "exec", "nohup", "command"];

/// Options of the wrappers that take a separate value.
fn wrapper_option_takes_value(wrapper: &str, option: &str) -> bool {
    match wrapper {
        "sudo" | "doas" => matches!(
            option,
            "-u" | "-g" | "-C" | "-D" | "-h" | "-p" | "-r" | "-t" | "-U" | "--user" | "--group"
        ),
        "env" => matches!(option, "-u" | "-C" | "-S" | "--unset" | "--chdir"),
        "exec" => option == "-a",
        _ => false,
    }
}

impl Command {
    /// Index in [`Command::words`] of the program that runs, skipping
    /// variable assignments and wrappers such as `sudo -E`, `env X=1`,
    /// `time` and `exec`. `command -v x` looks `x` up without running it,
    /// so its program is `command`.
    pub fn program_index(&self) -> Option<usize> {
        let mut index = 0;
        let mut wrapper: Option<&str> = None;
        while let Some(word) = self.words.get(index) {
            let text = word.text.as_str();
            if is_assignment(text) && matches!(wrapper, None | Some("env" | "sudo" | "doas")) {
                index += 1;
                continue;
            }
            if let Some(current) = wrapper {
                if current == "command" && matches!(text, "-v" | "-V") {
                    return Some(index - 1);
                }
                if text.starts_with('-') && text.len() > 1 {
                    index += if wrapper_option_takes_value(current, text) {
                        2
                    } else {
                        1
                    };
                    continue;
                }
            }
            let name = basename(text);
            if WRAPPERS.contains(&name) {
                wrapper = Some(name);
                index += 1;
                continue;
            }
            return Some(index);
        }
        None
    }

    /// The basename of the program that runs (`bash` for `sudo -E /bin/bash`).
    pub fn program(&self) -> Option<&str> {
        self.program_index()
            .and_then(|i| self.words.get(i))
            .map(|word| basename(&word.text))
    }

    /// The words after the program.
    pub fn arguments(&self) -> &[Word] {
        match self.program_index() {
            Some(index) => self.words.get(index + 1..).unwrap_or_default(),
            None => &[],
        }
    }
}

fn is_assignment(text: &str) -> bool {
    text.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit()
    })
}

/// The last path component of `text`.
pub fn basename(text: &str) -> &str {
    text.rsplit(['/', '\\']).next().unwrap_or(text)
}

/// Words at the start of a command that belong to the shell's grammar,
/// not to the command.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
];

/// What ends a list of pipelines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Closer {
    End,
    Paren,
    Brace,
}

struct Parser<'s> {
    source: &'s str,
    bytes: &'s [u8],
    pos: usize,
    end: usize,
    depth: usize,
    /// Here-documents waiting for the end of their line: delimiter,
    /// start of the redirection, and whether the body expands.
    heredocs: Vec<(String, usize, bool)>,
    /// Here-document bodies read so far, keyed by their redirection's start.
    bodies: Vec<(usize, HereDocument)>,
}

/// Accumulates one word.
#[derive(Default)]
struct WordBuilder {
    text: String,
    unquoted: bool,
    single: bool,
    double: bool,
    ansi: bool,
    variables: Vec<String>,
    substitutions: Vec<Substitution>,
    quoted: Vec<(Quote, Range<usize>)>,
}

impl WordBuilder {
    fn quote(&self) -> Quote {
        match (self.unquoted, self.single, self.double, self.ansi) {
            (_, false, false, false) => Quote::None,
            (false, true, false, false) => Quote::Single,
            (false, false, true, false) => Quote::Double,
            (false, false, false, true) => Quote::AnsiC,
            _ => Quote::Mixed,
        }
    }
}

impl<'s> Parser<'s> {
    fn peek(&self) -> Option<u8> {
        (self.pos < self.end).then(|| self.bytes[self.pos])
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        let at = self.pos + offset;
        (at < self.end).then(|| self.bytes[at])
    }

    fn starts_with(&self, text: &str) -> bool {
        self.bytes
            .get(self.pos..self.end)
            .is_some_and(|rest| rest.starts_with(text.as_bytes()))
    }

    /// Copies the character at `pos` into `text` and moves past it.
    fn take_char(&mut self, text: &mut String) {
        match self
            .source
            .get(self.pos..self.end)
            .and_then(|s| s.chars().next())
        {
            Some(c) => {
                text.push(c);
                self.pos += c.len_utf8();
            }
            None => self.pos += 1,
        }
    }

    /// Consumes a newline and any here-document bodies it starts.
    fn newline(&mut self) {
        self.pos += 1;
        for (delimiter, redirect_start, expands) in std::mem::take(&mut self.heredocs) {
            let body_start = self.pos;
            let mut body_end = self.end;
            while self.pos < self.end {
                let line_start = self.pos;
                let line_end = self.bytes[self.pos..self.end]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(self.end, |i| self.pos + i);
                let line = self.source.get(self.pos..line_end).unwrap_or("");
                self.pos = (line_end + 1).min(self.end);
                if line.trim_start_matches([' ', '\t']).trim_end_matches('\r') == delimiter {
                    body_end = line_start.saturating_sub(1).max(body_start);
                    break;
                }
            }
            self.bodies.push((
                redirect_start,
                HereDocument {
                    body: body_start..body_end,
                    expands,
                },
            ));
        }
    }

    fn skip_blanks(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                _ => break,
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'\n' {
                break;
            }
            self.pos += 1;
        }
    }

    /// Skips blanks, comments and newlines, for places where a command may
    /// start on a later line (after `|`, `&&` or `||`).
    fn skip_to_command(&mut self) {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b'\n') => self.newline(),
                Some(b'#') => self.skip_comment(),
                _ => break,
            }
        }
    }

    /// Whether a reserved-word brace (`{` or `}`) stands at `pos`.
    fn at_brace(&self, brace: u8) -> bool {
        self.peek() == Some(brace)
            && self.peek_at(1).is_none_or(|b| {
                matches!(
                    b,
                    b' ' | b'\t' | b'\r' | b'\n' | b';' | b'>' | b'<' | b'|' | b'&'
                )
            })
    }

    /// Reads a `{ ...; }` group whose `{` is at `pos`; redirections after
    /// the `}` apply to every command in it.
    fn brace_group(&mut self) -> Vec<Pipeline> {
        self.pos += 1;
        self.depth += 1;
        let mut inner = self.list_until(Closer::Brace);
        self.depth -= 1;
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks();
            match self.redirect() {
                Some(redirect) => redirects.push(redirect),
                None => break,
            }
        }
        for pipeline in &mut inner {
            if let Some(last) = pipeline.commands.last_mut() {
                last.redirects.extend(redirects.iter().cloned());
            }
        }
        inner
    }

    /// Reads pipelines until the end, or a `)` when `in_parens`.
    fn list(&mut self, in_parens: bool) -> Vec<Pipeline> {
        self.list_until(if in_parens {
            Closer::Paren
        } else {
            Closer::End
        })
    }

    fn list_until(&mut self, closer: Closer) -> Vec<Pipeline> {
        let in_parens = closer == Closer::Paren;
        let mut out = Vec::new();
        let mut connector = Connector::Start;
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else { break };
            if closer == Closer::Brace && self.at_brace(b'}') {
                self.pos += 1;
                break;
            }
            if self.depth < MAX_NESTING && self.at_brace(b'{') {
                let mut inner = self.brace_group();
                if let Some(first) = inner.first_mut() {
                    first.connector = connector;
                }
                out.extend(inner);
                connector = Connector::Sequence;
                continue;
            }
            match b {
                b'\n' => {
                    self.newline();
                    connector = Connector::Sequence;
                }
                b'#' => self.skip_comment(),
                b';' => {
                    self.pos += 1;
                    connector = Connector::Sequence;
                }
                b')' if in_parens => {
                    self.pos += 1;
                    break;
                }
                b')' => {
                    self.pos += 1;
                    connector = Connector::Sequence;
                }
                b'&' if self.starts_with("&&") => {
                    self.pos += 2;
                    connector = Connector::And;
                    self.skip_to_command();
                }
                b'&' if !self.starts_with("&>") => {
                    self.pos += 1;
                    connector = Connector::Background;
                }
                b'|' if self.starts_with("||") => {
                    self.pos += 2;
                    connector = Connector::Or;
                    self.skip_to_command();
                }
                b'|' => {
                    self.pos += 1;
                    self.skip_to_command();
                }
                b'(' if self.depth < MAX_NESTING => {
                    self.pos += 1;
                    self.depth += 1;
                    let mut inner = self.list(true);
                    self.depth -= 1;
                    if let Some(first) = inner.first_mut() {
                        first.connector = connector;
                    }
                    out.extend(inner);
                    connector = Connector::Sequence;
                }
                _ => {
                    let before = self.pos;
                    if let Some(pipeline) = self.pipeline(connector) {
                        out.push(pipeline);
                        connector = Connector::Sequence;
                    }
                    if self.pos == before {
                        self.pos += 1;
                    }
                }
            }
        }
        out
    }

    fn pipeline(&mut self, connector: Connector) -> Option<Pipeline> {
        let mut commands = Vec::new();
        loop {
            if let Some(command) = self.command() {
                commands.push(command);
            }
            self.skip_blanks();
            if self.peek() == Some(b'|') && !self.starts_with("||") {
                self.pos += if self.starts_with("|&") { 2 } else { 1 };
                self.skip_to_command();
                continue;
            }
            break;
        }
        let start = commands.first()?.range.start;
        let end = commands.last()?.range.end;
        Some(Pipeline {
            commands,
            range: start..end,
            connector,
        })
    }

    fn command(&mut self) -> Option<Command> {
        let mut words: Vec<Word> = Vec::new();
        let mut redirects = Vec::new();
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else { break };
            match b {
                b'\n' | b';' | b'|' | b')' => break,
                b'&' if !self.starts_with("&>") => break,
                b'#' if words.is_empty() || self.bytes[self.pos - 1].is_ascii_whitespace() => {
                    self.skip_comment();
                    break;
                }
                b'(' if words.is_empty() => break,
                _ => {}
            }
            if let Some(redirect) = self.redirect() {
                redirects.push(redirect);
                continue;
            }
            let before = self.pos;
            let word = self.word();
            if self.pos == before {
                self.pos += 1;
                continue;
            }
            if words.is_empty()
                && word.quote == Quote::None
                && RESERVED.contains(&word.text.as_str())
            {
                continue;
            }
            words.push(word);
        }
        let start = words
            .first()
            .map(|w| w.range.start)
            .into_iter()
            .chain(redirects.first().map(|r: &Redirect| r.range.start))
            .min()?;
        let end = words
            .last()
            .map(|w| w.range.end)
            .into_iter()
            .chain(redirects.last().map(|r| r.range.end))
            .max()?;
        Some(Command {
            words,
            redirects,
            range: start..end,
        })
    }

    fn redirect(&mut self) -> Option<Redirect> {
        let start = self.pos;
        let digits = self.bytes[self.pos..self.end]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let after_digits = self.pos + digits;
        let rest = &self.bytes[after_digits..self.end];
        const OPERATORS: &[&str] = &[
            "&>>", "<<<", "<<-", "&>", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">",
        ];
        let operator = *OPERATORS
            .iter()
            .find(|op| rest.starts_with(op.as_bytes()))?;
        if operator.starts_with('&') && digits > 0 {
            return None;
        }
        if matches!(operator, "<" | ">") && digits == 0 && rest.get(1) == Some(&b'(') {
            return None;
        }
        let fd = (digits > 0)
            .then(|| self.source.get(self.pos..after_digits)?.parse().ok())
            .flatten();
        self.pos = after_digits + operator.len();
        self.skip_blanks();
        let target = match self.peek() {
            Some(b'\n' | b';' | b'|' | b'&' | b')' | b'<' | b'>') | None => Word {
                text: String::new(),
                range: self.pos..self.pos,
                quote: Quote::None,
                variables: Vec::new(),
                substitutions: Vec::new(),
                quoted: Vec::new(),
            },
            Some(_) => self.word(),
        };
        if matches!(operator, "<<" | "<<-") && !target.text.is_empty() {
            let written = self.source.get(target.range.clone()).unwrap_or("");
            let expands = written == target.text;
            self.heredocs.push((target.text.clone(), start, expands));
        }
        Some(Redirect {
            fd,
            operator,
            range: start..target.range.end.max(self.pos),
            target,
            here_document: None,
        })
    }

    fn word(&mut self) -> Word {
        let start = self.pos;
        let mut word = WordBuilder::default();
        if self.depth < MAX_NESTING && (self.starts_with("<(") || self.starts_with(">(")) {
            let kind = if self.bytes[self.pos] == b'<' {
                SubstitutionKind::ProcessInput
            } else {
                SubstitutionKind::ProcessOutput
            };
            self.pos += 2;
            self.nested_list(start, kind, &mut word);
            word.unquoted = true;
            word.text
                .push_str(self.source.get(start..self.pos).unwrap_or(""));
        }
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b')' => break,
                b'\\' => {
                    if self.peek_at(1) == Some(b'\n') {
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                        word.unquoted = true;
                        if self.peek().is_some() {
                            self.take_char(&mut word.text);
                        }
                    }
                }
                b'\'' => {
                    let quote_start = self.pos;
                    word.single = true;
                    self.pos += 1;
                    while let Some(c) = self.peek() {
                        if c == b'\'' {
                            break;
                        }
                        if self.starts_with("${{") {
                            // The runner replaces the expression before the
                            // shell reads the quotes, so quotes inside it
                            // do not end this one.
                            self.ci_expression(&mut word.text);
                            continue;
                        }
                        self.take_char(&mut word.text);
                    }
                    self.pos = (self.pos + 1).min(self.end);
                    word.quoted.push((Quote::Single, quote_start..self.pos));
                }
                b'"' => {
                    let quote_start = self.pos;
                    word.double = true;
                    self.pos += 1;
                    self.double_quoted(&mut word);
                    word.quoted.push((Quote::Double, quote_start..self.pos));
                }
                b'$' if self.peek_at(1) == Some(b'\'') => {
                    let quote_start = self.pos;
                    word.ansi = true;
                    self.pos += 2;
                    self.ansi_c(&mut word.text);
                    word.quoted.push((Quote::AnsiC, quote_start..self.pos));
                }
                b'$' if self.peek_at(1) == Some(b'"') => {
                    let quote_start = self.pos;
                    word.double = true;
                    self.pos += 2;
                    self.double_quoted(&mut word);
                    word.quoted.push((Quote::Double, quote_start..self.pos));
                }
                b'$' | b'`' => {
                    word.unquoted = true;
                    self.dollar_or_backtick(&mut word);
                }
                _ => {
                    word.unquoted = true;
                    self.take_char(&mut word.text);
                }
            }
        }
        Word {
            quote: word.quote(),
            text: word.text,
            range: start..self.pos,
            variables: word.variables,
            substitutions: word.substitutions,
            quoted: word.quoted,
        }
    }

    fn double_quoted(&mut self, word: &mut WordBuilder) {
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => match self.peek_at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        self.pos += 1;
                        self.take_char(&mut word.text);
                    }
                    _ => self.take_char(&mut word.text),
                },
                b'$' | b'`' => self.dollar_or_backtick(word),
                _ => self.take_char(&mut word.text),
            }
        }
    }

    fn ansi_c(&mut self, text: &mut String) {
        while let Some(b) = self.peek() {
            match b {
                b'\'' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let escaped = match self.peek_at(1) {
                        Some(b'n') => Some('\n'),
                        Some(b't') => Some('\t'),
                        Some(b'r') => Some('\r'),
                        Some(b'\'') => Some('\''),
                        Some(b'"') => Some('"'),
                        Some(b'\\') => Some('\\'),
                        _ => None,
                    };
                    match escaped {
                        Some(c) => {
                            text.push(c);
                            self.pos += 2;
                        }
                        None => self.take_char(text),
                    }
                }
                _ => self.take_char(text),
            }
        }
    }

    /// Reads what starts with `$` or a backtick: an expansion, a CI
    /// expression or a substitution, copying it as written.
    fn dollar_or_backtick(&mut self, word: &mut WordBuilder) {
        let start = self.pos;
        if self.bytes[self.pos] == b'`' {
            let Some(close) = self.bytes[self.pos + 1..self.end]
                .iter()
                .position(|&b| b == b'`')
                .map(|i| self.pos + 1 + i)
            else {
                self.take_char(&mut word.text);
                return;
            };
            if self.depth < MAX_NESTING {
                let saved_end = self.end;
                self.pos += 1;
                self.end = close;
                self.depth += 1;
                let pipelines = self.list(false);
                self.depth -= 1;
                self.end = saved_end;
                word.substitutions.push(Substitution {
                    kind: SubstitutionKind::Backtick,
                    range: start..close + 1,
                    pipelines,
                });
            }
            self.pos = close + 1;
            word.text
                .push_str(self.source.get(start..self.pos).unwrap_or(""));
            return;
        }
        if self.starts_with("${{") {
            self.ci_expression(&mut word.text);
            return;
        } else if self.starts_with("$((") {
            self.pos += 3;
            self.skip_balanced_parens(2);
        } else if self.starts_with("$(") && self.depth < MAX_NESTING {
            self.pos += 2;
            self.nested_list(start, SubstitutionKind::Command, word);
        } else if self.starts_with("${") {
            let name_start = self.pos + 2;
            let name_end = self.identifier_end(name_start);
            if let Some(name) = self.source.get(name_start..name_end)
                && !name.is_empty()
            {
                word.variables.push(name.to_owned());
            }
            self.pos += 2;
            let mut depth = 1;
            while let Some(b) = self.peek() {
                self.pos += 1;
                match b {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name_end = self.identifier_end(self.pos + 1);
            if name_end > self.pos + 1 {
                if let Some(name) = self.source.get(self.pos + 1..name_end) {
                    word.variables.push(name.to_owned());
                }
                self.pos = name_end;
            } else {
                self.pos += 1;
                if matches!(
                    self.peek(),
                    Some(b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
            }
        }
        word.text
            .push_str(self.source.get(start..self.pos).unwrap_or(""));
    }

    /// Copies the `${{ ... }}` expression at `pos` into `text` whole.
    fn ci_expression(&mut self, text: &mut String) {
        let start = self.pos;
        self.pos = self
            .find_from(self.pos + 3, "}}")
            .map_or(self.end, |i| i + 2);
        text.push_str(self.source.get(start..self.pos).unwrap_or(""));
    }

    /// Reads the list inside `$(`, `<(` or `>(` (already consumed) through
    /// its `)`.
    fn nested_list(&mut self, start: usize, kind: SubstitutionKind, word: &mut WordBuilder) {
        self.depth += 1;
        let pipelines = self.list(true);
        self.depth -= 1;
        word.substitutions.push(Substitution {
            kind,
            range: start..self.pos,
            pipelines,
        });
    }

    fn skip_balanced_parens(&mut self, mut open: usize) {
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => open += 1,
                b')' => {
                    open -= 1;
                    if open == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    fn identifier_end(&self, from: usize) -> usize {
        let mut at = from;
        while at < self.end && (self.bytes[at].is_ascii_alphanumeric() || self.bytes[at] == b'_') {
            if at == from && self.bytes[at].is_ascii_digit() {
                return from;
            }
            at += 1;
        }
        at
    }

    fn find_from(&self, from: usize, needle: &str) -> Option<usize> {
        self.source
            .get(from..self.end)?
            .find(needle)
            .map(|i| from + i)
    }
}

/// How a script runs code it fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteExecutionKind {
    /// `curl ... | bash`
    Pipe,
    /// `bash <(curl ...)`, `. <(curl ...)`
    ProcessSubstitution,
    /// `bash -c "$(curl ...)"`, `eval "$(curl ...)"`
    CommandSubstitution,
    /// `curl -o x.sh ... && bash x.sh` with no checksum or signature check
    /// in between.
    DownloadThenRun,
    /// PowerShell `iex ((New-Object Net.WebClient).DownloadString(...))`
    PowerShell,
}

/// A place where a script runs code fetched from the network without
/// verifying it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteExecution {
    /// How it is run.
    pub kind: RemoteExecutionKind,
    /// Byte range in the script, from the download to what runs it.
    pub range: Range<usize>,
    /// The URL fetched, when written literally.
    pub url: Option<String>,
}

/// Finds code fetched with `curl`, `wget` or PowerShell and run without
/// verification: piped into an interpreter (`curl | sudo bash`, `iwr | iex`),
/// read through `<(...)`, passed as `-c "$(curl ...)"` or to `eval`, or
/// saved to a file that an interpreter then runs with no checksum or
/// signature check between the two. Interpreters that run a named script
/// or inline code (`curl ... | python3 -c 'import json...'`) only read the
/// download as data and are not reported. Sorted by position, without
/// overlaps.
pub fn remote_script_executions(script: &str) -> Vec<RemoteExecution> {
    let top = pipelines(script);
    let mut found = Vec::new();
    for pipeline in all_pipelines(&top) {
        piped_into_interpreter(pipeline, &mut found);
        for command in &pipeline.commands {
            substituted_into_interpreter(command, &mut found);
        }
    }
    downloaded_then_run(&top, &mut found);
    powershell_download_string(script, &mut found);
    found.sort_by_key(|f| (f.range.start, std::cmp::Reverse(f.range.end)));
    let mut kept: Vec<RemoteExecution> = Vec::new();
    for finding in found {
        if kept
            .last()
            .is_some_and(|last| finding.range.start < last.range.end)
        {
            continue;
        }
        kept.push(finding);
    }
    kept
}

/// Programs that fetch a URL.
fn is_downloader(command: &Command) -> bool {
    command.program().is_some_and(|program| {
        let program = program.to_ascii_lowercase();
        matches!(
            program.as_str(),
            "curl" | "wget" | "iwr" | "irm" | "invoke-webrequest" | "invoke-restmethod"
        )
    })
}

/// The first argument that looks like a URL.
fn url_of(command: &Command) -> Option<String> {
    command
        .arguments()
        .iter()
        .find(|word| word.text.contains("://"))
        .map(|word| word.text.clone())
}

/// Where a download goes.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    Stdout,
    File(String),
}

fn destination(command: &Command) -> Destination {
    let program = command.program().unwrap_or_default().to_ascii_lowercase();
    let args = command.arguments();
    let url_name = || {
        url_of(command).and_then(|url| {
            let path = url.split(['?', '#']).next().unwrap_or_default();
            let name = path.rsplit('/').next().unwrap_or_default();
            (!name.is_empty() && !path.ends_with("//")).then(|| name.to_owned())
        })
    };
    let mut iter = args.iter().map(|w| w.text.as_str());
    let mut file = None;
    let mut remote_name = false;
    while let Some(arg) = iter.next() {
        match program.as_str() {
            "curl" => {
                if arg == "--output" || arg == "-o" {
                    file = iter.next().map(str::to_owned);
                } else if let Some(value) = arg.strip_prefix("--output=") {
                    file = Some(value.to_owned());
                } else if arg == "--remote-name" || arg == "--remote-name-all" {
                    remote_name = true;
                } else if let Some(cluster) = short_cluster(arg) {
                    if let Some(at) = cluster.find('o') {
                        let inline = &cluster[at + 1..];
                        file = if inline.is_empty() {
                            iter.next().map(str::to_owned)
                        } else {
                            Some(inline.to_owned())
                        };
                    } else if cluster.contains('O') {
                        remote_name = true;
                    }
                }
            }
            "wget" => {
                if arg == "--output-document" || arg == "-O" {
                    file = iter.next().map(str::to_owned);
                } else if let Some(value) = arg.strip_prefix("--output-document=") {
                    file = Some(value.to_owned());
                } else if let Some(cluster) = short_cluster(arg)
                    && let Some(at) = cluster.find('O')
                {
                    let inline = &cluster[at + 1..];
                    file = if inline.is_empty() {
                        iter.next().map(str::to_owned)
                    } else {
                        Some(inline.to_owned())
                    };
                }
            }
            _ => {
                if arg.eq_ignore_ascii_case("-outfile") {
                    file = iter.next().map(str::to_owned);
                }
            }
        }
    }
    if file.is_none() {
        file = command
            .redirects
            .iter()
            .rfind(|r| r.writes_stdout_to_file())
            .map(|r| r.target.text.clone());
    }
    match file {
        Some(file) if file != "-" && file != "/dev/stdout" => Destination::File(file),
        None if remote_name || program == "wget" => {
            url_name().map_or(Destination::Stdout, Destination::File)
        }
        _ => Destination::Stdout,
    }
}

/// The letters of a short-option cluster such as `-fsSLo`.
fn short_cluster(arg: &str) -> Option<&str> {
    arg.strip_prefix('-')
        .filter(|rest| !rest.is_empty() && !rest.starts_with('-'))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Interpreter {
    Shell,
    Python,
    PerlOrRuby,
    Node,
    PowerShellExpression,
}

fn interpreter(program: &str) -> Option<Interpreter> {
    let program = program.to_ascii_lowercase();
    let program = program.strip_suffix(".exe").unwrap_or(&program);
    match program {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "fish" => {
            Some(Interpreter::Shell)
        }
        "perl" | "ruby" => Some(Interpreter::PerlOrRuby),
        "node" | "nodejs" => Some(Interpreter::Node),
        "iex" | "invoke-expression" => Some(Interpreter::PowerShellExpression),
        _ if program.starts_with("python")
            && program[6..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.') =>
        {
            Some(Interpreter::Python)
        }
        _ => None,
    }
}

/// What an interpreter's arguments make it run.
#[derive(Debug, PartialEq, Eq)]
enum Runs {
    /// Its standard input.
    Stdin,
    /// Inline code given with `-c`/`-e`/`-m`.
    Inline,
    /// The named script.
    Script(String),
}

fn what_runs(kind: Interpreter, args: &[Word]) -> Runs {
    let mut iter = args.iter().map(|w| w.text.as_str());
    while let Some(arg) = iter.next() {
        if arg == "-" {
            return Runs::Stdin;
        }
        if arg == "--" {
            return iter
                .next()
                .map_or(Runs::Stdin, |s| Runs::Script(s.to_owned()));
        }
        if kind == Interpreter::PowerShellExpression {
            return Runs::Stdin;
        }
        let Some(option) = arg.strip_prefix('-').or_else(|| arg.strip_prefix('+')) else {
            return Runs::Script(arg.to_owned());
        };
        if let Some(long) = option.strip_prefix('-') {
            if matches!(long, "eval" | "print" | "command") || long.starts_with("eval=") {
                return Runs::Inline;
            }
            continue;
        }
        let inline_flags: &[char] = match kind {
            Interpreter::Shell => &['c'],
            Interpreter::Python => &['c', 'm'],
            Interpreter::PerlOrRuby => &['e', 'E'],
            Interpreter::Node => &['e', 'p'],
            Interpreter::PowerShellExpression => &[],
        };
        if option.contains(inline_flags) {
            return Runs::Inline;
        }
        if kind == Interpreter::Shell && option.contains('s') {
            return Runs::Stdin;
        }
        let takes_value = match kind {
            Interpreter::Shell => option == "o" || option == "O",
            Interpreter::Python => option == "W" || option == "X",
            _ => false,
        };
        if takes_value {
            iter.next();
        }
    }
    match kind {
        Interpreter::PowerShellExpression => Runs::Inline,
        _ => Runs::Stdin,
    }
}

fn piped_into_interpreter(pipeline: &Pipeline, found: &mut Vec<RemoteExecution>) {
    let Some(download) = pipeline
        .commands
        .iter()
        .position(|c| is_downloader(c) && destination(c) == Destination::Stdout)
    else {
        return;
    };
    for command in &pipeline.commands[download + 1..] {
        let Some(kind) = command.program().and_then(interpreter) else {
            continue;
        };
        let stdin = match kind {
            Interpreter::PowerShellExpression => command.arguments().is_empty(),
            _ => what_runs(kind, command.arguments()) == Runs::Stdin,
        };
        if stdin {
            found.push(RemoteExecution {
                kind: RemoteExecutionKind::Pipe,
                range: pipeline.commands[download].range.start..command.range.end,
                url: url_of(&pipeline.commands[download]),
            });
            return;
        }
    }
}

/// The downloader whose output a substitution yields, if it ends in one.
fn substituted_download(substitution: &Substitution) -> Option<&Command> {
    let last = substitution.pipelines.last()?.commands.last()?;
    (is_downloader(last) && destination(last) == Destination::Stdout).then_some(last)
}

fn substituted_into_interpreter(command: &Command, found: &mut Vec<RemoteExecution>) {
    let Some(program) = command.program() else {
        return;
    };
    let runner = interpreter(program);
    let sources = matches!(program, "." | "source");
    if runner.is_none() && !sources && program != "eval" {
        return;
    }
    for word in command.arguments() {
        for substitution in &word.substitutions {
            let Some(download) = substituted_download(substitution) else {
                continue;
            };
            let kind = match substitution.kind {
                SubstitutionKind::ProcessInput if runner.is_some() || sources => {
                    RemoteExecutionKind::ProcessSubstitution
                }
                SubstitutionKind::Command | SubstitutionKind::Backtick
                    if program == "eval"
                        || runner.is_some_and(|kind| {
                            what_runs(kind, command.arguments()) == Runs::Inline
                        }) =>
                {
                    RemoteExecutionKind::CommandSubstitution
                }
                _ => continue,
            };
            found.push(RemoteExecution {
                kind,
                range: command.range.clone(),
                url: url_of(download),
            });
            return;
        }
    }
}

/// Script extensions: a downloaded file with one of these, run by path,
/// is a script rather than a release binary.
const SCRIPT_EXTENSIONS: &[&str] = &[".sh", ".bash", ".zsh", ".py", ".pl", ".rb", ".js", ".ps1"];

fn same_file(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.strip_prefix("./").unwrap_or(s).to_owned();
    strip(a) == strip(b)
}

fn runs_file(command: &Command, file: &str) -> bool {
    let Some(index) = command.program_index() else {
        return false;
    };
    let Some(program_word) = command.words.get(index) else {
        return false;
    };
    if same_file(&program_word.text, file) {
        let lower = file.to_ascii_lowercase();
        return SCRIPT_EXTENSIONS.iter().any(|ext| lower.ends_with(ext));
    }
    let program = basename(&program_word.text);
    if matches!(program, "." | "source") {
        return command
            .arguments()
            .first()
            .is_some_and(|arg| same_file(&arg.text, file));
    }
    match interpreter(program) {
        Some(kind) => {
            matches!(what_runs(kind, command.arguments()), Runs::Script(s) if same_file(&s, file))
        }
        None => false,
    }
}

/// Programs that check a checksum or a signature.
fn verifies(command: &Command) -> bool {
    let program = command.program().unwrap_or_default().to_ascii_lowercase();
    let args = command.arguments();
    let has = |flag: &str| args.iter().any(|w| w.text == flag);
    let direct = match program.as_str() {
        "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "b2sum" | "md5sum"
        | "shasum" | "gpgv" | "minisign" | "signify" | "slsa-verifier" | "cosign" => true,
        "gpg" | "gpg2" => has("--verify"),
        "openssl" => args
            .iter()
            .any(|w| w.text == "-verify" || w.text.starts_with("dgst")),
        "gh" => has("attestation"),
        "get-filehash" => true,
        _ => false,
    };
    direct
        || command
            .words
            .iter()
            .flat_map(|w| w.substitutions.iter())
            .flat_map(|s| all_pipelines(&s.pipelines))
            .flat_map(|p| p.commands.iter())
            .any(verifies)
}

fn downloaded_then_run(top: &[Pipeline], found: &mut Vec<RemoteExecution>) {
    let commands: Vec<&Command> = top.iter().flat_map(|p| p.commands.iter()).collect();
    for (at, download) in commands.iter().enumerate() {
        if !is_downloader(download) {
            continue;
        }
        let Destination::File(file) = destination(download) else {
            continue;
        };
        for later in &commands[at + 1..] {
            if verifies(later) {
                break;
            }
            if runs_file(later, &file) {
                found.push(RemoteExecution {
                    kind: RemoteExecutionKind::DownloadThenRun,
                    range: download.range.start..later.range.end,
                    url: url_of(download),
                });
                break;
            }
        }
    }
}

/// PowerShell's `iex (... .DownloadString('url'))`, whose parentheses the
/// shell grammar does not describe, found line by line.
fn powershell_download_string(script: &str, found: &mut Vec<RemoteExecution>) {
    let mut offset = 0;
    for line in script.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let lower = line.to_ascii_lowercase();
        if !lower.contains("downloadstring") {
            continue;
        }
        let invokes = has_token(&lower, "iex") || lower.contains("invoke-expression");
        if !invokes {
            continue;
        }
        let trimmed = line.trim_end();
        let lead = trimmed.len() - trimmed.trim_start().len();
        let url = line
            .split(['\'', '"'])
            .find(|part| part.contains("://"))
            .map(str::to_owned);
        found.push(RemoteExecution {
            kind: RemoteExecutionKind::PowerShell,
            range: start + lead..start + trimmed.len(),
            url,
        });
    }
}

fn has_token(text: &str, token: &str) -> bool {
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].bytes().next_back();
        let after = text[at + token.len()..].bytes().next();
        let boundary =
            |b: Option<u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'-' && b != b'_');
        boundary(before) && boundary(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(command: &Command) -> Vec<&str> {
        command.words.iter().map(|w| w.text.as_str()).collect()
    }

    fn commands(script: &str) -> Vec<Vec<String>> {
        all_pipelines(&pipelines(script))
            .iter()
            .flat_map(|p| p.commands.iter())
            .map(|c| words(c).into_iter().map(str::to_owned).collect())
            .collect()
    }

    fn found(script: &str) -> Vec<(RemoteExecutionKind, &str)> {
        remote_script_executions(script)
            .into_iter()
            .map(|f| (f.kind, &script[f.range]))
            .collect()
    }

    #[test]
    fn operators_split_pipelines_and_commands() {
        let script = "a x; b && c || d | e\nf & g";
        let top = pipelines(script);
        let connectors: Vec<Connector> = top.iter().map(|p| p.connector).collect();
        assert_eq!(
            connectors,
            [
                Connector::Start,
                Connector::Sequence,
                Connector::And,
                Connector::Or,
                Connector::Sequence,
                Connector::Background
            ]
        );
        assert_eq!(top[3].commands.len(), 2);
        assert_eq!(&script[top[3].range.clone()], "d | e");
        assert_eq!(&script[top[0].commands[0].range.clone()], "a x");
    }

    #[test]
    fn quotes_and_escapes_are_removed_and_ranges_kept() {
        let script = r#"echo 'a b' "c $X d" e\ f $'g\nh' --t="$Y"z"#;
        let top = pipelines(script);
        let command = &top[0].commands[0];
        assert_eq!(
            words(command),
            ["echo", "a b", "c $X d", "e f", "g\nh", "--t=$Yz"]
        );
        let quotes: Vec<Quote> = command.words.iter().map(|w| w.quote).collect();
        assert_eq!(
            quotes,
            [
                Quote::None,
                Quote::Single,
                Quote::Double,
                Quote::None,
                Quote::AnsiC,
                Quote::Mixed
            ]
        );
        assert_eq!(&script[command.words[2].range.clone()], r#""c $X d""#);
        assert_eq!(&script[command.words[5].range.clone()], r#"--t="$Y"z"#);
        assert!(references_variable(&command.words[2], "X"));
        assert!(references_variable(&command.words[5], "Y"));
        assert!(!references_variable(&command.words[1], "X"));
    }

    #[test]
    fn single_quotes_hide_variables_and_braces_are_read() {
        let command = &pipelines(r#"echo '$A' ${B:-x y} "${C}" $1 $DEF_1"#)[0].commands[0];
        let vars: Vec<&str> = command
            .words
            .iter()
            .flat_map(|w| w.variables.iter().map(String::as_str))
            .collect();
        assert_eq!(vars, ["B", "C", "DEF_1"]);
        assert_eq!(command.words[2].text, "${B:-x y}");
    }

    #[test]
    fn ci_expressions_stay_whole() {
        let script = "echo ${{ secrets.TOKEN }} | docker login -u x --password-stdin";
        let top = pipelines(script);
        assert_eq!(words(&top[0].commands[0]), ["echo", "${{ secrets.TOKEN }}"]);
        assert_eq!(top[0].commands[1].program(), Some("docker"));
    }

    #[test]
    fn line_continuations_join_and_newlines_separate() {
        let script = "curl -sSL \\\n  https://x.io/i.sh \\\n  | bash\necho done";
        let top = pipelines(script);
        assert_eq!(top.len(), 2);
        assert_eq!(
            words(&top[0].commands[0]),
            ["curl", "-sSL", "https://x.io/i.sh"]
        );
        assert_eq!(top[0].commands[1].program(), Some("bash"));
        let script = "make build &&\n  make test |\n  tee log";
        let top = pipelines(script);
        assert_eq!(top.len(), 2);
        assert_eq!(top[1].commands.len(), 2);
    }

    #[test]
    fn substitutions_nest_and_keep_their_text() {
        let script = "V=$(curl -s $U | jq -r .v) echo `date +%s` <(cat f) $((1 + 2))";
        let top = pipelines(script);
        let command = &top[0].commands[0];
        assert_eq!(command.words[0].text, "V=$(curl -s $U | jq -r .v)");
        assert_eq!(
            command.words[0].substitutions[0].kind,
            SubstitutionKind::Command
        );
        assert_eq!(
            command.words[2].substitutions[0].kind,
            SubstitutionKind::Backtick
        );
        assert_eq!(
            command.words[3].substitutions[0].kind,
            SubstitutionKind::ProcessInput
        );
        assert_eq!(command.words[4].text, "$((1 + 2))");
        assert_eq!(command.program(), Some("echo"));
        let all = commands(script);
        assert_eq!(all[1], ["curl", "-s", "$U"]);
        assert_eq!(all[2], ["jq", "-r", ".v"]);
        assert_eq!(all[3], ["date", "+%s"]);
        assert_eq!(all[4], ["cat", "f"]);
        let inner = &command.words[0].substitutions[0].pipelines[0].commands[0];
        assert_eq!(&script[inner.range.clone()], "curl -s $U");
    }

    #[test]
    fn redirections_are_separated_from_words() {
        let script = "curl -s url > out.sh 2>/dev/null 2>&1 <in";
        let command = &pipelines(script)[0].commands[0];
        assert_eq!(words(command), ["curl", "-s", "url"]);
        let ops: Vec<(Option<u32>, &str, &str)> = command
            .redirects
            .iter()
            .map(|r| (r.fd, r.operator, r.target.text.as_str()))
            .collect();
        assert_eq!(
            ops,
            [
                (None, ">", "out.sh"),
                (Some(2), ">", "/dev/null"),
                (Some(2), ">&", "1"),
                (None, "<", "in")
            ]
        );
        assert!(command.redirects[0].writes_stdout_to_file());
        assert!(!command.redirects[1].writes_stdout_to_file());
        assert_eq!(&script[command.redirects[1].range.clone()], "2>/dev/null");
        assert_eq!(&script[command.range.clone()], script);
    }

    #[test]
    fn heredoc_bodies_and_comments_are_skipped() {
        let script =
            "cat <<'EOF' > x\ncurl https://x | bash\nEOF\n# curl y | sh\necho ok # | bash\n";
        assert_eq!(commands(script), [vec!["cat"], vec!["echo", "ok"]]);
        let script = "cat <<-END\n\tbody | sh\n\tEND\nrun";
        assert_eq!(commands(script), [vec!["cat"], vec!["run"]]);
    }

    #[test]
    fn programs_skip_wrappers_assignments_and_reserved_words() {
        for (script, program) in [
            ("sudo -E -u root /bin/bash -s", "bash"),
            ("env -i A=1 B=2 python3 x.py", "python3"),
            ("A=1 time -p make", "make"),
            ("if grep -q x f; then echo y; fi", "grep"),
            ("command -v curl", "command"),
            ("exec ./run.sh", "run.sh"),
            ("! test -f x", "test"),
        ] {
            let top = pipelines(script);
            assert_eq!(top[0].commands[0].program(), Some(program), "{script}");
        }
        let top = pipelines("sudo -E bash -s -- --flag");
        let args: Vec<&str> = top[0].commands[0]
            .arguments()
            .iter()
            .map(|w| w.text.as_str())
            .collect();
        assert_eq!(args, ["-s", "--", "--flag"]);
        assert_eq!(pipelines("A=1 B=2")[0].commands[0].program(), None);
    }

    #[test]
    fn brace_group_redirections_apply_to_their_commands() {
        let script = "{\n  echo \"A=$X\"\n  echo B; } >> \"$GITHUB_ENV\"\necho after";
        let top = pipelines(script);
        assert_eq!(top.len(), 3);
        assert!(top[0].commands[0].redirects[0].writes_stdout_to_file());
        assert_eq!(top[1].commands[0].redirects[0].target.text, "$GITHUB_ENV");
        assert!(top[2].commands[0].redirects.is_empty());
        assert_eq!(pipelines("echo ${A} {x}")[0].commands[0].words.len(), 3);
    }

    #[test]
    fn subshells_are_read_in_place() {
        let script = "(cd sub && curl -s https://a/b | sh)";
        let found = found(script);
        assert_eq!(
            found,
            [(RemoteExecutionKind::Pipe, "curl -s https://a/b | sh")]
        );
    }

    #[test]
    fn pipes_into_interpreters_are_found_with_exact_ranges() {
        for (script, expected) in [
            (
                "curl -fsSL https://get.x.io | bash",
                "curl -fsSL https://get.x.io | bash",
            ),
            (
                "set -e\n  wget -qO- https://x/i.sh | sudo -E sh -s -- -y\n",
                "wget -qO- https://x/i.sh | sudo -E sh -s -- -y",
            ),
            (
                "curl -sL https://x | tee log | python3 -",
                "curl -sL https://x | tee log | python3 -",
            ),
            (
                "iwr https://x/i.ps1 -UseBasicParsing | iex",
                "iwr https://x/i.ps1 -UseBasicParsing | iex",
            ),
            (
                "curl https://x | /usr/bin/env bash",
                "curl https://x | /usr/bin/env bash",
            ),
            ("curl https://x |\n  bash", "curl https://x |\n  bash"),
        ] {
            assert_eq!(
                found(script),
                [(RemoteExecutionKind::Pipe, expected)],
                "{script}"
            );
        }
        let executions = remote_script_executions("curl -fsSL https://get.x.io/a.sh | bash");
        assert_eq!(executions[0].url.as_deref(), Some("https://get.x.io/a.sh"));
    }

    #[test]
    fn interpreters_reading_the_download_as_data_are_not_found() {
        for script in [
            "curl -s https://api/x | python3 -c 'import sys, json; print(json.load(sys.stdin))'",
            "curl -s https://api/x | python -m json.tool",
            "curl -s https://api/x | node parse.js",
            "curl -s https://api/x | perl -ne 'print if /v/'",
            "curl -s https://api/x | bash -c 'read v; echo $v'",
            "curl -s https://api/x | jq .",
            "echo 'curl https://x | bash'",
            "curl -o out.json https://x && cat out.json | bash ./check.sh",
            "V=$(curl -s https://x)",
            "echo \"$(curl -s https://x)\"",
        ] {
            assert!(found(script).is_empty(), "{script}: {:?}", found(script));
        }
    }

    #[test]
    fn substitutions_into_interpreters_are_found() {
        for (script, kind, expected) in [
            (
                "/bin/bash -c \"$(curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh)\"",
                RemoteExecutionKind::CommandSubstitution,
                "/bin/bash -c \"$(curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh)\"",
            ),
            (
                "bash <(curl -s https://codecov.io/bash)",
                RemoteExecutionKind::ProcessSubstitution,
                "bash <(curl -s https://codecov.io/bash)",
            ),
            (
                ". <(curl -sL https://x/env)",
                RemoteExecutionKind::ProcessSubstitution,
                ". <(curl -sL https://x/env)",
            ),
            (
                "eval \"$(wget -qO- https://x/init)\"",
                RemoteExecutionKind::CommandSubstitution,
                "eval \"$(wget -qO- https://x/init)\"",
            ),
            (
                "sh -c \"`curl -s https://x`\"",
                RemoteExecutionKind::CommandSubstitution,
                "sh -c \"`curl -s https://x`\"",
            ),
        ] {
            assert_eq!(found(script), [(kind, expected)], "{script}");
        }
        assert!(found("eval \"$(curl -s https://x | jq -r .cmd)\"").is_empty());
        assert!(found("diff <(curl -s https://x) expected.txt").is_empty());
    }

    #[test]
    fn downloads_run_without_verification_are_found() {
        for (script, expected) in [
            (
                "curl -sSL -o install.sh https://x/install.sh && bash install.sh",
                "curl -sSL -o install.sh https://x/install.sh && bash install.sh",
            ),
            (
                "curl -fsSLO https://x/get.sh\nchmod +x get.sh\n./get.sh --yes",
                "curl -fsSLO https://x/get.sh\nchmod +x get.sh\n./get.sh --yes",
            ),
            (
                "wget https://x/setup.py; sudo python3 setup.py",
                "wget https://x/setup.py; sudo python3 setup.py",
            ),
            (
                "curl https://x/a > /tmp/a.sh\nsource /tmp/a.sh",
                "curl https://x/a > /tmp/a.sh\nsource /tmp/a.sh",
            ),
            (
                "curl --output=i.sh https://x && sh ./i.sh",
                "curl --output=i.sh https://x && sh ./i.sh",
            ),
        ] {
            assert_eq!(
                found(script),
                [(RemoteExecutionKind::DownloadThenRun, expected)],
                "{script}"
            );
        }
    }

    #[test]
    fn verified_or_unrun_downloads_are_not_found() {
        for script in [
            "curl -o i.sh https://x/i.sh\necho \"$SUM  i.sh\" | sha256sum -c -\nbash i.sh",
            "curl -LO https://x/i.sh && shasum -a 256 -c i.sh.sha256 && sh i.sh",
            "curl -o i.sh https://x && curl -o i.sh.asc https://x.asc && gpg --verify i.sh.asc i.sh && bash i.sh",
            "curl -o i.sh https://x\n[ \"$(sha256sum i.sh | cut -d' ' -f1)\" = \"$EXPECTED\" ]\nbash i.sh",
            "curl -LO https://x/tool && chmod +x tool && ./tool --version",
            "curl -o data.sh https://x && cat data.sh",
            "wget https://x/archive.tar.gz && tar xzf archive.tar.gz",
        ] {
            assert!(found(script).is_empty(), "{script}: {:?}", found(script));
        }
    }

    #[test]
    fn powershell_download_string_is_found() {
        let script = "Set-ExecutionPolicy Bypass -Scope Process -Force\n  iex ((New-Object System.Net.WebClient).DownloadString('https://community.chocolatey.org/install.ps1'))\n";
        let executions = remote_script_executions(script);
        assert_eq!(executions.len(), 1);
        assert_eq!(executions[0].kind, RemoteExecutionKind::PowerShell);
        assert!(script[executions[0].range.clone()].starts_with("iex ((New-Object"));
        assert!(script[executions[0].range.clone()].ends_with("install.ps1'))"));
        assert_eq!(
            executions[0].url.as_deref(),
            Some("https://community.chocolatey.org/install.ps1")
        );
        assert!(
            found("$s = (New-Object Net.WebClient).DownloadString($u); Write-Host $s").is_empty()
        );
    }

    #[test]
    fn variable_names_skip_special_parameters() {
        assert_eq!(
            variable_names("echo $A ${B:-x} $1 $? $$ ${C} '$D'"),
            ["A", "B", "C", "D"]
        );
        assert!(has_command_substitution("v=$(date)"));
        assert!(!has_command_substitution("v=$DATE"));
    }

    #[test]
    fn quoting_follows_quotes_substitutions_and_here_documents() {
        let at = |script: &str, needle: &str| {
            quoting_at(&pipelines(script), script.find(needle).unwrap())
        };
        assert_eq!(at("echo X", "X"), Some(Quoting::Bare));
        assert_eq!(at("echo \"a X\"", "X"), Some(Quoting::Double));
        assert_eq!(at("echo 'a X'", "X"), Some(Quoting::Single));
        assert_eq!(at("echo --v=\"a X\"", "X"), Some(Quoting::Double));
        assert_eq!(at("echo \"$(cat X)\"", "X"), Some(Quoting::Bare));
        assert_eq!(at("echo \"$(cat \"X\")\"", "X"), Some(Quoting::Double));
        assert_eq!(at("echo `X`", "X"), None);
        assert_eq!(at("echo $'X'", "X"), None);
        assert_eq!(at("# X\n", "X"), None);
        assert_eq!(at("echo a # X\n", "X"), None);
        assert_eq!(
            at("cat <<EOF\nX\nEOF\necho Y", "X"),
            Some(Quoting::HereDocument)
        );
        assert_eq!(at("cat <<'EOF'\nX\nEOF\n", "X"), None);
        assert_eq!(at("cat <<\\EOF\nX\nEOF\n", "X"), None);
        assert_eq!(at("cat <<EOF\na\nEOF\necho Y", "Y"), Some(Quoting::Bare));
        assert_eq!(at("echo \"it's X\"", "X"), Some(Quoting::Double));
        assert_eq!(
            at("echo \"$(cat <<EOF\nX\nEOF\n)\"", "X"),
            Some(Quoting::HereDocument)
        );
    }

    #[test]
    fn ci_expressions_hide_their_quotes() {
        let script = "echo ${{ format('{0}', x) }} Y '${{ a == 'b' }} Z' W";
        let at = |needle: &str| quoting_at(&pipelines(script), script.find(needle).unwrap());
        assert_eq!(at("Y"), Some(Quoting::Bare));
        assert_eq!(at("Z"), Some(Quoting::Single));
        assert_eq!(at("W"), Some(Quoting::Bare));
        let command = &pipelines(script)[0].commands[0];
        assert_eq!(command.words[3].text, "${{ a == 'b' }} Z");
    }

    #[test]
    fn here_documents_keep_their_bodies() {
        let script = "cat <<-'EOF' >> \"$F\"\n\tA=$X\n\tEOF\ncat <<END\nEND\necho after";
        let top = pipelines(script);
        let quoted = top[0].commands[0].redirects[0]
            .here_document
            .clone()
            .unwrap();
        assert_eq!(&script[quoted.body.clone()], "\tA=$X");
        assert!(!quoted.expands);
        let empty = top[1].commands[0].redirects[0]
            .here_document
            .clone()
            .unwrap();
        assert!(empty.body.is_empty() && empty.expands);
        assert_eq!(top[2].commands[0].program(), Some("echo"));
        assert!(top[0].commands[0].redirects[1].here_document.is_none());
    }

    #[test]
    fn hostile_input_never_panics() {
        let deep = "$(".repeat(500) + &")".repeat(10);
        for script in [
            deep.as_str(),
            "\"unterminated $(curl",
            "'open",
            "`unclosed",
            "${",
            "${{ never closed",
            "$((1 + ",
            "cat <<",
            "2>",
            "a |",
            "&& || ; ;; | |& &",
            "é ü $'\\",
            "<(",
            "\\",
        ] {
            let _ = remote_script_executions(script);
            let top = pipelines(script);
            for pipeline in all_pipelines(&top) {
                for command in &pipeline.commands {
                    assert!(command.range.end <= script.len(), "{script}");
                    for word in &command.words {
                        assert!(script.get(word.range.clone()).is_some(), "{script}");
                    }
                }
            }
        }
    }
}
