//! Machine output: one JSON document, versioned and stable.
//!
//! Positions are 1-based lines and columns (columns in characters) with byte offsets, and the same
//! column in UTF-16 code units (`utf16Column`, 1-based too), the unit LSP clients and JavaScript
//! count in; `field` is a path from the object's root (`spec.template.spec.containers[0].image`).
//! A field that does not apply is `null`, never missing, so consumers can rely on the shape. Timing
//! is left out so that the same input always gives the same bytes.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::Outcome;
use crate::diagnostic::{Counts, Diagnostic};
use crate::source::{ColumnUnit, Position, SourceFile, Span};

/// Bumped on any incompatible change to the shape below.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'o> {
    version: u32,
    diagnostics: Diagnostics<'o>,
    summary: Summary<'o>,
}

/// The diagnostics, each turned into its JSON shape only as it is written.
struct Diagnostics<'o>(&'o [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(diagnostic))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDiagnostic<'d> {
    rule: &'static str,
    severity: &'static str,
    message: &'d str,
    help: Option<&'d str>,
    file: &'d str,
    range: Range,
    label: Option<&'d str>,
    related: Vec<Related<'d>>,
    object: Option<Object<'d>>,
    container: Option<&'d str>,
    field: Option<&'d str>,
    /// Added in version 1 without a bump: for a document `helm template` rendered, the template it
    /// came from (its `# Source:` comment) and the line inside the rendered document.
    rendered_from: Option<JsonRenderedFrom>,
}

#[derive(Serialize)]
struct JsonRenderedFrom {
    template: String,
    line: usize,
}

#[derive(Serialize)]
struct Related<'d> {
    message: &'d str,
    file: &'d str,
    range: Range,
}

#[derive(Serialize)]
struct Object<'d> {
    kind: &'d str,
    name: Option<&'d str>,
    namespace: &'d str,
}

#[derive(Serialize)]
struct Range {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonPosition {
    line: usize,
    column: usize,
    offset: usize,
    /// Added in version 1 without a bump: a new key is compatible.
    utf16_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'o> {
    files: usize,
    objects: usize,
    workloads: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    namespaces_without_inventory: &'o [String],
    /// Findings left out because the `--baseline` holds them.
    baselined: usize,
    /// Helm charts whose templates were not read.
    helm_charts_skipped: &'o [String],
    /// Images not checked because a tool sets them at deploy time, by tool.
    images_set_at_deploy: SetAtDeploy,
    /// Added in version 1 without a bump: objects of kinds pullcheck does not read that name
    /// images, by API version and kind, the most frequent first. Their images were not checked.
    unread_kinds: Vec<UnreadKind<'o>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UnreadKind<'o> {
    api_version: &'o str,
    kind: &'o str,
    objects: usize,
    /// Where the first object of the kind holds an image: what a `kinds:` declaration in
    /// `.pullcheck.yaml` would name.
    image_at: &'o str,
}

#[derive(Serialize)]
struct SetAtDeploy {
    istio: usize,
    skaffold: usize,
    azd: usize,
    kustomize: usize,
    ko: usize,
    openshift: usize,
}

fn position(file: &SourceFile, offset: usize) -> JsonPosition {
    let Position { line, column, offset } = file.position(offset);
    JsonPosition {
        line,
        column,
        offset,
        utf16_column: file.column_in(offset, ColumnUnit::Utf16),
    }
}

fn range(file: &SourceFile, span: Span) -> Range {
    Range {
        start: position(file, span.start),
        end: position(file, span.end),
    }
}

fn diagnostic(d: &Diagnostic) -> JsonDiagnostic<'_> {
    JsonDiagnostic {
        rule: d.rule,
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        file: &d.file.path,
        range: range(&d.file, d.span),
        label: d.label.as_deref(),
        related: d
            .related
            .iter()
            .map(|label| {
                let file = label.file.as_ref().unwrap_or(&d.file);
                Related {
                    message: &label.message,
                    file: &file.path,
                    range: range(file, label.span),
                }
            })
            .collect(),
        object: d.object.as_ref().map(|o| Object {
            kind: &o.kind,
            name: o.name.as_deref(),
            namespace: &o.namespace,
        }),
        container: d.container.as_deref(),
        field: d.field.as_deref(),
        rendered_from: d.file.rendered_from(d.span.start).map(|from| JsonRenderedFrom {
            template: from.template,
            line: from.line,
        }),
    }
}

/// Writes the whole report, pretty-printed, with a trailing newline, as it is produced: a large
/// report is never held in memory whole.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let counts = Counts::of(&outcome.diagnostics);
    let report = Report {
        version: VERSION,
        diagnostics: Diagnostics(&outcome.diagnostics),
        summary: Summary {
            files: outcome.files,
            objects: outcome.objects,
            workloads: outcome.workloads,
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
            namespaces_without_inventory: &outcome.namespaces_without_inventory,
            baselined: outcome.baselined,
            helm_charts_skipped: &outcome.helm_charts,
            images_set_at_deploy: SetAtDeploy {
                istio: outcome.images_set_at_deploy.istio,
                skaffold: outcome.images_set_at_deploy.skaffold,
                azd: outcome.images_set_at_deploy.azd,
                kustomize: outcome.images_set_at_deploy.kustomize,
                ko: outcome.images_set_at_deploy.ko,
                openshift: outcome.images_set_at_deploy.openshift,
            },
            unread_kinds: outcome
                .unread_kinds
                .by_count()
                .into_iter()
                .map(|kind| UnreadKind {
                    api_version: kind.api_version,
                    kind: kind.kind,
                    objects: kind.objects,
                    image_at: kind.image_at,
                })
                .collect(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}
