//! `unknown-pull-secret`: `imagePullSecrets` names a secret the pod's namespace does not have.

use super::{Context, Finding, Rule};
use crate::diagnostic::Severity;
use crate::inventory::Lookup;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "unknown-pull-secret",
    default_severity: Some(Severity::Error),
    summary: "imagePullSecrets names a secret that does not exist in the pod's declared namespace",
    doc: include_str!("../../rules/unknown-pull-secret.md"),
    check: Some(check),
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let namespace = &workload.namespace;
    for entry in &workload.image_pull_secrets {
        let Some(name) = entry.secret_name() else { continue };
        if !matches!(context.inventory.secret(namespace, &name.value), Lookup::Absent) {
            continue;
        }
        let elsewhere = context.inventory.secrets_elsewhere(namespace, &name.value);
        let mut message = format!("secret \"{}\" does not exist in namespace \"{namespace}\"", name.value);
        let mut help = format!(
            "create the docker-registry secret in namespace \"{namespace}\", or fix the name; a pod can use only secrets in its own namespace"
        );
        if let Some(first) = elsewhere.first() {
            let namespaces: Vec<&str> = elsewhere.iter().map(|s| s.namespace.as_str()).collect();
            message.push_str(&format!(" (a secret of that name is in {})", namespaces.join(", ")));
            help = format!(
                "a pod can use only secrets in its own namespace: create a copy of the secret in namespace \"{namespace}\" (from \"{}\")",
                first.namespace
            );
        }
        let mut finding = Finding::new(name.span, message)
            .field(format!("{}.name", entry.path))
            .label("no such secret here")
            .help(help);
        if let Some(first) = elsewhere.first() {
            finding = finding.defined_at(
                first.origin.as_ref(),
                |o| o.name_span,
                format!("defined in namespace \"{}\"", first.namespace),
            );
        }
        out.push(finding);
    }
}
