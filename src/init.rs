//! `pullcheck init`: the text of a commented starter `.pullcheck.yaml` and of an inventory
//! skeleton, from what the manifests of a tree hold.
//!
//! The skeleton lists, for every namespace that the workloads, Secrets and ServiceAccounts found
//! are in, those Secrets (name, type, registry keys) and ServiceAccounts (name, their
//! `imagePullSecrets`). Secrets and service accounts that are used but that no manifest defines
//! are written as comments to fill in. A declared namespace is complete, so a namespace is
//! declared only when the manifests define everything used in it: one that uses a name defined
//! only in the cluster (`kube-system`'s `coredns` account, a `regcred` made with `kubectl`) is
//! written as comments too, and the first `check` reports nothing that the inventory made up. Only names, types and registry keys are written: the facts
//! it is built from hold no credentials (see `inventory`). Reading the tree is `check::find`'s
//! job, writing the files `main`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::manifest::facts::{Fact, SecretFact, ServiceAccountFact};
use crate::read::Found;
use crate::registry::RegistryPattern;

/// The inventory file that `init` writes beside the configuration.
pub const INVENTORY_FILE: &str = "pullcheck-inventory.yaml";

/// What `init` writes, and what it found.
#[derive(Debug)]
pub struct Starter {
    pub config: String,
    pub inventory: String,
    pub namespaces: usize,
    pub secrets: usize,
    pub service_accounts: usize,
    /// Secrets and service accounts that are used but not defined in the manifests found.
    pub undefined: usize,
    /// The namespaces left as comments: they use secrets or service accounts that no manifest
    /// found defines, so declaring them complete would make those missing.
    pub undeclared: Vec<String>,
    /// The directories (or top-level files) of the Secrets and ServiceAccounts found, which the
    /// configuration's `inventoryManifests` lists.
    pub inventory_manifests: Vec<String>,
}

/// One namespace's part of the skeleton.
#[derive(Default)]
struct Namespace<'f> {
    workloads: usize,
    secrets: BTreeMap<&'f str, &'f SecretFact>,
    service_accounts: BTreeMap<&'f str, &'f ServiceAccountFact>,
    /// Names used (by a pod or a service account), with the first file that uses each.
    used_secrets: BTreeMap<&'f str, Used<'f>>,
    used_service_accounts: BTreeMap<&'f str, Used<'f>>,
}

impl Namespace<'_> {
    /// Whether every secret and service account used in the namespace is defined by a manifest
    /// found (`default` needs none: it exists in every namespace).
    fn uses_only_what_is_defined(&self) -> bool {
        self.used_secrets.keys().all(|name| self.secrets.contains_key(name))
            && self
                .used_service_accounts
                .keys()
                .all(|name| self.service_accounts.contains_key(name))
    }
}

/// A secret or service account in use.
#[derive(Default)]
struct Used<'f> {
    /// The first file that uses it.
    file: &'f str,
    /// The registries of the images of the pods that list it (for a secret).
    registries: BTreeSet<String>,
}

impl<'f> Used<'f> {
    fn new(file: &'f str) -> Used<'f> {
        Used {
            file,
            registries: BTreeSet::new(),
        }
    }
}

/// The starter configuration and inventory for what `found` holds.
pub fn starter(found: &Found) -> Starter {
    let mut namespaces: BTreeMap<&str, Namespace<'_>> = BTreeMap::new();
    let mut fact_files = BTreeSet::new();
    for fact in &found.facts {
        match fact {
            Fact::Secret(secret) => {
                let namespace = namespaces.entry(&secret.namespace).or_default();
                namespace.secrets.entry(&secret.name).or_insert(secret);
                fact_files.extend(secret.defined_at.as_ref().map(|o| o.file.path.as_str()));
            }
            Fact::ServiceAccount(account) => {
                let namespace = namespaces.entry(&account.namespace).or_default();
                namespace.service_accounts.entry(&account.name).or_insert(account);
                let file = account.defined_at.as_ref().map_or("", |o| o.file.path.as_str());
                for secret in &account.image_pull_secrets {
                    namespace.used_secrets.entry(secret).or_insert_with(|| Used::new(file));
                }
                fact_files.extend(account.defined_at.as_ref().map(|o| o.file.path.as_str()));
            }
        }
    }
    // The images pulled as each service account (by pods that list no pull secrets of their
    // own), for the registries of that account's secrets.
    let mut pulled_as: BTreeMap<(&str, &str), BTreeSet<String>> = BTreeMap::new();
    // A kustomization's `images` entries run no pods.
    for workload in found.workloads.iter().filter(|w| !w.rewrites_images()) {
        let namespace = namespaces.entry(&workload.namespace).or_default();
        if workload.image_pull_secrets.is_empty() {
            for group in &workload.pods {
                let registries = group
                    .containers
                    .iter()
                    .filter_map(|&i| workload.containers[i].image_ref())
                    .map(|(_, reference)| reference.normalized_registry().to_owned());
                pulled_as
                    .entry((&workload.namespace, &group.service_account))
                    .or_default()
                    .extend(registries);
            }
        }
        namespace.workloads += 1;
        let file = workload.file.path.as_str();
        let registries: BTreeSet<String> = workload
            .containers
            .iter()
            .filter_map(|container| container.image_ref())
            .map(|(_, reference)| reference.normalized_registry().to_owned())
            .collect();
        for name in workload
            .image_pull_secrets
            .iter()
            .filter_map(|entry| entry.secret_name())
        {
            let used = namespace
                .used_secrets
                .entry(&name.value)
                .or_insert_with(|| Used::new(file));
            used.registries.extend(registries.iter().cloned());
        }
        for group in workload.pods.iter().filter(|group| !group.written_at.is_empty()) {
            if group.service_account != "default" {
                namespace
                    .used_service_accounts
                    .entry(&group.service_account)
                    .or_insert_with(|| Used::new(file));
            }
        }
    }

    for ((namespace, account), registries) in &pulled_as {
        let Some(namespace) = namespaces.get_mut(namespace) else {
            continue;
        };
        let Some(account) = namespace.service_accounts.get(account) else {
            continue;
        };
        for secret in &account.image_pull_secrets {
            if let Some(used) = namespace.used_secrets.get_mut(secret.as_str()) {
                used.registries.extend(registries.iter().cloned());
            }
        }
    }

    let mut inventory = String::from(INVENTORY_HEADER);
    let mut undefined = 0;
    // A namespace is declared only when the manifests define everything its pods and service
    // accounts use: a declared namespace is complete, so a name used there and defined only in
    // the cluster would be reported as missing by the first `check`.
    let (declared, undeclared): (Vec<_>, Vec<_>) = namespaces
        .iter()
        .partition(|(_, namespace)| namespace.uses_only_what_is_defined());
    if namespaces.is_empty() {
        inventory.push_str("namespaces: {}\n# namespaces:\n#   apps:\n#     secrets:\n#       - name: regcred\n#         registries: [registry.example.com]\n");
    } else if declared.is_empty() {
        inventory.push_str("namespaces: {}\n");
    } else {
        inventory.push_str("namespaces:\n");
    }
    for (name, namespace) in &declared {
        undefined += write_namespace(&mut inventory, name, namespace);
    }
    for (name, namespace) in &undeclared {
        let mut text = String::new();
        undefined += write_namespace(&mut text, name, namespace);
        let _ = writeln!(
            inventory,
            "  # Not declared, as it uses what no manifest here defines: add that, then uncomment {}.",
            yaml_string(name)
        );
        for line in text.lines() {
            let _ = writeln!(inventory, "  # {}", line.strip_prefix("  ").unwrap_or(line));
        }
    }

    let inventory_manifests = manifest_places(&fact_files);
    let config = starter_config(&inventory_manifests, &suggested_private_registries(&found.facts));
    Starter {
        config,
        inventory,
        namespaces: declared.len(),
        secrets: declared.iter().map(|(_, n)| n.secrets.len()).sum(),
        service_accounts: declared.iter().map(|(_, n)| n.service_accounts.len()).sum(),
        undefined,
        undeclared: undeclared.iter().map(|(name, _)| (**name).to_owned()).collect(),
        inventory_manifests,
    }
}

const INVENTORY_HEADER: &str = "\
# What exists in the cluster, for pullcheck's pull-secret rules (README: \"Pull secrets and the
# inventory\"). Written by `pullcheck init` from the manifests found: names, types and registry
# keys, never credentials.
#
# A namespace listed here is complete: a secret or service account it does not list does not
# exist. Add what exists only in the cluster (README: \"Generating an inventory from a live
# cluster\"), or remove a namespace to leave its secrets unchecked.
";

/// Writes one namespace; returns how many used names it leaves as comments.
fn write_namespace(out: &mut String, name: &str, namespace: &Namespace<'_>) -> usize {
    let workloads = match namespace.workloads {
        0 => String::new(),
        1 => "  # 1 workload".to_owned(),
        n => format!("  # {n} workloads"),
    };
    let _ = writeln!(out, "  {}:{workloads}", yaml_string(name));

    let undefined_secrets: Vec<(&str, &Used<'_>)> = namespace
        .used_secrets
        .iter()
        .filter(|(name, _)| !namespace.secrets.contains_key(*name))
        .map(|(name, used)| (*name, used))
        .collect();
    if namespace.secrets.is_empty() && undefined_secrets.is_empty() {
        out.push_str("    secrets: []\n");
    } else {
        out.push_str("    secrets:\n");
    }
    for secret in namespace.secrets.values() {
        let _ = writeln!(
            out,
            "      - name: {}{}",
            yaml_string(&secret.name),
            from_file(secret.defined_at.as_ref().map(|o| o.file.path.as_str()))
        );
        let _ = writeln!(out, "        type: {}", yaml_string(&secret.secret_type));
        if secret.is_pull_secret_type() {
            match &secret.registries {
                Some(keys) => {
                    // A key is a registry host and path; one with a user name in it is left out.
                    let keys: Vec<String> = keys
                        .iter()
                        .map(|key| key.as_str())
                        .filter(|key| !key.contains('@'))
                        .map(yaml_string)
                        .collect();
                    let _ = writeln!(out, "        registries: [{}]", keys.join(", "));
                }
                None => out.push_str(
                    "        # registries: []  # unknown (templated or unreadable): the registries it holds credentials for\n",
                ),
            }
        }
    }
    for (name, used) in &undefined_secrets {
        let _ = writeln!(
            out,
            "      # - name: {}  # used in {}, not defined in these manifests",
            yaml_string(name),
            comment_text(used.file)
        );
        let registries: Vec<String> = used.registries.iter().map(|r| yaml_string(r)).collect();
        let hint = if registries.is_empty() {
            "the registries it holds credentials for"
        } else {
            "those of the images that use it: keep the ones it holds credentials for"
        };
        let _ = writeln!(out, "      #   registries: [{}]  # {hint}", registries.join(", "));
    }

    let undefined_accounts: Vec<(&str, &str)> = namespace
        .used_service_accounts
        .iter()
        .filter(|(name, _)| !namespace.service_accounts.contains_key(*name))
        .map(|(name, used)| (*name, used.file))
        .collect();
    if namespace.service_accounts.is_empty() && undefined_accounts.is_empty() {
        out.push_str("    serviceAccounts: []\n");
    } else {
        out.push_str("    serviceAccounts:\n");
    }
    for account in namespace.service_accounts.values() {
        let _ = writeln!(
            out,
            "      - name: {}{}",
            yaml_string(&account.name),
            from_file(account.defined_at.as_ref().map(|o| o.file.path.as_str()))
        );
        if !account.image_pull_secrets.is_empty() {
            let secrets: Vec<String> = account.image_pull_secrets.iter().map(|s| yaml_string(s)).collect();
            let _ = writeln!(out, "        imagePullSecrets: [{}]", secrets.join(", "));
        }
    }
    for (name, file) in &undefined_accounts {
        let _ = writeln!(
            out,
            "      # - name: {}  # used in {}, not defined in these manifests",
            yaml_string(name),
            comment_text(file)
        );
        out.push_str("      #   imagePullSecrets: []\n");
    }
    undefined_secrets.len() + undefined_accounts.len()
}

fn from_file(file: Option<&str>) -> String {
    file.map_or_else(String::new, |file| format!("  # {}", comment_text(file)))
}

/// Text that stays on one comment line.
fn comment_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// A string as a YAML scalar: plain when it cannot be read as anything else, else double-quoted
/// (JSON's quoting is valid YAML).
pub(crate) fn yaml_string(text: &str) -> String {
    let plain = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).expect("a string serialises")
    }
}

/// Where the Secrets and ServiceAccounts are: the directories of the files that hold them (a file
/// at the top is listed itself, so that the whole tree is not read twice), without a directory
/// inside another listed one.
fn manifest_places(files: &BTreeSet<&str>) -> Vec<String> {
    let places: BTreeSet<String> = files
        .iter()
        .map(|file| match file.rsplit_once('/') {
            Some((dir, _)) if !dir.is_empty() => dir.to_owned(),
            _ => (*file).to_owned(),
        })
        .collect();
    places
        .iter()
        .filter(|place| {
            !places
                .iter()
                .any(|other| other != *place && place.starts_with(&format!("{other}/")))
        })
        .cloned()
        .collect()
}

/// The registries that the pull secrets found hold credentials for, as registry patterns (Docker
/// Hub left out: its credentials are more often about rate limits than about private images).
fn suggested_private_registries(facts: &[Fact]) -> Vec<String> {
    let mut suggested = BTreeSet::new();
    for fact in facts {
        let Fact::Secret(secret) = fact else { continue };
        for key in secret.registries.iter().flatten() {
            let written = key.as_str();
            let bare = written
                .strip_prefix("https://")
                .or_else(|| written.strip_prefix("http://"))
                .unwrap_or(written);
            let bare = ["/v1/", "/v2/", "/"]
                .iter()
                .find_map(|suffix| bare.strip_suffix(suffix))
                .unwrap_or(bare);
            if key.is_docker_hub_fallback() || bare.contains('@') || bare == "docker.io" {
                continue;
            }
            if let Ok(pattern) = RegistryPattern::parse(bare) {
                suggested.insert(pattern.as_str().to_owned());
            }
        }
    }
    suggested.into_iter().collect()
}

fn starter_config(inventory_manifests: &[String], private: &[String]) -> String {
    let list = |items: &[String]| {
        let items: Vec<String> = items.iter().map(|item| yaml_string(item)).collect();
        format!("[{}]", items.join(", "))
    };
    let private_hint = if private.is_empty() {
        "e.g. [ghcr.io/acme, \"*.icr.io\"]".to_owned()
    } else {
        format!("your pull secrets hold credentials for {}", list(private))
    };
    let manifests = if inventory_manifests.is_empty() {
        "inventoryManifests: []  # e.g. [deploy/access]\n".to_owned()
    } else {
        format!("inventoryManifests: {}\n", list(inventory_manifests))
    };
    format!(
        "\
# pullcheck configuration, written by `pullcheck init` (README: \"Configuration\"). pullcheck finds
# it from the current directory upward; paths in it are relative to it.

# The namespace of objects that do not name one.
defaultNamespace: default

# Rule severities: error, warning, info or off. `pullcheck rules` lists the rules and their
# defaults; `pullcheck explain RULE` says what one checks.
rules:
  # latest-image-tag: error
  # unpinned-image-digest: warning

registries:
  # Registries where every pull needs credentials: their images need a pull secret that covers
  # them (missing-pull-secret, pull-secret-registry-mismatch). Added to the built-in ones
  # (container-registry.oracle.com, icr.io, *.ocir.io, registry.redhat.io, ...); set
  # builtInPrivate: false if your nodes log in to those by themselves.
  private: []  # {private_hint}
  # Only these registries may be used (disallowed-registry):
  # allowed: [registry.example.com, docker.io/library]
  # Moved or frozen registries and their successors, besides the built-in ones (k8s.gcr.io, ...):
  # deprecated: {{old.example.com: new.example.com}}

# What exists in the cluster: namespaces, their pull secrets and service accounts. A namespace
# listed there is complete.
inventory: [{INVENTORY_FILE}]

# Manifests whose Secrets and ServiceAccounts are read in every run, also when only some files are
# checked (pre-commit passes only the changed ones).
{manifests}
# Images loaded on every node rather than pulled (unknown-library-image):
# images:
#   local: [my-local-image]
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_that_yaml_would_read_otherwise_are_quoted() {
        assert_eq!(yaml_string("ghcr-pull"), "ghcr-pull");
        assert_eq!(yaml_string("ghcr.io/acme"), "ghcr.io/acme");
        assert_eq!(yaml_string("*.icr.io"), "\"*.icr.io\"");
        assert_eq!(
            yaml_string("https://index.docker.io/v1/"),
            "\"https://index.docker.io/v1/\""
        );
        assert_eq!(yaml_string("on"), "\"on\"");
        assert_eq!(yaml_string("1.0"), "\"1.0\"");
        assert_eq!(yaml_string("{{ .Values.name }}"), "\"{{ .Values.name }}\"");
        assert_eq!(yaml_string(""), "\"\"");
    }

    #[test]
    fn manifest_places_are_directories_not_nested() {
        let files: BTreeSet<&str> = [
            "deploy/access/sa.yaml",
            "deploy/access/x/s.yaml",
            "top.yaml",
            "ops/s.yaml",
        ]
        .into_iter()
        .collect();
        assert_eq!(manifest_places(&files), ["deploy/access", "ops", "top.yaml"]);
    }
}
