//! The terminal services: `stdin` (`GetSeq<Char>`), `stdout` and `stderr`
//! (`PutSeq<Char>`) and `console` (`Console`, line level with end of input
//! made explicit), LANGUAGE.md section 9.
//!
//! Each service is a daemon task (a small state machine) that holds the
//! service's end of a fresh channel; the `start_*` functions make the
//! channel, spawn the task and hand the other end to the program.
//!
//! * Output is batched in a local buffer and written to the shared
//!   [`Output`] when the buffer grows large, before the service parks (so a
//!   prompt is visible while the program waits for input) and when the
//!   program stops the service; every time the service parks the `Output`
//!   is flushed too. When the mailbox runs dry with output buffered the
//!   service first yields once (the writer may send more), so a fast
//!   writer does not cost one `write` per char. The output channels are
//!   made with `channel_taking_runs`: an item may be a whole text, which
//!   the prelude's `bulkPut` (and so `writeLine`) sends instead of one
//!   `Put` and one char per char. A failed write ends the run
//!   ("cannot write to stdout: ..."); a closed pipe ends it quietly
//!   (`RunError::output_closed`), as `cat` does. The task is named after its stream (`stdout`, `stderr`).
//! * Input that can wait (a terminal, a pipe: [`crate::host::Input`])
//!   never blocks a runtime worker. The first input request of a run
//!   takes the host's input out of [`super::ServiceEnv::stdin`] and starts
//!   one reader thread; the service asks it for a chunk through a std
//!   channel (with `io_begin`, so the runtime knows I/O is pending), the
//!   thread reads and decodes it (UTF-8, incrementally; invalid bytes become
//!   U+FFFD) and delivers it on an internal runtime channel the service
//!   parks on (then `io_end`). A chunk is a `Value::Str`; end of input is
//!   `Value::Unit`. Input that cannot wait (a regular file, bytes in
//!   memory) is read and decoded the same way but in place, by the service,
//!   with no thread.
//! * If the host's reader is already taken when a service first needs input
//!   (the checker rejects wiring that names both `stdin` and `console`, so
//!   this does not happen in checked programs), that service simply sees end
//!   of input.
//! * The reader thread ends when its service drops the request channel (at
//!   end of input, at `StopGet`/`StopConsole`, or when the run drops the
//!   task). A thread blocked in `read` when the run ends stays blocked until
//!   that read returns; its chunk is then lost.
//! * At end of input `stdin` marks the run "input exhausted" and leaves the
//!   pending `Get` unanswered (the runtime then reports it, exit code 3);
//!   `console` answers `EndOfInput`.
//!
//! What this file does not do: protocol checking beyond one label at a time
//! (the checker guarantees the rest; a stray message is an internal error),
//! sharing one input between two services, and line editing (`read()` on a
//! terminal returns what the terminal's line discipline hands over).

mod input;

use super::{Connection, Ctx, ServiceStep, service_labels, unexpected};
use crate::host::{Output, RunError};
use crate::runtime::{self, End, Step, Task, TaskInfo};
use crate::value::Value;
use input::{InputSource, SharedInput, Supply};
use std::io::Write;
use std::time::Duration;

/// Buffered output (bytes) above which a service writes without waiting
/// for its mailbox to run dry.
const OUT_HIGH_WATER: usize = 64 * 1024;

service_labels! {
    /// The labels `stdin` answers (`GetSeq<Char>`).
    pub struct StdinLabels { get = "Get", stop_get = "StopGet" }
}

service_labels! {
    /// The labels `stdout` and `stderr` answer (`PutSeq<Char>`).
    pub struct OutputLabels { put = "Put", stop_put = "StopPut" }
}

service_labels! {
    /// The labels of `Console`.
    pub struct ConsoleLabels {
        read_line = "ReadLine",
        line = "Line",
        end_of_input = "EndOfInput",
        write = "Write",
        stop_console = "StopConsole",
    }
}

/// Starts the `stdin` service and returns the program's end of it.
pub fn start_stdin(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let labels = StdinLabels::from_tags(connection.tags);
    Ok(spawn_stdin(cx, connection.env.stdin.clone(), labels))
}

/// Starts the `stdout` service and returns the program's end of it.
pub fn start_stdout(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let labels = OutputLabels::from_tags(connection.tags);
    Ok(spawn_output(
        cx,
        "stdout",
        connection.env.stdout.clone(),
        labels,
    ))
}

/// Starts the `stderr` service and returns the program's end of it.
pub fn start_stderr(cx: &mut Ctx<'_>, connection: &Connection<'_>) -> Result<End<Value>, RunError> {
    let labels = OutputLabels::from_tags(connection.tags);
    Ok(spawn_output(
        cx,
        "stderr",
        connection.env.stderr.clone(),
        labels,
    ))
}

/// Starts the `console` service (reads the host's input, writes to its
/// stdout) and returns the program's end of it.
pub fn start_console(
    cx: &mut Ctx<'_>,
    connection: &Connection<'_>,
) -> Result<End<Value>, RunError> {
    let labels = ConsoleLabels::from_tags(connection.tags);
    let env = connection.env;
    Ok(spawn_console(
        cx,
        env.stdin.clone(),
        env.stdout.clone(),
        labels,
    ))
}

fn spawn_stdin(cx: &mut Ctx<'_>, stdin: SharedInput, labels: StdinLabels) -> End<Value> {
    let (program_end, service_end) = runtime::channel();
    cx.spawn_daemon(Box::new(StdinService {
        client: service_end,
        labels,
        input: InputSource::new(stdin),
        waiting: 0,
        exhausted: false,
        last: None,
    }));
    program_end
}

/// Spawns an output service named `name` (for reports and errors) writing
/// to `out`.
fn spawn_output(
    cx: &mut Ctx<'_>,
    name: &'static str,
    out: Output,
    labels: OutputLabels,
) -> End<Value> {
    // A `Put` item may be a whole text (`push_text`): the prelude's
    // `bulkPut` then sends a line as two messages, not two per char.
    let (program_end, service_end) = runtime::channel_taking_runs();
    cx.spawn_daemon(Box::new(OutputService {
        name,
        end: service_end,
        labels,
        out: Writer::new(out),
        want_item: false,
        yielded: false,
    }));
    program_end
}

fn spawn_console(
    cx: &mut Ctx<'_>,
    stdin: SharedInput,
    stdout: Output,
    labels: ConsoleLabels,
) -> End<Value> {
    let (program_end, service_end) = runtime::channel();
    cx.spawn_daemon(Box::new(ConsoleService {
        client: service_end,
        labels,
        input: InputSource::new(stdin),
        out: Writer::new(stdout),
        state: ConsoleState::Label,
        line: Vec::new(),
    }));
    program_end
}

/// Appends the text of a `[Char]` value to `buf`; false if `v` is not one.
fn push_text(buf: &mut String, v: &Value) -> bool {
    match v {
        Value::Char(c) => buf.push(*c),
        Value::Str(t) => buf.extend(t.chars()),
        Value::Nil => {}
        Value::Cons(_) | Value::Items(..) => match v.as_string() {
            Some(s) => buf.push_str(&s),
            None => return false,
        },
        _ => return false,
    }
    true
}

// ---------------------------------------------------------------- output

/// A local output buffer in front of a shared [`Output`].
struct Writer {
    out: Output,
    buf: String,
    /// Written to `out` but not flushed yet.
    unflushed: bool,
}

impl Writer {
    fn new(out: Output) -> Writer {
        Writer {
            out,
            buf: String::new(),
            unflushed: false,
        }
    }

    /// True if something is buffered here or not flushed in `out`.
    fn dirty(&self) -> bool {
        !self.buf.is_empty() || self.unflushed
    }

    /// Writes the buffer to `out` if it is large.
    fn spill(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= OUT_HIGH_WATER {
            self.out.lock().write_all(self.buf.as_bytes())?;
            self.buf.clear();
            self.unflushed = true;
        }
        Ok(())
    }

    /// Writes the buffer to `out` and flushes it.
    fn flush(&mut self) -> std::io::Result<()> {
        if !self.dirty() {
            return Ok(());
        }
        let mut out = self.out.lock();
        out.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        out.flush()?;
        self.unflushed = false;
        Ok(())
    }
}

impl Drop for Writer {
    /// A service dropped by the runtime while it still buffers output
    /// (the run ended while it was runnable) writes it out. It does not
    /// wait long for the lock: a drop must not hang.
    fn drop(&mut self) {
        if !self.dirty() {
            return;
        }
        if let Some(mut out) = self.out.try_lock_for(Duration::from_millis(200)) {
            let _ = out.write_all(self.buf.as_bytes());
            let _ = out.flush();
        }
    }
}

/// `stdout`/`stderr`: plays `PutSeq<Char>` from the receiving side.
struct OutputService {
    name: &'static str,
    end: End<Value>,
    labels: OutputLabels,
    out: Writer,
    /// `Put` received; the item comes next.
    want_item: bool,
    /// The mailbox ran dry with output buffered and the service yielded
    /// once (giving the writer a chance to send more) instead of writing.
    yielded: bool,
}

impl OutputService {
    fn io_failed(&self, e: std::io::Error) -> ServiceStep {
        Step::Fail(RunError::write_failed(self.name, self.name, &e))
    }
}

impl Drop for OutputService {
    /// A run that ends (a failure elsewhere, say) while characters the
    /// program already sent wait in the mailbox still writes them: output a
    /// program has produced is never lost. `Writer`'s own drop writes.
    fn drop(&mut self) {
        while let Some(msg) = self.end.try_get() {
            if self.want_item {
                self.want_item = false;
                if !push_text(&mut self.out.buf, &msg) {
                    break;
                }
                continue;
            }
            match msg {
                Value::Tag(t) if t == self.labels.put => self.want_item = true,
                _ => break,
            }
        }
    }
}

impl Task<Value, RunError> for OutputService {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
        for _ in 0..cx.budget() {
            let Some(msg) = self.end.try_get() else {
                if !self.out.dirty() {
                    return Step::Park(self.end.clone());
                }
                if !self.yielded {
                    self.yielded = true;
                    return Step::Yield;
                }
                self.yielded = false;
                if let Err(e) = self.out.flush() {
                    return self.io_failed(e);
                }
                return Step::Park(self.end.clone());
            };
            self.yielded = false;
            if self.want_item {
                self.want_item = false;
                if !push_text(&mut self.out.buf, &msg) {
                    return Step::Fail(unexpected(self.name, &msg, "a char"));
                }
                if let Err(e) = self.out.spill() {
                    return self.io_failed(e);
                }
                continue;
            }
            match msg {
                Value::Tag(t) if t == self.labels.put => self.want_item = true,
                Value::Tag(t) if t == self.labels.stop_put => {
                    if let Err(e) = self.out.flush() {
                        return self.io_failed(e);
                    }
                    return Step::Done;
                }
                other => {
                    return Step::Fail(unexpected(self.name, &other, "Put or StopPut"));
                }
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: self.name.into(),
            waiting_at: None,
            holds: vec![(self.end.id(), self.end.side())],
            channel_names: Vec::new(),
        }
    }
}

/// `stdin`: plays `GetSeq<Char>` from the answering side.
struct StdinService {
    client: End<Value>,
    labels: StdinLabels,
    input: InputSource,
    /// `Get`s received and not answered yet.
    waiting: usize,
    exhausted: bool,
    /// The last character sent: input that ends without a newline gets
    /// one, so its last line is a line (as `readLine` expects).
    last: Option<char>,
}

impl Task<Value, RunError> for StdinService {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
        if let Err(m) = self.input.poll() {
            return Step::Fail(RunError::internal("stdin", m));
        }
        for _ in 0..cx.budget() {
            while self.waiting > 0 {
                let Some(c) = self.input.next_char() else {
                    break;
                };
                cx.put(&self.client, Value::Char(c));
                self.last = Some(c);
                self.waiting -= 1;
            }
            match self.client.try_get() {
                Some(Value::Tag(t)) if t == self.labels.get => {
                    self.waiting += 1;
                    continue;
                }
                Some(Value::Tag(t)) if t == self.labels.stop_get => return Step::Done,
                Some(other) => {
                    return Step::Fail(unexpected("stdin", &other, "Get or StopGet"));
                }
                None => {}
            }
            if self.waiting == 0 {
                return Step::Park(self.client.clone());
            }
            // A Get is waiting and no input is buffered.
            return match self.input.request(cx) {
                Supply::Ready => continue,
                Supply::Wait(replies) => Step::Park(replies),
                Supply::Ended if self.last.is_some_and(|c| c != '\n') => {
                    // End of input in the middle of a line: end the line.
                    cx.put(&self.client, Value::Char('\n'));
                    self.last = Some('\n');
                    self.waiting -= 1;
                    continue;
                }
                Supply::Ended => {
                    // End of input: the Get stays unanswered for good.
                    if !self.exhausted {
                        self.exhausted = true;
                        cx.set_input_exhausted();
                    }
                    Step::Park(self.client.clone())
                }
            };
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: "stdin".into(),
            waiting_at: None,
            holds: self.input.holds(&self.client),
            channel_names: Vec::new(),
        }
    }
}

// --------------------------------------------------------------- console

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ConsoleState {
    /// Waiting for a label.
    Label,
    /// `Write` received; the string comes next.
    WriteText,
    /// `ReadLine` received; answering it.
    ReadLine,
}

/// What the buffered input holds toward the next line.
enum LineResult {
    Line(Value),
    End,
    NeedMore,
}

/// Where the first `\n` of `chars` is. Sixteen chars are looked at
/// together without an early exit, which the compiler turns into vector
/// compares (`bench/workloads/lines.mpl`, callgrind: the console's own
/// instructions a line 374 -> 335, with `position` a char at a time).
fn find_newline(chars: &[char]) -> Option<usize> {
    const BLOCK: usize = 16;
    let mut blocks = chars.chunks_exact(BLOCK);
    for (b, block) in blocks.by_ref().enumerate() {
        if block.iter().fold(false, |seen, &c| seen | (c == '\n')) {
            return block.iter().position(|&c| c == '\n').map(|i| b * BLOCK + i);
        }
    }
    let rest = blocks.remainder();
    let at = chars.len() - rest.len();
    rest.iter().position(|&c| c == '\n').map(|i| at + i)
}

/// A line's characters (a final `\r` dropped) as a packed string.
fn packed(line: &[char]) -> Value {
    let line = line.strip_suffix(&['\r']).unwrap_or(line);
    Value::chars(line)
}

/// `console`: plays `Console` from the answering side.
struct ConsoleService {
    client: End<Value>,
    labels: ConsoleLabels,
    input: InputSource,
    out: Writer,
    state: ConsoleState,
    /// The start of the line being read (input seen so far without `\n`),
    /// when a line is longer than the buffered input.
    line: Vec<char>,
}

impl ConsoleService {
    /// Takes the next line out of the buffered input, if complete.
    ///
    /// The line's characters go from the decoded input into the packed
    /// string the program gets in one copy (as a `String` they were encoded
    /// to UTF-8 and decoded again: 15 % of `bench/workloads/lines.mpl`).
    fn take_line(&mut self) -> LineResult {
        let avail = self.input.available();
        if let Some(i) = find_newline(avail) {
            let line = match self.line.is_empty() {
                true => packed(&avail[..i]),
                false => {
                    self.line.extend(&avail[..i]);
                    self.packed_line()
                }
            };
            self.input.consume(i + 1);
            return LineResult::Line(line);
        }
        self.line.extend(avail);
        let n = avail.len();
        self.input.consume(n);
        if !self.input.eof {
            return LineResult::NeedMore;
        }
        if self.line.is_empty() {
            return LineResult::End;
        }
        LineResult::Line(self.packed_line())
    }

    /// The line gathered in `line`, packed; `line` is left empty.
    fn packed_line(&mut self) -> Value {
        let line = packed(&self.line);
        self.line.clear();
        line
    }

    fn io_failed(e: std::io::Error) -> ServiceStep {
        Step::Fail(RunError::write_failed("console", "stdout", &e))
    }
}

impl Task<Value, RunError> for ConsoleService {
    fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
        if let Err(m) = self.input.poll() {
            return Step::Fail(RunError::internal("console", m));
        }
        for _ in 0..cx.budget() {
            if self.state == ConsoleState::ReadLine {
                match self.take_line() {
                    LineResult::Line(line) => {
                        cx.put(&self.client, Value::Tag(self.labels.line));
                        cx.put(&self.client, line);
                        self.state = ConsoleState::Label;
                    }
                    LineResult::End => {
                        cx.put(&self.client, Value::Tag(self.labels.end_of_input));
                        self.state = ConsoleState::Label;
                    }
                    LineResult::NeedMore => {
                        // The program waits for the line: show what it wrote.
                        if let Err(e) = self.out.flush() {
                            return Self::io_failed(e);
                        }
                        match self.input.request(cx) {
                            Supply::Wait(replies) => return Step::Park(replies),
                            // More input, or its end: the next round
                            // answers the request.
                            Supply::Ready | Supply::Ended => continue,
                        }
                    }
                }
            }
            let Some(msg) = self.client.try_get() else {
                if let Err(e) = self.out.flush() {
                    return Self::io_failed(e);
                }
                return Step::Park(self.client.clone());
            };
            match self.state {
                ConsoleState::WriteText => {
                    if !push_text(&mut self.out.buf, &msg) {
                        return Step::Fail(unexpected("console", &msg, "a string"));
                    }
                    self.state = ConsoleState::Label;
                    if let Err(e) = self.out.spill() {
                        return Self::io_failed(e);
                    }
                }
                _ => match msg {
                    Value::Tag(t) if t == self.labels.read_line => {
                        self.state = ConsoleState::ReadLine
                    }
                    Value::Tag(t) if t == self.labels.write => self.state = ConsoleState::WriteText,
                    Value::Tag(t) if t == self.labels.stop_console => {
                        if let Err(e) = self.out.flush() {
                            return Self::io_failed(e);
                        }
                        return Step::Done;
                    }
                    other => {
                        return Step::Fail(unexpected(
                            "console",
                            &other,
                            "ReadLine, Write or StopConsole",
                        ));
                    }
                },
            }
        }
        Step::Yield
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: "console".into(),
            waiting_at: None,
            holds: self.input.holds(&self.client),
            channel_names: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Tag;
    use parking_lot::Mutex;
    use std::collections::VecDeque;
    use std::io::Read;
    use std::sync::{Arc, mpsc};
    use std::time::Instant;

    // ------------------------------------------------------------ harness

    /// The only place that knows how to build and run a runtime.
    fn run_with_limit(task: Script, secs: u64) -> runtime::Outcome<RunError> {
        run_config(task, secs, runtime::Config::default())
    }

    fn run_config(task: Script, secs: u64, config: runtime::Config) -> runtime::Outcome<RunError> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let rt = runtime::Runtime::new(config);
            rt.handle().spawn(Box::new(task));
            let _ = tx.send(rt.run());
        });
        match rx.recv_timeout(Duration::from_secs(secs)) {
            Ok(outcome) => outcome,
            Err(_) => panic!("the run did not end within {secs} s"),
        }
    }

    fn run(task: Script) -> runtime::Outcome<RunError> {
        run_with_limit(task, 10)
    }

    fn finished(o: &runtime::Outcome<RunError>) -> bool {
        matches!(o, runtime::Outcome::Finished)
    }

    /// A captured output stream: the bytes written and how many flushes.
    #[derive(Clone, Default)]
    struct Capture {
        bytes: Arc<Mutex<Vec<u8>>>,
        flushed: Arc<Mutex<usize>>,
    }

    impl Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.bytes.lock().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            *self.flushed.lock() += 1;
            Ok(())
        }
    }

    impl Capture {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.bytes.lock()).into_owned()
        }
        fn output(&self) -> Output {
            Arc::new(Mutex::new(Box::new(self.clone())))
        }
    }

    /// Input that arrives in the given pieces, one per `read`.
    struct Pieces(VecDeque<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some(mut piece) = self.0.pop_front() else {
                return Ok(0);
            };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            if n < piece.len() {
                self.0.push_front(piece.split_off(n));
            }
            Ok(n)
        }
    }

    /// Input handed over by the test through a std channel (blocks).
    struct Gate(mpsc::Receiver<Vec<u8>>);

    impl Read for Gate {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.recv() {
                Ok(b) => {
                    let n = b.len().min(buf.len());
                    buf[..n].copy_from_slice(&b[..n]);
                    Ok(n)
                }
                Err(_) => Ok(0),
            }
        }
    }

    /// The tags the tests give every label.
    struct TestLabels {
        get: Tag,
        stop_get: Tag,
        put: Tag,
        stop_put: Tag,
        read_line: Tag,
        line: Tag,
        end_of_input: Tag,
        write: Tag,
        stop_console: Tag,
    }

    const L: TestLabels = TestLabels {
        get: 0,
        stop_get: 1,
        put: 2,
        stop_put: 3,
        read_line: 4,
        line: 5,
        end_of_input: 6,
        write: 7,
        stop_console: 8,
    };

    const STDIN_LABELS: StdinLabels = StdinLabels {
        get: L.get,
        stop_get: L.stop_get,
    };
    const OUTPUT_LABELS: OutputLabels = OutputLabels {
        put: L.put,
        stop_put: L.stop_put,
    };
    const CONSOLE_LABELS: ConsoleLabels = ConsoleLabels {
        read_line: L.read_line,
        line: L.line,
        end_of_input: L.end_of_input,
        write: L.write,
        stop_console: L.stop_console,
    };

    /// The host side of a test: its input and captured outputs.
    #[derive(Clone)]
    struct Streams {
        stdin: SharedInput,
        stdout: Output,
        stderr: Output,
    }

    struct World {
        env: Arc<Streams>,
        out: Capture,
        err: Capture,
    }

    /// A world whose input can wait (read by the reader thread).
    fn world(input: Box<dyn Read + Send>) -> World {
        world_with(input, false)
    }

    /// A world whose input is read by the reader thread, or in place
    /// when `ready` (input that cannot wait, a regular file).
    fn world_with(input: Box<dyn Read + Send>, ready: bool) -> World {
        let (out, err) = (Capture::default(), Capture::default());
        let input = match ready {
            true => crate::host::Input::ready(input),
            false => crate::host::Input::waiting(input),
        };
        let env = Streams {
            stdin: Arc::new(Mutex::new(Some(input))),
            stdout: out.output(),
            stderr: err.output(),
        };
        World {
            env: Arc::new(env),
            out,
            err,
        }
    }

    fn pieces(ps: &[&[u8]]) -> Box<dyn Read + Send> {
        Box::new(Pieces(ps.iter().map(|p| p.to_vec()).collect()))
    }

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Svc {
        Stdin,
        Stdout,
        Stderr,
        Console,
    }

    /// One step of a test program.
    enum Act {
        /// Send to service `i`.
        Put(usize, Value),
        /// Receive one message from service `i` and record it.
        Get(usize),
        /// Send `n` chars `c` (as `Put`, char) to service `i`, in batches.
        Many(usize, char, usize),
    }

    /// A test program: starts the listed services, then plays its acts.
    struct Script {
        env: Arc<Streams>,
        services: Vec<Svc>,
        ends: Vec<End<Value>>,
        acts: VecDeque<Act>,
        got: Arc<Mutex<Vec<Value>>>,
    }

    fn script(w: &World, services: &[Svc], acts: Vec<Act>) -> (Script, Arc<Mutex<Vec<Value>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let s = Script {
            env: w.env.clone(),
            services: services.to_vec(),
            ends: Vec::new(),
            acts: acts.into(),
            got: got.clone(),
        };
        (s, got)
    }

    impl Task<Value, RunError> for Script {
        fn run(&mut self, cx: &mut Ctx<'_>) -> ServiceStep {
            if self.ends.is_empty() {
                for s in self.services.clone() {
                    let end = match s {
                        Svc::Stdin => spawn_stdin(cx, self.env.stdin.clone(), STDIN_LABELS),
                        Svc::Stdout => {
                            spawn_output(cx, "stdout", self.env.stdout.clone(), OUTPUT_LABELS)
                        }
                        Svc::Stderr => {
                            spawn_output(cx, "stderr", self.env.stderr.clone(), OUTPUT_LABELS)
                        }
                        Svc::Console => spawn_console(
                            cx,
                            self.env.stdin.clone(),
                            self.env.stdout.clone(),
                            CONSOLE_LABELS,
                        ),
                    };
                    self.ends.push(end);
                }
            }
            while let Some(act) = self.acts.pop_front() {
                match act {
                    Act::Put(i, v) => cx.put(&self.ends[i], v),
                    Act::Get(i) => match self.ends[i].try_get() {
                        Some(v) => self.got.lock().push(v),
                        None => {
                            self.acts.push_front(Act::Get(i));
                            return Step::Park(self.ends[i].clone());
                        }
                    },
                    Act::Many(i, c, n) => {
                        let batch = n.min(1000);
                        for _ in 0..batch {
                            cx.put(&self.ends[i], Value::Tag(L.put));
                            cx.put(&self.ends[i], Value::Char(c));
                        }
                        if n > batch {
                            self.acts.push_front(Act::Many(i, c, n - batch));
                            return Step::Yield;
                        }
                    }
                }
            }
            Step::Done
        }

        fn info(&self) -> TaskInfo {
            TaskInfo {
                name: "script".into(),
                waiting_at: None,
                holds: Vec::new(),
                channel_names: Vec::new(),
            }
        }
    }

    fn tag(t: u32) -> Value {
        Value::Tag(t)
    }

    fn chars_of(got: &[Value]) -> String {
        got.iter()
            .map(|v| match v {
                Value::Char(c) => *c,
                other => panic!("expected a char, got {other:?}"),
            })
            .collect()
    }

    fn write_str(i: usize, s: &str) -> Vec<Act> {
        s.chars()
            .flat_map(|c| [Act::Put(i, tag(L.put)), Act::Put(i, Value::Char(c))])
            .collect()
    }

    // -------------------------------------------------------------- tests

    #[test]
    fn find_newline_finds_the_first_in_any_block() {
        for len in 0..40 {
            for at in 0..len {
                let mut chars = vec!['x'; len];
                chars[at] = '\n';
                if at + 3 < len {
                    chars[at + 3] = '\n';
                }
                assert_eq!(find_newline(&chars), Some(at), "len {len}, at {at}");
            }
            assert_eq!(find_newline(&vec!['y'; len]), None);
        }
    }

    #[test]
    fn stdout_writes_chars_in_order() {
        let w = world(pieces(&[]));
        let mut acts = write_str(0, "héllo\n");
        acts.push(Act::Put(0, tag(L.put)));
        acts.push(Act::Put(0, Value::string(" whole")));
        acts.push(Act::Put(0, tag(L.put)));
        acts.push(Act::Put(
            0,
            Value::cons(Value::Char('!'), Value::cons(Value::Char('?'), Value::Nil)),
        ));
        acts.push(Act::Put(0, tag(L.stop_put)));
        acts.extend(write_str(1, "oops"));
        acts.push(Act::Put(1, tag(L.stop_put)));
        let (s, _) = script(&w, &[Svc::Stdout, Svc::Stderr], acts);
        assert!(finished(&run(s)));
        assert_eq!(w.out.text(), "héllo\n whole!?");
        assert_eq!(w.err.text(), "oops");
        assert!(*w.out.flushed.lock() >= 1);
    }

    #[test]
    fn stdout_output_is_flushed_when_the_service_parks() {
        // The program prints a prompt, then waits for input that the test
        // only provides once the prompt has been written and flushed.
        let (tx, rx) = mpsc::channel();
        let w = world(Box::new(Gate(rx)));
        let mut acts = write_str(1, "name? ");
        acts.push(Act::Put(0, tag(L.get)));
        acts.push(Act::Get(0));
        acts.push(Act::Put(0, tag(L.stop_get)));
        acts.push(Act::Put(1, tag(L.stop_put)));
        let (s, got) = script(&w, &[Svc::Stdin, Svc::Stdout], acts);
        let (otx, orx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = otx.send(run(s));
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(w.out.text() == "name? " && *w.out.flushed.lock() >= 1) {
            assert!(Instant::now() < deadline, "the prompt was not flushed");
            std::thread::sleep(Duration::from_millis(5));
        }
        tx.send(b"x".to_vec()).expect("reader alive");
        let o = orx.recv_timeout(Duration::from_secs(10)).expect("run ends");
        assert!(finished(&o), "{o:?}");
        assert_eq!(chars_of(&got.lock()), "x");
    }

    #[test]
    fn stdin_answers_gets_across_chunks_and_multibyte_chars() {
        for ready in [false, true] {
            let text = "añ€😀b\n";
            let bytes = text.as_bytes();
            // Split inside every multibyte sequence.
            let parts: Vec<&[u8]> = bytes.chunks(1).collect();
            let w = world_with(pieces(&parts), ready);
            assert_eq!(get_chars(&w, text.chars().count()), text);
        }
    }

    /// What `stdin` answers to `n` `Get`s, then `StopGet` (the run must
    /// finish).
    fn get_chars(w: &World, n: usize) -> String {
        let mut acts = Vec::new();
        for _ in 0..n {
            acts.push(Act::Put(0, tag(L.get)));
            acts.push(Act::Get(0));
        }
        acts.push(Act::Put(0, tag(L.stop_get)));
        let (s, got) = script(w, &[Svc::Stdin], acts);
        assert!(finished(&run(s)));
        chars_of(&got.lock())
    }

    #[test]
    fn stdin_reads_large_input_in_chunks() {
        for ready in [false, true] {
            let text: String = (0..200_000)
                .map(|i| (b'a' + (i % 26) as u8) as char)
                .collect();
            let w = world_with(
                Box::new(std::io::Cursor::new(text.clone().into_bytes())),
                ready,
            );
            assert_eq!(get_chars(&w, text.len()), text);
        }
    }

    #[test]
    fn stdin_ends_an_unfinished_last_line_then_reports_input_exhausted() {
        for ready in [false, true] {
            let w = world_with(pieces(&[b"ab"]), ready);
            let mut acts = Vec::new();
            for _ in 0..4 {
                acts.push(Act::Put(0, tag(L.get)));
                acts.push(Act::Get(0));
            }
            let (s, got) = script(&w, &[Svc::Stdin], acts);
            let o = run(s);
            match &o {
                runtime::Outcome::InputExhausted(reports) => {
                    assert_eq!(reports.len(), 1, "{reports:?}");
                    assert_eq!(reports[0].peer_holder.as_deref(), Some("stdin"));
                }
                o => panic!("expected input exhausted, got {o:?}"),
            }
            assert_eq!(chars_of(&got.lock()), "ab\n");
        }
    }

    #[test]
    fn services_work_under_the_seeded_scheduler() {
        for seed in 0..20 {
            let w = world(pieces(&[b"x\ny", b"z"]));
            let mut acts = Vec::new();
            for _ in 0..4 {
                acts.extend([Act::Put(0, tag(L.get)), Act::Get(0)]);
            }
            acts.extend(write_str(1, "ok"));
            acts.push(Act::Put(1, tag(L.stop_put)));
            acts.push(Act::Put(0, tag(L.stop_get)));
            let (s, got) = script(&w, &[Svc::Stdin, Svc::Stdout], acts);
            let config = runtime::Config {
                seed: Some(seed),
                ..runtime::Config::default()
            };
            let o = run_config(s, 10, config);
            assert!(finished(&o), "seed {seed}: {o:?}");
            assert_eq!(chars_of(&got.lock()), "x\nyz");
            assert_eq!(w.out.text(), "ok");
        }
    }

    #[test]
    fn second_input_service_sees_end_of_input() {
        for ready in [false, true] {
            let w = world_with(pieces(&[b"a\n"]), ready);
            w.env.stdin.lock().take();
            let acts = vec![
                Act::Put(0, tag(L.read_line)),
                Act::Get(0),
                Act::Put(0, tag(L.stop_console)),
            ];
            let (s, got) = script(&w, &[Svc::Console], acts);
            assert!(finished(&run(s)));
            assert!(matches!(got.lock()[..], [Value::Tag(t)] if t == L.end_of_input));
        }
    }

    #[test]
    fn console_drops_a_carriage_return_that_ends_one_chunk_before_the_newline() {
        for ready in [false, true] {
            let w = world_with(pieces(&[b"one\r", b"\ntwo\r", b"\r\n"]), ready);
            let mut acts = Vec::new();
            for _ in 0..2 {
                acts.extend([Act::Put(0, tag(L.read_line)), Act::Get(0), Act::Get(0)]);
            }
            acts.push(Act::Put(0, tag(L.stop_console)));
            let (s, got) = script(&w, &[Svc::Console], acts);
            assert!(finished(&run(s)));
            let got = got.lock();
            // Only the `\r` right before the `\n` goes.
            assert_eq!(got[1].as_string().as_deref(), Some("one"));
            assert_eq!(got[3].as_string().as_deref(), Some("two\r"));
        }
    }

    #[test]
    fn console_reads_lines_writes_strings_and_reports_end_of_input() {
        for ready in [false, true] {
            let w = world_with(pieces(&[b"first li", b"ne\r\nsecond\n\nla", b"st"]), ready);
            let mut acts = vec![Act::Put(0, tag(L.write)), Act::Put(0, Value::string("> "))];
            // Four lines (label and text each), then end of input twice.
            for _ in 0..4 {
                acts.extend([Act::Put(0, tag(L.read_line)), Act::Get(0), Act::Get(0)]);
            }
            for _ in 0..2 {
                acts.extend([Act::Put(0, tag(L.read_line)), Act::Get(0)]);
            }
            acts.push(Act::Put(0, tag(L.write)));
            acts.push(Act::Put(0, Value::string("bye\n")));
            acts.push(Act::Put(0, tag(L.stop_console)));
            let (s, got) = script(&w, &[Svc::Console], acts);
            assert!(finished(&run(s)));
            assert_eq!(w.out.text(), "> bye\n");
            let got = got.lock();
            assert_eq!(got.len(), 10);
            for (k, want) in ["first line", "second", "", "last"].iter().enumerate() {
                assert!(matches!(got[2 * k], Value::Tag(t) if t == L.line));
                assert_eq!(got[2 * k + 1].as_string().as_deref(), Some(*want));
            }
            assert!(matches!(got[8], Value::Tag(t) if t == L.end_of_input));
            assert!(matches!(got[9], Value::Tag(t) if t == L.end_of_input));
        }
    }

    #[test]
    fn stdout_handles_a_million_chars() {
        let w = world(pieces(&[]));
        let n = 1_000_000;
        let acts = vec![Act::Many(0, 'x', n), Act::Put(0, tag(L.stop_put))];
        let (s, _) = script(&w, &[Svc::Stdout], acts);
        let t = Instant::now();
        assert!(finished(&run_with_limit(s, 60)));
        let text = w.out.text();
        assert_eq!(text.len(), n);
        assert!(text.chars().all(|c| c == 'x'));
        eprintln!("1M chars through stdout in {:?}", t.elapsed());
    }

    #[test]
    fn a_stray_message_is_an_internal_error() {
        let w = world(pieces(&[]));
        let acts = vec![Act::Put(0, Value::Int(7))];
        let (s, _) = script(&w, &[Svc::Stdout], acts);
        match run(s) {
            runtime::Outcome::Failed(e, _) => {
                assert!(e.message.starts_with("internal error"), "{}", e.message);
                assert_eq!(e.process, "stdout");
            }
            o => panic!("expected a failure, got {o:?}"),
        }
        let w = world(pieces(&[b"abc"]));
        let acts = vec![Act::Put(0, tag(L.put)), Act::Get(0)];
        let (s, _) = script(&w, &[Svc::Stdin], acts);
        match run(s) {
            runtime::Outcome::Failed(e, _) => assert_eq!(e.process, "stdin"),
            o => panic!("expected a failure, got {o:?}"),
        }
    }
}
