//! The machine for the REPL: a program that grows line by line, on a
//! runtime that stays up between lines.
//!
//! Each line the session runs is a function of the names the session
//! holds plus a reply channel (`check::resolve::resolve_line`): it runs as
//! a process of its own, and the calling thread (the REPL's) waits for the
//! tuple it sends back, so no worker is blocked while the user types. The
//! runtime is held open (`runtime::Config::hold`): quiescence is not the
//! end, and a failed process does not stop the others. While a line runs,
//! quiescence means the line can never finish: it is reported with the
//! waits, as a deadlock is, and the line's process is dropped.
//!
//! Functions are only ever added (values made by older code keep calling
//! it), and only the added ones are compiled. Nothing here parses, checks
//! or prints.

use super::RunData;
use super::code::Code;
use super::compile;
use super::exec::Process;
use crate::host::{Host, OpenServices, Output, RunError, Services};
use crate::ir::{FuncId, Program};
use crate::runtime::{self, Cx, Handle, Runtime, Step, Task, TaskInfo, WaitReport};
use crate::value::Value;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// The name the line's function runs under (`check::resolve`), as a
/// failure names its process.
const LINE_PROCESS: &str = "the session";

/// How often a waiting line looks at the runtime and the interrupt flag.
const POLL: Duration = Duration::from_millis(2);

/// Stack of the thread that is the runtime's first worker.
const WORKER_STACK: usize = 512 << 20;

/// How a line's process ended.
#[derive(Debug)]
pub enum LineOutcome {
    /// It sent back the values of the names it binds, in order.
    Done(Vec<Value>),
    Failed(RunError),
    /// Nothing can run and the line waits: it never will finish. The
    /// waits, the line's process among them, as a deadlock report.
    Stuck(Vec<WaitReport>),
    /// The interrupt flag was raised while it ran.
    Interrupted,
}

/// A growing program on a runtime held open.
pub struct Live {
    limits: crate::host::Limits,
    /// Failures of other processes seen while a line ended.
    earlier_failures: parking_lot::Mutex<Vec<RunError>>,
    /// Every function so far, and the current tables.
    program: Program,
    code: Code,
    unit: Vec<bool>,
    /// What a new process shares: tables and compiled code.
    data: Arc<RunData>,
    services: Arc<dyn Services>,
    args: Value,
    handle: Handle<Value, RunError>,
    worker: Option<std::thread::JoinHandle<()>>,
    outputs: [Output; 2],
}

impl Live {
    /// Starts the runtime with `program` (whose entry is not run): opens
    /// the services against its tables and compiles it.
    pub fn start(
        program: Program,
        mut host: Host,
        open: OpenServices,
        mut config: runtime::Config,
    ) -> Result<Live, RunError> {
        config.hold = true;
        let (io, outputs) = host.for_services();
        let services = open(&program, io)?;
        let args = Value::list(host.args.iter().map(|a| Value::string(a)).collect());
        let limits = host.limits;
        let mut code = Code::default();
        let mut unit = Vec::new();
        compile::extend_code(&program, &mut code, &mut unit, true)?;
        let data = run_data(&program, &code, &services, &args, limits);
        let rt: Runtime<Value, RunError> = Runtime::new(config);
        let handle = rt.handle();
        let worker = std::thread::Builder::new()
            .name("mpl-worker".into())
            .stack_size(WORKER_STACK)
            .spawn(move || drop(rt.run()))
            .map_err(|e| RunError::internal("repl", format!("cannot start the runtime: {e}")))?;
        Ok(Live {
            limits,
            earlier_failures: parking_lot::Mutex::new(Vec::new()),
            program,
            code,
            unit,
            data,
            services,
            args,
            handle,
            worker: Some(worker),
            outputs,
        })
    }

    /// The program so far.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Lets `grow` add functions and replace tables, then compiles what
    /// was added. Functions must only be appended.
    pub fn extend(&mut self, grow: impl FnOnce(&mut Program)) -> Result<(), RunError> {
        grow(&mut self.program);
        compile::extend_code(&self.program, &mut self.code, &mut self.unit, true)?;
        self.data = run_data(
            &self.program,
            &self.code,
            &self.services,
            &self.args,
            self.limits,
        );
        Ok(())
    }

    /// Runs line function `func` with the session's values `held` and
    /// waits until it sends its results back, fails, can never finish, or
    /// `interrupt` is raised (then its process is dropped).
    pub fn run_line(&self, func: FuncId, held: Vec<Value>, interrupt: &AtomicBool) -> LineOutcome {
        let (reply, mine) = runtime::channel();
        let mut init = held;
        init.push(Value::Chan(reply));
        let process = match Process::start(self.data.clone(), func, init) {
            Ok(p) => p,
            Err(e) => return LineOutcome::Failed(e),
        };
        let (tx, rx) = mpsc::channel();
        let reply_end = mine.clone();
        self.handle.spawn_daemon(Box::new(Reply {
            end: mine,
            tx: Some(tx),
        }));
        let id = self.handle.spawn_tracked(Box::new(process));
        let outcome = loop {
            match rx.recv_timeout(POLL) {
                Ok(v) => break LineOutcome::Done(results(v)),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break LineOutcome::Failed(RunError::internal("repl", "the reply was lost"));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if interrupt.load(Ordering::Acquire) {
                self.handle.cancel(id);
                break LineOutcome::Interrupted;
            }
            if !self.handle.is_alive(id) {
                break self.ended(&rx, &reply_end);
            }
            if self.handle.quiescent() {
                if let Ok(v) = rx.try_recv() {
                    break LineOutcome::Done(results(v));
                }
                let waits = self.handle.waiting();
                self.handle.cancel(id);
                break LineOutcome::Stuck(waits);
            }
        };
        self.flush();
        outcome
    }

    /// Waits until nothing can run (every process finished or waits), at
    /// most `limit`, or until `interrupt` is raised; then writes out what
    /// processes have written.
    pub fn settle(&self, limit: Duration, interrupt: &AtomicBool) {
        let start = std::time::Instant::now();
        while !self.handle.quiescent()
            && start.elapsed() < limit
            && !interrupt.load(Ordering::Acquire)
        {
            std::thread::sleep(POLL);
        }
        self.flush();
    }

    /// How many processes are alive, and the ones waiting in a mailbox.
    pub fn processes(&self) -> (usize, Vec<WaitReport>) {
        (self.handle.live_tasks(), self.handle.waiting())
    }

    /// The line's process is gone: it sent its results (they are in the
    /// reply mailbox, or the reply task has them), or it failed.
    fn ended(&self, rx: &mpsc::Receiver<Value>, reply: &runtime::End<Value>) -> LineOutcome {
        if let Ok(v) = rx.try_recv() {
            return LineOutcome::Done(results(v));
        }
        if let Some(v) = reply.try_get() {
            return LineOutcome::Done(results(v));
        }
        let failures = self.handle.take_failures();
        let (mine, others): (Vec<RunError>, Vec<RunError>) = failures
            .into_iter()
            .partition(|f| f.process == LINE_PROCESS);
        self.earlier_failures.lock().extend(others);
        if let Some(f) = mine.into_iter().next() {
            return LineOutcome::Failed(f);
        }
        // The reply task took the results and has yet to hand them over.
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(v) => LineOutcome::Done(results(v)),
            Err(_) => LineOutcome::Failed(RunError::internal(
                "repl",
                "the line ended without sending its results",
            )),
        }
    }

    /// Failures of processes started earlier, since the last call.
    pub fn take_failures(&self) -> Vec<RunError> {
        let mut all = std::mem::take(&mut *self.earlier_failures.lock());
        all.extend(self.handle.take_failures());
        all
    }

    /// Writes out what processes have written so far.
    pub fn flush(&self) {
        for out in &self.outputs {
            let _ = out.lock().flush();
        }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.handle.stop();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
        self.flush();
    }
}

/// A fresh `RunData` for new processes. Processes keep the one they were
/// started with, so the tables are copied (the functions' IR is not: the
/// machine runs compiled code and needs only the tables).
fn run_data(
    program: &Program,
    code: &Code,
    services: &Arc<dyn Services>,
    args: &Value,
    limits: crate::host::Limits,
) -> Arc<RunData> {
    let tables = Program {
        functions: Vec::new(),
        tags: program.tags.clone(),
        dtors: program.dtors.clone(),
        codata: program.codata.clone(),
        entry: 0,
        ctor_fields: program.ctor_fields.clone(),
        monitor: Default::default(),
        prelude: program.prelude.clone(),
    };
    Arc::new(RunData {
        program: Arc::new(tables),
        code: code.clone(),
        services: services.clone(),
        args: args.clone(),
        guard: None,
        trace: None,
        max_stack: limits.max_stack,
        max_processes: limits.max_processes,
    })
}

/// The tuple a line sends back, as a vector.
fn results(v: Value) -> Vec<Value> {
    match v {
        Value::Tuple(vs) => vs.to_vec(),
        Value::Unit => Vec::new(),
        other => vec![other],
    }
}

/// Takes the one message of a line's reply channel to the REPL's thread.
struct Reply {
    end: runtime::End<Value>,
    tx: Option<mpsc::Sender<Value>>,
}

impl Task<Value, RunError> for Reply {
    fn run(&mut self, _cx: &mut Cx<'_, Value, RunError>) -> Step<Value, RunError> {
        match self.end.try_get() {
            Some(v) => {
                if let Some(tx) = self.tx.take() {
                    let _ = tx.send(v);
                }
                Step::Done
            }
            None => Step::Park(self.end.clone()),
        }
    }

    fn info(&self) -> TaskInfo {
        TaskInfo {
            name: "the session".into(),
            waiting_at: None,
            holds: Vec::new(),
            channel_names: Vec::new(),
        }
    }
}
