//! `disallowed-registry`: an image from outside the configured allow-list.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "disallowed-registry",
    default_severity: Some(Severity::Error),
    summary: "image from a registry outside registries.allowed (only when an allow-list is configured)",
    doc: include_str!("../../rules/disallowed-registry.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(allowed) = &context.config.allowed_registries else {
        return;
    };
    for (container, image, reference) in workload.images() {
        let registry = reference.normalized_registry();
        let path = reference.normalized_path();
        if allowed.iter().any(|pattern| pattern.matches(registry, &path)) {
            continue;
        }
        let span = image.span_of(reference.registry_or_name_range());
        let list: Vec<&str> = allowed.iter().map(|p| p.as_str()).collect();
        out.push(
            Finding::in_container(
                container,
                "image",
                span,
                format!(
                    "image \"{}\" resolves to \"{}\", which is not in registries.allowed",
                    image.value,
                    reference.normalized_name()
                ),
            )
            .label("not an allowed registry")
            .help(format!(
                "use an image from an allowed registry ({}), or add \"{registry}\" to registries.allowed",
                list.join(", ")
            )),
        );
    }
}
