//! `pull-secret-registry-mismatch`: the pod has pull secrets, but none for the image's registry.

use std::borrow::Cow;

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::inventory::{Lookup, PullSecretSource, ServiceAccount};
use crate::manifest::facts::SecretFact;
use crate::manifest::{PodGroup, Workload};
use crate::registry;

pub static RULE: Rule = Rule {
    id: "pull-secret-registry-mismatch",
    default_severity: Some(Severity::Error),
    summary: "image from a private registry (built in, or registries.private) that none of the pod's pull secrets holds credentials for",
    doc: include_str!("../../rules/pull-secret-registry-mismatch.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    // A kustomize patch's pull secrets are merged with its base's, which it does not show.
    if workload.is_fragment {
        return;
    }
    // When the pods list pull secrets, every pod uses them, so one pass over every image is enough;
    // otherwise each group of pods gets its own service account's.
    let everything = PodGroup {
        service_account: Cow::Borrowed(""),
        written_at: Vec::new(),
        pods: Vec::new(),
        containers: (0..workload.containers.len()).collect(),
    };
    let groups: Vec<&PodGroup> = match workload.pod_image_pull_secrets() {
        Some((entries, _)) if !entries.is_empty() => vec![&everything],
        _ => workload.pods.iter().collect(),
    };
    for group in groups {
        check_group(workload, group, context, out);
    }
}

fn check_group(workload: &Workload, group: &PodGroup, context: &Context<'_>, out: &mut Vec<Finding>) {
    let names = context.inventory.effective_pull_secrets(workload, group);
    if names.is_empty() {
        return;
    }
    // Only docker-registry secrets hold credentials; if any secret's registries are unknown, the
    // image may be covered, so nothing is said.
    let mut secrets: Vec<&SecretFact> = Vec::new();
    for name in &names {
        match context.inventory.secret(&workload.namespace, name) {
            Lookup::Unknown => return,
            Lookup::Found(secret) if secret.is_pull_secret_type() => {
                if secret.registries.is_none() {
                    return;
                }
                secrets.push(secret);
            }
            // Nonexistent and wrong-type secrets have rules of their own.
            Lookup::Found(_) | Lookup::Absent => {}
        }
    }
    if secrets.is_empty() {
        return;
    }
    let covered: Vec<&str> = secrets
        .iter()
        .flat_map(|s| s.registries.iter().flatten())
        .map(|key| key.as_str())
        .collect();
    let secret_names: Vec<String> = secrets.iter().map(|s| format!("\"{}\"", s.name)).collect();
    let owner = workload.pull_secrets_owner();
    for container in group.containers.iter().map(|&i| &workload.containers[i]) {
        let Some((image, reference)) = container.image_ref() else {
            continue;
        };
        let registry_name = reference.normalized_registry();
        if workload.nodes_log_in_to(registry_name) {
            continue;
        }
        let path = reference.normalized_path();
        if !context
            .config
            .private_registries
            .iter()
            .any(|p| p.matches(registry_name, &path))
        {
            continue;
        }
        if registry::keys_cover(
            secrets.iter().flat_map(|s| s.registries.iter().flatten()),
            registry_name,
            &path,
        ) {
            continue;
        }
        let span = image.span_of(reference.registry_or_name_range());
        let source = context.inventory.pull_secret_source(workload, group);
        let (from, help) = match &source {
            PullSecretSource::ServiceAccount { name, .. } => (
                format!(
                    "the pull secrets of service account \"{name}\"{}",
                    workload.pods_note(group)
                ),
                format!(
                    "add {registry_name} to one of the service account's secrets; pull secrets listed on the pod would replace the service account's, so they must then cover every image"
                ),
            ),
            PullSecretSource::Pod | PullSecretSource::Unknown => (
                owner.possessive("pull secrets"),
                format!(
                    "add a docker-registry secret for {registry_name} to {}, or add {registry_name} to an existing secret's auths",
                    owner.possessive("imagePullSecrets")
                ),
            ),
        };
        let mut finding = Finding::in_container(
            container,
            "image",
            span,
            format!(
                "none of {from} ({}) holds credentials for \"{}\"; they cover: {}",
                secret_names.join(", "),
                reference.normalized_name(),
                if covered.is_empty() {
                    "no registry".to_owned()
                } else {
                    covered.join(", ")
                }
            ),
        )
        .label("no credentials for this registry")
        .help(help);
        match source {
            PullSecretSource::Pod => {
                let (entries, file) = workload.pod_image_pull_secrets().unwrap_or_default();
                for entry in entries {
                    if let Some(name) = entry.secret_name()
                        && secrets.iter().any(|s| s.name == name.value)
                    {
                        finding = finding.related_in(file, name.span, "does not cover it");
                    }
                }
            }
            PullSecretSource::ServiceAccount {
                account: ServiceAccount::Found(account),
                name,
            } => {
                finding = finding.defined_at(
                    account.defined_at.as_ref(),
                    |o| o.name_span,
                    format!("service account \"{name}\""),
                );
            }
            PullSecretSource::ServiceAccount { .. } | PullSecretSource::Unknown => {}
        }
        out.push(finding);
    }
}
