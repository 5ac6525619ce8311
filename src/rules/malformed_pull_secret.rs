//! `malformed-pull-secret`: a docker-registry Secret whose payload cannot be read. Reported while
//! reading files, for each Secret found: a Secret is not a workload.

use super::{Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::facts::SecretFact;

pub static RULE: Rule = Rule {
    id: "malformed-pull-secret",
    default_severity: Some(Severity::Error),
    summary: "docker-registry Secret whose .dockerconfigjson or .dockercfg is missing, not base64 or not a registry config (the payload is never quoted)",
    doc: include_str!("../../rules/malformed-pull-secret.md"),
    stages: &[Stage::Secret(finding)],
};

/// The finding for a scanned secret whose payload cannot be used. It names the secret and what is
/// wrong; it never quotes the payload, which holds credentials.
fn finding(secret: &SecretFact) -> Option<Finding> {
    let problem = secret.payload_problem.as_ref()?;
    Some(
        Finding::new(
            problem.span,
            format!(
                "secret \"{}\" ({}) cannot be used to pull images: {}",
                secret.name,
                secret.secret_type,
                problem.problem.describe(problem.key)
            ),
        )
        .label("not a usable registry config")
        .help(format!(
            "recreate it with `kubectl create secret docker-registry {} --docker-server=… --docker-username=… --docker-password=… --dry-run=client -o yaml`",
            secret.name
        )),
    )
}
