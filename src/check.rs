//! The `check` data flow, from paths to sorted diagnostics.
//!
//! discover → read, load and extract every file in parallel → (barrier: everything the rules may
//! consult is known) → run every enabled rule over every workload in parallel → sort. Only the
//! compact workloads and the diagnostics outlive a file's processing; its YAML tree is dropped as
//! soon as it has been read. Printing is the reports' job, exit codes `main`'s.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, ObjectRef, Severity};
use crate::discover::{self, DiscoverError, Input, Selection};
use crate::inventory::{DeclaredInventory, Fact, Inventory};
use crate::manifest::{self, DeployTimeImages, Workload};
use crate::rules::{self, Context, Finding, Rule};
use crate::source::{Origin, SourceFile, Span};
use crate::suppress::{self, Suppression, Tracker};
use crate::yaml::{self, LoadProblem};

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
}

/// Checks everything `selection` names against `config` and the declared inventory, on
/// `selection.threads` threads.
pub fn run(selection: &Selection, config: &Config, declared: &DeclaredInventory) -> Result<Outcome, DiscoverError> {
    run_with_progress(selection, config, declared, &NoProgress)
}

/// [`run`], telling `progress` how reading the inputs goes.
pub fn run_with_progress(
    selection: &Selection,
    config: &Config,
    declared: &DeclaredInventory,
    progress: &dyn Progress,
) -> Result<Outcome, DiscoverError> {
    thread_pool(selection.threads).install(|| run_in_pool(selection, config, declared, progress))
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

fn thread_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the thread pool can be built")
}

fn run_in_pool(
    selection: &Selection,
    config: &Config,
    declared: &DeclaredInventory,
    progress: &dyn Progress,
) -> Result<Outcome, DiscoverError> {
    // Files are read while the directories are still being walked: the walk hands each input to
    // the reading threads as soon as it is found. They come in no set order, so the outcomes are
    // sorted afterwards, and everything after reading sees them as if the inputs had been listed
    // first.
    let (sender, found) = std::sync::mpsc::channel();
    let (helm_charts, mut read) = rayon::join(
        move || {
            discover::discover_each(selection, &|input| {
                progress.input_found();
                // The receiving end lives until every input is read: sending cannot fail.
                let _ = sender.send(input);
            })
            // Dropping `sender` here ends the reading threads' stream of inputs.
        },
        || {
            found
                .into_iter()
                .par_bridge()
                .map(|input| {
                    let (display, kind) = input.order_key();
                    let key = (display.to_owned(), kind);
                    let read = read_input(input, config, selection.max_file_size);
                    progress.input_read();
                    (key, read)
                })
                .collect::<Vec<_>>()
        },
    );
    let helm_charts = helm_charts?;
    read.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    // A file named twice, or named and also found under a directory named, counts once.
    read.dedup_by(|(a, _), (b, _)| a == b);
    let read = read.into_iter().map(|(_, read)| read).collect();
    let mut outcome = judge(read, config, declared);
    outcome.helm_charts = helm_charts;
    Ok(outcome)
}

/// What the inputs of a selection hold, read and extracted as [`run`] reads them, but not judged.
#[derive(Debug, Default)]
pub struct Found {
    /// Inputs read.
    pub files: usize,
    pub workloads: Vec<Workload>,
    /// Secrets and service accounts.
    pub facts: Vec<Fact>,
    /// Inputs that could not be read.
    pub unread: usize,
}

/// Reads and extracts every input of `selection`, as [`run`] does, without running any rule: for
/// what is built on the same reading (`pullcheck init`, the configuration's `inventoryManifests`).
pub fn find(selection: &Selection, config: &Config) -> Result<Found, DiscoverError> {
    thread_pool(selection.threads).install(|| {
        let read: Vec<FileOutcome> = discover::discover(selection)?
            .inputs
            .into_par_iter()
            .map(|input| read_input(input, config, selection.max_file_size))
            .collect();
        let mut found = Found {
            files: read.len(),
            ..Found::default()
        };
        for file in read {
            found.unread += usize::from(file.incomplete);
            found.workloads.extend(file.extracted.workloads);
            found.facts.extend(file.extracted.facts);
        }
        Ok(found)
    })
}

/// Checks one text already in memory (an editor's buffer, a fuzzer's input), as if it were the
/// only file: its Secrets and ServiceAccounts join the declared inventory.
pub fn check_text(path: &str, text: &str, config: &Config, declared: &DeclaredInventory) -> Outcome {
    let file = Arc::new(SourceFile::new(path, text));
    judge(vec![check_file(&file, file.text(), config)], config, declared)
}

/// Everything after reading: the inventory barrier, the rules, the sort.
fn judge(mut read: Vec<FileOutcome>, config: &Config, declared: &DeclaredInventory) -> Outcome {
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
    for file in &mut read {
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
    manifest::join_weblogic_resources(&mut workloads);
    let images_set_at_deploy = manifest::mark_set_at_deploy(&mut workloads, &built_images, &kustomize_resources);
    let inventory = Inventory::build(declared, facts);
    let context = Context {
        config,
        inventory: &inventory,
    };
    let enabled: Vec<(&'static Rule, rules::Check)> = rules::RULES
        .iter()
        .filter(|rule| config.severity(rule).is_some())
        .filter_map(|rule| Some((*rule, rule.check?)))
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
    let workload_count = workloads.iter().filter(|w| !w.rewrites_images).count();
    // The workloads have served: let them go before the texts of the files with findings are
    // read again, rather than hold both at once.
    drop(workloads);
    drop(read);

    unread += read_texts_again(&mut diagnostics, config);
    apply_line_suppressions(&mut diagnostics, &line_suppressions, config);
    diagnostics.par_sort_by(Diagnostic::report_order);

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
        let reason = file.reload_failure().unwrap_or_default().to_owned();
        let finding = Finding::new(Span::default(), reason).help("check it again once nothing is writing to it");
        diagnostics.extend(read_diagnostic(&rules::unreadable_file::RULE, file, config, finding));
    }
    changed.len()
}

fn check_workload(
    workload: &Workload,
    enabled: &[(&'static Rule, rules::Check)],
    context: &Context<'_>,
) -> Vec<Diagnostic> {
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
        let severity = context.config.severity(rule).expect("only enabled rules run");
        diagnostics.extend(
            findings
                .drain(..)
                .map(|finding| stamp(rule, severity, &workload.file, Some(object.clone()), finding)),
        );
    }
    if let Some(suppression) = suppression {
        diagnostics.extend(unused_suppressions(&suppression, &workload.file, context.config));
    }
    diagnostics
}

/// `unused-suppression` diagnostics for what a suppression covered in vain.
fn unused_suppressions(suppression: &Tracker<'_>, file: &Arc<SourceFile>, config: &Config) -> Vec<Diagnostic> {
    suppression
        .unused(|id| rules::find(id).is_some())
        .into_iter()
        .filter_map(|(span, message)| {
            let finding = Finding::new(span, message)
                .label("suppresses nothing")
                .help("remove it, or the rule ids in it that no longer match");
            read_diagnostic(&rules::unused_suppression::RULE, file, config, finding)
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

/// Turns what a rule (or the reader) found into a diagnostic: the one place a finding gets its
/// rule, severity, file and object.
fn stamp(
    rule: &'static Rule,
    severity: Severity,
    file: &Arc<SourceFile>,
    object: Option<ObjectRef>,
    finding: Finding,
) -> Diagnostic {
    Diagnostic {
        rule: rule.id,
        severity: finding.severity_cap.map_or(severity, |cap| cap.min(severity)),
        message: finding.message,
        help: finding.help,
        file: Arc::clone(file),
        span: finding.span,
        label: finding.label,
        related: finding.related,
        object,
        container: finding.container,
        field: finding.field,
    }
}

/// A finding of a rule that reading files reports, when that rule is on.
fn read_diagnostic(
    rule: &'static Rule,
    file: &Arc<SourceFile>,
    config: &Config,
    finding: Finding,
) -> Option<Diagnostic> {
    Some(stamp(rule, config.severity(rule)?, file, None, finding))
}

/// What one file contributed.
struct FileOutcome {
    diagnostics: Vec<Diagnostic>,
    extracted: manifest::Extracted,
    /// The file and its `# pullcheck:ignore` comments, when it has any.
    line_suppressions: Option<(Arc<SourceFile>, Vec<Suppression>)>,
    /// The input could not be read, so the run did not check everything it was asked to.
    incomplete: bool,
}

/// Reads and checks one input. Its names move into the file the results point at: a run keeps
/// that file for as long as it has workloads or findings, and copies of a long path add up.
fn read_input(input: Input, config: &Config, max_size: u64) -> FileOutcome {
    let read = read_text(&input, max_size);
    let (display, path) = match input {
        Input::File { display, path } => (display, Some(path)),
        Input::Stdin { display } | Input::Unreadable { display, .. } => (display, None),
    };
    let (text, stamp) = match read {
        Ok(read) => read,
        Err(Unread {
            reason,
            help,
            incomplete,
        }) => {
            let file = Arc::new(SourceFile::new(display, String::new()));
            let finding = Finding::new(Span::default(), reason).help(help);
            let diagnostics = read_diagnostic(&rules::unreadable_file::RULE, &file, config, finding)
                .into_iter()
                .collect();
            return FileOutcome {
                diagnostics,
                extracted: manifest::Extracted::default(),
                line_suppressions: None,
                incomplete,
            };
        }
    };
    match path.zip(stamp) {
        // The text is dropped at the end of this function: what outlives it is read again from
        // disk if a diagnostic needs it.
        Some((path, (len, modified))) => {
            let origin = Origin { path, len, modified };
            check_file(&Arc::new(SourceFile::on_disk(display, origin)), &text, config)
        }
        None => {
            let file = Arc::new(SourceFile::new(display, text));
            check_file(&file, file.text(), config)
        }
    }
}

/// Loads and extracts one file's text: its parse problems, workloads and facts. `file` is what
/// the results point at; `text` is its text, which `file` may not hold.
fn check_file(file: &Arc<SourceFile>, text: &str, config: &Config) -> FileOutcome {
    let stream = yaml::load_except(text, manifest::unread);
    // A template that is not YAML until rendered: one finding for the file, not a syntax error
    // for each of its expressions, and nothing to extract.
    if stream.problems.iter().any(|p| matches!(p, LoadProblem::Syntax { .. }))
        && let Some(finding) = rules::unrendered_template::file_finding(text)
    {
        return FileOutcome {
            diagnostics: read_diagnostic(&rules::unrendered_template::RULE, file, config, finding)
                .into_iter()
                .collect(),
            extracted: manifest::Extracted::default(),
            line_suppressions: None,
            incomplete: false,
        };
    }
    let mut diagnostics: Vec<Diagnostic> = stream
        .problems
        .iter()
        .filter_map(|problem| problem_diagnostic(problem, file, config))
        .collect();
    let extracted = manifest::extract(stream.documents(), file, &config.default_namespace);
    for fact in &extracted.facts {
        if let Fact::Secret(secret) = fact
            && let Some(finding) = rules::malformed_pull_secret::finding(secret)
        {
            diagnostics.extend(read_diagnostic(
                &rules::malformed_pull_secret::RULE,
                file,
                config,
                finding,
            ));
        }
    }
    let suppressions = suppress::line_suppressions(text);
    FileOutcome {
        diagnostics,
        extracted,
        line_suppressions: (!suppressions.is_empty()).then(|| (Arc::clone(file), suppressions)),
        incomplete: false,
    }
}

/// Why an input could not be checked, and what to do about it.
struct Unread {
    reason: String,
    help: &'static str,
    /// It could not be read at all, or only in part, so the run is incomplete (rather than the
    /// file being read and found not to be UTF-8 text, a finding like any other).
    incomplete: bool,
}

impl Unread {
    fn io(reason: String) -> Unread {
        Unread {
            reason,
            help: "make the file readable, or leave it out with --exclude",
            incomplete: true,
        }
    }

    fn not_text(reason: &str) -> Unread {
        Unread {
            reason: reason.to_owned(),
            help: "save the file as UTF-8, as Kubernetes expects, or leave it out with --exclude",
            incomplete: false,
        }
    }
}

/// What a file on disk looked like when it was read (its length and modification time), to
/// notice a change when it is read again; `None` for the standard input, or when unknown.
type Stamp = Option<(u64, Option<std::time::SystemTime>)>;

/// Reads an input as UTF-8 text, at most `max_size` bytes of it (0: no limit), with its [`Stamp`].
fn read_text(input: &Input, max_size: u64) -> Result<(String, Stamp), Unread> {
    let limit = if max_size == 0 { u64::MAX } else { max_size };
    let too_large = || Unread {
        reason: format!("the input is larger than --max-file-size ({max_size} bytes) and was not checked"),
        help: "raise --max-file-size (or set it to 0 for no limit), or leave the file out with --exclude",
        incomplete: true,
    };
    let mut bytes = Vec::new();
    let mut stamp = None;
    let read = match input {
        Input::File { path, .. } => {
            let file =
                std::fs::File::open(path).map_err(|error| Unread::io(format!("cannot read the file: {error}")))?;
            let metadata = file.metadata().ok();
            if metadata.as_ref().is_some_and(|m| m.len() > limit) {
                return Err(too_large());
            }
            // Sized from the metadata (and one byte more, to see the end without growing): read
            // through `take`, `read_to_end` would otherwise start small and grow the buffer,
            // copying it each time.
            if let Some(len) = metadata.as_ref().and_then(|m| usize::try_from(m.len()).ok()) {
                bytes.reserve_exact(len.saturating_add(1));
            }
            let read = file.take(limit.saturating_add(1)).read_to_end(&mut bytes);
            // Without the file's metadata a later change could not be noticed: keep the text.
            stamp = metadata.map(|metadata| (bytes.len() as u64, metadata.modified().ok()));
            read
        }
        Input::Stdin { .. } => std::io::stdin().take(limit.saturating_add(1)).read_to_end(&mut bytes),
        Input::Unreadable { reason, .. } => return Err(Unread::io(format!("cannot read: {reason}"))),
    };
    read.map_err(|error| Unread::io(format!("cannot read: {error}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Unread::not_text(
            "the file is UTF-16 encoded; pullcheck reads UTF-8 (as Kubernetes does)",
        ));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        Unread::not_text(&format!(
            "the file is not valid UTF-8 (invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ))
    })?;
    Ok((text, stamp))
}

fn problem_diagnostic(problem: &LoadProblem, file: &Arc<SourceFile>, config: &Config) -> Option<Diagnostic> {
    let (rule, finding) = match problem {
        LoadProblem::Syntax { span, message } => (
            &rules::yaml_syntax::RULE,
            Finding::new(*span, format!("invalid YAML: {message}"))
                .help("fix the syntax; the file's other documents were still checked"),
        ),
        LoadProblem::DuplicateKey { key, span, first, more } => (
            &rules::duplicate_key::RULE,
            Finding::new(*span, match more {
                0 => format!("key \"{key}\" is written twice in the same mapping"),
                more => format!("key \"{key}\" is written twice in the same mapping (and {more} more duplicate keys after this one, not reported)"),
            })
                .label("written again here")
                .related(*first, "first written here")
                .help("remove one of them: Kubernetes tools keep only one of the values, or reject the object"),
        ),
    };
    read_diagnostic(rule, file, config, finding)
}
