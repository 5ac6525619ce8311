//! `implicit-registry` (opt-in): no registry host, so the image resolves to Docker Hub.

use super::{Context, Finding, Rule, Stage};
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "implicit-registry",
    default_severity: None,
    summary: "image with no registry host: it resolves to docker.io",
    doc: include_str!("../../rules/implicit-registry.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        if reference.has_explicit_registry() {
            continue;
        }
        // A kustomize entry that keeps the manifests' tag: no implicit `latest` to show.
        let resolved = if container.tag_unknown {
            reference.normalized_name()
        } else {
            reference.normalized()
        };
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(reference.path_range()),
                format!(
                    "image \"{}\" names no registry; it resolves to \"{resolved}\"",
                    image.value
                ),
            )
            .label("no registry host")
            .help(format!("write the registry out: \"{resolved}\"")),
        );
    }
}
