//! What a run borrows from the world and what it reports back: the host's
//! streams, arguments and permissions ([`Host`]), a runtime failure
//! ([`RunError`]), and the one interface through which the evaluator
//! reaches the built-in services ([`Services`]).
//!
//! This module sits below both `eval` and `services`: the evaluator asks a
//! [`Services`] to connect a service by its id and never names a service's
//! code; the services implement it and never name the evaluator. `lib.rs`
//! joins the two. Nothing here does I/O or knows a service by name.

use crate::ir::{Program, ServiceId};
use crate::runtime::{self, Cx, End};
use crate::source::Span;
use crate::value::Value;
use parking_lot::Mutex;
use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// A shared output stream (stdout or stderr), injected so that tests can
/// capture what a program writes.
pub type Output = Arc<Mutex<Box<dyn Write + Send>>>;

/// An output that discards what is written (a server's log nobody reads).
pub fn discard() -> Output {
    Arc::new(Mutex::new(Box::new(std::io::sink())))
}

/// Called with the run's handle as the run starts (the command line keeps
/// it to stop the run on Ctrl-C).
pub type OnStart = Box<dyn FnOnce(runtime::Handle<Value, RunError>) + Send>;

/// A run's standard input, and whether reading it can wait.
///
/// Input that can wait (a terminal, a pipe) is read on a thread of its
/// own, so that a program waiting for a line never holds a runtime worker.
/// Input that is all there already (a regular file, bytes in memory) is read
/// where the service runs: handing each chunk over from a thread cost two
/// thread wake-ups a chunk, 6 to 12 % of `bench/workloads/lines.mpl` reading a
/// file (bench/RESULTS.md, "2026-12-04 (evening): issue 16, what cannot
/// wait is done in place").
pub struct Input {
    pub reader: Box<dyn Read + Send>,
    /// True when a read returns at once (never waits for a person or
    /// another program).
    pub ready: bool,
}

impl Input {
    /// Input that may wait: read on a thread of its own.
    pub fn waiting(reader: Box<dyn Read + Send>) -> Input {
        Input {
            reader,
            ready: false,
        }
    }

    /// Input whose reads return at once: read where it is used.
    pub fn ready(reader: Box<dyn Read + Send>) -> Input {
        Input {
            reader,
            ready: true,
        }
    }

    /// No input: end of input at the first read.
    pub fn none() -> Input {
        Input::ready(Box::new(std::io::empty()))
    }
}

/// What the outside world lends a run: its input, outputs and arguments.
pub struct Host {
    pub stdin: Input,
    pub stdout: Output,
    pub stderr: Output,
    pub args: Vec<String>,
    pub on_start: Option<OnStart>,
    /// Which files and addresses the services may reach.
    pub permissions: Permissions,
    /// How far a process may recurse, and other bounds on a run.
    pub limits: Limits,
    /// Where the run's processes and messages are recorded, if anywhere
    /// (`mpl run --trace`).
    pub trace: Option<Arc<crate::trace::Trace>>,
}

impl Host {
    /// A host with no input, no arguments, the default permissions and
    /// limits, writing to `stdout` and `stderr` (tests, benchmarks, the REPL).
    pub fn writing_to(stdout: Output, stderr: Output) -> Host {
        Host {
            stdin: Input::none(),
            stdout,
            stderr,
            args: Vec::new(),
            on_start: None,
            permissions: Permissions::default(),
            limits: Limits::default(),
            trace: None,
        }
    }

    /// The part the services play against, and the two outputs (which the
    /// evaluator flushes when a run ends).
    pub fn for_services(&mut self) -> (HostIo, [Output; 2]) {
        let outputs = [self.stdout.clone(), self.stderr.clone()];
        let io = HostIo {
            stdin: std::mem::replace(&mut self.stdin, Input::none()),
            stdout: self.stdout.clone(),
            stderr: self.stderr.clone(),
            permissions: self.permissions.clone(),
        };
        (io, outputs)
    }
}

/// The part of a [`Host`] the services play against: its streams and
/// permissions (the arguments and the start hook stay with the evaluator).
pub struct HostIo {
    pub stdin: Input,
    pub stdout: Output,
    pub stderr: Output,
    pub permissions: Permissions,
}

/// What a run may reach outside the terminal (`mpl run --allow-read=DIR
/// --allow-write=DIR --allow-net[=ADDR]`). Every path a program names is
/// resolved inside one of these roots, or refused.
#[derive(Clone, Debug)]
pub struct Permissions {
    /// Roots under which files may be read (default: the current folder).
    pub read: Vec<PathBuf>,
    /// Roots under which files may be written (default: none).
    pub write: Vec<PathBuf>,
    /// The address `ListenOnPort` binds to (default: 127.0.0.1);
    /// `None` when network access is denied.
    pub listen: Option<IpAddr>,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            read: vec![PathBuf::from(".")],
            write: Vec::new(),
            listen: Some(IpAddr::from([127, 0, 0, 1])),
        }
    }
}

/// Bounds on a run (`mpl run --max-stack`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Calls a process may have open at once (its stack depth): a deeper
    /// recursion fails with "stack overflow" before it exhausts memory.
    pub max_stack: usize,
    /// Processes alive at once: a spawn past it fails the run with a
    /// report at the call, before the processes exhaust memory.
    pub max_processes: usize,
}

impl Limits {
    /// A million-deep recursion runs; an open call costs roughly 100
    /// bytes, so the default bounds a process near a quarter gigabyte.
    pub const DEFAULT_MAX_STACK: usize = 2_000_000;
    /// A parked process costs about 600 bytes: a million is about 0.6
    /// GB, far beyond any program of a lab, short of a machine's memory.
    pub const DEFAULT_MAX_PROCESSES: usize = 1_000_000;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stack: Limits::DEFAULT_MAX_STACK,
            max_processes: Limits::DEFAULT_MAX_PROCESSES,
        }
    }
}

/// A runtime failure: what happened, where (if anywhere in the source),
/// and in which process.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    pub message: String,
    /// The source position the failure belongs to; `None` for failures
    /// with no place in the program (a closed output stream, say).
    pub span: Option<Span>,
    pub process: String,
    pub help: Option<String>,
    /// The failure is a write to an output whose reader has gone (a closed
    /// pipe, as in `mpl run prog.mpl | head -1`): the run ends quietly.
    pub output_closed: bool,
    /// The calls that led to `span`, innermost first: where each caller
    /// called, and what (the program's own functions; the prelude's are
    /// left out).
    pub trace: Vec<(Span, String)>,
}

impl RunError {
    /// A failure at `span` in `process`.
    pub fn at(span: Span, process: impl Into<String>, message: impl Into<String>) -> RunError {
        RunError {
            message: message.into(),
            span: Some(span),
            process: process.into(),
            help: None,
            output_closed: false,
            trace: Vec::new(),
        }
    }

    /// A failure with no source position (I/O of a service, say).
    pub fn unplaced(process: impl Into<String>, message: impl Into<String>) -> RunError {
        RunError {
            message: message.into(),
            span: None,
            process: process.into(),
            help: None,
            output_closed: false,
            trace: Vec::new(),
        }
    }

    /// An internal error: something the checker should have made
    /// impossible, or a service disagreeing with the prelude.
    pub fn internal(process: impl Into<String>, message: impl std::fmt::Display) -> RunError {
        RunError::unplaced(process, format!("internal error: {message}"))
    }

    /// A write to `stream` failed with `e`; a broken pipe is marked so
    /// that the run ends quietly.
    pub fn write_failed(process: &str, stream: &str, e: &std::io::Error) -> RunError {
        let mut error = RunError::unplaced(process, format!("cannot write to {stream}: {e}"));
        error.output_closed = e.kind() == std::io::ErrorKind::BrokenPipe;
        error
    }

    pub fn with_help(mut self, help: impl Into<String>) -> RunError {
        self.help = Some(help.into());
        self
    }
}

/// The built-in services of one run, as the evaluator sees them: it knows
/// their ids (`ir::ServiceId`), not their code.
pub trait Services: Send + Sync {
    /// Starts service `id` as a daemon task and returns the program's end
    /// of its channel. `span` is where the program names the service.
    fn connect(
        &self,
        id: ServiceId,
        span: Span,
        cx: &mut Cx<'_, Value, RunError>,
    ) -> Result<End<Value>, RunError>;

    /// A request the program made of a service that failed and was never
    /// made good later in the run (a port that could not be bound): a run
    /// that otherwise finishes ends with this failure, so that scripts see
    /// a non-zero exit status.
    fn unmet(&self) -> Option<RunError> {
        None
    }
}

/// Opens the services for one run of `program` (`crate::services::open`).
/// It fails when a service and the prelude disagree (a label missing).
pub type OpenServices = fn(&Program, HostIo) -> Result<Arc<dyn Services>, RunError>;
