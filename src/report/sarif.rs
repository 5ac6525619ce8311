//! SARIF 2.1.0, for GitHub code scanning and other SARIF consumers (viewers, Azure DevOps).
//!
//! One log with one run. The driver lists every rule in the table, with its doc, so a viewer can
//! explain a finding without pullcheck at hand; each diagnostic becomes a result with its rule,
//! level, message (and help), primary location, related locations and a fingerprint.
//!
//! Decisions a consumer can rely on:
//! - **Locations** are relative to `%SRCROOT%`, the directory pullcheck ran in, which
//!   `originalUriBaseIds` declares (as an absolute `file:` URI when the directory is known). A path
//!   is normalised (`./` and `a/..` removed) and percent-encoded with `/` separators, from the
//!   path as the file system names it (on Unix, a name that is not UTF-8 keeps its bytes). A path that
//!   leaves that directory (`../shared/x.yaml`, or an absolute path elsewhere) cannot be expressed
//!   under it, so it gets an absolute `file:` URI and no `uriBaseId`; code scanning ignores such
//!   results, as they are outside the repository. The standard input is reported under its
//!   `--stdin-filename` name (default `<stdin>`), like any relative path.
//! - **Regions** count lines and columns from 1, columns in Unicode code points (`columnKind` says
//!   so: SARIF's default unit is UTF-16 code units), with the byte offset and length beside them.
//!   `endColumn` is the column after the last character. A region with nothing in it (a file that
//!   could not be read) is a point: `startLine` and `startColumn` alone. Snippets are the text as
//!   it may be shown, with credentials masked, never empty, and at most 400 bytes: a longer region
//!   has none. A `contextRegion` is the region's whole lines, or on longer lines (minified JSON) a
//!   window of 80 bytes either side, so a report grows with its findings, not their lines' length.
//! - **Fingerprints**: `partialFingerprints["pullcheck/v1"]` is a 64-bit FNV-1a hash of the rule,
//!   the artifact URI, the object (kind, namespace, name), the container, the field and the message,
//!   in hex, followed by `:n` for the n-th result with that hash in the run. Line numbers are left
//!   out, so a finding keeps its identity when lines above it move. FNV-1a is tiny, well known and
//!   stable across platforms and Rust versions (std's hasher is not), and implemented here.
//! - `automationDetails.id` is `pullcheck/`: code scanning files every upload under the category
//!   `pullcheck`, whatever the workflow is called (the upload action's `category` input only fills
//!   an id that is missing).
//!
//! Like the JSON report, the output is a pure function of the outcome and the working directory.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::fingerprint::Fingerprints;
use crate::rules::{self, Rule};
use crate::source::{SourceFile, Span};
use crate::uri::{file_uri, normalise, percent_encode_os};

/// The published schema this output follows.
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Where pullcheck lives: the tool's `informationUri`.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
/// The base of every relative artifact URI: the directory pullcheck ran in.
pub const SRCROOT: &str = "%SRCROOT%";
/// The key of pullcheck's fingerprint in `partialFingerprints`; the version changes with its inputs.
pub const FINGERPRINT: &str = "pullcheck/v1";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    original_uri_base_ids: BTreeMap<&'static str, BaseLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: MultiformatMessage,
    full_description: MultiformatMessage,
    help_uri: String,
    help: MultiformatMessage,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    markdown: Option<String>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
struct BaseLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    description: Message,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    context_region: Option<Region>,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet>,
}

#[derive(Serialize)]
struct Snippet {
    text: String,
}

/// Writes the whole log, pretty-printed, with a trailing newline. `working_directory` is `%SRCROOT%`,
/// the directory that relative paths are relative to; when it is unknown, relative paths stay
/// relative (normalised) and the base is declared without a URI.
pub fn write(outcome: &Outcome, working_directory: Option<&Path>, out: &mut dyn Write) -> io::Result<()> {
    let artifacts = Artifacts::new(working_directory);
    let mut fingerprints = Fingerprints::default();
    let results = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let location = artifacts.locate(&d.file);
            let fingerprint = fingerprints.of(d, &location.uri);
            result(d, location, fingerprint, &artifacts)
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "pullcheck",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: rules::RULES.iter().map(|rule| descriptor(rule)).collect(),
                },
            },
            automation_details: AutomationDetails { id: "pullcheck/" },
            invocations: [Invocation {
                // An input that could not be read means the run did not check everything.
                execution_successful: outcome.unread == 0,
            }],
            original_uri_base_ids: BTreeMap::from([(SRCROOT, artifacts.base())]),
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Error) => "error",
        Some(Severity::Warning) => "warning",
        Some(Severity::Info) => "note",
        None => "none",
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let description = rule.description();
    ReportingDescriptor {
        id: rule.id,
        name: pascal_case(rule.id),
        short_description: MultiformatMessage {
            text: sentence(rule.summary),
            markdown: None,
        },
        full_description: MultiformatMessage {
            text: plain_text(&description),
            markdown: Some(description),
        },
        help_uri: rule.doc_url(),
        help: MultiformatMessage {
            text: rule.doc.to_owned(),
            markdown: Some(rule.doc.to_owned()),
        },
        default_configuration: Configuration {
            level: level(rule.default_severity),
        },
    }
}

/// `latest-image-tag` → `LatestImageTag`, the readable identifier SARIF's `name` asks for.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// Markdown of a rule doc's paragraph as plain text: code spans lose their backticks, emphasis its
/// stars, links their targets.
fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(c) = rest.chars().next() {
        // `[text](target)` → `text`
        if c == '['
            && let Some((label, after)) = rest[1..].split_once("](")
            && let Some(close) = after.find(')')
            && !label.contains(']')
        {
            text.push_str(label);
            rest = &after[close + 1..];
            continue;
        }
        if c != '`' && c != '*' {
            text.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    text
}

/// pullcheck's messages are clauses; SARIF asks for sentences that end with a period. The first
/// letter keeps its case: a message may start with a field name (`imagePullSecrets names …`).
fn sentence(clause: &str) -> String {
    let mut text = clause.trim_end().to_owned();
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// Escapes the characters that delimit an embedded link's text in a plain text message.
fn link_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn result(d: &Diagnostic, location: ArtifactLocation, fingerprint: String, artifacts: &Artifacts) -> SarifResult {
    let rule_index = rules::RULES
        .iter()
        .position(|rule| rule.id == d.rule)
        .expect("every diagnostic names a rule in the table");
    let related_locations: Vec<Location> = d
        .related
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let file = label.file.as_deref().unwrap_or(&d.file);
            Location {
                id: Some(i + 1),
                physical_location: physical_location(file, label.span, artifacts.locate(file)),
                message: Some(Message {
                    text: sentence(&label.message),
                }),
            }
        })
        .collect();

    // The message, links to the related places (code scanning shows only the linked ones), then
    // the help, each a sentence of its own.
    let mut text = sentence(&d.message);
    if let Some(from) = d.file.rendered_from(d.span.start) {
        text.push_str(&format!(" Rendered from {}, line {}.", from.template, from.line));
    }
    if !related_locations.is_empty() {
        let links: Vec<String> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, label)| format!("[{}]({})", link_text(&label.message), i + 1))
            .collect();
        text.push_str(&format!(" See {}.", links.join(", ")));
    }
    if let Some(help) = &d.help {
        text.push_str("\nHelp: ");
        text.push_str(&sentence(help));
    }

    SarifResult {
        rule_id: d.rule,
        rule_index,
        level: level(Some(d.severity)),
        message: Message { text },
        locations: [Location {
            id: None,
            physical_location: physical_location(&d.file, d.span, location),
            message: d.label.as_ref().map(|label| Message { text: sentence(label) }),
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint)]),
    }
}

fn physical_location(file: &SourceFile, span: Span, artifact_location: ArtifactLocation) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location,
        region: region(file, span),
        context_region: context_region(file, span),
    }
}

/// The most a snippet quotes, in bytes: a region longer than this has none, and a context region
/// on longer lines is a window of [`CONTEXT_MARGIN`] bytes either side of its region. Without a
/// bound, every finding on one long line (minified JSON) would repeat the whole line.
const MAX_SNIPPET: usize = 400;
/// What a context region quotes on either side of its region when the lines are too long.
const CONTEXT_MARGIN: usize = 80;

/// The text shown for `span`, when there is some and it is short: credentials masked, never empty.
fn snippet(file: &SourceFile, span: Span) -> Option<Snippet> {
    file.shown_text()
        .get(span.range())
        .filter(|text| !text.is_empty() && text.len() <= MAX_SNIPPET)
        .map(|text| Snippet { text: text.to_owned() })
}

fn region(file: &SourceFile, span: Span) -> Region {
    let start = file.position(span.start);
    let last_char = file.text().get(span.range()).and_then(|text| text.chars().next_back());
    let Some(last_char) = last_char else {
        // Nothing to point at: a point at the start.
        return Region {
            start_line: start.line,
            start_column: start.column,
            end_line: None,
            end_column: None,
            byte_offset: None,
            byte_length: None,
            snippet: None,
        };
    };
    // SARIF's end is the line of the last character and the column after it, which differs from
    // the position of `span.end` when the last character is a line break.
    let last = file.position(span.end - last_char.len_utf8());
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: Some(last.line),
        end_column: Some(last.column + 1),
        byte_offset: Some(span.start),
        byte_length: Some(span.len()),
        snippet: snippet(file, span),
    }
}

/// The whole lines around a non-empty span, for viewers that show context; on lines longer than
/// [`MAX_SNIPPET`], a window around the span. None when the span is itself too long to quote, or
/// fills its lines (a context region is larger than its region).
fn context_region(file: &SourceFile, span: Span) -> Option<Region> {
    let text = file.text();
    if span.is_empty() || span.len() > MAX_SNIPPET || text.get(span.range()).is_none() {
        return None;
    }
    // The span's last line is that of its last byte (a multi-byte character holds no line break).
    let lines = Span::new(file.line_span(span.start).start, file.line_span(span.end - 1).end);
    let context = if lines.len() <= MAX_SNIPPET {
        lines
    } else {
        let mut start = span.start.saturating_sub(CONTEXT_MARGIN).max(lines.start);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (span.end + CONTEXT_MARGIN).min(lines.end);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(start, end)
    };
    (context.start <= span.start && span.end <= context.end && context != span).then(|| region(file, context))
}

/// Turns display paths into artifact locations relative to `%SRCROOT%`.
pub(crate) struct Artifacts {
    root: Option<PathBuf>,
}

impl Artifacts {
    pub(crate) fn new(working_directory: Option<&Path>) -> Artifacts {
        Artifacts {
            root: working_directory.filter(|dir| dir.is_absolute()).map(normalise),
        }
    }

    /// `%SRCROOT%` as `originalUriBaseIds` declares it.
    fn base(&self) -> BaseLocation {
        BaseLocation {
            uri: self.root.as_deref().map(|root| {
                let mut uri = file_uri(root);
                if !uri.ends_with('/') {
                    uri.push('/');
                }
                uri
            }),
            description: Message {
                text: "The directory pullcheck was run in.".to_owned(),
            },
        }
    }

    fn locate(&self, file: &SourceFile) -> ArtifactLocation {
        match self.relative(file) {
            Ok(relative) => ArtifactLocation {
                uri: relative_uri(&relative),
                uri_base_id: Some(SRCROOT),
            },
            Err(absolute) => ArtifactLocation {
                uri: file_uri(&absolute),
                uri_base_id: None,
            },
        }
    }

    /// The file's path relative to `%SRCROOT%`, or its absolute path (`Err`) when it is elsewhere.
    pub(crate) fn relative(&self, file: &SourceFile) -> Result<PathBuf, PathBuf> {
        // The path as the file system names it, which the displayed one may not spell (a name
        // that is not UTF-8 is displayed with U+FFFD).
        let path = file.fs_path().unwrap_or(Path::new(&file.path));
        match &self.root {
            Some(root) => {
                let absolute = normalise(&root.join(path));
                absolute.strip_prefix(root).ok().map(Path::to_path_buf).ok_or(absolute)
            }
            // Without a root, a relative path is taken as it is; one that climbs out stays so.
            None if path.is_relative() => Ok(normalise(path)),
            None => Err(normalise(path)),
        }
    }
}

/// A relative path as a relative URI reference: `/`-separated, percent-encoded segments.
pub(crate) fn relative_uri(path: &Path) -> String {
    let segments: Vec<String> = path
        .components()
        .map(|component| percent_encode_os(component.as_os_str()))
        .collect();
    if segments.is_empty() {
        ".".to_owned()
    } else {
        segments.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uris_relative_to_the_working_directory() {
        let artifacts = Artifacts::new(Some(Path::new("/work/repo")));
        let locate = |path: &str| {
            let location = artifacts.locate(&SourceFile::new(path, ""));
            (location.uri, location.uri_base_id)
        };
        let relative = |uri: &str| (uri.to_owned(), Some(SRCROOT));
        let absolute = |uri: &str| (uri.to_owned(), None);
        assert_eq!(locate("deploy/app.yaml"), relative("deploy/app.yaml"));
        assert_eq!(locate("./deploy/./app.yaml"), relative("deploy/app.yaml"));
        assert_eq!(locate("deploy/../other/x.yaml"), relative("other/x.yaml"));
        assert_eq!(locate("/work/repo/deploy/app.yaml"), relative("deploy/app.yaml"));
        assert_eq!(
            locate("my charts/a:b#1%.yaml"),
            relative("my%20charts/a%3Ab%231%25.yaml")
        );
        assert_eq!(locate("café.yaml"), relative("caf%C3%A9.yaml"));
        assert_eq!(locate("<stdin>"), relative("%3Cstdin%3E"));
        // Leaving the working directory: an absolute file URI, with no base.
        assert_eq!(locate("../shared/x.yaml"), absolute("file:///work/shared/x.yaml"));
        assert_eq!(locate("../repo/deploy/app.yaml"), relative("deploy/app.yaml"));
        assert_eq!(locate("/etc/k8s/a b.yaml"), absolute("file:///etc/k8s/a%20b.yaml"));
        assert_eq!(artifacts.base().uri.as_deref(), Some("file:///work/repo/"));

        let unknown = Artifacts::new(None);
        let location = unknown.locate(&SourceFile::new("./a/../b.yaml", ""));
        assert_eq!((location.uri.as_str(), location.uri_base_id), ("b.yaml", Some(SRCROOT)));
        let location = unknown.locate(&SourceFile::new("../x.yaml", ""));
        assert_eq!(
            (location.uri.as_str(), location.uri_base_id),
            ("../x.yaml", Some(SRCROOT))
        );
        assert_eq!(unknown.base().uri, None);
    }

    #[test]
    fn regions_end_after_the_last_character() {
        let file = SourceFile::new("a.yaml", "a: é1\nb: 2\n");
        let value = file.text().find('é').unwrap();
        let region = region(&file, Span::new(value, value + "é1".len()));
        assert_eq!((region.start_line, region.start_column), (1, 4));
        assert_eq!((region.end_line, region.end_column), (Some(1), Some(6)));
        assert_eq!((region.byte_offset, region.byte_length), (Some(3), Some(3)));
        assert_eq!(region.snippet.unwrap().text, "é1");
        // A span that takes the line break ends on its own line.
        let region = super::region(&file, Span::new(0, 7));
        assert_eq!((region.end_line, region.end_column), (Some(1), Some(7)));
        // An empty span is a point, with no zero anywhere.
        let region = super::region(&file, Span::default());
        assert_eq!((region.start_line, region.start_column, region.end_line), (1, 1, None));
        assert!(region.byte_length.is_none() && region.snippet.is_none());
        let context = context_region(&file, Span::new(value, value + "é".len())).unwrap();
        assert_eq!(context.snippet.unwrap().text, "a: é1");
    }

    #[test]
    fn text_helpers() {
        assert_eq!(pascal_case("latest-image-tag"), "LatestImageTag");
        assert_eq!(
            plain_text("Reports `imagePullPolicy: Never`, see [the doc](x.md) and **this**."),
            "Reports imagePullPolicy: Never, see the doc and this."
        );
        assert_eq!(sentence("image \"x\" has no tag"), "image \"x\" has no tag.");
        assert_eq!(sentence("done."), "done.");
        assert_eq!(link_text("a[0]\\b"), "a\\[0\\]\\\\b");
    }
}
