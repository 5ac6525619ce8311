//! OpenShift: a `DeploymentConfig` (`apps.openshift.io/v1`, and the legacy `v1`), the images its
//! image triggers set, and the objects of a `Template` (`template.openshift.io/v1`, and `v1`).
//!
//! **DeploymentConfig.** Its pods are made from the pod template at `spec.template`, like a
//! Deployment's, and every rule applies to it as to a Deployment. The deployment config
//! controller runs each deployment as a ReplicationController in the object's namespace.
//!
//! **Image triggers.** An `ImageChange` trigger (`spec.triggers[].imageChangeParams`) names, in
//! `containerNames`, the containers (or init containers) whose image OpenShift sets from an image
//! stream tag (`from`): the image written there is a stand-in, most often `" "`, a bare image
//! stream name (`postgresql`) or a `${PARAMETER}`, sometimes none at all. A deployment config
//! that has never been deployed always gets the tag's image, `automatic` or not; `automatic`
//! only says whether later pushes roll out. So the image of every container a trigger names
//! (with a `from.name`) is set at deploy time: it is not judged, and the summary counts it
//! (`imagesSetAtDeploy.openshift`). Kubernetes' own kinds (Deployment, StatefulSet, DaemonSet,
//! Job, CronJob, ReplicationController, Pod) ask for the same with the
//! `image.openshift.io/triggers` annotation, a JSON list of `{from, fieldPath, paused}`; the
//! container a `fieldPath` selects (by index, `containers[0].image`, or by name,
//! `containers[?(@.name=="web")].image`) is set at deploy time unless the trigger is `paused`
//! ([`mark_annotated_triggers`], called by the reader of those kinds).
//!
//! **Templates.** A Template holds the objects it makes under `objects:`, with `${PARAMETER}` (and
//! `${{PARAMETER}}`) references that `oc process` substitutes. Its objects are read through the
//! same table of readers as the items of a `List`, at paths such as
//! `objects[3].spec.template.spec.containers[0].image`. A placeholder where an image belongs is
//! `unrendered-template`'s, as in any other file. Parameters' default `value`s are not
//! substituted, on purpose: `oc process -p` overrides them, a `generate: expression` parameter
//! has no value until processed, and a finding must point at text that is written. To lint what
//! a template makes with chosen values: `oc process -f template.json --local -p NAME=… -o yaml |
//! pullcheck check -`. Not modelled: `oc process` removes a namespace written in an object (the
//! objects go to the project it runs in); the object's own `metadata.namespace` is used.
//!
//! **Node credentials.** Only OpenShift runs a DeploymentConfig or processes a Template, and an
//! OpenShift 4 cluster's nodes pull with its global pull secret (`pull-secret` in the
//! `openshift-config` namespace, the kubelet's `config.json`), which holds credentials for
//! registry.redhat.io: pods there pull its images with no pull secret of their own, so
//! `missing-pull-secret` and `pull-secret-registry-mismatch` say nothing about them
//! ([`Workload::node_credentials`]). The global secret's other entries (quay.io,
//! registry.connect.redhat.com) open Red Hat's own repositories only, not a team's private ones.
//! A Deployment outside a Template may run on any cluster, and is judged as anywhere.
//!
//! Also not read: the deployer pod of a `Custom` strategy (`spec.strategy.customParams.image`),
//! which runs as the `deployer` service account, and a BuildConfig's builder images.
//!
//! Sources: openshift/api `apps/v1/types.go` (`DeploymentConfigSpec.Template`, `Triggers`,
//! `DeploymentTriggerImageChangeParams`: "Automatic means that the detection of a new tag value
//! should result in an image update inside the pod template") and `template/v1/types.go`
//! (`Template.Objects`, `Parameter`); openshift/origin pull request 8746 (deployment configs not
//! yet deployed always have their images updated) and `pkg/oc/lib/graph/appsgraph/helpers.go`
//! (`DeploymentConfigHasTrigger`: containers and init containers matched by name, a trigger without
//! `from.name` ignored); OpenShift's "Triggering updates on image stream changes" documentation
//! (the annotation, its `fieldPath` forms and `paused`, and the kinds it applies to) and "Using
//! image pull secrets" (the global cluster pull secret and the registries it authenticates to).

use super::readers::Object;
use super::{Container, DeployTool, Extracted, Reader, Workload, pod_template};
use crate::yaml::Node;

/// The annotation that asks OpenShift to set images of Kubernetes' own kinds from image streams.
const TRIGGERS_ANNOTATION: &str = "image.openshift.io/triggers";

/// The registries that need credentials for every pull and that OpenShift's global pull secret,
/// which every node's kubelet uses, holds credentials for.
const GLOBAL_PULL_SECRET_REGISTRIES: &[&str] = &["registry.redhat.io"];

/// Reads the object when it is a DeploymentConfig.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    if object.kind != "DeploymentConfig" || !matches!(object.api_version, "apps.openshift.io/v1" | "v1") {
        return false;
    }
    let mut workload = pod_template::workload_at(reader, object, "spec.template.spec");
    runs_on_openshift(&mut workload);
    let triggered = triggered_container_names(object.node);
    for container in &mut workload.containers {
        if container
            .name
            .as_ref()
            .is_some_and(|name| triggered.contains(&name.value.as_str()))
        {
            container.set_at_deploy = Some(DeployTool::OpenShift);
        }
    }
    out.workloads.push(workload);
    true
}

/// Notes that only an OpenShift cluster runs the workload (a DeploymentConfig, an object of a
/// Template): its nodes pull with the global pull secret.
pub(super) fn runs_on_openshift(workload: &mut Workload) {
    workload.node_credentials = GLOBAL_PULL_SECRET_REGISTRIES;
}

/// Whether the object is an OpenShift Template, whose objects are under `objects`.
pub(super) fn is_template(api_version: &str, kind: &str) -> bool {
    kind == "Template" && matches!(api_version, "template.openshift.io/v1" | "v1")
}

/// The names of the containers that a DeploymentConfig's `ImageChange` triggers set the image of.
fn triggered_container_names<'s>(object: Node<'s, '_>) -> Vec<&'s str> {
    object
        .get("spec")
        .and_then(|spec| spec.get("triggers"))
        .into_iter()
        .flat_map(|triggers| triggers.items())
        .filter_map(|trigger| trigger.get("imageChangeParams"))
        .filter(|params| {
            params
                .get("from")
                .and_then(|from| from.get("name"))
                .and_then(|name| name.as_str())
                .is_some_and(|name| !name.is_empty())
        })
        .filter_map(|params| params.get("containerNames"))
        .flat_map(|names| names.items())
        .filter_map(|name| name.as_str())
        .collect()
}

/// Marks the containers of one of Kubernetes' own kinds whose image an `image.openshift.io/triggers`
/// annotation of the object asks OpenShift to set.
pub(super) fn mark_annotated_triggers(object: Object<'_, '_, '_>, containers: &mut [Container]) {
    let Some(annotation) = object
        .node
        .get("metadata")
        .and_then(|metadata| metadata.get("annotations"))
        .and_then(|annotations| annotations.get(TRIGGERS_ANNOTATION))
        .and_then(|value| value.as_str())
    else {
        return;
    };
    // The value is JSON, which the YAML loader reads.
    let stream = crate::yaml::load(annotation);
    let Some(triggers) = stream.documents().next() else {
        return;
    };
    for field_path in triggers.items().filter_map(active_field_path) {
        for container in containers.iter_mut() {
            let path = container.path.strip_prefix(object.prefix).unwrap_or(&container.path);
            let name = container.name.as_ref().map(|name| name.value.as_str());
            if selects(field_path, path, name) {
                container.set_at_deploy = Some(DeployTool::OpenShift);
            }
        }
    }
}

/// The `fieldPath` of an annotated trigger that is not paused.
fn active_field_path<'s>(trigger: Node<'s, '_>) -> Option<&'s str> {
    // `paused` is a boolean in OpenShift's examples, and a string in some of its documentation.
    let paused = trigger
        .get("paused")
        .and_then(|paused| paused.scalar())
        .is_some_and(|paused| paused == "true");
    (!paused).then(|| trigger.get("fieldPath")?.as_str()).flatten()
}

/// Whether `field_path` (`spec.template.spec.containers[0].image`, or with `[?(@.name=="web")]`)
/// is the image of the container at `path` (`spec.template.spec.containers[0]`) named `name`.
fn selects(field_path: &str, path: &str, name: Option<&str>) -> bool {
    let Some(selected) = field_path.strip_suffix(".image") else {
        return false;
    };
    if selected == path {
        return true;
    }
    let (Some((list, selector)), Some((container_list, _))) = (selected.rsplit_once('['), path.rsplit_once('[')) else {
        return false;
    };
    list == container_list && name.is_some_and(|name| selected_name(selector) == Some(name))
}

/// The name in a JSONPath filter on names, `?(@.name=="web")]` or `?(@.name='web')]`.
fn selected_name(selector: &str) -> Option<&str> {
    let filter = selector.strip_prefix("?(@.name")?.strip_suffix(")]")?;
    let quoted = filter.trim_start().strip_prefix("==")?.trim();
    ['"', '\'']
        .iter()
        .find_map(|quote| quoted.strip_prefix(*quote)?.strip_suffix(*quote))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests::extract_text;

    #[test]
    fn image_change_triggers_set_the_images_they_name() {
        let text = "\
apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: frontend}
spec:
  template:
    spec:
      initContainers: [{name: migrate, image: ' '}]
      containers:
      - {name: web, image: ' '}
      - {name: proxy, image: 'nginx:1.27'}
  triggers:
  - type: ConfigChange
  - type: ImageChange
    imageChangeParams:
      automatic: false
      containerNames: [web, migrate]
      from: {kind: ImageStreamTag, name: 'frontend:latest'}
  - type: ImageChange
    imageChangeParams:
      containerNames: [proxy]
      from: {kind: ImageStreamTag}
";
        let extracted = extract_text(text);
        let set: Vec<_> = extracted.workloads[0]
            .containers
            .iter()
            .map(|c| (c.display_name(), c.set_at_deploy))
            .collect();
        // A trigger with no image stream tag to take the image from sets nothing.
        assert_eq!(
            set,
            [
                ("migrate", Some(DeployTool::OpenShift)),
                ("web", Some(DeployTool::OpenShift)),
                ("proxy", None)
            ]
        );
    }

    #[test]
    fn annotated_triggers_set_the_images_their_field_paths_select() {
        let text = r#"{
	"kind": "Template",
	"apiVersion": "template.openshift.io/v1",
	"metadata": {"name": "example"},
	"objects": [
		{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "${NAME}"}},
		{
			"kind": "Deployment",
			"apiVersion": "apps/v1",
			"metadata": {
				"name": "${NAME}",
				"annotations": {"image.openshift.io/triggers": "[{\"from\":{\"kind\":\"ImageStreamTag\",\"name\":\"${NAME}:latest\"},\"fieldPath\":\"spec.template.spec.containers[?(@.name==\\\"web\\\")].image\"},{\"from\":{\"kind\":\"ImageStreamTag\",\"name\":\"cache:7\"},\"fieldPath\":\"spec.template.spec.containers[1].image\",\"paused\":true}]"}
			},
			"spec": {"template": {"spec": {"containers": [
				{"name": "web", "image": " "},
				{"name": "cache", "image": "${CACHE_IMAGE}"}
			]}}}
		}
	],
	"parameters": [{"name": "NAME", "value": "shop"}]
}
"#;
        let extracted = extract_text(text);
        // The Template, and its two objects.
        assert_eq!(extracted.objects, 3);
        let [deployment] = extracted.workloads.as_slice() else {
            panic!("one workload")
        };
        let containers: Vec<_> = deployment
            .containers
            .iter()
            .map(|c| (c.field_path("image"), c.set_at_deploy))
            .collect();
        // The paused trigger leaves the cache's placeholder to be judged.
        assert_eq!(
            containers,
            [
                (
                    "objects[1].spec.template.spec.containers[0].image".to_owned(),
                    Some(DeployTool::OpenShift)
                ),
                ("objects[1].spec.template.spec.containers[1].image".to_owned(), None)
            ]
        );
    }

    #[test]
    fn field_paths_select_containers_by_index_or_name() {
        let path = "spec.template.spec.containers[1]";
        assert!(selects("spec.template.spec.containers[1].image", path, Some("web")));
        assert!(!selects("spec.template.spec.containers[0].image", path, Some("web")));
        assert!(selects(
            "spec.template.spec.containers[?(@.name==\"web\")].image",
            path,
            Some("web")
        ));
        assert!(selects(
            "spec.template.spec.containers[?(@.name=='web')].image",
            path,
            Some("web")
        ));
        assert!(!selects(
            "spec.template.spec.initContainers[?(@.name==\"web\")].image",
            path,
            Some("web")
        ));
        assert!(!selects(
            "spec.template.spec.containers[?(@.name==\"api\")].image",
            path,
            Some("web")
        ));
        assert!(!selects("spec.template.spec.containers[1].name", path, Some("web")));
        assert!(!selects(
            "spec.template.spec.containers[?(@.name==\"web\")].image",
            path,
            None
        ));
    }
}
