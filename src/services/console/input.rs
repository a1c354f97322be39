//! The input side of `stdin` and `console`: the reader thread that owns
//! the host's reader, reads and decodes it a chunk at a time (UTF-8,
//! incrementally), and the [`InputSource`] through which a service asks it
//! for chunks and takes characters out of them.
//!
//! What this file does not do: answer the program (the services in
//! `console.rs` do), or split lines.

use super::Ctx;
use crate::host::RunError;
use crate::runtime::{self, ChannelId, End, Handle, Side};
use crate::services::describe;
use crate::value::{Text, Value};
use parking_lot::Mutex;
use std::io::{ErrorKind, Read};
use std::sync::Arc;
use std::sync::mpsc;

/// The host's input, taken by the first service that reads it.
pub(super) type SharedInput = Arc<Mutex<Option<Box<dyn Read + Send>>>>;

/// Bytes the reader thread asks for in one `read`.
const READ_CHUNK: usize = 64 * 1024;

/// Appends the chars of `s`: an ASCII chunk (the common case) a byte at a
/// time, skipping the UTF-8 decoder (reading 1 MiB of text: 11.6 M fewer
/// instructions of 208 M), anything else through `chars`.
fn push_chars(out: &mut Vec<char>, s: &str) {
    if s.is_ascii() {
        out.extend(s.bytes().map(char::from));
    } else {
        out.extend(s.chars());
    }
}

/// Decodes UTF-8 arriving in pieces: an incomplete sequence at the end of
/// one piece is kept for the next; invalid bytes become U+FFFD.
#[derive(Default)]
struct Utf8Decoder {
    pending: Vec<u8>,
}

impl Utf8Decoder {
    fn decode(&mut self, bytes: &[u8], out: &mut Vec<char>) {
        let data = match self.pending.is_empty() {
            true => std::borrow::Cow::Borrowed(bytes),
            false => {
                let mut data = std::mem::take(&mut self.pending);
                data.extend_from_slice(bytes);
                std::borrow::Cow::Owned(data)
            }
        };
        let mut rest = &data[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    push_chars(out, s);
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    // `valid` is valid UTF-8 by construction.
                    out.extend(String::from_utf8_lossy(valid).chars());
                    match e.error_len() {
                        Some(n) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[n..];
                        }
                        None => {
                            self.pending = after.to_vec();
                            break;
                        }
                    }
                }
            }
        }
    }

    /// End of input: an incomplete sequence left over is invalid.
    fn finish(&mut self, out: &mut Vec<char>) {
        if !self.pending.is_empty() {
            self.pending.clear();
            out.push(char::REPLACEMENT_CHARACTER);
        }
    }
}

/// Reads one chunk: at least one char, or nothing at end of input (or on a
/// read error, which ends the input too).
fn read_chunk(
    input: &mut dyn Read,
    decoder: &mut Utf8Decoder,
    bytes: &mut [u8],
    at_eof: &mut bool,
    chars: &mut Vec<char>,
) {
    while chars.is_empty() && !*at_eof {
        match input.read(bytes) {
            Ok(0) => {
                *at_eof = true;
                decoder.finish(chars);
            }
            Ok(n) => decoder.decode(&bytes[..n.min(bytes.len())], chars),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => {
                *at_eof = true;
                decoder.finish(chars);
            }
        }
    }
}

/// The reader thread: one chunk per request, delivered on `to_service`
/// (a `Value::Str`, or `Value::Unit` at end of input), each followed by
/// `io_end` to match the service's `io_begin`. It ends when the service
/// drops its side of `requests`.
fn reader_thread(
    mut input: Box<dyn Read + Send>,
    requests: mpsc::Receiver<()>,
    to_service: End<Value>,
    handle: Handle<Value, RunError>,
) {
    let mut decoder = Utf8Decoder::default();
    let mut bytes = vec![0u8; READ_CHUNK];
    // Reused for every chunk: each chunk is then one allocation, its `Text`.
    let mut chars = Vec::with_capacity(READ_CHUNK);
    let mut at_eof = false;
    while requests.recv().is_ok() {
        chars.clear();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_chunk(
                &mut *input,
                &mut decoder,
                &mut bytes,
                &mut at_eof,
                &mut chars,
            )
        }));
        if read.is_err() {
            at_eof = true;
            chars.clear();
        }
        let msg = if chars.is_empty() {
            Value::Unit
        } else {
            Value::chars(&chars)
        };
        handle.put(&to_service, msg);
        handle.io_end();
    }
}

/// The service side of the reader thread.
struct Reader {
    requests: mpsc::Sender<()>,
    /// Where the reader thread's chunks arrive; the service parks here.
    replies: End<Value>,
    handle: Handle<Value, RunError>,
    in_flight: bool,
}

/// The input as a service sees it: the chars received and not consumed
/// yet, whether the input has ended, and the link to the reader thread.
pub(super) struct InputSource {
    stdin: Arc<Mutex<Option<Box<dyn Read + Send>>>>,
    /// `None` before the first request and after end of input.
    reader: Option<Reader>,
    chunk: Text,
    pos: usize,
    pub(super) eof: bool,
}

impl InputSource {
    pub(super) fn new(stdin: Arc<Mutex<Option<Box<dyn Read + Send>>>>) -> InputSource {
        InputSource {
            stdin,
            reader: None,
            chunk: Text::new(""),
            pos: 0,
            eof: false,
        }
    }

    /// Takes in what the reader thread delivered. `Err` describes a message
    /// that is not a chunk or the end marker.
    pub(super) fn poll(&mut self) -> Result<(), String> {
        let Some(reader) = &mut self.reader else {
            return Ok(());
        };
        // The thread sends one chunk per request: with none in flight there
        // is nothing to take, and the channel's lock is not touched (the
        // console runs once per line: 56 instructions fewer a line of 4,700).
        if !reader.in_flight {
            return Ok(());
        }
        let mut ended = false;
        while let Some(msg) = reader.replies.try_get() {
            reader.in_flight = false;
            match msg {
                Value::Str(t) => {
                    if self.pos >= self.chunk.len() {
                        self.chunk = t;
                    } else {
                        let mut all = self.chunk.chars().get(self.pos..).unwrap_or(&[]).to_vec();
                        all.extend_from_slice(t.chars());
                        self.chunk = Text::from_chars(&all);
                    }
                    self.pos = 0;
                }
                Value::Unit => ended = true,
                other => return Err(format!("the input reader sent {}", describe(&other))),
            }
        }
        if ended {
            self.eof = true;
            // Dropping the request sender ends the reader thread.
            self.reader = None;
        }
        Ok(())
    }

    /// The ends a service with this input holds: its `client` end and the
    /// reader thread's reply end while the thread runs.
    pub(super) fn holds(&self, client: &End<Value>) -> Vec<(ChannelId, Side)> {
        let mut v = vec![(client.id(), client.side())];
        if let Some(r) = &self.reader {
            v.push((r.replies.id(), r.replies.side()));
        }
        v
    }

    /// The chars received and not consumed yet.
    pub(super) fn available(&self) -> &[char] {
        self.chunk.chars().get(self.pos..).unwrap_or(&[])
    }

    pub(super) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.chunk.len());
    }

    pub(super) fn next_char(&mut self) -> Option<char> {
        let c = self.available().first().copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Asks the reader thread for more input (unless a request is already
    /// in flight) and returns the end to park on until it arrives; `None`
    /// at end of input.
    pub(super) fn request(&mut self, cx: &mut Ctx<'_>) -> Option<End<Value>> {
        if self.eof {
            return None;
        }
        if self.reader.is_none() {
            self.reader = self.start_reader(cx);
            if self.reader.is_none() {
                self.eof = true;
                return None;
            }
        }
        let reader = self.reader.as_mut()?;
        if !reader.in_flight {
            reader.handle.io_begin();
            if reader.requests.send(()).is_err() {
                // The reader thread is gone: treat it as end of input.
                reader.handle.io_end();
                self.reader = None;
                self.eof = true;
                return None;
            }
            reader.in_flight = true;
        }
        Some(reader.replies.clone())
    }

    /// Takes the host's reader and starts the reader thread; `None` if the
    /// reader was taken already or the thread cannot start.
    fn start_reader(&mut self, cx: &mut Ctx<'_>) -> Option<Reader> {
        let input = self.stdin.lock().take()?;
        let (replies, to_service) = runtime::channel();
        let (requests, receiver) = mpsc::channel();
        let handle = cx.handle();
        let thread_handle = handle.clone();
        std::thread::Builder::new()
            .name("mpl-stdin".into())
            .spawn(move || reader_thread(input, receiver, to_service, thread_handle))
            .ok()?;
        Some(Reader {
            requests,
            replies,
            handle,
            in_flight: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_keeps_split_sequences_and_replaces_invalid_bytes() {
        let mut d = Utf8Decoder::default();
        let mut out = Vec::new();
        let text = "aé€😀z".as_bytes();
        for b in text {
            d.decode(&[*b], &mut out);
        }
        d.finish(&mut out);
        assert_eq!(out.iter().collect::<String>(), "aé€😀z");
        let mut out = Vec::new();
        d.decode(b"a\xffb\xe2\x82", &mut out);
        d.finish(&mut out);
        assert_eq!(out.iter().collect::<String>(), "a\u{fffd}b\u{fffd}");
    }
}
