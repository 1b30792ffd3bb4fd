//! GitHub Actions `${{ … }}` expressions: a parser that keeps byte spans, the
//! helpers audits need (context paths, value flow, constant folding), and a
//! table of which contexts an outsider controls.
//!
//! The language is the one described in GitHub's "Evaluate expressions in
//! workflows and actions" and implemented by its expression lexer and
//! parser: literals, context names with `.name`, `[index]`, `.*` and `[*]`
//! access, function calls, `!`, comparisons, `==`/`!=`, `&&` and `||`.
//! Function and context names are case-insensitive; names that GitHub would
//! reject (unknown contexts or functions) still parse, so callers decide.

mod constant;
mod embedded;
mod lexer;
mod parser;
mod taint;

use std::ops::Range;

pub use constant::Constant;
pub use embedded::{Embedded, embedded};
pub use taint::{Origin, classify};

/// A parsed expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Byte range in the parsed text. A parenthesised group's range takes in
    /// its parentheses.
    pub span: Range<usize>,
}

/// The kinds of expression node.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A number literal (`1`, `-2.5`, `0xff`, `1e3`, `NaN`, `Infinity`).
    Number(f64),
    /// A string literal, `''` escapes already resolved.
    String(String),
    /// A context root such as `github`, as written.
    Ident(String),
    /// `base.name`, the name as written.
    Property {
        /// The object accessed.
        base: Box<Expr>,
        /// The property name.
        name: String,
    },
    /// `base[index]`, as in `a['b']`, `a[0]` or `a[x]`.
    Index {
        /// The object accessed.
        base: Box<Expr>,
        /// The index expression.
        index: Box<Expr>,
    },
    /// `base.*` or `base[*]`: the object filter.
    Star {
        /// The object filtered.
        base: Box<Expr>,
    },
    /// A function call; the name is as written (names are case-insensitive,
    /// see [`Function::from_name`]).
    Call {
        /// The function name.
        name: String,
        /// The arguments, in order.
        args: Vec<Expr>,
    },
    /// `!operand`
    Not(Box<Expr>),
    /// `lhs op rhs`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        lhs: Box<Expr>,
        /// The right operand.
        rhs: Box<Expr>,
    },
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `&&`: the first falsy operand, else the last.
    And,
    /// `||`: the first truthy operand, else the last.
    Or,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Why an expression could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What went wrong.
    pub message: String,
    /// Byte offset in the parsed text where the problem starts.
    pub offset: usize,
}

/// Parses the text between `${{` and `}}`.
///
/// Nesting deeper than GitHub allows (50 levels of groups, indexes, call
/// arguments or `!`), or a tree taller than 256 levels, is an error, so
/// hostile input cannot exhaust the stack of this or any recursive helper.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    parser::parse(text)
}

/// The functions GitHub provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// `contains(search, item)`
    Contains,
    /// `startsWith(search, prefix)`
    StartsWith,
    /// `endsWith(search, suffix)`
    EndsWith,
    /// `format(template, values…)`
    Format,
    /// `join(array, separator)`
    Join,
    /// `toJSON(value)`
    ToJson,
    /// `fromJSON(text)`
    FromJson,
    /// `hashFiles(patterns…)`
    HashFiles,
    /// `success()`
    Success,
    /// `always()`
    Always,
    /// `cancelled()`
    Cancelled,
    /// `failure()`
    Failure,
    /// `case(predicate, value, …, default)`
    Case,
}

impl Function {
    /// The function called `name`, ignoring case; `None` for names GitHub
    /// does not define.
    pub fn from_name(name: &str) -> Option<Function> {
        const NAMES: [(&str, Function); 13] = [
            ("contains", Function::Contains),
            ("startswith", Function::StartsWith),
            ("endswith", Function::EndsWith),
            ("format", Function::Format),
            ("join", Function::Join),
            ("tojson", Function::ToJson),
            ("fromjson", Function::FromJson),
            ("hashfiles", Function::HashFiles),
            ("success", Function::Success),
            ("always", Function::Always),
            ("cancelled", Function::Cancelled),
            ("failure", Function::Failure),
            ("case", Function::Case),
        ];
        NAMES
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(_, function)| function)
    }
}

impl Expr {
    /// `github.event.pull_request.title` for a context reference chain made of
    /// [`ExprKind::Ident`], [`ExprKind::Property`], [`ExprKind::Index`] and
    /// [`ExprKind::Star`]; lower-cased. A string-literal index becomes a
    /// property; `.*`, `[*]` and any other index become `*`, so
    /// `github.event.commits[0].message` and `github.event.commits.*.message`
    /// both give `github.event.commits.*.message`. `None` for anything else,
    /// including access on a call result such as `fromJSON(x).a`.
    pub fn context_path(&self) -> Option<String> {
        let mut path = String::new();
        self.write_context_path(&mut path).then_some(path)
    }

    fn write_context_path(&self, path: &mut String) -> bool {
        match &self.kind {
            ExprKind::Ident(name) => {
                push_lowercase(path, name);
                true
            }
            ExprKind::Property { base, name } => {
                let chained = base.write_context_path(path);
                path.push('.');
                push_lowercase(path, name);
                chained
            }
            ExprKind::Index { base, index } => {
                let chained = base.write_context_path(path);
                path.push('.');
                match &index.kind {
                    ExprKind::String(key) => push_lowercase(path, key),
                    _ => path.push('*'),
                }
                chained
            }
            ExprKind::Star { base } => {
                let chained = base.write_context_path(path);
                path.push_str(".*");
                chained
            }
            _ => false,
        }
    }

    /// Whether this node is a context reference chain: a name followed by
    /// any number of property, index and `*` accesses.
    pub fn is_context_ref(&self) -> bool {
        let mut node = self;
        loop {
            match &node.kind {
                ExprKind::Ident(_) => return true,
                ExprKind::Property { base, .. }
                | ExprKind::Index { base, .. }
                | ExprKind::Star { base } => node = base,
                _ => return false,
            }
        }
    }

    /// The sub-expressions whose value can reach this expression's result
    /// (value flow, not control flow): context reference chains (the
    /// outermost node of each, such as the node for
    /// `github.event.issue.title`) and calls to functions GitHub does not
    /// define. Comparisons, `!`, `contains`, `startsWith`, `endsWith`,
    /// `hashFiles` and the status functions yield values of their own, so
    /// nothing flows through them; `&&` and `||` yield either side;
    /// `format`, `join`, `toJSON` and `fromJSON` yield their arguments (and
    /// access on their results flows from them too); `case` yields its value
    /// arguments, never its predicates.
    pub fn value_sources(&self) -> Vec<&Expr> {
        let mut sources = Vec::new();
        self.collect_value_sources(&mut sources);
        sources
    }

    fn collect_value_sources<'a>(&'a self, sources: &mut Vec<&'a Expr>) {
        match &self.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Not(_) => {}
            ExprKind::Ident(_) => sources.push(self),
            ExprKind::Property { base, .. }
            | ExprKind::Index { base, .. }
            | ExprKind::Star { base } => {
                if self.is_context_ref() {
                    sources.push(self);
                } else {
                    base.collect_value_sources(sources);
                }
            }
            ExprKind::Call { name, args } => match Function::from_name(name) {
                None => sources.push(self),
                Some(Function::Format | Function::Join | Function::ToJson | Function::FromJson) => {
                    for arg in args {
                        arg.collect_value_sources(sources);
                    }
                }
                Some(Function::Case) => {
                    // Arguments alternate predicate, value; an odd count ends
                    // with the default value.
                    let last = args.len().saturating_sub(1);
                    for (position, arg) in args.iter().enumerate() {
                        let is_default = position == last && args.len() % 2 == 1;
                        if position % 2 == 1 || is_default {
                            arg.collect_value_sources(sources);
                        }
                    }
                }
                Some(
                    Function::Contains
                    | Function::StartsWith
                    | Function::EndsWith
                    | Function::HashFiles
                    | Function::Success
                    | Function::Always
                    | Function::Cancelled
                    | Function::Failure,
                ) => {}
            },
            ExprKind::Binary { op, lhs, rhs } => {
                if matches!(op, BinaryOp::And | BinaryOp::Or) {
                    lhs.collect_value_sources(sources);
                    rhs.collect_value_sources(sources);
                }
            }
        }
    }

    /// Every context reference chain anywhere in the expression (the
    /// outermost node of each), including those used only as an index, such
    /// as `inputs.key` in `github.event[inputs.key]`. For conditions, where
    /// any reference matters, not just the ones whose value flows.
    pub fn context_refs(&self) -> Vec<&Expr> {
        let mut refs = Vec::new();
        self.collect_context_refs(&mut refs);
        refs
    }

    fn collect_context_refs<'a>(&'a self, refs: &mut Vec<&'a Expr>) {
        if self.is_context_ref() {
            refs.push(self);
            self.collect_index_refs(refs);
        } else {
            self.for_each_child(&mut |child| child.collect_context_refs(refs));
        }
    }

    fn collect_index_refs<'a>(&'a self, refs: &mut Vec<&'a Expr>) {
        match &self.kind {
            ExprKind::Property { base, .. } | ExprKind::Star { base } => {
                base.collect_index_refs(refs);
            }
            ExprKind::Index { base, index } => {
                base.collect_index_refs(refs);
                index.collect_context_refs(refs);
            }
            _ => {}
        }
    }

    /// Constant folding with GitHub's coercion rules: `Some(value)` when the
    /// result does not depend on any context or job status. `&&` and `||`
    /// fold when their left side decides them (`false && x` is `false`);
    /// `contains`, `startsWith` and `endsWith` fold on constant arguments.
    pub fn constant(&self) -> Option<Constant> {
        constant::fold(self)
    }

    /// Visits every node, parents before children, children left to right.
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        visit(self);
        self.for_each_child(&mut |child| child.walk(visit));
    }

    /// The direct children, left to right.
    fn for_each_child<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::String(_)
            | ExprKind::Ident(_) => {}
            ExprKind::Property { base, .. } | ExprKind::Star { base } => visit(base),
            ExprKind::Index { base, index } => {
                visit(base);
                visit(index);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(visit),
            ExprKind::Not(operand) => visit(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                visit(lhs);
                visit(rhs);
            }
        }
    }
}

fn push_lowercase(path: &mut String, text: &str) {
    path.extend(text.chars().flat_map(char::to_lowercase));
}

#[cfg(test)]
mod tests;
