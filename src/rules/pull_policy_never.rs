//! `pull-policy-never`: `Never` means the image must already be on every node. When the
//! inventory lists the nodes' images, `image-not-on-nodes` judges against them instead.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "pull-policy-never",
    default_severity: Some(Severity::Warning),
    summary: "imagePullPolicy Never: the image must be pre-loaded on every node or the pod never starts",
    doc: include_str!("../../rules/pull-policy-never.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    // With the nodes' images known, `image-not-on-nodes` says exactly which nodes lack it.
    if !context.inventory.nodes().is_empty() {
        return;
    }
    for container in &workload.containers {
        let Some(policy) = container.image_pull_policy.as_scalar() else {
            continue;
        };
        if policy.value != "Never" {
            continue;
        }
        let image = container
            .image
            .as_scalar()
            .map_or("its image", |image| image.value.as_str());
        out.push(
            Finding::in_container(
                container,
                "imagePullPolicy",
                policy.span,
                format!(
                    "imagePullPolicy Never: the kubelet will not pull \"{image}\"; on a node without it the pod fails with ErrImageNeverPull"
                ),
            )
            .label("never pulled")
            .help("use IfNotPresent, or make sure the image is loaded on every node that can run this pod"),
        );
    }
}
