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
        let (message, help) = match container.digest_resolution(&reference) {
            // Every pod runs the digest a controller resolved the tag to, but which one still
            // depends on when it did.
            Some(resolution) => (
                format!(
                    "image \"{}\" uses the tag \"latest\": {resolution}, so which image runs depends on when that was",
                    image.value
                ),
                "pin a version tag or a digest (\"@sha256:…\") so the manifest says which image runs",
            ),
            None => {
                let policy_note = match container.defaulted_pull_policy() {
                    Some(policy) => format!(" (imagePullPolicy defaults to {policy})"),
                    None => String::new(),
                };
                (
                    format!(
                        "image \"{}\" uses the tag \"latest\"{policy_note}: which image runs depends on when each node pulled it",
                        image.value
                    ),
                    "pin a version tag or a digest (\"@sha256:…\") so every node runs the same image",
                )
            }
        };
        out.push(
            Finding::in_container(container, "image", image.span_of(tag), message)
                .label("mutable tag")
                .help(help),
        );
    }
}
