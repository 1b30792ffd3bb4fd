//! CycloneDX 1.6 JSON: the emit-only subset shipgate writes.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;
use shipgate_deps::{Ecosystem, HashAlgorithm, PackageSource, Relation, Scope};

use crate::catalog::{Catalog, Entry};
use crate::license::Declared;
use crate::{
    PLACEHOLDER_UUID, SbomError, SbomOptions, SbomVulnerability, format_time,
    to_json_with_content_id,
};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    dependencies: Vec<Dependency<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: String,
    lifecycles: [Lifecycle; 1],
    tools: Tools<'a>,
    component: Component<'a>,
}

#[derive(Serialize)]
struct Lifecycle {
    phase: &'static str,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: [Tool<'a>; 1],
}

#[derive(Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    version: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    reference: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<HashEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct HashEntry<'a> {
    alg: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice<'a> {
    License { license: License<'a> },
    Expression { expression: &'a str },
}

#[derive(Serialize)]
enum License<'a> {
    #[serde(rename = "id")]
    Id(&'a str),
    #[serde(rename = "name")]
    Name(&'a str),
}

#[derive(Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Property {
    name: &'static str,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
    depends_on: Vec<&'a str>,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: &'a str,
    source: Source<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<Reference<'a>>,
    ratings: [Rating<'a>; 1],
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    advisories: Vec<Advisory<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<String>,
    affects: Vec<Affect<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Reference<'a> {
    id: &'a str,
    source: Source<'static>,
}

#[derive(Serialize)]
struct Rating<'a> {
    source: Source<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    severity: &'static str,
    method: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vector: Option<&'a str>,
}

#[derive(Serialize)]
struct Advisory<'a> {
    url: &'a str,
}

#[derive(Serialize)]
struct Affect<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
}

/// Writes the catalog as a CycloneDX 1.6 BOM.
pub(crate) fn render(
    catalog: &Catalog<'_>,
    vulnerabilities: &[SbomVulnerability],
    options: &SbomOptions,
) -> Result<String, SbomError> {
    let root = &catalog.root;
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: format!("urn:uuid:{PLACEHOLDER_UUID}"),
        version: 1,
        metadata: Metadata {
            timestamp: format_time(options.timestamp),
            lifecycles: [Lifecycle { phase: "pre-build" }],
            tools: Tools {
                components: [Tool {
                    kind: "application",
                    name: &options.tool_name,
                    version: &options.tool_version,
                }],
            },
            component: Component {
                kind: "application",
                reference: &root.reference,
                group: None,
                name: &root.name,
                version: root.version.as_deref(),
                scope: None,
                hashes: Vec::new(),
                licenses: Vec::new(),
                purl: root.purl.as_deref(),
                external_references: Vec::new(),
                properties: Vec::new(),
            },
        },
        components: catalog.entries.iter().map(component).collect(),
        dependencies: dependencies(catalog),
        vulnerabilities: merge_vulnerabilities(catalog, vulnerabilities),
    };
    to_json_with_content_id(&bom, "serialNumber")
}

fn component<'a>(entry: &'a Entry<'a>) -> Component<'a> {
    let (group, name) = split_group(entry.ecosystem, entry.name);
    let scope = match entry.scope {
        Scope::Runtime => Some("required"),
        Scope::Optional => Some("optional"),
        Scope::Development => Some("excluded"),
        Scope::Unknown => None,
    };
    let mut properties: Vec<Property> = entry
        .occurrences
        .iter()
        .map(|occurrence| Property {
            name: "shipgate:lockfile",
            value: occurrence.label(),
        })
        .collect();
    let relation = match entry.relation {
        Relation::Direct => Some("direct"),
        Relation::Transitive => Some("transitive"),
        Relation::Unknown => None,
    };
    if let Some(relation) = relation {
        properties.push(Property {
            name: "shipgate:relation",
            value: relation.to_owned(),
        });
    }
    properties.sort();
    Component {
        kind: "library",
        reference: &entry.purl,
        group,
        name,
        version: (!entry.version.is_empty()).then_some(entry.version),
        scope,
        hashes: entry
            .hashes
            .iter()
            .map(|(algorithm, value)| HashEntry {
                alg: algorithm_name(*algorithm),
                content: value,
            })
            .collect(),
        licenses: licenses(&entry.license),
        purl: Some(&entry.purl),
        external_references: external_references(entry.source),
        properties,
    }
}

/// The registry namespace as CycloneDX `group`: Maven group, npm scope,
/// Go module path prefix, Composer vendor, GitHub owner.
fn split_group(ecosystem: Ecosystem, name: &str) -> (Option<&str>, &str) {
    let split = match ecosystem {
        Ecosystem::Maven => name.split_once(':'),
        Ecosystem::Npm if name.starts_with('@') => name.split_once('/'),
        Ecosystem::Go | Ecosystem::Packagist | Ecosystem::GitHubActions => name.rsplit_once('/'),
        _ => None,
    };
    match split {
        Some((group, local)) if !group.is_empty() && !local.is_empty() => (Some(group), local),
        _ => (None, name),
    }
}

fn algorithm_name(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Md5 => "MD5",
        HashAlgorithm::Sha1 => "SHA-1",
        HashAlgorithm::Sha256 => "SHA-256",
        HashAlgorithm::Sha384 => "SHA-384",
        HashAlgorithm::Sha512 => "SHA-512",
    }
}

/// One licence of the SPDX list as `id`, a compound expression as
/// `expression`, and text that is no SPDX expression as free-form `name`s.
fn licenses(declared: &Declared) -> Vec<LicenseChoice<'_>> {
    match declared {
        Declared::None => Vec::new(),
        Declared::Id(id) => vec![LicenseChoice::License {
            license: License::Id(id),
        }],
        Declared::Expression { text, .. } => vec![LicenseChoice::Expression { expression: text }],
        Declared::Invalid(names) => names
            .iter()
            .map(|name| LicenseChoice::License {
                license: License::Name(name),
            })
            .collect(),
    }
}

fn external_references(source: &PackageSource) -> Vec<ExternalReference> {
    match source {
        PackageSource::Git { url, rev } => vec![ExternalReference {
            kind: "vcs",
            url: match rev {
                Some(rev) => format!("{url}#{rev}"),
                None => url.clone(),
            },
        }],
        PackageSource::Url { url } => vec![ExternalReference {
            kind: "distribution",
            url: url.clone(),
        }],
        PackageSource::AlternateRegistry { url } => vec![ExternalReference {
            kind: "distribution",
            url: url.clone(),
        }],
        PackageSource::Registry | PackageSource::Path { .. } => Vec::new(),
    }
}

/// The project first, then every component in `bom-ref` order, each with
/// what it needs (possibly nothing: an empty list says "no dependencies").
fn dependencies<'a>(catalog: &'a Catalog<'a>) -> Vec<Dependency<'a>> {
    let refs = |targets: &BTreeSet<usize>| -> Vec<&'a str> {
        targets
            .iter()
            .filter_map(|&target| catalog.entries.get(target))
            .map(|entry| entry.purl.as_str())
            .collect()
    };
    let mut dependencies = Vec::with_capacity(catalog.entries.len() + 1);
    dependencies.push(Dependency {
        reference: &catalog.root.reference,
        depends_on: refs(&catalog.root.depends_on),
    });
    dependencies.extend(catalog.entries.iter().map(|entry| Dependency {
        reference: &entry.purl,
        depends_on: refs(&entry.depends_on),
    }));
    dependencies
}

/// Where an alias id is published, told by its prefix.
fn alias_source(alias: &str) -> Source<'static> {
    if alias.starts_with("CVE-") {
        Source {
            name: "NVD",
            url: Some("https://nvd.nist.gov/"),
        }
    } else if alias.starts_with("GHSA-") {
        Source {
            name: "GitHub Advisory Database",
            url: Some("https://github.com/advisories"),
        }
    } else {
        Source {
            name: "OSV",
            url: Some("https://osv.dev/"),
        }
    }
}

/// Everything said about one vulnerability id.
struct Merged<'a> {
    first: &'a SbomVulnerability,
    affected: BTreeSet<&'a str>,
    aliases: BTreeSet<&'a str>,
    fixed: BTreeSet<&'a str>,
}

/// One vulnerability per id, in id order; the first entry for an id gives
/// the text and rating, and every entry adds its affected packages, aliases
/// and fixes. Affected package URLs that are not components are dropped, so
/// every `affects` reference resolves.
fn merge_vulnerabilities<'a>(
    catalog: &'a Catalog<'a>,
    vulnerabilities: &'a [SbomVulnerability],
) -> Vec<Vulnerability<'a>> {
    let known: HashSet<&str> = catalog
        .entries
        .iter()
        .map(|entry| entry.purl.as_str())
        .collect();
    let mut by_id: BTreeMap<&str, Merged<'a>> = BTreeMap::new();
    for vulnerability in vulnerabilities {
        let Merged {
            affected,
            aliases,
            fixed,
            ..
        } = by_id
            .entry(vulnerability.id.as_str())
            .or_insert_with(|| Merged {
                first: vulnerability,
                affected: BTreeSet::new(),
                aliases: BTreeSet::new(),
                fixed: BTreeSet::new(),
            });
        affected.extend(
            vulnerability
                .affected_purls
                .iter()
                .filter_map(|purl| known.get(purl.as_str()).copied()),
        );
        aliases.extend(
            vulnerability
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|alias| !alias.is_empty() && *alias != vulnerability.id),
        );
        fixed.extend(
            vulnerability
                .fixed_versions
                .iter()
                .map(String::as_str)
                .filter(|v| !v.is_empty()),
        );
    }
    by_id
        .into_iter()
        .map(
            |(
                id,
                Merged {
                    first,
                    affected,
                    aliases,
                    fixed,
                },
            )| {
                let url = first.source_url.as_deref().filter(|url| !url.is_empty());
                Vulnerability {
                    id,
                    source: Source {
                        name: &first.source_name,
                        url,
                    },
                    references: aliases
                        .into_iter()
                        .map(|alias| Reference {
                            id: alias,
                            source: alias_source(alias),
                        })
                        .collect(),
                    ratings: [Rating {
                        source: Source {
                            name: &first.source_name,
                            url,
                        },
                        score: first.score.filter(|score| score.is_finite()),
                        severity: first.severity.as_str(),
                        method: first.method.cyclonedx_name(),
                        vector: first.vector.as_deref().filter(|vector| !vector.is_empty()),
                    }],
                    description: &first.summary,
                    detail: first
                        .details
                        .as_deref()
                        .filter(|details| !details.is_empty()),
                    recommendation: recommendation(&fixed),
                    advisories: url.map(|url| Advisory { url }).into_iter().collect(),
                    published: first.published.map(format_time),
                    updated: first.updated.map(format_time),
                    affects: affected
                        .into_iter()
                        .map(|reference| Affect { reference })
                        .collect(),
                }
            },
        )
        .collect()
}

fn recommendation(fixed: &BTreeSet<&str>) -> Option<String> {
    match fixed.len() {
        0 => None,
        1 => fixed.first().map(|version| format!("Upgrade to {version}")),
        _ => Some(format!(
            "Upgrade to one of {}",
            fixed.iter().copied().collect::<Vec<_>>().join(", ")
        )),
    }
}
