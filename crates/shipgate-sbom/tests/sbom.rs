//! Both SBOM formats against their published schemas, plus what the
//! schemas cannot check: references that resolve, merged duplicates,
//! scopes, licences, vulnerabilities and byte-for-byte determinism.

mod fixture;

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde_json::Value;
use shipgate_deps::{Ecosystem, Inventory, LockfileKind, Package};
use shipgate_sbom::{SbomOptions, SbomVulnerability, cyclonedx, spdx};

use fixture::{
    full_inventory, full_vulnerabilities, lockfile, odd_inventory, options, small_inventory,
    small_vulnerabilities,
};

fn schema(name: &str) -> Value {
    let path = format!("{}/tests/schemas/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the schema is committed");
    serde_json::from_str(&text).expect("the schema is JSON")
}

fn cyclonedx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .with_resource(
            "http://cyclonedx.org/schema/spdx.schema.json",
            jsonschema::Resource::from_contents(schema("spdx.schema.json")),
        )
        .with_resource(
            "http://cyclonedx.org/schema/jsf-0.82.schema.json",
            jsonschema::Resource::from_contents(schema("jsf-0.82.schema.json")),
        )
        .build(&schema("bom-1.6.schema.json"))
        .expect("the CycloneDX schema compiles")
}

fn spdx_validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema("spdx-schema.json"))
        .expect("the SPDX schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, document: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
}

fn bom(inventory: &Inventory, vulnerabilities: &[SbomVulnerability]) -> Value {
    let text = cyclonedx(inventory, vulnerabilities, &options()).expect("BOM is written");
    serde_json::from_str(&text).expect("BOM is JSON")
}

fn spdx_document(inventory: &Inventory) -> Value {
    let text = spdx(inventory, &options()).expect("SPDX document is written");
    serde_json::from_str(&text).expect("SPDX document is JSON")
}

fn inventories() -> Vec<(&'static str, Inventory, Vec<SbomVulnerability>)> {
    vec![
        ("full", full_inventory(), full_vulnerabilities()),
        ("small", small_inventory(), small_vulnerabilities()),
        ("empty", Inventory::default(), Vec::new()),
        ("odd", odd_inventory(), full_vulnerabilities()),
    ]
}

#[test]
fn cyclonedx_output_is_valid_against_the_1_6_schema() {
    let validator = cyclonedx_validator();
    for (name, inventory, vulnerabilities) in inventories() {
        let document = bom(&inventory, &vulnerabilities);
        assert_eq!(document["specVersion"], "1.6", "{name}");
        assert_valid(&validator, &document);
    }
}

#[test]
fn spdx_output_is_valid_against_the_2_3_schema() {
    let validator = spdx_validator();
    for (name, inventory, _) in inventories() {
        let document = spdx_document(&inventory);
        assert_eq!(document["spdxVersion"], "SPDX-2.3", "{name}");
        assert_valid(&validator, &document);
    }
}

#[test]
fn the_validators_do_reject_broken_documents() {
    let mut document = bom(&small_inventory(), &[]);
    document["components"][0]["scope"] = "sometimes".into();
    assert!(!cyclonedx_validator().is_valid(&document));
    let mut document = bom(&small_inventory(), &[]);
    document["components"][0]["licenses"] =
        serde_json::json!([{"license": {"id": "Not-A-Licence"}}]);
    assert!(!cyclonedx_validator().is_valid(&document));
    let mut document = spdx_document(&small_inventory());
    document["packages"][1]["checksums"] = serde_json::json!([{"algorithm": "SHA256"}]);
    assert!(!spdx_validator().is_valid(&document));
}

#[test]
fn same_input_gives_byte_identical_output_and_the_time_changes_the_ids() {
    let inventory = full_inventory();
    let vulnerabilities = full_vulnerabilities();
    let first = cyclonedx(&inventory, &vulnerabilities, &options()).unwrap();
    let second = cyclonedx(&inventory.clone(), &vulnerabilities.clone(), &options()).unwrap();
    assert_eq!(first, second);
    let first_spdx = spdx(&inventory, &options()).unwrap();
    assert_eq!(first_spdx, spdx(&inventory.clone(), &options()).unwrap());

    let later = SbomOptions {
        timestamp: Timestamp::from_second(fixture::FIXED_EPOCH + 1).unwrap(),
        ..options()
    };
    let serial = |text: &str| -> String {
        serde_json::from_str::<Value>(text).unwrap()["serialNumber"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let namespace = |text: &str| -> String {
        serde_json::from_str::<Value>(text).unwrap()["documentNamespace"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_ne!(
        serial(&first),
        serial(&cyclonedx(&inventory, &vulnerabilities, &later).unwrap())
    );
    assert_ne!(
        namespace(&first_spdx),
        namespace(&spdx(&inventory, &later).unwrap())
    );
    assert_ne!(
        serial(&first),
        serial(&cyclonedx(&inventory, &[], &options()).unwrap())
    );
    assert!(serial(&first).starts_with("urn:uuid:"));
    assert!(namespace(&first_spdx).starts_with("https://spdx.org/spdxdocs/checkout-"));
}

#[test]
fn sub_second_precision_is_dropped_from_timestamps() {
    let precise = SbomOptions {
        timestamp: Timestamp::new(fixture::FIXED_EPOCH, 123_456_789).unwrap(),
        ..options()
    };
    let document: Value =
        serde_json::from_str(&cyclonedx(&small_inventory(), &[], &precise).unwrap()).unwrap();
    assert_eq!(document["metadata"]["timestamp"], "2024-05-01T12:00:00Z");
    let document: Value =
        serde_json::from_str(&spdx(&small_inventory(), &precise).unwrap()).unwrap();
    assert_eq!(document["creationInfo"]["created"], "2024-05-01T12:00:00Z");
}

fn component<'a>(document: &'a Value, purl: &str) -> &'a Value {
    document["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|component| component["bom-ref"] == purl)
        .unwrap_or_else(|| panic!("no component {purl}"))
}

fn property_values(component: &Value, name: &str) -> Vec<String> {
    component["properties"]
        .as_array()
        .map(|properties| {
            properties
                .iter()
                .filter(|property| property["name"] == name)
                .map(|property| property["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_cyclonedx_reference_resolves_and_refs_are_unique() {
    for (name, inventory, vulnerabilities) in inventories() {
        let document = bom(&inventory, &vulnerabilities);
        let mut refs = vec![
            document["metadata"]["component"]["bom-ref"]
                .as_str()
                .unwrap()
                .to_owned(),
        ];
        refs.extend(
            document["components"]
                .as_array()
                .unwrap()
                .iter()
                .map(|component| component["bom-ref"].as_str().unwrap().to_owned()),
        );
        let known: BTreeSet<&String> = refs.iter().collect();
        assert_eq!(known.len(), refs.len(), "{name}: duplicate bom-ref");
        let dependencies = document["dependencies"].as_array().unwrap();
        assert_eq!(
            dependencies.len(),
            refs.len(),
            "{name}: one dependency entry per component"
        );
        for dependency in dependencies {
            assert!(known.contains(&dependency["ref"].as_str().unwrap().to_owned()));
            for target in dependency["dependsOn"].as_array().unwrap() {
                assert!(
                    known.contains(&target.as_str().unwrap().to_owned()),
                    "{name}: {target}"
                );
            }
        }
        for vulnerability in document["vulnerabilities"].as_array().into_iter().flatten() {
            for affect in vulnerability["affects"].as_array().unwrap() {
                assert!(known.contains(&affect["ref"].as_str().unwrap().to_owned()));
            }
        }
    }
}

#[test]
fn the_project_is_the_root_and_its_own_lockfile_entry_is_merged_into_it() {
    let document = bom(&small_inventory(), &[]);
    let root = &document["metadata"]["component"];
    assert_eq!(root["name"], "acme-app");
    assert_eq!(root["version"], "1.2.0");
    assert_eq!(root["bom-ref"], "pkg:cargo/acme-app@1.2.0");
    assert!(
        document["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "acme-app"),
        "the project is not also a library component"
    );
    let root_dependencies = &document["dependencies"][0];
    assert_eq!(root_dependencies["ref"], "pkg:cargo/acme-app@1.2.0");
    assert_eq!(
        root_dependencies["dependsOn"],
        serde_json::json!([
            "pkg:cargo/insta@1.39.0",
            "pkg:cargo/serde@1.0.200",
            "pkg:cargo/smallvec@1.11.0"
        ])
    );
}

#[test]
fn several_projects_fall_back_to_the_given_name_and_an_explicit_name_wins() {
    let document = bom(&full_inventory(), &[]);
    assert_eq!(document["metadata"]["component"]["name"], "checkout");
    assert_eq!(
        document["metadata"]["component"]["bom-ref"],
        "root:checkout"
    );
    let named = SbomOptions {
        root_name: Some("release-7".into()),
        ..options()
    };
    let document: Value =
        serde_json::from_str(&cyclonedx(&small_inventory(), &[], &named).unwrap()).unwrap();
    assert_eq!(document["metadata"]["component"]["name"], "release-7");
    assert!(document["metadata"]["component"].get("purl").is_none());
    assert!(
        document["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "acme-app"),
        "without the manifest's identity the project's entry stays a component"
    );
}

#[test]
fn the_same_package_in_two_lockfiles_is_one_component_with_both_places() {
    let document = bom(&full_inventory(), &[]);
    let lodash = component(&document, "pkg:npm/lodash@4.17.20");
    assert_eq!(
        property_values(lodash, "shipgate:lockfile"),
        ["docs/yarn.lock:5", "web/package-lock.json:20"]
    );
    assert_eq!(
        lodash["scope"], "required",
        "runtime use in one lockfile outweighs dev use in another"
    );
    assert_eq!(property_values(lodash, "shipgate:relation"), ["direct"]);
    let hashes = lodash["hashes"].as_array().unwrap();
    assert_eq!(hashes.len(), 1, "malformed hashes are dropped: {hashes:?}");
    assert_eq!(hashes[0]["alg"], "SHA-512");
    let count = document["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["purl"] == "pkg:npm/lodash@4.17.20")
        .count();
    assert_eq!(count, 1);
}

#[test]
fn scopes_groups_and_sources_map_to_cyclonedx_fields() {
    let document = bom(&full_inventory(), &[]);
    let babel = component(&document, "pkg:npm/%40babel/core@7.24.0");
    assert_eq!(babel["scope"], "excluded");
    assert_eq!(babel["group"], "@babel");
    assert_eq!(babel["name"], "core");
    assert_eq!(
        component(&document, "pkg:npm/fsevents@2.3.3")["scope"],
        "optional"
    );
    let gin = component(&document, "pkg:golang/github.com/gin-gonic/gin@v1.9.0");
    assert!(gin.get("scope").is_none(), "unknown scope is left unsaid");
    assert_eq!(gin["group"], "github.com/gin-gonic");
    let log4j = component(
        &document,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
    );
    assert_eq!(log4j["group"], "org.apache.logging.log4j");
    assert_eq!(log4j["name"], "log4j-core");
    assert_eq!(
        property_values(log4j, "shipgate:lockfile"),
        ["svc/pom.xml:20"]
    );
    let api = component(
        &document,
        "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1",
    );
    assert_eq!(
        property_values(api, "shipgate:lockfile"),
        ["svc/pom.xml"],
        "unknown line is left out"
    );
    let tarball = component(&document, "pkg:npm/tarball-pkg@1.0.0");
    assert_eq!(tarball["externalReferences"][0]["type"], "distribution");
    let tokio = component(&document, "pkg:cargo/tokio@1.37.0");
    let algorithms: Vec<&str> = tokio["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["alg"].as_str().unwrap())
        .collect();
    assert_eq!(algorithms, ["MD5", "SHA-384"]);
    let unversioned = component(&document, "pkg:cargo/unversioned");
    assert!(unversioned.get("version").is_none());
}

#[test]
fn licences_are_ids_expressions_or_names() {
    let document = bom(&full_inventory(), &[]);
    let licenses = |purl: &str| component(&document, purl)["licenses"].clone();
    assert_eq!(
        licenses("pkg:pypi/django@4.2.0"),
        serde_json::json!([{"license": {"id": "BSD-3-Clause"}}])
    );
    assert_eq!(
        licenses("pkg:composer/monolog/monolog@3.5.0"),
        serde_json::json!([{"expression": "GPL-2.0-or-later AND MIT"}])
    );
    assert_eq!(
        licenses("pkg:npm/left-pad@1.3.0"),
        serde_json::json!([{"license": {"name": "Custom: see LICENSE file"}}])
    );
    assert_eq!(
        licenses("pkg:npm/dual@1.0.0"),
        serde_json::json!([{"expression": "MIT OR LicenseRef-Acme-Commercial"}])
    );
    assert!(
        component(&document, "pkg:golang/golang.org/x/net@v0.17.0")
            .get("licenses")
            .is_none()
    );
}

#[test]
fn vulnerabilities_are_merged_by_id_and_point_at_components() {
    let document = bom(&full_inventory(), &full_vulnerabilities());
    let vulnerabilities = document["vulnerabilities"].as_array().unwrap();
    let ids: Vec<&str> = vulnerabilities
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "GHSA-35jh-r3h4-6jhm",
            "GHSA-dddd-eeee-ffff",
            "GHSA-jfh8-c2jp-5v3q",
            "OSV-2024-0002",
            "RUSTSEC-2024-0003"
        ]
    );
    let lodash = &vulnerabilities[0];
    assert_eq!(
        lodash["affects"],
        serde_json::json!([{"ref": "pkg:npm/lodash@4.17.20"}])
    );
    assert_eq!(lodash["recommendation"], "Upgrade to one of 4.17.21, 5.0.0");
    assert_eq!(lodash["references"][0]["id"], "CVE-2021-23337");
    assert_eq!(lodash["references"][0]["source"]["name"], "NVD");
    assert!(
        lodash["ratings"][0].get("score").is_none(),
        "a NaN score is left out"
    );
    assert_eq!(lodash["ratings"][0]["severity"], "high");
    let log4shell = &vulnerabilities[2];
    assert_eq!(log4shell["ratings"][0]["method"], "CVSSv31");
    assert_eq!(log4shell["ratings"][0]["score"], 10.0);
    assert_eq!(log4shell["ratings"][0]["severity"], "critical");
    assert_eq!(log4shell["recommendation"], "Upgrade to 2.15.0");
    assert_eq!(
        log4shell["advisories"][0]["url"],
        "https://osv.dev/vulnerability/GHSA-jfh8-c2jp-5v3q"
    );
    assert_eq!(log4shell["published"], "2021-12-10T00:00:00Z");
    assert_eq!(
        log4shell["detail"],
        "JNDI lookups in logged messages load remote code."
    );
    assert_eq!(vulnerabilities[1]["ratings"][0]["method"], "CVSSv4");
    let elsewhere = &vulnerabilities[3];
    assert_eq!(elsewhere["affects"], serde_json::json!([]));
    assert!(
        elsewhere.get("advisories").is_none(),
        "an empty URL is no advisory"
    );
    assert_eq!(vulnerabilities[4]["ratings"][0]["severity"], "info");
    assert_eq!(vulnerabilities[4]["ratings"][0]["method"], "CVSSv2");
}

fn spdx_package<'a>(document: &'a Value, name: &str) -> &'a Value {
    document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|package| package["name"] == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

fn has_relationship(document: &Value, from: &Value, kind: &str, to: &Value) -> bool {
    document["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .any(|relationship| {
            relationship["spdxElementId"] == *from
                && relationship["relationshipType"] == kind
                && relationship["relatedSpdxElement"] == *to
        })
}

#[test]
fn every_spdx_relationship_resolves_and_ids_are_unique() {
    for (name, inventory, _) in inventories() {
        let document = spdx_document(&inventory);
        let ids: Vec<&str> = document["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["SPDXID"].as_str().unwrap())
            .collect();
        let known: BTreeSet<&str> = ids.iter().copied().chain(["SPDXRef-DOCUMENT"]).collect();
        assert_eq!(known.len(), ids.len() + 1, "{name}: duplicate SPDXID");
        for relationship in document["relationships"].as_array().unwrap() {
            assert!(
                known.contains(relationship["spdxElementId"].as_str().unwrap()),
                "{name}"
            );
            assert!(
                known.contains(relationship["relatedSpdxElement"].as_str().unwrap()),
                "{name}"
            );
        }
        assert_eq!(
            document["relationships"][0]["relationshipType"],
            "DESCRIBES"
        );
        assert_eq!(
            document["documentDescribes"],
            serde_json::json!(["SPDXRef-RootPackage"])
        );
    }
}

#[test]
fn spdx_packages_carry_purls_checksums_licences_and_scoped_relationships() {
    let document = spdx_document(&full_inventory());
    let root = serde_json::json!("SPDXRef-RootPackage");
    let django = spdx_package(&document, "Django");
    assert_eq!(
        django["externalRefs"][0]["referenceLocator"],
        "pkg:pypi/django@4.2.0"
    );
    assert_eq!(django["externalRefs"][0]["referenceType"], "purl");
    assert_eq!(django["checksums"][0]["algorithm"], "SHA256");
    assert_eq!(django["licenseDeclared"], "BSD-3-Clause");
    assert_eq!(django["licenseConcluded"], "NOASSERTION");
    assert_eq!(django["comment"], "Found in api/poetry.lock:12.");
    assert!(has_relationship(
        &document,
        &root,
        "DEPENDS_ON",
        &django["SPDXID"]
    ));
    let asgiref = spdx_package(&document, "asgiref");
    assert!(has_relationship(
        &document,
        &django["SPDXID"],
        "DEPENDS_ON",
        &asgiref["SPDXID"]
    ));
    let pytest = spdx_package(&document, "pytest");
    assert!(has_relationship(
        &document,
        &pytest["SPDXID"],
        "DEV_DEPENDENCY_OF",
        &root
    ));
    assert!(!has_relationship(
        &document,
        &root,
        "DEPENDS_ON",
        &pytest["SPDXID"]
    ));
    let fsevents = spdx_package(&document, "fsevents");
    assert!(has_relationship(
        &document,
        &fsevents["SPDXID"],
        "OPTIONAL_DEPENDENCY_OF",
        &root
    ));
    let gin = spdx_package(&document, "github.com/gin-gonic/gin");
    assert!(
        has_relationship(&document, &root, "DEPENDS_ON", &gin["SPDXID"]),
        "without relations, what nothing else needs is top level"
    );
    let net = spdx_package(&document, "golang.org/x/net");
    assert!(!has_relationship(
        &document,
        &root,
        "DEPENDS_ON",
        &net["SPDXID"]
    ));

    let left_pad = spdx_package(&document, "left-pad");
    assert_eq!(left_pad["licenseDeclared"], "NOASSERTION");
    assert!(
        left_pad["licenseComments"]
            .as_str()
            .unwrap()
            .contains("Custom: see LICENSE file")
    );
    let dual = spdx_package(&document, "dual");
    assert_eq!(
        dual["licenseDeclared"], "NOASSERTION",
        "undefined LicenseRefs are not asserted"
    );
    assert!(
        dual["licenseComments"]
            .as_str()
            .unwrap()
            .contains("LicenseRef-Acme-Commercial")
    );
    assert_eq!(
        spdx_package(&document, "monolog/monolog")["licenseDeclared"],
        "GPL-2.0-or-later AND MIT"
    );
    assert_eq!(
        spdx_package(&document, "tarball-pkg")["downloadLocation"],
        "https://example.com/tarball-pkg-1.0.0.tgz"
    );
    assert_eq!(
        spdx_package(&document, "@acme/private")["downloadLocation"],
        "NOASSERTION"
    );
    let tokio = spdx_package(&document, "tokio");
    let algorithms: Vec<&str> = tokio["checksums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(algorithms, ["MD5", "SHA384"]);
    assert_eq!(
        document["creationInfo"]["creators"],
        serde_json::json!(["Tool: shipgate-0.1.0"])
    );
}

#[test]
fn a_package_of_every_ecosystem_gets_its_purl_type() {
    let document = bom(&full_inventory(), &[]);
    let purls: BTreeSet<String> = document["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["purl"]
                .as_str()
                .unwrap()
                .split('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    for ecosystem in Ecosystem::ALL {
        assert!(
            purls.contains(&format!("pkg:{}", ecosystem.purl_type())),
            "{ecosystem}"
        );
    }
}

#[test]
fn small_cyclonedx_snapshot() {
    insta::assert_snapshot!(
        cyclonedx(&small_inventory(), &small_vulnerabilities(), &options()).unwrap()
    );
}

#[test]
fn small_spdx_snapshot() {
    insta::assert_snapshot!(spdx(&small_inventory(), &options()).unwrap());
}

#[test]
fn packages_built_from_package_new_are_accepted() {
    let package = Package::new(Ecosystem::Hex, "plug", "1.15.0");
    let inventory = Inventory {
        lockfiles: vec![lockfile(
            "mix.lock",
            LockfileKind::MixLock,
            None,
            vec![package],
        )],
        errors: Vec::new(),
    };
    let document = bom(&inventory, &[]);
    assert_eq!(document["components"][0]["purl"], "pkg:hex/plug@1.15.0");
    assert_eq!(
        document["dependencies"][0]["dependsOn"],
        serde_json::json!(["pkg:hex/plug@1.15.0"])
    );
}

#[test]
fn the_content_id_replaces_only_the_identity_even_when_names_look_like_it() {
    let placeholder = "00000000-0000-0000-0000-000000000000";
    let tricky = SbomOptions {
        root_name: Some(format!("{placeholder}\"")),
        namespace_base: format!("https://example.com/{placeholder}"),
        ..options()
    };
    let document: Value =
        serde_json::from_str(&spdx(&small_inventory(), &tricky).unwrap()).unwrap();
    let namespace = document["documentNamespace"].as_str().unwrap();
    assert!(namespace.starts_with(&format!(
        "https://example.com/{placeholder}/{placeholder}--"
    )));
    assert!(!namespace.ends_with(placeholder), "{namespace}");
    assert_eq!(document["name"], format!("{placeholder}\""));
    let document: Value =
        serde_json::from_str(&cyclonedx(&small_inventory(), &[], &tricky).unwrap()).unwrap();
    assert!(
        !document["serialNumber"]
            .as_str()
            .unwrap()
            .contains(placeholder)
    );
    assert_eq!(
        document["metadata"]["component"]["name"],
        format!("{placeholder}\"")
    );
    assert_valid(&cyclonedx_validator(), &document);
}
