//! Arbitrary bytes as each of go.mod, Gemfile.lock, gradle.lockfile,
//! pom.xml, packages.lock.json, pubspec.lock and mix.lock (beside a
//! plausible manifest), and as that manifest beside a plausible lockfile:
//! reading must never panic, and every line must be inside the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shipgate_deps::{FileSet, Inventory};

/// Lockfile path, its sibling's path, a plausible sibling, a plausible lockfile.
const FORMATS: &[(&str, &str, &str, &str)] = &[
    (
        "svc/go.mod",
        "svc/go.sum",
        "example.org/a v1.0.0 h1:x=\nexample.org/b v1.2.0 h1:y=\n",
        "module example.org/svc\ngo 1.16\nrequire example.org/a v1.0.0\n",
    ),
    (
        "Gemfile.lock",
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"rack\"\n",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.0)\n\nDEPENDENCIES\n  rack\n",
    ),
    (
        "gradle/dependency-locks/testRuntimeClasspath.lockfile",
        "build.gradle",
        "dependencies { implementation 'a:b:1' }\n",
        "a:b:1\n",
    ),
    (
        "app/pom.xml",
        "pom.xml",
        "<project><groupId>g</groupId><artifactId>parent</artifactId><version>1</version><properties><v>2</v></properties></project>",
        "<project><parent><artifactId>parent</artifactId></parent><artifactId>app</artifactId><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${v}</version></dependency></dependencies></project>",
    ),
    (
        "src/App/packages.lock.json",
        "src/App/App.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\"/>",
        "{\"version\":1,\"dependencies\":{\"net8.0\":{\"A\":{\"type\":\"Direct\",\"resolved\":\"1.0.0\"}}}}",
    ),
    (
        "pubspec.lock",
        "pubspec.yaml",
        "name: app\nversion: 1.0.0\n",
        "packages:\n  a:\n    dependency: transitive\n    source: hosted\n    version: \"1.0.0\"\n",
    ),
    (
        "mix.lock",
        "mix.exs",
        "defmodule A.MixProject do\n  def project, do: [app: :a, version: \"0.1.0\"]\n  defp deps, do: [{:b, \"~> 1.0\"}]\nend\n",
        "%{\"b\": {:hex, :b, \"1.0.0\", \"x\", [:mix], [], \"hexpm\", \"y\"}}\n",
    ),
];

fuzz_target!(|data: &[u8]| {
    let data_lines =
        u32::try_from(data.iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX);
    for (lockfile, sibling, plausible_sibling, plausible_lockfile) in FORMATS {
        let mut files = FileSet::new();
        files.insert(*lockfile, data.to_vec());
        files.insert(*sibling, plausible_sibling.as_bytes().to_vec());
        check(&files, lockfile, data_lines);

        let mut files = FileSet::new();
        files.insert(*lockfile, plausible_lockfile.as_bytes().to_vec());
        files.insert(*sibling, data.to_vec());
        let plausible_lines =
            u32::try_from(plausible_lockfile.lines().count() + 1).unwrap_or(u32::MAX);
        check(&files, lockfile, plausible_lines);
    }
});

fn check(files: &FileSet, lockfile: &str, max_line: u32) {
    let inventory = Inventory::build(files);
    for read in inventory.lockfiles.iter().filter(|l| l.path == lockfile) {
        for package in &read.packages {
            assert!(
                package.line <= max_line,
                "package line {} beyond {max_line}",
                package.line
            );
            for &dependency in &package.dependencies {
                assert!(dependency < read.packages.len(), "edge out of range");
            }
        }
        for warning in &read.warnings {
            assert!(
                warning.line.is_none_or(|line| line <= max_line),
                "warning line beyond the file"
            );
        }
    }
    for error in inventory.errors.iter().filter(|e| e.path == lockfile) {
        assert!(
            error.line.is_none_or(|line| line <= max_line),
            "error line beyond the file"
        );
    }
}
