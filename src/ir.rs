//! The resolved program: what the checker hands the evaluator.
//!
//! Names are gone: variables are frame slots, functions and processes are
//! `FuncId`s, constructors and protocol labels are `Tag`s (indices into one
//! table of upper-case names), destructors are `DtorId`s. Closures (record
//! methods, fork arms) are closure-converted: their captured values occupy
//! the first slots of their frame. This representation is independent of the
//! surface syntax; `check::resolve` produces it from the syntax tree, and
//! every later pass of the checker reads it.
//!
//! What the checker needs beyond the evaluator is here too: a span on
//! every expression, pattern and binder; the types written in bodies, as
//! written (`syntax::ast::Type`, the abstract syntax both surface syntaxes
//! lower into; the checker converts them); a name that did not resolve,
//! as an `Unknown` node (already reported), so that the type checker can
//! go on past it. A program with an `Unknown` node never runs.
//! What the checker learns is written onto the nodes: the static type of
//! each `show` argument, and the protocol automaton states of each
//! channel a `Stmt::Channel` makes (for the debug-build guard).

use crate::source::{Span, Spanned};
use crate::syntax::ast;
use std::collections::HashMap;
use std::sync::Arc;

pub type FuncId = u32;
pub type Slot = u32;
/// An upper-case name used as a data constructor or a protocol label.
pub type Tag = u32;
/// A destructor name (`head`, `call`), interned program-wide.
pub type DtorId = u32;
pub type CodataId = u32;

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub functions: Vec<Function>,
    /// `tags[t]` is the source name of tag `t` (for `show` and reports).
    pub tags: Vec<String>,
    /// `dtors[d]` is the source name of destructor `d`.
    pub dtors: Vec<String>,
    pub codata: Vec<CodataInfo>,
    /// The top-level wiring, run as the first process (no parameters).
    pub entry: FuncId,
    /// The field types of each constructor, for showing data values;
    /// `ShowTy::Param(i)` stands for the data type's `i`-th parameter.
    pub ctor_fields: HashMap<Tag, Vec<ShowTy>>,
    /// Protocol automata for the debug-build soundness guard (each
    /// `Stmt::Channel` says where its ends start).
    pub monitor: Monitor,
    /// The functions the prelude defines, by name: the evaluator runs
    /// native equivalents of some of them (`eval::machine::native`).
    pub prelude: HashMap<String, FuncId>,
}

/// The protocols of the program's channels as automata, for the guard
/// that debug builds run on every message (`eval::guard`): the checker's
/// promise, checked again at run time.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    pub nodes: Vec<MonNode>,
    /// The state of the program's end of each service.
    pub services: HashMap<ServiceId, u32>,
}

/// One protocol state: what the end does next.
#[derive(Clone, Debug, PartialEq)]
pub enum MonNode {
    /// Send (`put`) or receive a value of this kind, then go on.
    Msg {
        put: bool,
        kind: MsgKind,
        next: u32,
    },
    /// Choose (`put`) or receive one of these labels.
    Choice {
        put: bool,
        branches: Vec<(Tag, u32)>,
    },
    Close,
    /// `fork(a, b)` (this end forks) or its dual (this end splits).
    Fork {
        split: bool,
        a: u32,
        b: u32,
    },
    /// Not known statically (a generic protocol): not checked.
    Any,
}

/// The shape of a message, as far as a run-time check can see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsgKind {
    Int,
    Float,
    Char,
    Byte,
    Bool,
    Unit,
    List,
    Tuple(u32),
    Data,
    Record,
    Chan,
    Any,
}

/// As much of a static type as `show` needs.
#[derive(Clone, Debug, PartialEq)]
pub enum ShowTy {
    /// Unknown or generic: shown from the value alone.
    Any,
    /// `[Char]`: shown as a string literal, even when empty.
    Str,
    List(Box<ShowTy>),
    Tuple(Vec<ShowTy>),
    /// A data type applied to these arguments.
    Data(Vec<ShowTy>),
    /// The data type's parameter `i` (in `Program::ctor_fields`).
    Param(u32),
}

impl Program {
    /// The tag of an upper-case name, if the program uses it. For services
    /// and setup code only: the evaluator never calls this while running.
    pub fn tag(&self, name: &str) -> Option<Tag> {
        self.tags.iter().position(|t| t == name).map(|i| i as Tag)
    }

    pub fn function(&self, id: FuncId) -> &Function {
        &self.functions[id as usize]
    }
}

#[derive(Clone, Debug)]
pub struct CodataInfo {
    pub name: String,
    /// The destructors in declaration order; a record's `methods` follow it.
    pub dtors: Vec<DtorId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FnKind {
    Function,
    Process,
    /// A destructor implementation inside `record`.
    Method,
    /// One arm of a `fork`, run as its own process.
    ForkArm,
    /// The top-level wiring.
    Wiring,
    /// One input of the REPL, run by the session's process.
    Session,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub kind: FnKind,
    /// Slots `0..captures` hold captured values (methods, fork arms).
    pub captures: u32,
    /// Slots `captures..captures + params` hold the arguments.
    pub params: u32,
    /// Total slots of a frame: captures, parameters and locals.
    pub slots: u32,
    /// The source name of each slot (`""` for a temporary); reports name
    /// the channels a process waits on by it.
    pub slot_names: Vec<Arc<str>>,
    /// When `clauses` is set, the body is a `Match` of the parameters
    /// (equation clauses, or patterns written as parameters), one arm per
    /// clause; else the parameters are bound to their slots directly.
    pub body: Expr,
    pub clauses: bool,
    /// Where each parameter is written.
    pub param_spans: Vec<Span>,
    /// The type written on each parameter of a record method (other
    /// functions' signatures are declarations, which the checker reads
    /// from the declaration itself).
    pub param_types: Vec<Option<Spanned<ast::Type>>>,
    pub span: Span,
    /// Declared in the prelude (a report points at the program's own code
    /// that called it).
    pub prelude: bool,
    /// The `fold` group the function is in, if any (LANGUAGE.md 7.6).
    pub fold: Option<Fold>,
}

/// A function's place in a `fold { ... }` group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    /// Groups are numbered in declaration order.
    pub group: u32,
    /// The `fold by` parameter: its position among the parameters, its
    /// name and where it is written; `None` when the function has no
    /// single one (reported when resolving).
    pub by: Option<(u32, String, Span)>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Expr {
    /// Calls `f` on this expression and every expression inside it, outer
    /// first, as [`Expr::for_each_mut`] does, without changing them.
    pub fn for_each<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        for child in self.children() {
            child.for_each(f);
        }
    }

    /// The expressions directly inside this one, in evaluation order
    /// (a block's statements' and its tail; not the bodies of record
    /// methods and fork arms, which are functions of their own).
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Lit(_)
            | ExprKind::Local(_)
            | ExprKind::Args
            | ExprKind::Service(_)
            | ExprKind::Record { .. } => Vec::new(),
            ExprKind::Unknown { args, .. }
            | ExprKind::Call { args, .. }
            | ExprKind::Spawn { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Ctor { args, .. }
            | ExprKind::Tuple(args)
            | ExprKind::List(args) => args.iter().collect(),
            ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::Unary { operand: e, .. } | ExprKind::Get(e) | ExprKind::Close(e) => vec![e],
            ExprKind::Index {
                list,
                index,
                default,
            } => vec![list, index, default],
            ExprKind::If { cond, then, else_ } => std::iter::once(&**cond)
                .chain([&**then])
                .chain(else_.as_deref())
                .collect(),
            ExprKind::Match { scrutinee, arms } => std::iter::once(&**scrutinee)
                .chain(arms.iter().map(|a| &a.body))
                .collect(),
            ExprKind::Race(arms) => arms.iter().flat_map(|a| [&a.channel, &a.body]).collect(),
            ExprKind::Block(block) => block.children(),
            ExprKind::Dtor { receiver, args, .. } => {
                std::iter::once(&**receiver).chain(args).collect()
            }
            ExprKind::Put { channel, value } => vec![channel, value],
        }
    }

    /// Calls `f` on this expression and every expression inside it, outer
    /// first (the bodies of other functions, such as record methods and
    /// fork arms, are not inside: they are functions of their own).
    pub fn for_each_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        f(self);
        match &mut self.kind {
            ExprKind::Lit(_)
            | ExprKind::Local(_)
            | ExprKind::Args
            | ExprKind::Service(_)
            | ExprKind::Record { .. } => {}
            ExprKind::Unknown { args, .. }
            | ExprKind::Call { args, .. }
            | ExprKind::Spawn { args, .. }
            | ExprKind::Builtin { args, .. }
            | ExprKind::Ctor { args, .. }
            | ExprKind::Tuple(args)
            | ExprKind::List(args) => args.iter_mut().for_each(|a| a.for_each_mut(f)),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.for_each_mut(f);
                rhs.for_each_mut(f);
            }
            ExprKind::Unary { operand: e, .. } | ExprKind::Get(e) | ExprKind::Close(e) => {
                e.for_each_mut(f)
            }
            ExprKind::Index {
                list,
                index,
                default,
            } => [list, index, default]
                .into_iter()
                .for_each(|e| e.for_each_mut(f)),
            ExprKind::If { cond, then, else_ } => {
                cond.for_each_mut(f);
                then.for_each_mut(f);
                if let Some(e) = else_ {
                    e.for_each_mut(f);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                scrutinee.for_each_mut(f);
                arms.iter_mut().for_each(|a| a.body.for_each_mut(f));
            }
            ExprKind::Race(arms) => arms.iter_mut().for_each(|a| {
                a.channel.for_each_mut(f);
                a.body.for_each_mut(f);
            }),
            ExprKind::Block(block) => block.for_each_mut(f),
            ExprKind::Dtor { receiver, args, .. } => {
                receiver.for_each_mut(f);
                args.iter_mut().for_each(|a| a.for_each_mut(f));
            }
            ExprKind::Put { channel, value } => {
                channel.for_each_mut(f);
                value.for_each_mut(f);
            }
        }
    }
}

#[derive(Clone, Debug)]
pub enum Lit {
    Unit,
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(char),
    Str(Arc<str>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Cons,
    Append,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`.
    pub fn is_comparison(self) -> bool {
        use BinOp::*;
        matches!(self, Lt | Le | Gt | Ge | Eq | Ne)
    }

    /// The operator as written, for messages (`integer overflow in `+``).
    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Or => "||",
            And => "&&",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Cons => ":",
            Append => "++",
            BitOr => "|",
            BitXor => "^",
            BitAnd => "&",
            Shl => "<<",
            Shr => ">>",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

/// Primitives that cannot be written in MPL (LANGUAGE.md section 10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Show,
    IntToFloat,
    FloatToInt,
    FloatToByteClipped,
    ByteToInt,
    IntToByte,
    CharToInt,
    IntToChar,
    /// `[Byte]` (UTF-8) to `String`; invalid sequences become U+FFFD.
    BytesToString,
    /// `String` to `[Byte]` (UTF-8).
    StringToBytes,
}

impl Builtin {
    pub const ALL: [(&'static str, Builtin, usize); 10] = [
        ("show", Builtin::Show, 1),
        ("intToFloat", Builtin::IntToFloat, 1),
        ("floatToInt", Builtin::FloatToInt, 1),
        ("floatToByteClipped", Builtin::FloatToByteClipped, 1),
        ("byteToInt", Builtin::ByteToInt, 1),
        ("intToByte", Builtin::IntToByte, 1),
        ("charToInt", Builtin::CharToInt, 1),
        ("intToChar", Builtin::IntToChar, 1),
        ("bytesToString", Builtin::BytesToString, 1),
        ("stringToBytes", Builtin::StringToBytes, 1),
    ];

    pub fn by_name(name: &str) -> Option<(Builtin, usize)> {
        Builtin::ALL
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, b, arity)| (*b, *arity))
    }
}

/// A built-in service the wiring names (LANGUAGE.md section 9): its
/// index in the service registry (`crate::services::REGISTRY`), which
/// knows its name, protocol, permission and code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ServiceId(pub u16);

#[derive(Clone, Debug)]
pub enum ExprKind {
    Lit(Lit),
    /// A name that did not resolve (already reported), as written, with
    /// what was written after it: a call's arguments, a destructor's
    /// receiver and arguments. Never compiled: a program with one does
    /// not check.
    Unknown {
        name: String,
        args: Vec<Expr>,
    },
    /// The value in a frame slot (a copy; channels are handles).
    Local(Slot),
    /// The program's command-line arguments, `[String]`.
    Args,
    /// A new connection to a built-in service: the client's channel end.
    Service(ServiceId),
    /// Call a function; the caller waits for its value.
    Call {
        func: FuncId,
        args: Vec<Expr>,
    },
    /// Start a process; evaluates to `()` at once. In tail position of a
    /// process body it replaces the current process (the task is reused).
    Spawn {
        proc: FuncId,
        args: Vec<Expr>,
    },
    Builtin {
        op: Builtin,
        args: Vec<Expr>,
        /// For `show`: the static type of the argument, which the checker
        /// fills in (`show` follows the static type: `show("")` is `""`);
        /// `None` shows the value by its shape alone.
        show: Option<ShowTy>,
        /// The call's place among its function's calls of built-ins (the
        /// checker's findings are written back by it).
        site: u32,
    },
    /// A constructor (arity 0 included) or a protocol label.
    Ctor {
        tag: Tag,
        args: Vec<Expr>,
    },
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    /// `list[index, default]`
    Index {
        list: Box<Expr>,
        index: Box<Expr>,
        default: Box<Expr>,
    },
    /// Without `else_`, the value is `()` when `cond` is false.
    If {
        cond: Box<Expr>,
        then: Box<Expr>,
        else_: Option<Box<Expr>>,
    },
    /// Tries the arms top to bottom; no match is a runtime error.
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<Arm>,
    },
    /// `race { case c: .. }`: waits until one arm's channel has a message
    /// (the one that arrived first, when several have), then runs that arm.
    /// The channels stay where they are (the race only looks at them).
    Race(Vec<RaceArm>),
    Block(Block),
    /// Build a codata value: `methods[i]` implements `codata.dtors[i]`; the
    /// values in `captures` are copied into slots `0..` of each method frame.
    /// `ty` is the codata type as written (`Stream<Int>`).
    Record {
        codata: CodataId,
        methods: Vec<FuncId>,
        captures: Vec<Slot>,
        ty: Box<Spanned<ast::Type>>,
    },
    /// `receiver.dtor(args)`; `name` is where the destructor is named.
    Dtor {
        receiver: Box<Expr>,
        dtor: DtorId,
        args: Vec<Expr>,
        name: Span,
    },
    /// `c.put(v)`: sends and evaluates to the channel.
    Put {
        channel: Box<Expr>,
        value: Box<Expr>,
    },
    /// `c.get`
    Get(Box<Expr>),
    /// `c.close()`: evaluates to `()`.
    Close(Box<Expr>),
}

#[derive(Clone, Debug)]
pub struct Arm {
    pub pattern: Pattern,
    pub body: Expr,
    /// The whole case (or clause).
    pub span: Span,
}

/// One arm of a `race`: the channel it waits on (a `Local`, or `Unknown`
/// in a program that does not check), and its body.
#[derive(Clone, Debug)]
pub struct RaceArm {
    pub channel: Expr,
    pub body: Expr,
    /// The whole case.
    pub span: Span,
}

impl RaceArm {
    /// The slot of the channel it waits on.
    pub fn slot(&self) -> Option<Slot> {
        match self.channel.kind {
            ExprKind::Local(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// `None`: the block's value is `()`.
    pub tail: Option<Box<Expr>>,
}

impl Block {
    /// The expressions of the block's statements, then its tail (not the
    /// bodies of its fork arms, which are functions of their own).
    pub fn children(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        for stmt in &self.stmts {
            match stmt {
                Stmt::Let { value: e, .. }
                | Stmt::Expr { expr: e, .. }
                | Stmt::Fork { channel: e, .. }
                | Stmt::Split { channel: e, .. } => out.push(e),
                Stmt::Forward { a, b, .. } => out.extend([a, b]),
                Stmt::Channel { .. } | Stmt::Halt { .. } => {}
            }
        }
        out.extend(self.tail.as_deref());
        out
    }

    /// [`Expr::for_each_mut`] over every statement and the tail.
    pub fn for_each_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        for stmt in &mut self.stmts {
            match stmt {
                Stmt::Let { value: e, .. }
                | Stmt::Expr { expr: e, .. }
                | Stmt::Fork { channel: e, .. }
                | Stmt::Split { channel: e, .. } => e.for_each_mut(f),
                Stmt::Forward { a, b, .. } => {
                    a.for_each_mut(f);
                    b.for_each_mut(f);
                }
                Stmt::Channel { .. } | Stmt::Halt { .. } => {}
            }
        }
        if let Some(tail) = &mut self.tail {
            tail.for_each_mut(f);
        }
    }
}

#[derive(Clone, Debug)]
pub enum Stmt {
    /// Evaluate and bind; a refutable pattern that fails is a runtime error
    /// at `span`.
    Let {
        pattern: Pattern,
        value: Expr,
        span: Span,
        /// The type written on it (`let x: T = ..`).
        ty: Option<Spanned<ast::Type>>,
    },
    Expr {
        expr: Expr,
        /// The whole statement.
        span: Span,
    },
    /// A new channel: one end in `end`, the other (`~x`) in `dual`.
    /// `span` names it (the declaration, or an implicit channel's first use).
    Channel {
        end: Slot,
        dual: Slot,
        span: Span,
        /// Its protocol as written (`P x;`).
        ty: Option<Spanned<ast::Type>>,
        /// The guard's automaton states of `end` and `dual` (`Monitor`),
        /// which the checker fills in from the protocol it found.
        monitor: Option<(u32, u32)>,
        /// Made by using a name and its `~` as process arguments
        /// (LANGUAGE.md 6.3), not declared by `channel x;` or `P x;`.
        implicit: bool,
    },
    /// `a := b`: join two ends and give both up.
    Forward { a: Expr, b: Expr, span: Span },
    /// End this process now.
    Halt { span: Span },
    /// The process ends and becomes one process per arm. Each arm gets a
    /// fresh channel half in slot `half` of its own frame; the channel's
    /// peer receives the other halves as one tuple (see `Split`).
    Fork {
        channel: Expr,
        arms: Vec<ForkArm>,
        span: Span,
    },
    /// Receive the halves of a forked channel into `slots`.
    Split {
        channel: Expr,
        slots: Vec<Slot>,
        span: Span,
        /// Where each half is named.
        names: Vec<Span>,
    },
}

#[derive(Clone, Debug)]
pub struct ForkArm {
    /// The arm's body, a `FnKind::ForkArm` function.
    pub func: FuncId,
    /// Values copied into slots `0..captures.len()` of the arm's frame.
    pub captures: Vec<Slot>,
    /// The slot (in the arm's frame) that receives the arm's half.
    pub half: Slot,
    /// Where the half is named.
    pub name: Span,
}

impl Stmt {
    /// The whole statement (a channel: where it is named).
    pub fn span(&self) -> Span {
        match self {
            Stmt::Let { span, .. }
            | Stmt::Expr { span, .. }
            | Stmt::Channel { span, .. }
            | Stmt::Forward { span, .. }
            | Stmt::Halt { span }
            | Stmt::Fork { span, .. }
            | Stmt::Split { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Pattern {
    pub kind: PatternKind,
    pub span: Span,
}

impl From<PatternKind> for Pattern {
    /// A pattern written nowhere (made by the evaluator, or in tests).
    fn from(kind: PatternKind) -> Pattern {
        Pattern {
            kind,
            span: Span::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum PatternKind {
    Wild,
    Bind(Slot),
    Lit(Lit),
    /// A constructor or a label with argument patterns.
    Ctor {
        tag: Tag,
        args: Vec<Pattern>,
    },
    /// A constructor or label that did not resolve (already reported),
    /// with the patterns written inside it. Never compiled.
    Unknown {
        name: String,
        args: Vec<Pattern>,
    },
    Tuple(Vec<Pattern>),
    /// `[]`
    Nil,
    /// `p : q`
    Cons(Box<Pattern>, Box<Pattern>),
    /// `[p, q, ...]`: exactly that many elements.
    List(Vec<Pattern>),
}
