//! Warnings: things that check but are most likely not what the student
//! meant. A file that declares processes and starts none (it would print
//! nothing and exit 0), a `let` whose name is never used, a function or
//! process of the file that nothing calls, a `let` that reuses a
//! channel's name for something else. They are data, like errors
//! (`Warning`, with codes W0001...); `crate::diagnostics` draws them. They
//! are looked for only in a program that checks, and only in its main
//! file (imported files are libraries). `mpl check --deny-warnings` makes
//! them errors.

use super::walk;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{Block, Expr, Item, Module, Param, Pattern, Stmt, Type};
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq)]
pub enum Warning {
    /// The file declares processes but has no top-level statement.
    NoProcessStarted {
        span: Span,
        /// A statement that would start one (`main(stdout);`).
        example: String,
    },
    UnusedVariable {
        name: String,
        span: Span,
    },
    UnusedDeclaration {
        name: String,
        process: bool,
        span: Span,
    },
    /// `let c = ...` where `c` names a channel (a parameter of a protocol
    /// type, or a declared channel) and the value is not that channel.
    ShadowsChannel {
        name: String,
        span: Span,
        /// Where the channel got the name.
        channel: Span,
    },
    /// A match that does not handle every value, in a file whose matches
    /// may be partial (`check::Input::partial_matches`: CaMPL's).
    PartialMatch {
        span: Span,
        /// Values no pattern matches, as patterns.
        missing: Vec<String>,
    },
}

/// A warning's text, as `CheckError::report` gives an error's.
pub struct WarningText {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: String,
}

impl Warning {
    pub fn text(&self) -> WarningText {
        match self {
            Warning::NoProcessStarted { span, example } => WarningText {
                code: "W0001",
                message: "this file declares processes but starts none, so running it does nothing"
                    .into(),
                span: *span,
                label: "no top-level statement starts a process".into(),
                help: format!("start one with a top-level statement, such as `{example}`"),
            },
            Warning::UnusedVariable { name, span } => WarningText {
                code: "W0002",
                message: format!("`{name}` is never used"),
                span: *span,
                label: "bound here, never used".into(),
                help: format!("remove it, or name it `_{name}` (or `_`) if that is meant"),
            },
            Warning::UnusedDeclaration {
                name,
                process,
                span,
            } => WarningText {
                code: "W0003",
                message: format!(
                    "the {} `{name}` is never {}",
                    if *process { "process" } else { "function" },
                    if *process { "started" } else { "called" }
                ),
                span: *span,
                label: "declared here".into(),
                help: "remove it, or call it from the wiring or from a declaration that is used"
                    .into(),
            },
            Warning::ShadowsChannel { name, span, .. } => WarningText {
                code: "W0004",
                message: format!("this `let` reuses the name of the channel `{name}`"),
                span: *span,
                label: format!("from here on, `{name}` is no longer the channel"),
                help: format!(
                    "give the value its own name (`let {name}Value = ...`): a channel's name that means something else is easy to misread"
                ),
            },
            Warning::PartialMatch { span, missing } => WarningText {
                code: "W0005",
                message: format!(
                    "the patterns here do not cover {}",
                    super::errors::list_words(missing)
                ),
                span: *span,
                label: "a value no pattern matches stops the program here".into(),
                help: format!(
                    "add a case (or a clause) for `{}`, or a catch-all `_`",
                    missing.first().map_or("_", |s| s.as_str())
                ),
            },
        }
    }

    /// A second place the warning concerns, with its label.
    pub fn note(&self) -> Option<(Span, String)> {
        match self {
            Warning::ShadowsChannel { name, channel, .. } => {
                Some((*channel, format!("the channel `{name}` is named here")))
            }
            _ => None,
        }
    }
}

/// The warnings of `main` (the program's file), in source order; `all`
/// holds every module of the program (imports included) for the uses;
/// `protocols` the names of every protocol the program can name.
pub fn check<'a>(
    main: &'a Module,
    all: &[&'a Module],
    protocols: &HashSet<String>,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let starts_something = main.items.iter().any(|i| matches!(i.node, Item::Stmt(_)));
    let first_process = main.items.iter().find_map(|i| match &i.node {
        Item::Process(p) => Some(p),
        _ => None,
    });
    match (starts_something, first_process) {
        (false, Some(p)) => out.push(Warning::NoProcessStarted {
            span: p.name.span,
            example: format!("{}(...);", p.name.node),
        }),
        (true, _) => out.extend(unused_declarations(main, all)),
        (false, None) => {}
    }
    for item in &main.items {
        for body in bodies(&item.node) {
            out.extend(unused_lets(body));
        }
        let params: Vec<&Param> = match &item.node {
            Item::Process(p) => p.params.iter().map(|q| &q.node).collect(),
            Item::Function(f) => f
                .clauses
                .iter()
                .flat_map(|c| c.node.params.iter().map(|q| &q.node))
                .collect(),
            _ => Vec::new(),
        };
        for body in bodies(&item.node) {
            out.extend(channel_shadows(&params, body, protocols));
        }
    }
    out.sort_by_key(|w| {
        let s = w.text().span;
        (s.file, s.start)
    });
    out
}

/// The bodies an item holds (each clause of a function, a process body).
fn bodies(item: &Item) -> Vec<&Block> {
    match item {
        Item::Function(f) => f.clauses.iter().map(|c| &c.node.body.node).collect(),
        Item::Fold(fs) => fs
            .iter()
            .flat_map(|f| f.node.clauses.iter().map(|c| &c.node.body.node))
            .collect(),
        Item::Process(p) => vec![&p.body.node],
        _ => Vec::new(),
    }
}

/// Functions and processes of `main` that no body and no wiring calls
/// (a call from its own body does not count).
fn unused_declarations<'a>(main: &'a Module, all: &[&'a Module]) -> Vec<Warning> {
    let mut called: HashSet<(&'a str, Option<&'a str>)> = HashSet::new();
    for module in all {
        for item in &module.items {
            let owner = item_name(&item.node);
            let mut note = |e: &'a Expr| {
                if let Expr::Call { callee, .. } = e {
                    called.insert((callee.node.as_str(), owner));
                }
            };
            match &item.node {
                Item::Stmt(s) => walk::each_expr_stmt(s, &mut note),
                other => bodies(other)
                    .into_iter()
                    .for_each(|b| walk::each_expr(b, &mut note)),
            }
        }
    }
    let used = |name: &str| called.iter().any(|(n, by)| *n == name && *by != Some(name));
    main.items
        .iter()
        .filter_map(|i| match &i.node {
            Item::Function(f) => Some((&f.name, false)),
            Item::Process(p) => Some((&p.name, true)),
            _ => None,
        })
        .filter(|(name, _)| !name.node.starts_with('_') && !used(&name.node))
        .map(|(name, process)| Warning::UnusedDeclaration {
            name: name.node.clone(),
            process,
            span: name.span,
        })
        .collect()
}

/// The name of a function or process item.
fn item_name(item: &Item) -> Option<&str> {
    match item {
        Item::Function(f) => Some(&f.name.node),
        Item::Process(p) => Some(&p.name.node),
        _ => None,
    }
}

/// `let` names in `body` that nothing in `body` uses.
fn unused_lets(body: &Block) -> Vec<Warning> {
    let mut bound: Vec<(String, Span)> = Vec::new();
    block_lets(body, &mut bound);
    let mut used: HashSet<&str> = HashSet::new();
    walk::each_expr(body, &mut |e| match e {
        Expr::Var(n) => {
            used.insert(n.as_str());
        }
        Expr::If { then, .. } => block_lets(&then.node, &mut bound),
        Expr::Switch { cases, .. } => {
            for c in cases {
                block_lets(&c.node.body.node, &mut bound);
            }
        }
        Expr::Race(cases) => {
            for c in cases {
                used.insert(c.node.channel.node.as_str());
                block_lets(&c.node.body.node, &mut bound);
            }
        }
        Expr::Block(b) => block_lets(b, &mut bound),
        Expr::Record { methods, .. } => {
            for m in methods {
                block_lets(&m.node.body.node, &mut bound);
            }
        }
        _ => {}
    });
    bound
        .into_iter()
        .filter(|(name, _)| !name.starts_with('_') && !used.contains(name.as_str()))
        .map(|(name, span)| Warning::UnusedVariable { name, span })
        .collect()
}

/// The names `b`'s own `let`s bind (and those of its fork arms).
fn block_lets(b: &Block, out: &mut Vec<(String, Span)>) {
    for s in &b.stmts {
        match &s.node {
            Stmt::Let { pattern, .. } => pattern_vars(pattern, out),
            Stmt::Fork { arms, .. } => {
                for a in arms {
                    block_lets(&a.node.body.node, out);
                }
            }
            _ => {}
        }
    }
}

fn pattern_vars(p: &Spanned<Pattern>, out: &mut Vec<(String, Span)>) {
    match &p.node {
        Pattern::Var(n) => out.push((n.clone(), p.span)),
        Pattern::Ctor { args, .. } | Pattern::Tuple(args) | Pattern::List(args) => {
            args.iter().for_each(|a| pattern_vars(a, out))
        }
        Pattern::Cons(h, t) => {
            pattern_vars(h, out);
            pattern_vars(t, out);
        }
        _ => {}
    }
}

/// `let`s in `body` that bind the name of a channel (a parameter of a
/// protocol type, or a channel the body declares) to something other than
/// that channel (`let c = c.put(1);` keeps it, and is fine).
fn channel_shadows(params: &[&Param], body: &Block, protocols: &HashSet<String>) -> Vec<Warning> {
    let mut channels: Vec<(String, Span)> = params
        .iter()
        .filter(|p| {
            p.ty.as_ref()
                .is_some_and(|t| is_protocol(&t.node, protocols))
        })
        .filter_map(|p| match &p.pattern.node {
            Pattern::Var(n) => Some((n.clone(), p.pattern.span)),
            _ => None,
        })
        .collect();
    let mut lets: Vec<(&String, Span, &Expr)> = Vec::new();
    note_block(body, &mut lets, &mut channels);
    walk::each_expr(body, &mut |e| match e {
        Expr::If { then, .. } => note_block(&then.node, &mut lets, &mut channels),
        Expr::Switch { cases, .. } => {
            for c in cases {
                note_block(&c.node.body.node, &mut lets, &mut channels);
            }
        }
        Expr::Race(cases) => {
            for c in cases {
                note_block(&c.node.body.node, &mut lets, &mut channels);
            }
        }
        Expr::Block(b) => note_block(b, &mut lets, &mut channels),
        _ => {}
    });
    lets.into_iter()
        .filter(|(name, _, value)| root_name(value) != Some(name.as_str()))
        .filter_map(|(name, span, _)| {
            let (_, channel) = channels.iter().find(|(c, _)| c == name)?;
            Some(Warning::ShadowsChannel {
                name: name.clone(),
                span,
                channel: *channel,
            })
        })
        .collect()
}

/// Notes the channels `b`'s own statements declare and its `let`s of a
/// plain name (with their values).
fn note_block<'a>(
    b: &'a Block,
    lets: &mut Vec<(&'a String, Span, &'a Expr)>,
    channels: &mut Vec<(String, Span)>,
) {
    for st in &b.stmts {
        match &st.node {
            Stmt::Channel { name, .. } => channels.push((name.node.clone(), name.span)),
            Stmt::Let { pattern, value, .. } => {
                if let Pattern::Var(n) = &pattern.node {
                    lets.push((n, pattern.span, &value.node));
                }
            }
            _ => {}
        }
    }
}

/// Whether a written type is a protocol (a channel's type).
fn is_protocol(t: &Type, protocols: &HashSet<String>) -> bool {
    match t {
        Type::Named { name, .. } => protocols.contains(&name.node),
        Type::Neg(_) | Type::After { .. } | Type::Proto(_) | Type::ProtoVar(_) => true,
        _ => false,
    }
}

/// The variable a chain of `put`s starts from (`c.put(1).put(2)` is `c`).
fn root_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Var(n) => Some(n),
        Expr::Put { channel, .. } => root_name(&channel.node),
        _ => None,
    }
}
