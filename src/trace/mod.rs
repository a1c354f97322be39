//! The record of a traced run (`mpl run --trace`, `--trace-html`): the
//! processes that started and ended and the messages they put and got, in
//! one global order (every event is appended under one lock, a `put` before
//! its message is queued and a `get` after it is taken, so the order
//! respects what each process saw, on any number of threads).
//!
//! The evaluator appends events when the run was compiled for tracing
//! (`eval::machine::code`'s traced instructions); an untraced run has no
//! `Trace` and pays nothing. What is kept is bounded by a limit; the events
//! past it are counted, not kept. `--trace` also writes each event as a
//! line to standard error as it happens (`line`); `chart` draws the kept
//! events as a message sequence chart. Nothing here knows MPL's values:
//! they arrive already shown.

pub mod chart;

use crate::host::Output;
use crate::runtime::{ChannelId, Side};
use crate::source::{SourceFile, SourceMap, Span};
use parking_lot::Mutex;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How many events a trace keeps unless told otherwise (`--trace-limit`).
pub const DEFAULT_LIMIT: usize = 10_000;

/// A value shown in a message is cut to this many characters in the
/// chart's arrows and the trace's lines (in full, up to `FULL`, on hover).
pub const BRIEF: usize = 24;
/// The most of a value a trace keeps.
pub const FULL: usize = 2_000;

/// One traced run.
pub struct Trace {
    inner: Mutex<Inner>,
    limit: usize,
    /// Set once the limit is reached: later messages are only counted,
    /// in `past`, without being shown or locked for.
    full: AtomicBool,
    past: AtomicUsize,
    /// `--trace`: where each event is written as it happens.
    live: Option<Output>,
    files: Vec<Arc<SourceFile>>,
}

#[derive(Default)]
struct Inner {
    events: Vec<Event>,
    /// Each process's name, by number (from 1).
    names: Vec<String>,
    /// Events past the limit, not kept.
    dropped: usize,
}

/// A run's events as kept (`Trace::recorded`).
pub struct Recorded {
    pub events: Vec<Event>,
    /// Each process's name, by number (from 1): `name_of`.
    pub names: Vec<String>,
    /// Events past the limit, not kept.
    pub dropped: usize,
}

/// A process of the run, numbered from 1 in the order they started.
pub type ProcessId = u32;

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub process: ProcessId,
    pub what: What,
}

#[derive(Clone, Debug, PartialEq)]
pub enum What {
    /// A process started: its name and its arguments, shown briefly.
    Start {
        name: String,
        args: String,
    },
    /// The process went on as another process, by a call in tail
    /// position (the wiring's last line, or a client that ends by serving).
    Became {
        name: String,
        args: String,
    },
    /// A process ended (`failed`: by a runtime error).
    End {
        failed: bool,
    },
    /// The process connected to a built-in service (`stdout`, `console`).
    Service {
        end: End,
        name: String,
    },
    Put(Message),
    Get(Message),
}

/// One end of a channel: a `put` on it arrives at the other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct End {
    pub channel: u64,
    pub side: Side,
}

impl End {
    pub fn new(channel: ChannelId, side: Side) -> End {
        End {
            channel: channel.0,
            side,
        }
    }

    /// The end a message put on this one arrives at.
    pub fn other(self) -> End {
        let side = match self.side {
            Side::A => Side::B,
            Side::B => Side::A,
        };
        End { side, ..self }
    }
}

/// A message as one side saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub end: End,
    /// The `put` or `get`, and the channel as written there.
    pub at: Span,
    pub channel: Span,
    /// The value, shown (cut at `FULL`).
    pub value: String,
    /// Whether the value is a label (a choice in the protocol).
    pub label: bool,
}

impl Trace {
    /// A trace keeping up to `limit` events, writing each to `live` too if
    /// given; `sources` says where spans are.
    pub fn new(limit: usize, live: Option<Output>, sources: &SourceMap) -> Trace {
        Trace {
            inner: Mutex::new(Inner::default()),
            limit,
            full: AtomicBool::new(false),
            past: AtomicUsize::new(0),
            live,
            files: sources.files().map(|(_, f)| f.clone()).collect(),
        }
    }

    /// A new process: its number.
    pub fn start(&self, name: String, args: String) -> ProcessId {
        let mut inner = self.inner.lock();
        inner.names.push(name.clone());
        let process = inner.names.len() as ProcessId;
        self.push(&mut inner, process, What::Start { name, args });
        process
    }

    /// Whether another message is kept; when not, it is counted as one
    /// not kept (the caller need not show its value).
    pub fn wants(&self) -> bool {
        if self.full.load(Ordering::Relaxed) {
            self.past.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Appends an event (or counts it, past the limit).
    pub fn event(&self, process: ProcessId, what: What) {
        let mut inner = self.inner.lock();
        self.push(&mut inner, process, what);
    }

    fn push(&self, inner: &mut Inner, process: ProcessId, what: What) {
        if inner.events.len() >= self.limit {
            if inner.dropped == 0
                && let Some(out) = &self.live
            {
                let line = format!("trace: cut at {} events (--trace-limit)\n", self.limit);
                let _ = out.lock().write_all(line.as_bytes());
            }
            inner.dropped += 1;
            self.full.store(true, Ordering::Relaxed);
            return;
        }
        let event = Event { process, what };
        if let Some(out) = &self.live {
            let line = self.line(inner.events.len() + 1, &event, &inner.names);
            let _ = out.lock().write_all(line.as_bytes());
        }
        // Later lines name the process as what it became.
        if let (What::Became { name, .. }, Some(i)) =
            (&event.what, (process as usize).checked_sub(1))
            && let Some(slot) = inner.names.get_mut(i)
        {
            *slot = name.clone();
        }
        inner.events.push(event);
    }

    /// What was recorded: the events kept, the processes' names, and how
    /// many events were not kept.
    pub fn recorded(&self) -> Recorded {
        let inner = self.inner.lock();
        Recorded {
            events: inner.events.clone(),
            names: inner.names.clone(),
            dropped: inner.dropped + self.past.load(Ordering::Relaxed),
        }
    }

    /// `file:line:col` of a span.
    pub fn place(&self, span: Span) -> String {
        match self.files.get(span.file.0 as usize) {
            Some(f) => {
                let (line, col) = f.line_col(span.start as usize);
                format!("{}:{line}:{col}", f.name)
            }
            None => "?".to_string(),
        }
    }

    /// The source text of a span (a channel as written).
    pub fn text(&self, span: Span) -> &str {
        let file = self.files.get(span.file.0 as usize);
        file.and_then(|f| f.text.get(span.range())).unwrap_or("?")
    }

    /// A channel as written at a `put` or `get`: its variable (`out` of
    /// `out.put(Put).put('a')`), or the whole expression if it has none.
    pub fn channel_name(&self, span: Span) -> &str {
        let text = self.text(span);
        let end = text
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
            .unwrap_or(text.len());
        if end == 0 { text } else { &text[..end] }
    }

    /// The source line a span starts on, trimmed.
    pub fn source_line(&self, span: Span) -> &str {
        let Some(f) = self.files.get(span.file.0 as usize) else {
            return "";
        };
        let start = f.text[..(span.start as usize).min(f.text.len())]
            .rfind('\n')
            .map_or(0, |n| n + 1);
        let end = f.text[start..]
            .find('\n')
            .map_or(f.text.len(), |n| start + n);
        f.text[start..end].trim()
    }

    /// Event `n` (1-based) as a line of `--trace`, naming its process by
    /// `names`.
    fn line(&self, n: usize, event: &Event, names: &[String]) -> String {
        let name = name_of(names, event.process);
        let who = format!("{name}#{}", event.process);
        let mut out = format!("trace {n:>5}  {who:<16} ");
        let _ = match &event.what {
            What::Start { name, args } => writeln!(out, "start  {name}({args})"),
            What::Became { name, args } => writeln!(out, "becomes {name}({args})"),
            What::End { failed: false } => writeln!(out, "end"),
            What::End { failed: true } => writeln!(out, "end    (failed)"),
            What::Service { name, .. } => writeln!(out, "opens  {name}"),
            What::Put(m) | What::Get(m) => {
                let (word, arrow) = match &event.what {
                    What::Put(_) => ("put", "<-"),
                    _ => ("get", "->"),
                };
                let (channel, value) = (self.channel_name(m.channel), brief(&m.value));
                writeln!(
                    out,
                    "{word}    {channel} {arrow} {value}  at {}",
                    self.place(m.at)
                )
            }
        };
        out
    }
}

/// A process's name, by its number.
pub fn name_of(names: &[String], process: ProcessId) -> &str {
    let at = (process as usize).checked_sub(1);
    at.and_then(|i| names.get(i)).map_or("?", |n| n.as_str())
}

/// A value cut to `BRIEF` characters, with `…` when cut.
pub fn brief(value: &str) -> String {
    cut(value, BRIEF)
}

/// `text` cut to `n` characters, with `…` when cut.
pub fn cut(text: &str, n: usize) -> String {
    match text.char_indices().nth(n) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(limit: usize) -> Trace {
        Trace::new(limit, None, &SourceMap::new())
    }

    #[test]
    fn processes_are_numbered_in_the_order_they_start() {
        let t = trace(10);
        assert_eq!(t.start("main".into(), String::new()), 1);
        assert_eq!(t.start("server".into(), "c".into()), 2);
        t.event(2, What::End { failed: false });
        let r = t.recorded();
        assert_eq!((r.events.len(), r.dropped), (3, 0));
        assert_eq!(name_of(&r.names, 2), "server");
        assert_eq!(name_of(&r.names, 0), "?");
    }

    #[test]
    fn events_past_the_limit_are_counted_not_kept() {
        let t = trace(2);
        for _ in 0..5 {
            t.event(1, What::End { failed: false });
        }
        let r = t.recorded();
        assert_eq!((r.events.len(), r.dropped), (2, 3));
    }

    #[test]
    fn a_value_is_cut_at_a_character_not_a_byte() {
        assert_eq!(cut("héllo", 2), "hé…");
        assert_eq!(cut("hi", 2), "hi");
    }

    #[test]
    fn a_message_put_on_one_end_arrives_at_the_other() {
        let a = End::new(ChannelId(3), Side::A);
        assert_eq!(a.other().side, Side::B);
        assert_eq!(a.other().other(), a);
    }
}
