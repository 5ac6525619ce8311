//! `missing-pull-secret`: an image from a private registry, and no pull secret at all.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::inventory::{PullSecretSource, ServiceAccount};
use crate::manifest::Workload;
use crate::registry::{self, RegistryPattern};
use crate::template;

pub static RULE: Rule = Rule {
    id: "missing-pull-secret",
    default_severity: Some(Severity::Error),
    summary: "image from a private registry (built in, or registries.private), and neither the pod nor its service account has a pull secret",
    doc: include_str!("../../rules/missing-pull-secret.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    // A kustomize patch's pull secrets are merged with its base's, which it does not show.
    if workload.is_fragment {
        return;
    }
    let owner = workload.pull_secrets_owner();
    // Pods of one workload may run as different service accounts (a WebLogic domain's admin
    // server and its clusters): each group is judged with its own account.
    for group in &workload.pods {
        let PullSecretSource::ServiceAccount { name, account } = context.inventory.pull_secret_source(workload, group)
        else {
            continue;
        };
        let pods = workload.pods_note(group);
        let consulted = match &account {
            ServiceAccount::Found(account) if account.image_pull_secrets.is_empty() => {
                format!("{owner} lists no imagePullSecrets and service account \"{name}\"{pods} has none")
            }
            ServiceAccount::ImplicitDefault => {
                format!("{owner} lists no imagePullSecrets and the namespace's default service account{pods} has none")
            }
            // An account still to be filled in (`{{workflow.parameters.sa}}`) may have any pull
            // secrets: nothing to say.
            ServiceAccount::Unknown if template::in_name(name).is_some() => continue,
            ServiceAccount::Unknown => format!(
                "{owner} lists no imagePullSecrets, and the pull secrets of service account \"{name}\"{pods} could not be checked: no inventory declares namespace \"{}\"",
                workload.namespace
            ),
            // A service account with secrets is `pull-secret-registry-mismatch`'s; a missing one,
            // `unknown-service-account`'s.
            ServiceAccount::Found(_) | ServiceAccount::Absent => continue,
        };
        for container in group.containers.iter().map(|&i| &workload.containers[i]) {
            let Some((image, reference)) = container.image_ref() else {
                continue;
            };
            let registry = reference.normalized_registry();
            if workload.nodes_log_in_to(registry) {
                continue;
            }
            let path = reference.normalized_path();
            // A login is certain under any matching pattern but the built-in ones that only make
            // it likely; under those alone, the finding is a warning.
            let mut matching = context.config.private_registries_of(registry, &path);
            let Some(first) = matching.next() else {
                continue;
            };
            let likely = |(pattern, built_in): &(&RegistryPattern, bool)| {
                *built_in && registry::built_in_likely_private(pattern)
            };
            let (pattern, likely) = match std::iter::once(first).chain(matching).find(|p| !likely(p)) {
                Some((certain, _)) => (certain, false),
                None => (first.0, true),
            };
            let span = image.span_of(reference.registry_or_name_range());
            let finding = Finding::in_container(
                container,
                "image",
                span,
                format!(
                    "image \"{}\" {} registry credentials ({pattern} is private{}), but {consulted}",
                    image.value,
                    if likely { "most likely needs" } else { "needs" },
                    if likely { " unless made public" } else { "" },
                ),
            )
            .label("needs a pull secret");
            let finding = if likely {
                finding.at_most(Severity::Warning)
            } else {
                finding
            };
            let help = if matches!(account, ServiceAccount::Unknown) {
                format!(
                    "add `imagePullSecrets: [{{name: <secret>}}]` to {}, or declare namespace \"{}\" and its service accounts in an inventory file (--inventory)",
                    workload.pull_secrets_place(),
                    workload.namespace
                )
            } else {
                format!(
                    "create a docker-registry secret for {registry} (`kubectl create secret docker-registry`) and list it under imagePullSecrets, or add it to the service account"
                )
            };
            // Say why a registry the user never configured counts as private.
            let help = match registry::built_in_private_reason(pattern) {
                Some(why) if likely => format!(
                    "{help}. {why}; if this repository is public, or the nodes log in by themselves, set `registries.builtInPrivate: false` in .pullcheck.yaml"
                ),
                Some(why) => format!(
                    "{help}. {why}; if the nodes log in by themselves, set `registries.builtInPrivate: false` in .pullcheck.yaml"
                ),
                None => help,
            };
            out.push(finding.help(help));
        }
    }
}
