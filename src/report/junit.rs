//! JUnit XML, the test report that Jenkins (`junit`), GitLab (`artifacts:reports:junit`) and Azure
//! DevOps (`PublishTestResults`, format JUnit) show, following the schema Jenkins' xUnit plugin
//! publishes (`junit-10.xsd`, vendored in `testdata/junit/` and checked by `tests/ci_formats.rs`).
//!
//! - One `<testsuite>` per file with findings, named by its path; one `<testcase>` per finding,
//!   with the file as `classname` and `RULE at LINE:COLUMN` as `name`.
//! - A finding at or above `--fail-on` is a `<failure>` (its `type` the rule id, its `message` the
//!   message, its text the location and help); one below it is a passing test case whose
//!   `<system-out>` holds the finding. So the platform's count of failed tests agrees with the exit
//!   code: a gate that passes shows no failed test.
//! - A suite `pullcheck` always holds a test case `run`, with the summary line: Jenkins fails a
//!   build whose reports hold no test at all, and a clean run is a result too.
//!
//! XML 1.0 cannot hold most control characters, even escaped: every text from the input is made
//! [`visible`](super::visible) first, then escaped by quick-xml.

use std::io::{self, Write};

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::check::Outcome;
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::visible;

/// Writes the report. `fail_on` is the least severity that fails the run (`None`: nothing does);
/// `summary` is the summary line, for the `run` test case.
pub fn write(outcome: &Outcome, fail_on: Option<Severity>, summary: &str, out: &mut dyn Write) -> io::Result<()> {
    let fails = |d: &Diagnostic| fail_on.is_some_and(|threshold| d.severity >= threshold);
    let failures = outcome.diagnostics.iter().filter(|d| fails(d)).count();
    let tests = outcome.diagnostics.len() + 1;

    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element("testsuites")
        .with_attributes([
            ("name", "pullcheck"),
            ("tests", &tests.to_string()),
            ("failures", &failures.to_string()),
            ("errors", "0"),
        ])
        .write_inner_content(|xml| {
            xml.create_element("testsuite")
                .with_attributes([
                    ("name", "pullcheck"),
                    ("tests", "1"),
                    ("failures", "0"),
                    ("errors", "0"),
                ])
                .write_inner_content(|xml| {
                    xml.create_element("testcase")
                        .with_attributes([("classname", "pullcheck"), ("name", "run")])
                        .write_inner_content(|xml| {
                            xml.create_element("system-out")
                                .write_text_content(BytesText::new(&visible(summary)))?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            for file in outcome.diagnostics.chunk_by(|a, b| a.file.path == b.file.path) {
                suite(xml, file, &fails)?;
            }
            Ok(())
        })?;
    xml.into_inner().write_all(b"\n")
}

/// The suite of one file's findings.
fn suite<W: Write>(xml: &mut Writer<W>, file: &[Diagnostic], fails: &dyn Fn(&Diagnostic) -> bool) -> io::Result<()> {
    let path = visible(&file[0].file.path).into_owned();
    let failures = file.iter().filter(|d| fails(d)).count();
    xml.create_element("testsuite")
        .with_attributes([
            ("name", path.as_str()),
            ("tests", &file.len().to_string()),
            ("failures", &failures.to_string()),
            ("errors", "0"),
        ])
        .write_inner_content(|xml| {
            for d in file {
                let start = d.file.position(d.span.start);
                let name = format!("{} at {}:{}", d.rule, start.line, start.column);
                let mut text = format!(
                    "{}:{}:{}: {}[{}] {}",
                    d.file.path,
                    start.line,
                    start.column,
                    d.severity.as_str(),
                    d.rule,
                    d.message_with_origin()
                );
                if let Some(help) = &d.help {
                    text.push_str(&format!("\nhelp: {help}"));
                }
                let case = xml
                    .create_element("testcase")
                    .with_attributes([("classname", path.as_str()), ("name", name.as_str())]);
                if fails(d) {
                    case.write_inner_content(|xml| {
                        xml.create_element("failure")
                            .with_attributes([("type", d.rule), ("message", &visible(&d.message))])
                            .write_text_content(BytesText::new(&visible(&text)))?;
                        Ok(())
                    })?;
                } else {
                    case.write_inner_content(|xml| {
                        xml.create_element("system-out")
                            .write_text_content(BytesText::new(&visible(&text)))?;
                        Ok(())
                    })?;
                }
            }
            Ok(())
        })?;
    Ok(())
}
