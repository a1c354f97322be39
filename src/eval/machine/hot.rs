//! The bodies of the dispatch loop's frequent instructions, inlined into
//! it: slots and the operand stack, Int and Float arithmetic, comparisons,
//! conditional jumps, pattern tests, `put` and `get`. Each arm of the loop
//! passes its own instruction rebuilt from its fields, so the helper's
//! `match` folds to that case; none touches the registers (function, pc,
//! frame base), which calls move in `control`. Rare instructions are in
//! `instr`.

use super::RunData;
use super::code::{Code, Op};
use super::ops::{self, Fault};
use crate::host::RunError;
use crate::ir::BinOp;
use crate::runtime::{Cx, End};
use crate::value::{self, Value};
use std::sync::Arc;

type Ctx<'a> = Cx<'a, Value, RunError>;
pub(super) type InstrResult<T = ()> = Result<T, Fault>;

/// Drops values down to `len`, calling no destructor for plain values.
/// A plain value is recognised by its tag where it lies and not read whole:
/// popping an `Int` just written cost a stall (see `push_with`; fib: 8 % of
/// its time in `AddReturn`).
#[inline(always)]
pub(super) fn truncate(stack: &mut Vec<Value>, len: usize) {
    while stack.len() > len {
        if stack.last().is_some_and(is_plain) {
            // SAFETY: a shorter length over initialised elements; the
            // value left behind has no destructor to miss.
            unsafe { stack.set_len(stack.len() - 1) }
        } else if let Some(v) = stack.pop() {
            drop(v);
        }
    }
}

/// A value without a destructor.
#[inline(always)]
pub(super) fn is_plain(v: &Value) -> bool {
    matches!(
        v,
        Value::Unit
            | Value::Int(_)
            | Value::Float(_)
            | Value::Bool(_)
            | Value::Char(_)
            | Value::Byte(_)
    )
}

/// Drops `v`, with the test for a value without a destructor inlined.
#[inline(always)]
pub(super) fn discard(v: Value) {
    if is_plain(&v) {
        std::mem::forget(v)
    } else {
        drop(v)
    }
}

/// Pushes the value `make` builds, making room first.
///
/// Not `Vec::push`: a value built before `push`'s possible call to grow the
/// vector lives in a temporary across that call and is copied into the
/// stack afterwards; an `Int` is written there as a byte and a word and
/// read back as 16 bytes at once, which the processor cannot forward from
/// the two writes, so it stalls until they reach the cache (perf: a fifth
/// of fib's time on that one copy). Built after the room is made, the
/// value is written in place.
#[inline(always)]
pub(super) fn push_with(stack: &mut Vec<Value>, make: impl FnOnce(&mut [Value]) -> Value) {
    if stack.len() == stack.capacity() {
        grow(stack);
    }
    let v = make(stack);
    let len = stack.len();
    match stack.spare_capacity_mut().first_mut() {
        Some(place) => {
            place.write(v);
            // SAFETY: the element at `len`, the first past the end, has
            // just been written.
            unsafe { stack.set_len(len + 1) }
        }
        // Never: `grow` made room. (No panic or drop here: a call on this
        // path would keep `v` in a temporary on the other.)
        None => std::mem::forget(v),
    }
}

#[cold]
#[inline(never)]
fn grow(stack: &mut Vec<Value>) {
    stack.reserve(1);
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

/// `Const(k)`: pushes `consts[k]`.
#[inline(always)]
pub(super) fn constant(stack: &mut Vec<Value>, code: &Code, k: u32) -> InstrResult {
    let v = code
        .consts
        .get(k as usize)
        .ok_or_else(|| Fault::internal("unknown constant"))?;
    push_with(stack, |_| v.clone());
    Ok(())
}

/// `Load(s)`: pushes a copy of the value in slot `at`.
#[inline(always)]
pub(super) fn load(stack: &mut Vec<Value>, at: usize) {
    push_with(stack, |s| s[at].clone());
}

/// `Move(s)`: pushes the value of slot `at` (its last use), leaving `()`.
#[inline(always)]
pub(super) fn take(stack: &mut Vec<Value>, at: usize) {
    push_with(stack, |s| std::mem::replace(&mut s[at], Value::Unit));
}

/// `Store(s)`: pops the top into slot `at`.
#[inline(always)]
pub(super) fn store(stack: &mut Vec<Value>, at: usize) -> InstrResult {
    let v = pop(stack)?;
    discard(std::mem::replace(&mut stack[at], v));
    Ok(())
}

/// `Dup`: pushes a copy of the top.
#[inline(always)]
pub(super) fn dup(stack: &mut Vec<Value>) -> InstrResult {
    top(stack)?;
    push_with(stack, |s| s[s.len() - 1].clone());
    Ok(())
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
        return Ok(());
    }
    // An Int or a Float: nothing to drop. Left to `drop`, `b` cost a call
    // to `drop_in_place::<Value>` per operation (fib: about 10
    // instructions of a call's 263; bench/RESULTS.md).
    discard(b);
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
            let n = r.ok_or_else(|| ops::overflow(bop))?;
            push_with(stack, |_| Value::Int(n));
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
        Op::JumpIfSlot(s, when, t) => match stack[bp + s as usize] {
            Value::Bool(b) => Ok((b == when).then_some(t)),
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

/// `JumpIfSlotCharIn(s, k, when, to)`: `Some(to)` when the Char in slot
/// `s` being one of `char_sets[k]` is `when`.
#[inline(always)]
pub(super) fn char_in(
    stack: &[Value],
    bp: usize,
    code: &Code,
    (s, k, when, to): (u32, u32, bool, u32),
) -> InstrResult<Option<u32>> {
    let Value::Char(c) = &stack[bp + s as usize] else {
        return Err(Fault::internal(
            "an operand of a Char comparison is not a Char",
        ));
    };
    let set = code
        .char_sets
        .get(k as usize)
        .ok_or_else(|| Fault::internal("unknown character set"))?;
    Ok((set.contains(*c) == when).then_some(to))
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
                push_fields(stack, fields);
                Ok(None)
            }
            _ => Ok(Some(to)),
        },
        Op::UnTuple(n, to) => match pop(stack)? {
            Value::Tuple(items) if items.len() == n as usize => {
                push_fields(stack, items);
                Ok(None)
            }
            Value::Unit if n == 0 => Ok(None),
            _ => Ok(Some(to)),
        },
        Op::Uncons(to) => {
            // The tail replaces the list in place: one push, not two.
            let top = top(stack)?;
            match uncons(std::mem::replace(top, Value::Unit)) {
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

/// `TestNilSlot(s, moved, to)`: pushes slot `s`'s value (taking it when
/// `moved`), then `TestNil(to)`.
#[inline(always)]
pub(super) fn test_nil_slot(
    stack: &mut Vec<Value>,
    bp: usize,
    (s, moved): (u32, bool),
    to: u32,
) -> InstrResult<Option<u32>> {
    let at = bp + s as usize;
    match moved {
        true => take(stack, at),
        false => load(stack, at),
    }
    Ok((!stack.last().is_some_and(Value::is_empty_list)).then_some(to))
}

/// Pushes `items` so that the first ends on top.
#[cold]
fn push_rev(stack: &mut Vec<Value>, items: &[Value]) {
    stack.extend(items.iter().rev().cloned());
}

/// `push_rev` of a tuple's or constructor's fields. When nothing else
/// holds them (a tuple returned and matched at once), they are moved out,
/// not copied and then dropped with their container: no count goes up and
/// down again per field (Pluto, about 30 a request: 125.7k -> 125.2k
/// machine instructions a request).
#[cold]
fn push_fields(stack: &mut Vec<Value>, mut fields: Arc<[Value]>) {
    match Arc::get_mut(&mut fields) {
        Some(owned) => stack.extend(
            owned
                .iter_mut()
                .rev()
                .map(|v| std::mem::replace(v, Value::Unit)),
        ),
        None => push_rev(stack, &fields),
    }
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

/// `UnconsHead(h, to)`/`UnconsInto(h, t, to)`: pops a list and, when it
/// is not empty, stores its head into slot `h` and its tail into slot `t`
/// (or, without `t`, leaves the tail on top); `Some(to)` when it is empty.
#[inline(always)]
pub(super) fn uncons_into(
    stack: &mut Vec<Value>,
    bp: usize,
    (head, tail): (u32, Option<u32>),
    to: u32,
) -> InstrResult<Option<u32>> {
    // A packed string, the common case of a per-character loop, is told by
    // its tag before it is popped, so that only its text is moved, and its
    // head and tail are written to their slots field by field. Popped as a
    // whole value and taken apart through `uncons`'s pair, it went through
    // temporaries read back whole (a stall, see `push_with`).
    if matches!(stack.last(), Some(Value::Str(_)))
        && let Some(Value::Str(mut text)) = stack.pop()
    {
        let Some(c) = text.pop_front() else {
            return Ok(Some(to));
        };
        discard(std::mem::replace(
            &mut stack[bp + head as usize],
            Value::Char(c),
        ));
        match tail {
            Some(s) => discard(std::mem::replace(
                &mut stack[bp + s as usize],
                Value::Str(text),
            )),
            None => push_with(stack, |_| Value::Str(text)),
        }
        return Ok(None);
    }
    let Some((h, t)) = uncons_owned(pop(stack)?) else {
        return Ok(Some(to));
    };
    discard(std::mem::replace(&mut stack[bp + head as usize], h));
    match tail {
        Some(s) => discard(std::mem::replace(&mut stack[bp + s as usize], t)),
        None => stack.push(t),
    }
    Ok(None)
}

/// `UnconsSlot(s, h, to)`: `Some(to)` when the list in slot `s` is not
/// empty, its head then in slot `h` and its tail in `s`; a packed string
/// (a per-character loop) just advances where it lies. An empty list is
/// left in `s`, or `()` is (dead there either way: the fused test moved it).
#[inline(always)]
pub(super) fn uncons_slot(
    stack: &mut [Value],
    bp: usize,
    (s, head): (u32, u32),
    to: u32,
) -> InstrResult<Option<u32>> {
    let at = bp + s as usize;
    let h = bp + head as usize;
    if let Value::Str(text) = &mut stack[at] {
        let Some(c) = text.pop_front() else {
            return Ok(None);
        };
        discard(std::mem::replace(&mut stack[h], Value::Char(c)));
        return Ok(Some(to));
    }
    let list = std::mem::replace(&mut stack[at], Value::Unit);
    let Some((hd, tl)) = uncons_owned(list) else {
        return Ok(None);
    };
    stack[at] = tl;
    discard(std::mem::replace(&mut stack[h], hd));
    Ok(Some(to))
}

/// Splits a non-empty list: a packed string inline (a per-character loop
/// over a `String` is the common case; the call to `uncons_owned` was 39
/// machine instructions a character), anything else out of line.
#[inline(always)]
fn uncons(v: Value) -> Option<(Value, Value)> {
    match v {
        Value::Str(mut t) => {
            let c = t.pop_front()?;
            Some((Value::Char(c), Value::Str(t)))
        }
        other => uncons_owned(other),
    }
}

/// `uncons` of anything but a packed string: moves out of a cell nobody
/// else holds.
fn uncons_owned(v: Value) -> Option<(Value, Value)> {
    match v {
        Value::Cons(c) => Some(match Arc::try_unwrap(c) {
            Ok(mut cell) => (
                std::mem::replace(&mut cell.head, Value::Unit),
                std::mem::replace(&mut cell.tail, Value::Nil),
            ),
            Err(c) => (c.head.clone(), c.tail.clone()),
        }),
        Value::Bytes(b, i) => {
            let x = *b.get(i as usize)?;
            Some((Value::Byte(x), Value::Bytes(b, i + 1)))
        }
        Value::Items(mut items, i) => {
            // A list nobody else holds gives its element up (no count on
            // it goes up now and down when the buffer goes).
            let head = match Arc::get_mut(&mut items) {
                Some(owned) => std::mem::replace(owned.get_mut(i as usize)?, Value::Unit),
                None => items.get(i as usize)?.clone(),
            };
            Some((head, Value::Items(items, i + 1)))
        }
        other => other.uncons(),
    }
}

// -------------------------------------------------------------- channels

/// `put`: sends the top value on the channel below it (which stays).
#[inline(always)]
pub(super) fn put(stack: &mut Vec<Value>, shared: &RunData, cx: &mut Ctx<'_>) -> InstrResult {
    let v = pop(stack)?;
    put_on(stack.last(), v, shared, cx)
}

/// `PutSlot(s)`: puts the top on the channel at `stack[at]` (its slot).
#[inline(always)]
pub(super) fn put_slot(
    stack: &mut Vec<Value>,
    at: usize,
    shared: &RunData,
    cx: &mut Ctx<'_>,
) -> InstrResult {
    let v = pop(stack)?;
    put_on(stack.get(at), v, shared, cx)
}

#[inline(always)]
pub(super) fn put_on(
    chan: Option<&Value>,
    v: Value,
    shared: &RunData,
    cx: &mut Ctx<'_>,
) -> InstrResult {
    let Some(Value::Chan(end)) = chan else {
        return Err(Fault::internal("`put` on a value that is not a channel"));
    };
    if let Some(g) = &shared.guard {
        g.put(end, &v).map_err(|what| guard_fault(&what))?;
    }
    cx.put(end, v);
    Ok(())
}

/// `GetSlot(s)`: pushes the next message of the channel at `stack[at]`
/// (its slot), or `Err(end)` to park on (nothing changed).
#[inline(always)]
pub(super) fn get_slot(
    stack: &mut Vec<Value>,
    at: usize,
    shared: &RunData,
) -> InstrResult<Result<(), End<Value>>> {
    let Some(Value::Chan(end)) = stack.get(at) else {
        return Err(Fault::internal("`get` on a value that is not a channel"));
    };
    let Some(v) = end.try_get() else {
        return Ok(Err(end.clone()));
    };
    if let Some(g) = &shared.guard {
        g.got(end, &v);
    }
    stack.push(v);
    Ok(Ok(()))
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
    split: Option<u32>,
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
    let Some(k) = split else {
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
/// The soundness guard caught a message the protocol does not allow.
fn guard_fault(what: &str) -> Fault {
    Fault::with_help(
        format!("internal error: soundness guard: {what}"),
        Some("the checker accepted a program that breaks a protocol at run time; this is a bug in mpl, please report it with the program".into()),
    )
}
