//! The rules the dependency scanner reports. Each rule is one module whose
//! doc comment is its documentation (generated into `docs/rules.md`).

mod invalid_lockfile;
mod malicious_package;
mod vulnerable_package;

use shipgate_model::{Confidence, RuleMeta, Severity};

pub(crate) use invalid_lockfile::INVALID_LOCKFILE;
pub(crate) use malicious_package::MALICIOUS_PACKAGE;
pub(crate) use vulnerable_package::VULNERABLE_PACKAGE;

/// A rule's metadata as written next to its documentation.
#[derive(Debug)]
pub(crate) struct DepsRule {
    pub(crate) id: &'static str,
    pub(crate) title: &'static str,
    pub(crate) severity: Severity,
    pub(crate) confidence: Confidence,
    pub(crate) controls: &'static [&'static str],
    pub(crate) docs: &'static str,
}

impl DepsRule {
    pub(crate) fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            severity: self.severity,
            confidence: self.confidence,
            controls: self.controls.iter().map(|c| (*c).to_owned()).collect(),
            docs: self.docs.trim().to_owned(),
        }
    }
}

/// Declares a rule; its doc comment becomes its documentation.
macro_rules! deps_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis static $name:ident = {
            id: $id:literal,
            title: $title:literal,
            severity: $severity:ident,
            confidence: $confidence:ident,
            controls: [$($control:literal),* $(,)?] $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::rules::DepsRule = $crate::rules::DepsRule {
            id: $id,
            title: $title,
            severity: shipgate_model::Severity::$severity,
            confidence: shipgate_model::Confidence::$confidence,
            controls: &[$($control),*],
            docs: concat!($($doc, "\n"),*),
        };
    };
}
pub(crate) use deps_rule;

/// Every rule of the dependency scanner.
pub fn all() -> Vec<RuleMeta> {
    [&VULNERABLE_PACKAGE, &MALICIOUS_PACKAGE, &INVALID_LOCKFILE]
        .into_iter()
        .map(DepsRule::meta)
        .collect()
}
