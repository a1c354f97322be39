//! One MPL process as a `runtime::Task`, and the dispatch loop that runs
//! its compiled code.
//!
//! The process state is plain data: a value stack holding every frame's
//! slots and temporaries, the saved frames of its callers, and the current
//! function, pc and frame base. A `get` with no message parks the task
//! without advancing the pc, so the `get` is retried when the task resumes.
//! The loop counts calls against the runtime's budget and yields when it
//! runs out; calls are the only way code can run for long, because a
//! function body has no loops. Nothing here compiles code or does I/O.

use super::RunData;
use super::code::{CFunc, Code, Op};
use super::control::{self, call, call_with, method, ret, ret_if, spawn, tail_call, tail_spawn};
use super::hot::{self, truncate};
use super::instr;
use super::ops::Fault;
use super::traced;
use crate::host::RunError;
use crate::ir::FuncId;
use crate::runtime::{ChannelId, Cx, Load, Side, Step, Task, TaskInfo};
use crate::source::Span;
use crate::value::Value;
use std::sync::Arc;

type Ctx<'a> = Cx<'a, Value, RunError>;

/// A caller waiting for a callee's value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frame {
    pub func: FuncId,
    pub pc: u32,
    pub base: u32,
}

/// A running MPL process.
pub struct Process {
    shared: Arc<RunData>,
    /// The process function, named in reports (changes on a tail spawn).
    proc_fn: FuncId,
    func: FuncId,
    pc: u32,
    base: u32,
    stack: Vec<Value>,
    frames: Vec<Frame>,
    /// The process's number in a traced run (`traced`), 0 otherwise.
    /// Free in memory: a process's box is in mimalloc's 80-byte class
    /// with or without it.
    trace_id: u32,
    /// Tests only: the deepest stack (values, frames) seen at a call.
    #[cfg(test)]
    peak: (usize, usize),
}

impl Process {
    /// A process about to run `func` with `init` in its first slots
    /// (captures, then arguments); the other slots start as `()`.
    pub fn start(shared: Arc<RunData>, func: FuncId, init: Vec<Value>) -> Result<Self, RunError> {
        match shared.code.funcs.get(func as usize) {
            Some(f) if init.len() <= f.slots as usize => Ok(Process::new(shared, func, init)),
            Some(f) => Err(super::compile::internal(
                "too many arguments",
                f.span,
                &f.name,
            )),
            None => Err(super::compile::internal(
                "unknown process",
                Default::default(),
                "?",
            )),
        }
    }

    /// As `start`, for a `func` the compiler checked.
    pub(super) fn new(shared: Arc<RunData>, func: FuncId, mut init: Vec<Value>) -> Self {
        let (slots, size) = shared
            .code
            .funcs
            .get(func as usize)
            .map_or((0, 0), |f| (f.slots as usize, f.stack_size()));
        let trace_id = match shared.trace {
            Some(_) => traced::start(&shared, func, &init),
            None => 0,
        };
        // The stack at its full size for the process's own body, made
        // once: grown by doubling, a parked process's stack was a size
        // class larger (spawn: 16 bytes a process; bench/RESULTS.md).
        init.reserve_exact(size.saturating_sub(init.len()));
        init.resize(slots, Value::Unit);
        Process {
            trace_id,
            shared,
            proc_fn: func,
            func,
            pc: 0,
            base: 0,
            stack: init,
            frames: Vec::new(),
            #[cfg(test)]
            peak: (0, 0),
        }
    }
}

impl Task<Value, RunError> for Process {
    fn run(&mut self, cx: &mut Ctx<'_>) -> Step<Value, RunError> {
        let allocated_before = crate::memory::thread_net();
        let step = self.turn(cx);
        // Checked when the process yields or waits, never per call: a
        // recursion yields every `budget` calls, so it is caught within
        // that many frames of the limit at no cost to the calls.
        if matches!(step, Step::Yield | Step::Park(_) | Step::Race(_)) {
            if self.frames.len() > self.shared.max_stack {
                return Step::Fail(self.stack_overflow());
            }
            // The same for `--max-memory` (one relaxed load per turn),
            // blaming a process whose turn made the total grow: one that
            // only waits while another floods memory is left alone.
            if crate::memory::exceeded() && crate::memory::thread_net() > allocated_before {
                // What the others hold goes with the report (see
                // `machine::census_note`).
                cx.request_census();
                return Step::Fail(self.out_of_memory(cx.live_tasks()));
            }
        }
        if self.trace_id != 0 && matches!(step, Step::Done | Step::Fail(_)) {
            traced::end(&self.shared, self.trace_id, matches!(step, Step::Fail(_)));
        }
        #[cfg(test)]
        if matches!(step, Step::Done) {
            let name = process_name(&self.shared.code, self.proc_fn);
            super::tests::record_peak(name, self.peak);
        }
        step
    }

    fn load(&self) -> Load {
        let mut queued = 0;
        for v in &self.stack {
            for_each_end(v, &mut |e| queued += e.queued(), 0);
        }
        Load {
            frames: self.frames.len(),
            queued,
        }
    }

    fn info(&self) -> TaskInfo {
        let code = &self.shared.code;
        let f = code.funcs.get(self.func as usize);
        let pc = self.pc as usize;
        let waiting_at = f.and_then(|f| match f.ops.get(pc) {
            Some(Op::Get | Op::GetSlot(_) | Op::TracedGet(_) | Op::Split(_) | Op::Race(_))
                if f.prelude =>
            {
                self.own_call()
            }
            Some(Op::Get | Op::GetSlot(_) | Op::TracedGet(_) | Op::Split(_) | Op::Race(_)) => {
                f.spans.get(pc).copied()
            }
            _ => None,
        });
        let mut holds = Vec::new();
        for v in &self.stack {
            channel_ends(v, &mut holds, 0);
        }
        TaskInfo {
            name: process_name(code, self.proc_fn),
            waiting_at,
            holds,
            channel_names: self.channel_names(),
        }
    }
}

impl Process {
    /// Runs one turn with the value stack and the frames moved out of the
    /// process into locals of this thread, and back after. In place, their
    /// lengths were written on every push and pop into the process's box,
    /// an 80-byte block that shares a cache line with the box of a process
    /// made just before or after it: two such processes on two threads
    /// made each other's every push a cache miss (bitmap on 2 threads took
    /// 1.9x the CPU of 1 thread; bench/RESULTS.md, 2026-12-02).
    fn turn(&mut self, cx: &mut Ctx<'_>) -> Step<Value, RunError> {
        let mut stack = std::mem::take(&mut self.stack);
        let mut frames = std::mem::take(&mut self.frames);
        let step = execute(self, (&mut stack, &mut frames), cx);
        self.stack = stack;
        self.frames = frames;
        step
    }

    /// The channel ends held in named slots of the process's frames, with
    /// those names: the program's own frames first (innermost first), then
    /// the prelude's, so a channel is named as the program's code names it.
    fn channel_names(&self) -> Vec<(ChannelId, String)> {
        let code = &self.shared.code;
        let frames = std::iter::once((self.func, self.base))
            .chain(self.frames.iter().rev().map(|fr| (fr.func, fr.base)));
        let (mut own, mut prelude) = (Vec::new(), Vec::new());
        // A `get` on a channel's last use takes it out of its slot: name
        // it by the slot the instruction before loaded it from.
        if let Some(f) = code.funcs.get(self.func as usize)
            && let (
                Some(Op::Get | Op::TracedGet(_) | Op::Split(_)),
                Some(Op::Load(s) | Op::Move(s)),
            ) = (
                f.ops.get(self.pc as usize),
                (self.pc as usize)
                    .checked_sub(1)
                    .and_then(|at| f.ops.get(at)),
            )
            && let (Some(name), Some(Value::Chan(end))) =
                (f.slot_names.get(*s as usize), self.stack.last())
            && !name.is_empty()
        {
            let out = if f.prelude { &mut prelude } else { &mut own };
            out.push((end.id(), name.to_string()));
        }
        for (func, base) in frames {
            let Some(f) = code.funcs.get(func as usize) else {
                continue;
            };
            let out = if f.prelude { &mut prelude } else { &mut own };
            for (slot, name) in f.slot_names.iter().enumerate() {
                if let (false, Some(Value::Chan(end))) =
                    (name.is_empty(), self.stack.get(base as usize + slot))
                {
                    out.push((end.id(), name.to_string()));
                }
            }
        }
        own.extend(prelude);
        own
    }

    /// The innermost call in the program's own code (not the prelude's)
    /// among the process's callers: where a wait inside a prelude
    /// function (`readLine`) is shown.
    fn own_call(&self) -> Option<Span> {
        callers_call(&self.shared.code, &self.frames)
    }

    /// The report of a recursion past `host::Limits::max_stack`, at the
    /// call the process is in.
    #[cold]
    fn stack_overflow(&mut self) -> RunError {
        let fault = Fault::with_help(
            format!(
                "stack overflow: more than {} calls are open at once",
                self.shared.max_stack
            ),
            Some(format!(
                "a recursion that never ends, or one deeper than the limit ({} open calls): make the recursive call the last thing the function does (a tail call runs in constant space), or raise the limit with `mpl run --max-stack N`",
                self.shared.max_stack
            )),
        );
        self.fail_here(fault)
    }

    /// The report of a run past `--max-memory`, at the instruction this
    /// process had reached: it was running when the total crossed the
    /// limit, so it is likely (not certain) to be what allocates.
    #[cold]
    fn out_of_memory(&mut self, alive: usize) -> RunError {
        use crate::memory::{allocated, limit, show_size};
        let limit = limit().map_or_else(String::new, show_size);
        let fault = Fault::with_help(
            format!(
                "out of memory: the run holds {}, more than `--max-memory` allows ({limit})",
                show_size(allocated())
            ),
            Some(format!(
                "{} alive; this one, `{}`, allocated while the run was over the limit{}. Look for a list that grows without end, a recursion that never ends, or messages put faster than they are taken; or raise the limit with `mpl run --max-memory 4G`",
                match alive {
                    1 => "1 process is".to_string(),
                    n => format!("{} are", super::counted(n, "process")),
                },
                process_name(&self.shared.code, self.proc_fn),
                match self.frames.len() {
                    0 => String::new(),
                    n => format!(", with {} open", super::counted(n, "call")),
                }
            )),
        );
        self.fail_here(fault)
    }

    /// The report of `fault` at the instruction this process had reached,
    /// with its calls; the process lets go of its frames and values.
    fn fail_here(&mut self, fault: Fault) -> RunError {
        let code = &self.shared.code;
        let at = (self.pc as usize).saturating_sub(1);
        let Some(f) = code.funcs.get(self.func as usize) else {
            return RunError::unplaced(process_name(code, self.proc_fn), fault.into_text().message);
        };
        let report = error(fault, f, at, code, self.proc_fn, &self.frames);
        self.frames.clear();
        self.stack.clear();
        report
    }
}

/// The innermost call in the program's own code among `frames`' callers.
fn callers_call(code: &Code, frames: &[Frame]) -> Option<Span> {
    frames.iter().rev().find_map(|fr| {
        let caller = code.funcs.get(fr.func as usize)?;
        (!caller.prelude).then(|| span_at(caller, (fr.pc as usize).saturating_sub(1)))
    })
}

/// Inside a prelude function (`f`), the program's call it runs for.
pub(super) fn own_call(f: &CFunc, code: &Code, frames: &[Frame]) -> Option<Span> {
    f.prelude.then(|| callers_call(code, frames)).flatten()
}

/// `Service(s)`: connects service `s` (named at `span`) for the process
/// (traced as `trace_id` if not 0): the program's end of it.
#[cold]
fn service(
    shared: &RunData,
    s: crate::ir::ServiceId,
    span: Span,
    cx: &mut Ctx<'_>,
    (_, trace_id): (&RunData, u32),
) -> Result<Value, RunError> {
    let end = instr::connect(shared, s, span, cx)?;
    if trace_id != 0 {
        traced::service(shared, trace_id, &end, span);
    }
    Ok(Value::Chan(end))
}

/// A failure of process function `f`, named after it.
fn named(mut e: RunError, code: &Code, f: FuncId) -> RunError {
    e.process = process_name(code, f);
    e
}

fn process_name(code: &Code, f: FuncId) -> String {
    code.funcs
        .get(f as usize)
        .map_or("?", |f| f.display_name())
        .to_string()
}

/// The channel ends inside `v` (nested a few levels deep), for reports.
fn channel_ends(v: &Value, out: &mut Vec<(ChannelId, Side)>, depth: u32) {
    for_each_end(v, &mut |e| out.push((e.id(), e.side())), depth);
}

/// Calls `f` on each channel end in `v` (looking at most 8 levels deep).
fn for_each_end(v: &Value, f: &mut impl FnMut(&crate::runtime::End<Value>), depth: u32) {
    if depth > 8 {
        return;
    }
    let items: &[Value] = match v {
        Value::Chan(e) => return f(e),
        Value::Tuple(items) | Value::Data(_, items) => items,
        Value::Record(r) => &r.env,
        Value::Items(items, i) => items.get(*i as usize..).unwrap_or(&[]),
        Value::Cons(c) => {
            for_each_end(&c.head, f, depth + 1);
            return for_each_end(&c.tail, f, depth + 1);
        }
        _ => return,
    };
    for item in items {
        for_each_end(item, f, depth + 1);
    }
}

#[cold]
fn error(
    fault: Fault,
    f: &CFunc,
    at: usize,
    code: &Code,
    proc_fn: FuncId,
    frames: &[Frame],
) -> RunError {
    let text = fault.into_text();
    // Innermost first: the failing instruction, then each caller's call
    // (a bounded number: a report of a deep recursion shows its top).
    let mut places: Vec<(&CFunc, Span)> = vec![(f, span_at(f, at))];
    for fr in frames.iter().rev().take(PLACES) {
        if let Some(caller) = code.funcs.get(fr.func as usize) {
            places.push((caller, span_at(caller, (fr.pc as usize).saturating_sub(1))));
        }
    }
    let unseen = frames.len().saturating_sub(PLACES);
    // The report's place is the program's own code: a failure inside the
    // prelude is shown at the call that led there.
    let own = places.iter().position(|(cf, _)| !cf.prelude).unwrap_or(0);
    // A native called without a frame (see `forward`) fails in its own
    // name, as the prelude function it stands for would.
    let native = match f.ops.get(at) {
        Some(Op::Native(n)) => Some(n.name()),
        _ => None,
    };
    let message = match (own, native) {
        (0, None) => text.message,
        (_, Some(name)) => format!("{} (in `{name}`, called here)", text.message),
        (_, None) => format!("{} (in `{}`, called here)", text.message, f.display_name()),
    };
    let trace = trace(&places[own..], unseen);
    RunError {
        message,
        span: Some(places[own].1),
        process: process_name(code, proc_fn),
        help: text.help,
        output_closed: false,
        trace,
    }
}

/// Calls a report lists at most (the rest are counted).
const TRACE_CALLS: usize = 10;

/// Frames looked at for a report (prelude frames included).
const PLACES: usize = 256;

/// The calls that led to `places[0]` in the program's own code, each
/// labelled at the call ("called from `g`"); a call repeated at one place
/// (a recursion) is one label with its count.
fn trace(places: &[(&CFunc, Span)], unseen: usize) -> Vec<(Span, String)> {
    let own: Vec<&(&CFunc, Span)> = places
        .iter()
        .skip(1)
        .filter(|(cf, _)| !cf.prelude)
        .collect();
    let mut out: Vec<(Span, String, usize)> = Vec::new();
    for (caller, span) in own.iter().copied() {
        if let Some(last) = out.last_mut()
            && last.0 == *span
        {
            last.2 += 1;
        } else if out.len() == TRACE_CALLS {
            break;
        } else {
            out.push((*span, caller.display_name().to_string(), 1));
        }
    }
    let shown: usize = out.iter().map(|(_, _, n)| n).sum();
    let more = own.len() - shown + unseen;
    let mut labels: Vec<(Span, String)> = out
        .into_iter()
        .map(|(span, caller, n)| match n {
            1 => (span, format!("called from `{caller}`")),
            n => (span, format!("called from `{caller}` ({n} times)")),
        })
        .collect();
    if more > 0
        && let Some(last) = labels.last_mut()
    {
        last.1.push_str(&format!(", and {more} more calls before"));
    }
    labels
}

fn span_at(f: &CFunc, pc: usize) -> Span {
    f.spans.get(pc).copied().unwrap_or(f.span)
}

/// The registers of a running process: its function and that function's
/// code, the pc, the frame base, and the calls left in this turn. They
/// live in a local while the process runs and are saved into the process
/// when it parks or yields.
pub(super) struct Regs<'c> {
    pub code: &'c Code,
    pub fid: FuncId,
    pub f: &'c CFunc,
    pub ip: usize,
    pub bp: usize,
    pub fuel: u32,
}

impl<'c> Regs<'c> {
    /// The instruction at the pc, the pc moved past it.
    #[inline(always)]
    fn fetch(&mut self) -> &'c Op {
        // SAFETY: `ip < f.ops.len()`. `compile::check_bounds` holds for
        // every function (each ends with `Return` and jumps only within
        // itself) and `Regs::resume` checks a saved pc, so every way the pc
        // moves keeps it in bounds (see `check_bounds`). Unchecked, the
        // loop dispatches in fewer instructions: fib(30) 579 -> 544 M,
        // lines_loop (300 kB) 118.7 -> 114.1 M (callgrind).
        debug_assert!(self.ip < self.f.ops.len(), "the pc left its function");
        let op = unsafe { self.f.ops.get_unchecked(self.ip) };
        self.ip += 1;
        op
    }

    /// The registers of a process saved at function `fid`, `ip`, `bp`,
    /// with `budget` calls to run (at least one); `None` if there is no
    /// such function or `ip` is past its end (the dispatch loop relies on
    /// it being within).
    fn resume(code: &'c Code, (fid, ip, bp): (FuncId, u32, u32), budget: u32) -> Option<Self> {
        Some(Regs {
            code,
            fid,
            f: code
                .funcs
                .get(fid as usize)
                .filter(|f| (ip as usize) < f.ops.len())?,
            ip: ip as usize,
            bp: bp as usize,
            fuel: budget.max(1),
        })
    }
}

/// What a call-like instruction asks of the loop.
pub(super) enum Flow {
    Next,
    /// The budget is used up: yield, re-running this instruction later.
    Yield,
    /// The process ended.
    Done,
}

/// Runs the process until it ends, fails, parks or uses up its budget.
///
/// Instructions that leave the registers alone are carried out by
/// `instr`; calls, returns and spawns, which move them, by [`control`].
///
/// The instruction is matched by reference, so its tag is read from the
/// code itself. A copy (`Some(&op)`) was spilled to the stack and its tag
/// read back from the spill: a store-forwarding wait on every dispatch
/// (AMD EPYC, alternating runs: fib(30) 56.0 -> 44.4 ms, lines_loop
/// 582 -> 457 ms, lines -4 %, chain -2 %).
fn execute(
    p: &mut Process,
    (stack, frames): (&mut Vec<Value>, &mut Vec<Frame>),
    cx: &mut Ctx<'_>,
) -> Step<Value, RunError> {
    let Process {
        shared,
        proc_fn,
        func,
        pc,
        base,
        trace_id,
        #[cfg(test)]
        peak,
        ..
    } = p;
    let shared: &Arc<RunData> = shared;
    let tracer = (&**shared, *trace_id);
    let code = &shared.code;
    let Some(mut r) = Regs::resume(code, (*func, *pc, *base), cx.budget()) else {
        return Step::Fail(RunError::internal("?", "unknown function or pc"));
    };

    macro_rules! save {
        () => {{
            (*func, *pc, *base) = (r.fid, r.ip as u32, r.bp as u32);
        }};
    }
    // Runs an `instr` function; a fault ends the process with a report at
    // the current instruction.
    macro_rules! attempt {
        ($result:expr) => {
            match $result {
                Ok(v) => v,
                Err(fault) => {
                    return Step::Fail(error(fault, r.f, r.ip - 1, code, *proc_fn, frames));
                }
            }
        };
    }

    // A conditional jump or pattern test, jumping when it says so. Each
    // instruction has its own arm, passing itself rebuilt from its fields,
    // so that the inlined helper's `match` folds away.
    macro_rules! jump {
        ($result:expr) => {
            if let Some(t) = attempt!($result) {
                r.ip = t as usize;
            }
        };
    }
    // A call, return or spawn (`control`); yields when the turn's budget
    // is used up, and the call runs again when the process resumes.
    macro_rules! control {
        ($result:expr) => {{
            #[cfg(test)]
            note_peak(peak, stack, frames);
            match attempt!($result) {
                Flow::Next => {}
                Flow::Yield => {
                    r.ip -= 1;
                    save!();
                    return Step::Yield;
                }
                Flow::Done => return Step::Done,
            }
        }};
    }
    // A rare instruction, carried out by `instr` with the instruction by
    // reference: passing the dispatched `op` by value keeps every
    // instruction in memory at dispatch (fib and chain were 10 % slower).
    macro_rules! cold {
        ($f:ident($($arg:expr),*)) => {
            attempt!(instr::$f($($arg,)* &r.f.ops[r.ip - 1]))
        };
    }
    // A `get`, `split` or `race`: waits (`$wait` with what to wait on)
    // when no message is there, re-running the instruction on resuming.
    macro_rules! wait {
        ($result:expr, $wait:path) => {
            if let Err(on) = attempt!($result) {
                r.ip -= 1;
                save!();
                return $wait(on);
            }
        };
    }
    loop {
        let op = r.fetch();
        let bp = r.bp;
        match *op {
            Op::Unit => hot::push_with(stack, |_| Value::Unit),
            Op::Int(n) => hot::push_with(stack, |_| Value::Int(n)),
            Op::Bool(b) => hot::push_with(stack, |_| Value::Bool(b)),
            Op::Const(k) => attempt!(hot::constant(stack, code, k)),
            Op::Char(c) => hot::push_with(stack, |_| Value::Char(c)),
            Op::Load(s) => hot::load(stack, bp + s as usize),
            Op::Move(s) => hot::take(stack, bp + s as usize),
            Op::Store(s) => attempt!(hot::store(stack, bp + s as usize)),
            Op::Pop => truncate(stack, stack.len().saturating_sub(1)),
            Op::Dup => attempt!(hot::dup(stack)),
            Op::Truncate(n) => stack.truncate(bp + n as usize),
            Op::Args => stack.push(shared.args.clone()),
            Op::Service(s) => match service(shared, s, op_span(r.f, r.ip - 1), cx, tracer) {
                Ok(end) => stack.push(end),
                Err(e) => return Step::Fail(named(e, code, *proc_fn)),
            },
            Op::Jump(t) => r.ip = t as usize,
            Op::JumpIfFalse(a) => jump!(hot::branch(stack, bp, Op::JumpIfFalse(a))),
            Op::JumpIfTrue(a) => jump!(hot::branch(stack, bp, Op::JumpIfTrue(a))),
            Op::JumpIfSlot(a, b, c) => jump!(hot::branch(stack, bp, Op::JumpIfSlot(a, b, c))),
            Op::JumpIfNot(a, b) => jump!(hot::branch(stack, bp, Op::JumpIfNot(a, b))),
            Op::JumpIfNotInt(a, b, c) => jump!(hot::branch(stack, bp, Op::JumpIfNotInt(a, b, c))),
            Op::JumpIfNotSlotInt(a, b, c, d) => {
                jump!(hot::branch(stack, bp, Op::JumpIfNotSlotInt(a, b, c, d)))
            }
            Op::JumpIfNotChar(a, b, c) => {
                jump!(hot::branch(stack, bp, Op::JumpIfNotChar(a, b, c)))
            }
            Op::JumpIfNotSlotChar(a, b, c, d) => {
                jump!(hot::branch(stack, bp, Op::JumpIfNotSlotChar(a, b, c, d)))
            }
            Op::JumpIfSlotCharIn(s, k, w, a) => jump!(hot::char_in(stack, bp, code, (s, k, w, a))),
            Op::AndThen(a) => jump!(hot::branch(stack, bp, Op::AndThen(a))),
            Op::OrElse(a) => jump!(hot::branch(stack, bp, Op::OrElse(a))),
            Op::Call(g) => control!(call(&mut r, frames, stack, g)),
            Op::LoadAddIntCall(s, k, g) => {
                control!(call_with(&mut r, frames, stack, Op::LoadAddInt(s, k), g))
            }
            Op::LoadSubIntCall(s, k, g) => {
                control!(call_with(&mut r, frames, stack, Op::LoadSubInt(s, k), g))
            }
            Op::TailCall(g) => control!(tail_call(&mut r, stack, g)),
            Op::TailCallArgs(g, k) => control!(control::tail_call_args(&mut r, stack, (g, k))),
            Op::CallDtor(d, n) => control!(method(&mut r, frames, stack, (d, n), false)),
            Op::TailCallDtor(d, n) => control!(method(&mut r, frames, stack, (d, n), true)),
            Op::Return => control!(ret(&mut r, frames, stack, None)),
            Op::ReturnSlot(s) => control!(ret(&mut r, frames, stack, Some(s))),
            Op::AddReturn => control!(control::add_return(&mut r, frames, stack)),
            Op::ReturnIfSlotInt(c, s, k, v) => {
                control!(ret_if(&mut r, frames, stack, (c, s, k, v)))
            }
            Op::Spawn(g) => control!(spawn(r.bp, stack, shared, cx, g)),
            Op::TailSpawn(g) => control!(tail_spawn(&mut r, (frames, proc_fn), stack, g, tracer)),
            Op::Halt => control!(Ok::<_, Fault>(control::halt(stack, frames))),
            Op::Tag(t) => hot::push_with(stack, |_| Value::Tag(t)),
            Op::Data(..) | Op::Tuple(_) | Op::List(_) | Op::Record(_) => {
                cold!(build(stack, bp, code))
            }
            Op::Add => attempt!(hot::arith(stack, Op::Add)),
            Op::Sub => attempt!(hot::arith(stack, Op::Sub)),
            Op::Mul => attempt!(hot::arith(stack, Op::Mul)),
            Op::Div => attempt!(hot::arith(stack, Op::Div)),
            Op::Rem => attempt!(hot::arith(stack, Op::Rem)),
            Op::AddInt(a) => attempt!(hot::int_const(stack, bp, Op::AddInt(a))),
            Op::SubInt(a) => attempt!(hot::int_const(stack, bp, Op::SubInt(a))),
            Op::LoadAddInt(a, b) => attempt!(hot::int_const(stack, bp, Op::LoadAddInt(a, b))),
            Op::LoadSubInt(a, b) => attempt!(hot::int_const(stack, bp, Op::LoadSubInt(a, b))),
            Op::Lt => attempt!(hot::compare(stack, Op::Lt)),
            Op::Le => attempt!(hot::compare(stack, Op::Le)),
            Op::Gt => attempt!(hot::compare(stack, Op::Gt)),
            Op::Ge => attempt!(hot::compare(stack, Op::Ge)),
            Op::Eq => attempt!(hot::compare(stack, Op::Eq)),
            Op::Ne => attempt!(hot::compare(stack, Op::Ne)),
            Op::Bin(_) | Op::Neg | Op::Not | Op::Index => cold!(apply(stack, bp, shared, cx)),
            Op::ShowTyped(_) | Op::Builtin(_) => cold!(apply(stack, bp, shared, cx)),
            Op::Native(_) => cold!(apply(stack, bp, shared, cx)),
            Op::Put => attempt!(hot::put(stack, shared, cx)),
            Op::Get => wait!(hot::get(stack, bp, shared, None), Step::Park),
            Op::PutSlot(s) => attempt!(hot::put_slot(stack, bp + s as usize, shared, cx)),
            Op::GetSlot(s) => wait!(hot::get_slot(stack, bp + s as usize, shared), Step::Park),
            Op::TracedPut(k) => attempt!(traced::put(stack, cx, k, (tracer, r.f, frames))),
            Op::TracedGet(k) => wait!(traced::get(stack, bp, k, (tracer, r.f, frames)), Step::Park),
            Op::Split(k) => wait!(hot::get(stack, bp, shared, Some(k)), Step::Park),
            Op::Race(k) => wait!(instr::race(stack, bp, code, k), Step::Race),
            Op::Close => *attempt!(hot::top(stack)) = Value::Unit,
            Op::NewChannel(..) | Op::Forward => cold!(channel_op(stack, bp, shared, cx)),
            Op::Fork(k) => control!(instr::fork_and_end(shared, k, (stack, bp, frames), cx)),
            Op::TestTag(a, b) => jump!(hot::test_pattern(stack, code, Op::TestTag(a, b))),
            Op::TestConst(a, b) => jump!(hot::test_pattern(stack, code, Op::TestConst(a, b))),
            Op::TestNil(a) => jump!(hot::test_pattern(stack, code, Op::TestNil(a))),
            Op::TestNilSlot(s, moved, a) => jump!(hot::test_nil_slot(stack, bp, (s, moved), a)),
            Op::PopTag(a, b) => jump!(hot::test_pattern(stack, code, Op::PopTag(a, b))),
            Op::PopConst(a, b) => jump!(hot::test_pattern(stack, code, Op::PopConst(a, b))),
            Op::PopNil(a) => jump!(hot::test_pattern(stack, code, Op::PopNil(a))),
            Op::UnData(a, b, c) => jump!(hot::test_pattern(stack, code, Op::UnData(a, b, c))),
            Op::UnTuple(a, b) => jump!(hot::test_pattern(stack, code, Op::UnTuple(a, b))),
            Op::Uncons(a) => jump!(hot::test_pattern(stack, code, Op::Uncons(a))),
            Op::UnconsHead(h, a) => jump!(hot::uncons_into(stack, bp, (h, None), a)),
            Op::UnconsInto(h, t, a) => jump!(hot::uncons_into(stack, bp, (h, Some(t)), a)),
            Op::UnconsSlot(s, h, a) => jump!(hot::uncons_slot(stack, bp, (s, h), a)),
            Op::UnList(a, b) => jump!(hot::test_pattern(stack, code, Op::UnList(a, b))),
            Op::MatchFail | Op::LetFail => attempt!(Err(instr::no_match(*op == Op::MatchFail))),
        }
    }
}

/// Tests only: the deepest stack (values, frames) seen at a call.
#[cfg(test)]
fn note_peak(peak: &mut (usize, usize), stack: &[Value], frames: &[Frame]) {
    peak.0 = peak.0.max(stack.len());
    peak.1 = peak.1.max(frames.len());
}

/// The source position of instruction `at` of `f`.
fn op_span(f: &CFunc, at: usize) -> crate::source::Span {
    f.spans.get(at).copied().unwrap_or(f.span)
}
