//! AWS IAM trust policy documents: the statements that let a CI
//! platform's OIDC provider assume a role, and their conditions.

use std::collections::BTreeMap;

use super::tree::{self, Placement, Val};
use super::{ClaimTest, ClaimValue, Cloud, Issuer, TrustPolicy};

/// OIDC provider resources of the repository, by Terraform address
/// (`aws_iam_openid_connect_provider.github`), with their URL.
pub(crate) type Providers = BTreeMap<String, String>;

/// Where a policy document came from, for naming its statements.
pub(crate) struct Origin<'a> {
    /// File path.
    pub(crate) path: &'a str,
    /// Name of the role or document, such as `aws_iam_role.deploy`.
    pub(crate) name: &'a str,
    /// Symbolic location of the document.
    pub(crate) symbolic: &'a str,
    /// The key statements are listed under, as written (`Statement`, `statement`).
    pub(crate) statement_key: &'a str,
}

/// The web-identity statements of a trust policy document.
pub(crate) fn statements(
    doc: &Val,
    origin: &Origin<'_>,
    providers: &Providers,
) -> Vec<TrustPolicy> {
    let Some(list) = doc.get(origin.statement_key) else {
        return Vec::new();
    };
    list.items()
        .into_iter()
        .enumerate()
        .filter_map(|(index, statement)| statement_policy(statement, index, origin, providers))
        .collect()
}

fn statement_policy(
    statement: &Val,
    index: usize,
    origin: &Origin<'_>,
    providers: &Providers,
) -> Option<TrustPolicy> {
    let allows = statement
        .get("Effect")
        .and_then(Val::text)
        .is_none_or(|effect| effect.eq_ignore_ascii_case("allow"));
    let web_identity = statement.get("Action").is_none_or(|actions| {
        actions
            .items()
            .iter()
            .filter_map(|a| a.text())
            .any(|action| {
                let action = action.to_ascii_lowercase();
                action == "sts:assumerolewithwebidentity" || action == "sts:*" || action == "*"
            })
    });
    let federated = statement.get("Principal")?.get("Federated")?;
    if !allows || !web_identity {
        return None;
    }
    let conditions = statement
        .get("Condition")
        .map(read_conditions)
        .unwrap_or_default();
    let issuer = federated
        .items()
        .iter()
        .filter_map(|p| p.text())
        .find_map(|text| resolve_issuer(text, providers))
        .or_else(|| {
            conditions
                .iter()
                .find_map(|(key, _)| resolve_issuer(key, providers))
        })?;
    Some(TrustPolicy {
        path: origin.path.to_owned(),
        cloud: Cloud::Aws,
        issuer,
        name: origin.name.to_owned(),
        symbolic: format!("{}.{}[{index}]", origin.symbolic, origin.statement_key),
        anchor: federated.span.clone(),
        identities: Vec::new(),
        conditions: conditions
            .into_iter()
            .filter(|(key, _)| key_belongs_to(key, issuer, providers))
            .map(|(_, test)| test)
            .collect(),
        audience_required: true,
    })
}

/// The issuer a principal ARN, provider reference or condition key names.
pub(crate) fn resolve_issuer(text: &str, providers: &Providers) -> Option<Issuer> {
    Issuer::from_text(text).or_else(|| {
        providers
            .iter()
            .find(|(address, _)| text.contains(&format!("{address}.")))
            .and_then(|(_, url)| Issuer::from_text(url))
    })
}

/// Whether a condition key tests a claim of the trusted issuer's tokens
/// (and not, say, `aws:SourceIp`).
fn key_belongs_to(key: &str, issuer: Issuer, providers: &Providers) -> bool {
    let host = key.rsplit_once(':').map_or(key, |(host, _)| host);
    !host.eq_ignore_ascii_case("aws") && resolve_issuer(host, providers).is_none_or(|i| i == issuer)
}

/// Condition keys with their tests: `{ "StringLike": { "host:sub": [...] } }`.
fn read_conditions(condition: &Val) -> Vec<(String, ClaimTest)> {
    let mut tests = Vec::new();
    for (operator, _, block) in condition.entries() {
        let Some(glob) = operator_glob(operator) else {
            continue;
        };
        for (key, key_span, values) in block.entries() {
            let Some((_, claim)) = key.rsplit_once(':') else {
                continue;
            };
            let values: Vec<ClaimValue> = values
                .items()
                .into_iter()
                .filter_map(|v| {
                    Some(ClaimValue {
                        text: v.text()?.to_owned(),
                        span: v.span.clone(),
                    })
                })
                .collect();
            tests.push((
                key.clone(),
                ClaimTest {
                    claim: claim.to_owned(),
                    glob,
                    values,
                    span: key_span.start..block.span.end.max(key_span.end),
                },
            ));
        }
    }
    tests
}

/// Whether an IAM condition operator compares with wildcards; `None` for
/// operators that do not admit by matching (negations, `Null`, ARN tests).
fn operator_glob(operator: &str) -> Option<bool> {
    let base = operator
        .split_once(':')
        .map_or(operator, |(_, op)| op)
        .trim_end_matches("IfExists");
    match base.to_ascii_lowercase().as_str() {
        "stringequals" | "stringequalsignorecase" => Some(false),
        "stringlike" => Some(true),
        _ => None,
    }
}

/// The trust statements of a JSON file holding an IAM policy document.
pub(crate) fn json_file_policies(path: &str, text: &str) -> Vec<TrustPolicy> {
    let Some(doc) = tree::from_json(text, &Placement::At(0)) else {
        return Vec::new();
    };
    // A role as exported by `aws iam get-role` wraps the document.
    let role_name = doc
        .get("Role")
        .and_then(|role| role.get("RoleName"))
        .and_then(Val::text)
        .map(str::to_owned);
    let doc = doc
        .get("Role")
        .and_then(|role| role.get("AssumeRolePolicyDocument"))
        .or_else(|| doc.get("AssumeRolePolicyDocument"))
        .unwrap_or(&doc);
    let origin = Origin {
        path,
        name: path,
        symbolic: "",
        statement_key: "Statement",
    };
    let mut found = statements(doc, &origin, &Providers::new());
    for policy in &mut found {
        policy.symbolic = policy.symbolic.trim_start_matches('.').to_owned();
        policy.identities.extend(role_name.clone());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_github_statements_and_their_conditions() {
        let json = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
        "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/app:*"]},
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}
      }
    },
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"}, "Action": "sts:AssumeRoleWithWebIdentity"}
  ]
}"#;
        let found = json_file_policies("trust.json", json);
        assert_eq!(found.len(), 1);
        let policy = &found[0];
        assert_eq!(policy.issuer, Issuer::Github);
        assert_eq!(policy.symbolic, "Statement[0]");
        let claims: Vec<(&str, bool)> = policy
            .conditions
            .iter()
            .map(|c| (c.claim.as_str(), c.glob))
            .collect();
        assert_eq!(claims, [("aud", false), ("sub", true)]);
        let sub = &policy.conditions[1].values[0];
        assert_eq!(&json[sub.span.clone()], "\"repo:acme/app:*\"");
    }

    #[test]
    fn provider_references_name_the_issuer() {
        let mut providers = Providers::new();
        providers.insert(
            "aws_iam_openid_connect_provider.ci".into(),
            "https://gitlab.example.com".into(),
        );
        assert_eq!(
            resolve_issuer("aws_iam_openid_connect_provider.ci.arn", &providers),
            Some(Issuer::Gitlab)
        );
        assert_eq!(resolve_issuer("var.provider_arn", &providers), None);
        assert_eq!(operator_glob("ForAnyValue:StringLike"), Some(true));
        assert_eq!(operator_glob("StringEqualsIfExists"), Some(false));
        assert_eq!(operator_glob("StringNotLike"), None);
    }
}
