//! `implicit-registry` (opt-in): no registry host, so the image resolves to Docker Hub.

use super::{Context, Finding, Rule};
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "implicit-registry",
    default_severity: None,
    summary: "image with no registry host: it resolves to docker.io",
    doc: include_str!("../../rules/implicit-registry.md"),
    check: Some(check),
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        if reference.has_explicit_registry() {
            continue;
        }
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(reference.path_range()),
                format!(
                    "image \"{}\" names no registry; it resolves to \"{}\"",
                    image.value,
                    reference.normalized()
                ),
            )
            .label("no registry host")
            .help(format!("write the registry out: \"{}\"", reference.normalized())),
        );
    }
}
