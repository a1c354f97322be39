//! CaMPL's processes and commands as ours. A process takes its values,
//! then its input-polarity channels, then its output-polarity ones; each
//! command is one or two of our statements (`hput H on c` is
//! `c.put(H)`, `hcase` a `switch (c.get)`, `halt c` closes `c` and
//! halts). `plug` makes a channel for each name two of its processes
//! share, and an anonymous process of a plug is lifted to the top.

use super::Lower;
use super::build::{block, call, get, label_pattern, put, sp, stmt, switch, var};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr, Stmt};
use crate::syntax::campl::tree::{self, Command, Name, Pattern};

type Stmts = Vec<Spanned<Stmt>>;

fn add_name(out: &mut Vec<String>, n: &Name) {
    if !out.contains(&n.node) {
        out.push(n.node.clone());
    }
}

/// The channels a list of commands names (used or bound), in order.
pub(super) fn channels_named(cmds: &[Spanned<Command>], out: &mut Vec<String>) {
    for c in cmds {
        match &c.node {
            Command::Run { ins, outs, .. } => ins.iter().chain(outs).for_each(|n| add_name(out, n)),
            Command::Close(n) | Command::Halt(n) | Command::Get(_, n) | Command::Put(_, n) => {
                add_name(out, n)
            }
            Command::HPut(_, n) | Command::Split(n, _) => add_name(out, n),
            Command::Forward { a, b, .. } => {
                add_name(out, a);
                add_name(out, b);
            }
            Command::HCase(n, arms) => {
                add_name(out, n);
                arms.iter().for_each(|(_, b)| channels_named(b, out));
            }
            Command::Fork(n, phrases) => {
                add_name(out, n);
                phrases.iter().for_each(|p| channels_named(&p.body, out));
            }
            Command::Race(arms) => arms.iter().for_each(|(n, b)| {
                add_name(out, n);
                channels_named(b, out);
            }),
            Command::Plug(phrases) => phrases.iter().for_each(|p| {
                if let Some((i, o)) = &p.channels {
                    i.iter().chain(o).for_each(|n| add_name(out, n));
                }
                channels_named(&p.body, out);
            }),
            Command::Case(_, arms) => arms.iter().for_each(|(_, b)| channels_named(b, out)),
            Command::If(_, a, b) => {
                channels_named(a, out);
                channels_named(b, out);
            }
            Command::Switch(arms) => arms.iter().for_each(|(_, b)| channels_named(b, out)),
            Command::Use { ins, outs, .. } => ins.iter().chain(outs).for_each(|n| add_name(out, n)),
        }
    }
}

/// The channels a list of commands binds itself (`split` results, `fork`
/// halves, the channels a `plug` makes).
fn channels_bound(cmds: &[Spanned<Command>], out: &mut Vec<String>) {
    for c in cmds {
        match &c.node {
            Command::Split(_, names) => out.extend(names.iter().map(|n| n.node.clone())),
            Command::Fork(_, phrases) => phrases.iter().for_each(|p| {
                out.push(p.half.node.clone());
                channels_bound(&p.body, out);
            }),
            Command::HCase(_, arms) | Command::Race(arms) => {
                arms.iter().for_each(|(_, b)| channels_bound(b, out))
            }
            Command::Case(_, arms) => arms.iter().for_each(|(_, b)| channels_bound(b, out)),
            Command::If(_, a, b) => {
                channels_bound(a, out);
                channels_bound(b, out);
            }
            Command::Switch(arms) => arms.iter().for_each(|(_, b)| channels_bound(b, out)),
            Command::Plug(phrases) => {
                let mut seen = Vec::new();
                for p in phrases {
                    let mut named = Vec::new();
                    channels_named(
                        std::slice::from_ref(&Spanned::new(Command::Plug(vec![p.clone()]), p.span)),
                        &mut named,
                    );
                    for n in named {
                        if seen.contains(&n) {
                            out.push(n);
                        } else {
                            seen.push(n);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// The lower-case names the expressions of `cmds` mention (for the
/// values an anonymous plug process captures).
fn values_mentioned(cmds: &[Spanned<Command>], out: &mut Vec<String>) {
    let mut exprs: Vec<&Spanned<tree::Expr>> = Vec::new();
    fn walk<'a>(cmds: &'a [Spanned<Command>], exprs: &mut Vec<&'a Spanned<tree::Expr>>) {
        for c in cmds {
            match &c.node {
                Command::Run { args, .. } => exprs.extend(args),
                Command::Use { stored, args, .. } => {
                    exprs.push(stored);
                    exprs.extend(args);
                }
                Command::Put(e, _) => exprs.push(e),
                Command::HCase(_, arms) | Command::Race(arms) => {
                    arms.iter().for_each(|(_, b)| walk(b, exprs))
                }
                Command::Fork(_, ps) => ps.iter().for_each(|p| walk(&p.body, exprs)),
                Command::Plug(ps) => ps.iter().for_each(|p| walk(&p.body, exprs)),
                Command::Case(e, arms) => {
                    exprs.push(e);
                    arms.iter().for_each(|(_, b)| walk(b, exprs));
                }
                Command::If(e, a, b) => {
                    exprs.push(e);
                    walk(a, exprs);
                    walk(b, exprs);
                }
                Command::Switch(arms) => arms.iter().for_each(|(e, b)| {
                    exprs.push(e);
                    walk(b, exprs);
                }),
                _ => {}
            }
        }
    }
    walk(cmds, &mut exprs);
    let wrapper = tree::Expr::List(exprs.into_iter().cloned().collect());
    super::exprs::mentioned_names(&wrapper, out);
}

impl Lower<'_> {
    pub(super) fn proc_decl(&mut self, p: &tree::Proc) -> ast::ProcessDecl {
        let span = p.name.span;
        let Some(first) = p.phrases.first() else {
            return ast::ProcessDecl {
                doc: None,
                name: p.name.clone(),
                params: Vec::new(),
                body: block(Vec::new(), span),
            };
        };
        let arity = first.node.patterns.len();
        let (seq_types, in_types, out_types) = match &p.ty {
            Some(t) => (
                t.seq.iter().map(|x| Some(self.seq_type(x))).collect(),
                t.ins
                    .iter()
                    .map(|x| Some(self.conc_type(x, false)))
                    .collect(),
                t.outs
                    .iter()
                    .map(|x| Some(self.conc_type(x, true)))
                    .collect(),
            ),
            None => (
                vec![None; arity],
                vec![None; first.node.ins.len()],
                vec![None; first.node.outs.len()],
            ),
        };
        let simple = p.phrases.len() == 1
            && first
                .node
                .patterns
                .iter()
                .all(|q| matches!(q.node, Pattern::Var(_) | Pattern::Wild));
        let seq_names: Vec<String> = if simple {
            first
                .node
                .patterns
                .iter()
                .enumerate()
                .map(|(i, q)| match &q.node {
                    Pattern::Var(n) => n.clone(),
                    _ => format!("_{i}"),
                })
                .collect()
        } else {
            (0..arity).map(|i| format!("arg{i}")).collect()
        };
        let mut params = Vec::new();
        for (i, n) in seq_names.iter().enumerate() {
            let ty = seq_types.get(i).cloned().flatten();
            params.push(super::build::typed_param(n, ty, span));
        }
        let channels: Vec<&Name> = first.node.ins.iter().chain(&first.node.outs).collect();
        let types = in_types.into_iter().chain(out_types);
        for (c, ty) in channels.iter().zip(types) {
            params.push(super::build::typed_param(&c.node, ty, c.span));
        }
        let body = if simple {
            let saved = self.locals.len();
            self.locals.extend(seq_names.iter().cloned());
            let stmts = self.commands(&first.node.body);
            self.locals.truncate(saved);
            block(stmts, first.span)
        } else {
            self.phrases_body(p, &seq_names, &channels)
        };
        ast::ProcessDecl {
            doc: None,
            name: p.name.clone(),
            params,
            body,
        }
    }

    /// Several phrases (or patterns that are not just names): a `switch`
    /// on the values, one case per phrase, each phrase's channel names
    /// bound to the first phrase's.
    fn phrases_body(
        &mut self,
        p: &tree::Proc,
        seq_names: &[String],
        channels: &[&Name],
    ) -> Spanned<ast::Block> {
        let span = p.name.span;
        let scrutinee = match seq_names {
            [one] => var(one, span),
            _ => sp(
                Expr::Tuple(seq_names.iter().map(|n| var(n, span)).collect()),
                span,
            ),
        };
        let mut cases = Vec::new();
        for phrase in &p.phrases {
            let saved = self.locals.len();
            let mut pats = Vec::new();
            for q in &phrase.node.patterns {
                let mut names = Vec::new();
                super::exprs::pattern_binders(&q.node, &mut names);
                self.locals.extend(names);
                pats.push(self.pattern(q));
            }
            let pattern = match <[_; 1]>::try_from(pats) {
                Ok([one]) => one,
                Err(pats) => sp(ast::Pattern::Tuple(pats), phrase.span),
            };
            let mut stmts = Vec::new();
            let own: Vec<&Name> = phrase.node.ins.iter().chain(&phrase.node.outs).collect();
            for (mine, first) in own.iter().zip(channels) {
                if mine.node != first.node {
                    let binder = sp(ast::Pattern::Var(mine.node.clone()), mine.span);
                    stmts.push(sp(
                        Stmt::Let {
                            pattern: binder,
                            ty: None,
                            value: var(&first.node, mine.span),
                        },
                        mine.span,
                    ));
                }
            }
            stmts.extend(self.commands(&phrase.node.body));
            self.locals.truncate(saved);
            cases.push((pattern, block(stmts, phrase.span)));
        }
        let body = switch(scrutinee, cases, span);
        block(vec![stmt(body)], span)
    }

    pub(super) fn commands(&mut self, cmds: &[Spanned<Command>]) -> Stmts {
        let saved = self.locals.len();
        let mut out = Vec::new();
        for c in cmds {
            self.command(c, &mut out);
        }
        self.locals.truncate(saved);
        out
    }

    fn command(&mut self, c: &Spanned<Command>, out: &mut Stmts) {
        let span = c.span;
        let chan = |n: &Name| var(&n.node, n.span);
        match &c.node {
            Command::Run {
                name,
                args,
                ins,
                outs,
            } => {
                let mut all = self.exprs(args);
                all.extend(ins.iter().chain(outs).map(|n| self.run_end(n)));
                let callee = self.callee(&name.node);
                out.push(stmt(call_at(&callee, all, name.span, span)));
            }
            Command::Close(n) => out.push(stmt(sp(Expr::Close(Box::new(chan(n))), span))),
            Command::Halt(n) => {
                out.push(stmt(sp(Expr::Close(Box::new(chan(n))), span)));
                out.push(sp(Stmt::Halt, span));
            }
            Command::Get(pat, n) => {
                let mut names = Vec::new();
                super::exprs::pattern_binders(&pat.node, &mut names);
                let pattern = self.pattern(pat);
                self.locals.extend(names);
                let value = get(chan(n), span);
                let bind = Stmt::Let {
                    pattern,
                    ty: None,
                    value,
                };
                out.push(sp(bind, span));
            }
            Command::Put(e, n) => {
                let value = self.expr(e);
                out.push(stmt(put(chan(n), value, span)));
            }
            Command::HPut(h, n) => {
                let label = sp(Expr::Ctor(h.node.clone()), h.span);
                out.push(stmt(put(chan(n), label, span)));
            }
            Command::HCase(n, arms) => out.push(stmt(self.hcase(n, arms, span))),
            Command::Split(n, names) => {
                let split = Stmt::Split {
                    channel: chan(n),
                    names: names.clone(),
                };
                out.push(sp(split, span));
            }
            Command::Fork(n, phrases) => out.push(self.fork(n, phrases, span)),
            Command::Forward { a, b, .. } => out.push(sp(Stmt::Forward(chan(a), chan(b)), span)),
            Command::Race(arms) => out.push(stmt(self.race(arms, span))),
            Command::Plug(phrases) => self.plug(phrases, out),
            Command::Case(e, arms) => out.push(stmt(self.case_command(e, arms, span))),
            Command::If(cond, a, b) => out.push(stmt(self.if_commands(cond, a, b, span))),
            Command::Switch(arms) => out.push(stmt(self.switch_commands(arms, span))),
            Command::Use {
                stored,
                args,
                ins,
                outs,
            } => {
                let receiver = self.expr(stored);
                let mut all = self.exprs(args);
                all.extend(ins.iter().chain(outs).map(chan));
                let name = sp("use".to_string(), stored.span);
                let e = Expr::Dtor {
                    receiver: Box::new(receiver),
                    name,
                    args: all,
                };
                out.push(stmt(sp(e, span)));
            }
        }
    }

    /// The process a (possibly qualified, `M.p`) name starts.
    pub(super) fn callee(&self, name: &str) -> String {
        match name.split_once('.') {
            Some((module, p)) => self.table.qualified(Some(module), p),
            None => self.own_name(name),
        }
    }

    /// A channel given to a process: `~x` when the REPL made `x` for it.
    fn run_end(&self, n: &Name) -> Spanned<Expr> {
        if self.dual_names.contains(&n.node) {
            sp(Expr::Dual(n.clone()), n.span)
        } else {
            var(&n.node, n.span)
        }
    }

    /// `hcase c of H -> ...`: a `switch` on the handle received.
    fn hcase(
        &mut self,
        n: &Name,
        arms: &[(Name, Vec<Spanned<Command>>)],
        span: Span,
    ) -> Spanned<Expr> {
        let cases = arms
            .iter()
            .map(|(h, body)| {
                let stmts = self.commands(body);
                let at = body.first().map_or(h.span, |b| b.span);
                let whole = body.iter().fold(at, |a, b| a.to(b.span));
                (label_pattern(h), block(stmts, whole))
            })
            .collect();
        switch(get(var(&n.node, n.span), n.span), cases, span)
    }

    fn fork(&mut self, n: &Name, phrases: &[tree::ForkPhrase], span: Span) -> Spanned<Stmt> {
        let arms = phrases
            .iter()
            .map(|p| {
                let stmts = self.commands(&p.body);
                let whole = p.body.iter().fold(p.half.span, |a, b| a.to(b.span));
                let arm = ast::ForkArm {
                    name: p.half.clone(),
                    body: block(stmts, whole),
                };
                sp(arm, whole)
            })
            .collect();
        let fork = Stmt::Fork {
            channel: var(&n.node, n.span),
            arms,
        };
        sp(fork, span)
    }

    fn race(&mut self, arms: &[(Name, Vec<Spanned<Command>>)], span: Span) -> Spanned<Expr> {
        let cases = arms
            .iter()
            .map(|(n, body)| {
                let stmts = self.commands(body);
                let whole = body.iter().fold(n.span, |a, b| a.to(b.span));
                let case = ast::RaceCase {
                    channel: n.clone(),
                    body: block(stmts, whole),
                };
                sp(case, whole)
            })
            .collect();
        sp(Expr::Race(cases), span)
    }

    /// `case e of p -> commands; ...`
    fn case_command(
        &mut self,
        e: &Spanned<tree::Expr>,
        arms: &[(Spanned<Pattern>, Vec<Spanned<Command>>)],
        span: Span,
    ) -> Spanned<Expr> {
        let scrutinee = self.expr(e);
        let cases = arms
            .iter()
            .map(|(pat, body)| {
                let saved = self.locals.len();
                let mut names = Vec::new();
                super::exprs::pattern_binders(&pat.node, &mut names);
                self.locals.extend(names);
                let pattern = self.pattern(pat);
                let stmts = self.commands(body);
                self.locals.truncate(saved);
                let whole = body.iter().fold(pat.span, |a, b| a.to(b.span));
                (pattern, block(stmts, whole))
            })
            .collect();
        switch(scrutinee, cases, span)
    }

    fn if_commands(
        &mut self,
        cond: &Spanned<tree::Expr>,
        a: &[Spanned<Command>],
        b: &[Spanned<Command>],
        span: Span,
    ) -> Spanned<Expr> {
        let cond = self.expr(cond);
        let then = block(self.commands(a), span);
        let else_block = block(self.commands(b), span);
        sp(
            Expr::If {
                cond: Box::new(cond),
                then,
                else_: Some(Box::new(sp(Expr::Block(else_block.node), span))),
            },
            span,
        )
    }

    /// Guards over commands: tried in order, the last taken when no
    /// earlier one holds (as for expressions).
    fn switch_commands(
        &mut self,
        arms: &[(Spanned<tree::Expr>, Vec<Spanned<Command>>)],
        span: Span,
    ) -> Spanned<Expr> {
        self.guards(arms, span, |me, cmds| block(me.commands(cmds), span))
    }

    /// `plug`: each name two of its processes use is a new channel, given
    /// plain to the process that uses it at output polarity and as `~x` to
    /// the other. Each process of the plug is started; an anonymous one
    /// (a block of commands) is lifted to a process of its own.
    fn plug(&mut self, phrases: &[tree::PlugPhrase], out: &mut Stmts) {
        let mut uses: Vec<(String, usize, Option<bool>)> = Vec::new();
        let phrase_channels: Vec<Vec<(String, Option<bool>)>> =
            phrases.iter().map(plug_channels).collect();
        for (i, chans) in phrase_channels.iter().enumerate() {
            for (n, polarity) in chans {
                uses.push((n.clone(), i, *polarity));
            }
        }
        // For each shared name: the phrase that holds the plain end.
        let mut plain: Vec<(String, usize)> = Vec::new();
        let mut shared: Vec<String> = Vec::new();
        for (n, _, _) in &uses {
            let users: Vec<_> = uses.iter().filter(|(m, ..)| m == n).collect();
            if users.len() == 2 && !shared.contains(n) {
                shared.push(n.clone());
                let holder = match users.iter().find(|(_, _, p)| *p == Some(true)) {
                    Some(out_user) => out_user.1,
                    None => match users.iter().position(|(_, _, p)| *p == Some(false)) {
                        Some(k) => users[1 - k].1,
                        None => users[0].1,
                    },
                };
                plain.push((n.clone(), holder));
            }
        }
        for (i, phrase) in phrases.iter().enumerate() {
            let end = |n: &Name| -> Spanned<Expr> {
                match plain.iter().find(|(m, _)| *m == n.node) {
                    Some((_, holder)) if *holder != i => sp(Expr::Dual(n.clone()), n.span),
                    _ => var(&n.node, n.span),
                }
            };
            if let (None, [single]) = (&phrase.channels, phrase.body.as_slice())
                && let Command::Run {
                    name,
                    args,
                    ins,
                    outs,
                } = &single.node
            {
                let mut all = self.exprs(args);
                all.extend(ins.iter().chain(outs).map(end));
                let callee = self.callee(&name.node);
                out.push(stmt(call_at(&callee, all, name.span, single.span)));
                continue;
            }
            let channels: Vec<Name> = phrase_channels[i]
                .iter()
                .map(|(n, _)| Spanned::new(n.clone(), phrase.span))
                .collect();
            let e = self.lift_plug_phrase(phrase, &channels, &end);
            out.push(stmt(e));
        }
    }

    /// An anonymous process of a `plug`, as a process of its own taking
    /// the values it uses and its channels; returns the call that starts it.
    fn lift_plug_phrase(
        &mut self,
        phrase: &tree::PlugPhrase,
        channels: &[Name],
        end: &dyn Fn(&Name) -> Spanned<Expr>,
    ) -> Spanned<Expr> {
        let captures = self.captured(&phrase.body);
        let name = self.fresh_name("plug");
        let span = phrase.span;
        let mut params: Vec<_> = captures
            .iter()
            .map(|c| super::build::param(c, span))
            .collect();
        params.extend(
            channels
                .iter()
                .map(|c| super::build::param(&c.node, c.span)),
        );
        let saved = std::mem::take(&mut self.locals);
        self.locals = captures.clone();
        let stmts = self.commands(&phrase.body);
        self.locals = saved;
        let decl = ast::ProcessDecl {
            doc: None,
            name: sp(name.clone(), span),
            params,
            body: block(stmts, span),
        };
        self.items.push(sp(ast::Item::Process(decl), span));
        let mut args: Vec<_> = captures.iter().map(|c| var(c, span)).collect();
        args.extend(channels.iter().map(end));
        call(&name, args, span)
    }
}

impl Lower<'_> {
    /// The values in scope that `cmds` use: what a process lifted out of
    /// them takes first.
    pub(super) fn captured(&self, cmds: &[Spanned<Command>]) -> Vec<String> {
        let mut mentioned = Vec::new();
        values_mentioned(cmds, &mut mentioned);
        let mut captures: Vec<String> = self
            .locals
            .iter()
            .filter(|l| mentioned.contains(l))
            .cloned()
            .collect();
        captures.dedup();
        captures
    }
}

/// The channels one process of a `plug` uses, each with its polarity
/// when it is known (`Some(true)`: output).
fn plug_channels(p: &tree::PlugPhrase) -> Vec<(String, Option<bool>)> {
    if let Some((ins, outs)) = &p.channels {
        let ins = ins.iter().map(|n| (n.node.clone(), Some(false)));
        return ins
            .chain(outs.iter().map(|n| (n.node.clone(), Some(true))))
            .collect();
    }
    if let [single] = p.body.as_slice()
        && let Command::Run { ins, outs, .. } = &single.node
    {
        let ins = ins.iter().map(|n| (n.node.clone(), Some(false)));
        return ins
            .chain(outs.iter().map(|n| (n.node.clone(), Some(true))))
            .collect();
    }
    let mut named = Vec::new();
    channels_named(&p.body, &mut named);
    let mut bound = Vec::new();
    channels_bound(&p.body, &mut bound);
    named
        .into_iter()
        .filter(|n| !bound.contains(n))
        .map(|n| (n, None))
        .collect()
}

/// A call whose callee is spanned at its name.
fn call_at(name: &str, args: Vec<Spanned<Expr>>, name_span: Span, span: Span) -> Spanned<Expr> {
    let mut e = call(name, args, span);
    if let Expr::Call { callee, .. } = &mut e.node {
        callee.span = name_span;
    }
    e
}
