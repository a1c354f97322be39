//! The input side of `stdin` and `console`: the [`ChunkReader`] that reads
//! and decodes the host's input a chunk at a time (UTF-8, incrementally),
//! the reader thread that runs one for input that can wait, and the
//! [`InputSource`] through which a service gets chunks (from the thread,
//! or read in place when the input cannot wait) and takes characters out
//! of them.
//!
//! What this file does not do: answer the program (the services in
//! `console.rs` do), or split lines.

use super::Ctx;
use crate::host::{Input, RunError};
use crate::runtime::{self, ChannelId, End, Handle, Side};
use crate::services::describe;
use crate::value::{Text, Value};
use parking_lot::Mutex;
use std::io::{ErrorKind, Read};
use std::sync::Arc;
use std::sync::mpsc;

/// The host's input, taken by the first service that reads it.
pub(super) type SharedInput = Arc<Mutex<Option<Input>>>;

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

/// The host's reader with what decoding it needs: the UTF-8 decoder, the
/// byte buffer and the chars of the chunk being made (both reused).
struct ChunkReader {
    input: Box<dyn Read + Send>,
    decoder: Utf8Decoder,
    bytes: Vec<u8>,
    chars: Vec<char>,
    at_eof: bool,
}

impl ChunkReader {
    fn new(input: Box<dyn Read + Send>) -> ChunkReader {
        ChunkReader {
            input,
            decoder: Utf8Decoder::default(),
            bytes: vec![0u8; READ_CHUNK],
            // Reused for every chunk: each chunk is then one allocation,
            // its `Text`.
            chars: Vec::with_capacity(READ_CHUNK),
            at_eof: false,
        }
    }

    /// The next chunk: at least one char, or `None` at end of input (a
    /// read error, or a reader that panics, ends the input too).
    fn next(&mut self) -> Option<Text> {
        self.chars.clear();
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.fill()));
        if read.is_err() {
            self.at_eof = true;
            self.chars.clear();
        }
        (!self.chars.is_empty()).then(|| Text::from_chars(&self.chars))
    }

    /// Reads until at least one char is decoded or the input ends.
    fn fill(&mut self) {
        while self.chars.is_empty() && !self.at_eof {
            match self.input.read(&mut self.bytes) {
                Ok(0) => {
                    self.at_eof = true;
                    self.decoder.finish(&mut self.chars);
                }
                Ok(n) => {
                    let n = n.min(self.bytes.len());
                    self.decoder.decode(&self.bytes[..n], &mut self.chars);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.at_eof = true;
                    self.decoder.finish(&mut self.chars);
                }
            }
        }
    }
}

/// The reader thread: one chunk per request, delivered on `to_service`
/// (a `Value::Str`, or `Value::Unit` at end of input), each followed by
/// `io_end` to match the service's `io_begin`. It ends when the service
/// drops its side of `requests`.
fn reader_thread(
    mut reader: ChunkReader,
    requests: mpsc::Receiver<()>,
    to_service: End<Value>,
    handle: Handle<Value, RunError>,
) {
    while requests.recv().is_ok() {
        let msg = reader.next().map_or(Value::Unit, Value::Str);
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

/// Where a service's input comes from once it has asked for some.
enum Feed {
    /// Nothing asked yet: the host's input is still in the shared slot.
    Unopened,
    /// Input that can wait, read by a thread.
    Thread(Reader),
    /// Input that cannot, read here.
    Direct(ChunkReader),
    /// End of input (or the input was taken by another service).
    Ended,
}

/// What [`InputSource::request`] found.
pub(super) enum Supply {
    /// More input is available now.
    Ready,
    /// More input will arrive at this end: park on it.
    Wait(End<Value>),
    /// The input has ended.
    Ended,
}

/// The input as a service sees it: the chars received and not consumed
/// yet, whether the input has ended, and where more comes from.
pub(super) struct InputSource {
    stdin: SharedInput,
    feed: Feed,
    buffered: Buffered,
    pub(super) eof: bool,
}

/// The chars received and not consumed yet: `chunk[pos..]`.
struct Buffered {
    chunk: Text,
    pos: usize,
}

impl Buffered {
    /// Appends a chunk to what is left of the current one.
    fn take(&mut self, t: Text) {
        if self.pos >= self.chunk.len() {
            self.chunk = t;
        } else {
            let mut all = self.available().to_vec();
            all.extend_from_slice(t.chars());
            self.chunk = Text::from_chars(&all);
        }
        self.pos = 0;
    }

    fn available(&self) -> &[char] {
        self.chunk.chars().get(self.pos..).unwrap_or(&[])
    }
}

impl InputSource {
    pub(super) fn new(stdin: SharedInput) -> InputSource {
        InputSource {
            stdin,
            feed: Feed::Unopened,
            buffered: Buffered {
                chunk: Text::new(""),
                pos: 0,
            },
            eof: false,
        }
    }

    /// Takes in what the reader thread delivered. `Err` describes a message
    /// that is not a chunk or the end marker.
    pub(super) fn poll(&mut self) -> Result<(), String> {
        let Feed::Thread(reader) = &mut self.feed else {
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
                Value::Str(t) => self.buffered.take(t),
                Value::Unit => ended = true,
                other => return Err(format!("the input reader sent {}", describe(&other))),
            }
        }
        if ended {
            self.end();
        }
        Ok(())
    }

    /// End of input: dropping a reader thread's request sender ends it.
    fn end(&mut self) {
        self.eof = true;
        self.feed = Feed::Ended;
    }

    /// The ends a service with this input holds: its `client` end and the
    /// reader thread's reply end while the thread runs.
    pub(super) fn holds(&self, client: &End<Value>) -> Vec<(ChannelId, Side)> {
        let mut v = vec![(client.id(), client.side())];
        if let Feed::Thread(r) = &self.feed {
            v.push((r.replies.id(), r.replies.side()));
        }
        v
    }

    /// The chars received and not consumed yet.
    pub(super) fn available(&self) -> &[char] {
        self.buffered.available()
    }

    pub(super) fn consume(&mut self, n: usize) {
        let b = &mut self.buffered;
        b.pos = (b.pos + n).min(b.chunk.len());
    }

    pub(super) fn next_char(&mut self) -> Option<char> {
        let c = self.available().first().copied();
        if c.is_some() {
            self.buffered.pos += 1;
        }
        c
    }

    /// Gets more input: reads a chunk now from input that cannot wait, or
    /// asks the reader thread for one (unless a request is already in
    /// flight) and says where it will arrive.
    pub(super) fn request(&mut self, cx: &mut Ctx<'_>) -> Supply {
        if self.eof {
            return Supply::Ended;
        }
        if let Feed::Unopened = self.feed {
            self.feed = self.open(cx);
        }
        match &mut self.feed {
            Feed::Unopened | Feed::Ended => {
                self.end();
                Supply::Ended
            }
            Feed::Direct(reader) => match reader.next() {
                Some(t) => {
                    self.buffered.take(t);
                    Supply::Ready
                }
                None => {
                    self.end();
                    Supply::Ended
                }
            },
            Feed::Thread(reader) => {
                if !reader.in_flight {
                    reader.handle.io_begin();
                    if reader.requests.send(()).is_err() {
                        // The reader thread is gone: treat it as end of input.
                        reader.handle.io_end();
                        self.end();
                        return Supply::Ended;
                    }
                    reader.in_flight = true;
                }
                Supply::Wait(reader.replies.clone())
            }
        }
    }

    /// Takes the host's input: read here if it cannot wait, else by a new
    /// reader thread. `Ended` if the input was taken already or the thread
    /// cannot start.
    fn open(&mut self, cx: &mut Ctx<'_>) -> Feed {
        let Some(input) = self.stdin.lock().take() else {
            return Feed::Ended;
        };
        let reader = ChunkReader::new(input.reader);
        if input.ready {
            return Feed::Direct(reader);
        }
        let (replies, to_service) = runtime::channel();
        let (requests, receiver) = mpsc::channel();
        let handle = cx.handle();
        let thread_handle = handle.clone();
        let started = std::thread::Builder::new()
            .name("mpl-stdin".into())
            .spawn(move || reader_thread(reader, receiver, to_service, thread_handle));
        match started {
            Ok(_) => Feed::Thread(Reader {
                requests,
                replies,
                handle,
                in_flight: false,
            }),
            Err(_) => Feed::Ended,
        }
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
