//! The syntax tree of one CaMPL file, as written: what `parser` builds
//! and `lower` turns into the shared tree (`crate::syntax::ast`).
//!
//! Names are strings, nothing is resolved, polarity is not applied: a
//! process's channels are kept in the two lists they were written in.

use crate::source::{Span, Spanned};

pub type Name = Spanned<String>;

#[derive(Clone, Debug)]
pub enum Defn {
    /// `data` (`codata: false`) or `codata`: one or more clauses joined
    /// by `and`.
    Data {
        codata: bool,
        clauses: Vec<TypeClause>,
    },
    /// `protocol` or `coprotocol`.
    Protocol {
        co: bool,
        clauses: Vec<TypeClause>,
    },
    Fun(Fun),
    Proc(Proc),
    /// `include Module` (or `include "dir" : Module`), with the names
    /// it imports, if listed.
    Include {
        dir: Option<String>,
        module: Name,
        /// The functions and processes listed (`(f, g | p)`): usable
        /// without the module's name.
        unqualified: Vec<Name>,
    },
}

/// `Name(args) -> S = phrases` (data), `S -> Name(args) = ...` (codata),
/// `Name(args) => S` (protocol) or `S => Name(args)` (coprotocol).
#[derive(Clone, Debug)]
pub struct TypeClause {
    pub name: Name,
    /// Sequential parameters, then (for protocols) concurrent ones.
    pub seq_params: Vec<Name>,
    pub conc_params: Vec<Name>,
    /// The state variable (`S`).
    pub state: Name,
    pub phrases: Vec<TypePhrase>,
    pub span: Span,
}

/// `Ctor1, Ctor2 :: T1, T2 -> S` or `Handle :: T => S`.
#[derive(Clone, Debug)]
pub struct TypePhrase {
    pub names: Vec<Name>,
    /// Sequential phrases: the argument types; concurrent: one type (the
    /// side that is not the state variable).
    pub args: Vec<Spanned<Type>>,
    /// Sequential phrases: the result type.
    pub result: Option<Spanned<Type>>,
}

#[derive(Clone, Debug)]
pub enum Type {
    /// `Name`, `Name(a, b)` or `Name(a | p)`: a type, a protocol, or a
    /// type variable (a name that no declaration gives).
    Named {
        name: Name,
        seq: Vec<Spanned<Type>>,
        conc: Vec<Spanned<Type>>,
    },
    Unit,
    List(Box<Spanned<Type>>),
    Tuple(Vec<Spanned<Type>>),
    /// `a (+) b`
    Par(Box<Spanned<Type>>, Box<Spanned<Type>>),
    /// `a (*) b`
    Tensor(Box<Spanned<Type>>, Box<Spanned<Type>>),
    /// `Store(seq | ins => outs)`
    Store(Box<ProcType>),
}

/// `seq | ins => outs`
#[derive(Clone, Debug)]
pub struct ProcType {
    pub seq: Vec<Spanned<Type>>,
    pub ins: Vec<Spanned<Type>>,
    pub outs: Vec<Spanned<Type>>,
}

/// `fun name :: A, B -> C = phrases` (the type is optional).
#[derive(Clone, Debug)]
pub struct Fun {
    pub name: Name,
    pub ty: Option<(Vec<Spanned<Type>>, Spanned<Type>)>,
    pub phrases: Vec<Spanned<FunPhrase>>,
    pub scope: Scope,
}

/// Where a function or process may be named from. `defn A where B` makes
/// the definitions `B` local to the statement: `A` and `B` see them, the
/// rest of the program does not (CaMPL's renamer scopes them so). Such a
/// statement is known by where its `where` is.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The statement in whose `where` part it is defined (`None`: the
    /// program's top level).
    pub local_to: Option<Span>,
    /// The statements whose `where` definitions its body sees, innermost
    /// last.
    pub sees: Vec<Span>,
}

/// `p1, p2 -> e`
#[derive(Clone, Debug)]
pub struct FunPhrase {
    pub patterns: Vec<Spanned<Pattern>>,
    pub body: Spanned<Expr>,
}

/// `proc name :: type = phrases`
#[derive(Clone, Debug)]
pub struct Proc {
    pub name: Name,
    pub ty: Option<ProcType>,
    pub phrases: Vec<Spanned<ProcPhrase>>,
    pub scope: Scope,
}

impl Defn {
    /// The scope of a function or process.
    pub fn scope_mut(&mut self) -> Option<&mut Scope> {
        match self {
            Defn::Fun(f) => Some(&mut f.scope),
            Defn::Proc(p) => Some(&mut p.scope),
            _ => None,
        }
    }

    /// Whether it is a function or process local to a `defn ... where`.
    pub fn is_local(&self) -> bool {
        match self {
            Defn::Fun(f) => f.scope.local_to.is_some(),
            Defn::Proc(p) => p.scope.local_to.is_some(),
            _ => false,
        }
    }
}

/// `patterns | ins => outs -> commands`
#[derive(Clone, Debug)]
pub struct ProcPhrase {
    pub patterns: Vec<Spanned<Pattern>>,
    pub ins: Vec<Name>,
    pub outs: Vec<Name>,
    pub body: Vec<Spanned<Command>>,
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Wild,
    Var(String),
    Int(i64),
    Char(char),
    Str(String),
    Unit,
    Ctor {
        name: Name,
        args: Vec<Spanned<Pattern>>,
    },
    /// `(Head := p, ...)`
    Record(Vec<(Name, Spanned<Pattern>)>),
    List(Vec<Spanned<Pattern>>),
    Tuple(Vec<Spanned<Pattern>>),
    Cons(Box<Spanned<Pattern>>, Box<Spanned<Pattern>>),
}

#[derive(Clone, Debug)]
pub enum Expr {
    Var(String),
    Int(i64),
    Double(f64),
    Char(char),
    Str(String),
    Unit,
    List(Vec<Spanned<Expr>>),
    Tuple(Vec<Spanned<Expr>>),
    /// `Name` or `Name(args)`: a constructor or a destructor.
    Upper {
        name: Name,
        args: Option<Vec<Spanned<Expr>>>,
    },
    /// `f(args)` or `M.f(args)`.
    Call {
        module: Option<Name>,
        name: Name,
        args: Vec<Spanned<Expr>>,
    },
    /// `a op b`, and the section `(op)(a, b)`.
    Infix {
        op: Name,
        lhs: Box<Spanned<Expr>>,
        rhs: Box<Spanned<Expr>>,
    },
    If(Box<Spanned<Expr>>, Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `let defs in e`
    Let(Vec<Defn>, Box<Spanned<Expr>>),
    Case(Box<Spanned<Expr>>, Vec<Spanned<FunPhrase>>),
    /// `switch cond -> e; ...`
    Switch(Vec<(Spanned<Expr>, Spanned<Expr>)>),
    /// `(Head := phrase, ...)`
    Record(Vec<(Name, Spanned<FunPhrase>)>),
    /// `store(p)` or `store(patterns | ins => outs -> commands)`: a
    /// process as a value.
    Store(Box<Stored>),
    /// `fold e of Ctor : patterns -> e; ...`
    Fold(Box<Spanned<Expr>>, Vec<FoldPhrase>),
    /// `unfold e of pattern of Dtor : patterns -> e; ...; ...`
    Unfold(Box<Spanned<Expr>>, Vec<UnfoldPhrase>),
}

/// `Name : p1, p2 -> e`: a `fold`'s phrase for a constructor (its
/// patterns match the fields, folded), or an `unfold`'s for a destructor
/// (its patterns name the destructor's arguments).
#[derive(Clone, Debug)]
pub struct FoldPhrase {
    pub name: Name,
    pub patterns: Vec<Spanned<Pattern>>,
    pub body: Spanned<Expr>,
}

/// `seed of Dtor : ... -> e; ...`: how `unfold` makes a record of one
/// codata type from a seed that matches `seed`.
#[derive(Clone, Debug)]
pub struct UnfoldPhrase {
    pub seed: Spanned<Pattern>,
    pub dtors: Vec<FoldPhrase>,
}

/// What `store` makes a value of.
#[derive(Clone, Debug)]
pub enum Stored {
    Named(Name),
    Phrase(Spanned<ProcPhrase>),
}

#[derive(Clone, Debug)]
pub enum Command {
    /// `p(args | ins => outs)`
    Run {
        name: Name,
        args: Vec<Spanned<Expr>>,
        ins: Vec<Name>,
        outs: Vec<Name>,
    },
    /// `use(e)(args | ins => outs)`: starts the process `e` holds.
    Use {
        stored: Spanned<Expr>,
        args: Vec<Spanned<Expr>>,
        ins: Vec<Name>,
        outs: Vec<Name>,
    },
    Close(Name),
    Halt(Name),
    Get(Spanned<Pattern>, Name),
    Put(Spanned<Expr>, Name),
    HPut(Name, Name),
    HCase(Name, Vec<(Name, Vec<Spanned<Command>>)>),
    Split(Name, Vec<Name>),
    /// `fork c as a with cs -> block; ...`
    Fork(Name, Vec<ForkPhrase>),
    /// `a |=| b`, or `a |=| neg b`.
    Forward {
        a: Name,
        b: Name,
        neg: bool,
    },
    Race(Vec<(Name, Vec<Spanned<Command>>)>),
    Plug(Vec<PlugPhrase>),
    Case(
        Spanned<Expr>,
        Vec<(Spanned<Pattern>, Vec<Spanned<Command>>)>,
    ),
    If(Spanned<Expr>, Vec<Spanned<Command>>, Vec<Spanned<Command>>),
    Switch(Vec<(Spanned<Expr>, Vec<Spanned<Command>>)>),
}

#[derive(Clone, Debug)]
pub struct ForkPhrase {
    pub half: Name,
    /// The channels the half takes, if listed (`with a, b`).
    pub with: Option<Vec<Name>>,
    pub body: Vec<Spanned<Command>>,
}

/// One process of a `plug`: a block of commands, with the channels it
/// uses listed (`ins => outs -> ...`) or not.
#[derive(Clone, Debug)]
pub struct PlugPhrase {
    pub channels: Option<(Vec<Name>, Vec<Name>)>,
    pub body: Vec<Spanned<Command>>,
    pub span: Span,
}

/// One input of the REPL in CaMPL's syntax.
#[derive(Clone, Debug)]
pub enum ReplTree {
    Defns(Vec<Defn>),
    Commands(Vec<Spanned<Command>>),
    Expr(Spanned<Expr>),
}
