//! `invalid-image-reference`: an image the kubelet cannot parse (`InvalidImageName`).

use super::unrendered_template;
use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::image::ImageRef;
use crate::manifest::{Field, Workload};

pub static RULE: Rule = Rule {
    id: "invalid-image-reference",
    default_severity: Some(Severity::Error),
    summary: "image that is not a valid reference (the pod stays in InvalidImageName)",
    doc: include_str!("../../rules/invalid-image-reference.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    // An image a tool or controller sets at deploy time is a stand-in (OpenShift's `" "`, ko's
    // `ko://` import paths): not what the kubelet parses.
    for container in workload.containers.iter().filter(|c| c.set_at_deploy.is_none()) {
        match &container.image {
            Field::NotString { span, found } => {
                let finding = match container.key_at("image", *span) {
                    "image" => Finding::in_container(
                        container,
                        "image",
                        *span,
                        format!("image must be a string, found {found}"),
                    )
                    .help("write the image reference as a string, e.g. `image: \"registry.example.com/app:1.0\"`"),
                    // A kustomize `images` entry: kustomize stops with "cannot unmarshal".
                    key => Finding::in_container(
                        container,
                        "image",
                        *span,
                        format!("{key} must be a string, found {found}: kustomize cannot build this kustomization"),
                    )
                    .help(format!(
                        "quote the value (`{key}: \"…\"`); unquoted, YAML also reads 1.10 as the number 1.1"
                    )),
                };
                out.push(finding.label("not a string"));
            }
            // An empty image is `missing-image`'s.
            Field::String(image) if !image.value.is_empty() => {
                let Err(error) = ImageRef::parse(&image.value) else {
                    continue;
                };
                // A template placeholder where the reference is wrong is `unrendered-template`'s;
                // one elsewhere hides nothing.
                if unrendered_template::image_placeholder(&image.value).is_some() {
                    continue;
                }
                let finding = Finding::in_container(
                    container,
                    "image",
                    image.span_of(error.span.clone()),
                    format!("image \"{}\" is not a valid reference: {error}", image.value),
                )
                .label(error.to_string());
                out.push(match error.help() {
                    Some(help) => finding.help(help),
                    None => finding.help("an image is [registry[:port]/]path[:tag][@digest], with a lower-case path"),
                });
            }
            _ => {}
        }
    }
}
