//! `duplicate-key`: a key written twice in one mapping. Reported while reading files.

use super::Rule;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "duplicate-key",
    default_severity: Some(Severity::Error),
    summary: "the same key twice in one mapping: one of the two values is silently ignored",
    doc: include_str!("../../rules/duplicate-key.md"),
    check: None,
};
