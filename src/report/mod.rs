//! Turning a run's outcome into output: `human` for people, `json` for machines. Both show the
//! same findings in the same order.

pub mod human;
pub mod json;

use std::time::Duration;

use crate::check::Outcome;
use crate::diagnostic::Counts;

/// A one-line account of the run: what was read and what was found.
pub fn summary_line(outcome: &Outcome, elapsed: Duration) -> String {
    let counts = Counts::of(&outcome.diagnostics);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let found = if outcome.diagnostics.is_empty() {
        "no problems found".to_owned()
    } else {
        [
            (counts.errors, "error"),
            (counts.warnings, "warning"),
            (counts.infos, "info"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|&(n, word)| plural(n, word))
        .collect::<Vec<_>>()
        .join(", ")
    };
    let mut line = format!(
        "checked {}, {}, {}: {found} ({:.2}s)",
        plural(outcome.files, "file"),
        plural(outcome.objects, "object"),
        plural(outcome.workloads, "workload"),
        elapsed.as_secs_f64()
    );
    if !outcome.namespaces_without_inventory.is_empty() {
        let names = &outcome.namespaces_without_inventory;
        line.push_str(&format!(
            "\nnote: no inventory declares {} {}: pull secrets and service accounts there were not checked for existence (see --inventory)",
            if names.len() == 1 { "namespace" } else { "namespaces" },
            names.join(", ")
        ));
    }
    line
}
