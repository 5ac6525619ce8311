//! Reading one input: its text (within the size limit, as UTF-8), loaded as YAML and its objects
//! extracted, with what reading found on the way (an unreadable file, a syntax error, a duplicate
//! key, a malformed pull secret) as diagnostics.
//!
//! Which rule reports what is the rule table's business ([`rules::Stage`]): this module offers each
//! stage's input to the rules that run at it and names no rule. It judges no workload either:
//! that waits until every file is read (`check`). [`find`] reads a whole selection this way for
//! what is built on the same reading without judging (`pullcheck init`, `inventoryManifests`).

use std::io::Read;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::discover::{self, DiscoverError, Input, Selection};
use crate::manifest::facts::Fact;
use crate::manifest::{self, Workload};
use crate::rules::{self, Finding, Rule, Stage};
use crate::source::{OnDisk, SourceFile, Span};
use crate::suppress::{self, Suppression};
use crate::yaml::{self, LoadProblem};

/// What one input contributed.
#[derive(Debug)]
pub(crate) struct FileOutcome {
    pub diagnostics: Vec<Diagnostic>,
    pub extracted: manifest::Extracted,
    /// The file and its `# pullcheck:ignore` comments, when it has any.
    pub line_suppressions: Option<(Arc<SourceFile>, Vec<Suppression>)>,
    /// The input could not be read, so the run did not check everything it was asked to.
    pub incomplete: bool,
}

impl FileOutcome {
    fn of_diagnostics(diagnostics: Vec<Diagnostic>, incomplete: bool) -> FileOutcome {
        FileOutcome {
            diagnostics,
            extracted: manifest::Extracted::default(),
            line_suppressions: None,
            incomplete,
        }
    }
}

/// A pool of `threads` threads for reading and judging.
pub(crate) fn thread_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("the thread pool can be built")
}

/// What the inputs of a selection hold, read and extracted as a check reads them, but not judged.
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

/// Reads and extracts every input of `selection` with `config`, without running any rule on the
/// workloads.
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

/// Reads and extracts one input. Its names move into the file the results point at: a run keeps
/// that file for as long as it has workloads or findings, and copies of a long path add up.
pub(crate) fn read_input(input: Input, config: &Config, max_size: u64) -> FileOutcome {
    let read = read_text(&input, max_size);
    let (display, path) = match input {
        Input::File { display, path } => (display, Some(path)),
        Input::Stdin { display } | Input::Unreadable { display, .. } => (display, None),
    };
    let (text, stamp) = match read {
        Ok(read) => read,
        Err(failure) => {
            let file = Arc::new(match path {
                Some(path) => SourceFile::in_memory_at(display, path, String::new()),
                None => SourceFile::new(display, String::new()),
            });
            let diagnostics = rules::at_stage(|stage| match stage {
                Stage::Unreadable(finding) => Some(*finding),
                _ => None,
            })
            .filter_map(|(rule, finding)| diagnostic(rule, &file, config, finding(&failure.reason, failure.help)))
            .collect();
            return FileOutcome::of_diagnostics(diagnostics, failure.incomplete);
        }
    };
    match path.zip(stamp) {
        // The text is dropped at the end of this function: what outlives it is read again from
        // disk if a diagnostic needs it.
        Some((path, (len, modified))) => {
            let on_disk = OnDisk { path, len, modified };
            load_file(&Arc::new(SourceFile::on_disk(display, on_disk)), &text, config)
        }
        None => {
            let file = Arc::new(SourceFile::new(display, text));
            load_file(&file, file.text(), config)
        }
    }
}

/// Loads and extracts one file's text: its parse problems, workloads and facts. `file` is what
/// the results point at; `text` is its text, which `file` may not hold.
pub(crate) fn load_file(file: &Arc<SourceFile>, text: &str, config: &Config) -> FileOutcome {
    let stream = yaml::load_except(text, manifest::unread);
    // A file that is a template, not YAML until rendered: one finding for the file, not a syntax
    // error for each of its expressions, and nothing to extract.
    let template = rules::at_stage(|stage| match stage {
        Stage::Template(finding) => Some(*finding),
        _ => None,
    })
    .find_map(|(rule, finding)| Some((rule, finding(text, &stream.problems)?)));
    if let Some((rule, finding)) = template {
        return FileOutcome::of_diagnostics(diagnostic(rule, file, config, finding).into_iter().collect(), false);
    }

    let scope = Scope::of(&file.path, text, &stream);
    let mut diagnostics: Vec<Diagnostic> = rules::at_stage(|stage| match stage {
        Stage::Load(finding) => Some(*finding),
        _ => None,
    })
    .flat_map(|(rule, finding)| {
        stream
            .problems
            .iter()
            .filter(|problem| scope.concerns(problem))
            .filter_map(move |problem| diagnostic(rule, file, config, finding(problem)?))
    })
    .collect();
    let extracted = manifest::extract_with(stream.documents(), file, &config.default_namespace, &config.kinds);
    let secrets = extracted.facts.iter().filter_map(|fact| match fact {
        Fact::Secret(secret) => Some(secret),
        Fact::ServiceAccount(_) => None,
    });
    for secret in secrets {
        diagnostics.extend(
            rules::at_stage(|stage| match stage {
                Stage::Secret(finding) => Some(*finding),
                _ => None,
            })
            .filter_map(|(rule, finding)| diagnostic(rule, file, config, finding(secret)?)),
        );
    }
    let suppressions = suppress::line_suppressions(text);
    FileOutcome {
        diagnostics,
        extracted,
        line_suppressions: (!suppressions.is_empty()).then(|| (Arc::clone(file), suppressions)),
        incomplete: false,
    }
}

/// Which of a file's loading problems are pullcheck's business. pullcheck judges what the
/// Kubernetes API, kubectl, kustomize and the kubelet read, and a YAML file in a repository is
/// often none of that (a compose file, a CI workflow, Helm values, an Ansible playbook), read by a
/// tool with its own rules. So:
///
/// - in a kustomization file (`kustomization.yaml`…), every problem counts;
/// - a duplicate key counts inside a document that is a Kubernetes object (a mapping with
///   `apiVersion` and `kind`), and nowhere else;
/// - a syntax error counts inside such a document, and, where the parser gave up outside any
///   document it could load, when the file shows a sign of holding objects: one of its documents
///   is an object, or its text writes both an `apiVersion` and a `kind` key (the broken document
///   may be the only one).
struct Scope {
    whole_file: bool,
    /// The spans of the documents that are Kubernetes objects.
    objects: Vec<Span>,
    /// Whether the file shows a sign of holding objects; computed only when a syntax error needs it.
    signs: bool,
}

impl Scope {
    fn of(path: &str, text: &str, stream: &yaml::Stream<'_>) -> Scope {
        let whole_file = manifest::is_kustomization_file(path);
        let objects: Vec<Span> = stream
            .documents()
            .filter(|document| document.get("apiVersion").is_some() && document.get("kind").is_some())
            .map(|document| document.span())
            .collect();
        let syntax = stream
            .problems
            .iter()
            .any(|problem| matches!(problem, LoadProblem::Syntax { .. }));
        let signs = syntax && (!objects.is_empty() || (writes_key(text, "apiVersion") && writes_key(text, "kind")));
        Scope {
            whole_file,
            objects,
            signs,
        }
    }

    fn concerns(&self, problem: &LoadProblem) -> bool {
        let in_object = |span: &Span| {
            self.objects
                .iter()
                .any(|object| object.start <= span.start && span.end <= object.end)
        };
        self.whole_file
            || match problem {
                LoadProblem::DuplicateKey { span, .. } => in_object(span),
                LoadProblem::Syntax { span, .. } => in_object(span) || self.signs,
            }
    }
}

/// Whether `text` writes `key` as a mapping key, in YAML (`key:`) or JSON (`"key":`).
fn writes_key(text: &str, key: &str) -> bool {
    text.match_indices(key).any(|(at, _)| {
        let starts = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '{' | ',' | '-'));
        let rest = text[at + key.len()..]
            .trim_start_matches(['"', '\''])
            .trim_start_matches([' ', '\t']);
        starts && rest.starts_with(':')
    })
}

/// A finding about a file itself (no object), as a diagnostic of `rule` when `config` turns it on.
pub(crate) fn diagnostic(
    rule: &'static Rule,
    file: &Arc<SourceFile>,
    config: &Config,
    finding: Finding,
) -> Option<Diagnostic> {
    Some(finding.into_diagnostic(rule, rule.severity(config)?, file, None))
}

/// Why an input could not be checked, and what to do about it.
struct ReadFailure {
    reason: String,
    help: &'static str,
    /// It could not be read at all, or only in part, so the run is incomplete (rather than the
    /// file being read and found not to be UTF-8 text, a finding like any other).
    incomplete: bool,
}

impl ReadFailure {
    fn io(reason: String) -> ReadFailure {
        ReadFailure {
            reason,
            help: "make the file readable, or leave it out with --exclude",
            incomplete: true,
        }
    }

    fn not_text(reason: &str) -> ReadFailure {
        ReadFailure {
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
fn read_text(input: &Input, max_size: u64) -> Result<(String, Stamp), ReadFailure> {
    let limit = if max_size == 0 { u64::MAX } else { max_size };
    let too_large = || ReadFailure {
        reason: format!("the input is larger than --max-file-size ({max_size} bytes) and was not checked"),
        help: "raise --max-file-size (or set it to 0 for no limit), or leave the file out with --exclude",
        incomplete: true,
    };
    let mut bytes = Vec::new();
    let mut stamp = None;
    let read = match input {
        Input::File { path, .. } => {
            let file =
                std::fs::File::open(path).map_err(|error| ReadFailure::io(format!("cannot read the file: {error}")))?;
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
        Input::Unreadable { reason, .. } => return Err(ReadFailure::io(format!("cannot read: {reason}"))),
    };
    read.map_err(|error| ReadFailure::io(format!("cannot read: {error}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadFailure::not_text(
            "the file is UTF-16 encoded; pullcheck reads UTF-8 (as Kubernetes does)",
        ));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        ReadFailure::not_text(&format!(
            "the file is not valid UTF-8 (invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ))
    })?;
    Ok((text, stamp))
}

/// A file on disk that changed after it was read: its findings point at text that is no longer
/// there, so the file gets this one instead.
pub(crate) fn changed_file(file: &Arc<SourceFile>, config: &Config) -> Vec<Diagnostic> {
    let reason = file.reload_failure().unwrap_or_default().to_owned();
    rules::at_stage(|stage| match stage {
        Stage::Unreadable(finding) => Some(*finding),
        _ => None,
    })
    .filter_map(|(rule, finding)| {
        diagnostic(
            rule,
            file,
            config,
            finding(&reason, "check it again once nothing is writing to it"),
        )
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_found(path: &str, text: &str) -> Vec<&'static str> {
        let file = Arc::new(SourceFile::new(path, text));
        load_file(&file, text, &Config::default())
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .collect()
    }

    #[test]
    fn problems_outside_kubernetes_objects_are_not_reported() {
        let compose = "services:\n  db:\n    image: db:1\n    image: db:2\n";
        assert_eq!(rules_found("compose.yaml", compose), Vec::<&str>::new());
        let workflow = "name: build\njobs:\n  build:\n    steps:\n      - name: test\n         run: x\n";
        assert_eq!(rules_found("ci.yml", workflow), Vec::<&str>::new());
        // Beside an object, the same duplicate in a values-like document is still not its.
        let mixed = "a: 1\na: 2\n---\napiVersion: v1\nkind: Pod\nkind: Pod\n";
        assert_eq!(rules_found("mixed.yaml", mixed), ["duplicate-key"]);
    }

    #[test]
    fn problems_in_objects_and_kustomizations_are_reported() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n";
        assert_eq!(rules_found("pod.yaml", pod), ["duplicate-key"]);
        let kustomization = "resources: [a.yaml]\nresources: [b.yaml]\n";
        assert_eq!(rules_found("base/kustomization.yaml", kustomization), ["duplicate-key"]);
        let broken = "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {]}\n";
        assert_eq!(rules_found("pod.json", broken), ["yaml-syntax"]);
    }

    #[test]
    fn keys_are_recognised_as_written() {
        assert!(writes_key("apiVersion: v1\n", "apiVersion"));
        assert!(writes_key("{\"kind\" : \"Pod\"}", "kind"));
        assert!(writes_key("- kind: Pod", "kind"));
        assert!(!writes_key("kindness: 1\nmykind: 2\nkind of: 3\n", "kind"));
    }
}
