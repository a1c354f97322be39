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

mod coalesce;
mod code;
mod compile;
mod control;
mod exec;
mod forward;
mod hot;
mod instr;
mod live;
mod liveness;
mod native;
mod ops;
#[cfg(test)]
mod tests;
mod traced;

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
    /// The run's trace, when it is traced (`mpl run --trace`).
    pub trace: Option<Arc<crate::trace::Trace>>,
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
    let run = Prepare {
        args: host.args,
        natives,
        limits: host.limits,
        trace: host.trace,
    };
    let outcome = match open(&program, io).and_then(|services| prepare(program, services, run)) {
        Ok(shared) => run_entry(shared, config, host.on_start),
        Err(e) => RunOutcome::Failed(e),
    };
    for out in outputs {
        let _ = out.lock().flush();
    }
    outcome
}

/// What a run takes from its host besides the program and services.
struct Prepare {
    args: Vec<String>,
    natives: bool,
    limits: crate::host::Limits,
    trace: Option<Arc<crate::trace::Trace>>,
}

/// Compiles the program (for tracing, if the run is traced) and bundles
/// what its processes share.
fn prepare(
    program: Arc<Program>,
    services: Arc<dyn Services>,
    run: Prepare,
) -> Result<Arc<RunData>, RunError> {
    compile::check_entry(&program)?;
    let code = compile::build_code(&program, run.natives, run.trace.is_some())?;
    let args = Value::list(run.args.iter().map(|a| Value::string(a)).collect());
    Ok(Arc::new(RunData {
        code,
        guard: crate::eval::guard::Guard::for_build(&program.monitor),
        trace: run.trace,
        max_stack: run.limits.max_stack,
        max_processes: run.limits.max_processes,
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
        Outcome::Failed(mut e, census) => {
            if let Some(note) = census_note(&census) {
                e.help = Some(match e.help.take() {
                    Some(help) => format!("{help}\n{note}"),
                    None => note,
                });
            }
            RunOutcome::Failed(e)
        }
        Outcome::Deadlock(w) => RunOutcome::Deadlock(w),
        Outcome::InputExhausted(w) => RunOutcome::InputExhausted(w),
        Outcome::Interrupted => RunOutcome::Interrupted,
    }
}

/// What the other processes held when the run failed (a census is taken
/// when the run ran out of memory): the longest queues of messages waiting
/// to be received, the deepest stacks, and the most numerous processes.
/// `None` when nothing stands out.
fn census_note(census: &runtime::Census) -> Option<String> {
    let mut parts = Vec::new();
    let queues = largest(
        census,
        |l| l.queued,
        1,
        |l| counted(l.queued, "message") + " waiting",
    );
    if let Some(q) = queues {
        parts.push(format!("the longest queues: {q}"));
    }
    let stacks = largest(
        census,
        |l| l.frames,
        2,
        |l| counted(l.frames, "call") + " open",
    );
    if let Some(s) = stacks {
        parts.push(format!("the deepest stacks: {s}"));
    }
    let mut by_name: std::collections::HashMap<&str, usize> = Default::default();
    for (name, _) in census {
        *by_name.entry(name).or_default() += 1;
    }
    let mut many: Vec<(&str, usize)> = by_name.into_iter().filter(|(_, n)| *n >= 1000).collect();
    many.sort_by_key(|&(name, n)| (std::cmp::Reverse(n), name));
    if !many.is_empty() {
        let items: Vec<String> = many
            .iter()
            .take(CENSUS_SHOWN)
            .map(|(name, n)| format!("`{name}` ({})", counted(*n, "process")))
            .collect();
        parts.push(format!("the most numerous: {}", items.join(", ")));
    }
    (!parts.is_empty()).then(|| format!("Held by the other processes: {}.", parts.join("; ")))
}

/// How many processes each part of a census note names.
const CENSUS_SHOWN: usize = 3;

/// The processes of `census` with the largest `key` (at least `least`),
/// largest first, each as "`name` (what)".
fn largest(
    census: &runtime::Census,
    key: impl Fn(&runtime::Load) -> usize,
    least: usize,
    what: impl Fn(&runtime::Load) -> String,
) -> Option<String> {
    let mut top: Vec<&(String, runtime::Load)> =
        census.iter().filter(|(_, l)| key(l) >= least).collect();
    top.sort_by_key(|(_, l)| std::cmp::Reverse(key(l)));
    let items: Vec<String> = top
        .iter()
        .take(CENSUS_SHOWN)
        .map(|(name, l)| format!("`{name}` ({})", what(l)))
        .collect();
    (!items.is_empty()).then(|| items.join(", "))
}

/// `n` and the noun, plural when `n` is not 1, with thousands separated.
pub(super) fn counted(n: usize, noun: &str) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match (n, noun) {
        (1, _) => format!("1 {noun}"),
        (_, "process") => format!("{grouped} processes"),
        _ => format!("{grouped} {noun}s"),
    }
}
