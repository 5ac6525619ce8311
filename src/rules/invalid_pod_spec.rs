//! `invalid-pod-spec`: a pod spec whose containers are written in a shape the API server rejects.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "invalid-pod-spec",
    default_severity: Some(Severity::Error),
    summary: "pod spec, container list or container written in a shape the API server cannot decode",
    doc: include_str!("../../rules/invalid-pod-spec.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    for malformed in &workload.malformed {
        let help = match malformed.expected {
            "a list" => "write the containers as a list of objects: `- name: app` then `image: …` under it",
            _ => "write an object with `name:` and `image:` keys",
        };
        out.push(
            Finding::new(
                malformed.span,
                format!(
                    "{} must be {}, found {}",
                    malformed.field, malformed.expected, malformed.found
                ),
            )
            .field(malformed.field.clone())
            .label(format!("not {}", malformed.expected))
            .help(help),
        );
    }
}
