//! Kinds a team declares in `.pullcheck.yaml` (`kinds:`), for a controller no built-in reader
//! knows: for an API group and version and a kind, where its pod templates, pod specs, container
//! lists and single image fields are, and where the pull secrets and service account of the pods
//! it makes from those containers and images are.
//!
//! What a declaration means, for each place it names:
//! - A pod template (`metadata` and `spec`) or a pod spec is read as a Deployment's is: its own
//!   containers, pull secrets and service account, and Istio's injection from the template's
//!   annotations. Each one found is its own workload, as each is its own pod.
//! - Container lists and image fields are the containers a controller makes its pods from. They
//!   are one workload, whose pods get the pull secrets and service account at the declared
//!   places. With no `imagePullSecrets` declared, what the pods get is unknown, so no rule says a
//!   secret is missing; with no `serviceAccountName`, they run as `default`. An image field has no
//!   pull policy beside it, so no rule judges a policy the controller defaults there.
//!
//! A declaration is asked before the built-in readers: a team that declares a kind knows its
//! controller best. The configuration is read strictly (`config.rs`); paths are parsed here.

use std::borrow::Cow;

use super::pod_template::{self, PodSpecAt};
use super::readers::Object;
use super::{
    Container, ContainerKind, Extracted, Field, Placement, PodGroup, PodPullSecrets, PullPolicyDefault, PullSecretRef,
    PullSecretShape, PullSecretsOwner, Reader, Scalar, ServiceAccountField, Workload, object_label, pull_secret_list,
};
use crate::yaml::Node;

/// A kind declared in the configuration, and where its images are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclaredKind {
    /// `group/version`, or `group/*` for every version of the group.
    pub api_version: String,
    pub kind: String,
    /// Pod templates: mappings with a `spec` that is a pod spec (and `metadata`).
    pub pod_templates: Vec<FieldPath>,
    /// Pod specs.
    pub pod_specs: Vec<FieldPath>,
    /// Lists of containers, each as a pod spec's are written.
    pub containers: Vec<FieldPath>,
    /// Single image strings.
    pub images: Vec<FieldPath>,
    /// The `imagePullSecrets` list the pods of `containers` and `images` get.
    pub image_pull_secrets: Option<FieldPath>,
    /// The service account they run as.
    pub service_account_name: Option<FieldPath>,
}

impl DeclaredKind {
    /// Whether the declaration is for objects of `api_version` and `kind`.
    pub fn matches(&self, api_version: &str, kind: &str) -> bool {
        kind == self.kind
            && match self.api_version.strip_suffix("/*") {
                Some(group) => api_version.rsplit_once('/').is_some_and(|(g, _)| g == group),
                None => api_version == self.api_version,
            }
    }
}

/// Where fields are in an object: keys separated by dots, `[]` after a key for each item of the
/// list it holds (`spec.jobs[].template`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    EachItem,
}

impl FieldPath {
    /// Parses a path; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (key, each) = match part.strip_suffix("[]") {
                Some(key) => (key, true),
                None => (part, false),
            };
            if key.is_empty() {
                return Err(format!(
                    "\"{text}\" has an empty key: write keys separated by single dots"
                ));
            }
            if key.contains(['[', ']']) {
                return Err(format!(
                    "\"{text}\": only `[]` (every item of a list) may follow a key, not an index"
                ));
            }
            steps.push(Step::Key(key.to_owned()));
            if each {
                steps.push(Step::EachItem);
            }
        }
        Ok(FieldPath { steps })
    }

    /// Every node the path leads to below `node`, with its path (`spec.jobs[1].template`).
    fn find<'s, 'a>(&self, node: Node<'s, 'a>, prefix: &str) -> Vec<(String, Node<'s, 'a>)> {
        let mut found = vec![(prefix.trim_end_matches('.').to_owned(), node)];
        for step in &self.steps {
            found = found
                .into_iter()
                .flat_map(|(path, node)| -> Vec<(String, Node<'s, 'a>)> {
                    match step {
                        Step::Key(key) => node
                            .get(key)
                            .map(|child| (join(&path, key), child))
                            .into_iter()
                            .collect(),
                        Step::EachItem => node
                            .items()
                            .enumerate()
                            .map(|(i, item)| (format!("{path}[{i}]"), item))
                            .collect(),
                    }
                })
                .collect();
        }
        found
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reads `object` with the first of `kinds` declared for it; says whether one was.
pub(super) fn read(
    kinds: &[DeclaredKind],
    reader: &Reader<'_>,
    object: Object<'_, '_, '_>,
    out: &mut Extracted,
) -> bool {
    let Some(declared) = kinds.iter().find(|d| d.matches(object.api_version, object.kind)) else {
        return false;
    };
    for path in &declared.pod_templates {
        for (at, template) in path.find(object.node, object.prefix) {
            let pod_spec = PodSpecAt {
                pod_spec: template.get("spec"),
                key: template.key("spec"),
                template_metadata: template.get("metadata"),
                path: Cow::Owned(format!("{at}.spec")),
            };
            out.workloads.push(pod_template::workload_of(reader, object, pod_spec));
        }
    }
    for path in &declared.pod_specs {
        for (at, pod_spec) in path.find(object.node, object.prefix) {
            let pod_spec = PodSpecAt {
                pod_spec: Some(pod_spec),
                key: None,
                template_metadata: None,
                path: Cow::Owned(at),
            };
            out.workloads.push(pod_template::workload_of(reader, object, pod_spec));
        }
    }
    if let Some(workload) = containers_workload(declared, reader, object) {
        out.workloads.push(workload);
    }
    true
}

/// The workload of the declared container lists and image fields, when they hold any.
fn containers_workload(declared: &DeclaredKind, reader: &Reader<'_>, object: Object<'_, '_, '_>) -> Option<Workload> {
    let mut containers = Vec::new();
    for path in &declared.containers {
        for (at, list) in path.find(object.node, object.prefix) {
            for (i, container) in list.items().enumerate().filter(|(_, c)| c.is_mapping()) {
                containers.push(Container::from_pod_spec(
                    ContainerKind::Container,
                    container,
                    format!("{at}[{i}]"),
                    None,
                ));
            }
        }
    }
    for path in &declared.images {
        for (at, image) in path.find(object.node, object.prefix) {
            containers.extend(image_field(at, image));
        }
    }
    if containers.is_empty() {
        return None;
    }
    let mut workload = reader.workload(
        object.node,
        object.api_version,
        object.kind,
        Cow::Owned(object.prefix.trim_end_matches('.').to_owned()),
    );
    workload.pull_secrets_listed_by = PullSecretsOwner::Object(object_label(object.kind, object.node));
    match &declared.image_pull_secrets {
        Some(path) => {
            if let Some((at, list)) = path.find(object.node, object.prefix).into_iter().next() {
                workload.image_pull_secrets = pull_secrets(list, &at);
            }
        }
        None => workload.pod_pull_secrets = PodPullSecrets::Unknown,
    }
    let written = declared.service_account_name.as_ref().and_then(|path| {
        let (at, node) = path.find(object.node, object.prefix).into_iter().next()?;
        Some(ServiceAccountField {
            name: Scalar::from_node(node)?,
            path: at,
            file: None,
            pods: Vec::new(),
        })
    });
    let group = PodGroup::of_every_container(containers.len(), written);
    workload.containers = containers;
    workload.pods = vec![group];
    Some(workload)
}

/// The container a controller makes from an image field at `path`: a string, or a mapping with
/// `image` and `imagePullPolicy` keys (`spec.agent`), named by its path; `None` for a mapping
/// without `image` (an optional override left out). A policy the controller sets when none is
/// written is not known.
fn image_field(path: String, node: Node<'_, '_>) -> Option<Container> {
    if node.is_mapping() && node.get("image").is_none() {
        return None;
    }
    let (parent, key) = match node.is_mapping() {
        true => (path.as_str(), "image"),
        false => path.rsplit_once('.').unwrap_or(("", &path)),
    };
    let (image, image_pull_policy) = match node.is_mapping() {
        true => (Field::read(node, "image"), Field::read(node, "imagePullPolicy")),
        false => (field_of(node), Field::Absent),
    };
    // Named by where the image is written: `spec.executor.image`.
    let mut placement = Placement::at(format!("{parent}.{key}").trim_start_matches('.').to_owned());
    if let Some(scalar) = image.as_scalar() {
        placement.image_fields = vec![(Cow::Owned(key.to_owned()), scalar.span)];
    }
    Some(Container {
        kind: ContainerKind::Container,
        name: None,
        path: parent.to_owned(),
        span: node.span(),
        image,
        image_pull_policy,
        placement: Some(placement),
        image_is_default: false,
        pull_policy_default: PullPolicyDefault::Unknown,
        set_at_deploy: None,
        tag_unknown: false,
    })
}

/// A value that should be a string, as found.
fn field_of(node: Node<'_, '_>) -> Field {
    match Scalar::from_node(node) {
        Some(scalar) => Field::String(scalar),
        _ if node.is_null() => Field::Null { span: node.span() },
        _ => Field::NotString {
            span: node.span(),
            found: node.type_name(),
        },
    }
}

/// The entries of a declared `imagePullSecrets` list written at `path`: objects with a `name`,
/// as a pod's are, or names on their own, as some controllers take them (Spark's).
fn pull_secrets(list: Node<'_, '_>, path: &str) -> Vec<PullSecretRef> {
    let mut entries = pull_secret_list(Some(list), path);
    for (entry, item) in entries.iter_mut().zip(list.items()) {
        if let Some(name) = Scalar::from_node(item) {
            entry.shape = PullSecretShape::Object;
            entry.name = Field::String(name);
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::manifest::extract_with;
    use crate::source::SourceFile;
    use crate::yaml;

    fn path(text: &str) -> FieldPath {
        FieldPath::parse(text).unwrap()
    }

    #[test]
    fn every_declared_place_is_read_at_its_path() {
        let declared = DeclaredKind {
            api_version: "batch.example/v1".into(),
            kind: "Pipeline".into(),
            pod_templates: vec![path("spec.stages[].template")],
            pod_specs: vec![path("spec.cleanup.podSpec")],
            images: vec![path("spec.notifierImage"), path("spec.agent")],
            service_account_name: Some(path("spec.runAs")),
            ..DeclaredKind::default()
        };
        let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: batch.example/v1
  kind: Pipeline
  metadata: {name: p, namespace: ci}
  spec:
    runAs: bot
    notifierImage: notify:1
    agent: {image: agent:2, imagePullPolicy: Always}
    stages:
    - template: {spec: {containers: [{name: a, image: a:1}]}}
    - template: {spec: {serviceAccountName: s, containers: [{name: b, image: b:1}]}}
    cleanup: {podSpec: {containers: [{name: c, image: c:1}]}}
";
        let file = Arc::new(SourceFile::new("p.yaml", text));
        let stream = yaml::load(file.text());
        let extracted = extract_with(stream.documents(), &file, "default", &[declared]);
        let images: Vec<Vec<String>> = extracted
            .workloads
            .iter()
            .map(|w| {
                w.containers
                    .iter()
                    .map(|c| c.field_path(c.key_at("image", c.image.as_scalar().unwrap().span)))
                    .collect()
            })
            .collect();
        assert_eq!(
            images,
            [
                vec!["items[0].spec.stages[0].template.spec.containers[0].image"],
                vec!["items[0].spec.stages[1].template.spec.containers[0].image"],
                vec!["items[0].spec.cleanup.podSpec.containers[0].image"],
                vec!["items[0].spec.notifierImage", "items[0].spec.agent.image"],
            ]
        );
        let accounts: Vec<&str> = extracted
            .workloads
            .iter()
            .map(|w| &*w.pods[0].service_account)
            .collect();
        assert_eq!(accounts, ["default", "s", "default", "bot"]);
        // The image fields' pods get pull secrets from no declared place: unknown, not missing.
        assert!(extracted.workloads[3].pod_image_pull_secrets().is_none());
        assert_eq!(
            extracted.workloads[3].containers[1]
                .image_pull_policy
                .as_scalar()
                .unwrap()
                .value,
            "Always"
        );
        assert_eq!(extracted.workloads[3].containers[0].defaulted_pull_policy(), None);
        assert!(extracted.unread_kinds.is_empty());
    }

    #[test]
    fn a_group_wildcard_matches_every_version_of_the_group_only() {
        let declared = DeclaredKind {
            api_version: "acme.example/*".into(),
            kind: "Runner".into(),
            ..DeclaredKind::default()
        };
        assert!(declared.matches("acme.example/v1", "Runner"));
        assert!(declared.matches("acme.example/v2beta1", "Runner"));
        assert!(!declared.matches("sub.acme.example/v1", "Runner"));
        assert!(!declared.matches("acme.example/v1", "Runners"));
    }
}
