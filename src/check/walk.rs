//! Read-only walks over the syntax tree, for the two parts of the checker
//! that read it: `resolve` (the implicit channels of a block, LANGUAGE.md
//! 6.3) and `warnings` (every expression of a block). The passes after
//! resolution read the resolved program instead.

use crate::source::{Span, Spanned};
use crate::syntax::ast::{Block, Expr, Pattern, Stmt};

/// Calls `f` on every expression inside `b`, outermost first, including
/// record methods and fork arms.
pub fn each_expr<'a>(b: &'a Block, f: &mut dyn FnMut(&'a Expr)) {
    for s in &b.stmts {
        each_expr_stmt(&s.node, f);
    }
    if let Some(t) = &b.tail {
        each_expr_in(&t.node, f);
    }
}

/// Calls `f` on every expression inside statement `s`.
pub fn each_expr_stmt<'a>(s: &'a Stmt, f: &mut dyn FnMut(&'a Expr)) {
    match s {
        Stmt::Let { value, .. } => each_expr_in(&value.node, f),
        Stmt::Expr(e) => each_expr_in(&e.node, f),
        Stmt::Forward(a, b) => {
            each_expr_in(&a.node, f);
            each_expr_in(&b.node, f);
        }
        Stmt::Fork { channel, arms } => {
            each_expr_in(&channel.node, f);
            for a in arms {
                each_expr(&a.node.body.node, f);
            }
        }
        Stmt::Split { channel, .. } => each_expr_in(&channel.node, f),
        Stmt::Channel { .. } | Stmt::Halt => {}
    }
}

/// Calls `f` on `e` and every expression inside it.
pub fn each_expr_in<'a>(e: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(e);
    for c in children(e) {
        each_expr_in(&c.node, f);
    }
    match e {
        Expr::If { then, else_, .. } => {
            each_expr(&then.node, f);
            if let Some(e) = else_ {
                each_expr_in(&e.node, f);
            }
        }
        Expr::Switch { cases, .. } => cases.iter().for_each(|c| each_expr(&c.node.body.node, f)),
        Expr::Race(cases) => cases.iter().for_each(|c| each_expr(&c.node.body.node, f)),
        Expr::Block(b) => each_expr(b, f),
        Expr::Record { methods, .. } => {
            methods.iter().for_each(|m| each_expr(&m.node.body.node, f))
        }
        _ => {}
    }
}

/// The sub-expressions of `e` that are evaluated in `e`'s own scope, in
/// evaluation order: everything but the bodies of `if`, `switch`, blocks
/// and records, which passes walk themselves (they open scopes). For those
/// four (and for leaves) it is empty, except that an `if`'s condition and a
/// `switch`'s scrutinee are included.
pub fn children(e: &Expr) -> Vec<&Spanned<Expr>> {
    match e {
        Expr::Call { args, .. } | Expr::Tuple(args) | Expr::List(args) => args.iter().collect(),
        Expr::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        Expr::Unary { operand, .. } => vec![operand],
        Expr::Index {
            list,
            index,
            default,
        } => vec![list, index, default],
        Expr::Dtor { receiver, args, .. } => std::iter::once(&**receiver).chain(args).collect(),
        Expr::Put { channel, value } => vec![channel, value],
        Expr::Get(c) | Expr::Close(c) => vec![c],
        Expr::If { cond, .. } => vec![cond],
        Expr::Switch { scrutinee, .. } => vec![scrutinee],
        _ => Vec::new(),
    }
}

/// Names a block's own statements bind (`let`, `channel`, `split`): such
/// a name is not an implicit channel even where it is used before.
fn declared_names(stmts: &[&Spanned<Stmt>]) -> Vec<String> {
    let mut out = Vec::new();
    for s in stmts {
        match &s.node {
            Stmt::Channel { name, .. } => out.push(name.node.clone()),
            Stmt::Split { names, .. } => out.extend(names.iter().map(|n| n.node.clone())),
            Stmt::Let { pattern, .. } => pattern_names(&pattern.node, &mut out),
            _ => {}
        }
    }
    out
}

fn pattern_names(p: &Pattern, out: &mut Vec<String>) {
    match p {
        Pattern::Var(n) => out.push(n.clone()),
        Pattern::Ctor { args, .. } | Pattern::Tuple(args) | Pattern::List(args) => {
            args.iter().for_each(|a| pattern_names(&a.node, out))
        }
        Pattern::Cons(h, t) => {
            pattern_names(&h.node, out);
            pattern_names(&t.node, out);
        }
        _ => {}
    }
}

/// Where a block is: what makes an implicit channel depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// A body or the wiring: a name must appear once plain, once with `~`.
    Body,
    /// A REPL line (the session process): `~x` alone also makes a channel,
    /// whose end `x` the session keeps (docs/decisions.md, "The REPL").
    Session,
}

/// How a name that is not in scope is used as an argument of the process
/// calls of one block: the spans of its plain uses and of its `~` uses.
struct Uses {
    name: String,
    first: Span,
    plain: Vec<Span>,
    dual: Vec<Span>,
}

/// The uses of each name not in scope as a process argument in the
/// block's own statements, in order of first use.
fn argument_uses<'s>(
    stmts: &[&'s Spanned<Stmt>],
    tail: Option<&Spanned<Expr>>,
    in_scope: &dyn Fn(&str) -> bool,
    is_process: &dyn Fn(&str) -> bool,
) -> Vec<Uses> {
    let declared = declared_names(stmts);
    let in_scope = |n: &str| in_scope(n) || declared.iter().any(|d| d == n);
    let mut uses: Vec<Uses> = Vec::new();
    let exprs = stmts
        .iter()
        .copied()
        .filter_map(|s| match &s.node {
            Stmt::Expr(e) => Some(e),
            _ => None,
        })
        .chain(tail);
    for e in exprs {
        let Expr::Call { callee, args } = &e.node else {
            continue;
        };
        if !is_process(&callee.node) {
            continue;
        }
        for a in args {
            let (name, dual) = match &a.node {
                Expr::Var(n) => (n.as_str(), false),
                Expr::Dual(n) => (n.node.as_str(), true),
                _ => continue,
            };
            if in_scope(name) {
                continue;
            }
            let i = match uses.iter().position(|u| u.name == name) {
                Some(i) => i,
                None => {
                    uses.push(Uses {
                        name: name.to_string(),
                        first: a.span,
                        plain: Vec::new(),
                        dual: Vec::new(),
                    });
                    uses.len() - 1
                }
            };
            let side = if dual {
                &mut uses[i].dual
            } else {
                &mut uses[i].plain
            };
            side.push(a.span);
        }
    }
    uses
}

/// The channels a block's process calls make: the implicit channels
/// (names not in scope that appear, in the block's own statements, exactly
/// once plain and once with `~` as arguments of process calls; in a
/// `BlockKind::Session`, also once with `~` alone), each with the span of
/// its first use; and the names used twice, both plain or both with `~`
/// (a new channel whose other end's `~` was forgotten, or doubled), each
/// with its two uses and whether they were `~`.
pub struct BlockChannels {
    pub implicit: Vec<(String, Span)>,
    pub unpaired: Vec<(String, [Span; 2], bool)>,
}

/// See [`BlockChannels`].
pub fn block_channels<'s>(
    stmts: impl Iterator<Item = &'s Spanned<Stmt>>,
    tail: Option<&Spanned<Expr>>,
    in_scope: &dyn Fn(&str) -> bool,
    is_process: &dyn Fn(&str) -> bool,
    kind: BlockKind,
) -> BlockChannels {
    let stmts: Vec<&Spanned<Stmt>> = stmts.collect();
    let mut out = BlockChannels {
        implicit: Vec::new(),
        unpaired: Vec::new(),
    };
    for u in argument_uses(&stmts, tail, in_scope, is_process) {
        let implicit = match kind {
            BlockKind::Body => u.plain.len() == 1 && u.dual.len() == 1,
            BlockKind::Session => u.plain.len() <= 1 && u.dual.len() == 1,
        };
        match (implicit, u.plain.as_slice(), u.dual.as_slice()) {
            (true, ..) => out.implicit.push((u.name, u.first)),
            (false, [a, b], []) => out.unpaired.push((u.name, [*a, *b], false)),
            (false, [], [a, b]) => out.unpaired.push((u.name, [*a, *b], true)),
            _ => {}
        }
    }
    out
}

/// Every variable name statements `stmts` mention (`x`, and `~x` for a
/// `~x`), in blocks nested anywhere: the names resolving them can look
/// up outside them.
pub fn mentioned_names(stmts: &[&Spanned<Stmt>]) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for s in stmts {
        each_expr_stmt(&s.node, &mut |e| match e {
            Expr::Var(n) => {
                out.insert(n.clone());
            }
            Expr::Dual(n) => {
                out.insert(n.node.clone());
                out.insert(format!("~{}", n.node));
            }
            Expr::Race(cases) => {
                out.extend(cases.iter().map(|c| c.node.channel.node.clone()));
            }
            _ => {}
        });
    }
    out
}
