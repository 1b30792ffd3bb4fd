//! Constant folding with the coercion rules GitHub documents for
//! expressions: loose equality that converts mismatched types to numbers,
//! case-insensitive string comparison, and `&&`/`||` yielding operands.

use std::cmp::Ordering;

use super::lexer::parse_number;
use super::{BinaryOp, Expr, ExprKind, Function};

/// A value known without running the workflow.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// `null`
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
}

impl Constant {
    /// GitHub's truthiness: `false`, `0`, `-0`, `NaN`, `''` and `null` are
    /// falsy, everything else truthy.
    pub fn truthy(&self) -> bool {
        match self {
            Constant::Null => false,
            Constant::Bool(value) => *value,
            Constant::Number(value) => *value != 0.0 && !value.is_nan(),
            Constant::String(value) => !value.is_empty(),
        }
    }

    /// The number a value converts to when types differ: `null` is 0,
    /// booleans 1 and 0, strings parse as numbers (empty is 0) or are `NaN`.
    pub fn to_number(&self) -> f64 {
        match self {
            Constant::Null => 0.0,
            Constant::Bool(value) => f64::from(u8::from(*value)),
            Constant::Number(value) => *value,
            Constant::String(text) => parse_number(text).unwrap_or(f64::NAN),
        }
    }

    /// The string a value converts to where functions expect text: `null` is
    /// empty, whole numbers have no fraction, and `NaN` and `Infinity` are
    /// spelled as GitHub spells them.
    pub fn to_text(&self) -> String {
        match self {
            Constant::Null => String::new(),
            Constant::Bool(value) => value.to_string(),
            Constant::Number(value) if value.is_nan() => "NaN".to_owned(),
            Constant::Number(value) if value.is_infinite() => if *value > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            }
            .to_owned(),
            // `-0` prints as `0`, as in JavaScript.
            Constant::Number(value) if *value == 0.0 => "0".to_owned(),
            Constant::Number(value) => value.to_string(),
            Constant::String(text) => text.clone(),
        }
    }

    /// `==`: strings compare ignoring case; any other pair compares as
    /// numbers, so `1 == '1'` and `true == 1` hold, and `NaN` equals nothing.
    pub fn loose_eq(&self, other: &Constant) -> bool {
        match (self, other) {
            (Constant::String(left), Constant::String(right)) => {
                compare_ignoring_case(left, right) == Ordering::Equal
            }
            _ => self.to_number() == other.to_number(),
        }
    }

    /// Order for `<`, `<=`, `>`, `>=`: strings ignoring case, anything else
    /// as numbers; `None` when a `NaN` makes every comparison false.
    pub fn loose_cmp(&self, other: &Constant) -> Option<Ordering> {
        match (self, other) {
            (Constant::String(left), Constant::String(right)) => {
                Some(compare_ignoring_case(left, right))
            }
            _ => self.to_number().partial_cmp(&other.to_number()),
        }
    }
}

fn compare_ignoring_case(left: &str, right: &str) -> Ordering {
    left.chars()
        .flat_map(char::to_uppercase)
        .cmp(right.chars().flat_map(char::to_uppercase))
}

pub(super) fn fold(expr: &Expr) -> Option<Constant> {
    match &expr.kind {
        ExprKind::Null => Some(Constant::Null),
        ExprKind::Bool(value) => Some(Constant::Bool(*value)),
        ExprKind::Number(value) => Some(Constant::Number(*value)),
        ExprKind::String(value) => Some(Constant::String(value.clone())),
        ExprKind::Ident(_)
        | ExprKind::Property { .. }
        | ExprKind::Index { .. }
        | ExprKind::Star { .. } => None,
        ExprKind::Not(operand) => fold(operand).map(|value| Constant::Bool(!value.truthy())),
        ExprKind::Binary { op, lhs, rhs } => {
            let left = fold(lhs)?;
            match op {
                BinaryOp::And if !left.truthy() => Some(left),
                BinaryOp::Or if left.truthy() => Some(left),
                BinaryOp::And | BinaryOp::Or => fold(rhs),
                BinaryOp::Eq => Some(Constant::Bool(left.loose_eq(&fold(rhs)?))),
                BinaryOp::Ne => Some(Constant::Bool(!left.loose_eq(&fold(rhs)?))),
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                    let order = left.loose_cmp(&fold(rhs)?);
                    let holds = order.is_some_and(|order| match op {
                        BinaryOp::Lt => order.is_lt(),
                        BinaryOp::Le => order.is_le(),
                        BinaryOp::Gt => order.is_gt(),
                        _ => order.is_ge(),
                    });
                    Some(Constant::Bool(holds))
                }
            }
        }
        ExprKind::Call { name, args } => fold_call(Function::from_name(name)?, args),
    }
}

/// The string tests fold when both arguments are constant; the rest depend
/// on job status, files, or values this folder does not model (arrays,
/// objects, JSON).
fn fold_call(function: Function, args: &[Expr]) -> Option<Constant> {
    let [search, item] = args else {
        return None;
    };
    let test: fn(&str, &str) -> bool = match function {
        Function::Contains => |search, item| search.contains(item),
        Function::StartsWith => |search, item| search.starts_with(item),
        Function::EndsWith => |search, item| search.ends_with(item),
        _ => return None,
    };
    let search = fold(search)?.to_text().to_uppercase();
    let item = fold(item)?.to_text().to_uppercase();
    Some(Constant::Bool(test(&search, &item)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;

    fn folded(text: &str) -> Option<Constant> {
        parse(text).unwrap().constant()
    }

    fn string(text: &str) -> Option<Constant> {
        Some(Constant::String(text.to_owned()))
    }

    const TRUE: Option<Constant> = Some(Constant::Bool(true));
    const FALSE: Option<Constant> = Some(Constant::Bool(false));

    #[test]
    fn or_and_yield_operands() {
        assert_eq!(folded("'' || 'x'"), string("x"));
        assert_eq!(folded("'a' || 'x'"), string("a"));
        assert_eq!(folded("'a' && 'x'"), string("x"));
        assert_eq!(folded("0 && 'x'"), Some(Constant::Number(0.0)));
        assert_eq!(folded("null || null"), Some(Constant::Null));
    }

    #[test]
    fn short_circuit_ignores_contexts_it_never_reads() {
        assert_eq!(folded("false && github.event.x"), FALSE);
        assert_eq!(folded("true || github.event.x"), TRUE);
        assert_eq!(folded("true && github.event.x"), None);
        assert_eq!(folded("github.event.x || true"), None);
        assert_eq!(folded("github.event.x && false"), None);
    }

    #[test]
    fn loose_equality() {
        assert_eq!(folded("1 == '1'"), TRUE);
        assert_eq!(folded("'abc' == 'ABC'"), TRUE);
        assert_eq!(folded("'abc' != 'ABD'"), TRUE);
        assert_eq!(folded("null == 0"), TRUE);
        assert_eq!(folded("null == ''"), TRUE);
        assert_eq!(folded("true == 1"), TRUE);
        assert_eq!(folded("true == 'true'"), FALSE);
        assert_eq!(folded("'0x10' == 16"), TRUE);
        assert_eq!(folded("' 2 ' == 2"), TRUE);
        assert_eq!(folded("NaN == NaN"), FALSE);
        assert_eq!(folded("'a' == 0"), FALSE);
        assert_eq!(folded("1.0 == 1"), TRUE);
    }

    #[test]
    fn comparisons() {
        assert_eq!(folded("1 < 2"), TRUE);
        assert_eq!(folded("2 <= 2"), TRUE);
        assert_eq!(folded("'b' > 'A'"), TRUE);
        assert_eq!(folded("'a' >= 'A'"), TRUE);
        assert_eq!(folded("'10' > 9"), TRUE);
        assert_eq!(folded("'x' < 1"), FALSE);
        assert_eq!(folded("'x' >= 1"), FALSE);
        assert_eq!(folded("true > false"), TRUE);
    }

    #[test]
    fn not_and_truthiness() {
        assert_eq!(folded("!''"), TRUE);
        assert_eq!(folded("!'0'"), FALSE);
        assert_eq!(folded("!0"), TRUE);
        assert_eq!(folded("!-0"), TRUE);
        assert_eq!(folded("!NaN"), TRUE);
        assert_eq!(folded("!null"), TRUE);
        assert_eq!(folded("!!'x'"), TRUE);
        assert_eq!(folded("!github.x"), None);
    }

    #[test]
    fn string_functions_fold_ignoring_case() {
        assert_eq!(folded("contains('Hello', 'ELL')"), TRUE);
        assert_eq!(folded("STARTSWITH('refs/heads/x', 'refs/')"), TRUE);
        assert_eq!(folded("endsWith('abc', 'b')"), FALSE);
        assert_eq!(folded("contains('a1b', 1)"), TRUE);
        assert_eq!(folded("contains('untrue', true)"), TRUE);
        assert_eq!(folded("contains(github.x, 'a')"), None);
        assert_eq!(folded("contains('a')"), None);
    }

    #[test]
    fn calls_that_depend_on_the_run_do_not_fold() {
        for text in [
            "success()",
            "always()",
            "hashFiles('x')",
            "format('{0}', 'a')",
            "fromJSON('true')",
            "mystery('a', 'b')",
        ] {
            assert_eq!(folded(text), None, "{text}");
        }
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(Constant::Number(1.0).to_text(), "1");
        assert_eq!(Constant::Number(-0.0).to_text(), "0");
        assert_eq!(Constant::Number(1.5).to_text(), "1.5");
        assert_eq!(Constant::Number(f64::NAN).to_text(), "NaN");
        assert_eq!(Constant::Number(f64::NEG_INFINITY).to_text(), "-Infinity");
        assert_eq!(Constant::Null.to_text(), "");
    }
}
