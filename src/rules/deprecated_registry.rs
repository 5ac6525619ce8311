//! `deprecated-registry`: a registry that was frozen or shut down.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "deprecated-registry",
    default_severity: Some(Severity::Warning),
    summary: "image from a registry that has been frozen or moved (k8s.gcr.io, registry.*.bluemix.net, config)",
    doc: include_str!("../../rules/deprecated-registry.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        let registry = reference.normalized_registry();
        let path = reference.normalized_path();
        let Some((pattern, successor)) = context
            .config
            .deprecated_registries
            .iter()
            .find(|(pattern, _)| pattern.matches(registry, &path))
        else {
            continue;
        };
        let span = image.span_of(reference.registry_or_name_range());
        // What follows the registry, less the path prefix the pattern names: the successor takes
        // the place of both (`gcr.io/google_containers/pause:3.1` → `registry.k8s.io/pause:3.1`).
        let rest = &reference.as_str()[reference.registry_range().map_or(0, |r| r.end)..];
        let prefix = pattern.path_prefix();
        let rest = match rest.strip_prefix('/').and_then(|r| r.strip_prefix(prefix)) {
            Some(after) if !prefix.is_empty() && after.starts_with('/') => after,
            _ => rest,
        };
        let replacement = format!("{successor}{rest}");
        out.push(
            Finding::in_container(
                container,
                "image",
                span,
                format!(
                    "image \"{}\" comes from \"{pattern}\", which is deprecated in favour of \"{successor}\"",
                    image.value
                ),
            )
            .label("deprecated registry")
            .help(format!("use \"{replacement}\" (check the image is published there)")),
        );
    }
}
