//! `unknown-pull-secret`: `imagePullSecrets` (the pod's, or its service account's) names a secret
//! the pod's namespace does not have.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::inventory::{Lookup, PullSecretSource, ServiceAccount};
use crate::manifest::Workload;
use crate::source::Span;

pub static RULE: Rule = Rule {
    id: "unknown-pull-secret",
    default_severity: Some(Severity::Error),
    summary: "imagePullSecrets names a secret that does not exist in the pod's declared namespace (says where one of that name does)",
    doc: include_str!("../../rules/unknown-pull-secret.md"),
    stages: &[Stage::Workload(check)],
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
                first.defined_at.as_ref(),
                |o| o.name_span,
                format!("defined in namespace \"{}\"", first.namespace),
            );
        }
        out.push(finding);
    }
    service_account_secrets(workload, context, out);
}

/// A service account's `imagePullSecrets` reach the pods only when the pod lists none; a name
/// there that the declared namespace does not have leaves those pods pulling without credentials.
fn service_account_secrets(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let namespace = &workload.namespace;
    for group in &workload.pods {
        let PullSecretSource::ServiceAccount {
            name,
            account: ServiceAccount::Found(account),
        } = context.inventory.pull_secret_source(workload, group)
        else {
            continue;
        };
        // Point where the account is named, or at the object's first line for the implied default.
        let (span, field) = match group.written_at.iter().find(|at| at.file.is_none()) {
            Some(at) => (at.name.span, at.path.clone()),
            None => (first_line(workload), workload.pod_spec_path.to_string()),
        };
        for secret in &account.image_pull_secrets {
            if !matches!(context.inventory.secret(namespace, secret), Lookup::Absent) {
                continue;
            }
            out.push(
                Finding::new(
                    span,
                    format!(
                        "service account \"{name}\" lists pull secret \"{secret}\", which does not exist in namespace \"{namespace}\": these pods pull without its credentials"
                    ),
                )
                .field(field.clone())
                .label(format!("its pull secret \"{secret}\" does not exist"))
                .defined_at(account.defined_at.as_ref(), |o| o.name_span, format!("service account \"{name}\""))
                .help(format!(
                    "create secret \"{secret}\" in namespace \"{namespace}\", or fix the service account's imagePullSecrets"
                )),
            );
        }
    }
}

/// The first line of the object, for findings about something it leaves implicit.
fn first_line(workload: &Workload) -> Span {
    let text = workload.file.text();
    let start = workload.span.start.min(text.len());
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(workload.span.end, |i| start + i);
    Span::new(start, end.clamp(start, workload.span.end.max(start)))
}
