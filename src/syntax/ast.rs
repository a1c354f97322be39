//! The surface syntax tree of one MPL source file, exactly as written.
//!
//! Every child that a diagnostic may point at is `Spanned<T>`. Nothing here
//! is resolved: names are strings, labels and constructors are not yet told
//! apart, equation-style clauses are grouped but not compiled. The checker
//! (`crate::check`) turns this tree into the resolved program (`crate::ir`).
//! Trees serialize (serde), so the build script can embed the prelude's.

use crate::source::{Span, Spanned};
use serde::{Deserialize, Serialize};

pub type Ident = Spanned<String>;

/// A name that starts with this reaches the prelude's declaration of the
/// rest, even where the program declares the same name (`prelude.Console`).
/// No surface syntax can write it; front ends build it, as the CaMPL front
/// end does for the processes that serve CaMPL's terminals.
pub const PRELUDE_QUALIFIER: &str = "prelude.";

/// One source file: declarations and top-level (wiring) statements, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Module {
    pub items: Vec<Spanned<Item>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Item {
    /// `import "path.mpl";`
    Import(Spanned<String>),
    Data(DataDecl),
    Codata(CodataDecl),
    Protocol(ProtocolDecl),
    Function(FunctionDecl),
    /// `fold { f1 ... f2 ... }`: functions whose termination is checked.
    Fold(Vec<Spanned<FunctionDecl>>),
    Process(ProcessDecl),
    /// A top-level statement: part of the program's wiring.
    Stmt(Stmt),
}

/// `t` or `#p` in a declaration's parameter list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeParam {
    pub name: Ident,
    /// Written `#name`: a protocol variable.
    pub is_proto: bool,
}

/// `data Name<params> = Ctor(fields) | ...;`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<TypeParam>,
    pub ctors: Vec<Spanned<CtorDecl>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CtorDecl {
    pub name: Ident,
    pub fields: Vec<Spanned<Type>>,
}

/// `codata Name<params> { Ret dtor(params); ... }`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodataDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<TypeParam>,
    pub dtors: Vec<Spanned<DtorDecl>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DtorDecl {
    pub ret: Spanned<Type>,
    pub name: Ident,
    pub params: Vec<Spanned<Param>>,
}

/// `protocol Name<params> = body;`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProtocolDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<TypeParam>,
    pub body: Spanned<Proto>,
}

/// A function: one clause for the typed style, one or more consecutive
/// clauses with the same name for the equation style.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionDecl {
    pub doc: Option<String>,
    pub name: Ident,
    /// `None` when the function is written without a return type.
    pub ret: Option<Spanned<Type>>,
    pub clauses: Vec<Spanned<Clause>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clause {
    pub params: Vec<Spanned<Param>>,
    pub body: Spanned<Block>,
}

/// A parameter: `Type name`, `fold by Type name`, or (equation style) a
/// pattern such as `Just(x)`, `_` or `n`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub ty: Option<Spanned<Type>>,
    pub pattern: Spanned<Pattern>,
    pub fold_by: bool,
}

/// `process Name(params) { body }`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub params: Vec<Spanned<Param>>,
    pub body: Spanned<Block>,
}

// ---------------------------------------------------------------------------
// Types and protocols

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Type {
    /// `Int`, `Maybe<t>`, `StringLookup`, `ProcessTree<#p>`: an upper-case
    /// name (built-in type, data, codata or protocol) with arguments.
    Named {
        name: Ident,
        args: Vec<Spanned<Type>>,
    },
    /// A lower-case type variable `t`.
    Var(String),
    /// A protocol variable `#p`.
    ProtoVar(String),
    /// `void`
    Void,
    /// `[t]`
    List(Box<Spanned<Type>>),
    /// `(a, b, ...)`, two or more.
    Tuple(Vec<Spanned<Type>>),
    /// `neg<P>`
    Neg(Box<Spanned<Type>>),
    /// `P.after<put Lookup, put>`
    After {
        base: Box<Spanned<Type>>,
        steps: Vec<Spanned<AfterStep>>,
    },
    /// A protocol written in place, where a type is expected: in protocol
    /// arguments (`GMaybe<#p, loop>`, `GetsAndPuts2<t, (put t, #p)>`,
    /// `PutsAndGets2<t, close>`).
    Proto(Box<Spanned<Proto>>),
}

/// One step named in `.after<...>`: `put Label`, `get Label`, `put`, `get`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AfterStep {
    pub dir: Dir,
    pub label: Option<Ident>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dir {
    Put,
    Get,
}

/// A protocol body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Proto {
    /// `put L1: seq | put L2: seq` (every branch labelled).
    Choice(Vec<Spanned<Branch>>),
    /// `step, step, ...`
    Seq(Vec<Spanned<Step>>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    pub dir: Dir,
    pub label: Ident,
    /// The sequence after `Label:` (a `Proto::Seq`, possibly empty).
    pub body: Spanned<Proto>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// `put T` (T may be a protocol: a channel is sent).
    Put(Spanned<Type>),
    /// `get T`
    Get(Spanned<Type>),
    /// `loop`
    Loop,
    /// `close` or `halt`
    Close,
    /// `ProtoName<args>`: continue as that protocol.
    Ref {
        name: Ident,
        args: Vec<Spanned<Type>>,
    },
    /// `#p`: continue as the protocol parameter.
    Var(String),
    /// `( proto )`: an anonymous choice or sequence.
    Group(Box<Spanned<Proto>>),
    /// `neg<proto>`
    Neg(Box<Spanned<Proto>>),
    /// `fork(a, b)`
    Fork(Box<Spanned<Proto>>, Box<Spanned<Proto>>),
}

// ---------------------------------------------------------------------------
// Statements and expressions

/// `{ s1; s2; e }`: statements, then an optional value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub stmts: Vec<Spanned<Stmt>>,
    /// The last expression, written without `;`. `None`: the block yields `()`.
    pub tail: Option<Box<Spanned<Expr>>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Stmt {
    /// `let pattern = value;` (`ty` is `None`) or `Type name = value;`.
    Let {
        pattern: Spanned<Pattern>,
        ty: Option<Spanned<Type>>,
        value: Spanned<Expr>,
    },
    /// `channel x;` (`ty` is `None`) or `P x;`.
    Channel {
        ty: Option<Spanned<Type>>,
        name: Ident,
    },
    /// An expression used as a statement: `f(x);`, `c.put(1);`, or an
    /// `if`/`switch`/block written without a trailing `;`.
    Expr(Spanned<Expr>),
    /// `a := b;`
    Forward(Spanned<Expr>, Spanned<Expr>),
    /// `halt;`
    Halt,
    /// `fork a as a1 { ... }, a2 { ... };`
    Fork {
        channel: Spanned<Expr>,
        arms: Vec<Spanned<ForkArm>>,
    },
    /// `split a as (x, y);` or `split(a) as (x, y);`
    Split {
        channel: Spanned<Expr>,
        names: Vec<Ident>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForkArm {
    pub name: Ident,
    pub body: Spanned<Block>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    Int(i64),
    Float(f64),
    Char(char),
    Str(String),
    Bool(bool),
    /// `()`
    Unit,
    /// A lower-case name: a variable (or, unresolved, a new channel name).
    Var(String),
    /// An upper-case name alone: a nullary constructor or a protocol label.
    Ctor(String),
    /// `~x`: the other end of channel `x` (process arguments only).
    Dual(Ident),
    /// `f(args)`: a function, process or built-in call (lower-case name),
    /// or `Ctor(args)`: a constructor application (upper-case name).
    Call {
        callee: Ident,
        args: Vec<Spanned<Expr>>,
    },
    /// `(a, b, ...)`, two or more.
    Tuple(Vec<Spanned<Expr>>),
    /// `[a, b, c]` (empty for `[]`).
    List(Vec<Spanned<Expr>>),
    Binary {
        op: Spanned<BinOp>,
        lhs: Box<Spanned<Expr>>,
        rhs: Box<Spanned<Expr>>,
    },
    Unary {
        op: Spanned<UnOp>,
        operand: Box<Spanned<Expr>>,
    },
    /// `xs[i, d]`
    Index {
        list: Box<Spanned<Expr>>,
        index: Box<Spanned<Expr>>,
        default: Box<Spanned<Expr>>,
    },
    /// `e.name(args)`: a codata destructor call.
    Dtor {
        receiver: Box<Spanned<Expr>>,
        name: Ident,
        args: Vec<Spanned<Expr>>,
    },
    /// `c.put(v)`: evaluates to `c`.
    Put {
        channel: Box<Spanned<Expr>>,
        value: Box<Spanned<Expr>>,
    },
    /// `c.get`
    Get(Box<Spanned<Expr>>),
    /// `c.close()`
    Close(Box<Spanned<Expr>>),
    /// `if (c) { .. } else ..`; `else_` is a `Block` or another `If`.
    If {
        cond: Box<Spanned<Expr>>,
        then: Spanned<Block>,
        else_: Option<Box<Spanned<Expr>>>,
    },
    Switch {
        scrutinee: Box<Spanned<Expr>>,
        cases: Vec<Spanned<Case>>,
    },
    /// `race { case c: .. case d: .. }`: waits until one of the channels
    /// has a message, then runs its case.
    Race(Vec<Spanned<RaceCase>>),
    Block(Block),
    /// `record Codata<args> { methods }`
    Record {
        codata: Spanned<Type>,
        methods: Vec<Spanned<Method>>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub pattern: Spanned<Pattern>,
    /// The statements up to the next `case` or the closing brace.
    pub body: Spanned<Block>,
}

/// One case of a `race`: the channel waited on and what runs when it
/// has a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RaceCase {
    /// The end waited on: a name, or `~name` for the other end of a
    /// channel the process declared.
    pub channel: Ident,
    /// The statements up to the next `case` or the closing brace.
    pub body: Spanned<Block>,
}

/// A destructor implementation inside `record`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub ret: Option<Spanned<Type>>,
    pub name: Ident,
    pub params: Vec<Spanned<Param>>,
    pub body: Spanned<Block>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `:`
    Cons,
    /// `++`
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Pattern {
    /// `_`
    Wild,
    /// A lower-case name: binds the value.
    Var(String),
    Int(i64),
    Float(f64),
    Char(char),
    Str(String),
    Bool(bool),
    /// `()`
    Unit,
    /// `Ctor` or `Ctor(p, ...)`; also a protocol label in `case Label:`.
    Ctor {
        name: Ident,
        args: Vec<Spanned<Pattern>>,
    },
    /// `(p, q, ...)`
    Tuple(Vec<Spanned<Pattern>>),
    /// `[]`, `[p, q]`
    List(Vec<Spanned<Pattern>>),
    /// `p : q`
    Cons(Box<Spanned<Pattern>>, Box<Spanned<Pattern>>),
}

impl BinOp {
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

/// The span of a whole block, for blocks built without one (an empty case
/// body, say): zero-length at `at`.
pub fn empty_block_span(at: Span) -> Span {
    Span {
        file: at.file,
        start: at.end,
        end: at.end,
    }
}
