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
            if !self.table.has_procs {
                // A module of types and functions: nothing to start.
                return;
            }
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
                let (adapter, services) = self.console_adapter(&protocol, c.span);
                let mut args = vec![var(&link, c.span)];
                args.extend(services.iter().map(|s| var(s, c.span)));
                wiring.push(stmt(call(&adapter, args, c.span)));
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

    /// The protocol is a coprotocol of service handles only.
    fn is_console(&self, protocol: &str) -> bool {
        self.table.protocols.get(protocol).is_some_and(|p| {
            p.co && !p.handles.is_empty() && p.handles.iter().all(|h| Handle::of(h).is_some())
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

    /// The process that plays the service side of `protocol`, a
    /// coprotocol of service handles, with our services; returns its name
    /// and the services it takes (named in the wiring).
    fn console_adapter(&mut self, protocol: &str, span: Span) -> (String, Vec<&'static str>) {
        let name = format!("campl$serve${protocol}");
        let handles: Vec<Handle> = self.table.protocols[protocol]
            .handles
            .iter()
            .filter_map(|h| Handle::of(h))
            .collect();
        let services = Services::needed(&handles);
        let wiring_names = services.wiring_names();
        if self
            .items
            .iter()
            .any(|i| matches!(&i.node, ast::Item::Process(p) if p.name.node == name))
        {
            return (name, wiring_names);
        }
        let ad = Adapter {
            name: name.clone(),
            services,
            span,
        };
        let info = &self.table.protocols[protocol];
        let cases = info
            .handles
            .iter()
            .zip(&info.handle_spans)
            .filter_map(|(h, at)| Some((h, *at, Handle::of(h)?)))
            .map(|(h, at, kind)| {
                let body = block(ad.case(kind, at), span);
                (label_pattern(&sp(h.clone(), span)), body)
            })
            .collect();
        let body = switch(get(ad.v("c"), span), cases, span);
        let ty = sp(
            ast::Type::Named {
                name: sp(protocol.to_string(), span),
                args: Vec::new(),
            },
            span,
        );
        let mut params = vec![typed_param("c", Some(ty), span)];
        params.extend(ad.services.params(span));
        let decl = ast::ProcessDecl {
            doc: None,
            name: sp(name.clone(), span),
            params,
            body: block(vec![stmt(body)], span),
        };
        self.items.push(sp(ast::Item::Process(decl), span));
        (name, wiring_names)
    }
}

/// What the service side does for one of CaMPL's service handles (as
/// CaMPL's machine does, `docs/campl.md`).
#[derive(Clone, Copy, PartialEq)]
enum Handle {
    PutLine,
    GetLine,
    PutInt,
    GetInt,
    PutChar,
    GetChar,
    Close,
    Timer,
}

impl Handle {
    fn of(name: &str) -> Option<Handle> {
        Some(match name {
            "ConsolePut" => Handle::PutLine,
            "ConsoleGet" => Handle::GetLine,
            "IntConsolePut" => Handle::PutInt,
            "IntConsoleGet" => Handle::GetInt,
            "CharConsolePut" => Handle::PutChar,
            "CharConsoleGet" => Handle::GetChar,
            "ConsoleClose" | "IntConsoleClose" | "CharConsoleClose" | "TimerClose" => Handle::Close,
            "Timer" => Handle::Timer,
            _ => return None,
        })
    }
}

/// Which of our services an adapter holds.
struct Services {
    input: bool,
    output: bool,
    clock: bool,
}

impl Services {
    fn needed(handles: &[Handle]) -> Services {
        use Handle::*;
        let any = |hs: &[Handle]| handles.iter().any(|h| hs.contains(h));
        Services {
            input: any(&[GetLine, GetInt, GetChar]),
            output: any(&[PutLine, PutInt, PutChar, GetInt, GetChar]),
            clock: any(&[Timer]),
        }
    }

    /// (parameter, prelude type, service named in the wiring)
    fn list(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let all = [
            (self.input, ("input", "GetSeq", "stdin")),
            (self.output, ("output", "PutSeq", "stdout")),
            (self.clock, ("clock", "TimeService", "timeService")),
        ];
        all.into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, x)| x)
            .collect()
    }

    fn wiring_names(&self) -> Vec<&'static str> {
        self.list().into_iter().map(|(_, _, w)| w).collect()
    }

    fn params(&self, span: Span) -> Vec<Spanned<ast::Param>> {
        self.list()
            .into_iter()
            .map(|(p, ty, _)| {
                let args = match ty {
                    "TimeService" => Vec::new(),
                    _ => vec![sp(
                        ast::Type::Named {
                            name: sp("Char".into(), span),
                            args: Vec::new(),
                        },
                        span,
                    )],
                };
                typed_param(p, Some(prelude_type(ty, args, span)), span)
            })
            .collect()
    }
}

/// Writes the body of an adapter process.
struct Adapter {
    name: String,
    services: Services,
    span: Span,
}

impl Adapter {
    fn v(&self, n: &str) -> Spanned<Expr> {
        var(n, self.span)
    }

    /// A prelude function, even where the program declares the name.
    fn prelude_call(&self, f: &str, args: Vec<Spanned<Expr>>) -> Spanned<Expr> {
        let qualified = format!("{}{f}", crate::check::globals::PRELUDE_QUALIFIER);
        call(&qualified, args, self.span)
    }

    fn label(&self, l: &str) -> Spanned<Expr> {
        sp(Expr::Ctor(l.to_string()), self.span)
    }

    /// The adapter again, on `c` (the tail call that loops).
    fn again(&self, c: &str) -> Spanned<ast::Stmt> {
        let mut args = vec![self.v(c)];
        args.extend(self.services.list().iter().map(|(p, ..)| self.v(p)));
        stmt(call(&self.name, args, self.span))
    }

    fn put(&self, c: &str, value: Spanned<Expr>) -> Spanned<ast::Stmt> {
        stmt(put(self.v(c), value, self.span))
    }

    /// The case of one handle; `at` is where the handle is declared (the
    /// channels a case makes are named by it).
    fn case(&self, kind: Handle, at: Span) -> Vec<Spanned<ast::Stmt>> {
        let (io, out) = (self.v("input"), self.v("output"));
        let received = get(self.v("c"), self.span);
        match kind {
            Handle::PutLine => vec![
                stmt(self.prelude_call("writeLine", vec![out, received])),
                self.again("c"),
            ],
            Handle::GetLine => vec![
                self.put("c", self.prelude_call("readLine", vec![io])),
                self.again("c"),
            ],
            Handle::PutInt | Handle::PutChar => {
                let f = if kind == Handle::PutInt {
                    "camplPutInt"
                } else {
                    "camplPutChar"
                };
                vec![
                    stmt(self.prelude_call(f, vec![out, received])),
                    self.again("c"),
                ]
            }
            Handle::GetInt | Handle::GetChar => {
                let f = if kind == Handle::GetInt {
                    "camplGetInt"
                } else {
                    "camplGetChar"
                };
                vec![
                    self.put("c", self.prelude_call(f, vec![io, out])),
                    self.again("c"),
                ]
            }
            Handle::Close => self.close(),
            Handle::Timer => self.timer(at),
        }
    }

    /// The service is closed: our services are stopped, then the channel.
    fn close(&self) -> Vec<Spanned<ast::Stmt>> {
        let mut out = Vec::new();
        for (p, ty, _) in self.services.list() {
            let stop = match ty {
                "GetSeq" => "StopGet",
                "PutSeq" => "StopPut",
                _ => "StopTimeService",
            };
            out.push(self.put(p, self.label(stop)));
        }
        out.push(stmt(sp(Expr::Close(Box::new(self.v("c"))), self.span)));
        out
    }

    /// `Timer`: receive the microseconds, then the channel forks into the
    /// timer again and a one-shot channel that gets `()` when they are up,
    /// timed by a clock of its own (shared from ours).
    fn timer(&self, at: Span) -> Vec<Spanned<ast::Stmt>> {
        let span = self.span;
        let micros = sp(ast::Pattern::Var("micros".into()), span);
        let wait = sp(
            ast::Stmt::Let {
                pattern: micros,
                ty: None,
                value: get(self.v("c"), span),
            },
            span,
        );
        let alarm = sp(
            ast::Stmt::Channel {
                ty: Some(prelude_type("TimeService", Vec::new(), span)),
                name: sp("alarm".into(), at),
            },
            span,
        );
        let dual = sp(Expr::Dual(sp("alarm".into(), span)), span);
        let share = put(
            put(self.v("clock"), self.label("ShareTSWith"), span),
            dual,
            span,
        );
        let ring = vec![
            stmt(self.prelude_call("camplSleep", vec![self.v("alarm"), self.v("micros")])),
            self.put("once", sp(Expr::Unit, span)),
        ];
        let arm = |name: &str, stmts| {
            sp(
                ast::ForkArm {
                    name: sp(name.to_string(), span),
                    body: block(stmts, span),
                },
                span,
            )
        };
        let fork = ast::Stmt::Fork {
            channel: self.v("c"),
            arms: vec![arm("next", vec![self.again("next")]), arm("once", ring)],
        };
        vec![wait, alarm, stmt(share), sp(fork, span)]
    }
}

/// The prelude's type `name`, even where the program declares its own.
fn prelude_type(name: &str, args: Vec<Spanned<ast::Type>>, span: Span) -> Spanned<ast::Type> {
    let qualified = format!("{}{name}", crate::check::globals::PRELUDE_QUALIFIER);
    sp(
        ast::Type::Named {
            name: sp(qualified, span),
            args,
        },
        span,
    )
}
