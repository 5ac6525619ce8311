//! Image catalogs: which repositories and tags exist in a registry, from what the registry's tools
//! print, for `unknown-image-tag` and `unknown-image-repository`.
//!
//! An inventory lists catalog files (`images.catalogs`), each in one of the formats tools print,
//! told apart by its content:
//! - the registry API's `GET /v2/<name>/tags/list` (distribution spec, "Listing Tags"):
//!   `{"name": "team/app", "tags": ["1.0", …]}`, whose name has no registry, so the entry says
//!   which (`registry:`);
//! - `skopeo list-tags docker://REPOSITORY`: `{"Repository": "registry.example.com/team/app",
//!   "Tags": [...]}`;
//! - one reference per line, `repository:tag` or `repository@digest`: what `docker images --format
//!   '{{.Repository}}:{{.Tag}}'`, `crane ls --full-ref REPOSITORY` or `ibmcloud cr images --format
//!   '{{.Repository}}:{{.Tag}}'` print (`<none>` entries, blank lines and `#` comments skipped).
//!
//! Repositories are kept normalised (`nginx` is `docker.io/library/nginx`), with their tags and the
//! digests a line gave. `images.complete` names registries or path prefixes whose every repository
//! is in the catalogs, which makes a repository missing from them an error.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::image::ImageRef;
use crate::settings::edit_distance;

/// What the catalogs say exists.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// By normalised repository (`registry.example.com/team/app`).
    repositories: BTreeMap<String, Repository>,
    /// Registries or path prefixes (normalised) whose every repository is listed, with the file
    /// that says so.
    complete: Vec<(String, String)>,
}

/// One repository of a catalog.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Repository {
    pub tags: BTreeSet<String>,
    pub digests: BTreeSet<String>,
    /// The catalog file that lists it (the first, when several do).
    pub source: String,
}

/// Why a catalog file cannot be read: a message, and the line and column it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Deserialize)]
struct RegistryApiTags {
    name: String,
    tags: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SkopeoTags {
    repository: String,
    tags: Option<Vec<String>>,
}

impl Catalog {
    /// Adds what a catalog file (`source`, for messages) holds; `registry` is the registry of a
    /// registry API listing.
    pub fn add_file(&mut self, source: &str, text: &str, registry: Option<&str>) -> Result<(), CatalogError> {
        let at_start = |message: String| CatalogError {
            line: 1,
            column: 1,
            message,
        };
        if text.trim_start().starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(text).map_err(|e| CatalogError {
                line: e.line(),
                column: e.column(),
                message: "invalid JSON".to_owned(),
            })?;
            if value.get("Repository").is_some() {
                let tags: SkopeoTags = serde_json::from_value(value)
                    .map_err(|_| at_start("a skopeo listing needs a string Repository and a list of Tags".into()))?;
                return self
                    .add_tags(source, &tags.repository, tags.tags.unwrap_or_default())
                    .map_err(at_start);
            }
            let tags: RegistryApiTags = serde_json::from_value(value).map_err(|_| {
                at_start("a catalog in JSON is the registry API's tags list ({\"name\", \"tags\"}) or skopeo list-tags' ({\"Repository\", \"Tags\"})".into())
            })?;
            let Some(registry) = registry else {
                return Err(at_start(format!(
                    "the registry API names the repository \"{}\" without its registry: give the catalog entry a `registry:`",
                    tags.name
                )));
            };
            let repository = format!("{}/{}", registry.trim_end_matches('/'), tags.name);
            return self
                .add_tags(source, &repository, tags.tags.unwrap_or_default())
                .map_err(at_start);
        }
        for (number, line) in text.lines().enumerate() {
            let written = line.trim();
            if written.is_empty() || written.starts_with('#') || written.contains("<none>") {
                continue;
            }
            let reference = ImageRef::parse(written).map_err(|error| CatalogError {
                line: number + 1,
                column: line.len() - line.trim_start().len() + 1,
                message: format!("\"{written}\" is not an image reference: {error}"),
            })?;
            let entry = self.repository(source, &reference);
            match (reference.tag(), reference.digest()) {
                (_, Some(digest)) => entry.digests.insert(digest.to_owned()),
                (Some(tag), None) => entry.tags.insert(tag.to_owned()),
                (None, None) => {
                    return Err(CatalogError {
                        line: number + 1,
                        column: 1,
                        message: format!("\"{written}\" has no tag nor digest: a catalog line names one image"),
                    });
                }
            };
        }
        Ok(())
    }

    fn add_tags(&mut self, source: &str, repository: &str, tags: Vec<String>) -> Result<(), String> {
        let reference =
            ImageRef::parse(repository).map_err(|error| format!("\"{repository}\" is not a repository: {error}"))?;
        self.repository(source, &reference).tags.extend(tags);
        Ok(())
    }

    fn repository(&mut self, source: &str, reference: &ImageRef<'_>) -> &mut Repository {
        self.repositories
            .entry(reference.normalized_name())
            .or_insert_with(|| Repository {
                source: source.to_owned(),
                ..Repository::default()
            })
    }

    /// Declares every repository under `prefix` (a registry, or a registry and path prefix) listed.
    pub fn add_complete(&mut self, prefix: &str, source: &str) -> Result<(), String> {
        let reference = ImageRef::parse(prefix.trim_end_matches('/'))
            .map_err(|error| format!("\"{prefix}\" is not a registry or repository prefix: {error}"))?;
        let normalised = if prefix.contains('/') {
            reference.normalized_name()
        } else {
            // A bare host (`registry.example.com`) parses as a Docker Hub name: take it as written.
            prefix.to_owned()
        };
        self.complete.push((normalised, source.to_owned()));
        Ok(())
    }

    /// Adds another catalog (another inventory file's).
    pub fn merge(&mut self, other: Catalog) {
        for (name, repository) in other.repositories {
            let entry = self.repositories.entry(name).or_insert_with(|| Repository {
                source: repository.source.clone(),
                ..Repository::default()
            });
            entry.tags.extend(repository.tags);
            entry.digests.extend(repository.digests);
        }
        self.complete.extend(other.complete);
    }

    pub fn is_empty(&self) -> bool {
        self.repositories.is_empty() && self.complete.is_empty()
    }

    /// The catalog's entry for the image's repository.
    pub fn repository_of(&self, reference: &ImageRef<'_>) -> Option<&Repository> {
        self.repositories.get(&reference.normalized_name())
    }

    /// The prefix declared complete that covers the image's repository, and who declares it.
    pub fn complete_prefix(&self, reference: &ImageRef<'_>) -> Option<(&str, &str)> {
        let repository = reference.normalized_name();
        self.complete
            .iter()
            .find(|(prefix, _)| {
                repository
                    .strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .map(|(prefix, source)| (prefix.as_str(), source.as_str()))
    }

    /// The repositories listed under `prefix`.
    pub fn repositories_under<'c>(&'c self, prefix: &'c str) -> impl Iterator<Item = &'c str> + 'c {
        self.repositories
            .keys()
            .map(String::as_str)
            .filter(move |name| name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')))
    }
}

/// The existing tags closest to `wanted`, best first: for a version (`1.2.4`, `v2.0`), the
/// nearest existing versions below and above it with as many numbers; else the tags one or two
/// edits away (`latestt` → `latest`).
pub fn closest_tags<'t>(wanted: &str, tags: &'t BTreeSet<String>) -> Vec<&'t str> {
    if let Some(wanted) = version(wanted) {
        let mut versions: Vec<(Vec<u64>, &str)> = tags
            .iter()
            .filter_map(|tag| Some((version(tag)?, tag.as_str())))
            .filter(|(numbers, _)| numbers.len() == wanted.len())
            .collect();
        versions.sort();
        let below = versions.iter().rev().find(|(numbers, _)| *numbers < wanted);
        let above = versions.iter().find(|(numbers, _)| *numbers > wanted);
        let near: Vec<&str> = below.into_iter().chain(above).map(|(_, tag)| *tag).collect();
        if !near.is_empty() {
            return near;
        }
    }
    tags.iter()
        .map(String::as_str)
        .filter(|tag| edit_distance(wanted, tag) <= 2)
        .take(3)
        .collect()
}

/// The numbers of a version tag (`v1.2.3` → [1, 2, 3]); `None` for other tags.
fn version(tag: &str) -> Option<Vec<u64>> {
    let numbers = tag.strip_prefix('v').unwrap_or(tag);
    numbers.split('.').map(|part| part.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn the_closest_tags_are_the_neighbouring_versions_or_near_spellings() {
        let existing = tags(&["1.2.3", "1.3.0", "1.10.0", "2.0", "latest", "stable"]);
        assert_eq!(closest_tags("1.2.4", &existing), ["1.2.3", "1.3.0"]);
        assert_eq!(closest_tags("1.11.0", &existing), ["1.10.0"]);
        assert_eq!(closest_tags("v1.2.4", &existing), ["1.2.3", "1.3.0"]);
        assert_eq!(closest_tags("latestt", &existing), ["latest"]);
        assert!(closest_tags("nightly", &existing).is_empty());
    }

    #[test]
    fn every_format_is_read_into_normalised_repositories() {
        let mut catalog = Catalog::default();
        catalog
            .add_file(
                "api.json",
                r#"{"name":"team/app","tags":["1.0","1.1"]}"#,
                Some("registry.example.com:5000"),
            )
            .unwrap();
        catalog
            .add_file(
                "skopeo.json",
                r#"{"Repository":"docker.io/library/nginx","Tags":["1.27.0"]}"#,
                None,
            )
            .unwrap();
        catalog
            .add_file("lines.txt", "# docker images\nbusybox:1.36\n<none>:<none>\nghcr.io/a/b@sha256:1111111111111111111111111111111111111111111111111111111111111111\n", None)
            .unwrap();
        let get = |image: &str| catalog.repository_of(&ImageRef::parse(image).unwrap()).cloned();
        assert_eq!(
            get("registry.example.com:5000/team/app:9").unwrap().tags,
            tags(&["1.0", "1.1"])
        );
        assert_eq!(get("nginx").unwrap().source, "skopeo.json");
        assert_eq!(get("docker.io/library/busybox").unwrap().tags, tags(&["1.36"]));
        assert_eq!(get("ghcr.io/a/b:1").unwrap().digests.len(), 1);
        assert!(get("ghcr.io/a/c:1").is_none());

        let error = catalog
            .add_file("x.json", r#"{"name":"team/app","tags":[]}"#, None)
            .unwrap_err();
        assert!(error.message.contains("`registry:`"), "{error:?}");
        let error = catalog
            .add_file("x.txt", "busybox:1.36\n  not a ref\n", None)
            .unwrap_err();
        assert_eq!((error.line, error.column), (2, 3));
        let error = catalog.add_file("x.txt", "busybox\n", None).unwrap_err();
        assert!(error.message.contains("no tag nor digest"), "{error:?}");
        let error = catalog.add_file("x.json", "{\"name\": ", None).unwrap_err();
        assert_eq!(error.message, "invalid JSON");
    }

    #[test]
    fn a_complete_prefix_covers_the_repositories_under_it() {
        let mut catalog = Catalog::default();
        catalog
            .add_complete("registry.example.com/team", "inventory.yaml")
            .unwrap();
        catalog.add_complete("quay.io", "inventory.yaml").unwrap();
        let covered = |image: &str| {
            catalog
                .complete_prefix(&ImageRef::parse(image).unwrap())
                .map(|(p, _)| p.to_owned())
        };
        assert_eq!(
            covered("registry.example.com/team/app:1").as_deref(),
            Some("registry.example.com/team")
        );
        assert_eq!(covered("registry.example.com/teams/app:1"), None);
        assert_eq!(covered("quay.io/x/y:1").as_deref(), Some("quay.io"));
        assert_eq!(covered("nginx:1"), None);
    }
}
