//! Turning a run's outcome into output: `human` for people; `json`, `sarif` (code scanning) and
//! `github` (workflow annotations) for machines. All show the same findings in the same order.
//!
//! The formats read by people in a terminal or a CI log (human, github) write every control
//! character that comes from the input (a file name, a value quoted in a message, a quoted line)
//! as a visible escape, [`visible`]: a manifest cannot move the cursor, recolour or rewrite the
//! log it is reported in. JSON and SARIF escape them as JSON does.

pub mod fingerprint;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use std::borrow::Cow;
use std::time::Duration;

use crate::check::Outcome;
use crate::diagnostic::Counts;

/// Text as it may reach a terminal: every control character but line breaks and tabs written as
/// a Rust escape (`\u{1b}`), so that a value quoted from a manifest cannot move the cursor, change
/// colours or ring a bell. Borrowed when there is nothing to escape.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_visible(&mut escaped, c);
    }
    Cow::Owned(escaped)
}

fn needs_escape(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Pushes `c`, escaped if it is a control character; returns the length of its escape (ASCII), or
/// `None` when it was pushed as it is.
pub(crate) fn push_visible(out: &mut String, c: char) -> Option<usize> {
    if needs_escape(c) {
        let before = out.len();
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
        Some(out.len() - before)
    } else {
        out.push(c);
        None
    }
}

/// A one-line account of the run: what was read and what was found. Names from the input in it
/// (namespaces, charts) are [`visible`].
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
    if outcome.baselined > 0 {
        line.push_str(&format!(
            "; {} in the baseline not shown",
            plural(outcome.baselined, "finding")
        ));
    }
    let set_at_deploy = outcome.images_set_at_deploy;
    let tools: Vec<String> = [
        (set_at_deploy.istio, "Istio's `image: auto`"),
        (set_at_deploy.skaffold, "built by Skaffold"),
        (set_at_deploy.azd, "built by the Azure Developer CLI"),
        (set_at_deploy.ko, "built by ko (`ko://`)"),
        (set_at_deploy.openshift, "set by OpenShift image triggers"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !tools.is_empty() {
        line.push_str(&format!(
            "\nnote: images set at deploy time were not checked: {}",
            tools.join(", ")
        ));
    }
    if !outcome.unread_kinds.is_empty() {
        const SHOWN: usize = 5;
        let kinds = outcome.unread_kinds.by_count();
        let mut shown: Vec<String> = kinds
            .iter()
            .take(SHOWN)
            .map(|kind| {
                format!(
                    "{} {} ({}, image at {})",
                    kind.objects, kind.kind, kind.api_version, kind.image_at
                )
            })
            .collect();
        if kinds.len() > SHOWN {
            shown.push(format!("and {} more kinds", kinds.len() - SHOWN));
        }
        line.push_str(&format!(
            "\nnote: not checked: {} of kinds pullcheck does not read, which name images: {}\n  \
             to check them, declare where their images are under `kinds:` in .pullcheck.yaml (see the README's \"Custom resources that run pods\")",
            plural(outcome.unread_kinds.objects(), "object"),
            shown.join(", ")
        ));
    }
    if let Some(first) = outcome.helm_charts.first() {
        let charts = &outcome.helm_charts;
        let more = if charts.len() > 1 {
            format!(" (and {} more)", charts.len() - 1)
        } else {
            String::new()
        };
        line.push_str(&format!(
            "\nnote: {} skipped, as templates are not manifests until rendered: lint `helm template {first} | pullcheck check -`{more}",
            plural(charts.len(), "Helm chart"),
        ));
    }
    if !outcome.namespaces_without_inventory.is_empty() {
        const SHOWN: usize = 5;
        let names = &outcome.namespaces_without_inventory;
        let mut listed = names
            .iter()
            .take(SHOWN)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > SHOWN {
            listed.push_str(&format!(" and {} more", names.len() - SHOWN));
        }
        line.push_str(&format!(
            "\nnote: no inventory declares {} {listed}: pull secrets and service accounts there were not checked for existence (see --inventory)",
            if names.len() == 1 { "namespace" } else { "namespaces" },
        ));
    }
    visible(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(namespaces: &[&str]) -> Outcome {
        Outcome {
            diagnostics: Vec::new(),
            files: 1,
            objects: 2,
            workloads: 1,
            namespaces_without_inventory: namespaces.iter().map(|n| n.to_string()).collect(),
            unread: 0,
            baselined: 0,
            helm_charts: Vec::new(),
            images_set_at_deploy: Default::default(),
            unread_kinds: Default::default(),
        }
    }

    #[test]
    fn summary_counts_and_names_a_few_undeclared_namespaces() {
        let line = summary_line(&outcome(&[]), Duration::from_millis(20));
        assert_eq!(line, "checked 1 file, 2 objects, 1 workload: no problems found (0.02s)");
        let line = summary_line(&outcome(&["apps"]), Duration::ZERO);
        assert!(line.ends_with("\nnote: no inventory declares namespace apps: pull secrets and service accounts there were not checked for existence (see --inventory)"), "{line}");
        let many = ["a", "b", "c", "d", "e", "f", "g"];
        let line = summary_line(&outcome(&many), Duration::ZERO);
        assert!(line.contains("namespaces a, b, c, d, e and 2 more:"), "{line}");
        let mut charts = outcome(&[]);
        charts.helm_charts = vec!["charts/api".into(), "charts/web".into()];
        charts.images_set_at_deploy.istio = 2;
        let line = summary_line(&charts, Duration::ZERO);
        assert!(
            line.contains("\nnote: images set at deploy time were not checked: 2 Istio's `image: auto`\n"),
            "{line}"
        );
        assert!(
            line.ends_with("\nnote: 2 Helm charts skipped, as templates are not manifests until rendered: lint `helm template charts/api | pullcheck check -` (and 1 more)"),
            "{line}"
        );
    }
}
