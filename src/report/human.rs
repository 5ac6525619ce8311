//! Human output: rustc-style annotated snippets, rendered by miette.
//!
//! The primary label sits on the exact bytes at fault; related places get secondary labels; the
//! help line says how to fix it. Colour only when asked for or writing to a terminal.
//!
//! miette is handed source text in one place only, a [`Quote`]: a few pieces of a file cut around
//! the labels, never the whole file. That keeps a report linear in its findings (miette would
//! otherwise scan the file from its start for every label), bounds what a finding quotes (a line
//! longer than [`MAX_SNIPPET_LINE`] is quoted as a window around the span, or not at all), and keeps
//! every column miette lays out small (it cannot pad past 65,535). The quoted text has credentials
//! masked, and every terminal control character in it, as in the messages and paths, is escaped
//! visibly (`\u{1b}`): a manifest cannot rewrite the log it is reported in. This module does not
//! decide what is found, only how it is shown.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::report::{push_visible, visible};
use crate::settings::SettingsError;
use crate::source::{SourceFile, Span};

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
            handler: GraphicalReportHandler::new_themed(theme).with_context_lines(CONTEXT_LINES),
        }
    }

    /// One diagnostic, followed by a blank line.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let mut text = self.render_miette(&Finding::new(diagnostic));
        text.push('\n');
        text
    }

    pub fn render_config_error(&self, error: &SettingsError) -> String {
        self.render_miette(&ConfigProblem::new(error))
    }

    fn render_miette(&self, report: &dyn miette::Diagnostic) -> String {
        let mut out = String::new();
        if self.handler.render_report(&mut out, report).is_err() {
            out = format!("{report}\n");
        }
        out
    }
}

/// Lines of context shown above and below a label.
const CONTEXT_LINES: usize = 1;
/// Lines longer than this (minified JSON, a base64 blob) are not quoted whole: a window of
/// [`WINDOW_MARGIN`] bytes either side of the span is, when the span itself is short enough.
const MAX_SNIPPET_LINE: usize = 400;
/// What a window into a long line quotes on either side of the span.
const WINDOW_MARGIN: usize = 80;
/// A label spanning several lines is quoted only if they come to no more than this.
const MAX_QUOTE: usize = 4096;

/// What a diagnostic or error shows of one file: the pieces of its text around the labels, and
/// the labels in the pieces' coordinates. miette's offsets index the pieces laid end to end, not
/// the file; line and column numbers are the file's.
struct Quote {
    /// The file's path, escaped.
    name: String,
    /// Every piece's text, one after another: credentials masked, controls escaped.
    text: String,
    pieces: Vec<Piece>,
    labels: Vec<LabeledSpan>,
}

/// A contiguous part of a file in a [`Quote`].
struct Piece {
    /// Where it lies in the quote's text.
    quoted: Span,
    /// Where it lies in the file.
    source: Span,
    /// The 0-based line and column (in characters) of the file where it starts.
    line: usize,
    column: usize,
    escapes: Vec<Escape>,
}

/// A control character written as an escape in a [`Piece`].
struct Escape {
    /// Where the character is in the file.
    at: usize,
    /// The bytes and the characters the escape adds to the character's own (an escape is ASCII:
    /// `\u{9b}` is 6 bytes for a character of 2).
    added_bytes: usize,
    added_chars: usize,
}

impl Piece {
    /// The quote's offset of a file offset inside the piece.
    fn quoted_offset(&self, offset: usize) -> usize {
        let added: usize = self
            .escapes
            .iter()
            .filter(|e| e.at < offset)
            .map(|e| e.added_bytes)
            .sum();
        self.quoted.start + offset - self.source.start + added
    }

    /// Characters added by escapes between two offsets of the quote, in the piece.
    fn added_between(&self, from: usize, to: usize) -> usize {
        self.escapes
            .iter()
            .filter(|e| (from..to).contains(&self.quoted_offset(e.at)))
            .map(|e| e.added_chars)
            .sum()
    }
}

impl Quote {
    /// A quote of `file` for a primary label and others in the same file, or `None` when the
    /// primary label cannot be quoted (an empty file, a long span on a long line): the location
    /// is then given in words. Other labels that cannot be quoted are left out.
    fn new(
        file: &SourceFile,
        primary: (Option<String>, Span),
        others: impl IntoIterator<Item = (Option<String>, Span)>,
    ) -> Option<Quote> {
        let shown = file.shown_text();
        if shown.is_empty() {
            return None;
        }
        let primary_span = within(shown, primary.1);
        let region = quoted_region(file, primary_span)?;
        let mut labelled = vec![(primary.0, primary_span, region, true)];
        for (label, span) in others {
            let span = within(shown, span);
            if let Some(region) = quoted_region(file, span) {
                labelled.push((label, span, region, false));
            }
        }
        // Regions that overlap, or are a few short lines apart, become one piece.
        let mut regions: Vec<Span> = labelled.iter().map(|l| l.2).collect();
        regions.sort();
        let mut merged: Vec<Span> = Vec::new();
        for region in regions {
            match merged.last_mut() {
                Some(last) if region.start <= last.end || close(shown, *last, region) => {
                    last.end = last.end.max(region.end);
                }
                _ => merged.push(region),
            }
        }
        let mut quote = Quote {
            name: visible(&file.path).into_owned(),
            text: String::new(),
            pieces: Vec::with_capacity(merged.len()),
            labels: Vec::with_capacity(labelled.len()),
        };
        for region in merged {
            let start = quote.text.len();
            let mut escapes = Vec::new();
            let mut chars = shown[region.range()].char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                // A CR that ends a line is a line break, which miette handles.
                if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
                    quote.text.push(c);
                    continue;
                }
                if let Some(len) = push_visible(&mut quote.text, c) {
                    escapes.push(Escape {
                        at: region.start + i,
                        added_bytes: len - c.len_utf8(),
                        added_chars: len - 1,
                    });
                }
            }
            // A line break after the file's last line, so that a label at its very end (an
            // unexpected end of the stream) has a place to point at.
            if region.end == shown.len() && !shown.ends_with('\n') {
                quote.text.push('\n');
            }
            let at = file.position(region.start);
            quote.pieces.push(Piece {
                quoted: Span::new(start, quote.text.len()),
                source: region,
                line: at.line - 1,
                column: at.column - 1,
                escapes,
            });
        }
        for (label, span, _, primary) in labelled {
            let Some(piece) = quote
                .pieces
                .iter()
                .find(|p| p.source.start <= span.start && span.end <= p.source.end)
            else {
                continue;
            };
            let start = piece.quoted_offset(span.start);
            let end = piece.quoted_offset(span.end);
            let label = label.map(|l| visible(&l).into_owned());
            quote.labels.push(if primary {
                LabeledSpan::new_primary_with_span(label, start..end)
            } else {
                LabeledSpan::new_with_span(label, start..end)
            });
        }
        Some(quote)
    }

    fn labels(&self) -> Box<dyn Iterator<Item = LabeledSpan> + '_> {
        Box::new(self.labels.iter().cloned())
    }
}

/// Whether two regions, the second after the first, are quoted best as one: only a few short
/// lines lie between them.
fn close(text: &str, first: Span, second: Span) -> bool {
    const GAP_LINES: usize = 8;
    second.end - first.start <= MAX_QUOTE && {
        let gap = &text[first.end..second.start];
        gap.matches('\n').count() <= GAP_LINES + 1 && gap.split('\n').all(|line| line.len() <= MAX_SNIPPET_LINE)
    }
}

/// A span clamped to the text and widened to whole characters.
fn within(text: &str, span: Span) -> Span {
    let start = floor_char_boundary(text, span.start.min(text.len()));
    Span::new(start, ceil_char_boundary(text, span.end.clamp(start, text.len())))
}

/// The part of the file a label (`within` the text) quotes with its context: whole lines when
/// they are short, a window of a long line around a short span, or `None`.
fn quoted_region(file: &SourceFile, span: Span) -> Option<Span> {
    let shown = file.shown_text();
    let Span { start, end } = span;
    let first = file.line_span(start);
    let last = file.line_span(if end > start { end - 1 } else { start });
    let mut region = if first == last && first.len() > MAX_SNIPPET_LINE {
        if end - start > MAX_SNIPPET_LINE - 2 * WINDOW_MARGIN {
            return None;
        }
        let from = floor_char_boundary(shown, start.saturating_sub(WINDOW_MARGIN).max(first.start));
        // `end` may be past the line's end, by its line break.
        let to = ceil_char_boundary(shown, (end + WINDOW_MARGIN).min(first.end).max(end));
        Span::new(from, to)
    } else {
        if last.end - first.start > MAX_QUOTE || long_line_between(file, first.start, last.end) {
            return None;
        }
        whole_lines(file, first, last, end)
    };
    // With its line break, so that miette shows an empty last line, or a label on the break.
    let rest = &shown[region.end..];
    region.end += if rest.starts_with("\r\n") {
        2
    } else {
        usize::from(rest.starts_with('\n'))
    };
    Some(region)
}

/// The short lines from `first` to `last` (holding a span that ends at `end`), with a line of
/// context either side when it is short (CONTEXT_LINES is 1).
fn whole_lines(file: &SourceFile, first: Span, last: Span, end: usize) -> Span {
    let shown = file.shown_text();
    // The span may end after its last line's end, inside or after its line break.
    let mut region = Span::new(first.start, last.end.max(end));
    if first.start > 0 {
        let above = file.line_span(first.start - 1);
        if above.len() <= MAX_SNIPPET_LINE {
            region.start = above.start;
        }
    }
    let below_start = shown[last.end..].find('\n').map(|i| last.end + i + 1);
    if let Some(below_start) = below_start.filter(|&at| at < shown.len()) {
        let below = file.line_span(below_start);
        if below.len() <= MAX_SNIPPET_LINE {
            region.end = below.end;
        }
    }
    region
}

/// Whether a line between two offsets (already bounded) is longer than [`MAX_SNIPPET_LINE`].
fn long_line_between(file: &SourceFile, from: usize, to: usize) -> bool {
    file.shown_text()[from..to]
        .split('\n')
        .any(|line| line.len() > MAX_SNIPPET_LINE)
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The one source miette reads: lines of one piece at a time. A span across pieces cannot be
/// read, so miette shows the pieces as separate snippets.
impl SourceCode for Quote {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        // The last that holds it: an empty span where one piece ends and the next starts is the
        // next's.
        let piece = self
            .pieces
            .iter()
            .rfind(|p| p.quoted.start <= start && end <= p.quoted.end)
            .ok_or(MietteError::OutOfBounds)?;
        let text = &self.text[piece.quoted.range()];
        let (start, end) = (start - piece.quoted.start, end - piece.quoted.start);
        // Searched in bytes: a label's last byte may be inside a character, never a line break.
        let bytes = text.as_bytes();
        let line_start = |at: usize| bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // Up to `before` whole lines above the span's, or from the span itself, as miette's own
        // sources do (the header's column is that of the data's start).
        let from = if before == 0 {
            start
        } else {
            (0..before).fold(line_start(start), |at, _| if at == 0 { 0 } else { line_start(at - 1) })
        };
        let last = if end > start { end - 1 } else { start };
        let to = (0..=after).fold(last, |at, _| {
            let at = at.min(bytes.len());
            bytes[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| at + i + 1)
        });
        let to = to.max(end).min(text.len());
        let line = piece.line + text[..from].matches('\n').count();
        let from_line = line_start(from);
        let column = text[from_line..from].chars().count()
            - piece.added_between(piece.quoted.start + from_line, piece.quoted.start + from)
            + if from_line == 0 { piece.column } else { 0 };
        let data = &text[from..to];
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data.as_bytes(),
            SourceSpan::from(piece.quoted.start + from..piece.quoted.start + to),
            line,
            column,
            // Not the data's lines: miette joins two labels' snippets when the first's line plus
            // this reaches the second's, and a piece is quoted whole whenever it can be. (miette's
            // own sources give the lines from the start of the file, to the same effect.)
            line + text[from..].matches('\n').count() + 1,
        )))
    }
}

/// A diagnostic as miette renders it. Labels in the diagnostic's own file annotate its snippet;
/// labels in other files (a Secret defined elsewhere) become related snippets of their own.
struct Finding<'d> {
    diagnostic: &'d Diagnostic,
    /// The message, help and path, escaped.
    message: String,
    help: Option<String>,
    quote: Option<Quote>,
    elsewhere: Vec<Elsewhere>,
}

impl<'d> Finding<'d> {
    fn new(diagnostic: &'d Diagnostic) -> Finding<'d> {
        let d = diagnostic;
        let same_file = d
            .related
            .iter()
            .filter(|label| label.file.is_none())
            .map(|label| (Some(label.message.clone()), label.span));
        let quote = Quote::new(&d.file, (d.label.clone(), d.span), same_file);
        let elsewhere = d
            .related
            .iter()
            .filter_map(|label| {
                let file = label.file.as_ref()?;
                Some(Elsewhere {
                    message: visible(&label.message).into_owned(),
                    at: location(file, label.span),
                    quote: Quote::new(file, (None, label.span), []),
                })
            })
            .collect();
        Finding {
            diagnostic,
            message: visible(&d.message).into_owned(),
            help: d.help.as_deref().map(|help| visible(help).into_owned()),
            quote,
            elsewhere,
        }
    }
}

/// `path:line:column`, escaped, for a place that is not quoted.
fn location(file: &SourceFile, span: Span) -> String {
    let at = file.position(span.start);
    format!("{}:{}:{}", visible(&file.path), at.line, at.column)
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
        write!(f, "{}[{}]: {}", d.severity, d.rule, self.message)?;
        if let Some(from) = d.rendered_from() {
            write!(f, "\n  {}", visible(&from))?;
        }
        if self.quote.is_none() {
            write!(f, "\n  at {}", location(&d.file, d.span))?;
        }
        Ok(())
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
        self.help.as_deref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.quote.as_ref().map(|quote| quote as &dyn SourceCode)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(self.elsewhere.iter().map(|e| e as &dyn miette::Diagnostic)))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.quote.as_ref().map(Quote::labels)
    }
}

/// A related place in another file, shown as a snippet of its own under the diagnostic.
struct Elsewhere {
    message: String,
    /// Where it is, shown when it cannot be quoted.
    at: String,
    quote: Option<Quote>,
}

impl fmt::Debug for Elsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Elsewhere")
            .field("message", &self.message)
            .field("at", &self.at)
            .finish()
    }
}

impl fmt::Display for Elsewhere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.quote.is_none() {
            write!(f, "\n  at {}", self.at)?;
        }
        Ok(())
    }
}

impl std::error::Error for Elsewhere {}

impl miette::Diagnostic for Elsewhere {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.quote.as_ref().map(|quote| quote as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.quote.as_ref().map(Quote::labels)
    }
}

/// A configuration or inventory error, with the bytes at fault quoted when they can be.
struct ConfigProblem<'e> {
    error: &'e SettingsError,
    message: String,
    help: Option<String>,
    quote: Option<Quote>,
}

impl<'e> ConfigProblem<'e> {
    fn new(error: &'e SettingsError) -> ConfigProblem<'e> {
        ConfigProblem {
            error,
            message: visible(&error.message).into_owned(),
            help: error.help.as_deref().map(|help| visible(help).into_owned()),
            quote: error.span.and_then(|span| Quote::new(&error.file, (None, span), [])),
        }
    }
}

impl fmt::Debug for ConfigProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.error, f)
    }
}

impl fmt::Display for ConfigProblem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.error.kind, self.message)?;
        if let (Some(span), None) = (self.error.span, &self.quote) {
            write!(f, "\n  at {}", location(&self.error.file, span))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigProblem<'_> {}

impl miette::Diagnostic for ConfigProblem<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_deref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.quote.as_ref().map(|quote| quote as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.quote.as_ref().map(Quote::labels)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Label;

    fn diagnostic(file: &Arc<SourceFile>, span: Span, related: Option<Span>) -> Diagnostic {
        Diagnostic {
            rule: "latest-image-tag",
            severity: Severity::Warning,
            message: "m".to_owned(),
            help: None,
            file: Arc::clone(file),
            span,
            label: Some("here".to_owned()),
            related: related
                .map(|span| Label {
                    file: None,
                    span,
                    message: "there".to_owned(),
                })
                .into_iter()
                .collect(),
            object: None,
            container: None,
            field: None,
        }
    }

    /// Every span of a text with every awkward thing in it renders without a panic, and the
    /// header names the span's own line and column.
    #[test]
    fn every_span_is_quoted_at_its_line_and_column() {
        let long = format!("{}x: \"é\u{1b}\"{}", "a".repeat(450), "b".repeat(450));
        let text = format!("a: 1\r\n\tb: \"é😀\u{7}\"\n\n{long}\nlast: \u{9b}ok");
        let file = Arc::new(SourceFile::new("f.yaml", text.clone()));
        let report = HumanReport::new(false);
        let mut offsets: Vec<usize> = (0..40).chain(440..470).chain(text.len() - 12..=text.len()).collect();
        offsets.retain(|&at| text.is_char_boundary(at));
        for &start in &offsets {
            for len in [0, 1, 3, 8] {
                let end = (start + len).min(text.len());
                let end = (end..=text.len()).find(|&at| text.is_char_boundary(at)).unwrap();
                let span = Span::new(start, end);
                let out = report.render(&diagnostic(&file, span, Some(Span::new(0, 1))));
                let at = file.position(start);
                assert!(
                    out.contains(&format!("f.yaml:{}:{}", at.line, at.column)),
                    "{span:?}:\n{out}"
                );
                assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{span:?}:\n{out}");
                // The primary label is drawn, or the place given in words.
                assert!(
                    out.contains("── here") || out.contains("  at f.yaml:"),
                    "{span:?}:\n{out}"
                );
            }
        }
    }

    #[test]
    fn a_window_into_a_long_line_keeps_the_label_under_its_bytes() {
        let text = format!(
            "{{\"a\":\"{}\",\"image\":\"nginx\",\"b\":\"{}\"}}",
            "x".repeat(70_000),
            "y".repeat(500)
        );
        let file = Arc::new(SourceFile::new("f.json", text.clone()));
        let start = text.find("nginx").unwrap();
        let out = HumanReport::new(false).render(&diagnostic(&file, Span::new(start, start + 5), None));
        assert!(out.contains(&format!("[f.json:1:{}]", start + 1)), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let quoted = lines.iter().position(|l| l.contains("nginx")).unwrap();
        let column = |line: &str, at: usize| line[..at].chars().count();
        assert_eq!(
            column(lines[quoted + 1], lines[quoted + 1].find('─').unwrap()),
            column(lines[quoted], lines[quoted].find("nginx").unwrap()),
            "{out}"
        );
        assert!(out.len() < 1_500, "{out}");
        // A span too long to quote is located instead.
        let long = Span::new(6, 6 + 70_000);
        let out = HumanReport::new(false).render(&diagnostic(&file, long, None));
        assert!(out.contains("at f.json:1:7"), "{out}");
        assert!(out.len() < 500, "{out}");
    }
}
