//! `unpinned-image-digest` (opt-in): an image not pinned by digest.

use super::{Context, Finding, Rule, Stage};
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "unpinned-image-digest",
    default_severity: None,
    summary: "image not pinned by a @sha256 digest (opt-in, for supply-chain policies)",
    doc: include_str!("../../rules/unpinned-image-digest.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // A kustomize entry that keeps the manifests' digest, if they have one.
        if reference.digest().is_some() || container.tag_unknown {
            continue;
        }
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(0..image.value.len()),
                format!("image \"{}\" is not pinned by digest", image.value),
            )
            .label("no digest")
            .help(format!(
                "append the digest of the image you tested: \"{}@sha256:<digest>\"",
                reference.as_str()
            )),
        );
    }
}
