//! The evaluator: runs a resolved program (`crate::ir`) as processes on the
//! runtime. `machine` holds the explicit-stack machine that runs one process
//! as a `runtime::Task`; `guard` the debug-build check of every message
//! against its protocol. Values live in `crate::value`.
//!
//! I/O is not done here: the built-in services play the other side of the
//! service channels, reached only through the `host::Services` a run is given
//! (`crate::host`); this module never names a service's code.

pub mod guard;
pub mod machine;

use crate::host::RunError;
use crate::runtime::WaitReport;

/// How a run ended.
#[derive(Debug)]
pub enum RunOutcome {
    Finished,
    Failed(RunError),
    Deadlock(Vec<WaitReport>),
    InputExhausted(Vec<WaitReport>),
    Interrupted,
}

pub use machine::{LineOutcome, Live, run};
