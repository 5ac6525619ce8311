//! Images that a tool in the tree replaces at deploy time, so that what is written is not what the
//! kubelet pulls, and judging it would only raise false alarms.
//!
//! - **Istio** injection rewrites `image: auto` with its proxy image: the gateway deployments of
//!   Istio's installation guides use it. pullcheck takes the image as set at deploy time when the
//!   pod template asks for injection (the `sidecar.istio.io/inject: "true"` label or annotation,
//!   an `istio.io/rev` label, an `inject.istio.io/templates` annotation) or the container is
//!   `istio-proxy`, the name injection fills in. Injection enabled by a namespace label is not
//!   visible in the pod; the container name covers Istio's own manifests. Without any of these,
//!   `auto` is judged as written: IST0146, Istio's own analyzer, warns that such a pod fails.
//! - **Skaffold** builds the images named in `build.artifacts[].image` (also under `profiles`) of a
//!   `skaffold.yaml` and replaces every manifest image of that repository with the tag it built.
//!   Any `skaffold/*` `Config` among the files checked counts for the whole run: Skaffold's
//!   manifests can live anywhere its config points.

use std::collections::HashSet;

use crate::image::ImageRef;
use crate::yaml::Node;

use super::{Container, Workload};

/// Which tool sets an image at deploy time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployTool {
    Istio,
    Skaffold,
}

/// How many images were left to the tools that set them, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeployTimeImages {
    pub istio: usize,
    pub skaffold: usize,
}

/// Marks the `image: auto` containers that Istio injection rewrites, given the pod template's
/// `metadata`.
pub(super) fn mark_istio(metadata: Option<Node<'_, '_>>, containers: &mut [Container]) {
    let injected = metadata.is_some_and(|metadata| {
        let labels = metadata.get("labels");
        let annotations = metadata.get("annotations");
        let asks = |node: Option<Node<'_, '_>>| {
            node.and_then(|n| n.get("sidecar.istio.io/inject"))
                .and_then(|v| v.scalar())
                .is_some_and(|v| v == "true")
        };
        asks(labels)
            || asks(annotations)
            || labels.and_then(|l| l.get("istio.io/rev")).is_some()
            || annotations.and_then(|a| a.get("inject.istio.io/templates")).is_some()
    });
    for container in containers {
        let named_proxy = container.name.as_ref().is_some_and(|name| name.value == "istio-proxy");
        if container.image.as_scalar().is_some_and(|image| image.value == "auto") && (injected || named_proxy) {
            container.set_at_deploy = Some(DeployTool::Istio);
        }
    }
}

/// The images a Skaffold config builds, as written, when `object` is one.
pub(super) fn skaffold_artifacts(object: Node<'_, '_>, api_version: &str, kind: &str) -> Option<Vec<String>> {
    if !(api_version.starts_with("skaffold/") && kind == "Config") {
        return None;
    }
    let builds = std::iter::once(object.get("build")).chain(
        object
            .get("profiles")
            .into_iter()
            .flat_map(|profiles| profiles.items())
            .map(|profile| profile.get("build")),
    );
    Some(
        builds
            .flatten()
            .filter_map(|build| build.get("artifacts"))
            .flat_map(|artifacts| artifacts.items())
            .filter_map(|artifact| artifact.get("image")?.as_str().map(str::to_owned))
            .collect(),
    )
}

/// After every file is read: marks the containers whose image is one Skaffold builds, and counts
/// what was left to each tool.
pub fn mark_skaffold(workloads: &mut [Workload], built: &[String]) -> DeployTimeImages {
    let repository = |image: &str| {
        ImageRef::parse(image)
            .ok()
            .map(|r| format!("{}/{}", r.normalized_registry(), r.normalized_path()))
    };
    let built: HashSet<String> = built.iter().filter_map(|image| repository(image)).collect();
    let mut counts = DeployTimeImages::default();
    for container in workloads.iter_mut().flat_map(|w| w.containers.iter_mut()) {
        if container.set_at_deploy.is_none()
            && !built.is_empty()
            && container
                .image
                .as_scalar()
                .and_then(|image| repository(&image.value))
                .is_some_and(|name| built.contains(&name))
        {
            container.set_at_deploy = Some(DeployTool::Skaffold);
        }
        match container.set_at_deploy {
            Some(DeployTool::Istio) => counts.istio += 1,
            Some(DeployTool::Skaffold) => counts.skaffold += 1,
            None => {}
        }
    }
    counts
}
