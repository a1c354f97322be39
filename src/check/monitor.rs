//! Turns the protocols the checker found into the automata of
//! `ir::Monitor`, which debug builds check every message against at run
//! time (the soundness guard, `eval::guard`).
//!
//! Recursive protocols become cycles; protocols whose arguments grow with
//! every round (`PutsAndGets2<t, (get t, #p)>`) are unrolled up to a bound
//! and then left unchecked (`MonNode::Any`), as are generic parts.

use super::decls::Decls;
use super::types::{Con, Dir, Session, Ty, dual};
use crate::ir::{FuncId, MonNode, Monitor, MsgKind, Program, ServiceId, Slot, Stmt};
use std::collections::HashMap;

/// At most this many states per program; beyond, states are `Any`.
const MAX_NODES: usize = 20_000;

struct Builder<'a> {
    decls: &'a Decls,
    program: &'a Program,
    nodes: Vec<MonNode>,
    /// Named protocol states already built (by their printed form).
    memo: HashMap<String, u32>,
}

/// Builds the monitor for a checked program, and writes onto each of its
/// `Stmt::Channel`s the states its ends start in. `sites` are the
/// protocols the checker found for the first end of each, by the channel
/// statement's function and `end` slot.
pub fn build(decls: &Decls, program: &mut Program, sites: &[((FuncId, Slot), Session)]) {
    let mut b = Builder {
        decls,
        program,
        nodes: vec![MonNode::Any],
        memo: HashMap::new(),
    };
    let mut channels = HashMap::new();
    for (site, s) in sites {
        let end = b.node(s, 0);
        let other = b.node(&dual(s), 0);
        channels.insert(*site, (end, other));
    }
    let mut services = HashMap::new();
    for (i, entry) in crate::services::REGISTRY.iter().enumerate() {
        if let Some(s) = decls.service_session(&entry.protocol) {
            services.insert(ServiceId(i as u16), b.node(&s, 0));
        }
    }
    let nodes = b.nodes;
    for (id, f) in program.functions.iter_mut().enumerate() {
        f.body.for_each_mut(&mut |e| {
            if let crate::ir::ExprKind::Block(block) = &mut e.kind {
                for stmt in &mut block.stmts {
                    if let Stmt::Channel { end, monitor, .. } = stmt {
                        *monitor = channels.get(&(id as FuncId, *end)).copied();
                    }
                }
            }
        });
    }
    program.monitor = Monitor { nodes, services };
}

impl Builder<'_> {
    fn push(&mut self, n: MonNode) -> u32 {
        self.nodes.push(n);
        self.nodes.len() as u32 - 1
    }

    /// The node of state `s`; node 0 is `Any`.
    fn node(&mut self, s: &Session, depth: u32) -> u32 {
        if self.nodes.len() > MAX_NODES || depth > 200 {
            return 0;
        }
        match s {
            Session::Ref { .. } => self.named(s, depth),
            Session::Var {
                ty: Ty::Session(inner),
                neg,
            } => {
                let inner = if *neg { dual(inner) } else { (**inner).clone() };
                self.node(&inner, depth + 1)
            }
            Session::Var { .. } | Session::Unknown => 0,
            Session::Close => self.push(MonNode::Close),
            Session::Msg { dir, ty, next } => {
                let at = self.push(MonNode::Any);
                let next = self.node(next, depth + 1);
                self.nodes[at as usize] = MonNode::Msg {
                    put: *dir == Dir::Put,
                    kind: kind(ty),
                    next,
                };
                at
            }
            Session::Choice { dir, branches } => {
                let at = self.push(MonNode::Any);
                let mut out = Vec::new();
                for (label, body) in branches.iter() {
                    let Some(tag) = self.program.tag(label) else {
                        continue;
                    };
                    out.push((tag, self.node(body, depth + 1)));
                }
                self.nodes[at as usize] = MonNode::Choice {
                    put: *dir == Dir::Put,
                    branches: out,
                };
                at
            }
            Session::Fork { split, a, b } => {
                let at = self.push(MonNode::Any);
                let (a, b) = (self.node(a, depth + 1), self.node(b, depth + 1));
                self.nodes[at as usize] = MonNode::Fork {
                    split: *split,
                    a,
                    b,
                };
                at
            }
        }
    }

    /// A named protocol state: built once, so recursion makes a cycle.
    fn named(&mut self, s: &Session, depth: u32) -> u32 {
        let key = format!("{s:?}");
        if let Some(n) = self.memo.get(&key) {
            return *n;
        }
        let at = self.push(MonNode::Any);
        self.memo.insert(key, at);
        let Some(body) = self.decls.unfold_ref(s) else {
            return 0;
        };
        let inner = self.node(&body, depth + 1);
        self.nodes[at as usize] = self.nodes[inner as usize].clone();
        at
    }
}

fn kind(t: &Ty) -> MsgKind {
    match t {
        Ty::Con(c, args) => match c {
            Con::Int => MsgKind::Int,
            Con::Float => MsgKind::Float,
            Con::Char => MsgKind::Char,
            Con::Byte => MsgKind::Byte,
            Con::Bool => MsgKind::Bool,
            Con::Unit => MsgKind::Unit,
            Con::List => MsgKind::List,
            Con::Tuple => MsgKind::Tuple(args.len() as u32),
            Con::Data(_) => MsgKind::Data,
            Con::Codata(_) => MsgKind::Record,
        },
        Ty::Session(_) => MsgKind::Chan,
        Ty::Var(_) | Ty::Rigid(..) => MsgKind::Any,
    }
}
