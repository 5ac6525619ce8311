//! `missing-image-tag`: no tag and no digest, so the kubelet pulls `:latest`. An error, not a
//! matter of taste, for the Docker Hub official images documented to publish no `latest`
//! (`data/docker-official-images-without-latest.tsv`, embedded): that pull can never succeed.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "missing-image-tag",
    default_severity: Some(Severity::Warning),
    summary: "image with no tag and no digest: Kubernetes pulls :latest and defaults the policy to Always",
    doc: include_str!("../../rules/missing-image-tag.md"),
    stages: &[Stage::Workload(check)],
};

/// The official images without a `latest` tag, one per line after `#` comments:
/// `name<TAB>page that says so`.
const WITHOUT_LATEST_TSV: &str = include_str!("../../data/docker-official-images-without-latest.tsv");

/// Whether `docker.io/library/<name>` is documented to publish no `latest` tag.
fn has_no_latest(name: &str) -> bool {
    WITHOUT_LATEST_TSV
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split('\t').next())
        .any(|listed| listed == name)
}

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        // A kustomize entry that keeps the manifests' tag: it is judged in the manifests.
        if reference.tag().is_some() || reference.digest().is_some() || container.tag_unknown {
            continue;
        }
        // What the missing tag means: the `latest` the kubelet pulls, or the digest a controller
        // resolves it to.
        let meaning = match (
            container.digest_resolution(&reference),
            container.defaulted_pull_policy(),
        ) {
            (Some(resolution), _) => format!(
                ", so it names \"{}\": {resolution}, so which image runs depends on when that was",
                reference.normalized()
            ),
            (None, Some(policy)) => format!(
                "; Kubernetes will pull \"{}\", and imagePullPolicy defaults to {policy}",
                reference.normalized()
            ),
            (None, None) => format!("; Kubernetes will pull \"{}\"", reference.normalized()),
        };
        let path = reference.normalized_path();
        let without_latest =
            reference.normalized_registry() == "docker.io" && path.strip_prefix("library/").is_some_and(has_no_latest);
        let finding = if without_latest {
            Finding::in_container(
                container,
                "image",
                image.span_of(reference.name_range()),
                format!(
                    "image \"{}\" has no tag, and \"{}\" does not exist: Docker Hub's {} image publishes no latest tag",
                    image.value,
                    reference.normalized(),
                    &path["library/".len()..]
                ),
            )
            .label("no tag, and no latest to fall back on")
            .at_least(Severity::Error)
        } else {
            Finding::in_container(
                container,
                "image",
                image.span_of(reference.name_range()),
                format!("image \"{}\" has no tag{meaning}", image.value),
            )
            .label("no tag")
        };
        out.push(finding.help(format!(
            "pin a version (\"{0}:<version>\") or a digest (\"{0}@sha256:<digest>\")",
            image.value
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_images_without_latest_are_listed_well_formed() {
        for line in WITHOUT_LATEST_TSV.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 2, "{line:?}: expected name<TAB>page");
            assert!(
                super::super::unknown_library_image::is_official_image(fields[0]),
                "{line:?}"
            );
            assert!(fields[1].starts_with("https://hub.docker.com/_/"), "{line:?}");
        }
        assert!(has_no_latest("elasticsearch") && has_no_latest("kibana"));
        assert!(!has_no_latest("nginx") && !has_no_latest(""));
    }
}
