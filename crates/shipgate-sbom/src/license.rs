//! Declared licences, checked and normalised as SPDX expressions.

use spdx::{Expression, LicenseItem, ParseMode};

/// Strict SPDX syntax, but deprecated identifiers (`GPL-2.0`) are still
/// identifiers of the licence list and both formats accept them.
const MODE: ParseMode = ParseMode {
    allow_deprecated: true,
    ..ParseMode::STRICT
};

/// What a package's declared licences amount to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Declared {
    /// Nothing declared.
    None,
    /// One licence of the SPDX list, without exception or `+`.
    Id(String),
    /// A valid SPDX expression (normalised), including `LicenseRef-`s.
    Expression {
        /// The normalised expression.
        text: String,
        /// Whether it refers to licences outside the SPDX list, which an
        /// SPDX document would have to define.
        has_refs: bool,
    },
    /// Text that is no SPDX expression, kept as written.
    Invalid(Vec<String>),
}

/// Classifies the licences a lockfile declared for one package. Several
/// declarations are combined with `AND`: the lockfile does not say how they
/// relate, and `AND` keeps every obligation in view.
pub(crate) fn classify(licenses: &[String]) -> Declared {
    let declared: Vec<&str> = licenses
        .iter()
        .map(|text| text.trim())
        .filter(|text| !text.is_empty())
        .collect();
    if declared.is_empty() {
        return Declared::None;
    }
    let mut parsed: Vec<(String, Expression)> = Vec::with_capacity(declared.len());
    for text in &declared {
        match normalise(text) {
            Some(expression) => parsed.push((expression.to_string(), expression)),
            None => return Declared::Invalid(declared.iter().map(|t| (*t).to_owned()).collect()),
        }
    }
    parsed.sort_by(|a, b| a.0.cmp(&b.0));
    parsed.dedup_by(|a, b| a.0 == b.0);
    if let [(_, only)] = parsed.as_slice() {
        let mut requirements = only.requirements();
        if let (Some(first), None) = (requirements.next(), requirements.next())
            && first.req.addition.is_none()
            && let LicenseItem::Spdx {
                id,
                or_later: false,
            } = first.req.license
        {
            return Declared::Id(id.name.to_owned());
        }
    }
    let has_refs = parsed.iter().any(|(_, expression)| {
        expression.requirements().any(|req| {
            matches!(req.req.license, LicenseItem::Other(_))
                || req.req.addition.as_ref().is_some_and(|a| a.id().is_none())
        })
    });
    let text = match parsed.as_slice() {
        [(only, _)] => only.clone(),
        _ => parsed
            .iter()
            .map(|(text, expression)| {
                if expression.requirements().count() > 1 {
                    format!("({text})")
                } else {
                    text.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" AND "),
    };
    Declared::Expression { text, has_refs }
}

/// The expression in canonical SPDX form (`apache2/mit` → `Apache-2.0 OR
/// MIT`), or `None` when it is not a valid expression.
fn normalise(text: &str) -> Option<Expression> {
    let canonical = match Expression::canonicalize(text) {
        Ok(Some(fixed)) => fixed,
        Ok(None) => text.to_owned(),
        Err(_) => return None,
    };
    Expression::parse_mode(&canonical, MODE).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_one(text: &str) -> Declared {
        classify(&[text.to_owned()])
    }

    #[test]
    fn single_list_licences_are_ids_and_imprecise_names_are_fixed() {
        assert_eq!(classify_one("MIT"), Declared::Id("MIT".into()));
        assert_eq!(
            classify_one(" Apache-2.0 "),
            Declared::Id("Apache-2.0".into())
        );
        assert_eq!(classify_one("GPL-2.0"), Declared::Id("GPL-2.0-only".into()));
        assert_eq!(classify_one("apache2"), Declared::Id("Apache-2.0".into()));
    }

    #[test]
    fn compound_expressions_are_normalised() {
        assert_eq!(
            classify_one("mit/Apache-2.0"),
            Declared::Expression {
                text: "MIT OR Apache-2.0".into(),
                has_refs: false
            }
        );
        assert_eq!(
            classify_one("Apache-2.0 WITH LLVM-exception"),
            Declared::Expression {
                text: "Apache-2.0 WITH LLVM-exception".into(),
                has_refs: false
            }
        );
        assert_eq!(
            classify_one("MIT OR LicenseRef-Custom"),
            Declared::Expression {
                text: "MIT OR LicenseRef-Custom".into(),
                has_refs: true
            }
        );
    }

    #[test]
    fn several_declarations_are_all_required_and_deduplicated() {
        let declared = classify(&[
            "MIT OR Apache-2.0".into(),
            "BSD-3-Clause".into(),
            "BSD-3-Clause".into(),
        ]);
        assert_eq!(
            declared,
            Declared::Expression {
                text: "BSD-3-Clause AND (MIT OR Apache-2.0)".into(),
                has_refs: false
            }
        );
    }

    #[test]
    fn unknown_text_is_kept_as_written_and_blank_is_nothing() {
        assert_eq!(
            classify(&["MIT".into(), "Proprietary, see LICENSE".into()]),
            Declared::Invalid(vec!["MIT".into(), "Proprietary, see LICENSE".into()])
        );
        assert_eq!(
            classify_one("MIT OR"),
            Declared::Invalid(vec!["MIT OR".into()])
        );
        assert_eq!(classify_one("(MIT"), Declared::Invalid(vec!["(MIT".into()]));
        assert_eq!(classify(&[" ".into()]), Declared::None);
        assert_eq!(classify(&[]), Declared::None);
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "+",
            "()",
            "WITH",
            "MIT WITH",
            "/ /",
            "a+b+",
            "\u{0}",
            "(((((",
            "LicenseRef-",
            "MIT AND AND MIT",
        ] {
            assert_ne!(classify_one(text), Declared::None, "{text:?}");
        }
    }
}
