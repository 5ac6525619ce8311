//! Argo Rollouts (`argoproj.io/v1alpha1`): a `Rollout`, and the `AnalysisTemplate`,
//! `ClusterAnalysisTemplate`, `AnalysisRun` and `Experiment` whose pods it runs beside.
//!
//! - A `Rollout` is a Deployment by another controller: its ReplicaSets are made from the pod
//!   template at `spec.template`, read as a Deployment's. With `spec.workloadRef` the pod template
//!   is the referenced Deployment's, read where that Deployment is, and the Rollout itself must
//!   leave `spec.template` empty: it has no containers to judge, and nothing is read of it (it is
//!   still a kind this reader knows, not an unread one). Without `workloadRef` the controller
//!   requires `spec.selector`, matching the template's labels: a Rollout without them is a
//!   fragment (a kustomize patch), like an `apps/v1` Deployment.
//! - An analysis (`AnalysisTemplate`, its cluster-scoped twin `ClusterAnalysisTemplate`, and the
//!   `AnalysisRun` made from them) runs a Job for each metric whose provider is `job`: its pod
//!   template is `spec.metrics[].provider.job.spec.template`.
//! - An `Experiment` runs a ReplicaSet for each of `spec.templates[]`, from the pod template at
//!   its `template`.
//!
//! **Several pod templates in one object.** Each metric's Job and each experiment template is a
//! pod template of its own, with its own `imagePullSecrets` and service account, exactly as a
//! Job's or a ReplicaSet's: so each is its own [`Workload`], read as a Deployment's pod template
//! is, with its containers named in the kind's words (`container "load" of metric "load-test"
//! of analysis template "canary-check"`). One workload with a [`PodGroup`](super::PodGroup) per
//! pod template would have judged every pod with the pull secrets of all of them, since a
//! workload has one list. What this costs: an object-level `pullcheck.io/ignore` annotation is
//! given to each of the object's workloads, so one that covers a finding of only some of them is
//! reported as unused for the others; a `# pullcheck:ignore` comment on the line does not have
//! this problem.
//!
//! A `ClusterAnalysisTemplate`'s job runs in the namespace of the Rollout that uses it, which the
//! object cannot say: like any object without `metadata.namespace`, it is judged in the default
//! namespace.
//!
//! Sources (argoproj/argo-rollouts): `pkg/apis/rollouts/v1alpha1/types.go` (`RolloutSpec`:
//! `selector`, `template`, `workloadRef`), `analysis_types.go` (`JobMetric`: `metadata` and a
//! `batchv1.JobSpec`), `experiment_types.go` (`TemplateSpec`: `name`, `selector`, `template`),
//! `pkg/apis/rollouts/validation/validation.go` (`.spec.selector` required without
//! `workloadRef`; "template must be empty for workload reference rollout"), and the docs'
//! `features/specification.md` and `analysis/job.md`.

use std::borrow::Cow;

use super::pod_template::{self, PodSpecAt};
use super::readers::Object;
use super::{ContainerKind, Extracted, Placement, Reader, Workload, mapping_items, object_label, quoted_name};
use crate::yaml::Node;

/// The one version of the Argo Rollouts API.
const API_VERSION: &str = "argoproj.io/v1alpha1";

/// Reads the object when it is one of Argo Rollouts' kinds that run pods.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    if object.api_version != API_VERSION {
        return false;
    }
    match object.kind {
        "Rollout" => out.workloads.extend(rollout(reader, object)),
        "AnalysisTemplate" => analysis(reader, object, "analysis template", out),
        "ClusterAnalysisTemplate" => analysis(reader, object, "cluster analysis template", out),
        "AnalysisRun" => analysis(reader, object, "analysis run", out),
        "Experiment" => experiment(reader, object, out),
        _ => return false,
    }
    true
}

/// A Rollout's pods, from `spec.template`; none of its own when it refers to a Deployment's.
fn rollout(reader: &Reader<'_>, object: Object<'_, '_, '_>) -> Option<Workload> {
    let spec = object.node.get("spec");
    if spec
        .and_then(|spec| spec.get("workloadRef"))
        .is_some_and(|reference| !reference.is_null())
    {
        return None;
    }
    let mut workload = pod_template::workload_at(reader, object, "spec.template.spec");
    let template_labels = spec
        .and_then(|spec| spec.get("template"))
        .and_then(|template| template.get("metadata"))
        .and_then(|metadata| metadata.get("labels"));
    workload.is_fragment = spec.and_then(|spec| spec.get("selector")).is_none() || template_labels.is_none();
    Some(workload)
}

/// An analysis: the Job of each metric that has one.
fn analysis(reader: &Reader<'_>, object: Object<'_, '_, '_>, what: &str, out: &mut Extracted) {
    let owner = object_label(what, object.node);
    for (i, metric) in mapping_items(object.node.get("spec"), "metrics") {
        let Some(job) = metric.get("provider").and_then(|provider| provider.get("job")) else {
            continue;
        };
        let template = job.get("spec").and_then(|spec| spec.get("template"));
        let path = format!("spec.metrics[{i}].provider.job.spec.template");
        let of = format!("metric {} of {owner}", quoted_name(metric, i));
        out.workloads.push(pod_template(reader, object, template, &path, &of));
    }
}

/// An Experiment: the ReplicaSet of each template.
fn experiment(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) {
    let owner = object_label("experiment", object.node);
    for (i, template) in mapping_items(object.node.get("spec"), "templates") {
        let path = format!("spec.templates[{i}].template");
        let of = format!("template {} of {owner}", quoted_name(template, i));
        out.workloads
            .push(pod_template(reader, object, template.get("template"), &path, &of));
    }
}

/// The workload of one of the object's pod templates (`template`, at `path` from the object's
/// root), its containers placed `of` what runs them: `metric "load-test" of analysis template "x"`.
fn pod_template(
    reader: &Reader<'_>,
    object: Object<'_, '_, '_>,
    template: Option<Node<'_, '_>>,
    path: &str,
    of: &str,
) -> Workload {
    let pod_spec = PodSpecAt {
        pod_spec: template.and_then(|template| template.get("spec")),
        key: template.and_then(|template| template.key("spec")),
        template_metadata: template.and_then(|template| template.get("metadata")),
        path: Cow::Owned(format!("{}{path}.spec", object.prefix)),
    };
    let mut workload = pod_template::workload_of(reader, object, pod_spec);
    // A container without a name (which the API server rejects) is numbered within its list.
    let (mut init_containers, mut ephemeral_containers, mut containers) = (0, 0, 0);
    for container in &mut workload.containers {
        let (word, position) = match container.kind {
            ContainerKind::InitContainer => ("init container", &mut init_containers),
            ContainerKind::EphemeralContainer => ("ephemeral container", &mut ephemeral_containers),
            ContainerKind::Container | ContainerKind::KustomizeImage => ("container", &mut containers),
        };
        *position += 1;
        let name = container
            .name
            .as_ref()
            .map_or_else(|| position.to_string(), |name| format!("\"{}\"", name.value));
        container.placement = Some(Placement::at(format!("{word} {name} of {of}")));
    }
    workload
}

#[cfg(test)]
mod tests {
    use crate::manifest::tests::extract_text;

    #[test]
    fn a_rollout_that_refers_to_a_deployment_has_no_pods_of_its_own_and_is_not_unread() {
        let extracted = extract_text(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: d}\n  template: {spec: {containers: [{name: a, image: nginx}]}}\n",
        );
        assert!(extracted.workloads.is_empty());
        assert!(extracted.unread_kinds.is_empty());
    }

    #[test]
    fn every_job_metric_and_experiment_template_is_a_workload_of_its_own() {
        let extracted = extract_text(
            "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: check}\nspec:\n  metrics:\n  - name: rate\n    provider: {prometheus: {query: up}}\n  - name: load\n    provider:\n      job:\n        spec:\n          template:\n            spec:\n              serviceAccountName: tester\n              imagePullSecrets: [{name: regcred}]\n              containers: [{name: a, image: x:1}]\n---\napiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {generateName: exp-}\nspec:\n  templates:\n  - name: canary\n    template: {spec: {initContainers: [{name: i, image: y:1}]}}\n",
        );
        let [job, canary] = extracted.workloads.as_slice() else {
            panic!("{:?}", extracted.workloads)
        };
        assert_eq!(job.pod_spec_path, "spec.metrics[1].provider.job.spec.template.spec");
        assert_eq!(job.pods[0].service_account, "tester");
        assert_eq!(
            job.image_pull_secrets[0].path,
            "spec.metrics[1].provider.job.spec.template.spec.imagePullSecrets[0]"
        );
        assert_eq!(
            job.containers[0].place(),
            Some("container \"a\" of metric \"load\" of analysis template \"check\"")
        );
        assert_eq!(
            canary.containers[0].place(),
            Some("init container \"i\" of template \"canary\" of experiment \"exp-…\"")
        );
        assert_eq!(
            canary.containers[0].path,
            "spec.templates[0].template.spec.initContainers[0]"
        );
    }
}
