//! The dependency inventory: what a repository's lockfiles say it ships,
//! how versions order in each ecosystem, and which published advisories
//! (OSV) affect those versions.
//!
//! One [`Inventory`] feeds vulnerability matching, SBOMs and the release
//! gate, so all of them agree on what a package is.

pub mod ecosystem;
pub mod inventory;
pub mod lockfile;
pub mod osv;
mod rules;
mod scanner;
pub mod version;

pub use ecosystem::Ecosystem;
pub use inventory::{
    FileSet, Hash, HashAlgorithm, Inventory, Lockfile, LockfileError, Package, PackageSource,
    ParseWarning, Relation, RootComponent, Scope,
};
pub use lockfile::LockfileKind;
pub use scanner::{DepsOptions, DepsScanner};
