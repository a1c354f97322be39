//! The evaluator: runs a resolved program (`crate::ir`) as processes on the
//! runtime. `value` holds the values; `machine` the explicit-stack machine
//! that runs one process as a `runtime::Task`. I/O is not done here: the
//! services (`crate::services`) play the other side of the service channels,
//! through the handles in [`Host`].

pub mod guard;
pub mod machine;
pub mod value;

use crate::ir::Program;
use crate::runtime::{self, WaitReport};
use crate::source::Span;
use parking_lot::Mutex;
use std::io::{Read, Write};
use std::sync::Arc;

/// A shared output stream (stdout or stderr), injected so that tests can
/// capture what a program writes.
pub type Output = Arc<Mutex<Box<dyn Write + Send>>>;

/// Called with the run's handle as the run starts (the command line keeps
/// it to stop the run on Ctrl-C).
pub type OnStart = Box<dyn FnOnce(runtime::Handle<value::Value, RunError>) + Send>;

/// What the outside world lends a run: its input, outputs and arguments.
pub struct Host {
    pub stdin: Box<dyn Read + Send>,
    pub stdout: Output,
    pub stderr: Output,
    pub args: Vec<String>,
    pub on_start: Option<OnStart>,
    /// Which files and addresses the services may reach.
    pub permissions: crate::services::Permissions,
}

/// A runtime failure: what happened, where, and in which process.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    pub message: String,
    pub span: Span,
    pub process: String,
    pub help: Option<String>,
}

/// How a run ended.
#[derive(Debug)]
pub enum RunOutcome {
    Finished,
    Failed(RunError),
    Deadlock(Vec<WaitReport>),
    InputExhausted(Vec<WaitReport>),
    Interrupted,
}

/// Runs `program` to the end. Output written by the program is flushed
/// before this returns, whatever the outcome.
pub fn run(program: Arc<Program>, host: Host, config: runtime::Config) -> RunOutcome {
    machine::run(program, host, config)
}
