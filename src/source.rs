//! Source files and positions inside them.
//!
//! A [`SourceFile`] is a file's display path and its text; every span in pullcheck is a byte range
//! into that text. [`SourceFile::position`] turns a byte offset into the 1-based line and column that
//! people read (the column counts characters, so a diagnostic after `é` is still right), and
//! [`SourceFile::column_in`] counts the same column in the unit an editor wants: UTF-16 code units for
//! LSP clients, or bytes. This module does not read files from disk: discovery does that.

use std::ops::Range;
use std::sync::OnceLock;

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
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user will recognise it: relative when it was found by walking a relative
    /// path, exactly as given when it was named on the command line.
    pub path: String,
    pub text: String,
    line_starts: OnceLock<Vec<usize>>,
    /// The text with credentials masked, when it has any: see `redact`.
    shown: OnceLock<Option<String>>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            shown: OnceLock::new(),
        }
    }

    /// The text as it may be shown to a person, with credential values masked byte for byte, so
    /// spans into [`SourceFile::text`] still apply. Computed on first use.
    pub fn shown_text(&self) -> &str {
        self.shown
            .get_or_init(|| crate::redact::for_display(&self.text))
            .as_deref()
            .unwrap_or(&self.text)
    }

    /// Byte offsets where each line starts; built on first use, since most files have no finding.
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Line and column of a byte offset. Offsets past the end are clamped to it; an offset inside a
    /// multi-byte character counts as that character.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
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
        let offset = offset.min(self.text.len());
        let (_, line_start) = self.line_of(offset);
        self.count_from(line_start, offset, unit) + 1
    }

    /// The 1-based line of a byte offset (clamped to the end), as [`Position::line`].
    pub fn line(&self, offset: usize) -> usize {
        self.line_of(offset.min(self.text.len())).0 + 1
    }

    /// The 0-based line of a (clamped) offset and the byte offset where that line starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts();
        let line = starts.partition_point(|&start| start <= offset) - 1;
        (line, starts[line])
    }

    /// How many `unit`s the characters starting in `from..offset` take.
    fn count_from(&self, from: usize, offset: usize, unit: ColumnUnit) -> usize {
        self.text
            .get(from..)
            .unwrap_or("")
            .char_indices()
            .take_while(|(i, _)| from + i < offset)
            .map(|(_, c)| unit.width(c))
            .sum()
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
        let x = file.text.find("xy").unwrap();
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
        let x = file.text.find('x').unwrap();
        assert_eq!(file.position(x).column, 9);
        assert_eq!(file.column_in(x, ColumnUnit::Chars), 9);
        assert_eq!(file.column_in(x, ColumnUnit::Utf16), 10);
        assert_eq!(file.column_in(x, ColumnUnit::Bytes), 13);
        assert_eq!(file.column_in(0, ColumnUnit::Utf16), 1);
        // Past the end: the end of the text, on the last (empty) line.
        assert_eq!(file.column_in(10_000, ColumnUnit::Utf16), 1);
        // Inside "😀": counted as that character, as `position` does.
        let emoji = file.text.find('😀').unwrap();
        assert_eq!(file.column_in(emoji + 1, ColumnUnit::Utf16), 8);
        assert_eq!(file.position(emoji + 1).column, 7);
    }

    #[test]
    fn crlf_lines_keep_columns() {
        let file = SourceFile::new("a.yaml", "a: 1\r\nb: 2\r\n");
        let b = file.text.find('b').unwrap();
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
    fn sub_span_is_clamped() {
        let span = Span::new(10, 20);
        assert_eq!(span.sub(2..4), Span::new(12, 14));
        assert_eq!(span.sub(5..50), Span::new(15, 20));
    }
}
