//! KEDA's `ScaledJob` (`keda.sh/v1alpha1`): KEDA creates a Job for each batch of events, from the
//! batch/v1 JobSpec in `spec.jobTargetRef`, so the pods are those of its pod template
//! `spec.jobTargetRef.template`, read like a Job's.
//!
//! KEDA's other kinds run no pods of their own: a `ScaledObject` scales a workload it names
//! (`spec.scaleTargetRef`), which is read where it is written; trigger authentications and
//! cloud event sources hold settings. They are known here so that none is ever counted as an
//! unread kind.
//!
//! Sources (kedacore/keda): `apis/keda/v1alpha1/scaledjob_types.go` (`ScaledJobSpec.JobTargetRef
//! *batchv1.JobSpec`), `config/crd/bases/keda.sh_scaledjobs.yaml` (`spec` requires `jobTargetRef`
//! and `triggers`), and `pkg/scaling/executor/scale_jobs.go` (`generateJobs`: each Job gets the
//! JobSpec as written, in the ScaledJob's namespace, with labels and a generated name added).
//!
//! Not read: KEDA 1.x's `keda.k8s.io/v1alpha1` ScaledObject, which ran jobs from its own
//! `jobTargetRef` when `scaleType` was `job` (KEDA 1 is long unsupported; such an object that
//! names an image is counted as an unread kind).

use super::readers::Object;
use super::{Extracted, Reader, pod_template};

/// Reads a KEDA object: a ScaledJob's pods, and nothing for the kinds that run none.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    if object.group() != "keda.sh" {
        return false;
    }
    match object.kind {
        "ScaledJob" => {
            let mut workload = pod_template::workload_at(reader, object, "spec.jobTargetRef.template.spec");
            // The CRD requires `spec.triggers`: without them, the object is a patch that a tool
            // completes (a kustomize patch that bumps an image), whose base says the rest.
            workload.is_fragment = object.node.get("spec").and_then(|spec| spec.get("triggers")).is_none();
            out.workloads.push(workload);
            true
        }
        "ScaledObject"
        | "TriggerAuthentication"
        | "ClusterTriggerAuthentication"
        | "CloudEventSource"
        | "ClusterCloudEventSource" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::tests::extract_text;

    #[test]
    fn a_scaled_job_runs_the_pod_template_of_its_job_target() {
        let extracted = extract_text(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: consumer}\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        serviceAccountName: runner\n        containers: [{name: c, image: ghcr.io/acme/consumer:1.0}]\n  triggers: [{type: rabbitmq}]\n",
        );
        let [job] = extracted.workloads.as_slice() else {
            panic!()
        };
        assert_eq!(
            job.containers[0].field_path("image"),
            "spec.jobTargetRef.template.spec.containers[0].image"
        );
        assert_eq!(job.pods[0].service_account, "runner");
        assert!(!job.is_fragment);
    }

    #[test]
    fn a_scaled_job_without_triggers_is_a_patch() {
        let extracted = extract_text(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: consumer}\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers: [{name: c, image: ghcr.io/acme/consumer:1.1}]\n",
        );
        assert!(extracted.workloads[0].is_fragment);
    }

    #[test]
    fn kinds_that_run_no_pods_are_known_even_when_they_say_image() {
        let extracted = extract_text(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {name: web}\n  triggers: [{type: external, metadata: {image: ghcr.io/acme/x}}]\n---\napiVersion: keda.sh/v1alpha1\nkind: Unknown\nspec: {image: ghcr.io/acme/y}\n",
        );
        assert!(extracted.workloads.is_empty());
        let [unread] = extracted.unread_kinds.by_count()[..] else {
            panic!("{:?}", extracted.unread_kinds)
        };
        assert_eq!(
            (unread.api_version, unread.kind, unread.objects),
            ("keda.sh/v1alpha1", "Unknown", 1)
        );
    }
}
