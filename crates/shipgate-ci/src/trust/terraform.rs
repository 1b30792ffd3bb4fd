//! Trust policies written in Terraform: AWS role trust documents (inline,
//! heredoc, `jsonencode`, `aws_iam_policy_document`, `file()`), GCP
//! workload identity providers and IAM bindings, Azure federated identity
//! credentials and Vault JWT roles.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use rayon::prelude::*;
use regex::Regex;

use super::claims::narrowest;
use super::iam::{self, Origin, Providers};
use super::tree::{self, Kind, Placement, Val};
use super::{ClaimTest, ClaimValue, Cloud, Issuer, TrustPolicy};
use crate::repo::join_relative;

/// One parsed Terraform file.
struct TfFile<'a> {
    path: &'a str,
    text: &'a str,
    body: Body,
}

impl TfFile<'_> {
    /// `(kind, type, name, block)` of every `resource` and `data` block.
    fn blocks(&self) -> impl Iterator<Item = (&str, &str, &str, &Block)> {
        self.body.blocks().filter_map(|block| {
            let kind = block.ident.as_str();
            if kind != "resource" && kind != "data" {
                return None;
            }
            let [kind_label, name] = block.labels.as_slice() else {
                return None;
            };
            Some((kind, kind_label.as_str(), name.as_str(), block))
        })
    }
}

/// The Terraform address of a block: `aws_iam_role.x` or `data.x.y`.
fn address(kind: &str, type_name: &str, name: &str) -> String {
    if kind == "data" {
        format!("data.{type_name}.{name}")
    } else {
        format!("{type_name}.{name}")
    }
}

/// The literal string value of attribute `key`.
fn literal<'b>(body: &'b Body, key: &str) -> Option<&'b str> {
    body.get_attribute(key)?.value.as_str()
}

/// The span of a block's header (`resource "type" "name"`), where findings
/// about something missing from the block point.
fn header_span(block: &Block) -> Range<usize> {
    let start = block.span().map_or(0, |s| s.start);
    let end = block
        .labels
        .last()
        .and_then(Span::span)
        .map_or(start, |s| s.end);
    start..end.max(start)
}

/// Whatever repository-wide facts the policies of one file refer to.
#[derive(Default)]
struct Index {
    providers: Providers,
    /// GCP pool address → pool id.
    pools: BTreeMap<String, String>,
    /// GCP pool id → (issuer, provider conditions).
    pool_providers: BTreeMap<String, (Option<Issuer>, Vec<ClaimTest>)>,
    /// Vault backend address and mount path → issuer.
    vault_backends: BTreeMap<String, Issuer>,
    /// Policy document address (or JSON file path) → role names using it.
    role_names: BTreeMap<String, Vec<String>>,
}

/// Every trust policy in `files` (path, text); files that are not valid
/// HCL are skipped.
pub(crate) fn policies(files: &[(&str, &str)]) -> Vec<TrustPolicy> {
    let parsed: Vec<TfFile<'_>> = files
        .par_iter()
        .filter_map(|(path, text)| {
            Some(TfFile {
                path,
                text,
                body: hcl_edit::parser::parse_body(text).ok()?,
            })
        })
        .collect();
    let index = index(&parsed);
    let mut found: Vec<TrustPolicy> = parsed
        .par_iter()
        .flat_map_iter(|file| file_policies(file, &index))
        .collect();
    found.sort_by(|a, b| (&a.path, a.anchor.start).cmp(&(&b.path, b.anchor.start)));
    found
}

/// Names the roles of JSON trust documents that Terraform loads with
/// `file()`, and adds those documents to `found`.
pub(crate) fn name_json_roles(
    files: &[(&str, &str)],
    json: impl Iterator<Item = TrustPolicy>,
    found: &mut Vec<TrustPolicy>,
) {
    let parsed: Vec<TfFile<'_>> = files
        .iter()
        .filter(|(_, text)| text.contains("file("))
        .filter_map(|(path, text)| {
            Some(TfFile {
                path,
                text,
                body: hcl_edit::parser::parse_body(text).ok()?,
            })
        })
        .collect();
    let index = index(&parsed);
    for mut policy in json {
        if let Some(names) = index.role_names.get(&policy.path) {
            policy.identities.extend(names.iter().cloned());
        }
        found.push(policy);
    }
}

fn index(files: &[TfFile<'_>]) -> Index {
    let mut index = Index::default();
    for file in files {
        for (kind, type_name, name, block) in file.blocks() {
            let addr = address(kind, type_name, name);
            let body = &block.body;
            match type_name {
                "aws_iam_openid_connect_provider" => {
                    if let Some(url) = literal(body, "url") {
                        index.providers.insert(addr, url.to_owned());
                    }
                }
                "google_iam_workload_identity_pool" => {
                    if let Some(id) = literal(body, "workload_identity_pool_id") {
                        index.pools.insert(addr, id.to_owned());
                    }
                }
                "vault_jwt_auth_backend" => {
                    let issuer = ["bound_issuer", "oidc_discovery_url", "jwks_url"]
                        .iter()
                        .find_map(|key| literal(body, key).and_then(Issuer::from_text));
                    if let Some(issuer) = issuer {
                        let path = literal(body, "path").unwrap_or("jwt").to_owned();
                        index.vault_backends.insert(addr, issuer);
                        index.vault_backends.insert(path, issuer);
                    }
                }
                "aws_iam_role" => {
                    let Some(policy) = body.get_attribute("assume_role_policy") else {
                        continue;
                    };
                    let role = literal(body, "name").unwrap_or(name).to_owned();
                    let source = file.text.get(policy.value.span().unwrap_or(0..0));
                    let Some(source) = source else { continue };
                    if let Some(doc) = DOCUMENT_REFERENCE.captures(source) {
                        index
                            .role_names
                            .entry(doc[1].to_owned())
                            .or_default()
                            .push(role);
                    } else if let Some(json) = FILE_CALL.captures(source) {
                        let dir = file.path.rsplit_once('/').map_or("", |(dir, _)| dir);
                        if let Some(path) = join_relative(dir, &json[1]) {
                            index.role_names.entry(path).or_default().push(role);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for file in files {
        for (_, type_name, _, block) in file.blocks() {
            if type_name == "google_iam_workload_identity_pool_provider"
                && let Some(pool) = pool_id(&block.body, &index)
            {
                let conditions = gcp_conditions(&block.body, file.text);
                let issuer = gcp_issuer(&block.body);
                index.pool_providers.insert(pool, (issuer, conditions));
            }
        }
    }
    index
}

static DOCUMENT_REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(data\.aws_iam_policy_document\.[\w-]+)\.json").unwrap_or_else(|_| unreachable!())
});

static FILE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"file\(\s*"(?:\$\{path\.(?:module|root)\}/)?([^"$]+\.json)"\s*\)"#)
        .unwrap_or_else(|_| unreachable!())
});

fn file_policies(file: &TfFile<'_>, index: &Index) -> Vec<TrustPolicy> {
    let mut found = Vec::new();
    for (kind, type_name, name, block) in file.blocks() {
        let addr = address(kind, type_name, name);
        let body = &block.body;
        match type_name {
            "aws_iam_role" => {
                let identities = vec![literal(body, "name").unwrap_or(name).to_owned()];
                for mut policy in role_policies(file, &addr, body, index) {
                    policy.identities.clone_from(&identities);
                    found.push(policy);
                }
            }
            "aws_iam_policy_document" if kind == "data" => {
                let doc = policy_document(body, file.text);
                let origin = Origin {
                    path: file.path,
                    name: &addr,
                    symbolic: &addr,
                    statement_key: "statement",
                };
                for mut policy in iam::statements(&doc, &origin, &index.providers) {
                    policy.identities = index.role_names.get(&addr).cloned().unwrap_or_default();
                    found.push(policy);
                }
            }
            "google_iam_workload_identity_pool_provider" => {
                found.extend(gcp_provider(file, &addr, block, index));
            }
            "azurerm_federated_identity_credential"
            | "azuread_application_federated_identity_credential" => {
                found.extend(azure_credential(file, &addr, block));
            }
            "vault_jwt_auth_backend_role" => {
                found.extend(vault_role(file, &addr, block, index));
            }
            other
                if other.starts_with("google_")
                    && (other.ends_with("_iam_member") || other.ends_with("_iam_binding")) =>
            {
                found.extend(gcp_bindings(file, &addr, block, index));
            }
            _ => {}
        }
    }
    found
}

/// The trust statements of an `aws_iam_role`'s inline `assume_role_policy`.
fn role_policies(file: &TfFile<'_>, addr: &str, body: &Body, index: &Index) -> Vec<TrustPolicy> {
    let Some(attribute) = body.get_attribute("assume_role_policy") else {
        return Vec::new();
    };
    let value = &attribute.value;
    let span = value.span().unwrap_or(0..0);
    let doc = match value {
        Expression::HeredocTemplate(heredoc) => {
            let elements: Vec<Range<usize>> = heredoc
                .template
                .iter()
                .filter_map(|e| match e {
                    hcl_edit::template::Element::Literal(l) => l.span(),
                    _ => None,
                })
                .collect();
            let (Some(first), Some(last)) = (elements.first(), elements.last()) else {
                return Vec::new();
            };
            let Some(text) = file.text.get(first.start..last.end) else {
                return Vec::new();
            };
            tree::from_json(text, &Placement::At(first.start))
        }
        Expression::String(json) => tree::from_json(json.value(), &Placement::Within(span.clone())),
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
            Some(tree::from_hcl(value, file.text, &span))
        }
        _ => None,
    };
    let Some(doc) = doc else {
        return Vec::new();
    };
    let symbolic = format!("{addr}.assume_role_policy");
    let origin = Origin {
        path: file.path,
        name: addr,
        symbolic: &symbolic,
        statement_key: "Statement",
    };
    iam::statements(&doc, &origin, &index.providers)
}

/// An `aws_iam_policy_document` data source as an IAM JSON-shaped tree.
fn policy_document(body: &Body, source: &str) -> Val {
    let whole = body.span().unwrap_or(0..0);
    let attr = |body: &Body, key: &str| {
        body.get_attribute(key)
            .map(|a| tree::from_hcl(&a.value, source, &whole))
    };
    let map = |entries: Vec<(String, Range<usize>, Val)>, span: Range<usize>| Val {
        kind: Kind::Map(entries),
        span,
    };
    let statements = body
        .get_blocks("statement")
        .map(|statement| {
            let span = statement.span().unwrap_or_else(|| whole.clone());
            let body = &statement.body;
            let mut entries = Vec::new();
            for (key, name) in [("effect", "Effect"), ("actions", "Action")] {
                if let Some(value) = attr(body, key) {
                    entries.push((name.to_owned(), value.span.clone(), value));
                }
            }
            let federated: Vec<Val> = body
                .get_blocks("principals")
                .filter(|p| literal(&p.body, "type") == Some("Federated"))
                .filter_map(|p| attr(&p.body, "identifiers"))
                .flat_map(|ids| match ids.kind {
                    Kind::List(items) => items,
                    _ => vec![ids],
                })
                .collect();
            if let Some(first) = federated.first() {
                let span = first.span.clone();
                let list = Val {
                    kind: Kind::List(federated),
                    span: span.clone(),
                };
                entries.push((
                    "Principal".to_owned(),
                    span.clone(),
                    map(vec![("Federated".to_owned(), span.clone(), list)], span),
                ));
            }
            let conditions: Vec<(String, Range<usize>, Val)> = body
                .get_blocks("condition")
                .filter_map(|c| {
                    let test = literal(&c.body, "test")?;
                    let variable = c.body.get_attribute("variable")?;
                    let values = attr(&c.body, "values")?;
                    let var_span = variable.span().unwrap_or_else(|| span.clone());
                    let name = tree::from_hcl(&variable.value, source, &var_span)
                        .text()?
                        .to_owned();
                    let block_span = c.span().unwrap_or_else(|| span.clone());
                    Some((
                        test.to_owned(),
                        block_span.clone(),
                        map(vec![(name, var_span, values)], block_span),
                    ))
                })
                .collect();
            entries.push((
                "Condition".to_owned(),
                span.clone(),
                map(conditions, span.clone()),
            ));
            map(entries, span)
        })
        .collect();
    map(
        vec![(
            "statement".to_owned(),
            whole.clone(),
            Val {
                kind: Kind::List(statements),
                span: whole.clone(),
            },
        )],
        whole,
    )
}

fn pool_id(body: &Body, index: &Index) -> Option<String> {
    let value = &body.get_attribute("workload_identity_pool_id")?.value;
    if let Some(id) = value.as_str() {
        return Some(id.to_owned());
    }
    let text = value.to_string();
    index
        .pools
        .iter()
        .find(|(addr, _)| text.contains(addr.as_str()))
        .map(|(_, id)| id.clone())
}

fn gcp_issuer(body: &Body) -> Option<Issuer> {
    body.get_blocks("oidc")
        .find_map(|oidc| literal(&oidc.body, "issuer_uri"))
        .and_then(Issuer::from_text)
}

/// `attribute.X` → the assertion claim it is mapped from.
fn attribute_mapping(body: &Body) -> BTreeMap<String, String> {
    let Some(Expression::Object(object)) =
        body.get_attribute("attribute_mapping").map(|a| &a.value)
    else {
        return BTreeMap::new();
    };
    object
        .iter()
        .filter_map(|(key, value)| {
            let key = match key {
                hcl_edit::expr::ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                hcl_edit::expr::ObjectKey::Expression(expr) => expr.as_str()?.to_owned(),
            };
            let claim = value.expr().as_str()?.trim().strip_prefix("assertion.")?;
            let attribute = key
                .strip_prefix("attribute.")
                .or_else(|| (key == "google.subject").then_some("subject"))?;
            claim
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                .then(|| (attribute.to_owned(), claim.to_owned()))
        })
        .collect()
}

static CEL_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?x)
        (?:assertion|attribute|google)\.(?P<claim>\w+)\s*
        (?:
            ==\s*(?:'(?P<eq1>[^']*)'|"(?P<eq2>[^"]*)")
          | \.startsWith\(\s*(?:'(?P<sw1>[^']*)'|"(?P<sw2>[^"]*)")\s*\)
          | \.matches\(\s*(?:'(?P<re1>[^']*)'|"(?P<re2>[^"]*)")\s*\)
          | \s+in\s*\[(?P<list>[^\]]*)\]
        )"#,
    )
    .unwrap_or_else(|_| unreachable!())
});

static CEL_LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"'([^']*)'|"([^"]*)""#).unwrap_or_else(|_| unreachable!()));

/// The claim tests of a GCP `attribute_condition` (CEL). Of `||`
/// alternatives, the one that admits most is kept, since any of them lets
/// a token in.
fn gcp_conditions(body: &Body, source: &str) -> Vec<ClaimTest> {
    let Some(attribute) = body.get_attribute("attribute_condition") else {
        return Vec::new();
    };
    let span = attribute.value.span().unwrap_or(0..0);
    let Some(text) = attribute.value.as_str() else {
        return Vec::new();
    };
    let mapping = attribute_mapping(body);
    // Offsets inside the quoted string are exact when it has no escapes.
    let verbatim = source.get(span.start + 1..span.end.saturating_sub(1)) == Some(text);
    let place = |range: Range<usize>| {
        if verbatim {
            span.start + 1 + range.start..span.start + 1 + range.end
        } else {
            span.clone()
        }
    };
    let mut offset = 0;
    let mut alternatives = Vec::new();
    for part in text.split("||") {
        alternatives.push(cel_tests(part, offset, &mapping, &place));
        offset += part.len() + 2;
    }
    alternatives
        .into_iter()
        .max_by_key(|tests| {
            narrowest(Issuer::Github, tests).map_or((1, super::Reach::AnyOwner), |j| (0, j.reach))
        })
        .unwrap_or_default()
}

fn cel_tests(
    text: &str,
    offset: usize,
    mapping: &BTreeMap<String, String>,
    place: &dyn Fn(Range<usize>) -> Range<usize>,
) -> Vec<ClaimTest> {
    CEL_TEST
        .captures_iter(text)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let raw_claim = &caps["claim"];
            let claim = mapping.get(raw_claim).map_or(raw_claim, String::as_str);
            let claim = if claim == "subject" { "sub" } else { claim };
            let at = |m: regex::Match<'_>| place(offset + m.start()..offset + m.end());
            let (glob, values) = if let Some(m) = caps.name("eq1").or(caps.name("eq2")) {
                (
                    false,
                    vec![ClaimValue {
                        text: m.as_str().to_owned(),
                        span: at(m),
                    }],
                )
            } else if let Some(m) = caps.name("sw1").or(caps.name("sw2")) {
                (
                    true,
                    vec![ClaimValue {
                        text: format!("{}*", m.as_str()),
                        span: at(m),
                    }],
                )
            } else if let Some(m) = caps.name("re1").or(caps.name("re2")) {
                (
                    true,
                    vec![ClaimValue {
                        text: regex_as_glob(m.as_str()),
                        span: at(m),
                    }],
                )
            } else {
                let list = caps.name("list")?;
                let values = CEL_LIST_ITEM
                    .captures_iter(list.as_str())
                    .filter_map(|item| {
                        let m = item.get(1).or(item.get(2))?;
                        Some(ClaimValue {
                            text: m.as_str().to_owned(),
                            span: place(
                                offset + list.start() + m.start()..offset + list.start() + m.end(),
                            ),
                        })
                    })
                    .collect();
                (false, values)
            };
            Some(ClaimTest {
                claim: claim.to_owned(),
                glob,
                values,
                span: place(offset + whole.start()..offset + whole.end()),
            })
        })
        .collect()
}

/// A CEL `matches()` pattern as a glob: what it can match, widened.
fn regex_as_glob(pattern: &str) -> String {
    let mut glob = pattern
        .replace(".*", "*")
        .replace(".+", "*")
        .replace('\\', "");
    match glob.strip_prefix('^') {
        Some(rest) => glob = rest.to_owned(),
        None => glob.insert(0, '*'),
    }
    match glob.strip_suffix('$') {
        Some(rest) => glob = rest.to_owned(),
        None => glob.push('*'),
    }
    glob
}

fn gcp_provider(
    file: &TfFile<'_>,
    addr: &str,
    block: &Block,
    index: &Index,
) -> Option<TrustPolicy> {
    let body = &block.body;
    let issuer = gcp_issuer(body)?;
    let mut identities = Vec::new();
    identities.extend(literal(body, "workload_identity_pool_provider_id").map(str::to_owned));
    identities.extend(pool_id(body, index));
    let anchor = body
        .get_attribute("attribute_condition")
        .and_then(|a| a.value.span())
        .unwrap_or_else(|| header_span(block));
    Some(TrustPolicy {
        path: file.path.to_owned(),
        cloud: Cloud::Gcp,
        issuer,
        name: addr.to_owned(),
        symbolic: format!("{addr}.attribute_condition"),
        anchor,
        identities,
        conditions: gcp_conditions(body, file.text),
        audience_required: false,
    })
}

static POOL_IN_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"workloadIdentityPools/([\w-]+)/|\$\{(google_iam_workload_identity_pool\.[\w-]+)\.")
        .unwrap_or_else(|_| unreachable!())
});

/// IAM bindings of workload identities: `principalSet://…/attribute.X/V`
/// and `principal://…/subject/S` members.
fn gcp_bindings(file: &TfFile<'_>, addr: &str, block: &Block, index: &Index) -> Vec<TrustPolicy> {
    let body = &block.body;
    let whole = body.span().unwrap_or(0..0);
    let members = ["member", "members"]
        .iter()
        .filter_map(|key| body.get_attribute(key))
        .map(|a| tree::from_hcl(&a.value, file.text, &whole))
        .collect::<Vec<_>>();
    let mut found = Vec::new();
    for member in members.iter().flat_map(Val::items) {
        let Some(text) = member.text() else { continue };
        if !text.starts_with("principal")
            || !text.contains("workloadIdentityPools")
                && !text.contains("google_iam_workload_identity_pool")
        {
            continue;
        }
        let pool = POOL_IN_MEMBER.captures(text).and_then(|caps| {
            caps.get(1)
                .map(|m| m.as_str().to_owned())
                .or_else(|| index.pools.get(caps.get(2)?.as_str()).cloned())
        });
        let provider = pool.as_ref().and_then(|p| index.pool_providers.get(p));
        let test = if let Some((_, value)) = text.split_once("/attribute.") {
            let (claim, value) = value.split_once('/').unwrap_or((value, ""));
            Some((claim.to_owned(), value.to_owned()))
        } else {
            text.split_once("/subject/")
                .map(|(_, value)| ("sub".to_owned(), value.to_owned()))
        };
        let Some((claim, value)) = test else {
            // Every identity of the pool: as narrow as the pool's provider,
            // which is judged on its own.
            continue;
        };
        let issuer = provider.and_then(|(issuer, _)| *issuer).or_else(|| {
            if claim.starts_with("project")
                || claim.starts_with("namespace")
                || value.starts_with("project_path:")
            {
                Some(Issuer::Gitlab)
            } else {
                Some(Issuer::Github)
            }
        });
        let Some(issuer) = issuer else { continue };
        let mut conditions = vec![ClaimTest {
            claim,
            glob: false,
            values: vec![ClaimValue {
                text: value,
                span: member.span.clone(),
            }],
            span: member.span.clone(),
        }];
        if let Some((_, provider_conditions)) = provider {
            conditions.extend(provider_conditions.iter().cloned());
        }
        found.push(TrustPolicy {
            path: file.path.to_owned(),
            cloud: Cloud::Gcp,
            issuer,
            name: addr.to_owned(),
            symbolic: format!("{addr}.member"),
            anchor: member.span.clone(),
            identities: pool.into_iter().collect(),
            conditions,
            audience_required: false,
        });
    }
    found
}

fn azure_credential(file: &TfFile<'_>, addr: &str, block: &Block) -> Option<TrustPolicy> {
    let body = &block.body;
    let issuer = literal(body, "issuer").and_then(Issuer::from_text)?;
    let subject = body.get_attribute("subject")?;
    let span = subject.value.span().unwrap_or_else(|| header_span(block));
    let text = tree::from_hcl(&subject.value, file.text, &span)
        .text()?
        .to_owned();
    let mut identities = Vec::new();
    identities.extend(
        literal(body, "name")
            .or(literal(body, "display_name"))
            .map(str::to_owned),
    );
    Some(TrustPolicy {
        path: file.path.to_owned(),
        cloud: Cloud::Azure,
        issuer,
        name: addr.to_owned(),
        symbolic: format!("{addr}.subject"),
        anchor: span.clone(),
        identities,
        conditions: vec![ClaimTest {
            claim: "sub".to_owned(),
            glob: false,
            values: vec![ClaimValue {
                text,
                span: span.clone(),
            }],
            span,
        }],
        audience_required: false,
    })
}

fn vault_role(file: &TfFile<'_>, addr: &str, block: &Block, index: &Index) -> Option<TrustPolicy> {
    let body = &block.body;
    if literal(body, "role_type") != Some("jwt") {
        return None;
    }
    let whole = body.span().unwrap_or(0..0);
    let glob = literal(body, "bound_claims_type") == Some("glob");
    let mut conditions = Vec::new();
    if let Some(claims) = body.get_attribute("bound_claims") {
        let claims = tree::from_hcl(&claims.value, file.text, &whole);
        for (claim, key_span, values) in claims.entries() {
            let values = values
                .items()
                .into_iter()
                .filter_map(|v| Some((v.text()?, v.span.clone())))
                .flat_map(|(text, span)| {
                    text.split(',')
                        .map(|t| ClaimValue {
                            text: t.trim().to_owned(),
                            span: span.clone(),
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            conditions.push(ClaimTest {
                claim: claim.clone(),
                glob,
                values,
                span: key_span.clone(),
            });
        }
    }
    for (key, claim) in [("bound_subject", "sub"), ("bound_audiences", "aud")] {
        if let Some(attribute) = body.get_attribute(key) {
            let value = tree::from_hcl(&attribute.value, file.text, &whole);
            let values = value
                .items()
                .into_iter()
                .filter_map(|v| {
                    Some(ClaimValue {
                        text: v.text()?.to_owned(),
                        span: v.span.clone(),
                    })
                })
                .collect();
            conditions.push(ClaimTest {
                claim: claim.to_owned(),
                glob: false,
                values,
                span: value.span.clone(),
            });
        }
    }
    let backend = body.get_attribute("backend").map(|a| a.value.to_string());
    let issuer = backend
        .as_deref()
        .and_then(|b| {
            let b = b.trim().trim_matches('"');
            index
                .vault_backends
                .iter()
                .find(|(key, _)| b == key.as_str() || b.starts_with(&format!("{key}.")))
                .map(|(_, issuer)| *issuer)
        })
        .or_else(|| {
            let claims: Vec<&str> = conditions.iter().map(|c| c.claim.as_str()).collect();
            if claims.iter().any(|c| {
                matches!(
                    *c,
                    "repository" | "repository_owner" | "job_workflow_ref" | "workflow_ref"
                )
            }) {
                Some(Issuer::Github)
            } else if claims.iter().any(|c| {
                matches!(
                    *c,
                    "project_path" | "namespace_path" | "project_id" | "namespace_id"
                )
            }) {
                Some(Issuer::Gitlab)
            } else {
                None
            }
        })?;
    let mut identities = Vec::new();
    identities.extend(literal(body, "role_name").map(str::to_owned));
    Some(TrustPolicy {
        path: file.path.to_owned(),
        cloud: Cloud::Vault,
        issuer,
        name: addr.to_owned(),
        symbolic: addr.to_owned(),
        anchor: header_span(block),
        identities,
        conditions,
        audience_required: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regex_conditions_widen_where_unanchored() {
        assert_eq!(regex_as_glob("^acme/.*$"), "acme/*");
        assert_eq!(regex_as_glob("acme/app"), "*acme/app*");
    }

    #[test]
    fn cel_conditions_keep_the_widest_alternative() {
        let source = "resource \"google_iam_workload_identity_pool_provider\" \"p\" {\n  attribute_condition = \"assertion.repository == 'acme/app' || assertion.repository_owner == 'acme'\"\n}\n";
        let body = hcl_edit::parser::parse_body(source).expect("valid");
        let block = body.blocks().next().expect("block");
        let tests = gcp_conditions(&block.body, source);
        assert_eq!(tests.len(), 1);
        assert_eq!(tests[0].claim, "repository_owner");
        assert_eq!(&source[tests[0].values[0].span.clone()], "acme");
    }
}
