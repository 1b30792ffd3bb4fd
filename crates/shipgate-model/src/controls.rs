//! The control catalog, embedded in the binary as data.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The framework a control belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    /// The ten-point delivery-security checklist shipgate implements.
    Checklist,
    /// The seven areas of the maturity assessment.
    Maturity,
    /// OWASP Top 10 CI/CD Security Risks.
    OwaspCicd,
    /// NIST SP 800-218 Secure Software Development Framework.
    NistSsdf,
    /// SLSA v1 build track requirements.
    Slsa,
    /// AICPA SOC 2 trust services criteria.
    Soc2,
}

/// One control a finding can map to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// Stable id, for example `CICD-SEC-6` or `SOC2-CC6.1`.
    pub id: String,
    /// Which framework defines it.
    pub framework: Framework,
    /// Its title in that framework.
    pub title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    control: Vec<Control>,
}

const CATALOG_TOML: &str = include_str!("../data/controls.toml");

/// Every control shipgate knows, in catalog order.
pub fn catalog() -> &'static [Control] {
    static CATALOG: OnceLock<Vec<Control>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The catalog is compiled in and checked by a unit test, so a parse
        // failure here is a build defect, not bad user input.
        toml::from_str::<CatalogFile>(CATALOG_TOML)
            .map(|file| file.control)
            .unwrap_or_default()
    })
}

/// Looks up a control by id.
pub fn control(id: &str) -> Option<&'static Control> {
    catalog().iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalog_parses_and_ids_are_unique() {
        let parsed: CatalogFile = toml::from_str(CATALOG_TOML).expect("catalog parses");
        assert_eq!(parsed.control.len(), catalog().len());
        let ids: HashSet<_> = catalog().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), catalog().len());
    }

    #[test]
    fn catalog_covers_every_framework() {
        let count = |f| catalog().iter().filter(|c| c.framework == f).count();
        assert_eq!(count(Framework::Checklist), 10);
        assert_eq!(count(Framework::Maturity), 7);
        assert_eq!(count(Framework::OwaspCicd), 10);
        assert!(count(Framework::NistSsdf) >= 10);
        assert!(count(Framework::Slsa) >= 5);
        assert!(count(Framework::Soc2) >= 8);
        assert_eq!(
            control("CICD-SEC-6").map(|c| c.framework),
            Some(Framework::OwaspCicd)
        );
    }
}
