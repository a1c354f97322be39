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
use super::control::{call, fork, method, ret, spawn, tail_call, tail_spawn};
use super::instr::{self, discard, truncate};
use super::ops::Fault;
use crate::host::RunError;
use crate::ir::FuncId;
use crate::runtime::{self, ChannelId, Cx, Side, Step, Task, TaskInfo};
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
        let slots = shared.code.funcs.get(func as usize).map_or(0, |f| f.slots);
        init.resize(slots as usize, Value::Unit);
        Process {
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
        let step = execute(self, cx);
        #[cfg(test)]
        if matches!(step, Step::Done) {
            let name = process_name(&self.shared.code, self.proc_fn);
            super::tests::record_peak(name, self.peak);
        }
        step
    }

    fn info(&self) -> TaskInfo {
        let code = &self.shared.code;
        let f = code.funcs.get(self.func as usize);
        let pc = self.pc as usize;
        let waiting_at = f.and_then(|f| match f.ops.get(pc) {
            Some(Op::Get | Op::Split(_)) => f.spans.get(pc).copied(),
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
        }
    }
}

fn process_name(code: &Code, f: FuncId) -> String {
    code.funcs
        .get(f as usize)
        .map_or("?", |f| f.display_name())
        .to_string()
}

/// The channel ends inside `v` (nested a few levels deep), for reports.
fn channel_ends(v: &Value, out: &mut Vec<(ChannelId, Side)>, depth: u32) {
    if depth > 8 {
        return;
    }
    let items: &[Value] = match v {
        Value::Chan(e) => return out.push((e.id(), e.side())),
        Value::Tuple(items) | Value::Data(_, items) => items,
        Value::Record(r) => &r.env,
        Value::Cons(c) => {
            channel_ends(&c.head, out, depth + 1);
            return channel_ends(&c.tail, out, depth + 1);
        }
        _ => return,
    };
    for item in items {
        channel_ends(item, out, depth + 1);
    }
}

#[cold]
fn error(fault: Fault, f: &CFunc, at: usize, code: &Code, proc_fn: FuncId) -> RunError {
    let text = fault.into_text();
    RunError {
        message: text.message,
        span: Some(f.spans.get(at).copied().unwrap_or(f.span)),
        process: process_name(code, proc_fn),
        help: text.help,
    }
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
fn execute(p: &mut Process, cx: &mut Ctx<'_>) -> Step<Value, RunError> {
    let Process {
        shared,
        proc_fn,
        func,
        pc,
        base,
        stack,
        frames,
        #[cfg(test)]
        peak,
    } = p;
    let shared: &Arc<RunData> = shared;
    let code = &shared.code;
    let Some(f) = code.funcs.get(*func as usize) else {
        return Step::Fail(RunError::internal("?", "unknown function"));
    };
    let mut r = Regs {
        code,
        fid: *func,
        f,
        ip: *pc as usize,
        bp: *base as usize,
        fuel: cx.budget().max(1),
    };

    macro_rules! save {
        () => {{
            *func = r.fid;
            *pc = r.ip as u32;
            *base = r.bp as u32;
        }};
    }
    // Runs an `instr` function; a fault ends the process with a report at
    // the current instruction.
    macro_rules! attempt {
        ($result:expr) => {
            match $result {
                Ok(v) => v,
                Err(fault) => return Step::Fail(error(fault, r.f, r.ip - 1, code, *proc_fn)),
            }
        };
    }

    // A conditional jump or pattern test: jumps when it says so. Each
    // instruction has its own arm, so that the inlined helper's own
    // `match` on the instruction folds away.
    macro_rules! jump {
        ($result:expr) => {
            if let Some(t) = attempt!($result) {
                r.ip = t as usize;
            }
        };
    }
    // A call, return or spawn (`control`): yields when the turn's budget
    // is used up, before the call, which then runs again.
    macro_rules! control {
        ($result:expr) => {{
            #[cfg(test)]
            {
                peak.0 = peak.0.max(stack.len());
                peak.1 = peak.1.max(frames.len());
            }
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

    loop {
        let Some(&op) = r.f.ops.get(r.ip) else {
            r.ip += 1;
            attempt!(Err(Fault::internal("ran off the end of a function")));
            continue;
        };
        r.ip += 1;
        let bp = r.bp;
        match op {
            Op::Unit => stack.push(Value::Unit),
            Op::Int(n) => stack.push(Value::Int(n)),
            Op::Bool(b) => stack.push(Value::Bool(b)),
            Op::Const(k) => match code.consts.get(k as usize) {
                Some(v) => stack.push(v.clone()),
                None => attempt!(Err(Fault::internal("unknown constant"))),
            },
            Op::Char(c) => stack.push(Value::Char(c)),
            Op::Load(s) => {
                let v = stack[bp + s as usize].clone();
                stack.push(v);
            }
            Op::Move(s) => {
                let v = std::mem::replace(&mut stack[bp + s as usize], Value::Unit);
                stack.push(v);
            }
            Op::Store(s) => {
                let v = attempt!(instr::pop(stack));
                discard(std::mem::replace(&mut stack[bp + s as usize], v));
            }
            Op::Pop => truncate(stack, stack.len().saturating_sub(1)),
            Op::Dup => {
                let v = attempt!(instr::top(stack)).clone();
                stack.push(v);
            }
            Op::Truncate(n) => stack.truncate(bp + n as usize),
            Op::Args => stack.push(shared.args.clone()),
            Op::Service(s) => match connect(shared, s, op_span(r.f, r.ip - 1), cx) {
                Ok(end) => stack.push(Value::Chan(end)),
                Err(mut e) => {
                    e.process = process_name(code, *proc_fn);
                    return Step::Fail(e);
                }
            },

            Op::Jump(t) => r.ip = t as usize,
            Op::JumpIfFalse(_) => jump!(instr::branch(stack, bp, op)),
            Op::JumpIfTrue(_) => jump!(instr::branch(stack, bp, op)),
            Op::JumpIfNot(..) => jump!(instr::branch(stack, bp, op)),
            Op::JumpIfNotInt(..) => jump!(instr::branch(stack, bp, op)),
            Op::JumpIfNotSlotInt(..) => jump!(instr::branch(stack, bp, op)),
            Op::JumpIfNotChar(..) => jump!(instr::branch(stack, bp, op)),
            Op::JumpIfNotSlotChar(..) => jump!(instr::branch(stack, bp, op)),
            Op::AndThen(_) => jump!(instr::branch(stack, bp, op)),
            Op::OrElse(_) => jump!(instr::branch(stack, bp, op)),
            Op::Call(g) => control!(call(&mut r, frames, stack, g)),
            Op::TailCall(g) => control!(tail_call(&mut r, stack, g)),
            Op::CallDtor(d, n) => control!(method(&mut r, frames, stack, (d, n), false)),
            Op::TailCallDtor(d, n) => control!(method(&mut r, frames, stack, (d, n), true)),
            Op::Return => control!(ret(&mut r, frames, stack, None)),
            Op::ReturnSlot(s) => control!(ret(&mut r, frames, stack, Some(s))),
            Op::Spawn(g) => control!(spawn(r.bp, stack, shared, cx, g)),
            Op::TailSpawn(g) => control!(tail_spawn(&mut r, (frames, proc_fn), stack, g)),
            Op::Halt => {
                stack.clear();
                frames.clear();
                return Step::Done;
            }

            Op::Tag(t) => stack.push(Value::Tag(t)),
            Op::Data(..) | Op::Tuple(_) | Op::List(_) | Op::Record(_) => {
                attempt!(instr::build(stack, bp, code, op))
            }
            Op::Add => attempt!(instr::arith(stack, op)),
            Op::Sub => attempt!(instr::arith(stack, op)),
            Op::Mul => attempt!(instr::arith(stack, op)),
            Op::Div => attempt!(instr::arith(stack, op)),
            Op::Rem => attempt!(instr::arith(stack, op)),
            Op::AddInt(_) => attempt!(instr::int_const(stack, bp, op)),
            Op::SubInt(_) => attempt!(instr::int_const(stack, bp, op)),
            Op::LoadAddInt(..) => attempt!(instr::int_const(stack, bp, op)),
            Op::LoadSubInt(..) => attempt!(instr::int_const(stack, bp, op)),
            Op::Lt => attempt!(instr::compare(stack, op)),
            Op::Le => attempt!(instr::compare(stack, op)),
            Op::Gt => attempt!(instr::compare(stack, op)),
            Op::Ge => attempt!(instr::compare(stack, op)),
            Op::Eq => attempt!(instr::compare(stack, op)),
            Op::Ne => attempt!(instr::compare(stack, op)),
            Op::Bin(_)
            | Op::Neg
            | Op::Not
            | Op::Index
            | Op::ShowTyped(_)
            | Op::Native(_)
            | Op::Builtin(_) => attempt!(instr::apply(stack, bp, shared, op)),

            Op::Put => attempt!(instr::put(stack, shared, cx)),
            Op::Get | Op::Split(_) => {
                if let Err(end) = attempt!(instr::get(stack, bp, shared, op)) {
                    r.ip -= 1;
                    save!();
                    return Step::Park(end);
                }
            }
            Op::Close | Op::NewChannel(..) | Op::Forward => {
                let span = op_span(r.f, r.ip - 1);
                attempt!(instr::channel_op(stack, bp, shared, cx, op, span))
            }
            Op::Fork(k) => control!(fork((bp, stack, frames), shared, cx, k)),

            Op::TestTag(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::TestConst(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::TestNil(_) => jump!(instr::test_pattern(stack, code, op)),
            Op::PopTag(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::PopConst(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::PopNil(_) => jump!(instr::test_pattern(stack, code, op)),
            Op::UnData(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::UnTuple(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::Uncons(_) => jump!(instr::test_pattern(stack, code, op)),
            Op::UnList(..) => jump!(instr::test_pattern(stack, code, op)),
            Op::MatchFail | Op::LetFail => attempt!(Err(instr::no_match(op))),
        }
    }
}

/// The source position of instruction `at` of `f`.
fn op_span(f: &CFunc, at: usize) -> crate::source::Span {
    f.spans.get(at).copied().unwrap_or(f.span)
}

/// Connects a built-in service for the process (the guard learns its
/// protocol).
#[inline(never)]
fn connect(
    shared: &RunData,
    service: crate::ir::ServiceId,
    span: crate::source::Span,
    cx: &mut Ctx<'_>,
) -> Result<runtime::End<Value>, RunError> {
    let end = shared.services.connect(service, span, cx)?;
    if let Some(g) = &shared.guard {
        g.service(&end, service);
    }
    Ok(end)
}
