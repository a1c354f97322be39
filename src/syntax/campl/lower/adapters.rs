//! The processes that play the service side of CaMPL's service protocols
//! with our services: one per protocol, a loop over its handles, written
//! here as syntax trees. CaMPL's machine decides what a handle does by
//! its name (`ConsolePut` prints a line, `IntConsoleGet` asks for an int,
//! `Timer` forks a one-shot alarm, `ConsoleStringTerminal` opens a
//! terminal, ...); these do the same, with the helpers of
//! `prelude/campl/support.mpl` for CaMPL's exact words.

use super::Lower;
use super::build::{block, call, get, label_pattern, put, sp, stmt, switch, typed_param, var};
use crate::source::{Span, Spanned};
use crate::syntax::ast::PRELUDE_QUALIFIER;
use crate::syntax::ast::{self, Expr};
use crate::syntax::campl::tree;

/// What the service side does for one handle.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Handle {
    PutLine,
    GetLine,
    PutInt,
    GetInt,
    PutChar,
    GetChar,
    Close,
    Timer,
    OpenTerminal,
    /// A terminal's `Dup`: the channel forks into two on one terminal.
    Dup,
}

impl Handle {
    /// A handle of a console-like coprotocol (on an input-polarity
    /// channel of `run`).
    pub fn console(name: &str) -> Option<Handle> {
        Some(match name {
            "ConsolePut" => Handle::PutLine,
            "ConsoleGet" => Handle::GetLine,
            "IntConsolePut" => Handle::PutInt,
            "IntConsoleGet" => Handle::GetInt,
            "CharConsolePut" => Handle::PutChar,
            "CharConsoleGet" => Handle::GetChar,
            "ConsoleClose" | "IntConsoleClose" | "CharConsoleClose" | "TimerClose" => Handle::Close,
            "Timer" => Handle::Timer,
            "ConsoleStringTerminal" => Handle::OpenTerminal,
            _ => return None,
        })
    }

    /// A handle of a terminal protocol (on an output-polarity channel of
    /// `run`, or the terminal `ConsoleStringTerminal` opens).
    pub fn terminal(name: &str) -> Option<Handle> {
        Some(match name {
            "StringTerminalPut" => Handle::PutLine,
            "StringTerminalGet" => Handle::GetLine,
            "IntTerminalPut" => Handle::PutInt,
            "IntTerminalGet" => Handle::GetInt,
            "CharTerminalPut" => Handle::PutChar,
            "CharTerminalGet" => Handle::GetChar,
            "StringTerminalClose" | "IntTerminalClose" | "CharTerminalClose" => Handle::Close,
            "StringTerminalDup" | "IntTerminalDup" | "CharTerminalDup" => Handle::Dup,
            _ => return None,
        })
    }
}

/// One value an adapter takes besides its channel: the parameter, its
/// prelude type, and what the wiring passes (a service's name).
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Held {
    pub param: &'static str,
    pub ty: &'static str,
    pub service: &'static str,
}

pub(super) const INPUT: Held = Held {
    param: "input",
    ty: "GetSeq",
    service: "stdin",
};
pub(super) const OUTPUT: Held = Held {
    param: "output",
    ty: "PutSeq",
    service: "stdout",
};
const CLOCK: Held = Held {
    param: "clock",
    ty: "TimeService",
    service: "timeService",
};
pub(super) const TERMS: Held = Held {
    param: "terms",
    ty: "Terminals",
    service: "terminals",
};
const TERMINAL: Held = Held {
    param: "t",
    ty: "Terminal",
    service: "",
};

/// The prelude's type `name`, even where the program declares its own.
pub(super) fn prelude_type(name: &str, span: Span) -> Spanned<ast::Type> {
    let args = match name {
        "GetSeq" | "PutSeq" => vec![sp(
            ast::Type::Named {
                name: sp("Char".into(), span),
                args: Vec::new(),
            },
            span,
        )],
        _ => Vec::new(),
    };
    sp(
        ast::Type::Named {
            name: sp(format!("{PRELUDE_QUALIFIER}{name}"), span),
            args,
        },
        span,
    )
}

/// An adapter being written.
struct Adapter {
    name: String,
    /// A terminal (it holds a `Terminal` and sees handles as a terminal's).
    terminal: bool,
    held: Vec<Held>,
    span: Span,
}

impl Lower<'_> {
    /// The console-like adapter of coprotocol `protocol`: returns its name
    /// and what it takes besides the channel.
    pub(super) fn console_adapter(&mut self, protocol: &str, span: Span) -> (String, Vec<Held>) {
        let name = format!("campl$serve${protocol}");
        let handles = self.handles_of(protocol, Handle::console);
        let any = |hs: &[Handle]| handles.iter().any(|(_, _, h)| hs.contains(h));
        use Handle::*;
        let held: Vec<Held> = [
            (any(&[GetLine, GetInt, GetChar]), INPUT),
            (any(&[PutLine, PutInt, PutChar, GetInt, GetChar]), OUTPUT),
            (any(&[Timer]), CLOCK),
            (any(&[OpenTerminal]), TERMS),
        ]
        .into_iter()
        .filter_map(|(on, h)| on.then_some(h))
        .collect();
        let ad = Adapter {
            name: name.clone(),
            terminal: false,
            held: held.clone(),
            span,
        };
        self.write_adapter(&ad, protocol, false, handles);
        (name, held)
    }

    /// The adapter of terminal protocol `protocol` (it takes a `Terminal`).
    pub(super) fn terminal_adapter(&mut self, protocol: &str, span: Span) -> String {
        let name = format!("campl$terminal${protocol}");
        let handles = self.handles_of(protocol, Handle::terminal);
        let ad = Adapter {
            name: name.clone(),
            terminal: true,
            held: vec![TERMINAL],
            span,
        };
        self.write_adapter(&ad, protocol, true, handles);
        name
    }

    /// The handles of `protocol` that `kind` knows, with where each is
    /// declared.
    fn handles_of(
        &self,
        protocol: &str,
        kind: fn(&str) -> Option<Handle>,
    ) -> Vec<(String, Span, Handle)> {
        let Some(info) = self.table.protocols.get(protocol) else {
            return Vec::new();
        };
        info.handles
            .iter()
            .zip(&info.handle_spans)
            .filter_map(|(h, at)| Some((h.clone(), *at, kind(h)?)))
            .collect()
    }

    /// Adds the adapter process (once per name). Its channel is `c`, of
    /// `protocol` (`neg` of it for a terminal, whose handles arrive).
    fn write_adapter(
        &mut self,
        ad: &Adapter,
        protocol: &str,
        neg: bool,
        handles: Vec<(String, Span, Handle)>,
    ) {
        let exists = self
            .items
            .iter()
            .any(|i| matches!(&i.node, ast::Item::Process(p) if p.name.node == ad.name));
        if exists {
            return;
        }
        // Added before its cases are written: a terminal a console opens
        // may be served by an adapter written while writing this one.
        let index = self.items.len();
        self.items
            .push(sp(ast::Item::Stmt(ast::Stmt::Halt), ad.span));
        let span = ad.span;
        let mut cases = Vec::new();
        for (h, at, kind) in handles {
            let body = self.adapter_case(ad, protocol, kind, at);
            cases.push((label_pattern(&sp(h, span)), block(body, span)));
        }
        let body = switch(get(var("c", span), span), cases, span);
        let named = sp(
            ast::Type::Named {
                name: sp(protocol.to_string(), span),
                args: Vec::new(),
            },
            span,
        );
        let ty = if neg {
            sp(ast::Type::Neg(Box::new(named)), span)
        } else {
            named
        };
        let mut params = vec![typed_param("c", Some(ty), span)];
        params.extend(
            ad.held
                .iter()
                .map(|h| typed_param(h.param, Some(prelude_type(h.ty, span)), span)),
        );
        let decl = ast::ProcessDecl {
            doc: None,
            name: sp(ad.name.clone(), span),
            params,
            body: block(vec![stmt(body)], span),
        };
        self.items[index] = sp(ast::Item::Process(decl), span);
    }

    /// The statements for one handle; `at` is where it is declared.
    fn adapter_case(
        &mut self,
        ad: &Adapter,
        protocol: &str,
        kind: Handle,
        at: Span,
    ) -> Vec<Spanned<ast::Stmt>> {
        match kind {
            Handle::Close => ad.close(),
            Handle::Timer => ad.timer(at),
            Handle::Dup => ad.dup(),
            Handle::OpenTerminal => {
                let Some((terminal, par)) = self.opened_terminal(protocol, at) else {
                    return ad.open_terminal(None, false, at);
                };
                let served = self.terminal_adapter(&terminal, ad.span);
                ad.open_terminal(Some(&served), par, at)
            }
            io if ad.terminal => ad.terminal_io(io),
            io => ad.console_io(io),
        }
    }

    /// The terminal protocol `ConsoleStringTerminal` of `protocol` opens
    /// (the `Neg(T)` in `S (*) Neg(T)`), and whether the two are joined
    /// by `(+)` instead.
    fn opened_terminal(&mut self, protocol: &str, at: Span) -> Option<(String, bool)> {
        let info = self.table.protocols.get(protocol)?;
        let k = info
            .handles
            .iter()
            .position(|h| h == "ConsoleStringTerminal")?;
        let found = info
            .bodies
            .get(k)
            .and_then(|t| neg_name(&t.node))
            .filter(|(t, _)| self.table.protocols.contains_key(t));
        if found.is_none() {
            self.error(
                at,
                "`ConsoleStringTerminal` should have the type `S => S (*) Neg(T)` (or `(+)`) for a terminal protocol `T`".into(),
                None,
            );
        }
        found
    }
}

/// `T` in `S (*) Neg(T)` (or `S (+) Neg(T)`: then `true`).
fn neg_name(t: &tree::Type) -> Option<(String, bool)> {
    let (b, par) = match t {
        tree::Type::Tensor(_, b) => (b, false),
        tree::Type::Par(_, b) => (b, true),
        _ => return None,
    };
    let tree::Type::Named { name, seq, .. } = &b.node else {
        return None;
    };
    match (name.node.as_str(), seq.as_slice()) {
        ("Neg", [inner]) => match &inner.node {
            tree::Type::Named { name, .. } => Some((name.node.clone(), par)),
            _ => None,
        },
        _ => None,
    }
}

impl Adapter {
    fn v(&self, n: &str) -> Spanned<Expr> {
        var(n, self.span)
    }

    /// A prelude function, even where the program declares the name.
    fn prelude_call(&self, f: &str, args: Vec<Spanned<Expr>>) -> Spanned<Expr> {
        call(&format!("{PRELUDE_QUALIFIER}{f}"), args, self.span)
    }

    fn label(&self, l: &str) -> Spanned<Expr> {
        sp(Expr::Ctor(l.to_string()), self.span)
    }

    fn put(&self, c: &str, value: Spanned<Expr>) -> Spanned<ast::Stmt> {
        stmt(put(self.v(c), value, self.span))
    }

    fn received(&self) -> Spanned<Expr> {
        get(self.v("c"), self.span)
    }

    /// The adapter again, on `c` (the tail call that loops).
    fn again(&self, c: &str) -> Spanned<ast::Stmt> {
        let mut args = vec![self.v(c)];
        args.extend(self.held.iter().map(|h| self.v(h.param)));
        stmt(call(&self.name, args, self.span))
    }

    /// A handle that moves a line, an int or a char, on the console.
    fn console_io(&self, kind: Handle) -> Vec<Spanned<ast::Stmt>> {
        let (input, output) = (self.v("input"), self.v("output"));
        let done = match kind {
            Handle::PutLine => stmt(self.prelude_call("writeLine", vec![output, self.received()])),
            Handle::GetLine => self.put("c", self.prelude_call("readLine", vec![input])),
            Handle::PutInt => stmt(self.prelude_call("camplPutInt", vec![output, self.received()])),
            Handle::PutChar => {
                stmt(self.prelude_call("camplPutChar", vec![output, self.received()]))
            }
            Handle::GetInt => self.put("c", self.prelude_call("camplGetInt", vec![input, output])),
            _ => self.put("c", self.prelude_call("camplGetChar", vec![input, output])),
        };
        vec![done, self.again("c")]
    }

    /// A handle that moves a line, an int or a char, on a terminal.
    fn terminal_io(&self, kind: Handle) -> Vec<Spanned<ast::Stmt>> {
        let t = self.v("t");
        let done = match kind {
            Handle::PutLine => {
                let chosen = put(t, self.label("TerminalPut"), self.span);
                stmt(put(chosen, self.received(), self.span))
            }
            Handle::GetLine => {
                let ask = self.put("t", self.label("TerminalGet"));
                return vec![
                    ask,
                    self.put("c", get(self.v("t"), self.span)),
                    self.again("c"),
                ];
            }
            Handle::PutInt => stmt(self.prelude_call("camplTermPutInt", vec![t, self.received()])),
            Handle::PutChar => {
                stmt(self.prelude_call("camplTermPutChar", vec![t, self.received()]))
            }
            Handle::GetInt => self.put("c", self.prelude_call("camplTermGetInt", vec![t])),
            _ => self.put("c", self.prelude_call("camplTermGetChar", vec![t])),
        };
        vec![done, self.again("c")]
    }

    /// The service is closed: what it holds is stopped, then the channel.
    fn close(&self) -> Vec<Spanned<ast::Stmt>> {
        let mut out = Vec::new();
        for h in &self.held {
            let stop = match h.ty {
                "GetSeq" => "StopGet",
                "PutSeq" => "StopPut",
                "TimeService" => "StopTimeService",
                "Terminals" => "StopTerminals",
                _ => "TerminalClose",
            };
            out.push(self.put(h.param, self.label(stop)));
        }
        out.push(stmt(sp(Expr::Close(Box::new(self.v("c"))), self.span)));
        out
    }

    fn let_(&self, name: &str, value: Spanned<Expr>) -> Spanned<ast::Stmt> {
        let pattern = sp(ast::Pattern::Var(name.into()), self.span);
        sp(
            ast::Stmt::Let {
                pattern,
                ty: None,
                value,
            },
            self.span,
        )
    }

    fn fork(
        &self,
        first: Vec<Spanned<ast::Stmt>>,
        second: (&str, Vec<Spanned<ast::Stmt>>),
    ) -> Spanned<ast::Stmt> {
        let arm = |name: &str, stmts| {
            sp(
                ast::ForkArm {
                    name: sp(name.to_string(), self.span),
                    body: block(stmts, self.span),
                },
                self.span,
            )
        };
        let fork = ast::Stmt::Fork {
            channel: self.v("c"),
            arms: vec![arm("next", first), arm(second.0, second.1)],
        };
        sp(fork, self.span)
    }

    /// `Timer`: receive the microseconds, then the channel forks into the
    /// timer again and a one-shot channel that gets `()` when they are up,
    /// timed by a clock of its own (shared from ours, declared at `at`).
    fn timer(&self, at: Span) -> Vec<Spanned<ast::Stmt>> {
        let span = self.span;
        let alarm = sp(
            ast::Stmt::Channel {
                ty: Some(prelude_type("TimeService", span)),
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
        vec![
            self.let_("micros", self.received()),
            alarm,
            stmt(share),
            self.fork(vec![self.again("next")], ("once", ring)),
        ]
    }

    /// A terminal's `Dup` (`S (+) S`): this end forks, each half served
    /// on its own channel to the one terminal.
    fn dup(&self) -> Vec<Spanned<ast::Stmt>> {
        let ask = self.put("t", self.label("TerminalDup"));
        let copy = self.let_("copy", get(self.v("t"), self.span));
        let second = stmt(call(
            &self.name,
            vec![self.v("half"), self.v("copy")],
            self.span,
        ));
        vec![
            ask,
            copy,
            self.fork(vec![self.again("next")], ("half", vec![second])),
        ]
    }

    /// `ConsoleStringTerminal`: a new terminal, served by `served` (the
    /// terminal protocol's adapter) on the second half of the channel:
    /// with `(*)` this end forks into the console and the terminal, with
    /// `(+)` (`par`) it splits, starts the terminal's server and goes on.
    fn open_terminal(&self, served: Option<&str>, par: bool, at: Span) -> Vec<Spanned<ast::Stmt>> {
        let open = self.put("terms", self.label("OpenTerminal"));
        let got = self.let_("opened", get(self.v("terms"), at));
        let serve = served.map(|adapter| {
            stmt(call(
                adapter,
                vec![self.v("half"), self.v("opened")],
                self.span,
            ))
        });
        if par {
            let split = sp(
                ast::Stmt::Split {
                    channel: self.v("c"),
                    names: vec![sp("next".into(), self.span), sp("half".into(), self.span)],
                },
                self.span,
            );
            let mut out = vec![open, got, split];
            out.extend(serve);
            out.push(self.again("next"));
            return out;
        }
        let serve = serve.into_iter().collect();
        vec![
            open,
            got,
            self.fork(vec![self.again("next")], ("half", serve)),
        ]
    }
}
