//! Which Kubernetes objects carry pods, and where their pod spec lives.
//!
//! [`extract`] reads a loaded YAML stream and returns a compact [`Workload`] for every object that
//! runs containers, and inventory facts for Secrets and ServiceAccounts. Every object, the items
//! of a `List` (or `*List`) included, goes to the one table of readers (`manifest/readers.rs`): one
//! file per family of kinds (Kubernetes' own pod kinds, WebLogic, kustomize, …), the first that
//! knows the kind reads it. Each value a rule may report on keeps its span; the YAML tree itself
//! is dropped once extraction is done, so the rules never see YAML. Documents that are not
//! Kubernetes objects (Helm values, CI configs) are skipped here without a word; objects of kinds
//! no reader knows that name an image are counted ([`UnreadKinds`]). This module does not judge
//! anything: rules do.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use crate::image::ImageRef;
use crate::source::{SourceFile, Span};
use crate::suppress::{self, Suppression};
use crate::template;
use crate::yaml::{Node, ScalarType};
use facts::Fact;

mod argo_rollouts;
mod argo_workflows;
mod coherence;
mod declared;
mod deploy_time;
pub mod facts;
mod keda;
mod kustomize;
pub(crate) use kustomize::is_kustomization_file;
mod knative;
mod openshift;
mod pod_template;
mod readers;
mod tekton;
mod weblogic;

pub use deploy_time::{DeployTimeImages, DeployTool, KustomizeResources};

pub use declared::{DeclaredKind, FieldPath};
use readers::Object;
pub use weblogic::{Change, DeprecatedField, Links};

/// A string value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub value: String,
    /// The whole value as written, quotes included.
    pub span: Span,
    /// The value's characters, when the source text between the quotes is exactly the value.
    content: Option<Span>,
    /// For a value put together from several written ones (the reference a kustomize `images`
    /// entry produces from `newName` and `newTag`), where each part of it is written; empty for a
    /// value written in one piece (a boxed slice, which holds nothing on the heap when empty).
    pieces: Box<[Piece]>,
}

/// A part of a put-together [`Scalar`]: the bytes `range` of its value are written at `span`
/// (exactly at `content`, when the source text is the value's bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    range: Range<usize>,
    span: Span,
    content: Option<Span>,
}

/// One part of a value put together with [`Scalar::joined`].
#[derive(Debug, Clone)]
pub enum Part<'p> {
    /// Bytes `range` of a written value.
    Written(&'p Scalar, Range<usize>),
    /// Text that is not written anywhere (the `:` kustomize puts between a name and a tag).
    Literal(&'p str),
}

impl Scalar {
    /// A value that is not written but assumed (a controller's default), shown at `span`: the key
    /// that would have held it. Offsets into the value all map onto the whole span.
    pub fn assumed(value: impl Into<String>, span: Span) -> Scalar {
        Scalar {
            value: value.into(),
            span,
            content: None,
            pieces: Box::default(),
        }
    }

    fn from_node(node: Node<'_, '_>) -> Option<Scalar> {
        Some(Scalar {
            value: node.as_str()?.to_owned(),
            span: node.span(),
            content: node.content_span(),
            pieces: Box::default(),
        })
    }

    /// A value put together from parts of written values and literal text, each part mapped back
    /// to where it is written. Its `span` is the first written part's. `None` without one.
    pub fn joined(parts: &[Part<'_>]) -> Option<Scalar> {
        let mut value = String::new();
        let mut pieces = Vec::new();
        for part in parts {
            match part {
                Part::Written(source, range) => {
                    let text = source.value.get(range.clone())?;
                    let start = value.len();
                    value.push_str(text);
                    let (span, content) = match source.content {
                        Some(content) => (content.sub(range.clone()), Some(content.sub(range.clone()))),
                        None => (source.span, None),
                    };
                    pieces.push(Piece {
                        range: start..value.len(),
                        span,
                        content,
                    });
                }
                Part::Literal(text) => value.push_str(text),
            }
        }
        let span = pieces.first()?.span;
        Some(Scalar {
            value,
            span,
            content: None,
            pieces: pieces.into_boxed_slice(),
        })
    }

    /// The span of `range` (byte offsets into the value) in the file, or of the whole value when
    /// escapes or line folding make the value differ from its source text.
    ///
    /// For a put-together value, the range is mapped into the last written part it overlaps (the
    /// tag's, for a range over a name and its tag), or, when it covers only literal text, onto
    /// the written part before it: a parser stops at kustomize's `:` only when what comes before
    /// already has a tag (`newName: app:1.0` with a `newTag`).
    pub fn span_of(&self, range: Range<usize>) -> Span {
        if !self.pieces.is_empty() {
            let overlaps =
                |piece: &&Piece| piece.range.start < range.end.max(range.start + 1) && range.start < piece.range.end;
            let piece = self
                .pieces
                .iter()
                .rev()
                .find(overlaps)
                .or_else(|| self.pieces.iter().rev().find(|piece| piece.range.end <= range.start))
                .or(self.pieces.first());
            let Some(piece) = piece else { return self.span };
            let start = range.start.clamp(piece.range.start, piece.range.end) - piece.range.start;
            let end = range.end.clamp(piece.range.start, piece.range.end) - piece.range.start;
            return match piece.content {
                // Literal text only (a `:`): the whole part before it.
                Some(content) if end <= start && !range.is_empty() => content,
                Some(content) => content.sub(start..end.max(start)),
                None => piece.span,
            };
        }
        match self.content {
            Some(content) => content.sub(range),
            None => self.span,
        }
    }
}

/// A field that should hold a string, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The key is not there.
    Absent,
    /// `key:`, `key: ~` or `key: null`.
    Null {
        span: Span,
    },
    /// A number, boolean, list or mapping where a string belongs; `found` is e.g. "a number".
    NotString {
        span: Span,
        found: &'static str,
    },
    String(Scalar),
}

impl Field {
    pub(crate) fn read(parent: Node<'_, '_>, key: &str) -> Field {
        let Some(node) = parent.get(key) else {
            return Field::Absent;
        };
        match node.scalar_type() {
            // A bare `key:` has no text of its own to point at: point at the key.
            Some(ScalarType::Null) if node.span().is_empty() => Field::Null {
                span: parent.key(key).map_or(node.span(), |k| k.span()),
            },
            Some(ScalarType::Null) => Field::Null { span: node.span() },
            Some(ScalarType::String) => Scalar::from_node(node).map_or(Field::Absent, Field::String),
            // `image: {{ .Values.image }}` loads as a mapping in a mapping: it is a template
            // expression, read as the string it was meant to be.
            _ if node.is_mapping() && node.source().starts_with("{{") => Field::String(Scalar {
                value: node.source().to_owned(),
                span: node.span(),
                content: Some(node.span()),
                pieces: Box::default(),
            }),
            _ => Field::NotString {
                span: node.span(),
                found: node.type_name(),
            },
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Field::String(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// Not written at all, or written as null: what a controller treats as "not set".
    pub fn is_unset(&self) -> bool {
        matches!(self, Field::Absent | Field::Null { .. })
    }
}

/// Which list of a pod spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    InitContainer,
    EphemeralContainer,
    /// Not a container: an entry of a kustomization's `images` list, which rewrites the images of
    /// the containers it matches (see `manifest/kustomize.rs`). It has no pull policy of its own.
    KustomizeImage,
}

impl ContainerKind {
    /// The pod spec key that holds containers of this kind.
    pub fn key(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::InitContainer => "initContainers",
            ContainerKind::EphemeralContainer => "ephemeralContainers",
            ContainerKind::KustomizeImage => "images",
        }
    }
}

/// The pull policies the API server accepts (case matters).
pub const PULL_POLICIES: [&str; 3] = ["Always", "IfNotPresent", "Never"];

/// The placeholder in a pull policy that is not one of the three the API server accepts, nor one
/// of them in other letters (`ALWAYS` is a typo, `invalid-pull-policy`'s).
pub fn pull_policy_placeholder(policy: &str) -> Option<std::ops::Range<usize>> {
    (!PULL_POLICIES.iter().any(|known| known.eq_ignore_ascii_case(policy)))
        .then(|| template::placeholder_in_invalid(policy))
        .flatten()
}

/// Who sets `imagePullPolicy` when it is omitted, and so by which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullPolicyDefault {
    /// The API server: `Always` when the tag, written or implied, is `latest`; else `IfNotPresent`.
    ApiServer,
    /// The WebLogic Kubernetes Operator, for the containers it makes from a Domain's fields:
    /// `Always` when the image string ends in `:latest`, else `IfNotPresent`, so an untagged image
    /// gets `IfNotPresent`. (Domain.md: "Defaults to Always if image ends in :latest;
    /// IfNotPresent, otherwise"; the operator compares the string's suffix.)
    WeblogicOperator,
    /// A controller whose default is not known (a declared kind's image field): no rule judges it.
    Unknown,
    /// Knative Serving, for a revision's containers: the Deployment it makes runs the digest it
    /// resolves the tag to when it creates the revision, and the API server defaults the policy
    /// of a digest to `IfNotPresent`. Images it does not resolve (a digest already, or a registry
    /// it skips) keep the API server's default for the image as written (see `knative`).
    KnativeServing,
}

/// One container (or anything else that names an image the kubelet will pull).
#[derive(Debug, Clone)]
pub struct Container {
    pub kind: ContainerKind,
    pub name: Option<Scalar>,
    /// Path of the container in its object: `spec.template.spec.containers[0]`.
    pub path: String,
    /// The container's whole mapping, for findings about what is missing from it. For an image a
    /// controller adds (a WebLogic Domain's `spec.image`), the key that holds it.
    pub span: Span,
    pub image: Field,
    pub image_pull_policy: Field,
    /// Where a controller or tool puts this image, for images that are not a pod template's own
    /// container; `None` for the containers of a pod template. Boxed: most containers have none.
    pub placement: Option<Box<Placement>>,
    /// The image is not written: `image` holds the controller's default, spanned on `span`.
    pub image_is_default: bool,
    pub pull_policy_default: PullPolicyDefault,
    /// A tool replaces the image at deploy time: it is not judged (see `deploy_time`).
    pub set_at_deploy: Option<DeployTool>,
    /// Only the image's name is known: its tag and digest are those of the images it rewrites (a
    /// kustomize `images` entry that sets `newName` but no `newTag` nor `digest`), so the rules
    /// about tags and digests have nothing to judge.
    pub tag_unknown: bool,
}

/// Where an image that is not a pod template's own container is put: a container a controller adds
/// or makes from its own fields (a WebLogic Domain's), or a kustomize `images` entry.
#[derive(Debug, Clone)]
pub struct Placement {
    /// Where the image is put, in the words its users know: `auxiliary image 1 of domain "sales"`,
    /// `container "log" of the managed server "ms-2" pod`, `images entry "app"`.
    pub place: String,
    /// Said with findings about the image when it is not written as is: `spec.image is omitted;
    /// the operator uses its default …`, or why an absent image is required.
    pub image_note: Option<String>,
    /// For an image put together from several fields (a kustomize `images` entry), each field's
    /// key and where its value is written, so a finding names the field at fault.
    pub image_fields: Vec<(Cow<'static, str>, Span)>,
}

impl Placement {
    /// A placement at `place`, with nothing more to say about its image.
    pub(crate) fn at(place: String) -> Box<Placement> {
        Box::new(Placement {
            place,
            image_note: None,
            image_fields: Vec::new(),
        })
    }
}

impl Container {
    /// A container of a pod template (or of a pod spec that a controller copies as is).
    pub(crate) fn from_pod_spec(
        kind: ContainerKind,
        container: Node<'_, '_>,
        path: String,
        place: Option<String>,
    ) -> Container {
        Container {
            kind,
            name: container.get("name").and_then(Scalar::from_node),
            path,
            span: container.span(),
            image: Field::read(container, "image"),
            image_pull_policy: Field::read(container, "imagePullPolicy"),
            placement: place.map(Placement::at),
            image_is_default: false,
            pull_policy_default: PullPolicyDefault::ApiServer,
            set_at_deploy: None,
            tag_unknown: false,
        }
    }

    /// Where a controller or tool puts the image, for images that are not a pod template's own
    /// container (see [`Placement::place`]).
    pub fn place(&self) -> Option<&str> {
        self.placement.as_deref().map(|placement| placement.place.as_str())
    }

    /// What to say with findings about the image when it is not written as is (see
    /// [`Placement::image_note`]).
    pub fn image_note(&self) -> Option<&str> {
        self.placement.as_deref()?.image_note.as_deref()
    }

    /// Says `note` with findings about the image (see [`Placement::image_note`]). Only an image with
    /// a placement has one: a pod template's own containers are written as is.
    pub(crate) fn note_image(&mut self, note: String) {
        debug_assert!(self.placement.is_some(), "a note for a pod template's own container");
        if let Some(placement) = &mut self.placement {
            placement.image_note = Some(note);
        }
    }

    /// The fields an image put together from several is written in (see [`Placement::image_fields`]);
    /// empty for an image written in one piece.
    pub fn image_fields(&self) -> &[(Cow<'static, str>, Span)] {
        self.placement
            .as_deref()
            .map_or(&[], |placement| placement.image_fields.as_slice())
    }

    /// The container's name for messages and reports: where a controller puts it, else its name,
    /// or its position when it has none.
    pub fn display_name(&self) -> &str {
        if let Some(place) = self.place() {
            return place;
        }
        self.name
            .as_ref()
            .map_or(self.path.as_str(), |name| name.value.as_str())
    }

    pub fn field_path(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The key of the field written at `span`, for an image put together from several fields
    /// (`newTag`), or written under a key of its own (a declared kind's `runnerImage`); `key`
    /// otherwise.
    pub fn key_at<'k>(&'k self, key: &'k str, span: Span) -> &'k str {
        if key != "image" {
            return key;
        }
        self.image_fields()
            .iter()
            .find(|(_, at)| at.start <= span.start && span.end <= at.end)
            .map_or(key, |(field, _)| field)
    }

    /// The policy set when `imagePullPolicy` is omitted, null or empty (see [`PullPolicyDefault`]).
    /// `None` when a policy is written, or when the image does not parse.
    pub fn defaulted_pull_policy(&self) -> Option<&'static str> {
        // A kustomize entry rewrites images whose containers' policies are written elsewhere.
        if self.kind == ContainerKind::KustomizeImage {
            return None;
        }
        match &self.image_pull_policy {
            Field::Absent | Field::Null { .. } => {}
            Field::String(policy) if policy.value.is_empty() => {}
            _ => return None,
        }
        let (image, reference) = self.image_ref()?;
        Some(match self.pull_policy_default {
            PullPolicyDefault::WeblogicOperator if image.value.ends_with(":latest") => "Always",
            PullPolicyDefault::WeblogicOperator => "IfNotPresent",
            PullPolicyDefault::Unknown => return None,
            _ if self.digest_resolution(&reference).is_some() => "IfNotPresent",
            PullPolicyDefault::ApiServer | PullPolicyDefault::KnativeServing => reference.default_pull_policy(),
        })
    }

    /// Who sets the policy when it is omitted, for messages.
    pub fn pull_policy_defaulted_by(&self) -> &'static str {
        match self.pull_policy_default {
            PullPolicyDefault::ApiServer | PullPolicyDefault::KnativeServing => "Kubernetes",
            PullPolicyDefault::WeblogicOperator => "the WebLogic operator",
            PullPolicyDefault::Unknown => "its controller",
        }
    }

    /// For an image whose tag a controller resolves to a digest before any pod pulls it, so that
    /// every pod runs that digest and no node keeps a stale image whatever the pull policy, how it
    /// does (said by the rules about mutable tags); `None` for an image pulled as written.
    pub fn digest_resolution(&self, reference: &ImageRef<'_>) -> Option<&'static str> {
        (self.pull_policy_default == PullPolicyDefault::KnativeServing && knative::resolves_tag(reference))
            .then_some("Knative resolves it to a digest when it creates a revision")
    }

    /// The image and its parsed reference, when it is a string that parses and no tool replaces
    /// it at deploy time.
    pub fn image_ref(&self) -> Option<(&Scalar, ImageRef<'_>)> {
        if self.set_at_deploy.is_some() {
            return None;
        }
        let image = self.image.as_scalar()?;
        Some((image, ImageRef::parse(&image.value).ok()?))
    }
}

/// An `imagePullSecrets` entry of a pod spec.
#[derive(Debug, Clone)]
pub struct PullSecretRef {
    pub shape: PullSecretShape,
    /// The `name` field, for an entry that is an object.
    pub name: Field,
    /// The whole entry.
    pub span: Span,
    /// `spec.template.spec.imagePullSecrets[0]`.
    pub path: String,
}

/// How an `imagePullSecrets` entry is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullSecretShape {
    /// `- name: regcred`, as the API expects.
    Object,
    /// `- regcred`, or a number: the API server cannot decode it.
    NotAnObject { found: &'static str },
    /// `imagePullSecrets` itself is not a list; `span` is the whole value.
    NotAList { found: &'static str },
}

impl PullSecretRef {
    /// The secret's name, for a well-formed entry with a non-empty name that is not a template
    /// placeholder (that is `unrendered-template`'s).
    pub fn secret_name(&self) -> Option<&Scalar> {
        self.name
            .as_scalar()
            .filter(|name| !name.value.is_empty() && template::in_name(&name.value).is_none())
    }
}

/// A `serviceAccountName` as written.
#[derive(Debug, Clone)]
pub struct ServiceAccountField {
    pub name: Scalar,
    /// Its path from the object's root: `spec.template.spec.serviceAccountName`.
    pub path: String,
    /// The file it is written in, when that is not the workload's own (a WebLogic Cluster
    /// resource whose pods fall back to the Domain's service account).
    pub file: Option<Arc<SourceFile>>,
    /// The pods that run as it, in the controller's words (`admin server pod`); empty for the one
    /// pod template of an ordinary workload.
    pub pods: Vec<String>,
}

/// Pods of a workload that run as the same service account, and the images they pull.
///
/// An ordinary workload has one pod template, so one group. The WebLogic operator makes several
/// kinds of pod from one Domain (introspector, admin server, cluster members, managed servers),
/// each with the `serviceAccountName` of its most specific `serverPod` scope; pods that end up
/// with the same account share a group. The pull-secret rules judge each group, because a pod
/// without `imagePullSecrets` of its own gets its service account's.
#[derive(Debug, Clone)]
pub struct PodGroup {
    /// The account's name: written, or `default` (borrowed) when no scope names one.
    pub service_account: Cow<'static, str>,
    /// Where the name is written; empty when it is the implied `default`.
    pub written_at: Vec<ServiceAccountField>,
    /// Which pods these are, in the controller's words; empty for an ordinary workload.
    pub pods: Vec<String>,
    /// The images they pull: indices into [`Workload::containers`].
    pub containers: Vec<usize>,
}

impl PodGroup {
    /// The one group of a workload whose pods all run as one account: its first `containers`
    /// containers, run as the account written at `written`, or `default`.
    pub(crate) fn of_every_container(containers: usize, written: Option<ServiceAccountField>) -> PodGroup {
        PodGroup {
            service_account: written
                .as_ref()
                .map_or(Cow::Borrowed("default"), |w| Cow::Owned(w.name.value.clone())),
            written_at: written.into_iter().collect(),
            pods: Vec::new(),
            containers: (0..containers).collect(),
        }
    }

    /// The group of `groups` whose pods run as the account written at `written` (`default` when
    /// nothing is written), added empty when there is none yet.
    pub(crate) fn of_account<'g>(
        groups: &'g mut Vec<PodGroup>,
        written: Option<&ServiceAccountField>,
    ) -> &'g mut PodGroup {
        let name = written.map_or(Cow::Borrowed("default"), |w| Cow::Owned(w.name.value.clone()));
        let index = match groups.iter().position(|group| group.service_account == name) {
            Some(index) => index,
            None => {
                groups.push(PodGroup {
                    service_account: name,
                    written_at: Vec::new(),
                    pods: Vec::new(),
                    containers: Vec::new(),
                });
                groups.len() - 1
            }
        };
        &mut groups[index]
    }
}

/// Where a workload's pods get their `imagePullSecrets`.
#[derive(Debug, Clone)]
pub enum PodPullSecrets {
    /// From the object itself: [`Workload::image_pull_secrets`].
    Own,
    /// From another object: a WebLogic Cluster resource's pods get those of the Domain that lists
    /// it in `spec.clusters`. Boxed: few workloads have them, and every workload holds this enum.
    From(Box<InheritedPullSecrets>),
    /// From an object that is not among the files checked (a Cluster resource that no scanned
    /// Domain lists): what the pods will get is unknown.
    Unknown,
}

/// The `imagePullSecrets` of the object a workload's pods get theirs from.
#[derive(Debug, Clone)]
pub struct InheritedPullSecrets {
    /// `domain "sales"`.
    pub owner: String,
    pub file: Arc<SourceFile>,
    pub entries: Vec<PullSecretRef>,
}

/// Which top-level values of an object extraction never reads, for [`yaml::load_except`]: all of a
/// CustomResourceDefinition's but its `apiVersion`, `kind` and `metadata`. It is counted as an
/// object and nothing more, and its schema is most of the bytes of the manifests that hold one
/// (10.7 MB of the 17.8 MB of `../shared/corpus`). The schema is still parsed, so its syntax errors
/// and duplicate keys are still reported.
pub fn unread(kind: &str, key: &str) -> bool {
    kind == "CustomResourceDefinition" && !matches!(key, "apiVersion" | "kind" | "metadata")
}

/// A Kubernetes object that runs containers, reduced to what the rules need.
#[derive(Debug, Clone)]
pub struct Workload {
    pub file: Arc<SourceFile>,
    /// Borrowed, not copied, for the kinds and API versions nearly every workload has.
    pub kind: Cow<'static, str>,
    pub api_version: Cow<'static, str>,
    pub name: Option<String>,
    /// `metadata.namespace`, or the configured default namespace when it is not written.
    pub namespace: String,
    pub namespace_is_default: bool,
    /// The object's whole mapping.
    pub span: Span,
    /// Where the pod spec sits in the object: `spec.template.spec` (`spec.serverPod` for the
    /// WebLogic resources, which describe pods without holding a pod spec). Borrowed, for an object
    /// that is not an item of a `List`.
    pub pod_spec_path: Cow<'static, str>,
    /// The object lacks a field the API server requires of it (an `apps/v1` workload without
    /// `spec.selector` or pod template labels), so it cannot be applied as written: it is a
    /// fragment that a tool completes, most often a kustomize patch. Rules about what is missing
    /// stay silent for it; what it does set is still checked.
    pub is_fragment: bool,
    /// The `imagePullSecrets` written in this object.
    pub image_pull_secrets: Vec<PullSecretRef>,
    /// Who lists them: the pod spec, or a controller's object that lists them for the pods it
    /// makes (a WebLogic Domain, an Argo Workflow).
    pub pull_secrets_listed_by: PullSecretsOwner,
    /// Where the pods' pull secrets come from (see [`Workload::pod_image_pull_secrets`]).
    pub pod_pull_secrets: PodPullSecrets,
    /// Registries whose credentials the nodes of the only clusters that run the object hold, so
    /// that its pods pull from them without a pull secret: OpenShift's global pull secret holds
    /// registry.redhat.io's (see `openshift`). Empty for an object any cluster may run.
    pub node_credentials: &'static [&'static str],
    /// Every image the pods pull.
    pub containers: Vec<Container>,
    /// The pods, grouped by service account; every container is in at least one group.
    pub pods: Vec<PodGroup>,
    /// Fields that the object's apiVersion no longer has (a WebLogic v8 field in a v9 Domain).
    pub deprecated_fields: Vec<DeprecatedField>,
    /// What must be joined with other objects once every file is read (WebLogic Domains and their
    /// Cluster resources); `None` for everything else.
    pub links: Option<Box<Links>>,
    /// Parts of the pod spec written in a shape the API server cannot decode.
    pub malformed: Vec<Malformed>,
    /// Rules suppressed for the whole object (`pullcheck.io/ignore`).
    pub suppression: Option<Box<Suppression>>,
}

/// A pod-spec field of the wrong shape (`containers` written as a mapping, say).
#[derive(Debug, Clone)]
pub struct Malformed {
    pub span: Span,
    /// Path from the object's root: `spec.template.spec.containers`.
    pub field: String,
    /// What it must be: "a list", "an object".
    pub expected: &'static str,
    /// What it is: "a mapping", "a string".
    pub found: &'static str,
}

impl Workload {
    /// The object runs no pods: it rewrites the images of other objects (a kustomization, whose
    /// containers are its `images` entries). It has no pull policies, pull secrets nor service
    /// accounts, and is not counted as a workload.
    pub fn rewrites_images(&self) -> bool {
        !self.containers.is_empty() && self.containers.iter().all(|c| c.kind == ContainerKind::KustomizeImage)
    }

    /// Every container whose image is a string that parses, with the image and its reference.
    pub fn images(&self) -> impl Iterator<Item = (&Container, &Scalar, ImageRef<'_>)> {
        self.containers.iter().filter_map(|container| {
            container
                .image_ref()
                .map(|(image, reference)| (container, image, reference))
        })
    }

    /// The `imagePullSecrets` the pods get, with the file they are written in when it is not the
    /// workload's own; `None` when that is unknown.
    pub fn pod_image_pull_secrets(&self) -> Option<(&[PullSecretRef], Option<&Arc<SourceFile>>)> {
        match &self.pod_pull_secrets {
            PodPullSecrets::Own => Some((&self.image_pull_secrets, None)),
            PodPullSecrets::From(from) => Some((&from.entries, Some(&from.file))),
            PodPullSecrets::Unknown => None,
        }
    }

    /// Which of the workload's pods `group` is, for messages: ` (admin server pod, cluster "c1"
    /// pods)`; nothing when every pod runs as the same service account.
    pub fn pods_note(&self, group: &PodGroup) -> String {
        if self.pods.len() < 2 || group.pods.is_empty() {
            String::new()
        } else {
            format!(" ({})", group.pods.join(", "))
        }
    }

    /// Whether the nodes pull from `registry` with credentials of their own (see
    /// [`Workload::node_credentials`]).
    pub fn nodes_log_in_to(&self, registry: &str) -> bool {
        self.node_credentials.contains(&registry)
    }

    /// Who lists the pods' pull secrets: the pod, or an object that lists them for its pods.
    pub fn pull_secrets_owner(&self) -> PullSecretsOwner {
        match &self.pod_pull_secrets {
            PodPullSecrets::From(from) => PullSecretsOwner::Object(from.owner.clone()),
            _ => self.pull_secrets_listed_by.clone(),
        }
    }

    /// Where a pull secret for every pod would be listed, for help texts.
    pub fn pull_secrets_place(&self) -> String {
        match self.pull_secrets_owner() {
            PullSecretsOwner::Pod => "the pod spec".to_owned(),
            PullSecretsOwner::Object(owner) => format!("the spec of {owner}"),
        }
    }
}

/// Who lists a workload's pods' pull secrets, for messages; shown as `the pod` or the object's
/// label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullSecretsOwner {
    /// The pod spec itself.
    Pod,
    /// An object that lists them for the pods it makes, in words: `domain "sales"`.
    Object(String),
}

impl PullSecretsOwner {
    /// `what` of the owner: `the pod's imagePullSecrets`, `the imagePullSecrets of domain "sales"`.
    pub fn possessive(&self, what: &str) -> String {
        match self {
            PullSecretsOwner::Pod => format!("the pod's {what}"),
            PullSecretsOwner::Object(label) => format!("the {what} of {label}"),
        }
    }
}

impl std::fmt::Display for PullSecretsOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PullSecretsOwner::Pod => f.write_str("the pod"),
            PullSecretsOwner::Object(label) => f.write_str(label),
        }
    }
}

/// What extraction found in one file.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Every Kubernetes object (a mapping with a string `apiVersion` and `kind`), workload or not.
    pub objects: usize,
    pub workloads: Vec<Workload>,
    /// Secrets and service accounts, for the inventory.
    pub facts: Vec<Fact>,
    /// Images that a build tool's config among the files (Skaffold, the Azure Developer CLI) sets
    /// at deploy time.
    pub built_images: Vec<(DeployTool, String)>,
    /// The files and folders each kustomization's `images:` apply to.
    pub kustomize_resources: Vec<KustomizeResources>,
    /// Objects of kinds no reader knows that name an image: not checked.
    pub unread_kinds: UnreadKinds,
}

/// How many objects of each kind that no reader knows, and that name an image, were met: their
/// pods' images were not checked. By API version and kind, with where the first one found of
/// each kind holds an image (`spec.template.spec.containers[0].image`), which tells a user what
/// to declare.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnreadKinds(std::collections::BTreeMap<(String, String), (usize, String)>);

/// One kind of [`UnreadKinds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadKind<'k> {
    pub api_version: &'k str,
    pub kind: &'k str,
    pub objects: usize,
    /// Where an image is, in the first object of the kind found.
    pub image_at: &'k str,
}

impl UnreadKinds {
    fn count(&mut self, api_version: &str, kind: &str, image_at: impl FnOnce() -> String) {
        let key = (api_version.to_owned(), kind.to_owned());
        self.0.entry(key).or_insert_with(|| (0, image_at())).0 += 1;
    }

    /// Adds the counts of another file or project.
    pub fn add(&mut self, other: UnreadKinds) {
        for (key, (n, image_at)) in other.0 {
            self.0.entry(key).or_insert((0, image_at)).0 += n;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every kind: the most frequent first, then by kind and API version.
    pub fn by_count(&self) -> Vec<UnreadKind<'_>> {
        let mut kinds: Vec<UnreadKind<'_>> = self
            .0
            .iter()
            .map(|((api_version, kind), (objects, image_at))| UnreadKind {
                api_version,
                kind,
                objects: *objects,
                image_at,
            })
            .collect();
        kinds.sort_by(|a, b| {
            b.objects
                .cmp(&a.objects)
                .then(a.kind.cmp(b.kind))
                .then(a.api_version.cmp(b.api_version))
        });
        kinds
    }

    /// The objects, of every kind.
    pub fn objects(&self) -> usize {
        self.0.values().map(|(n, _)| n).sum()
    }
}

/// Where the first `image` key with a non-empty string value is in `node`, as a path below it
/// (`template.spec.containers[0].image`). The search is bounded: a custom resource's spec is
/// small, and one that is not still cannot make this costly.
fn image_path(node: Node<'_, '_>) -> Option<String> {
    const MAX_DEPTH: usize = 16;
    const MAX_NODES: usize = 4096;
    fn search(node: Node<'_, '_>, depth: usize, budget: &mut usize) -> Option<String> {
        *budget = budget.checked_sub(1)?;
        if node.is_mapping() {
            for (key, value) in node.entries() {
                let key = key.scalar().unwrap_or_default();
                if key == "image" && value.as_str().is_some_and(|image| !image.is_empty()) {
                    return Some(key.to_owned());
                }
                if depth < MAX_DEPTH
                    && let Some(rest) = search(value, depth + 1, budget)
                {
                    let dot = if rest.starts_with('[') { "" } else { "." };
                    return Some(format!("{key}{dot}{rest}"));
                }
            }
        } else if node.is_sequence() && depth < MAX_DEPTH {
            for (i, item) in node.items().enumerate() {
                if let Some(rest) = search(item, depth + 1, budget) {
                    let dot = if rest.starts_with('[') { "" } else { "." };
                    return Some(format!("[{i}]{dot}{rest}"));
                }
            }
        }
        None
    }
    search(node, 0, &mut MAX_NODES.clone())
}

/// Finds every workload among `documents`, with the built-in readers only. Objects without
/// `metadata.namespace` are put in `default_namespace`.
pub fn extract<'s, 'a: 's>(
    documents: impl Iterator<Item = Node<'s, 'a>>,
    file: &Arc<SourceFile>,
    default_namespace: &str,
) -> Extracted {
    extract_with(documents, file, default_namespace, &[])
}

/// Finds every workload among `documents`, reading the `declared` kinds as the configuration
/// says (before the built-in readers). Objects without `metadata.namespace` are put in
/// `default_namespace`.
pub fn extract_with<'s, 'a: 's>(
    documents: impl Iterator<Item = Node<'s, 'a>>,
    file: &Arc<SourceFile>,
    default_namespace: &str,
    declared: &[DeclaredKind],
) -> Extracted {
    let mut extracted = Extracted::default();
    let mut reader = Reader {
        file,
        default_namespace,
        declared,
        seen: HashSet::new(),
    };
    for document in documents {
        reader.object(document, "", 0, &mut extracted);
    }
    // Workloads are kept until every file is read: a vector grown by pushes holds room for four
    // containers where most workloads have one or two, and for up to twice the file's workloads.
    extracted.workloads.shrink_to_fit();
    for workload in &mut extracted.workloads {
        workload.containers.shrink_to_fit();
        workload.image_pull_secrets.shrink_to_fit();
        workload.pods.shrink_to_fit();
        for group in &mut workload.pods {
            group.containers.shrink_to_fit();
        }
    }
    extracted
}

/// What runs once every file of a project is read, before any rule: each reader's joins (a
/// WebLogic Cluster with the Domain that lists it), the marking of kustomize patches as fragments,
/// then that of the images a tool among the files (Skaffold, kustomize, the Azure Developer CLI)
/// sets at deploy time.
pub fn after_every_file(
    workloads: &mut [&mut Workload],
    built: &[(DeployTool, String)],
    kustomizations: &[KustomizeResources],
) -> DeployTimeImages {
    readers::after_every_file(workloads);
    deploy_time::mark_patches(workloads, kustomizations);
    deploy_time::mark_set_at_deploy(workloads, built, kustomizations)
}

/// The key under which an object holds other objects: `items` of a `List` (or `*List`),
/// `objects` of an OpenShift `Template`.
fn members_key(api_version: &str, kind: &str, node: Node<'_, '_>) -> Option<&'static str> {
    if kind == "List" || (kind.ends_with("List") && node.get("items").is_some()) {
        Some("items")
    } else if openshift::is_template(api_version, kind) {
        Some("objects")
    } else {
        None
    }
}

/// How deep `List`s may nest in one another; real ones do not nest at all.
const MAX_LIST_DEPTH: usize = 8;

pub(crate) struct Reader<'r> {
    file: &'r Arc<SourceFile>,
    default_namespace: &'r str,
    /// The kinds the configuration declares.
    declared: &'r [DeclaredKind],
    /// Objects already read: an alias repeats an object, it does not make a new one, and without
    /// this a `List` of aliased `List`s would expand exponentially.
    seen: HashSet<usize>,
}

impl Reader<'_> {
    fn object(&mut self, node: Node<'_, '_>, prefix: &str, depth: usize, out: &mut Extracted) {
        if !self.seen.insert(node.identity()) {
            return;
        }
        let (Some(api_version), Some(kind)) = (
            node.get("apiVersion").and_then(|n| n.as_str()),
            node.get("kind").and_then(|n| n.as_str()),
        ) else {
            // A kustomization file need not say what it is.
            if depth == 0 && !kustomize::read_file(self, node, out) {
                // An Azure Developer CLI project (`azure.yaml`) is not an object either.
                out.built_images.extend(
                    deploy_time::azd_images(node)
                        .into_iter()
                        .map(|image| (DeployTool::Azd, image)),
                );
            }
            return;
        };
        out.objects += 1;
        if let Some(key) = members_key(api_version, kind, node) {
            if depth >= MAX_LIST_DEPTH {
                return;
            }
            let first = out.workloads.len();
            for (i, item) in node.get(key).into_iter().flat_map(|items| items.items()).enumerate() {
                self.object(item, &format!("{prefix}{key}[{i}]."), depth + 1, out);
            }
            // Only OpenShift processes a Template.
            if key == "objects" {
                out.workloads[first..].iter_mut().for_each(openshift::runs_on_openshift);
            }
            return;
        }
        let object = Object {
            node,
            api_version,
            kind,
            prefix,
        };
        if declared::read(self.declared, self, object, out)
            || readers::READERS.iter().any(|reader| (reader.read)(self, object, out))
        {
            return;
        }
        // No reader knows the kind. If it names an image, it most likely runs pods (the custom
        // resource of some controller): count it, so that a run never ends with "no problems"
        // while it skipped what it could not read.
        if let Some(image_at) = node.get("spec").and_then(image_path) {
            out.unread_kinds.count(api_version, kind, || format!("spec.{image_at}"));
        }
    }

    /// A workload with what every object has, and nothing in it yet.
    pub(crate) fn workload(
        &self,
        node: Node<'_, '_>,
        api_version: &str,
        kind: &str,
        pod_spec_path: Cow<'static, str>,
    ) -> Workload {
        let metadata = node.get("metadata");
        let namespace = metadata.and_then(|m| m.get("namespace")).and_then(|n| n.as_str());
        Workload {
            file: Arc::clone(self.file),
            kind: shared(kind, KINDS),
            api_version: shared(api_version, API_VERSIONS),
            name: metadata
                .and_then(|m| m.get("name"))
                .and_then(|n| n.as_str())
                .map(str::to_owned),
            namespace: namespace.unwrap_or(self.default_namespace).to_owned(),
            namespace_is_default: namespace.is_none(),
            span: node.span(),
            pod_spec_path,
            is_fragment: false,
            image_pull_secrets: Vec::new(),
            pull_secrets_listed_by: PullSecretsOwner::Pod,
            pod_pull_secrets: PodPullSecrets::Own,
            node_credentials: &[],
            containers: Vec::new(),
            pods: Vec::new(),
            deprecated_fields: Vec::new(),
            links: None,
            malformed: Vec::new(),
            suppression: suppress::object_suppression(metadata).map(Box::new),
        }
    }

    /// Reads the pull secrets and the containers of the pod spec at `path` into `workload`.
    pub(crate) fn pod_spec(&self, pod_spec: Node<'_, '_>, path: &str, workload: &mut Workload) {
        workload.image_pull_secrets = image_pull_secrets(pod_spec, &format!("{path}.imagePullSecrets"));
        for kind in [
            ContainerKind::InitContainer,
            ContainerKind::Container,
            ContainerKind::EphemeralContainer,
        ] {
            let Some(list) = pod_spec.get(kind.key()) else { continue };
            let list_path = format!("{path}.{}", kind.key());
            if !list.is_sequence() {
                if !list.is_null() {
                    workload.malformed.push(Malformed {
                        span: shape_span(list, pod_spec.key(kind.key())),
                        field: list_path,
                        expected: "a list",
                        found: list.type_name(),
                    });
                }
                continue;
            }
            for (i, container) in list.items().enumerate() {
                if !container.is_mapping() {
                    workload.malformed.push(Malformed {
                        span: container.span(),
                        field: format!("{list_path}[{i}]"),
                        expected: "an object",
                        found: container.type_name(),
                    });
                    continue;
                }
                workload.containers.push(Container::from_pod_spec(
                    kind,
                    container,
                    format!("{list_path}[{i}]"),
                    None,
                ));
            }
        }
        // Pushing one container leaves room for four (1,184 bytes a pod instead of 296).
        workload.containers.shrink_to_fit();
    }
}

/// The mappings of the list at `parent.key`, with their positions in it; entries of another shape
/// are skipped (a reader that must report them, as `invalid-pod-spec`'s, does so itself).
pub(crate) fn mapping_items<'s, 'a>(
    parent: Option<Node<'s, 'a>>,
    key: &str,
) -> impl Iterator<Item = (usize, Node<'s, 'a>)> + 's {
    parent
        .and_then(|parent| parent.get(key))
        .into_iter()
        .flat_map(|list| list.items())
        .enumerate()
        .filter(|(_, item)| item.is_mapping())
}

/// `"name"` of a list entry (a container, a template), or its position when it has none: how a
/// finding names a place in the controller's words (`sidecar "log" of …`, `template 2 of …`).
pub(crate) fn quoted_name(entry: Node<'_, '_>, index: usize) -> String {
    entry
        .get("name")
        .and_then(|name| name.as_str())
        .map_or_else(|| format!("{}", index + 1), |name| format!("\"{name}\""))
}

/// `workflow "ci"`, `workflow "ci-…"` for one whose name is generated from `generateName`, or
/// `the workflow`.
pub(crate) fn object_label(what: &str, object: Node<'_, '_>) -> String {
    let metadata = object.get("metadata");
    let text = |key: &str| {
        metadata
            .and_then(|metadata| metadata.get(key))
            .and_then(|value| value.as_str())
            .filter(|value| !value.is_empty())
    };
    match (text("name"), text("generateName")) {
        (Some(name), _) => format!("{what} \"{name}\""),
        (None, Some(prefix)) => format!("{what} \"{prefix}…\""),
        (None, None) => format!("the {what}"),
    }
}

/// Where to point for a value of the wrong shape: a scalar itself, a collection (which may run
/// over many lines) at its key.
fn shape_span(value: Node<'_, '_>, key: Option<Node<'_, '_>>) -> Span {
    match key {
        Some(key) if value.is_mapping() || value.is_sequence() => key.span(),
        _ => value.span(),
    }
}

/// The `imagePullSecrets` list of `parent`, entry by entry; `path` is the list's own.
pub(crate) fn image_pull_secrets(parent: Node<'_, '_>, path: &str) -> Vec<PullSecretRef> {
    pull_secret_list(parent.get("imagePullSecrets"), path)
}

/// The entries of an `imagePullSecrets` list written at `path`.
pub(crate) fn pull_secret_list(list: Option<Node<'_, '_>>, path: &str) -> Vec<PullSecretRef> {
    match list {
        None => Vec::new(),
        Some(list) if list.is_null() => Vec::new(),
        Some(list) if !list.is_sequence() => vec![PullSecretRef {
            shape: PullSecretShape::NotAList {
                found: list.type_name(),
            },
            name: Field::Absent,
            span: list.span(),
            path: path.to_owned(),
        }],
        Some(list) => list
            .items()
            .enumerate()
            .map(|(i, entry)| PullSecretRef {
                shape: if entry.is_mapping() {
                    PullSecretShape::Object
                } else {
                    PullSecretShape::NotAnObject {
                        found: entry.type_name(),
                    }
                },
                name: Field::read(entry, "name"),
                span: entry.span(),
                path: format!("{path}[{i}]"),
            })
            .collect(),
    }
}

/// The kinds of the objects read as workloads.
const KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "ReplicationController",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
    "Domain",
    "Cluster",
    "Kustomization",
    "Component",
    "Rollout",
    "Workflow",
    "WorkflowTemplate",
];

/// The API versions most workloads are written in.
const API_VERSIONS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "batch/v1beta1",
    "apps/v1beta1",
    "apps/v1beta2",
    "extensions/v1beta1",
    "weblogic.oracle/v9",
    "weblogic.oracle/v8",
    "weblogic.oracle/v1",
    "kustomize.config.k8s.io/v1beta1",
    "kustomize.config.k8s.io/v1alpha1",
    "argoproj.io/v1alpha1",
];

/// `value`, borrowed when it is one of the constants `known`: every workload that is kept until
/// all files are read would otherwise hold its own copy of the same few words.
fn shared(value: &str, known: &[&'static str]) -> Cow<'static, str> {
    match known.iter().find(|known| **known == value) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(value.to_owned()),
    }
}

/// `path` in an object at `prefix` (`items[0].`, for an item of a `List`). An object that is not
/// in a list, as most are, shares the constant rather than holding a copy.
pub(crate) fn prefixed(prefix: &str, path: &'static str) -> Cow<'static, str> {
    if prefix.is_empty() {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(format!("{prefix}{path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    /// What extraction finds in `text`, read as a file of its own.
    pub(super) fn extract_text(text: &str) -> Extracted {
        let file = Arc::new(SourceFile::new("t.yaml", text));
        let stream = yaml::load(file.text());
        extract(stream.documents(), &file, "default")
    }

    #[test]
    fn finds_containers_of_every_kind_in_a_cronjob() {
        let text = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: ops}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: runner
          imagePullSecrets: [{name: regcred}]
          containers:
          - name: main
            image: busybox:1.36
            imagePullPolicy: Always
          initContainers:
          - name: setup
            image: alpine
";
        let extracted = extract_text(text);
        assert_eq!(extracted.objects, 1);
        let [workload] = extracted.workloads.as_slice() else {
            panic!()
        };
        assert_eq!(workload.namespace, "ops");
        assert_eq!(workload.name.as_deref(), Some("nightly"));
        assert_eq!(workload.pod_spec_path, "spec.jobTemplate.spec.template.spec");
        assert_eq!(workload.pods[0].service_account, "runner");
        assert_eq!(
            workload.pods[0].written_at[0].path,
            "spec.jobTemplate.spec.template.spec.serviceAccountName"
        );
        assert_eq!(
            workload.image_pull_secrets[0].name.as_scalar().unwrap().value,
            "regcred"
        );
        let paths: Vec<_> = workload.containers.iter().map(|c| c.field_path("image")).collect();
        assert_eq!(
            paths,
            [
                "spec.jobTemplate.spec.template.spec.initContainers[0].image",
                "spec.jobTemplate.spec.template.spec.containers[0].image"
            ]
        );
        let image = workload.containers[1].image.as_scalar().unwrap();
        assert_eq!(&text[image.span.range()], "busybox:1.36");
    }

    #[test]
    fn lists_and_default_namespace() {
        let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a}
  spec: {containers: [{name: c, image: \"nginx\"}]}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: b}
";
        let extracted = extract_text(text);
        assert_eq!(extracted.objects, 3);
        let [pod] = extracted.workloads.as_slice() else {
            panic!()
        };
        assert_eq!(pod.namespace, "default");
        assert!(pod.namespace_is_default);
        assert_eq!(pod.containers[0].path, "items[0].spec.containers[0]");
        let image = pod.containers[0].image.as_scalar().unwrap();
        assert_eq!(&text[image.span_of(1..3).range()], "gi");
    }

    #[test]
    fn the_words_most_workloads_share_are_borrowed() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {spec: {containers: [{image: x}]}}}\n";
        let extracted = extract_text(text);
        let workload = &extracted.workloads[0];
        assert!(matches!(workload.kind, Cow::Borrowed("Deployment")));
        assert!(matches!(workload.api_version, Cow::Borrowed("apps/v1")));
        assert!(matches!(workload.pod_spec_path, Cow::Borrowed("spec.template.spec")));
        assert!(matches!(workload.pods[0].service_account, Cow::Borrowed("default")));

        let listed = format!("apiVersion: v1\nkind: List\nitems:\n- {}", text.replace('\n', "\n  "));
        let extracted = extract_text(&listed);
        let workload = &extracted.workloads[0];
        assert_eq!(workload.pod_spec_path, "items[0].spec.template.spec");
        assert!(matches!(workload.kind, Cow::Borrowed("Deployment")));
    }

    #[test]
    fn aliased_lists_do_not_multiply_objects() {
        let mut text = String::from(
            "apiVersion: v1\nkind: List\nitems:\n- &l0 {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: a, image: nginx}]}}\n",
        );
        for i in 1..10 {
            let refs = vec![format!("*l{}", i - 1); 10].join(", ");
            text.push_str(&format!("- &l{i} {{apiVersion: v1, kind: List, items: [{refs}]}}\n"));
        }
        let extracted = extract_text(&text);
        assert_eq!(extracted.workloads.len(), 1);
        assert_eq!(extracted.objects, 11);
    }

    #[test]
    fn custom_kinds_that_name_an_image_are_counted_as_unread() {
        let extracted = extract_text(
            "apiVersion: rollouts.example.com/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: hashicorp/http-echo}]\n---\napiVersion: rollouts.example.com/v1alpha1\nkind: Rollout\nmetadata: {name: r2}\nspec: {workloadRef: {kind: Deployment, name: d}}\n---\napiVersion: example.com/v1\nkind: Runner\nmetadata: {name: k}\nspec: {template: {spec: {containers: [{image: \"gcr.io/k/hello\"}]}}}\n---\napiVersion: rollouts.example.com/v1alpha1\nkind: Rollout\nmetadata: {name: r3}\nspec: {template: {spec: {containers: [{image: \"argoproj/load-tester:latest\"}]}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {image: nginx}\n",
        );
        assert!(extracted.workloads.is_empty());
        let kinds: Vec<(&str, &str, usize, &str)> = extracted
            .unread_kinds
            .by_count()
            .into_iter()
            .map(|k| (k.api_version, k.kind, k.objects, k.image_at))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "rollouts.example.com/v1alpha1",
                    "Rollout",
                    2,
                    "spec.template.spec.containers[0].image"
                ),
                ("example.com/v1", "Runner", 1, "spec.template.spec.containers[0].image")
            ]
        );
        assert_eq!(extracted.unread_kinds.objects(), 3);
    }

    #[test]
    fn non_objects_and_custom_kinds_are_skipped() {
        let text = "replicaCount: 1\nimage: {repository: nginx}\n---\napiVersion: example.com/v1\nkind: Job\nspec: {template: {spec: {containers: [{image: x}]}}}\n";
        let extracted = extract_text(text);
        assert_eq!(extracted.objects, 1);
        assert!(extracted.workloads.is_empty());
    }

    #[test]
    fn apps_v1_objects_without_selector_or_template_labels_are_fragments() {
        let complete = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: a, image: x}]}\n";
        let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ui}\nspec:\n  template:\n    spec: {containers: [{name: ui}]}\n";
        let no_labels = complete.replace("    metadata: {labels: {app: a}}\n", "");
        let old_api = patch.replace("apps/v1", "extensions/v1beta1");
        let fragment = |text: &str| extract_text(text).workloads[0].is_fragment;
        assert!(!fragment(complete));
        assert!(fragment(patch));
        assert!(fragment(&no_labels));
        // Older APIs defaulted the selector from the template's labels.
        assert!(!fragment(&old_api));
    }

    #[test]
    fn wrong_types_are_kept_for_the_rules() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: 1.0\n    imagePullPolicy:\n  - name: b\n";
        let extracted = extract_text(text);
        let containers = &extracted.workloads[0].containers;
        assert!(matches!(
            containers[0].image,
            Field::NotString { found: "a number", .. }
        ));
        assert!(matches!(containers[0].image_pull_policy, Field::Null { .. }));
        assert_eq!(containers[1].image, Field::Absent);
    }
}
