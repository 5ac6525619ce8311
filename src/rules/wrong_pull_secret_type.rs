//! `wrong-pull-secret-type`: a pull secret the kubelet ignores because of its type.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::inventory::Lookup;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "wrong-pull-secret-type",
    default_severity: Some(Severity::Error),
    summary: "imagePullSecrets names a secret that is not of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg",
    doc: include_str!("../../rules/wrong-pull-secret-type.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    for entry in &workload.image_pull_secrets {
        let Some(name) = entry.secret_name() else { continue };
        let Lookup::Found(secret) = context.inventory.secret(&workload.namespace, &name.value) else {
            continue;
        };
        if secret.is_pull_secret_type() {
            continue;
        }
        out.push(
            Finding::new(
                name.span,
                format!(
                    "secret \"{}\" has type \"{}\": the kubelet reads registry credentials only from kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg secrets",
                    name.value, secret.secret_type
                ),
            )
            .field(format!("{}.name", entry.path))
            .label("not a docker-registry secret")
            .defined_at(secret.defined_at.as_ref(), |o| o.type_span.unwrap_or(o.name_span), format!("type {}", secret.secret_type))
            .help("create it with `kubectl create secret docker-registry NAME --docker-server=… --docker-username=… --docker-password=…`"),
        );
    }
}
