//! `invalid-pull-policy`: an `imagePullPolicy` the API server rejects.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::{self, Field, PULL_POLICIES, Workload};

pub static RULE: Rule = Rule {
    id: "invalid-pull-policy",
    default_severity: Some(Severity::Error),
    summary: "imagePullPolicy that is not exactly Always, IfNotPresent or Never",
    doc: include_str!("../../rules/invalid-pull-policy.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for container in &workload.containers {
        let finding = match &container.image_pull_policy {
            Field::NotString { span, found } => Finding::in_container(
                container,
                "imagePullPolicy",
                *span,
                format!("imagePullPolicy must be a string, found {found}"),
            )
            .label("not a string")
            .help("use one of: Always, IfNotPresent, Never"),
            // An empty policy is defaulted by the API server, like an omitted one.
            // A template placeholder is `unrendered-template`'s.
            Field::String(policy)
                if !policy.value.is_empty()
                    && !PULL_POLICIES.contains(&policy.value.as_str())
                    && manifest::pull_policy_placeholder(&policy.value).is_none() =>
            {
                let meant = PULL_POLICIES
                    .iter()
                    .find(|known| comparable(known) == comparable(&policy.value));
                let help = match meant {
                    Some(meant) => {
                        format!("write \"{meant}\": the value is case-sensitive and takes no spaces or dashes")
                    }
                    None => "use one of: Always, IfNotPresent, Never".to_owned(),
                };
                Finding::in_container(
                    container,
                    "imagePullPolicy",
                    policy.span,
                    format!(
                        "imagePullPolicy \"{}\" is not one of Always, IfNotPresent, Never",
                        policy.value
                    ),
                )
                .label("not a pull policy")
                .help(help)
            }
            _ => continue,
        };
        out.push(finding);
    }
}

/// Folds the mistakes people make: case, surrounding space, dashes and underscores.
fn comparable(value: &str) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}
