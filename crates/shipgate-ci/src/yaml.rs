//! A YAML tree that remembers where every key and value came from.
//!
//! Audits need two things typed models cannot give: the exact byte span of
//! each token, so a finding underlines `${{ github.head_ref }}` and not the
//! whole step, and tolerance of odd files, so one unexpected key never
//! hides the rest of a workflow. The tree is built from `granit-parser`
//! events; its default mode accepts the indentation slips PyYAML and the
//! CI platforms accept (a flow sequence closed at its key's column), which
//! real workflows rely on. Aliases are expanded (under a budget, so a billion-laughs file is
//! an error rather than an out-of-memory), merge keys (`<<`) are applied,
//! tags such as GitLab's `!reference` are kept, and duplicate keys are
//! recorded rather than silently resolved.

use std::collections::HashMap;
use std::ops::Range;

use granit_parser::{Event, Marker, Parser, ScalarStyle, StructureStyle};

/// Nodes an alias may add by expansion, over all aliases of one file. Real
/// GitLab files with heavy anchor use stay in the low thousands.
const ALIAS_EXPANSION_BUDGET: usize = 200_000;

/// Deepest nesting accepted; deeper input is hostile, and recursive
/// traversals (and `Drop`) must stay well inside the stack.
const MAX_DEPTH: usize = 200;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar, as written (no type resolution beyond the helpers on [`Node`]).
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, merge keys applied.
    Map(Vec<Entry>),
}

/// A key and its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key node.
    pub key: Node,
    /// The value node.
    pub value: Node,
}

/// A value with its place in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte range of the value in the source. For nodes that came through an
    /// alias this is where the anchored value is defined.
    pub span: Range<usize>,
    /// The tag, such as `!reference`, when one was written.
    pub tag: Option<String>,
    /// Byte range of the `*alias` that produced this node, if any.
    pub alias: Option<Range<usize>>,
}

/// Why a file could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong.
    pub message: String,
    /// Byte offset the problem was detected at.
    pub offset: usize,
}

/// Something suspicious but loadable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlIssue {
    /// A mapping has the same key twice; the last one wins.
    DuplicateKey {
        /// The key text.
        key: String,
        /// Span of the earlier, overridden key.
        first: Range<usize>,
        /// Span of the later key.
        second: Range<usize>,
    },
}

/// A loaded YAML file.
#[derive(Clone, Debug)]
pub struct Document {
    source: String,
    documents: Vec<Node>,
    issues: Vec<YamlIssue>,
}

impl Document {
    /// Parses `source`. Every YAML document in the stream is kept.
    pub fn parse(source: &str) -> Result<Document, YamlError> {
        let builder = Builder::new(source);
        let (documents, issues) = builder.run()?;
        Ok(Document {
            source: source.to_owned(),
            documents,
            issues,
        })
    }

    /// The text the document was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first document's root, if the stream has one.
    pub fn root(&self) -> Option<&Node> {
        self.documents.first()
    }

    /// Every document in the stream.
    pub fn documents(&self) -> &[Node] {
        &self.documents
    }

    /// Suspicious constructs found while loading.
    pub fn issues(&self) -> &[YamlIssue] {
        &self.issues
    }

    /// The source text of `span`.
    pub fn text(&self, span: &Range<usize>) -> &str {
        self.source.get(span.clone()).unwrap_or("")
    }

    /// Exact span of `needle` inside `node`'s source text, for pointing at
    /// one expression in a long `run:` block. Falls back to the node's span
    /// when the value was rewritten by escapes or folding.
    pub fn locate(&self, node: &Node, needle: &str) -> Range<usize> {
        self.locate_nth(node, needle, 0)
    }

    /// Like [`Document::locate`], for the `nth` (0-based) occurrence.
    pub fn locate_nth(&self, node: &Node, needle: &str, nth: usize) -> Range<usize> {
        let text = self.text(&node.span);
        if !needle.is_empty() {
            let mut from = 0;
            let mut seen = 0;
            while let Some(found) = text.get(from..).and_then(|rest| rest.find(needle)) {
                let start = from + found;
                if seen == nth {
                    let start = node.span.start + start;
                    return start..start + needle.len();
                }
                seen += 1;
                from = start + needle.len();
            }
        }
        node.span.clone()
    }

    /// Source span of `range`, a byte range of `node`'s scalar value (such
    /// as a command found in a `run:` script). Block scalars only lose
    /// their indentation, so the first and last lines of the range are
    /// found in the source and joined; falls back to the node's span when
    /// escapes or folding rewrote the text.
    pub fn locate_value_range(&self, node: &Node, range: Range<usize>) -> Range<usize> {
        let Some(value) = node.as_str() else {
            return node.span.clone();
        };
        let Some(part) = value.get(range.clone()).filter(|p| !p.trim().is_empty()) else {
            return node.span.clone();
        };
        let first = part.split('\n').next().unwrap_or(part);
        let last_start = range.start + part.rfind('\n').map_or(0, |at| at + 1);
        let last = &value[last_start..range.end];
        let find = |needle: &str, at: usize| -> Option<Range<usize>> {
            let nth = value
                .match_indices(needle)
                .take_while(|(i, _)| *i < at)
                .count();
            let found = self.locate_nth(node, needle, nth.checked_sub(1)?);
            (!needle.is_empty() && self.text(&found) == needle).then_some(found)
        };
        match (find(first, range.start + 1), find(last, last_start + 1)) {
            (Some(start), Some(end)) if start.start <= end.end => start.start..end.end,
            _ => node.span.clone(),
        }
    }
}

impl Node {
    /// The scalar text, for scalars.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(text, _) => Some(text),
            _ => None,
        }
    }

    /// The entries, for mappings.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items, for sequences.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a mapping, or nothing for any other node.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.as_map().unwrap_or_default().iter()
    }

    /// The items of a sequence, or nothing for any other node.
    pub fn items(&self) -> impl Iterator<Item = &Node> {
        self.as_seq().unwrap_or_default().iter()
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// The entry for `key` in a mapping, with the key's own span.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().find(|entry| entry.key.as_str() == Some(key))
    }

    /// Whether this is a null scalar (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(text, Style::Plain)
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The boolean value of a plain `true`/`false` scalar.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(text, Style::Plain) => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether this node is a scalar written without quotes.
    pub fn is_plain(&self) -> bool {
        matches!(&self.value, Value::Scalar(_, Style::Plain))
    }

    /// Every scalar under this node (itself included), depth first.
    pub fn scalars(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match &node.value {
                Value::Scalar(..) => out.push(node),
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(entries) => {
                    for entry in entries.iter().rev() {
                        stack.push(&entry.value);
                        stack.push(&entry.key);
                    }
                }
            }
        }
        out
    }
}

/// Converts parser markers to byte offsets: the byte offset when the parser
/// has one, else from the 1-based line and 0-based character column.
struct Offsets<'s> {
    source: &'s str,
    ascii: bool,
    line_starts: Vec<usize>,
}

impl<'s> Offsets<'s> {
    fn new(source: &'s str) -> Self {
        let ascii = source.is_ascii();
        let line_starts = if ascii {
            Vec::new()
        } else {
            std::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        };
        Offsets {
            source,
            ascii,
            line_starts,
        }
    }

    fn byte(&self, marker: &Marker) -> usize {
        if let Some(byte) = marker.byte_offset() {
            return byte.min(self.source.len());
        }
        if self.ascii {
            return marker.index().min(self.source.len());
        }
        let Some(&line_start) = self.line_starts.get(marker.line().saturating_sub(1)) else {
            return self.source.len();
        };
        let line = &self.source[line_start..];
        let within = line
            .char_indices()
            .nth(marker.col())
            .map_or(line.len(), |(i, _)| i);
        line_start + within
    }
}

/// A container being filled.
enum Open {
    Seq {
        anchor: usize,
        tag: Option<String>,
        start: usize,
        flow: bool,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        tag: Option<String>,
        start: usize,
        flow: bool,
        entries: Vec<Entry>,
        pending_key: Option<Node>,
        merges: Vec<Node>,
    },
}

struct Builder<'s> {
    source: &'s str,
    offsets: Offsets<'s>,
    anchors: HashMap<usize, (Node, usize)>,
    expanded: usize,
    issues: Vec<YamlIssue>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s str) -> Self {
        Builder {
            source,
            offsets: Offsets::new(source),
            anchors: HashMap::new(),
            expanded: 0,
            issues: Vec::new(),
        }
    }

    fn run(mut self) -> Result<(Vec<Node>, Vec<YamlIssue>), YamlError> {
        let mut parser = Parser::new_from_str(self.source).keep_tags(true);
        let mut documents = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        while let Some(event) = parser.next_event() {
            let (event, span) = event.map_err(|err| YamlError {
                message: err.info(),
                offset: self.offsets.byte(err.marker()),
            })?;
            let start = self.offsets.byte(&span.start);
            let end = self.offsets.byte(&span.end);
            let completed = match event {
                Event::Scalar(text, style, anchor, tag) => {
                    let node = Node {
                        value: Value::Scalar(text.into_owned(), convert_style(style)),
                        span: self.trimmed(start, end),
                        tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix())),
                        alias: None,
                    };
                    self.remember(anchor, &node, 1);
                    Some(node)
                }
                Event::Alias(id) => {
                    let Some((target, size)) = self.anchors.get(&id) else {
                        return Err(YamlError {
                            message: "alias refers to an unknown anchor".to_owned(),
                            offset: start,
                        });
                    };
                    self.expanded += size;
                    if self.expanded > ALIAS_EXPANSION_BUDGET {
                        return Err(YamlError {
                            message: format!(
                                "aliases expand to more than {ALIAS_EXPANSION_BUDGET} nodes \
                                 (an alias bomb?)"
                            ),
                            offset: start,
                        });
                    }
                    let mut node = target.clone();
                    node.alias = Some(start..end);
                    Some(node)
                }
                Event::SequenceStart(style, anchor, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(too_deep(start));
                    }
                    stack.push(Open::Seq {
                        anchor,
                        tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix())),
                        start,
                        flow: style == StructureStyle::Flow,
                        items: Vec::new(),
                    });
                    None
                }
                Event::MappingStart(style, anchor, tag) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(too_deep(start));
                    }
                    stack.push(Open::Map {
                        anchor,
                        tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix())),
                        start,
                        flow: style == StructureStyle::Flow,
                        entries: Vec::new(),
                        pending_key: None,
                        merges: Vec::new(),
                    });
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = stack.pop() else {
                        return Err(YamlError {
                            message: "unbalanced collection end".to_owned(),
                            offset: start,
                        });
                    };
                    Some(self.close(open, end))
                }
                Event::UnresolvedAlias(name) => {
                    return Err(YamlError {
                        message: format!("alias `*{name}` refers to an unknown anchor"),
                        offset: start,
                    });
                }
                _ => None,
            };
            if let Some(node) = completed {
                match stack.last_mut() {
                    None => documents.push(node),
                    Some(Open::Seq { items, .. }) => items.push(node),
                    Some(Open::Map {
                        entries,
                        pending_key,
                        merges,
                        ..
                    }) => match pending_key.take() {
                        None => *pending_key = Some(node),
                        Some(key) => {
                            if key.as_str() == Some("<<") && key.is_plain() {
                                merges.push(node);
                            } else {
                                if let Some(text) = key.as_str()
                                    && let Some(earlier) =
                                        entries.iter().position(|e| e.key.as_str() == Some(text))
                                {
                                    let first = entries.remove(earlier);
                                    self.issues.push(YamlIssue::DuplicateKey {
                                        key: text.to_owned(),
                                        first: first.key.span,
                                        second: key.span.clone(),
                                    });
                                }
                                entries.push(Entry { key, value: node });
                            }
                        }
                    },
                }
            }
        }
        Ok((documents, self.issues))
    }

    /// Shrinks a scalar's span to its text: block scalars end after the
    /// following line's indentation otherwise.
    fn trimmed(&self, start: usize, end: usize) -> Range<usize> {
        let end = end.min(self.source.len()).max(start);
        let text = &self.source[start..end];
        start..start + text.trim_end().len()
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
    }

    fn close(&mut self, open: Open, end: usize) -> Node {
        match open {
            Open::Seq {
                anchor,
                tag,
                start,
                flow,
                items,
            } => {
                let end = if flow {
                    end
                } else {
                    items.last().map_or(start, |last| last.span.end)
                };
                let size = 1 + items.iter().map(node_count).sum::<usize>();
                let node = Node {
                    value: Value::Seq(items),
                    span: start..end.max(start),
                    tag,
                    alias: None,
                };
                self.remember(anchor, &node, size);
                node
            }
            Open::Map {
                anchor,
                tag,
                start,
                flow,
                mut entries,
                pending_key,
                merges,
            } => {
                // A key with no value event cannot happen in well-formed
                // input, but keep it rather than lose it.
                if let Some(key) = pending_key {
                    let at = key.span.end;
                    entries.push(Entry {
                        key,
                        value: Node {
                            value: Value::Scalar(String::new(), Style::Plain),
                            span: at..at,
                            tag: None,
                            alias: None,
                        },
                    });
                }
                let end = if flow {
                    end
                } else {
                    entries.last().map_or(start, |last| last.value.span.end)
                };
                for merged in merges {
                    let sources: Vec<&Node> = match &merged.value {
                        Value::Seq(items) => items.iter().collect(),
                        _ => vec![&merged],
                    };
                    for source in sources {
                        for entry in source.entries() {
                            let present = entries.iter().any(|e| e.key.value == entry.key.value);
                            if !present {
                                entries.push(entry.clone());
                            }
                        }
                    }
                }
                let size = 1 + entries
                    .iter()
                    .map(|e| node_count(&e.key) + node_count(&e.value))
                    .sum::<usize>();
                let node = Node {
                    value: Value::Map(entries),
                    span: start..end.max(start),
                    tag,
                    alias: None,
                };
                self.remember(anchor, &node, size);
                node
            }
        }
    }
}

fn too_deep(offset: usize) -> YamlError {
    YamlError {
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
        offset,
    }
}

fn node_count(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        count += 1;
        match &node.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                for entry in entries {
                    stack.push(&entry.key);
                    stack.push(&entry.value);
                }
            }
        }
    }
    count
}

fn convert_style(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> Document {
        Document::parse(source).expect("valid YAML")
    }

    #[test]
    fn keys_and_values_keep_exact_byte_spans() {
        let doc = parse("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n");
        let root = doc.root().expect("root");
        let runs_on = root
            .get("jobs")
            .and_then(|j| j.get("build"))
            .and_then(|b| b.entry("runs-on"))
            .expect("runs-on");
        assert_eq!(doc.text(&runs_on.key.span), "runs-on");
        assert_eq!(doc.text(&runs_on.value.span), "ubuntu-latest");
    }

    #[test]
    fn block_scalars_end_at_their_text_and_locate_finds_substrings() {
        let src = "run: |\n  echo \"${{ github.head_ref }}\"\n  ls\nnext: 1\n";
        let doc = parse(src);
        let run = doc.root().and_then(|r| r.get("run")).expect("run");
        assert!(doc.text(&run.span).ends_with("ls"));
        let span = doc.locate(run, "${{ github.head_ref }}");
        assert_eq!(&src[span], "${{ github.head_ref }}");
    }

    #[test]
    fn value_ranges_map_back_to_block_scalar_source() {
        let src = "run: |\n  echo a\n  curl -s x \\\n    | bash\n  echo a\nplain: echo a\n";
        let doc = parse(src);
        let run = doc.root().and_then(|r| r.get("run")).expect("run");
        let value = run.as_str().expect("scalar");
        let start = value.find("curl").expect("curl");
        let end = value.find("bash").expect("bash") + 4;
        let span = doc.locate_value_range(run, start..end);
        assert_eq!(&src[span], "curl -s x \\\n    | bash");
        let second = value.rfind("echo a").expect("echo");
        let span = doc.locate_value_range(run, second..second + 6);
        assert_eq!(span.start, src.rfind("  echo a").expect("line") + 2);
        let plain = doc.root().and_then(|r| r.get("plain")).expect("plain");
        assert_eq!(&src[doc.locate_value_range(plain, 0..6)], "echo a");
        assert_eq!(doc.locate_value_range(plain, 0..99), plain.span);
    }

    #[test]
    fn non_ascii_text_maps_characters_to_bytes() {
        let doc = parse("name: héllo wörld\nx: ok\n");
        let x = doc.root().and_then(|r| r.get("x")).expect("x");
        assert_eq!(doc.text(&x.span), "ok");
        let name = doc.root().and_then(|r| r.get("name")).expect("name");
        assert_eq!(doc.text(&name.span), "héllo wörld");
    }

    #[test]
    fn aliases_expand_and_remember_their_use_site() {
        let src = "a: &x {k: v}\nb: *x\n";
        let doc = parse(src);
        let b = doc.root().and_then(|r| r.get("b")).expect("b");
        assert_eq!(b.get("k").and_then(Node::as_str), Some("v"));
        assert_eq!(&src[b.alias.clone().expect("alias")], "*x");
    }

    #[test]
    fn merge_keys_fill_missing_entries_only() {
        let doc = parse(".d: &d\n  image: alpine\n  stage: test\njob:\n  <<: *d\n  stage: build\n");
        let job = doc.root().and_then(|r| r.get("job")).expect("job");
        assert_eq!(job.get("stage").and_then(Node::as_str), Some("build"));
        assert_eq!(job.get("image").and_then(Node::as_str), Some("alpine"));
        assert!(job.get("<<").is_none());
    }

    #[test]
    fn tags_are_kept() {
        let doc = parse("script: !reference [.setup, script]\n");
        let script = doc.root().and_then(|r| r.get("script")).expect("script");
        assert_eq!(script.tag.as_deref(), Some("!reference"));
        assert_eq!(script.as_seq().map(<[Node]>::len), Some(2));
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_last_wins() {
        let doc = parse("a: 1\na: 2\n");
        assert_eq!(
            doc.root().and_then(|r| r.get("a")).and_then(Node::as_str),
            Some("2")
        );
        assert!(matches!(&doc.issues()[0], YamlIssue::DuplicateKey { key, .. } if key == "a"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = level - 1;
            let refs = vec![format!("*a{prev}"); 10].join(", ");
            src.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        let err = Document::parse(&src).expect_err("bomb");
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let src = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let err = Document::parse(&src).expect_err("too deep");
        assert!(
            err.message.contains("nesting") || err.message.contains("recursion"),
            "{}",
            err.message
        );
    }

    #[test]
    fn syntax_errors_carry_an_offset() {
        let err = Document::parse("a: [1, 2\nb: c\n").expect_err("unclosed");
        assert!(err.offset > 0);
        let tabs = Document::parse("a:\n\t- b\n");
        assert!(tabs.is_err());
    }
}
