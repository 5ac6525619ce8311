//! GitLab Code Quality: the JSON array of issues that a job's `artifacts:reports:codequality` file
//! holds, which GitLab shows in the merge request's widget and diff, and compares between the
//! source and target branches by fingerprint.
//!
//! GitLab reads a subset of the Code Climate issue format (docs.gitlab.com, "Code Quality", section
//! "Code Quality report format"; the Code Climate spec, `spec/analyzers/SPEC.md` of
//! codeclimate/platform): every issue must have `description`, `check_name`, `fingerprint`,
//! `severity` (one of `info`, `minor`, `major`, `critical`, `blocker`) and `location.path` with
//! `location.lines.begin` or `location.positions.begin.line`; the rest is ignored.
//!
//! - `description` is the message, with the help when there is one: the widget shows nothing else.
//! - `check_name` is the rule id.
//! - `fingerprint` is the one SARIF gives (`report/fingerprint.rs`): it does not change when lines
//!   are added above the finding, so GitLab does not report it as fixed and new again.
//! - `severity`: error → `major`, warning → `minor`, info → `info`. `critical` and `blocker` are
//!   left for what breaks a build outright; a finding here fails one deployment.
//! - `location.path` is relative to the directory pullcheck ran in, which in a GitLab job is the
//!   repository's root, as GitLab requires; `location.positions` gives the lines and columns.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::fingerprint::Fingerprints;
use crate::report::sarif::{Artifacts, relative_uri};
use crate::uri::file_uri;

#[derive(Serialize)]
struct Issue {
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    categories: [&'static str; 1],
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
    positions: Positions,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

#[derive(Serialize)]
struct Positions {
    begin: Position,
    end: Position,
}

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

/// Writes the report: a JSON array, pretty-printed, with a trailing newline. `working_directory`
/// is what paths are made relative to.
pub fn write(outcome: &Outcome, working_directory: Option<&Path>, out: &mut dyn Write) -> io::Result<()> {
    let artifacts = Artifacts::new(working_directory);
    let mut fingerprints = Fingerprints::default();
    let issues: Vec<Issue> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            let (path, uri) = match artifacts.relative(&d.file) {
                Ok(relative) => (slashed(&relative), relative_uri(&relative)),
                Err(absolute) => (absolute.to_string_lossy().into_owned(), file_uri(&absolute)),
            };
            issue(d, path, fingerprints.of(d, &uri))
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    out.write_all(b"\n")
}

fn issue(d: &Diagnostic, path: String, fingerprint: String) -> Issue {
    let start = d.file.position(d.span.start);
    let end = d.file.position(d.span.end.max(d.span.start));
    let mut description = d.message_with_origin();
    if let Some(help) = &d.help {
        description.push_str("; help: ");
        description.push_str(help);
    }
    Issue {
        kind: "issue",
        description,
        check_name: d.rule,
        fingerprint,
        severity: match d.severity {
            Severity::Error => "major",
            Severity::Warning => "minor",
            Severity::Info => "info",
        },
        categories: ["Bug Risk"],
        location: Location {
            path,
            lines: Lines {
                begin: start.line,
                end: end.line,
            },
            positions: Positions {
                begin: Position {
                    line: start.line,
                    column: start.column,
                },
                end: Position {
                    line: end.line,
                    column: end.column,
                },
            },
        },
    }
}

/// A relative path with `/` between its components, as GitLab matches it against the
/// repository's files.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
