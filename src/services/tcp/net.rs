//! The network thread of the TCP service: one per run, started by the
//! first `ListenOnPort`, running a `mio::Poll` loop. It owns every listener
//! and connection socket; tasks reach it with batches of [`Cmd`]s over a
//! std channel and wake it with a `mio::Waker`.
//!
//! * Accepting: a listener accepts only while the program has `Get`s
//!   pending (each holds one unit of pending I/O until answered). For each
//!   connection the thread makes the `TcpConnection` channel and its two
//!   stream channels, puts the two stream ends on the connection, and hands
//!   `(connection, send-stream service end, id)` to the service task.
//! * Reading: chunks of up to [`CHUNK`] bytes go to the receive stream as
//!   `Put`, chunk; end of stream or a read error as `StopPut`. The thread
//!   reads only while the program has fewer than [`AHEAD`] chunks not yet
//!   taken (it looks at the program end's mailbox); a throttled connection
//!   is looked at again every [`RECHECK`]. A connection reads at most
//!   [`READS_PER_TURN`] chunks per loop turn, so one fast client cannot
//!   starve the others. While the receive stream is open the connection
//!   holds one unit of pending I/O (the program must read it to the end).
//! * Writing: chunks are queued and written as the socket is writable
//!   (partial writes resume where they stopped); `StopPut` half-closes
//!   once the queue drained. A non-empty queue holds one unit of pending
//!   I/O, so a run does not end with output unsent. After a write error
//!   the queue is dropped and later chunks are discarded.
//! * When both directions are done the socket is closed and the
//!   connection's send task gets its `Unit` marker.
//! * With nothing to do the thread looks again a few times, yielding its
//!   core, before it waits in `epoll_wait` ([`IDLE_LOOKS`]).
//! * The thread ends when every [`super::Link`] is gone (the run ended or
//!   no TCP task is left); it then releases the I/O units it still holds.
//!   If `poll` itself fails, open receive streams get `StopPut` and later
//!   commands are only acknowledged.
//!
//! Not here: the program's side of the protocols (`tcp.rs`), write
//! backpressure (`put` never blocks in MPL), timeouts on idle peers.

use super::Cmd;
use crate::host::RunError;
use crate::ir::Tag;
use crate::runtime::{self, End, Handle};
use crate::value::Value;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{ErrorKind, IoSlice, Read, Write};
use std::net::Shutdown;
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Listener tokens start here; connection tokens count up from 1.
pub(super) const LISTENER_BASE: usize = usize::MAX / 2;
const WAKER: Token = Token(0);
/// Bytes read at most per chunk.
const CHUNK: usize = 64 * 1024;
/// Chunks the program may leave untaken before reading pauses.
const AHEAD: usize = 2;
/// Chunks written at most per system call.
const WRITE_BATCH: usize = 64;
/// Chunks one connection reads per loop turn.
const READS_PER_TURN: usize = 4;
/// How often throttled connections are looked at again.
const RECHECK: Duration = Duration::from_millis(1);
/// How soon an `accept` that failed for lack of resources is retried.
const ACCEPT_RETRY: Duration = Duration::from_millis(20);
/// With nothing to do, the thread looks again this many times, yielding its
/// core in between, before it waits in `epoll_wait`. Under load the next
/// chunk to write or read comes within microseconds, and a wait costs a
/// sleep and a wake-up (the wake of a sleeping thread is dear in a virtual
/// machine): Pluto under `wrk -c50` on 2 cores went from 0.33 sleeps of
/// this thread a request to 0.01, and 32.2k -> 35.5k req/s (CPU 49.1 ->
/// 43.8 us a request; alternating runs, bench/RESULTS.md).
const IDLE_LOOKS: u32 = 8;

type RunHandle = Handle<Value, RunError>;

/// What the tasks keep of a started network thread.
pub(super) struct Started {
    pub waker: Arc<Waker>,
    pub registry: Registry,
}

/// Starts the network thread; it takes its commands from `rx`.
pub(super) fn start(
    handle: RunHandle,
    rx: mpsc::Receiver<Vec<Cmd>>,
    put: Tag,
    stop_put: Tag,
) -> std::io::Result<Started> {
    let poll = Poll::new()?;
    let registry = poll.registry().try_clone()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let net = Net {
        poll,
        handle,
        rx,
        put,
        stop_put,
        listeners: HashMap::new(),
        conns: HashMap::new(),
        next_conn: 1,
        dirty: HashSet::new(),
        ready: HashSet::new(),
        throttled: HashSet::new(),
        buf: vec![0; CHUNK],
        _waker: waker.clone(),
    };
    std::thread::Builder::new()
        .name("mpl-tcp".into())
        .spawn(move || net.run())?;
    Ok(Started { waker, registry })
}

struct Listener {
    sock: TcpListener,
    /// Where accepted connections go (reaches the service task).
    inbox: End<Value>,
    /// `Get`s not answered yet; each holds one unit of pending I/O.
    wanted: usize,
    /// Not known to be drained (edge-triggered readiness).
    readable: bool,
    /// `accept` failed for lack of resources: try again later.
    retry: bool,
}

struct Conn {
    stream: TcpStream,
    /// The service end of the receive stream; `None` once `StopPut` went.
    recv: Option<End<Value>>,
    /// The program's end of the receive stream: its mailbox holds what the
    /// program has not taken yet.
    recv_peer: End<Value>,
    /// The program's end of the send stream: a put there reaches the
    /// connection's send task.
    send_peer: End<Value>,
    out: VecDeque<(Arc<[u8]>, usize)>,
    /// The program sent `StopPut`.
    stop_put: bool,
    /// Write side finished: half-closed after `StopPut`, or `StopPut`
    /// after a write error.
    write_done: bool,
    write_broken: bool,
    readable: bool,
    /// An event said the peer closed or the socket failed: read until the
    /// end, never stopping at a short read (no event will follow).
    read_closed: bool,
    writable: bool,
    /// Units of pending I/O held (receive stream open, queue not empty).
    units: usize,
}

/// How a connection's read pass ended.
#[derive(PartialEq)]
enum ReadEnd {
    /// Nothing more to read now (or the stream ended).
    Idle,
    /// Read its share of this turn; more is waiting.
    More,
    /// The program has enough untaken chunks.
    Throttled,
}

impl Conn {
    fn new(
        stream: TcpStream,
        recv: End<Value>,
        recv_peer: End<Value>,
        send_peer: End<Value>,
    ) -> Conn {
        Conn {
            stream,
            recv: Some(recv),
            recv_peer,
            send_peer,
            out: VecDeque::new(),
            stop_put: false,
            write_done: false,
            write_broken: false,
            readable: true,
            read_closed: false,
            writable: true,
            units: 0,
        }
    }

    /// Writes what the socket takes, the queued chunks together in one
    /// system call (a response's head and body go out as one segment);
    /// half-closes once drained after `StopPut`.
    fn flush(&mut self) {
        while self.writable && !self.write_broken && !self.out.is_empty() {
            let slices: Vec<IoSlice<'_>> = self
                .out
                .iter()
                .take(WRITE_BATCH)
                .map(|(data, from)| IoSlice::new(data.get(*from..).unwrap_or(&[])))
                .collect();
            match (&self.stream).write_vectored(&slices) {
                Ok(0) => self.break_writes(),
                Ok(n) => self.written(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.writable = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.break_writes(),
            }
        }
        if self.stop_put && self.out.is_empty() && !self.write_done {
            if !self.write_broken {
                let _ = self.stream.shutdown(Shutdown::Write);
            }
            self.write_done = true;
        }
    }

    /// Drops the `n` bytes just written from the front of the queue.
    fn written(&mut self, mut n: usize) {
        while let Some((data, from)) = self.out.front_mut() {
            let left = data.len().saturating_sub(*from);
            if n < left {
                *from += n;
                return;
            }
            n -= left;
            self.out.pop_front();
        }
    }

    fn break_writes(&mut self) {
        self.write_broken = true;
        self.out.clear();
    }

    /// Reads chunks into the receive stream (see [`ReadEnd`]).
    fn read(&mut self, h: &RunHandle, tags: (Tag, Tag), buf: &mut [u8]) -> ReadEnd {
        let mut n = 0;
        while self.readable {
            let Some(recv) = &self.recv else {
                break;
            };
            if self.recv_peer.queued() >= 2 * AHEAD {
                return ReadEnd::Throttled;
            }
            if n == READS_PER_TURN {
                return ReadEnd::More;
            }
            match (&self.stream).read(buf) {
                Ok(0) => self.end_recv(h, tags.1),
                Ok(k) => {
                    h.put(recv, Value::Tag(tags.0));
                    h.put(recv, Value::Bytes(Arc::from(&buf[..k.min(buf.len())]), 0));
                    n += 1;
                    // A read that did not fill the buffer drained the
                    // socket: mio's edge-triggered epoll/kqueue reports the
                    // next data as a new event, so the read that would only
                    // answer `WouldBlock` is skipped (as tokio does, its
                    // issue 5866), unless the peer's close was reported
                    // already. One system call less a request: Pluto made
                    // two `recvfrom` a request, half of them failing.
                    if k < buf.len() && !self.read_closed && cfg!(unix) {
                        self.readable = false;
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => self.readable = false,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => self.end_recv(h, tags.1),
            }
        }
        ReadEnd::Idle
    }

    /// Tells the program the peer is done sending.
    fn end_recv(&mut self, h: &RunHandle, stop_put: Tag) {
        if let Some(recv) = self.recv.take() {
            h.put(&recv, Value::Tag(stop_put));
        }
    }

    /// Takes or releases units of pending I/O to match what is open.
    fn sync_units(&mut self, h: &RunHandle) {
        let want = usize::from(self.recv.is_some()) + usize::from(!self.out.is_empty());
        while self.units < want {
            h.io_begin();
            self.units += 1;
        }
        while self.units > want {
            h.io_end();
            self.units -= 1;
        }
    }

    fn finished(&self) -> bool {
        self.recv.is_none() && self.write_done
    }
}

struct Net {
    poll: Poll,
    handle: RunHandle,
    rx: mpsc::Receiver<Vec<Cmd>>,
    put: Tag,
    stop_put: Tag,
    listeners: HashMap<usize, Listener>,
    conns: HashMap<usize, Conn>,
    next_conn: usize,
    /// Connections to look at in this turn.
    dirty: HashSet<usize>,
    /// Connections with more to read after their share of a turn.
    ready: HashSet<usize>,
    /// Connections waiting for the program to take chunks.
    throttled: HashSet<usize>,
    buf: Vec<u8>,
    /// Keeps the waker's file open: if the last link closed it right after
    /// its final wake-up, that wake-up would be lost.
    _waker: Arc<Waker>,
}

impl Net {
    fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        let mut looks = 0;
        loop {
            let mut timeout = self.timeout();
            if timeout.is_none() && looks < IDLE_LOOKS {
                looks += 1;
                std::thread::yield_now();
                timeout = Some(Duration::ZERO);
            }
            match self.poll.poll(&mut events, timeout) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return self.failed(),
            }
            if !events.is_empty() {
                looks = 0;
            }
            // While a turn runs, the run cannot end half-way through it.
            self.handle.io_begin();
            for ev in events.iter() {
                self.note(ev);
            }
            let connected = self.commands();
            self.serve();
            self.handle.io_end();
            if !connected {
                return self.close_all();
            }
        }
    }

    fn timeout(&self) -> Option<Duration> {
        if !self.ready.is_empty() {
            Some(Duration::ZERO)
        } else if !self.throttled.is_empty() {
            Some(RECHECK)
        } else if self.listeners.values().any(|l| l.retry && l.wanted > 0) {
            Some(ACCEPT_RETRY)
        } else {
            None
        }
    }

    /// Records the readiness an event reports.
    fn note(&mut self, ev: &mio::event::Event) {
        let id = ev.token().0;
        if let Some(l) = self.listeners.get_mut(&id) {
            l.readable = true;
        } else if let Some(c) = self.conns.get_mut(&id) {
            c.readable |= ev.is_readable() || ev.is_read_closed() || ev.is_error();
            c.read_closed |= ev.is_read_closed() || ev.is_error();
            c.writable |= ev.is_writable() || ev.is_write_closed() || ev.is_error();
            self.dirty.insert(id);
        }
    }

    /// Applies every queued batch; false once every link is gone.
    fn commands(&mut self) -> bool {
        loop {
            match self.rx.try_recv() {
                Ok(batch) => {
                    for cmd in batch {
                        self.apply(cmd);
                    }
                    // The unit the sending task took for this batch.
                    self.handle.io_end();
                }
                Err(mpsc::TryRecvError::Empty) => return true,
                Err(mpsc::TryRecvError::Disconnected) => return false,
            }
        }
    }

    fn apply(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Listen { id, sock, inbox } => {
                let l = Listener {
                    sock,
                    inbox,
                    wanted: 0,
                    readable: true,
                    retry: false,
                };
                self.listeners.insert(id, l);
            }
            Cmd::Accept { id } => {
                if let Some(l) = self.listeners.get_mut(&id) {
                    self.handle.io_begin();
                    l.wanted += 1;
                }
            }
            Cmd::CloseListener { id } => {
                if let Some(l) = self.listeners.remove(&id) {
                    self.drop_listener(l);
                }
            }
            Cmd::Write { conn, data, from } => {
                if let Some(c) = self.conns.get_mut(&conn)
                    && !c.write_broken
                    && !c.stop_put
                {
                    c.out.push_back((data, from));
                    self.dirty.insert(conn);
                }
            }
            Cmd::Shutdown { conn } => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.stop_put = true;
                    self.dirty.insert(conn);
                }
            }
        }
    }

    fn drop_listener(&mut self, mut l: Listener) {
        let _ = self.poll.registry().deregister(&mut l.sock);
        for _ in 0..l.wanted {
            self.handle.io_end();
        }
    }

    /// Accepts for pending `Get`s, then moves data on the connections that
    /// need it.
    fn serve(&mut self) {
        let ids: Vec<usize> = self.listeners.keys().copied().collect();
        for id in ids {
            self.accept_on(id);
        }
        let mut todo: Vec<usize> = self.dirty.drain().collect();
        todo.extend(self.ready.drain());
        todo.extend(self.throttled.drain());
        todo.sort_unstable();
        todo.dedup();
        for id in todo {
            self.pump(id);
        }
    }

    fn accept_on(&mut self, id: usize) {
        let mut accepted = Vec::new();
        let inbox = {
            let Some(l) = self.listeners.get_mut(&id) else {
                return;
            };
            if !(l.readable || l.retry) {
                return;
            }
            l.retry = false;
            while accepted.len() < l.wanted {
                match l.sock.accept() {
                    Ok((stream, _)) => accepted.push(stream),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        l.readable = false;
                        break;
                    }
                    Err(e) if transient(&e) => {}
                    Err(_) => {
                        l.retry = true;
                        break;
                    }
                }
            }
            l.inbox.clone()
        };
        for stream in accepted {
            if self.open(stream, &inbox) {
                if let Some(l) = self.listeners.get_mut(&id) {
                    l.wanted -= 1;
                }
                self.handle.io_end();
            }
        }
    }

    /// Makes the channels of a new connection and hands it to the service
    /// task; false if the socket cannot be registered (it is dropped).
    fn open(&mut self, mut stream: TcpStream, inbox: &End<Value>) -> bool {
        let id = self.next_conn;
        let interest = Interest::READABLE | Interest::WRITABLE;
        if self
            .poll
            .registry()
            .register(&mut stream, Token(id), interest)
            .is_err()
        {
            return false;
        }
        self.next_conn += 1;
        let _ = stream.set_nodelay(true);
        let h = &self.handle;
        let (conn_prog, conn_svc) = runtime::channel();
        let (send_prog, send_svc) = runtime::channel();
        let (recv_prog, recv_svc) = runtime::channel();
        h.put(&conn_svc, Value::Chan(send_prog.clone()));
        h.put(&conn_svc, Value::Chan(recv_prog.clone()));
        let mut conn = Conn::new(stream, recv_svc, recv_prog, send_prog);
        conn.sync_units(h);
        self.conns.insert(id, conn);
        self.dirty.insert(id);
        let handed = vec![
            Value::Chan(conn_prog),
            Value::Chan(send_svc),
            Value::Int(id as i64),
        ];
        h.put(inbox, Value::tuple(handed));
        true
    }

    /// Writes, reads, settles the I/O units and closes a finished
    /// connection.
    fn pump(&mut self, id: usize) {
        let Net {
            conns,
            handle,
            buf,
            ready,
            throttled,
            ..
        } = self;
        let Some(c) = conns.get_mut(&id) else {
            return;
        };
        c.flush();
        match c.read(handle, (self.put, self.stop_put), buf) {
            ReadEnd::Idle => {}
            ReadEnd::More => drop(ready.insert(id)),
            ReadEnd::Throttled => drop(throttled.insert(id)),
        }
        c.sync_units(handle);
        if c.finished()
            && let Some(mut c) = conns.remove(&id)
        {
            let _ = self.poll.registry().deregister(&mut c.stream);
            handle.put(&c.send_peer, Value::Unit);
        }
    }

    /// Every link is gone: release what is held and close everything.
    fn close_all(&mut self) {
        for (_, l) in std::mem::take(&mut self.listeners) {
            self.drop_listener(l);
        }
        for (_, mut c) in std::mem::take(&mut self.conns) {
            c.recv = None;
            c.out.clear();
            c.sync_units(&self.handle);
        }
    }

    /// `poll` failed: no more I/O. Receive streams end, later commands are
    /// acknowledged and dropped until every link is gone.
    fn failed(mut self) {
        for c in self.conns.values_mut() {
            c.end_recv(&self.handle, self.stop_put);
        }
        self.close_all();
        while self.rx.recv().is_ok() {
            self.handle.io_end();
        }
    }
}

/// Accept errors that concern one connection only (try the next one).
fn transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Interrupted | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}
