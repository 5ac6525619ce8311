//! `unreadable-file`: a file that cannot be read, or is not UTF-8. Reported while reading files.

use super::Rule;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "unreadable-file",
    default_severity: Some(Severity::Error),
    summary: "file that cannot be read, or is not valid UTF-8",
    doc: include_str!("../../rules/unreadable-file.md"),
    check: None,
};
