//! `unknown-image-tag`: the image's repository is in an image catalog, and its tag is not.

use super::{Context, Finding, Rule, Stage};
use crate::catalog::closest_tags;
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "unknown-image-tag",
    default_severity: Some(Severity::Error),
    summary: "image whose repository an image catalog lists, without its tag: the pull fails with manifest unknown",
    doc: include_str!("../../rules/unknown-image-tag.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let catalog = context.inventory.catalog();
    if catalog.is_empty() {
        return;
    }
    for (container, image, reference) in workload.images() {
        // A digest names the image whatever the tag; catalogs list tags.
        if reference.digest().is_some() || container.tag_unknown {
            continue;
        }
        let Some(repository) = catalog.repository_of(&reference) else {
            continue;
        };
        let tag = reference.tag().unwrap_or("latest");
        if repository.tags.contains(tag) {
            continue;
        }
        // Used from the node where it is, never pulled: on every node, it runs.
        let pulled_always = container
            .image_pull_policy
            .as_scalar()
            .map(|policy| policy.value.as_str())
            .or_else(|| container.defaulted_pull_policy())
            == Some("Always");
        if !pulled_always && context.inventory.on_every_node(&reference) {
            continue;
        }
        let span = match reference.tag_range() {
            Some(range) => image.span_of(range),
            None => image.span,
        };
        let written = if reference.tag().is_some() {
            format!("the tag \"{tag}\"")
        } else {
            "no tag, so \"latest\",".to_owned()
        };
        let closest = closest_tags(tag, &repository.tags);
        let help = if closest.is_empty() {
            format!(
                "push the image with this tag, or use one the catalog lists ({} has {} tags)",
                repository.source,
                repository.tags.len()
            )
        } else {
            let quoted: Vec<String> = closest.iter().map(|tag| format!("\"{tag}\"")).collect();
            format!("did you mean {}? or push the image with this tag", quoted.join(" or "))
        };
        out.push(
            Finding::in_container(
                container,
                "image",
                span,
                format!(
                    "image \"{}\" has {written} which {} does not list for this repository: the pull fails with \"manifest unknown\"",
                    image.value, repository.source
                ),
            )
            .label("no such tag")
            .help(help),
        );
    }
}
