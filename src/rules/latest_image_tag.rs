//! `latest-image-tag`: an explicit `:latest`, which names a different image over time.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "latest-image-tag",
    default_severity: Some(Severity::Warning),
    summary: "image with the explicit tag latest",
    doc: include_str!("../../rules/latest-image-tag.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // With a digest, the digest decides what is pulled; the tag is only a label.
        let (Some("latest"), Some(tag), None) = (reference.tag(), reference.tag_range(), reference.digest()) else {
            continue;
        };
        let policy_note = match container.defaulted_pull_policy() {
            Some(policy) => format!(" (imagePullPolicy defaults to {policy})"),
            None => String::new(),
        };
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(tag),
                format!(
                    "image \"{}\" uses the tag \"latest\"{policy_note}: which image runs depends on when each node pulled it",
                    image.value
                ),
            )
            .label("mutable tag")
            .help("pin a version tag or a digest (\"@sha256:…\") so every node runs the same image"),
        );
    }
}
