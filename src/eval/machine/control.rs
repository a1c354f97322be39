//! Calls, returns and spawns: the instructions that move a process's
//! registers (`exec::Regs`). One small function per instruction, all but
//! `spawn` inlined into the dispatch loop; a call first spends one unit of the
//! turn's budget and asks the loop to yield when none is left.
//!
//! The frame layout: a frame's slots start at `bp`; a call's arguments,
//! already on the stack, become the callee's first slots, and its other
//! slots start as `()` (after a tail call a slot may still hold a plain
//! value of the caller's: compiled code writes every slot before reading
//! it). Nothing here builds values or touches channels.

use super::RunData;
use super::code::{ArgSrc, CFunc, Code, Op, TailArgs};
use super::exec::{Flow, Frame, Process, Regs};
use super::hot::{self as instr, InstrResult, discard, truncate};
use super::instr::open_record;
use super::ops::{self, Fault};
use crate::host::RunError;
use crate::ir::{BinOp, DtorId, FuncId, Slot};
use crate::runtime::Cx;
use crate::value::{self, Value};
use std::sync::Arc;

type Ctx<'a> = Cx<'a, Value, RunError>;

fn func(code: &Code, g: FuncId) -> InstrResult<&CFunc> {
    code.funcs
        .get(g as usize)
        .ok_or_else(|| Fault::internal("unknown function"))
}

/// Spends one unit of the budget; `false` when none is left.
#[inline(always)]
fn tick(r: &mut Regs<'_>) -> bool {
    if r.fuel == 0 {
        return false;
    }
    r.fuel -= 1;
    true
}

/// Starts running `callee` (function `g`) in the frame at `r.bp`.
#[inline(always)]
fn enter<'c>(r: &mut Regs<'c>, stack: &mut Vec<Value>, g: FuncId, callee: &'c CFunc) -> Flow {
    let want = r.bp + callee.slots as usize;
    while stack.len() < want {
        instr::push_with(stack, |_| Value::Unit);
    }
    r.fid = g;
    r.f = callee;
    r.ip = 0;
    Flow::Next
}

/// Saves the caller's registers and makes the frame at `from` current.
#[inline(always)]
fn push_frame(r: &mut Regs<'_>, frames: &mut Vec<Frame>, from: usize) {
    frames.push(Frame {
        func: r.fid,
        pc: r.ip as u32,
        base: r.bp as u32,
    });
    r.bp = from;
}

/// `Call(g)`: the arguments on top become the callee's first slots.
#[inline(always)]
pub(super) fn call<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    g: FuncId,
) -> InstrResult<Flow> {
    if !tick(r) {
        return Ok(Flow::Yield);
    }
    invoke(r, frames, stack, g)
}

/// `LoadAddIntCall`/`LoadSubIntCall`: pushes the last argument (`arg`, a
/// `LoadAddInt` or `LoadSubInt`), then calls `g`. The budget is spent
/// first, so that an instruction that yields has pushed nothing and runs
/// again whole.
#[inline(always)]
pub(super) fn call_with<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    arg: Op,
    g: FuncId,
) -> InstrResult<Flow> {
    if !tick(r) {
        return Ok(Flow::Yield);
    }
    instr::int_const(stack, r.bp, arg)?;
    invoke(r, frames, stack, g)
}

/// A call whose unit of budget is spent: a frame for `g` over its
/// arguments on top.
#[inline(always)]
fn invoke<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    g: FuncId,
) -> InstrResult<Flow> {
    let callee = func(r.code, g)?;
    let from = instr::below(stack, callee.params as usize, r.bp)?;
    push_frame(r, frames, from);
    Ok(enter(r, stack, g, callee))
}

/// `TailCall(g)`: the arguments move down onto the current frame's first
/// slots (`from >= bp`), which the callee reuses.
#[inline(always)]
pub(super) fn tail_call<'c>(
    r: &mut Regs<'c>,
    stack: &mut Vec<Value>,
    g: FuncId,
) -> InstrResult<Flow> {
    let code = r.code;
    if !tick(r) {
        return Ok(Flow::Yield);
    }
    let callee = func(code, g)?;
    let n = callee.params as usize;
    let from = instr::below(stack, n, r.bp)?;
    // The arguments change places with the first slots: one swap of the
    // two runs where they do not overlap (the frame has as many slots as
    // the callee has parameters), else one by one.
    let (frame, args) = stack[r.bp..].split_at_mut(from - r.bp);
    if let Some(first) = frame.get_mut(..n) {
        first.swap_with_slice(&mut args[..n]);
    } else {
        for i in 0..n {
            stack.swap(r.bp + i, from + i);
        }
    }
    let slots = callee.slots as usize;
    reset_slots(stack, r.bp, (n, slots), (n, slots));
    Ok(enter(r, stack, g, callee))
}

/// After a tail call's `n` arguments are in the first slots of the frame
/// at `bp`: the frame is cut to the callee's `slots` and slots `lo..hi`
/// (the callee's others, or fewer: `TailArgs::reset`) are reset where
/// they are, rather than dropped and pushed again (a self tail call of the
/// same frame size, a loop, pushes nothing). A plain value is left in
/// place: every slot is written before it is read, and it holds nothing
/// to free.
#[inline(always)]
fn reset_slots(
    stack: &mut Vec<Value>,
    bp: usize,
    (n, slots): (usize, usize),
    (lo, hi): (usize, usize),
) {
    truncate(stack, bp + slots.max(n));
    let end = (bp + hi).min(stack.len());
    for v in &mut stack[(bp + lo).min(end)..end] {
        if !instr::is_plain(v) {
            discard(std::mem::replace(v, Value::Unit));
        }
    }
}

/// `TailCallArgs(g, k)`: a tail call whose arguments come from slots and
/// constants (`code.tail_args[k]`), each written into its slot as it is
/// read (the compiler checked that none reads a slot already written),
/// instead of pushed one instruction each and swapped down (lines_loop: a
/// character's 8 instructions become 5).
#[inline(always)]
pub(super) fn tail_call_args<'c>(
    r: &mut Regs<'c>,
    stack: &mut Vec<Value>,
    (g, k): (FuncId, u32),
) -> InstrResult<Flow> {
    let code = r.code;
    if !tick(r) {
        return Ok(Flow::Yield);
    }
    let args = code
        .tail_args
        .get(k as usize)
        .ok_or_else(|| Fault::internal("unknown tail call arguments"))?;
    if g == r.fid {
        loop_step(stack, r.bp, args, r.f.slots as usize)?;
        r.ip = 0;
        return Ok(Flow::Next);
    }
    let callee = func(code, g)?;
    let n = callee.params as usize;
    args_into_frame(stack, r.bp, args, (n, callee.slots as usize))?;
    Ok(enter(r, stack, g, callee))
}

/// A self `TailCallArgs`, a loop step: the frame is already the
/// function's, of its `slots`, so there is nothing to look up or to grow;
/// the arguments are written into it, the temporaries above it dropped and
/// the reset skipped when it is empty (lines_loop's, see
/// `liveness::loop_written`). Kept apart from `args_into_frame`, which
/// also serves calls of other functions and grows frames: lines_loop on
/// 300 kB, 109.9 -> 106.0 M machine instructions (about 13 a character).
#[inline(always)]
fn loop_step(stack: &mut Vec<Value>, bp: usize, args: &TailArgs, slots: usize) -> InstrResult<()> {
    debug_assert!(stack.len() >= bp + slots, "a frame below its size");
    let first = args.first as usize;
    for (i, src) in args.srcs.iter().enumerate() {
        put_arg(stack, bp, first + i, *src)?;
    }
    truncate(stack, bp + slots);
    let (lo, hi) = args.reset;
    if lo < hi {
        reset_slots(stack, bp, (0, slots), (lo as usize, hi as usize));
    }
    Ok(())
}

/// The arguments of a `TailCallArgs` into slots `bp..` (`args.srcs` for
/// the first of the callee's `n`; the others are in their slots already),
/// then [`reset_slots`] of `args.reset`. Inlined: a call of its own cost a
/// loop step its register saves and argument set-up (lines_loop, 1 MiB, callgrind:
/// 409.6 -> 386.9 M instructions; 10 MiB 437 -> 414 ms, alternating,
/// median of 15; fib(30) and chain unchanged). It was kept out of line
/// when the loop step had more to do and fib ran 6 % slower with it in.
#[inline(always)]
fn args_into_frame(
    stack: &mut Vec<Value>,
    bp: usize,
    args: &TailArgs,
    (n, slots): (usize, usize),
) -> InstrResult<()> {
    if stack.len() < bp + n {
        stack.resize(bp + n, Value::Unit);
    }
    let first = args.first as usize;
    for (i, src) in args.srcs.iter().enumerate() {
        put_arg(stack, bp, first + i, *src)?;
    }
    let (lo, hi) = args.reset;
    reset_slots(stack, bp, (n, slots), (lo as usize, hi as usize));
    Ok(())
}

/// The slot at `i`, which compiled code never reads past the frame.
#[inline(always)]
fn slot(stack: &mut [Value], i: usize) -> InstrResult<&mut Value> {
    stack
        .get_mut(i)
        .ok_or_else(|| Fault::internal("an argument from past the frame"))
}

/// Writes argument `i` of a `TailCallArgs` from `src` into its slot. Each
/// value is built in the slot itself: returned through a `Result` first,
/// it went through memory in pieces the processor then read back whole
/// and stalled on (a store-forwarding stall per argument; lines_loop was
/// 12 % slower than with the unfused instructions).
#[inline(always)]
fn put_arg(stack: &mut [Value], bp: usize, i: usize, src: ArgSrc) -> InstrResult<()> {
    let at = |s: Slot| bp + s as usize;
    let int = |v: &Value, k: i32, op: BinOp| match (v, op) {
        (Value::Int(x), BinOp::Add) => x.checked_add(k as i64).ok_or_else(|| ops::overflow(op)),
        (Value::Int(x), _) => x.checked_sub(k as i64).ok_or_else(|| ops::overflow(op)),
        _ => Err(Fault::internal(
            "an operand of an Int operator is not an Int",
        )),
    };
    let dst = bp + i;
    match src {
        ArgSrc::Keep => {}
        ArgSrc::Unit => set(stack, dst, || Value::Unit)?,
        ArgSrc::Int(n) => set(stack, dst, || Value::Int(n))?,
        ArgSrc::Bool(b) => set(stack, dst, || Value::Bool(b))?,
        ArgSrc::Char(c) => set(stack, dst, || Value::Char(c))?,
        ArgSrc::Load(s) => {
            let v = slot(stack, at(s))?.clone();
            set(stack, dst, || v)?
        }
        // Taken out of its slot (no later argument reads it: a `Move` is a
        // slot's last use). Swapping the two slots instead, and freeing
        // what was left, was not faster (lines_loop 404.6 vs 400.4 ms,
        // alternating, median of 15) and took ten lines.
        ArgSrc::Move(s) => {
            let v = std::mem::replace(slot(stack, at(s))?, Value::Unit);
            set(stack, dst, || v)?
        }
        ArgSrc::LoadAddInt(s, k) => {
            let n = int(slot(stack, at(s))?, k, BinOp::Add)?;
            set(stack, dst, || Value::Int(n))?
        }
        ArgSrc::LoadSubInt(s, k) => {
            let n = int(slot(stack, at(s))?, k, BinOp::Sub)?;
            set(stack, dst, || Value::Int(n))?
        }
    }
    Ok(())
}

/// Puts the value `make` builds in slot `i`, freeing what was there
/// first: built after that (possible) call, the value is written in place
/// rather than kept in a temporary across it (see `hot::push_with`).
#[inline(always)]
fn set(stack: &mut [Value], i: usize, make: impl FnOnce() -> Value) -> InstrResult<()> {
    let slot = slot(stack, i)?;
    if !instr::is_plain(slot) {
        discard(std::mem::replace(slot, Value::Unit));
    }
    // What is left is plain: overwritten without a destructor call.
    std::mem::forget(std::mem::replace(slot, make()));
    Ok(())
}

/// `CallDtor`/`TailCallDtor`: a record's method, its captured values
/// first, then the `n` arguments.
// Inlined like the other calls: a `Regs` whose address reached a function
// that is not inlined would live in memory for the whole dispatch loop.
#[inline(always)]
pub(super) fn method(
    r: &mut Regs<'_>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    (dtor, n): (DtorId, u32),
    tail: bool,
) -> InstrResult<Flow> {
    let code = r.code;
    if !tick(r) {
        return Ok(Flow::Yield);
    }
    let pos = instr::below(stack, n as usize + 1, r.bp)?;
    let g = open_record(stack, pos, code, dtor, n)?;
    let callee = func(code, g)?;
    if tail {
        stack.drain(r.bp..pos);
    } else {
        push_frame(r, frames, pos);
    }
    Ok(enter(r, stack, g, callee))
}

/// `Return`/`ReturnSlot(s)`: back to the caller with the value, or the
/// process ends when there is none.
#[inline(always)]
pub(super) fn ret<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    slot: Option<Slot>,
) -> InstrResult<Flow> {
    let v = match slot {
        Some(s) => match stack[r.bp + s as usize] {
            // An Int is rebuilt from its word rather than copied whole:
            // see `back`.
            Value::Int(n) => return back(r, frames, stack, || Value::Int(n)),
            ref mut v => std::mem::replace(v, Value::Unit),
        },
        None => instr::pop(stack)?,
    };
    back(r, frames, stack, || v)
}

/// `ReturnIfSlotInt(cmp, s, k, v)`: returns slot `v` if comparing slot `s`
/// with `k` holds; else the next instruction runs.
#[inline(always)]
pub(super) fn ret_if<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    (cmp, s, k, v): (BinOp, Slot, i32, Slot),
) -> InstrResult<Flow> {
    match instr::branch(stack, r.bp, Op::JumpIfNotSlotInt(cmp, s, k, 0))? {
        None => ret(r, frames, stack, Some(v)),
        Some(_) => Ok(Flow::Next),
    }
}

/// The end of a return with the value `make` builds: it takes the callee
/// frame's first slot, the stack shrinks to it, and the caller's
/// registers come back.
///
/// The value is built where it goes. A whole `Value` copied from where an
/// `Int` was just written is a 16-byte read of a byte's and a word's
/// writes, which stalls the processor until they reach the cache (perf:
/// a quarter of fib's time, in `ReturnSlot` and `AddReturn`); an `Int`
/// result is therefore passed as its word and rebuilt here.
#[inline(always)]
fn back<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
    make: impl FnOnce() -> Value,
) -> InstrResult<Flow> {
    let code = r.code;
    let Some(fr) = frames.pop() else {
        stack.clear();
        return Ok(Flow::Done);
    };
    // No `push` where the slot exists: the compiler does not inline it into
    // the dispatch loop from here (fib(30) was 5-10 % slower with it).
    if r.bp < stack.len() {
        discard(std::mem::replace(&mut stack[r.bp], make()));
        truncate(stack, r.bp + 1);
    } else {
        instr::push_with(stack, |_| make());
    }
    r.fid = fr.func;
    r.f = func(code, fr.func)?;
    r.ip = fr.pc as usize;
    r.bp = fr.base as usize;
    Ok(Flow::Next)
}

/// `AddReturn`: `Add`, then `Return` with the sum; two Ints are added
/// from their words and the sum goes back as one (see `back`).
#[inline(always)]
pub(super) fn add_return<'c>(
    r: &mut Regs<'c>,
    frames: &mut Vec<Frame>,
    stack: &mut Vec<Value>,
) -> InstrResult<Flow> {
    if let [.., Value::Int(a), Value::Int(b)] = stack[r.bp..]
        && let Some(sum) = a.checked_add(b)
    {
        return back(r, frames, stack, || Value::Int(sum));
    }
    instr::arith(stack, Op::Add)?;
    ret(r, frames, stack, None)
}

/// `Halt`: the process ends here, whatever it holds.
pub(super) fn halt(stack: &mut Vec<Value>, frames: &mut Vec<Frame>) -> Flow {
    stack.clear();
    frames.clear();
    Flow::Done
}

/// `Spawn(g)`: a new process with the arguments on top (each its own copy
/// of small values); `()` is left in their place.
#[inline(never)]
pub(super) fn spawn(
    bp: usize,
    stack: &mut Vec<Value>,
    shared: &Arc<RunData>,
    cx: &mut Ctx<'_>,
    g: FuncId,
) -> InstrResult<Flow> {
    let callee = func(&shared.code, g)?;
    let alive = cx.live_tasks();
    if alive >= shared.max_processes {
        return Err(too_many_processes(alive, shared, g));
    }
    let from = instr::below(stack, callee.params as usize, bp)?;
    let mut init = Vec::with_capacity(callee.stack_size());
    init.extend(stack.drain(from..).map(value::for_new_process));
    cx.spawn(Box::new(Process::new(shared.clone(), g, init)));
    stack.push(Value::Unit);
    Ok(Flow::Next)
}

/// The report of a spawn past `host::Limits::max_processes`.
#[cold]
fn too_many_processes(alive: usize, shared: &RunData, g: FuncId) -> Fault {
    let name = shared
        .code
        .funcs
        .get(g as usize)
        .map_or("?", |f| f.display_name());
    Fault::with_help(
        format!(
            "too many processes: {alive} are alive, the most `--max-processes` allows, when this call starts another `{name}`"
        ),
        Some(format!(
            "a process that starts processes without end (each call here adds one), or a program that needs more than {}: raise the limit with `mpl run --max-processes N`",
            shared.max_processes
        )),
    )
}

/// `TailSpawn(g)`: the process becomes `g` in the same task (and is named
/// after it), keeping only the arguments. (Inlined: a looping process
/// tail-spawns itself once per round.)
#[inline(always)]
pub(super) fn tail_spawn<'c>(
    r: &mut Regs<'c>,
    (frames, proc_fn): (&mut Vec<Frame>, &mut FuncId),
    stack: &mut Vec<Value>,
    g: FuncId,
    (shared, trace_id): (&RunData, u32),
) -> InstrResult<Flow> {
    let code = r.code;
    if !tick(r) {
        return Ok(Flow::Yield);
    }
    let callee = func(code, g)?;
    let from = instr::below(stack, callee.params as usize, r.bp)?;
    stack.drain(..from);
    frames.clear();
    if trace_id != 0 && *proc_fn != g {
        super::traced::became(shared, trace_id, g, stack);
    }
    *proc_fn = g;
    r.bp = 0;
    Ok(enter(r, stack, g, callee))
}
