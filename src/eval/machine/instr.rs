//! The bodies of instructions that the dispatch loop (`exec`) hands off,
//! grouped by kind: arithmetic and comparisons, conditional jumps,
//! building values, operators through `ops`, pattern tests, and channel
//! operations. Each works on the operand stack of one process and reports
//! a failure as a [`Fault`]; none touches the frame registers (function,
//! pc, frame base), which stay in the loop.
//!
//! The hot ones (arithmetic, comparisons, jumps, pattern tests, `put` and
//! `get`) are `#[inline(always)]`: they are the loop's own code, written
//! here so that the loop reads as a table. Calls, returns and spawns stay
//! in the loop because they move the registers.

use super::RunData;
use super::code::{Code, Op};
use super::ops::{self, Fault};
use crate::host::RunError;
use crate::ir::BinOp;
use crate::runtime::{self, Cx, End};
use crate::value::{self, RecordVal, Value};
use std::sync::Arc;

type Ctx<'a> = Cx<'a, Value, RunError>;
pub(super) type InstrResult<T = ()> = Result<T, Fault>;

/// Drops values down to `len`, calling no destructor for plain values.
#[inline(always)]
pub(super) fn truncate(stack: &mut Vec<Value>, len: usize) {
    while stack.len() > len {
        if let Some(v) = stack.pop() {
            discard(v);
        }
    }
}

/// Drops `v`, with the test for a value without a destructor inlined.
#[inline(always)]
pub(super) fn discard(v: Value) {
    match v {
        Value::Unit
        | Value::Int(_)
        | Value::Float(_)
        | Value::Bool(_)
        | Value::Char(_)
        | Value::Byte(_) => std::mem::forget(v),
        other => drop(other),
    }
}

#[inline(always)]
pub(super) fn pop(stack: &mut Vec<Value>) -> InstrResult<Value> {
    stack
        .pop()
        .ok_or_else(|| Fault::internal("operand stack underflow"))
}

#[inline(always)]
pub(super) fn top(stack: &mut [Value]) -> InstrResult<&mut Value> {
    stack
        .last_mut()
        .ok_or_else(|| Fault::internal("operand stack underflow"))
}

/// The index of the `n`-th value from the top, which must lie in the
/// current frame (at or above `bp`).
#[inline(always)]
pub(super) fn below(stack: &[Value], n: usize, bp: usize) -> InstrResult<usize> {
    match stack.len().checked_sub(n) {
        Some(i) if i >= bp => Ok(i),
        _ => Err(Fault::internal("operand stack underflow")),
    }
}

// ------------------------------------------------------------ arithmetic

/// `+ - * / %` on the top two values: two Ints or two Floats in place;
/// anything else (other kinds, an overflow, a zero divisor) goes to
/// `ops::binary`, which also says what went wrong.
#[inline(always)]
pub(super) fn arith(stack: &mut Vec<Value>, op: Op) -> InstrResult {
    let b = pop(stack)?;
    let a = top(stack)?;
    let done = match (&mut *a, &b) {
        (Value::Float(x), Value::Float(y)) => {
            match op {
                Op::Add => *x += *y,
                Op::Sub => *x -= *y,
                Op::Mul => *x *= *y,
                Op::Div => *x /= *y,
                _ => *x %= *y,
            }
            true
        }
        (Value::Int(x), Value::Int(y)) => {
            let r = match op {
                Op::Add => x.checked_add(*y),
                Op::Sub => x.checked_sub(*y),
                Op::Mul => x.checked_mul(*y),
                Op::Div => x.checked_div(*y),
                _ => x.checked_rem(*y),
            };
            r.map(|r| *x = r).is_some()
        }
        _ => false,
    };
    if !done {
        let av = std::mem::replace(a, Value::Unit);
        *a = ops::binary(arith_op(op), av, b)?;
    }
    Ok(())
}

fn arith_op(op: Op) -> BinOp {
    match op {
        Op::Add => BinOp::Add,
        Op::Sub => BinOp::Sub,
        Op::Mul => BinOp::Mul,
        Op::Div => BinOp::Div,
        _ => BinOp::Rem,
    }
}

/// `AddInt`/`SubInt` on the top value, and `LoadAddInt`/`LoadSubInt`
/// (a slot plus a constant, pushed).
#[inline(always)]
pub(super) fn int_const(stack: &mut Vec<Value>, bp: usize, op: Op) -> InstrResult {
    let not_int = || Fault::internal("an operand of an Int operator is not an Int");
    match op {
        Op::AddInt(k) | Op::SubInt(k) => {
            let Value::Int(x) = top(stack)? else {
                return Err(not_int());
            };
            let (bop, r) = match op {
                Op::AddInt(_) => (BinOp::Add, x.checked_add(k)),
                _ => (BinOp::Sub, x.checked_sub(k)),
            };
            *x = r.ok_or_else(|| ops::overflow(bop))?;
        }
        Op::LoadAddInt(s, k) | Op::LoadSubInt(s, k) => {
            let Value::Int(x) = stack[bp + s as usize] else {
                return Err(not_int());
            };
            let (bop, r) = match op {
                Op::LoadAddInt(..) => (BinOp::Add, x.checked_add(k as i64)),
                _ => (BinOp::Sub, x.checked_sub(k as i64)),
            };
            stack.push(Value::Int(r.ok_or_else(|| ops::overflow(bop))?));
        }
        _ => return Err(Fault::internal("not an Int-constant instruction")),
    }
    Ok(())
}

/// `< <= > >= == !=` on the top two values, leaving a Bool.
#[inline(always)]
pub(super) fn compare(stack: &mut Vec<Value>, op: Op) -> InstrResult {
    let b = pop(stack)?;
    let a = top(stack)?;
    let r = match (op, &*a, &b) {
        (Op::Eq | Op::Ne, Value::Int(x), Value::Int(y)) => (x == y) == (op == Op::Eq),
        (Op::Eq | Op::Ne, Value::Char(x), Value::Char(y)) => (x == y) == (op == Op::Eq),
        (Op::Eq, _, _) => value::equal(a, &b),
        (Op::Ne, _, _) => !value::equal(a, &b),
        (_, Value::Int(x), Value::Int(y)) => match op {
            Op::Lt => x < y,
            Op::Le => x <= y,
            Op::Gt => x > y,
            _ => x >= y,
        },
        _ => {
            let bop = match op {
                Op::Lt => BinOp::Lt,
                Op::Le => BinOp::Le,
                Op::Gt => BinOp::Gt,
                _ => BinOp::Ge,
            };
            ops::order(bop, a, &b)?
        }
    };
    discard(b);
    *a = Value::Bool(r);
    Ok(())
}

// ----------------------------------------------------------------- jumps

/// A conditional jump or a short-circuit test: `Some(target)` when it
/// jumps.
#[inline(always)]
pub(super) fn branch(stack: &mut Vec<Value>, bp: usize, op: Op) -> InstrResult<Option<u32>> {
    let jump_unless = |holds: bool, to: u32| Ok((!holds).then_some(to));
    match op {
        Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => match stack.pop() {
            Some(Value::Bool(b)) => jump_unless(b == matches!(op, Op::JumpIfFalse(_)), t),
            _ => Err(Fault::internal("a condition is not a Bool")),
        },
        Op::JumpIfNotChar(cmp, c, t) => match stack.pop() {
            Some(Value::Char(x)) => jump_unless(ops::int_compare(cmp, x as i64, c as i64), t),
            _ => Err(Fault::internal(
                "an operand of a Char comparison is not a Char",
            )),
        },
        Op::JumpIfNotSlotChar(cmp, s, c, t) => match stack[bp + s as usize] {
            Value::Char(x) => jump_unless(ops::int_compare(cmp, x as i64, c as i64), t),
            _ => Err(Fault::internal(
                "an operand of a Char comparison is not a Char",
            )),
        },
        Op::JumpIfNot(cmp, t) => {
            let b = pop(stack)?;
            let a = pop(stack)?;
            let holds = match (&a, &b) {
                (Value::Int(x), Value::Int(y)) => ops::int_compare(cmp, *x, *y),
                _ => ops::compare(cmp, &a, &b)?,
            };
            jump_unless(holds, t)
        }
        Op::JumpIfNotInt(cmp, k, t) => {
            let a = pop(stack)?;
            let holds = match a {
                Value::Int(x) => ops::int_compare(cmp, x, k as i64),
                _ => ops::compare(cmp, &a, &Value::Int(k as i64))?,
            };
            jump_unless(holds, t)
        }
        Op::JumpIfNotSlotInt(cmp, s, k, t) => {
            let holds = match &stack[bp + s as usize] {
                Value::Int(x) => ops::int_compare(cmp, *x, k as i64),
                a => ops::compare(cmp, a, &Value::Int(k as i64))?,
            };
            jump_unless(holds, t)
        }
        Op::AndThen(t) | Op::OrElse(t) => {
            let stop = matches!(op, Op::OrElse(_));
            match stack.last() {
                Some(Value::Bool(b)) if *b == stop => Ok(Some(t)),
                Some(Value::Bool(_)) => {
                    stack.pop();
                    Ok(None)
                }
                _ => Err(Fault::internal("an operand of `&&` or `||` is not a Bool")),
            }
        }
        _ => Err(Fault::internal("not a conditional jump")),
    }
}

// ------------------------------------------------------------- building

/// `Data`, `Tuple`, `List` and `Record`: a value from the top of the stack
/// (or, for a record, from the frame's captured slots).
#[inline(never)]
pub(super) fn build(stack: &mut Vec<Value>, bp: usize, code: &Code, op: Op) -> InstrResult {
    let value = match op {
        Op::Data(t, n) => {
            let from = below(stack, n as usize, bp)?;
            Value::Data(t, stack.drain(from..).collect())
        }
        Op::Tuple(n) => {
            let from = below(stack, n as usize, bp)?;
            Value::Tuple(stack.drain(from..).collect())
        }
        Op::List(n) => {
            let from = below(stack, n as usize, bp)?;
            Value::list(stack.drain(from..).collect())
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
pub(super) fn apply(stack: &mut Vec<Value>, bp: usize, shared: &RunData, op: Op) -> InstrResult {
    let result = match op {
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
            Ok(Value::string(&value::show_typed(&v, ty, &shared.program)))
        }
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

// -------------------------------------------------------------- patterns

/// A pattern test: `Some(target)` when the value does not match (the
/// loop jumps there); on a match the parts are pushed, first on top.
#[inline(always)]
pub(super) fn test_pattern(
    stack: &mut Vec<Value>,
    code: &Code,
    op: Op,
) -> InstrResult<Option<u32>> {
    let constant = |k: u32| {
        code.consts
            .get(k as usize)
            .ok_or_else(|| Fault::internal("a pattern constant is missing"))
    };
    let matched = |ok: bool, to: u32| Ok((!ok).then_some(to));
    match op {
        Op::TestTag(t, to) => matched(matches!(stack.last(), Some(Value::Tag(x)) if *x == t), to),
        Op::TestConst(k, to) => {
            let c = constant(k)?;
            matched(stack.last().is_some_and(|v| value::equal(v, c)), to)
        }
        Op::TestNil(to) => matched(stack.last().is_some_and(Value::is_empty_list), to),
        Op::PopTag(t, to) => matched(matches!(pop(stack)?, Value::Tag(x) if x == t), to),
        Op::PopConst(k, to) => {
            let v = pop(stack)?;
            matched(value::equal(&v, constant(k)?), to)
        }
        Op::PopNil(to) => matched(pop(stack)?.is_empty_list(), to),
        Op::UnData(t, n, to) => match pop(stack)? {
            Value::Data(x, fields) if x == t && fields.len() == n as usize => {
                push_rev(stack, &fields);
                Ok(None)
            }
            _ => Ok(Some(to)),
        },
        Op::UnTuple(n, to) => match pop(stack)? {
            Value::Tuple(items) if items.len() == n as usize => {
                push_rev(stack, &items);
                Ok(None)
            }
            Value::Unit if n == 0 => Ok(None),
            _ => Ok(Some(to)),
        },
        Op::Uncons(to) => {
            // The tail replaces the list in place: one push, not two.
            let top = top(stack)?;
            match uncons_owned(std::mem::replace(top, Value::Unit)) {
                Some((h, t)) => {
                    *top = t;
                    stack.push(h);
                    Ok(None)
                }
                None => {
                    stack.pop();
                    Ok(Some(to))
                }
            }
        }
        Op::UnList(n, to) => match list_exact(pop(stack)?, n as usize) {
            Some(items) => {
                push_rev(stack, &items);
                Ok(None)
            }
            None => Ok(Some(to)),
        },
        _ => Err(Fault::internal("not a pattern instruction")),
    }
}

/// `MatchFail`/`LetFail`: no case of a `switch` matched, or a `let`'s
/// pattern did not.
pub(super) fn no_match(op: Op) -> Fault {
    match op {
        Op::MatchFail => Fault::new("no case of this `switch` matches the value"),
        _ => Fault::new("the value does not match the pattern of this `let`"),
    }
}

/// Pushes `items` so that the first ends on top.
fn push_rev(stack: &mut Vec<Value>, items: &[Value]) {
    stack.extend(items.iter().rev().cloned());
}

/// The elements of a list of exactly `n` elements.
fn list_exact(mut v: Value, n: usize) -> Option<Vec<Value>> {
    let mut items = Vec::with_capacity(n);
    while let Some((h, t)) = v.uncons() {
        if items.len() == n {
            return None;
        }
        items.push(h);
        v = t;
    }
    (items.len() == n).then_some(items)
}

/// Splits a non-empty list, moving out of a cell nobody else holds.
fn uncons_owned(v: Value) -> Option<(Value, Value)> {
    match v {
        Value::Cons(c) => Some(match Arc::try_unwrap(c) {
            Ok(mut cell) => (
                std::mem::replace(&mut cell.head, Value::Unit),
                std::mem::replace(&mut cell.tail, Value::Nil),
            ),
            Err(c) => (c.head.clone(), c.tail.clone()),
        }),
        Value::Str(s, i) => {
            let c = *s.get(i as usize)?;
            Some((Value::Char(c), Value::Str(s, i + 1)))
        }
        Value::Bytes(b, i) => {
            let x = *b.get(i as usize)?;
            Some((Value::Byte(x), Value::Bytes(b, i + 1)))
        }
        other => other.uncons(),
    }
}

// -------------------------------------------------------------- channels

/// `put`: sends the top value on the channel below it (which stays).
#[inline(always)]
pub(super) fn put(stack: &mut Vec<Value>, shared: &RunData, cx: &mut Ctx<'_>) -> InstrResult {
    let v = pop(stack)?;
    let Some(Value::Chan(end)) = stack.last() else {
        return Err(Fault::internal("`put` on a value that is not a channel"));
    };
    if let Some(g) = &shared.guard {
        g.put(end, &v).map_err(|what| guard_fault(&what))?;
    }
    cx.put(end, v);
    Ok(())
}

/// `get` and `split`: takes the next message of the channel on top, or
/// `Err(end)` to park on (nothing changed). A `get` replaces the channel
/// by the message (the channel lives on in its slot); a `split` stores the
/// halves into their slots.
#[inline(always)]
pub(super) fn get(
    stack: &mut [Value],
    bp: usize,
    shared: &RunData,
    op: Op,
) -> InstrResult<Result<(), End<Value>>> {
    let (got, end) = match stack.last() {
        Some(Value::Chan(end)) => (end.try_get(), end),
        _ => return Err(Fault::internal("`get` on a value that is not a channel")),
    };
    let Some(v) = got else {
        return Ok(Err(end.clone()));
    };
    if let Some(g) = &shared.guard {
        g.got(end, &v);
    }
    let Op::Split(k) = op else {
        *top(stack)? = v;
        return Ok(Ok(()));
    };
    let slots = shared
        .code
        .splits
        .get(k as usize)
        .ok_or_else(|| Fault::internal("unknown split site"))?;
    match v {
        Value::Tuple(items) if items.len() == slots.len() => {
            for (s, item) in slots.iter().zip(items.iter()) {
                stack[bp + *s as usize] = item.clone();
            }
            Ok(Ok(()))
        }
        _ => Err(Fault::internal(
            "`split` received something other than the halves",
        )),
    }
}

/// `close`, a new channel, and `:=` (forwarding).
#[inline(never)]
pub(super) fn channel_op(
    stack: &mut Vec<Value>,
    bp: usize,
    shared: &RunData,
    cx: &mut Ctx<'_>,
    op: Op,
    span: crate::source::Span,
) -> InstrResult {
    match op {
        Op::Close => *top(stack)? = Value::Unit,
        Op::NewChannel(a, b) => {
            let (x, y) = runtime::channel();
            if let Some(g) = &shared.guard {
                g.created(&x, &y, span);
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

/// The soundness guard caught a message the protocol does not allow.
fn guard_fault(what: &str) -> Fault {
    Fault::with_help(
        format!("internal error: soundness guard: {what}"),
        Some("the checker accepted a program that breaks a protocol at run time; this is a bug in mpl, please report it with the program".into()),
    )
}
