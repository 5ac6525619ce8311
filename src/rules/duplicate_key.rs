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
    let LoadProblem::DuplicateKey { key, span, first } = problem else {
        return None;
    };
    Some(
        Finding::new(*span, format!("key \"{key}\" is written twice in the same mapping"))
            .label("written again here")
            .related(*first, "first written here")
            .help("remove one of them: Kubernetes tools keep only one of the values, or reject the object"),
    )
}
