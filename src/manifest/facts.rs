//! Secrets and ServiceAccounts: objects read from manifests like workloads, that become facts of
//! the inventory rather than things to judge.
//!
//! A docker-registry Secret's payload is decoded only to learn which registries it holds
//! credentials for; the rest is dropped unread (serde's `IgnoredAny`), and no error message holds
//! any of its text. Where facts are gathered, and what a namespace's facts mean, is `inventory`'s
//! business.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::registry::CredentialKey;
use crate::source::{SourceFile, Span};
use crate::yaml::Node;

/// The secret types the kubelet reads registry credentials from.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";
pub const DOCKER_CFG: &str = "kubernetes.io/dockercfg";

/// Where a fact is written, for labels that point at its definition.
#[derive(Debug, Clone)]
pub struct Definition {
    pub file: Arc<SourceFile>,
    /// The secret's or service account's name.
    pub name_span: Span,
    /// The secret's `type`, when written.
    pub type_span: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct SecretFact {
    pub name: String,
    pub namespace: String,
    /// `Opaque` when a Secret object does not say, as the API server defaults it.
    pub secret_type: String,
    /// The registry keys it holds credentials for; `None` when they cannot be known (data that is
    /// templated, encrypted or not decodable, or an inventory entry that does not list them).
    pub registries: Option<Vec<CredentialKey>>,
    pub defined_at: Option<Definition>,
    /// A docker-registry secret whose payload cannot be used.
    pub payload_problem: Option<SecretPayloadProblem>,
}

impl SecretFact {
    /// Whether the kubelet reads credentials from a secret of this type.
    pub fn is_pull_secret_type(&self) -> bool {
        self.secret_type == DOCKER_CONFIG_JSON || self.secret_type == DOCKER_CFG
    }
}

#[derive(Debug, Clone)]
pub struct ServiceAccountFact {
    pub name: String,
    pub namespace: String,
    pub image_pull_secrets: Vec<String>,
    pub defined_at: Option<Definition>,
}

#[derive(Debug, Clone)]
pub enum Fact {
    Secret(SecretFact),
    ServiceAccount(ServiceAccountFact),
}

/// Reads a `v1` Secret or ServiceAccount into an inventory fact; objects without a name are read
/// and give none.
pub(super) fn read(
    reader: &super::Reader<'_>,
    object: super::readers::Object<'_, '_, '_>,
    out: &mut super::Extracted,
) -> bool {
    if !(object.api_version == "v1" && matches!(object.kind, "Secret" | "ServiceAccount")) {
        return false;
    }
    let namespace = object.namespace().unwrap_or(reader.default_namespace);
    out.facts
        .extend(fact_from_object(object.kind, object.node, reader.file, namespace));
    true
}

/// Reads a `v1` Secret or ServiceAccount object into a fact.
pub fn fact_from_object(kind: &str, object: Node<'_, '_>, file: &Arc<SourceFile>, namespace: &str) -> Option<Fact> {
    let name_node = object.get("metadata")?.get("name")?;
    let name = name_node.as_str()?.to_owned();
    let type_node = object.get("type");
    let defined_at = Definition {
        file: Arc::clone(file),
        name_span: name_node.span(),
        type_span: type_node.map(|t| t.span()),
    };
    match kind {
        "Secret" => {
            let secret_type = type_node.and_then(|t| t.as_str()).unwrap_or("Opaque").to_owned();
            let (registries, payload_problem) = match registries_of_secret(object, &secret_type, name_node.span()) {
                Ok(registries) => (registries, None),
                Err(problem) => (None, Some(problem)),
            };
            Some(Fact::Secret(SecretFact {
                name,
                namespace: namespace.to_owned(),
                secret_type,
                registries,
                defined_at: Some(defined_at),
                payload_problem,
            }))
        }
        "ServiceAccount" => Some(Fact::ServiceAccount(ServiceAccountFact {
            name,
            namespace: namespace.to_owned(),
            image_pull_secrets: object
                .get("imagePullSecrets")
                .into_iter()
                .flat_map(|list| list.items())
                .filter_map(|entry| entry.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                .collect(),
            defined_at: Some(defined_at),
        })),
        _ => None,
    }
}

/// Why a docker-registry secret's payload cannot be used. The messages are fixed text: nothing of
/// the payload (which holds credentials) ever goes into them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadProblem {
    Missing,
    NotBase64,
    NotJson,
    NoAuths,
}

impl PayloadProblem {
    pub fn describe(self, key: &str) -> String {
        match self {
            PayloadProblem::Missing => format!("it has no {key} in data or stringData"),
            PayloadProblem::NotBase64 => format!("its {key} in data is not valid base64"),
            PayloadProblem::NotJson => format!("its {key} is not a JSON object of registries"),
            PayloadProblem::NoAuths => format!("its {key} has no \"auths\" object of registries"),
        }
    }
}

/// A docker-registry secret whose payload cannot be used, and where.
#[derive(Debug, Clone)]
pub struct SecretPayloadProblem {
    pub problem: PayloadProblem,
    /// `.dockerconfigjson` or `.dockercfg`.
    pub key: &'static str,
    /// The payload's value, or the secret's name when the payload is missing.
    pub span: Span,
}

/// The registry keys of a docker-registry secret, from `data` (base64) or `stringData`: `Ok(None)`
/// when they cannot be known without it being wrong (other types, templated values).
fn registries_of_secret(
    object: Node<'_, '_>,
    secret_type: &str,
    name_span: Span,
) -> Result<Option<Vec<CredentialKey>>, SecretPayloadProblem> {
    let (key, nested_in_auths) = match secret_type {
        DOCKER_CONFIG_JSON => (".dockerconfigjson", true),
        DOCKER_CFG => (".dockercfg", false),
        _ => return Ok(None),
    };
    let problem = |problem, span| SecretPayloadProblem { problem, key, span };
    let string_value = object.get("stringData").and_then(|d| d.get(key));
    let data_value = object.get("data").and_then(|d| d.get(key));
    let Some(value) = string_value.or(data_value) else {
        return Err(problem(PayloadProblem::Missing, name_span));
    };
    let Some(text) = value.as_str() else {
        return Err(problem(PayloadProblem::NotJson, value.span()));
    };
    // A value still to be filled in by a template engine says nothing yet.
    if text.contains("${") || text.contains("{{") {
        return Ok(None);
    }
    let config: Vec<u8> = if string_value.is_some() {
        text.as_bytes().to_vec()
    } else {
        // Real secrets are sometimes wrapped over several lines.
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|_| problem(PayloadProblem::NotBase64, value.span()))?
    };
    let keys = registry_keys(&config, nested_in_auths).map_err(|p| problem(p, value.span()))?;
    Ok(Some(keys.iter().filter_map(|key| CredentialKey::parse(key)).collect()))
}

/// The registry keys of a decoded docker config payload (`.dockerconfigjson` when `auths` holds
/// them, `.dockercfg` otherwise), for tools that check the decoder (the fuzz target).
pub fn docker_config_registry_keys(payload: &[u8], nested_in_auths: bool) -> Result<Vec<String>, PayloadProblem> {
    registry_keys(payload, nested_in_auths)
}

/// The registry keys of a docker config, sorted; everything else in it is skipped unread. Errors
/// are reduced to a [`PayloadProblem`]: serde's messages can quote the input, which holds
/// credentials.
fn registry_keys(config: &[u8], nested_in_auths: bool) -> Result<Vec<String>, PayloadProblem> {
    #[derive(Deserialize)]
    struct DockerConfigJson {
        auths: Option<BTreeMap<String, IgnoredAny>>,
    }
    let keys: BTreeMap<String, IgnoredAny> = if nested_in_auths {
        serde_json::from_slice::<DockerConfigJson>(config)
            .map_err(|_| PayloadProblem::NotJson)?
            .auths
            .ok_or(PayloadProblem::NoAuths)?
    } else {
        serde_json::from_slice(config).map_err(|_| PayloadProblem::NotJson)?
    };
    Ok(keys.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn secret_keys(text: &str) -> Option<Vec<String>> {
        let file = Arc::new(SourceFile::new("s.yaml", text));
        let stream = yaml::load(file.text());
        let doc = stream.documents().next().unwrap();
        match fact_from_object("Secret", doc, &file, "default")? {
            Fact::Secret(secret) => secret
                .registries
                .map(|keys| keys.iter().map(|k| k.as_str().to_owned()).collect()),
            Fact::ServiceAccount(_) => None,
        }
    }

    #[test]
    fn docker_config_secrets_yield_their_registry_keys_only() {
        let config = r#"{"auths":{"us.icr.io":{"auth":"c2VjcmV0"},"https://index.docker.io/v1/":{"password":"p"}}}"#;
        let encoded = base64::engine::general_purpose::STANDARD.encode(config);
        // Wrapped over lines, as some tools write it.
        let wrapped = format!("{}\n      {}", &encoded[..20], &encoded[20..]);
        let text = format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: pull}}\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: >-\n      {wrapped}\n"
        );
        assert_eq!(
            secret_keys(&text).unwrap(),
            ["https://index.docker.io/v1/", "us.icr.io"]
        );

        let dockercfg = "apiVersion: v1\nkind: Secret\nmetadata: {name: old}\ntype: kubernetes.io/dockercfg\nstringData:\n  .dockercfg: '{\"quay.io\": {\"auth\": \"x\"}}'\n";
        assert_eq!(secret_keys(dockercfg).unwrap(), ["quay.io"]);
    }

    #[test]
    fn undecodable_or_other_secrets_have_unknown_registries() {
        for text in [
            "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ntype: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: '${DOCKER_CONFIG}'}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ntype: kubernetes.io/dockerconfigjson\ndata: {.dockerconfigjson: '!!!not base64'}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ntype: kubernetes.io/dockerconfigjson\nstringData: {.dockerconfigjson: '{\"auths\": \"sekrit\"}'}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\ndata: {password: c2VjcmV0}\n",
        ] {
            assert_eq!(secret_keys(text), None, "{text}");
        }
    }
}
