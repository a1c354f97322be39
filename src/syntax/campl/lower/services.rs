//! The entry of a CaMPL program: `run`, whose channels are services.
//!
//! CaMPL decides what a channel of `run` is from its protocol: an
//! input-polarity channel of a coprotocol with the handles `ConsolePut`,
//! `ConsoleGet` and `ConsoleClose` is the terminal. The protocol is read
//! from `run`'s type if it has one, else from the first process `run`
//! hands the channel to (its type, or its own first use), else from the
//! first handle put or cased on it. The program's wiring then starts
//! `run`, and for each such channel an adapter process (built here, in
//! MPL) that plays the protocol's other end with our `console` service.

use super::Lower;
use super::build::{block, call, get, label_pattern, put, sp, stmt, switch, typed_param, var};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr};
use crate::syntax::campl::tree::{self, Command, Name};

/// The handles of CaMPL's terminal coprotocol.
const CONSOLE_HANDLES: &[&str] = &["ConsolePut", "ConsoleGet", "ConsoleClose"];

/// How far `run`'s channels are followed into the processes it calls.
const MAX_DEPTH: usize = 8;

impl Lower<'_> {
    /// The wiring: start `run`, with a service for each of its channels.
    pub(super) fn entry(&mut self, at: Span) {
        let Some(run) = self.table.procs.get("run").cloned() else {
            self.error(
                at,
                "a CaMPL program needs a process named `run`".into(),
                Some("`run` is where the program starts: `proc run = | console => -> ...`"),
            );
            return;
        };
        let Some(phrase) = run.phrases.first() else {
            return;
        };
        let span = run.name.span;
        let mut args = Vec::new();
        let mut wiring = Vec::new();
        for (k, c) in phrase.node.ins.iter().chain(&phrase.node.outs).enumerate() {
            let input = k < phrase.node.ins.len();
            let link = format!("campl$link{k}");
            let link_name = sp(link.clone(), c.span);
            args.push(sp(Expr::Dual(link_name), c.span));
            let Some(protocol) = self.protocol_of(&run, c, 0) else {
                self.error(
                    c.span,
                    format!("cannot tell which service the channel `{}` of `run` is", c.node),
                    Some("give `run` a type, e.g. `proc run :: | Console => =`, or hand the channel to a process that has one"),
                );
                continue;
            };
            if input && self.is_console(&protocol) {
                let adapter = self.console_adapter(&protocol, c.span);
                let service = var("console", c.span);
                wiring.push(stmt(call(
                    &adapter,
                    vec![var(&link, c.span), service],
                    c.span,
                )));
            } else {
                self.error(
                    c.span,
                    format!(
                        "the channel `{}` of `run` has protocol `{protocol}`, which is not a service this front end serves yet",
                        c.node
                    ),
                    Some("`run`'s channels may be input-polarity terminals (a coprotocol with `ConsolePut`, `ConsoleGet`, `ConsoleClose`)"),
                );
            }
        }
        let start = stmt(call("run", args, span));
        self.items.push(sp(ast::Item::Stmt(start.node), span));
        for s in wiring {
            let at = s.span;
            self.items.push(sp(ast::Item::Stmt(s.node), at));
        }
    }

    fn is_console(&self, protocol: &str) -> bool {
        self.table.protocols.get(protocol).is_some_and(|p| {
            p.co && !p.handles.is_empty()
                && p.handles
                    .iter()
                    .all(|h| CONSOLE_HANDLES.contains(&h.as_str()))
        })
    }

    /// The protocol of channel `c` of process `p`, as far as it can be
    /// told without checking types.
    fn protocol_of(&self, p: &tree::Proc, c: &Name, depth: usize) -> Option<String> {
        let phrase = p.phrases.first()?;
        if let Some(t) = &p.ty {
            let all: Vec<_> = phrase.node.ins.iter().chain(&phrase.node.outs).collect();
            let k = all.iter().position(|n| n.node == c.node)?;
            let types: Vec<_> = t.ins.iter().chain(&t.outs).collect();
            if let tree::Type::Named { name, .. } = &types.get(k)?.node {
                return Some(name.node.clone());
            }
            return None;
        }
        self.protocol_in(&phrase.node.body, &c.node, depth)
    }

    fn protocol_in(&self, cmds: &[Spanned<Command>], c: &str, depth: usize) -> Option<String> {
        for cmd in cmds {
            let found = match &cmd.node {
                Command::HPut(h, n) if n.node == c => self.handle_protocol(&h.node),
                Command::HCase(n, arms) if n.node == c => arms
                    .first()
                    .and_then(|(h, _)| self.handle_protocol(&h.node)),
                Command::Run {
                    name, ins, outs, ..
                } if depth < MAX_DEPTH => {
                    let k = ins.iter().chain(outs).position(|n| n.node == c);
                    k.and_then(|k| self.callee_protocol(&name.node, k, depth))
                }
                Command::Plug(phrases) => phrases
                    .iter()
                    .find_map(|ph| self.protocol_in(&ph.body, c, depth)),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    fn handle_protocol(&self, h: &str) -> Option<String> {
        self.table.protocol_of_handle(h).map(|(n, _)| n.clone())
    }

    fn callee_protocol(&self, callee: &str, k: usize, depth: usize) -> Option<String> {
        let p = self.table.procs.get(callee)?;
        let phrase = p.phrases.first()?;
        let own = phrase.node.ins.iter().chain(&phrase.node.outs).nth(k)?;
        self.protocol_of(p, own, depth + 1)
    }

    /// The process that plays the service side of terminal protocol
    /// `protocol` with our `console` service; returns its name.
    fn console_adapter(&mut self, protocol: &str, span: Span) -> String {
        let name = format!("campl$console${protocol}");
        if self
            .items
            .iter()
            .any(|i| matches!(&i.node, ast::Item::Process(p) if p.name.node == name))
        {
            return name;
        }
        let handles = self.table.protocols[protocol].handles.clone();
        let again = |span| stmt(call(&name, vec![var("c", span), var("svc", span)], span));
        let label = |l: &str| sp(Expr::Ctor(l.to_string()), span);
        let mut cases = Vec::new();
        for h in &handles {
            let body = match h.as_str() {
                "ConsolePut" => {
                    let line = sp(
                        Expr::Binary {
                            op: sp(ast::BinOp::Append, span),
                            lhs: Box::new(get(var("c", span), span)),
                            rhs: Box::new(sp(Expr::Str("\n".into()), span)),
                        },
                        span,
                    );
                    let write = put(put(var("svc", span), label("Write"), span), line, span);
                    vec![stmt(write), again(span)]
                }
                "ConsoleGet" => {
                    let ask = stmt(put(var("svc", span), label("ReadLine"), span));
                    let answer = |value: Spanned<Expr>| {
                        block(
                            vec![stmt(put(var("c", span), value, span)), again(span)],
                            span,
                        )
                    };
                    let got = answer(get(var("svc", span), span));
                    let none = answer(sp(Expr::Str(String::new()), span));
                    let reply = switch(
                        get(var("svc", span), span),
                        vec![
                            (label_pattern(&sp("Line".into(), span)), got),
                            (label_pattern(&sp("EndOfInput".into(), span)), none),
                        ],
                        span,
                    );
                    vec![ask, stmt(reply)]
                }
                _ => vec![
                    stmt(put(var("svc", span), label("StopConsole"), span)),
                    stmt(sp(Expr::Close(Box::new(var("c", span))), span)),
                ],
            };
            cases.push((label_pattern(&sp(h.clone(), span)), block(body, span)));
        }
        let body = switch(get(var("c", span), span), cases, span);
        let ty = sp(
            ast::Type::Named {
                name: sp(protocol.to_string(), span),
                args: Vec::new(),
            },
            span,
        );
        let decl = ast::ProcessDecl {
            doc: None,
            name: sp(name.clone(), span),
            params: vec![
                typed_param("c", Some(ty), span),
                typed_param("svc", Some(prelude_type("Console", span)), span),
            ],
            body: block(vec![stmt(body)], span),
        };
        self.items.push(sp(ast::Item::Process(decl), span));
        name
    }
}

/// The prelude's type `name`, even where the program declares its own.
fn prelude_type(name: &str, span: Span) -> Spanned<ast::Type> {
    let qualified = format!("{}{name}", crate::check::globals::PRELUDE_QUALIFIER);
    sp(
        ast::Type::Named {
            name: sp(qualified, span),
            args: Vec::new(),
        },
        span,
    )
}
