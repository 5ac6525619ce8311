//! `yaml-syntax`: text that is not YAML or JSON. Reported while reading files, from the problems
//! loading a file found.

use super::{Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::yaml::LoadProblem;

pub static RULE: Rule = Rule {
    id: "yaml-syntax",
    default_severity: Some(Severity::Error),
    summary: "file or document that is not valid YAML or JSON (the file's other documents are still checked)",
    doc: include_str!("../../rules/yaml-syntax.md"),
    stages: &[Stage::Load(finding)],
};

fn finding(problem: &LoadProblem) -> Option<Finding> {
    let LoadProblem::Syntax { span, message } = problem else {
        return None;
    };
    Some(
        Finding::new(*span, format!("invalid YAML: {message}"))
            .help("fix the syntax; the file's other documents were still checked"),
    )
}
