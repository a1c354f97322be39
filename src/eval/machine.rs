//! The explicit-stack machine: runs a resolved program (`crate::ir`) as
//! processes on the runtime.
//!
//! Before anything runs, every function body is compiled once into a flat
//! instruction sequence (`code`, `compile`). A process is then a
//! `runtime::Task` whose state is plain data: one value stack (frame slots
//! and temporaries) and a vector of saved frames (`exec`). No MPL call uses
//! Rust recursion; tail calls and tail spawns reuse the current frame.
//! The loop's instruction bodies live in `hot` (frequent), `control`
//! (calls, returns, spawns) and `instr` (rare); arithmetic, comparisons and
//! builtins in `ops`; last uses of slots become moves in `liveness`; native
//! bodies of prelude functions live in `native`.
//!
//! This file holds the entry point [`run`] and what a run shares between its
//! processes. It does no I/O itself: the services do, through the host's
//! streams, which are flushed here at the end of a run.

mod code;
mod compile;
mod control;
mod exec;
mod hot;
mod instr;
mod live;
mod liveness;
mod native;
mod ops;
#[cfg(test)]
mod tests;

use super::RunOutcome;
use crate::host::{Host, OnStart, OpenServices, RunError, Services};
use crate::ir::Program;
use crate::runtime::{self, Outcome, Runtime};
use crate::value::Value;
use std::io::Write;
use std::sync::Arc;

pub(crate) use exec::Process;
pub use live::{LineOutcome, Live};

/// What every process of one run reads: the program, its compiled code, the
/// run's services and the command-line arguments.
pub(crate) struct RunData {
    pub program: Arc<Program>,
    pub code: code::Code,
    pub services: Arc<dyn Services>,
    /// The host arguments as a `[String]` value.
    pub args: Value,
    /// The soundness guard (debug builds only).
    pub guard: Option<crate::eval::guard::Guard>,
    /// Open calls a process may have (`host::Limits::max_stack`).
    pub max_stack: usize,
    /// Processes alive at once (`host::Limits::max_processes`).
    pub max_processes: usize,
}

/// Runs `program` from its entry wiring to the end and maps the runtime's
/// outcome. The host's outputs are flushed before this returns.
pub fn run(
    program: Arc<Program>,
    host: Host,
    open: OpenServices,
    config: runtime::Config,
) -> RunOutcome {
    run_with(program, host, open, config, true)
}

/// `run`; `natives` says whether prelude functions may run natively
/// (`native`), which the tests turn off to compare.
fn run_with(
    program: Arc<Program>,
    mut host: Host,
    open: OpenServices,
    config: runtime::Config,
    natives: bool,
) -> RunOutcome {
    let (io, outputs) = host.for_services();
    let limits = host.limits;
    let outcome = match open(&program, io)
        .and_then(|services| prepare(program, services, host.args, natives, limits))
    {
        Ok(shared) => run_entry(shared, config, host.on_start),
        Err(e) => RunOutcome::Failed(e),
    };
    for out in outputs {
        let _ = out.lock().flush();
    }
    outcome
}

/// Compiles the program and bundles what its processes share.
fn prepare(
    program: Arc<Program>,
    services: Arc<dyn Services>,
    args: Vec<String>,
    natives: bool,
    limits: crate::host::Limits,
) -> Result<Arc<RunData>, RunError> {
    compile::check_entry(&program)?;
    let code = compile::build_code(&program, natives)?;
    let args = Value::list(args.iter().map(|a| Value::string(a)).collect());
    Ok(Arc::new(RunData {
        code,
        guard: crate::eval::guard::Guard::for_build(&program.monitor),
        max_stack: limits.max_stack,
        max_processes: limits.max_processes,
        program,
        services,
        args,
    }))
}

fn run_entry(
    shared: Arc<RunData>,
    config: runtime::Config,
    on_start: Option<OnStart>,
) -> RunOutcome {
    let entry = shared.program.entry;
    let services = shared.services.clone();
    let first = match Process::start(shared, entry, Vec::new()) {
        Ok(p) => p,
        Err(e) => return RunOutcome::Failed(e),
    };
    let rt: Runtime<Value, RunError> = Runtime::new(config);
    if let Some(f) = on_start {
        f(rt.handle());
    }
    rt.handle().spawn(Box::new(first));
    match outcome(rt.run()) {
        RunOutcome::Finished => match services.unmet() {
            Some(e) => RunOutcome::Failed(e),
            None => RunOutcome::Finished,
        },
        other => other,
    }
}

fn outcome(o: Outcome<RunError>) -> RunOutcome {
    match o {
        Outcome::Finished => RunOutcome::Finished,
        Outcome::Failed(e) => RunOutcome::Failed(e),
        Outcome::Deadlock(w) => RunOutcome::Deadlock(w),
        Outcome::InputExhausted(w) => RunOutcome::InputExhausted(w),
        Outcome::Interrupted => RunOutcome::Interrupted,
    }
}
