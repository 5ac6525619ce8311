//! The one finding type that every stage emits, from a YAML syntax error to a registry policy.
//!
//! A [`Diagnostic`] names its rule, carries the severity in force for that rule, and points at the
//! exact bytes at fault. Reports render it; nothing here formats output.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Kubernetes object a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// Borrowed, as the workload's is, for the kinds pullcheck reads.
    pub kind: Cow<'static, str>,
    pub name: Option<String>,
    pub namespace: String,
}

/// A secondary place worth showing beside the primary one.
#[derive(Debug, Clone)]
pub struct Label {
    /// The file it is in, when not the diagnostic's own (a Secret defined elsewhere).
    pub file: Option<Arc<SourceFile>>,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    /// Short, lowercase, names the value: `image "nginx" has no tag; …`.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    pub file: Arc<SourceFile>,
    /// The exact bytes at fault.
    pub span: Span,
    /// A short note under the primary span (`mutable tag`); the span alone when `None`.
    pub label: Option<String>,
    pub related: Vec<Label>,
    pub object: Option<ObjectRef>,
    pub container: Option<String>,
    /// Where in the object, as a path: `spec.template.spec.containers[0].image`.
    pub field: Option<String>,
}

impl Diagnostic {
    /// `rendered from chart/templates/x.yaml, line 12`, when the diagnostic is in a document that
    /// `helm template` rendered (see [`SourceFile::rendered_from`]).
    pub fn rendered_from(&self) -> Option<String> {
        let from = self.file.rendered_from(self.span.start)?;
        Some(format!("rendered from {}, line {}", from.template, from.line))
    }

    /// The message, followed by where a rendered document comes from (` (rendered from …)`),
    /// as the reports that have no field of their own for it say it.
    pub fn message_with_origin(&self) -> String {
        match self.rendered_from() {
            Some(from) => format!("{} ({from})", self.message),
            None => self.message.clone(),
        }
    }

    /// The order every report uses, whatever the thread count: file, offset, rule, then message.
    pub fn report_order(a: &Diagnostic, b: &Diagnostic) -> Ordering {
        (
            a.file.path.as_str(),
            a.span.start,
            a.rule,
            a.span.end,
            a.message.as_str(),
        )
            .cmp(&(
                b.file.path.as_str(),
                b.span.start,
                b.rule,
                b.span.end,
                b.message.as_str(),
            ))
    }
}

/// How many findings of each severity a run produced.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(diagnostics: &[Diagnostic]) -> Counts {
        let mut counts = Counts::default();
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => counts.errors += 1,
                Severity::Warning => counts.warnings += 1,
                Severity::Info => counts.infos += 1,
            }
        }
        counts
    }
}
