//! `latest-tag-if-not-present`: `IfNotPresent` with a `latest` tag keeps stale images on nodes.

use super::{Context, Finding, Rule};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "latest-tag-if-not-present",
    default_severity: Some(Severity::Warning),
    summary: "imagePullPolicy IfNotPresent with a latest tag: nodes keep running a stale image",
    doc: include_str!("../../rules/latest-tag-if-not-present.md"),
    check: Some(check),
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // An omitted policy defaults to Always for a latest tag, so only a written one matters.
        let Some(policy) = container.image_pull_policy.as_scalar() else {
            continue;
        };
        if policy.value != "IfNotPresent" {
            continue;
        }
        // A digest pins the image whatever the tag says.
        if reference.effective_tag() != Some("latest") || reference.digest().is_some() {
            continue;
        }
        let (tag_span, tag_note) = match reference.tag_range() {
            Some(tag) => (image.span_of(tag), "tag \"latest\""),
            None => (image.span_of(reference.name_range()), "no tag: pulls \"latest\""),
        };
        out.push(
            Finding::in_container(
                container,
                "imagePullPolicy",
                policy.span,
                format!(
                    "imagePullPolicy IfNotPresent with image \"{}\": a node that already has a \"latest\" keeps running it",
                    image.value
                ),
            )
            .label("never re-pulled")
            .related(tag_span, tag_note)
            .help("pin a version tag or digest, or use imagePullPolicy: Always"),
        );
    }
}
