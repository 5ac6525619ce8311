//! Knative Serving: a `Service`, a `Configuration` and a `Revision` (`serving.knative.dev/v1`, and
//! `v1beta1`, which has the same layout), read as the workloads whose pods their revisions run.
//!
//! A Knative `Service` and `Configuration` hold a revision template at `spec.template`, whose
//! `spec` is a pod spec written inline (`containers`, `initContainers`, `imagePullSecrets`,
//! `serviceAccountName`) beside Knative's own fields (`containerConcurrency`, `timeoutSeconds`);
//! a `Revision`'s `spec` is that same revision spec. Each revision becomes a Deployment in the
//! object's namespace whose pod spec copies the containers, the pull secrets and the service
//! account as written, so every rule applies as to a Deployment's, and findings name the fields
//! by their paths in the object (`spec.template.spec.containers[0].image`). The kind is `Service`
//! like Kubernetes' own, so the API group is checked first: a core `v1` Service runs no pods.
//! The older `v1alpha1` layout (`spec.runLatest.configuration.revisionTemplate`) is not read.
//!
//! **Tag resolution.** When Knative creates a revision, its controller resolves the tag of every
//! container's image to a digest (with the revision's pull secrets and service account), records
//! it in the revision's status, and the Deployment runs `repository@sha256:…`
//! (`resources/deploy.go`: "Prefer imageDigest from revision if available"). It skips images that
//! already name a digest and, by default, the registries `kind.local`, `ko.local` and `dev.local`
//! (`registries-skipping-tag-resolving` in the `config-deployment` ConfigMap); those are pulled
//! as written. What that changes for the rules:
//! - **Pull policy.** Knative does not default `imagePullPolicy`; the API server defaults it on the
//!   Deployment, for an image that is a digest: `IfNotPresent`, whatever the written tag. A node
//!   that already has the digest has the right image, so `latest-tag-if-not-present` never fires
//!   for a resolved image, explicit `IfNotPresent` or not ([`PullPolicyDefault::KnativeServing`]).
//! - **`latest` and untagged images** are still reported (`latest-image-tag`,
//!   `missing-image-tag`), saying why in Knative's terms: every pod of a revision runs the same
//!   image, but which one depends on when the revision was created. Pushing a new `latest` changes
//!   nothing until some edit of the template makes a new revision, which then picks up whatever
//!   `latest` is at that moment, and the manifest never says which image runs. Decided: a warning,
//!   as for a Deployment, with a message that says what Knative does.
//! - **Images loaded on the nodes** (`images.local`) are looked up in their registry all the same,
//!   and the revision fails: `unknown-library-image` reports them whatever their pull policy.
//! - Images of the skipped registries are judged as in a Deployment.
//!
//! Sources (knative/serving): `pkg/apis/serving/v1/service_types.go`,
//! `configuration_types.go` and `revision_types.go` (`RevisionTemplateSpec`, and `RevisionSpec`
//! embedding `corev1.PodSpec` inline); `revision_defaults.go` (container names and probes
//! defaulted, the pull policy not); `pkg/reconciler/revision/resolve.go` and `revision.go`
//! (`reconcileDigest`: containers and init containers, with the revision's `imagePullSecrets` and
//! `serviceAccountName`; images already a digest are kept); `pkg/deployment/config.go` (the
//! skipped registries' default); `pkg/reconciler/revision/resources/deploy.go` (the Deployment's
//! pod spec). knative/docs: `docs/serving/tag-resolution.md`.

use super::readers::Object;
use super::{Extracted, PullPolicyDefault, Reader, pod_template};
use crate::image::ImageRef;

/// The registries whose tags Knative does not resolve, unless its `config-deployment` says
/// otherwise: images loaded into a local cluster, or built by `ko` without a registry.
const REGISTRIES_SKIPPING_TAG_RESOLVING: [&str; 3] = ["kind.local", "ko.local", "dev.local"];

/// Reads the object when it is a Knative Serving `Service`, `Configuration` or `Revision`.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    let Some(path) = pod_spec_path(object.api_version, object.kind) else {
        return false;
    };
    let mut workload = pod_template::workload_at(reader, object, path);
    for container in &mut workload.containers {
        container.pull_policy_default = PullPolicyDefault::KnativeServing;
    }
    out.workloads.push(workload);
    true
}

/// The path from an object to its revision's pod spec, for the kinds that have one.
fn pod_spec_path(api_version: &str, kind: &str) -> Option<&'static str> {
    if !matches!(api_version, "serving.knative.dev/v1" | "serving.knative.dev/v1beta1") {
        return None;
    }
    match kind {
        "Service" | "Configuration" => Some("spec.template.spec"),
        "Revision" => Some("spec"),
        _ => None,
    }
}

/// Whether Knative resolves the image's tag to a digest when it creates a revision: unless it is
/// one already, or its registry is one that Knative skips by default.
pub(super) fn resolves_tag(reference: &ImageRef<'_>) -> bool {
    reference.digest().is_none() && !REGISTRIES_SKIPPING_TAG_RESOLVING.contains(&reference.normalized_registry())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests::extract_text;

    const SERVICE: &str = "\
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: web}
spec:
  template:
    spec:
      serviceAccountName: runner
      imagePullSecrets: [{name: ghcr}]
      containers:
      - image: ghcr.io/acme/hello:latest
      - image: ko.local/sidecar:latest
        imagePullPolicy: IfNotPresent
";

    #[test]
    fn a_knative_service_is_read_as_its_revisions_pods() {
        let extracted = extract_text(SERVICE);
        let [workload] = extracted.workloads.as_slice() else {
            panic!("one workload")
        };
        assert_eq!(
            (workload.kind.as_ref(), workload.namespace.as_str()),
            ("Service", "web")
        );
        assert_eq!(workload.pods[0].service_account, "runner");
        assert_eq!(
            workload.image_pull_secrets[0].path,
            "spec.template.spec.imagePullSecrets[0]"
        );
        let [resolved, skipped] = workload.containers.as_slice() else {
            panic!("two containers")
        };
        assert_eq!(resolved.field_path("image"), "spec.template.spec.containers[0].image");
        // The Deployment runs the digest the tag resolves to, whose policy defaults to IfNotPresent.
        assert_eq!(resolved.defaulted_pull_policy(), Some("IfNotPresent"));
        let (_, reference) = resolved.image_ref().unwrap();
        assert!(resolved.digest_resolution(&reference).is_some());
        let (_, reference) = skipped.image_ref().unwrap();
        assert!(skipped.digest_resolution(&reference).is_none());
    }

    #[test]
    fn a_core_service_runs_no_pods() {
        let core = SERVICE.replace("serving.knative.dev/v1", "v1");
        assert!(extract_text(&core).workloads.is_empty());
        let revision = "apiVersion: serving.knative.dev/v1\nkind: Revision\nmetadata: {name: hello-00001}\nspec:\n  containers: [{image: ghcr.io/acme/hello:1.0}]\n";
        let extracted = extract_text(revision);
        assert_eq!(
            extracted.workloads[0].containers[0].field_path("image"),
            "spec.containers[0].image"
        );
    }

    #[test]
    fn only_knative_serving_kinds_have_a_pod_spec() {
        assert_eq!(
            pod_spec_path("serving.knative.dev/v1", "Service"),
            Some("spec.template.spec")
        );
        assert_eq!(
            pod_spec_path("serving.knative.dev/v1beta1", "Configuration"),
            Some("spec.template.spec")
        );
        assert_eq!(pod_spec_path("serving.knative.dev/v1", "Revision"), Some("spec"));
        assert_eq!(pod_spec_path("v1", "Service"), None);
        assert_eq!(pod_spec_path("serving.knative.dev/v1", "Route"), None);
        assert_eq!(pod_spec_path("serving.knative.dev/v1alpha1", "Service"), None);
    }

    #[test]
    fn tags_are_resolved_except_digests_and_local_registries() {
        let resolves = |image: &str| resolves_tag(&ImageRef::parse(image).unwrap());
        assert!(resolves("nginx"));
        assert!(resolves("ghcr.io/knative/helloworld-go:latest"));
        assert!(!resolves("ko.local/app:latest"));
        assert!(!resolves("kind.local/app"));
        assert!(!resolves(&format!("ghcr.io/a/b@sha256:{}", "0".repeat(64))));
    }
}
