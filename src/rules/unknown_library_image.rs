//! `unknown-library-image`: a one-component Docker Hub name (`frontend:1.2`) that is not one of
//! Docker Hub's official images, so `docker.io/library/<name>` does not exist; a Docker Hub name
//! of three or more components (`local-repo/oracle/database`), which cannot exist there; and
//! images declared pre-loaded on the nodes (`images.local`) whose pull policy makes the kubelet
//! pull them anyway.
//!
//! The official names come from `data/docker-official-images.tsv`, embedded in the binary; this
//! module only looks names up, it never asks Docker Hub.

use std::sync::OnceLock;

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::{Container, Scalar, Workload};

pub static RULE: Rule = Rule {
    id: "unknown-library-image",
    default_severity: Some(Severity::Warning),
    summary: "image that resolves to docker.io/library/ but is not a Docker Hub official image, or to a Docker Hub name of three components, or an images.local image that would be pulled",
    doc: include_str!("../../rules/unknown-library-image.md"),
    stages: &[Stage::Workload(check)],
};

/// Docker Hub's official image names, current and removed, one per line after `#` comments:
/// `name<TAB>status`.
const OFFICIAL_IMAGES_TSV: &str = include_str!("../../data/docker-official-images.tsv");

/// The official image names, sorted, parsed once.
fn official_images() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<&str> = OFFICIAL_IMAGES_TSV
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split('\t').next())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    })
}

/// Whether `docker.io/library/<name>` is (or was) a Docker Hub official image. Removed ones count:
/// Docker Hub keeps serving their last tags as deprecated images.
pub fn is_official_image(name: &str) -> bool {
    official_images().binary_search(&name).is_ok()
}

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    for (container, image, reference) in workload.images() {
        let name = &reference.as_str()[reference.name_range()];
        if let Some(pattern) = context.config.local_image(name) {
            if let Some(finding) = pulled_anyway(container, image, &reference, pattern.as_str()) {
                out.push(finding);
            }
            continue;
        }
        // `image: auto` that Istio injection replaces never gets here (see manifest::deploy_time);
        // without injection, `docker.io/library/auto` is what the kubelet pulls, and fails.
        if reference.normalized_registry() != "docker.io" {
            continue;
        }
        let path = reference.normalized_path();
        if path.split('/').count() > 2 {
            out.push(beyond_docker_hub(container, image, &reference, name));
            continue;
        }
        let Some(library_name) = path.strip_prefix("library/").filter(|name| !name.contains('/')) else {
            continue;
        };
        if is_official_image(library_name) {
            continue;
        }
        let resolved = reference.normalized();
        // Point at the name itself: `frontend` in `docker.io/library/frontend:1.2`.
        let path_range = reference.path_range();
        let name_range = path_range.end - library_name.len()..path_range.end;
        let help = match reference.tag() {
            // `host:port` with no path: the "port" is read as a tag.
            Some(tag)
                if (library_name.contains('.') || library_name == "localhost")
                    && tag.bytes().all(|b| b.is_ascii_digit()) =>
            {
                format!(
                    "\"{library_name}:{tag}\" is read as the image \"{library_name}\" with the tag \"{tag}\", not as a registry: write the image's path after the host (\"{library_name}:{tag}/team/app:1.0\")"
                )
            }
            _ => format!(
                "push it to a registry the nodes can reach and use its full name (\"registry.example.com/team/{library_name}\", or \"<user>/{library_name}\" on Docker Hub); or load it on every node and declare it in images.local in .pullcheck.yaml, with imagePullPolicy IfNotPresent or Never"
            ),
        };
        out.push(
            Finding::in_container(
                container,
                "image",
                image.span_of(name_range),
                format!(
                    "image \"{}\" resolves to \"{resolved}\", which is not a Docker Hub official image",
                    image.value
                ),
            )
            .label("not an official image")
            .help(help),
        );
    }
}

/// A Docker Hub name of three or more components (`local-repo/oracle/database:19.3.0-ee`): Docker
/// Hub's repositories are `<namespace>/<name>`, so the pull can never succeed. Certain, so an
/// error whatever the rule's severity.
fn beyond_docker_hub(
    container: &Container,
    image: &Scalar,
    reference: &crate::image::ImageRef<'_>,
    name: &str,
) -> Finding {
    let written = reference.as_str();
    Finding::in_container(
        container,
        "image",
        image.span_of(reference.path_range()),
        format!(
            "image \"{}\" resolves to \"{}\", which cannot exist: Docker Hub repository names have two components (<namespace>/<name>)",
            image.value,
            reference.normalized()
        ),
    )
    .label("more than two components on Docker Hub")
    .help(format!(
        "push it to a registry the nodes can reach and write its host (\"registry.example.com/{written}\"); or load it on every node and declare \"{name}\" in images.local in .pullcheck.yaml, with imagePullPolicy IfNotPresent or Never"
    ))
    .at_least(Severity::Error)
}

/// A finding when `container`'s effective pull policy pulls the image although it is declared
/// pre-loaded on the nodes: `Always`, written or defaulted (no tag, or `latest`); or when a
/// controller looks its tag up in the registry first (Knative, for a revision), which fails for
/// an image that is only on the nodes.
fn pulled_anyway(
    container: &Container,
    image: &Scalar,
    reference: &crate::image::ImageRef<'_>,
    pattern: &str,
) -> Option<Finding> {
    let resolved = reference.normalized();
    if let Some(resolution) = container.digest_resolution(reference) {
        let name_range = reference.name_range();
        return Some(
            Finding::in_container(
                container,
                "image",
                image.span_of(name_range),
                format!(
                    "image \"{}\" is declared local (images.local \"{pattern}\"), but {resolution}, looking \"{resolved}\" up in its registry: for an image only on the nodes, the revision fails",
                    image.value
                ),
            )
            .label("looked up in the registry")
            .help("name it under a registry Knative does not resolve (`kind.local/…`, `ko.local/…` or `dev.local/…`), or add its registry to `registries-skipping-tag-resolving` in Knative's `config-deployment` ConfigMap"),
        );
    }
    if let Some(policy) = container.image_pull_policy.as_scalar().filter(|p| !p.value.is_empty()) {
        // Another value is not a policy at all: invalid-pull-policy reports it.
        if policy.value != "Always" {
            return None;
        }
        return Some(
            Finding::in_container(
                container,
                "imagePullPolicy",
                policy.span,
                format!(
                    "image \"{}\" is declared local (images.local \"{pattern}\"), but imagePullPolicy Always pulls \"{resolved}\" anyway",
                    image.value
                ),
            )
            .label("pulls the local image")
            .related(image.span, "declared local")
            .help("use imagePullPolicy IfNotPresent or Never: a loaded image is used only when the kubelet does not pull"),
        );
    }
    if container.defaulted_pull_policy() != Some("Always") {
        return None;
    }
    let (span, why) = match reference.tag_range() {
        Some(tag) => (image.span_of(tag), "the tag \"latest\""),
        None => (image.span_of(reference.name_range()), "no tag"),
    };
    Some(
        Finding::in_container(
            container,
            "image",
            span,
            format!(
                "image \"{}\" is declared local (images.local \"{pattern}\"), but with {why} {} defaults imagePullPolicy to Always and pulls \"{resolved}\" anyway",
                image.value,
                container.pull_policy_defaulted_by()
            ),
        )
        .label("pulled: imagePullPolicy defaults to Always")
        .help("set imagePullPolicy: IfNotPresent (or Never) and give the image a version tag: a loaded image is used only when the kubelet does not pull"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_is_sorted_unique_and_well_formed() {
        let mut previous: Option<&str> = None;
        let mut rows = 0;
        for line in OFFICIAL_IMAGES_TSV.lines().filter(|l| !l.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 2, "{line:?}: expected name<TAB>status");
            let (name, status) = (fields[0], fields[1]);
            assert!(matches!(status, "current" | "removed"), "{line:?}: status");
            assert!(
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b)),
                "{line:?}: not a repository name"
            );
            if let Some(previous) = previous {
                assert!(previous < name, "{name} is out of order or repeated (after {previous})");
            }
            previous = Some(name);
            rows += 1;
        }
        assert!(rows > 150, "only {rows} official images");
        assert_eq!(official_images().len(), rows);
    }

    #[test]
    fn official_names_are_found_and_others_are_not() {
        for name in ["nginx", "busybox", "adminer", "zookeeper", "hello-world", "rocket.chat"] {
            assert!(is_official_image(name), "{name}");
        }
        // Removed from the library, still pullable.
        for name in ["centos", "java", "jenkins", "consul"] {
            assert!(is_official_image(name), "{name}");
        }
        for name in [
            "frontend",
            "domain1",
            "model-in-image",
            "nginx2",
            "ngin",
            "Nginx",
            "",
            "library/nginx",
        ] {
            assert!(!is_official_image(name), "{name}");
        }
    }

    /// The findings of this rule for one pod with `containers`, under `config_text`.
    fn findings(containers: &str, config_text: &str) -> Vec<(String, Option<String>)> {
        use crate::config::Config;
        use crate::inventory::Inventory;
        use crate::source::SourceFile;
        use std::sync::Arc;
        let config = Config::parse(&Arc::new(SourceFile::new(".pullcheck.yaml", config_text)), &[]).unwrap();
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: {containers}\n");
        let file = Arc::new(SourceFile::new("p.yaml", text));
        let stream = crate::yaml::load(file.text());
        let extracted = crate::manifest::extract(stream.documents(), &file, "default");
        let inventory = Inventory::default();
        let context = Context {
            config: &config,
            inventory: &inventory,
        };
        let mut found = Vec::new();
        for workload in &extracted.workloads {
            check(workload, &context, &mut found);
        }
        found.into_iter().map(|f| (f.message, f.help)).collect()
    }

    #[test]
    fn helps_say_how_to_fix() {
        let found = findings(
            "[{name: a, image: \"test.com:5000\"}, {name: b, image: \"web:1.0\"}]",
            "",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .1
                .as_deref()
                .unwrap()
                .contains("read as the image \"test.com\" with the tag \"5000\"")
        );
        let generic = found[1].1.as_deref().unwrap();
        assert!(generic.contains("\"registry.example.com/team/web\"") && generic.contains("images.local"));
    }

    #[test]
    fn local_images_are_judged_by_their_pull_policy() {
        let config = "images:\n  local: [\"web\", \"tools-*\"]\n";
        let pod = |containers: &str| findings(containers, config);
        assert!(pod("[{name: a, image: \"web:1.0\"}]").is_empty());
        assert!(pod("[{name: a, image: \"web:1.0\", imagePullPolicy: Never}]").is_empty());
        assert!(pod("[{name: a, image: \"tools-x:1.0\", imagePullPolicy: IfNotPresent}]").is_empty());
        // An invalid policy is invalid-pull-policy's.
        assert!(pod("[{name: a, image: \"web:1.0\", imagePullPolicy: always}]").is_empty());
        let always = pod("[{name: a, image: \"web:1.0\", imagePullPolicy: Always}]");
        assert!(always[0].0.contains("imagePullPolicy Always pulls"), "{always:?}");
        let untagged = pod("[{name: a, image: \"tools-x\"}]");
        assert!(
            untagged[0]
                .0
                .contains("with no tag Kubernetes defaults imagePullPolicy to Always"),
            "{untagged:?}"
        );
        // Three components on Docker Hub: never pullable, unless declared local.
        let deep = findings("[{name: a, image: \"local-repo/oracle/database:19.3.0-ee\"}]", "");
        assert!(deep[0].0.contains("cannot exist"), "{deep:?}");
        let help = deep[0].1.as_deref().unwrap();
        assert!(
            help.contains("\"registry.example.com/local-repo/oracle/database:19.3.0-ee\"")
                && help.contains("images.local")
        );
        assert!(findings("[{name: a, image: \"docker.io/team/app:1\"}]", "").is_empty());
        let local = "images:\n  local: [local-repo/oracle/database]\n";
        assert!(findings("[{name: a, image: \"local-repo/oracle/database:19.3.0-ee\"}]", local).is_empty());
        // Not covered by a pattern: looked up among the official images.
        let other = pod("[{name: a, image: \"webapp:1.0\"}]");
        assert!(other[0].0.contains("not a Docker Hub official image"), "{other:?}");
    }
}
