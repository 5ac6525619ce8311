//! `yaml-syntax`: text that is not YAML or JSON. Reported while reading files.

use super::Rule;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "yaml-syntax",
    default_severity: Some(Severity::Error),
    summary: "file or document that is not valid YAML or JSON (the file's other documents are still checked)",
    doc: include_str!("../../rules/yaml-syntax.md"),
    check: None,
};
