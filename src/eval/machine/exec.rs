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
use super::instr::{apply, build, channel_op, connect, fork, no_match, open_record};
use super::ops::{self, Fault};
use crate::host::RunError;
use crate::ir::{BinOp, FuncId};
use crate::runtime::{ChannelId, Cx, Side, Step, Task, TaskInfo};
use crate::value::{self, Value};
use std::sync::Arc;

type Ctx<'a> = Cx<'a, Value, RunError>;

/// A caller waiting for a callee's value.
#[derive(Clone, Copy, Debug)]
struct Frame {
    func: FuncId,
    pc: u32,
    base: u32,
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
fn discard(v: Value) {
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

/// The soundness guard caught a message the protocol does not allow.
fn guard_fault(what: &str) -> Fault {
    Fault::with_help(
        format!("internal error: soundness guard: {what}"),
        Some("the checker accepted a program that breaks a protocol at run time; this is a bug in mpl, please report it with the program".into()),
    )
}

/// Runs the process until it ends, fails, parks or uses up its budget.
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
    let mut fuel = cx.budget().max(1);
    let mut fid = *func;
    let mut ip = *pc as usize;
    let mut bp = *base as usize;
    let Some(mut f) = code.funcs.get(fid as usize) else {
        return Step::Fail(super::compile::internal(
            "unknown function",
            Default::default(),
            "?",
        ));
    };

    macro_rules! save {
        () => {{
            *func = fid;
            *pc = ip as u32;
            *base = bp as u32;
        }};
    }
    macro_rules! fail {
        ($fault:expr) => {{
            return Step::Fail(error($fault, f, ip - 1, code, *proc_fn));
        }};
    }
    macro_rules! bug {
        ($what:expr) => {
            fail!(Fault::internal($what))
        };
    }
    macro_rules! pop {
        () => {
            match stack.pop() {
                Some(v) => v,
                None => bug!("operand stack underflow"),
            }
        };
    }
    macro_rules! top {
        () => {
            match stack.last_mut() {
                Some(v) => v,
                None => bug!("operand stack underflow"),
            }
        };
    }
    macro_rules! below {
        ($n:expr) => {
            match stack.len().checked_sub($n) {
                Some(i) if i >= bp => i,
                _ => bug!("operand stack underflow"),
            }
        };
    }
    macro_rules! func {
        ($g:expr) => {
            match code.funcs.get($g as usize) {
                Some(c) => c,
                None => bug!("unknown function"),
            }
        };
    }
    // Yield before a call when the budget is used up; the call re-runs.
    macro_rules! tick {
        () => {{
            if fuel == 0 {
                ip -= 1;
                save!();
                return Step::Yield;
            }
            fuel -= 1;
            #[cfg(test)]
            {
                peak.0 = peak.0.max(stack.len());
                peak.1 = peak.1.max(frames.len());
            }
        }};
    }
    macro_rules! enter {
        ($g:expr, $callee:expr) => {{
            let want = bp + $callee.slots as usize;
            while stack.len() < want {
                stack.push(Value::Unit);
            }
            fid = $g;
            f = $callee;
            ip = 0;
        }};
    }
    // Two Ints or two Floats in place; anything else (other kinds, an
    // overflow, a zero divisor) goes to `ops::binary`, which also says
    // what went wrong.
    macro_rules! arith {
        ($op:expr, $method:ident, $float:tt) => {{
            let b = pop!();
            let a = top!();
            let done = match (&mut *a, &b) {
                (Value::Float(x), Value::Float(y)) => {
                    *x $float *y;
                    true
                }
                (Value::Int(x), Value::Int(y)) => match x.$method(*y) {
                    Some(r) => {
                        *x = r;
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            if !done {
                let av = std::mem::replace(a, Value::Unit);
                match ops::binary($op, av, b) {
                    Ok(v) => *a = v,
                    Err(e) => fail!(e),
                }
            }
        }};
    }
    macro_rules! int_const {
        ($op:expr, $method:ident, $k:expr) => {{
            let a = top!();
            match a {
                Value::Int(x) => match x.$method($k) {
                    Some(r) => *x = r,
                    None => fail!(ops::overflow($op)),
                },
                _ => bug!("an operand of an Int operator is not an Int"),
            }
        }};
    }
    macro_rules! cmp_op {
        ($op:expr, $int:tt) => {{
            let b = pop!();
            let a = top!();
            let r = match (&*a, &b) {
                (Value::Int(x), Value::Int(y)) => x $int y,
                _ => match ops::order($op, a, &b) {
                    Ok(r) => r,
                    Err(e) => fail!(e),
                },
            };
            discard(b);
            *a = Value::Bool(r);
        }};
    }
    macro_rules! eq_op {
        ($negate:expr) => {{
            let b = pop!();
            let a = top!();
            let r = match (&*a, &b) {
                (Value::Int(x), Value::Int(y)) => x == y,
                (Value::Char(x), Value::Char(y)) => x == y,
                _ => value::equal(a, &b),
            };
            discard(b);
            *a = Value::Bool(r != $negate);
        }};
    }
    // An instruction carried out by `instr`.
    macro_rules! cold {
        ($result:expr) => {
            if let Err(e) = $result {
                fail!(e)
            }
        };
    }
    macro_rules! jump_unless {
        ($ok:expr, $to:expr) => {{
            if !$ok {
                ip = $to as usize;
            }
        }};
    }

    loop {
        let Some(&op) = f.ops.get(ip) else {
            ip += 1;
            bug!("ran off the end of a function");
        };
        ip += 1;
        match op {
            Op::Unit => stack.push(Value::Unit),
            Op::Int(n) => stack.push(Value::Int(n)),
            Op::Bool(b) => stack.push(Value::Bool(b)),
            Op::Const(k) => match code.consts.get(k as usize) {
                Some(v) => stack.push(v.clone()),
                None => bug!("unknown constant"),
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
                let v = pop!();
                discard(std::mem::replace(&mut stack[bp + s as usize], v));
            }
            Op::Pop => truncate(stack, stack.len().saturating_sub(1)),
            Op::Dup => {
                let v = top!().clone();
                stack.push(v);
            }
            Op::Truncate(n) => stack.truncate(bp + n as usize),
            Op::Args => stack.push(shared.args.clone()),
            Op::Service(s) => match connect(shared, s, f.spans.get(ip - 1).copied(), cx) {
                Ok(end) => stack.push(Value::Chan(end)),
                Err(mut e) => {
                    e.process = process_name(code, *proc_fn);
                    return Step::Fail(e);
                }
            },

            Op::Jump(t) => ip = t as usize,
            Op::JumpIfFalse(t) => match stack.pop() {
                Some(Value::Bool(b)) => jump_unless!(b, t),
                _ => bug!("a condition is not a Bool"),
            },
            Op::JumpIfTrue(t) => match stack.pop() {
                Some(Value::Bool(b)) => jump_unless!(!b, t),
                _ => bug!("a condition is not a Bool"),
            },
            Op::JumpIfNotChar(cmp, c, t) => match stack.pop() {
                Some(Value::Char(x)) => jump_unless!(ops::int_compare(cmp, x as i64, c as i64), t),
                _ => bug!("an operand of a Char comparison is not a Char"),
            },
            Op::JumpIfNotSlotChar(cmp, s, c, t) => match stack[bp + s as usize] {
                Value::Char(x) => jump_unless!(ops::int_compare(cmp, x as i64, c as i64), t),
                _ => bug!("an operand of a Char comparison is not a Char"),
            },
            Op::JumpIfNot(cmp, t) => {
                let b = pop!();
                let a = pop!();
                let holds = match (&a, &b) {
                    (Value::Int(x), Value::Int(y)) => ops::int_compare(cmp, *x, *y),
                    _ => match ops::compare(cmp, &a, &b) {
                        Ok(r) => r,
                        Err(e) => fail!(e),
                    },
                };
                jump_unless!(holds, t)
            }
            Op::JumpIfNotInt(cmp, k, t) => {
                let a = pop!();
                let holds = match a {
                    Value::Int(x) => ops::int_compare(cmp, x, k as i64),
                    _ => match ops::compare(cmp, &a, &Value::Int(k as i64)) {
                        Ok(r) => r,
                        Err(e) => fail!(e),
                    },
                };
                jump_unless!(holds, t)
            }
            Op::JumpIfNotSlotInt(cmp, s, k, t) => {
                let holds = match &stack[bp + s as usize] {
                    Value::Int(x) => ops::int_compare(cmp, *x, k as i64),
                    a => match ops::compare(cmp, a, &Value::Int(k as i64)) {
                        Ok(r) => r,
                        Err(e) => fail!(e),
                    },
                };
                jump_unless!(holds, t)
            }
            Op::AndThen(t) => match stack.last() {
                Some(Value::Bool(false)) => ip = t as usize,
                Some(Value::Bool(true)) => drop(stack.pop()),
                _ => bug!("an operand of `&&` is not a Bool"),
            },
            Op::OrElse(t) => match stack.last() {
                Some(Value::Bool(true)) => ip = t as usize,
                Some(Value::Bool(false)) => drop(stack.pop()),
                _ => bug!("an operand of `||` is not a Bool"),
            },
            Op::Call(g) => {
                tick!();
                let callee = func!(g);
                frames.push(Frame {
                    func: fid,
                    pc: ip as u32,
                    base: bp as u32,
                });
                bp = below!(callee.params as usize);
                enter!(g, callee);
            }
            Op::TailCall(g) => {
                tick!();
                let callee = func!(g);
                let n = callee.params as usize;
                let from = below!(n);
                // The arguments move down onto the first slots (`from >= bp`).
                for i in 0..n {
                    stack.swap(bp + i, from + i);
                }
                truncate(stack, bp + n);
                enter!(g, callee);
            }
            Op::CallDtor(d, n) | Op::TailCallDtor(d, n) => {
                tick!();
                let pos = below!(n as usize + 1);
                let g = match open_record(stack, pos, code, d, n) {
                    Ok(g) => g,
                    Err(e) => fail!(e),
                };
                let callee = func!(g);
                if matches!(op, Op::TailCallDtor(..)) {
                    stack.drain(bp..pos);
                } else {
                    frames.push(Frame {
                        func: fid,
                        pc: ip as u32,
                        base: bp as u32,
                    });
                    bp = pos;
                }
                enter!(g, callee);
            }
            Op::Return | Op::ReturnSlot(_) => {
                let v = match op {
                    Op::ReturnSlot(s) => {
                        std::mem::replace(&mut stack[bp + s as usize], Value::Unit)
                    }
                    _ => pop!(),
                };
                truncate(stack, bp);
                let Some(fr) = frames.pop() else {
                    stack.clear();
                    return Step::Done;
                };
                fid = fr.func;
                f = func!(fid);
                ip = fr.pc as usize;
                bp = fr.base as usize;
                stack.push(v);
            }
            Op::Spawn(g) => {
                let callee = func!(g);
                let from = below!(callee.params as usize);
                let mut init = Vec::with_capacity(callee.slots as usize);
                init.extend(stack.drain(from..).map(value::for_new_process));
                cx.spawn(Box::new(Process::new(shared.clone(), g, init)));
                stack.push(Value::Unit);
            }
            Op::TailSpawn(g) => {
                tick!();
                let callee = func!(g);
                let from = below!(callee.params as usize);
                stack.drain(..from);
                frames.clear();
                bp = 0;
                *proc_fn = g;
                enter!(g, callee);
            }
            Op::Halt => {
                stack.clear();
                frames.clear();
                return Step::Done;
            }

            Op::Tag(t) => stack.push(Value::Tag(t)),
            // An instruction handed off is passed by reference into the
            // code: passing the `op` being dispatched by value keeps every
            // instruction in memory at dispatch (fib and chain 10 % slower).
            Op::Data(..) => cold!(build(stack, bp, code, &f.ops[ip - 1])),
            Op::Tuple(..) => cold!(build(stack, bp, code, &f.ops[ip - 1])),
            Op::List(..) => cold!(build(stack, bp, code, &f.ops[ip - 1])),
            Op::Record(..) => cold!(build(stack, bp, code, &f.ops[ip - 1])),

            Op::Add => arith!(BinOp::Add, checked_add, +=),
            Op::Sub => arith!(BinOp::Sub, checked_sub, -=),
            Op::Mul => arith!(BinOp::Mul, checked_mul, *=),
            Op::Div => arith!(BinOp::Div, checked_div, /=),
            Op::Rem => arith!(BinOp::Rem, checked_rem, %=),
            Op::LoadAddInt(s, k) | Op::LoadSubInt(s, k) => {
                let (bop, r) = match (&stack[bp + s as usize], op) {
                    (Value::Int(x), Op::LoadAddInt(..)) => (BinOp::Add, x.checked_add(k as i64)),
                    (Value::Int(x), _) => (BinOp::Sub, x.checked_sub(k as i64)),
                    _ => bug!("an operand of an Int operator is not an Int"),
                };
                match r {
                    Some(r) => stack.push(Value::Int(r)),
                    None => fail!(ops::overflow(bop)),
                }
            }
            Op::AddInt(k) => int_const!(BinOp::Add, checked_add, k),
            Op::SubInt(k) => int_const!(BinOp::Sub, checked_sub, k),
            Op::Lt => cmp_op!(BinOp::Lt, <),
            Op::Le => cmp_op!(BinOp::Le, <=),
            Op::Gt => cmp_op!(BinOp::Gt, >),
            Op::Ge => cmp_op!(BinOp::Ge, >=),
            Op::Eq => eq_op!(false),
            Op::Ne => eq_op!(true),
            Op::Bin(_) => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),
            Op::Neg => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),
            Op::Not => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),
            Op::Index => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),
            Op::ShowTyped(_) => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),
            Op::Native(_) => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),
            Op::Builtin(_) => cold!(apply(stack, bp, shared, &f.ops[ip - 1])),

            Op::Put => {
                let v = pop!();
                match stack.last() {
                    Some(Value::Chan(end)) => {
                        if let Some(g) = &shared.guard
                            && let Err(what) = g.put(end, &v)
                        {
                            fail!(guard_fault(&what));
                        }
                        cx.put(end, v)
                    }
                    _ => bug!("`put` on a value that is not a channel"),
                }
            }
            Op::Get | Op::Split(_) => {
                let got = match stack.last() {
                    Some(Value::Chan(end)) => end.try_get().ok_or_else(|| end.clone()),
                    _ => bug!("`get` on a value that is not a channel"),
                };
                let v = match got {
                    Ok(v) => v,
                    Err(end) => {
                        ip -= 1;
                        save!();
                        return Step::Park(end);
                    }
                };
                if let (Some(g), Some(Value::Chan(end))) = (&shared.guard, stack.last()) {
                    g.got(end, &v);
                }
                match op {
                    Op::Split(k) => {
                        stack.pop();
                        let Some(slots) = code.splits.get(k as usize) else {
                            bug!("unknown split site");
                        };
                        match v {
                            Value::Tuple(items) if items.len() == slots.len() => {
                                for (s, item) in slots.iter().zip(items.iter()) {
                                    stack[bp + *s as usize] = item.clone();
                                }
                            }
                            _ => bug!("`split` received something other than the halves"),
                        }
                    }
                    _ => *top!() = v,
                }
            }
            Op::Close => *top!() = Value::Unit,
            Op::NewChannel(..) => {
                let span = f.spans.get(ip - 1).copied().unwrap_or(f.span);
                cold!(channel_op(stack, bp, shared, cx, &f.ops[ip - 1], span))
            }
            Op::Forward => cold!(channel_op(stack, bp, shared, cx, &f.ops[ip - 1], f.span)),
            Op::Fork(k) => {
                let chan = pop!();
                if let Err(e) = fork(shared, k, chan, &stack[bp..], cx) {
                    fail!(e);
                }
                stack.clear();
                frames.clear();
                return Step::Done;
            }

            Op::TestTag(t, to) => {
                jump_unless!(matches!(stack.last(), Some(Value::Tag(x)) if *x == t), to)
            }
            Op::TestConst(k, to) => {
                let ok = match (stack.last(), code.consts.get(k as usize)) {
                    (Some(v), Some(c)) => value::equal(v, c),
                    _ => bug!("a pattern constant is missing"),
                };
                jump_unless!(ok, to)
            }
            Op::TestNil(to) => jump_unless!(stack.last().is_some_and(Value::is_empty_list), to),
            Op::PopTag(t, to) => jump_unless!(matches!(pop!(), Value::Tag(x) if x == t), to),
            Op::PopConst(k, to) => {
                let v = pop!();
                let ok = match code.consts.get(k as usize) {
                    Some(c) => value::equal(&v, c),
                    None => bug!("a pattern constant is missing"),
                };
                jump_unless!(ok, to)
            }
            Op::PopNil(to) => jump_unless!(pop!().is_empty_list(), to),
            Op::UnData(t, n, to) => match pop!() {
                Value::Data(x, fields) if x == t && fields.len() == n as usize => {
                    push_rev(stack, &fields)
                }
                _ => ip = to as usize,
            },
            Op::UnTuple(n, to) => match pop!() {
                Value::Tuple(items) if items.len() == n as usize => push_rev(stack, &items),
                Value::Unit if n == 0 => {}
                _ => ip = to as usize,
            },
            Op::Uncons(to) => match uncons_owned(pop!()) {
                Some((h, t)) => {
                    stack.push(t);
                    stack.push(h);
                }
                None => ip = to as usize,
            },
            Op::UnList(n, to) => match list_exact(pop!(), n as usize) {
                Some(items) => push_rev(stack, &items),
                None => ip = to as usize,
            },
            Op::MatchFail => fail!(no_match(true)),
            Op::LetFail => fail!(no_match(false)),
        }
    }
}
