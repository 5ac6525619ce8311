//! The one table of object readers: which code reads which kind of object.
//!
//! [`Reader::object`](super::Reader) hands every Kubernetes object (a mapping with a string
//! `apiVersion` and `kind`, an item of a `List` or an object of an OpenShift `Template` included)
//! to the readers of [`READERS`] in order;
//! the first that knows the kind reads it into the file's [`Extracted`]: workloads (the images
//! its pods pull, with their pull secrets and service accounts), inventory facts, the images a
//! build tool sets at deploy time. A reader may also have a step that runs once every file of a
//! project is read ([`ObjectReader::after_every_file`]), to join objects that refer to each other.
//! An object that no reader knows, and that names an image, is counted as an unread kind.
//!
//! Adding a kind is its own file in `src/manifest/`, one line here, and its fixtures under
//! `testdata/`.

use super::{
    Extracted, Reader, Workload, argo_rollouts, argo_workflows, coherence, deploy_time, facts, keda, knative,
    kustomize, openshift, pod_template, tekton, weblogic,
};
use crate::yaml::Node;

/// An object to read: a mapping with a string `apiVersion` and `kind`.
#[derive(Clone, Copy)]
pub(crate) struct Object<'o, 's, 'a> {
    pub node: Node<'s, 'a>,
    pub api_version: &'o str,
    pub kind: &'o str,
    /// Where the object is in its document, before the paths of its fields: `items[0].` for an
    /// item of a `List`, `objects[0].` for an object of an OpenShift `Template`, empty for a
    /// document of its own.
    pub prefix: &'o str,
}

impl Object<'_, '_, '_> {
    /// The object's API group: `apps` for `apps/v1`, empty for the core `v1`.
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(group, _)| group)
    }

    /// `metadata.namespace`, as written.
    pub fn namespace(&self) -> Option<&str> {
        self.node.get("metadata")?.get("namespace")?.as_str()
    }
}

/// The code that reads some kinds of object.
pub(crate) struct ObjectReader {
    /// Reads `object` into `out` when it is of a kind this reader knows; says whether it was.
    pub read: fn(&Reader<'_>, Object<'_, '_, '_>, &mut Extracted) -> bool,
    /// Runs once every file of a project is read, over all of its workloads.
    pub after_every_file: Option<fn(&mut [&mut Workload])>,
}

impl ObjectReader {
    /// A reader with nothing to do after every file is read.
    const fn new(read: fn(&Reader<'_>, Object<'_, '_, '_>, &mut Extracted) -> bool) -> ObjectReader {
        ObjectReader {
            read,
            after_every_file: None,
        }
    }

    /// The reader, with `step` to run once every file is read.
    const fn then(self, step: fn(&mut [&mut Workload])) -> ObjectReader {
        ObjectReader {
            after_every_file: Some(step),
            ..self
        }
    }
}

/// Every reader, in the order they are asked: the first that knows an object's kind reads it.
#[rustfmt::skip]
pub(crate) const READERS: &[ObjectReader] = &[
    ObjectReader::new(facts::read),                  // Secrets and ServiceAccounts: inventory facts
    ObjectReader::new(deploy_time::read_skaffold),   // Skaffold configs: images built at deploy time
    ObjectReader::new(weblogic::read)                // the WebLogic operator's Domain and Cluster
        .then(weblogic::join_weblogic_resources),
    ObjectReader::new(kustomize::read_object),       // kustomize's and Flux's kustomizations
    ObjectReader::new(pod_template::read),           // Kubernetes' own pod kinds
    ObjectReader::new(coherence::read),              // the Coherence operator's Coherence and CoherenceJob
    ObjectReader::new(keda::read),                   // KEDA's ScaledJob (and its kinds that run no pods)
    ObjectReader::new(tekton::read),                 // Tekton's tasks, pipelines, runs and step actions
    ObjectReader::new(knative::read),                // Knative Serving's Service, Configuration, Revision
    ObjectReader::new(openshift::read),              // OpenShift's DeploymentConfig
    ObjectReader::new(argo_rollouts::read),          // Argo Rollouts: Rollout, analyses, Experiment
    ObjectReader::new(argo_workflows::read),         // Argo Workflows: workflows and their templates
];

/// Runs every reader's step for after every file is read.
pub(crate) fn after_every_file(workloads: &mut [&mut Workload]) {
    for step in READERS.iter().filter_map(|reader| reader.after_every_file) {
        step(workloads);
    }
}
