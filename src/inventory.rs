//! What exists in the cluster, per namespace: pull secrets (name, type, registries they hold
//! credentials for) and service accounts (name, their `imagePullSecrets`).
//!
//! Facts come from two places. Inventory files (`inventory:` in the configuration, `--inventory`)
//! *declare* namespaces, and a declared namespace is complete: what it does not list does not
//! exist. Secret and ServiceAccount objects found among the scanned files add facts but declare
//! nothing, because a repository rarely holds every secret of a namespace. In a namespace that
//! nothing declares, existence is unknown and the rules that depend on it stay silent.
//!
//! **Which format a file is in.** A file whose first document is a mapping with neither
//! `apiVersion` nor `kind` is pullcheck's own format: one document, whose keys are `namespaces`,
//! each namespace a valid Kubernetes namespace name, and `nodes`, each node with the images on it
//! (a node named in several files has all their images). Any other file is Kubernetes
//! manifests: every document must be an object (`apiVersion` and `kind`), and together they must
//! hold at least one Secret or ServiceAccount. A file with no document at all declares nothing.
//! Two files may declare the same namespace (what they list is joined), and the same secret or
//! service account when they declare it alike; declared differently, it is an error naming both
//! places, whatever the order of the files.
//!
//! The facts are kept in vectors sorted by namespace and name, not in maps per namespace: an
//! inventory of half a million namespaces costs little more than its facts. The declared ones are
//! shared (behind an `Arc`) by every check made with the same setup, not copied.
//!
//! Credentials are never kept: a docker config is decoded only to read its registry keys, the rest
//! is dropped unread (serde's `IgnoredAny`), and no error message includes any of its text.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::image::ImageRef;
use crate::manifest::facts::{DOCKER_CONFIG_JSON, Definition, Fact, SecretFact, ServiceAccountFact};
use crate::manifest::{self, PodGroup, Workload};
use crate::registry::CredentialKey;
use crate::settings::{self, FieldReader, SettingsError, SettingsKind};
use crate::source::SourceFile;
use crate::uri::normalise;
use crate::yaml::{self, Node};

/// Why `name` cannot be a Kubernetes namespace: it must be an RFC 1123 label (lowercase letters,
/// digits and `-`, at most 63 characters, starting and ending with a letter or digit).
pub fn namespace_name_problem(name: &str) -> Option<String> {
    let why = if name.is_empty() {
        "is empty"
    } else if name.len() > 63 {
        "is longer than 63 characters"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        "may hold only lowercase letters, digits and '-'"
    } else if name.starts_with('-') || name.ends_with('-') {
        "must start and end with a letter or digit"
    } else {
        return None;
    };
    Some(format!(
        "\"{}\" is not a valid namespace name: it {why}",
        name.escape_debug()
    ))
}

/// Facts sorted by namespace and name, at most one per name in a namespace.
#[derive(Debug, Default)]
struct Facts {
    /// The namespaces declared complete, sorted, each once.
    namespaces: Vec<String>,
    secrets: Vec<SecretFact>,
    service_accounts: Vec<ServiceAccountFact>,
    /// The nodes, sorted by name, each once, with the images on it.
    nodes: Vec<NodeImages>,
    /// What the image catalogs say exists.
    catalog: Catalog,
}

/// The images present on one node (`status.images` of a Node), as normalised references
/// (`docker.io/library/nginx:1.27.0`, `…@sha256:…`), sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeImages {
    pub node: String,
    images: Vec<String>,
}

impl NodeImages {
    /// Whether the node holds the image of the reference whose [`normalised`] form is `image`: the
    /// same digest when it has one (the kubelet asks the runtime for the digest), else the same
    /// repository and tag. Normalised once by the caller, for every node.
    pub fn holds(&self, image: &str) -> bool {
        self.images.binary_search_by(|held| held.as_str().cmp(image)).is_ok()
    }

    /// The images on the node of the same repository as `reference` (other tags, digests).
    pub fn same_repository<'n>(&'n self, reference: &ImageRef<'_>) -> impl Iterator<Item = &'n str> + 'n {
        let repository = reference.normalized_name();
        self.images.iter().map(String::as_str).filter(move |image| {
            image
                .strip_prefix(repository.as_str())
                .is_some_and(|rest| rest.starts_with([':', '@']))
        })
    }
}

/// An image reference as node images are kept: registry and path normalised, then `@digest` when
/// there is one, else `:tag` (`latest` when none is written).
pub fn normalised(reference: &ImageRef<'_>) -> String {
    let repository = reference.normalized_name();
    match reference.digest() {
        Some(digest) => format!("{repository}@{digest}"),
        None => format!("{repository}:{}", reference.tag().unwrap_or("latest")),
    }
}

fn key_order(namespace: &str, name: &str, wanted: (&str, &str)) -> Ordering {
    (namespace, name).cmp(&wanted)
}

impl Facts {
    /// Adds a node's images, joined with those of a node of the same name declared before.
    fn add_node(&mut self, name: &str, mut images: Vec<String>) {
        let index = match self.nodes.binary_search_by(|node| node.node.as_str().cmp(name)) {
            Ok(index) => index,
            Err(index) => {
                self.nodes.insert(
                    index,
                    NodeImages {
                        node: name.to_owned(),
                        images: Vec::new(),
                    },
                );
                index
            }
        };
        let node = &mut self.nodes[index];
        node.images.append(&mut images);
        node.images.sort_unstable();
        node.images.dedup();
    }

    fn is_declared(&self, namespace: &str) -> bool {
        self.namespaces
            .binary_search_by(|declared| declared.as_str().cmp(namespace))
            .is_ok()
    }

    fn secret(&self, namespace: &str, name: &str) -> Option<&SecretFact> {
        let found = self
            .secrets
            .binary_search_by(|s| key_order(&s.namespace, &s.name, (namespace, name)));
        found.ok().map(|i| &self.secrets[i])
    }

    fn service_account(&self, namespace: &str, name: &str) -> Option<&ServiceAccountFact> {
        let found = self
            .service_accounts
            .binary_search_by(|a| key_order(&a.namespace, &a.name, (namespace, name)));
        found.ok().map(|i| &self.service_accounts[i])
    }
}

/// What inventory files declare: facts, and the namespaces they make complete.
#[derive(Debug, Default, Clone)]
pub struct DeclaredInventory {
    declared: Arc<Facts>,
    /// Facts of the configuration's `inventoryManifests`, which declare no namespace.
    found: Vec<Fact>,
}

impl DeclaredInventory {
    /// Reads inventory files: pullcheck's own format (a `namespaces:` mapping) or Kubernetes
    /// manifests (`kubectl get secrets,serviceaccounts -A -o yaml`).
    pub fn load(paths: &[PathBuf], default_namespace: &str) -> Result<DeclaredInventory, SettingsError> {
        let mut facts = Facts::default();
        for path in paths {
            load_file(&mut facts, path, default_namespace)?;
        }
        facts.namespaces.sort_unstable();
        facts.namespaces.dedup();
        // Stable sorts: of two declarations of one name, the earlier file's stays first.
        facts
            .secrets
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        facts
            .service_accounts
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        let mut conflict = None;
        facts.secrets.dedup_by(|later, earlier| {
            let same = later.namespace == earlier.namespace && later.name == earlier.name;
            if same && conflict.is_none() && !secrets_agree(earlier, later) {
                conflict = Some(conflicting(
                    "secret",
                    &later.namespace,
                    &later.name,
                    earlier.defined_at.as_ref(),
                    later.defined_at.as_ref(),
                    "type and registries",
                ));
            }
            same
        });
        facts.service_accounts.dedup_by(|later, earlier| {
            let same = later.namespace == earlier.namespace && later.name == earlier.name;
            if same && conflict.is_none() && later.image_pull_secrets != earlier.image_pull_secrets {
                conflict = Some(conflicting(
                    "service account",
                    &later.namespace,
                    &later.name,
                    earlier.defined_at.as_ref(),
                    later.defined_at.as_ref(),
                    "imagePullSecrets",
                ));
            }
            same
        });
        if let Some(conflict) = conflict {
            return Err(conflict);
        }
        facts.secrets.shrink_to_fit();
        facts.service_accounts.shrink_to_fit();
        facts.namespaces.shrink_to_fit();
        Ok(DeclaredInventory {
            declared: Arc::new(facts),
            found: Vec::new(),
        })
    }

    /// Adds facts found in manifests (the configuration's `inventoryManifests`): known, like those
    /// of the files checked, but they declare no namespace complete.
    pub fn add_found(&mut self, facts: impl IntoIterator<Item = Fact>) {
        self.found.extend(facts);
    }
}

/// Whether two declarations of one secret say the same: type, and registries in any order.
fn secrets_agree(a: &SecretFact, b: &SecretFact) -> bool {
    let same_keys = |a: &[CredentialKey], b: &[CredentialKey]| a.iter().all(|key| b.contains(key));
    a.secret_type == b.secret_type
        && match (&a.registries, &b.registries) {
            (None, None) => true,
            (Some(a), Some(b)) => same_keys(a, b) && same_keys(b, a),
            _ => false,
        }
}

/// The error for a secret or service account declared twice, differently: at the later
/// declaration, naming the earlier one.
fn conflicting(
    what: &str,
    namespace: &str,
    name: &str,
    earlier: Option<&Definition>,
    later: Option<&Definition>,
    compared: &str,
) -> SettingsError {
    let place = |definition: &Definition| {
        let position = definition.file.position(definition.name_span.start);
        format!("{}:{}:{}", definition.file.path, position.line, position.column)
    };
    let at = later.or(earlier);
    SettingsError {
        kind: SettingsKind::Inventory,
        file: at.map_or_else(
            || Arc::new(SourceFile::new("inventory", String::new())),
            |d| Arc::clone(&d.file),
        ),
        span: at.map(|d| d.name_span),
        message: format!(
            "{what} \"{name}\" in namespace \"{namespace}\" is also declared at {}, differently",
            earlier.map_or_else(|| "another place".to_owned(), place)
        ),
        help: Some(format!(
            "declare it once, or alike ({compared}) wherever it is declared"
        )),
    }
}

fn load_file(facts: &mut Facts, path: &Path, default_namespace: &str) -> Result<(), SettingsError> {
    let file = settings::read_file(path, SettingsKind::Inventory)?;
    let reader = FieldReader::new(SettingsKind::Inventory, &file);
    let stream = yaml::load(file.text());
    reader.no_problems(&stream)?;
    let mut documents = stream.documents().filter(|document| !document.is_null());
    let Some(first) = documents.next() else {
        // Nothing but comments: it declares nothing.
        return Ok(());
    };
    if first.is_mapping() && first.get("apiVersion").is_none() && first.get("kind").is_none() {
        if let Some(extra) = documents.next() {
            return Err(reader.error(
                extra.span(),
                "an inventory in pullcheck's format (`namespaces:`) must be a single YAML document".into(),
                None,
            ));
        }
        return read_own_format(facts, first, &reader, &file);
    }
    for document in stream.documents().filter(|document| !document.is_null()) {
        let is_object = document.is_mapping()
            && document.get("apiVersion").and_then(|n| n.as_str()).is_some()
            && document.get("kind").and_then(|n| n.as_str()).is_some();
        if !is_object {
            return Err(reader.error(
                document.span(),
                format!(
                    "an inventory document must be pullcheck's format (a mapping with `namespaces:`) or a Kubernetes object (with `apiVersion` and `kind`), found {}",
                    if document.is_mapping() { "a mapping with only one of them" } else { document.type_name() }
                ),
                None,
            ));
        }
    }
    let extracted = manifest::extract(stream.documents(), &file, default_namespace);
    let first_span = first.span();
    // The tree is let go before the facts are moved: the two copies of them need not meet it.
    drop(documents);
    drop(stream);
    if extracted.facts.is_empty() {
        return Err(reader.error(
            first_span,
            "this inventory holds no Secret or ServiceAccount".into(),
            Some("an inventory of Kubernetes manifests lists Secret and ServiceAccount objects (`kubectl get secrets,serviceaccounts -A -o yaml`)".into()),
        ));
    }
    for fact in extracted.facts {
        let (namespace, defined_at) = match &fact {
            Fact::Secret(secret) => (&secret.namespace, &secret.defined_at),
            Fact::ServiceAccount(account) => (&account.namespace, &account.defined_at),
        };
        if let Some(problem) = namespace_name_problem(namespace) {
            let span = defined_at.as_ref().map_or(first_span, |d| d.name_span);
            return Err(reader.error(span, format!("the namespace of this object: {problem}"), None));
        }
        // Objects of one namespace usually come together: their namespace is kept once.
        if facts.namespaces.last() != Some(namespace) {
            facts.namespaces.push(namespace.clone());
        }
        match fact {
            Fact::Secret(secret) => facts.secrets.push(secret),
            Fact::ServiceAccount(account) => facts.service_accounts.push(account),
        }
    }
    Ok(())
}

fn read_own_format(
    facts: &mut Facts,
    root: Node<'_, '_>,
    reader: &FieldReader<'_>,
    file: &Arc<SourceFile>,
) -> Result<(), SettingsError> {
    for (key, value) in reader.mapping(root, "the inventory")? {
        match key.scalar() {
            Some("namespaces") => read_namespaces(facts, value, reader, file)?,
            Some("nodes") => read_nodes(facts, value, reader)?,
            Some("images") => read_images(facts, value, reader, file)?,
            _ => return Err(reader.unknown_key(key, "", &["namespaces", "nodes", "images"])),
        }
    }
    Ok(())
}

/// `images:`: the catalog files (`catalogs`, relative to the inventory file) and the prefixes
/// whose every repository they list (`complete`).
fn read_images(
    facts: &mut Facts,
    value: Node<'_, '_>,
    reader: &FieldReader<'_>,
    file: &Arc<SourceFile>,
) -> Result<(), SettingsError> {
    let base = Path::new(&file.path).parent().unwrap_or(Path::new(""));
    for (key, value) in reader.mapping(value, "images")? {
        match key.scalar().unwrap_or_default() {
            "catalogs" => {
                for entry in reader.list(value, "images.catalogs")? {
                    let (mut path, mut registry) = (None, None);
                    for (key, value) in reader.mapping(entry, "a catalog")? {
                        match key.scalar().unwrap_or_default() {
                            "file" => {
                                path = Some(normalise(&base.join(reader.string(value, "a catalog file")?)));
                            }
                            "registry" => registry = Some(reader.string(value, "a registry")?),
                            _ => return Err(reader.unknown_key(key, "", &["file", "registry"])),
                        }
                    }
                    let Some(path) = path else {
                        return Err(reader.error(entry.span(), "a catalog needs a `file`".into(), None));
                    };
                    let catalog = settings::read_file(&path, SettingsKind::Inventory)?;
                    facts
                        .catalog
                        .add_file(&catalog.path, catalog.text(), registry)
                        .map_err(|error| {
                            let offset = offset_of(catalog.text(), error.line, error.column);
                            FieldReader::new(SettingsKind::Inventory, &catalog).error(
                                crate::source::Span::new(offset, offset),
                                format!("invalid catalog: {}", error.message),
                                None,
                            )
                        })?;
                }
            }
            "complete" => {
                for item in reader.list(value, "images.complete")? {
                    let prefix = reader.string(item, "a registry or repository prefix")?;
                    facts
                        .catalog
                        .add_complete(prefix, &file.path)
                        .map_err(|message| reader.error(item.span(), message, None))?;
                }
            }
            _ => return Err(reader.unknown_key(key, "images.", &["catalogs", "complete"])),
        }
    }
    Ok(())
}

/// The byte offset of a 1-based line and column (in characters) of `text`, clamped to it.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(at, _)| at)
}

/// `nodes:`: each node's name, and the images on it.
fn read_nodes(facts: &mut Facts, value: Node<'_, '_>, reader: &FieldReader<'_>) -> Result<(), SettingsError> {
    for (node_name, node) in reader.mapping(value, "nodes")? {
        let name = reader.string(node_name, "a node name")?;
        let mut images = Vec::new();
        for (key, list) in reader.mapping(node, "a node")? {
            if key.scalar() != Some("images") {
                return Err(reader.unknown_key(key, "", &["images"]));
            }
            for item in reader.list(list, "images")? {
                let written = reader.string(item, "an image")?;
                let reference = ImageRef::parse(written).map_err(|error| {
                    reader.error(
                        item.span(),
                        format!("\"{written}\" is not an image reference: {error}"),
                        None,
                    )
                })?;
                images.push(normalised(&reference));
            }
        }
        facts.add_node(name, images);
    }
    Ok(())
}

fn read_namespaces(
    facts: &mut Facts,
    value: Node<'_, '_>,
    reader: &FieldReader<'_>,
    file: &Arc<SourceFile>,
) -> Result<(), SettingsError> {
    for (namespace_node, namespace) in reader.mapping(value, "namespaces")? {
        let namespace_name = reader.string(namespace_node, "a namespace name")?;
        if let Some(problem) = namespace_name_problem(namespace_name) {
            return Err(reader.error(namespace_node.span(), problem, None));
        }
        facts.namespaces.push(namespace_name.to_owned());
        for (key, list) in reader.mapping(namespace, "a namespace")? {
            match key.scalar().unwrap_or_default() {
                "secrets" => {
                    for entry in reader.list(list, "secrets")? {
                        facts.secrets.push(read_secret(entry, reader, file, namespace_name)?);
                    }
                }
                "serviceAccounts" => {
                    for entry in reader.list(list, "serviceAccounts")? {
                        let account = read_service_account(entry, reader, file, namespace_name)?;
                        facts.service_accounts.push(account);
                    }
                }
                _ => return Err(reader.unknown_key(key, "", &["secrets", "serviceAccounts"])),
            }
        }
    }
    Ok(())
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
                // Collected through a `Result`, a vector starts with room for four keys (96
                // bytes each): shrunk, a secret of one registry holds one.
                let mut keys: Vec<CredentialKey> = reader
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
                keys.shrink_to_fit();
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
                account.image_pull_secrets.shrink_to_fit();
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
    /// What the inventory files declare, shared with the setup.
    declared: Arc<Facts>,
    /// Found among the files checked and in `inventoryManifests`; each replaces a declared fact
    /// of the same name. Its `namespaces` stay empty: found facts declare none.
    found: Facts,
}

impl Inventory {
    /// Declared facts, then those found in the scan: a scanned object replaces a declared entry
    /// of the same name (it has a definition to point at), keeping the declared registries when
    /// its own cannot be read; of two scanned objects, the later one wins in the same way.
    pub fn build(declared: &DeclaredInventory, scanned: Vec<Fact>) -> Inventory {
        let mut found = Facts::default();
        for fact in declared.found.iter().cloned().chain(scanned) {
            match fact {
                Fact::Secret(secret) => found.secrets.push(secret),
                Fact::ServiceAccount(account) => found.service_accounts.push(account),
            }
        }
        // Reversed, then sorted stably: of one name, the latest comes first and is the one kept.
        found.secrets.reverse();
        found
            .secrets
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        found.secrets.dedup_by(|earlier, kept| {
            let same = earlier.namespace == kept.namespace && earlier.name == kept.name;
            if same && kept.registries.is_none() {
                kept.registries = earlier.registries.take();
            }
            same
        });
        for secret in &mut found.secrets {
            if secret.registries.is_none()
                && let Some(declared) = declared.declared.secret(&secret.namespace, &secret.name)
            {
                secret.registries.clone_from(&declared.registries);
            }
        }
        found.service_accounts.reverse();
        found
            .service_accounts
            .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        found
            .service_accounts
            .dedup_by(|earlier, kept| earlier.namespace == kept.namespace && earlier.name == kept.name);
        Inventory {
            declared: Arc::clone(&declared.declared),
            found,
        }
    }

    pub fn is_declared(&self, namespace: &str) -> bool {
        self.declared.is_declared(namespace)
    }

    /// The nodes an inventory declares, with their images; empty when none does.
    pub fn nodes(&self) -> &[NodeImages] {
        &self.declared.nodes
    }

    /// Whether every node the inventory lists holds the image (none listed: no).
    pub fn on_every_node(&self, reference: &ImageRef<'_>) -> bool {
        let nodes = self.nodes();
        let image = normalised(reference);
        !nodes.is_empty() && nodes.iter().all(|node| node.holds(&image))
    }

    /// What the image catalogs say exists; empty when no inventory lists one.
    pub fn catalog(&self) -> &Catalog {
        &self.declared.catalog
    }

    pub fn secret(&self, namespace: &str, name: &str) -> Lookup<'_, SecretFact> {
        match self
            .found
            .secret(namespace, name)
            .or_else(|| self.declared.secret(namespace, name))
        {
            Some(secret) => Lookup::Found(secret),
            None if self.is_declared(namespace) => Lookup::Absent,
            None => Lookup::Unknown,
        }
    }

    /// Secrets of this name in other namespaces, sorted by namespace.
    pub fn secrets_elsewhere(&self, namespace: &str, name: &str) -> Vec<&SecretFact> {
        let found = self.found.secrets.iter();
        let declared = (self.declared.secrets.iter())
            .filter(|s| s.name == name && self.found.secret(&s.namespace, name).is_none());
        let mut elsewhere: Vec<&SecretFact> = found
            .filter(|s| s.name == name)
            .chain(declared)
            .filter(|s| s.namespace != namespace)
            .collect();
        elsewhere.sort_by(|a, b| a.namespace.cmp(&b.namespace));
        elsewhere
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> ServiceAccount<'_> {
        // A name still to be filled in (`{{args.sa}}`, `$(params.sa)`) names no account yet.
        if crate::template::in_name(name).is_some() {
            return ServiceAccount::Unknown;
        }
        let account = self
            .found
            .service_account(namespace, name)
            .or_else(|| self.declared.service_account(namespace, name));
        match account {
            Some(account) => ServiceAccount::Found(account),
            None if self.is_declared(namespace) => {
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
    fn nodes_and_their_images_are_joined_across_files_and_matched_normalised() {
        let dir = tempfile::TempDir::new().unwrap();
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("b.yaml");
        std::fs::write(&a, "nodes:\n  w1: {images: [\"busybox:1.36\", \"ghcr.io/a/b@sha256:1111111111111111111111111111111111111111111111111111111111111111\"]}\n").unwrap();
        std::fs::write(
            &b,
            "nodes:\n  w1: {images: [\"docker.io/library/nginx\"]}\n  w0: {images: []}\nnamespaces: {}\n",
        )
        .unwrap();
        let declared = DeclaredInventory::load(&[a, b.clone()], "default").unwrap();
        let inventory = Inventory::build(&declared, Vec::new());
        let nodes: Vec<&str> = inventory.nodes().iter().map(|n| n.node.as_str()).collect();
        assert_eq!(nodes, ["w0", "w1"]);
        let w1 = &inventory.nodes()[1];
        let holds = |image: &str| w1.holds(&normalised(&ImageRef::parse(image).unwrap()));
        assert!(holds("docker.io/library/busybox:1.36"));
        assert!(holds("nginx:latest") && holds("nginx"));
        assert!(holds(
            "ghcr.io/a/b:9@sha256:1111111111111111111111111111111111111111111111111111111111111111"
        ));
        assert!(!holds("busybox:1.37") && !holds("ghcr.io/a/b:9"));
        let busybox = ImageRef::parse("busybox:1.37").unwrap();
        assert_eq!(
            w1.same_repository(&busybox).collect::<Vec<_>>(),
            ["docker.io/library/busybox:1.36"]
        );

        std::fs::write(&b, "nodes:\n  w1:\n    images: [\"not a ref\"]\n").unwrap();
        let error = DeclaredInventory::load(std::slice::from_ref(&b), "default").unwrap_err();
        assert!(error.message.contains("is not an image reference"), "{}", error.message);
        std::fs::write(&b, "nodes:\n  w1:\n    image: [x]\n").unwrap();
        let error = DeclaredInventory::load(&[b], "default").unwrap_err();
        assert!(error.message.contains("unknown key \"image\""), "{}", error.message);
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

    #[test]
    fn scanned_objects_replace_declared_ones_and_keep_their_registries() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("inventory.yaml");
        std::fs::write(
            &path,
            "namespaces:\n  apps:\n    secrets: [{name: pull, registries: [r.io]}, {name: other, registries: [q.io]}]\n",
        )
        .unwrap();
        let declared = DeclaredInventory::load(&[path], "default").unwrap();
        let scanned = |namespace: &str, secret_type: &str| {
            Fact::Secret(SecretFact {
                name: "pull".into(),
                namespace: namespace.into(),
                secret_type: secret_type.into(),
                registries: None,
                defined_at: None,
                payload_problem: None,
            })
        };
        let inventory = Inventory::build(
            &declared,
            vec![
                scanned("apps", "Opaque"),
                scanned("apps", DOCKER_CONFIG_JSON),
                scanned("batch", "Opaque"),
            ],
        );
        // The last scanned object wins, with the declared registries.
        let Lookup::Found(pull) = inventory.secret("apps", "pull") else {
            panic!()
        };
        assert!(pull.is_pull_secret_type());
        assert!(crate::registry::keys_cover(
            pull.registries.as_ref().unwrap(),
            "r.io",
            "x"
        ));
        assert!(matches!(inventory.secret("apps", "other"), Lookup::Found(_)));
        assert!(matches!(inventory.secret("batch", "pull"), Lookup::Found(_)));
        assert!(matches!(inventory.secret("batch", "other"), Lookup::Unknown));
        let elsewhere: Vec<&str> = (inventory.secrets_elsewhere("shop", "pull").iter())
            .map(|s| s.namespace.as_str())
            .collect();
        assert_eq!(elsewhere, ["apps", "batch"]);
    }

    #[test]
    fn namespace_names_are_rfc_1123_labels() {
        for good in ["a", "apps", "kube-system", "0", "a1-b2", &"a".repeat(63)] {
            assert_eq!(namespace_name_problem(good), None, "{good}");
        }
        for bad in ["", "Apps", "bad_ns", "-a", "a-", "a.b", &"a".repeat(64), "é"] {
            assert!(namespace_name_problem(bad).is_some(), "{bad:?} was accepted");
        }
    }
}
