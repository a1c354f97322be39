//! The evaluator: runs a resolved program (`crate::ir`) as processes on the
//! runtime. `machine` holds the explicit-stack machine that runs one process
//! as a `runtime::Task`; `guard` the debug-build check of every message
//! against its protocol. Values live in `crate::value`.
//!
//! I/O is not done here: the built-in services play the other side of the
//! service channels, reached only through the [`Services`] a run is given
//! (`crate::host`); this module never names a service's code.

pub mod guard;
pub mod machine;

use crate::host::{Host, OpenServices, RunError};
use crate::ir::Program;
use crate::runtime::{self, WaitReport};
use std::sync::Arc;

#[doc(no_inline)]
pub use crate::host::Services;

/// How a run ended.
#[derive(Debug)]
pub enum RunOutcome {
    Finished,
    Failed(RunError),
    Deadlock(Vec<WaitReport>),
    InputExhausted(Vec<WaitReport>),
    Interrupted,
}

/// Runs `program` to the end, reaching services through what `open`
/// makes of the host. Output written by the program is flushed before
/// this returns, whatever the outcome.
pub fn run(
    program: Arc<Program>,
    host: Host,
    open: OpenServices,
    config: runtime::Config,
) -> RunOutcome {
    machine::run(program, host, open, config)
}
