//! Kubernetes' own kinds that run pods: Pod, PodTemplate, ReplicationController, Deployment,
//! ReplicaSet, DaemonSet, StatefulSet, Job and CronJob, each with its pod spec at a fixed path.
//!
//! The API group must be one of Kubernetes' own, so a custom resource that reuses a kind name
//! (`Job`) is left to its own reader or counted as unread. The same reading serves the custom
//! kinds whose pod template is one fixed field ([`workload_at`]).

use std::borrow::Cow;

use super::readers::Object;
use super::{
    Extracted, Field, Malformed, PodGroup, Reader, ServiceAccountField, Workload, deploy_time, openshift, prefixed,
    shape_span,
};
use crate::yaml::Node;

/// Reads the object when it is one of Kubernetes' own pod kinds.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    let Some(path) = pod_spec_path(object.group(), object.kind) else {
        return false;
    };
    let mut workload = workload_at(reader, object, path);
    workload.is_fragment = is_fragment(object.node, object.api_version);
    openshift::mark_annotated_triggers(object, &mut workload.containers);
    out.workloads.push(workload);
    true
}

/// The path from an object to its pod spec (`spec.template.spec`), for the kinds that have one.
fn pod_spec_path(group: &str, kind: &str) -> Option<&'static str> {
    Some(match (group, kind) {
        ("", "Pod") => "spec",
        ("", "PodTemplate") => "template.spec",
        ("", "ReplicationController") => "spec.template.spec",
        ("apps" | "extensions", "Deployment" | "ReplicaSet" | "DaemonSet")
        | ("apps", "StatefulSet")
        | ("batch", "Job") => "spec.template.spec",
        ("batch", "CronJob") => "spec.jobTemplate.spec.template.spec",
        _ => return None,
    })
}

/// Whether an object misses what the API server requires of every complete one of its kind.
fn is_fragment(object: Node<'_, '_>, api_version: &str) -> bool {
    if api_version != "apps/v1" {
        return false;
    }
    let spec = object.get("spec");
    let selector = spec.and_then(|s| s.get("selector"));
    let template_labels = spec
        .and_then(|s| s.get("template"))
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"));
    selector.is_none() || template_labels.is_none()
}

/// The workload of an object whose pods are made from the one pod spec at `pod_spec_path`
/// (dot-separated keys from the object's root).
pub(crate) fn workload_at(reader: &Reader<'_>, object: Object<'_, '_, '_>, pod_spec_path: &'static str) -> Workload {
    let (holder_path, key) = pod_spec_path.rsplit_once('.').unwrap_or(("", pod_spec_path));
    // What holds the pod spec: the pod template, for the kinds that have one.
    let holder = holder_path
        .split('.')
        .filter(|key| !key.is_empty())
        .try_fold(object.node, |n, key| n.get(key));
    let pod_spec = PodSpecAt {
        pod_spec: holder.and_then(|h| h.get(key)),
        key: holder.and_then(|h| h.key(key)),
        template_metadata: holder.and_then(|h| h.get("metadata")),
        path: prefixed(object.prefix, pod_spec_path),
    };
    workload_of(reader, object, pod_spec)
}

/// A pod spec as found in an object.
pub(crate) struct PodSpecAt<'s, 'a> {
    /// The value, when the key is there.
    pub pod_spec: Option<Node<'s, 'a>>,
    /// The key that holds it, to point at when the value has the wrong shape.
    pub key: Option<Node<'s, 'a>>,
    /// The `metadata` of the pod template that holds it, where injectors read their annotations.
    pub template_metadata: Option<Node<'s, 'a>>,
    /// Its path from the object's root: `spec.template.spec`.
    pub path: Cow<'static, str>,
}

/// The workload of an object whose pods are made from one pod spec: its containers, pull secrets
/// and service account, and the containers a sidecar injector adds (Istio's, from the pod
/// template's annotations).
pub(crate) fn workload_of(reader: &Reader<'_>, object: Object<'_, '_, '_>, at: PodSpecAt<'_, '_>) -> Workload {
    let mut workload = reader.workload(object.node, object.api_version, object.kind, at.path);
    let path = workload.pod_spec_path.clone();
    match at.pod_spec {
        Some(pod_spec) if pod_spec.is_mapping() => {
            reader.pod_spec(pod_spec, &path, &mut workload);
            deploy_time::mark_istio(at.template_metadata, &mut workload.containers);
        }
        Some(pod_spec) if !pod_spec.is_null() => workload.malformed.push(Malformed {
            span: shape_span(pod_spec, at.key),
            field: path.to_string(),
            expected: "an object",
            found: pod_spec.type_name(),
        }),
        _ => {}
    }
    workload.pods = vec![one_pod_group(at.pod_spec, &path, workload.containers.len())];
    workload
}

/// The one group of pods of a workload with one pod spec (at `path`, when there is one): every
/// container, run as the pod spec's service account or `default`.
pub(crate) fn one_pod_group(pod_spec: Option<Node<'_, '_>>, path: &str, containers: usize) -> PodGroup {
    let written = pod_spec.and_then(|pod_spec| {
        // `serviceAccount` is the deprecated spelling, still honoured when the other is absent.
        let key = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find(|key| pod_spec.get(key).is_some())?;
        let name = Field::read(pod_spec, key).as_scalar()?.clone();
        Some(ServiceAccountField {
            name,
            path: format!("{path}.{key}"),
            file: None,
            pods: Vec::new(),
        })
    });
    PodGroup::of_every_container(containers, written)
}
