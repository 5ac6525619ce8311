//! Loading a YAML (or JSON) stream into short-lived, spanned documents.
//!
//! [`load`] drives saphyr-parser's event stream and builds a small arena tree in which every node
//! keeps the byte range it was written at, so a diagnostic can point at the exact value. It keeps
//! going where a whole-tree loader would stop: a duplicate key is recorded and loading goes on, and
//! after a syntax error it restarts at the next `---` line, so the stream's other documents still
//! count. Aliases share the anchored node instead of copying it, so an alias "bomb" costs nothing
//! to load; readers walk only the paths they ask for.
//!
//! Offsets are kept as `u32`, so a text longer than `u32::MAX` bytes (4 GiB) is not loaded: see
//! [`load`].
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
    DuplicateKey { key: String, span: Span, first: Span },
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
    roots: Vec<NodeId>,
    pub problems: Vec<LoadProblem>,
}

impl<'a> Stream<'a> {
    /// The root node of every document that loaded, in order. Empty documents are left out.
    pub fn documents(&self) -> impl Iterator<Item = Node<'_, 'a>> + '_ {
        self.roots.iter().map(|&id| Node { stream: self, id })
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
            roots: Vec::new(),
            problems: Vec::new(),
        },
        open_items: Vec::new(),
        open_entries: Vec::new(),
    };
    if text.len() > max_len {
        loader.stream.problems.push(LoadProblem::Syntax {
            span: Span::new(0, 0),
            message: "the file is too large to load (over 4 GiB)".to_owned(),
        });
        return loader.stream;
    }
    // A UTF-8 byte order mark is not content.
    let mut base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while base < text.len() {
        let failure = match loader.load_from(text, base) {
            Ok(()) => break,
            Err(failure) if failure.repair.is_some() => match loader.load_lenient(text, failure) {
                Ok(()) => break,
                Err(failure) => failure,
            },
            Err(failure) => failure,
        };
        loader.stream.problems.push(failure.problem);
        match next_document_start(text, failure.document_start) {
            Some(next) => base = next,
            None => break,
        }
    }
    loader.stream
}

/// The byte offset of the first `---` document marker that starts a line after `offset`.
fn next_document_start(text: &str, offset: usize) -> Option<usize> {
    let mut line_start = text.get(offset..)?.find('\n')? + offset + 1;
    loop {
        let rest = &text[line_start..];
        if rest.starts_with("---")
            && rest[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n')
        {
            return Some(line_start);
        }
        line_start += rest.find('\n')? + 1;
    }
}

/// Whether the collection-end event at `offset` is a flow collection's closing bracket (a block
/// collection's end event sits wherever the next token starts).
fn closes_flow(text: &str, offset: usize) -> bool {
    matches!(text.as_bytes().get(offset), Some(b']' | b'}'))
}

/// The byte offset where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// How many repairs one lenient load may make before it reports the error as it stands.
const MAX_REPAIRS: usize = 64;

/// Why loading stopped, and where the stream can be picked up again.
struct Failure {
    problem: LoadProblem,
    /// Where the document that failed began (a byte offset into the whole text): a document marker
    /// ends any construct, even an unclosed flow collection, so loading can resume at the next
    /// `---` after it.
    document_start: usize,
    /// What the stream held before that document, so a retry can start clean.
    checkpoint: (usize, usize),
    /// For an indentation error inside a flow collection or a quoted scalar: the byte range whose
    /// lines need more indentation. YAML 1.2 requires it; Kubernetes' YAML reader (go-yaml, like
    /// libyaml) does not check it, and real manifests rely on that.
    repair: Option<Range<usize>>,
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
}

impl<'a> Loader<'a> {
    /// Loads `text[base..]`, as written, to the end or the first syntax error.
    fn load_from(&mut self, text: &'a str, base: usize) -> Result<(), Failure> {
        self.load_events(text, &text[base..], base, &[])
    }

    /// Loads again from the document that failed on indentation, adding a space at the start of
    /// each line at fault until the parser accepts it. Spans are mapped back onto the original
    /// text, and values are compared with it as on a first load.
    fn load_lenient(&mut self, text: &'a str, mut failure: Failure) -> Result<(), Failure> {
        let base = failure.document_start;
        // Every retry parses again from `base`, so it starts from what the stream held before it.
        let checkpoint = failure.checkpoint;
        // (byte offset of a line start in `text`, spaces added there), sorted by offset.
        let mut padding: Vec<(usize, usize)> = Vec::new();
        for _ in 0..MAX_REPAIRS {
            let Some(lines) = failure.repair.take() else {
                return Err(failure);
            };
            self.rollback(checkpoint);
            let mut at = line_start(text, lines.start);
            while at <= lines.end && at < text.len() {
                match padding.binary_search_by_key(&at, |&(offset, _)| offset) {
                    Ok(i) => padding[i].1 += 1,
                    Err(i) => padding.insert(i, (at, 1)),
                }
                at = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            }
            let mut padded = String::with_capacity(text.len() - base + padding.len());
            let mut copied = base;
            for &(offset, spaces) in &padding {
                padded.push_str(&text[copied..offset]);
                padded.extend(std::iter::repeat_n(' ', spaces));
                copied = offset;
            }
            padded.push_str(&text[copied..]);
            match self.load_events(text, &padded, base, &padding) {
                Ok(()) => return Ok(()),
                Err(next) => failure = next,
            }
        }
        Err(failure)
    }

    /// Forgets the documents, nodes and problems added since `checkpoint`.
    fn rollback(&mut self, (roots, problems): (usize, usize)) {
        self.stream.roots.truncate(roots);
        self.stream.problems.truncate(problems);
    }

    /// Builds nodes from the events of `input`, which is `text[base..]` with `padding` added (see
    /// [`Loader::load_lenient`]).
    fn load_events(
        &mut self,
        text: &'a str,
        input: &str,
        base: usize,
        padding: &[(usize, usize)],
    ) -> Result<(), Failure> {
        let offsets = CharOffsets::new(input);
        let byte = |mark: Marker| unpad(base + offsets.byte(mark.index()), padding);
        let mut parser = Parser::new_from_str(input);
        let mut open: Vec<Open> = Vec::new();
        self.open_items.clear();
        self.open_entries.clear();
        // Anchors are numbered from 1 per parser; index 0 is unused.
        let mut anchors: Vec<Option<NodeId>> = Vec::new();
        let mut document_start = base;
        let mut checkpoint = (self.stream.roots.len(), self.stream.problems.len());
        // The document's top-level `kind` value, once read, and the top-level value being read
        // without being kept, if any (see `load_except`).
        let mut kind: Option<NodeId> = None;
        let mut skipping: Option<Skipping> = None;

        while let Some(next) = parser.next_event() {
            let (event, span) = match next {
                Ok(next) => next,
                Err(error) => {
                    let at = byte(*error.marker()).min(text.len());
                    return Err(Failure {
                        problem: syntax_problem(&error, at, text),
                        document_start,
                        checkpoint,
                        repair: repair_for(&error, at, text),
                    });
                }
            };
            let start = byte(span.start);
            let end = byte(span.end);
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
                    checkpoint = (self.stream.roots.len(), self.stream.problems.len());
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
                        self.report_duplicate_keys(first);
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

    /// Turns a finished collection into a node, moving its children to the stream, and reports
    /// duplicate keys.
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
                self.report_duplicate_keys(first);
                let last_value = self
                    .open_entries
                    .get(first..)
                    .and_then(|e| e.last())
                    .map(|&(_, value)| value);
                let end = end_of(self, last_value, start);
                let range = arena_range(self.stream.entries.len(), self.open_entries.len() - first);
                self.stream.entries.extend(self.open_entries.drain(first..));
                (
                    self.push(Span::new(start, end.max(start)), NodeKind::Mapping(range)),
                    anchor,
                )
            }
        }
    }

    /// Duplicate keys among the open mapping's entries (`open_entries[first..]`). Small mappings,
    /// nearly all of them, are compared pairwise without allocating, each key read once.
    fn report_duplicate_keys(&mut self, first: usize) {
        const PAIRWISE_UP_TO: usize = 16;
        let stream = &self.stream;
        let entries = &self.open_entries[first..];
        // A key inside a value not kept may have no node (a collection or an alias as a key).
        let key_text = |id: NodeId| stream.scalar_text(stream.nodes.get(id as usize)?);
        let duplicate = |key: NodeId, first: NodeId| LoadProblem::DuplicateKey {
            key: key_text(key).unwrap_or_default().to_owned(),
            span: stream.nodes[key as usize].span(),
            first: stream.nodes[first as usize].span(),
        };
        let mut problems = Vec::new();
        if entries.len() <= PAIRWISE_UP_TO {
            let mut keys = [None; PAIRWISE_UP_TO];
            for (i, &(key, _)) in entries.iter().enumerate() {
                let Some(text) = key_text(key) else { continue };
                if let Some(earlier) = keys[..i].iter().position(|&k| k == Some(text)) {
                    problems.push(duplicate(key, entries[earlier].0));
                }
                keys[i] = Some(text);
            }
        } else {
            let mut seen: std::collections::HashMap<&str, NodeId> = std::collections::HashMap::new();
            for &(key, _) in entries {
                let Some(text) = key_text(key) else { continue };
                match seen.get(text) {
                    Some(&earlier) => problems.push(duplicate(key, earlier)),
                    None => {
                        seen.insert(text, key);
                    }
                }
            }
        }
        self.stream.problems.extend(problems);
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
            let first_continuation = at + text[at..].find('\n')? + 1;
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
        let mut merged = None;
        for &(k, v) in self.stream.entries[range.start as usize..range.end as usize]
            .iter()
            .rev()
        {
            match self.at(k).scalar() {
                Some(text) if text == key => return Some(self.at(v)),
                Some("<<") => merged = Some(self.at(v)),
                _ => {}
            }
        }
        let merged = merged?;
        match &merged.data().kind {
            NodeKind::Mapping(_) => merged.get(key),
            NodeKind::Sequence(_) => merged.items().find_map(|m| m.get(key)),
            NodeKind::Scalar { .. } => None,
        }
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
        let [LoadProblem::DuplicateKey { key, span, first }] = &stream.problems[..] else {
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
                LoadProblem::DuplicateKey { key, span, first } => (key.as_str(), span.start, first.start),
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
