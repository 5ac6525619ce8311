//! The files a user writes for pullcheck itself: `.pullcheck.yaml` and inventory files.
//!
//! They are read with the same spanned YAML loader as manifests, but strictly: a manifest's
//! mistakes are findings, while a mistake here (a syntax error, a duplicate key, an unknown key, a
//! value of the wrong type) makes the file unusable, and the run stops with one [`SettingsError`]
//! at its line and column. [`FieldReader`] gives typed access to such a file's values with those
//! errors built in. What the keys mean is `config`'s and `inventory`'s business, not this module's.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::source::{SourceFile, Span};
use crate::yaml::{self, LoadProblem, Node, ScalarType};

/// Which kind of settings file a [`SettingsError`] is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsKind {
    /// `.pullcheck.yaml`, or the file `--config` names.
    Configuration,
    /// An inventory file (`inventory:` in the configuration, `--inventory`).
    Inventory,
}

impl SettingsKind {
    /// The kind in words: "configuration", "inventory".
    pub fn as_str(self) -> &'static str {
        match self {
            SettingsKind::Configuration => "configuration",
            SettingsKind::Inventory => "inventory",
        }
    }
}

impl fmt::Display for SettingsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A configuration or inventory file that cannot be used, and where.
#[derive(Debug)]
pub struct SettingsError {
    pub kind: SettingsKind,
    pub file: Arc<SourceFile>,
    /// The bytes at fault; `None` when the file could not be read at all.
    pub span: Option<Span>,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(span) => {
                let position = self.file.position(span.start);
                write!(
                    f,
                    "{}:{}:{}: {}",
                    self.file.path, position.line, position.column, self.message
                )
            }
            None => write!(f, "{}: {}", self.file.path, self.message),
        }
    }
}

impl std::error::Error for SettingsError {}

/// Reads a settings file whole, as UTF-8 text, shown under its path as given.
pub fn read_file(path: &Path, kind: SettingsKind) -> Result<Arc<SourceFile>, SettingsError> {
    let display = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Arc::new(SourceFile::new(display, text))),
        Err(error) => Err(SettingsError {
            kind,
            file: Arc::new(SourceFile::new(display, String::new())),
            span: None,
            message: format!("cannot read the {kind} file: {error}"),
            help: None,
        }),
    }
}

/// The one of `known` that `written`, which is none of them, most likely means: one it misspells
/// by a letter or two, else the one that has every word of it, words being separated by `-`
/// (`latest-tag` for the rule id `latest-image-tag`).
pub fn likely_meant<'k>(written: &str, known: &[&'k str]) -> Option<&'k str> {
    if let Some(likely) = known.iter().find(|known| is_misspelling(written, known)) {
        return Some(likely);
    }
    let words: Vec<String> = written
        .split(['-', '_', ' '])
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut having = known
        .iter()
        .filter(|known| !words.is_empty() && words.iter().all(|word| known.split('-').any(|w| w == word)));
    match (having.next(), having.next()) {
        (Some(likely), None) => Some(likely),
        _ => None,
    }
}

/// Whether `written` is `known` with a letter's case changed, or at most two letters added,
/// dropped or replaced (`namespace` for `namespaces`, `serviceAccount` for `serviceAccounts`).
fn is_misspelling(written: &str, known: &str) -> bool {
    if written.eq_ignore_ascii_case(known) {
        return true;
    }
    written.chars().count() <= 64 && edit_distance(written, known) <= 2.min(known.chars().count() / 3)
}

/// The Levenshtein distance of two texts, in characters, capped: anything over 2 is 3.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    // One row at a time.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let replaced = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = replaced.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()].min(3)
}

/// Typed access to a settings file's YAML, with errors that point at the value.
pub struct FieldReader<'f> {
    kind: SettingsKind,
    file: &'f Arc<SourceFile>,
}

impl<'f> FieldReader<'f> {
    pub fn new(kind: SettingsKind, file: &'f Arc<SourceFile>) -> FieldReader<'f> {
        FieldReader { kind, file }
    }

    pub fn error(&self, span: Span, message: String, help: Option<String>) -> SettingsError {
        SettingsError {
            kind: self.kind,
            file: Arc::clone(self.file),
            span: Some(span),
            // What the message quotes of the value at fault is masked where the value is.
            message: crate::redact::message_about(self.file, span, message),
            help,
        }
    }

    /// The first syntax error or duplicate key, if any: such a file is not used at all.
    pub fn no_problems(&self, stream: &yaml::Stream<'_>) -> Result<(), SettingsError> {
        match stream.problems.first() {
            None => Ok(()),
            Some(LoadProblem::Syntax { span, message }) => {
                Err(self.error(*span, format!("invalid YAML: {message}"), None))
            }
            Some(LoadProblem::DuplicateKey { key, span, .. }) => {
                Err(self.error(*span, format!("key \"{key}\" is written twice"), None))
            }
        }
    }

    /// An unknown key, with the known key it is likely a misspelling of, or else all of them.
    pub fn unknown_key(&self, key: Node<'_, '_>, prefix: &str, known: &[&str]) -> SettingsError {
        let written = key.scalar().unwrap_or("");
        let help = match likely_meant(written, known) {
            Some(likely) => format!("did you mean `{prefix}{likely}`?"),
            None => {
                let known: Vec<String> = known.iter().map(|k| format!("{prefix}{k}")).collect();
                format!("known keys: {}", known.join(", "))
            }
        };
        self.error(key.span(), format!("unknown key \"{prefix}{written}\""), Some(help))
    }

    /// The entries of a mapping (none for a null value).
    pub fn mapping<'s, 'a>(
        &self,
        node: Node<'s, 'a>,
        what: &str,
    ) -> Result<impl Iterator<Item = (Node<'s, 'a>, Node<'s, 'a>)> + use<'s, 'a>, SettingsError> {
        if node.is_mapping() || node.is_null() {
            Ok(node.entries())
        } else {
            Err(self.error(
                node.span(),
                format!("{what} must be a mapping, found {}", node.type_name()),
                None,
            ))
        }
    }

    /// The items of a list (none for a null value).
    pub fn list<'s, 'a>(
        &self,
        node: Node<'s, 'a>,
        what: &str,
    ) -> Result<impl Iterator<Item = Node<'s, 'a>> + use<'s, 'a>, SettingsError> {
        if node.is_sequence() || node.is_null() {
            Ok(node.items())
        } else {
            Err(self.error(
                node.span(),
                format!("{what} must be a list, found {}", node.type_name()),
                None,
            ))
        }
    }

    pub fn string<'s>(&self, node: Node<'s, '_>, what: &str) -> Result<&'s str, SettingsError> {
        node.as_str().ok_or_else(|| {
            self.error(
                node.span(),
                format!("{what} must be a string, found {}", node.type_name()),
                None,
            )
        })
    }

    /// A YAML boolean, in any of the spellings YAML 1.1 allows.
    pub fn boolean(&self, node: Node<'_, '_>, what: &str) -> Result<bool, SettingsError> {
        let value = (node.scalar_type() == Some(ScalarType::Bool))
            .then(|| node.scalar())
            .flatten();
        match value {
            Some("true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y") => Ok(true),
            Some(_) => Ok(false),
            None => Err(self.error(
                node.span(),
                format!("{what} must be true or false, found {}", node.type_name()),
                None,
            )),
        }
    }
}
