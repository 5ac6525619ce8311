//! Loading a YAML (or JSON) stream into short-lived, spanned documents.
//!
//! [`load`] drives saphyr-parser's event stream and builds a small arena tree in which every node
//! keeps the byte range it was written at, so a diagnostic can point at the exact value. It keeps
//! going where a whole-tree loader would stop: a duplicate key is recorded and loading goes on, and
//! the text between two `---` lines is parsed on its own, so a syntax error costs only its
//! document and the stream's other documents still count, read as they would be alone. Aliases
//! share the anchored node instead of copying it, so an alias "bomb" costs nothing to load; merge
//! keys (`<<`) are resolved once per mapping, within a bound set by the text's size; readers walk
//! only the paths they ask for. A file reports at most a hundred syntax errors and a hundred
//! duplicate keys one by one, then counts the rest.
//!
//! Offsets are kept as `u32`, so a text longer than `u32::MAX` bytes (4 GiB) is not loaded: see
//! [`load`].
//!
//! Memory budget: loading a file holds its text, the arena (20 bytes a node, and a node takes at
//! least two bytes of text) and the parser's lookahead, so a run on one file peaks under 20 times
//! the file's size plus 16 MB, whatever the file holds; `bench/hostile.sh` measures the inputs
//! that once went far past it. One exception, in saphyr-parser: a flow collection that starts a
//! line inside a block collection (`data:` then `[…]` on the next line) is queued whole, some 100
//! bytes a token, before its first event (see [`Loader::load_part`]).
//!
//! Plain scalars are typed the way Kubernetes reads YAML (YAML 1.1 via sigs.k8s.io/yaml): `yes` is a
//! boolean and `1.0` a number, so `image: 1.0` is not a string. This module knows nothing about
//! Kubernetes objects: see `manifest` for that.

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use crate::source::Span;

/// Index of a node in a [`Stream`]'s arena.
type NodeId = u32;

// The arena's layout. Building it is most of what loading costs on top of the parser's own work,
// much of that in page faults on freshly allocated arena pages, and the arenas of the largest
// files weigh on peak memory. So a node takes 20 bytes and holds no pointer and no lifetime: its
// span as two `u32` byte offsets (hence the 4 GiB limit of `load`), then 12 bytes of kind. A
// scalar's value is not stored when it is the text inside its span, nearly always: it is sliced
// out of the source again on each read (a match on the style and a bounds check). The other values
// (escapes, folded lines, block scalars: rare in manifests) keep the parser's own copy, in
// `Stream::owned`; copying them end to end into one growing buffer instead was measured to cost
// more page faults for no time saved. An explicit tag is kept only as the type it gives the
// scalar, the one thing read from it. Keeping emptied arenas per thread for the next file to
// reuse was measured too: fewer page faults, but no time saved and a higher peak memory.

/// Where a scalar's value is: [`FROM_SOURCE`], [`NULL`], or else an index into `Stream::owned`.
type ValueRef = u32;

/// The value is the text inside the scalar's span (see [`inner_span`]).
const FROM_SOURCE: ValueRef = u32::MAX;

/// The value is `~`: the null that stands in for an alias to a collection still being read.
const NULL: ValueRef = u32::MAX - 1;

#[derive(Debug)]
enum NodeKind {
    Scalar {
        value: ValueRef,
        style: ScalarStyle,
        /// What an explicit tag (`!!str` and friends) makes of the scalar: it overrides
        /// plain-scalar typing.
        tag: Option<ScalarType>,
    },
    /// Items at `Stream::items[range]`: one shared vector instead of one allocation per list.
    Sequence(Range<u32>),
    /// Entries at `Stream::entries[range]`.
    Mapping(Range<u32>),
}

#[derive(Debug)]
struct NodeData {
    /// Byte offsets into the text: [`load`] refuses a text whose offsets would not fit.
    start: u32,
    end: u32,
    kind: NodeKind,
}

impl NodeData {
    fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }
}

/// A byte offset as a node stores it. [`load`] refuses texts longer than `u32::MAX` bytes, so every
/// offset into the text fits; saturate rather than wrap all the same.
fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// Something wrong with the text itself, found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// Not valid YAML; `span` is where the parser gave up.
    Syntax { span: Span, message: String },
    /// A key written twice in one mapping; `span` is the second key, `first` the first one.
    /// `more` counts the duplicate keys found after this one and not reported (a file reports
    /// at most a hundred one by one).
    DuplicateKey {
        key: String,
        span: Span,
        first: Span,
        more: usize,
    },
}

/// One loaded YAML stream: its documents, and the problems met on the way.
#[derive(Debug)]
pub struct Stream<'a> {
    text: &'a str,
    nodes: Vec<NodeData>,
    /// The items of every sequence, each sequence's contiguous.
    items: Vec<NodeId>,
    /// The entries of every mapping, each mapping's contiguous.
    entries: Vec<(NodeId, NodeId)>,
    /// The scalar values that are not their source text.
    owned: Vec<Box<str>>,
    /// For each mapping with a merge key (`<<`), by node (in increasing order): its entries at
    /// `merged_entries[range]` are what it takes from the mappings it merges (see
    /// [`Loader::merge`]).
    merges: Vec<(NodeId, Range<u32>)>,
    merged_entries: Vec<(NodeId, NodeId)>,
    roots: Vec<NodeId>,
    pub problems: Vec<LoadProblem>,
}

impl<'a> Stream<'a> {
    /// The root node of every document that loaded, in order. Empty documents are left out.
    pub fn documents(&self) -> impl Iterator<Item = Node<'_, 'a>> + '_ {
        self.roots.iter().map(|&id| Node { stream: self, id })
    }

    /// What the mapping `id` takes from the mappings it merges: nothing unless it has a `<<` key.
    fn merged_entries(&self, id: NodeId) -> &[(NodeId, NodeId)] {
        match self.merges.binary_search_by_key(&id, |&(mapping, _)| mapping) {
            Ok(i) => {
                let range = &self.merges[i].1;
                &self.merged_entries[range.start as usize..range.end as usize]
            }
            Err(_) => &[],
        }
    }

    /// The value of a scalar written at `data`; `None` for collections.
    fn scalar_text(&self, data: &NodeData) -> Option<&str> {
        let NodeKind::Scalar { value, style, .. } = data.kind else {
            return None;
        };
        Some(match value {
            FROM_SOURCE => inner_span(data.span(), style)
                .and_then(|inner| self.text.get(inner.range()))
                .unwrap_or_default(),
            NULL => "~",
            index => &self.owned[index as usize],
        })
    }
}

/// Loads every document of `text`. Never fails: what cannot be loaded becomes a [`LoadProblem`].
///
/// Spans are kept as `u32` offsets, so a text longer than `u32::MAX` bytes is not loaded at all: it
/// gives a stream with no documents and one [`LoadProblem::Syntax`] at `0..0` saying that the file
/// is too large to load (over 4 GiB).
pub fn load(text: &str) -> Stream<'_> {
    load_within(text, u32::MAX as usize, |_, _| false)
}

/// Says which top-level values of a document its reader will never look at: called with the
/// value of the document's top-level `kind` key and another top-level key written after it.
pub type Unread = fn(kind: &str, key: &str) -> bool;

/// [`load`], except for the top-level values that `unread` names: they are parsed, so their syntax
/// errors and duplicate keys are still found, but not kept, and load as null (spanning the value
/// as written). A large value that nothing reads (a CustomResourceDefinition's schema) then costs
/// no more than the parser's own pass over it.
pub fn load_except(text: &str, unread: Unread) -> Stream<'_> {
    load_within(text, u32::MAX as usize, unread)
}

/// [`load_except`], refusing texts longer than `max_len` bytes (a parameter so that tests need
/// not allocate 4 GiB).
fn load_within(text: &str, max_len: usize, unread: Unread) -> Stream<'_> {
    let mut loader = Loader {
        unread,
        stream: Stream {
            text,
            nodes: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            owned: Vec::new(),
            merges: Vec::new(),
            merged_entries: Vec::new(),
            roots: Vec::new(),
            problems: Vec::new(),
        },
        open_items: Vec::new(),
        open_entries: Vec::new(),
        merge_budget: Some((text.len() / 2).saturating_add(MERGE_BUDGET)),
        reported: [0; 2],
        first_unreported: [None, None],
    };
    if text.len() > max_len {
        loader.stream.problems.push(LoadProblem::Syntax {
            span: Span::new(0, 0),
            message: "the file is too large to load (over 4 GiB)".to_owned(),
        });
        return loader.stream;
    }
    // Built once for the whole text: the parser restarts after each broken document, and a
    // conversion table per restart would cost the rest of the text each time.
    let offsets = CharOffsets::new(text);
    // A UTF-8 byte order mark is not content.
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while start < text.len() {
        let end = next_part(text, start);
        loader.load_part(text, &offsets, start..end);
        start = end;
    }
    loader.report_unreported();
    loader.stream
}

/// Where the part of the text that starts at `start` ends: at the next `---` document marker at
/// the start of a line (with the `%` directive lines right before it), or at the end of the text.
///
/// Each part is parsed on its own. A marker at the start of a line ends whatever came before it,
/// even an unclosed flow collection or quoted scalar (YAML forbids markers inside them), so a
/// document is read the same whatever comes before or after it. saphyr-parser does not stop
/// there: inside an unclosed flow collection it scans on over markers, as far as its nesting limit
/// (hundreds of documents on), which made a stream of broken documents cost their number squared,
/// and an error could be reported documents away from its cause.
fn next_part(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let from = (start + 1).min(bytes.len());
    // memchr's vectorised substring search: std's `str::find` with a `&str` pattern took 4% of a
    // whole check here, to find the few markers of a text.
    for found in memchr::memmem::find_iter(&bytes[from..], b"---") {
        let marker = from + found;
        let at_line_start = marker == 0 || matches!(bytes[marker - 1], b'\n' | b'\r');
        let ends = matches!(bytes.get(marker + 3), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        if !(at_line_start && ends) {
            continue;
        }
        // The directives of the document that the marker starts belong to it.
        let mut part = marker;
        while let Some(previous) = previous_line(text, part)
            && text[previous..].starts_with('%')
        {
            part = previous;
        }
        if part > start {
            return part;
        }
    }
    text.len()
}

/// Where the line before the one starting at `line` starts; `None` on the first line.
fn previous_line(text: &str, line: usize) -> Option<usize> {
    let before = text.get(..line)?;
    let before = before
        .strip_suffix("\r\n")
        .or_else(|| before.strip_suffix(['\n', '\r']))?;
    Some(line_start(text, before.len()))
}

/// Where the first node of a part starts when it is a flow collection (`{` or `[`) at the start
/// of a line, as in a JSON file: after blank lines, comments, directives and a `---` line, if any.
fn top_level_flow_start(text: &str, part: Range<usize>) -> Option<usize> {
    let mut line = part.start;
    while line < part.end {
        let rest = &text[line..part.end];
        let line_text = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
        let after_marker = line_text.strip_prefix("---").unwrap_or(line_text).trim_start();
        match line_text.as_bytes().first() {
            Some(b'{' | b'[') => return Some(line),
            Some(b'%') | None => {}
            _ if after_marker.is_empty() || after_marker.starts_with('#') => {}
            _ => return None,
        }
        line = next_line(text, line)?;
    }
    None
}

/// Where the line after the one holding `offset` starts; `None` on the last line. A line ends at
/// `\n`, `\r\n` or a lone `\r`, as in YAML.
fn next_line(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let at = offset + bytes.get(offset..)?.iter().position(|&b| b == b'\n' || b == b'\r')?;
    Some(if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
        at + 2
    } else {
        at + 1
    })
}

/// Whether the collection-end event at `offset` is a flow collection's closing bracket (a block
/// collection's end event sits wherever the next token starts).
fn closes_flow(text: &str, offset: usize) -> bool {
    matches!(text.as_bytes().get(offset), Some(b']' | b'}'))
}

/// The byte offset where the line holding `offset` starts (after `\n`, `\r\n` or a lone `\r`).
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// How deep collections may nest: go-yaml, Kubernetes' YAML reader, stops at the same depth. Past
/// it the document is a syntax error, before saphyr-parser reaches the end of the nesting, where
/// it would queue one token for every level closed at once (a 2 MB line of `- - - …` took 200 MB).
const MAX_DEPTH: usize = 10_000;

/// How many repairs one lenient load may make before it reports the error as it stands.
const MAX_REPAIRS: usize = 64;

/// Why loading stopped, and where the stream can be picked up again.
struct Failure {
    problem: LoadProblem,
    /// Where the document that failed began (a byte offset into the whole text).
    document_start: usize,
    /// What the stream held before that document, so a retry can start clean.
    checkpoint: Checkpoint,
    /// For an indentation error inside a flow collection or a quoted scalar: the byte range whose
    /// lines need more indentation. YAML 1.2 requires it; Kubernetes' YAML reader (go-yaml, like
    /// libyaml) does not check it, and real manifests rely on that.
    repair: Option<Range<usize>>,
}

impl Failure {
    /// Out of line: the loop that reads events stays small enough for the parser to be inlined
    /// into it.
    #[cold]
    #[inline(never)]
    fn new(
        problem: LoadProblem,
        document_start: usize,
        checkpoint: Checkpoint,
        repair: Option<Range<usize>>,
    ) -> Box<Failure> {
        Box::new(Failure {
            problem,
            document_start,
            checkpoint,
            repair,
        })
    }
}

/// How much the stream held at the start of a document: a retry of the document goes back to it,
/// and a document that fails lets go of the nodes it added.
#[derive(Clone, Copy)]
struct Checkpoint {
    roots: usize,
    problems: usize,
    reported: [usize; 2],
    nodes: usize,
    items: usize,
    entries: usize,
    owned: usize,
    merges: usize,
    merged_entries: usize,
    merge_budget: Option<usize>,
}

/// How many entries all the merge keys (`<<`) of a stream may look at, beyond half an entry per
/// byte of text: see [`Loader::merge`].
const MERGE_BUDGET: usize = 1 << 16;

/// How many problems of each kind (syntax errors, duplicate keys) a stream reports one by one; the
/// next one also says how many more there are, and the rest are only counted. A file of a million
/// broken documents is then a hundred findings, not a million.
const MAX_REPORTED: usize = 100;

/// Where the parser's character indices point in the text: `offsets` converts the input's
/// indices (from `char_base` on) into bytes from `origin`, in the input with `padding` added (see
/// [`Loader::load_lenient`]).
struct InputMap<'o> {
    offsets: &'o CharOffsets<'o>,
    origin: usize,
    char_base: usize,
    padding: &'o [(usize, usize)],
}

impl InputMap<'_> {
    #[inline]
    fn byte(&self, mark: Marker) -> usize {
        unpad(
            self.origin + self.offsets.byte(self.char_base + mark.index()),
            self.padding,
        )
    }
}

/// An open collection while its children are being read.
/// Its children wait on the loader's `open_items` / `open_entries` stacks, from `first` on, until
/// it closes and they move to the stream in one piece.
enum Open {
    Sequence {
        start: usize,
        anchor: usize,
        first: usize,
    },
    Mapping {
        start: usize,
        anchor: usize,
        first: usize,
        pending_key: Option<NodeId>,
    },
}

/// A top-level value being read without being kept (see [`load_except`]).
struct Skipping {
    /// Where the value starts (once its first event is read), and where its last scalar or flow
    /// collection ends so far.
    start: Option<usize>,
    end: usize,
    /// The lengths of the arena and of the owned values before it: what it added is let go.
    nodes: usize,
    owned: usize,
}

/// Where reading a value not kept stands after one more event.
enum Skipped {
    Inside,
    /// The value, and the top-level entry it belongs to, has ended.
    Ended,
    StreamEnd,
}

/// Stands for a node inside a value being skipped: nothing refers to it.
const SKIPPED: NodeId = NodeId::MAX;

struct Loader<'a> {
    unread: Unread,
    stream: Stream<'a>,
    /// Items of the sequences still open, innermost last.
    open_items: Vec<NodeId>,
    /// Entries of the mappings still open, innermost last.
    open_entries: Vec<(NodeId, NodeId)>,
    /// How many problems of each kind were found (syntax errors, duplicate keys), reported or
    /// not, and the first one past [`MAX_REPORTED`].
    reported: [usize; 2],
    first_unreported: [Option<LoadProblem>; 2],
    /// How many more entries merge keys may look at; `None` once they went past it.
    merge_budget: Option<usize>,
}

impl<'a> Loader<'a> {
    /// Loads one part of the text (see [`next_part`]). After a syntax error the rest of the part
    /// is not loaded; an indentation error that Kubernetes would not raise is repaired.
    fn load_part(&mut self, text: &'a str, offsets: &CharOffsets<'_>, part: Range<usize>) {
        let loaded = match top_level_flow_start(text, part.clone()) {
            // saphyr-parser holds every token of a collection that could still turn out to be an
            // implicit key (`[a, b]: c`) until it knows, and inside a flow collection it never
            // rules that out, not even across lines, which YAML does not allow for a key. A JSON
            // file's tokens were all queued before the first event: some 100 bytes each, 234 MB
            // for a 5 MB `kubectl get -o json`. A key cannot start on the line of a `---`
            // marker, so the parser reads the part with one written before the collection, an
            // insertion mapped back like the padding of a repair. (After a `---` line of its own,
            // it only adds an empty document, which is left out.)
            Some(at) => {
                let input = [&text[part.start..at], "--- ", &text[at..part.end]].concat();
                let input_offsets = CharOffsets::new(&input);
                let map = InputMap {
                    offsets: &input_offsets,
                    origin: part.start,
                    char_base: 0,
                    padding: &[(at, 4)],
                };
                self.load_events(text, &input, part.start, &map)
            }
            None => {
                let map = InputMap {
                    offsets,
                    origin: 0,
                    char_base: offsets.char_index(part.start),
                    padding: &[],
                };
                self.load_events(text, &text[part.clone()], part.start, &map)
            }
        };
        let Err(mut failure) = loaded else {
            return;
        };
        if failure.repair.is_some() {
            match self.load_lenient(text, failure, part.end) {
                Ok(()) => return,
                Err(next) => failure = next,
            }
        }
        // The broken document is left out whole, even a value it completed before the error (a
        // top-level scalar followed by a line that cannot follow it): then nothing refers to what
        // it added to the arena.
        self.stream.roots.truncate(failure.checkpoint.roots);
        self.truncate_arena(&failure.checkpoint);
        self.report(failure.problem);
    }

    /// Loads again the document that failed on indentation, `text[failure.document_start..end]`,
    /// adding a space at the start of each line at fault until the parser accepts it. Spans are
    /// mapped back onto the original text, and values are compared with it as on a first load.
    fn load_lenient(&mut self, text: &'a str, mut failure: Box<Failure>, end: usize) -> Result<(), Box<Failure>> {
        let base = failure.document_start;
        // Every retry parses again from `base`, so it starts from what the stream held before it.
        let checkpoint = failure.checkpoint;
        // (byte offset of a line start in `text`, spaces added there), sorted by offset.
        let mut padding: Vec<(usize, usize)> = Vec::new();
        for _ in 0..MAX_REPAIRS {
            let Some(lines) = failure.repair.take() else {
                return Err(failure);
            };
            self.rollback(&checkpoint);
            let mut at = line_start(text, lines.start);
            while at <= lines.end && at < end {
                match padding.binary_search_by_key(&at, |&(offset, _)| offset) {
                    Ok(i) => padding[i].1 += 1,
                    Err(i) => padding.insert(i, (at, 1)),
                }
                at = next_line(text, at).unwrap_or(end);
            }
            let mut padded = String::with_capacity(end - base + padding.len());
            let mut copied = base;
            for &(offset, spaces) in &padding {
                padded.push_str(&text[copied..offset]);
                padded.extend(std::iter::repeat_n(' ', spaces));
                copied = offset;
            }
            padded.push_str(&text[copied..end]);
            let offsets = CharOffsets::new(&padded);
            let map = InputMap {
                offsets: &offsets,
                origin: base,
                char_base: 0,
                padding: &padding,
            };
            match self.load_events(text, &padded, base, &map) {
                Ok(()) => return Ok(()),
                Err(next) => failure = next,
            }
        }
        Err(failure)
    }

    /// Where the stream stands now.
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            roots: self.stream.roots.len(),
            problems: self.stream.problems.len(),
            reported: self.reported,
            nodes: self.stream.nodes.len(),
            items: self.stream.items.len(),
            entries: self.stream.entries.len(),
            owned: self.stream.owned.len(),
            merges: self.stream.merges.len(),
            merged_entries: self.stream.merged_entries.len(),
            merge_budget: self.merge_budget,
        }
    }

    /// Forgets the documents, nodes and problems added since `checkpoint`.
    fn rollback(&mut self, checkpoint: &Checkpoint) {
        self.stream.roots.truncate(checkpoint.roots);
        self.stream.problems.truncate(checkpoint.problems);
        self.reported = checkpoint.reported;
        self.merge_budget = checkpoint.merge_budget;
        for (reported, first) in self.reported.iter().zip(&mut self.first_unreported) {
            if *reported <= MAX_REPORTED {
                *first = None;
            }
        }
        self.truncate_arena(checkpoint);
    }

    /// Lets go of the nodes added since `checkpoint`, once no document refers to them.
    fn truncate_arena(&mut self, checkpoint: &Checkpoint) {
        self.stream.nodes.truncate(checkpoint.nodes);
        self.stream.items.truncate(checkpoint.items);
        self.stream.entries.truncate(checkpoint.entries);
        self.stream.owned.truncate(checkpoint.owned);
        self.stream.merges.truncate(checkpoint.merges);
        self.stream.merged_entries.truncate(checkpoint.merged_entries);
    }

    /// Records a problem, one by one up to [`MAX_REPORTED`] of its kind; past that it is only
    /// counted (see [`Loader::report_unreported`]).
    fn report(&mut self, problem: LoadProblem) {
        let kind = match problem {
            LoadProblem::Syntax { .. } => 0,
            LoadProblem::DuplicateKey { .. } => 1,
        };
        self.reported[kind] += 1;
        if self.reported[kind] <= MAX_REPORTED {
            self.stream.problems.push(problem);
        } else if self.first_unreported[kind].is_none() {
            self.first_unreported[kind] = Some(problem);
        }
    }

    /// Reports the first problem of each kind past [`MAX_REPORTED`], saying how many more there
    /// were after it.
    fn report_unreported(&mut self) {
        for (reported, first) in self.reported.iter().zip(&mut self.first_unreported) {
            let more = reported.saturating_sub(MAX_REPORTED + 1);
            self.stream.problems.extend(first.take().map(|problem| match problem {
                LoadProblem::Syntax { span, message } => LoadProblem::Syntax {
                    span,
                    message: format!("{message} (and {more} more syntax errors after this one, not reported)"),
                },
                LoadProblem::DuplicateKey { key, span, first, .. } => {
                    LoadProblem::DuplicateKey { key, span, first, more }
                }
            }));
        }
    }

    /// Builds nodes from the events of `input`, which is `text[base..]` with `map.padding` added
    /// (see [`Loader::load_lenient`]).
    fn load_events(&mut self, text: &'a str, input: &str, base: usize, map: &InputMap<'_>) -> Result<(), Box<Failure>> {
        let byte = |mark: Marker| map.byte(mark);
        let mut parser = Parser::new_from_str(input);
        let mut open: Vec<Open> = Vec::new();
        self.open_items.clear();
        self.open_entries.clear();
        // Anchors are numbered from 1 per parser; index 0 is unused.
        let mut anchors: Vec<Option<NodeId>> = Vec::new();
        let mut document_start = base;
        let mut checkpoint = self.checkpoint();
        // The document's top-level `kind` value, once read, and the top-level value being read
        // without being kept, if any (see `load_except`).
        let mut kind: Option<NodeId> = None;
        let mut skipping: Option<Skipping> = None;

        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(next) => next,
                Err(error) => {
                    let at = byte(*error.marker()).min(text.len());
                    return Err(Failure::new(
                        syntax_problem(&error, at, text),
                        document_start,
                        checkpoint,
                        repair_for(&error, at, text),
                    ));
                }
            };
            let start = byte(span.start);
            let end = byte(span.end);
            if open.len() >= MAX_DEPTH && matches!(event, Event::SequenceStart(..) | Event::MappingStart(..)) {
                let problem = LoadProblem::Syntax {
                    span: Span::new(start, end.max(start)),
                    message: format!("collections nested more than {MAX_DEPTH} levels deep"),
                };
                return Err(Failure::new(problem, document_start, checkpoint, None));
            }
            if let Some(skip) = &mut skipping {
                match self.skip_event(text, event, start, end, &mut open, skip) {
                    Skipped::Inside => {}
                    Skipped::StreamEnd => break,
                    Skipped::Ended => skipping = None,
                }
                continue;
            }
            let completed = match event {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => None,
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    document_start = start;
                    checkpoint = self.checkpoint();
                    open.clear();
                    self.open_items.clear();
                    self.open_entries.clear();
                    anchors.clear();
                    kind = None;
                    None
                }
                Event::Alias(anchor) => Some(match anchors.get(anchor).copied().flatten() {
                    Some(id) => id,
                    // An alias to a collection still being read (a cycle): read it as null.
                    None => self.push_null(Span::new(start, end)),
                }),
                Event::Scalar(value, style, anchor, tag) => {
                    let id = self.scalar(text, value, style, tag, start, end);
                    remember_anchor(&mut anchors, anchor, id);
                    Some(id)
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    open.push(self.open_collection(&event, start));
                    None
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(collection) = open.pop() else {
                        continue;
                    };
                    // A flow collection ends at its bracket; a block one at its last child.
                    let (id, anchor) = self.close(collection, closes_flow(text, start).then_some(end));
                    remember_anchor(&mut anchors, anchor, id);
                    Some(id)
                }
            };
            if let Some(id) = completed {
                let top_level = open.len() == 1;
                match open.last_mut() {
                    None => {
                        if !self.is_null(id) {
                            self.stream.roots.push(id);
                        }
                    }
                    Some(Open::Sequence { .. }) => self.open_items.push(id),
                    Some(Open::Mapping { pending_key, .. }) => match pending_key.take() {
                        None => {
                            *pending_key = Some(id);
                            // A top-level key after `kind`: its value may be one not kept.
                            if top_level
                                && let (Some(kind), Some(key)) = (kind, self.text_of(id))
                                && (self.unread)(self.text_of(kind).unwrap_or_default(), key)
                            {
                                skipping = Some(Skipping {
                                    start: None,
                                    end,
                                    nodes: self.stream.nodes.len(),
                                    owned: self.stream.owned.len(),
                                });
                            }
                        }
                        Some(key) => {
                            if top_level && self.text_of(key) == Some("kind") {
                                kind = Some(id);
                            }
                            self.open_entries.push((key, id));
                        }
                    },
                }
            }
        }
        Ok(())
    }

    /// Reads one event inside a top-level value not kept (see [`load_except`]): only keys become
    /// nodes, for duplicate-key checks, and only until the value ends. Kept apart from
    /// `load_events`, whose loop stays small enough for the parser to be inlined into it.
    #[inline(never)]
    fn skip_event(
        &mut self,
        text: &str,
        event: Event<'_>,
        start: usize,
        end: usize,
        open: &mut Vec<Open>,
        skip: &mut Skipping,
    ) -> Skipped {
        skip.start.get_or_insert(start);
        let id = match event {
            Event::StreamStart | Event::Nothing | Event::DocumentEnd | Event::DocumentStart(_) => {
                return Skipped::Inside;
            }
            Event::StreamEnd => return Skipped::StreamEnd,
            Event::Scalar(value, style, _, tag) => {
                skip.end = end;
                let is_key = matches!(open.last(), Some(Open::Mapping { pending_key: None, .. }));
                if is_key {
                    self.scalar(text, value, style, tag, start, end)
                } else {
                    SKIPPED
                }
            }
            Event::Alias(_) => {
                skip.end = end;
                SKIPPED
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                open.push(self.open_collection(&event, start));
                return Skipped::Inside;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(collection) = open.pop() else {
                    return Skipped::Inside;
                };
                if closes_flow(text, start) {
                    skip.end = end;
                }
                match collection {
                    Open::Sequence { first, .. } => self.open_items.truncate(first),
                    Open::Mapping { first, .. } => {
                        // A value not kept needs no merge.
                        let _ = self.report_duplicate_keys(first);
                        self.open_entries.truncate(first);
                    }
                }
                SKIPPED
            }
        };
        if open.len() > 1 {
            if let Some(Open::Mapping { pending_key, .. }) = open.last_mut() {
                match pending_key.take() {
                    None => *pending_key = Some(id),
                    Some(key) => self.open_entries.push((key, SKIPPED)),
                }
            }
            return Skipped::Inside;
        }
        // The value has ended: what it added goes, and a null stands for it.
        self.stream.nodes.truncate(skip.nodes);
        self.stream.owned.truncate(skip.owned);
        let start = skip.start.unwrap_or(skip.end);
        let null = self.push_null(Span::new(start, skip.end.max(start)));
        if let Some(Open::Mapping { pending_key, .. }) = open.last_mut()
            && let Some(key) = pending_key.take()
        {
            self.open_entries.push((key, null));
        }
        Skipped::Ended
    }

    /// A scalar's node, its value read from the source when it is the text written there.
    fn scalar(
        &mut self,
        text: &str,
        value: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<Cow<'_, saphyr_parser::Tag>>,
        start: usize,
        end: usize,
    ) -> NodeId {
        let span = scalar_span(text, start, end, style);
        let tag = tag.map(|tag| tag_type(&tag.suffix));
        // Most values are their source text: read them from there, and let the parser's copy go
        // now rather than hold one allocation per scalar until the file is done.
        let value = match inner_span(span, style).and_then(|inner| text.get(inner.range())) {
            Some(source) if source == value => FROM_SOURCE,
            _ => self.own(value),
        };
        self.push(span, NodeKind::Scalar { value, style, tag })
    }

    /// The open collection a `SequenceStart` or `MappingStart` event begins.
    fn open_collection(&self, event: &Event<'_>, start: usize) -> Open {
        match *event {
            Event::SequenceStart(anchor, _) => Open::Sequence {
                start,
                anchor,
                first: self.open_items.len(),
            },
            Event::MappingStart(anchor, _) => Open::Mapping {
                start,
                anchor,
                first: self.open_entries.len(),
                pending_key: None,
            },
            _ => unreachable!("only a collection's start event opens a collection"),
        }
    }

    /// The value of a scalar node; `None` for collections.
    fn text_of(&self, id: NodeId) -> Option<&str> {
        self.stream.scalar_text(self.stream.nodes.get(id as usize)?)
    }

    fn push(&mut self, span: Span, kind: NodeKind) -> NodeId {
        let id = NodeId::try_from(self.stream.nodes.len()).expect("more than 4 billion YAML nodes in one file");
        self.stream.nodes.push(NodeData {
            start: offset32(span.start),
            end: offset32(span.end),
            kind,
        });
        id
    }

    fn push_null(&mut self, span: Span) -> NodeId {
        self.push(
            span,
            NodeKind::Scalar {
                value: NULL,
                style: ScalarStyle::Plain,
                tag: None,
            },
        )
    }

    /// Keeps a value that is not its source text, and returns where it is kept. The parser's copy
    /// is kept as it is when it has one.
    fn own(&mut self, value: Cow<'_, str>) -> ValueRef {
        let index = ValueRef::try_from(self.stream.owned.len())
            .ok()
            .filter(|&index| index < NULL)
            .expect("more than 4 billion YAML values in one file");
        self.stream.owned.push(value.into_owned().into_boxed_str());
        index
    }

    fn is_null(&self, id: NodeId) -> bool {
        Node {
            stream: &self.stream,
            id,
        }
        .is_null()
    }

    /// Turns a finished collection into a node, moving its children to the stream, reports
    /// duplicate keys, and resolves a mapping's merge key.
    fn close(&mut self, collection: Open, closing_end: Option<usize>) -> (NodeId, usize) {
        let end_of = |loader: &Self, last: Option<NodeId>, start: usize| {
            closing_end.unwrap_or_else(|| last.map_or(start, |id| loader.stream.nodes[id as usize].end as usize))
        };
        match collection {
            Open::Sequence { start, anchor, first } => {
                let end = end_of(
                    self,
                    self.open_items
                        .last()
                        .copied()
                        .filter(|_| self.open_items.len() > first),
                    start,
                );
                let range = arena_range(self.stream.items.len(), self.open_items.len() - first);
                self.stream.items.extend(self.open_items.drain(first..));
                (
                    self.push(Span::new(start, end.max(start)), NodeKind::Sequence(range)),
                    anchor,
                )
            }
            Open::Mapping {
                start, anchor, first, ..
            } => {
                let merge_key = self.report_duplicate_keys(first);
                let last_value = self
                    .open_entries
                    .get(first..)
                    .and_then(|e| e.last())
                    .map(|&(_, value)| value);
                let end = end_of(self, last_value, start);
                let range = arena_range(self.stream.entries.len(), self.open_entries.len() - first);
                self.stream.entries.extend(self.open_entries.drain(first..));
                let id = self.push(Span::new(start, end.max(start)), NodeKind::Mapping(range));
                if let Some(entry) = merge_key {
                    self.merge(id, entry);
                }
                (id, anchor)
            }
        }
    }

    /// Resolves the merge key (`<<`, the entry `(key, value)`) of `mapping`, once, as Kubernetes'
    /// YAML reader does: it takes every key of the mapping merged, or of the mappings in the list
    /// merged (the first one that has a key wins), that it does not have itself. Each merged
    /// mapping was resolved when it closed, so the work is the merged mappings' entries, not the
    /// whole tree of merges behind them: a chain of merges each listing the one before twice
    /// costs its length, not two to the power of it.
    ///
    /// Merges can still copy entries again and again (a chain where each mapping adds a key and
    /// merges the one before), so what they may look at in a stream is bounded by the text's
    /// size: past it, a syntax problem at the merge key, and this and later merges are not
    /// followed.
    fn merge(&mut self, mapping: NodeId, (key, value): (NodeId, NodeId)) {
        let Some(budget) = self.merge_budget else {
            return;
        };
        let stream = &self.stream;
        let sources: &[NodeId] = match &stream.nodes[value as usize].kind {
            NodeKind::Mapping(_) => std::slice::from_ref(&value),
            NodeKind::Sequence(range) => &stream.items[range.start as usize..range.end as usize],
            NodeKind::Scalar { .. } => return,
        };
        let entries_of = |id: NodeId| match &stream.nodes[id as usize].kind {
            NodeKind::Mapping(range) => &stream.entries[range.start as usize..range.end as usize],
            _ => &[],
        };
        // What this merge looks at: the mapping's own keys, each source and its entries.
        let mut cost = entries_of(mapping).len();
        for &source in sources {
            cost += 1 + entries_of(source).len() + stream.merged_entries(source).len();
            if cost > budget {
                break;
            }
        }
        if cost > budget {
            self.merge_budget = None;
            let span = stream.nodes[key as usize].span();
            self.report(LoadProblem::Syntax {
                span,
                message: format!(
                    "merge keys (`<<`) copy more than {budget} entries here; this merge and the later ones are not followed"
                ),
            });
            return;
        }
        self.merge_budget = Some(budget - cost);
        let key_text = |id: NodeId| stream.scalar_text(stream.nodes.get(id as usize)?);
        // The mapping's own keys are found before anything merged.
        let mut seen: std::collections::HashSet<&str> =
            entries_of(mapping).iter().filter_map(|&(k, _)| key_text(k)).collect();
        let mut merged = Vec::new();
        for &source in sources {
            // Within one mapping the last of a key written twice wins, as in `Node::get`.
            let own = entries_of(source).iter().rev();
            for &(k, v) in own.chain(stream.merged_entries(source)) {
                if let Some(text) = key_text(k)
                    && text != "<<"
                    && seen.insert(text)
                {
                    merged.push((k, v));
                }
            }
        }
        let range = arena_range(self.stream.merged_entries.len(), merged.len());
        self.stream.merged_entries.extend(merged);
        self.stream.merges.push((mapping, range));
    }

    /// Duplicate keys among the open mapping's entries (`open_entries[first..]`). Small mappings,
    /// nearly all of them, are compared pairwise without allocating, each key read once. Returns
    /// its first merge key (`<<`) entry, if any.
    fn report_duplicate_keys(&mut self, first: usize) -> Option<(NodeId, NodeId)> {
        const PAIRWISE_UP_TO: usize = 16;
        let stream = &self.stream;
        let entries = &self.open_entries[first..];
        // A key inside a value not kept may have no node (a collection or an alias as a key).
        let key_text = |id: NodeId| stream.scalar_text(stream.nodes.get(id as usize)?);
        // (the key written again, the first one)
        let mut duplicates: Vec<(NodeId, NodeId)> = Vec::new();
        let mut merge_key = None;
        if entries.len() <= PAIRWISE_UP_TO {
            let mut keys = [None; PAIRWISE_UP_TO];
            for (i, &(key, value)) in entries.iter().enumerate() {
                let Some(text) = key_text(key) else { continue };
                if text == "<<" && merge_key.is_none() {
                    merge_key = Some((key, value));
                }
                if let Some(earlier) = keys[..i].iter().position(|&k| k == Some(text)) {
                    duplicates.push((key, entries[earlier].0));
                }
                keys[i] = Some(text);
            }
        } else {
            let mut seen: std::collections::HashMap<&str, NodeId> = std::collections::HashMap::new();
            for &(key, value) in entries {
                let Some(text) = key_text(key) else { continue };
                if text == "<<" && merge_key.is_none() {
                    merge_key = Some((key, value));
                }
                match seen.get(text) {
                    Some(&earlier) => duplicates.push((key, earlier)),
                    None => {
                        seen.insert(text, key);
                    }
                }
            }
        }
        for (key, first) in duplicates {
            if self.reported[1] > MAX_REPORTED {
                // Only counted: see `report`.
                self.reported[1] += 1;
                continue;
            }
            let stream = &self.stream;
            let problem = LoadProblem::DuplicateKey {
                key: stream
                    .scalar_text(&stream.nodes[key as usize])
                    .unwrap_or_default()
                    .to_owned(),
                span: stream.nodes[key as usize].span(),
                first: stream.nodes[first as usize].span(),
                more: 0,
            };
            self.report(problem);
        }
        merge_key
    }
}

/// The arena range of `len` children appended at `start`.
fn arena_range(start: usize, len: usize) -> Range<u32> {
    let start = u32::try_from(start).expect("fewer than 4 billion YAML nodes in one file");
    start..start + len as u32
}

/// A syntax error as a problem, spanning the character the parser stopped at.
fn syntax_problem(error: &ScanError, at: usize, text: &str) -> LoadProblem {
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    LoadProblem::Syntax {
        span: Span::new(at, end),
        message: error.info().to_owned(),
    }
}

/// The lines to indent further when `error` is one that Kubernetes' YAML reader would not raise:
/// indentation inside a flow collection (the line at fault) or a quoted scalar (its continuation
/// lines, up to the closing quote).
fn repair_for(error: &ScanError, at: usize, text: &str) -> Option<Range<usize>> {
    match error.info() {
        "invalid indentation" | "invalid indentation in flow construct" => Some(at..at),
        "invalid indentation in quoted scalar" => {
            let style = match text.as_bytes().get(at) {
                Some(b'"') => ScalarStyle::DoubleQuoted,
                Some(b'\'') => ScalarStyle::SingleQuoted,
                _ => return None,
            };
            let first_continuation = next_line(text, at)?;
            Some(first_continuation..scalar_span(text, at, text.len(), style).end)
        }
        _ => None,
    }
}

/// Maps a byte offset in padded text back onto the original text; an offset inside added padding
/// maps to the start of its line.
fn unpad(padded: usize, padding: &[(usize, usize)]) -> usize {
    let mut added = 0;
    for &(offset, spaces) in padding {
        if padded < offset + added {
            break;
        }
        if padded < offset + added + spaces {
            return offset;
        }
        added += spaces;
    }
    padded - added
}

fn remember_anchor(anchors: &mut Vec<Option<NodeId>>, anchor: usize, id: NodeId) {
    if anchor == 0 {
        return;
    }
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, None);
    }
    anchors[anchor] = Some(id);
}

/// The span of a scalar's text. For a quoted scalar the parser's end can run on through a comment
/// on the same line; cut it at the closing quote.
fn scalar_span(text: &str, start: usize, end: usize, style: ScalarStyle) -> Span {
    let end = end.max(start).min(text.len());
    let quote = match style {
        ScalarStyle::SingleQuoted => b'\'',
        ScalarStyle::DoubleQuoted => b'"',
        _ => return Span::new(start, end),
    };
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < end {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Span::new(start, i + 1),
            _ => i += 1,
        }
    }
    Span::new(start, end)
}

/// Converts the parser's character indices into byte offsets. Identity for ASCII text. For other
/// text, a cursor remembers the last index converted: the parser's marks nearly always move
/// forward, so a lookup walks only the bytes since the previous one. A lookup behind the cursor
/// starts from the checkpoint kept every 64 characters, which bounds its walk.
struct CharOffsets<'a> {
    text: &'a str,
    checkpoints: Option<Vec<usize>>,
    /// The last conversion: (character index, byte offset).
    cursor: Cell<(usize, usize)>,
}

const CHECKPOINT_EVERY: usize = 64;

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> CharOffsets<'a> {
        let checkpoints = (!text.is_ascii()).then(|| {
            text.char_indices()
                .step_by(CHECKPOINT_EVERY)
                .map(|(byte, _)| byte)
                .collect()
        });
        CharOffsets {
            text,
            checkpoints,
            cursor: Cell::new((0, 0)),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        let Some(checkpoints) = &self.checkpoints else {
            return char_index.min(self.text.len());
        };
        let (from_char, from_byte) = match self.cursor.get() {
            cursor if cursor.0 <= char_index => cursor,
            _ => match checkpoints.get(char_index / CHECKPOINT_EVERY) {
                Some(&byte) => (char_index - char_index % CHECKPOINT_EVERY, byte),
                None => return self.text.len(),
            },
        };
        // Walk `char_index - from_char` characters: a character starts at every byte that is not
        // a UTF-8 continuation byte.
        let mut remaining = char_index - from_char;
        let mut byte = from_byte;
        let bytes = self.text.as_bytes();
        while remaining > 0 && byte < bytes.len() {
            byte += 1;
            if bytes.get(byte).is_none_or(|&b| b & 0xC0 != 0x80) {
                remaining -= 1;
            }
        }
        if remaining > 0 {
            return self.text.len();
        }
        self.cursor.set((char_index, byte));
        byte
    }

    /// The inverse of [`CharOffsets::byte`]: how many characters start before byte `byte`.
    fn char_index(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        let Some(checkpoints) = &self.checkpoints else {
            return byte;
        };
        let i = checkpoints.partition_point(|&start| start <= byte).saturating_sub(1);
        let from = checkpoints.get(i).copied().unwrap_or(0);
        let walked = self.text.as_bytes()[from..byte]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        i * CHECKPOINT_EVERY + walked
    }
}

/// What a scalar means once typed (the JSON type Kubernetes would see).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    Null,
    Bool,
    Number,
    String,
}

/// A read-only view of one node.
#[derive(Clone, Copy)]
pub struct Node<'s, 'a> {
    stream: &'s Stream<'a>,
    id: NodeId,
}

impl std::fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("span", &self.span())
            .field("kind", &self.type_name())
            .finish()
    }
}

impl<'s, 'a> Node<'s, 'a> {
    fn data(&self) -> &'s NodeData {
        &self.stream.nodes[self.id as usize]
    }

    fn at(&self, id: NodeId) -> Node<'s, 'a> {
        Node {
            stream: self.stream,
            id,
        }
    }

    /// Identifies the node within its stream: an alias and its anchor have the same identity.
    pub fn identity(&self) -> usize {
        self.id as usize
    }

    /// Where the node is written. For a quoted scalar this includes the quotes.
    pub fn span(&self) -> Span {
        self.data().span()
    }

    /// The node's text as written in the source.
    pub fn source(&self) -> &'a str {
        self.stream.text.get(self.span().range()).unwrap_or_default()
    }

    /// The span of a string's content: inside the quotes, when the text between them is exactly
    /// the value (no escapes, no folded lines). Offsets into the value map onto this span.
    pub fn content_span(&self) -> Option<Span> {
        let NodeKind::Scalar { style, .. } = self.data().kind else {
            return None;
        };
        let inner = inner_span(self.span(), style)?;
        (inner.len() == self.scalar()?.len()).then_some(inner)
    }

    /// The value of a mapping's key, following `<<` merge keys as Kubernetes' YAML reader does.
    pub fn get(&self, key: &str) -> Option<Node<'s, 'a>> {
        let NodeKind::Mapping(range) = &self.data().kind else {
            return None;
        };
        let mut merges = false;
        for &(k, v) in self.stream.entries[range.start as usize..range.end as usize]
            .iter()
            .rev()
        {
            match self.at(k).scalar() {
                Some(text) if text == key => return Some(self.at(v)),
                Some("<<") => merges = true,
                _ => {}
            }
        }
        if !merges {
            return None;
        }
        // Resolved once, when the mapping was loaded (see `Loader::merge`).
        self.stream
            .merged_entries(self.id)
            .iter()
            .find(|&&(k, _)| self.at(k).scalar() == Some(key))
            .map(|&(_, v)| self.at(v))
    }

    /// The key node of `key` in a mapping (for diagnostics that point at a key).
    pub fn key(&self, key: &str) -> Option<Node<'s, 'a>> {
        self.entries().find(|(k, _)| k.scalar() == Some(key)).map(|(k, _)| k)
    }

    /// A mapping's entries, in order; nothing for other nodes.
    pub fn entries(self) -> impl Iterator<Item = (Node<'s, 'a>, Node<'s, 'a>)> + 's {
        let stream = self.stream;
        let entries: &'s [(NodeId, NodeId)] = match &self.data().kind {
            NodeKind::Mapping(range) => &stream.entries[range.start as usize..range.end as usize],
            _ => &[],
        };
        entries
            .iter()
            .map(move |&(k, v)| (Node { stream, id: k }, Node { stream, id: v }))
    }

    /// A sequence's items, in order; nothing for other nodes.
    pub fn items(self) -> impl Iterator<Item = Node<'s, 'a>> + 's {
        let stream = self.stream;
        let items: &'s [NodeId] = match &self.data().kind {
            NodeKind::Sequence(range) => &stream.items[range.start as usize..range.end as usize],
            _ => &[],
        };
        items.iter().map(move |&id| Node { stream, id })
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.data().kind, NodeKind::Mapping(_))
    }

    pub fn is_sequence(&self) -> bool {
        matches!(self.data().kind, NodeKind::Sequence(_))
    }

    /// A scalar's text, whatever its type (`1.0`, `true` and `"x"` all have one).
    pub fn scalar(&self) -> Option<&'s str> {
        self.stream.scalar_text(self.data())
    }

    /// The text of a string scalar; `None` for numbers, booleans, null and collections.
    pub fn as_str(&self) -> Option<&'s str> {
        (self.scalar_type()? == ScalarType::String)
            .then(|| self.scalar())
            .flatten()
    }

    pub fn is_null(&self) -> bool {
        self.scalar_type() == Some(ScalarType::Null)
    }

    /// How Kubernetes would type this scalar; `None` for collections.
    pub fn scalar_type(&self) -> Option<ScalarType> {
        let NodeKind::Scalar { style, tag, .. } = self.data().kind else {
            return None;
        };
        if tag.is_some() {
            return tag;
        }
        Some(match style {
            ScalarStyle::Plain => plain_scalar_type(self.scalar()?),
            _ => ScalarType::String,
        })
    }

    /// "a string", "a number", "a mapping": for messages about a value of the wrong shape.
    pub fn type_name(&self) -> &'static str {
        match (&self.data().kind, self.scalar_type()) {
            (NodeKind::Mapping(_), _) => "a mapping",
            (NodeKind::Sequence(_), _) => "a list",
            (_, Some(ScalarType::Null)) => "null",
            (_, Some(ScalarType::Bool)) => "a boolean",
            (_, Some(ScalarType::Number)) => "a number",
            _ => "a string",
        }
    }
}

/// Where a scalar's characters are written, without its quotes; `None` for block scalars.
fn inner_span(span: Span, style: ScalarStyle) -> Option<Span> {
    match style {
        ScalarStyle::Plain => Some(span),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if span.len() >= 2 => {
            Some(Span::new(span.start + 1, span.end - 1))
        }
        _ => None,
    }
}

/// The type an explicit tag gives a scalar, from the tag's suffix (`str` for `!!str`).
fn tag_type(suffix: &str) -> ScalarType {
    match suffix {
        "null" => ScalarType::Null,
        "bool" => ScalarType::Bool,
        "int" | "float" => ScalarType::Number,
        _ => ScalarType::String,
    }
}

/// Types a plain scalar as YAML 1.1 does (the dialect Kubernetes' YAML reader implements).
fn plain_scalar_type(value: &str) -> ScalarType {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True" | "TRUE" | "false"
        | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return ScalarType::Bool;
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => return ScalarType::Number,
        _ => {}
    }
    if is_number(value) {
        ScalarType::Number
    } else {
        ScalarType::String
    }
}

/// Numbers as Kubernetes' Go YAML reader resolves plain scalars: integers as `strconv.ParseInt(s, 0,
/// 64)` reads them (`0x`, `0o`, `0b` prefixes) and floats matching
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_number(value: &str) -> bool {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] {
        if let Some(rest) = unsigned.strip_prefix(prefix) {
            return !rest.is_empty() && rest.chars().all(|c| c == '_' || c.is_digit(radix));
        }
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        None => digits(mantissa),
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_broken_after_a_complete_value_is_left_out_whole() {
        for text in [
            "stringData\npassword: ",
            "stringData\r\npassword: ",
            "a\nb: c\n---\nd: e\n",
        ] {
            let stream = load(text);
            assert!(!stream.problems.is_empty(), "{text:?}");
            // Every document left can be read.
            for document in stream.documents() {
                let _ = (document.span(), document.get("d"), document.type_name());
            }
        }
        assert_eq!(load("a\nb: c\n---\nd: e\n").documents().count(), 1);
    }

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn spans_point_at_values_including_after_non_ascii() {
        let text = "metadata:\n  name: café\nspec:\n  image: \"nginx:1.0\"  # pinned\n  other: 'x'\n";
        let stream = load(text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let doc = stream.documents().next().unwrap();
        let name = doc.get("metadata").unwrap().get("name").unwrap();
        assert_eq!(text_of(text, name.span()), "café");
        let image = doc.get("spec").unwrap().get("image").unwrap();
        assert_eq!(text_of(text, image.span()), "\"nginx:1.0\"");
        assert_eq!(text_of(text, image.content_span().unwrap()), "nginx:1.0");
        let other = doc.get("spec").unwrap().get("other").unwrap();
        assert_eq!(text_of(text, other.span()), "'x'");
    }

    #[test]
    fn char_offsets_map_indices_to_bytes_in_any_order() {
        // Two- to four-byte characters, across more than one checkpoint.
        let text: String = "é日🦀a".repeat(40);
        let expected: Vec<usize> = text.char_indices().map(|(byte, _)| byte).chain([text.len()]).collect();
        let offsets = CharOffsets::new(&text);
        // Forward, as the parser's marks mostly go; then backward; then past the end.
        let forward = 0..expected.len();
        let backward = (0..expected.len()).rev();
        for index in forward.chain(backward).chain([3, 150, 7, 159, 64, 63, 65]) {
            assert_eq!(offsets.byte(index), expected[index], "character {index}");
        }
        assert_eq!(offsets.byte(expected.len() + 5), text.len());
        assert_eq!(offsets.byte(2), expected[2]);
        for (index, &byte) in expected.iter().enumerate() {
            assert_eq!(offsets.char_index(byte), index, "byte {byte}");
        }
        assert_eq!(CharOffsets::new("abc").char_index(2), 2);
    }

    #[test]
    fn values_not_read_load_as_null_and_are_still_checked() {
        let text = "apiVersion: v1\nkind: Big\nmetadata: {name: a}\nspec:\n  x: [1, {y: 2, y: 3}]\n  z: &a 1\nstatus: *a\nextra: four\n";
        let unread: Unread = |kind, key| kind == "Big" && matches!(key, "spec" | "status");
        let stream = load_except(text, unread);
        let doc = stream.documents().next().unwrap();
        assert_eq!(doc.get("kind").unwrap().as_str(), Some("Big"));
        assert_eq!(doc.get("metadata").unwrap().get("name").unwrap().as_str(), Some("a"));
        let spec = doc.get("spec").unwrap();
        assert!(spec.is_null());
        assert_eq!(text_of(text, spec.span()), "x: [1, {y: 2, y: 3}]\n  z: &a 1");
        assert!(doc.get("status").unwrap().is_null());
        assert_eq!(doc.get("extra").unwrap().as_str(), Some("four"));
        // Nothing of the values not kept stays: the root, its six keys and six values, and the
        // two nodes of `{name: a}`.
        assert_eq!(stream.nodes.len(), 15);
        assert_eq!(load(text).nodes.len(), 24);
        let [LoadProblem::DuplicateKey { key, span, first, .. }] = &stream.problems[..] else {
            panic!("{:?}", stream.problems);
        };
        assert_eq!(
            (key.as_str(), &text[span.range()], &text[first.range()]),
            ("y", "y", "y")
        );
        assert!(first.start < span.start);
        // Another kind is loaded whole.
        let whole = load_except("kind: Small\nspec: {a: b}\n", unread);
        assert_eq!(
            whole
                .documents()
                .next()
                .unwrap()
                .get("spec")
                .unwrap()
                .get("a")
                .unwrap()
                .as_str(),
            Some("b")
        );
    }

    #[test]
    fn escaped_strings_have_no_content_span() {
        let text = "a: \"x\\ty\"\n";
        let stream = load(text);
        let a = stream.documents().next().unwrap().get("a").unwrap();
        assert_eq!(a.as_str(), Some("x\ty"));
        assert_eq!(a.content_span(), None);
    }

    #[test]
    fn multi_document_streams_and_flow_style() {
        let text = "---\na: 1\n---\n# only a comment\n---\nb: [x, {c: d}]\n...\n";
        let stream = load(text);
        let docs: Vec<_> = stream.documents().collect();
        assert_eq!(docs.len(), 2);
        let b = docs[1].get("b").unwrap();
        assert_eq!(text_of(text, b.span()), "[x, {c: d}]");
        let c = b.items().nth(1).unwrap().get("c").unwrap();
        assert_eq!(c.as_str(), Some("d"));
    }

    #[test]
    fn json_loads_with_spans() {
        let text = "{\n\t\"kind\": \"Pod\",\n\t\"spec\": {\"image\": \"nginx\"}\n}\n";
        let stream = load(text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let doc = stream.documents().next().unwrap();
        let image = doc.get("spec").unwrap().get("image").unwrap();
        assert_eq!(text_of(text, image.span()), "\"nginx\"");
    }

    #[test]
    fn syntax_error_keeps_the_other_documents() {
        let text = "a: 1\n---\nb: [unclosed\n---\nc: 3\n";
        let stream = load(text);
        let keys: Vec<_> = stream
            .documents()
            .map(|d| d.entries().next().unwrap().0.scalar().unwrap())
            .collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(stream.problems.len(), 1);
        let LoadProblem::Syntax { span, .. } = &stream.problems[0] else {
            panic!("expected a syntax error, got {:?}", stream.problems[0]);
        };
        assert!(span.start > text.find("b:").unwrap() && span.start < text.find("c:").unwrap());
    }

    #[test]
    fn indentation_that_kubernetes_accepts_inside_flow_and_quoted_scalars() {
        // Both are rejected by YAML 1.2 and accepted by go-yaml (kubectl) and PyYAML.
        let text = "\
a:
  args: [
    \"-x\", \"1\",
  ]
  env: ok
---
metadata:
  annotations:
    init: '[
        {\"name\": \"x\"}
    ]'
spec: {image: nginx}
---
b: [unclosed
---
c: 3
";
        let stream = load(text);
        let problems: Vec<_> = stream.problems.iter().map(|p| format!("{p:?}")).collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let docs: Vec<_> = stream.documents().collect();
        assert_eq!(docs.len(), 3);
        let a = docs[0].get("a").unwrap();
        assert_eq!(a.get("args").unwrap().items().count(), 2);
        assert_eq!(text_of(text, a.get("env").unwrap().span()), "ok");
        let init = docs[1]
            .get("metadata")
            .unwrap()
            .get("annotations")
            .unwrap()
            .get("init")
            .unwrap();
        assert_eq!(init.as_str(), Some("[ {\"name\": \"x\"} ]"));
        assert!(text_of(text, init.span()).starts_with("'[") && text_of(text, init.span()).ends_with("]'"));
        let image = docs[1].get("spec").unwrap().get("image").unwrap();
        assert_eq!(text_of(text, image.span()), "nginx");
        assert_eq!(docs[2].get("c").unwrap().scalar(), Some("3"));
    }

    /// A document whose `n` quoted values continue on lines no deeper than their key: one repair
    /// each.
    fn document_needing_repairs(name: &str, n: usize) -> String {
        let mut text = format!("---\n{name}:\n");
        for i in 0..n {
            text.push_str(&format!("  k{i}: \"first line\n  continued\"\n"));
        }
        text
    }

    #[test]
    fn each_document_gets_its_own_repairs() {
        // 40 repairs each: more than `MAX_REPAIRS` together, which once failed the third
        // document because of the two before it.
        let text: String = ["a", "b", "c"]
            .iter()
            .map(|name| document_needing_repairs(name, 40))
            .collect();
        let stream = load(&text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let docs: Vec<_> = stream.documents().collect();
        assert_eq!(docs.len(), 3);
        for (doc, name) in docs.iter().zip(["a", "b", "c"]) {
            let values = doc.get(name).unwrap();
            assert_eq!(values.entries().count(), 40);
            assert_eq!(values.get("k39").unwrap().as_str(), Some("first line continued"));
        }
        let last = docs[2].get("c").unwrap().get("k0").unwrap();
        assert!(text_of(&text, last.span()).starts_with("\"first line\n  continued\""));
        // Still one repair budget per document.
        let text = document_needing_repairs("a", MAX_REPAIRS + 1);
        assert_eq!(load(&text).problems.len(), 1);
    }

    #[test]
    fn problems_past_a_hundred_are_counted_not_listed() {
        let text = "---\n[\n".repeat(1000);
        let stream = load(&text);
        assert_eq!(stream.problems.len(), MAX_REPORTED + 1);
        let Some(LoadProblem::Syntax { message, .. }) = stream.problems.last() else {
            panic!("{:?}", stream.problems.last());
        };
        assert!(
            message.ends_with("(and 899 more syntax errors after this one, not reported)"),
            "{message}"
        );
        // Each error is found in its own document: an unclosed `[` ends at the next marker.
        let starts: Vec<usize> = stream
            .problems
            .iter()
            .map(|p| match p {
                LoadProblem::Syntax { span, .. } => span.start,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(starts, (1..=MAX_REPORTED + 1).map(|i| i * 6).collect::<Vec<_>>());

        let text = format!("a: 0\n{}", "a: 1\n".repeat(1000));
        let stream = load(&text);
        assert_eq!(stream.problems.len(), MAX_REPORTED + 1);
        let mores: Vec<usize> = stream
            .problems
            .iter()
            .map(|p| match p {
                LoadProblem::DuplicateKey { more, .. } => *more,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(mores[..MAX_REPORTED], [0; MAX_REPORTED]);
        assert_eq!(mores[MAX_REPORTED], 899);
        // The last value still wins.
        assert_eq!(stream.documents().next().unwrap().get("a").unwrap().scalar(), Some("1"));
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        // Old Mac line endings: after the broken document, loading resumes at the next `---`.
        let text = "a: [\r---\rb: 1\r---\r\nc: 2\r\n";
        let stream = load(text);
        assert_eq!(stream.problems.len(), 1, "{:?}", stream.problems);
        let keys: Vec<_> = stream
            .documents()
            .map(|d| d.entries().next().unwrap().0.scalar().unwrap())
            .collect();
        assert_eq!(keys, ["b", "c"]);
        assert_eq!(next_line("x\ry", 0), Some(2));
        assert_eq!(next_line("x\r\ny", 0), Some(3));
        assert_eq!(next_line("x", 0), None);
        assert_eq!(line_start("x\ry", 2), 2);
    }

    #[test]
    fn parts_end_at_document_markers_with_their_directives() {
        let text = "a: 1\n---\nb: [\n--- # c\n----\n---x\n...\n%YAML 1.2\n%TAG ! !x\n---\rd\r---";
        let mut parts = Vec::new();
        let mut start = 0;
        while start < text.len() {
            let end = next_part(text, start);
            parts.push(&text[start..end]);
            start = end;
        }
        assert_eq!(
            parts,
            [
                "a: 1\n",
                "---\nb: [\n",
                "--- # c\n----\n---x\n...\n",
                "%YAML 1.2\n%TAG ! !x\n---\rd\r",
                "---"
            ]
        );
        // Directives before a document still apply to it.
        let stream = load("a: 1\n...\n%YAML 1.2\n---\nb: 2\n");
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        assert_eq!(stream.documents().count(), 2);
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |levels: usize| format!("{}x\n---\nafter: 1\n", "- ".repeat(levels));
        let text = deep(MAX_DEPTH);
        let stream = load(&text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        assert_eq!(stream.documents().count(), 2);
        let text = deep(MAX_DEPTH + 1);
        let stream = load(&text);
        let [LoadProblem::Syntax { span, message }] = &stream.problems[..] else {
            panic!("{:?}", stream.problems);
        };
        assert_eq!(span.start, 2 * MAX_DEPTH);
        assert!(message.contains("nested more than 10000 levels"), "{message}");
        // The next document is still read.
        let keys: Vec<_> = stream
            .documents()
            .map(|d| d.entries().next().unwrap().0.scalar().unwrap())
            .collect();
        assert_eq!(keys, ["after"]);
    }

    #[test]
    fn top_level_flow_collections_load_with_their_spans() {
        for text in [
            "{\"kind\": \"Pod\", \"spec\": {\"image\": \"nginx\"}}\n",
            "# comment\n\n---\n[{\"kind\": \"Pod\", \"spec\": {\"image\": \"nginx\"}}]\n",
            "%YAML 1.2\n--- # c\r\n{kind: Pod, spec: {image: nginx}}",
        ] {
            let flow = text.find(['{', '[']).unwrap();
            let part = if text.starts_with('{') { 0 } else { flow };
            assert_eq!(top_level_flow_start(text, 0..text.len()), Some(part), "{text:?}");
            let stream = load(text);
            assert!(stream.problems.is_empty(), "{:?}", stream.problems);
            let docs: Vec<_> = stream.documents().collect();
            assert_eq!(docs.len(), 1, "{text:?}");
            assert_eq!(docs[0].span().start, flow);
            let pod = docs[0].items().next().unwrap_or(docs[0]);
            let image = pod.get("spec").unwrap().get("image").unwrap();
            assert_eq!(image.as_str(), Some("nginx"));
            assert_eq!(text_of(text, image.content_span().unwrap()), "nginx");
        }
        for text in ["a: [1]\n", "--- [1]\n", "  [1]\n", "- [1]\n"] {
            assert_eq!(top_level_flow_start(text, 0..text.len()), None, "{text:?}");
        }
        // A syntax error inside is reported where it is.
        let text = "{\"a\": [1, 2}\n";
        let [LoadProblem::Syntax { span, .. }] = &load(text).problems[..] else {
            panic!();
        };
        assert_eq!(span.start, text.find('}').unwrap());
    }

    #[test]
    fn unpad_maps_offsets_back() {
        // Two spaces added at offset 10, one at offset 20.
        let padding = [(10, 2), (20, 1)];
        assert_eq!(unpad(5, &padding), 5);
        assert_eq!(unpad(10, &padding), 10);
        assert_eq!(unpad(11, &padding), 10);
        assert_eq!(unpad(12, &padding), 10);
        assert_eq!(unpad(15, &padding), 13);
        assert_eq!(unpad(22, &padding), 20);
        assert_eq!(unpad(23, &padding), 20);
        assert_eq!(unpad(30, &padding), 27);
    }

    #[test]
    fn duplicate_keys_are_reported_and_loading_goes_on() {
        let text = "a: 1\nb:\n  x: 1\n  x: 2\na: 3\n";
        let stream = load(text);
        let dups: Vec<_> = stream
            .problems
            .iter()
            .map(|p| match p {
                LoadProblem::DuplicateKey { key, span, first, .. } => (key.as_str(), span.start, first.start),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(dups, [("x", 17, 10), ("a", 22, 0)]);
        // The last one wins, as in Kubernetes' reader.
        assert_eq!(stream.documents().next().unwrap().get("a").unwrap().scalar(), Some("3"));
    }

    #[test]
    fn aliases_share_nodes_and_merge_keys_are_followed() {
        let text = "base: &b {image: nginx, policy: Always}\nc1: *b\nc2:\n  <<: *b\n  policy: Never\n";
        let stream = load(text);
        let doc = stream.documents().next().unwrap();
        assert_eq!(doc.get("c1").unwrap().get("image").unwrap().as_str(), Some("nginx"));
        let c2 = doc.get("c2").unwrap();
        assert_eq!(c2.get("image").unwrap().as_str(), Some("nginx"));
        assert_eq!(c2.get("policy").unwrap().as_str(), Some("Never"));
    }

    #[test]
    fn merge_keys_follow_kubernetes_precedence() {
        let text = "\
a: &a {image: a, policy: A, only-a: 1}
b: &b {image: b, policy: B, only-b: 2, <<: {deep: 3}}
own:
  policy: own
  <<: [*a, *b]
  name: x
nested: {<<: {<<: *b}}
scalar: {<<: 5, k: v}
";
        let stream = load(text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let doc = stream.documents().next().unwrap();
        let own = doc.get("own").unwrap();
        let value = |key: &str| own.get(key).and_then(|v| v.scalar());
        // Its own keys first, then the first mapping listed that has the key.
        assert_eq!(value("policy"), Some("own"));
        assert_eq!(value("image"), Some("a"));
        assert_eq!(value("only-b"), Some("2"));
        assert_eq!(value("deep"), Some("3"));
        assert_eq!(value("missing"), None);
        // What `entries` gives is what is written.
        assert_eq!(own.entries().count(), 3);
        let nested = doc.get("nested").unwrap();
        assert_eq!(nested.get("deep").unwrap().scalar(), Some("3"));
        assert_eq!(nested.get("image").unwrap().scalar(), Some("b"));
        assert_eq!(doc.get("scalar").unwrap().get("k").unwrap().scalar(), Some("v"));
    }

    #[test]
    fn merge_chains_cost_their_length() {
        // Each level lists the one before twice: 2^40 paths if merges were followed each time.
        let mut text = String::from("m0: &m0 {a: b}\n");
        for i in 1..=40 {
            text.push_str(&format!("m{i}: &m{i} {{<<: [*m{}, *m{}]}}\n", i - 1, i - 1));
        }
        text.push_str("spec: {<<: *m40, c: d}\n");
        let stream = load(&text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let spec = stream.documents().next().unwrap().get("spec").unwrap();
        assert_eq!(spec.get("a").unwrap().scalar(), Some("b"));
        assert!(spec.get("missing").is_none());
        assert!(stream.merged_entries.len() <= 42);
    }

    #[test]
    fn merges_that_copy_more_than_the_text_allows_are_a_problem() {
        // Each level adds a key and merges the one before: level i copies i entries, so 3000
        // levels would copy 4.5 million for a text of 100 KB.
        let mut text = String::from("m0: &m0 {k0: v}\n");
        for i in 1..3000 {
            text.push_str(&format!("m{i}: &m{i} {{k{i}: v, <<: *m{}}}\n", i - 1));
        }
        text.push_str("last: {<<: *m2999}\n");
        let stream = load(&text);
        let [LoadProblem::Syntax { span, message }] = &stream.problems[..] else {
            panic!("{:?}", stream.problems);
        };
        assert_eq!(&text[span.range()], "<<");
        assert!(message.contains("merge keys"), "{message}");
        assert!(stream.merged_entries.len() <= text.len() / 2 + MERGE_BUDGET);
        let doc = stream.documents().next().unwrap();
        // The merges before the bound are followed, the ones after it are not.
        assert_eq!(doc.get("m10").unwrap().get("k0").unwrap().scalar(), Some("v"));
        assert!(doc.get("last").unwrap().get("k0").is_none());
    }

    #[test]
    fn alias_bomb_loads_in_linear_space() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..40 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let stream = load(&text);
        assert!(stream.problems.is_empty());
        assert!(stream.nodes.len() < 1000);
    }

    #[test]
    fn byte_order_mark_and_crlf() {
        let text = "\u{feff}kind: Pod\r\nspec:\r\n  image: nginx\r\n";
        let stream = load(text);
        assert!(stream.problems.is_empty(), "{:?}", stream.problems);
        let image = stream
            .documents()
            .next()
            .unwrap()
            .get("spec")
            .unwrap()
            .get("image")
            .unwrap();
        assert_eq!(text_of(text, image.span()), "nginx");
    }

    #[test]
    fn scalars_are_typed_like_kubernetes() {
        let text = "a: 1.0\nb: yes\nc: \"1.0\"\nd: ~\ne:\nf: nginx\ng: !!str 12\nh: 0x1F\ni: 1e3\nj: 1.2.3\nk: .5\n";
        let stream = load(text);
        let doc = stream.documents().next().unwrap();
        let types: Vec<_> = doc
            .entries()
            .map(|(k, v)| (k.scalar().unwrap(), v.type_name()))
            .collect();
        assert_eq!(
            types,
            [
                ("a", "a number"),
                ("b", "a boolean"),
                ("c", "a string"),
                ("d", "null"),
                ("e", "null"),
                ("f", "a string"),
                ("g", "a string"),
                ("h", "a number"),
                ("i", "a number"),
                ("j", "a string"),
                ("k", "a number"),
            ]
        );
    }

    #[test]
    fn nodes_are_twenty_bytes() {
        assert_eq!(std::mem::size_of::<NodeData>(), 20);
    }

    #[test]
    fn texts_over_4_gib_are_refused() {
        // `load` refuses what does not fit in `u32` offsets; the same check with a smaller limit.
        let stream = load_within("a: 1\n", 4, |_, _| false);
        assert_eq!(stream.documents().count(), 0);
        let [LoadProblem::Syntax { span, message }] = &stream.problems[..] else {
            panic!("expected one syntax problem, got {:?}", stream.problems);
        };
        assert_eq!(*span, Span::new(0, 0));
        assert!(message.contains("too large"), "{message}");
    }
}
