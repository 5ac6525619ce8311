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

use globset::{GlobBuilder, GlobMatcher};

use crate::diagnostic::Severity;
use crate::registry::{BUILT_IN_DEPRECATED, BUILT_IN_PRIVATE, RegistryPattern};
use crate::rules::{self, Rule};
use crate::source::{SourceFile, Span};
use crate::yaml::{self, LoadProblem, Node, ScalarType};

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
    /// Inventory files, resolved against the configuration file's directory.
    pub inventory: Vec<PathBuf>,
    /// Files and directories of manifests whose Secrets and ServiceAccounts are known in every run,
    /// as if they were among the files checked (so they declare no namespace), resolved like
    /// `inventory`: what pre-commit, which passes only the changed files, needs to see.
    pub inventory_manifests: Vec<PathBuf>,
    /// `images.local`: images loaded on every node rather than pulled from a registry.
    pub local_images: Vec<LocalImagePattern>,
}

/// An `images.local` entry: a glob over an image's repository name as written (registry and path,
/// without the tag or digest). `*` and `?` stay within one `/`-separated component, `[…]` is a
/// character class; matching is case-sensitive, as image names are.
#[derive(Debug, Clone)]
pub struct LocalImagePattern {
    pattern: String,
    matcher: GlobMatcher,
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
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|error| format!("image pattern \"{pattern}\" is not a valid glob: {}", error.kind()))?;
        Ok(LocalImagePattern {
            pattern: pattern.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    /// Whether `name`, an image's repository name as written (`frontend`, `localhost/app`), matches.
    pub fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl Config {
    /// The `images.local` pattern that covers the image whose repository name, as written, is
    /// `name`.
    pub fn local_image(&self, name: &str) -> Option<&LocalImagePattern> {
        self.local_images.iter().find(|pattern| pattern.matches(name))
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
            inventory: Vec::new(),
            inventory_manifests: Vec::new(),
            local_images: Vec::new(),
        }
    }
}

fn built_in_private() -> Vec<RegistryPattern> {
    BUILT_IN_PRIVATE
        .iter()
        .map(|(pattern, _)| RegistryPattern::parse(pattern).expect("built-in registry patterns are valid"))
        .collect()
}

/// A configuration or inventory file that cannot be used, and where.
#[derive(Debug)]
pub struct ConfigError {
    pub file: Arc<SourceFile>,
    /// The bytes at fault; `None` when the file could not be read at all.
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.span {
            Some(span) => {
                let position = self.file.position(span.start);
                write!(
                    f,
                    "{}:{}:{}: {}",
                    self.file.path, position.line, position.column, self.message
                )
            }
            None => write!(f, "{}: {}", self.file.path, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The severity in force for `rule`: the file's, or the rule's default. `None` means off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        self.severities.get(rule.id).copied().unwrap_or(rule.default_severity)
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

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            file: Arc::new(SourceFile::new(display.clone(), String::new())),
            span: None,
            message: format!("cannot read the configuration file: {error}"),
            help: None,
        })?;
        let file = Arc::new(SourceFile::new(display, text));
        let mut config = Config::parse(&file)?;
        let base = path.parent().unwrap_or(Path::new(""));
        for inventory in config.inventory.iter_mut().chain(&mut config.inventory_manifests) {
            *inventory = base.join(&*inventory);
        }
        config.path = Some(path.to_owned());
        Ok(config)
    }

    /// Reads configuration from text already in memory. Inventory paths are left as written.
    pub fn parse(file: &Arc<SourceFile>) -> Result<Config, ConfigError> {
        let reader = Reader::new(file);
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
                "defaultNamespace" => config.default_namespace = reader.string(value, "defaultNamespace")?.to_owned(),
                "rules" => {
                    for (id_node, severity) in reader.mapping(value, "rules")? {
                        let id = id_node.scalar().unwrap_or_default();
                        let Some(rule) = rules::find(id) else {
                            return Err(reader.error(
                                id_node.span(),
                                format!("unknown rule \"{id}\""),
                                Some("`pullcheck rules` lists every rule id".into()),
                            ));
                        };
                        config.severities.insert(rule.id, reader.severity(severity)?);
                    }
                }
                "registries" => reader.registries(value, &mut config)?,
                "images" => reader.images(value, &mut config)?,
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

/// Typed access to a configuration or inventory file's YAML, with errors that point at the value.
pub(crate) struct Reader<'f> {
    file: &'f Arc<SourceFile>,
}

impl<'f> Reader<'f> {
    pub(crate) fn new(file: &'f Arc<SourceFile>) -> Reader<'f> {
        Reader { file }
    }

    pub(crate) fn error(&self, span: Span, message: String, help: Option<String>) -> ConfigError {
        ConfigError {
            file: Arc::clone(self.file),
            span: Some(span),
            message: crate::redact::message_about(self.file, span, message),
            help,
        }
    }

    /// The first syntax error or duplicate key, if any: such a file is not used at all.
    pub(crate) fn no_problems(&self, stream: &yaml::Stream<'_>) -> Result<(), ConfigError> {
        match stream.problems.first() {
            None => Ok(()),
            Some(LoadProblem::Syntax { span, message }) => {
                Err(self.error(*span, format!("invalid YAML: {message}"), None))
            }
            Some(LoadProblem::DuplicateKey { key, span, .. }) => {
                Err(self.error(*span, format!("key \"{key}\" is written twice"), None))
            }
        }
    }

    pub(crate) fn unknown_key(&self, key: Node<'_, '_>, prefix: &str, known: &[&str]) -> ConfigError {
        let known: Vec<String> = known.iter().map(|k| format!("{prefix}{k}")).collect();
        self.error(
            key.span(),
            format!("unknown key \"{prefix}{}\"", key.scalar().unwrap_or("")),
            Some(format!("known keys: {}", known.join(", "))),
        )
    }

    pub(crate) fn mapping<'s, 'a>(
        &self,
        node: Node<'s, 'a>,
        what: &str,
    ) -> Result<impl Iterator<Item = (Node<'s, 'a>, Node<'s, 'a>)> + use<'s, 'a>, ConfigError> {
        if node.is_mapping() || node.is_null() {
            Ok(node.entries())
        } else {
            Err(self.error(
                node.span(),
                format!("{what} must be a mapping, found {}", node.type_name()),
                None,
            ))
        }
    }

    pub(crate) fn list<'s, 'a>(
        &self,
        node: Node<'s, 'a>,
        what: &str,
    ) -> Result<impl Iterator<Item = Node<'s, 'a>> + use<'s, 'a>, ConfigError> {
        if node.is_sequence() || node.is_null() {
            Ok(node.items())
        } else {
            Err(self.error(
                node.span(),
                format!("{what} must be a list, found {}", node.type_name()),
                None,
            ))
        }
    }

    pub(crate) fn string<'s>(&self, node: Node<'s, '_>, what: &str) -> Result<&'s str, ConfigError> {
        node.as_str().ok_or_else(|| {
            self.error(
                node.span(),
                format!("{what} must be a string, found {}", node.type_name()),
                None,
            )
        })
    }

    fn boolean(&self, node: Node<'_, '_>, what: &str) -> Result<bool, ConfigError> {
        let value = (node.scalar_type() == Some(ScalarType::Bool))
            .then(|| node.scalar())
            .flatten();
        match value {
            Some("true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y") => Ok(true),
            Some(_) => Ok(false),
            None => Err(self.error(
                node.span(),
                format!("{what} must be true or false, found {}", node.type_name()),
                None,
            )),
        }
    }

    fn severity(&self, node: Node<'_, '_>) -> Result<Option<Severity>, ConfigError> {
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
            _ => Err(self.error(
                node.span(),
                format!("unknown severity \"{}\"", node.scalar().unwrap_or("")),
                Some("use one of: error, warning, info, off".into()),
            )),
        }
    }

    fn patterns(&self, node: Node<'_, '_>, what: &str) -> Result<Vec<RegistryPattern>, ConfigError> {
        self.list(node, what)?.map(|item| self.pattern(item)).collect()
    }

    fn pattern(&self, node: Node<'_, '_>) -> Result<RegistryPattern, ConfigError> {
        RegistryPattern::parse(self.string(node, "a registry")?)
            .map_err(|e| self.error(node.span(), e.to_string(), None))
    }

    fn registries(&self, node: Node<'_, '_>, config: &mut Config) -> Result<(), ConfigError> {
        let mut private = Vec::new();
        let mut with_built_in = true;
        for (key, value) in self.mapping(node, "registries")? {
            match key.scalar().unwrap_or_default() {
                "allowed" => config.allowed_registries = Some(self.patterns(value, "registries.allowed")?),
                "private" => private = self.patterns(value, "registries.private")?,
                "builtInPrivate" => with_built_in = self.boolean(value, "registries.builtInPrivate")?,
                "deprecated" => {
                    let mut entries = Vec::new();
                    for (old, new) in self.mapping(value, "registries.deprecated")? {
                        entries.push((self.pattern(old)?, self.string(new, "a successor registry")?.to_owned()));
                    }
                    // The file's entries come first, so they win over a built-in one for the same host.
                    entries.append(&mut config.deprecated_registries);
                    config.deprecated_registries = entries;
                }
                _ => {
                    return Err(self.unknown_key(
                        key,
                        "registries.",
                        &["allowed", "builtInPrivate", "deprecated", "private"],
                    ));
                }
            }
        }
        if with_built_in {
            private.extend(built_in_private());
        }
        config.private_registries = private;
        Ok(())
    }

    fn images(&self, node: Node<'_, '_>, config: &mut Config) -> Result<(), ConfigError> {
        for (key, value) in self.mapping(node, "images")? {
            match key.scalar().unwrap_or_default() {
                "local" => {
                    config.local_images = self
                        .list(value, "images.local")?
                        .map(|item| {
                            LocalImagePattern::parse(self.string(item, "an image pattern")?)
                                .map_err(|message| self.error(item.span(), message, None))
                        })
                        .collect::<Result<_, _>>()?;
                }
                _ => return Err(self.unknown_key(key, "images.", &["local"])),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(&Arc::new(SourceFile::new(".pullcheck.yaml", text)))
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
            config.severity(rules::find("unpinned-image-digest").unwrap()),
            Some(Severity::Error)
        );
        assert_eq!(config.severity(rules::find("latest-image-tag").unwrap()), None);
        assert_eq!(
            config.severity(rules::find("missing-image").unwrap()),
            Some(Severity::Error)
        );
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
        let pattern = |text: &str| LocalImagePattern::parse(text).unwrap();
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
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.message.contains(message), "{text:?}: {}", error.message);
            let span = error.span.unwrap();
            assert!(text[span.start..].starts_with(at), "{text:?}: error at {span:?}");
        }
    }
}
