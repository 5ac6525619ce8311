//! `missing-image`: a container without an image; the API server rejects the pod (or template).

use super::{Context, Finding, Rule};
use crate::diagnostic::Severity;
use crate::manifest::{Field, Workload};

pub static RULE: Rule = Rule {
    id: "missing-image",
    default_severity: Some(Severity::Error),
    summary: "container with no image, or an empty one",
    doc: include_str!("../../rules/missing-image.md"),
    check: Some(check),
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    // A kustomize patch names a container to change its resources, not to restate its image.
    if workload.is_fragment {
        return;
    }
    for container in &workload.containers {
        let name = container.display_name();
        let (span, message) = match &container.image {
            Field::Absent => (
                // Point at the container's name: the whole mapping would underline many lines.
                container.name.as_ref().map_or(container.span, |n| n.span),
                format!("container \"{name}\" has no image"),
            ),
            Field::Null { span } => (*span, format!("container \"{name}\" has a null image")),
            Field::String(image) if image.value.is_empty() => {
                (image.span, format!("container \"{name}\" has an empty image"))
            }
            _ => continue,
        };
        out.push(
            Finding::in_container(container, "image", span, message)
                .label("no image")
                .help("set `image:` to the reference to run, e.g. `registry.example.com/app:1.0`"),
        );
    }
}
