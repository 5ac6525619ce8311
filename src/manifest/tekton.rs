//! Tekton Pipelines' resources (`tekton.dev`): `Task`, `ClusterTask`, `Pipeline`, `TaskRun`,
//! `PipelineRun` (v1 and v1beta1) and `StepAction` (v1alpha1 and v1beta1), reduced to the images
//! their pods pull.
//!
//! Tekton runs a task as one pod: each step is a container, run one after the other, and each
//! sidecar a container beside them. An object becomes ONE [`Workload`] whose containers are the
//! steps and sidecars of every task spec it holds, each named in Tekton's words: `step "build" of
//! task "git-clone"`, `sidecar "docker" of task "kaniko"`, `step "x" of task "y" of pipeline "z"`.
//! Where they are written (`pkg/apis/pipeline/v1/task_types.go`, `pipeline_types.go`,
//! `taskrun_types.go`, `pipelinerun_types.go`, `container_types.go` in tektoncd/pipeline):
//! - a task spec (`spec` of a Task or ClusterTask; `spec.taskSpec` of a TaskRun;
//!   `tasks[].taskSpec` and `finally[].taskSpec` of a Pipeline's spec, of a PipelineRun's
//!   `spec.pipelineSpec`, or of a child pipeline's `tasks[].pipelineSpec`, an alpha feature) holds
//!   `steps[]`, `sidecars[]` and `stepTemplate` (`docs/tasks.md`);
//! - a step that references a StepAction (`ref`) runs the StepAction's image, which is read
//!   where the StepAction is written (`spec.image`, required by `StepActionSpec.Validate`; a
//!   StepAction has no pull policy, `v1beta1/stepaction_types.go`); a pipeline
//!   task with `taskRef` runs another object's steps: neither has an image of its own here.
//!
//! What the controller does before the kubelet pulls:
//! - **Step template.** `stepTemplate` is merged into every step, the step's own fields winning
//!   (`MergeStepsWithStepTemplate`, `pkg/apis/pipeline/v1/merge.go`): a step without an image (or
//!   a pull policy) takes the template's, and validation requires an image only after that merge
//!   (`TaskSpec.Validate`, `task_validation.go`). Sidecars take nothing from it. The steps that
//!   take both their image and pull policy from the template pull one image, read once where it
//!   is written (`spec.stepTemplate`), named after those steps.
//! - **Pull secrets and service account** come from the run, not the task
//!   (`pkg/pod/pod.go`, `Builder.Build`): the pod gets the TaskRun's
//!   `spec.podTemplate.imagePullSecrets` and runs as its `spec.serviceAccountName`. A PipelineRun
//!   gives every TaskRun it creates `spec.taskRunTemplate.podTemplate` and
//!   `spec.taskRunTemplate.serviceAccountName` (v1; `spec.podTemplate` and
//!   `spec.serviceAccountName` in v1beta1), unless a `taskRunSpecs[]` entry for the pipeline task
//!   sets its own (`serviceAccountName`, `podTemplate`; v1beta1 `taskServiceAccountName`,
//!   `taskPodTemplate`), whose pull secrets win when it lists any (`GetTaskRunSpec`,
//!   `MergePodTemplateWithDefault`, `pkg/apis/pipeline/pod/template.go`; `docs/podtemplates.md`).
//!   An empty `serviceAccountName` is not set. The pods are made in the run's namespace. So a
//!   run's pods are grouped by service account, one group per account its
//!   pipeline tasks run as (the accounts written for tasks whose spec is not here, a
//!   `pipelineRef`'s or a `taskRef`'s, are groups without images, for `unknown-service-account`);
//!   a PipelineRun whose `taskRunSpecs` give a task pull secrets of its own has pods with
//!   different pull secrets, which one workload cannot hold: its pull secrets are taken as
//!   unknown.
//! - **A Task, ClusterTask, Pipeline or StepAction runs nowhere by itself**: whatever run uses
//!   it decides its pods' pull secrets and account, so they are unknown
//!   ([`PodPullSecrets::Unknown`]) and the pull-secret rules stay silent. Runs are not joined to the tasks they reference: most
//!   runs are made at run time (Tekton Triggers, `tkn`, CI), one task is run by many runs with
//!   different pull secrets, and a workload holds one set; the two public repositories measured
//!   hold 9 TaskRuns that reference a Task beside them, of 106 Tasks.
//! - **Defaults the cluster may add.** Tekton's `config-defaults` ConfigMap may name a
//!   `default-service-account` (else `default`) and a `default-pod-template` whose pull secrets a
//!   run without any gets (`TaskRunSpec.SetDefaults`, `pkg/apis/pipeline/v1/taskrun_defaults.go`).
//!   That configuration is
//!   not in the manifests: a run's pods are taken to run as `default` with no pull secrets of their
//!   own, as Tekton's defaults say.
//! - **Digests.** For a step with neither `command` nor `script`, the controller looks the image
//!   up in its registry, with the pod's pull secrets and service account, to find its entrypoint,
//!   and replaces the tag with the digest it found (`resolveEntrypoints`,
//!   `pkg/pod/entrypoint_lookup.go`): such a step runs the image its tag names when the run
//!   starts, whatever a node holds. This is not modelled: an explicit `IfNotPresent` with a
//!   `latest` tag on such a step is still reported.
//! - **Parameters.** `$(params.name)` in an image is replaced when the task runs; such an image is
//!   `unrendered-template`'s, as any placeholder (`src/template.rs` reads Tekton's references).
//! - The images Tekton adds to every pod (its entrypoint, the shell that writes scripts) come from
//!   the controller's configuration, not from these objects, and are not checked.

use std::borrow::Cow;

use super::readers::Object;
use super::{
    Container, ContainerKind, Extracted, Field, Malformed, PodGroup, PodPullSecrets, PullSecretsOwner, Reader,
    ServiceAccountField, Workload, image_pull_secrets, mapping_items, object_label, prefixed, shape_span,
};
use crate::yaml::Node;

/// Reads a Tekton object of a kind and version whose layout is known.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    if object.group() != "tekton.dev" {
        return false;
    }
    let version = object.api_version.rsplit_once('/').map_or("", |(_, version)| version);
    let owner = |kind_word| object_label(kind_word, object.node);
    let workload = match (object.kind, version) {
        ("Task", "v1" | "v1beta1") => unrun(reader, object, |workload, spec, path| {
            task_spec(workload, spec, path, &owner("task"));
        }),
        ("ClusterTask", "v1beta1") => unrun(reader, object, |workload, spec, path| {
            task_spec(workload, spec, path, &owner("clustertask"));
        }),
        ("Pipeline", "v1" | "v1beta1") => unrun(reader, object, |workload, spec, path| {
            pipeline_spec(workload, spec, path, &owner("pipeline"), 0);
        }),
        ("StepAction", "v1alpha1" | "v1beta1") => unrun(reader, object, |workload, spec, path| {
            workload
                .containers
                .push(step_action_image(object.node, spec, path, owner("stepaction")));
        }),
        ("TaskRun", "v1" | "v1beta1") => task_run(reader, object),
        ("PipelineRun", "v1") => pipeline_run(reader, object, &V1_RUN),
        ("PipelineRun", "v1beta1") => pipeline_run(reader, object, &V1BETA1_RUN),
        _ => return false,
    };
    out.workloads.push(workload);
    true
}

/// An object that runs nothing by itself (a Task, ClusterTask, Pipeline or StepAction): what
/// `read_spec` reads from its `spec`, with unknown pull secrets, as the run that uses it decides
/// them.
fn unrun(
    reader: &Reader<'_>,
    object: Object<'_, '_, '_>,
    read_spec: impl FnOnce(&mut Workload, Node<'_, '_>, &str),
) -> Workload {
    let mut workload = reader.workload(
        object.node,
        object.api_version,
        object.kind,
        prefixed(object.prefix, "spec"),
    );
    workload.pod_pull_secrets = PodPullSecrets::Unknown;
    if let Some(spec) = object.node.get("spec") {
        let path = workload.pod_spec_path.to_string();
        read_spec(&mut workload, spec, &path);
    }
    workload.pods = vec![PodGroup::of_every_container(workload.containers.len(), None)];
    workload
}

/// The one image of a StepAction (`spec`, at `path`), which every step that references it runs.
fn step_action_image(object: Node<'_, '_>, spec: Node<'_, '_>, path: &str, owner: String) -> Container {
    let mut container = Container::from_pod_spec(
        ContainerKind::Container,
        spec,
        path.to_owned(),
        Some(format!("image of {owner}")),
    );
    container.name = None;
    // A StepAction has no pull policy: a field of that name is not Tekton's.
    container.image_pull_policy = Field::Absent;
    // Point at `spec:` rather than at the whole mapping when the image is missing.
    container.span = object.key("spec").map_or(spec.span(), |key| key.span());
    container
}

/// A TaskRun: its embedded task spec, run with its pod template's pull secrets and its account.
fn task_run(reader: &Reader<'_>, object: Object<'_, '_, '_>) -> Workload {
    let owner = object_label("taskrun", object.node);
    let mut workload = reader.workload(
        object.node,
        object.api_version,
        object.kind,
        prefixed(object.prefix, "spec.podTemplate"),
    );
    let spec_path = format!("{}spec", object.prefix);
    let spec = object.node.get("spec");
    if let Some(spec) = spec {
        if let Some(template) = spec.get("podTemplate") {
            workload.image_pull_secrets =
                image_pull_secrets(template, &format!("{spec_path}.podTemplate.imagePullSecrets"));
        }
        if let Some(task_spec_node) = spec.get("taskSpec") {
            task_spec(&mut workload, task_spec_node, &format!("{spec_path}.taskSpec"), &owner);
        }
    }
    let account = spec.and_then(|spec| service_account(spec, "serviceAccountName", &spec_path));
    workload.pull_secrets_listed_by = PullSecretsOwner::Object(owner);
    workload.pods = vec![PodGroup::of_every_container(workload.containers.len(), account)];
    workload
}

/// Where a PipelineRun's version writes what it gives the TaskRuns it creates.
struct RunLayout {
    /// The run-wide pod template and service account, under `spec`.
    pod_template: &'static str,
    service_account: &'static str,
    /// The same for one pipeline task, in a `taskRunSpecs` entry.
    task_pod_template: &'static str,
    task_service_account: &'static str,
}

const V1_RUN: RunLayout = RunLayout {
    pod_template: "taskRunTemplate.podTemplate",
    service_account: "taskRunTemplate.serviceAccountName",
    task_pod_template: "podTemplate",
    task_service_account: "serviceAccountName",
};

const V1BETA1_RUN: RunLayout = RunLayout {
    pod_template: "podTemplate",
    service_account: "serviceAccountName",
    task_pod_template: "taskPodTemplate",
    task_service_account: "taskServiceAccountName",
};

/// A PipelineRun: the task specs of its embedded pipeline spec, each pipeline task's pods run
/// with the run's pull secrets and the account the run gives that task.
fn pipeline_run(reader: &Reader<'_>, object: Object<'_, '_, '_>, layout: &RunLayout) -> Workload {
    let owner = object_label("pipelinerun", object.node);
    let spec_path = format!("{}spec", object.prefix);
    let mut workload = reader.workload(
        object.node,
        object.api_version,
        object.kind,
        Cow::Owned(format!("{spec_path}.{}", layout.pod_template)),
    );
    workload.pull_secrets_listed_by = PullSecretsOwner::Object(owner.clone());
    let Some(spec) = object.node.get("spec") else {
        workload.pods = vec![PodGroup::of_every_container(workload.containers.len(), None)];
        return workload;
    };
    if let Some(template) = at_path(spec, layout.pod_template) {
        let path = format!("{}.imagePullSecrets", workload.pod_spec_path);
        workload.image_pull_secrets = image_pull_secrets(template, &path);
    }
    let run_account = service_account(spec, layout.service_account, &spec_path);
    let task_run_specs: Vec<(usize, Node<'_, '_>)> = mapping_items(Some(spec), "taskRunSpecs").collect();
    // A task with pull secrets of its own runs pods this workload cannot describe.
    if task_run_specs.iter().any(|(_, entry)| {
        entry
            .get(layout.task_pod_template)
            .is_some_and(|template| template.get("imagePullSecrets").is_some())
    }) {
        workload.pod_pull_secrets = PodPullSecrets::Unknown;
    }
    let tasks = match spec.get("pipelineSpec") {
        Some(pipeline) => pipeline_spec(&mut workload, pipeline, &format!("{spec_path}.pipelineSpec"), &owner, 0),
        None => Vec::new(),
    };
    let task_accounts = task_accounts(&task_run_specs, layout.task_service_account, &spec_path);
    workload.pods = group_by_service_account(run_scopes(tasks, &task_accounts, run_account, &owner));
    workload
}

/// The account each `taskRunSpecs` entry gives its pipeline task (`key` is the version's name for
/// it), with the task's name.
fn task_accounts<'s>(
    task_run_specs: &[(usize, Node<'s, '_>)],
    key: &str,
    spec_path: &str,
) -> Vec<(&'s str, ServiceAccountField)> {
    task_run_specs
        .iter()
        .filter_map(|(i, entry)| {
            let name = entry.get("pipelineTaskName").and_then(|n| n.as_str())?;
            let path = format!("{spec_path}.taskRunSpecs[{i}]");
            Some((name, service_account(*entry, key, &path)?))
        })
        .collect()
}

/// The pods of a PipelineRun, by the account they run as: each embedded pipeline task's, as its
/// `taskRunSpecs` entry or the run says; and, with no image to pull here, the accounts written
/// for the tasks it holds no spec of (`pipelineRef`, `taskRef`), so that they are checked too.
fn run_scopes(
    tasks: Vec<PipelineTask>,
    task_accounts: &[(&str, ServiceAccountField)],
    run_account: Option<ServiceAccountField>,
    owner: &str,
) -> Vec<Scope> {
    let account_of = |task: &str| {
        task_accounts
            .iter()
            .find(|(name, _)| *name == task)
            .map(|(_, account)| account.clone())
            .or_else(|| run_account.clone())
    };
    let by_reference: Vec<Scope> = task_accounts
        .iter()
        .filter(|(name, _)| !tasks.iter().any(|task| task.name == *name))
        .map(|(name, account)| Scope {
            pods: format!("pods of task \"{name}\""),
            account: Some(account.clone()),
            containers: Vec::new(),
        })
        .collect();
    let mut scopes: Vec<Scope> = tasks
        .into_iter()
        .map(|task| Scope {
            account: account_of(&task.name),
            pods: format!("pods of {}", task.label),
            containers: task.containers,
        })
        .collect();
    scopes.extend(by_reference);
    let run_path = run_account.as_ref().map(|account| &account.path);
    let run_account_used = scopes
        .iter()
        .any(|scope| scope.account.as_ref().map(|account| &account.path) == run_path);
    if scopes.is_empty() || (run_account.is_some() && !run_account_used) {
        scopes.push(Scope {
            pods: format!("pods of {owner}"),
            account: run_account,
            containers: Vec::new(),
        });
    }
    scopes
}

/// A task of a pipeline whose spec is embedded.
struct PipelineTask {
    name: String,
    /// How places name it: `task "build"`, `finally task "notify"`.
    label: String,
    /// The containers of its pods.
    containers: Vec<usize>,
}

/// How deep pipelines may be embedded in pipelines (`tasks[].pipelineSpec`, an alpha feature);
/// real ones nest once, and the bound keeps a self-referencing alias from recursing forever.
const MAX_PIPELINE_NESTING: usize = 4;

/// The tasks of a pipeline spec (`tasks`, then `finally`) with embedded task specs (or embedded
/// pipelines), read into `workload`.
fn pipeline_spec(
    workload: &mut Workload,
    spec: Node<'_, '_>,
    path: &str,
    owner: &str,
    nesting: usize,
) -> Vec<PipelineTask> {
    let mut tasks = Vec::new();
    for (key, word) in [("tasks", "task"), ("finally", "finally task")] {
        for (i, task) in mapping_items(Some(spec), key) {
            let name = task.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_owned();
            let task_path = format!("{path}.{key}[{i}]");
            let containers = if let Some(task_spec_node) = task.get("taskSpec") {
                let owner = format!("{word} {} of {owner}", quoted(&name, i));
                task_spec(workload, task_spec_node, &format!("{task_path}.taskSpec"), &owner)
            } else if let Some(child) = task.get("pipelineSpec").filter(|_| nesting < MAX_PIPELINE_NESTING) {
                let owner = format!("child pipeline {} of {owner}", quoted(&name, i));
                let child_path = format!("{task_path}.pipelineSpec");
                let child_tasks = pipeline_spec(workload, child, &child_path, &owner, nesting + 1);
                child_tasks.into_iter().flat_map(|task| task.containers).collect()
            } else {
                continue;
            };
            let label = format!("{word} {}", quoted(&name, i));
            tasks.push(PipelineTask {
                name,
                label,
                containers,
            });
        }
    }
    tasks
}

/// Reads the steps and sidecars of the task spec at `path` into `workload`; `owner` names the
/// task in places (`task "git-clone"`). Returns the indices of the containers it added.
fn task_spec(workload: &mut Workload, spec: Node<'_, '_>, path: &str, owner: &str) -> Vec<usize> {
    let first = workload.containers.len();
    if !spec.is_mapping() {
        return Vec::new();
    }
    steps(workload, spec, path, owner);
    // Sidecars take nothing from the step template.
    for (i, sidecar) in containers(spec, "sidecars", path, &mut workload.malformed) {
        let name = sidecar.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        let place = format!("sidecar {} of {owner}", quoted(name, i));
        workload
            .containers
            .push(step_or_sidecar(sidecar, format!("{path}.sidecars[{i}]"), place));
    }
    (first..workload.containers.len()).collect()
}

/// Reads the steps of a task spec, each merged with the step template as Tekton merges them: a
/// step takes the template's image and pull policy when it sets none. The steps that take both
/// pull one image, read once where it is written, at `stepTemplate`.
fn steps(workload: &mut Workload, spec: Node<'_, '_>, path: &str, owner: &str) {
    let template = spec.get("stepTemplate").filter(|t| t.is_mapping());
    let template_image = template.map_or(Field::Absent, |t| Field::read(t, "image"));
    let template_policy = template.map_or(Field::Absent, |t| Field::read(t, "imagePullPolicy"));
    let mut from_template = Vec::new();
    for (i, step) in containers(spec, "steps", path, &mut workload.malformed) {
        // A StepAction's image is read where the StepAction is written.
        if step.get("ref").is_some() {
            continue;
        }
        let name = step.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        let place = format!("step {} of {owner}", quoted(name, i));
        let mut container = step_or_sidecar(step, format!("{path}.steps[{i}]"), place);
        let takes_image = !is_set(&container.image) && is_set(&template_image);
        let takes_policy = !is_set(&container.image_pull_policy);
        if takes_image && takes_policy {
            from_template.push(quoted(name, i));
            continue;
        }
        if takes_image {
            container.image = template_image.clone();
            container.note_image(format!("image from {path}.stepTemplate"));
        }
        if takes_policy && is_set(&template_policy) {
            container.image_pull_policy = template_policy.clone();
        }
        workload.containers.push(container);
    }
    let (Some(template), false) = (template, from_template.is_empty()) else {
        return;
    };
    let steps = match from_template.as_slice() {
        [one] => format!("step {one}"),
        many => format!("steps {}", many.join(", ")),
    };
    let mut container = Container::from_pod_spec(
        ContainerKind::Container,
        template,
        format!("{path}.stepTemplate"),
        Some(format!("{steps} of {owner}")),
    );
    container.name = None;
    container.note_image(format!("image from {path}.stepTemplate"));
    workload.containers.push(container);
}

/// The container of a step or sidecar at `path`, named in places as `place`.
fn step_or_sidecar(entry: Node<'_, '_>, path: String, place: String) -> Container {
    let mut container = Container::from_pod_spec(ContainerKind::Container, entry, path, Some(place));
    // A finding about what the entry lacks points at its name: the whole mapping would underline
    // many lines.
    if let Some(name) = &container.name {
        container.span = name.span;
    }
    container
}

/// Whether a step sets a field itself: Tekton drops an empty string before merging the template.
fn is_set(field: &Field) -> bool {
    match field {
        Field::Absent | Field::Null { .. } => false,
        Field::String(value) => !value.value.is_empty(),
        Field::NotString { .. } => true,
    }
}

/// The containers written in the list at `parent.key` (`steps`, `sidecars`), with their
/// positions; a list or an entry of the wrong shape is recorded for `invalid-pod-spec` (`path` is
/// `parent`'s).
fn containers<'s, 'a>(
    parent: Node<'s, 'a>,
    key: &str,
    path: &str,
    malformed: &mut Vec<Malformed>,
) -> Vec<(usize, Node<'s, 'a>)> {
    let Some(list) = parent.get(key).filter(|list| !list.is_null()) else {
        return Vec::new();
    };
    if !list.is_sequence() {
        malformed.push(Malformed {
            span: shape_span(list, parent.key(key)),
            field: format!("{path}.{key}"),
            expected: "a list",
            found: list.type_name(),
        });
        return Vec::new();
    }
    for (i, entry) in list.items().enumerate().filter(|(_, entry)| !entry.is_mapping()) {
        malformed.push(Malformed {
            span: entry.span(),
            field: format!("{path}.{key}[{i}]"),
            expected: "an object",
            found: entry.type_name(),
        });
    }
    mapping_items(Some(parent), key).collect()
}

/// The pods that run as one service account, and the images they pull.
struct Scope {
    /// `pods of task "build"`.
    pods: String,
    /// Where the account is written; `None` for Tekton's default.
    account: Option<ServiceAccountField>,
    containers: Vec<usize>,
}

/// Merges the scopes that run as the same account into one group of pods each.
fn group_by_service_account(scopes: Vec<Scope>) -> Vec<PodGroup> {
    let mut groups: Vec<PodGroup> = Vec::new();
    for scope in scopes {
        let group = PodGroup::of_account(&mut groups, scope.account.as_ref());
        group.containers.extend(scope.containers);
        group.pods.push(scope.pods);
        if let Some(account) = scope.account
            && !group.written_at.iter().any(|at| at.path == account.path)
        {
            group.written_at.push(account);
        }
    }
    groups
}

/// The service account named at `keys` (dot-separated) below `node`, whose path is `path`; an
/// empty name is Tekton's default.
fn service_account(node: Node<'_, '_>, keys: &str, path: &str) -> Option<ServiceAccountField> {
    let (parent, key) = match keys.rsplit_once('.') {
        Some((parent, key)) => (at_path(node, parent)?, key),
        None => (node, keys),
    };
    let field = Field::read(parent, key);
    let name = field.as_scalar().filter(|name| !name.value.is_empty())?;
    Some(ServiceAccountField {
        name: name.clone(),
        path: format!("{path}.{keys}"),
        file: None,
        pods: Vec::new(),
    })
}

/// The node at a dot-separated `path` below `node`.
fn at_path<'s, 'a>(node: Node<'s, 'a>, path: &str) -> Option<Node<'s, 'a>> {
    path.split('.').try_fold(node, |node, key| node.get(key))
}

/// `"build"`, or the position of an entry without a name (`2`).
fn quoted(name: &str, index: usize) -> String {
    if name.is_empty() {
        format!("{}", index + 1)
    } else {
        format!("\"{name}\"")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::source::SourceFile;
    use crate::yaml;

    fn workloads(text: &str) -> Vec<Workload> {
        let file = Arc::new(SourceFile::new("t.yaml", text));
        let stream = yaml::load(file.text());
        super::super::extract(stream.documents(), &file, "default").workloads
    }

    fn places(workload: &Workload) -> Vec<(&str, String)> {
        workload
            .containers
            .iter()
            .map(|c| (c.display_name(), c.field_path("image")))
            .collect()
    }

    #[test]
    fn steps_that_take_everything_from_the_template_pull_one_image() {
        let [task] = workloads(
            "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: ci}\nspec:\n  stepTemplate: {image: 'golang:1.22'}\n  steps:\n  - {name: build, script: make}\n  - {name: vet, imagePullPolicy: Always}\n  - {name: fmt, image: 'golang:1.21'}\n  - {name: lint, ref: {name: golangci}}\n  - {script: make test}\n  sidecars:\n  - {name: db, image: 'postgres:16'}\n",
        )
        .try_into()
        .unwrap();
        assert_eq!(
            places(&task),
            [
                ("step \"vet\" of task \"ci\"", "spec.steps[1].image".to_owned()),
                ("step \"fmt\" of task \"ci\"", "spec.steps[2].image".to_owned()),
                (
                    "steps \"build\", 5 of task \"ci\"",
                    "spec.stepTemplate.image".to_owned()
                ),
                ("sidecar \"db\" of task \"ci\"", "spec.sidecars[0].image".to_owned()),
            ]
        );
        // The step with a policy of its own takes the template's image.
        assert_eq!(task.containers[0].image.as_scalar().unwrap().value, "golang:1.22");
        assert!(matches!(task.pod_pull_secrets, PodPullSecrets::Unknown));
    }

    #[test]
    fn pipeline_run_pods_are_grouped_by_the_account_each_task_runs_as() {
        let [run] = workloads(
            "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: r, namespace: ci}\nspec:\n  taskRunTemplate:\n    serviceAccountName: builder\n    podTemplate: {imagePullSecrets: [{name: regcred}]}\n  taskRunSpecs:\n  - {pipelineTaskName: deploy, serviceAccountName: deployer}\n  pipelineSpec:\n    tasks:\n    - {name: build, taskSpec: {steps: [{name: a, image: x}]}}\n    - {name: deploy, taskSpec: {steps: [{name: b, image: y}]}}\n    - {name: test, taskSpec: {steps: [{name: c, image: z}]}}\n",
        )
        .try_into()
        .unwrap();
        assert_eq!(
            run.image_pull_secrets[0].path,
            "spec.taskRunTemplate.podTemplate.imagePullSecrets[0]"
        );
        assert!(matches!(run.pod_pull_secrets, PodPullSecrets::Own));
        let groups: Vec<_> = run
            .pods
            .iter()
            .map(|g| {
                (
                    g.service_account.as_ref(),
                    g.containers.clone(),
                    g.written_at[0].path.as_str(),
                )
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("builder", vec![0, 2], "spec.taskRunTemplate.serviceAccountName"),
                ("deployer", vec![1], "spec.taskRunSpecs[0].serviceAccountName"),
            ]
        );
        assert_eq!(run.pods[0].pods, ["pods of task \"build\"", "pods of task \"test\""]);
    }

    #[test]
    fn task_runs_read_their_pod_template_and_account() {
        let [run] = workloads(
            "apiVersion: tekton.dev/v1beta1\nkind: TaskRun\nmetadata: {generateName: build-}\nspec:\n  serviceAccountName: ''\n  podTemplate: {imagePullSecrets: [{name: regcred}]}\n  taskSpec: {steps: [{name: a, image: x}]}\n",
        )
        .try_into()
        .unwrap();
        assert_eq!(run.containers[0].display_name(), "step \"a\" of taskrun \"build-…\"");
        assert_eq!(
            run.pull_secrets_owner(),
            PullSecretsOwner::Object("taskrun \"build-…\"".to_owned())
        );
        // An empty account is Tekton's default.
        assert_eq!(run.pods[0].service_account, "default");
        assert!(run.pods[0].written_at.is_empty());
    }

    #[test]
    fn only_known_versions_of_tekton_kinds_are_read() {
        let text = "apiVersion: tekton.dev/v1alpha1\nkind: Task\nspec: {steps: [{image: x}]}\n---\napiVersion: tekton.dev/v1\nkind: ClusterTask\nspec: {steps: [{image: x}]}\n---\napiVersion: example.com/v1\nkind: Task\nspec: {steps: [{image: x}]}\n";
        assert!(workloads(text).is_empty());
    }
}
