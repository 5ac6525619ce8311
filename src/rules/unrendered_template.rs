//! `unrendered-template`: a value (or a whole file) that is a template a tool has not rendered yet.
//!
//! The rules that judge finished values (`invalid-image-reference`, `invalid-pull-policy`, the
//! pull-secret rules) stay silent on placeholders; this rule says, once per value, that the value
//! is unfinished and how to lint what the tool renders. Reading a file reports the file-level case:
//! a file that does not parse because of `{{ }}`, which stands for the whole file.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::image::ImageRef;
use crate::manifest::{self, Field, Scalar, Workload};
use crate::source::Span;
use crate::template;
use crate::yaml::LoadProblem;

pub static RULE: Rule = Rule {
    id: "unrendered-template",
    default_severity: Some(Severity::Info),
    summary: "template placeholder (`{{ }}`, `${VAR}`, `<name>`, `PROJECT_ID`) where an image, pull policy or secret name belongs, or a file that is a template",
    doc: include_str!("../../rules/unrendered-template.md"),
    stages: &[Stage::Workload(check), Stage::Template(file_finding)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for container in &workload.containers {
        // A stand-in for an image set at deploy time (`${NAME}:latest` in an OpenShift Template,
        // replaced by an image trigger) never reaches the kubelet.
        if let Field::String(image) = &container.image
            && container.set_at_deploy.is_none()
            && let Some(range) = image_placeholder(&image.value)
        {
            out.push(
                Finding::in_container(
                    container,
                    "image",
                    image.span_of(range.clone()),
                    message("image", image, range),
                )
                .label("placeholder")
                .help(help(&image.value)),
            );
        }
        if let Field::String(policy) = &container.image_pull_policy
            && let Some(range) = manifest::pull_policy_placeholder(&policy.value)
        {
            out.push(
                Finding::in_container(
                    container,
                    "imagePullPolicy",
                    policy.span_of(range.clone()),
                    message("imagePullPolicy", policy, range),
                )
                .label("placeholder")
                .help(help(&policy.value)),
            );
        }
    }
    for entry in &workload.image_pull_secrets {
        if let Field::String(name) = &entry.name
            && let Some(range) = template::in_name(&name.value)
        {
            out.push(
                Finding::new(
                    name.span_of(range.clone()),
                    message("imagePullSecrets name", name, range),
                )
                .field(format!("{}.name", entry.path))
                .label("placeholder")
                .help(help(&name.value)),
            );
        }
    }
}

/// The placeholder in an image that does not parse as written, where the parser found it wrong: a
/// valid reference is finished, whatever its letters, and a placeholder in one part does not
/// explain an error in another (`test.com:8000/foo:TAG5@sha256:<37 hex digits>`: `TAG5` is a valid
/// tag, the digest is what is wrong, and `invalid-image-reference` says so).
/// What is reported is the first placeholder, once one of them is at fault
/// (`REGION-docker.pkg.dev/PROJECT_ID/…`: `PROJECT_ID` makes it invalid, `REGION` comes first).
pub fn image_placeholder(image: &str) -> Option<std::ops::Range<usize>> {
    let error = ImageRef::parse(image).err()?;
    // The part the error is in, between the separators of a reference (`/`, `:`, `@`): in
    // `gcr.io/<<PROJECT>>/app` the parser stops at the first `<`, and the placeholder is `<PROJECT>`.
    let separator = |c: char| matches!(c, '/' | ':' | '@');
    let start = image[..error.span.start.min(image.len())]
        .rfind(separator)
        .map_or(0, |i| i + 1);
    let end = error.span.end.max(error.span.start + 1).min(image.len());
    let end = image[end..].find(separator).map_or(image.len(), |i| end + i);
    let at_fault = start..end.max(start + 1);
    let first = template::placeholder_in_invalid(image)?;
    let mut found = first.clone();
    loop {
        if found.start < at_fault.end && at_fault.start < found.end {
            return Some(first);
        }
        let from = found.end;
        let next = template::placeholder_in_invalid(image.get(from..)?)?;
        if next.is_empty() {
            return None;
        }
        found = from + next.start..from + next.end;
    }
}

fn message(what: &str, value: &Scalar, range: std::ops::Range<usize>) -> String {
    if range.len() == value.value.len() {
        return format!("{what} \"{}\" is an unrendered template placeholder", value.value);
    }
    format!(
        "{what} \"{}\" is an unrendered template: \"{}\" is a placeholder",
        value.value, &value.value[range]
    )
}

/// How to lint the rendered output, for the tool the placeholder belongs to.
fn help(value: &str) -> String {
    let render = if is_argo_variable(value) {
        "Argo fills it in when the template runs, with the argument passed or the parameter's default: pin the image there"
    } else if value.contains("{{") {
        "render it and lint the output, e.g. `helm template CHART | pullcheck check -`"
    } else if ["$(params", "$(inputs.params", "$(tasks."]
        .iter()
        .any(|tekton| value.contains(tekton))
    {
        "Tekton replaces it when the task runs, with the value the run passes or the param's default: pin the image there"
    } else if value.contains("${") || value.contains("$(") || value.contains('%') {
        "render it and lint the output, e.g. `envsubst < FILE | pullcheck check -`"
    } else {
        "replace the placeholder with the real value, or lint the rendered output: `helm template CHART | pullcheck check -`, `kubectl kustomize DIR | pullcheck check -`"
    };
    format!("{render}; a team that lints only rendered output can set `unrendered-template: error`")
}

/// Whether `value` uses a variable that Argo Workflows or Argo Rollouts fill in when a template
/// runs (`{{inputs.parameters.image}}`, `{{workflow.parameters.tag}}`, `{{item.image}}`,
/// `{{=expression}}`, an analysis's `{{args.image}}`), where Helm's start with `.`, `$` or a
/// function.
fn is_argo_variable(value: &str) -> bool {
    const ROOTS: [&str; 9] = [
        "inputs.",
        "workflow.",
        "item",
        "steps.",
        "tasks.",
        "=",
        "pod.",
        "node.",
        "args.",
    ];
    value
        .match_indices("{{")
        .any(|(at, _)| ROOTS.iter().any(|root| value[at + 2..].trim_start().starts_with(root)))
}

/// The finding for a file that does not parse because it is a template (`{{ }}` in it): one for
/// the file, on its first template expression, instead of its syntax errors.
fn file_finding(text: &str, problems: &[LoadProblem]) -> Option<Finding> {
    if !problems.iter().any(|p| matches!(p, LoadProblem::Syntax { .. })) {
        return None;
    }
    let start = text.find("{{")?;
    let end = text[start..].find("}}").map_or(start + 2, |i| start + i + 2);
    let end = text[start..end].find('\n').map_or(end, |i| start + i);
    Some(
        Finding::new(
            Span::new(start, end),
            "file is an unrendered template: it does not parse as YAML because of its `{{ }}` expressions",
        )
        .label("template expression")
        .help(
            "lint the rendered output instead, e.g. `helm template CHART | pullcheck check -`; files under a Helm chart's templates/ are skipped",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_counts_where_the_reference_is_wrong() {
        fn found(image: &str) -> Option<&str> {
            image_placeholder(image).map(|range| &image[range])
        }
        assert_eq!(found("REGION-docker.pkg.dev/PROJECT_ID/repo/app:1.0.0"), Some("REGION"));
        assert_eq!(found("${REGISTRY}/app:1.0"), Some("${REGISTRY}"));
        assert_eq!(
            found("registry.example.com/app:{{ .Values.tag }}"),
            Some("{{ .Values.tag }}")
        );
        let digest = format!("test.com:8000/foo:TAG5@sha256:{}", "1".repeat(37));
        assert_eq!(found(&digest), None);
        assert_eq!(found("test.com:8000/foo:TAG5"), None);
        assert_eq!(found("gcr.io/<<PROJECT>>/jax/hello:latest"), Some("<PROJECT>"));
    }

    #[test]
    fn argo_variables_are_told_from_helm_expressions() {
        for argo in [
            "{{inputs.parameters.image}}",
            "python:{{ workflow.parameters.tag }}",
            "{{item.image}}:{{item.tag}}",
            "{{=sprig.trim(inputs.parameters.image)}}",
            "{{args.image}}",
        ] {
            assert!(help(argo).starts_with("Argo fills it in"), "{argo}");
        }
        for helm in [
            "{{ .Values.image }}",
            "app:{{.Chart.AppVersion}}",
            "{{ include \"img\" . }}",
        ] {
            assert!(help(helm).contains("helm template"), "{helm}");
        }
    }
}
