//! `duplicate-key`: a key written twice in one mapping. Reported while reading files, from the
//! problems loading a file found.

use super::{Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::yaml::LoadProblem;

pub static RULE: Rule = Rule {
    id: "duplicate-key",
    default_severity: Some(Severity::Error),
    summary: "the same key twice in one mapping: one of the two values is silently ignored",
    doc: include_str!("../../rules/duplicate-key.md"),
    stages: &[Stage::Load(finding)],
};

fn finding(problem: &LoadProblem) -> Option<Finding> {
    let LoadProblem::DuplicateKey { key, span, first, more } = problem else {
        return None;
    };
    // A file reports a hundred duplicates one by one; the last says how many more there are.
    let message = match more {
        0 => format!("key \"{key}\" is written twice in the same mapping"),
        more => format!(
            "key \"{key}\" is written twice in the same mapping (and {more} more duplicate keys after this one, not reported)"
        ),
    };
    Some(
        Finding::new(*span, message)
            .label("written again here")
            .related(*first, "first written here")
            .help("remove one of them: Kubernetes tools keep only one of the values, or reject the object"),
    )
}
