//! Baselines: adopt pullcheck on a large repository in one step by recording today's findings and
//! reporting only new ones.
//!
//! A finding is recorded by what it is about: rule, file, object (kind, namespace, name),
//! container and field, never by line or column, so edits elsewhere in a file do not invalidate
//! the baseline. Findings that share all of these are counted: if a baseline holds two and a run
//! finds three, one is new and is reported (the last in report order). The file is JSON, sorted,
//! so it diffs well in review.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

/// Bumped on any incompatible change to the file's shape.
const VERSION: u32 = 1;

/// What identifies a finding across edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Key {
    rule: String,
    file: String,
    /// `Kind/namespace/name`; absent for findings about a file rather than an object.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    object: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    container: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    field: Option<String>,
}

impl Key {
    fn of(diagnostic: &Diagnostic) -> Key {
        Key {
            rule: diagnostic.rule.to_owned(),
            file: diagnostic.file.path.clone(),
            object: diagnostic
                .object
                .as_ref()
                .map(|o| format!("{}/{}/{}", o.kind, o.namespace, o.name.as_deref().unwrap_or(""))),
            container: diagnostic.container.clone(),
            field: diagnostic.field.clone(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    count: usize,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// Recorded findings, with how many of each.
#[derive(Debug, Default, Clone)]
pub struct Baseline {
    counts: BTreeMap<Key, usize>,
}

impl Baseline {
    /// The baseline of a run's findings.
    pub fn of(diagnostics: &[Diagnostic]) -> Baseline {
        let mut counts = BTreeMap::new();
        for diagnostic in diagnostics {
            *counts.entry(Key::of(diagnostic)).or_insert(0) += 1;
        }
        Baseline { counts }
    }

    /// How many findings it holds.
    pub fn len(&self) -> usize {
        self.counts.values().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The baseline file's text: sorted JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            findings: self
                .counts
                .iter()
                .map(|(key, &count)| Entry {
                    key: key.clone(),
                    count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a baseline serialises");
        text.push('\n');
        text
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let file: File =
            serde_json::from_str(&text).map_err(|e| format!("{} is not a pullcheck baseline: {e}", path.display()))?;
        if file.version != VERSION {
            return Err(format!(
                "{} is a version {} baseline; this pullcheck reads version {VERSION}: record it again with `pullcheck baseline`",
                path.display(),
                file.version
            ));
        }
        let mut counts = BTreeMap::new();
        for entry in file.findings {
            *counts.entry(entry.key).or_insert(0) += entry.count;
        }
        Ok(Baseline { counts })
    }

    /// Drops the findings the baseline holds (up to its count for each), keeping the order of the
    /// rest; returns how many were dropped.
    pub fn filter(&self, diagnostics: &mut Vec<Diagnostic>) -> usize {
        let mut left = self.counts.clone();
        let before = diagnostics.len();
        diagnostics.retain(|diagnostic| match left.get_mut(&Key::of(diagnostic)) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        });
        before - diagnostics.len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::{ObjectRef, Severity};
    use crate::source::{SourceFile, Span};

    fn diagnostic(rule: &'static str, start: usize, container: &str) -> Diagnostic {
        Diagnostic {
            rule,
            severity: Severity::Warning,
            message: format!("at {start}"),
            help: None,
            file: Arc::new(SourceFile::new("deploy/app.yaml", "x".repeat(100))),
            span: Span::new(start, start + 1),
            label: None,
            related: Vec::new(),
            object: Some(ObjectRef {
                kind: "Deployment".into(),
                name: Some("app".into()),
                namespace: "shop".into(),
            }),
            container: Some(container.into()),
            field: Some("spec.template.spec.containers[0].image".into()),
        }
    }

    #[test]
    fn findings_are_matched_by_what_they_are_about_not_where() {
        let today = vec![
            diagnostic("latest-image-tag", 10, "web"),
            diagnostic("latest-image-tag", 20, "web"),
        ];
        let baseline = Baseline::of(&today);
        assert_eq!(baseline.len(), 2);
        let reloaded = {
            let dir = tempfile::TempDir::new().unwrap();
            let path = dir.path().join("baseline.json");
            std::fs::write(&path, baseline.to_json()).unwrap();
            Baseline::load(&path).unwrap()
        };
        // Lines moved, and a third finding of the same kind appeared, and one of another container.
        let mut tomorrow = vec![
            diagnostic("latest-image-tag", 50, "web"),
            diagnostic("latest-image-tag", 60, "web"),
            diagnostic("latest-image-tag", 70, "web"),
            diagnostic("latest-image-tag", 80, "sidecar"),
        ];
        assert_eq!(reloaded.filter(&mut tomorrow), 2);
        let left: Vec<(usize, &str)> = tomorrow
            .iter()
            .map(|d| (d.span.start, d.container.as_deref().unwrap()))
            .collect();
        assert_eq!(left, [(70, "web"), (80, "sidecar")]);
    }

    #[test]
    fn the_file_is_sorted_and_versioned() {
        let baseline = Baseline::of(&[diagnostic("b-rule", 1, "x"), diagnostic("a-rule", 2, "x")]);
        let json = baseline.to_json();
        assert!(json.find("a-rule").unwrap() < json.find("b-rule").unwrap(), "{json}");
        assert!(json.contains("\"version\": 1"));
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("old.json");
        std::fs::write(&path, "{\"version\": 9, \"findings\": []}").unwrap();
        assert!(Baseline::load(&path).unwrap_err().contains("version 9"));
    }
}
