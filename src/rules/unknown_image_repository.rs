//! `unknown-image-repository`: the image is under a registry or prefix an image catalog lists
//! completely (`images.complete`), and its repository is not in the catalog.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;
use crate::settings::likely_meant;

pub static RULE: Rule = Rule {
    id: "unknown-image-repository",
    default_severity: Some(Severity::Error),
    summary: "image from a registry or prefix an image catalog lists completely, whose repository is not in it",
    doc: include_str!("../../rules/unknown-image-repository.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let catalog = context.inventory.catalog();
    if catalog.is_empty() {
        return;
    }
    for (container, image, reference) in workload.images() {
        let Some((prefix, declared_by)) = catalog.complete_prefix(&reference) else {
            continue;
        };
        if catalog.repository_of(&reference).is_some() {
            continue;
        }
        // On every node, it is used from there.
        if context.inventory.on_every_node(&reference) {
            continue;
        }
        let repository = reference.normalized_name();
        let known: Vec<&str> = catalog.repositories_under(prefix).collect();
        let help = match likely_meant(&repository, &known) {
            Some(likely) => format!("did you mean \"{likely}\"? or push the image to this repository"),
            None => format!(
                "push the image, or fix the name: {} repositories are listed under {prefix}",
                known.len()
            ),
        };
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(reference.name_range()),
                format!(
                    "image \"{}\": the repository \"{repository}\" is not in the catalogs, which list every repository of {prefix} ({declared_by}): the pull fails with \"repository not found\"",
                    image.value
                ),
            )
            .label("no such repository")
            .help(help),
        );
    }
}
