//! `unknown-service-account`: a service account the pod's namespace does not have.

use super::{Context, Finding, Rule, Stage};
use crate::diagnostic::Severity;
use crate::inventory::ServiceAccount;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "unknown-service-account",
    default_severity: Some(Severity::Warning),
    summary: "serviceAccountName names a service account that does not exist in the pod's declared namespace",
    doc: include_str!("../../rules/unknown-service-account.md"),
    stages: &[Stage::Workload(check)],
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    for group in &workload.pods {
        // A name written in another object is reported with that object.
        for written in group.written_at.iter().filter(|w| w.file.is_none()) {
            let name = &written.name;
            if !matches!(
                context.inventory.service_account(&workload.namespace, &name.value),
                ServiceAccount::Absent
            ) {
                continue;
            }
            let not_created = if written.pods.is_empty() {
                "the pod will not be created".to_owned()
            } else {
                format!("the operator cannot create the {}", written.pods.join(", the "))
            };
            out.push(
                Finding::new(
                    name.span,
                    format!(
                        "service account \"{}\" does not exist in namespace \"{}\": {not_created}",
                        name.value, workload.namespace
                    ),
                )
                .field(written.path.clone())
                .label("no such service account")
                .help("create the service account in this namespace (and add it to the inventory), or fix the name"),
            );
        }
    }
}
