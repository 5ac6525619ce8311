//! `unknown-service-account`: a service account the pod's namespace does not have.

use super::{Context, Finding, Rule};
use crate::diagnostic::Severity;
use crate::inventory::ServiceAccount;
use crate::manifest::Workload;

pub static RULE: Rule = Rule {
    id: "unknown-service-account",
    default_severity: Some(Severity::Warning),
    summary: "serviceAccountName names a service account that does not exist in the pod's declared namespace",
    doc: include_str!("../../rules/unknown-service-account.md"),
    check: Some(check),
};

fn check(workload: &Workload, context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(name) = workload.service_account_name.as_scalar() else {
        return;
    };
    if !matches!(
        context.inventory.service_account(&workload.namespace, &name.value),
        ServiceAccount::Absent
    ) {
        return;
    }
    out.push(
        Finding::new(
            name.span,
            format!(
                "service account \"{}\" does not exist in namespace \"{}\": the pod will not be created",
                name.value, workload.namespace
            ),
        )
        .field(format!("{}.{}", workload.pod_spec_path, workload.service_account_key))
        .label("no such service account")
        .help("create the service account in this namespace (and add it to the inventory), or fix the name"),
    );
}
