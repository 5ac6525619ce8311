//! `missing-image-tag`: no tag and no digest, so the kubelet pulls `:latest`.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "missing-image-tag",
    default_severity: Some(Severity::Warning),
    summary: "image with no tag and no digest: Kubernetes pulls :latest and defaults the policy to Always",
    doc: include_str!("../../rules/missing-image-tag.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // A kustomize entry that keeps the manifests' tag: it is judged in the manifests.
        if reference.tag().is_some() || reference.digest().is_some() || container.tag_unknown {
            continue;
        }
        let policy_note = match container.defaulted_pull_policy() {
            Some(policy) => format!(", and imagePullPolicy defaults to {policy}"),
            None => String::new(),
        };
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(reference.name_range()),
                format!(
                    "image \"{}\" has no tag; Kubernetes will pull \"{}\"{policy_note}",
                    image.value,
                    reference.normalized()
                ),
            )
            .label("no tag")
            .help(format!(
                "pin a version (\"{0}:<version>\") or a digest (\"{0}@sha256:<digest>\")",
                image.value
            )),
        );
    }
}
