//! `.pullcheck.yaml`: rule severities, registry policy, images pre-loaded on the nodes and the
//! default namespace.
//!
//! The file is found from the working directory upward (from the file's directory, for the standard
//! input named with `--stdin-filename` or an editor's buffer), or named with `--config`. It is read with
//! the same spanned YAML loader as manifests, so a mistake in it (an unknown key, an unknown rule
//! id, a bad severity) is reported at its line and column. Paths written in it are relative to it.
//! What is not configured keeps its default; a missing file is the same as an empty one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostic::Severity;
use crate::inventory;
use crate::manifest::{DeclaredKind, FieldPath};
use crate::registry::{BUILT_IN_DEPRECATED, BUILT_IN_PRIVATE, RegistryPattern};
use crate::settings::{self, FieldReader, SettingsError, SettingsKind};
use crate::source::SourceFile;
use crate::yaml::{self, Node};

/// The file name looked for from the working directory upward.
pub const FILE_NAME: &str = ".pullcheck.yaml";

#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from; `None` when no file was found.
    pub path: Option<PathBuf>,
    /// The namespace of objects that do not name one.
    pub default_namespace: String,
    /// Severities set in the file, by rule id; `None` turns a rule off.
    severities: HashMap<&'static str, Option<Severity>>,
    /// When set, images must come from one of these registries.
    pub allowed_registries: Option<Vec<RegistryPattern>>,
    /// Frozen or moved registries and their successors: the file's entries, then the built-in ones.
    pub deprecated_registries: Vec<(RegistryPattern, String)>,
    /// Registries where every pull needs credentials: their images need a covering pull secret.
    /// The file's entries, then the built-in ones unless `registries.builtInPrivate: false`.
    pub private_registries: Vec<RegistryPattern>,
    /// How many of `private_registries`, from the first, the file declares: a login is certain
    /// there, whatever the built-in knowledge says of the same pattern.
    pub declared_private_registries: usize,
    /// Inventory files, resolved against the configuration file's directory.
    pub inventory: Vec<PathBuf>,
    /// Files and directories of manifests whose Secrets and ServiceAccounts are known in every run,
    /// as if they were among the files checked (so they declare no namespace), resolved like
    /// `inventory`: what pre-commit, which passes only the changed files, needs to see.
    pub inventory_manifests: Vec<PathBuf>,
    /// `images.local`: images loaded on every node rather than pulled from a registry.
    pub local_images: LocalImages,
    /// `kinds`: custom resources the file declares, and where their images are.
    pub kinds: Vec<DeclaredKind>,
}

/// An `images.local` entry: a glob over an image's repository name as written (registry and path,
/// without the tag or digest). `*` and `?` stay within one `/`-separated component, `[…]` is a
/// character class; matching is case-sensitive, as image names are.
#[derive(Debug, Clone)]
pub struct LocalImagePattern {
    pattern: String,
}

/// The characters that make a pattern a glob rather than a name.
const GLOB_METACHARACTERS: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

fn glob_of(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

impl LocalImagePattern {
    pub fn parse(pattern: &str) -> Result<LocalImagePattern, String> {
        if pattern.is_empty() {
            return Err("an image pattern must not be empty".to_owned());
        }
        // A `:` in the last component starts a tag (one before a `/` is a registry port).
        let last_component = pattern.rfind('/').map_or(0, |slash| slash + 1);
        let tag = pattern[last_component..].find(':').map(|colon| last_component + colon);
        if let Some(suffix) = pattern.find('@').into_iter().chain(tag).min() {
            return Err(format!(
                "image pattern \"{pattern}\" has a tag or digest; patterns match the name only (\"{}\")",
                &pattern[..suffix]
            ));
        }
        glob_of(pattern)
            .map_err(|error| format!("image pattern \"{pattern}\" is not a valid glob: {}", error.kind()))?;
        Ok(LocalImagePattern {
            pattern: pattern.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

/// The `images.local` patterns, matched without one automaton per pattern (a compiled glob each
/// cost 8 KB; 80,000 patterns took 570 MB): names without a glob character through a hash map,
/// `name*` prefixes through another, and the other globs through [`GlobSet`]s of at most
/// [`GLOBS_PER_SET`] each (one set of tens of thousands of globs exceeds the regex size limit).
#[derive(Debug, Clone, Default)]
pub struct LocalImages {
    patterns: Vec<LocalImagePattern>,
    /// The first pattern of each literal name.
    literals: HashMap<String, usize>,
    /// The first pattern of each `prefix*` (the prefix without glob characters).
    prefixes: HashMap<String, usize>,
    /// Each set with the patterns its globs are.
    globs: Vec<(GlobSet, Vec<usize>)>,
}

const GLOBS_PER_SET: usize = 1000;

impl LocalImages {
    pub fn new(patterns: Vec<LocalImagePattern>) -> Result<LocalImages, String> {
        let mut literals = HashMap::new();
        let mut prefixes = HashMap::new();
        let mut others = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let text = pattern.as_str();
            if !text.contains(GLOB_METACHARACTERS) {
                literals.entry(text.to_owned()).or_insert(i);
            } else if let Some(prefix) = text.strip_suffix('*')
                && !prefix.contains(GLOB_METACHARACTERS)
            {
                prefixes.entry(prefix.to_owned()).or_insert(i);
            } else {
                others.push(i);
            }
        }
        let mut globs = Vec::new();
        for chunk in others.chunks(GLOBS_PER_SET) {
            let mut set = GlobSetBuilder::new();
            for &i in chunk {
                set.add(glob_of(patterns[i].as_str()).map_err(|error| error.to_string())?);
            }
            let set = set.build().map_err(|error| format!("images.local: {error}"))?;
            globs.push((set, chunk.to_vec()));
        }
        Ok(LocalImages {
            patterns,
            literals,
            prefixes,
            globs,
        })
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The first pattern, in the order written, that matches `name`, an image's repository name
    /// as written (`frontend`, `localhost/app`).
    pub fn matching(&self, name: &str) -> Option<&LocalImagePattern> {
        let literal = self.literals.get(name).copied();
        // `prefix*`: the `*` matches the rest of the last component, so the prefix ends there.
        let last_component = name.rfind('/').map_or(0, |slash| slash + 1);
        let prefix = (last_component..=name.len())
            .filter(|&end| name.is_char_boundary(end))
            .filter_map(|end| self.prefixes.get(&name[..end]).copied())
            .min();
        let glob = (self.globs.iter())
            .flat_map(|(set, indices)| set.matches(name).into_iter().map(|i| indices[i]))
            .min();
        literal
            .into_iter()
            .chain(prefix)
            .chain(glob)
            .min()
            .map(|i| &self.patterns[i])
    }
}

impl Config {
    /// The `private_registries` that match an image's registry and path, each with whether it is
    /// built in (rather than declared by the file).
    pub fn private_registries_of<'c>(
        &'c self,
        registry: &'c str,
        path: &'c str,
    ) -> impl Iterator<Item = (&'c RegistryPattern, bool)> + 'c {
        self.private_registries
            .iter()
            .enumerate()
            .filter(move |(_, pattern)| pattern.matches(registry, path))
            .map(|(i, pattern)| (pattern, i >= self.declared_private_registries))
    }

    /// The `images.local` pattern that covers the image whose repository name, as written, is
    /// `name`.
    pub fn local_image(&self, name: &str) -> Option<&LocalImagePattern> {
        self.local_images.matching(name)
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            path: None,
            default_namespace: "default".to_owned(),
            severities: HashMap::new(),
            allowed_registries: None,
            deprecated_registries: BUILT_IN_DEPRECATED
                .iter()
                .map(|&(old, new)| {
                    let pattern = RegistryPattern::parse(old).expect("built-in registry patterns are valid");
                    (pattern, new.to_owned())
                })
                .collect(),
            private_registries: built_in_private(),
            declared_private_registries: 0,
            inventory: Vec::new(),
            inventory_manifests: Vec::new(),
            local_images: LocalImages::default(),
            kinds: Vec::new(),
        }
    }
}

fn built_in_private() -> Vec<RegistryPattern> {
    BUILT_IN_PRIVATE
        .iter()
        .map(|(pattern, _)| RegistryPattern::parse(pattern).expect("built-in registry patterns are valid"))
        .collect()
}

impl Config {
    /// The severity the file sets for the rule `id`, when it sets one (`Some(None)`: off).
    pub fn severity_set(&self, id: &str) -> Option<Option<Severity>> {
        self.severities.get(id).copied()
    }

    /// Sets a rule's severity, over the file's (`--select`, `--ignore`); `None` turns it off.
    pub fn set_severity(&mut self, id: &'static str, severity: Option<Severity>) {
        self.severities.insert(id, severity);
    }

    /// Finds `.pullcheck.yaml` in `start` or the nearest directory above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Where to start discovering the configuration of `file`, which may exist only in an editor
    /// (an unsaved buffer): its directory, resolved to a real absolute path so that discovery can go
    /// above the working directory, when that directory exists.
    pub fn discovery_start(file: &Path) -> Option<PathBuf> {
        let directory = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        directory.canonicalize().ok().filter(|directory| directory.is_dir())
    }

    /// Reads a configuration file. `rule_ids` are the ids a `rules:` entry may name.
    pub fn load(path: &Path, rule_ids: &[&'static str]) -> Result<Config, SettingsError> {
        let file = settings::read_file(path, SettingsKind::Configuration)?;
        let mut config = Config::parse(&file, rule_ids)?;
        let base = path.parent().unwrap_or(Path::new(""));
        for inventory in config.inventory.iter_mut().chain(&mut config.inventory_manifests) {
            *inventory = base.join(&*inventory);
        }
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// Reads configuration from text already in memory. Inventory paths are left as written.
    /// `rule_ids` are the ids a `rules:` entry may name.
    pub fn parse(file: &Arc<SourceFile>, rule_ids: &[&'static str]) -> Result<Config, SettingsError> {
        let reader = FieldReader::new(SettingsKind::Configuration, file);
        let stream = yaml::load(file.text());
        reader.no_problems(&stream)?;
        let mut config = Config::default();
        let mut documents = stream.documents();
        let Some(root) = documents.next() else {
            return Ok(config);
        };
        if let Some(extra) = documents.next() {
            return Err(reader.error(
                extra.span(),
                "the configuration must be a single YAML document".into(),
                None,
            ));
        }
        for (key, value) in reader.mapping(root, "the configuration")? {
            match key.scalar().unwrap_or_default() {
                "defaultNamespace" => {
                    let namespace = reader.string(value, "defaultNamespace")?;
                    if let Some(problem) = inventory::namespace_name_problem(namespace) {
                        return Err(reader.error(value.span(), format!("defaultNamespace: {problem}"), None));
                    }
                    config.default_namespace = namespace.to_owned();
                }
                "rules" => {
                    for (id_node, severity) in reader.mapping(value, "rules")? {
                        let written = id_node.scalar().unwrap_or_default();
                        let Some(id) = rule_ids.iter().copied().find(|id| *id == written) else {
                            let help = match settings::likely_meant(written, rule_ids) {
                                Some(likely) => format!("did you mean `{likely}`?"),
                                None => "`pullcheck rules` lists every rule id".to_owned(),
                            };
                            return Err(reader.error(
                                id_node.span(),
                                format!("unknown rule \"{written}\""),
                                Some(help),
                            ));
                        };
                        config.severities.insert(id, severity_of(&reader, severity)?);
                    }
                }
                "registries" => registries(&reader, value, &mut config)?,
                "images" => images(&reader, value, &mut config)?,
                "kinds" => config.kinds = kinds(&reader, value)?,
                "inventory" => {
                    config.inventory = reader
                        .list(value, "inventory")?
                        .map(|item| reader.string(item, "an inventory path").map(PathBuf::from))
                        .collect::<Result<_, _>>()?;
                }
                "inventoryManifests" => {
                    config.inventory_manifests = reader
                        .list(value, "inventoryManifests")?
                        .map(|item| reader.string(item, "a manifest path").map(PathBuf::from))
                        .collect::<Result<_, _>>()?;
                }
                _ => {
                    return Err(reader.unknown_key(
                        key,
                        "",
                        &[
                            "defaultNamespace",
                            "rules",
                            "registries",
                            "images",
                            "kinds",
                            "inventory",
                            "inventoryManifests",
                        ],
                    ));
                }
            }
        }
        Ok(config)
    }
}

fn severity_of(reader: &FieldReader<'_>, node: Node<'_, '_>) -> Result<Option<Severity>, SettingsError> {
    match node.as_str() {
        Some("error") => Ok(Some(Severity::Error)),
        Some("warning") => Ok(Some(Severity::Warning)),
        Some("info") => Ok(Some(Severity::Info)),
        Some("off") => Ok(None),
        // `off` unquoted is a YAML 1.1 boolean; accept `false` and `off` alike.
        _ if node
            .scalar()
            .is_some_and(|s| matches!(s, "off" | "Off" | "OFF" | "false")) =>
        {
            Ok(None)
        }
        _ => Err(reader.error(
            node.span(),
            format!("unknown severity \"{}\"", node.scalar().unwrap_or("")),
            Some("use one of: error, warning, info, off".into()),
        )),
    }
}

fn patterns(reader: &FieldReader<'_>, node: Node<'_, '_>, what: &str) -> Result<Vec<RegistryPattern>, SettingsError> {
    reader.list(node, what)?.map(|item| pattern(reader, item)).collect()
}

fn pattern(reader: &FieldReader<'_>, node: Node<'_, '_>) -> Result<RegistryPattern, SettingsError> {
    RegistryPattern::parse(reader.string(node, "a registry")?)
        .map_err(|e| reader.error(node.span(), e.to_string(), None))
}

fn registries(reader: &FieldReader<'_>, node: Node<'_, '_>, config: &mut Config) -> Result<(), SettingsError> {
    let mut private = Vec::new();
    let mut with_built_in = true;
    for (key, value) in reader.mapping(node, "registries")? {
        match key.scalar().unwrap_or_default() {
            "allowed" => config.allowed_registries = Some(patterns(reader, value, "registries.allowed")?),
            "private" => private = patterns(reader, value, "registries.private")?,
            "builtInPrivate" => with_built_in = reader.boolean(value, "registries.builtInPrivate")?,
            "deprecated" => {
                let mut entries = Vec::new();
                for (old, new) in reader.mapping(value, "registries.deprecated")? {
                    entries.push((
                        pattern(reader, old)?,
                        reader.string(new, "a successor registry")?.to_owned(),
                    ));
                }
                // The file's entries come first, so they win over a built-in one for the same host.
                entries.append(&mut config.deprecated_registries);
                config.deprecated_registries = entries;
            }
            _ => {
                return Err(reader.unknown_key(
                    key,
                    "registries.",
                    &["allowed", "builtInPrivate", "deprecated", "private"],
                ));
            }
        }
    }
    config.declared_private_registries = private.len();
    if with_built_in {
        private.extend(built_in_private());
    }
    config.private_registries = private;
    Ok(())
}

fn images(reader: &FieldReader<'_>, node: Node<'_, '_>, config: &mut Config) -> Result<(), SettingsError> {
    for (key, value) in reader.mapping(node, "images")? {
        match key.scalar().unwrap_or_default() {
            "local" => {
                let patterns = reader
                    .list(value, "images.local")?
                    .map(|item| {
                        LocalImagePattern::parse(reader.string(item, "an image pattern")?)
                            .map_err(|message| reader.error(item.span(), message, None))
                    })
                    .collect::<Result<_, _>>()?;
                config.local_images =
                    LocalImages::new(patterns).map_err(|message| reader.error(value.span(), message, None))?;
            }
            _ => return Err(reader.unknown_key(key, "images.", &["local"])),
        }
    }
    Ok(())
}

/// The keys of a `kinds` entry that say where images are, and what each names.
const PLACES: [&str; 4] = ["podTemplates", "podSpecs", "containers", "images"];

/// `kinds`: the custom resources the file declares (see `manifest/declared.rs`).
fn kinds(reader: &FieldReader<'_>, node: Node<'_, '_>) -> Result<Vec<DeclaredKind>, SettingsError> {
    let mut kinds: Vec<DeclaredKind> = Vec::new();
    for entry in reader.list(node, "kinds")? {
        let declared = declared_kind(reader, entry)?;
        if kinds
            .iter()
            .any(|k| k.kind == declared.kind && k.api_version == declared.api_version)
        {
            return Err(reader.error(
                entry.span(),
                format!("{} ({}) is declared twice", declared.kind, declared.api_version),
                None,
            ));
        }
        kinds.push(declared);
    }
    Ok(kinds)
}

fn declared_kind(reader: &FieldReader<'_>, entry: Node<'_, '_>) -> Result<DeclaredKind, SettingsError> {
    let mut declared = DeclaredKind::default();
    let paths = |value: Node<'_, '_>, what: &str| -> Result<Vec<FieldPath>, SettingsError> {
        reader.list(value, what)?.map(|item| field_path(reader, item)).collect()
    };
    for (key, value) in reader.mapping(entry, "a kinds entry")? {
        match key.scalar().unwrap_or_default() {
            "apiVersion" => {
                let api_version = reader.string(value, "apiVersion")?;
                let group = api_version.rsplit_once('/').map(|(group, _)| group);
                match group {
                    None | Some("") => {
                        return Err(reader.error(
                            value.span(),
                            format!(
                                "apiVersion \"{api_version}\" must be group/version (or group/* for every version)"
                            ),
                            Some("Kubernetes' own kinds are read without a declaration".into()),
                        ));
                    }
                    Some("apps" | "batch" | "extensions") => {
                        return Err(reader.error(
                            value.span(),
                            format!("{api_version} is Kubernetes' own API: its kinds are read without a declaration"),
                            None,
                        ));
                    }
                    Some(_) => declared.api_version = api_version.to_owned(),
                }
            }
            "kind" => declared.kind = reader.string(value, "kind")?.to_owned(),
            "podTemplates" => declared.pod_templates = paths(value, "podTemplates")?,
            "podSpecs" => declared.pod_specs = paths(value, "podSpecs")?,
            "containers" => declared.containers = paths(value, "containers")?,
            "images" => declared.images = paths(value, "images")?,
            "imagePullSecrets" => declared.image_pull_secrets = Some(field_path(reader, value)?),
            "serviceAccountName" => declared.service_account_name = Some(field_path(reader, value)?),
            _ => {
                return Err(reader.unknown_key(
                    key,
                    "kinds[].",
                    &[
                        "apiVersion",
                        "kind",
                        "podTemplates",
                        "podSpecs",
                        "containers",
                        "images",
                        "imagePullSecrets",
                        "serviceAccountName",
                    ],
                ));
            }
        }
    }
    let missing = |what: &str| {
        reader.error(
            entry.span(),
            format!("a kinds entry needs {what}"),
            Some(format!(
                "declare apiVersion, kind, and at least one of {}",
                PLACES.join(", ")
            )),
        )
    };
    if declared.api_version.is_empty() {
        return Err(missing("an apiVersion"));
    }
    if declared.kind.is_empty() {
        return Err(missing("a kind"));
    }
    let places = [
        &declared.pod_templates,
        &declared.pod_specs,
        &declared.containers,
        &declared.images,
    ];
    if places.iter().all(|paths| paths.is_empty()) {
        return Err(missing("a place where images are"));
    }
    Ok(declared)
}

fn field_path(reader: &FieldReader<'_>, node: Node<'_, '_>) -> Result<FieldPath, SettingsError> {
    FieldPath::parse(reader.string(node, "a field path")?).map_err(|message| reader.error(node.span(), message, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, SettingsError> {
        const RULE_IDS: &[&str] = &["unpinned-image-digest", "latest-image-tag", "missing-image"];
        Config::parse(&Arc::new(SourceFile::new(".pullcheck.yaml", text)), RULE_IDS)
    }

    #[test]
    fn declared_kinds_are_read_and_bad_declarations_point_at_the_fault() {
        let config = parse(
            "kinds:\n  - apiVersion: ci.acme.example/*\n    kind: Runner\n    podTemplates: [spec.template]\n    images: [spec.agent]\n    imagePullSecrets: spec.pullSecrets\n",
        )
        .unwrap();
        let [runner] = config.kinds.as_slice() else {
            panic!("{:?}", config.kinds)
        };
        assert!(runner.matches("ci.acme.example/v2", "Runner"));
        assert!(!runner.matches("other.example/v1", "Runner"));
        assert!(runner.image_pull_secrets.is_some());

        // (text, the text the error points at, words of its message)
        let cases = [
            (
                "kinds:\n  - apiVersion: v1\n    kind: Pod\n    podSpecs: [spec]\n",
                "v1",
                "group/version",
            ),
            (
                "kinds:\n  - apiVersion: apps/v1\n    kind: Deployment\n    podSpecs: [spec]\n",
                "apps/v1",
                "Kubernetes' own",
            ),
            (
                "kinds:\n  - apiVersion: a.example/v1\n    kind: A\n    podSpecs: [spec..template]\n",
                "spec..template",
                "empty key",
            ),
            (
                "kinds:\n  - apiVersion: a.example/v1\n    kind: A\n    containers:\n      - spec.jobs[0].containers\n",
                "spec.jobs[0].containers",
                "not an index",
            ),
            (
                "kinds:\n  - apiVersion: a.example/v1\n    kind: A\n    podTemplate: [spec.template]\n",
                "podTemplate",
                "unknown key",
            ),
            (
                "kinds:\n  - apiVersion: a.example/v1\n    kind: A\n",
                "apiVersion: a.example/v1\n    kind: A",
                "a place where images are",
            ),
            (
                "kinds:\n  - kind: A\n    images: [spec.image]\n",
                "kind: A\n    images: [spec.image]",
                "an apiVersion",
            ),
            (
                "kinds:\n  - {apiVersion: a.example/v1, kind: A, images: [spec.image]}\n  - {apiVersion: a.example/v1, kind: A, images: [spec.x]}\n",
                "{apiVersion: a.example/v1, kind: A, images: [spec.x]}",
                "declared twice",
            ),
        ];
        for (text, at, words) in cases {
            let error = parse(text).unwrap_err();
            let span = error.span.expect("an error at a place");
            assert_eq!(&text[span.range()], at, "{text}");
            assert!(error.message.contains(words), "{text}: {}", error.message);
        }
    }

    #[test]
    fn declared_private_registries_are_told_from_built_in_ones() {
        let built_in = |config: &Config| -> Vec<bool> {
            config
                .private_registries_of("iad.ocir.io", "tenancy/app")
                .map(|(_, built_in)| built_in)
                .collect()
        };
        assert_eq!(built_in(&Config::default()), [true]);
        // Written exactly as the built-in entry, it is the file's own: a login is certain.
        let declared = parse("registries:\n  private: [\"*.ocir.io\"]\n").unwrap();
        assert_eq!(built_in(&declared), [false, true]);
    }

    #[test]
    fn built_in_private_registries_can_be_left_out() {
        let private = |text: &str| -> Vec<String> {
            parse(text)
                .unwrap()
                .private_registries
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        assert_eq!(private("rules: {}\n").len(), BUILT_IN_PRIVATE.len());
        assert_eq!(
            private("registries:\n  builtInPrivate: false\n  private: [ghcr.io/acme]\n"),
            ["ghcr.io/acme"]
        );
        assert!(private("registries:\n  builtInPrivate: false\n").is_empty());
        let error = parse("registries:\n  builtInPrivate: maybe\n").unwrap_err();
        assert!(error.message.contains("must be true or false"), "{}", error.message);
    }

    #[test]
    fn reads_every_key() {
        let config = parse(
            "defaultNamespace: apps\nrules:\n  unpinned-image-digest: error\n  latest-image-tag: off\nregistries:\n  allowed: [\"*.icr.io\", docker.io/library]\n  deprecated: {old.example.com: new.example.com}\n  private: [\"*.icr.io\"]\ninventory: [inventory/apps.yaml]\ninventoryManifests: [deploy]\nimages:\n  local: [domain1-image, \"my-*\"]\n",
        )
        .unwrap();
        assert_eq!(config.default_namespace, "apps");
        assert_eq!(
            config.severity_set("unpinned-image-digest"),
            Some(Some(Severity::Error))
        );
        assert_eq!(config.severity_set("latest-image-tag"), Some(None));
        assert_eq!(config.severity_set("missing-image"), None);
        assert_eq!(config.allowed_registries.as_ref().unwrap().len(), 2);
        assert_eq!(config.deprecated_registries[0].1, "new.example.com");
        assert_eq!(config.deprecated_registries.len(), BUILT_IN_DEPRECATED.len() + 1);
        assert!(config.private_registries[0].matches("us.icr.io", "x"));
        assert_eq!(config.private_registries.len(), 1 + BUILT_IN_PRIVATE.len());
        assert_eq!(config.inventory, [PathBuf::from("inventory/apps.yaml")]);
        assert_eq!(config.inventory_manifests, [PathBuf::from("deploy")]);
        assert_eq!(config.local_images.len(), 2);
        assert_eq!(
            config.local_image("domain1-image").map(|p| p.as_str()),
            Some("domain1-image")
        );
        assert_eq!(config.local_image("my-app").map(|p| p.as_str()), Some("my-*"));
    }

    #[test]
    fn local_image_patterns_match_the_name_as_written() {
        struct One(LocalImages);
        impl One {
            fn matches(&self, name: &str) -> bool {
                self.0.matching(name).is_some()
            }
        }
        let pattern = |text: &str| One(LocalImages::new(vec![LocalImagePattern::parse(text).unwrap()]).unwrap());
        assert!(pattern("frontend").matches("frontend"));
        assert!(!pattern("frontend").matches("frontend2"));
        assert!(!pattern("frontend").matches("docker.io/library/frontend"));
        assert!(pattern("my-*").matches("my-app"));
        assert!(!pattern("my-*").matches("your-app"));
        // `*` stays within a path component.
        assert!(!pattern("my-*").matches("my-team/app"));
        assert!(pattern("my-*/*").matches("my-team/app"));
        assert!(pattern("localhost:5000/*").matches("localhost:5000/app"));
        assert!(pattern("app-?").matches("app-1"));
        assert!(!pattern("App").matches("app"));
        for bad in [
            "",
            "frontend:1.2",
            "my-*:latest",
            "app@sha256:abc",
            "localhost:5000/app:1",
            "a[b",
        ] {
            assert!(LocalImagePattern::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn many_local_image_patterns_answer_with_the_first_that_matches() {
        // Generated: literal names, `prefix*` globs and other globs, more than one set holds.
        let mut text = String::from("images:\n  local:\n");
        for i in 0..3000 {
            text.push_str(&format!(
                "    - \"team-{i}/app-[ab]\"\n    - \"team-{i}/web-*\"\n    - team-{i}/db\n"
            ));
        }
        text.push_str("    - \"*\"\n    - \"team-7/*\"\n");
        let config = parse(&text).unwrap();
        assert_eq!(config.local_images.len(), 9002);
        let matching = |name: &str| config.local_image(name).map(LocalImagePattern::as_str);
        assert_eq!(matching("team-2999/app-b"), Some("team-2999/app-[ab]"));
        assert_eq!(matching("team-2999/app-c"), None);
        assert_eq!(matching("team-5/web-"), Some("team-5/web-*"));
        assert_eq!(matching("team-5/web-x/y"), None);
        assert_eq!(matching("team-5/db"), Some("team-5/db"));
        // Written later, `team-7/*` loses to the earlier patterns that match, wins over none.
        assert_eq!(matching("team-7/db"), Some("team-7/db"));
        assert_eq!(matching("team-7/other"), Some("team-7/*"));
        assert_eq!(matching("anything"), Some("*"));
        assert_eq!(matching("team-3000/db"), None);
    }

    #[test]
    fn empty_file_is_the_default() {
        let config = parse("# nothing yet\n").unwrap();
        assert_eq!(config.default_namespace, "default");
        assert!(config.allowed_registries.is_none());
    }

    #[test]
    fn mistakes_point_at_the_value() {
        for (text, message, at) in [
            ("rulez: {}\n", "unknown key \"rulez\"", "rulez"),
            (
                "rules:\n  no-such-rule: error\n",
                "unknown rule \"no-such-rule\"",
                "no-such-rule",
            ),
            (
                "rules:\n  missing-image: fatal\n",
                "unknown severity \"fatal\"",
                "fatal",
            ),
            (
                "registries:\n  allowed: quay.io\n",
                "registries.allowed must be a list, found a string",
                "quay.io",
            ),
            (
                "registries:\n  allowed: [\"https://quay.io\"]\n",
                "must not have a scheme",
                "\"https",
            ),
            (
                "registries:\n  privat: []\n",
                "unknown key \"registries.privat\"",
                "privat",
            ),
            (
                "inventory: inv.yaml\n",
                "inventory must be a list, found a string",
                "inv.yaml",
            ),
            (
                "defaultNamespace: [a]\n",
                "defaultNamespace must be a string, found a list",
                "[a]",
            ),
            ("rules: [a\n", "invalid YAML", ""),
            (
                "images:\n  local: frontend\n",
                "images.local must be a list, found a string",
                "frontend",
            ),
            (
                "images:\n  local: [frontend, 1]\n",
                "an image pattern must be a string, found a number",
                "1]",
            ),
            (
                "images:\n  local: [\"frontend:1.2\"]\n",
                "has a tag or digest; patterns match the name only (\"frontend\")",
                "\"frontend:1.2\"",
            ),
            ("images:\n  locals: []\n", "unknown key \"images.locals\"", "locals"),
            ("images: [a]\n", "images must be a mapping, found a list", "[a]"),
            (
                "defaultNamespace: 'Bad_NS!'\n",
                "defaultNamespace: \"Bad_NS!\" is not a valid namespace name",
                "'Bad_NS!'",
            ),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.message.contains(message), "{text:?}: {}", error.message);
            let span = error.span.unwrap();
            assert!(text[span.start..].starts_with(at), "{text:?}: error at {span:?}");
        }
    }
}
