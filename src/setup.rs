//! One way for every entry point (`check`, `baseline`, `init`, the language server, the tests) to
//! get what a check runs with: the configuration and the declared inventory, as a [`Setup`].
//!
//! **Which configuration applies.** Each input is checked with the `.pullcheck.yaml` nearest to
//! it: in its directory or the closest one above (for the standard input, the directory of
//! `--stdin-filename` when it exists, else the working directory), as ruff finds its settings for
//! each file. `--config` names one configuration for every input instead. An editor's document
//! gets the same configuration as `pullcheck check FILE`, and a pre-commit run (which names the
//! changed files from the repository's root) the same as `pullcheck check` of their folders.
//! Inputs under different configurations are separate projects: each is judged with its own
//! configuration and inventory, and the Secrets and ServiceAccounts found in one project's files
//! do not count for another's ([`Setups`]).
//!
//! **What a setup holds.** The configuration, with the command line's overrides (`--namespace`,
//! `--inventory`) applied, and the inventory it declares: its `inventory` files, and the Secrets
//! and ServiceAccounts of its `inventoryManifests`, read as checked files are read. A missing
//! configuration is the default one. This module reads settings and manifests; it judges nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::config::{self, Config};
use crate::diagnostic::Severity;
use crate::discover::{DEFAULT_MAX_FILE_SIZE, DiscoverError, Input, Selection};
use crate::inventory::DeclaredInventory;
use crate::settings::SettingsError;
use crate::{read, rules};

/// What the command line adds to, or puts instead of, what the configuration says.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--config`: this configuration for every input, instead of each input's own.
    pub config: Option<PathBuf>,
    /// `--namespace`: the namespace of objects that name none.
    pub namespace: Option<String>,
    /// `--inventory`: inventory files read besides the configuration's.
    pub inventory: Vec<PathBuf>,
    /// How `inventoryManifests` are read: on so many threads, and files up to so many bytes.
    pub threads: usize,
    pub max_file_size: u64,
    /// `--select`: when not empty, only these rules run (one that is off runs at warning).
    pub select: Vec<&'static str>,
    /// `--ignore`: these rules do not run.
    pub ignore: Vec<&'static str>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            config: None,
            namespace: None,
            inventory: Vec::new(),
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            select: Vec::new(),
            ignore: Vec::new(),
        }
    }
}

/// What a check runs with.
#[derive(Debug)]
pub struct Setup {
    pub config: Config,
    pub declared: DeclaredInventory,
    /// The files and folders it was read from: the configuration, its inventory files and its
    /// `inventoryManifests`. A change to any of them changes the setup.
    pub sources: Vec<PathBuf>,
}

impl Default for Setup {
    /// The default configuration, which declares nothing.
    fn default() -> Setup {
        Setup {
            config: Config::default(),
            declared: DeclaredInventory::default(),
            sources: Vec::new(),
        }
    }
}

/// Why a setup could not be made.
#[derive(Debug)]
pub enum SetupError {
    /// The configuration or an inventory file cannot be used.
    Settings(SettingsError),
    /// The configuration's `inventoryManifests` cannot be read.
    InventoryManifests {
        config: Option<PathBuf>,
        error: DiscoverError,
    },
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetupError::Settings(error) => error.fmt(f),
            SetupError::InventoryManifests {
                config: Some(config),
                error,
            } => {
                write!(f, "inventoryManifests of `{}`: {error}", config.display())
            }
            SetupError::InventoryManifests { config: None, error } => write!(f, "inventoryManifests: {error}"),
        }
    }
}

impl std::error::Error for SetupError {}

impl From<SettingsError> for SetupError {
    fn from(error: SettingsError) -> SetupError {
        SetupError::Settings(error)
    }
}

impl Setup {
    /// The setup of the configuration at `config_path` (the default one for `None`), with the
    /// command line's `options` applied.
    pub fn load(config_path: Option<&Path>, options: &Options) -> Result<Setup, SetupError> {
        let mut config = match config_path {
            Some(path) => Config::load(path, &rules::ids())?,
            None => Config::default(),
        };
        if let Some(namespace) = &options.namespace {
            config.default_namespace.clone_from(namespace);
        }
        select_rules(&mut config, options);
        config.inventory.extend(options.inventory.iter().cloned());
        let mut declared = DeclaredInventory::load(&config.inventory, &config.default_namespace)?;
        if !config.inventory_manifests.is_empty() {
            let selection = Selection {
                paths: config.inventory_manifests.clone(),
                threads: options.threads,
                max_file_size: options.max_file_size,
                ..Selection::default()
            };
            let found = read::find(&selection, &config).map_err(|error| SetupError::InventoryManifests {
                config: config.path.clone(),
                error,
            })?;
            declared.add_found(found.facts);
        }
        let sources = config
            .path
            .iter()
            .chain(&config.inventory)
            .chain(&config.inventory_manifests)
            .cloned()
            .collect();
        Ok(Setup {
            config,
            declared,
            sources,
        })
    }
}

/// The `.pullcheck.yaml` that applies to the files of `directory`: in it or the nearest directory
/// above it, as an absolute path.
pub fn find_config(directory: &Path) -> Option<PathBuf> {
    let directory = if directory.as_os_str().is_empty() {
        Path::new(".")
    } else {
        directory
    };
    directory
        .canonicalize()
        .ok()?
        .ancestors()
        .map(|dir| dir.join(config::FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// The setups of a run's inputs: one for every input, or each input's own, found from where it is
/// and loaded once per configuration file. Safe to ask from the threads that walk directories.
#[derive(Debug)]
pub struct Setups {
    options: Options,
    /// `--config`, or a setup made by a test: used for every input.
    fixed: Option<Arc<Setup>>,
    found: Mutex<Found>,
}

#[derive(Debug, Default)]
struct Found {
    /// By directory as given: the configuration that applies there, shown relative to the working
    /// directory, as the files checked are.
    configs: HashMap<PathBuf, Option<PathBuf>>,
    /// By directory on the way up, as written: the configuration in it or above it, shown as
    /// `configs`. Directories share their ancestors, so each is looked at once in a run.
    above: HashMap<PathBuf, Option<PathBuf>>,
    /// By configuration file.
    setups: HashMap<Option<PathBuf>, Arc<Setup>>,
}

impl Setups {
    /// `setup` for every input.
    pub fn fixed(setup: Setup) -> Setups {
        Setups {
            options: Options::default(),
            fixed: Some(Arc::new(setup)),
            found: Mutex::default(),
        }
    }

    /// What the command line says: the setup of `options.config` for every input, when given, or
    /// else each input's own.
    pub fn from_options(options: Options) -> Result<Setups, SetupError> {
        let fixed = match &options.config {
            Some(path) => Some(Arc::new(Setup::load(Some(path), &options)?)),
            None => None,
        };
        Ok(Setups {
            options,
            fixed,
            found: Mutex::default(),
        })
    }

    /// The setup `input` is checked with.
    pub fn for_input(&self, input: &Input) -> Result<Arc<Setup>, SetupError> {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        self.for_directory(&directory_of(input))
    }

    /// The setup of the files in `directory` (the working directory when empty).
    pub fn for_directory(&self, directory: &Path) -> Result<Arc<Setup>, SetupError> {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        // Loading a setup under the lock makes the other walking threads wait, once per
        // configuration file: they would need it anyway.
        let mut found = self.found.lock().unwrap_or_else(PoisonError::into_inner);
        let config = match found.configs.get(directory) {
            Some(config) => config.clone(),
            None => {
                let config = found.config_above(directory);
                found.configs.insert(directory.to_owned(), config.clone());
                config
            }
        };
        if let Some(setup) = found.setups.get(&config) {
            return Ok(Arc::clone(setup));
        }
        let setup = Arc::new(Setup::load(config.as_deref(), &self.options)?);
        found.setups.insert(config, Arc::clone(&setup));
        Ok(setup)
    }
}

impl Found {
    /// The configuration that applies in `directory` (the working directory when empty), shown
    /// relative to the working directory, remembering what each directory on the way up holds.
    ///
    /// A path without `..` is walked up as written, with no system call but one look for the
    /// file per directory: resolving every directory of a large tree (a `readlink` per component)
    /// cost more than the rest of finding the files. Above the working directory, and for paths
    /// with `..`, directories are resolved, as [`find_config`] does.
    fn config_above(&mut self, directory: &Path) -> Option<PathBuf> {
        let as_written = !directory
            .components()
            .any(|part| matches!(part, std::path::Component::ParentDir));
        if !as_written {
            return find_config(directory).map(|path| shown_from_working_directory(&path));
        }
        let mut visited = Vec::new();
        let mut found = None;
        for dir in directory.ancestors() {
            if let Some(known) = self.above.get(dir) {
                found = known.clone();
                break;
            }
            visited.push(dir.to_owned());
            if dir.as_os_str().is_empty() {
                // The working directory, and the directories above it.
                found = find_config(dir).map(|path| shown_from_working_directory(&path));
                break;
            }
            let candidate = dir.join(config::FILE_NAME);
            if candidate.is_file() {
                found = Some(if candidate.is_absolute() {
                    shown_from_working_directory(&candidate)
                } else {
                    candidate
                });
                break;
            }
        }
        for dir in visited {
            self.above.insert(dir, found.clone());
        }
        found
    }
}

/// Where an input is, for finding its configuration: a file's directory; for the standard input,
/// the directory of the name it is given when that exists; else the working directory (empty).
fn directory_of(input: &Input) -> PathBuf {
    let path = match input {
        // A file that was found is in a directory that exists.
        Input::File { path, .. } => return path.parent().map(Path::to_owned).unwrap_or_default(),
        Input::Stdin { display } | Input::Unreadable { display, .. } => Path::new(display.as_str()),
    };
    match path.parent() {
        Some(parent) if parent.as_os_str().is_empty() || parent.is_dir() => parent.to_owned(),
        _ => PathBuf::new(),
    }
}

/// `path` relative to the working directory (`../.pullcheck.yaml`, `shop/.pullcheck.yaml`), so
/// that the files a configuration names are shown the way the files checked are.
fn shown_from_working_directory(path: &Path) -> PathBuf {
    std::env::current_dir()
        .and_then(|cwd| cwd.canonicalize())
        .ok()
        .and_then(|cwd| pathdiff::diff_paths(path, cwd))
        .unwrap_or_else(|| path.to_owned())
}
/// Applies `--select` and `--ignore` over the configuration's severities.
fn select_rules(config: &mut Config, options: &Options) {
    for rule in rules::RULES {
        let left_out = !options.select.is_empty() && !options.select.contains(&rule.id);
        if left_out || options.ignore.contains(&rule.id) {
            config.set_severity(rule.id, None);
        } else if options.select.contains(&rule.id) && rule.severity(config).is_none() {
            config.set_severity(rule.id, Some(Severity::Warning));
        }
    }
}
