//! The rules: one static table, one file per rule.
//!
//! A rule is an id (kebab-case, part of the public contract), a default severity, a one-line
//! summary, a doc (`rules/<id>.md`, embedded for `pullcheck explain`) and the [`Stage`]s it runs
//! at, each a plain function from what that stage sees (a [`Workload`] and the [`Context`], a
//! Secret, a loading problem, an unreadable input…) to [`Finding`]s. The drivers (`read` and
//! `check`) offer each stage's input to the rules of that stage in table order and name no rule;
//! they turn findings into diagnostics, stamping the rule, its configured severity, the file and
//! the object, so a rule says only what is wrong and where.

use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Label, ObjectRef, Severity};
use crate::inventory::Inventory;
use crate::manifest::facts::{Definition, SecretFact};
use crate::manifest::{Container, Workload};
use crate::source::{SourceFile, Span};
use crate::yaml::LoadProblem;

pub mod deprecated_domain_field;
pub mod deprecated_registry;
pub mod disallowed_registry;
pub mod duplicate_key;
pub mod image_not_on_nodes;
pub mod implicit_registry;
pub mod invalid_image_reference;
pub mod invalid_pod_spec;
pub mod invalid_pull_policy;
pub mod invalid_pull_secret_ref;
pub mod latest_image_tag;
pub mod latest_tag_if_not_present;
pub mod malformed_pull_secret;
pub mod missing_image;
pub mod missing_image_tag;
pub mod missing_pull_secret;
pub mod pull_policy_never;
pub mod pull_secret_registry_mismatch;
pub mod suspicious_tag;
pub mod unknown_image_repository;
pub mod unknown_image_tag;
pub mod unknown_library_image;
pub mod unknown_pull_secret;
pub mod unknown_service_account;
pub mod unpinned_image_digest;
pub mod unreadable_file;
pub mod unrendered_template;
pub mod unused_suppression;
pub mod wrong_pull_secret_type;
pub mod yaml_syntax;

/// Checks one workload, adding what it finds to the list.
pub type Check = fn(&Workload, &Context<'_>, &mut Vec<Finding>);

/// Where in a run a rule runs, and what it judges there.
#[derive(Debug, Clone, Copy)]
pub enum Stage {
    /// An input that could not be read: given why (`reason`) and what to do about it (`help`).
    Unreadable(fn(reason: &str, help: &str) -> Finding),
    /// A file that is a template, not YAML until rendered, given its text and what loading it
    /// found. A finding stands for the whole file: nothing else of it is read or reported.
    Template(fn(text: &str, problems: &[LoadProblem]) -> Option<Finding>),
    /// Each problem loading a file found (a syntax error, a duplicate key).
    Load(fn(&LoadProblem) -> Option<Finding>),
    /// Each Secret found among the files, as it is read.
    Secret(fn(&SecretFact) -> Option<Finding>),
    /// Each workload, once every file is read and the inventory is known.
    Workload(Check),
    /// Each suppression, or rule id in one, that covered no finding: where, and what it is.
    UnusedSuppression(fn(Span, String) -> Finding),
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    /// `None`: off unless the configuration turns it on.
    pub default_severity: Option<Severity>,
    pub summary: &'static str,
    /// The rule's documentation, `rules/<id>.md`.
    pub doc: &'static str,
    /// Where it runs; most rules judge workloads only.
    pub stages: &'static [Stage],
}

/// The sections of every rule's doc (`## What it checks`, …), in order.
pub const DOC_SECTIONS: [&str; 6] = [
    "What it checks",
    "Why it matters",
    "Example",
    "Fix",
    "Configuration",
    "References",
];

/// Where the rule docs are published: `{DOCS_BASE}<id>.md`.
pub const DOCS_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/rules/");

impl Rule {
    /// Where the rule's doc is published, for links in SARIF and from editors.
    pub fn doc_url(&self) -> String {
        format!("{DOCS_BASE}{}.md", self.id)
    }

    /// The severity in force for this rule under `config`: the configuration's, or the rule's
    /// default. `None` means off.
    pub fn severity(&self, config: &Config) -> Option<Severity> {
        config.severity_set(self.id).unwrap_or(self.default_severity)
    }

    /// The doc's opening paragraph, the one after the title and the severity line, as markdown on
    /// one line: what the rule reports, in a sentence or two.
    pub fn description(&self) -> String {
        let mut paragraphs = self.doc.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
        paragraphs
            .find(|p| !p.starts_with('#') && !p.starts_with("**Default severity:**"))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Every rule, in the order `pullcheck rules` lists them.
pub static RULES: &[&Rule] = &[
    &invalid_image_reference::RULE,
    &missing_image::RULE,
    &invalid_pod_spec::RULE,
    &missing_image_tag::RULE,
    &latest_image_tag::RULE,
    &suspicious_tag::RULE,
    &unpinned_image_digest::RULE,
    &implicit_registry::RULE,
    &unknown_library_image::RULE,
    &invalid_pull_policy::RULE,
    &latest_tag_if_not_present::RULE,
    &pull_policy_never::RULE,
    &deprecated_registry::RULE,
    &disallowed_registry::RULE,
    &missing_pull_secret::RULE,
    &unknown_pull_secret::RULE,
    &pull_secret_registry_mismatch::RULE,
    &wrong_pull_secret_type::RULE,
    &malformed_pull_secret::RULE,
    &invalid_pull_secret_ref::RULE,
    &unknown_service_account::RULE,
    &deprecated_domain_field::RULE,
    &image_not_on_nodes::RULE,
    &unknown_image_tag::RULE,
    &unknown_image_repository::RULE,
    &unrendered_template::RULE,
    &yaml_syntax::RULE,
    &duplicate_key::RULE,
    &unreadable_file::RULE,
    &unused_suppression::RULE,
];

/// The rules that run at a stage, with what `pick` takes of it (the stage's function), in table
/// order: `at_stage(|stage| match stage { Stage::Load(f) => Some(*f), _ => None })`.
pub fn at_stage<T>(pick: impl Fn(&Stage) -> Option<T>) -> impl Iterator<Item = (&'static Rule, T)> {
    RULES
        .iter()
        .flat_map(|rule| rule.stages.iter().map(move |stage| (*rule, stage)))
        .filter_map(move |(rule, stage)| Some((rule, pick(stage)?)))
}

/// Every rule's id, in the table's order: what a configuration's `rules:` may name.
pub fn ids() -> Vec<&'static str> {
    RULES.iter().map(|rule| rule.id).collect()
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id == id)
}

/// The error for an id that is no rule's, with the id it most likely means.
pub fn unknown_rule(written: &str) -> String {
    match crate::settings::likely_meant(written, &ids()) {
        Some(id) => format!("unknown rule \"{written}\"; did you mean `{id}`?"),
        None => format!("unknown rule \"{written}\"; `pullcheck rules` lists every rule id"),
    }
}

/// What a rule may consult besides the workload. Read-only and shared by every thread.
#[derive(Debug)]
pub struct Context<'c> {
    pub config: &'c Config,
    pub inventory: &'c Inventory,
}

/// One problem a rule found in a workload.
#[derive(Debug, Clone)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Said under the primary span; the message is shown when `None`.
    pub label: Option<String>,
    pub related: Vec<Label>,
    /// The container's name, or its path when it has none.
    pub container: Option<String>,
    /// The field at fault, as a path from the object's root.
    pub field: Option<String>,
    /// The most severe this finding may be reported at.
    pub severity_cap: Option<Severity>,
    /// The least severe this finding may be reported at, when its rule is on.
    pub severity_floor: Option<Severity>,
}

impl Finding {
    pub fn new(span: Span, message: impl Into<String>) -> Finding {
        Finding {
            span,
            message: message.into(),
            help: None,
            label: None,
            related: Vec::new(),
            container: None,
            field: None,
            severity_cap: None,
            severity_floor: None,
        }
    }

    /// A finding about `key` of `container`, e.g. its `image`. For an image that a controller adds
    /// on the workload's behalf, the message starts with where it puts it (`auxiliary image 1 of
    /// domain "sales": …`), and, for the image itself, how it came to be (`spec.image is omitted;
    /// the operator uses its default …`). For an image put together from several fields (a
    /// kustomize `images` entry), the field is the one written at `span` (`images[0].newTag`).
    pub fn in_container(container: &Container, key: &str, span: Span, message: impl Into<String>) -> Finding {
        let message = message.into();
        let message = match (container.place(), container.image_note()) {
            (Some(place), Some(note)) if key == "image" || container.image_is_default => {
                format!("{place} ({note}): {message}")
            }
            (Some(place), _) => format!("{place}: {message}"),
            (None, _) => message,
        };
        Finding {
            container: Some(container.display_name().to_owned()),
            field: Some(container.field_path(container.key_at(key, span))),
            ..Finding::new(span, message)
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Label {
            file: None,
            span,
            message: message.into(),
        });
        self
    }

    /// A related place in `file`, or in the finding's own file when `None`.
    pub fn related_in(mut self, file: Option<&Arc<SourceFile>>, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Label {
            file: file.cloned(),
            span,
            message: message.into(),
        });
        self
    }

    /// A related place that may be in another file: where a fact is defined.
    pub fn defined_at(
        mut self,
        definition: Option<&Definition>,
        span: impl Fn(&Definition) -> Span,
        message: impl Into<String>,
    ) -> Finding {
        if let Some(definition) = definition {
            self.related.push(Label {
                file: Some(Arc::clone(&definition.file)),
                span: span(definition),
                message: message.into(),
            });
        }
        self
    }

    /// Names the field at fault, as a path from the object's root.
    pub fn field(mut self, path: impl Into<String>) -> Finding {
        self.field = Some(path.into());
        self
    }

    /// Report at most at `severity`, whatever the rule's (a lesser case of a rule).
    pub fn at_most(mut self, severity: Severity) -> Finding {
        self.severity_cap = Some(severity);
        self
    }

    /// Report at least at `severity`, whatever the rule's (a certain case of a rule that is
    /// otherwise a matter of taste); a rule turned off stays off.
    pub fn at_least(mut self, severity: Severity) -> Finding {
        self.severity_floor = Some(severity);
        self
    }

    /// The diagnostic this finding of `rule` is, at `severity` (the rule's, in force), in `file`
    /// and about `object`: the one place a finding gets its rule, severity, file and object.
    pub fn into_diagnostic(
        self,
        rule: &'static Rule,
        severity: Severity,
        file: &Arc<SourceFile>,
        object: Option<ObjectRef>,
    ) -> Diagnostic {
        Diagnostic {
            rule: rule.id,
            severity: self
                .severity_floor
                .map_or(severity, |floor| floor.max(severity))
                .min(self.severity_cap.unwrap_or(Severity::Error)),
            message: self.message,
            help: self.help,
            file: Arc::clone(file),
            span: self.span,
            label: self.label,
            related: self.related,
            object,
            container: self.container,
            field: self.field,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            assert!(seen.insert(rule.id), "{} is listed twice", rule.id);
            assert!(
                rule.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not kebab-case",
                rule.id
            );
            assert!(
                rule.doc.starts_with(&format!("# {}\n", rule.id)),
                "{}: doc has the wrong title",
                rule.id
            );
            for section in DOC_SECTIONS {
                assert!(
                    rule.doc.contains(&format!("\n## {section}\n")),
                    "{}: doc lacks {section}",
                    rule.id
                );
            }
            assert!(
                !rule.summary.is_empty() && !rule.summary.ends_with('.'),
                "{}: summary",
                rule.id
            );
            let severity = rule.default_severity.map_or("off", Severity::as_str);
            let stated = rule
                .doc
                .lines()
                .find_map(|line| line.strip_prefix("**Default severity:** "))
                .and_then(|rest| rest.split([' ', '\u{b7}']).next());
            assert_eq!(
                stated,
                Some(severity),
                "{}: the doc's **Default severity:** is not the rule's",
                rule.id
            );
            let description = rule.description();
            assert!(
                description.starts_with("Reports ") && description.ends_with('.'),
                "{}: the doc does not open with what the rule reports: {description:?}",
                rule.id
            );
        }
    }

    #[test]
    fn every_doc_has_a_rule() {
        let docs = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rules")).unwrap();
        for entry in docs {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let id = name
                .strip_suffix(".md")
                .unwrap_or_else(|| panic!("rules/{name} is not a rule doc"));
            assert!(find(id).is_some(), "rules/{name} documents no rule");
        }
    }
}
