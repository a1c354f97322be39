//! The compiled form of a program: one flat instruction sequence per
//! function plus the program-wide side tables the instructions index
//! (constants, record sites, fork sites, split sites, codata layouts).
//!
//! Stack discipline: a frame is `slots` values at `base`; temporaries are
//! pushed above them. Every instruction is `Copy` and at most 16 bytes; it
//! names slots, functions, tags and table entries by index only. Jump
//! targets are instruction indices within the same function. This file
//! only describes the code; `compile` builds it and `exec` runs it.

use super::native::Native;
use crate::ir::{BinOp, Builtin, CodataId, DtorId, FnKind, FuncId, ServiceId, ShowTy, Slot, Tag};
use crate::source::Span;
use crate::value::Value;
use std::sync::Arc;

/// A code address (instruction index) inside one function.
pub type Pc = u32;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    // --- values and slots ---
    Unit,
    Int(i64),
    Bool(bool),
    /// Push `consts[k]`.
    Const(u32),
    /// Push an immediate character.
    Char(char),
    Load(Slot),
    /// `Load` of a slot's last use: takes the value, leaving `()`.
    Move(Slot),
    /// Pop into a slot.
    Store(Slot),
    Pop,
    Dup,
    /// Drop temporaries down to `base + n` values.
    Truncate(u32),
    Args,
    Service(ServiceId),

    // --- control ---
    Jump(Pc),
    /// Pop a Bool; jump if false.
    JumpIfFalse(Pc),
    /// Pop a Bool; jump if true.
    JumpIfTrue(Pc),
    /// `Load(s)` fused with `JumpIfFalse` (`false`) or `JumpIfTrue`
    /// (`true`): jump if the Bool in slot `s` is the one given.
    JumpIfSlot(Slot, bool, Pc),
    /// Pop two operands; jump unless the comparison (`Lt`..`Ne`) holds.
    JumpIfNot(BinOp, Pc),
    /// Pop one operand; jump unless comparing it with the constant holds.
    JumpIfNotInt(BinOp, i32, Pc),
    /// `Load(s)` fused with `JumpIfNotInt`.
    JumpIfNotSlotInt(BinOp, Slot, i32, Pc),
    /// Pop a Char; jump unless comparing it with the constant holds.
    JumpIfNotChar(BinOp, char, Pc),
    /// `Load(s)` fused with `JumpIfNotChar`.
    JumpIfNotSlotChar(BinOp, Slot, char, Pc),
    /// `c == 'a' || c == 'b' || ...` on the Char in slot `s`: jump if its
    /// being one of `char_sets[k]` is the `bool` given.
    JumpIfSlotCharIn(Slot, u32, bool, Pc),
    /// `&&`: if the top is `false` jump (keeping it), else pop it.
    AndThen(Pc),
    /// `||`: if the top is `true` jump (keeping it), else pop it.
    OrElse(Pc),
    Call(FuncId),
    /// `LoadAddInt(s, k)`/`LoadSubInt(s, k)` fused with `Call(g)`: the
    /// last argument is a slot plus or minus a constant (`fib(n - 1)`).
    LoadAddIntCall(Slot, i32, FuncId),
    LoadSubIntCall(Slot, i32, FuncId),
    TailCall(FuncId),
    /// `TailCall(g)` with the pushes of its arguments fused in:
    /// `tail_args[k]` says where each comes from and which other slots it
    /// resets (`compile::fuse_tail_args`).
    TailCallArgs(FuncId, u32),
    /// Receiver below `nargs` arguments.
    CallDtor(DtorId, u32),
    TailCallDtor(DtorId, u32),
    Return,
    /// Return the value of a slot (`Load` fused with `Return`).
    ReturnSlot(Slot),
    /// `Add` fused with `Return` (`fib(n - 1) + fib(n - 2)` in tail position).
    AddReturn,
    /// A base case, `if (n < 2) { n } else ...`: `JumpIfNotSlotInt(cmp,
    /// s, k, _)` over a `ReturnSlot(v)` that it jumps past. Returns slot
    /// `v` when comparing slot `s` with `k` holds, else goes on.
    ReturnIfSlotInt(BinOp, Slot, i32, Slot),
    Spawn(FuncId),
    /// Replace the current process by a new one in the same task.
    TailSpawn(FuncId),
    Halt,

    // --- building values ---
    Tag(Tag),
    Data(Tag, u32),
    Tuple(u32),
    List(u32),
    /// Build `records[k]` from the current frame.
    Record(u32),

    // --- operators ---
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// Add or subtract an Int constant to the top (checked).
    AddInt(i64),
    SubInt(i64),
    /// `Load(s)` fused with `AddInt`/`SubInt`.
    LoadAddInt(Slot, i32),
    LoadSubInt(Slot, i32),
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    /// Any other binary operator (the slow path).
    Bin(BinOp),
    Neg,
    Not,
    Index,
    Builtin(Builtin),
    /// `show` of a value whose static type is `Code::show_types[i]`.
    ShowTyped(u32),
    /// A prelude function's native body: pops its arguments, pushes the result.
    Native(Native),

    // --- channels ---
    Put,
    /// Replace the channel on top by the next message; parks if none.
    Get,
    /// `c.put(v);` and `c.get` on the channel in slot `s`, which stays
    /// there: no copy of the end is pushed for them and dropped after
    /// (`Load`, `Put`, `Pop` and `Load`, `Get` before).
    PutSlot(Slot),
    GetSlot(Slot),
    Close,
    /// `Put` and `Get` of a traced run (`mpl run --trace`), recording the
    /// message at `Code::trace_sites[k]` (an untraced run has none).
    TracedPut(u32),
    TracedGet(u32),
    /// A new channel, its ends in the two slots; the third is its index
    /// in `Code::channel_states` (`NO_STATES`: none known).
    NewChannel(Slot, Slot, u32),
    Forward,
    /// Fork the channel on top by `forks[k]`; the process ends.
    Fork(u32),
    /// Receive the halves for `splits[k]` from the channel on top.
    Split(u32),
    /// `race`: push the index of the first of the channels in slots
    /// `races[k]` to have a message (the one that arrived first when
    /// several have), or wait until one has (the instruction runs again).
    Race(u32),

    // --- patterns: `Test*` peek at the top, `Pop*`/`Un*` consume it ---
    TestTag(Tag, Pc),
    TestConst(u32, Pc),
    TestNil(Pc),
    /// `Load(s)` (or, with `true`, `Move(s)`) fused with `TestNil`: a
    /// `switch` on a list in a slot.
    TestNilSlot(Slot, bool, Pc),
    PopTag(Tag, Pc),
    PopConst(u32, Pc),
    PopNil(Pc),
    /// Data with `tag` and `n` fields: push the fields, first on top.
    UnData(Tag, u32, Pc),
    UnTuple(u32, Pc),
    /// A non-empty list: push the tail, then the head.
    Uncons(Pc),
    /// `Uncons` fused with the `Store(h)` of the head: the tail stays on top.
    UnconsHead(Slot, Pc),
    /// `Uncons` fused with the `Store`s of the head and the tail
    /// (`case (c:rest)`): nothing is left on the operand stack.
    UnconsInto(Slot, Slot, Pc),
    /// `TestNilSlot(s, true, _)` and its `Pop` fused with the
    /// `UnconsInto(h, s, _)` it jumps to, whose tail went to the list's own
    /// slot (`coalesce`): a non-empty list in slot `s` is taken apart where
    /// it lies, head into slot `h`, tail left in `s`, and the jump goes to
    /// `to`; an empty one falls through.
    UnconsSlot(Slot, Slot, Pc),
    /// A list of exactly `n` elements: push them, first on top.
    UnList(u32, Pc),
    MatchFail,
    LetFail,
}

impl Op {
    /// The jump target of a branching instruction, to patch it.
    pub fn target_mut(&mut self) -> Option<&mut Pc> {
        use Op::*;
        match self {
            JumpIfNot(_, t) | JumpIfNotInt(_, _, t) | JumpIfNotSlotInt(_, _, _, t) => Some(t),
            JumpIfNotChar(_, _, t) | JumpIfNotSlotChar(_, _, _, t) => Some(t),
            JumpIfSlot(_, _, t) | TestNilSlot(_, _, t) | JumpIfSlotCharIn(_, _, _, t) => Some(t),
            Jump(t)
            | JumpIfFalse(t)
            | JumpIfTrue(t)
            | AndThen(t)
            | OrElse(t)
            | TestNil(t)
            | PopNil(t)
            | Uncons(t)
            | UnconsHead(_, t)
            | UnconsInto(_, _, t)
            | UnconsSlot(_, _, t) => Some(t),
            TestTag(_, t) | TestConst(_, t) | PopTag(_, t) | PopConst(_, t) => Some(t),
            UnData(_, _, t) | UnTuple(_, t) | UnList(_, t) => Some(t),
            _ => None,
        }
    }
}

/// Where an argument of a `TailCallArgs` comes from: what the one
/// instruction that pushed it did, or `Keep` for the slot's own value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ArgSrc {
    /// The argument is already in its slot (`f(.., x, ..)` passing `x` on
    /// in its own place).
    Keep,
    Unit,
    Int(i64),
    Bool(bool),
    Char(char),
    Load(Slot),
    Move(Slot),
    LoadAddInt(Slot, i32),
    LoadSubInt(Slot, i32),
}

impl ArgSrc {
    /// The source of what `op` pushes, if it pushes one value from its
    /// own fields or a slot and does nothing else.
    pub fn of(op: Op) -> Option<ArgSrc> {
        Some(match op {
            Op::Unit => ArgSrc::Unit,
            Op::Int(n) => ArgSrc::Int(n),
            Op::Bool(b) => ArgSrc::Bool(b),
            Op::Char(c) => ArgSrc::Char(c),
            Op::Load(s) => ArgSrc::Load(s),
            Op::Move(s) => ArgSrc::Move(s),
            Op::LoadAddInt(s, k) => ArgSrc::LoadAddInt(s, k),
            Op::LoadSubInt(s, k) => ArgSrc::LoadSubInt(s, k),
            _ => return None,
        })
    }

    /// The slot it reads, if any.
    pub fn slot(self) -> Option<Slot> {
        match self {
            ArgSrc::Load(s) | ArgSrc::Move(s) => Some(s),
            ArgSrc::LoadAddInt(s, _) | ArgSrc::LoadSubInt(s, _) => Some(s),
            _ => None,
        }
    }

    /// The sources of a tail call's arguments, written into slots `0..n`
    /// in order as each is read: `None` if one would read a slot an
    /// earlier one has already overwritten. An argument that is its own
    /// slot's value is `Keep`.
    pub fn in_order(pushed: &[Op]) -> Option<Box<[ArgSrc]>> {
        let mut srcs = Vec::with_capacity(pushed.len());
        for (i, &op) in pushed.iter().enumerate() {
            let src = ArgSrc::of(op)?;
            srcs.push(match src {
                ArgSrc::Load(s) | ArgSrc::Move(s) if s as usize == i => ArgSrc::Keep,
                _ if src.slot().is_some_and(|s| (s as usize) < i) => return None,
                _ => src,
            });
        }
        // A slot passed on in its own place at the end needs nothing done
        // (lines_loop's `acc`: the argument loop runs once less).
        while srcs.last() == Some(&ArgSrc::Keep) {
            srcs.pop();
        }
        Some(srcs.into())
    }
}

/// What a `TailCallArgs` writes into the frame it reuses.
#[derive(Clone, Debug, PartialEq)]
pub struct TailArgs {
    /// Where each argument from `first` on comes from, in order, up to the
    /// last that is not `Keep`.
    pub srcs: Box<[ArgSrc]>,
    /// How many leading arguments are `Keep` (left out of `srcs`, so that
    /// a step does not slice past them: 10 machine instructions of
    /// lines_loop's 75).
    pub first: u32,
    /// The slots past the parameters reset to `()`: the callee's all, but
    /// in a self call only those the function's own instructions write
    /// (since the frame was entered the others hold `()` or a plain value),
    /// less the head its first `UnconsSlot` writes again at once
    /// (`liveness::loop_written`). lines_loop's loop resets none of its two.
    pub reset: (u32, u32),
}

/// One compiled function.
#[derive(Clone, Debug)]
pub struct CFunc {
    pub name: Arc<str>,
    pub kind: FnKind,
    pub captures: u32,
    pub params: u32,
    pub slots: u32,
    /// The most temporaries above the slots at any instruction (on
    /// fall-through: the compiler's count), so that a new process's stack
    /// is made at its full size once.
    pub max_depth: u32,
    /// The source name of each slot (`""` for a temporary), to name the
    /// channels a waiting process holds.
    pub slot_names: Box<[Arc<str>]>,
    pub ops: Box<[Op]>,
    /// `spans[pc]` is the source span of `ops[pc]`, for errors.
    pub spans: Box<[Span]>,
    pub span: Span,
    /// Declared in the prelude: reports point at the caller instead.
    pub prelude: bool,
}

impl CFunc {
    /// Values a process running only this function's body ever holds:
    /// its slots and its deepest temporaries.
    pub fn stack_size(&self) -> usize {
        self.slots as usize + self.max_depth as usize
    }

    /// The name shown in reports: "wiring" for the entry wiring.
    pub fn display_name(&self) -> &str {
        match self.kind {
            FnKind::Wiring => "wiring",
            _ => &self.name,
        }
    }
}

/// A `record` expression: built from the frame's slots.
#[derive(Clone, Debug)]
pub struct RecordSite {
    pub codata: CodataId,
    pub methods: Arc<[FuncId]>,
    pub captures: Box<[Slot]>,
}

/// One arm of a `fork`.
#[derive(Clone, Debug)]
pub struct ForkArmSite {
    pub func: FuncId,
    pub captures: Box<[Slot]>,
    pub half: Slot,
}

/// The characters of a `JumpIfSlotCharIn`: the ASCII ones as a bitmap,
/// tested in one step, the others listed. (lines_loop's `c == ' ' || c ==
/// '\t' || ...` was a walk over four characters for each character read.)
#[derive(Clone, Debug, Default)]
pub struct CharSet {
    ascii: u128,
    others: Box<[char]>,
}

impl CharSet {
    pub fn new(chars: &[char]) -> CharSet {
        let ascii = chars
            .iter()
            .filter(|c| c.is_ascii())
            .fold(0u128, |bits, &c| bits | 1 << (c as u32));
        let others = chars.iter().copied().filter(|c| !c.is_ascii()).collect();
        CharSet { ascii, others }
    }

    #[inline(always)]
    pub fn contains(&self, c: char) -> bool {
        match u32::from(c) {
            n @ 0..128 => self.ascii >> n & 1 == 1,
            _ => self.others.contains(&c),
        }
    }
}

/// `Op::NewChannel` of a channel whose guard states are not known.
pub const NO_STATES: u32 = u32::MAX;

/// The whole compiled program.
#[derive(Clone, Debug, Default)]
pub struct Code {
    pub funcs: Vec<CFunc>,
    pub consts: Vec<Value>,
    pub records: Vec<RecordSite>,
    pub forks: Vec<Box<[ForkArmSite]>>,
    pub splits: Vec<Box<[Slot]>>,
    /// The channel slots of each `race`.
    pub races: Vec<Box<[Slot]>>,
    /// The characters of each `JumpIfSlotCharIn`.
    pub char_sets: Vec<CharSet>,
    /// The arguments of each `TailCallArgs`, and what it resets.
    pub tail_args: Vec<TailArgs>,
    /// Static types of `show` arguments (see `Op::ShowTyped`).
    pub show_types: Vec<ShowTy>,
    /// The guard's starting states of the ends of channels that
    /// `Op::NewChannel` makes (`ir::Stmt::Channel::monitor`).
    pub channel_states: Vec<(u32, u32)>,
    /// `codata_dtors[c]`: the destructors of codata `c`, in method order.
    pub codata_dtors: Vec<Box<[DtorId]>>,
    /// Compile `put` and `get` as `TracedPut` and `TracedGet`.
    pub traced: bool,
    /// Where each traced `put` or `get` is.
    pub trace_sites: Vec<TraceSite>,
    /// The tag of the label `Put` (`PutSeq`'s), which `bulkPut` sends.
    pub put_label: Option<Tag>,
}

/// A traced `put` or `get`: the operation and the channel as written.
#[derive(Clone, Copy, Debug)]
pub struct TraceSite {
    pub at: Span,
    pub channel: Span,
}

impl Code {
    /// The method index of `dtor` in codata `codata`.
    pub fn method_index(&self, codata: CodataId, dtor: DtorId) -> Option<usize> {
        let dtors = self.codata_dtors.get(codata as usize)?;
        dtors.iter().position(|d| *d == dtor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_stay_small() {
        assert!(std::mem::size_of::<Op>() <= 16);
    }
}
