//! `unused-suppression`: a suppression that covers no finding. Reported once all findings are in.

use super::{Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::source::Span;

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    default_severity: Some(Severity::Warning),
    summary: "pullcheck.io/ignore annotation or # pullcheck:ignore comment that suppresses nothing",
    doc: include_str!("../../rules/unused-suppression.md"),
    stages: &[Stage::UnusedSuppression(finding)],
};

/// The finding for a suppression, or the rule ids in it, at `span`, that covered nothing.
fn finding(span: Span, message: String) -> Finding {
    Finding::new(span, message)
        .label("suppresses nothing")
        .help("remove it, or the rule ids in it that no longer match")
}
