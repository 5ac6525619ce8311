//! `deprecated-domain-field`: a WebLogic v9 Domain (or Cluster) that still uses a v8 field or
//! spelling, which the API server drops or rejects.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::manifest::{Change, Workload};

pub static RULE: Rule = Rule {
    id: "deprecated-domain-field",
    default_severity: Some(Severity::Warning),
    summary: "weblogic.oracle/v9 Domain (or Cluster) with a field or value that only v8 has: it is dropped or rejected",
    doc: include_str!("../../rules/deprecated-domain-field.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, _: &Context<'_>, out: &mut Vec<Finding>) {
    let api_version = &workload.api_version;
    for field in &workload.deprecated_fields {
        let finding = match &field.change {
            Change::Removed { instead, consequence } => {
                let mut message = format!(
                    "{} is a weblogic.oracle/v8 field that {api_version} does not have: the API server drops it",
                    field.path
                );
                if let Some(consequence) = consequence {
                    message.push_str("; ");
                    message.push_str(consequence);
                }
                let help = match instead {
                    Some(instead) => format!("move the setting to {instead}"),
                    None => format!("remove it: {api_version} has no such setting"),
                };
                Finding::new(field.span, message).label("not a v9 field").help(help)
            }
            Change::Respelled { value, now } => Finding::new(
                field.span,
                format!(
                    "{} \"{value}\" is the weblogic.oracle/v8 spelling: {api_version} accepts only \"{now}\", so the API server rejects the object",
                    field.path
                ),
            )
            .label("v8 spelling")
            .help(format!("write \"{now}\"")),
        };
        out.push(finding.field(field.path.clone()));
    }
}
