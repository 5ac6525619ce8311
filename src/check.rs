//! The `check` data flow, from paths to sorted diagnostics.
//!
//! discover → read, load and extract every file in parallel → (barrier: everything the rules may
//! consult is known) → run every enabled rule over every workload in parallel → sort. Only the
//! compact workloads and the diagnostics outlive a file's processing; its YAML tree is dropped as
//! soon as it has been read. Printing is the reports' job, exit codes `main`'s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, ObjectRef};
use crate::discover::{self, DiscoverError, Selection};
use crate::inventory::Inventory;
use crate::manifest::{self, DeployTimeImages, UnreadKinds, Workload};
use crate::read::{self, FileOutcome};
use crate::rules::{self, Check, Context, Rule, Stage};
use crate::setup::{Setup, SetupError, Setups};
use crate::source::SourceFile;
use crate::suppress::{Suppression, Tracker};

/// What a run found.
#[derive(Debug)]
pub struct Outcome {
    /// Sorted by file, offset and rule.
    pub diagnostics: Vec<Diagnostic>,
    pub files: usize,
    /// Kubernetes objects seen (a mapping with `apiVersion` and `kind`), workloads or not.
    pub objects: usize,
    pub workloads: usize,
    /// Namespaces of workloads that name pull secrets or a service account, where no inventory
    /// file declares what exists: existence checks were skipped there. Sorted.
    pub namespaces_without_inventory: Vec<String>,
    /// Inputs that could not be read (I/O errors, over the size limit): the run is incomplete.
    pub unread: usize,
    /// Findings left out because a baseline holds them.
    pub baselined: usize,
    /// Helm charts whose `templates/` were not read, as displayed.
    pub helm_charts: Vec<String>,
    /// Images not judged because a tool sets them at deploy time.
    pub images_set_at_deploy: DeployTimeImages,
    /// Objects of kinds pullcheck does not read that name images: not checked.
    pub unread_kinds: UnreadKinds,
}

impl Outcome {
    /// Nothing found yet.
    fn empty() -> Outcome {
        Outcome {
            diagnostics: Vec::new(),
            files: 0,
            objects: 0,
            workloads: 0,
            namespaces_without_inventory: Vec::new(),
            unread: 0,
            baselined: 0,
            helm_charts: Vec::new(),
            images_set_at_deploy: DeployTimeImages::default(),
            unread_kinds: UnreadKinds::default(),
        }
    }

    /// Adds what another project of the same run found.
    fn absorb(&mut self, other: Outcome) {
        self.diagnostics.extend(other.diagnostics);
        self.files += other.files;
        self.objects += other.objects;
        self.workloads += other.workloads;
        self.namespaces_without_inventory
            .extend(other.namespaces_without_inventory);
        self.namespaces_without_inventory.sort();
        self.namespaces_without_inventory.dedup();
        self.unread += other.unread;
        self.baselined += other.baselined;
        self.images_set_at_deploy.add(other.images_set_at_deploy);
        self.unread_kinds.add(other.unread_kinds);
    }
}

/// Why a run could not be made.
#[derive(Debug)]
pub enum RunError {
    /// The inputs could not be listed.
    Discover(DiscoverError),
    /// The configuration of some inputs cannot be used.
    Setup(SetupError),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Discover(error) => error.fmt(f),
            RunError::Setup(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for RunError {}

/// Checks everything `selection` names, each input with its setup, on `selection.threads`
/// threads.
pub fn run(selection: &Selection, setups: &Setups) -> Result<Outcome, RunError> {
    run_with_progress(selection, setups, &NoProgress)
}

/// [`run`], telling `progress` how reading the inputs goes.
pub fn run_with_progress(selection: &Selection, setups: &Setups, progress: &dyn Progress) -> Result<Outcome, RunError> {
    read::thread_pool(selection.threads).install(|| run_in_pool(selection, setups, progress))
}

/// Told how a run goes, for a progress display: the library itself draws nothing. Called from
/// the reading threads.
pub trait Progress: Sync {
    /// One more input was found: it will be read. Inputs are found while others are read.
    fn input_found(&self);
    /// One more input has been read and extracted.
    fn input_read(&self);
}

/// Progress that nobody watches.
pub struct NoProgress;

impl Progress for NoProgress {
    fn input_found(&self) {}
    fn input_read(&self) {}
}

fn run_in_pool(selection: &Selection, setups: &Setups, progress: &dyn Progress) -> Result<Outcome, RunError> {
    // Files are read while the directories are still being walked: the walk hands each input,
    // with the setup it is checked with, to the reading threads as soon as it is found. They come
    // in no set order, so the outcomes are sorted afterwards, and everything after reading sees
    // them as if the inputs had been listed first.
    let (sender, found) = std::sync::mpsc::channel();
    //
    // The walk runs on a thread of its own, not one of the pool's: making a setup may read its
    // `inventoryManifests` with a pool of their own, and a pool's thread that waits for another
    // pool keeps busy meanwhile with its own pool's work, which here could be this very reading,
    // waiting for the walk to end.
    let unusable = Mutex::new(None);
    let first_unusable = &unusable;
    let (helm_charts, mut read) = std::thread::scope(|scope| {
        let walk = scope.spawn(move || {
            discover::discover_each(selection, &|input| {
                let mut unusable = first_unusable.lock().unwrap_or_else(PoisonError::into_inner);
                if unusable.is_some() {
                    return;
                }
                match setups.for_input(&input) {
                    Ok(setup) => {
                        progress.input_found();
                        // The receiving end lives until every input is read: sending cannot fail.
                        let _ = sender.send((input, setup));
                    }
                    Err(error) => *unusable = Some(error),
                }
            })
            // Dropping `sender` here ends the reading threads' stream of inputs.
        });
        let read = found
            .into_iter()
            .par_bridge()
            .map(|(input, setup)| {
                let (display, kind) = input.order_key();
                let key = (display.to_owned(), kind);
                let read = read::read_input(input, &setup.config, selection.max_file_size);
                progress.input_read();
                (key, setup, read)
            })
            .collect::<Vec<_>>();
        (
            walk.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            read,
        )
    });
    let helm_charts = helm_charts.map_err(RunError::Discover)?;
    if let Some(error) = unusable.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(RunError::Setup(error));
    }
    read.sort_unstable_by(|(a, ..), (b, ..)| a.cmp(b));
    // A file named twice, or named and also found under a directory named, counts once.
    read.dedup_by(|(a, ..), (b, ..)| a == b);

    // The inputs of each setup, in order: the projects of the run.
    let mut projects: Vec<(Arc<Setup>, Vec<FileOutcome>)> = Vec::new();
    for (_, setup, file) in read {
        match projects.iter_mut().find(|(known, _)| Arc::ptr_eq(known, &setup)) {
            Some((_, files)) => files.push(file),
            None => projects.push((setup, vec![file])),
        }
    }
    let mut outcome = Outcome::empty();
    for (setup, files) in projects {
        outcome.absorb(judge(files, &setup));
    }
    outcome.diagnostics.par_sort_by(Diagnostic::report_order);
    outcome.helm_charts = helm_charts;
    Ok(outcome)
}

/// Checks one text already in memory (an editor's buffer, a fuzzer's input), as if it were the
/// only file: its Secrets and ServiceAccounts join the declared inventory.
pub fn check_text(path: &str, text: &str, setup: &Setup) -> Outcome {
    let file = Arc::new(SourceFile::new(path, text));
    let mut outcome = judge(vec![read::load_file(&file, file.text(), &setup.config)], setup);
    outcome.diagnostics.par_sort_by(Diagnostic::report_order);
    outcome
}

/// Everything after reading one project's files: the inventory barrier, the rules, the
/// suppressions. The diagnostics are left unsorted.
fn judge(mut read: Vec<FileOutcome>, setup: &Setup) -> Outcome {
    let config = &setup.config;
    let files = read.len();
    // Sized up front for what the files hold: grown by doubling, these would at their peak hold up
    // to twice that, plus the copy a reallocation makes, beside every file's own vectors.
    let mut diagnostics = Vec::with_capacity(read.iter().map(|f| f.diagnostics.len()).sum());
    let mut facts = Vec::with_capacity(read.iter().map(|f| f.extracted.facts.len()).sum());
    let mut objects = 0;
    let mut unread = 0;
    let mut line_suppressions = Vec::new();
    let mut built_images = Vec::new();
    let mut kustomize_resources = Vec::new();
    let mut unread_kinds = UnreadKinds::default();
    for file in &mut read {
        unread_kinds.add(std::mem::take(&mut file.extracted.unread_kinds));
        unread += usize::from(file.incomplete);
        line_suppressions.extend(file.line_suppressions.take());
        diagnostics.append(&mut file.diagnostics);
        facts.append(&mut file.extracted.facts);
        built_images.append(&mut file.extracted.built_images);
        kustomize_resources.append(&mut file.extracted.kustomize_resources);
        objects += file.extracted.objects;
    }
    // The workloads stay in their files' vectors: gathered into one, they would need a second
    // copy of the largest thing a run holds, at its peak.
    let mut workloads: Vec<&mut Workload> = read
        .iter_mut()
        .flat_map(|file| file.extracted.workloads.iter_mut())
        .collect();

    // Barrier: every file has been read, so every secret and service account found is known, and
    // WebLogic Cluster resources can be joined to the Domains that list them.
    let images_set_at_deploy = manifest::after_every_file(&mut workloads, &built_images, &kustomize_resources);
    let inventory = Inventory::build(&setup.declared, facts);
    let context = Context {
        config,
        inventory: &inventory,
    };
    let enabled: Vec<(&'static Rule, Check)> = rules::at_stage(|stage| match stage {
        Stage::Workload(check) => Some(*check),
        _ => None,
    })
    .filter(|(rule, _)| rule.severity(config).is_some())
    .collect();
    diagnostics.par_extend(
        workloads
            .par_iter()
            .flat_map_iter(|workload| check_workload(workload, &enabled, &context)),
    );

    let mut namespaces_without_inventory: Vec<String> = workloads
        .iter()
        .filter(|w| !w.image_pull_secrets.is_empty() || w.pods.iter().any(|group| !group.written_at.is_empty()))
        .filter(|w| !inventory.is_declared(&w.namespace))
        .map(|w| w.namespace.clone())
        .collect();
    namespaces_without_inventory.sort();
    namespaces_without_inventory.dedup();
    // A kustomization is read like a workload, but runs no pods.
    let workload_count = workloads.iter().filter(|w| !w.rewrites_images()).count();
    // The workloads have served: let them go before the texts of the files with findings are
    // read again, rather than hold both at once.
    drop(workloads);
    drop(read);

    unread += read_texts_again(&mut diagnostics, config);
    apply_line_suppressions(&mut diagnostics, &line_suppressions, config);

    Outcome {
        diagnostics,
        files,
        objects,
        workloads: workload_count,
        namespaces_without_inventory,
        unread,
        baselined: 0,
        helm_charts: Vec::new(),
        images_set_at_deploy,
        unread_kinds,
    }
}

/// Reads again, in parallel, the text of every file a diagnostic points into (a file on disk lets
/// its text go once extracted), so that reports find it in memory. A file that changed in between
/// has spans that point at nothing: its diagnostics give way to one `unreadable-file`, and the run
/// counts as incomplete. Returns how many files that was.
fn read_texts_again(diagnostics: &mut Vec<Diagnostic>, config: &Config) -> usize {
    diagnostics.par_iter().for_each(|d| {
        d.file.text();
        for label in &d.related {
            if let Some(file) = &label.file {
                file.text();
            }
        }
    });
    let mut changed: Vec<Arc<SourceFile>> = diagnostics
        .iter()
        .filter(|d| d.file.reload_failure().is_some())
        .map(|d| Arc::clone(&d.file))
        .collect();
    changed.sort_by_key(Arc::as_ptr);
    changed.dedup_by_key(|file| Arc::as_ptr(file));
    for d in diagnostics.iter_mut() {
        d.related
            .retain(|label| label.file.as_ref().is_none_or(|file| file.reload_failure().is_none()));
    }
    diagnostics.retain(|d| d.file.reload_failure().is_none());
    for file in &changed {
        diagnostics.extend(read::changed_file(file, config));
    }
    changed.len()
}

fn check_workload(workload: &Workload, enabled: &[(&'static Rule, Check)], context: &Context<'_>) -> Vec<Diagnostic> {
    let object = ObjectRef {
        kind: workload.kind.clone(),
        name: workload.name.clone(),
        namespace: workload.namespace.clone(),
    };
    let mut diagnostics = Vec::new();
    let mut findings = Vec::new();
    let mut suppression = workload.suppression.as_deref().map(Tracker::new);
    for &(rule, check) in enabled {
        check(workload, context, &mut findings);
        if let Some(suppression) = &mut suppression
            && !findings.is_empty()
            && suppression.cover(rule.id)
        {
            findings.clear();
            continue;
        }
        let severity = rule.severity(context.config).expect("only enabled rules run");
        diagnostics.extend(
            findings
                .drain(..)
                .map(|finding| finding.into_diagnostic(rule, severity, &workload.file, Some(object.clone()))),
        );
    }
    if let Some(suppression) = suppression {
        diagnostics.extend(unused_suppressions(&suppression, &workload.file, context.config));
    }
    diagnostics
}

/// The diagnostics for what a suppression covered in vain.
fn unused_suppressions(suppression: &Tracker<'_>, file: &Arc<SourceFile>, config: &Config) -> Vec<Diagnostic> {
    let unused = suppression.unused(|id| rules::find(id).is_some());
    rules::at_stage(|stage| match stage {
        Stage::UnusedSuppression(finding) => Some(*finding),
        _ => None,
    })
    .flat_map(|(rule, finding)| {
        unused
            .iter()
            .filter_map(move |(span, message)| read::diagnostic(rule, file, config, finding(*span, message.clone())))
    })
    .collect()
}

/// Drops the diagnostics that a `# pullcheck:ignore` comment of their file covers, and reports
/// the comments that covered nothing.
fn apply_line_suppressions(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[(Arc<SourceFile>, Vec<Suppression>)],
    config: &Config,
) {
    // Files with suppressions, by identity of their shared text, each with its trackers.
    let mut trackers: HashMap<*const SourceFile, Vec<Tracker<'_>>> = files
        .iter()
        .map(|(file, suppressions)| (Arc::as_ptr(file), suppressions.iter().map(Tracker::new).collect()))
        .collect();
    diagnostics.retain(|d| {
        let Some(file_trackers) = trackers.get_mut(&Arc::as_ptr(&d.file)) else {
            return true;
        };
        let line = d.file.position(d.span.start).line;
        !file_trackers.iter_mut().any(|tracker| tracker.cover_line(d.rule, line))
    });
    for (file, _) in files {
        for tracker in &trackers[&Arc::as_ptr(file)] {
            diagnostics.extend(unused_suppressions(tracker, file, config));
        }
    }
}
