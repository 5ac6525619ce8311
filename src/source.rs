//! Source files and positions inside them.
//!
//! A [`SourceFile`] is a file's display path and its text; every span in pullcheck is a byte range
//! into that text. [`SourceFile::position`] turns a byte offset into the 1-based line and column that
//! people read (the column counts characters, so a diagnostic after `é` is still right), and
//! [`SourceFile::column_in`] counts the same column in the unit an editor wants: UTF-16 code units for
//! LSP clients, or bytes.
//!
//! A file found on disk does not keep its text once it has been extracted: a scan of a large
//! repository would otherwise hold every byte it read until the report. Its [`Origin`] says where
//! it came from, and [`SourceFile::text`] reads it again the first time a diagnostic needs a
//! position or a snippet, which is for the few files with findings. A file that changed in between
//! is not trusted: see [`SourceFile::reload_failure`].

use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::SystemTime;

/// A byte range in a source file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span {start}..{end} is reversed");
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// A sub-range of this span, given relative to its start (as an image parser reports it).
    pub fn sub(&self, relative: Range<usize>) -> Span {
        let start = (self.start + relative.start).min(self.end);
        let end = (self.start + relative.end).clamp(start, self.end);
        Span { start, end }
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A 1-based line and column (in characters), with the byte offset it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// The template a rendered document came from (see [`SourceFile::rendered_from`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFrom {
    pub template: String,
    /// The line inside the rendered document, counted from the line after `# Source:`.
    pub line: usize,
}

/// What a column counts. People count characters; editors and protocols do not agree: LSP counts
/// UTF-16 code units by default (an emoji is two), some clients bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnUnit {
    /// Unicode scalar values: `column` in [`Position`], SARIF's `unicodeCodePoints`, LSP's `utf-32`.
    Chars,
    /// UTF-16 code units: LSP's default `utf-16`, JavaScript strings, SARIF's default.
    Utf16,
    /// Bytes of UTF-8: LSP's `utf-8`.
    Bytes,
}

impl ColumnUnit {
    fn width(self, c: char) -> usize {
        match self {
            ColumnUnit::Chars => 1,
            ColumnUnit::Utf16 => c.len_utf16(),
            ColumnUnit::Bytes => c.len_utf8(),
        }
    }
}

/// One input: a file, or the standard input under the name it was given.
///
/// A run keeps one for every file with workloads or findings, most of them without their text:
/// what is read or computed on first use lives in one box, so that a file that never needs it
/// costs a path and a pointer.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user will recognise it: relative when it was found by walking a relative
    /// path, exactly as given when it was named on the command line.
    pub path: String,
    origin: Option<Origin>,
    /// Set from the start for a text held in memory; read again from [`Origin`] on first use
    /// otherwise.
    loaded: OnceLock<Box<Loaded>>,
}

/// A [`SourceFile`]'s text, and what is derived from it when first asked for.
#[derive(Debug)]
struct Loaded {
    text: String,
    /// Why the text could not be read again, when it could not (the text is then empty).
    reload_failure: Option<String>,
    line_starts: OnceLock<Vec<usize>>,
    /// The text with credentials masked, when it has any: see `redact`.
    shown: OnceLock<Option<String>>,
    /// Whether the text holds `helm template`'s `# Source:` comments, looked for once.
    rendered: OnceLock<bool>,
}

impl Loaded {
    fn new(text: String, reload_failure: Option<String>) -> Box<Loaded> {
        Box::new(Loaded {
            text,
            reload_failure,
            line_starts: OnceLock::new(),
            shown: OnceLock::new(),
            rendered: OnceLock::new(),
        })
    }
}

/// Where a file's text was read, and what the file looked like then: the text read again must be
/// the text the spans point into.
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: PathBuf,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

impl SourceFile {
    /// A text held in memory for as long as the file lives: the standard input, an editor's buffer.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            origin: None,
            loaded: OnceLock::from(Loaded::new(text.into(), None)),
        }
    }

    /// A file on disk whose text has been read and let go: [`SourceFile::text`] reads it again
    /// from `origin` when it is needed.
    pub fn on_disk(path: impl Into<String>, origin: Origin) -> SourceFile {
        SourceFile {
            path: path.into(),
            origin: Some(origin),
            loaded: OnceLock::new(),
        }
    }

    fn loaded(&self) -> &Loaded {
        self.loaded.get_or_init(|| {
            let origin = self.origin.as_ref().expect("a file without an origin holds its text");
            match origin.read_again() {
                Ok(text) => Loaded::new(text, None),
                Err(reason) => Loaded::new(String::new(), Some(reason)),
            }
        })
    }

    /// The file's text: every span points into it. For a file on disk it is read again on first
    /// use; when that fails, or the file is no longer the one that was checked, it is empty and
    /// [`SourceFile::reload_failure`] says why.
    pub fn text(&self) -> &str {
        &self.loaded().text
    }

    /// Why the text of a file on disk could not be read again, once [`SourceFile::text`] has tried.
    pub fn reload_failure(&self) -> Option<&str> {
        self.loaded.get()?.reload_failure.as_deref()
    }

    /// The text as it may be shown to a person, with credential values masked byte for byte, so
    /// spans into [`SourceFile::text`] still apply (see `redact`). Computed on first use, once:
    /// a text with no hint of a credential costs one scan of its bytes, others one more load.
    pub fn shown_text(&self) -> &str {
        let loaded = self.loaded();
        loaded
            .shown
            .get_or_init(|| crate::redact::for_display(&loaded.text))
            .as_deref()
            .unwrap_or(&loaded.text)
    }

    /// Byte offsets where each line starts; built on first use, since most files have no finding.
    fn line_starts(&self) -> &[usize] {
        let loaded = self.loaded();
        loaded.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(loaded.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Line and column of a byte offset. Offsets past the end are clamped to it; an offset inside a
    /// multi-byte character counts as that character.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text().len());
        let (line, line_start) = self.line_of(offset);
        Position {
            line: line + 1,
            column: self.count_from(line_start, offset, ColumnUnit::Chars) + 1,
            offset,
        }
    }

    /// The 1-based column of a byte offset counted in `unit`: for `ColumnUnit::Chars` the same as
    /// [`Position::column`]. Computed only when asked for, with one pass over the line's start.
    pub fn column_in(&self, offset: usize, unit: ColumnUnit) -> usize {
        let offset = offset.min(self.text().len());
        let (_, line_start) = self.line_of(offset);
        self.count_from(line_start, offset, unit) + 1
    }

    /// Where the document holding `offset` was rendered from, in a stream that `helm template`
    /// wrote: the template its `# Source: chart/templates/x.yaml` comment names, and the 1-based
    /// line of `offset` inside that rendered document (1 is the line after the comment). `None`
    /// when the document has no such comment.
    pub fn rendered_from(&self, offset: usize) -> Option<RenderedFrom> {
        const MARKER: &str = "# Source: ";
        let text = self.text();
        // Asked once per diagnostic: most files have none, and are searched once.
        if !*self.loaded().rendered.get_or_init(|| text.contains(MARKER)) {
            return None;
        }
        let starts = self.line_starts();
        let (line, _) = self.line_of(offset.min(text.len()));
        for at in (0..=line).rev() {
            let end = starts.get(at + 1).copied().unwrap_or(text.len());
            let content = text[starts[at]..end].trim_end();
            if let Some(template) = content.strip_prefix(MARKER) {
                return Some(RenderedFrom {
                    template: template.trim().to_owned(),
                    line: line - at,
                });
            }
            // The start of the document: no comment names its source.
            if at < line && (content == "---" || content.starts_with("--- ")) {
                return None;
            }
        }
        None
    }

    /// The 1-based line of a byte offset (clamped to the end), as [`Position::line`].
    pub fn line(&self, offset: usize) -> usize {
        self.line_of(offset.min(self.text().len())).0 + 1
    }

    /// The 0-based line of a (clamped) offset and the byte offset where that line starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts();
        let line = starts.partition_point(|&start| start <= offset) - 1;
        (line, starts[line])
    }

    /// How many `unit`s the characters starting in `from..offset` take.
    fn count_from(&self, from: usize, offset: usize, unit: ColumnUnit) -> usize {
        self.text()
            .get(from..)
            .unwrap_or("")
            .char_indices()
            .take_while(|(i, _)| from + i < offset)
            .map(|(_, c)| unit.width(c))
            .sum()
    }
}

impl Origin {
    /// The text again, if the file is still the one that was read: same length, same modification
    /// time, still UTF-8.
    fn read_again(&self) -> Result<String, String> {
        let changed = || "the file changed while pullcheck was checking it".to_owned();
        let bytes = std::fs::read(&self.path).map_err(|error| format!("cannot read the file again: {error}"))?;
        let modified = std::fs::metadata(&self.path).ok().and_then(|m| m.modified().ok());
        if bytes.len() as u64 != self.len || modified != self.modified {
            return Err(changed());
        }
        String::from_utf8(bytes).map_err(|_| changed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let file = SourceFile::new("a.yaml", "a: 1\nbé: xy\n");
        assert_eq!(
            file.position(0),
            Position {
                line: 1,
                column: 1,
                offset: 0
            }
        );
        assert_eq!(file.position(3).column, 4);
        // "bé: " is 5 bytes; the value "xy" starts at byte 5 + 5 = 10, the 5th character.
        let x = file.text().find("xy").unwrap();
        assert_eq!(
            file.position(x),
            Position {
                line: 2,
                column: 5,
                offset: x
            }
        );
        assert_eq!(file.position(10_000).line, 3);
    }

    #[test]
    fn columns_in_editor_units() {
        // "é" is 1 character, 1 UTF-16 unit and 2 bytes; "😀" is 1 character, 2 units and 4 bytes.
        let file = SourceFile::new("a.yaml", "a: 1\nb: \"é😀\" x\n");
        let x = file.text().find('x').unwrap();
        assert_eq!(file.position(x).column, 9);
        assert_eq!(file.column_in(x, ColumnUnit::Chars), 9);
        assert_eq!(file.column_in(x, ColumnUnit::Utf16), 10);
        assert_eq!(file.column_in(x, ColumnUnit::Bytes), 13);
        assert_eq!(file.column_in(0, ColumnUnit::Utf16), 1);
        // Past the end: the end of the text, on the last (empty) line.
        assert_eq!(file.column_in(10_000, ColumnUnit::Utf16), 1);
        // Inside "😀": counted as that character, as `position` does.
        let emoji = file.text().find('😀').unwrap();
        assert_eq!(file.column_in(emoji + 1, ColumnUnit::Utf16), 8);
        assert_eq!(file.position(emoji + 1).column, 7);
    }

    #[test]
    fn crlf_lines_keep_columns() {
        let file = SourceFile::new("a.yaml", "a: 1\r\nb: 2\r\n");
        let b = file.text().find('b').unwrap();
        assert_eq!(
            file.position(b),
            Position {
                line: 2,
                column: 1,
                offset: b
            }
        );
    }

    #[test]
    fn a_file_on_disk_is_read_again_only_while_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\nb: 2\n").unwrap();
        let origin = |path: &std::path::Path| {
            let metadata = std::fs::metadata(path).unwrap();
            Origin {
                path: path.to_owned(),
                len: metadata.len(),
                modified: metadata.modified().ok(),
            }
        };
        let file = SourceFile::on_disk("a.yaml", origin(&path));
        assert_eq!(file.position(5).line, 2);
        assert_eq!(file.text(), "a: 1\nb: 2\n");
        assert_eq!(file.reload_failure(), None);

        let changed = SourceFile::on_disk("a.yaml", origin(&path));
        std::fs::write(&path, "a: 1\n").unwrap();
        assert_eq!(changed.text(), "");
        assert_eq!(changed.position(5).line, 1);
        assert_eq!(
            changed.reload_failure(),
            Some("the file changed while pullcheck was checking it")
        );

        let gone = SourceFile::on_disk("a.yaml", origin(&path));
        std::fs::remove_file(&path).unwrap();
        assert_eq!(gone.text(), "");
        assert!(gone.reload_failure().unwrap().starts_with("cannot read the file again"));
    }

    #[test]
    fn helm_source_comments_name_the_template() {
        let text = "---\n# Source: web/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nspec:\n  image: x\n---\nkind: Other\n";
        let file = SourceFile::new("<stdin>", text);
        let at = |needle: &str| file.rendered_from(text.find(needle).unwrap());
        assert_eq!(
            at("image"),
            Some(RenderedFrom {
                template: "web/templates/deploy.yaml".into(),
                line: 4
            })
        );
        assert_eq!(at("ServiceAccount").unwrap().template, "web/templates/sa.yaml");
        assert_eq!(at("Other"), None);
        assert_eq!(SourceFile::new("a.yaml", "kind: Pod\n").rendered_from(3), None);
    }

    #[test]
    fn sub_span_is_clamped() {
        let span = Span::new(10, 20);
        assert_eq!(span.sub(2..4), Span::new(12, 14));
        assert_eq!(span.sub(5..50), Span::new(15, 20));
    }
}
