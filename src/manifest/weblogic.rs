//! WebLogic Kubernetes Operator resources: a `Domain` (weblogic.oracle/v8 and v9, and v2–v7 read
//! with the v8 layout) and a `Cluster` (weblogic.oracle/v1, which v9 Domains reference), reduced to
//! the images the operator will pull, with their pull secrets and service accounts.
//!
//! The operator turns one Domain into several kinds of pod: an introspector job pod, the admin
//! server pod, and managed server pods, per cluster and per server. A Domain becomes ONE
//! [`Workload`] whose containers are every image the operator pulls for it, each once, wherever
//! it is written: `spec.image` (the server image), auxiliary images, domain creation images, the
//! monitoring exporter, fluentd and fluent-bit sidecars, and the `containers` and
//! `initContainers` of every `serverPod` scope. The image, pull-policy and pull-secret rules then
//! apply unchanged. Every pod gets the Domain's `spec.imagePullSecrets`.
//!
//! Service accounts are per pod: `serverPod.serviceAccountName` of the most specific scope that
//! sets one (managed server, then cluster, then admin server, then `spec.serverPod`). So the
//! Workload's pods are [`PodGroup`]s, one per service account, each listing the pods that run as
//! it and the images they pull; `missing-pull-secret` and `pull-secret-registry-mismatch` judge
//! each group, and `unknown-service-account` each place an account is written. One Workload per
//! pod scope would have reported a shared image (`spec.image`) once per scope.
//!
//! A v9 Domain lists Cluster resources by name. A Cluster is its own Workload (its `serverPod`
//! containers) whose pods get the Domain's pull secrets, and the Domain's service account unless
//! the Cluster names one; [`join_weblogic_resources`] joins them once every file is read.
//!
//! What the operator does, and where each fact comes from (oracle/weblogic-kubernetes-operator):
//! - Field layout per version: `documentation/domains/Domain.md` and `Cluster.md` (v9, operator
//!   4.x), `kubernetes/crd/domain-crdv8.yaml` and the 3.x `Domain.md` (v8), the 2.x `Domain.md`
//!   (v2: `serverPod.containers` and `initContainers`, no auxiliary images or sidecars), and
//!   `kubernetes/crd/cluster-crd.yaml` (Cluster, served only as `weblogic.oracle/v1`).
//! - `spec.image` "is required when domainHomeSourceType is Image or FromModel; otherwise,
//!   defaults to" `container-registry.oracle.com/middleware/weblogic:12.2.1.4` (v8, 3.x Domain.md
//!   and `DomainSpec.java`), `…:14.1.2.0-generic-jdk17-ol8` (v9, current Domain.md; the first
//!   4.x releases still used 12.2.1.4, `KubernetesConstants.DEFAULT_IMAGE`). The 2.x releases
//!   required it when `domainHomeInImage` is true (the default) and defaulted it otherwise, first
//!   to `store/oracle/weblogic:12.2.1.3`, later to the registry's 12.2.1.3: too many answers to
//!   assume one, so an omitted v2–v7 image is left alone.
//! - `domainHomeSourceType` defaults to Image, or FromModel when `configuration.model` is set
//!   (v9 Domain.md); in v8 the deprecated `domainHomeInImage` decides when it is not set (true:
//!   Image, false: PersistentVolume).
//! - Pull policies of the images the operator adds "default to Always if image ends in :latest;
//!   IfNotPresent, otherwise" (Domain.md, every image field): the operator compares the string's
//!   suffix, so an untagged image gets IfNotPresent.
//! - The monitoring exporter image defaults to `ghcr.io/oracle/weblogic-monitoring-exporter` (tag
//!   2.0.4 in the 3.3 v8 CRD, 2.3.8 in the current Domain.md); fluentd (v9) to
//!   `fluent/fluentd-kubernetes-daemonset:v1.19-debian-elasticsearch7-1` (current Domain.md). The
//!   v8 fluentd default and the fluent-bit default are not modelled: no source confirmed them.
//! - The introspector job pod runs as `spec.serverPod.serviceAccountName`, with the Domain's
//!   `imagePullSecrets`, the server image, the auxiliary images (v8: those of the admin server's
//!   scope) and, when `watchIntrospectorLogs` is true, the fluentd (or fluent-bit) sidecar
//!   (`JobStepContext.java`). `serverPod` scopes merge: lists are added to, and a scope's
//!   `serviceAccountName` wins over its parent's (`ServerPod.fillInFrom`).
//! - What v9 removed or respelled from v8 is what the conversion webhook moves or drops
//!   (`common/.../SchemaConversionUtils.java`): auxiliary image volumes and `serverPod`
//!   auxiliary images, `domainHomeInImage`, `configOverrides`, `configOverrideSecrets`,
//!   `allowReplicasBelowMinDynClusterSize`, `serverStartState`, `configuration.istio`,
//!   `webLogicCredentialsSecret.namespace`, inline `spec.clusters` (now Cluster resources), and
//!   the upper-case `serverStartPolicy` and `overrideDistributionStrategy` values.
//!
//! A managed server's cluster is in the WebLogic configuration, not in the Domain, so a
//! `managedServers` entry that names no service account is taken to use the Domain's, even
//! when its cluster's `serverPod` names one.

use std::borrow::{BorrowMut, Cow};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::readers::Object;
use super::{
    Container, ContainerKind, Field, InheritedPullSecrets, Placement, PodGroup, PodPullSecrets, PullPolicyDefault,
    Reader, Scalar, ServiceAccountField, Workload, image_pull_secrets, mapping_items, prefixed, quoted_name,
};
use super::{Extracted, PullSecretsOwner};
use crate::source::{SourceFile, Span};
use crate::yaml::{Node, ScalarType};

/// The server image the operator uses when a v8 Domain on a persistent volume does not name one.
const DEFAULT_IMAGE_V8: &str = "container-registry.oracle.com/middleware/weblogic:12.2.1.4";
/// The same for v9 (operator 4.x; its first releases used the 12.2.1.4 image).
const DEFAULT_IMAGE_V9: &str = "container-registry.oracle.com/middleware/weblogic:14.1.2.0-generic-jdk17-ol8";
const DEFAULT_EXPORTER_IMAGE_V8: &str = "ghcr.io/oracle/weblogic-monitoring-exporter:2.0.4";
const DEFAULT_EXPORTER_IMAGE_V9: &str = "ghcr.io/oracle/weblogic-monitoring-exporter:2.3.8";
const DEFAULT_FLUENTD_IMAGE_V9: &str = "fluent/fluentd-kubernetes-daemonset:v1.19-debian-elasticsearch7-1";

/// Which Domain schema a manifest is written against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    /// v2 to v7 (operator 2.x): read with the v8 layout, without what 2.x did not have.
    Legacy,
    V8,
    V9,
}

fn schema(api_version: &str) -> Option<Schema> {
    match api_version.strip_prefix("weblogic.oracle/")? {
        "v9" => Some(Schema::V9),
        "v8" => Some(Schema::V8),
        "v2" | "v3" | "v4" | "v5" | "v6" | "v7" => Some(Schema::Legacy),
        _ => None,
    }
}

/// What must be joined across objects once every file is read.
#[derive(Debug, Clone)]
pub enum Links {
    /// A v9 Domain: the Cluster resources it lists, and what their pods share with the Domain.
    Domain {
        clusters: Vec<String>,
        /// The images every server pod pulls (indices into the Domain's containers).
        server_containers: Vec<usize>,
        /// `spec.serverPod.serviceAccountName`, which a Cluster's pods use unless it names one.
        service_account: Option<ServiceAccountField>,
    },
    /// A Cluster resource, found by its `metadata.name`.
    Cluster {
        /// `cluster "c1" pods`.
        pods: String,
    },
}

/// A field or value that the object's apiVersion no longer has.
#[derive(Debug, Clone)]
pub struct DeprecatedField {
    /// The key (or, for a respelled value, the value).
    pub span: Span,
    /// `spec.serverPod.auxiliaryImages`.
    pub path: String,
    pub change: Change,
}

#[derive(Debug, Clone)]
pub enum Change {
    /// The field is gone; its setting now lives at `instead`, when anywhere.
    Removed {
        instead: Option<&'static str>,
        /// What is lost when the API server drops it.
        consequence: Option<&'static str>,
    },
    /// The value is spelled differently now.
    Respelled { value: String, now: &'static str },
}

/// Reads a WebLogic resource: a Domain of a version whose layout is known, or a Cluster.
pub(super) fn read(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    let Object {
        node,
        api_version,
        kind,
        prefix,
    } = object;
    let workload = match kind {
        "Domain" => match schema(api_version) {
            Some(schema) => DomainReader::read(reader, node, api_version, schema, prefix),
            None => return false,
        },
        "Cluster" if api_version == "weblogic.oracle/v1" => cluster(reader, node, api_version, prefix),
        _ => return false,
    };
    out.workloads.push(workload);
    true
}

/// A place where `serviceAccountName` may be set, and the pods that take it from there.
struct Scope {
    /// How the group of pods is named: `admin server pod`.
    pods: String,
    service_account: Option<ServiceAccountField>,
    containers: Vec<usize>,
}

struct DomainReader {
    schema: Schema,
    prefix: String,
    /// `domain "sales"`.
    domain: String,
    workload: Workload,
}

impl DomainReader {
    fn read(reader: &Reader<'_>, node: Node<'_, '_>, api_version: &str, schema: Schema, prefix: &str) -> Workload {
        let mut workload = reader.workload(node, api_version, "Domain", prefixed(prefix, "spec.serverPod"));
        let domain = domain_label(workload.name.as_deref());
        workload.pull_secrets_listed_by = PullSecretsOwner::Object(domain.clone());
        let mut this = DomainReader {
            schema,
            prefix: prefix.to_owned(),
            domain,
            workload,
        };
        let spec = node.get("spec").filter(|spec| spec.is_mapping());
        // The operator cannot boot a domain without its credentials (DomainSpec: @NotNull,
        // "Required"): a Domain without them is a fragment that a tool completes, most often a
        // kustomize patch that changes spec.image and leaves the pull secrets to its base.
        this.workload.is_fragment = spec.and_then(|s| s.get("webLogicCredentialsSecret")).is_none();
        if let Some(spec) = spec {
            let spec_key = node.key("spec").map_or(node.span(), |key| key.span());
            this.spec(spec, spec_key);
        }
        this.workload
    }

    fn path(&self, rest: &str) -> String {
        if rest.is_empty() {
            format!("{}spec", self.prefix)
        } else {
            format!("{}spec.{rest}", self.prefix)
        }
    }

    fn add(&mut self, container: Container) -> usize {
        self.workload.containers.push(container);
        self.workload.containers.len() - 1
    }

    fn deprecated(&mut self, span: Span, path: String, change: Change) {
        self.workload
            .deprecated_fields
            .push(DeprecatedField { span, path, change });
    }

    fn spec(&mut self, spec: Node<'_, '_>, spec_key: Span) {
        self.workload.image_pull_secrets = image_pull_secrets(spec, &self.path("imagePullSecrets"));
        if self.schema == Schema::V9 {
            self.v8_only_fields(spec);
        }

        // Images every pod pulls, the introspector's included.
        let mut every_pod = Vec::new();
        // Images only the server pods pull (sidecars, `spec.serverPod` content).
        let mut servers = Vec::new();
        let mut introspector = Vec::new();

        if let Some(server_image) = self.server_image(spec, spec_key) {
            every_pod.push(self.add(server_image));
        }
        if self.schema == Schema::V9 {
            let model = spec.get("configuration").and_then(|c| c.get("model"));
            for (i, entry) in mapping_items(model, "auxiliaryImages") {
                let place = format!("auxiliary image {} of {}", i + 1, self.domain);
                let path = self.path(&format!("configuration.model.auxiliaryImages[{i}]"));
                every_pod.push(self.add(operator_image(entry, path, place)));
            }
            let on_pv = spec
                .get("configuration")
                .and_then(|c| c.get("initializeDomainOnPV"))
                .and_then(|c| c.get("domain"));
            for (i, entry) in mapping_items(on_pv, "domainCreationImages") {
                let place = format!("domain creation image {} of {}", i + 1, self.domain);
                let path = self.path(&format!(
                    "configuration.initializeDomainOnPV.domain.domainCreationImages[{i}]"
                ));
                introspector.push(self.add(operator_image(entry, path, place)));
            }
        }
        if self.schema != Schema::Legacy {
            let sidecars = [
                ("monitoringExporter", "monitoring exporter sidecar"),
                ("fluentdSpecification", "fluentd sidecar"),
                ("fluentbitSpecification", "fluent-bit sidecar"),
            ];
            for (key, what) in sidecars {
                // fluent-bit came with v9.
                if key == "fluentbitSpecification" && self.schema == Schema::V8 {
                    continue;
                }
                let Some(sidecar) = self.sidecar(spec, key, what) else {
                    continue;
                };
                let watches_introspector = spec
                    .get(key)
                    .and_then(|s| s.get("watchIntrospectorLogs"))
                    .is_some_and(is_true);
                let index = self.add(sidecar);
                servers.push(index);
                if watches_introspector {
                    introspector.push(index);
                }
            }
        }

        // `spec.serverPod`: every server pod, and the service account of any pod whose own scope
        // names none (the introspector's always).
        let domain_scope = self.server_pod(
            spec.get("serverPod"),
            &self.path("serverPod"),
            &format!("the server pods of {}", self.domain),
            &self.domain.clone(),
        );
        servers.extend(domain_scope.containers);
        let domain_account = domain_scope.service_account;

        let mut scopes = Vec::new();
        let mut introspector_images = every_pod.clone();
        introspector_images.extend(&introspector);
        if self.schema == Schema::V8 {
            // v8's introspector runs the auxiliary images of the admin server's scopes.
            introspector_images.extend(domain_scope.auxiliary_images.iter().copied());
        }
        if self.schema == Schema::V9 {
            let pod = spec.get("introspector").and_then(|i| i.get("serverPod"));
            for (i, entry) in mapping_items(pod, "initContainers") {
                let place = Some(format!(
                    "init container {} of the introspector pod",
                    quoted_name(entry, i)
                ));
                let path = self.path(&format!("introspector.serverPod.initContainers[{i}]"));
                let index = self.add(Container::from_pod_spec(
                    ContainerKind::InitContainer,
                    entry,
                    path,
                    place,
                ));
                introspector_images.push(index);
            }
        }
        scopes.push(Scope {
            pods: "introspector pod".to_owned(),
            service_account: None,
            containers: introspector_images,
        });

        let mut server_images = every_pod.clone();
        server_images.extend(&servers);

        let admin = self.server_pod(
            spec.get("adminServer").and_then(|a| a.get("serverPod")),
            &self.path("adminServer.serverPod"),
            "the admin server pod",
            "the admin server pod",
        );
        if self.schema == Schema::V8 {
            let introspector = &mut scopes[0].containers;
            introspector.extend(admin.auxiliary_images.iter().copied());
        }
        scopes.push(admin.into_scope("admin server pod", &server_images));

        let mut cluster_references = Vec::new();
        for (i, cluster) in mapping_items(Some(spec), "clusters") {
            if self.schema == Schema::V9 {
                if let Some(name) = cluster.get("name").and_then(|n| n.as_str()) {
                    cluster_references.push(name.to_owned());
                }
                continue;
            }
            let name = cluster
                .get("clusterName")
                .and_then(|n| n.as_str())
                .map_or_else(|| format!("{}", i + 1), |n| format!("\"{n}\""));
            let scope = self.server_pod(
                cluster.get("serverPod"),
                &self.path(&format!("clusters[{i}].serverPod")),
                &format!("the cluster {name} pods"),
                &format!("the cluster {name} pods"),
            );
            scopes.push(scope.into_scope(&format!("cluster {name} pods"), &server_images));
        }
        for (i, server) in mapping_items(Some(spec), "managedServers") {
            let name = server
                .get("serverName")
                .and_then(|n| n.as_str())
                .map_or_else(|| format!("{}", i + 1), |n| format!("\"{n}\""));
            let scope = self.server_pod(
                server.get("serverPod"),
                &self.path(&format!("managedServers[{i}].serverPod")),
                &format!("the managed server {name} pod"),
                &format!("the managed server {name} pod"),
            );
            scopes.push(scope.into_scope(&format!("managed server {name} pod"), &server_images));
        }
        scopes.push(Scope {
            pods: "other server pods".to_owned(),
            service_account: None,
            containers: server_images.clone(),
        });

        self.workload.pods = group_by_service_account(scopes, domain_account.as_ref(), &self.domain);
        if self.schema == Schema::V9 {
            self.workload.links = Some(Box::new(Links::Domain {
                clusters: cluster_references,
                server_containers: server_images,
                service_account: domain_account,
            }));
        }
    }

    /// `spec.image`, or the image the operator uses in its place.
    fn server_image(&self, spec: Node<'_, '_>, spec_key: Span) -> Option<Container> {
        let mut container = operator_image(spec, self.path(""), format!("WebLogic Server image of {}", self.domain));
        container.span = spec_key;
        if !container.image.is_unset() {
            return Some(container);
        }
        let (source, written) = self.home_source(spec);
        let default = match self.schema {
            Schema::V8 => Some(DEFAULT_IMAGE_V8),
            Schema::V9 => Some(DEFAULT_IMAGE_V9),
            Schema::Legacy => None,
        };
        match (source, default) {
            ("PersistentVolume", Some(default)) => {
                let span = match container.image {
                    Field::Null { span } => span,
                    _ => spec_key,
                };
                container.image = Field::String(Scalar::assumed(default, span));
                container.image_is_default = true;
                container.note_image(
                    "spec.image is omitted; the operator uses its default image for a domain home on a persistent volume"
                        .to_owned(),
                );
                Some(container)
            }
            // The 2.x releases disagreed on the default; see the module documentation.
            ("PersistentVolume", None) => None,
            (source, _) => {
                let note = match (written, self.schema) {
                    (Some(key), _) => format!("required when {key} is {source}"),
                    (None, Schema::Legacy) => "required when domainHomeInImage is true, its default".to_owned(),
                    (None, Schema::V9) if source == "FromModel" => {
                        "required: domainHomeSourceType defaults to FromModel when configuration.model is set"
                            .to_owned()
                    }
                    (None, Schema::V9) => "required: domainHomeSourceType defaults to Image".to_owned(),
                    (None, Schema::V8) => "required unless domainHomeSourceType is PersistentVolume".to_owned(),
                };
                container.note_image(note);
                Some(container)
            }
        }
    }

    /// Where the domain home comes from (`Image`, `FromModel`, `PersistentVolume`), and the key
    /// that says so, when one does.
    fn home_source(&self, spec: Node<'_, '_>) -> (&'static str, Option<&'static str>) {
        if let Some(source) = spec.get("domainHomeSourceType").and_then(|s| s.as_str()) {
            let source = match source {
                "PersistentVolume" => "PersistentVolume",
                "FromModel" => "FromModel",
                _ => "Image",
            };
            return (source, Some("domainHomeSourceType"));
        }
        // v9 dropped domainHomeInImage (the API server prunes it).
        if self.schema != Schema::V9
            && let Some(in_image) = spec
                .get("domainHomeInImage")
                .filter(|n| n.scalar_type() == Some(ScalarType::Bool))
        {
            let source = if is_true(in_image) { "Image" } else { "PersistentVolume" };
            return (source, Some("domainHomeInImage"));
        }
        let from_model = spec.get("configuration").and_then(|c| c.get("model")).is_some();
        (if from_model { "FromModel" } else { "Image" }, None)
    }

    /// A sidecar the operator adds to every server pod, when configured.
    fn sidecar(&self, spec: Node<'_, '_>, key: &str, what: &str) -> Option<Container> {
        let node = spec.get(key).filter(|node| node.is_mapping())?;
        let path = self.path(key);
        let mut container = operator_image(node, path.clone(), format!("{what} of {}", self.domain));
        container.span = spec.key(key).map_or(node.span(), |k| k.span());
        if !container.image.is_unset() {
            return Some(container);
        }
        let default = match (key, self.schema) {
            ("monitoringExporter", Schema::V8) => DEFAULT_EXPORTER_IMAGE_V8,
            ("monitoringExporter", _) => DEFAULT_EXPORTER_IMAGE_V9,
            ("fluentdSpecification", Schema::V9) => DEFAULT_FLUENTD_IMAGE_V9,
            _ => return None,
        };
        let span = match container.image {
            Field::Null { span } => span,
            _ => container.span,
        };
        container.image = Field::String(Scalar::assumed(default, span));
        container.image_is_default = true;
        container.note_image(format!(
            "{path}.image is omitted; the operator uses its default, whose tag depends on the operator release"
        ));
        Some(container)
    }

    /// A `serverPod` scope: its containers, init containers, v8 auxiliary images and service
    /// account. `of` names the pods in places (`the admin server pod`), `images_of` the owner of
    /// its auxiliary images (`domain "sales"` at the domain's scope).
    fn server_pod(
        &mut self,
        server_pod: Option<Node<'_, '_>>,
        path: &str,
        of: &str,
        images_of: &str,
    ) -> ServerPodScope {
        let mut scope = ServerPodScope::default();
        let Some(server_pod) = server_pod.filter(|p| p.is_mapping()) else {
            return scope;
        };
        for (kind, word) in [
            (ContainerKind::InitContainer, "init container"),
            (ContainerKind::Container, "container"),
        ] {
            for (i, entry) in mapping_items(Some(server_pod), kind.key()) {
                let place = Some(format!("{word} {} of {of}", quoted_name(entry, i)));
                let container_path = format!("{path}.{}[{i}]", kind.key());
                let index = self.add(Container::from_pod_spec(kind, entry, container_path, place));
                scope.containers.push(index);
            }
        }
        match self.schema {
            Schema::V8 => {
                for (i, entry) in mapping_items(Some(server_pod), "auxiliaryImages") {
                    let place = format!("auxiliary image {} of {images_of}", i + 1);
                    let entry_path = format!("{path}.auxiliaryImages[{i}]");
                    let index = self.add(operator_image(entry, entry_path, place));
                    scope.containers.push(index);
                    scope.auxiliary_images.push(index);
                }
            }
            Schema::V9 => {
                if let Some(key) = server_pod.key("auxiliaryImages") {
                    self.deprecated(
                        key.span(),
                        format!("{path}.auxiliaryImages"),
                        Change::Removed {
                            instead: Some("spec.configuration.model.auxiliaryImages"),
                            consequence: Some("its auxiliary images are never pulled"),
                        },
                    );
                }
            }
            Schema::Legacy => {}
        }
        scope.service_account =
            Field::read(server_pod, "serviceAccountName")
                .as_scalar()
                .map(|name| ServiceAccountField {
                    name: name.clone(),
                    path: format!("{path}.serviceAccountName"),
                    file: None,
                    pods: Vec::new(),
                });
        scope
    }

    /// Records the v8 fields and spellings that a v9 Domain still uses.
    fn v8_only_fields(&mut self, spec: Node<'_, '_>) {
        let removed = |instead, consequence| Change::Removed { instead, consequence };
        let spec_fields: [(&str, Change); 6] = [
            (
                "auxiliaryImageVolumes",
                removed(
                    Some("spec.configuration.model.auxiliaryImages, which needs no volume"),
                    None,
                ),
            ),
            (
                "domainHomeInImage",
                removed(Some("spec.domainHomeSourceType (Image or PersistentVolume)"), None),
            ),
            (
                "configOverrides",
                removed(Some("spec.configuration.overridesConfigMap"), None),
            ),
            (
                "configOverrideSecrets",
                removed(Some("spec.configuration.secrets"), None),
            ),
            ("allowReplicasBelowMinDynClusterSize", removed(None, None)),
            ("serverStartState", removed(None, None)),
        ];
        for (key, change) in spec_fields {
            if let Some(key_node) = spec.key(key) {
                self.deprecated(key_node.span(), self.path(key), change);
            }
        }
        if let Some(key) = spec.get("configuration").and_then(|c| c.key("istio")) {
            self.deprecated(key.span(), self.path("configuration.istio"), removed(None, None));
        }
        if let Some(key) = spec.get("webLogicCredentialsSecret").and_then(|s| s.key("namespace")) {
            self.deprecated(
                key.span(),
                self.path("webLogicCredentialsSecret.namespace"),
                removed(None, Some("the secret must be in the Domain's namespace")),
            );
        }
        if let Some(strategy) = spec
            .get("configuration")
            .and_then(|c| c.get("overrideDistributionStrategy"))
        {
            self.respelled(strategy, self.path("configuration.overrideDistributionStrategy"));
        }
        self.respelled_start_policy(Some(spec), &self.path(""));
        if let Some(admin) = spec.get("adminServer") {
            self.respelled_start_policy(Some(admin), &self.path("adminServer"));
            if let Some(key) = admin.key("serverStartState") {
                self.deprecated(
                    key.span(),
                    self.path("adminServer.serverStartState"),
                    removed(None, None),
                );
            }
        }
        for (i, server) in mapping_items(Some(spec), "managedServers") {
            let path = self.path(&format!("managedServers[{i}]"));
            self.respelled_start_policy(Some(server), &path);
            if let Some(key) = server.key("serverStartState") {
                self.deprecated(key.span(), format!("{path}.serverStartState"), removed(None, None));
            }
        }
        // v9 lists Cluster resources by name; an inline v8 cluster is dropped whole.
        for (i, cluster) in mapping_items(Some(spec), "clusters") {
            let inline = cluster
                .key("clusterName")
                .or_else(|| cluster.entries().map(|(k, _)| k).find(|k| k.scalar() != Some("name")));
            if let Some(key) = inline {
                let path = self.path(&format!("clusters[{i}].{}", key.scalar().unwrap_or_default()));
                self.deprecated(
                    key.span(),
                    path,
                    removed(
                        Some("a Cluster resource (weblogic.oracle/v1) that spec.clusters lists by name"),
                        Some("the cluster's settings, serverPod containers included, are never applied"),
                    ),
                );
            }
        }
    }

    fn respelled_start_policy(&mut self, parent: Option<Node<'_, '_>>, path: &str) {
        if let Some(policy) = parent.and_then(|p| p.get("serverStartPolicy")) {
            self.respelled(policy, format!("{path}.serverStartPolicy"));
        }
    }

    fn respelled(&mut self, value: Node<'_, '_>, path: String) {
        let Some(text) = value.as_str() else { return };
        let now = match text {
            "ALWAYS" => "Always",
            "NEVER" => "Never",
            "IF_NEEDED" => "IfNeeded",
            "ADMIN_ONLY" => "AdminOnly",
            "DYNAMIC" => "Dynamic",
            "ON_RESTART" => "OnRestart",
            _ => return,
        };
        self.deprecated(
            value.span(),
            path,
            Change::Respelled {
                value: text.to_owned(),
                now,
            },
        );
    }
}

/// What a `serverPod` scope contributes.
#[derive(Default)]
struct ServerPodScope {
    containers: Vec<usize>,
    /// v8 auxiliary images among `containers`.
    auxiliary_images: Vec<usize>,
    service_account: Option<ServiceAccountField>,
}

impl ServerPodScope {
    fn into_scope(self, pods: &str, server_images: &[usize]) -> Scope {
        let mut containers = server_images.to_vec();
        containers.extend(self.containers);
        Scope {
            pods: pods.to_owned(),
            service_account: self.service_account,
            containers,
        }
    }
}

/// Merges pod scopes that end up with the same service account: a scope's own, else the
/// domain's (`spec.serverPod`), else `default`.
fn group_by_service_account(
    scopes: Vec<Scope>,
    domain: Option<&ServiceAccountField>,
    domain_name: &str,
) -> Vec<PodGroup> {
    let every_scope = scopes.iter().all(|scope| scope.service_account.is_none());
    let mut groups: Vec<PodGroup> = Vec::new();
    for scope in scopes {
        let written = scope.service_account.or_else(|| domain.cloned());
        let group = PodGroup::of_account(&mut groups, written.as_ref());
        group.pods.push(scope.pods.clone());
        group.containers.extend(scope.containers);
        if let Some(written) = written {
            match group.written_at.iter_mut().find(|w| w.path == written.path) {
                Some(existing) => existing.pods.push(scope.pods),
                None => group.written_at.push(ServiceAccountField {
                    pods: vec![scope.pods],
                    ..written
                }),
            }
        }
    }
    for group in &mut groups {
        let unique: BTreeSet<usize> = group.containers.drain(..).collect();
        group.containers = unique.into_iter().collect();
        // Said more simply when every pod runs as the domain's account.
        if every_scope {
            for written in &mut group.written_at {
                written.pods = vec![format!("pods of {domain_name}")];
            }
        }
    }
    groups
}

/// `domain "sales"`, as messages name a Domain; a Domain without a name (a fragment that a tool
/// completes) is `the domain`.
pub(super) fn domain_label(name: Option<&str>) -> String {
    match name {
        Some(name) if !name.is_empty() => format!("domain \"{name}\""),
        _ => "the domain".to_owned(),
    }
}

/// An image the operator turns into a container from an object with `image` and
/// `imagePullPolicy` (an auxiliary image, a sidecar, the Domain's spec).
fn operator_image(node: Node<'_, '_>, path: String, place: String) -> Container {
    Container {
        kind: ContainerKind::Container,
        name: None,
        path,
        span: node.span(),
        image: Field::read(node, "image"),
        image_pull_policy: Field::read(node, "imagePullPolicy"),
        placement: Some(Placement::at(place)),
        image_is_default: false,
        tag_unknown: false,
        pull_policy_default: PullPolicyDefault::WeblogicOperator,
        set_at_deploy: None,
    }
}

fn is_true(node: Node<'_, '_>) -> bool {
    node.scalar_type() == Some(ScalarType::Bool)
        && matches!(
            node.scalar().unwrap_or_default().to_ascii_lowercase().as_str(),
            "true" | "yes" | "on" | "y"
        )
}

/// A Cluster resource (`weblogic.oracle/v1`): the containers of its `spec.serverPod`, pulled by
/// the cluster's managed server pods with the pull secrets of the Domain that lists it.
fn cluster(reader: &Reader<'_>, node: Node<'_, '_>, api_version: &str, prefix: &str) -> Workload {
    let mut workload = reader.workload(node, api_version, "Cluster", prefixed(prefix, "spec.serverPod"));
    let path = workload.pod_spec_path.to_string();
    workload.pod_pull_secrets = PodPullSecrets::Unknown;
    let spec = node.get("spec");
    // `spec.clusterName` is required (Cluster.md): without it, the Cluster is a patch.
    workload.is_fragment = spec.and_then(|s| s.get("clusterName")).is_none();
    let name = spec
        .and_then(|s| s.get("clusterName"))
        .and_then(|n| n.as_str())
        .or(workload.name.as_deref())
        .unwrap_or_default()
        .to_owned();
    let pods = format!("cluster \"{name}\" pods");
    let server_pod = spec.and_then(|s| s.get("serverPod")).filter(|p| p.is_mapping());
    for (kind, word) in [
        (ContainerKind::InitContainer, "init container"),
        (ContainerKind::Container, "container"),
    ] {
        for (i, entry) in mapping_items(server_pod, kind.key()) {
            let place = Some(format!("{word} {} of the {pods}", quoted_name(entry, i)));
            let container_path = format!("{path}.{}[{i}]", kind.key());
            workload
                .containers
                .push(Container::from_pod_spec(kind, entry, container_path, place));
        }
    }
    let written_at = server_pod
        .and_then(|p| Field::read(p, "serviceAccountName").as_scalar().cloned())
        .map(|name| ServiceAccountField {
            name,
            path: format!("{path}.serviceAccountName"),
            file: None,
            pods: vec![pods.clone()],
        });
    let mut group = PodGroup::of_every_container(workload.containers.len(), written_at);
    group.pods = vec![pods.clone()];
    workload.pods = vec![group];
    if let Some(policy) = spec.and_then(|s| s.get("serverStartPolicy"))
        && let Some(text) = policy.as_str()
        && let Some(now) = match text {
            "NEVER" => Some("Never"),
            "IF_NEEDED" => Some("IfNeeded"),
            _ => None,
        }
    {
        workload.deprecated_fields.push(DeprecatedField {
            span: policy.span(),
            path: format!("{prefix}spec.serverStartPolicy"),
            change: Change::Respelled {
                value: text.to_owned(),
                now,
            },
        });
    }
    workload.links = Some(Box::new(Links::Cluster { pods }));
    workload
}

/// Joins v9 Domains and the Cluster resources they list (same namespace, by `metadata.name`),
/// once every file is read: a Cluster's pods get the Domain's pull secrets, and its service
/// account unless the Cluster names one; a Cluster that names one adds a group of pods to the
/// Domain, which pull the Domain's server images as that account. A Cluster that no Domain lists
/// keeps unknown pull secrets. When several Domains list one Cluster, the first one read wins.
pub(super) fn join_weblogic_resources(workloads: &mut [&mut Workload]) {
    let mut clusters: HashMap<(&str, &str), usize> = HashMap::new();
    for (index, workload) in workloads.iter().map(|w| &**w).enumerate() {
        if let (Some(Links::Cluster { .. }), Some(name)) = (workload.links.as_deref(), &workload.name) {
            clusters.entry((&workload.namespace, name)).or_insert(index);
        }
    }
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (domain, workload) in workloads.iter().map(|w| &**w).enumerate() {
        let Some(Links::Domain { clusters: names, .. }) = workload.links.as_deref() else {
            continue;
        };
        for name in names {
            if let Some(&cluster) = clusters.get(&(workload.namespace.as_str(), name.as_str()))
                && !pairs.iter().any(|&(_, c)| c == cluster)
            {
                pairs.push((domain, cluster));
            }
        }
    }
    for (domain, cluster) in pairs {
        join(workloads, domain, cluster);
    }
}

fn join<W: BorrowMut<Workload>>(workloads: &mut [W], domain: usize, cluster: usize) {
    let (owner, domain_file, entries, server_containers, domain_account) = {
        let domain: &Workload = workloads[domain].borrow();
        let Some(Links::Domain {
            server_containers,
            service_account,
            ..
        }) = domain.links.as_deref()
        else {
            return;
        };
        (
            domain.pull_secrets_owner().to_string(),
            Arc::clone(&domain.file),
            domain.image_pull_secrets.clone(),
            server_containers.clone(),
            service_account.clone(),
        )
    };
    let cluster_file: Arc<SourceFile> = Arc::clone(&workloads[cluster].borrow().file);
    let (pods, cluster_account) = {
        let cluster: &mut Workload = workloads[cluster].borrow_mut();
        let Some(Links::Cluster { pods }) = cluster.links.as_deref() else {
            return;
        };
        let pods = pods.clone();
        cluster.pod_pull_secrets = PodPullSecrets::From(Box::new(InheritedPullSecrets {
            owner,
            file: domain_file.clone(),
            entries,
        }));
        let group = &mut cluster.pods[0];
        let own = group.written_at.first().cloned();
        if own.is_none()
            && let Some(account) = &domain_account
        {
            group.service_account = Cow::Owned(account.name.value.clone());
            group.written_at.push(ServiceAccountField {
                file: Some(domain_file),
                pods: vec![pods.clone()],
                ..account.clone()
            });
        }
        (pods, own)
    };
    // The Cluster's own account also runs the Domain's server images in its pods.
    let Some(account) = cluster_account else { return };
    let domain: &mut Workload = workloads[domain].borrow_mut();
    let written = ServiceAccountField {
        file: Some(cluster_file),
        pods: vec![pods.clone()],
        ..account
    };
    match domain.pods.iter_mut().find(|g| g.service_account == written.name.value) {
        Some(group) => {
            group.pods.push(pods);
            group.written_at.push(written);
            let unique: BTreeSet<usize> = group.containers.iter().copied().chain(server_containers).collect();
            group.containers = unique.into_iter().collect();
        }
        None => domain.pods.push(PodGroup {
            service_account: Cow::Owned(written.name.value.clone()),
            written_at: vec![written],
            pods: vec![pods],
            containers: server_containers,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests::extract_text;

    const V9: &str = "\
apiVersion: weblogic.oracle/v9
kind: Domain
metadata: {name: sales, namespace: sales}
spec:
  image: wls:14
  imagePullSecrets: [{name: ocr}]
  configuration:
    model:
      auxiliaryImages: [{image: aux:1}]
  monitoringExporter: {port: 8080}
  serverPod:
    serviceAccountName: runner
    containers: [{name: log, image: log:1}]
  adminServer:
    serverPod:
      serviceAccountName: admin
      initContainers: [{name: init, image: init:1}]
  managedServers:
    - serverName: ms-2
      serverPod: {containers: [{name: debug, image: debug:1}]}
  clusters: [{name: sales-c1}]
";

    #[test]
    fn a_v9_domain_is_one_workload_with_every_image_once() {
        let extracted = extract_text(V9);
        let [domain] = extracted.workloads.as_slice() else {
            panic!()
        };
        let images: Vec<(&str, String)> = domain
            .containers
            .iter()
            .map(|c| (c.display_name(), c.field_path("image")))
            .collect();
        assert_eq!(
            images,
            [
                ("WebLogic Server image of domain \"sales\"", "spec.image".to_owned()),
                (
                    "auxiliary image 1 of domain \"sales\"",
                    "spec.configuration.model.auxiliaryImages[0].image".to_owned()
                ),
                (
                    "monitoring exporter sidecar of domain \"sales\"",
                    "spec.monitoringExporter.image".to_owned()
                ),
                (
                    "container \"log\" of the server pods of domain \"sales\"",
                    "spec.serverPod.containers[0].image".to_owned()
                ),
                (
                    "init container \"init\" of the admin server pod",
                    "spec.adminServer.serverPod.initContainers[0].image".to_owned()
                ),
                (
                    "container \"debug\" of the managed server \"ms-2\" pod",
                    "spec.managedServers[0].serverPod.containers[0].image".to_owned()
                ),
            ]
        );
        // The exporter's image is the operator's default, shown on the key that omits it.
        let exporter = &domain.containers[2];
        assert!(exporter.image_is_default);
        assert_eq!(
            &V9[exporter.image.as_scalar().unwrap().span.range()],
            "monitoringExporter"
        );
        assert_eq!(domain.image_pull_secrets.len(), 1);
        assert_eq!(domain.pull_secrets_owner().to_string(), "domain \"sales\"");
        // Without webLogicCredentialsSecret, the operator cannot run it: a patch.
        assert!(domain.is_fragment);
        let complete = V9.replace("spec:\n", "spec:\n  webLogicCredentialsSecret: {name: c}\n");
        assert!(!extract_text(&complete).workloads[0].is_fragment);

        // Two service accounts: the admin server's, and the domain's for every other pod.
        let groups: Vec<(&str, &[String], Vec<usize>)> = domain
            .pods
            .iter()
            .map(|g| (&*g.service_account, g.pods.as_slice(), g.containers.clone()))
            .collect();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].0, "runner");
        assert_eq!(
            groups[0].1,
            ["introspector pod", "managed server \"ms-2\" pod", "other server pods"]
        );
        // The introspector pulls the server and auxiliary images, not the sidecars.
        assert_eq!(groups[0].2, [0, 1, 2, 3, 5]);
        assert_eq!(
            groups[1],
            ("admin", &["admin server pod".to_owned()][..], vec![0, 1, 2, 3, 4])
        );
        assert_eq!(domain.pods[0].written_at[0].path, "spec.serverPod.serviceAccountName");
        assert_eq!(
            domain.pods[1].written_at[0].path,
            "spec.adminServer.serverPod.serviceAccountName"
        );
    }

    #[test]
    fn an_omitted_server_image_is_the_default_only_on_a_persistent_volume() {
        let on_pv = "apiVersion: weblogic.oracle/v8\nkind: Domain\nmetadata: {name: d}\nspec:\n  domainHomeSourceType: PersistentVolume\n";
        let container = &extract_text(on_pv).workloads[0].containers[0];
        assert!(container.image_is_default);
        let image = container.image.as_scalar().unwrap();
        assert_eq!(image.value, DEFAULT_IMAGE_V8);
        assert_eq!(&on_pv[image.span.range()], "spec");
        assert_eq!(&on_pv[image.span_of(0..9).range()], "spec");

        // v8's deprecated domainHomeInImage: false means the same.
        let not_in_image = on_pv.replace("domainHomeSourceType: PersistentVolume", "domainHomeInImage: false");
        assert!(extract_text(&not_in_image).workloads[0].containers[0].image_is_default);

        for required in [
            on_pv.replace("PersistentVolume", "FromModel"),
            on_pv.replace("  domainHomeSourceType: PersistentVolume\n", "  domainHome: /u01\n"),
            // v9 has no domainHomeInImage: the source type defaults to Image.
            not_in_image.replace("v8", "v9"),
        ] {
            let container = &extract_text(&required).workloads[0].containers[0];
            assert_eq!(container.image, Field::Absent, "{required}");
            assert!(container.image_note().unwrap().starts_with("required"));
        }
        // A Domain without a name (an operator test input, a fragment) is still "the domain".
        let unnamed = extract_text("apiVersion: weblogic.oracle/v8\nkind: Domain\nspec: {image: wls:12}\n");
        assert_eq!(
            unnamed.workloads[0].containers[0].display_name(),
            "WebLogic Server image of the domain"
        );
        assert_eq!(unnamed.workloads[0].pull_secrets_owner().to_string(), "the domain");

        // 2.x releases disagreed on the default: nothing is assumed.
        let legacy = not_in_image.replace("v8", "v2");
        assert!(extract_text(&legacy).workloads[0].containers.is_empty());
    }

    #[test]
    fn v8_auxiliary_images_belong_to_their_scope() {
        let text = "\
apiVersion: weblogic.oracle/v8
kind: Domain
metadata: {name: d, namespace: ns}
spec:
  image: wls:12
  serverPod: {auxiliaryImages: [{image: model:1, volume: aux}]}
  adminServer: {serverPod: {auxiliaryImages: [{image: admin:1, volume: aux}]}}
  clusters:
    - clusterName: c1
      serverPod:
        serviceAccountName: c1-runner
        auxiliaryImages: [{image: c1:1, volume: aux}]
";
        let workload = &extract_text(text).workloads[0];
        let places: Vec<&str> = workload.containers.iter().map(|c| c.display_name()).collect();
        assert_eq!(
            places,
            [
                "WebLogic Server image of domain \"d\"",
                "auxiliary image 1 of domain \"d\"",
                "auxiliary image 1 of the admin server pod",
                "auxiliary image 1 of the cluster \"c1\" pods",
            ]
        );
        let default = &workload.pods[0];
        assert_eq!(default.service_account, "default");
        // v8's introspector runs the admin server scope's auxiliary images.
        assert_eq!(default.containers, [0, 1, 2]);
        let cluster = &workload.pods[1];
        assert_eq!(cluster.service_account, "c1-runner");
        assert_eq!(cluster.containers, [0, 1, 3]);
        assert!(workload.links.is_none(), "v8 clusters are inline");
    }

    #[test]
    fn clusters_get_the_pull_secrets_and_service_account_of_the_domain_that_lists_them() {
        let cluster = "\
apiVersion: weblogic.oracle/v1
kind: Cluster
metadata: {name: sales-c1, namespace: sales}
spec:
  clusterName: c1
  serverPod: {containers: [{name: agent, image: agent:1}]}
";
        let mut workloads = extract_text(V9).workloads;
        workloads.extend(extract_text(cluster).workloads);
        workloads.extend(extract_text(&cluster.replace("sales-c1", "unlisted")).workloads);
        assert!(matches!(workloads[1].pod_pull_secrets, PodPullSecrets::Unknown));
        join_weblogic_resources(&mut workloads.iter_mut().collect::<Vec<_>>());

        let listed = &workloads[1];
        let (entries, file) = listed.pod_image_pull_secrets().unwrap();
        assert_eq!(entries[0].secret_name().unwrap().value, "ocr");
        assert_eq!(file.unwrap().path, "t.yaml");
        assert_eq!(listed.pull_secrets_owner().to_string(), "domain \"sales\"");
        let group = &listed.pods[0];
        assert_eq!(group.service_account, "runner");
        assert!(group.written_at[0].file.is_some(), "written in the Domain's file");
        assert_eq!(
            listed.containers[0].display_name(),
            "container \"agent\" of the cluster \"c1\" pods"
        );

        assert!(matches!(workloads[2].pod_pull_secrets, PodPullSecrets::Unknown));
    }

    #[test]
    fn a_cluster_with_its_own_service_account_adds_a_group_to_its_domain() {
        let cluster = "\
apiVersion: weblogic.oracle/v1
kind: Cluster
metadata: {name: sales-c1, namespace: sales}
spec:
  serverPod: {serviceAccountName: c1-runner}
";
        let mut workloads = extract_text(V9).workloads;
        workloads.extend(extract_text(cluster).workloads);
        join_weblogic_resources(&mut workloads.iter_mut().collect::<Vec<_>>());
        let domain = &workloads[0];
        let added = domain.pods.last().unwrap();
        assert_eq!(added.service_account, "c1-runner");
        assert_eq!(added.pods, ["cluster \"sales-c1\" pods"]);
        // The server pods' images: not the introspector-only nor the admin server's own.
        assert_eq!(added.containers, [0, 1, 2, 3]);
        assert!(added.written_at[0].file.is_some());
        assert_eq!(workloads[1].pods[0].service_account, "c1-runner");
    }

    #[test]
    fn only_v9_reports_v8_fields_and_other_kinds_are_left_alone() {
        let v8 = "apiVersion: weblogic.oracle/v8\nkind: Domain\nmetadata: {name: d}\nspec:\n  image: wls:12\n  serverStartPolicy: IF_NEEDED\n  configOverrides: cm\n";
        assert!(extract_text(v8).workloads[0].deprecated_fields.is_empty());
        let v9 = v8.replace("v8", "v9");
        let fields: Vec<String> = extract_text(&v9).workloads[0]
            .deprecated_fields
            .iter()
            .map(|f| f.path.clone())
            .collect();
        assert_eq!(fields, ["spec.configOverrides", "spec.serverStartPolicy"]);

        for other in [
            v8.replace("weblogic.oracle/v8", "weblogic.oracle/v1"),
            v8.replace("weblogic.oracle/v8", "example.com/v8"),
            v8.replace("kind: Domain", "kind: Cluster"),
        ] {
            assert!(extract_text(&other).workloads.is_empty(), "{other}");
        }
    }
}
