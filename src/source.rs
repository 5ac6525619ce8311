//! Source files and positions inside them.
//!
//! A [`SourceFile`] is a file's display path and its text; every span in pullcheck is a byte range
//! into that text. [`SourceFile::position`] turns a byte offset into the 1-based line and column that
//! people read (a line ends at `\n`, `\r\n` or a lone `\r`, as in YAML; the column counts
//! characters, so a diagnostic after `é` is still right), and
//! [`SourceFile::column_in`] counts the same column in the unit an editor wants: UTF-16 code units for
//! LSP clients, or bytes.
//!
//! A file found on disk does not keep its text once it has been extracted: a scan of a large
//! repository would otherwise hold every byte it read until the report. Its [`OnDisk`] says where
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

/// The comment `helm template` writes before each document it renders.
const SOURCE_COMMENT: &str = "# Source: ";

/// A line that says where a document comes from (`# Source: …`), or where one starts (`---`).
#[derive(Debug)]
struct DocumentMark {
    line: usize,
    template: Option<Box<str>>,
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
    origin: Option<OnDisk>,
    /// Set from the start for a text held in memory; read again from [`OnDisk`] on first use
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
    /// Characters counted from the start of the text at every [`COLUMN_BLOCK`] bytes, for columns
    /// far into a long line (minified JSON): see [`SourceFile::count_from`].
    column_blocks: OnceLock<Vec<Counted>>,
    /// The text with credentials masked, when it has any: see `redact`.
    shown: OnceLock<Option<String>>,
    /// The lines of `helm template`'s `# Source:` comments and of document starts, when the text
    /// has such comments; found once, on first use.
    rendered: OnceLock<Vec<DocumentMark>>,
}

impl Loaded {
    fn new(text: String, reload_failure: Option<String>) -> Box<Loaded> {
        Box::new(Loaded {
            text,
            reload_failure,
            line_starts: OnceLock::new(),
            column_blocks: OnceLock::new(),
            shown: OnceLock::new(),
            rendered: OnceLock::new(),
        })
    }
}

/// Where a file's text was read, and what the file looked like then: the text read again must be
/// the text the spans point into.
#[derive(Debug, Clone)]
pub struct OnDisk {
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
    pub fn on_disk(path: impl Into<String>, origin: OnDisk) -> SourceFile {
        SourceFile {
            path: path.into(),
            origin: Some(origin),
            loaded: OnceLock::new(),
        }
    }

    /// A text held in memory (it could not be read, or without what is needed to read it again)
    /// of a file that has a path on disk, kept for [`SourceFile::fs_path`].
    pub fn in_memory_at(path: impl Into<String>, fs_path: PathBuf, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        SourceFile {
            path: path.into(),
            origin: Some(OnDisk {
                path: fs_path,
                len: text.len() as u64,
                modified: None,
            }),
            loaded: OnceLock::from(Loaded::new(text, None)),
        }
    }

    /// The file's path as the file system names it, when it has one: the displayed
    /// [`SourceFile::path`] is lossy for a name that is not UTF-8.
    pub fn fs_path(&self) -> Option<&std::path::Path> {
        self.origin.as_ref().map(|origin| origin.path.as_path())
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
        loaded.line_starts.get_or_init(|| line_starts(&loaded.text))
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
    /// when the document has no such comment. The comments are found once per file, so that a
    /// document with thousands of findings is not searched back once per finding.
    pub fn rendered_from(&self, offset: usize) -> Option<RenderedFrom> {
        let text = self.text();
        let marks = self.loaded().rendered.get_or_init(|| {
            // Most files have none, and are searched once.
            if !text.contains(SOURCE_COMMENT) {
                return Vec::new();
            }
            let starts = self.line_starts();
            (0..starts.len())
                .filter_map(|line| {
                    let end = starts.get(line + 1).copied().unwrap_or(text.len());
                    let content = text[starts[line]..end].trim_end();
                    if let Some(template) = content.strip_prefix(SOURCE_COMMENT) {
                        Some(DocumentMark {
                            line,
                            template: Some(template.trim().into()),
                        })
                    } else if content == "---" || content.starts_with("--- ") {
                        Some(DocumentMark { line, template: None })
                    } else {
                        None
                    }
                })
                .collect()
        });
        if marks.is_empty() {
            return None;
        }
        let (line, _) = self.line_of(offset.min(text.len()));
        // The nearest mark at or above the line; a document start on the line itself is the start
        // of the document the line begins, not one above it.
        let above = marks.partition_point(|mark| mark.line <= line);
        let mark = marks[..above]
            .iter()
            .rev()
            .find(|mark| mark.template.is_some() || mark.line < line)?;
        Some(RenderedFrom {
            template: mark.template.as_deref()?.to_owned(),
            line: line - mark.line,
        })
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

    /// The line holding a (clamped) offset, without its line break (`\n` or `\r\n`).
    pub fn line_span(&self, offset: usize) -> Span {
        let text = self.text();
        let (line, start) = self.line_of(offset.min(text.len()));
        let end = self.line_starts().get(line + 1).map_or(text.len(), |next| next - 1);
        let end = if text[start..end].ends_with('\r') { end - 1 } else { end };
        Span::new(start, end)
    }

    /// How many `unit`s the characters starting in `from..offset` take. Takes time bounded by
    /// [`COLUMN_BLOCK`], however far into a line the offset is: a file with thousands of findings
    /// on one long line would otherwise count that line once per finding.
    fn count_from(&self, from: usize, offset: usize, unit: ColumnUnit) -> usize {
        let bytes = self.text().as_bytes();
        let offset = offset.min(bytes.len());
        let from = from.min(offset);
        if unit == ColumnUnit::Bytes {
            // Up to the end of the character holding `offset`.
            let mut end = offset;
            while end < bytes.len() && is_continuation(bytes[end]) {
                end += 1;
            }
            return end - from;
        }
        let counted = if offset - from <= COLUMN_BLOCK {
            Counted::of(&bytes[from..offset])
        } else {
            self.counted_before(offset).minus(self.counted_before(from))
        };
        match unit {
            ColumnUnit::Chars => counted.chars,
            ColumnUnit::Utf16 => counted.chars + counted.astral,
            ColumnUnit::Bytes => unreachable!("counted above"),
        }
    }

    /// What [`Counted::of`] gives for `text[..offset]`, from the block index and at most one block.
    fn counted_before(&self, offset: usize) -> Counted {
        let loaded = self.loaded();
        let bytes = loaded.text.as_bytes();
        let blocks = loaded.column_blocks.get_or_init(|| {
            let mut total = Counted::default();
            let mut blocks = vec![total];
            for block in bytes.chunks(COLUMN_BLOCK) {
                total = total.plus(Counted::of(block));
                blocks.push(total);
            }
            blocks
        });
        let block = offset / COLUMN_BLOCK;
        blocks[block].plus(Counted::of(&bytes[block * COLUMN_BLOCK..offset]))
    }
}

/// The stride of the index of character counts kept for long lines.
const COLUMN_BLOCK: usize = 4096;

/// Characters that start in a run of bytes, and how many of them lie outside the Basic
/// Multilingual Plane (two UTF-16 code units each). Counted from bytes, so a run may start or end
/// inside a character: a character counts where its first byte is.
#[derive(Debug, Clone, Copy, Default)]
struct Counted {
    chars: usize,
    astral: usize,
}

impl Counted {
    fn of(bytes: &[u8]) -> Counted {
        let mut counted = Counted::default();
        for &byte in bytes {
            counted.chars += usize::from(!is_continuation(byte));
            counted.astral += usize::from(byte >= 0xF0);
        }
        counted
    }

    fn plus(self, other: Counted) -> Counted {
        Counted {
            chars: self.chars + other.chars,
            astral: self.astral + other.astral,
        }
    }

    fn minus(self, other: Counted) -> Counted {
        Counted {
            chars: self.chars - other.chars,
            astral: self.astral - other.astral,
        }
    }
}

/// A byte inside a UTF-8 character, after its first.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Byte offsets where each line of `text` starts. A line ends at `\n`, `\r\n` or a lone `\r` (old Mac
/// files), as YAML reads line breaks.
fn line_starts(text: &str) -> Vec<usize> {
    let first = std::iter::once(0);
    if !text.contains('\r') {
        return first.chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    }
    let bytes = text.as_bytes();
    first
        .chain(bytes.iter().enumerate().filter_map(|(i, &b)| {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            ends_line.then_some(i + 1)
        }))
        .collect()
}

impl OnDisk {
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
    fn columns_far_into_a_long_line_match_counting_the_line() {
        // Longer than several index blocks, with characters of every UTF-8 length straddling
        // block boundaries.
        let line: String = (0..6_000).map(|i| ["a", "é", "€", "😀"][i % 4]).collect();
        let text = format!("x: 1\n{line}\r\ny: 2\n");
        let file = SourceFile::new("a.json", text.clone());
        let line_start = 5;
        let (mut chars, mut utf16) = (0, 0);
        for (i, c) in line.char_indices() {
            if i % 7 == 0 || i > line.len() - 20 {
                let offset = line_start + i;
                assert_eq!(file.column_in(offset, ColumnUnit::Chars), chars + 1, "{offset}");
                assert_eq!(file.column_in(offset, ColumnUnit::Utf16), utf16 + 1, "{offset}");
                assert_eq!(file.column_in(offset, ColumnUnit::Bytes), i + 1, "{offset}");
                // Inside a character: counted as that character.
                if c.len_utf8() > 1 {
                    assert_eq!(file.column_in(offset + 1, ColumnUnit::Chars), chars + 2, "{offset}");
                    assert_eq!(file.column_in(offset + 1, ColumnUnit::Bytes), i + c.len_utf8() + 1);
                }
            }
            chars += 1;
            utf16 += c.len_utf16();
        }
        assert_eq!(
            file.line_span(line_start + 10),
            Span::new(line_start, line_start + line.len())
        );
        assert_eq!(file.line_span(0), Span::new(0, 4));
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
    fn a_lone_carriage_return_ends_a_line() {
        // Old Mac line endings, then CRLF and LF: a CRLF is one line break, not two.
        let file = SourceFile::new("a.yaml", "a: 1\rb: 2\r\rc: 3\r\nd: 4\ne");
        let line_and_column = |needle: char| {
            let position = file.position(file.text().find(needle).unwrap());
            (position.line, position.column)
        };
        assert_eq!(line_and_column('b'), (2, 1));
        assert_eq!(line_and_column('c'), (4, 1));
        assert_eq!(line_and_column('d'), (5, 1));
        assert_eq!(line_and_column('e'), (6, 1));
        assert_eq!(file.position(2).column, 3);
        // The end of a CRLF line is still on that line.
        let crlf = file.text().find("\r\n").unwrap();
        assert_eq!(file.line(crlf + 1), 4);
    }

    #[test]
    fn a_file_on_disk_is_read_again_only_while_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\nb: 2\n").unwrap();
        let origin = |path: &std::path::Path| {
            let metadata = std::fs::metadata(path).unwrap();
            OnDisk {
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
