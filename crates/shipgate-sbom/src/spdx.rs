//! SPDX 2.3 JSON: the emit-only subset shipgate writes.

use serde::Serialize;
use shipgate_deps::{HashAlgorithm, PackageSource, Scope};

use crate::catalog::{Catalog, Entry};
use crate::license::Declared;
use crate::{PLACEHOLDER_UUID, SbomError, SbomOptions, format_time, to_json_with_content_id};

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const ROOT_ID: &str = "SPDXRef-RootPackage";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo,
    document_describes: [&'static str; 1],
    packages: Vec<Package<'a>>,
    relationships: Vec<Relationship<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: [String; 1],
    license_list_version: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Package<'a> {
    #[serde(rename = "SPDXID")]
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    download_location: String,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum<'a>>,
    license_concluded: &'static str,
    license_declared: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    license_comments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    primary_package_purpose: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum<'a> {
    algorithm: &'static str,
    checksum_value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: &'a str,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
struct Relationship<'a> {
    spdx_element_id: &'a str,
    relationship_type: &'static str,
    related_spdx_element: &'a str,
}

/// Writes the catalog as an SPDX 2.3 document.
pub(crate) fn render(catalog: &Catalog<'_>, options: &SbomOptions) -> Result<String, SbomError> {
    let ids: Vec<String> = catalog
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| format!("SPDXRef-Package-{}-{}", sanitise(entry.name), index + 1))
        .collect();
    let root = &catalog.root;
    let mut packages = Vec::with_capacity(catalog.entries.len() + 1);
    packages.push(Package {
        id: ROOT_ID,
        name: &root.name,
        version_info: root.version.as_deref(),
        download_location: NOASSERTION.to_owned(),
        files_analyzed: false,
        checksums: Vec::new(),
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION,
        license_comments: None,
        comment: None,
        external_refs: root.purl.as_deref().map(purl_ref).into_iter().collect(),
        primary_package_purpose: "APPLICATION",
    });
    packages.extend(
        catalog
            .entries
            .iter()
            .zip(&ids)
            .map(|(entry, id)| package(entry, id)),
    );

    let mut relationships = Vec::new();
    for &target in &root.depends_on {
        let (Some(entry), Some(id)) = (catalog.entries.get(target), ids.get(target)) else {
            continue;
        };
        relationships.push(match entry.scope {
            Scope::Development => relationship(id, "DEV_DEPENDENCY_OF", ROOT_ID),
            Scope::Optional => relationship(id, "OPTIONAL_DEPENDENCY_OF", ROOT_ID),
            Scope::Runtime | Scope::Unknown => relationship(ROOT_ID, "DEPENDS_ON", id),
        });
    }
    for (entry, id) in catalog.entries.iter().zip(&ids) {
        for target in entry
            .depends_on
            .iter()
            .filter_map(|&target| ids.get(target))
        {
            relationships.push(relationship(id, "DEPENDS_ON", target));
        }
    }
    relationships.sort();
    relationships.insert(0, relationship(DOCUMENT_ID, "DESCRIBES", ROOT_ID));

    let document = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        id: DOCUMENT_ID,
        name: &root.name,
        document_namespace: format!(
            "{}/{}-{PLACEHOLDER_UUID}",
            options.namespace_base.trim_end_matches('/'),
            sanitise(&root.name),
        ),
        creation_info: CreationInfo {
            created: format_time(options.timestamp),
            creators: [format!(
                "Tool: {}-{}",
                options.tool_name, options.tool_version
            )],
            license_list_version: license_list_version(),
        },
        document_describes: [ROOT_ID],
        packages,
        relationships,
    };
    to_json_with_content_id(&document, "documentNamespace")
}

fn relationship<'a>(from: &'a str, kind: &'static str, to: &'a str) -> Relationship<'a> {
    Relationship {
        spdx_element_id: from,
        relationship_type: kind,
        related_spdx_element: to,
    }
}

fn purl_ref(purl: &str) -> ExternalRef<'_> {
    ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: purl,
    }
}

fn package<'a>(entry: &'a Entry<'a>, id: &'a str) -> Package<'a> {
    let (license_declared, license_comments) = match &entry.license {
        Declared::None => (NOASSERTION, None),
        Declared::Id(text)
        | Declared::Expression {
            text,
            has_refs: false,
        } => (text.as_str(), None),
        Declared::Expression {
            text,
            has_refs: true,
        } => (
            NOASSERTION,
            Some(format!(
                "The lockfile declares `{text}`, which names licences outside the SPDX list."
            )),
        ),
        Declared::Invalid(names) => (
            NOASSERTION,
            Some(format!(
                "The lockfile declares `{}`, which is not an SPDX licence expression.",
                names.join("`, `")
            )),
        ),
    };
    let found_in: Vec<String> = entry
        .occurrences
        .iter()
        .map(|occurrence| occurrence.label())
        .collect();
    Package {
        id,
        name: entry.name,
        version_info: (!entry.version.is_empty()).then_some(entry.version),
        download_location: download_location(entry.source),
        files_analyzed: false,
        checksums: entry
            .hashes
            .iter()
            .map(|(algorithm, value)| Checksum {
                algorithm: algorithm_name(*algorithm),
                checksum_value: value,
            })
            .collect(),
        license_concluded: NOASSERTION,
        license_declared,
        license_comments,
        comment: Some(format!("Found in {}.", found_in.join(", "))),
        external_refs: vec![purl_ref(&entry.purl)],
        primary_package_purpose: "LIBRARY",
    }
}

fn algorithm_name(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Md5 => "MD5",
        HashAlgorithm::Sha1 => "SHA1",
        HashAlgorithm::Sha256 => "SHA256",
        HashAlgorithm::Sha384 => "SHA384",
        HashAlgorithm::Sha512 => "SHA512",
    }
}

/// Where the package can be fetched, in SPDX's `<vcs>+<url>@<rev>` form
/// for git. Registry packages get `NOASSERTION`: the registry's URL is not
/// the package's, and guessing one per ecosystem would be a claim the
/// lockfile did not make.
fn download_location(source: &PackageSource) -> String {
    let usable = |url: &str| {
        ["https://", "http://", "ssh://", "git://"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
            && !url.chars().any(char::is_whitespace)
    };
    match source {
        PackageSource::Url { url } if usable(url) => url.clone(),
        PackageSource::Git { url, rev } => {
            let bare = url.strip_prefix("git+").unwrap_or(url);
            if !usable(bare) {
                return NOASSERTION.to_owned();
            }
            match rev
                .as_deref()
                .filter(|rev| !rev.is_empty() && !rev.contains(char::is_whitespace))
            {
                Some(rev) => format!("git+{bare}@{rev}"),
                None => format!("git+{bare}"),
            }
        }
        _ => NOASSERTION.to_owned(),
    }
}

/// Letters, digits, `.` and `-` only, as SPDX element ids require.
fn sanitise(name: &str) -> String {
    name.chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
                ch
            } else {
                '-'
            }
        })
        .collect()
}

/// The licence list the expressions were checked against, as `major.minor`.
fn license_list_version() -> String {
    let version = spdx::license_version();
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => version.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_ids_keep_only_allowed_characters() {
        assert_eq!(sanitise("@babel/core"), "-babel-core");
        assert_eq!(sanitise("org.slf4j:slf4j-api"), "org.slf4j-slf4j-api");
    }

    #[test]
    fn git_sources_get_a_vcs_location_and_registries_none() {
        let git = PackageSource::Git {
            url: "https://github.com/acme/widget.git".into(),
            rev: Some("0a1b2c".into()),
        };
        assert_eq!(
            download_location(&git),
            "git+https://github.com/acme/widget.git@0a1b2c"
        );
        let prefixed = PackageSource::Git {
            url: "git+ssh://git@example.com/acme/widget".into(),
            rev: None,
        };
        assert_eq!(
            download_location(&prefixed),
            "git+ssh://git@example.com/acme/widget"
        );
        let local = PackageSource::Git {
            url: "../widget".into(),
            rev: None,
        };
        assert_eq!(download_location(&local), NOASSERTION);
        assert_eq!(download_location(&PackageSource::Registry), NOASSERTION);
        let tarball = PackageSource::Url {
            url: "https://example.com/w.tgz".into(),
        };
        assert_eq!(download_location(&tarball), "https://example.com/w.tgz");
    }

    #[test]
    fn licence_list_version_is_major_dot_minor() {
        let version = license_list_version();
        assert_eq!(version.split('.').count(), 2, "{version}");
    }
}
