//! The instructions the dispatch loop (`exec`) hands off because they are
//! rare or long: connecting a service, opening a record for a method call,
//! building data, tuples, lists and records, the operators that go through
//! `ops` (and `show`, natives, builtins), channel set-up and forwarding,
//! `fork`, and the failure of a pattern. Each works on the operand stack of
//! one process and reports a failure as a [`Fault`].
//!
//! The hot instructions (slots, jumps, Int arithmetic and comparisons,
//! calls and returns, `put`, `get`, pattern tests) stay in the loop itself,
//! where the registers and the instruction's fields live in machine
//! registers: moved out into helpers, fib and the message chain ran 8-10 %
//! slower (bench/RESULTS.md).

use super::RunData;
use super::code::{Code, Op};
use super::exec::Process;
use super::hot::InstrResult;
use super::hot::{self, below, pop, top, truncate};
use super::ops::{self, Fault};
use crate::host::RunError;
use crate::ir::{FuncId, ServiceId};
use crate::runtime::{self, Cx, End};
use crate::source::Span;
use crate::value::{self, RecordVal, Value};
use std::sync::Arc;

type Ctx<'a> = Cx<'a, Value, RunError>;

/// `Service(s)`: connects a built-in service for the process (the guard
/// learns its protocol). `span` is where the wiring names it.
#[inline(never)]
pub(super) fn connect(
    shared: &RunData,
    service: ServiceId,
    span: Span,
    cx: &mut Ctx<'_>,
) -> Result<End<Value>, RunError> {
    let end = shared.services.connect(service, span, cx)?;
    if let Some(g) = &shared.guard {
        g.service(&end, service);
    }
    Ok(end)
}

/// `Data`, `Tuple`, `List` and `Record`: a value from the top of the stack
/// (or, for a record, from the frame's captured slots).
#[inline(never)]
pub(super) fn build(stack: &mut Vec<Value>, bp: usize, code: &Code, op: &Op) -> InstrResult {
    let value = match *op {
        Op::Data(t, n) => {
            let from = below(stack, n as usize, bp)?;
            Value::Data(t, value::shared_tail(stack, from))
        }
        Op::Tuple(n) => {
            let from = below(stack, n as usize, bp)?;
            Value::Tuple(value::shared_tail(stack, from))
        }
        Op::List(n) => {
            let from = below(stack, n as usize, bp)?;
            Value::list_drain(stack, from)
        }
        Op::Record(k) => {
            let site = code
                .records
                .get(k as usize)
                .ok_or_else(|| Fault::internal("unknown record site"))?;
            let frame = &stack[bp..];
            let env = site.captures.iter().map(|s| frame[*s as usize].clone());
            Value::Record(Arc::new(RecordVal {
                codata: site.codata,
                methods: site.methods.clone(),
                env: env.collect(),
            }))
        }
        _ => return Err(Fault::internal("not a constructing instruction")),
    };
    stack.push(value);
    Ok(())
}

/// The operators that go through `ops` (and `show`, natives, builtins):
/// operands popped, the result pushed.
#[inline(never)]
pub(super) fn apply(
    stack: &mut Vec<Value>,
    bp: usize,
    shared: &RunData,
    cx: &mut Cx<'_, Value, RunError>,
    op: &Op,
) -> InstrResult {
    let result = match *op {
        Op::Bin(bop) => {
            let b = pop(stack)?;
            let a = pop(stack)?;
            ops::binary(bop, a, b)
        }
        Op::Neg => ops::negate(pop(stack)?),
        Op::Not => ops::not(pop(stack)?),
        Op::Index => {
            let d = pop(stack)?;
            let i = pop(stack)?;
            let l = pop(stack)?;
            ops::index(l, i, d)
        }
        Op::ShowTyped(i) => {
            let v = pop(stack)?;
            let ty = shared
                .code
                .show_types
                .get(i as usize)
                .unwrap_or(&crate::ir::ShowTy::Any);
            Ok(value::shown(&v, ty, &shared.program))
        }
        Op::Native(n) if n.puts() => bulk_put(stack, bp, shared, cx),
        Op::Native(n) => {
            let from = below(stack, n.arity() as usize, bp)?;
            let r = n.call(&mut stack[from..]);
            truncate(stack, from);
            r
        }
        Op::Builtin(b) => ops::builtin(b, pop(stack)?, &shared.program),
        _ => Err(Fault::internal("not an operator instruction")),
    };
    stack.push(result?);
    Ok(())
}

/// `bulkPut(c, items)` (the native [`Native::puts`]): `Put` and each item
/// on `c`; when `c`'s reader takes runs and the items are a packed text,
/// `Put` and the whole text (two messages for a `writeLine`, not two per
/// char: 200,000 `writeLine`s of 19 chars to stdout, 864 -> 129 ms, CPython
/// 157 ms; bench/RESULTS.md).
///
/// [`Native::puts`]: super::native::Native::puts
fn bulk_put(
    stack: &mut Vec<Value>,
    bp: usize,
    shared: &RunData,
    cx: &mut Cx<'_, Value, RunError>,
) -> Result<Value, Fault> {
    let from = below(stack, 2, bp)?;
    let items = pop(stack)?;
    let chan = stack.get(from);
    let put = shared
        .code
        .put_label
        .ok_or_else(|| Fault::internal("bulkPut without a `Put` label"))?;
    let runs = matches!(chan, Some(Value::Chan(end)) if end.peer_takes_runs());
    if runs && shared.guard.is_none() && matches!(items, Value::Str(_)) {
        hot::put_on(chan, Value::Tag(put), shared, cx)?;
        hot::put_on(chan, items, shared, cx)?;
    } else {
        for item in items.list_items() {
            hot::put_on(chan, Value::Tag(put), shared, cx)?;
            hot::put_on(chan, item, shared, cx)?;
        }
    }
    truncate(stack, from);
    Ok(Value::Unit)
}

/// `close`, a new channel, and `:=` (forwarding).
#[inline(never)]
pub(super) fn channel_op(
    stack: &mut Vec<Value>,
    bp: usize,
    shared: &RunData,
    cx: &mut Ctx<'_>,
    op: &Op,
) -> InstrResult {
    match *op {
        Op::Close => *top(stack)? = Value::Unit,
        Op::NewChannel(a, b, k) => {
            let (x, y) = runtime::channel();
            if let Some(g) = &shared.guard
                && let Some(&states) = shared.code.channel_states.get(k as usize)
            {
                g.created(&x, &y, states);
            }
            stack[bp + a as usize] = Value::Chan(x);
            stack[bp + b as usize] = Value::Chan(y);
        }
        Op::Forward => {
            let b = pop(stack)?;
            let a = pop(stack)?;
            match (a, b) {
                (Value::Chan(a), Value::Chan(b)) => cx.forward(a, b),
                _ => return Err(Fault::internal("`:=` on values that are not channels")),
            }
        }
        _ => return Err(Fault::internal("not a channel instruction")),
    }
    Ok(())
}

/// `MatchFail`/`LetFail`: no case of a `switch` matched, or a `let`'s
/// pattern did not.
#[cold]
pub(super) fn no_match(in_switch: bool) -> Fault {
    if in_switch {
        // Only a partial match can fail (CaMPL's, or one too large for the
        // exhaustiveness check): a `case`, a `switch` or a function's
        // clauses, so the words fit all of them.
        Fault::new("no pattern here matches the value")
    } else {
        Fault::new("the value does not match the pattern of this `let`")
    }
}

/// A destructor call on the record at `pos` with `n` arguments above it:
/// replaces the record by its captured values and returns the method.
#[inline(never)]
pub(super) fn open_record(
    stack: &mut Vec<Value>,
    pos: usize,
    code: &Code,
    dtor: crate::ir::DtorId,
    n: u32,
) -> Result<FuncId, Fault> {
    let Value::Record(rec) = std::mem::replace(&mut stack[pos], Value::Unit) else {
        return Err(Fault::internal(
            "a destructor is applied to a value that is not a record",
        ));
    };
    let g = code
        .method_index(rec.codata, dtor)
        .and_then(|i| rec.methods.get(i).copied())
        .ok_or_else(|| Fault::internal("a record lacks a destructor"))?;
    let fits = code
        .funcs
        .get(g as usize)
        .is_some_and(|m| m.params == n && m.captures as usize == rec.env.len());
    if !fits {
        return Err(Fault::internal("a destructor call does not fit its method"));
    }
    drop(stack.splice(pos..pos + 1, rec.env.iter().cloned()));
    Ok(g)
}

/// `Race(k)`: pushes the index of the channel among the slots of
/// `races[k]` whose oldest message arrived first (the first listed, among
/// messages that arrived before the race first looked), or hands back
/// every end to wait on when none has a message.
#[inline(never)]
pub(super) fn race(
    stack: &mut Vec<Value>,
    bp: usize,
    code: &Code,
    k: u32,
) -> InstrResult<Result<(), Vec<End<Value>>>> {
    let slots = code
        .races
        .get(k as usize)
        .ok_or_else(|| Fault::internal("unknown race site"))?;
    let chan = |s: u32| match stack.get(bp + s as usize) {
        Some(Value::Chan(end)) => Ok(end),
        _ => Err(Fault::internal("`race` on a value that is not a channel")),
    };
    let mut best: Option<(u64, usize)> = None;
    for (i, &s) in slots.iter().enumerate() {
        if let Some(at) = chan(s)?.arrival()
            && best.is_none_or(|(b, _)| at < b)
        {
            best = Some((at, i));
        }
    }
    // The ends are copied only to wait on them: copied on every race, a
    // message already there cost an allocation and a count up and down
    // per end (Pluto's log merges race once per line and hop; its req/s
    // moved within noise, 31.2k -> 31.2k, median of 5).
    let Some((_, i)) = best else {
        let ends = slots.iter().map(|&s| chan(s).cloned());
        return Ok(Err(ends.collect::<InstrResult<_>>()?));
    };
    stack.push(Value::Int(i as i64));
    Ok(Ok(()))
}

/// `Fork(k)`: forks the channel on top by `forks[k]` (one new process per
/// arm, each with a fresh channel; the far halves go to the peer as one
/// tuple), and the process ends.
#[inline(never)]
pub(super) fn fork_and_end(
    shared: &Arc<RunData>,
    k: u32,
    (stack, bp, frames): (&mut Vec<Value>, usize, &mut Vec<super::exec::Frame>),
    cx: &mut Ctx<'_>,
) -> Result<super::exec::Flow, Fault> {
    let chan = pop(stack)?;
    fork(shared, k, chan, &stack[bp..], cx)?;
    Ok(super::control::halt(stack, frames))
}

fn fork(
    shared: &Arc<RunData>,
    k: u32,
    chan: Value,
    frame: &[Value],
    cx: &mut Ctx<'_>,
) -> Result<(), Fault> {
    let arms = shared
        .code
        .forks
        .get(k as usize)
        .ok_or_else(|| Fault::internal("unknown fork site"))?;
    let Value::Chan(end) = chan else {
        return Err(Fault::internal("fork on a value that is not a channel"));
    };
    let pairs: Vec<_> = arms.iter().map(|_| runtime::channel()).collect();
    if let Some(g) = &shared.guard {
        let near: Vec<_> = pairs.iter().map(|(n, _)| n.clone()).collect();
        let far: Vec<_> = pairs.iter().map(|(_, f)| f.clone()).collect();
        g.forked(&end, &near, &far);
    }
    let mut fars = Vec::with_capacity(arms.len());
    for (arm, (near, far)) in arms.iter().zip(pairs) {
        fars.push(Value::Chan(far));
        let mut init: Vec<Value> = arm
            .captures
            .iter()
            .map(|s| value::for_new_process(frame[*s as usize].clone()))
            .collect();
        let slots = shared
            .code
            .funcs
            .get(arm.func as usize)
            .map_or(0, |f| f.slots);
        init.resize(slots as usize, Value::Unit);
        init[arm.half as usize] = Value::Chan(near);
        cx.spawn(Box::new(Process::new(shared.clone(), arm.func, init)));
    }
    cx.put(&end, Value::tuple(fars));
    Ok(())
}
