//! pullcheck's findings as LSP diagnostics.
//!
//! A finding keeps everything an editor can show: its range in the negotiated position encoding
//! (0-based lines, columns in UTF-16 units unless the client chose otherwise), its severity, the
//! rule id as `code` with a link to the rule's doc, the message followed by the help, and its
//! related places (a Secret in an inventory file) as `relatedInformation`, with their own file's
//! URI. Configuration errors become diagnostics too, so a broken `.pullcheck.yaml` is not silent.

use std::path::Path;
use std::str::FromStr;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range, Uri,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::settings::SettingsError;
use crate::setup::SetupError;
use crate::source::{ColumnUnit, SourceFile, Span};

/// What every diagnostic says it comes from.
const SOURCE: &str = "pullcheck";

/// A finding in the document `uri`.
pub(super) fn from_finding(d: &Diagnostic, uri: &Uri, unit: ColumnUnit) -> lsp_types::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|label| {
            let (file, uri) = match &label.file {
                Some(file) if file.path != d.file.path => (&**file, file_uri(&file.path)?),
                _ => (&*d.file, uri.clone()),
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range(file, label.span, unit)),
                message: label.message.clone(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range: range(&d.file, d.span, unit),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_owned())),
        code_description: crate::rules::find(d.rule)
            .and_then(|rule| Uri::from_str(&rule.doc_url()).ok())
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: with_help(&d.message, d.help.as_deref()),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// An error in a configuration file being edited, in that file.
pub(super) fn from_config_error(error: &SettingsError, unit: ColumnUnit) -> lsp_types::Diagnostic {
    let span = error.span.unwrap_or_default();
    lsp_types::Diagnostic {
        range: range(&error.file, span, unit),
        ..error_at_start(with_help(&error.message, error.help.as_deref()))
    }
}

/// A document that cannot be checked because its configuration (or an inventory file it names)
/// cannot be used: said at the top of the document, with the place of the error.
pub(super) fn unusable_configuration(error: &SetupError, unit: ColumnUnit) -> lsp_types::Diagnostic {
    let settings = match error {
        SetupError::Settings(settings) => Some(settings),
        SetupError::InventoryManifests { .. } => None,
    };
    let related = settings
        .and_then(|error| error.span.map(|span| (error, span)))
        .and_then(|(error, span)| {
            Some(vec![DiagnosticRelatedInformation {
                location: Location::new(file_uri(&error.file.path)?, range(&error.file, span, unit)),
                message: error.message.clone(),
            }])
        });
    lsp_types::Diagnostic {
        related_information: related,
        ..error_at_start(with_help(
            &format!("not checked: the configuration cannot be used: {error}"),
            settings.and_then(|error| error.help.as_deref()),
        ))
    }
}

/// A document whose check failed inside pullcheck.
/// Said at the top of a document with more findings than are published.
pub(super) fn more_not_shown(shown: usize, found: usize) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        severity: Some(DiagnosticSeverity::INFORMATION),
        ..error_at_start(format!(
            "{shown} of the {found} findings in this document are shown; `pullcheck check` on the file lists them all"
        ))
    }
}

pub(super) fn internal_error() -> lsp_types::Diagnostic {
    error_at_start("not checked: pullcheck failed on this document (a bug: its log says where)".to_owned())
}

fn error_at_start(message: String) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some(SOURCE.to_owned()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

fn with_help(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{message}\nhelp: {help}"),
        None => message.to_owned(),
    }
}

/// A span as an LSP range: 0-based lines, columns counted in `unit`.
fn range(file: &SourceFile, span: Span, unit: ColumnUnit) -> Range {
    Range::new(position(file, span.start, unit), position(file, span.end, unit))
}

fn position(file: &SourceFile, offset: usize, unit: ColumnUnit) -> Position {
    let zero_based = |n: usize| u32::try_from(n.saturating_sub(1)).unwrap_or(u32::MAX);
    Position::new(zero_based(file.line(offset)), zero_based(file.column_in(offset, unit)))
}

/// The URI of a file pullcheck read, by the path it was read under.
fn file_uri(path: &str) -> Option<Uri> {
    let absolute = std::path::absolute(Path::new(path)).ok()?;
    Uri::from_str(&crate::uri::file_uri(&absolute)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use crate::setup::Setup;

    #[test]
    fn related_places_in_the_same_document_use_its_uri() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: é}\n\"mé😀\": 1\n\"mé😀\": 2\n";
        let outcome = check::check_text("/x/a.yaml", text, &Setup::default());
        let d = &outcome.diagnostics[0];
        assert_eq!(d.rule, "duplicate-key");
        let uri = Uri::from_str("file:///x/a.yaml").unwrap();
        let at = |line, character| Position::new(line, character);
        let lsp = from_finding(d, &uri, ColumnUnit::Utf16);
        // `"mé😀"` is 5 characters, 6 UTF-16 units, 9 bytes.
        assert_eq!(lsp.range, Range::new(at(4, 0), at(4, 6)));
        assert_eq!(lsp.code, Some(NumberOrString::String("duplicate-key".to_owned())));
        assert_eq!(lsp.severity, Some(DiagnosticSeverity::ERROR));
        let related = lsp.related_information.unwrap();
        assert_eq!(related.len(), 1);
        assert_eq!(related[0].location.uri, uri);
        assert_eq!(related[0].location.range, Range::new(at(3, 0), at(3, 6)));
        assert_eq!(related[0].message, "first written here");
        assert_eq!(
            from_finding(d, &uri, ColumnUnit::Bytes).range,
            Range::new(at(4, 0), at(4, 9))
        );
        assert_eq!(
            from_finding(d, &uri, ColumnUnit::Chars).range,
            Range::new(at(4, 0), at(4, 5))
        );
    }
}
