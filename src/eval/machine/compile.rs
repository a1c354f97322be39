//! Compiles the resolved program (`crate::ir`) into flat instruction
//! sequences (`code`), once, before anything runs.
//!
//! The instructions are the checked tree's evaluation order, flattened:
//! operands are pushed left to right, branches become jumps, patterns become
//! test-and-destructure instructions that jump to the next arm on failure.
//! Calls in tail position become `TailCall`, process spawns in tail position
//! of a process body become `TailSpawn`, so that loops written as recursion
//! run in constant memory. The compiler tracks the operand-stack depth so a
//! failed arm can drop what a partial match pushed. An `if` condition is
//! compiled as control flow (`&&`, `||`, `!` build no Bool). Each finished
//! function goes through `liveness` (last reads move), `coalesce` (a list's
//! tail shares the slot it is passed back in), then three fusions that
//! remove instructions (a base case's test and return, a `switch` on a
//! list in a slot with its `case (x:rest)`, a tail call and its arguments'
//! pushes); a prelude function with a `native` body is compiled as a call
//! of it.
//!
//! Malformed IR (a slot out of range, a wrong arity, an unknown function) is
//! reported as an "internal error" `RunError` here, so the running machine
//! can index without panicking. Nothing here runs code or touches values
//! beyond building literal constants.

use super::code::{
    ArgSrc, CFunc, CharSet, Code, ForkArmSite, Op, Pc, RecordSite, TailArgs, TraceSite,
};
use super::forward::{self, Callee, Natives};
use super::native::Native;
use super::{coalesce, liveness};
use crate::host::RunError;
use crate::ir::{
    Arm, BinOp, Block, Expr, ExprKind, FnKind, ForkArm, FuncId, Function, Lit, Pattern,
    PatternKind, Program, RaceArm, Slot, Stmt, UnOp,
};
use crate::source::Span;
use crate::value::Value;

type CompileResult<T = ()> = Result<T, RunError>;

/// Compiles every function of `program`; `natives` says whether prelude
/// functions get their native bodies (`native`; tests compare both);
/// `traced`, whether `put` and `get` record their messages.
pub fn build_code(program: &Program, natives: bool, traced: bool) -> CompileResult<Code> {
    let mut code = Code {
        traced,
        ..Code::default()
    };
    extend_code(program, &mut code, &mut Vec::new(), natives)?;
    Ok(code)
}

/// Compiles the functions of `program` that `code` does not have yet (a
/// program that only grows, as the REPL's does) and the codata layouts it
/// lacks. `unit[f]` says function `f` always returns `()`; it is extended
/// for the new functions, whose calls reach only functions up to them.
pub fn extend_code(
    program: &Program,
    code: &mut Code,
    unit: &mut Vec<bool>,
    natives: bool,
) -> CompileResult {
    let from = code.funcs.len();
    extend_unit_functions(program, unit, from);
    // Tags are interned by name, so this is `PutSeq`'s label.
    code.put_label = code.put_label.or_else(|| program.tag("Put"));
    let known = code.codata_dtors.len();
    code.codata_dtors.extend(
        program
            .codata
            .iter()
            .skip(known)
            .map(|c| c.dtors.clone().into()),
    );
    let natives = Natives {
        on: natives,
        traced: code.traced,
    };
    for (id, f) in program.functions.iter().enumerate().skip(from) {
        let native = natives.body(program, id as FuncId);
        let mut cf = FuncCompiler::new(program, unit, code, f)
            .with_natives(natives)
            .run(native)?;
        liveness::move_last_uses(&mut cf.ops, cf.slots, code);
        coalesce::coalesce_tails(&mut cf.ops, cf.slots, code, |g| {
            program.functions.get(g as usize).map(|f| f.params)
        });
        fuse_base_cases(&mut cf);
        fuse_uncons_slots(&mut cf);
        let own = (id as FuncId, liveness::loop_written(&cf.ops, code));
        fuse_tail_args(&mut cf, &mut code.tail_args, own, |g| {
            program
                .functions
                .get(g as usize)
                .map(|f| (f.params, f.slots))
        });
        check_bounds(&cf)?;
        code.funcs.push(cf);
    }
    Ok(())
}

/// Fuses each `JumpIfNotSlotInt` that jumps just past the `ReturnSlot`
/// after it (a base case: `if (n < 2) { n } else ...`) into one
/// `ReturnIfSlotInt`, removing the `ReturnSlot` and moving the jumps past
/// it back by one. Runs after `liveness`, on finished code: the fusion
/// needs the jump's target. (fib: a leaf call runs one instruction instead
/// of two, a sixth of all it dispatches.)
fn fuse_base_cases(f: &mut CFunc) {
    let mut i = 0;
    while i + 1 < f.ops.len() {
        if let (Op::JumpIfNotSlotInt(cmp, s, k, t), Op::ReturnSlot(v)) = (f.ops[i], f.ops[i + 1])
            && t as usize == i + 2
            && !lands_within(&f.ops, i + 1..i + 2)
        {
            let span = f.spans[i];
            fuse(f, i..i + 2, Op::ReturnIfSlotInt(cmp, s, k, v), span);
        }
        i += 1;
    }
}

/// Fuses a moving `TestNilSlot(s, true, a)` and the `Pop` after it with
/// the `UnconsInto(h, s, _)` at `a` (its tail coalesced into `s`) into one
/// `UnconsSlot(s, h, _)` that jumps to what followed the `UnconsInto`,
/// which goes: the list is taken apart in its slot instead of pushed and
/// popped (a per-element loop's `switch`: 2 instructions instead of 3,
/// none of them moving the list).
/// Runs after `coalesce`.
fn fuse_uncons_slots(f: &mut CFunc) {
    let mut i = 0;
    while i + 1 < f.ops.len() {
        if let (Op::TestNilSlot(s, true, a), Op::Pop) = (f.ops[i], f.ops[i + 1])
            && let Some(&Op::UnconsInto(h, tail, _)) = f.ops.get(a as usize)
            && tail == s
            && h != s
            && a as usize > i + 1
            && jumps_to(&f.ops, a as usize) == 1
            && !liveness::successors(f.ops[a as usize - 1], a as usize - 1).any(|n| n == a as usize)
            && !lands_within(&f.ops, i + 1..i + 2)
        {
            // The `UnconsInto` goes, so `a` is what followed it; the fusion
            // then moves `a` back by the `Pop`.
            let span = f.spans[i];
            splice(f, a as usize..a as usize + 1, None);
            fuse(f, i..i + 2, Op::UnconsSlot(s, h, a), span);
        }
        i += 1;
    }
}

/// How many jumps of `ops` land on `at`.
fn jumps_to(ops: &[Op], at: usize) -> usize {
    targets(ops).filter(|&t| t == at).count()
}

/// Fuses a `TailCall(g)` with the instructions that push its arguments,
/// when each pushes one value from its own fields or a slot (`ArgSrc`)
/// and none reads a slot an earlier argument goes to, into one
/// `TailCallArgs(g, k)` that writes them straight into the first slots: a
/// self tail call is then a loop step without pushes, pops or the swap.
/// Runs after `liveness` (a `Move` must be a last use). (lines_loop: a
/// character's 8 instructions become 5, 18 % fewer machine instructions.)
///
/// `own` is the function's id and the slots its loop step resets
/// (`liveness::loop_written`);
/// `sizes` gives a callee's parameters and slots.
fn fuse_tail_args(
    f: &mut CFunc,
    table: &mut Vec<TailArgs>,
    (own, written): (FuncId, (u32, u32)),
    sizes: impl Fn(FuncId) -> Option<(u32, u32)>,
) {
    let mut j = 0;
    while j < f.ops.len() {
        if let Op::TailCall(g) = f.ops[j]
            && let Some((params, slots)) = sizes(g)
            && let n = params as usize
            && (1..=j).contains(&n)
            && !lands_within(&f.ops, j - n + 1..j + 1)
            && let Some(srcs) = ArgSrc::in_order(&f.ops[j - n..j])
        {
            let first = srcs.iter().take_while(|&&s| s == ArgSrc::Keep).count();
            let (srcs, first) = (srcs[first..].into(), first as u32);
            // A method body's captures are written by its call, not by
            // its instructions: such a function resets them all.
            let reset = match g == own && f.captures == 0 {
                true => (written.0.max(params), written.1),
                false => (params, slots),
            };
            table.push(TailArgs { srcs, first, reset });
            let (op, span) = (Op::TailCallArgs(g, (table.len() - 1) as u32), f.spans[j]);
            fuse(f, j - n..j + 1, op, span);
            j -= n;
        }
        j += 1;
    }
}

/// Some jump of `ops` lands on one of `at`.
fn lands_within(ops: &[Op], at: std::ops::Range<usize>) -> bool {
    targets(ops).any(|t| at.contains(&t))
}

/// Where each jump of `ops` lands.
fn targets(ops: &[Op]) -> impl Iterator<Item = usize> + '_ {
    ops.iter()
        .filter_map(|op| op.clone().target_mut().map(|t| *t as usize))
}

/// Replaces the instructions `at` with `op` (reported at `span`), moving
/// the jumps past them back. No jump may land inside `at`, only on its
/// first instruction (`lands_within`).
fn fuse(f: &mut CFunc, at: std::ops::Range<usize>, op: Op, span: Span) {
    splice(f, at, Some((op, span)));
}

/// Replaces the instructions `at` with `by` (one or none), moving the
/// jumps past `at`'s first instruction back by as many as went. A jump to
/// that first instruction lands on what replaced it, or, when nothing did,
/// on what followed `at`.
fn splice(f: &mut CFunc, at: std::ops::Range<usize>, by: Option<(Op, Span)>) {
    let removed = (at.len() - usize::from(by.is_some())) as u32;
    let mut ops = f.ops.to_vec();
    let mut spans = f.spans.to_vec();
    ops.splice(at.clone(), by.map(|(op, _)| op));
    spans.splice(at.clone(), by.map(|(_, span)| span));
    for op in &mut ops {
        if let Some(t) = op.target_mut()
            && *t as usize > at.start
        {
            *t -= removed;
        }
    }
    f.ops = ops.into();
    f.spans = spans.into();
}

/// The dispatch loop's contract (`exec`, which reads instructions
/// unchecked): `f` ends with `Return`, which never falls through, and
/// every jump lands inside it. So the pc stays in bounds: it moves on by
/// one from anything but the last instruction, jumps within, enters a
/// function at 0, and returns to just after a call (never the last).
fn check_bounds(f: &CFunc) -> CompileResult {
    let ends = matches!(f.ops.last(), Some(Op::Return));
    if ends && targets(&f.ops).all(|t| t < f.ops.len()) {
        return Ok(());
    }
    Err(internal(
        "compiled code that can leave its function",
        f.span,
        &f.name,
    ))
}

/// The entry must be a function without parameters (the wiring).
pub fn check_entry(program: &Program) -> CompileResult {
    match program.functions.get(program.entry as usize) {
        Some(f) if f.params == 0 && f.captures == 0 => Ok(()),
        Some(f) => Err(internal(
            "the entry wiring takes arguments",
            f.span,
            &f.name,
        )),
        None => Err(RunError::internal("wiring", "the program has no entry")
            .with_help("this is a bug in the interpreter, not in your program")),
    }
}

/// An "internal error" report: the IR broke the evaluator's contract.
pub fn internal(what: &str, span: Span, process: &str) -> RunError {
    RunError {
        message: format!("internal error: {what}"),
        span: Some(span),
        process: process.to_string(),
        help: Some("this is a bug in the interpreter, not in your program".into()),
        output_closed: false,
        trace: Vec::new(),
    }
}

/// How a tail expression's value is used.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// It is the function's result.
    Value,
    /// It is discarded and the function returns `()`.
    Unit,
}

/// Compiles one function.
struct FuncCompiler<'a> {
    prog: &'a Program,
    /// `unit[f]`: function `f` always returns `()` (so a discarded call to
    /// it in tail position may still be a tail call).
    unit: &'a [bool],
    tables: &'a mut Code,
    f: &'a Function,
    ops: Vec<Op>,
    spans: Vec<Span>,
    /// Temporaries above the frame's slots at the current instruction.
    depth: i64,
    /// The most temporaries at any instruction.
    max_depth: i64,
    /// The last jump target: no fusion of the instruction before it.
    barrier: usize,
    /// Which prelude functions with a native body are called as the native.
    natives: Natives,
}

impl<'a> FuncCompiler<'a> {
    fn new(prog: &'a Program, unit: &'a [bool], tables: &'a mut Code, f: &'a Function) -> Self {
        FuncCompiler {
            prog,
            unit,
            tables,
            f,
            ops: Vec::new(),
            spans: Vec::new(),
            depth: 0,
            max_depth: 0,
            barrier: 0,
            natives: Natives::default(),
        }
    }

    fn with_natives(mut self, natives: Natives) -> Self {
        self.natives = natives;
        self
    }

    fn run(mut self, native: Option<Native>) -> CompileResult<CFunc> {
        let f = self.f;
        if f.captures + f.params > f.slots {
            return Err(self.bug("more captures and parameters than slots", f.span));
        }
        match native {
            Some(n) => {
                for s in 0..f.params {
                    self.emit(Op::Load(s), f.span)?;
                }
                self.emit(Op::Native(n), f.span)?;
                self.emit(Op::Return, f.span)?;
            }
            None => self.tail(&f.body, Mode::Value)?,
        }
        // Unreachable guard: compiled bodies never fall through.
        self.emit(Op::Return, f.span)?;
        Ok(CFunc {
            name: f.name.as_str().into(),
            kind: f.kind,
            captures: f.captures,
            params: f.params,
            slots: f.slots,
            max_depth: u32::try_from(self.max_depth).unwrap_or(u32::MAX),
            slot_names: f.slot_names.clone().into(),
            ops: self.ops.into(),
            spans: self.spans.into(),
            span: f.span,
            prelude: f.prelude,
        })
    }

    // ------------------------------------------------------------ emitting

    /// `plain`, or in a traced run its traced form for a new trace site.
    fn traced(&mut self, plain: Op, traced: fn(u32) -> Op, at: Span, channel: Span) -> Op {
        if !self.tables.traced {
            return plain;
        }
        self.tables.trace_sites.push(TraceSite { at, channel });
        traced(self.tables.trace_sites.len() as u32 - 1)
    }

    fn bug(&self, what: &str, span: Span) -> RunError {
        internal(what, span, &self.f.name)
    }

    /// The next instruction's address, as a jump target: instructions
    /// are not fused across it.
    fn label(&mut self) -> Pc {
        self.barrier = self.ops.len();
        self.ops.len() as Pc
    }

    fn emit(&mut self, op: Op, span: Span) -> CompileResult<usize> {
        self.depth += self.effect(op);
        if self.depth < 0 {
            return Err(self.bug("operand stack underflow", span));
        }
        self.max_depth = self.max_depth.max(self.depth);
        if let Some(fused) = self.fuse(op) {
            let at = self.ops.len() - 1;
            self.ops[at] = fused;
            // A fused instruction keeps the span of its part that can fail:
            // the `Add` of an `AddReturn`, else the later part (a call's is
            // also where a trace says the callee was called from).
            if fused != Op::AddReturn {
                self.spans[at] = span;
            }
            return Ok(at);
        }
        self.ops.push(op);
        self.spans.push(span);
        Ok(self.ops.len() - 1)
    }

    /// A superinstruction for the previous instruction followed by `op`,
    /// where no jump lands between them: a `Load` with what uses the slot,
    /// a slot-plus-constant with the call it is the last argument of, an
    /// `Add` with the `Return` after it, and an `Uncons` with the `Store`s
    /// of the head and the tail. Each saves one dispatch (fib's recursive
    /// case runs 4 instructions instead of 7; `case (c:rest)` 1 instead of
    /// 3).
    fn fuse(&self, op: Op) -> Option<Op> {
        if self.barrier >= self.ops.len() {
            return None;
        }
        let small = |k: i64| i32::try_from(k).ok();
        match (*self.ops.last()?, op) {
            (Op::Load(s), Op::AddInt(k)) => small(k).map(|k| Op::LoadAddInt(s, k)),
            (Op::Load(s), Op::SubInt(k)) => small(k).map(|k| Op::LoadSubInt(s, k)),
            (Op::Load(s), Op::JumpIfNotInt(cmp, k, t)) => Some(Op::JumpIfNotSlotInt(cmp, s, k, t)),
            (Op::Load(s), Op::JumpIfNotChar(cmp, c, t)) => {
                Some(Op::JumpIfNotSlotChar(cmp, s, c, t))
            }
            (Op::Load(s), Op::Return) => Some(Op::ReturnSlot(s)),
            (Op::Load(s), Op::TestNil(t)) => Some(Op::TestNilSlot(s, false, t)),
            (Op::Load(s), Op::JumpIfFalse(t)) => Some(Op::JumpIfSlot(s, false, t)),
            (Op::Load(s), Op::JumpIfTrue(t)) => Some(Op::JumpIfSlot(s, true, t)),
            (Op::LoadAddInt(s, k), Op::Call(g)) => Some(Op::LoadAddIntCall(s, k, g)),
            (Op::LoadSubInt(s, k), Op::Call(g)) => Some(Op::LoadSubIntCall(s, k, g)),
            (Op::Add, Op::Return) => Some(Op::AddReturn),
            (Op::Uncons(t), Op::Store(h)) => Some(Op::UnconsHead(h, t)),
            (Op::UnconsHead(h, t), Op::Store(tail)) => Some(Op::UnconsInto(h, tail, t)),
            _ => None,
        }
    }

    fn patch(&mut self, at: usize, target: Pc) {
        if let Some(t) = self.ops[at].target_mut() {
            *t = target;
        }
    }

    /// Points the jump at `at` to the next instruction.
    fn patch_here(&mut self, at: usize) {
        let target = self.label();
        self.patch(at, target);
    }

    fn patch_all(&mut self, ats: &[usize], target: Pc) {
        for &at in ats {
            self.patch(at, target);
        }
    }

    /// How an instruction changes the operand depth (on fall-through).
    fn effect(&self, op: Op) -> i64 {
        use Op::*;
        let params = |g: FuncId| {
            self.prog
                .functions
                .get(g as usize)
                .map_or(0, |f| f.params as i64)
        };
        match op {
            Unit | Int(_) | Bool(_) | Char(_) | Const(_) | Load(_) | Move(_) | Dup | Args
            | Service(_) | Tag(_) | Record(_) => 1,
            Store(_) | Pop | JumpIfFalse(_) | JumpIfTrue(_) | AndThen(_) | OrElse(_) => -1,
            JumpIfNotInt(..) | JumpIfNotChar(..) => -1,
            JumpIfNot(..) => -2,
            AddInt(_) | SubInt(_) => 0,
            LoadAddInt(..) | LoadSubInt(..) => 1,
            JumpIfNotSlotInt(..) | JumpIfNotSlotChar(..) | JumpIfSlot(..) | ReturnSlot(_) => 0,
            ReturnIfSlotInt(..) => 0,
            JumpIfSlotCharIn(..) => 0,
            Truncate(_) | Jump(_) | Return | AddReturn | TailCall(_) | TailCallArgs(..)
            | TailCallDtor(..) | TailSpawn(_) | Halt | MatchFail | LetFail => 0,
            Call(g) | Spawn(g) => 1 - params(g),
            LoadAddIntCall(.., g) | LoadSubIntCall(.., g) => 2 - params(g),
            CallDtor(_, n) => -(n as i64),
            Data(_, n) | Tuple(n) | List(n) => 1 - n as i64,
            Add | Sub | Mul | Div | Rem | Lt | Le | Gt | Ge | Eq | Ne | Bin(_) => -1,
            Neg | Not | Builtin(_) | ShowTyped(_) | Get | TracedGet(_) | Close | NewChannel(..) => {
                0
            }
            Index => -2,
            Native(n) => 1 - n.arity() as i64,
            Put | TracedPut(_) | Fork(_) | Split(_) | PutSlot(_) => -1,
            GetSlot(_) => 1,
            Forward => -2,
            TestTag(..) | TestConst(..) | TestNil(_) => 0,
            TestNilSlot(..) => 1,
            PopTag(..) | PopConst(..) | PopNil(_) => -1,
            UnData(_, n, _) | UnTuple(n, _) | UnList(n, _) => n as i64 - 1,
            Uncons(_) | Race(_) => 1,
            UnconsHead(..) => 0,
            UnconsInto(..) => -1,
            UnconsSlot(..) => 0,
        }
    }

    fn slot(&self, s: Slot, span: Span) -> CompileResult {
        match s < self.f.slots {
            true => Ok(()),
            false => Err(self.bug(&format!("slot {s} out of range"), span)),
        }
    }

    fn constant(&mut self, v: Value) -> u32 {
        self.tables.consts.push(v);
        (self.tables.consts.len() - 1) as u32
    }

    /// The callee `g`, checked to take `nargs` arguments and no captures.
    fn callee(&self, g: FuncId, nargs: usize, span: Span) -> CompileResult<&'a Function> {
        let prog: &'a Program = self.prog;
        match prog.functions.get(g as usize) {
            Some(f) if f.captures == 0 && f.params as usize == nargs => Ok(f),
            Some(f) => Err(self.bug(&format!("wrong arguments for `{}`", f.name), span)),
            None => Err(self.bug(&format!("unknown function {g}"), span)),
        }
    }

    fn process_like(&self) -> bool {
        matches!(
            self.f.kind,
            FnKind::Process | FnKind::ForkArm | FnKind::Wiring | FnKind::Session
        )
    }

    // ---------------------------------------------------------- tail code

    /// Compiles `e` as the result of the function: the code never falls
    /// through (it returns, tail-calls or ends the process).
    fn tail(&mut self, e: &Expr, mode: Mode) -> CompileResult {
        let sp = e.span;
        match &e.kind {
            ExprKind::Call { func, args } if mode == Mode::Value || self.is_unit(*func) => {
                self.call_fn(*func, args, sp, true)?;
            }
            ExprKind::Spawn { proc, args } if self.process_like() => {
                self.callee(*proc, args.len(), sp)?;
                self.exprs(args)?;
                self.emit(Op::TailSpawn(*proc), sp)?;
            }
            ExprKind::Dtor {
                receiver,
                dtor,
                args,
                ..
            } if mode == Mode::Value => {
                self.expr(receiver)?;
                self.exprs(args)?;
                self.emit(Op::TailCallDtor(*dtor, args.len() as u32), sp)?;
            }
            ExprKind::If { cond, then, else_ } => {
                let js = self.jump_when(cond, false, sp)?;
                let d = self.depth;
                self.tail(then, mode)?;
                let here = self.label();
                self.patch_all(&js, here);
                self.depth = d;
                self.tail(else_or_unit(else_, sp).as_ref(), mode)?;
            }
            ExprKind::Match { scrutinee, arms } => self.switch(scrutinee, arms, sp, Some(mode))?,
            ExprKind::Race(arms) => self.race(arms, sp, Some(mode))?,
            ExprKind::Block(b) => self.block_tail(b, mode, sp)?,
            _ if mode == Mode::Unit => {
                self.discard(e)?;
                self.emit(Op::Unit, sp)?;
                self.emit(Op::Return, sp)?;
            }
            _ => {
                self.expr(e)?;
                self.emit(Op::Return, sp)?;
            }
        }
        Ok(())
    }

    fn is_unit(&self, g: FuncId) -> bool {
        self.unit.get(g as usize).copied().unwrap_or(false)
    }

    /// A block in tail position. Without a tail expression its value is
    /// `()`, so a last expression statement is compiled as a `Unit` tail.
    fn block_tail(&mut self, b: &Block, mode: Mode, sp: Span) -> CompileResult {
        if let Some(t) = &b.tail {
            self.stmts(&b.stmts)?;
            return self.tail(t, mode);
        }
        if let Some((Stmt::Expr { expr: last, .. }, init)) = b.stmts.split_last() {
            self.stmts(init)?;
            return self.tail(last, Mode::Unit);
        }
        self.stmts(&b.stmts)?;
        self.emit(Op::Unit, sp)?;
        self.emit(Op::Return, sp)?;
        Ok(())
    }

    // ------------------------------------------------------- expressions

    fn exprs(&mut self, es: &[Expr]) -> CompileResult {
        es.iter().try_for_each(|e| self.expr(e))
    }

    /// Compiles `e` to push exactly one value.
    fn expr(&mut self, e: &Expr) -> CompileResult {
        let sp = e.span;
        if let Some(v) = self.folded(e) {
            let k = self.constant(v);
            return self.emit(Op::Const(k), sp).map(drop);
        }
        match &e.kind {
            ExprKind::Unknown { .. } => Err(self.bug("a name that did not resolve", sp)),
            ExprKind::Lit(l) => self.lit(l, sp),
            ExprKind::Local(s) => {
                self.slot(*s, sp)?;
                self.emit(Op::Load(*s), sp).map(drop)
            }
            ExprKind::Args => self.emit(Op::Args, sp).map(drop),
            ExprKind::Service(s) => self.emit(Op::Service(*s), sp).map(drop),
            ExprKind::Call { func, args } => self.call_fn(*func, args, sp, false),
            ExprKind::Spawn { proc, args } => self.call(Op::Spawn(*proc), *proc, args, sp),
            ExprKind::Builtin { op, args, show, .. } => {
                if args.len() != 1 {
                    return Err(self.bug("a builtin takes one argument", sp));
                }
                self.exprs(args)?;
                match show {
                    Some(ty) if *op == crate::ir::Builtin::Show => {
                        let i = self.tables.show_types.len() as u32;
                        self.tables.show_types.push(ty.clone());
                        self.emit(Op::ShowTyped(i), sp).map(drop)
                    }
                    _ => self.emit(Op::Builtin(*op), sp).map(drop),
                }
            }
            ExprKind::Ctor { tag, args } if args.is_empty() => {
                self.emit(Op::Tag(*tag), sp).map(drop)
            }
            ExprKind::Ctor { tag, args } => self.build(args, Op::Data(*tag, args.len() as u32), sp),
            ExprKind::Tuple(items) => self.build(items, Op::Tuple(items.len() as u32), sp),
            ExprKind::List(items) => self.build(items, Op::List(items.len() as u32), sp),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, sp),
            ExprKind::Unary { op, operand } => {
                self.expr(operand)?;
                let op = match op {
                    UnOp::Neg => Op::Neg,
                    UnOp::Not => Op::Not,
                };
                self.emit(op, sp).map(drop)
            }
            ExprKind::Index {
                list,
                index,
                default,
            } => {
                self.expr(list)?;
                self.expr(index)?;
                self.expr(default)?;
                self.emit(Op::Index, sp).map(drop)
            }
            ExprKind::If { cond, then, else_ } => {
                self.if_(cond, then, else_or_unit(else_, sp).as_ref(), sp)
            }
            ExprKind::Match { scrutinee, arms } => self.switch(scrutinee, arms, sp, None),
            ExprKind::Race(arms) => self.race(arms, sp, None),
            ExprKind::Block(b) => {
                self.stmts(&b.stmts)?;
                match &b.tail {
                    Some(t) => self.expr(t),
                    None => self.emit(Op::Unit, sp).map(drop),
                }
            }
            ExprKind::Record {
                codata,
                methods,
                captures,
                ..
            } => self.record(*codata, methods, captures, sp),
            ExprKind::Dtor {
                receiver,
                dtor,
                args,
                ..
            } => {
                self.expr(receiver)?;
                self.exprs(args)?;
                self.emit(Op::CallDtor(*dtor, args.len() as u32), sp)
                    .map(drop)
            }
            ExprKind::Put { channel, value } => {
                self.expr(channel)?;
                self.expr(value)?;
                let op = self.traced(Op::Put, Op::TracedPut, sp, channel.span);
                self.emit(op, sp).map(drop)
            }
            ExprKind::Get(c) => {
                if let Some(s) = self.slot_puts(c)? {
                    return self.emit(Op::GetSlot(s), sp).map(drop);
                }
                self.expr(c)?;
                let op = self.traced(Op::Get, Op::TracedGet, sp, c.span);
                self.emit(op, sp).map(drop)
            }
            ExprKind::Close(c) => {
                self.expr(c)?;
                self.emit(Op::Close, sp).map(drop)
            }
        }
    }

    /// Compiles `e` for its effects only: it leaves nothing on the stack.
    fn discard(&mut self, e: &Expr) -> CompileResult {
        if matches!(e.kind, ExprKind::Put { .. }) && self.slot_puts(e)?.is_some() {
            return Ok(());
        }
        self.expr(e)?;
        self.emit(Op::Pop, e.span).map(drop)
    }

    /// When `e` is a channel in a slot after any number of puts
    /// (`c`, `c.put(a)`, `c.put(a).put(b)`), compiles the puts as
    /// `PutSlot`s and gives the slot; else compiles nothing. Not in a
    /// traced run, whose puts and gets are recorded by `TracedPut` and
    /// `TracedGet`.
    fn slot_puts(&mut self, e: &Expr) -> CompileResult<Option<Slot>> {
        let Some((s, puts)) = put_chain(e).filter(|_| !self.tables.traced) else {
            return Ok(None);
        };
        self.slot(s, e.span)?;
        for put in puts {
            if let ExprKind::Put { value, .. } = &put.kind {
                self.expr(value)?;
                self.emit(Op::PutSlot(s), put.span)?;
            }
        }
        Ok(Some(s))
    }

    fn lit(&mut self, l: &Lit, sp: Span) -> CompileResult {
        let op = match l {
            Lit::Unit => Op::Unit,
            Lit::Int(n) => Op::Int(*n),
            Lit::Bool(b) => Op::Bool(*b),
            Lit::Char(c) => Op::Char(*c),
            other => Op::Const(self.constant(lit_value(other))),
        };
        self.emit(op, sp).map(drop)
    }

    /// A call of function `g` (a tail call when `tail`): its arguments,
    /// the constants of the prelude wrappers it goes through, then the call
    /// of the worker, or its native without a frame (see `forward`). On
    /// `length(words(line))` for each line of 1 MiB of text: 190.7 M ->
    /// 163.9 M instructions.
    fn call_fn(&mut self, g: FuncId, args: &[Expr], sp: Span, tail: bool) -> CompileResult {
        self.callee(g, args.len(), sp)?;
        let (to, extra) = forward::target(self.prog, g, args.len(), self.natives);
        let nargs = args.len() + extra.len();
        self.exprs(args)?;
        extra.into_iter().try_for_each(|e| self.expr(e))?;
        let op = match to {
            Callee::Native(n) => {
                self.emit(Op::Native(n), sp)?;
                if !tail {
                    return Ok(());
                }
                Op::Return
            }
            Callee::Func(h) => {
                self.callee(h, nargs, sp)?;
                if tail { Op::TailCall(h) } else { Op::Call(h) }
            }
        };
        self.emit(op, sp).map(drop)
    }

    fn call(&mut self, op: Op, g: FuncId, args: &[Expr], sp: Span) -> CompileResult {
        self.callee(g, args.len(), sp)?;
        self.exprs(args)?;
        self.emit(op, sp).map(drop)
    }

    /// The value of a list, tuple or constructor whose parts are all
    /// literals (or conversions of literals, or such values themselves),
    /// made once here and loaded as a constant where it is used: Pluto's
    /// `[intToByte(10), intToByte(13), intToByte(10)]`, built on every
    /// request, was five builtin calls, a `Vec` and a packed copy (with
    /// its constant tuples, Pluto went 137.8 k -> 130.7 k machine
    /// instructions a request). Like a string literal, the value is shared
    /// by every process that loads it. `None`
    /// for anything else, and for a conversion that fails (it fails at
    /// run time, at its place, as before). A plain literal is left to
    /// `lit`; `show` is not folded (it prints by type).
    fn folded(&self, e: &Expr) -> Option<Value> {
        let parts = |items: &[Expr]| -> Option<Vec<Value>> {
            items.iter().map(|x| self.constant_value(x)).collect()
        };
        match &e.kind {
            // `[]` too, like `""`: `List(0)` went through `build` and an
            // empty `Vec` (about 170 instructions for a `Nil`).
            ExprKind::List(items) => Some(Value::list(parts(items)?)),
            ExprKind::Tuple(items) => Some(Value::tuple(parts(items)?)),
            ExprKind::Ctor { tag, args } if !args.is_empty() => {
                let fields: Vec<Value> = parts(args)?;
                Some(Value::Data(*tag, fields.into()))
            }
            _ => None,
        }
    }

    /// The value of a literal, of a conversion of one, or of a [`folded`]
    /// expression.
    ///
    /// [`folded`]: FuncCompiler::folded
    fn constant_value(&self, e: &Expr) -> Option<Value> {
        match &e.kind {
            ExprKind::Lit(l) => Some(lit_value(l)),
            ExprKind::Ctor { tag, args } if args.is_empty() => Some(Value::Tag(*tag)),
            ExprKind::Builtin { op, args, .. } if *op != crate::ir::Builtin::Show => {
                let [arg] = args.as_slice() else { return None };
                super::ops::builtin(*op, self.constant_value(arg)?, self.prog).ok()
            }
            _ => self.folded(e),
        }
    }

    fn build(&mut self, items: &[Expr], op: Op, sp: Span) -> CompileResult {
        self.exprs(items)?;
        self.emit(op, sp).map(drop)
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr, sp: Span) -> CompileResult {
        if matches!(op, BinOp::And | BinOp::Or) {
            self.expr(lhs)?;
            let skip = match op {
                BinOp::And => Op::AndThen(0),
                _ => Op::OrElse(0),
            };
            let j = self.emit(skip, sp)?;
            self.expr(rhs)?;
            self.patch_here(j);
            return Ok(());
        }
        self.expr(lhs)?;
        if let (BinOp::Add | BinOp::Sub, ExprKind::Lit(Lit::Int(k))) = (op, &rhs.kind) {
            let op = match op {
                BinOp::Add => Op::AddInt(*k),
                _ => Op::SubInt(*k),
            };
            return self.emit(op, sp).map(drop);
        }
        self.expr(rhs)?;
        let fast = match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            BinOp::Div => Op::Div,
            BinOp::Rem => Op::Rem,
            BinOp::Lt => Op::Lt,
            BinOp::Le => Op::Le,
            BinOp::Gt => Op::Gt,
            BinOp::Ge => Op::Ge,
            BinOp::Eq => Op::Eq,
            BinOp::Ne => Op::Ne,
            other => Op::Bin(other),
        };
        self.emit(fast, sp).map(drop)
    }

    /// Compiles `cond` as control flow: the returned jumps (to patch) are
    /// taken when `cond` is `when`, otherwise execution falls through. No
    /// Bool is built for `&&`, `||`, `!` or a comparison; a comparison with
    /// an Int or Char literal is one instruction.
    fn jump_when(&mut self, cond: &Expr, when: bool, sp: Span) -> CompileResult<Vec<usize>> {
        if let ExprKind::Binary { op, .. } = &cond.kind
            && let Some((s, chars)) = char_set(cond, *op == BinOp::Or)
        {
            self.slot(s, sp)?;
            self.tables.char_sets.push(CharSet::new(&chars));
            let k = (self.tables.char_sets.len() - 1) as u32;
            // `||` of `==` holds when the character is in the set; `&&` of
            // `!=` when it is not.
            let in_set = when == (*op == BinOp::Or);
            return Ok(vec![self.emit(Op::JumpIfSlotCharIn(s, k, in_set, 0), sp)?]);
        }
        match &cond.kind {
            ExprKind::Unary {
                op: UnOp::Not,
                operand,
            } => self.jump_when(operand, !when, sp),
            ExprKind::Binary { op, lhs, rhs } if matches!(op, BinOp::And | BinOp::Or) => {
                // `a && b` is false as soon as `a` is; `a || b` true as soon as `a` is.
                let decisive = matches!(op, BinOp::Or);
                if when == decisive {
                    let mut js = self.jump_when(lhs, when, sp)?;
                    js.extend(self.jump_when(rhs, when, sp)?);
                    Ok(js)
                } else {
                    let skip = self.jump_when(lhs, decisive, sp)?;
                    let js = self.jump_when(rhs, when, sp)?;
                    let here = self.label();
                    self.patch_all(&skip, here);
                    Ok(js)
                }
            }
            ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => {
                // Jump when `cmp` fails; `!(a == b)` is `a != b`, and on Ints
                // and Chars every comparison has an exact negation.
                let imm = immediate(rhs);
                let cmp = match (when, imm) {
                    (false, _) => *op,
                    (true, Some(_)) => negate(*op),
                    (true, None) if matches!(op, BinOp::Eq | BinOp::Ne) => negate(*op),
                    (true, None) => return self.jump_on_value(cond, when, sp),
                };
                self.expr(lhs)?;
                let jump = match imm {
                    Some(Imm::Int(k)) => Op::JumpIfNotInt(cmp, k, 0),
                    Some(Imm::Char(c)) => Op::JumpIfNotChar(cmp, c, 0),
                    None => {
                        self.expr(rhs)?;
                        Op::JumpIfNot(cmp, 0)
                    }
                };
                Ok(vec![self.emit(jump, cond.span)?])
            }
            _ => self.jump_on_value(cond, when, sp),
        }
    }

    /// Evaluates `cond` to a Bool and jumps when it is `when`.
    fn jump_on_value(&mut self, cond: &Expr, when: bool, sp: Span) -> CompileResult<Vec<usize>> {
        self.expr(cond)?;
        let op = match when {
            true => Op::JumpIfTrue(0),
            false => Op::JumpIfFalse(0),
        };
        Ok(vec![self.emit(op, sp)?])
    }

    fn if_(&mut self, cond: &Expr, then: &Expr, else_: &Expr, sp: Span) -> CompileResult {
        let js = self.jump_when(cond, false, sp)?;
        let d = self.depth;
        self.expr(then)?;
        let end = self.emit(Op::Jump(0), sp)?;
        let here = self.label();
        self.patch_all(&js, here);
        self.depth = d;
        self.expr(else_)?;
        self.patch_here(end);
        Ok(())
    }

    fn record(
        &mut self,
        codata: u32,
        methods: &[FuncId],
        captures: &[Slot],
        sp: Span,
    ) -> CompileResult {
        let Some(info) = self.prog.codata.get(codata as usize) else {
            return Err(self.bug("unknown codata type", sp));
        };
        if info.dtors.len() != methods.len() {
            return Err(self.bug("a record's methods do not match its codata type", sp));
        }
        for &m in methods {
            match self.prog.functions.get(m as usize) {
                Some(f) if f.captures as usize == captures.len() => {}
                _ => return Err(self.bug("a record method does not fit its captures", sp)),
            }
        }
        for &s in captures {
            self.slot(s, sp)?;
        }
        self.tables.records.push(RecordSite {
            codata,
            methods: methods.into(),
            captures: captures.into(),
        });
        let k = (self.tables.records.len() - 1) as u32;
        self.emit(Op::Record(k), sp).map(drop)
    }

    // ------------------------------------------------------------ matching

    /// `switch`: the scrutinee stays on the stack while arms are tried. A
    /// simple arm peeks at it; a nested one works on a copy and, on
    /// failure, truncates back to the scrutinee. The last (or an
    /// irrefutable) arm consumes it. `mode` set: the arms are tail code.
    fn switch(
        &mut self,
        scrutinee: &Expr,
        arms: &[Arm],
        sp: Span,
        mode: Option<Mode>,
    ) -> CompileResult {
        if let Some(slots) = slot_tuple(scrutinee, arms) {
            return self.switch_slots(&slots, arms, sp, mode);
        }
        self.expr(scrutinee)?;
        self.switch_arms(arms, sp, mode)
    }

    /// `race`: the winner's index, then a `switch` on it (the last arm
    /// takes what is left, so it needs no test).
    fn race(&mut self, arms: &[RaceArm], sp: Span, mode: Option<Mode>) -> CompileResult {
        self.tables
            .races
            .push(arms.iter().filter_map(RaceArm::slot).collect());
        if self.tables.races.last().map(|r| r.len()) != Some(arms.len()) {
            return Err(self.bug("a race waits on something else than a local", sp));
        }
        let k = (self.tables.races.len() - 1) as u32;
        self.emit(Op::Race(k), sp)?;
        let arms: Vec<Arm> = arms
            .iter()
            .enumerate()
            .map(|(i, a)| Arm {
                pattern: match i + 1 == arms.len() {
                    true => PatternKind::Wild.into(),
                    false => PatternKind::Lit(Lit::Int(i as i64)).into(),
                },
                body: a.body.clone(),
                span: a.span,
            })
            .collect();
        self.switch_arms(&arms, sp, mode)
    }

    /// The arms of a `switch` whose scrutinee is on the stack.
    fn switch_arms(&mut self, arms: &[Arm], sp: Span, mode: Option<Mode>) -> CompileResult {
        let d = self.depth;
        let mut ends = Vec::new();
        let mut ended = false;
        for (i, arm) in arms.iter().enumerate() {
            let last = i + 1 == arms.len() || irrefutable(&arm.pattern);
            let mut fails = Vec::new();
            let truncate = self.arm_test(&arm.pattern, last, &mut fails, sp)?;
            match mode {
                Some(m) => self.tail(&arm.body, m)?,
                None => {
                    self.expr(&arm.body)?;
                    ends.push(self.emit(Op::Jump(0), sp)?);
                }
            }
            let next = self.label();
            self.patch_all(&fails, next);
            self.depth = d;
            if last {
                if !fails.is_empty() {
                    self.emit(Op::MatchFail, sp)?;
                }
                ended = true;
                break;
            }
            if truncate {
                self.emit(Op::Truncate(self.f.slots + d as u32), sp)?;
            }
        }
        if !ended {
            self.emit(Op::MatchFail, sp)?;
        }
        let end = self.label();
        self.patch_all(&ends, end);
        self.depth = d;
        Ok(())
    }

    /// `switch` on a tuple of slots (functions defined by clauses): each
    /// arm matches the slots one by one, and no tuple is built.
    fn switch_slots(
        &mut self,
        slots: &[Slot],
        arms: &[Arm],
        sp: Span,
        mode: Option<Mode>,
    ) -> CompileResult {
        for &s in slots {
            self.slot(s, sp)?;
        }
        let d = self.depth;
        let mut ends = Vec::new();
        for arm in arms {
            let mut fails = Vec::new();
            if let PatternKind::Tuple(ps) = &arm.pattern.kind {
                for (&s, p) in slots.iter().zip(ps) {
                    self.emit(Op::Load(s), sp)?;
                    self.pattern(p, &mut fails, sp)?;
                }
            }
            match mode {
                Some(m) => self.tail(&arm.body, m)?,
                None => {
                    self.expr(&arm.body)?;
                    ends.push(self.emit(Op::Jump(0), sp)?);
                }
            }
            self.depth = d;
            if fails.is_empty() {
                self.finish_switch(&ends, d);
                return Ok(());
            }
            let next = self.label();
            self.patch_all(&fails, next);
            self.emit(Op::Truncate(self.f.slots + d as u32), sp)?;
        }
        self.emit(Op::MatchFail, sp)?;
        self.finish_switch(&ends, d);
        Ok(())
    }

    fn finish_switch(&mut self, ends: &[usize], d: i64) {
        let end = self.label();
        self.patch_all(ends, end);
        self.depth = d + 1;
    }

    /// The test of one arm; on success the scrutinee is gone. Returns true
    /// if a failure must truncate back to the scrutinee.
    fn arm_test(
        &mut self,
        p: &Pattern,
        last: bool,
        fails: &mut Vec<usize>,
        sp: Span,
    ) -> CompileResult<bool> {
        if last {
            self.pattern(p, fails, sp)?;
            return Ok(false);
        }
        if let Some(test) = self.peek_test(p) {
            fails.push(self.emit(test, sp)?);
            self.emit(Op::Pop, sp)?;
            return Ok(false);
        }
        self.emit(Op::Dup, sp)?;
        self.pattern(p, fails, sp)?;
        self.emit(Op::Pop, sp)?;
        Ok(true)
    }

    /// A test that only looks at the top value, for simple patterns.
    fn peek_test(&mut self, p: &Pattern) -> Option<Op> {
        match &p.kind {
            PatternKind::Lit(l) => Some(Op::TestConst(self.constant(lit_value(l)), 0)),
            PatternKind::Ctor { tag, args } if args.is_empty() => Some(Op::TestTag(*tag, 0)),
            PatternKind::Nil => Some(Op::TestNil(0)),
            _ => None,
        }
    }

    /// Consumes the top value, binding slots; failing tests are added to
    /// `fails` for the caller to patch.
    fn pattern(&mut self, p: &Pattern, fails: &mut Vec<usize>, sp: Span) -> CompileResult {
        match &p.kind {
            PatternKind::Unknown { .. } => {
                return Err(self.bug("a pattern that did not resolve", sp));
            }
            PatternKind::Wild => {
                self.emit(Op::Pop, sp)?;
            }
            PatternKind::Bind(s) => {
                self.slot(*s, sp)?;
                self.emit(Op::Store(*s), sp)?;
            }
            PatternKind::Lit(l) => {
                let k = self.constant(lit_value(l));
                fails.push(self.emit(Op::PopConst(k, 0), sp)?);
            }
            PatternKind::Ctor { tag, args } if args.is_empty() => {
                fails.push(self.emit(Op::PopTag(*tag, 0), sp)?);
            }
            PatternKind::Ctor { tag, args } => {
                fails.push(self.emit(Op::UnData(*tag, args.len() as u32, 0), sp)?);
                self.patterns(args, fails, sp)?;
            }
            PatternKind::Tuple(ps) => {
                fails.push(self.emit(Op::UnTuple(ps.len() as u32, 0), sp)?);
                self.patterns(ps, fails, sp)?;
            }
            PatternKind::Nil => {
                fails.push(self.emit(Op::PopNil(0), sp)?);
            }
            PatternKind::Cons(h, t) => {
                fails.push(self.emit(Op::Uncons(0), sp)?);
                self.pattern(h, fails, sp)?;
                self.pattern(t, fails, sp)?;
            }
            PatternKind::List(ps) => {
                fails.push(self.emit(Op::UnList(ps.len() as u32, 0), sp)?);
                self.patterns(ps, fails, sp)?;
            }
        }
        Ok(())
    }

    fn patterns(&mut self, ps: &[Pattern], fails: &mut Vec<usize>, sp: Span) -> CompileResult {
        ps.iter().try_for_each(|p| self.pattern(p, fails, sp))
    }

    // ---------------------------------------------------------- statements

    fn stmts(&mut self, ss: &[Stmt]) -> CompileResult {
        ss.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> CompileResult {
        match s {
            Stmt::Let {
                pattern,
                value,
                span,
                ..
            } => {
                self.expr(value)?;
                self.let_pattern(pattern, *span)
            }
            Stmt::Expr { expr: e, .. } => self.discard(e),
            Stmt::Channel {
                end,
                dual,
                span,
                monitor,
                ..
            } => {
                self.slot(*end, *span)?;
                self.slot(*dual, *span)?;
                let states = match monitor {
                    Some(states) => {
                        self.tables.channel_states.push(*states);
                        (self.tables.channel_states.len() - 1) as u32
                    }
                    None => super::code::NO_STATES,
                };
                self.emit(Op::NewChannel(*end, *dual, states), *span)
                    .map(drop)
            }
            Stmt::Forward { a, b, span } => {
                self.expr(a)?;
                self.expr(b)?;
                self.emit(Op::Forward, *span).map(drop)
            }
            Stmt::Halt { span } => self.emit(Op::Halt, *span).map(drop),
            Stmt::Fork {
                channel,
                arms,
                span,
            } => self.fork(channel, arms, *span),
            Stmt::Split {
                channel,
                slots,
                span,
                ..
            } => {
                for &s in slots {
                    self.slot(s, *span)?;
                }
                self.expr(channel)?;
                self.tables.splits.push(slots.clone().into());
                let k = (self.tables.splits.len() - 1) as u32;
                self.emit(Op::Split(k), *span).map(drop)
            }
        }
    }

    fn let_pattern(&mut self, p: &Pattern, span: Span) -> CompileResult {
        let mut fails = Vec::new();
        self.pattern(p, &mut fails, span)?;
        if fails.is_empty() {
            return Ok(());
        }
        let over = self.emit(Op::Jump(0), span)?;
        let fail = self.label();
        self.patch_all(&fails, fail);
        self.emit(Op::LetFail, span)?;
        self.patch_here(over);
        Ok(())
    }

    fn fork(&mut self, channel: &Expr, arms: &[ForkArm], span: Span) -> CompileResult {
        let mut sites = Vec::with_capacity(arms.len());
        for arm in arms {
            sites.push(self.fork_arm(arm, span)?);
        }
        self.expr(channel)?;
        self.tables.forks.push(sites.into());
        let k = (self.tables.forks.len() - 1) as u32;
        self.emit(Op::Fork(k), span).map(drop)
    }

    fn fork_arm(&self, arm: &ForkArm, span: Span) -> CompileResult<ForkArmSite> {
        let Some(f) = self.prog.functions.get(arm.func as usize) else {
            return Err(self.bug("unknown fork arm", span));
        };
        let fits = f.captures as usize == arm.captures.len() && f.params == 0;
        if !fits || arm.half >= f.slots || arm.captures.len() > f.slots as usize {
            return Err(self.bug("a fork arm does not fit its frame", span));
        }
        for &s in &arm.captures {
            self.slot(s, span)?;
        }
        Ok(ForkArmSite {
            func: arm.func,
            captures: arm.captures.clone().into(),
            half: arm.half,
        })
    }
}

/// The `else` of an `if`: `()` when none is written.
fn else_or_unit(else_: &Option<Box<Expr>>, sp: Span) -> std::borrow::Cow<'_, Expr> {
    match else_ {
        Some(e) => std::borrow::Cow::Borrowed(e),
        None => std::borrow::Cow::Owned(Expr {
            kind: ExprKind::Lit(Lit::Unit),
            span: sp,
        }),
    }
}

/// The value of a literal.
/// A literal right operand a comparison instruction can carry.
#[derive(Clone, Copy)]
enum Imm {
    Int(i32),
    Char(char),
}

fn immediate(e: &Expr) -> Option<Imm> {
    match e.kind {
        ExprKind::Lit(Lit::Int(k)) => i32::try_from(k).ok().map(Imm::Int),
        ExprKind::Lit(Lit::Char(c)) => Some(Imm::Char(c)),
        _ => None,
    }
}

/// `c == 'a' || c == 'b' || ...` (`any`, with `||`) or `c != 'a' && c !=
/// 'b' && ...` (with `&&`): the slot `c` and the characters, when `e` is a
/// chain of at least two such comparisons of one slot with Char literals.
/// One instruction tests them all (lines_loop's blank test: four
/// dispatches a character became one).
fn char_set(e: &Expr, any: bool) -> Option<(Slot, Vec<char>)> {
    let (join, cmp) = match any {
        true => (BinOp::Or, BinOp::Eq),
        false => (BinOp::And, BinOp::Ne),
    };
    let mut chars = Vec::new();
    let mut slot = None;
    let mut todo = vec![e];
    while let Some(e) = todo.pop() {
        let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
            return None;
        };
        match (&lhs.kind, &rhs.kind) {
            _ if *op == join => todo.extend([&**rhs, &**lhs]),
            (ExprKind::Local(s), ExprKind::Lit(Lit::Char(c))) if *op == cmp => {
                if *slot.get_or_insert(*s) != *s {
                    return None;
                }
                chars.push(*c);
            }
            _ => return None,
        }
    }
    Some((slot?, chars)).filter(|(_, chars)| chars.len() >= 2)
}

/// The comparison that holds exactly when `op` does not (on a total order).
fn negate(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Ge,
        BinOp::Le => BinOp::Gt,
        BinOp::Gt => BinOp::Le,
        BinOp::Ge => BinOp::Lt,
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        other => other,
    }
}

pub fn lit_value(l: &Lit) -> Value {
    match l {
        Lit::Unit => Value::Unit,
        Lit::Int(n) => Value::Int(*n),
        Lit::Float(x) => Value::Float(*x),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Char(c) => Value::Char(*c),
        Lit::Str(s) => Value::string(s),
    }
}

/// The slots of a scrutinee `(a, b, ...)` made of distinct locals, when
/// every arm is a tuple pattern of that size (or `_`) that binds none of
/// them.
fn slot_tuple(scrutinee: &Expr, arms: &[Arm]) -> Option<Vec<Slot>> {
    let ExprKind::Tuple(items) = &scrutinee.kind else {
        return None;
    };
    let slots: Vec<Slot> = items
        .iter()
        .map(|e| match e.kind {
            ExprKind::Local(s) => Some(s),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let fits = |a: &Arm| match &a.pattern.kind {
        PatternKind::Tuple(ps) => ps.len() == slots.len(),
        PatternKind::Wild => true,
        _ => false,
    };
    let mut bound = Vec::new();
    arms.iter().for_each(|a| binds(&a.pattern, &mut bound));
    let clash = bound.iter().any(|b| slots.contains(b));
    (arms.iter().all(fits) && !clash).then_some(slots)
}

/// The slots a pattern binds.
fn binds(p: &Pattern, out: &mut Vec<Slot>) {
    match &p.kind {
        PatternKind::Bind(s) => out.push(*s),
        PatternKind::Ctor { args: ps, .. }
        | PatternKind::Unknown { args: ps, .. }
        | PatternKind::Tuple(ps)
        | PatternKind::List(ps) => ps.iter().for_each(|p| binds(p, out)),
        PatternKind::Cons(h, t) => {
            binds(h, out);
            binds(t, out);
        }
        PatternKind::Wild | PatternKind::Lit(_) | PatternKind::Nil => {}
    }
}

/// A pattern that matches every value of its type.
fn irrefutable(p: &Pattern) -> bool {
    match &p.kind {
        PatternKind::Wild | PatternKind::Bind(_) => true,
        PatternKind::Tuple(ps) => ps.iter().all(irrefutable),
        _ => false,
    }
}

/// Which functions always return `()`: the greatest fixpoint of "every
/// result position is `()`, a spawn, a close, or a call to such a function".
/// Extends `unit` (the flags of functions `..from`) to every function of
/// `p`: a greatest fixpoint over the new ones.
fn extend_unit_functions(p: &Program, unit: &mut Vec<bool>, from: usize) {
    unit.truncate(from);
    unit.resize(p.functions.len(), true);
    loop {
        let mut changed = false;
        for (i, f) in p.functions.iter().enumerate().skip(from) {
            if unit[i] && !unit_valued(&f.body, unit) {
                unit[i] = false;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

fn unit_valued(e: &Expr, unit: &[bool]) -> bool {
    match &e.kind {
        ExprKind::Lit(Lit::Unit) | ExprKind::Spawn { .. } | ExprKind::Close(_) => true,
        ExprKind::Call { func, .. } => unit.get(*func as usize).copied().unwrap_or(false),
        ExprKind::If { then, else_, .. } => {
            unit_valued(then, unit) && else_.as_ref().is_none_or(|e| unit_valued(e, unit))
        }
        ExprKind::Match { arms, .. } => arms.iter().all(|a| unit_valued(&a.body, unit)),
        ExprKind::Block(b) => b.tail.as_ref().is_none_or(|t| unit_valued(t, unit)),
        _ => false,
    }
}

/// `c.put(a).put(b)...` (no puts at all included) on the channel in a
/// slot: the slot, and the puts innermost first (the order they run in).
fn put_chain(e: &Expr) -> Option<(Slot, Vec<&Expr>)> {
    match &e.kind {
        ExprKind::Local(s) => Some((*s, Vec::new())),
        ExprKind::Put { channel, .. } => {
            let (s, mut puts) = put_chain(channel)?;
            puts.push(e);
            Some((s, puts))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn func(ops: Vec<Op>) -> CFunc {
        let span = Span::new(FileId(0), 0, 0);
        CFunc {
            name: "f".into(),
            kind: crate::ir::FnKind::Function,
            captures: 0,
            params: 0,
            slots: 0,
            max_depth: 0,
            slot_names: Vec::new().into(),
            spans: vec![span; ops.len()].into(),
            ops: ops.into(),
            span,
            prelude: false,
        }
    }

    #[test]
    fn compiled_code_must_end_with_return_and_jump_within() {
        assert!(check_bounds(&func(vec![Op::Unit, Op::Return])).is_ok());
        assert!(check_bounds(&func(vec![Op::Jump(1), Op::Return])).is_ok());
        // Falls off the end, or jumps past it: the unchecked dispatch
        // would read past the instructions, so it is an internal error.
        let bad = [
            vec![],
            vec![Op::Return, Op::Unit],
            vec![Op::Jump(2), Op::Return],
            vec![Op::UnconsSlot(0, 1, 7), Op::Return],
        ];
        for ops in bad {
            let e = check_bounds(&func(ops)).expect_err("out-of-bounds code accepted");
            assert!(e.message.contains("internal error"), "{}", e.message);
        }
    }
}
