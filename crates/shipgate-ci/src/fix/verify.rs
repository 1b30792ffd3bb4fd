//! Proof that a fix changed only what it said it would.
//!
//! The file before and after are compared as plain values: mappings as
//! ordered key → value lists, sequences, and scalars as their text, whether
//! they were written plain (so `on: yes` and `on: "yes"` differ) and their
//! tag. Spans, quoting style beyond that, comments and layout do not count,
//! since preserving those is the edit's business, not the meaning's.

use std::fmt;

use crate::yaml::{Document, Node, Style, Value, YamlIssue};

/// Why a fixed text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The result does not parse.
    #[error("the fixed file is not valid YAML ({0})")]
    Unparseable(String),
    /// The result has a different number of YAML documents.
    #[error("the fixed file has {after} YAML document(s) instead of {before}")]
    DocumentCount {
        /// Documents before.
        before: usize,
        /// Documents after.
        after: usize,
    },
    /// Something outside every touched path changed.
    #[error("`{0}` changed, but no fix may change it")]
    Untouched(String),
    /// The keys of a mapping changed order.
    #[error("the keys of `{0}` changed order")]
    Reordered(String),
    /// A touched path is the same before and after.
    #[error("`{0}` was to be fixed but did not change")]
    Unchanged(String),
    /// A touched path is not `key.key[3].key`.
    #[error("`{0}` is not a path of the form `key.key[3].key`")]
    BadPath(String),
    /// The result has a duplicate key the original did not have.
    #[error("the fixed file sets `{0}` twice")]
    DuplicateKey(String),
}

/// One step of a symbolic path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
    /// A key that is not a scalar; no path can name it.
    Opaque,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(key) => write!(f, ".{key}"),
            Segment::Index(index) => write!(f, "[{index}]"),
            Segment::Opaque => f.write_str(".<complex key>"),
        }
    }
}

fn render(path: &[Segment]) -> String {
    let text: String = path.iter().map(ToString::to_string).collect();
    match text.strip_prefix('.') {
        Some(rest) => rest.to_owned(),
        None if text.is_empty() => "<document>".to_owned(),
        None => text,
    }
}

/// Parses `key.key[3].key`; the empty string is the whole document.
fn parse_path(text: &str) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    if text.is_empty() {
        return Some(segments);
    }
    for part in text.split('.') {
        let (key, mut indices) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return None;
        }
        segments.push(Segment::Key(key.to_owned()));
        while !indices.is_empty() {
            let close = indices.find(']')?;
            let index = indices.get(1..close)?.parse().ok()?;
            segments.push(Segment::Index(index));
            indices = &indices[close + 1..];
            if !indices.is_empty() && !indices.starts_with('[') {
                return None;
            }
        }
    }
    Some(segments)
}

/// Where a path stands relative to the touched paths.
enum Reach {
    /// At or under a touched path: anything goes.
    Touched,
    /// Above a touched path: look inside.
    Ancestor,
    /// Nowhere near: must be identical.
    Untouched,
}

fn reach(path: &[Segment], touches: &[Vec<Segment>]) -> Reach {
    if touches.iter().any(|touch| path.starts_with(touch)) {
        Reach::Touched
    } else if touches.iter().any(|touch| touch.starts_with(path)) {
        Reach::Ancestor
    } else {
        Reach::Untouched
    }
}

/// Checks that `after` parses and differs from `before` only under the
/// `touches` paths (`key.key[3].key`, relative to the first document), and
/// that each of those paths did change. A touched path may be added,
/// changed or removed, and the mappings above it may be created (or filled
/// in where they were empty); everything else must be identical.
pub fn verify(before: &Document, after: &str, touches: &[String]) -> Result<(), VerifyError> {
    let touch_paths = touches
        .iter()
        .map(|text| parse_path(text).ok_or_else(|| VerifyError::BadPath(text.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let after = Document::parse(after).map_err(|err| VerifyError::Unparseable(err.message))?;
    let (old_docs, new_docs) = (before.documents(), after.documents());
    // An empty file has no document; a fix may give it one.
    let count_ok = old_docs.len() == new_docs.len() || (old_docs.is_empty() && new_docs.len() == 1);
    if !count_ok {
        return Err(VerifyError::DocumentCount {
            before: old_docs.len(),
            after: new_docs.len(),
        });
    }
    compare(
        old_docs.first(),
        new_docs.first(),
        &mut Vec::new(),
        &touch_paths,
    )?;
    for (old, new) in old_docs.iter().zip(new_docs).skip(1) {
        if !same(old, new) {
            return Err(VerifyError::Untouched("<a later YAML document>".to_owned()));
        }
    }
    for (text, path) in touches.iter().zip(&touch_paths) {
        let old = old_docs.first().and_then(|root| lookup(root, path));
        let new = new_docs.first().and_then(|root| lookup(root, path));
        let changed = match (old, new) {
            (None, None) => false,
            (Some(old), Some(new)) => !same(old, new),
            _ => true,
        };
        if !changed {
            return Err(VerifyError::Unchanged(text.clone()));
        }
    }
    new_duplicate_key(before, &after).map_or(Ok(()), |key| Err(VerifyError::DuplicateKey(key)))
}

/// A duplicate key `after` has beyond those `before` already had: a second
/// key hides the first from the comparison, so it is checked on its own.
fn new_duplicate_key(before: &Document, after: &Document) -> Option<String> {
    let keys = |doc: &Document| -> Vec<String> {
        let mut keys: Vec<String> = doc
            .issues()
            .iter()
            .map(|issue| match issue {
                YamlIssue::DuplicateKey { key, .. } => key.clone(),
            })
            .collect();
        keys.sort();
        keys
    };
    let mut old = keys(before);
    for key in keys(after) {
        match old.iter().position(|k| *k == key) {
            Some(at) => {
                old.remove(at);
            }
            None => return Some(key),
        }
    }
    None
}

fn compare(
    old: Option<&Node>,
    new: Option<&Node>,
    path: &mut Vec<Segment>,
    touches: &[Vec<Segment>],
) -> Result<(), VerifyError> {
    match reach(path, touches) {
        Reach::Touched => Ok(()),
        Reach::Untouched => match (old, new) {
            (None, None) => Ok(()),
            (Some(old), Some(new)) if same(old, new) => Ok(()),
            (Some(old), Some(new)) => {
                narrow(old, new, path);
                Err(VerifyError::Untouched(render(path)))
            }
            _ => Err(VerifyError::Untouched(render(path))),
        },
        Reach::Ancestor => compare_inside(old, new, path, touches),
    }
}

/// Extends `path` down to the first place where `old` and `new` differ,
/// so the refusal names the changed value rather than its whole job.
fn narrow(old: &Node, new: &Node, path: &mut Vec<Segment>) {
    if old.tag != new.tag {
        return;
    }
    match (&old.value, &new.value) {
        (Value::Map(old_entries), Value::Map(new_entries)) => {
            let keys_match = old_entries.len() == new_entries.len()
                && old_entries
                    .iter()
                    .zip(new_entries)
                    .all(|(a, b)| same(&a.key, &b.key));
            if !keys_match {
                return;
            }
            if let Some((a, b)) = old_entries
                .iter()
                .zip(new_entries)
                .find(|(a, b)| !same(&a.value, &b.value))
            {
                path.push(key_segment(&a.key));
                narrow(&a.value, &b.value, path);
            }
        }
        (Value::Seq(old_items), Value::Seq(new_items)) if old_items.len() == new_items.len() => {
            if let Some((index, (a, b))) = old_items
                .iter()
                .zip(new_items)
                .enumerate()
                .find(|(_, (a, b))| !same(a, b))
            {
                path.push(Segment::Index(index));
                narrow(a, b, path);
            }
        }
        _ => {}
    }
}

/// A container view of a node above a touched path, where an absent or
/// null node counts as an empty one so the fix may create it.
enum Shape<'n> {
    Empty,
    Map(&'n [crate::yaml::Entry], Option<&'n str>),
    Seq(&'n [Node], Option<&'n str>),
    Other,
}

fn shape(node: Option<&Node>) -> Shape<'_> {
    match node {
        None => Shape::Empty,
        Some(node) if node.tag.is_none() && node.is_null() => Shape::Empty,
        Some(node) => match &node.value {
            Value::Map(entries) => Shape::Map(entries, node.tag.as_deref()),
            Value::Seq(items) => Shape::Seq(items, node.tag.as_deref()),
            Value::Scalar(..) => Shape::Other,
        },
    }
}

fn compare_inside(
    old: Option<&Node>,
    new: Option<&Node>,
    path: &mut Vec<Segment>,
    touches: &[Vec<Segment>],
) -> Result<(), VerifyError> {
    match (shape(old), shape(new)) {
        (Shape::Empty, Shape::Empty) => Ok(()),
        (Shape::Map(old, old_tag), Shape::Map(new, new_tag)) if old_tag == new_tag => {
            compare_maps(old, new, path, touches)
        }
        (Shape::Map(old, _), Shape::Empty) => compare_maps(old, &[], path, touches),
        (Shape::Empty, Shape::Map(new, _)) => compare_maps(&[], new, path, touches),
        (Shape::Seq(old, old_tag), Shape::Seq(new, new_tag)) if old_tag == new_tag => {
            compare_seqs(old, new, path, touches)
        }
        (Shape::Seq(old, _), Shape::Empty) => compare_seqs(old, &[], path, touches),
        (Shape::Empty, Shape::Seq(new, _)) => compare_seqs(&[], new, path, touches),
        _ => match (old, new) {
            (Some(old), Some(new)) if same(old, new) => Ok(()),
            _ => Err(VerifyError::Untouched(render(path))),
        },
    }
}

fn key_segment(key: &Node) -> Segment {
    key.as_str()
        .map_or(Segment::Opaque, |text| Segment::Key(text.to_owned()))
}

fn compare_maps(
    old: &[crate::yaml::Entry],
    new: &[crate::yaml::Entry],
    path: &mut Vec<Segment>,
    touches: &[Vec<Segment>],
) -> Result<(), VerifyError> {
    for entry in old {
        let counterpart = new.iter().find(|e| same(&e.key, &entry.key));
        path.push(key_segment(&entry.key));
        compare(
            Some(&entry.value),
            counterpart.map(|e| &e.value),
            path,
            touches,
        )?;
        path.pop();
    }
    for entry in new {
        if !old.iter().any(|e| same(&e.key, &entry.key)) {
            path.push(key_segment(&entry.key));
            compare(None, Some(&entry.value), path, touches)?;
            path.pop();
        }
    }
    let common_old = old
        .iter()
        .filter(|o| new.iter().any(|n| same(&n.key, &o.key)));
    let common_new: Vec<&crate::yaml::Entry> = new
        .iter()
        .filter(|n| old.iter().any(|o| same(&n.key, &o.key)))
        .collect();
    if !common_old
        .zip(&common_new)
        .all(|(o, n)| same(&o.key, &n.key))
    {
        return Err(VerifyError::Reordered(render(path)));
    }
    Ok(())
}

fn compare_seqs(
    old: &[Node],
    new: &[Node],
    path: &mut Vec<Segment>,
    touches: &[Vec<Segment>],
) -> Result<(), VerifyError> {
    for index in 0..old.len().max(new.len()) {
        path.push(Segment::Index(index));
        compare(old.get(index), new.get(index), path, touches)?;
        path.pop();
    }
    Ok(())
}

/// The node at `path` under `root`.
fn lookup<'n>(root: &'n Node, path: &[Segment]) -> Option<&'n Node> {
    path.iter().try_fold(root, |node, segment| match segment {
        Segment::Key(key) => node.get(key),
        Segment::Index(index) => node.as_seq()?.get(*index),
        Segment::Opaque => None,
    })
}

/// Whether two nodes hold the same plain value.
fn same(a: &Node, b: &Node) -> bool {
    if a.tag != b.tag {
        return false;
    }
    match (&a.value, &b.value) {
        (Value::Scalar(a_text, a_style), Value::Scalar(b_text, b_style)) => {
            a_text == b_text && (*a_style == Style::Plain) == (*b_style == Style::Plain)
        }
        (Value::Seq(a_items), Value::Seq(b_items)) => {
            a_items.len() == b_items.len() && a_items.iter().zip(b_items).all(|(a, b)| same(a, b))
        }
        (Value::Map(a_entries), Value::Map(b_entries)) => {
            a_entries.len() == b_entries.len()
                && a_entries
                    .iter()
                    .zip(b_entries)
                    .all(|(a, b)| same(&a.key, &b.key) && same(&a.value, &b.value))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(before: &str, after: &str, touches: &[&str]) -> Result<(), VerifyError> {
        let before = Document::parse(before).expect("valid before");
        let touches: Vec<String> = touches.iter().map(|t| (*t).to_owned()).collect();
        verify(&before, after, &touches)
    }

    const WORKFLOW: &str = "\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make
";

    #[test]
    fn paths_parse_keys_with_dashes_and_indices() {
        assert_eq!(
            parse_path("jobs.build-x.steps[1].with"),
            Some(vec![
                Segment::Key("jobs".into()),
                Segment::Key("build-x".into()),
                Segment::Key("steps".into()),
                Segment::Index(1),
                Segment::Key("with".into()),
            ])
        );
        assert_eq!(parse_path("a[1][2]").map(|p| p.len()), Some(3));
        assert_eq!(parse_path(""), Some(vec![]));
        for bad in ["a..b", "a[x]", "a[1", "a[1]b", ".a", "[1]"] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_key_created_under_a_missing_parent_is_allowed() {
        let after = WORKFLOW.replace(
            "      - uses: actions/checkout@v4\n",
            "      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n",
        );
        assert_eq!(
            check(
                WORKFLOW,
                &after,
                &["jobs.build.steps[0].with.persist-credentials"]
            ),
            Ok(())
        );
    }

    #[test]
    fn a_change_outside_the_touched_paths_is_named() {
        let after = WORKFLOW
            .replace("make", "make all")
            .replace("on: push\n", "on: push\npermissions: {}\n");
        assert_eq!(
            check(WORKFLOW, &after, &["permissions"]),
            Err(VerifyError::Untouched("jobs.build.steps[1].run".into()))
        );
    }

    #[test]
    fn quoting_a_plain_scalar_is_a_change_but_restyling_a_quoted_one_is_not() {
        assert!(matches!(
            check("a: yes\n", "a: 'yes'\n", &[]),
            Err(VerifyError::Untouched(_))
        ));
        assert_eq!(check("a: 'x'\n", "a: \"x\"  # same\n", &[]), Ok(()));
    }

    #[test]
    fn touched_paths_must_change() {
        assert_eq!(
            check(WORKFLOW, WORKFLOW, &["permissions"]),
            Err(VerifyError::Unchanged("permissions".into()))
        );
    }

    #[test]
    fn reordering_untouched_keys_is_refused() {
        let after = "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\non: push\npermissions: {}\n";
        assert_eq!(
            check(WORKFLOW, after, &["permissions"]),
            Err(VerifyError::Reordered("<document>".into()))
        );
    }

    #[test]
    fn broken_results_duplicate_keys_and_bad_paths_are_refused() {
        assert!(matches!(
            check("a: 1\n", "a: [1\n", &["a"]),
            Err(VerifyError::Unparseable(_))
        ));
        assert_eq!(
            check("a: 1\nb: 2\n", "a: 1\nb: 3\nb: 2\n", &["b"]),
            Err(VerifyError::Unchanged("b".into()))
        );
        assert_eq!(
            check("a: 1\nb: 2\n", "b: 3\na: 1\nb: 4\n", &["b"]),
            Err(VerifyError::DuplicateKey("b".into()))
        );
        assert_eq!(
            check("a: 1\n", "a: 2\n", &["a..b"]),
            Err(VerifyError::BadPath("a..b".into()))
        );
        assert!(matches!(
            check("a: 1\n---\nb: 1\n", "a: 2\n", &["a"]),
            Err(VerifyError::DocumentCount { .. })
        ));
    }

    #[test]
    fn a_scalar_parent_cannot_be_turned_into_a_mapping_by_a_child_touch() {
        assert_eq!(
            check(
                "permissions: read-all\n",
                "permissions:\n  contents: read\n",
                &["permissions.contents"]
            ),
            Err(VerifyError::Untouched("permissions".into()))
        );
    }

    #[test]
    fn items_may_be_removed_or_appended_only_at_touched_indices() {
        assert_eq!(check("s: [a, b]\n", "s: [a, b, c]\n", &["s[2]"]), Ok(()));
        assert_eq!(
            check("s: [a, b]\n", "s: [b]\n", &["s[1]"]),
            Err(VerifyError::Untouched("s[0]".into()))
        );
    }

    #[test]
    fn an_anchor_edit_that_reaches_untouched_aliases_is_refused() {
        let before = "a: &x {k: 1}\nb: *x\n";
        let after = "a: &x {k: 2}\nb: *x\n";
        assert_eq!(
            check(before, after, &["a.k"]),
            Err(VerifyError::Untouched("b.k".into()))
        );
    }
}
