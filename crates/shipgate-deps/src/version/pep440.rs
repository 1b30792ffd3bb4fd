//! PEP 440 (PyPI) ordering through `pep440_rs`: epochs, pre-, post- and
//! dev-releases, local versions and the normalisations the specification
//! allows (`1.0RC1`, `1.0-post1`, `1.0.dev`, `v1.0`, surrounding spaces).

use std::cmp::Ordering;
use std::str::FromStr;

/// A parsed PEP 440 version; `1.0` equals `1.0.0`.
#[derive(Clone, Debug)]
pub(super) struct Pep440(pep440_rs::Version);

impl Pep440 {
    pub(super) fn parse(text: &str) -> Result<Pep440, String> {
        pep440_rs::Version::from_str(text.trim())
            .map(Pep440)
            .map_err(|error| error.to_string())
    }

    pub(super) fn cmp(&self, other: &Pep440) -> Ordering {
        self.0.cmp(&other.0)
    }
}
