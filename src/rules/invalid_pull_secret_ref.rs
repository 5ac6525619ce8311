//! `invalid-pull-secret-ref`: an `imagePullSecrets` entry that names nothing, or names twice.

use std::collections::HashMap;

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::{Field, PullSecretShape, Workload};

pub static RULE: Rule = Rule {
    id: "invalid-pull-secret-ref",
    default_severity: Some(Severity::Error),
    summary: "imagePullSecrets entry with no or an empty name, not an object, or listed twice (warning)",
    doc: include_str!("../../rules/invalid-pull-secret-ref.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    let mut seen: HashMap<&str, &crate::manifest::Scalar> = HashMap::new();
    for entry in &workload.image_pull_secrets {
        let finding = match (entry.shape, &entry.name) {
            (PullSecretShape::NotAList { found }, _) => {
                Finding::new(entry.span, format!("imagePullSecrets must be a list, found {found}"))
                    .label("not a list")
                    .help("write a list of objects: `imagePullSecrets: [{name: regcred}]`")
            }
            (PullSecretShape::NotAnObject { found }, _) => {
                let example = entry_text(workload, entry.span).unwrap_or("regcred");
                Finding::new(
                    entry.span,
                    format!("imagePullSecrets entries must be objects with a name, found {found}"),
                )
                .label("not an object")
                .help(format!("write `- name: {example}`"))
            }
            (PullSecretShape::Object, Field::String(name)) if !name.value.is_empty() => {
                match seen.insert(&name.value, name) {
                    None => continue,
                    Some(first) => Finding::new(
                        name.span,
                        format!("secret \"{}\" is listed twice in imagePullSecrets", name.value),
                    )
                    .label("listed again")
                    .related(first.span, "first listed here")
                    .help("remove the duplicate entry")
                    .at_most(Severity::Warning),
                }
            }
            (PullSecretShape::Object, Field::String(name)) => {
                Finding::new(name.span, "imagePullSecrets entry has an empty name")
                    .label("empty name")
                    .help("name the docker-registry secret to use, or remove the entry")
            }
            (PullSecretShape::Object, Field::NotString { span, found }) => {
                Finding::new(*span, format!("imagePullSecrets name must be a string, found {found}"))
                    .label("not a string")
                    .help("name the docker-registry secret to use")
            }
            (PullSecretShape::Object, Field::Absent | Field::Null { .. }) => {
                Finding::new(entry.span, "imagePullSecrets entry has no name")
                    .label("no name")
                    .help("add `name:` with the docker-registry secret to use, or remove the entry")
            }
        };
        out.push(finding.field(entry.path.clone()));
    }
}

/// The entry's text, when it is a short plain word (for the help's example).
fn entry_text(workload: &Workload, span: crate::source::Span) -> Option<&str> {
    let text = workload.file.text().get(span.range())?.trim_matches(['"', '\'']);
    (!text.is_empty() && text.len() < 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)))
        .then_some(text)
}
