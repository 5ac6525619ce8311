//! `pullcheck inventory`: the cluster's facts, from what kubectl prints, as an inventory file.
//!
//! The input is Kubernetes objects as `kubectl get … -o json` or `-o yaml` prints them: one object,
//! a `List` of them, or a stream. Of them, pullcheck keeps what the inventory holds
//! (`inventory.rs`): every namespace seen (a `Namespace` object, or the namespace of a Secret or
//! ServiceAccount), each Secret's name and type, and for docker-registry secrets the registry
//! keys of its payload; each ServiceAccount's name and `imagePullSecrets`; each Node's name and
//! the images on it (`status.images[].names`, as the kubelet reports them). Everything else is
//! dropped as it is read.
//!
//! **Credentials never reach the output, and are never kept.** JSON, what `kubectl get secrets -A
//! -o json` gives for a whole cluster, is read as a stream (serde): a Secret's `data` and
//! `stringData` are skipped unread but for `.dockerconfigjson` and `.dockercfg`, which are decoded
//! on the spot into their registry keys and dropped, so memory holds the facts, never the payloads
//! nor the whole input. YAML is loaded whole (a YAML stream cannot be read otherwise), through the
//! same reading of Secrets as every manifest (`manifest/facts.rs`). Errors say where the input is
//! wrong and never quote it.
//!
//! What RBAC the documented command needs: `list` on namespaces, secrets, serviceaccounts and
//! nodes, cluster-wide (`kubectl auth can-i list secrets -A`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::io::{BufRead, BufReader, Read};

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use crate::image::ImageRef;
use crate::init::yaml_string;
use crate::manifest::facts::{self, DOCKER_CFG, DOCKER_CONFIG_JSON, Fact};
use crate::registry::CredentialKey;
use crate::source::SourceFile;
use crate::yaml;

/// What an inventory holds of a cluster, sorted by namespace and name.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClusterFacts {
    namespaces: BTreeMap<String, Namespace>,
    /// By node: the images on it (`status.images[].names`), those that are image references.
    nodes: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Namespace {
    /// By name: the type, and the registry keys when they are known.
    secrets: BTreeMap<String, (String, Option<Vec<String>>)>,
    /// By name: the `imagePullSecrets`.
    service_accounts: BTreeMap<String, Vec<String>>,
}

/// Why an input cannot be read. The message says where, never what is there.
#[derive(Debug)]
pub struct ImportError {
    pub input: String,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.input, self.message)
    }
}

impl std::error::Error for ImportError {}

impl ClusterFacts {
    /// Reads one input, named `input` in errors: JSON when its first character that is not white
    /// space is `{` or `[`, else YAML.
    pub fn read(&mut self, input: &str, reader: impl Read) -> Result<(), ImportError> {
        let mut reader = BufReader::new(reader);
        let error = |message: String| ImportError {
            input: input.to_owned(),
            message,
        };
        let first = loop {
            let buffer = reader.fill_buf().map_err(|e| error(e.to_string()))?;
            match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(at) => break Some(buffer[at]),
                None if buffer.is_empty() => break None,
                None => {
                    let n = buffer.len();
                    reader.consume(n);
                }
            }
        };
        match first {
            None => Ok(()),
            Some(b'{' | b'[') => self.read_json(reader).map_err(error),
            Some(_) => {
                let mut text = String::new();
                reader
                    .read_to_string(&mut text)
                    .map_err(|_| error("not UTF-8 text".to_owned()))?;
                self.read_yaml(input, &text).map_err(error)
            }
        }
    }

    fn read_json(&mut self, reader: impl Read) -> Result<(), String> {
        let stream = serde_json::Deserializer::from_reader(reader).into_iter::<JsonObject>();
        for object in stream {
            // Said from the error's category and place only: serde_json's own message may quote
            // the input, which holds credentials.
            let object = object.map_err(|e| {
                let what = match e.classify() {
                    serde_json::error::Category::Io => "the input could not be read",
                    serde_json::error::Category::Syntax => "invalid JSON",
                    serde_json::error::Category::Data => "not a Kubernetes object, nor a List of them",
                    serde_json::error::Category::Eof => "the JSON ends before it is complete",
                };
                format!("{what}, at line {}, column {}", e.line(), e.column())
            })?;
            self.add_json(object);
        }
        Ok(())
    }

    fn add_json(&mut self, object: JsonObject) {
        for item in object.items.into_iter().flatten() {
            self.add_json(item);
        }
        let (Some(name), api_version) = (object.metadata.name, object.api_version.as_deref()) else {
            return;
        };
        if api_version != Some("v1") {
            return;
        }
        let namespace = object.metadata.namespace.unwrap_or_else(|| "default".to_owned());
        match object.kind.as_deref() {
            Some("Node") => {
                let images = object.status.as_ref().and_then(|status| status.get("images"));
                let names = images
                    .and_then(|images| images.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|image| image.get("names")?.as_array())
                    .flatten()
                    .filter_map(|name| name.as_str().map(str::to_owned));
                self.add_node(name, names);
            }
            Some("Namespace") => {
                self.namespaces.entry(name).or_default();
            }
            Some("Secret") => {
                let secret_type = object.secret_type.unwrap_or_else(|| "Opaque".to_owned());
                let key = match secret_type.as_str() {
                    DOCKER_CONFIG_JSON => Some(".dockerconfigjson"),
                    DOCKER_CFG => Some(".dockercfg"),
                    _ => None,
                };
                // `stringData` wins, as the API server merges it over `data`.
                let registries = key.and_then(|key| {
                    [object.string_data.map(|p| p.0), object.data.map(|p| p.0)]
                        .into_iter()
                        .flatten()
                        .find_map(|payloads| payloads.into_iter().find(|(k, _)| k == key))
                        .and_then(|(_, keys)| keys)
                });
                self.namespace(namespace)
                    .secrets
                    .insert(name, (secret_type, registries));
            }
            Some("ServiceAccount") => {
                let pull_secrets = object.image_pull_secrets.into_iter().filter_map(|r| r.name).collect();
                self.namespace(namespace).service_accounts.insert(name, pull_secrets);
            }
            _ => {}
        }
    }

    fn read_yaml(&mut self, input: &str, text: &str) -> Result<(), String> {
        let file = std::sync::Arc::new(SourceFile::new(input, text));
        let stream = yaml::load(file.text());
        if let Some(problem) = stream.problems.first() {
            let (span, what) = match problem {
                yaml::LoadProblem::Syntax { span, .. } => (*span, "invalid YAML"),
                yaml::LoadProblem::DuplicateKey { span, .. } => (*span, "a key written twice"),
            };
            let at = file.position(span.start);
            return Err(format!("{what} at line {}, column {}", at.line, at.column));
        }
        let mut pending: Vec<yaml::Node<'_, '_>> = stream.documents().collect();
        while let Some(node) = pending.pop() {
            if let Some(items) = node.get("items") {
                pending.extend(items.items());
            }
            if node.get("apiVersion").and_then(|v| v.as_str()) != Some("v1") {
                continue;
            }
            let metadata = node.get("metadata");
            let Some(name) = metadata.and_then(|m| m.get("name")).and_then(|n| n.as_str()) else {
                continue;
            };
            let namespace = metadata
                .and_then(|m| m.get("namespace"))
                .and_then(|n| n.as_str())
                .unwrap_or("default")
                .to_owned();
            let kind = node.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
            if kind == "Node" {
                let names = node
                    .get("status")
                    .and_then(|status| status.get("images"))
                    .into_iter()
                    .flat_map(|images| images.items())
                    .filter_map(|image| image.get("names"))
                    .flat_map(|names| names.items())
                    .filter_map(|name| name.as_str().map(str::to_owned));
                self.add_node(name.to_owned(), names);
                continue;
            }
            if kind == "Namespace" {
                self.namespaces.entry(name.to_owned()).or_default();
                continue;
            }
            match facts::fact_from_object(kind, node, &file, &namespace) {
                Some(Fact::Secret(secret)) => {
                    let registries = secret
                        .registries
                        .map(|keys| keys.iter().map(|key| key.as_str().to_owned()).collect());
                    self.namespace(namespace)
                        .secrets
                        .insert(secret.name, (secret.secret_type, registries));
                }
                Some(Fact::ServiceAccount(account)) => {
                    self.namespace(namespace)
                        .service_accounts
                        .insert(account.name, account.image_pull_secrets);
                }
                None => {}
            }
        }
        Ok(())
    }

    /// A node's images: the names that are image references (a runtime also lists bare image ids,
    /// `sha256:…`, and Docker `<none>@<none>`).
    fn add_node(&mut self, name: String, names: impl Iterator<Item = String>) {
        self.nodes
            .entry(name)
            .or_default()
            .extend(names.filter(|name| !name.starts_with("sha256:") && ImageRef::parse(name).is_ok()));
    }

    fn namespace(&mut self, name: String) -> &mut Namespace {
        self.namespaces.entry(name).or_default()
    }

    /// The inventory file: pullcheck's format, every namespace seen declared.
    pub fn to_inventory(&self, sources: &str) -> String {
        let quote = yaml_string;
        let mut out = String::from(
            "# The cluster's nodes and their images, and its namespaces, pull secrets and service\n\
             # accounts, written by `pullcheck inventory`: names, types and registry keys only, never\n\
             # credentials. Every namespace here is declared complete: a secret or service account it\n\
             # does not list does not exist.\n",
        );
        // A file name cannot start a line of YAML of its own.
        let _ = writeln!(out, "# From: {}", sources.escape_debug());
        if !self.nodes.is_empty() {
            out.push_str("nodes:\n");
            for (node, images) in &self.nodes {
                if images.is_empty() {
                    let _ = writeln!(out, "  {}: {{images: []}}", quote(node));
                    continue;
                }
                let _ = writeln!(out, "  {}:\n    images:", quote(node));
                for image in images {
                    let _ = writeln!(out, "      - {}", quote(image));
                }
            }
        }
        if self.namespaces.is_empty() {
            out.push_str("namespaces: {}\n");
            return out;
        }
        out.push_str("namespaces:\n");
        for (name, namespace) in &self.namespaces {
            let _ = writeln!(out, "  {}:", quote(name));
            if namespace.secrets.is_empty() && namespace.service_accounts.is_empty() {
                out.truncate(out.len() - 1);
                out.push_str(" {}\n");
                continue;
            }
            if !namespace.secrets.is_empty() {
                out.push_str("    secrets:\n");
            }
            for (secret, (secret_type, registries)) in &namespace.secrets {
                let _ = writeln!(out, "      - name: {}", quote(secret));
                let _ = writeln!(out, "        type: {}", quote(secret_type));
                match registries {
                    Some(registries) => {
                        let keys: Vec<String> = registries.iter().map(|key| quote(key)).collect();
                        let _ = writeln!(out, "        registries: [{}]", keys.join(", "));
                    }
                    None if [DOCKER_CONFIG_JSON, DOCKER_CFG].contains(&secret_type.as_str()) => {
                        out.push_str(
                            "        # its payload does not decode into registry keys: the kubelet cannot use it\n",
                        );
                    }
                    None => {}
                }
            }
            if !namespace.service_accounts.is_empty() {
                out.push_str("    serviceAccounts:\n");
            }
            for (account, pull_secrets) in &namespace.service_accounts {
                let _ = writeln!(out, "      - name: {}", quote(account));
                if !pull_secrets.is_empty() {
                    let names: Vec<String> = pull_secrets.iter().map(|name| quote(name)).collect();
                    let _ = writeln!(out, "        imagePullSecrets: [{}]", names.join(", "));
                }
            }
        }
        out
    }
}

/// An object as kubectl prints it in JSON, with only what the inventory needs; a `List`'s items
/// are objects too.
#[derive(Deserialize)]
struct JsonObject {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    #[serde(rename = "type")]
    secret_type: Option<String>,
    data: Option<Payloads<true>>,
    #[serde(rename = "stringData")]
    string_data: Option<Payloads<false>>,
    #[serde(rename = "imagePullSecrets", default)]
    image_pull_secrets: Vec<NameRef>,
    /// Kept as it is written, whatever its shape: of a Node, its images are read; of any other
    /// kind (`kubectl get all` has some), nothing.
    status: Option<serde_json::Value>,
    items: Option<Vec<JsonObject>>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct NameRef {
    name: Option<String>,
}

/// The docker config payloads of a Secret's `data` (base64, `BASE64`) or `stringData`, each
/// decoded into its registry keys as it is read (`None` when it does not decode); every other
/// value is skipped unread.
struct Payloads<const BASE64: bool>(Vec<(String, Option<Vec<String>>)>);

impl<'de, const BASE64: bool> Deserialize<'de> for Payloads<BASE64> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PayloadVisitor<const BASE64: bool>;
        impl<'de, const BASE64: bool> Visitor<'de> for PayloadVisitor<BASE64> {
            type Value = Payloads<BASE64>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of a Secret's data")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut payloads = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let nested_in_auths = match key.as_str() {
                        ".dockerconfigjson" => true,
                        ".dockercfg" => false,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    // A payload that is not a string is a wrong shape: no keys.
                    let value = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(text) => Some(text),
                        _ => None,
                    };
                    let keys = value.and_then(|text| registry_keys::<BASE64>(&text, nested_in_auths));
                    payloads.push((key, keys));
                }
                Ok(Payloads(payloads))
            }
        }
        deserializer.deserialize_map(PayloadVisitor::<BASE64>)
    }
}

/// The registry keys of a docker config payload that the kubelet can match, or `None` when it
/// does not decode.
fn registry_keys<const BASE64: bool>(text: &str, nested_in_auths: bool) -> Option<Vec<String>> {
    let decoded;
    let config = if BASE64 {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        decoded = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
        decoded.as_slice()
    } else {
        text.as_bytes()
    };
    let keys = facts::docker_config_registry_keys(config, nested_in_auths).ok()?;
    Some(
        keys.iter()
            .filter_map(|key| CredentialKey::parse(key))
            .map(|key| key.as_str().to_owned())
            .collect(),
    )
}
