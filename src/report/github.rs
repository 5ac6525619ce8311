//! GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per finding,
//! which the runner turns into annotations on the pull request's diff.
//!
//! `::error file=deploy/app.yaml,line=11,col=22,endLine=11,endColumn=28,title=latest-image-tag::message`
//!
//! The file is the path as displayed (relative to where pullcheck ran, which in a workflow is the
//! checkout); lines and columns are 1-based, columns in characters, and `endColumn` is the column
//! after the last character, as in SARIF. The help follows the message on a second line. Values are
//! escaped as the runner requires: `%`, CR and LF everywhere, and `:` and `,` in properties too;
//! other control characters are written as visible escapes (`\u{1b}`), so that a manifest cannot
//! rewrite the workflow's log.

use std::fmt::Write as _;
use std::io;

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::push_visible;

/// Writes one command per diagnostic, each on its own line.
pub fn write(outcome: &Outcome, out: &mut dyn io::Write) -> io::Result<()> {
    for diagnostic in &outcome.diagnostics {
        writeln!(out, "{}", command(diagnostic))?;
    }
    Ok(())
}

fn command(d: &Diagnostic) -> String {
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let start = d.file.position(d.span.start);
    let mut properties = format!(
        "file={},line={},col={}",
        property(&d.file.path),
        start.line,
        start.column
    );
    if !d.span.is_empty() {
        let end = d.file.position(d.span.end);
        let _ = write!(properties, ",endLine={},endColumn={}", end.line, end.column);
    }
    let _ = write!(properties, ",title={}", property(d.rule));
    let mut message = d.message_with_origin();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{name} {properties}::{}", data(&message))
}

/// A command's message: `%`, CR and LF escaped as the runner decodes them, and every other
/// control character made [`visible`] (the runner would print it raw into the log).
fn data(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            c => {
                push_visible(&mut escaped, c);
            }
        }
    }
    escaped
}

/// A command's property value: as a message, and `:` and `,` too, which delimit properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(data("50% done\r\nnext: a, b"), "50%25 done%0D%0Anext: a, b");
        assert_eq!(property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        // Terminal controls cannot reach the log, tabs stay.
        assert_eq!(data("a\u{1b}[2J\u{7}\u{9b}b\tc"), "a\\u{1b}[2J\\u{7}\\u{9b}b\tc");
    }
}
