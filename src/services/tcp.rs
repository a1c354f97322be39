//! The `tcpListenService` service (LANGUAGE.md section 9): TCP, server side.
//!
//! This file holds the tasks that talk to the program; `tcp/net.rs` holds
//! the network thread that does every socket operation but `bind`.
//!
//! * [`start`] spawns the service task ([`ListenService`]), a daemon that
//!   plays `neg<TcpListenService>` and, after `TcpBindSuccess`, the same
//!   channel as `neg<BoundTcpListener>`. `bind` itself (socket, bind,
//!   listen: no call that waits) runs on the worker so that a failure can be
//!   answered with `TcpBindFailed` at once; the first `ListenOnPort` starts
//!   the run's one network thread ([`net::start`]).
//! * A `Get` becomes an `Accept` command; while it is pending the network
//!   thread holds one unit of pending I/O (`io_begin`), so the run neither
//!   ends nor reports a deadlock while the program waits for a client. The
//!   thread hands an accepted connection back as an internal message in the
//!   service task's own mailbox (a tuple, which the program never sends),
//!   and the task spawns the connection's [`SendTask`] and answers the
//!   program. Tasks are only ever spawned by tasks, so no task is born
//!   after the run has ended.
//! * Each connection's first stream (the program sends) is served by a
//!   [`SendTask`] that turns `Put` chunks into `Write` commands and
//!   `StopPut` into `Shutdown`; it stays alive until the network thread has
//!   closed the socket (it then receives a `Unit` marker), because the
//!   network thread lives exactly as long as some task holds a [`Link`].
//!   The second stream (the program receives) is written by the network
//!   thread directly.
//! * Commands travel in batches, at most one batch and one wake-up per task
//!   turn; each batch carries one unit of pending I/O from the sending task
//!   to the network thread, so nothing is lost between a task parking and
//!   the thread picking the batch up.
//!
//! Not here: client connections (the protocol has no connect), sharing the
//! service between processes, TLS, and protocol checking beyond one label at
//! a time (a stray message is an internal error).

mod net;

use super::{Connection, Ctx, ServiceStep, service_labels, unexpected};
use crate::host::RunError;
use crate::runtime::{self, End, Handle, Step, Task, TaskInfo};
use crate::source::Span;
use crate::value::Value;
use mio::Waker;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

/// Starts the service as a daemon task and returns the program's end.
pub fn start(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let (program_end, service_end) = runtime::channel();
    cx.spawn_daemon(Box::new(ListenService {
        inbox: program_end.clone(),
        client: service_end,
        labels: Labels::from_tags(connection.tags),
        listen: connection.listen_address(),
        span: connection.span,
        link: None,
        mode: Mode::Idle,
        unmet: connection.env.unmet.clone(),
    }));
    Ok(program_end)
}

service_labels! {
    /// The tags of the labels the service speaks: its own protocol's and
    /// those of the connections' byte streams.
    pub struct Labels {
        listen_on_port = "ListenOnPort",
        stop_service = "StopTcpListenService",
        bind_success = "TcpBindSuccess",
        bind_failed = "TcpBindFailed",
        get = "Get",
        stop_get = "StopGet",
        put = "Put",
        stop_put = "StopPut",
    }
}

/// `error`, drawn at the wiring's mention of the service.
fn at(span: Span, mut error: RunError) -> RunError {
    error.span = Some(span);
    error
}

// ------------------------------------------------------------------ link

/// What tasks ask of the network thread.
pub(crate) enum Cmd {
    /// Serve a bound listener; accepted connections go to `inbox` (the
    /// program's end of the service channel: a put there lands in the
    /// service task's mailbox).
    Listen {
        id: usize,
        sock: mio::net::TcpListener,
        inbox: End<Value>,
    },
    /// One `Get`: accept the next connection.
    Accept { id: usize },
    /// `StopGet`: close the listener.
    CloseListener { id: usize },
    /// Send `data[from..]` to the peer after what is queued.
    Write {
        conn: usize,
        data: Arc<[u8]>,
        from: usize,
    },
    /// `StopPut`: half-close once the queue drained.
    Shutdown { conn: usize },
}

/// A task's connection to the network thread. The thread ends when the
/// last link is dropped (the last TCP task finished or the run ended).
#[derive(Clone)]
struct Link {
    inner: Arc<LinkInner>,
}

struct LinkInner {
    tx: Option<mpsc::Sender<Vec<Cmd>>>,
    waker: Arc<Waker>,
    handle: Handle<Value, RunError>,
    /// Registers listeners from the service task.
    registry: mio::Registry,
    next_listener: AtomicUsize,
}

impl Drop for LinkInner {
    /// Disconnects first, then wakes the thread so it sees it.
    fn drop(&mut self) {
        drop(self.tx.take());
        let _ = self.waker.wake();
    }
}

impl Link {
    fn start(handle: Handle<Value, RunError>, labels: Labels) -> std::io::Result<Link> {
        let (tx, rx) = mpsc::channel();
        let started = net::start(handle.clone(), rx, labels.put, labels.stop_put)?;
        Ok(Link {
            inner: Arc::new(LinkInner {
                tx: Some(tx),
                waker: started.waker,
                handle,
                registry: started.registry,
                next_listener: AtomicUsize::new(net::LISTENER_BASE),
            }),
        })
    }

    /// Hands `cmds` to the network thread with one unit of pending I/O
    /// (the thread ends it once the batch is applied).
    fn send(&self, cmds: Vec<Cmd>) {
        if cmds.is_empty() {
            return;
        }
        let inner = &self.inner;
        inner.handle.io_begin();
        let sent = inner.tx.as_ref().is_some_and(|tx| tx.send(cmds).is_ok());
        if !sent {
            inner.handle.io_end();
            return;
        }
        let _ = inner.waker.wake();
    }
}

// --------------------------------------------------------------- service

/// Where the service task is in its protocol.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Expects `ListenOnPort` or `StopTcpListenService`.
    Idle,
    /// `ListenOnPort` received; the port comes next.
    WantPort,
    /// Bound: expects `Get` or `StopGet`; `pending` Gets are unanswered.
    Listening { id: usize, pending: usize },
}

/// Plays `neg<TcpListenService>`, then `neg<BoundTcpListener>`.
struct ListenService {
    client: End<Value>,
    /// The program's end, through which the network thread reaches
    /// `client`'s mailbox.
    inbox: End<Value>,
    labels: Labels,
    listen: Option<IpAddr>,
    span: Span,
    link: Option<Link>,
    mode: Mode,
    /// Set while the last `ListenOnPort` failed (a run that ends so
    /// exits 1), cleared by a later successful bind.
    unmet: super::Unmet,
}

const NAME: &str = "tcpListenService";

impl ListenService {
    fn fail(&self, msg: &Value, expected: &str) -> ServiceStep {
        Step::Fail(at(self.span, unexpected(NAME, msg, expected)))
    }

    /// Handles one message; `Some` ends the turn with that step.
    fn on_message(
        &mut self,
        cx: &mut Ctx<'_>,
        msg: Value,
        cmds: &mut Vec<Cmd>,
    ) -> Option<ServiceStep> {
        let t = self.labels;
        match (self.mode, msg) {
            (Mode::Idle, Value::Tag(x)) if x == t.listen_on_port => self.mode = Mode::WantPort,
            (Mode::Idle, Value::Tag(x)) if x == t.stop_service => return Some(Step::Done),
            (Mode::WantPort, Value::Int(port)) => self.listen_on(cx, port, cmds),
            (Mode::Listening { id, pending }, Value::Tag(x)) if x == t.get => {
                cmds.push(Cmd::Accept { id });
                let pending = pending + 1;
                self.mode = Mode::Listening { id, pending };
            }
            (Mode::Listening { id, .. }, Value::Tag(x)) if x == t.stop_get => {
                cmds.push(Cmd::CloseListener { id });
                return Some(Step::Done);
            }
            (Mode::Listening { id, pending }, Value::Tuple(items)) if pending > 0 => {
                self.mode = Mode::Listening {
                    id,
                    pending: pending - 1,
                };
                return self.accepted(cx, &items);
            }
            (Mode::Idle, other) => {
                return Some(self.fail(&other, "ListenOnPort or StopTcpListenService"));
            }
            (Mode::WantPort, other) => return Some(self.fail(&other, "a port")),
            (Mode::Listening { .. }, other) => return Some(self.fail(&other, "Get or StopGet")),
        }
        None
    }

    /// Binds and answers `TcpBindSuccess` or `TcpBindFailed` with a reason.
    fn listen_on(&mut self, cx: &mut Ctx<'_>, port: i64, cmds: &mut Vec<Cmd>) {
        match self.bind(cx, port) {
            Ok((id, sock)) => {
                *self.unmet.lock() = None;
                cx.put(&self.client, Value::Tag(self.labels.bind_success));
                let inbox = self.inbox.clone();
                cmds.push(Cmd::Listen { id, sock, inbox });
                self.mode = Mode::Listening { id, pending: 0 };
            }
            Err(reason) => {
                *self.unmet.lock() = Some(
                    at(
                        self.span,
                        RunError::unplaced(NAME, format!("no port was bound: {reason}")),
                    )
                    .with_help(
                        "the program was answered `TcpBindFailed` and bound no port after; \
                         free the port or choose another (the exit status is 1 so that \
                         scripts notice)",
                    ),
                );
                cx.put(&self.client, Value::Tag(self.labels.bind_failed));
                cx.put(&self.client, Value::string(&reason));
                self.mode = Mode::Idle;
            }
        }
    }

    fn bind(
        &mut self,
        cx: &mut Ctx<'_>,
        port: i64,
    ) -> Result<(usize, mio::net::TcpListener), String> {
        let Some(ip) = self.listen else {
            return Err("network access is denied (see mpl run --allow-net)".into());
        };
        let port = u16::try_from(port).map_err(|_| format!("port {port} is out of range"))?;
        let addr = SocketAddr::new(ip, port);
        let link = self.link(cx)?;
        let mut sock = mio::net::TcpListener::bind(addr).map_err(|e| format!("{addr}: {e}"))?;
        let id = link.inner.next_listener.fetch_add(1, Ordering::Relaxed);
        link.inner
            .registry
            .register(&mut sock, mio::Token(id), mio::Interest::READABLE)
            .map_err(|e| format!("{addr}: {e}"))?;
        Ok((id, sock))
    }

    /// The link to the network thread, started on first use.
    fn link(&mut self, cx: &mut Ctx<'_>) -> Result<Link, String> {
        if let Some(l) = &self.link {
            return Ok(l.clone());
        }
        let l = Link::start(cx.handle(), self.labels)
            .map_err(|e| format!("cannot start the network: {e}"))?;
        self.link = Some(l.clone());
        Ok(l)
    }

    /// An accepted connection `(connection, send stream, id)` from the
    /// network thread: start its send task and answer the `Get`.
    fn accepted(&mut self, cx: &mut Ctx<'_>, items: &[Value]) -> Option<ServiceStep> {
        let (Some(link), [Value::Chan(conn), Value::Chan(send), Value::Int(id)]) =
            (&self.link, items)
        else {
            let m = format!("{NAME} got a malformed connection from the network thread");
            return Some(Step::Fail(at(self.span, RunError::internal(NAME, m))));
        };
        cx.spawn_daemon(Box::new(SendTask {
            end: send.clone(),
            conn: *id as usize,
            link: link.clone(),
            labels: self.labels,
            span: self.span,
            want_chunk: false,
            stopped: false,
        }));
        cx.put(&self.client, Value::Chan(conn.clone()));
        None
    }

    /// Where to wait: the program's mailbox (the network thread delivers
    /// there too).
    fn park(&self) -> ServiceStep {
        Step::Park(self.client.clone())
    }
}

impl Task<Value, RunError> for ListenService {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
        let mut cmds = Vec::new();
        let mut step = None;
        for _ in 0..cx.budget() {
            let Some(msg) = self.client.try_get() else {
                step = Some(self.park());
                break;
            };
            if let Some(s) = self.on_message(cx, msg, &mut cmds) {
                step = Some(s);
                break;
            }
        }
        if let Some(link) = &self.link {
            link.send(cmds);
        }
        step.unwrap_or(Step::Yield)
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: NAME.into(),
            waiting_at: None,
            holds: vec![(self.client.id(), self.client.side())],
            channel_names: Vec::new(),
        }
    }
}

// ------------------------------------------------------------ send task

/// Plays `neg<PutSeq<[Byte]>>` for the stream the program sends on.
struct SendTask {
    end: End<Value>,
    conn: usize,
    link: Link,
    labels: Labels,
    span: Span,
    /// `Put` received; the chunk comes next.
    want_chunk: bool,
    /// `StopPut` received; waiting for the network thread's close marker.
    stopped: bool,
}

const SEND_NAME: &str = "tcp connection";

/// A chunk as the network thread writes it: shared bytes and a start.
fn chunk_of(v: &Value) -> Option<(Arc<[u8]>, usize)> {
    match v {
        Value::Bytes(b, i) => Some((b.clone(), (*i as usize).min(b.len()))),
        other => other.as_bytes().map(|b| (Arc::from(b), 0)),
    }
}

impl SendTask {
    /// Handles one message; `Some` ends the turn with that step.
    fn on_message(&mut self, msg: Value, cmds: &mut Vec<Cmd>) -> Option<ServiceStep> {
        let conn = self.conn;
        if self.stopped {
            return match msg {
                Value::Unit => Some(Step::Done),
                other => Some(self.fail(&other, "nothing")),
            };
        }
        if self.want_chunk {
            self.want_chunk = false;
            let Some((data, from)) = chunk_of(&msg) else {
                return Some(self.fail(&msg, "a [Byte] chunk"));
            };
            if from < data.len() {
                cmds.push(Cmd::Write { conn, data, from });
            }
            return None;
        }
        match msg {
            Value::Tag(t) if t == self.labels.put => self.want_chunk = true,
            Value::Tag(t) if t == self.labels.stop_put => {
                self.stopped = true;
                cmds.push(Cmd::Shutdown { conn });
            }
            other => return Some(self.fail(&other, "Put or StopPut")),
        }
        None
    }

    fn fail(&self, msg: &Value, expected: &str) -> ServiceStep {
        Step::Fail(at(self.span, unexpected(SEND_NAME, msg, expected)))
    }
}

impl Task<Value, RunError> for SendTask {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
        let mut cmds = Vec::new();
        let mut step = Step::Yield;
        for _ in 0..cx.budget() {
            let Some(msg) = self.end.try_get() else {
                step = Step::Park(self.end.clone());
                break;
            };
            if let Some(s) = self.on_message(msg, &mut cmds) {
                step = s;
                break;
            }
        }
        self.link.send(cmds);
        step
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: SEND_NAME.into(),
            waiting_at: None,
            holds: vec![(self.end.id(), self.end.side())],
            channel_names: Vec::new(),
        }
    }
}
