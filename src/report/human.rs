//! Human output: rustc-style annotated snippets, rendered by miette.
//!
//! The primary label sits on the exact bytes at fault; related places get secondary labels; the
//! help line says how to fix it. Colour only when asked for or writing to a terminal.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::settings::SettingsError;
use crate::source::SourceFile;

/// Renders diagnostics one after another.
pub struct HumanReport {
    handler: GraphicalReportHandler,
}

impl HumanReport {
    pub fn new(color: bool) -> HumanReport {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        HumanReport {
            handler: GraphicalReportHandler::new_themed(theme).with_context_lines(1),
        }
    }

    /// One diagnostic, followed by a blank line.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let mut text = self.render_miette(&Finding::new(diagnostic));
        text.push('\n');
        text
    }

    pub fn render_config_error(&self, error: &SettingsError) -> String {
        self.render_miette(&ConfigProblem(error))
    }

    fn render_miette(&self, report: &dyn miette::Diagnostic) -> String {
        let mut out = String::new();
        if self.handler.render_report(&mut out, report).is_err() {
            out = format!("{report}\n");
        }
        out
    }
}

/// Reads a span of a source file for miette, under the file's path.
fn read_named<'a>(
    file: &'a SourceFile,
    span: &SourceSpan,
    before: usize,
    after: usize,
) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
    // Never the raw text: source lines near a Secret's data would show its credentials.
    let contents = file.shown_text().read_span(span, before, after)?;
    Ok(Box::new(MietteSpanContents::new_named(
        file.path.clone(),
        contents.data(),
        *contents.span(),
        contents.line(),
        contents.column(),
        contents.line_count(),
    )))
}

/// A diagnostic as miette renders it. Labels in the diagnostic's own file annotate its snippet;
/// labels in other files (a Secret defined elsewhere) become related snippets of their own.
struct Finding<'d> {
    diagnostic: &'d Diagnostic,
    elsewhere: Vec<Elsewhere<'d>>,
}

impl<'d> Finding<'d> {
    fn new(diagnostic: &'d Diagnostic) -> Finding<'d> {
        let elsewhere = diagnostic
            .related
            .iter()
            .filter_map(|label| {
                Some(Elsewhere {
                    file: label.file.as_ref()?,
                    label,
                })
            })
            .collect();
        Finding { diagnostic, elsewhere }
    }
}

impl fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

/// rustc's header, `warning[latest-image-tag]: message`, so logs without colour stay greppable.
/// When no snippet is shown, the location follows the message.
impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diagnostic;
        write!(f, "{}[{}]: {}", d.severity, d.rule, d.message)?;
        if let Some(from) = d.rendered_from() {
            write!(f, "\n  {from}")?;
        }
        if !self.show_snippet() {
            let at = d.file.position(d.span.start);
            write!(f, "\n  at {}:{}:{}", d.file.path, at.line, at.column)?;
        }
        Ok(())
    }
}

/// Lines longer than this are not quoted (minified JSON, a base64 blob): the location is given instead.
const MAX_SNIPPET_LINE: usize = 400;

impl Finding<'_> {
    /// Whether the source lines around the diagnostic are worth printing.
    fn show_snippet(&self) -> bool {
        let d = self.diagnostic;
        let text = d.file.text();
        if text.is_empty() {
            return false;
        }
        let start = text[..d.span.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
        let end = text[d.span.end.min(text.len())..]
            .find('\n')
            .map_or(text.len(), |i| d.span.end + i);
        end - start <= MAX_SNIPPET_LINE
    }
}

impl std::error::Error for Finding<'_> {}

impl miette::Diagnostic for Finding<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_deref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.show_snippet().then_some(self as &dyn SourceCode)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(self.elsewhere.iter().map(|e| e as &dyn miette::Diagnostic)))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.show_snippet() {
            return None;
        }
        let d = self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(d.label.clone(), d.span.range());
        let related = d
            .related
            .iter()
            .filter(|label| label.file.is_none())
            .map(|label| LabeledSpan::new_with_span(Some(label.message.clone()), label.span.range()));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

impl SourceCode for Finding<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        read_named(&self.diagnostic.file, span, before, after)
    }
}

/// A related place in another file, shown as a snippet of its own under the diagnostic.
struct Elsewhere<'d> {
    file: &'d SourceFile,
    label: &'d Label,
}

impl fmt::Debug for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Elsewhere")
            .field("file", &self.file.path)
            .field("label", self.label)
            .finish()
    }
}

impl fmt::Display for Elsewhere<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label.message)
    }
}

impl std::error::Error for Elsewhere<'_> {}

impl miette::Diagnostic for Elsewhere<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            None,
            self.label.span.range(),
        ))))
    }
}

impl SourceCode for Elsewhere<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        read_named(self.file, span, before, after)
    }
}

struct ConfigProblem<'e>(&'e SettingsError);

impl fmt::Debug for ConfigProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for ConfigProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.0.kind, self.0.message)
    }
}

impl std::error::Error for ConfigProblem<'_> {}

impl miette::Diagnostic for ConfigProblem<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0
            .help
            .as_deref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.span.map(|_| self as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.0.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            None,
            span.range(),
        ))))
    }
}

impl SourceCode for ConfigProblem<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        read_named(&self.0.file, span, before, after)
    }
}
