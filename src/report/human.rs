//! Human output: rustc-style annotated snippets, rendered by miette.
//!
//! The primary label sits on the exact bytes at fault; related places get secondary labels; the
//! help line says how to fix it. Colour only when asked for or writing to a terminal.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::config::ConfigError;
use crate::diagnostic::{Diagnostic, Severity};
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
        let mut text = self.render_miette(&Finding(diagnostic));
        text.push('\n');
        text
    }

    pub fn render_config_error(&self, error: &ConfigError) -> String {
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
    let contents = file.text.read_span(span, before, after)?;
    Ok(Box::new(MietteSpanContents::new_named(
        file.path.clone(),
        contents.data(),
        *contents.span(),
        contents.line(),
        contents.column(),
        contents.line_count(),
    )))
}

struct Finding<'d>(&'d Diagnostic);

impl fmt::Debug for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

/// rustc's header, `warning[latest-image-tag]: message`, so logs without colour stay greppable.
impl fmt::Display for Finding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]: {}", self.0.severity, self.0.rule, self.0.message)
    }
}

impl std::error::Error for Finding<'_> {}

impl miette::Diagnostic for Finding<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.0.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0
            .help
            .as_deref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = self.0;
        let primary = LabeledSpan::new_primary_with_span(d.label.clone(), d.span.range());
        let related = d
            .related
            .iter()
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
        read_named(&self.0.file, span, before, after)
    }
}

struct ConfigProblem<'e>(&'e ConfigError);

impl fmt::Debug for ConfigProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for ConfigProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.0.message)
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
