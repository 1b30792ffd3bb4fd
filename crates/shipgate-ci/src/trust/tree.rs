//! One small value tree for policy documents, whether they were written as
//! Terraform expressions or as JSON, so the IAM statement reader exists once.

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};

use crate::yaml::{Document, Node, Value};

/// A policy value with its place in the file.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    pub(crate) kind: Kind,
    pub(crate) span: Range<usize>,
}

/// What a [`Val`] holds.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    /// A string (Terraform interpolations kept as written).
    Str(String),
    /// A list.
    List(Vec<Val>),
    /// An object: key, key span, value.
    Map(Vec<(String, Range<usize>, Val)>),
    /// Anything computed: a reference, a function call; its source text.
    Expr(String),
}

impl Val {
    /// The text of a string or expression.
    pub(crate) fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) | Kind::Expr(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key`, compared case-insensitively as IAM does.
    pub(crate) fn get(&self, key: &str) -> Option<&Val> {
        self.entry(key).map(|(_, value)| value)
    }

    /// The key span and value under `key`.
    pub(crate) fn entry(&self, key: &str) -> Option<(&Range<usize>, &Val)> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, span, value)| (span, value)),
            _ => None,
        }
    }

    /// The object's entries, empty for anything else.
    pub(crate) fn entries(&self) -> &[(String, Range<usize>, Val)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// A list's items, or the value itself (IAM accepts a single value
    /// wherever it accepts a list).
    pub(crate) fn items(&self) -> Vec<&Val> {
        match &self.kind {
            Kind::List(items) => items.iter().collect(),
            _ => vec![self],
        }
    }
}

/// The tree of a Terraform expression; `jsonencode(x)` is read as `x`.
pub(crate) fn from_hcl(expr: &Expression, source: &str, fallback: &Range<usize>) -> Val {
    let span = expr.span().unwrap_or_else(|| fallback.clone());
    let kind = match expr {
        Expression::String(s) => Kind::Str(s.value().clone()),
        Expression::Array(array) => {
            Kind::List(array.iter().map(|e| from_hcl(e, source, &span)).collect())
        }
        Expression::Object(object) => Kind::Map(
            object
                .iter()
                .map(|(key, value)| {
                    let key_span = key.span().unwrap_or_else(|| span.clone());
                    let name = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                        ObjectKey::Expression(other) => {
                            source_text(source, other.span(), &key_span)
                        }
                    };
                    (name, key_span, from_hcl(value.expr(), source, &span))
                })
                .collect(),
        ),
        Expression::Parenthesis(inner) => return from_hcl(inner.inner(), source, &span),
        Expression::FuncCall(call)
            if call.name.name.as_str() == "jsonencode" && call.args.len() == 1 =>
        {
            if let Some(arg) = call.args.iter().next() {
                return from_hcl(arg, source, &span);
            }
            Kind::Expr(source_text(source, Some(span.clone()), &span))
        }
        Expression::StringTemplate(_) => {
            let text = source_text(source, Some(span.clone()), &span);
            Kind::Str(text.trim_matches('"').to_owned())
        }
        _ => Kind::Expr(source_text(source, Some(span.clone()), &span)),
    };
    Val { kind, span }
}

fn source_text(source: &str, span: Option<Range<usize>>, fallback: &Range<usize>) -> String {
    let span = span.unwrap_or_else(|| fallback.clone());
    source.get(span).unwrap_or_default().to_owned()
}

/// Where the JSON text sits in its file.
#[derive(Clone, Debug)]
pub(crate) enum Placement {
    /// Verbatim at this offset (a JSON file, a heredoc).
    At(usize),
    /// Escaped inside a quoted string; every value points at the string.
    Within(Range<usize>),
}

/// The tree of a JSON document, or `None` when it is not valid.
pub(crate) fn from_json(text: &str, placement: &Placement) -> Option<Val> {
    let doc = Document::parse(text).ok()?;
    let root = doc.root()?;
    Some(from_node(root, placement))
}

fn from_node(node: &Node, placement: &Placement) -> Val {
    let place = |span: &Range<usize>| match placement {
        Placement::At(offset) => span.start + offset..span.end + offset,
        Placement::Within(whole) => whole.clone(),
    };
    let kind = match &node.value {
        Value::Scalar(text, _) => Kind::Str(text.clone()),
        Value::Seq(items) => Kind::List(items.iter().map(|i| from_node(i, placement)).collect()),
        Value::Map(entries) => Kind::Map(
            entries
                .iter()
                .map(|e| {
                    (
                        e.key.as_str().unwrap_or_default().to_owned(),
                        place(&e.key.span),
                        from_node(&e.value, placement),
                    )
                })
                .collect(),
        ),
    };
    Val {
        kind,
        span: place(&node.span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_spans_are_placed_in_the_file() {
        let json = r#"{"Statement": [{"Effect": "Allow"}]}"#;
        let val = from_json(json, &Placement::At(100)).expect("valid");
        let statement = val.get("statement").expect("case-insensitive key");
        let effect = statement.items()[0].get("Effect").expect("effect");
        assert_eq!(effect.text(), Some("Allow"));
        assert_eq!(effect.span, 100 + 26..100 + 33);
        let within = from_json(json, &Placement::Within(5..9)).expect("valid");
        assert_eq!(within.span, 5..9);
    }

    #[test]
    fn jsonencode_objects_read_like_json() {
        let source = "x = jsonencode({ Statement = [{ \"k:sub\" = \"v\", P = aws.x.arn }] })\n";
        let body = hcl_edit::parser::parse_body(source).expect("valid");
        let attr = body.get_attribute("x").expect("attribute");
        let val = from_hcl(&attr.value, source, &(0..0));
        let statement = &val.get("Statement").expect("statement").items()[0];
        let sub = statement.get("k:sub").expect("quoted key");
        assert_eq!(sub.text(), Some("v"));
        assert_eq!(&source[sub.span.clone()], "\"v\"");
        assert_eq!(statement.get("P").and_then(Val::text), Some("aws.x.arn"));
    }
}
