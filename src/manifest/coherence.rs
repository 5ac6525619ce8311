//! Oracle's Coherence operator: `Coherence` and `CoherenceJob` resources
//! (`coherence.oracle.com/v1`), reduced to the images the operator pulls for their pods.
//!
//! A Coherence resource is one role of a Coherence cluster: the operator makes a StatefulSet (a
//! Job, for a CoherenceJob) whose pod template it builds from the resource's `spec`, which is no
//! pod spec. The resource becomes one [`Workload`] with the pod's images, in the pod's order:
//!
//! | image | where | place in findings |
//! |---|---|---|
//! | utils init container (`coherence-k8s-utils`) | `spec.coherenceUtils.image`, `.imagePullPolicy` | `utils image of coherence "orders"` |
//! | extra init containers | `spec.initContainers[]`, copied as written | `init container "x" of coherence "orders"` |
//! | the Coherence container (`coherence`) | `spec.image`, `spec.imagePullPolicy` | `role "storage" of coherence "orders"` (`Coherence image of …` without `spec.role`) |
//! | sidecars | `spec.sideCars[]`, copied as written | `sidecar "x" of coherence "orders"` |
//!
//! The pod gets `spec.imagePullSecrets` (a list of `{name}`, as a pod's), so findings say that
//! the resource lists them, and runs as `spec.serviceAccountName`. A policy left unset stays
//! unset in the pod template: the API server defaults it, as for any pod. `spec.labels` and
//! `spec.annotations` are the pod's, so they may ask for Istio's injection (`deploy_time`).
//!
//! A Coherence resource's `spec.actions[].job.spec` is a whole batch/v1 JobSpec that the operator
//! creates as a Job, as written, once the role is ready: each is a workload of its own, with the
//! pull secrets and service account of its own pod template
//! (`container "x" of action "warm-up" of coherence "orders"`).
//!
//! Sources (oracle/coherence-operator): `api/v1/coherenceresourcespec_types.go`
//! (`CoherenceResourceSpec`; `CreatePodTemplateSpec`, `CreateCoherenceContainer`,
//! `CreateOperatorInitContainer`, `ProcessSideCars`, `GetImagePullSecrets`,
//! `GetServiceAccountName`; `ActionJob`: "Spec will be used to create a Job"),
//! `api/v1/coherenceresource_types.go` (`CoherenceStatefulSetResourceSpec.Actions`, the
//! Coherence kind's only), `api/v1/coherencejobresource_types.go` (a CoherenceJob's spec inlines
//! the same `CoherenceResourceSpec`), `api/v1/constants.go` (the container names),
//! `api/v1/coherence_webhook.go` (`SetCommonDefaults`; `validateImages` names
//! `spec.coherenceUtils.image`), and the docs' "Configure Additional Containers" page.
//!
//! Not modelled, on purpose:
//! - An omitted `spec.image` or `spec.coherenceUtils.image`. The operator's webhook fills it in
//!   from the operator's own settings (`GetDefaultCoherenceImage`, `GetDefaultOperatorImage` in
//!   `pkg/operator/operator.go`), which each installation chooses: the Helm chart's
//!   `defaultCoherenceImage` value (`helm-charts/coherence-operator/values.yaml`), set from the
//!   Makefile's `COHERENCE_IMAGE` for a release (`ghcr.io/oracle/coherence-ce:<version>`,
//!   `oraclecoherence/coherence-ce` on Docker Hub in older ones), and the operator's image for
//!   the utils container (`coherence-operator-utils` in some releases, from 3.2.7). No source
//!   fixes one image, so an omitted image, and the pull policy written for it, are not judged.
//! - The operator 2.x kinds of the same API version (`CoherenceCluster`, `CoherenceRole`): another
//!   layout, whose `imagePullSecrets` was a list of names.

use std::borrow::Cow;

use super::readers::Object;
use super::{
    Container, ContainerKind, Extracted, Field, Malformed, Placement, PodGroup, PullSecretsOwner, Reader,
    ServiceAccountField, Workload, deploy_time, image_pull_secrets, pod_template, prefixed, quoted_name, shape_span,
};
use crate::source::Span;
use crate::yaml::Node;

const API_VERSION: &str = "coherence.oracle.com/v1";

/// Reads a `Coherence` or `CoherenceJob` resource, and a Coherence resource's action jobs.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    if object.api_version != API_VERSION {
        return false;
    }
    let what = match object.kind {
        "Coherence" => "coherence",
        "CoherenceJob" => "coherence job",
        _ => return false,
    };
    let ResourceReader { label, workload, .. } = ResourceReader::read(reader, object, what);
    out.workloads.push(workload);
    // Only the StatefulSet kind has actions (`CoherenceStatefulSetResourceSpec`).
    if object.kind == "Coherence" {
        let actions = object.node.get("spec").and_then(|spec| spec.get("actions"));
        for (i, action) in actions.into_iter().flat_map(|list| list.items()).enumerate() {
            if let Some(job) = action_job(reader, object, &label, i, action) {
                out.workloads.push(job);
            }
        }
    }
    true
}

/// Reads the pod the operator builds from a resource's `spec`.
struct ResourceReader {
    /// `coherence "orders"`.
    label: String,
    /// `spec`, after the object's prefix in a `List`.
    spec_path: String,
    workload: Workload,
}

impl ResourceReader {
    fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, what: &str) -> ResourceReader {
        let mut workload = reader.workload(
            object.node,
            object.api_version,
            object.kind,
            prefixed(object.prefix, "spec"),
        );
        let label = match workload.name.as_deref() {
            Some(name) if !name.is_empty() => format!("{what} \"{name}\""),
            _ => format!("the {what}"),
        };
        workload.pull_secrets_listed_by = PullSecretsOwner::Object(label.clone());
        let mut this = ResourceReader {
            label,
            spec_path: workload.pod_spec_path.to_string(),
            workload,
        };
        if let Some(spec) = object.node.get("spec").filter(|spec| spec.is_mapping()) {
            let spec_key = object.node.key("spec").map_or(spec.span(), |key| key.span());
            this.spec(spec, spec_key);
        }
        this.workload.pods = vec![this.pod_group(object.node.get("spec"))];
        this
    }

    fn path(&self, rest: &str) -> String {
        format!("{}.{rest}", self.spec_path)
    }

    /// The pod's images, in the order the operator puts them in the pod template.
    fn spec(&mut self, spec: Node<'_, '_>, spec_key: Span) {
        self.workload.image_pull_secrets = image_pull_secrets(spec, &self.path("imagePullSecrets"));
        if let Some(utils) = spec.get("coherenceUtils").filter(|utils| utils.is_mapping()) {
            let key = spec.key("coherenceUtils").map_or(utils.span(), |key| key.span());
            let place = format!("utils image of {}", self.label);
            self.operator_image(
                ContainerKind::InitContainer,
                utils,
                key,
                self.path("coherenceUtils"),
                place,
            );
        }
        self.containers(spec, "initContainers", ContainerKind::InitContainer, "init container");
        // The role defaults to the resource's name, which the label already says.
        let place = match Field::read(spec, "role")
            .as_scalar()
            .filter(|role| !role.value.is_empty())
        {
            Some(role) => format!("role \"{}\" of {}", role.value, self.label),
            None => format!("Coherence image of {}", self.label),
        };
        self.operator_image(ContainerKind::Container, spec, spec_key, self.spec_path.clone(), place);
        self.containers(spec, "sideCars", ContainerKind::Container, "sidecar");
        // `spec.labels` and `spec.annotations` are the pods' own: they may ask for Istio injection.
        deploy_time::mark_istio(Some(spec), &mut self.workload.containers);
    }

    /// A container the operator makes from an object's `image` and `imagePullPolicy`, when the
    /// image is written (see the module documentation for an omitted one). `key` is where to
    /// point at the container as a whole.
    fn operator_image(&mut self, kind: ContainerKind, node: Node<'_, '_>, key: Span, path: String, place: String) {
        let mut container = Container::from_pod_spec(kind, node, path, Some(place));
        if container.image.is_unset() {
            return;
        }
        container.span = key;
        self.workload.containers.push(container);
    }

    /// The containers of the list at `spec.key`, which the operator copies into the pod as they
    /// are written; what is not a list of objects is malformed, as in a pod spec.
    fn containers(&mut self, spec: Node<'_, '_>, key: &str, kind: ContainerKind, word: &str) {
        let Some(list) = spec.get(key).filter(|list| !list.is_null()) else {
            return;
        };
        let list_path = self.path(key);
        if !list.is_sequence() {
            self.workload.malformed.push(Malformed {
                span: shape_span(list, spec.key(key)),
                field: list_path,
                expected: "a list",
                found: list.type_name(),
            });
            return;
        }
        for (i, entry) in list.items().enumerate() {
            let path = format!("{list_path}[{i}]");
            if !entry.is_mapping() {
                self.workload.malformed.push(Malformed {
                    span: entry.span(),
                    field: path,
                    expected: "an object",
                    found: entry.type_name(),
                });
                continue;
            }
            let place = format!("{word} {} of {}", quoted_name(entry, i), self.label);
            self.workload
                .containers
                .push(Container::from_pod_spec(kind, entry, path, Some(place)));
        }
    }

    /// The one group of pods: every container, run as `spec.serviceAccountName` or `default`. A
    /// resource has no `serviceAccount` spelling (the API server prunes it).
    fn pod_group(&self, spec: Option<Node<'_, '_>>) -> PodGroup {
        let written = spec
            .map(|spec| Field::read(spec, "serviceAccountName"))
            .and_then(|name| name.as_scalar().filter(|name| !name.value.is_empty()).cloned())
            .map(|name| ServiceAccountField {
                name,
                path: self.path("serviceAccountName"),
                file: None,
                pods: Vec::new(),
            });
        PodGroup::of_every_container(self.workload.containers.len(), written)
    }
}

/// The workload of the Job an action creates from `spec.actions[i].job.spec`, when it has a pod
/// template: its containers are named after the action and the resource (`label`).
fn action_job(
    reader: &Reader<'_>,
    object: Object<'_, '_, '_>,
    label: &str,
    i: usize,
    action: Node<'_, '_>,
) -> Option<Workload> {
    let template = action.get("job")?.get("spec")?.get("template")?;
    let pod_spec = template.get("spec").filter(|spec| spec.is_mapping())?;
    let path = format!("{}spec.actions[{i}].job.spec.template.spec", object.prefix);
    let mut workload = reader.workload(object.node, object.api_version, object.kind, Cow::Owned(path.clone()));
    reader.pod_spec(pod_spec, &path, &mut workload);
    deploy_time::mark_istio(template.get("metadata"), &mut workload.containers);
    let action = action
        .get("name")
        .and_then(|name| name.as_str())
        .map_or_else(|| format!("action {}", i + 1), |name| format!("action \"{name}\""));
    let (mut init_containers, mut containers) = (0, 0);
    for container in &mut workload.containers {
        let (word, position) = match container.kind {
            ContainerKind::InitContainer => ("init container", &mut init_containers),
            _ => ("container", &mut containers),
        };
        *position += 1;
        let name = container
            .name
            .as_ref()
            .map_or_else(|| position.to_string(), |name| format!("\"{}\"", name.value));
        container.placement = Some(Placement::at(format!("{word} {name} of {action} of {label}")));
    }
    workload.pods = vec![pod_template::one_pod_group(
        Some(pod_spec),
        &path,
        workload.containers.len(),
    )];
    Some(workload)
}

#[cfg(test)]
mod tests {
    use crate::manifest::PullSecretsOwner;
    use crate::manifest::tests::extract_text;

    const ORDERS: &str = "\
apiVersion: coherence.oracle.com/v1
kind: Coherence
metadata: {name: orders, namespace: trading}
spec:
  role: storage
  image: ghcr.io/oracle/coherence-ce:22.06.7
  imagePullPolicy: Always
  imagePullSecrets: [{name: ocr-pull}]
  serviceAccountName: coherence-runner
  coherenceUtils: {image: ghcr.io/oracle/coherence-operator:3.4.1}
  initContainers: [{name: setup, image: busybox:1.36}]
  sideCars: [{name: shipper, image: fluent/fluentd:v1.16}]
  actions:
    - name: warm-up
      job:
        spec:
          template:
            spec:
              serviceAccountName: warmer
              imagePullSecrets: [{name: ghcr-pull}]
              containers: [{name: warmer, image: ghcr.io/acme/warmer:1.0}]
";

    #[test]
    fn a_resource_is_one_workload_with_its_pods_images_in_pod_order() {
        let extracted = extract_text(ORDERS);
        let [resource, action] = extracted.workloads.as_slice() else {
            panic!()
        };
        let images: Vec<(&str, String)> = resource
            .containers
            .iter()
            .map(|c| (c.display_name(), c.field_path("image")))
            .collect();
        assert_eq!(
            images,
            [
                (
                    "utils image of coherence \"orders\"",
                    "spec.coherenceUtils.image".to_owned()
                ),
                (
                    "init container \"setup\" of coherence \"orders\"",
                    "spec.initContainers[0].image".to_owned()
                ),
                ("role \"storage\" of coherence \"orders\"", "spec.image".to_owned()),
                (
                    "sidecar \"shipper\" of coherence \"orders\"",
                    "spec.sideCars[0].image".to_owned()
                ),
            ]
        );
        // The images the operator makes from the spec's own fields point at their key as a whole.
        assert_eq!(&ORDERS[resource.containers[0].span.range()], "coherenceUtils");
        assert_eq!(&ORDERS[resource.containers[2].span.range()], "spec");
        assert_eq!(
            resource.containers[2].image_pull_policy.as_scalar().unwrap().value,
            "Always"
        );
        assert_eq!(resource.image_pull_secrets[0].path, "spec.imagePullSecrets[0]");
        assert_eq!(
            resource.pull_secrets_owner(),
            PullSecretsOwner::Object("coherence \"orders\"".to_owned())
        );
        let [group] = resource.pods.as_slice() else { panic!() };
        assert_eq!(group.service_account, "coherence-runner");
        assert_eq!(group.written_at[0].path, "spec.serviceAccountName");
        assert_eq!(group.containers, [0, 1, 2, 3]);

        // An action's Job has its own pod template, pull secrets and service account.
        assert_eq!(
            action.containers[0].display_name(),
            "container \"warmer\" of action \"warm-up\" of coherence \"orders\""
        );
        assert_eq!(
            action.containers[0].field_path("image"),
            "spec.actions[0].job.spec.template.spec.containers[0].image"
        );
        assert_eq!(action.pull_secrets_owner(), PullSecretsOwner::Pod);
        assert_eq!(action.image_pull_secrets.len(), 1);
        assert_eq!(action.pods[0].service_account, "warmer");
    }

    #[test]
    fn omitted_images_are_the_installations_and_are_not_judged() {
        let text = "apiVersion: coherence.oracle.com/v1\nkind: CoherenceJob\nmetadata: {name: load}\nspec:\n  imagePullPolicy: Never\n  coherenceUtils: {imagePullPolicy: Never}\n  image: ~\n";
        let extracted = extract_text(text);
        let [job] = extracted.workloads.as_slice() else {
            panic!()
        };
        assert!(job.containers.is_empty());
        assert_eq!(job.pods[0].service_account, "default");
        assert!(extracted.unread_kinds.is_empty());

        // Without spec.role, the Coherence image is named after the resource alone.
        let job = extract_text(&text.replace("  image: ~", "  image: app:1"));
        assert_eq!(
            job.workloads[0].containers[0].display_name(),
            "Coherence image of coherence job \"load\""
        );
    }

    #[test]
    fn other_kinds_and_groups_are_left_alone() {
        for other in [
            ORDERS.replace("kind: Coherence", "kind: CoherenceCluster"),
            ORDERS.replace("coherence.oracle.com/v1", "example.com/v1"),
            ORDERS.replace("coherence.oracle.com/v1", "coherence.oracle.com/v1beta1"),
        ] {
            assert!(extract_text(&other).workloads.is_empty(), "{other}");
        }
        // A CoherenceJob has no actions.
        let job = ORDERS.replace("kind: Coherence", "kind: CoherenceJob");
        assert_eq!(extract_text(&job).workloads.len(), 1);
    }
}
