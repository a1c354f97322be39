//! Types and session types as the checker sees them, and the operations
//! that need no inference state: substitution of generic parameters,
//! duality (the one place `neg` is computed), and printing for messages.
//!
//! A protocol state (`Session`) is the type of one channel end. Named
//! protocols stay folded (`Ref`) until an operation needs their first step;
//! unfolding and unification live in `unify`.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    Put,
    Get,
}

impl Dir {
    pub fn flip(self) -> Dir {
        match self {
            Dir::Put => Dir::Get,
            Dir::Get => Dir::Put,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Dir::Put => "put",
            Dir::Get => "get",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Con {
    Int,
    Float,
    Char,
    Byte,
    Bool,
    Unit,
    List,
    Tuple,
    /// A `data` type, by index into the declarations.
    Data(u32),
    /// A `codata` type.
    Codata(u32),
}

impl Con {
    /// The built-in types a plain name stands for.
    pub const BUILTIN: [(&'static str, Con); 5] = [
        ("Int", Con::Int),
        ("Float", Con::Float),
        ("Char", Con::Char),
        ("Byte", Con::Byte),
        ("Bool", Con::Bool),
    ];

    /// The built-in type a plain name stands for (`Int`, `Char`...).
    pub fn builtin(name: &str) -> Option<Con> {
        Con::BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| c.clone())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// A unification variable.
    Var(u32),
    /// A generic parameter of the signature being checked (`t`, or `#p`
    /// when the flag is set).
    Rigid(Rc<str>, bool),
    Con(Con, Rc<[Ty]>),
    /// A channel end in this protocol state.
    Session(Rc<Session>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Session {
    /// The start of a named protocol applied to arguments, dualised when
    /// `neg` is set.
    Ref {
        proto: u32,
        args: Rc<[Ty]>,
        neg: bool,
    },
    /// A protocol variable (`#p`, or a unification variable), dualised when
    /// `neg` is set.
    Var {
        ty: Ty,
        neg: bool,
    },
    /// `put T, next` or `get T, next`.
    Msg {
        dir: Dir,
        ty: Ty,
        next: Rc<Session>,
    },
    /// `put L1: ... | put L2: ...` (or `get`).
    Choice {
        dir: Dir,
        branches: Rc<[(Rc<str>, Rc<Session>)]>,
    },
    Close,
    /// `fork(a, b)` (split = false: this end forks) or its dual (split =
    /// true: this end splits into `a` and `b`).
    Fork {
        split: bool,
        a: Rc<Session>,
        b: Rc<Session>,
    },
    /// Checker-internal: the state after a call whose effect on the channel
    /// is still being inferred (recursive functions).
    Unknown,
}

impl Ty {
    pub fn con(c: Con, args: Vec<Ty>) -> Ty {
        Ty::Con(c, args.into())
    }

    pub fn simple(c: Con) -> Ty {
        Ty::Con(c, Rc::from(Vec::new()))
    }

    pub fn int() -> Ty {
        Ty::simple(Con::Int)
    }

    pub fn bool() -> Ty {
        Ty::simple(Con::Bool)
    }

    pub fn unit() -> Ty {
        Ty::simple(Con::Unit)
    }

    pub fn list(t: Ty) -> Ty {
        Ty::con(Con::List, vec![t])
    }

    pub fn string() -> Ty {
        Ty::list(Ty::simple(Con::Char))
    }

    pub fn session(s: Session) -> Ty {
        Ty::Session(Rc::new(s))
    }
}

/// `neg<s>`: every put becomes get and the other way round, labels and
/// fork/split included.
pub fn dual(s: &Session) -> Session {
    match s {
        Session::Ref { proto, args, neg } => Session::Ref {
            proto: *proto,
            args: args.clone(),
            neg: !neg,
        },
        Session::Var { ty, neg } => Session::Var {
            ty: ty.clone(),
            neg: !neg,
        },
        Session::Msg { dir, ty, next } => Session::Msg {
            dir: dir.flip(),
            ty: ty.clone(),
            next: Rc::new(dual(next)),
        },
        Session::Choice { dir, branches } => Session::Choice {
            dir: dir.flip(),
            branches: branches
                .iter()
                .map(|(l, b)| (l.clone(), Rc::new(dual(b))))
                .collect(),
        },
        Session::Close => Session::Close,
        Session::Fork { split, a, b } => Session::Fork {
            split: !split,
            a: Rc::new(dual(a)),
            b: Rc::new(dual(b)),
        },
        Session::Unknown => Session::Unknown,
    }
}

/// Replaces generic parameters by name (simultaneously).
pub fn subst_ty(t: &Ty, map: &HashMap<Rc<str>, Ty>) -> Ty {
    if map.is_empty() {
        return t.clone();
    }
    match t {
        Ty::Rigid(name, _) => map.get(name).cloned().unwrap_or_else(|| t.clone()),
        Ty::Var(_) => t.clone(),
        Ty::Con(c, args) => Ty::Con(c.clone(), args.iter().map(|a| subst_ty(a, map)).collect()),
        Ty::Session(s) => Ty::Session(Rc::new(subst_session(s, map))),
    }
}

pub fn subst_session(s: &Session, map: &HashMap<Rc<str>, Ty>) -> Session {
    match s {
        Session::Ref { proto, args, neg } => Session::Ref {
            proto: *proto,
            args: args.iter().map(|a| subst_ty(a, map)).collect(),
            neg: *neg,
        },
        Session::Var { ty, neg } => {
            let ty = subst_ty(ty, map);
            match &ty {
                Ty::Session(inner) if *neg => dual(inner),
                Ty::Session(inner) => (**inner).clone(),
                _ => Session::Var { ty, neg: *neg },
            }
        }
        Session::Msg { dir, ty, next } => Session::Msg {
            dir: *dir,
            ty: subst_ty(ty, map),
            next: Rc::new(subst_session(next, map)),
        },
        Session::Choice { dir, branches } => Session::Choice {
            dir: *dir,
            branches: branches
                .iter()
                .map(|(l, b)| (l.clone(), Rc::new(subst_session(b, map))))
                .collect(),
        },
        Session::Close => Session::Close,
        Session::Fork { split, a, b } => Session::Fork {
            split: *split,
            a: Rc::new(subst_session(a, map)),
            b: Rc::new(subst_session(b, map)),
        },
        Session::Unknown => Session::Unknown,
    }
}

/// Names the checker needs to print types: data, codata and protocol names.
pub trait Names {
    fn data_name(&self, id: u32) -> &str;
    fn codata_name(&self, id: u32) -> &str;
    fn proto_name(&self, id: u32) -> &str;
}

/// Prints a type readably (`[Int]`, `Maybe<String>`, `neg<PutSeq<Char>>`,
/// `put Lookup: ... | put StopLookups: ...`). `depth` bounds how much of a
/// protocol state is spelled out before it is shortened with `...`.
pub struct Show<'a, N: Names> {
    pub ty: &'a Ty,
    pub names: &'a N,
}

impl<N: Names> fmt::Display for Show<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_ty(f, self.ty, self.names, 3)
    }
}

pub fn show_ty<N: Names>(t: &Ty, names: &N) -> String {
    Show { ty: t, names }.to_string()
}

pub fn show_session<N: Names>(s: &Session, names: &N) -> String {
    let mut out = String::new();
    let _ = write_session_str(&mut out, s, names, 3);
    out
}

fn write_ty<N: Names>(f: &mut fmt::Formatter<'_>, t: &Ty, names: &N, depth: u32) -> fmt::Result {
    let mut s = String::new();
    write_ty_str(&mut s, t, names, depth)?;
    f.write_str(&s)
}

fn write_ty_str<N: Names>(out: &mut String, t: &Ty, names: &N, depth: u32) -> fmt::Result {
    use std::fmt::Write;
    match t {
        Ty::Var(_) => out.write_str("_"),
        Ty::Rigid(n, true) => write!(out, "#{n}"),
        Ty::Rigid(n, false) => out.write_str(n),
        Ty::Session(s) => write_session_str(out, s, names, depth),
        Ty::Con(c, args) => match c {
            Con::Int => out.write_str("Int"),
            Con::Float => out.write_str("Float"),
            Con::Char => out.write_str("Char"),
            Con::Byte => out.write_str("Byte"),
            Con::Bool => out.write_str("Bool"),
            Con::Unit => out.write_str("void"),
            Con::List if matches!(args.first(), Some(Ty::Con(Con::Char, _))) => {
                out.write_str("String")
            }
            Con::List => {
                out.write_str("[")?;
                if let Some(a) = args.first() {
                    write_ty_str(out, a, names, depth)?;
                }
                out.write_str("]")
            }
            Con::Tuple => {
                out.write_str("(")?;
                write_list(out, args, names, depth)?;
                out.write_str(")")
            }
            Con::Data(id) => write_applied(out, names.data_name(*id), args, names, depth),
            Con::Codata(id) => write_applied(out, names.codata_name(*id), args, names, depth),
        },
    }
}

fn write_list<N: Names>(out: &mut String, args: &[Ty], names: &N, depth: u32) -> fmt::Result {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_ty_str(out, a, names, depth)?;
    }
    Ok(())
}

fn write_applied<N: Names>(
    out: &mut String,
    name: &str,
    args: &[Ty],
    names: &N,
    depth: u32,
) -> fmt::Result {
    out.push_str(name);
    if !args.is_empty() {
        out.push('<');
        write_list(out, args, names, depth)?;
        out.push('>');
    }
    Ok(())
}

fn write_session_str<N: Names>(
    out: &mut String,
    s: &Session,
    names: &N,
    depth: u32,
) -> fmt::Result {
    use std::fmt::Write;
    if depth == 0 {
        return out.write_str("...");
    }
    match s {
        Session::Ref { proto, args, neg } => {
            if *neg {
                out.push_str("neg<");
            }
            write_applied(out, names.proto_name(*proto), args, names, depth)?;
            if *neg {
                out.push('>');
            }
            Ok(())
        }
        Session::Var { ty, neg } => {
            if *neg {
                out.push_str("neg<");
            }
            write_ty_str(out, ty, names, depth)?;
            if *neg {
                out.push('>');
            }
            Ok(())
        }
        Session::Msg { dir, ty, next } => {
            write!(out, "{} ", dir.word())?;
            write_ty_str(out, ty, names, depth - 1)?;
            if !matches!(**next, Session::Close) {
                out.push_str(", ");
                write_session_str(out, next, names, depth - 1)?;
            }
            Ok(())
        }
        Session::Choice { dir, branches } => {
            for (i, (label, body)) in branches.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                write!(out, "{} {label}: ", dir.word())?;
                if depth > 1 {
                    write_session_str(out, body, names, depth - 2)?;
                } else {
                    out.push_str("...");
                }
            }
            Ok(())
        }
        Session::Close => out.write_str("close"),
        Session::Fork { split, a, b } => {
            out.push_str(if *split { "split(" } else { "fork(" });
            write_session_str(out, a, names, depth - 1)?;
            out.push_str(", ");
            write_session_str(out, b, names, depth - 1)?;
            out.push(')');
            Ok(())
        }
        Session::Unknown => out.write_str(UNKNOWN_SESSION),
    }
}

/// How a protocol the checker does not know yet (after an error) is shown.
pub const UNKNOWN_SESSION: &str = "(not yet known)";

/// A protocol spelled out in full (names of other protocols stay names).
/// A choice whose branches do not fit in `width` columns (after `indent`
/// columns) gets one line per branch, each but the first starting with
/// `| ` two columns to the left of the first; a nested choice is put in
/// parentheses and indented further.
pub fn pretty_session<N: Names>(s: &Session, names: &N, width: usize, indent: usize) -> String {
    let mut out = String::new();
    pretty_into(&mut out, s, names, width, indent);
    out
}

fn flat_session<N: Names>(s: &Session, names: &N) -> String {
    let mut out = String::new();
    let _ = write_session_str(&mut out, s, names, 64);
    out
}

fn pretty_into<N: Names>(out: &mut String, s: &Session, names: &N, width: usize, indent: usize) {
    let flat = flat_session(s, names);
    if indent + flat.len() <= width {
        out.push_str(&flat);
        return;
    }
    match s {
        Session::Msg { dir, ty, next } if !matches!(**next, Session::Close) => {
            out.push_str(dir.word());
            out.push(' ');
            let _ = write_ty_str(out, ty, names, 64);
            out.push_str(", ");
            let nested = matches!(**next, Session::Choice { .. });
            if nested {
                out.push_str("(\n");
                out.push_str(&" ".repeat(indent + 4));
                pretty_into(out, next, names, width, indent + 4);
                out.push(')');
            } else {
                pretty_into(out, next, names, width, indent);
            }
        }
        Session::Choice { dir, branches } => {
            for (i, (label, body)) in branches.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent.saturating_sub(2)));
                    out.push_str("| ");
                }
                let head = format!("{} {label}: ", dir.word());
                out.push_str(&head);
                pretty_into(out, body, names, width, indent + head.len());
            }
        }
        _ => out.push_str(&flat),
    }
}
