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

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::manifest::facts::{DOCKER_CONFIG_JSON, Definition, Fact, SecretFact, ServiceAccountFact};
use crate::manifest::{self, PodGroup, Workload};
use crate::registry::CredentialKey;
use crate::settings::{self, FieldReader, SettingsError, SettingsKind};
use crate::source::SourceFile;
use crate::yaml::{self, Node};

/// What inventory files declare: facts, and the namespaces they make complete.
#[derive(Debug, Default, Clone)]
pub struct DeclaredInventory {
    namespaces: BTreeSet<String>,
    facts: Vec<Fact>,
}

impl DeclaredInventory {
    /// Reads inventory files: pullcheck's own format (a `namespaces:` mapping) or Kubernetes
    /// manifests (`kubectl get secrets,serviceaccounts -A -o yaml`).
    pub fn load(paths: &[PathBuf], default_namespace: &str) -> Result<DeclaredInventory, SettingsError> {
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

    fn load_file(&mut self, path: &Path, default_namespace: &str) -> Result<(), SettingsError> {
        let file = settings::read_file(path, SettingsKind::Inventory)?;
        let reader = FieldReader::new(SettingsKind::Inventory, &file);
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
        reader: &FieldReader<'_>,
        file: &Arc<SourceFile>,
    ) -> Result<(), SettingsError> {
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
    reader: &FieldReader<'_>,
    file: &Arc<SourceFile>,
    namespace: &str,
) -> Result<SecretFact, SettingsError> {
    let mut secret = SecretFact {
        name: String::new(),
        namespace: namespace.to_owned(),
        secret_type: DOCKER_CONFIG_JSON.to_owned(),
        registries: None,
        defined_at: None,
        payload_problem: None,
    };
    let mut defined_at = Definition {
        file: Arc::clone(file),
        name_span: entry.span(),
        type_span: None,
    };
    for (key, value) in reader.mapping(entry, "a secret")? {
        match key.scalar().unwrap_or_default() {
            "name" => {
                secret.name = reader.string(value, "a secret's name")?.to_owned();
                defined_at.name_span = value.span();
            }
            "type" => {
                secret.secret_type = reader.string(value, "a secret's type")?.to_owned();
                defined_at.type_span = Some(value.span());
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
    secret.defined_at = Some(defined_at);
    Ok(secret)
}

fn read_service_account(
    entry: Node<'_, '_>,
    reader: &FieldReader<'_>,
    file: &Arc<SourceFile>,
    namespace: &str,
) -> Result<ServiceAccountFact, SettingsError> {
    let mut account = ServiceAccountFact {
        name: String::new(),
        namespace: namespace.to_owned(),
        image_pull_secrets: Vec::new(),
        defined_at: None,
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
    account.defined_at = Some(Definition {
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
