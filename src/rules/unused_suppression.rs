//! `unused-suppression`: a suppression that covers no finding. Reported once all findings are in.

use super::Rule;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    default_severity: Some(Severity::Warning),
    summary: "pullcheck.io/ignore annotation or # pullcheck:ignore comment that suppresses nothing",
    doc: include_str!("../../rules/unused-suppression.md"),
    check: None,
};
