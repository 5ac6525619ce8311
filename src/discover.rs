//! Which inputs to read: files named on the command line, files found by walking directories, or
//! the standard input.
//!
//! Directories are walked in parallel with the `ignore` crate, which honours `.gitignore`,
//! `.ignore` and hidden files the way ripgrep does; `--include` globs (default `*.yaml`, `*.yml`,
//! `*.json` and files named `Kustomization`) and `--exclude` globs then select among the files found. A file named explicitly is
//! always read, whatever its name: pre-commit passes exactly the files it wants checked. Globs
//! match the path as displayed (relative to where the walk started, as given), and `*` crosses
//! `/`, so `*.yaml` selects YAML files at any depth and `charts/**` a whole folder.
//!
//! A folder holding `Chart.yaml` is a Helm chart: its `templates/` are Go templates, not manifests,
//! so they are left out, even when named on the command line (pre-commit names every changed
//! file), and the chart is listed in [`Discovered::helm_charts`] for the summary. This module
//! reads no file contents.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};

/// The include globs used when none are given: YAML and JSON files, and kustomize's
/// extensionless `Kustomization` file.
pub const DEFAULT_INCLUDE: [&str; 5] = ["*.yaml", "*.yml", "*.json", "Kustomization", "*/Kustomization"];

/// One thing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file, with the path to show for it.
    File { display: String, path: PathBuf },
    /// The standard input, shown under this name.
    Stdin { display: String },
    /// Something that could not be looked at: found while walking but not listable (a directory
    /// without permission), or named but not a regular file or not reachable (a symlink loop, a
    /// file in a folder without permission). Reported, and the run is incomplete.
    Unreadable { display: String, reason: String },
}

impl Input {
    /// What inputs are sorted and told apart by: the name shown, and which kind of input it is
    /// (the standard input may be shown under the name of a file that is also read).
    pub fn order_key(&self) -> (&str, u8) {
        let kind = match self {
            Input::File { .. } => 0,
            Input::Stdin { .. } => 1,
            Input::Unreadable { .. } => 2,
        };
        (self.display(), kind)
    }

    pub fn display(&self) -> &str {
        match self {
            Input::File { display, .. } | Input::Stdin { display } | Input::Unreadable { display, .. } => display,
        }
    }
}

/// What to look at and how to filter it.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub paths: Vec<PathBuf>,
    /// The name `-` is shown under.
    pub stdin_name: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub threads: usize,
    /// Larger files are not read (a diagnostic says so); 0 means no limit.
    pub max_file_size: u64,
}

/// The default `--max-file-size`: far above any real manifest, far below what would strain memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// An input selection that cannot be used at all.
#[derive(Debug)]
pub enum DiscoverError {
    BadGlob {
        glob: String,
        reason: String,
    },
    /// A path named on the command line does not exist. (One that exists but cannot be reached
    /// is an [`Input::Unreadable`].)
    NotFound {
        path: String,
    },
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::BadGlob { glob, reason } => write!(f, "invalid glob \"{glob}\": {reason}"),
            DiscoverError::NotFound { path } => write!(f, "{path}: no such file or directory"),
        }
    }
}

impl std::error::Error for DiscoverError {}

/// What to read, and what was left out.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Sorted by displayed path, without repeats.
    pub inputs: Vec<Input>,
    /// Helm charts whose `templates/` were left out, as displayed; sorted, without repeats.
    pub helm_charts: Vec<String>,
}

/// Lists the inputs, sorted by displayed path and without repeats.
pub fn discover(selection: &Selection) -> Result<Discovered, DiscoverError> {
    let found = Mutex::new(Vec::new());
    let helm_charts = discover_each(selection, &|input| lock(&found).push(input))?;
    let mut inputs = found.into_inner().unwrap_or_else(|poison| poison.into_inner());
    inputs.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
    inputs.dedup_by(|a, b| a.order_key() == b.order_key());
    Ok(Discovered { inputs, helm_charts })
}

/// Hands every input to `found` as soon as it is known, so that reading can start while
/// directories are still being walked: from several threads, in no set order, and with repeats
/// when paths overlap (sort and deduplicate by [`Input::order_key`]). Every path named is checked
/// before any input is handed over, so an error comes before any input does. Returns the Helm
/// charts whose `templates/` were left out, as displayed; sorted, without repeats.
pub fn discover_each(selection: &Selection, found: &(dyn Fn(Input) + Sync)) -> Result<Vec<String>, DiscoverError> {
    let include = if selection.include.is_empty() {
        glob_set(DEFAULT_INCLUDE.iter().copied())?
    } else {
        glob_set(selection.include.iter().map(String::as_str))?
    };
    let exclude = glob_set(selection.exclude.iter().map(String::as_str))?;
    let default_paths = [PathBuf::from(".")];
    let paths = if selection.paths.is_empty() {
        &default_paths[..]
    } else {
        &selection.paths
    };

    let mut named = Vec::new();
    let mut directories = Vec::new();
    let helm_charts = Mutex::new(Vec::new());
    for path in paths {
        if path.as_os_str() == "-" {
            let display = selection.stdin_name.clone().unwrap_or_else(|| "<stdin>".to_owned());
            named.push(Input::Stdin { display });
        } else if let Some(chart) = chart_of_template(path) {
            lock(&helm_charts).push(display_path(&chart));
        } else if path.is_dir() {
            directories.push(path.as_path());
        } else {
            let display = display_path(path);
            named.push(match std::fs::metadata(path) {
                Ok(metadata) if metadata.is_file() => Input::File {
                    display,
                    path: path.clone(),
                },
                // Reading a FIFO would wait for a writer forever; a device could be endless.
                Ok(_) => Input::Unreadable {
                    display,
                    reason: "not a regular file (a FIFO, socket or device)".to_owned(),
                },
                // A mistyped path stops the run: nothing named there exists to be reported on.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    return Err(DiscoverError::NotFound {
                        path: path.display().to_string(),
                    });
                }
                // A path that exists but cannot be looked at (a symlink loop, a folder without
                // permission) is reported as what it is, and the other inputs are still checked.
                Err(error) => Input::Unreadable {
                    display,
                    reason: io_reason(&error),
                },
            });
        }
    }
    named.into_iter().for_each(found);
    if let Some((first, rest)) = directories.split_first() {
        walk(first, rest, &include, &exclude, selection.threads, &helm_charts, found);
    }
    let mut helm_charts = helm_charts.into_inner().unwrap_or_else(|poison| poison.into_inner());
    helm_charts.sort();
    helm_charts.dedup();
    Ok(helm_charts)
}

/// The chart a path belongs to when it is a Helm chart's `templates/` folder or under it.
fn chart_of_template(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "templates") && dir.parent().is_some_and(is_helm_chart))
        .and_then(Path::parent)
        .map(|chart| {
            if chart.as_os_str().is_empty() {
                Path::new(".")
            } else {
                chart
            }
            .to_owned()
        })
}

fn is_helm_chart(dir: &Path) -> bool {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    dir.join("Chart.yaml").is_file()
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn walk(
    first: &Path,
    rest: &[&Path],
    include: &GlobSet,
    exclude: &GlobSet,
    threads: usize,
    helm_charts: &Mutex<Vec<String>>,
    found: &(dyn Fn(Input) + Sync),
) {
    let mut builder = WalkBuilder::new(first);
    for path in rest {
        builder.add(path);
    }
    let excluded_dir = exclude.clone();
    let charts = std::sync::Arc::new(Mutex::new(Vec::new()));
    let charts_found = std::sync::Arc::clone(&charts);
    builder.threads(threads).filter_entry(move |entry| {
        if !entry.file_type().is_some_and(|t| t.is_dir()) || entry.depth() == 0 {
            return true;
        }
        // Prune excluded directories instead of walking them to drop every file.
        if excluded_dir.is_match(display_path(entry.path())) {
            return false;
        }
        if entry.file_name() == "templates"
            && let Some(chart) = entry.path().parent().filter(|chart| is_helm_chart(chart))
        {
            lock(&charts_found).push(display_path(chart));
            return false;
        }
        true
    });
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let input = match entry {
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    let display = display_path(entry.path());
                    if !include.is_match(&display) || exclude.is_match(&display) {
                        return WalkState::Continue;
                    }
                    Input::File {
                        display,
                        path: entry.into_path(),
                    }
                }
                Ok(_) => return WalkState::Continue,
                Err(error) => Input::Unreadable {
                    display: error_path(&error).unwrap_or_default(),
                    reason: error.to_string(),
                },
            };
            found(input);
            WalkState::Continue
        })
    });
    lock(helm_charts).append(&mut lock(&charts));
}

fn glob_set<'g>(globs: impl Iterator<Item = &'g str>) -> Result<GlobSet, DiscoverError> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let parsed = Glob::new(glob).map_err(|error| DiscoverError::BadGlob {
            glob: glob.to_owned(),
            reason: error.kind().to_string(),
        })?;
        builder.add(parsed);
    }
    builder.build().map_err(|error| DiscoverError::BadGlob {
        glob: String::new(),
        reason: error.to_string(),
    })
}

/// The path as the user wrote it, without a leading `./`, with `/` separators.
fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = text.strip_prefix("./").unwrap_or(&text);
    if std::path::MAIN_SEPARATOR == '/' {
        text.to_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

/// What went wrong, as the system says it, in the lowercase of pullcheck's messages and without
/// the error number: `permission denied`, `too many levels of symbolic links`.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_owned(),
    }
}

fn error_path(error: &ignore::Error) -> Option<String> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(display_path(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(display_path(child)),
        _ => None,
    }
}

/// Whether a run of `selection` reads `file`: it is named, or a directory named holds it and the
/// globs select it. `.gitignore` is not consulted, so a file it hides counts as read: this answers
/// "may pullcheck write here?", and errs on the side of not overwriting an input.
pub fn would_read(selection: &Selection, file: &Path) -> bool {
    let Ok(target) = file.canonicalize() else {
        // It does not exist: nothing reads it.
        return false;
    };
    let globs = |globs: &[String], default: &[&str]| {
        if globs.is_empty() {
            glob_set(default.iter().copied())
        } else {
            glob_set(globs.iter().map(String::as_str))
        }
    };
    let (Ok(include), Ok(exclude)) = (
        globs(&selection.include, &DEFAULT_INCLUDE),
        globs(&selection.exclude, &[]),
    ) else {
        // The run itself will say what is wrong with the globs.
        return false;
    };
    let default_paths = [PathBuf::from(".")];
    let paths = if selection.paths.is_empty() {
        &default_paths[..]
    } else {
        &selection.paths
    };
    paths.iter().filter(|path| path.as_os_str() != "-").any(|path| {
        let Ok(root) = path.canonicalize() else {
            return false;
        };
        if root == target {
            return true;
        }
        let Some(relative) = root.is_dir().then(|| target.strip_prefix(&root).ok()).flatten() else {
            return false;
        };
        let display = display_path(&path.join(relative));
        include.is_match(&display) && !exclude.is_match(&display)
    })
}
