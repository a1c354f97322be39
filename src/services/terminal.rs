//! `terminals`: terminals beside the program's own, for CaMPL programs
//! (CaMPL opens each of its `StringTerminal`s in a new window; we have no
//! windows). Each `OpenTerminal` makes a terminal that listens on a port
//! of this machine (127.0.0.1, a port the system picks) and says so on
//! stderr; whoever connects (`nc 127.0.0.1 PORT`) reads what the program
//! writes there and types what it reads. Lines written before anyone
//! connects wait for them; a read waits for a connection and a line; a
//! client that disconnects can connect again.
//!
//! Each terminal is a task and a thread: the task plays `Terminal`, the
//! thread owns the socket (blocking I/O never runs on a worker) and
//! answers reads through a channel, as the console's reader thread does.

use super::{Connection, Ctx, Handler, Serve, ServiceStep, describe, service_labels, unexpected};
use crate::host::{Output, RunError};
use crate::runtime::{self, End, Handle, Step, Task, TaskInfo};
use crate::value::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::mpsc;

const NAME: &str = "terminals";

service_labels! {
    /// The labels of `Terminals` and `Terminal`.
    pub struct Labels {
        open = "OpenTerminal",
        stop = "StopTerminals",
        put = "TerminalPut",
        get = "TerminalGet",
        dup = "TerminalDup",
        close = "TerminalClose",
    }
}

/// Starts the `terminals` service and returns the program's end of it.
pub fn start(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let (program_end, service_end) = runtime::channel();
    let factory = Factory {
        end: service_end,
        labels: Labels::from_tags(connection.tags),
        stderr: connection.env.stderr.clone(),
        opened: 0,
    };
    cx.spawn_daemon(Box::new(Serve(factory)));
    Ok(program_end)
}

/// Plays `Terminals`: opens terminals.
struct Factory {
    end: End<Value>,
    labels: Labels,
    stderr: Output,
    opened: u32,
}

impl Handler for Factory {
    fn end(&self) -> &End<Value> {
        &self.end
    }

    fn name(&self) -> &'static str {
        NAME
    }

    fn handle(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        match msg {
            Value::Tag(t) if t == self.labels.open => {
                self.opened += 1;
                let (program_end, service_end) = runtime::channel();
                match TerminalTask::open(cx, service_end, self.labels, self.opened, &self.stderr) {
                    Ok(task) => cx.spawn_daemon(Box::new(task)),
                    Err(e) => return Some(Step::Fail(e)),
                }
                cx.put(&self.end, Value::Chan(program_end));
                None
            }
            Value::Tag(t) if t == self.labels.stop => Some(Step::Done),
            other => Some(Step::Fail(unexpected(
                NAME,
                &other,
                "OpenTerminal or StopTerminals",
            ))),
        }
    }
}

/// What a task asks of its terminal's thread: write a line, or read one
/// and send it to the given end.
enum Request {
    Write(String),
    ReadLine(End<Value>),
}

/// Plays `Terminal` for one terminal.
struct TerminalTask {
    end: End<Value>,
    labels: Labels,
    /// `TerminalPut` received: the text comes next.
    want_text: bool,
    requests: mpsc::Sender<Request>,
    /// Where the thread's lines arrive, and the end it sends them on.
    replies: End<Value>,
    to_task: End<Value>,
    handle: Handle<Value, RunError>,
    /// A read was asked of the thread and not answered yet.
    reading: bool,
}

impl TerminalTask {
    /// Listens on a fresh port, says where on stderr, and starts the
    /// terminal's thread.
    fn open(
        cx: &mut Ctx<'_>,
        end: End<Value>,
        labels: Labels,
        number: u32,
        stderr: &Output,
    ) -> Result<TerminalTask, RunError> {
        let handle = cx.handle();
        let failed = |e: std::io::Error| {
            RunError::internal(NAME, format!("cannot open terminal {number}: {e}"))
        };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(failed)?;
        let port = listener.local_addr().map_err(failed)?.port();
        {
            let mut err = stderr.lock();
            let _ = writeln!(
                err,
                "mpl: terminal {number} is on 127.0.0.1:{port} (connect with `nc 127.0.0.1 {port}`)"
            );
            let _ = err.flush();
        }
        let (requests, receiver) = mpsc::channel();
        let thread_handle = handle.clone();
        std::thread::Builder::new()
            .name(format!("mpl-terminal-{number}"))
            .spawn(move || terminal_thread(listener, receiver, thread_handle))
            .map_err(failed)?;
        Ok(TerminalTask::on(end, labels, requests, handle))
    }

    /// A task for the terminal whose thread `requests` reaches.
    fn on(
        end: End<Value>,
        labels: Labels,
        requests: mpsc::Sender<Request>,
        handle: Handle<Value, RunError>,
    ) -> TerminalTask {
        let (replies, to_task) = runtime::channel();
        TerminalTask {
            end,
            labels,
            want_text: false,
            requests,
            replies,
            to_task,
            handle,
            reading: false,
        }
    }

    fn take_text(&mut self, msg: &Value) -> Option<ServiceStep> {
        self.want_text = false;
        let Some(text) = msg.as_string() else {
            return Some(Step::Fail(unexpected(NAME, msg, "a String")));
        };
        // A terminal whose thread is gone drops what is written to it.
        let _ = self.requests.send(Request::Write(text));
        None
    }

    fn label(&mut self, cx: &mut Ctx<'_>, msg: Value) -> Option<ServiceStep> {
        let l = self.labels;
        match msg {
            Value::Tag(t) if t == l.put => self.want_text = true,
            Value::Tag(t) if t == l.dup => {
                // A second channel to the same terminal.
                let (program_end, service_end) = runtime::channel();
                let requests = self.requests.clone();
                let task = TerminalTask::on(service_end, l, requests, self.handle.clone());
                cx.spawn_daemon(Box::new(task));
                cx.put(&self.end, Value::Chan(program_end));
            }
            Value::Tag(t) if t == l.get => {
                self.handle.io_begin();
                let reply_to = self.to_task.clone();
                if self.requests.send(Request::ReadLine(reply_to)).is_err() {
                    self.handle.io_end();
                    let e = RunError::internal(NAME, "a terminal's thread ended".to_string());
                    return Some(Step::Fail(e));
                }
                self.reading = true;
                return Some(Step::Park(self.replies.clone()));
            }
            Value::Tag(t) if t == l.close => return Some(Step::Done),
            other => {
                let e = unexpected(NAME, &other, "a Terminal label");
                return Some(Step::Fail(e));
            }
        }
        None
    }
}

impl Task<Value, RunError> for TerminalTask {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
        if self.reading {
            match self.replies.try_get() {
                Some(line @ Value::Str(..)) => {
                    self.reading = false;
                    cx.put(&self.end, line);
                }
                Some(other) => {
                    let what = format!("a terminal's thread sent {}", describe(&other));
                    return Step::Fail(RunError::internal(NAME, what));
                }
                None => return Step::Park(self.replies.clone()),
            }
        }
        for _ in 0..cx.budget() {
            let Some(msg) = self.end.try_get() else {
                return Step::Park(self.end.clone());
            };
            let step = if self.want_text {
                self.take_text(&msg)
            } else {
                self.label(cx, msg)
            };
            if let Some(step) = step {
                return step;
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: "terminal".into(),
            waiting_at: None,
            holds: vec![
                (self.end.id(), self.end.side()),
                (self.replies.id(), self.replies.side()),
            ],
            channel_names: Vec::new(),
        }
    }
}

/// The connection of a terminal: the stream and a reader over it.
struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

fn accept(listener: &TcpListener) -> Option<Client> {
    let (stream, _) = listener.accept().ok()?;
    let reader = BufReader::new(stream.try_clone().ok()?);
    Some(Client { stream, reader })
}

/// The terminal's thread: does what its tasks ask, in order; a read's
/// line goes to the end the request names, followed by `io_end`. It ends
/// when every task has dropped its side of `requests` (and the listener
/// with it).
fn terminal_thread(
    listener: TcpListener,
    requests: mpsc::Receiver<Request>,
    handle: Handle<Value, RunError>,
) {
    let mut client: Option<Client> = None;
    while let Ok(request) = requests.recv() {
        match request {
            Request::Write(text) => loop {
                if client.is_none() {
                    client = accept(&listener);
                    if client.is_none() {
                        return;
                    }
                }
                if let Some(c) = client.as_mut()
                    && writeln!(c.stream, "{text}").is_ok()
                {
                    break;
                }
                client = None;
            },
            Request::ReadLine(reply_to) => {
                let line = read_line(&listener, &mut client);
                handle.put(&reply_to, Value::string(&line.unwrap_or_default()));
                handle.io_end();
            }
        }
    }
}

/// A line from the client, without its end; a client that goes away is
/// waited for again. `None` if the listener fails.
fn read_line(listener: &TcpListener, client: &mut Option<Client>) -> Option<String> {
    loop {
        if client.is_none() {
            *client = Some(accept(listener)?);
        }
        let c = client.as_mut()?;
        let mut line = String::new();
        match c.reader.read_line(&mut line) {
            Ok(n) if n > 0 => {
                let trimmed = line.trim_end_matches(['\n', '\r']);
                return Some(trimmed.to_string());
            }
            _ => *client = None,
        }
    }
}
