//! Argo Workflows (`argoproj.io/v1alpha1`): a `Workflow`, a `WorkflowTemplate`, a
//! `ClusterWorkflowTemplate`, and a `CronWorkflow` (whose workflow spec is `spec.workflowSpec`).
//!
//! The workflow controller makes a pod for each run of a template that does work: a `container`,
//! `script` or `containerSet` template (and a `resource` or `data` template, whose main container
//! is Argo's own executor). A workflow is ONE [`Workload`] whose containers are every image its
//! templates pull, each once, named in the words of the workflow (`template "build" of workflow
//! "ci"`, `sidecar "dind" of template "build" of workflow "ci"`, `container "a" of template "set"
//! of workflow "ci"`): the template's `container` or `script`, `containerSet.containers[]`,
//! `initContainers[]` and `sidecars[]`, the same in the `inline` templates of steps and DAG
//! tasks, and the sidecars of the workflow's own executor plugins (`spec.executorPlugins`, which
//! run in the agent pod: `workflow/controller/agent.go`). A template that only refers to others
//! (`steps`, `dag`, `templateRef`) runs no container of its own, nor do `suspend`, `http` and
//! `plugin` templates. The executor's `init` and `wait` containers (and the main container of
//! `resource` and `data` templates, and the agent) run the image the controller is configured
//! with, which no workflow names: they are not invented here.
//!
//! What the controller does, and where each fact comes from (argoproj/argo-workflows):
//! - Every pod gets the workflow's `spec.imagePullSecrets` (`workflow/controller/workflowpod.go`:
//!   `ImagePullSecrets: woc.execWf.Spec.ImagePullSecrets`), so the workflow lists them:
//!   [`PullSecretsOwner::Object`].
//! - A pod runs as its template's `serviceAccountName`, else the workflow's
//!   `spec.serviceAccountName` (`setupServiceAccount`), else the namespace's `default`: templates
//!   that run as different accounts are different [`PodGroup`]s. A name that is a placeholder
//!   (`{{workflow.parameters.sa}}`) is filled in at run time: the account of those pods is not
//!   known, and nothing is said about it or its pull secrets.
//! - `spec.templateDefaults` is merged under every template before it runs, by a strategic merge
//!   patch, the template's own values winning, and the template keeping its type
//!   (`mergedTemplateDefaultsInto` in `workflow/controller/operator.go`, `Template.SetType` in
//!   `pkg/apis/workflow/v1alpha1/workflow_types.go`; docs `template-defaults.md`). So a container
//!   template's `container` without an image (or with an empty one) takes
//!   `templateDefaults.container`'s, as validation allows (`validate.go`: "container.image may
//!   not be empty" unless the defaults name one), and its pull policy likewise; a script
//!   template's, `templateDefaults.script`'s; `initContainers` and `sidecars` merge by name, the
//!   defaults' others being added to every pod; `serviceAccountName` applies to every template
//!   without one. The containers of a `containerSet` take nothing from the defaults' `container`.
//! - A `WorkflowTemplate` or `ClusterWorkflowTemplate` runs as part of some Workflow: submitted
//!   whole (`workflowTemplateRef`), its spec is joined with the Workflow's, whose pull secrets and
//!   service account are added or win (`JoinWorkflowSpec`); referenced one template at a time
//!   (`templateRef`), its pods get the calling Workflow's. Likewise a Workflow that names a
//!   `workflowTemplateRef` gets the template's pull secrets too. So for these the pods' pull
//!   secrets are unknown ([`PodPullSecrets::Unknown`]): the rules about missing or mismatched
//!   secrets stay silent, while what the object names (its secrets, its service accounts) is still
//!   checked. A `ClusterWorkflowTemplate`'s pods run in the namespace of the Workflow that uses
//!   it: like any object without `metadata.namespace`, it is judged in the default namespace.
//! - The pull policy of a container that names none is the API server's default: the controller
//!   copies the template's container as written.
//!
//! Not modelled, as no workflow manifest shows them: the controller's own configuration
//! (`workflowDefaults` and `mainContainer` in `workflow-controller-configmap`, which can add pull
//! secrets, a service account or a default pull policy to every workflow), and a `podSpecPatch`.
//! Images written as `{{inputs.parameters.image}}` are placeholders Argo fills in when the
//! template runs: `unrendered-template`'s, as any placeholder.

use std::collections::HashSet;

use super::readers::Object;
use super::{
    Container, ContainerKind, Extracted, Field, PodGroup, PodPullSecrets, PullSecretsOwner, Reader,
    ServiceAccountField, Workload, image_pull_secrets, mapping_items, object_label, prefixed, quoted_name,
};
use crate::template;
use crate::yaml::Node;

/// The one version of the Argo Workflows API.
const API_VERSION: &str = "argoproj.io/v1alpha1";

/// How deep `inline` templates are followed into one another; real ones nest once, if at all.
const MAX_INLINE_DEPTH: usize = 4;

/// The template types whose run is a pod, and so pulls the template's init containers and
/// sidecars (`resource` and `data` with the executor as main container).
const POD_TEMPLATE_TYPES: [&str; 5] = ["container", "script", "containerSet", "resource", "data"];

/// Reads the object when it is one of Argo Workflows' kinds.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    if object.api_version != API_VERSION {
        return false;
    }
    let (what, spec_path) = match object.kind {
        "Workflow" => ("workflow", "spec"),
        "WorkflowTemplate" => ("workflow template", "spec"),
        "ClusterWorkflowTemplate" => ("cluster workflow template", "spec"),
        "CronWorkflow" => ("cron workflow", "spec.workflowSpec"),
        _ => return false,
    };
    out.workloads
        .push(WorkflowReader::read(reader, object, what, spec_path));
    true
}

/// The pods a template runs: the images they pull, and the service account they run as when
/// the template (or the template defaults) names one.
struct TemplatePods {
    /// `pods of template "build"`.
    pods: String,
    service_account: Option<ServiceAccountField>,
    containers: Vec<usize>,
}

/// An init container or sidecar of the template defaults, which the controller adds to every pod
/// whose template has none of its name.
struct DefaultContainer<'s> {
    /// `initContainers` or `sidecars`.
    key: &'static str,
    name: Option<&'s str>,
    /// Its index in the workload's containers.
    index: usize,
}

struct WorkflowReader<'s, 'a> {
    /// `workflow "ci"`.
    owner: String,
    /// `spec.templateDefaults`, and its path.
    defaults: Option<(Node<'s, 'a>, String)>,
    default_containers: Vec<DefaultContainer<'s>>,
    workload: Workload,
    templates: Vec<TemplatePods>,
    /// The templates read: an alias repeats a template, it does not make a new one, and without
    /// this, steps of aliased inline templates would multiply at every level.
    seen: HashSet<usize>,
}

/// The lists of containers a template may add to its pod besides its main ones, their kind, and
/// what a container of each is called.
const ADDED_CONTAINERS: [(&str, ContainerKind, &str); 2] = [
    ("initContainers", ContainerKind::InitContainer, "init container"),
    ("sidecars", ContainerKind::Container, "sidecar"),
];

impl<'s, 'a> WorkflowReader<'s, 'a> {
    fn read(reader: &Reader<'_>, object: Object<'_, 's, 'a>, what: &str, spec_path: &'static str) -> Workload {
        let path = prefixed(object.prefix, spec_path);
        let mut workload = reader.workload(object.node, object.api_version, object.kind, path.clone());
        let owner = object_label(what, object.node);
        workload.pull_secrets_listed_by = PullSecretsOwner::Object(owner.clone());
        let spec = spec_path
            .split('.')
            .try_fold(object.node, |node, key| node.get(key))
            .filter(|spec| spec.is_mapping());
        let Some(spec) = spec else {
            workload.pods = pod_groups(0, Vec::new(), None);
            return workload;
        };
        workload.image_pull_secrets = image_pull_secrets(spec, &format!("{path}.imagePullSecrets"));
        let refers_to_template = spec.get("workflowTemplateRef").is_some_and(|r| !r.is_null());
        if object.kind.ends_with("WorkflowTemplate") || refers_to_template {
            workload.pod_pull_secrets = PodPullSecrets::Unknown;
        }
        let mut this = WorkflowReader {
            owner,
            defaults: spec
                .get("templateDefaults")
                .filter(|defaults| defaults.is_mapping())
                .map(|defaults| (defaults, format!("{path}.templateDefaults"))),
            default_containers: Vec::new(),
            workload,
            templates: Vec::new(),
            seen: HashSet::new(),
        };
        this.default_containers();
        for (i, template) in mapping_items(Some(spec), "templates") {
            this.template(
                template,
                &format!("{path}.templates[{i}]"),
                &template_name(template, i),
                0,
            );
        }
        this.executor_plugins(spec, &path);
        let mut workload = this.workload;
        workload.pods = pod_groups(workload.containers.len(), this.templates, service_account(spec, &path));
        workload
    }

    /// Adds the init containers and sidecars of the template defaults, once each.
    fn default_containers(&mut self) {
        let Some((defaults, path)) = self.defaults.clone() else {
            return;
        };
        for (key, kind, word) in ADDED_CONTAINERS {
            for (i, container) in mapping_items(Some(defaults), key) {
                let place = format!(
                    "{word} {} of the template defaults of {}",
                    quoted_name(container, i),
                    self.owner
                );
                let index = self.add(kind, container, format!("{path}.{key}[{i}]"), place, None);
                self.default_containers.push(DefaultContainer {
                    key,
                    name: container.get("name").and_then(|n| n.as_str()),
                    index,
                });
            }
        }
    }

    /// Reads a template (`name`: `template "build"`), and the inline templates of its steps and
    /// tasks.
    fn template(&mut self, template: Node<'s, 'a>, path: &str, name: &str, depth: usize) {
        if !self.seen.insert(template.identity()) {
            return;
        }
        if POD_TEMPLATE_TYPES
            .iter()
            .any(|key| template.get(key).is_some_and(|value| !value.is_null()))
        {
            self.pod_template(template, path, name);
        }
        if depth < MAX_INLINE_DEPTH {
            for (at, inline, inline_name) in inline_templates(template, name) {
                self.template(inline, &format!("{path}.{at}.inline"), &inline_name, depth + 1);
            }
        }
    }

    /// Reads the containers of a template that runs a pod.
    fn pod_template(&mut self, template: Node<'s, 'a>, path: &str, name: &str) {
        let of = format!("{name} of {}", self.owner);
        let mut containers = Vec::new();
        for key in ["container", "script"] {
            if let Some(main) = template.get(key).filter(|main| main.is_mapping()) {
                let defaults = self.default_of(key);
                let main_path = format!("{path}.{key}");
                let index = self.add(ContainerKind::Container, main, main_path, of.clone(), defaults);
                // What it lacks is pointed at by its key: the template has one main container.
                if let Some(key) = template.key(key) {
                    self.workload.containers[index].span = key.span();
                }
                containers.push(index);
            }
        }
        for (i, container) in mapping_items(template.get("containerSet"), "containers") {
            let place = format!("container {} of {of}", quoted_name(container, i));
            let container_path = format!("{path}.containerSet.containers[{i}]");
            containers.push(self.add(ContainerKind::Container, container, container_path, place, None));
        }
        for (key, kind, word) in ADDED_CONTAINERS {
            let mut names = Vec::new();
            for (i, container) in mapping_items(Some(template), key) {
                let own_name = container.get("name").and_then(|n| n.as_str());
                names.extend(own_name);
                let defaults = own_name.and_then(|own| self.default_named(key, own));
                let place = format!("{word} {} of {of}", quoted_name(container, i));
                containers.push(self.add(kind, container, format!("{path}.{key}[{i}]"), place, defaults));
            }
            containers.extend(
                self.default_containers
                    .iter()
                    .filter(|default| default.key == key && default.name.is_none_or(|name| !names.contains(&name)))
                    .map(|default| default.index),
            );
        }
        let service_account = service_account(template, path).or_else(|| {
            let (defaults, defaults_path) = self.defaults.as_ref()?;
            service_account(*defaults, defaults_path)
        });
        self.templates.push(TemplatePods {
            pods: format!("pods of {name}"),
            service_account,
            containers,
        });
    }

    /// The sidecars of the workflow's own executor plugins, which run in the agent pod beside
    /// Argo's agent, as the executor's service account when one is named (else the workflow's).
    fn executor_plugins(&mut self, spec: Node<'s, 'a>, path: &str) {
        let mut containers = Vec::new();
        for (i, plugin) in mapping_items(Some(spec), "executorPlugins") {
            let Some(container) = plugin
                .get("spec")
                .and_then(|spec| spec.get("sidecar"))
                .and_then(|sidecar| sidecar.get("container"))
                .filter(|container| container.is_mapping())
            else {
                continue;
            };
            let place = format!(
                "sidecar of executor plugin {} of {}",
                quoted_name(plugin.get("metadata").unwrap_or(plugin), i),
                self.owner
            );
            let container_path = format!("{path}.executorPlugins[{i}].spec.sidecar.container");
            containers.push(self.add(ContainerKind::Container, container, container_path, place, None));
        }
        if !containers.is_empty() {
            self.templates.push(TemplatePods {
                pods: "the agent pod".to_owned(),
                service_account: spec
                    .get("executor")
                    .and_then(|executor| service_account(executor, &format!("{path}.executor"))),
                containers,
            });
        }
    }

    /// Adds a container; an image or pull policy it leaves unset or empty is the one of
    /// `defaults` (its counterpart in the template defaults, and that one's path), when set
    /// there. Returns its index.
    fn add(
        &mut self,
        kind: ContainerKind,
        node: Node<'_, '_>,
        path: String,
        place: String,
        defaults: Option<(Node<'_, '_>, String)>,
    ) -> usize {
        let mut container = Container::from_pod_spec(kind, node, path, Some(place));
        if let Some((defaults, defaults_path)) = defaults {
            if unset_or_empty(&container.image) {
                let image = Field::read(defaults, "image");
                if !image.is_unset() {
                    container.image = image;
                    container.note_image(format!("image from {defaults_path}"));
                }
            }
            if unset_or_empty(&container.image_pull_policy) {
                let policy = Field::read(defaults, "imagePullPolicy");
                if !policy.is_unset() {
                    container.image_pull_policy = policy;
                }
            }
        }
        self.workload.containers.push(container);
        self.workload.containers.len() - 1
    }

    /// `templateDefaults.container` or `.script`, and its path.
    fn default_of(&self, key: &str) -> Option<(Node<'s, 'a>, String)> {
        let (defaults, path) = self.defaults.as_ref()?;
        let main = defaults.get(key).filter(|main| main.is_mapping())?;
        Some((main, format!("{path}.{key}")))
    }

    /// The entry named `name` of the template defaults' list `key` (`sidecars`), and its path.
    fn default_named(&self, key: &str, name: &str) -> Option<(Node<'s, 'a>, String)> {
        let (defaults, path) = self.defaults.as_ref()?;
        mapping_items(Some(*defaults), key)
            .find(|(_, container)| container.get("name").and_then(|n| n.as_str()) == Some(name))
            .map(|(i, container)| (container, format!("{path}.{key}[{i}]")))
    }
}

/// The pods of the templates (and the `containers` images of the workflow in all) grouped by
/// service account: a template's own (or the template defaults'), else the workflow's
/// `account`, else `default`. The workflow's account also has the images that no template here
/// pulls (the template defaults' sidecars, in a workflow whose templates all refer elsewhere),
/// and is a group even when the workflow runs no pod of its own: the templates it refers to run
/// as it.
fn pod_groups(containers: usize, templates: Vec<TemplatePods>, account: Option<ServiceAccountField>) -> Vec<PodGroup> {
    let runs_pods = !templates.is_empty();
    let mut groups: Vec<PodGroup> = Vec::new();
    for template in templates {
        let group = group_for(&mut groups, template.service_account.or_else(|| account.clone()));
        group.pods.push(template.pods);
        // The template defaults' init containers and sidecars are in many templates' pods.
        for index in template.containers {
            if !group.containers.contains(&index) {
                group.containers.push(index);
            }
        }
    }
    let orphans: Vec<usize> = (0..containers)
        .filter(|i| groups.iter().all(|g| !g.containers.contains(i)))
        .collect();
    if !runs_pods || !orphans.is_empty() {
        group_for(&mut groups, account).containers.extend(orphans);
    }
    groups
}

/// The group of the pods that run as `written` (or `default`), made when there is none yet, with
/// where the account is written.
fn group_for(groups: &mut Vec<PodGroup>, written: Option<ServiceAccountField>) -> &mut PodGroup {
    let group = PodGroup::of_account(groups, written.as_ref());
    // A placeholder names no account anyone can look up: the group's is unknown, and not judged.
    let is_name = |w: &ServiceAccountField| template::placeholder(&w.name.value).is_none();
    if let Some(written) = written.filter(|w| is_name(w) && group.written_at.iter().all(|at| at.path != w.path)) {
        group.written_at.push(written);
    }
    group
}

/// The inline templates of a template's steps and DAG tasks: where each is under the template
/// (`steps[0][1]`), and what it is called (`the inline template of step "a" of template "main"`).
fn inline_templates<'s, 'a>(template: Node<'s, 'a>, name: &str) -> Vec<(String, Node<'s, 'a>, String)> {
    let steps = template
        .get("steps")
        .into_iter()
        .flat_map(|groups| groups.items())
        .enumerate()
        .flat_map(|(g, group)| {
            group
                .items()
                .enumerate()
                .map(move |(s, step)| (format!("steps[{g}][{s}]"), step, "step"))
        });
    let tasks = mapping_items(template.get("dag"), "tasks").map(|(t, task)| (format!("dag.tasks[{t}]"), task, "task"));
    steps
        .chain(tasks)
        .filter_map(|(at, step, word)| {
            let inline = step.get("inline").filter(|inline| inline.is_mapping())?;
            let step_name = step.get("name").and_then(|n| n.as_str()).unwrap_or_default();
            Some((
                at,
                inline,
                format!("the inline template of {word} \"{step_name}\" of {name}"),
            ))
        })
        .collect()
}

/// The `serviceAccountName` of `parent` (at `path`), when it names one.
fn service_account(parent: Node<'_, '_>, path: &str) -> Option<ServiceAccountField> {
    let Field::String(name) = Field::read(parent, "serviceAccountName") else {
        return None;
    };
    if name.value.is_empty() {
        return None;
    }
    Some(ServiceAccountField {
        name,
        path: format!("{path}.serviceAccountName"),
        file: None,
        pods: Vec::new(),
    })
}

/// Whether a container leaves the field to the template defaults: absent, null or empty, all
/// omitted from the template the controller merges the defaults under.
fn unset_or_empty(field: &Field) -> bool {
    match field {
        Field::String(value) => value.value.is_empty(),
        field => field.is_unset(),
    }
}

/// `template "build"`, or `template 2` for one without a name.
fn template_name(template: Node<'_, '_>, index: usize) -> String {
    format!("template {}", quoted_name(template, index))
}

#[cfg(test)]
mod tests {
    use crate::manifest::tests::extract_text;
    use crate::manifest::{Field, PodPullSecrets, Workload};

    fn workflow(text: &str) -> Workload {
        let mut extracted = extract_text(text);
        assert_eq!(extracted.workloads.len(), 1);
        extracted.workloads.remove(0)
    }

    #[test]
    fn templates_are_grouped_by_the_service_account_they_run_as() {
        let workload = workflow(
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: ci}\nspec:\n  serviceAccountName: builder\n  templates:\n  - name: main\n    steps: [[{name: a, template: a}]]\n  - name: a\n    container: {image: a:1}\n  - name: b\n    serviceAccountName: deployer\n    script: {image: b:1}\n    sidecars: [{name: s, image: s:1}]\n  - name: c\n    serviceAccountName: \"{{workflow.parameters.sa}}\"\n    container: {image: c:1}\n",
        );
        let groups: Vec<_> = workload
            .pods
            .iter()
            .map(|g| {
                let written: Vec<_> = g.written_at.iter().map(|w| w.path.as_str()).collect();
                (
                    g.service_account.as_ref(),
                    written,
                    g.pods.clone(),
                    g.containers.clone(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                (
                    "builder",
                    vec!["spec.serviceAccountName"],
                    vec!["pods of template \"a\"".to_owned()],
                    vec![0]
                ),
                (
                    "deployer",
                    vec!["spec.templates[2].serviceAccountName"],
                    vec!["pods of template \"b\"".to_owned()],
                    vec![1, 2]
                ),
                // An account given by a parameter is not known.
                (
                    "{{workflow.parameters.sa}}",
                    vec![],
                    vec!["pods of template \"c\"".to_owned()],
                    vec![3]
                ),
            ]
        );
        assert!(matches!(workload.pod_pull_secrets, PodPullSecrets::Own));
        assert_eq!(
            workload.containers[2].place(),
            Some("sidecar \"s\" of template \"b\" of workflow \"ci\"")
        );
    }

    #[test]
    fn template_defaults_fill_in_what_a_template_leaves_unset() {
        let workload = workflow(
            "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: t}\nspec:\n  templateDefaults:\n    serviceAccountName: runner\n    container: {image: busybox:1.36, imagePullPolicy: Always}\n    sidecars: [{name: proxy, image: envoy:1}]\n  templates:\n  - name: a\n    container: {image: \"\"}\n  - name: b\n    container: {image: alpine:3, imagePullPolicy: Never}\n    sidecars: [{name: proxy}]\n  - name: c\n    script: {source: x}\n",
        );
        let images: Vec<_> = workload
            .containers
            .iter()
            .map(|c| {
                (
                    c.path.as_str(),
                    c.image.as_scalar().map(|i| i.value.as_str()),
                    c.image_note(),
                )
            })
            .collect();
        assert_eq!(
            images,
            [
                ("spec.templateDefaults.sidecars[0]", Some("envoy:1"), None),
                (
                    "spec.templates[0].container",
                    Some("busybox:1.36"),
                    Some("image from spec.templateDefaults.container")
                ),
                ("spec.templates[1].container", Some("alpine:3"), None),
                (
                    "spec.templates[1].sidecars[0]",
                    Some("envoy:1"),
                    Some("image from spec.templateDefaults.sidecars[0]")
                ),
                ("spec.templates[2].script", None, None),
            ]
        );
        assert!(matches!(workload.containers[1].image_pull_policy, Field::String(ref p) if p.value == "Always"));
        assert!(matches!(workload.containers[2].image_pull_policy, Field::String(ref p) if p.value == "Never"));
        // A workflow template's pods get the pull secrets of the Workflow that runs it too.
        assert!(matches!(workload.pod_pull_secrets, PodPullSecrets::Unknown));
        let [group] = workload.pods.as_slice() else {
            panic!("{:?}", workload.pods)
        };
        assert_eq!(group.service_account, "runner");
        // The defaults' sidecar is in the pods of "a" and "c"; "b" has its own "proxy".
        assert_eq!(group.containers, [1, 0, 2, 3, 4]);
    }

    #[test]
    fn aliased_inline_templates_are_read_once() {
        let mut text = String::from(
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  templates:\n  - &t0 {name: a, container: {image: a:1}}\n",
        );
        for i in 1..8 {
            let steps = vec![format!("{{name: s, inline: *t{}}}", i - 1); 10].join(", ");
            text.push_str(&format!("  - &t{i} {{name: t{i}, steps: [[{steps}]]}}\n"));
        }
        let workload = workflow(&text);
        assert_eq!(workload.containers.len(), 1);
    }

    #[test]
    fn a_workflow_that_runs_no_pod_of_its_own_keeps_its_service_account() {
        let workload = workflow(
            "apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: nightly}\nspec:\n  workflowSpec:\n    serviceAccountName: runner\n    workflowTemplateRef: {name: release}\n    imagePullSecrets: [{name: regcred}]\n",
        );
        assert!(workload.containers.is_empty());
        assert_eq!(workload.pods[0].service_account, "runner");
        assert_eq!(
            workload.pods[0].written_at[0].path,
            "spec.workflowSpec.serviceAccountName"
        );
        assert_eq!(
            workload.image_pull_secrets[0].path,
            "spec.workflowSpec.imagePullSecrets[0]"
        );
        assert!(matches!(workload.pod_pull_secrets, PodPullSecrets::Unknown));
    }
}
