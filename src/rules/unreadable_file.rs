//! `unreadable-file`: a file that cannot be read, or is not UTF-8. Reported while reading files.

use super::{Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::source::Span;

pub static RULE: Rule = Rule {
    id: "unreadable-file",
    default_severity: Some(Severity::Error),
    summary: "file that cannot be read, or is not valid UTF-8",
    doc: include_str!("../../rules/unreadable-file.md"),
    stages: &[Stage::Unreadable(finding)],
};

/// The finding for an input that could not be read: why, and what to do about it.
fn finding(reason: &str, help: &str) -> Finding {
    Finding::new(Span::default(), reason).help(help)
}
