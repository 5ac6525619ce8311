//! The base protocol's framing (`Content-Length` headers, then a JSON body) on a byte stream, read
//! with bounded memory and answered when it is broken, so that one bad message never ends the server.
//!
//! [`MessageReader`] reads one frame at a time. A header line holds at most [`MAX_HEADER_LINE`]
//! bytes; a body holds at most the reader's limit ([`MAX_MESSAGE_BYTES`], 64 MiB, for `pullcheck
//! lsp`), and a longer one is read past without being kept. Headers may end in `\r\n`, as the
//! protocol says, or in `\n` alone. A frame that cannot be used becomes a [`Malformed`] with the
//! JSON-RPC error response it deserves: a parse error (-32700, id null) when the bytes are not a JSON
//! message (bad headers, too long, not UTF-8, not JSON), an invalid request (-32600, with the
//! message's id when it has one) when the JSON is not a request, notification or response. When a
//! frame's length cannot be known, reading resumes at the next `Content-Length:` in the stream.
//!
//! [`spawn_stdio`] puts a reader and a writer thread between the standard input and output and an
//! [`lsp_server::Connection`]. It does not interpret messages, and never writes a message's content
//! to the standard error: a line there says which message (counting from 1) was wrong and how.

use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use lsp_server::{Connection, ErrorCode, Message};
use serde_json::{Value, json};

/// The largest message body `pullcheck lsp` reads: far more than any manifest an editor holds.
pub const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// The longest header line kept: real ones (`Content-Length`, `Content-Type`) are under 100 bytes.
pub const MAX_HEADER_LINE: usize = 1024;

/// What the next frame of the input held.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    Malformed(Malformed),
    /// The input ended (possibly inside a frame, which is then lost).
    End,
}

/// A frame that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The frame's place in the input, counting from 1.
    pub number: u64,
    pub problem: Problem,
    /// The request's id, when the body was JSON with a usable one.
    pub id: Option<Value>,
    /// Whether the body looked like a response: those get no answer.
    pub response: bool,
}

/// What was wrong with a frame. Says where, never what the bytes were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    HeaderTooLong,
    HeaderNotAscii,
    HeaderWithoutColon,
    NoContentLength,
    BadContentLength,
    TooLarge { length: u64, limit: usize },
    NotUtf8 { at: usize },
    NotJson { line: usize, column: usize },
    NotAMessage,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::HeaderTooLong => write!(f, "a header line is longer than {MAX_HEADER_LINE} bytes"),
            Problem::HeaderNotAscii => write!(f, "a header line is not ASCII"),
            Problem::HeaderWithoutColon => write!(f, "a header line has no `:`"),
            Problem::NoContentLength => write!(f, "the headers have no Content-Length"),
            Problem::BadContentLength => write!(f, "the Content-Length is not a number of bytes"),
            Problem::TooLarge { length, limit } => {
                write!(f, "{length} bytes, more than the limit of {limit}; skipped")
            }
            Problem::NotUtf8 { at } => write!(f, "not UTF-8 at byte {at}"),
            Problem::NotJson { line, column } => write!(f, "not JSON at line {line}, column {column}"),
            Problem::NotAMessage => write!(f, "JSON, but not a request, notification or response"),
        }
    }
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "message {}: {}", self.number, self.problem)
    }
}

impl Malformed {
    /// The JSON-RPC error response to send back, or `None` for a response (never answered).
    pub fn reply(&self) -> Option<Value> {
        if self.response {
            return None;
        }
        let code = match self.problem {
            Problem::NotAMessage => ErrorCode::InvalidRequest,
            _ => ErrorCode::ParseError,
        };
        Some(json!({
            "jsonrpc": "2.0",
            "id": self.id.clone().unwrap_or(Value::Null),
            "error": {"code": code as i32, "message": self.to_string()},
        }))
    }
}

/// One line of headers, as far as it was kept.
enum Line {
    End,
    TooLong,
    Text(Vec<u8>),
}

/// Reads frames from `input`, keeping at most `limit` bytes of a body.
pub struct MessageReader<R> {
    input: R,
    limit: usize,
    /// Frames read so far.
    count: u64,
    /// The length of the last frame could not be known: skip to the next `Content-Length:`.
    lost: bool,
}

impl<R: BufRead> MessageReader<R> {
    pub fn new(input: R, limit: usize) -> MessageReader<R> {
        MessageReader {
            input,
            limit,
            count: 0,
            lost: false,
        }
    }

    /// The next frame. An `Err` only when reading the input failed.
    pub fn read(&mut self) -> io::Result<Frame> {
        let mut first = None;
        if std::mem::take(&mut self.lost) {
            if !self.skip_to_content_length()? {
                return Ok(Frame::End);
            }
            first = Some(b"Content-Length:".to_vec());
        }
        let mut length: Option<Result<u64, ()>> = None;
        let mut problem = None;
        let mut seen = false;
        loop {
            let line = match (self.line()?, first.take()) {
                (Line::End, _) => return Ok(Frame::End),
                (Line::TooLong, _) => {
                    problem.get_or_insert(Problem::HeaderTooLong);
                    seen = true;
                    continue;
                }
                (Line::Text(mut text), Some(mut start)) => {
                    start.append(&mut text);
                    start
                }
                (Line::Text(text), None) => text,
            };
            if line.is_empty() {
                if seen {
                    break;
                }
                // Blank lines between frames: tolerated.
                continue;
            }
            seen = true;
            let Ok(line) = std::str::from_utf8(&line) else {
                problem.get_or_insert(Problem::HeaderNotAscii);
                continue;
            };
            if !line.is_ascii() {
                problem.get_or_insert(Problem::HeaderNotAscii);
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                problem.get_or_insert(Problem::HeaderWithoutColon);
                continue;
            };
            // Content-Type and any other header: nothing pullcheck needs.
            if name.trim().eq_ignore_ascii_case("content-length") {
                let parsed = value.trim().parse::<u64>().map_err(|_| ());
                length = match length {
                    None => Some(parsed),
                    Some(Ok(before)) if parsed == Ok(before) => Some(parsed),
                    Some(_) => Some(Err(())),
                };
            }
        }
        self.count += 1;
        let number = self.count;
        let malformed = |problem| {
            Frame::Malformed(Malformed {
                number,
                problem,
                id: None,
                response: false,
            })
        };
        let length = match length {
            Some(Ok(length)) => length,
            Some(Err(())) | None => {
                self.lost = true;
                return Ok(malformed(problem.unwrap_or(if length.is_none() {
                    Problem::NoContentLength
                } else {
                    Problem::BadContentLength
                })));
            }
        };
        let fits = usize::try_from(length).is_ok_and(|length| length <= self.limit);
        if problem.is_some() || !fits {
            let skipped = io::copy(&mut (&mut self.input).take(length), &mut io::sink())?;
            if skipped < length {
                return Ok(Frame::End);
            }
            let limit = self.limit;
            return Ok(malformed(problem.unwrap_or(Problem::TooLarge { length, limit })));
        }
        // Grown as the bytes arrive, not reserved from the header's word.
        let mut body = Vec::new();
        (&mut self.input).take(length).read_to_end(&mut body)?;
        if (body.len() as u64) < length {
            return Ok(Frame::End);
        }
        Ok(match parse(&body) {
            Ok(message) => Frame::Message(message),
            Err(mut malformed) => {
                malformed.number = number;
                Frame::Malformed(malformed)
            }
        })
    }

    /// One header line without its `\n` or `\r\n`, kept when it is at most [`MAX_HEADER_LINE`] bytes.
    fn line(&mut self) -> io::Result<Line> {
        let mut kept = Vec::new();
        let mut too_long = false;
        loop {
            let available = fill_buf(&mut self.input)?;
            if available.is_empty() {
                return Ok(Line::End);
            }
            let newline = available.iter().position(|&byte| byte == b'\n');
            let taken = newline.unwrap_or(available.len());
            if !too_long {
                if kept.len() + taken > MAX_HEADER_LINE + 1 {
                    too_long = true;
                    kept = Vec::new();
                } else {
                    kept.extend_from_slice(&available[..taken]);
                }
            }
            let consumed = newline.map_or(taken, |at| at + 1);
            self.input.consume(consumed);
            if newline.is_some() {
                if too_long {
                    return Ok(Line::TooLong);
                }
                if kept.last() == Some(&b'\r') {
                    kept.pop();
                }
                if kept.len() > MAX_HEADER_LINE {
                    return Ok(Line::TooLong);
                }
                return Ok(Line::Text(kept));
            }
        }
    }

    /// Reads up to and including the next `Content-Length:` (in any case); `false` at the end.
    fn skip_to_content_length(&mut self) -> io::Result<bool> {
        const WANTED: &[u8] = b"content-length:";
        let mut matched = 0;
        loop {
            let available = fill_buf(&mut self.input)?;
            if available.is_empty() {
                return Ok(false);
            }
            let mut consumed = available.len();
            for (i, byte) in available.iter().enumerate() {
                let byte = byte.to_ascii_lowercase();
                // No proper prefix of WANTED is also its suffix: a mismatch restarts the match.
                matched = if byte == WANTED[matched] {
                    matched + 1
                } else {
                    usize::from(byte == WANTED[0])
                };
                if matched == WANTED.len() {
                    consumed = i + 1;
                    break;
                }
            }
            self.input.consume(consumed);
            if matched == WANTED.len() {
                return Ok(true);
            }
        }
    }
}

/// A body as a message, or what is wrong with it (numbered 0: the caller knows the number).
fn parse(body: &[u8]) -> Result<Message, Malformed> {
    let malformed = |problem, id, response| Malformed {
        number: 0,
        problem,
        id,
        response,
    };
    if let Err(error) = std::str::from_utf8(body) {
        return Err(malformed(
            Problem::NotUtf8 {
                at: error.valid_up_to(),
            },
            None,
            false,
        ));
    }
    let value = serde_json::from_slice::<Value>(body).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        malformed(Problem::NotJson { line, column }, None, false)
    })?;
    // An id lsp_server cannot hold (null, a fraction, more than 32 bits) would otherwise turn a
    // request into a notification, never answered.
    let id = value.get("id").cloned();
    let response = value.get("method").is_none() && (value.get("result").is_some() || value.get("error").is_some());
    match serde_json::from_value::<Message>(value) {
        Ok(Message::Notification(_)) if id.is_some() => {}
        Ok(message) => return Ok(message),
        Err(_) => {}
    }
    let id = id.filter(|id| id.is_number() || id.is_string());
    Err(malformed(Problem::NotAMessage, id, response))
}

/// Writes one message in the base protocol's framing, and flushes it.
fn write_framed(out: &mut impl Write, body: &str) -> io::Result<()> {
    write!(out, "Content-Length: {}\r\n\r\n", body.len())?;
    out.write_all(body.as_bytes())?;
    out.flush()
}

/// The threads between the standard input and output and a connection.
pub struct IoThreads {
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// Waits until every message the server sent is written. The reader is not waited for: it may
    /// be blocked on an input the client never closes.
    pub fn join(self) -> io::Result<()> {
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")))
    }
}

/// A connection whose messages come from the standard input and go to the standard output, with
/// bodies of at most `limit` bytes. A malformed message is answered, named on the standard error,
/// and followed by the next; the reader stops at the end of the input or after `exit`.
pub fn spawn_stdio(limit: usize) -> (Connection, IoThreads) {
    spawn(io::stdin(), io::stdout(), limit, |malformed| {
        eprintln!("pullcheck lsp: ignoring {malformed}");
    })
}

/// [`spawn_stdio`] on any input and output; `report` hears of each malformed message.
pub fn spawn<I, O>(
    input: I,
    output: O,
    limit: usize,
    report: impl Fn(&Malformed) + Send + 'static,
) -> (Connection, IoThreads)
where
    I: Read + Send + 'static,
    O: Write + Send + 'static,
{
    let (server, client) = Connection::memory();
    let output = Arc::new(Mutex::new(BufWriter::new(output)));
    let replies = Arc::clone(&output);
    let to_server = client.sender;
    std::thread::spawn(move || {
        let mut reader = MessageReader::new(BufReader::with_capacity(64 << 10, input), limit);
        // A read error ends the input like its end does: the server then sees the client gone.
        while let Ok(frame) = reader.read() {
            match frame {
                Frame::End => return,
                Frame::Message(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        return;
                    }
                }
                Frame::Malformed(malformed) => {
                    report(&malformed);
                    if let Some(reply) = malformed.reply() {
                        let mut out = replies.lock().unwrap_or_else(PoisonError::into_inner);
                        if write_framed(&mut *out, &reply.to_string()).is_err() {
                            return;
                        }
                    }
                }
            }
        }
    });
    let from_server = client.receiver;
    let writer = std::thread::spawn(move || {
        for message in from_server {
            let mut out = output.lock().unwrap_or_else(PoisonError::into_inner);
            message.write(&mut *out)?;
        }
        Ok(())
    });
    (server, IoThreads { writer })
}

/// The reader's buffered bytes, read again when a signal interrupted the read; empty at the end.
fn fill_buf(input: &mut impl BufRead) -> io::Result<&[u8]> {
    // Retried before the buffer is borrowed for the caller: a loop that returns the borrow it
    // took is refused by the borrow checker.
    loop {
        match input.fill_buf() {
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
            Ok(_) => break,
        }
    }
    input.fill_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Every frame of `input`, read with a limit of 100 bytes, as the message's method or the
    /// problem's text.
    fn frames(input: &[u8]) -> Vec<String> {
        let mut reader = MessageReader::new(input, 100);
        let mut seen = Vec::new();
        loop {
            match reader.read().unwrap() {
                Frame::End => return seen,
                Frame::Message(Message::Notification(n)) => seen.push(n.method),
                Frame::Message(Message::Request(r)) => seen.push(format!("{} #{}", r.method, r.id)),
                Frame::Message(Message::Response(r)) => seen.push(format!("response #{}", r.id)),
                Frame::Malformed(malformed) => seen.push(malformed.to_string()),
            }
        }
    }

    const PING: &str = r#"{"jsonrpc":"2.0","method":"ping"}"#;

    #[test]
    fn well_formed_frames_in_either_line_ending_and_any_header_case() {
        let input = [
            frame(PING),
            format!("content-length:{}\n\n{PING}", PING.len()),
            // A blank line between frames, and a Content-Type.
            "\r\n".to_owned(),
            format!(
                "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n{PING}",
                PING.len()
            ),
            frame(r#"{"jsonrpc":"2.0","id":"a","method":"shutdown"}"#),
            frame(r#"{"jsonrpc":"2.0","id":2,"result":null}"#),
        ]
        .concat();
        assert_eq!(
            frames(input.as_bytes()),
            ["ping", "ping", "ping", "shutdown #\"a\"", "response #2"]
        );
    }

    #[test]
    fn a_body_over_the_limit_is_skipped_and_the_next_one_read() {
        let big = format!(r#"{{"jsonrpc":"2.0","method":"{}"}}"#, "x".repeat(100));
        let input = format!("{}{}", frame(&big), frame(PING));
        assert_eq!(
            frames(input.as_bytes()),
            ["message 1: 129 bytes, more than the limit of 100; skipped", "ping"]
        );
        // Lengths no memory holds: nothing is reserved from them, and the input ends first.
        for length in ["2000000000", "100000000000", "18446744073709551615"] {
            let input = format!("Content-Length: {length}\r\n\r\n{PING}");
            let seen = frames(input.as_bytes());
            assert!(seen.is_empty(), "{length}: {seen:?}");
        }
        let input = format!("Content-Length: 18446744073709551616\r\n\r\n{PING}{}", frame(PING));
        assert_eq!(
            frames(input.as_bytes()),
            ["message 1: the Content-Length is not a number of bytes", "ping"]
        );
    }

    #[test]
    fn broken_headers_resume_at_the_next_content_length() {
        let input = format!(
            "hello\r\n\r\nsome body{}Content-Length: 3\r\nX: {}\r\n\r\n{{}}!{}\r\n\r\n{}",
            frame(PING),
            "y".repeat(2000),
            "Content-Lëngth: 3",
            frame(PING)
        );
        assert_eq!(
            frames(input.as_bytes()),
            [
                "message 1: a header line has no `:`",
                "ping",
                "message 3: a header line is longer than 1024 bytes",
                "message 4: a header line is not ASCII",
                "ping",
            ]
        );
        let input = format!("Content-Type: x\r\n\r\n{PING}{}", frame(PING));
        assert_eq!(
            frames(input.as_bytes()),
            ["message 1: the headers have no Content-Length", "ping"]
        );
        // Found again, on a line too long to keep: that frame is lost, not the next one.
        let input = format!(
            "x\r\n\r\nContent-Length: {}\r\n\r\n{PING}{}",
            "9".repeat(2000),
            frame(PING)
        );
        assert_eq!(
            frames(input.as_bytes()),
            [
                "message 1: a header line has no `:`",
                "message 2: a header line is longer than 1024 bytes",
                "ping"
            ]
        );
    }

    #[test]
    fn bodies_that_are_not_messages_are_answered_as_json_rpc_says() {
        let id = r#"{"jsonrpc":"2.0","id":7,"method":5}"#;
        let too_big_id = r#"{"jsonrpc":"2.0","id":3000000000,"method":"x"}"#;
        let response = r#"{"jsonrpc":"2.0","id":"r","result":1,"error":2}"#;
        let null_id = r#"{"jsonrpc":"2.0","id":null,"method":"x"}"#;
        let bytes = [
            frame("{\"password\": \"hunter2\"").into_bytes(),
            b"Content-Length: 3\r\n\r\n\"\x80\"".to_vec(),
            frame(id).into_bytes(),
            frame(too_big_id).into_bytes(),
            frame(response).into_bytes(),
            frame("[]").into_bytes(),
            frame(null_id).into_bytes(),
        ]
        .concat();
        let mut reader = MessageReader::new(&bytes[..], 100);
        let mut replies = Vec::new();
        while let Frame::Malformed(malformed) = reader.read().unwrap() {
            let text = malformed.to_string();
            assert!(!text.contains("hunter2") && !text.contains("password"), "{text}");
            replies.push(malformed.reply());
        }
        let reply = |code: i32, id: Value, message: &str| {
            Some(json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
        };
        assert_eq!(
            replies,
            [
                reply(-32700, Value::Null, "message 1: not JSON at line 1, column 22"),
                reply(-32700, Value::Null, "message 2: not UTF-8 at byte 1"),
                reply(
                    -32600,
                    json!(7),
                    "message 3: JSON, but not a request, notification or response"
                ),
                reply(
                    -32600,
                    json!(3000000000u64),
                    "message 4: JSON, but not a request, notification or response"
                ),
                None,
                reply(
                    -32600,
                    Value::Null,
                    "message 6: JSON, but not a request, notification or response"
                ),
                reply(
                    -32600,
                    Value::Null,
                    "message 7: JSON, but not a request, notification or response"
                ),
            ]
        );
    }

    #[test]
    fn the_input_ending_inside_a_frame_ends_the_reading() {
        for input in [
            "Content-Length: 40\r\n\r\n{}",
            "Content-Length: 4",
            "Content-Length: 4\r\n",
        ] {
            assert!(frames(input.as_bytes()).is_empty(), "{input:?}");
        }
    }
}
