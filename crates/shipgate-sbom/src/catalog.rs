//! The inventory flattened into what both SBOM formats list: one entry per
//! package URL, the project at the root, and the edges between them.

use std::collections::{BTreeSet, HashMap};

use shipgate_deps::{
    Ecosystem, Hash, HashAlgorithm, Inventory, Lockfile, PackageSource, Relation, Scope,
};

use crate::SbomOptions;
use crate::license::{self, Declared};

/// What the SBOM describes.
pub(crate) struct Root {
    /// The project's name.
    pub name: String,
    /// The project's version, when its manifest declares one.
    pub version: Option<String>,
    /// Its package URL, when the project comes from a manifest.
    pub purl: Option<String>,
    /// The CycloneDX `bom-ref`: the package URL, or a name-based reference
    /// that cannot clash with a package URL.
    pub reference: String,
    /// Entries the project needs directly (indices into `entries`).
    pub depends_on: BTreeSet<usize>,
}

/// Where a package was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Occurrence<'a> {
    /// Lockfile path relative to the scan root.
    pub path: &'a str,
    /// 1-based line of the entry; 0 when unknown.
    pub line: u32,
}

impl Occurrence<'_> {
    /// `path:line`, or the path alone when the line is unknown.
    pub fn label(&self) -> String {
        if self.line == 0 {
            self.path.to_owned()
        } else {
            format!("{}:{}", self.path, self.line)
        }
    }
}

/// One package, merged over every lockfile that lists the same package URL.
pub(crate) struct Entry<'a> {
    /// The package URL, also the CycloneDX `bom-ref`.
    pub purl: String,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as the registry spells it.
    pub name: &'a str,
    /// The resolved version.
    pub version: &'a str,
    /// The most demanding scope among the occurrences.
    pub scope: Scope,
    /// Direct if any lockfile names it directly.
    pub relation: Relation,
    /// Where its code comes from (from the first lockfile that lists it).
    pub source: &'a PackageSource,
    /// Well-formed hashes of every occurrence.
    pub hashes: BTreeSet<(HashAlgorithm, String)>,
    /// The declared licences of the first occurrence that declares any.
    pub license: Declared,
    /// Every lockfile entry it comes from.
    pub occurrences: BTreeSet<Occurrence<'a>>,
    /// Entries it depends on (indices into `entries`).
    pub depends_on: BTreeSet<usize>,
}

/// The packages and the project, ordered by package URL.
pub(crate) struct Catalog<'a> {
    /// The project the SBOM describes.
    pub root: Root,
    /// Every package, sorted by package URL.
    pub entries: Vec<Entry<'a>>,
}

/// Scope order for merging: a package needed at run time anywhere is needed
/// at run time; an unknown scope may be run time, so it outranks optional
/// and development.
fn scope_rank(scope: Scope) -> u8 {
    match scope {
        Scope::Development => 0,
        Scope::Optional => 1,
        Scope::Unknown => 2,
        Scope::Runtime => 3,
    }
}

fn relation_rank(relation: Relation) -> u8 {
    match relation {
        Relation::Unknown => 0,
        Relation::Transitive => 1,
        Relation::Direct => 2,
    }
}

/// Whether `hash` is hexadecimal of the length its algorithm produces; the
/// formats' schemas reject anything else.
fn well_formed(hash: &Hash) -> bool {
    let length = match hash.algorithm {
        HashAlgorithm::Md5 => 32,
        HashAlgorithm::Sha1 => 40,
        HashAlgorithm::Sha256 => 64,
        HashAlgorithm::Sha384 => 96,
        HashAlgorithm::Sha512 => 128,
    };
    hash.value.len() == length && hash.value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Builds the project entry's identity from the options and manifests.
fn root_identity(
    inventory: &Inventory,
    options: &SbomOptions,
) -> (String, Option<String>, Option<String>) {
    if let Some(name) = &options.root_name {
        return (name.clone(), None, None);
    }
    let roots: BTreeSet<_> = inventory
        .lockfiles
        .iter()
        .filter_map(|lockfile| lockfile.root.as_ref())
        .map(|root| (root.ecosystem, root.name.as_str(), root.version.as_deref()))
        .collect();
    match roots.into_iter().collect::<Vec<_>>().as_slice() {
        [(ecosystem, name, version)] if !name.trim().is_empty() => {
            let purl = shipgate_deps::inventory::purl(*ecosystem, name, version.unwrap_or(""));
            ((*name).to_owned(), version.map(str::to_owned), Some(purl))
        }
        _ => (options.fallback_name.clone(), None, None),
    }
}

/// Packages the project needs directly in one lockfile: those marked
/// direct, or, when the format does not say, those nothing else needs.
fn top_level(lockfile: &Lockfile) -> Vec<usize> {
    let direct: Vec<usize> = (0..lockfile.packages.len())
        .filter(|&index| lockfile.packages[index].relation == Relation::Direct)
        .collect();
    if !direct.is_empty() {
        return direct;
    }
    let mut needed = vec![false; lockfile.packages.len()];
    for (index, package) in lockfile.packages.iter().enumerate() {
        for &dependency in &package.dependencies {
            if dependency != index
                && let Some(flag) = needed.get_mut(dependency)
            {
                *flag = true;
            }
        }
    }
    (0..lockfile.packages.len())
        .filter(|&index| !needed[index])
        .collect()
}

impl<'a> Catalog<'a> {
    /// Flattens `inventory`. Packages with the same package URL in several
    /// lockfiles become one entry; a package whose URL is the project's
    /// own (a workspace member listed in its lockfile) is the root itself.
    pub fn build(inventory: &'a Inventory, options: &SbomOptions) -> Catalog<'a> {
        let (name, version, root_purl) = root_identity(inventory, options);
        let purls: Vec<Vec<String>> = inventory
            .lockfiles
            .iter()
            .map(|lockfile| {
                lockfile
                    .packages
                    .iter()
                    .map(|package| package.purl())
                    .collect()
            })
            .collect();

        let mut sorted: Vec<&str> = purls
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|purl| root_purl.as_deref() != Some(*purl))
            .collect();
        sorted.sort_unstable();
        sorted.dedup();
        let order: HashMap<&str, usize> = sorted
            .iter()
            .enumerate()
            .map(|(index, purl)| (*purl, index))
            .collect();

        let mut entries: Vec<Option<Entry<'a>>> = (0..order.len()).map(|_| None).collect();
        let mut root_depends_on = BTreeSet::new();
        let mut license_cache: HashMap<&[String], Declared> = HashMap::new();
        for (lockfile, lockfile_purls) in inventory.lockfiles.iter().zip(&purls) {
            let index_of = |package: usize| -> Option<usize> {
                lockfile_purls
                    .get(package)
                    .and_then(|purl| order.get(purl.as_str()).copied())
            };
            let is_root = |package: usize| -> bool {
                root_purl.is_some()
                    && lockfile_purls.get(package).map(String::as_str) == root_purl.as_deref()
            };
            for package_index in top_level(lockfile) {
                if let Some(index) = index_of(package_index) {
                    root_depends_on.insert(index);
                }
            }
            for (package_index, package) in lockfile.packages.iter().enumerate() {
                let targets = package
                    .dependencies
                    .iter()
                    .filter(|&&dependency| dependency != package_index)
                    .filter_map(|&dependency| index_of(dependency));
                let Some(index) = index_of(package_index) else {
                    if is_root(package_index) {
                        root_depends_on.extend(targets);
                    }
                    continue;
                };
                let targets: Vec<usize> = targets.filter(|&target| target != index).collect();
                let declared = if package.licenses.is_empty() {
                    Declared::None
                } else {
                    license_cache
                        .entry(package.licenses.as_slice())
                        .or_insert_with(|| license::classify(&package.licenses))
                        .clone()
                };
                let occurrence = Occurrence {
                    path: lockfile.path.as_str(),
                    line: package.line,
                };
                let hashes = package
                    .hashes
                    .iter()
                    .filter(|hash| well_formed(hash))
                    .map(|hash| (hash.algorithm, hash.value.to_ascii_lowercase()));
                let Some(slot) = entries.get_mut(index) else {
                    continue;
                };
                match slot {
                    Some(entry) => {
                        if scope_rank(package.scope) > scope_rank(entry.scope) {
                            entry.scope = package.scope;
                        }
                        if relation_rank(package.relation) > relation_rank(entry.relation) {
                            entry.relation = package.relation;
                        }
                        if entry.license == Declared::None {
                            entry.license = declared;
                        }
                        entry.hashes.extend(hashes);
                        entry.occurrences.insert(occurrence);
                        entry.depends_on.extend(targets);
                    }
                    None => {
                        *slot = Some(Entry {
                            purl: lockfile_purls[package_index].clone(),
                            ecosystem: package.ecosystem,
                            name: package.name.as_str(),
                            version: package.version.as_str(),
                            scope: package.scope,
                            relation: package.relation,
                            source: &package.source,
                            hashes: hashes.collect(),
                            license: declared,
                            occurrences: BTreeSet::from([occurrence]),
                            depends_on: targets.into_iter().collect(),
                        });
                    }
                }
            }
        }

        let reference = root_purl.clone().unwrap_or_else(|| format!("root:{name}"));
        Catalog {
            root: Root {
                name,
                version,
                purl: root_purl,
                reference,
                depends_on: root_depends_on,
            },
            entries: entries.into_iter().flatten().collect(),
        }
    }
}
