//! `missing-image`: a container without an image; the API server rejects the pod (or template).

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::{ContainerKind, Field, Workload};

pub static RULE: Rule = Rule {
    id: "missing-image",
    default_severity: Some(Severity::Error),
    summary: "container with no image, or an empty one",
    doc: include_str!("../../rules/missing-image.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    // A kustomize patch names a container to change its resources, not to restate its image.
    if workload.is_fragment {
        return;
    }
    // A kustomize `images` entry always names an image (entries that change none are not read).
    // Nor does a container whose image a tool sets at deploy time (Istio's injected proxy).
    for container in workload
        .containers
        .iter()
        .filter(|c| c.kind != ContainerKind::KustomizeImage && c.set_at_deploy.is_none())
    {
        let name = container.display_name();
        // A controller's image slot (a WebLogic Domain's `spec.image`) is named by its field; the
        // finding's prefix already says where it is.
        let what = match container.place() {
            Some(_) => container.field_path("image"),
            None => format!("container \"{name}\""),
        };
        let (span, message) = match (&container.image, container.place()) {
            (Field::Absent, Some(_)) => (container.span, format!("{what} is not set")),
            (Field::Absent, None) => (
                // Point at the container's name: the whole mapping would underline many lines.
                container.name.as_ref().map_or(container.span, |n| n.span),
                format!("{what} has no image"),
            ),
            (Field::Null { span }, Some(_)) => (*span, format!("{what} is null")),
            (Field::Null { span }, None) => (*span, format!("{what} has a null image")),
            (Field::String(image), Some(_)) if image.value.is_empty() => (image.span, format!("{what} is empty")),
            (Field::String(image), None) if image.value.is_empty() => {
                (image.span, format!("{what} has an empty image"))
            }
            _ => continue,
        };
        let help = match container.place() {
            Some(_) => format!(
                "set `{}` to the reference to run, e.g. `registry.example.com/app:1.0`",
                container.field_path("image")
            ),
            None => "set `image:` to the reference to run, e.g. `registry.example.com/app:1.0`".to_owned(),
        };
        out.push(
            Finding::in_container(container, "image", span, message)
                .label("no image")
                .help(help),
        );
    }
}
