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
//! - The **Azure Developer CLI** (`azd`) builds each service of its `azure.yaml` and sets the
//!   image in the service's kustomization with `k8s.kustomize.edits: [set image NAME=…]`: the
//!   images so named are set at deploy time, like Skaffold's.
//! - **Kustomize** replaces the image of every manifest among its `resources` (and the deprecated
//!   `bases`), files or folders, whose name an `images:` entry with a `newName` names. The entry
//!   itself is checked (see `kustomize`): it is the image deployed, so the resource's image is not
//!   judged, nor, for simplicity, its tag (`kubectl kustomize DIR | pullcheck check -` judges the
//!   rendered whole). Resources are matched by path, without following kustomizations further.
//! - **ko** (`ko resolve`, `ko apply`) builds every image written as a Go import path with the
//!   `ko://` scheme (`ko://github.com/knative/docs/cmd/server`) and writes the built image in its
//!   place: Knative's own manifests and samples are written so. No registry serves such a
//!   reference, so wherever it is written ko is what deploys it.

use std::borrow::{Borrow, BorrowMut};
use std::collections::HashMap;

use crate::image::ImageRef;
use crate::source::SourceFile;
use crate::yaml::Node;

use super::{Container, ContainerKind, Workload};

/// Which tool sets an image at deploy time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployTool {
    Istio,
    Skaffold,
    Azd,
    Kustomize,
    Ko,
    /// OpenShift's image triggers: a DeploymentConfig's `ImageChange` trigger, or the
    /// `image.openshift.io/triggers` annotation (see `openshift`).
    OpenShift,
}

/// How many images were left to the tools that set them, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeployTimeImages {
    pub istio: usize,
    pub skaffold: usize,
    /// The Azure Developer CLI.
    pub azd: usize,
    pub kustomize: usize,
    pub ko: usize,
    /// OpenShift's image triggers.
    pub openshift: usize,
}

impl DeployTimeImages {
    /// Adds the counts of another part of the run.
    pub fn add(&mut self, other: DeployTimeImages) {
        self.istio += other.istio;
        self.skaffold += other.skaffold;
        self.azd += other.azd;
        self.kustomize += other.kustomize;
        self.ko += other.ko;
        self.openshift += other.openshift;
    }
}

/// A kustomization's file, and the paths its `resources` and `bases` name, and those of its
/// patches, resolved against its folder (lexically, as displayed paths).
#[derive(Debug, Clone)]
pub struct KustomizeResources {
    pub file: String,
    pub paths: Vec<String>,
    /// `patchesStrategicMerge` entries and the `path` of `patches` entries: files that kustomize
    /// merges into resources, never applies on their own.
    pub patches: Vec<String>,
}

pub(super) fn kustomize_resources(file: &SourceFile, node: Node<'_, '_>) -> KustomizeResources {
    let folder = file.path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let paths = ["resources", "bases"]
        .iter()
        .filter_map(|key| node.get(key))
        .flat_map(|list| list.items())
        .filter_map(|item| item.as_str())
        .filter(|path| !path.contains("://"))
        .map(|path| join(folder, path))
        .collect();
    let strategic_merge = node
        .get("patchesStrategicMerge")
        .into_iter()
        .flat_map(|list| list.items())
        .filter_map(|item| item.as_str());
    let patch_paths = node
        .get("patches")
        .into_iter()
        .flat_map(|list| list.items())
        .filter_map(|item| item.get("path")?.as_str());
    let patches = strategic_merge
        .chain(patch_paths)
        // A strategic-merge entry may be an inline patch rather than a path.
        .filter(|path| !path.contains('\n'))
        .map(|path| join(folder, path))
        .collect();
    KustomizeResources {
        file: file.path.clone(),
        paths,
        patches,
    }
}

/// After every file is read: the objects of a file that a kustomization merges in as a patch are
/// fragments (see [`Workload::is_fragment`]), whatever their kind: a Pod, Job or Knative Service
/// patch need not restate its image or pull secrets.
pub fn mark_patches<W: BorrowMut<Workload>>(workloads: &mut [W], kustomizations: &[KustomizeResources]) {
    let patches: std::collections::HashSet<&str> = kustomizations
        .iter()
        .flat_map(|k| k.patches.iter().map(String::as_str))
        .collect();
    if patches.is_empty() {
        return;
    }
    for workload in workloads.iter_mut().map(BorrowMut::borrow_mut) {
        let path = workload.file.path.strip_prefix("./").unwrap_or(&workload.file.path);
        if patches.contains(path) {
            workload.is_fragment = true;
        }
    }
}

/// `folder/relative`, with `.` and `..` resolved as far as the text allows.
fn join(folder: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if folder.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Whether `path` is `resource` or inside it.
fn covers(resource: &str, path: &str) -> bool {
    let path = path.strip_prefix("./").unwrap_or(path);
    path == resource || path.strip_prefix(resource).is_some_and(|rest| rest.starts_with('/'))
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
        let name = container.name.as_ref().map(|name| name.value.as_str());
        let named_proxy = name == Some("istio-proxy");
        if container.image.as_scalar().is_some_and(|image| image.value == "auto") && (injected || named_proxy) {
            container.set_at_deploy = Some(DeployTool::Istio);
        }
        // A container named as one the injector adds is merged with it, and takes the injected
        // image when it names none (Istio's "customizing injection"): one written to change the
        // proxy's resources or arguments has no image of its own.
        let injected_name = matches!(name, Some("istio-proxy" | "istio-init" | "istio-validation"));
        if injected_name && container.image.is_unset() {
            container.set_at_deploy = Some(DeployTool::Istio);
        }
    }
}

/// Reads a Skaffold config: the images it builds are set at deploy time.
pub(super) fn read_skaffold(
    _: &super::Reader<'_>,
    object: super::readers::Object<'_, '_, '_>,
    out: &mut super::Extracted,
) -> bool {
    if !(object.api_version.starts_with("skaffold/") && object.kind == "Config") {
        return false;
    }
    out.built_images.extend(
        skaffold_artifacts(object.node)
            .into_iter()
            .map(|image| (DeployTool::Skaffold, image)),
    );
    true
}

/// The images a Skaffold config builds, as written.
fn skaffold_artifacts(object: Node<'_, '_>) -> Vec<String> {
    let builds = std::iter::once(object.get("build")).chain(
        object
            .get("profiles")
            .into_iter()
            .flat_map(|profiles| profiles.items())
            .map(|profile| profile.get("build")),
    );
    builds
        .flatten()
        .filter_map(|build| build.get("artifacts"))
        .flat_map(|artifacts| artifacts.items())
        .filter_map(|artifact| artifact.get("image")?.as_str().map(str::to_owned))
        .collect()
}

/// The images an Azure Developer CLI project (`azure.yaml`: a `name` and `services`) sets with
/// `set image NAME=…` kustomize edits.
pub(super) fn azd_images(root: Node<'_, '_>) -> Vec<String> {
    if root.get("name").and_then(|n| n.as_str()).is_none() {
        return Vec::new();
    }
    root.get("services")
        .into_iter()
        .flat_map(|services| services.entries())
        .filter_map(|(_, service)| service.get("k8s")?.get("kustomize")?.get("edits"))
        .flat_map(|edits| edits.items())
        .filter_map(|edit| {
            let image = edit.as_str()?.trim().strip_prefix("set image ")?;
            let name = image.split('=').next()?.trim();
            (!name.is_empty()).then(|| name.to_owned())
        })
        .collect()
}

/// After every file is read: marks the containers whose image Skaffold or ko builds or a
/// kustomization renames, and counts what was left to each tool.
pub fn mark_set_at_deploy<W: BorrowMut<Workload>>(
    workloads: &mut [W],
    built: &[(DeployTool, String)],
    kustomizations: &[KustomizeResources],
) -> DeployTimeImages {
    let repository = |image: &str| {
        ImageRef::parse(image)
            .ok()
            .map(|r| format!("{}/{}", r.normalized_registry(), r.normalized_path()))
    };
    let built: HashMap<String, DeployTool> = built
        .iter()
        .filter_map(|(tool, image)| Some((repository(image)?, *tool)))
        .collect();
    // A kustomization's file → the resource paths it names (looked up per workload: a repository
    // of overlays has as many kustomizations as workloads).
    let mut resources_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for kustomization in kustomizations {
        resources_of
            .entry(&kustomization.file)
            .or_default()
            .extend(kustomization.paths.iter().map(String::as_str));
    }
    // Repository → the resource paths whose images a kustomization renames to something else.
    let mut renamed: HashMap<String, Vec<&str>> = HashMap::new();
    for workload in workloads.iter().map(Borrow::borrow) {
        let Some(resources) = resources_of.get(workload.file.path.as_str()).filter(|r| !r.is_empty()) else {
            continue;
        };
        let names = workload
            .containers
            .iter()
            .filter(|c| {
                c.kind == ContainerKind::KustomizeImage && c.image_fields().iter().any(|(key, _)| *key == "newName")
            })
            .filter_map(|c| repository(&c.name.as_ref()?.value));
        for name in names {
            renamed.entry(name).or_default().extend(resources);
        }
    }
    // Most runs have neither: then no image needs parsing here.
    if !built.is_empty() || !renamed.is_empty() {
        for workload in workloads.iter_mut().map(BorrowMut::borrow_mut) {
            let Workload { file, containers, .. } = workload;
            for container in containers {
                if container.set_at_deploy.is_some() || container.kind == ContainerKind::KustomizeImage {
                    continue;
                }
                let Some(name) = container.image.as_scalar().and_then(|image| repository(&image.value)) else {
                    continue;
                };
                if let Some(tool) = built.get(&name) {
                    container.set_at_deploy = Some(*tool);
                } else if renamed
                    .get(&name)
                    .is_some_and(|paths| paths.iter().any(|path| covers(path, &file.path)))
                {
                    container.set_at_deploy = Some(DeployTool::Kustomize);
                }
            }
        }
    }
    for container in workloads.iter_mut().flat_map(|w| &mut w.borrow_mut().containers) {
        if container.set_at_deploy.is_none()
            && container
                .image
                .as_scalar()
                .is_some_and(|i| i.value.starts_with("ko://"))
        {
            container.set_at_deploy = Some(DeployTool::Ko);
        }
    }
    let mut counts = DeployTimeImages::default();
    for container in workloads.iter().flat_map(|w| &w.borrow().containers) {
        match container.set_at_deploy {
            Some(DeployTool::Istio) => counts.istio += 1,
            Some(DeployTool::Skaffold) => counts.skaffold += 1,
            Some(DeployTool::Azd) => counts.azd += 1,
            Some(DeployTool::Kustomize) => counts.kustomize += 1,
            Some(DeployTool::Ko) => counts.ko += 1,
            Some(DeployTool::OpenShift) => counts.openshift += 1,
            None => {}
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azd_projects_name_the_images_they_set() {
        let text = "name: shop\nservices:\n  api:\n    host: aks\n    k8s:\n      kustomize:\n        dir: k/api\n        edits:\n          - set image api=${SERVICE_API_IMAGE_NAME}\n          - add annotation a:b\n  web:\n    host: containerapp\n";
        let stream = crate::yaml::load(text);
        let root = stream.documents().next().unwrap();
        assert_eq!(azd_images(root), ["api"]);
        let stream = crate::yaml::load("services: {api: {k8s: {kustomize: {edits: [set image api=x]}}}}\n");
        assert!(
            azd_images(stream.documents().next().unwrap()).is_empty(),
            "no project name"
        );
    }

    #[test]
    fn resource_paths_resolve_against_the_kustomization() {
        assert_eq!(join("overlays/prod", "../../base"), "base");
        assert_eq!(
            join("overlays/prod", "./deployment.yaml"),
            "overlays/prod/deployment.yaml"
        );
        assert_eq!(join("", "base"), "base");
        assert_eq!(join("/repo/overlays/prod", "../../base"), "/repo/base");
        assert_eq!(join("a", "../../b"), "../b");
        assert!(covers("base", "base/deployment.yaml"));
        assert!(covers("base/deployment.yaml", "./base/deployment.yaml"));
        assert!(!covers("base", "base2/deployment.yaml"));
    }
}
