//! `latest-tag-if-not-present`: `IfNotPresent` with a `latest` tag keeps stale images on nodes.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "latest-tag-if-not-present",
    default_severity: Some(Severity::Warning),
    summary: "imagePullPolicy IfNotPresent with a latest tag: nodes keep running a stale image",
    doc: include_str!("../../rules/latest-tag-if-not-present.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // A digest pins the image whatever the tag says, and so does one that a controller
        // resolves the tag to before the pods pull it (Knative's revisions).
        if reference.effective_tag() != Some("latest")
            || reference.digest().is_some()
            || container.digest_resolution(&reference).is_some()
        {
            continue;
        }
        let (tag_span, tag_note) = match reference.tag_range() {
            Some(tag) => (image.span_of(tag), "tag \"latest\""),
            None => (image.span_of(reference.name_range()), "no tag: pulls \"latest\""),
        };
        let finding = match container.image_pull_policy.as_scalar() {
            Some(policy) if policy.value == "IfNotPresent" => Finding::in_container(
                container,
                "imagePullPolicy",
                policy.span,
                format!(
                    "imagePullPolicy IfNotPresent with image \"{}\": a node that already has a \"latest\" keeps running it",
                    image.value
                ),
            )
            .label("never re-pulled")
            .related(tag_span, tag_note),
            // Kubernetes defaults a `latest` tag to Always, but the WebLogic operator defaults
            // every image that does not end in ":latest" (an untagged one too) to IfNotPresent.
            _ if container.defaulted_pull_policy() == Some("IfNotPresent") => Finding::in_container(
                container,
                "image",
                tag_span,
                format!(
                    "image \"{}\" has no tag, and {} defaults imagePullPolicy to IfNotPresent: a node that already has a \"latest\" keeps running it",
                    image.value,
                    container.pull_policy_defaulted_by()
                ),
            )
            .label("never re-pulled"),
            _ => continue,
        };
        out.push(finding.help("pin a version tag or digest, or use imagePullPolicy: Always"));
    }
}
