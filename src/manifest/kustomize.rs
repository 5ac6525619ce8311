//! Kustomize `images:` entries: the reference each one makes kustomize write into the containers
//! it matches, so that the image and registry rules judge it where it is written.
//!
//! What is read: a document of a file named `kustomization.yaml`, `kustomization.yml` or
//! `Kustomization` (the names kustomize looks for) that does not say it is something else; any
//! document with `apiVersion: kustomize.config.k8s.io/…` and `kind: Kustomization` or
//! `Component` (components take `images:` too); and Flux's `Kustomization`
//! (`kustomize.toolkit.fluxcd.io/…`), whose `spec.images` has the same fields and is applied by
//! the kustomize-controller the same way, on top of whatever the path's kustomization does.
//!
//! How kustomize rewrites an image (`api/filters/imagetag`, checked with `kubectl kustomize`
//! v5.5.0): an entry matches the images whose name is `name`; the name becomes `newName` when it
//! is set; `newTag` replaces the tag AND drops any digest; `digest` replaces the digest AND drops
//! any tag; both give `name:newTag@digest`. An empty field counts as unset; a field that is not a
//! string (`newTag: 1.10`, a YAML number) stops the build ("cannot unmarshal number"). When only
//! `newName` is set (or `tagSuffix`, which appends to the tag), the tag and digest stay those
//! written in the manifests.
//!
//! The model: a kustomization becomes one [`Workload`] (kind `Kustomization`, or `Component`)
//! marked by [`Workload::rewrites_images`], whose containers are its entries
//! ([`ContainerKind::KustomizeImage`]): each holds the reference the entry produces, as a
//! [`Scalar`] put together from the written fields (`newName` + `:` + `newTag` + `@` + `digest`),
//! so that an offset into the reference maps back into the field it comes from: a `latest` tag
//! is underlined in `newTag`, a bad host in `newName`. The entries flow through
//! [`Workload::images`], so every rule over images covers them unchanged. What is decided:
//!
//! - An entry that sets none of `newName`, `newTag` and `digest` (or has no `name`) changes no
//!   reference, and is not checked: the manifests' images are checked where they are written.
//! - An entry with a placeholder to substitute before use does not say what is deployed. In a name
//!   (`newName: CONTAINER_IMAGES_REGISTRY/ad`) it makes the reference invalid, and
//!   `unrendered-template` reports it; a tag or digest of upper-case letters, digits and `_` with a
//!   `_` (`newTag: CONTAINER_IMAGES_TAG`) would pass for a real one, and the entry is not checked.
//! - An entry that keeps the manifests' tag (only `newName`) is checked for its name alone
//!   (validity, registry rules) and marked [`Container::tag_unknown`]: `missing-image-tag` and
//!   `unpinned-image-digest` have nothing to judge there. So `missing-image-tag` never fires on an
//!   entry: an entry either sets a tag or digest, or keeps the manifest's, which is judged in the
//!   manifest.
//! - Without `newName`, the name is `name` up to its first `:` or `@` (after its first `/`), as
//!   kustomize splits the matched image.
//! - Pod rules have nothing to judge: an entry has no pull policy (the pull-policy rules and the
//!   policy notes in messages stay silent), the workload has no pods, pull secrets nor service
//!   accounts.
//!
//! Not modelled: whether `name` matches any image (kustomize matches it as a regular expression
//! against images that may be in a remote base), and `images` of other tools (Argo CD's
//! `kustomize.images` strings).

use std::path::Path;

use super::readers::Object;
use super::{
    Container, ContainerKind, Extracted, Field, Part, Placement, PullPolicyDefault, Reader, Scalar, Workload,
    deploy_time,
};
use crate::yaml::Node;

/// The file names kustomize reads a kustomization from.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

const KUSTOMIZE_GROUP: &str = "kustomize.config.k8s.io/";
const FLUX_GROUP: &str = "kustomize.toolkit.fluxcd.io/";

/// The fields of an entry that must be strings, in the order a problem is reported.
const FIELDS: [&str; 5] = ["name", "newName", "newTag", "digest", "tagSuffix"];

/// Whether `path` names a file kustomize reads a kustomization from.
pub(crate) fn is_kustomization_file(path: &str) -> bool {
    Path::new(path)
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| FILE_NAMES.contains(&name))
}

/// Reads a document of a kustomization file that lacks `apiVersion` or `kind` (kustomize needs
/// neither), when the rest does not say it is something else; says whether it was one.
pub(super) fn read_file(reader: &Reader<'_>, node: Node<'_, '_>, out: &mut Extracted) -> bool {
    let Some((api_version, kind)) = file_kind(reader, node) else {
        return false;
    };
    out.workloads
        .extend(read(reader, node, api_version, kind, "", Some(node)));
    out.kustomize_resources
        .push(deploy_time::kustomize_resources(reader.file, node));
    true
}

/// The API version and kind of a kustomization file's document, when it is one.
fn file_kind<'n>(reader: &Reader<'_>, node: Node<'n, '_>) -> Option<(&'n str, &'n str)> {
    let name = Path::new(&reader.file.path).file_name()?.to_str()?;
    if !FILE_NAMES.contains(&name) || !node.is_mapping() {
        return None;
    }
    let kind = match node.get("kind").map(|n| n.as_str()) {
        None => "Kustomization",
        Some(Some(kind @ ("Kustomization" | "Component"))) => kind,
        Some(_) => return None,
    };
    let api_version = match node.get("apiVersion").map(|n| n.as_str()) {
        None => "",
        Some(Some(api_version)) if api_version.starts_with(KUSTOMIZE_GROUP) => api_version,
        Some(_) => return None,
    };
    Some((api_version, kind))
}

/// Reads an object that is a kustomization (kustomize's, or Flux's): its `images` entries, and
/// the files they apply to.
pub(super) fn read_object(reader: &Reader<'_>, object: Object<'_, '_, '_>, out: &mut Extracted) -> bool {
    let Object {
        node,
        api_version,
        kind,
        prefix,
    } = object;
    let workload = if api_version.starts_with(KUSTOMIZE_GROUP) && matches!(kind, "Kustomization" | "Component") {
        read(reader, node, api_version, kind, prefix, Some(node))
    } else if api_version.starts_with(FLUX_GROUP) && kind == "Kustomization" {
        read(
            reader,
            node,
            api_version,
            kind,
            &format!("{prefix}spec."),
            node.get("spec"),
        )
    } else {
        return false;
    };
    // The files it names are recorded even when it rewrites no image: its patches are fragments.
    out.workloads.extend(workload);
    out.kustomize_resources
        .push(deploy_time::kustomize_resources(reader.file, node));
    true
}

/// The workload of a kustomization whose `images` list is in `parent` (at `prefix`); `None` when
/// no entry changes a reference.
fn read(
    reader: &Reader<'_>,
    node: Node<'_, '_>,
    api_version: &str,
    kind: &str,
    prefix: &str,
    parent: Option<Node<'_, '_>>,
) -> Option<Workload> {
    let images = parent?.get("images").filter(|list| list.is_sequence())?;
    let mut workload = reader.workload(node, api_version, kind, prefix.trim_end_matches('.').to_owned().into());
    workload.containers = images
        .items()
        .enumerate()
        .filter_map(|(i, item)| entry(item, format!("{prefix}images[{i}]"), i))
        .collect();
    (!workload.containers.is_empty()).then_some(workload)
}

/// The reference an entry produces, or `None` when it changes none.
fn entry(entry: Node<'_, '_>, path: String, index: usize) -> Option<Container> {
    if !entry.is_mapping() {
        return None;
    }
    let fields = FIELDS.map(|key| (key, Field::read(entry, key)));
    let written = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, field)| field.as_scalar())
            .filter(|value| !value.value.is_empty())
    };
    let name = written("name");
    let mut container = Container {
        kind: ContainerKind::KustomizeImage,
        name: name.cloned(),
        span: entry.span(),
        image: Field::Absent,
        image_pull_policy: Field::Absent,
        placement: Some(Box::new(Placement {
            place: match name {
                Some(name) => format!("images entry \"{}\"", name.value),
                None => format!("images entry {}", index + 1),
            },
            image_note: None,
            image_fields: fields
                .iter()
                .filter_map(|(key, field)| match field {
                    Field::String(value) => Some(((*key).into(), value.span)),
                    Field::NotString { span, .. } | Field::Null { span } => Some(((*key).into(), *span)),
                    Field::Absent => None,
                })
                .collect(),
        })),
        image_is_default: false,
        pull_policy_default: PullPolicyDefault::ApiServer,
        set_at_deploy: None,
        tag_unknown: false,
        path,
    };
    // Kustomize cannot read the kustomization, so nothing is built.
    if let Some((_, Field::NotString { span, found })) = fields
        .iter()
        .find(|(_, field)| matches!(field, Field::NotString { .. }))
    {
        container.image = Field::NotString { span: *span, found };
        return Some(container);
    }
    let name = name?;
    let (new_name, new_tag, digest) = (written("newName"), written("newTag"), written("digest"));
    if new_name.is_none() && new_tag.is_none() && digest.is_none() {
        return None;
    }
    // A placeholder name makes an invalid reference, which `unrendered-template` reports; a
    // placeholder tag or digest would pass for a real one.
    if [new_tag, digest]
        .into_iter()
        .flatten()
        .any(|value| is_placeholder(&value.value))
    {
        return None;
    }
    let mut parts = vec![match new_name {
        Some(new_name) => Part::Written(new_name, 0..new_name.value.len()),
        None => Part::Written(name, 0..name_len(&name.value)),
    }];
    if let Some(tag) = new_tag {
        parts.extend([Part::Literal(":"), Part::Written(tag, 0..tag.value.len())]);
    }
    if let Some(digest) = digest {
        parts.extend([Part::Literal("@"), Part::Written(digest, 0..digest.value.len())]);
    }
    if let Some(new_name) = new_name
        && name_len(&new_name.value) < new_name.value.len()
    {
        container.note_image("newName holds a tag or digest, and kustomize appends another".to_owned());
    } else if new_tag.is_none() && digest.is_none() {
        container.note_image("keeps the manifests' tag".to_owned());
    }
    container.tag_unknown = new_tag.is_none() && digest.is_none();
    container.image = Scalar::joined(&parts).map_or(Field::Absent, Field::String);
    Some(container)
}

/// Whether `text` is a placeholder that a script substitutes before use (`CONTAINER_IMAGES_TAG`):
/// upper-case letters, digits and `_`, with a letter first and at least one `_`.
fn is_placeholder(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_uppercase())
        && text.contains('_')
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// How much of `name` is the image's name: up to the first `:` or `@` after its first `/` (or
/// from its start), as kustomize splits an image into name, tag and digest.
fn name_len(name: &str) -> usize {
    let from = name.find('/').filter(|&slash| slash > 0).unwrap_or(0);
    name[from..].find([':', '@']).map_or(name.len(), |end| from + end)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::{Extracted, extract};
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml;

    fn extract_file(path: &str, text: &str) -> Extracted {
        let file = Arc::new(SourceFile::new(path, text));
        let stream = yaml::load(file.text());
        extract(stream.documents(), &file, "default")
    }

    /// Each entry's produced reference, `?` after it when the tag is the manifests'.
    fn references(path: &str, text: &str) -> Vec<String> {
        extract_file(path, text)
            .workloads
            .iter()
            .flat_map(|w| &w.containers)
            .map(|c| match &c.image {
                Field::String(image) => format!("{}{}", image.value, if c.tag_unknown { "?" } else { "" }),
                other => format!("{other:?}"),
            })
            .collect()
    }

    const ENTRIES: &str = "\
images:
- {name: nginx, newName: ghcr.io/x/nginx}
- {name: redis, newTag: \"7\"}
- {name: busybox, digest: \"sha256:aaaa\"}
- {name: alpine, newTag: \"3.19\", digest: \"sha256:bbbb\"}
- {name: \"tagged:1.0\", newTag: \"3\"}
- {name: \"localhost:5000/app\", newTag: \"2\"}
- {name: untouched}
- {name: suffixed, tagSuffix: -x}
- {name: empty, newName: \"\", newTag: \"\"}
- {newTag: \"1\"}
";

    #[test]
    fn entries_produce_what_kustomize_writes() {
        // As `kubectl kustomize` (v5.5.0) rewrote `nginx:1.0`, `redis@sha256:…`, `busybox:1.2@sha256:…`,
        // `alpine`, `tagged:1.0`.
        assert_eq!(
            references("kustomization.yaml", ENTRIES),
            [
                "ghcr.io/x/nginx?",
                "redis:7",
                "busybox@sha256:aaaa",
                "alpine:3.19@sha256:bbbb",
                "tagged:3",
                "localhost:5000/app:2",
            ]
        );
    }

    #[test]
    fn what_is_a_kustomization() {
        let entries = "images: [{name: a, newTag: \"1\"}]\n";
        assert_eq!(references("deploy/kustomization.yml", entries), ["a:1"]);
        assert_eq!(references("Kustomization", entries), ["a:1"]);
        // Not by file name alone: another kind of object, or another file.
        assert!(references("values.yaml", entries).is_empty());
        let other = format!("kind: Deployment\n{entries}");
        assert!(references("kustomization.yaml", &other).is_empty());
        // With apiVersion and kind, in any file, for kustomizations and components.
        for head in [
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        ] {
            assert_eq!(references("any.yaml", &format!("{head}{entries}")), ["a:1"]);
        }
        let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\nspec:\n  images: [{name: a, newTag: \"1\"}]\n";
        let extracted = extract_file("clusters/apps.yaml", flux);
        let [workload] = extracted.workloads.as_slice() else {
            panic!()
        };
        assert!(workload.rewrites_images());
        assert_eq!(workload.containers[0].field_path("newTag"), "spec.images[0].newTag");
        // Flux's Kustomization has no top-level images.
        let top_level =
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nimages: [{name: a, newTag: \"1\"}]\n";
        assert!(references("x.yaml", top_level).is_empty());
    }

    #[test]
    fn offsets_map_into_the_field_they_come_from() {
        let text = "images:\n- name: registry.k8s.io/pause\n  newTag: latest\n- name: app\n  newName: k8s.gcr.io/app\n  digest: 'sha256:cc'\n";
        let extracted = extract_file("kustomization.yaml", text);
        let containers = &extracted.workloads[0].containers;
        let at = |c: usize, range: std::ops::Range<usize>| {
            let image = containers[c].image.as_scalar().unwrap();
            let span = image.span_of(range);
            (&text[span.range()], containers[c].key_at("image", span))
        };
        // registry.k8s.io/pause:latest
        assert_eq!(at(0, 0..15), ("registry.k8s.io", "name"));
        assert_eq!(at(0, 22..28), ("latest", "newTag"));
        // The `:` is kustomize's: it maps onto what comes before it.
        assert_eq!(at(0, 21..22), ("registry.k8s.io/pause", "name"));
        assert_eq!(at(0, 22..22), ("", "newTag"));
        assert_eq!(at(0, 28..28), ("", "newTag"));
        // A range over name and tag maps into the tag.
        assert_eq!(at(0, 0..28), ("latest", "newTag"));
        // k8s.gcr.io/app@sha256:cc
        assert_eq!(at(1, 0..10), ("k8s.gcr.io", "newName"));
        assert_eq!(at(1, 15..24), ("sha256:cc", "digest"));
    }

    #[test]
    fn a_field_that_is_not_a_string_is_kept_for_the_rules() {
        let extracted = extract_file("kustomization.yaml", "images:\n- name: nginx\n  newTag: 1.10\n");
        let container = &extracted.workloads[0].containers[0];
        let Field::NotString { span, found } = container.image else {
            panic!("{:?}", container.image)
        };
        assert_eq!(found, "a number");
        assert_eq!(container.key_at("image", span), "newTag");
    }

    #[test]
    fn entries_with_placeholder_tags_are_not_checked() {
        // A placeholder name stays, for `unrendered-template`; a placeholder tag would pass.
        let text = "images:\n- {name: ad, newName: CONTAINER_IMAGES_REGISTRY/ad}\n- {name: ad, newTag: IMAGE_TAG}\n- {name: ad, newName: REGISTRY/ad, newTag: \"1.2\"}\n- {name: ad, newName: Registry.Example.com/ad}\n";
        assert_eq!(
            references("kustomization.yaml", text),
            [
                "CONTAINER_IMAGES_REGISTRY/ad?",
                "REGISTRY/ad:1.2",
                "Registry.Example.com/ad?"
            ]
        );
        assert!(!is_placeholder("_X") && !is_placeholder("ABC") && !is_placeholder("A_b"));
    }

    #[test]
    fn kustomize_splits_a_name_after_its_first_slash() {
        assert_eq!(name_len("nginx"), 5);
        assert_eq!(name_len("nginx:1.0"), 5);
        assert_eq!(name_len("nginx@sha256:aa"), 5);
        assert_eq!(name_len("localhost:5000/app"), 18);
        assert_eq!(name_len("localhost:5000/app:1"), 18);
        assert_eq!(name_len("/x:1"), 2);
        assert_eq!(name_len(""), 0);
    }
}
