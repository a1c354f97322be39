//! The entry of a CaMPL program: `run`, whose channels are services.
//!
//! CaMPL decides what a channel of `run` is from its protocol's handles:
//! on an input-polarity channel, a coprotocol of service handles
//! (`ConsolePut`, `IntConsoleGet`, `Timer`, `ConsoleStringTerminal`, ...)
//! is the console; on an output-polarity channel, a protocol of terminal
//! handles (`StringTerminalPut`, ...) is a terminal. The protocol is read
//! from `run`'s type if it has one, else from the first process `run`
//! hands the channel to (its type, or its own first use), else from the
//! first handle put or cased on it, else from `Lower::run_protocols`,
//! what checking the program's types found (`Lowered::unserved` asks the
//! loader for it). The program's wiring starts `run`,
//! and for each channel an adapter (`adapters`) that plays the other end
//! with our services: the console over `stdin` and `stdout`, timers over
//! `timeService`, terminals over `terminals`.

use super::Lower;
use super::adapters::{Handle, Held, INPUT, OUTPUT, TERMS};
use super::build::{call, get, put, sp, stmt, var};
use crate::source::{Span, Spanned};
use crate::syntax::ast::PRELUDE_QUALIFIER;
use crate::syntax::ast::{self, Expr};
use crate::syntax::campl::tree::{self, Command, Name};

/// `run` does nothing with channel `c` but close it (`halt c`).
fn only_closed(run: &tree::Proc, c: &Name) -> bool {
    let Some(phrase) = run.phrases.first() else {
        return false;
    };
    let body = &phrase.node.body;
    let closes = |cmd: &Spanned<Command>| matches!(&cmd.node, Command::Close(n) | Command::Halt(n) if n.node == c.node);
    let uses = |cmd: &Spanned<Command>| {
        let mut named = Vec::new();
        super::commands::channels_named(std::slice::from_ref(cmd), &mut named);
        named.contains(&c.node)
    };
    body.iter().any(closes) && body.iter().filter(|cmd| uses(cmd)).all(closes)
}

/// How far `run`'s channels are followed into the processes it calls.
const MAX_DEPTH: usize = 8;

/// What one channel of `run` is.
enum Served {
    /// A console-like coprotocol: its adapter and what it holds.
    Console(String, Vec<Held>),
    /// A terminal protocol: its adapter.
    Terminal(String),
    /// Two consoles on one channel (`Console (*) Console`): its two
    /// halves' adapters and what they hold, and whether this end forks
    /// (`run` splits) or splits.
    Halves(bool, [(String, Vec<Held>); 2]),
}

impl Served {
    /// The consoles it stands for: adapter and what it holds.
    fn consoles(&self) -> Vec<(&str, &[Held])> {
        match self {
            Served::Console(adapter, held) => vec![(adapter.as_str(), held.as_slice())],
            Served::Terminal(_) => Vec::new(),
            Served::Halves(_, halves) => halves
                .iter()
                .map(|(a, h)| (a.as_str(), h.as_slice()))
                .collect(),
        }
    }
}

impl Lower<'_> {
    /// The wiring: start `run`, with a service for each of its channels.
    pub(super) fn entry(&mut self) {
        // Without `run` the file is a module (or a program that starts
        // nothing, which the checker's warning W0001 reports).
        let Some(run) = self.table.procs.get("run").cloned() else {
            return;
        };
        let Some(phrase) = run.phrases.first() else {
            return;
        };
        let span = run.name.span;
        let mut links = Vec::new();
        let mut served = Vec::new();
        for (k, c) in phrase.node.ins.iter().chain(&phrase.node.outs).enumerate() {
            let link = format!("campl$link{k}");
            links.push(sp(Expr::Dual(sp(link.clone(), c.span)), c.span));
            let input = k < phrase.node.ins.len();
            if let Some(s) = self.served(&run, k, c, input) {
                served.push((link, c.span, s));
            }
        }
        let mut wiring = vec![stmt(call("run", links, span))];
        wiring.extend(self.service_wiring(served, span));
        for s in wiring {
            let at = s.span;
            self.items.push(sp(ast::Item::Stmt(s.node), at));
        }
    }

    /// What channel `c` of `run` is, with its adapter; reports a channel
    /// that is no service.
    fn served(&mut self, run: &tree::Proc, k: usize, c: &Name, input: bool) -> Option<Served> {
        if let Some(halves) = self.console_halves(run, k, c, input) {
            return Some(halves);
        }
        // A channel `run` only closes needs no more, whatever its protocol:
        // its other end closes too.
        if only_closed(run, c) {
            return Some(Served::Console(self.closer(c.span), Vec::new()));
        }
        let checked = || self.run_protocols.get(k).cloned().flatten();
        let Some(protocol) = self.protocol_of(run, c, 0).or_else(checked) else {
            self.unserved = true;
            self.error(
                c.span,
                format!("cannot tell which service the channel `{}` of `run` is", c.node),
                Some("give `run` a type, e.g. `proc run :: | Console => =`, or hand the channel to a process that has one"),
            );
            return None;
        };
        // `TopBot` only closes: so does its other end.
        if protocol == "TopBot" {
            return Some(Served::Console(self.closer(c.span), Vec::new()));
        }
        if input && self.is_service(&protocol, true, Handle::console) {
            let (adapter, held) = self.console_adapter(&protocol, c.span);
            return Some(Served::Console(adapter, held));
        }
        if !input && self.is_service(&protocol, false, Handle::terminal) {
            return Some(Served::Terminal(self.terminal_adapter(&protocol, c.span)));
        }
        let polarity = if input { "input" } else { "output" };
        self.error(
            c.span,
            format!(
                "the {polarity}-polarity channel `{}` of `run` has protocol `{protocol}`, which is no service",
                c.node
            ),
            Some("`run`'s input channels may be consoles and timers (a coprotocol with handles such as `ConsolePut`, `ConsoleGet`, `ConsoleClose`, `Timer`), its output channels terminals (a protocol with `StringTerminalPut`, `StringTerminalGet`, `StringTerminalClose`)"),
        );
        None
    }

    /// Whether `protocol` is a coprotocol (`co`) or a protocol all of
    /// whose handles `kind` knows: a service of that kind.
    fn is_service(&self, protocol: &str, co: bool, kind: fn(&str) -> Option<Handle>) -> bool {
        self.table.protocols.get(protocol).is_some_and(|p| {
            p.co == co && !p.handles.is_empty() && p.handles.iter().all(|h| kind(h).is_some())
        })
    }

    /// A channel of `run` whose written type joins two consoles with
    /// `(*)` (`run` splits it, this end forks) or `(+)` (the other way).
    fn console_halves(
        &mut self,
        run: &tree::Proc,
        k: usize,
        c: &Name,
        input: bool,
    ) -> Option<Served> {
        let t = run.ty.as_ref()?;
        let ty = t.ins.iter().chain(&t.outs).nth(k)?;
        let (fork, a, b) = match &ty.node {
            tree::Type::Tensor(a, b) => (true, a, b),
            tree::Type::Par(a, b) => (false, a, b),
            _ => return None,
        };
        let console = |t: &Spanned<tree::Type>| match &t.node {
            tree::Type::Named { name, .. } => (input
                && self.is_service(&name.node, true, Handle::console))
            .then(|| name.node.clone()),
            _ => None,
        };
        let (a, b) = (console(a)?, console(b)?);
        let halves = [
            self.console_adapter(&a, c.span),
            self.console_adapter(&b, c.span),
        ];
        Some(Served::Halves(fork, halves))
    }

    /// The process that serves a channel `run` only closes: it closes its
    /// end too.
    fn closer(&mut self, span: Span) -> String {
        let name = "campl$closed".to_string();
        let exists = self
            .items
            .iter()
            .any(|i| matches!(&i.node, ast::Item::Process(p) if p.name.node == name));
        if !exists {
            let close = stmt(sp(Expr::Close(Box::new(var("c", span))), span));
            let decl = ast::ProcessDecl {
                doc: None,
                name: sp(name.clone(), span),
                params: vec![super::build::param("c", span)],
                body: super::build::block(vec![close], span),
            };
            self.items.push(sp(ast::Item::Process(decl), span));
        }
        name
    }

    /// The statements that start each channel's adapter. Terminals are
    /// opened first, on the one `terminals` connection, which then goes to
    /// the console that opens more (`ConsoleStringTerminal`) or is stopped.
    fn service_wiring(
        &mut self,
        served: Vec<(String, Span, Served)>,
        span: Span,
    ) -> Vec<Spanned<ast::Stmt>> {
        // The connection is made once, as `campl$terminals`.
        let bound = "campl$terminals";
        let terms = || var(bound, span);
        let mut out = Vec::new();
        let needed = served.iter().any(|(_, _, s)| {
            matches!(s, Served::Terminal(_))
                || s.consoles().iter().any(|(_, held)| held.contains(&TERMS))
        });
        if needed {
            let pattern = sp(ast::Pattern::Var(bound.into()), span);
            let value = var(TERMS.service, span);
            out.push(sp(
                ast::Stmt::Let {
                    pattern,
                    ty: None,
                    value,
                },
                span,
            ));
        }
        let mut opened = false;
        for (k, (link, at, s)) in served.iter().enumerate() {
            if let Served::Terminal(adapter) = s {
                opened = true;
                let name = format!("campl$terminal{k}");
                out.push(stmt(put(
                    terms(),
                    sp(Expr::Ctor("OpenTerminal".into()), *at),
                    *at,
                )));
                let pattern = sp(ast::Pattern::Var(name.clone()), *at);
                let value = get(terms(), *at);
                out.push(sp(
                    ast::Stmt::Let {
                        pattern,
                        ty: None,
                        value,
                    },
                    *at,
                ));
                out.push(stmt(call(
                    adapter,
                    vec![var(link, *at), var(&name, *at)],
                    *at,
                )));
            }
        }
        let terms_taken = served
            .iter()
            .any(|(_, _, s)| s.consoles().iter().any(|(_, h)| h.contains(&TERMS)));
        out.extend(self.console_wiring(&served, bound, span));
        if opened && !terms_taken {
            out.push(stmt(put(
                terms(),
                sp(Expr::Ctor("StopTerminals".into()), span),
                span,
            )));
        }
        out
    }

    /// The statements that start the consoles among `served`: their
    /// shared ends of standard input and output and of the `terminals`
    /// connection (`bound`), and their adapters.
    fn console_wiring(
        &mut self,
        served: &[(String, Span, Served)],
        bound: &str,
        span: Span,
    ) -> Vec<Spanned<ast::Stmt>> {
        let mut out = Vec::new();
        // Standard input and output, which several consoles may share
        // (CaMPL's consoles all use the one terminal): each console gets
        // ends of its own, merged into the service (`camplShareOut`, ...).
        let consoles: Vec<(usize, &str, &[Held])> = served
            .iter()
            .enumerate()
            .flat_map(|(k, (_, _, s))| s.consoles().into_iter().map(move |(a, h)| (k, a, h)))
            .collect();
        let holding = |h: &Held| consoles.iter().filter(|(_, _, hs)| hs.contains(h)).count();
        let shares = [
            (OUTPUT, "camplShareOut"),
            (INPUT, "camplShareIn"),
            (TERMS, "camplShareTerms"),
        ];
        let shared: Vec<(Held, &str)> =
            shares.into_iter().filter(|(h, _)| holding(h) > 1).collect();
        let own = |h: &Held, i: usize| format!("campl${}{i}", h.param);
        for (held, share) in &shared {
            let names: Vec<String> = consoles
                .iter()
                .enumerate()
                .filter(|(_, (_, _, hs))| hs.contains(held))
                .map(|(i, _)| own(held, i))
                .collect();
            let share = format!("{PRELUDE_QUALIFIER}{share}");
            let service = if *held == TERMS { bound } else { held.service };
            out.extend(shared_ends(&names, service, &share, held.ty, span));
        }
        // What each console is given besides its channel.
        let args: Vec<Vec<String>> = consoles
            .iter()
            .enumerate()
            .map(|(i, (_, _, held))| {
                held.iter()
                    .map(|h| match shared.iter().any(|(s, _)| s == h) {
                        true => own(h, i),
                        false if *h == TERMS => bound.to_string(),
                        false => h.service.to_string(),
                    })
                    .collect()
            })
            .collect();
        let mut first = 0;
        for (k, (link, at, s)) in served.iter().enumerate() {
            let n = s.consoles().len();
            let mine = &args[first..first + n];
            first += n;
            let given = |names: &[String]| names.iter().map(|a| var(a, *at)).collect::<Vec<_>>();
            match s {
                Served::Console(adapter, _) => {
                    let mut all = vec![var(link, *at)];
                    all.extend(given(&mine[0]));
                    out.push(stmt(call(adapter, all, *at)));
                }
                Served::Halves(fork, halves) => {
                    let name = self.halves_process(k, *fork, halves, mine, *at);
                    let mut all = vec![var(link, *at)];
                    all.extend(mine.iter().flat_map(|m| given(m)));
                    out.push(stmt(call(&name, all, *at)));
                }
                Served::Terminal(_) => {}
            }
        }
        out
    }

    /// The process that serves a channel of two consoles (`Served::Halves`)
    /// of `run`'s channel `k`: it forks (or splits) the channel and serves
    /// each half with its adapter, given `args` (what each half holds).
    fn halves_process(
        &mut self,
        k: usize,
        fork: bool,
        halves: &[(String, Vec<Held>); 2],
        args: &[Vec<String>],
        span: Span,
    ) -> String {
        let name = format!("campl$halves{k}");
        let mut params = vec![super::build::param("c", span)];
        let mut calls = Vec::new();
        for (h, ((adapter, _), given)) in halves.iter().zip(args).enumerate() {
            let half = format!("half{h}");
            let mut call_args = vec![var(&half, span)];
            for j in 0..given.len() {
                let p = format!("h{h}s{j}");
                params.push(super::build::param(&p, span));
                call_args.push(var(&p, span));
            }
            calls.push((half, stmt(call(adapter, call_args, span))));
        }
        let c = var("c", span);
        let body = match fork {
            true => vec![sp(
                ast::Stmt::Fork {
                    channel: c,
                    arms: calls
                        .into_iter()
                        .map(|(half, call)| {
                            let body = super::build::block(vec![call], span);
                            sp(
                                ast::ForkArm {
                                    name: sp(half, span),
                                    body,
                                },
                                span,
                            )
                        })
                        .collect(),
                },
                span,
            )],
            false => {
                let names = calls.iter().map(|(h, _)| sp(h.clone(), span)).collect();
                let mut body = vec![sp(ast::Stmt::Split { channel: c, names }, span)];
                body.extend(calls.into_iter().map(|(_, call)| call));
                body
            }
        };
        let decl = ast::ProcessDecl {
            doc: None,
            name: sp(name.clone(), span),
            params,
            body: super::build::block(body, span),
        };
        self.items.push(sp(ast::Item::Process(decl), span));
        name
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
                Command::Fork(_, phrases) => phrases
                    .iter()
                    .find_map(|ph| self.protocol_in(&ph.body, c, depth)),
                Command::HCase(_, arms) | Command::Race(arms) => arms
                    .iter()
                    .find_map(|(_, body)| self.protocol_in(body, c, depth)),
                Command::Case(_, arms) => arms
                    .iter()
                    .find_map(|(_, body)| self.protocol_in(body, c, depth)),
                Command::If(_, a, b) => self
                    .protocol_in(a, c, depth)
                    .or_else(|| self.protocol_in(b, c, depth)),
                Command::Switch(arms) => arms
                    .iter()
                    .find_map(|(_, body)| self.protocol_in(body, c, depth)),
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
        let bare = callee.rsplit('.').next().unwrap_or(callee);
        let p = self.table.procs.get(bare)?;
        let phrase = p.phrases.first()?;
        let own = phrase.node.ins.iter().chain(&phrase.node.outs).nth(k)?;
        self.protocol_of(p, own, depth + 1)
    }
}

/// The statements that give each of `names` (two or more consoles) an
/// end onto `service`: a chain of `share` processes, each handing out two
/// ends over a channel of `CamplTwo<ty>` (the first for a console, the
/// second onto which the next share is made).
fn shared_ends(
    names: &[String],
    service: &str,
    share: &str,
    ty: &str,
    span: Span,
) -> Vec<Spanned<ast::Stmt>> {
    let mut out = Vec::new();
    let mut up = service.to_string();
    for (k, name) in names.iter().enumerate().take(names.len().saturating_sub(1)) {
        let h = format!("{name}$share");
        let rest = match k + 2 == names.len() {
            true => names[k + 1].clone(),
            false => format!("{name}$rest"),
        };
        let item = |node: ast::Stmt| sp(node, span);
        let ty = super::adapters::prelude_type(ty, span);
        let two = ast::Type::Named {
            name: sp(format!("{PRELUDE_QUALIFIER}CamplTwo"), span),
            args: vec![ty],
        };
        out.push(item(ast::Stmt::Channel {
            ty: Some(sp(two, span)),
            name: sp(h.clone(), span),
        }));
        let dual = sp(Expr::Dual(sp(h.clone(), span)), span);
        out.push(stmt(call(share, vec![dual, var(&up, span)], span)));
        for got in [name, &rest] {
            out.push(item(ast::Stmt::Let {
                pattern: sp(ast::Pattern::Var(got.clone()), span),
                ty: None,
                value: get(var(&h, span), span),
            }));
        }
        out.push(stmt(sp(Expr::Close(Box::new(var(&h, span))), span)));
        up = rest;
    }
    out
}
