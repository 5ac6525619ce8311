//! What exists in the cluster, per namespace: pull secrets (name, type, registries they hold
//! credentials for) and service accounts (name, their `imagePullSecrets`).
//!
//! Facts come from two places. Inventory files (`inventory:` in the configuration, `--inventory`)
//! *declare* namespaces, and a declared namespace is complete: what it does not list does not
//! exist. Secret and ServiceAccount objects found among the scanned files add facts but declare
//! nothing, because a repository rarely holds every secret of a namespace. In a namespace that
//! nothing declares, existence is unknown and the rules that depend on it stay silent.
//!
//! Credentials are never kept: a docker config is decoded only to read its registry keys, the rest
//! is dropped unread (serde's `IgnoredAny`), and no error message includes any of its text.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::config::{ConfigError, Reader};
use crate::manifest::{self, PodGroup, Workload};
use crate::registry::CredentialKey;
use crate::source::{SourceFile, Span};
use crate::yaml::{self, Node};

/// The secret types the kubelet reads registry credentials from.
pub const DOCKER_CONFIG_JSON: &str = "kubernetes.io/dockerconfigjson";
pub const DOCKER_CFG: &str = "kubernetes.io/dockercfg";

/// Where a fact is written, for labels that point at a definition.
#[derive(Debug, Clone)]
pub struct Origin {
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
    pub origin: Option<Origin>,
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
    pub origin: Option<Origin>,
}

#[derive(Debug, Clone)]
pub enum Fact {
    Secret(SecretFact),
    ServiceAccount(ServiceAccountFact),
}

/// Reads a `v1` Secret or ServiceAccount object into a fact.
pub fn fact_from_object(kind: &str, object: Node<'_, '_>, file: &Arc<SourceFile>, namespace: &str) -> Option<Fact> {
    let name_node = object.get("metadata")?.get("name")?;
    let name = name_node.as_str()?.to_owned();
    let type_node = object.get("type");
    let origin = Origin {
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
                origin: Some(origin),
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
            origin: Some(origin),
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

/// What inventory files declare: facts, and the namespaces they make complete.
#[derive(Debug, Default, Clone)]
pub struct DeclaredInventory {
    namespaces: BTreeSet<String>,
    facts: Vec<Fact>,
}

impl DeclaredInventory {
    /// Reads inventory files: pullcheck's own format (a `namespaces:` mapping) or Kubernetes
    /// manifests (`kubectl get secrets,serviceaccounts -A -o yaml`).
    pub fn load(paths: &[PathBuf], default_namespace: &str) -> Result<DeclaredInventory, ConfigError> {
        let mut declared = DeclaredInventory::default();
        for path in paths {
            declared.load_file(path, default_namespace)?;
        }
        Ok(declared)
    }

    /// Adds facts found in manifests (the configuration's `inventoryManifests`): known, like those
    /// of the files checked, but they declare no namespace complete.
    pub fn add_found(&mut self, facts: impl IntoIterator<Item = Fact>) {
        self.facts.extend(facts);
    }

    fn load_file(&mut self, path: &Path, default_namespace: &str) -> Result<(), ConfigError> {
        let file = Arc::new(SourceFile::new(
            path.display().to_string(),
            std::fs::read_to_string(path).map_err(|error| ConfigError {
                file: Arc::new(SourceFile::new(path.display().to_string(), String::new())),
                span: None,
                message: format!("cannot read the inventory file: {error}"),
                help: None,
            })?,
        ));
        let reader = Reader::new(&file);
        let stream = yaml::load(file.text());
        reader.no_problems(&stream)?;
        let first = stream.documents().next();
        if let Some(root) = first.filter(|root| root.get("namespaces").is_some()) {
            return self.read_own_format(root, &reader, &file);
        }
        let extracted = manifest::extract(stream.documents(), &file, default_namespace);
        for fact in extracted.facts {
            let namespace = match &fact {
                Fact::Secret(secret) => &secret.namespace,
                Fact::ServiceAccount(account) => &account.namespace,
            };
            self.namespaces.insert(namespace.clone());
            self.facts.push(fact);
        }
        Ok(())
    }

    fn read_own_format(
        &mut self,
        root: Node<'_, '_>,
        reader: &Reader<'_>,
        file: &Arc<SourceFile>,
    ) -> Result<(), ConfigError> {
        for (key, value) in reader.mapping(root, "the inventory")? {
            if key.scalar() != Some("namespaces") {
                return Err(reader.unknown_key(key, "", &["namespaces"]));
            }
            for (namespace_node, namespace) in reader.mapping(value, "namespaces")? {
                let namespace_name = reader.string(namespace_node, "a namespace name")?;
                self.namespaces.insert(namespace_name.to_owned());
                for (key, list) in reader.mapping(namespace, "a namespace")? {
                    match key.scalar().unwrap_or_default() {
                        "secrets" => {
                            for entry in reader.list(list, "secrets")? {
                                let secret = read_secret(entry, reader, file, namespace_name)?;
                                self.facts.push(Fact::Secret(secret));
                            }
                        }
                        "serviceAccounts" => {
                            for entry in reader.list(list, "serviceAccounts")? {
                                let account = read_service_account(entry, reader, file, namespace_name)?;
                                self.facts.push(Fact::ServiceAccount(account));
                            }
                        }
                        _ => return Err(reader.unknown_key(key, "", &["secrets", "serviceAccounts"])),
                    }
                }
            }
        }
        Ok(())
    }
}

fn read_secret(
    entry: Node<'_, '_>,
    reader: &Reader<'_>,
    file: &Arc<SourceFile>,
    namespace: &str,
) -> Result<SecretFact, ConfigError> {
    let mut secret = SecretFact {
        name: String::new(),
        namespace: namespace.to_owned(),
        secret_type: DOCKER_CONFIG_JSON.to_owned(),
        registries: None,
        origin: None,
        payload_problem: None,
    };
    let mut origin = Origin {
        file: Arc::clone(file),
        name_span: entry.span(),
        type_span: None,
    };
    for (key, value) in reader.mapping(entry, "a secret")? {
        match key.scalar().unwrap_or_default() {
            "name" => {
                secret.name = reader.string(value, "a secret's name")?.to_owned();
                origin.name_span = value.span();
            }
            "type" => {
                secret.secret_type = reader.string(value, "a secret's type")?.to_owned();
                origin.type_span = Some(value.span());
            }
            "registries" => {
                let keys = reader
                    .list(value, "registries")?
                    .map(|item| {
                        let written = reader.string(item, "a registry")?;
                        CredentialKey::parse(written).ok_or_else(|| {
                            reader.error(
                                item.span(),
                                format!("\"{written}\" is not a registry the kubelet can match"),
                                None,
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?;
                secret.registries = Some(keys);
            }
            _ => return Err(reader.unknown_key(key, "", &["name", "type", "registries"])),
        }
    }
    if secret.name.is_empty() {
        return Err(reader.error(entry.span(), "a secret needs a name".into(), None));
    }
    secret.origin = Some(origin);
    Ok(secret)
}

fn read_service_account(
    entry: Node<'_, '_>,
    reader: &Reader<'_>,
    file: &Arc<SourceFile>,
    namespace: &str,
) -> Result<ServiceAccountFact, ConfigError> {
    let mut account = ServiceAccountFact {
        name: String::new(),
        namespace: namespace.to_owned(),
        image_pull_secrets: Vec::new(),
        origin: None,
    };
    let mut name_span = entry.span();
    for (key, value) in reader.mapping(entry, "a service account")? {
        match key.scalar().unwrap_or_default() {
            "name" => {
                account.name = reader.string(value, "a service account's name")?.to_owned();
                name_span = value.span();
            }
            "imagePullSecrets" => {
                account.image_pull_secrets = reader
                    .list(value, "imagePullSecrets")?
                    .map(|item| reader.string(item, "a secret name").map(str::to_owned))
                    .collect::<Result<_, _>>()?;
            }
            _ => return Err(reader.unknown_key(key, "", &["name", "imagePullSecrets"])),
        }
    }
    if account.name.is_empty() {
        return Err(reader.error(entry.span(), "a service account needs a name".into(), None));
    }
    account.origin = Some(Origin {
        file: Arc::clone(file),
        name_span,
        type_span: None,
    });
    Ok(account)
}

#[derive(Debug, Default)]
struct Namespace {
    declared: bool,
    secrets: HashMap<String, SecretFact>,
    service_accounts: HashMap<String, ServiceAccountFact>,
}

/// The answer to "does this exist in that namespace?".
#[derive(Debug)]
pub enum Lookup<'i, T> {
    Found(&'i T),
    /// The namespace is declared and does not have it.
    Absent,
    /// Nothing declares the namespace.
    Unknown,
}

/// A service account as the pods of a namespace see it.
#[derive(Debug)]
pub enum ServiceAccount<'i> {
    Found(&'i ServiceAccountFact),
    /// `default` in a declared namespace that does not list it: it exists, with no pull secrets.
    ImplicitDefault,
    Absent,
    Unknown,
}

/// Everything known, read-only once built.
#[derive(Debug, Default)]
pub struct Inventory {
    namespaces: HashMap<String, Namespace>,
}

impl Inventory {
    /// Declared facts first, then those found in the scan: a scanned object replaces a declared
    /// entry of the same name (it has a definition to point at), keeping the declared registries
    /// when its own cannot be read.
    pub fn build(declared: &DeclaredInventory, scanned: Vec<Fact>) -> Inventory {
        let mut inventory = Inventory::default();
        for namespace in &declared.namespaces {
            inventory.namespaces.entry(namespace.clone()).or_default().declared = true;
        }
        for fact in declared.facts.iter().cloned().chain(scanned) {
            match fact {
                Fact::Secret(mut secret) => {
                    let namespace = inventory.namespaces.entry(secret.namespace.clone()).or_default();
                    if let Some(previous) = namespace.secrets.get(&secret.name)
                        && secret.registries.is_none()
                    {
                        secret.registries.clone_from(&previous.registries);
                    }
                    namespace.secrets.insert(secret.name.clone(), secret);
                }
                Fact::ServiceAccount(account) => {
                    let namespace = inventory.namespaces.entry(account.namespace.clone()).or_default();
                    namespace.service_accounts.insert(account.name.clone(), account);
                }
            }
        }
        inventory
    }

    pub fn is_declared(&self, namespace: &str) -> bool {
        self.namespaces.get(namespace).is_some_and(|n| n.declared)
    }

    pub fn secret(&self, namespace: &str, name: &str) -> Lookup<'_, SecretFact> {
        match self.namespaces.get(namespace) {
            Some(ns) => match ns.secrets.get(name) {
                Some(secret) => Lookup::Found(secret),
                None if ns.declared => Lookup::Absent,
                None => Lookup::Unknown,
            },
            None => Lookup::Unknown,
        }
    }

    /// Secrets of this name in other namespaces, sorted by namespace.
    pub fn secrets_elsewhere(&self, namespace: &str, name: &str) -> Vec<&SecretFact> {
        let mut found: Vec<&SecretFact> = self
            .namespaces
            .iter()
            .filter(|(ns, _)| *ns != namespace)
            .filter_map(|(_, ns)| ns.secrets.get(name))
            .collect();
        found.sort_by(|a, b| a.namespace.cmp(&b.namespace));
        found
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> ServiceAccount<'_> {
        let ns = self.namespaces.get(namespace);
        match ns.and_then(|ns| ns.service_accounts.get(name)) {
            Some(account) => ServiceAccount::Found(account),
            None if ns.is_some_and(|ns| ns.declared) => {
                if name == "default" {
                    ServiceAccount::ImplicitDefault
                } else {
                    ServiceAccount::Absent
                }
            }
            // `default` exists everywhere, but its pull secrets are unknown: admins often add them.
            None => ServiceAccount::Unknown,
        }
    }
}

/// Where a pod's pull secrets come from, as the ServiceAccount admission controller decides: the
/// pod's own `imagePullSecrets` when it lists any, else its service account's.
#[derive(Debug)]
pub enum PullSecretSource<'w, 'i> {
    Pod,
    ServiceAccount {
        name: &'w str,
        account: ServiceAccount<'i>,
    },
    /// The pods get the pull secrets of an object that is not among the files checked.
    Unknown,
}

impl Inventory {
    /// Where the pull secrets of `group`'s pods come from.
    pub fn pull_secret_source<'w>(&self, workload: &'w Workload, group: &'w PodGroup) -> PullSecretSource<'w, '_> {
        let Some((entries, _)) = workload.pod_image_pull_secrets() else {
            return PullSecretSource::Unknown;
        };
        if !entries.is_empty() {
            return PullSecretSource::Pod;
        }
        PullSecretSource::ServiceAccount {
            name: &group.service_account,
            account: self.service_account(&workload.namespace, &group.service_account),
        }
    }

    /// The names of the secrets the kubelet will try for the images of `group`'s pods.
    pub fn effective_pull_secrets<'w>(&'w self, workload: &'w Workload, group: &'w PodGroup) -> Vec<&'w str> {
        match self.pull_secret_source(workload, group) {
            PullSecretSource::Pod => workload
                .pod_image_pull_secrets()
                .into_iter()
                .flat_map(|(entries, _)| entries)
                .filter_map(|entry| entry.secret_name())
                .map(|name| name.value.as_str())
                .collect(),
            PullSecretSource::ServiceAccount {
                account: ServiceAccount::Found(account),
                ..
            } => account.image_pull_secrets.iter().map(String::as_str).collect(),
            PullSecretSource::ServiceAccount { .. } | PullSecretSource::Unknown => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn declared_namespaces_are_complete_and_others_unknown() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("inventory.yaml");
        std::fs::write(
            &path,
            "namespaces:\n  apps:\n    secrets:\n      - name: icr\n        registries: [\"*.icr.io\"]\n      - name: tls\n        type: kubernetes.io/tls\n    serviceAccounts:\n      - name: builder\n        imagePullSecrets: [icr]\n  empty:\n",
        )
        .unwrap();
        let declared = DeclaredInventory::load(&[path], "default").unwrap();
        let inventory = Inventory::build(&declared, Vec::new());
        let Lookup::Found(icr) = inventory.secret("apps", "icr") else {
            panic!()
        };
        assert!(icr.is_pull_secret_type());
        assert!(crate::registry::keys_cover(
            icr.registries.as_ref().unwrap(),
            "us.icr.io",
            "x"
        ));
        let Lookup::Found(tls) = inventory.secret("apps", "tls") else {
            panic!()
        };
        assert!(!tls.is_pull_secret_type());
        assert!(matches!(inventory.secret("apps", "nope"), Lookup::Absent));
        assert!(matches!(inventory.secret("empty", "icr"), Lookup::Absent));
        assert!(matches!(inventory.secret("other", "icr"), Lookup::Unknown));
        assert!(
            matches!(inventory.service_account("apps", "builder"), ServiceAccount::Found(sa) if sa.image_pull_secrets == ["icr"])
        );
        assert!(matches!(
            inventory.service_account("apps", "default"),
            ServiceAccount::ImplicitDefault
        ));
        assert!(matches!(
            inventory.service_account("apps", "ghost"),
            ServiceAccount::Absent
        ));
        assert!(matches!(
            inventory.service_account("other", "default"),
            ServiceAccount::Unknown
        ));
        assert_eq!(inventory.secrets_elsewhere("other", "icr").len(), 1);
    }

    #[test]
    fn inventory_mistakes_are_positioned() {
        let dir = tempfile::TempDir::new().unwrap();
        for (text, message) in [
            ("namespaces:\n  apps:\n    secret: []\n", "unknown key \"secret\""),
            (
                "namespaces:\n  apps:\n    secrets:\n      - type: Opaque\n",
                "a secret needs a name",
            ),
            (
                "namespaces:\n  apps:\n    secrets:\n      - {name: a, registries: [\"ftp://x\"]}\n",
                "not a registry",
            ),
        ] {
            let path = dir.path().join("inventory.yaml");
            std::fs::write(&path, text).unwrap();
            let error = DeclaredInventory::load(&[path], "default").unwrap_err();
            assert!(error.message.contains(message), "{}", error.message);
            assert!(error.span.is_some());
        }
    }
}
