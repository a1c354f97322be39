//! Channel operations against protocol states (`put`, `get`, choices,
//! `close`, `:=`, `fork`, `split`, lending to functions), and the joining of
//! the states that different branches leave channels in.

use super::expr::is_upper;
use super::{Binding, Exit, Gone, Infer, Liveness, end_span};
use crate::check::errors::{CheckError, MismatchHint};
use crate::check::types::{Con, Dir, Session, Ty, dual};
use crate::ir::{self, Expr, ExprKind, PatternKind, Slot};
use crate::source::Span;
use std::rc::Rc;

impl Infer<'_, '_> {
    /// The binding a channel operation acts on: a variable, possibly at the
    /// end of a chain of `put`s (which are checked first, in order).
    fn channel_of(&mut self, e: &Expr, op: &str) -> Option<usize> {
        let slot = match &e.kind {
            ExprKind::Local(slot) => *slot,
            // Not a channel of this process's own (already reported, or
            // a service, which only the wiring names).
            ExprKind::Unknown { args, .. } if args.is_empty() => return None,
            ExprKind::Service(_) | ExprKind::Args => return None,
            ExprKind::Put { channel, value } => {
                let i = self.channel_of(channel, "put")?;
                self.put_on(i, value, e.span);
                return Some(i);
            }
            _ => {
                let t = self.infer(e);
                if !matches!(self.unifier.shallow(&t), Ty::Session(_)) {
                    let found = self.show(&t);
                    self.error(CheckError::NotAChannel {
                        span: e.span,
                        found,
                        operation: op.into(),
                    });
                }
                return None;
            }
        };
        let i = self.find(slot)?;
        self.record_use(i, e.span);
        self.channel_of_unknown_protocol(i);
        if !matches!(self.unifier.shallow(&self.env[i].ty), Ty::Session(_)) {
            let found = self.show(&self.env[i].ty.clone());
            self.error(CheckError::NotAChannel {
                span: e.span,
                found,
                operation: op.into(),
            });
            return None;
        }
        if let Liveness::Moved(at) = self.env[i].state {
            let name = self.env[i].name.clone();
            self.used_after_move(name, e.span, at);
            return None;
        }
        if i < self.barrier {
            let name = self.env[i].name.clone();
            self.error(CheckError::RecordCapturesChannel { name, span: e.span });
            return None;
        }
        Some(i)
    }

    /// A binding of a type not known yet (or unknown after an error) used
    /// as a channel: a channel whose protocol its uses will tell, as for
    /// `channel x;`.
    fn channel_of_unknown_protocol(&mut self, i: usize) {
        if let Ty::Var(_) = self.unifier.shallow(&self.env[i].ty) {
            let proto = Ty::session(Session::Var {
                ty: self.unifier.fresh(),
                neg: false,
            });
            let var = self.env[i].ty.clone();
            let _ = self.unifier.unify(&var, &proto);
        }
    }

    fn state(&self, i: usize) -> Session {
        match self.unifier.shallow(&self.env[i].ty) {
            Ty::Session(s) => (*s).clone(),
            _ => Session::Unknown,
        }
    }

    fn set_state(&mut self, i: usize, s: Session) {
        self.env[i].ty = Ty::session(s);
    }

    /// Reports an operation the protocol does not allow. The channel's
    /// state becomes unknown, so one mistake is reported once.
    fn mismatch(&mut self, i: usize, head: &Session, did: &str, span: Span) {
        self.mismatch_ending(i, head, did, span, None);
    }

    fn mismatch_ending(
        &mut self,
        i: usize,
        head: &Session,
        did: &str,
        span: Span,
        ending: Option<String>,
    ) {
        self.set_state(i, Session::Unknown);
        let channel = self.env[i].name.clone();
        if matches!(head, Session::Close) {
            self.error(CheckError::ChannelFinished {
                channel,
                span,
                did: did.into(),
            });
        } else {
            let expected = self.show_s(head);
            let offered = match head {
                Session::Choice {
                    dir: Dir::Get,
                    branches,
                } => branches.iter().map(|(l, _)| l.to_string()).collect(),
                _ => Vec::new(),
            };
            self.error(CheckError::ProtocolMismatch {
                channel,
                expected,
                did: did.into(),
                span,
                ending,
                offered,
            });
        }
    }

    /// The first step of channel `i`'s state. A state still unknown (a
    /// channel declared without a type and not used yet) is learnt from the
    /// operation: `learn` gives the step to assume.
    fn head_of(&mut self, i: usize, span: Span) -> Option<Session> {
        let s = self.state(i);
        match self.unifier.head(&s) {
            Some(h) => Some(h),
            None => {
                let name = self.env[i].name.clone();
                self.error(CheckError::ProtocolUnknown { name, span });
                None
            }
        }
    }

    /// Binds an unknown protocol variable to `step` (first use teaches it).
    fn learn(&mut self, head: &Session, step: Session) -> bool {
        match head {
            Session::Var { ty, .. } if matches!(self.unifier.shallow(ty), Ty::Var(_)) => {
                self.unifier.unify_sessions(head, &step).is_ok()
            }
            _ => false,
        }
    }

    pub(super) fn put(&mut self, channel: &Expr, value: &Expr, span: Span) {
        if let Some(i) = self.channel_of(channel, "put") {
            self.put_on(i, value, span);
            self.record_after(i, span, false);
        }
    }

    fn put_on(&mut self, i: usize, value: &Expr, span: Span) {
        // The value is evaluated before it is sent (it may use the channel:
        // `c.put(f(c.get))`); a label is not a value.
        let bare = self.bare_name(value).map(str::to_string);
        let label = bare.clone().filter(|l| self.is_label_only(l));
        let sent = match (&label, &bare) {
            (None, Some(_)) => None,
            (None, None) => Some(self.infer(value)),
            _ => None,
        };
        let Some(head) = self.head_of(i, span) else {
            return;
        };
        if let Some(l) = &label
            && matches!(head, Session::Var { .. })
            && self.learn_from_label(i, l, Dir::Put)
        {
            return self.put_on(i, value, span);
        }
        if let Session::Var { ty, .. } = &head
            && label.is_some()
            && matches!(self.unifier.shallow(ty), Ty::Var(_))
        {
            // A label on a channel whose protocol is not known (its type
            // was unknown): nothing to check it against.
            self.set_state(i, Session::Unknown);
            return;
        }
        let channel = self.env[i].name.clone();
        match &head {
            Session::Choice {
                dir: Dir::Put,
                branches,
            } => {
                let chosen = match &bare {
                    Some(l) => branches.iter().find(|(b, _)| **b == **l),
                    None => None,
                };
                match chosen {
                    Some((_, next)) => self.set_state(i, (**next).clone()),
                    None => {
                        let expected = branches.iter().map(|(l, _)| l.to_string()).collect();
                        let label = bare.clone().unwrap_or_else(|| "this value".into());
                        self.set_state(i, Session::Unknown);
                        self.error(CheckError::UnknownLabel {
                            channel,
                            label,
                            expected,
                            span: value.span,
                        });
                    }
                }
            }
            _ if label.is_some() && !matches!(head, Session::Unknown) => {
                self.mismatch(i, &head, "chooses a label", span);
            }
            Session::Msg {
                dir: Dir::Put,
                ty,
                next,
            } => {
                let t = sent.unwrap_or_else(|| self.infer(value));
                let context = format!(" in the message sent on `{channel}`");
                if let Some(error) = self.type_mismatch(&t, ty, value.span, &context) {
                    let whole_string = self.unifier.resolve(&t) == Ty::string()
                        && self.unifier.resolve(ty) == Ty::simple(Con::Char);
                    let hint = whole_string.then(|| MismatchHint::WholeString {
                        channel: channel.to_string(),
                    });
                    self.error(error.with_hint(hint));
                }
                self.set_state(i, (**next).clone());
            }
            Session::Unknown => {}
            Session::Var { .. } => {
                let t = sent.unwrap_or_else(|| self.infer(value));
                let next = Session::Var {
                    ty: self.unifier.fresh(),
                    neg: false,
                };
                let step = Session::Msg {
                    dir: Dir::Put,
                    ty: t,
                    next: Rc::new(next.clone()),
                };
                if self.learn(&head, step) {
                    self.set_state(i, next);
                } else {
                    self.mismatch(i, &head, "sends a value", span);
                }
            }
            _ => {
                let did = if bare.is_some() {
                    "chooses a label"
                } else {
                    "sends a value"
                };
                self.mismatch(i, &head, did, span);
            }
        }
    }

    /// The name of a constructor or label written alone (`Quit`), known
    /// or not.
    fn bare_name<'e>(&'e self, e: &'e Expr) -> Option<&'e str> {
        match &e.kind {
            ExprKind::Ctor { tag, args } if args.is_empty() => Some(self.tag_name(*tag)),
            ExprKind::Unknown { name, args } if args.is_empty() && is_upper(name) => Some(name),
            _ => None,
        }
    }

    fn is_label_only(&self, name: &str) -> bool {
        // (`Nil` and `Cons` of the built-in list are no `Ctor`: resolution
        // makes them list expressions.)
        self.decls.ctors.get(name, self.layer).is_none()
    }

    pub(super) fn get(&mut self, channel: &Expr, span: Span) -> Ty {
        let Some(i) = self.channel_of(channel, "get") else {
            return self.unifier.fresh();
        };
        let t = self.get_on(i, span);
        self.record_after(i, span, false);
        t
    }

    fn get_on(&mut self, i: usize, span: Span) -> Ty {
        let Some(head) = self.head_of(i, span) else {
            return self.unifier.fresh();
        };
        match &head {
            Session::Msg {
                dir: Dir::Get,
                ty,
                next,
            } => {
                self.set_state(i, (**next).clone());
                ty.clone()
            }
            Session::Unknown => self.unifier.fresh(),
            Session::Var { .. } => {
                let t = self.unifier.fresh();
                let next = Session::Var {
                    ty: self.unifier.fresh(),
                    neg: false,
                };
                let step = Session::Msg {
                    dir: Dir::Get,
                    ty: t.clone(),
                    next: Rc::new(next.clone()),
                };
                if self.learn(&head, step) {
                    self.set_state(i, next);
                } else {
                    self.mismatch(i, &head, "receives a value", span);
                }
                t
            }
            Session::Choice { dir: Dir::Get, .. } => {
                self.mismatch(i, &head, "receives a value outside a `switch`", span);
                self.unifier.fresh()
            }
            _ => {
                self.mismatch(i, &head, "receives a value", span);
                self.unifier.fresh()
            }
        }
    }

    pub(super) fn close(&mut self, channel: &Expr, span: Span) {
        let Some(i) = self.channel_of(channel, "close") else {
            return;
        };
        let Some(head) = self.head_of(i, span) else {
            return;
        };
        // A protocol not known yet learns that it ends here.
        let closes =
            matches!(head, Session::Close | Session::Unknown) || self.learn(&head, Session::Close);
        if closes {
            self.env[i].state = Liveness::Moved(Gone {
                at: span,
                closed: true,
            });
            self.record_after(i, span, true);
        } else {
            let ending = self.ending_label(&head);
            self.mismatch_ending(i, &head, "is closed", span, ending)
        }
    }

    /// The label of a choice this end makes whose branch is `close`.
    fn ending_label(&self, head: &Session) -> Option<String> {
        let Session::Choice {
            dir: Dir::Put,
            branches,
        } = head
        else {
            return None;
        };
        branches
            .iter()
            .find(|(_, next)| matches!(self.unifier.head(next), Some(Session::Close)))
            .map(|(label, _)| label.to_string())
    }

    /// Passing a channel to a function: the function borrows it and leaves
    /// it in the state its signature says (`exit`).
    pub(super) fn lend(&mut self, arg: &Expr, param: &Ty, exit: Exit, function: &str) {
        let var = match &arg.kind {
            ExprKind::Local(slot) => Some(*slot),
            _ => None,
        };
        let found = var
            .and_then(|slot| self.find(slot))
            .filter(|i| matches!(self.unifier.shallow(&self.env[*i].ty), Ty::Session(_)));
        let Some(i) = found else {
            let t = self.infer(arg);
            self.expect(
                &t,
                param,
                arg.span,
                &format!(" in an argument of `{function}`"),
            );
            return;
        };
        if let Liveness::Moved(at) = self.env[i].state {
            let name = self.env[i].name.clone();
            self.used_after_move(name, arg.span, at);
            return;
        }
        self.record_use(i, arg.span);
        let current = self.env[i].ty.clone();
        if self.unifier.unify(&current, param).is_err() {
            let channel = self.env[i].name.clone();
            let expected = self.show(param);
            let did = format!(
                "is passed to `{function}` in state `{}`",
                self.show(&current)
            );
            self.error(CheckError::ProtocolMismatch {
                channel,
                expected,
                did,
                span: arg.span,
                ending: None,
                offered: Vec::new(),
            });
            return;
        }
        match exit {
            Exit::Open(s) => {
                self.set_state(i, s);
                self.record_after(i, arg.span, false);
            }
            Exit::UsedUp => self.env[i].state = Liveness::Moved(Gone::given(arg.span)),
            Exit::Unknown => self.set_state(i, Session::Unknown),
            Exit::Value => {}
        }
    }

    pub(super) fn forward(&mut self, a: &Expr, b: &Expr, span: Span) {
        let (Some(i), Some(j)) = (self.channel_of(a, ":="), self.channel_of(b, ":=")) else {
            return;
        };
        let (sa, sb) = (self.state(i), self.state(j));
        if self.unifier.unify_sessions(&sa, &dual(&sb)).is_err() {
            let (left, right) = (self.show_s(&sa), self.show_s(&sb));
            self.error(CheckError::NotDual { left, right, span });
        }
        self.env[i].state = Liveness::Moved(Gone::given(span));
        self.env[j].state = Liveness::Moved(Gone::given(span));
    }

    /// The two halves of a channel at a `fork` step (`split` false: this
    /// end forks; true: it splits); the channel itself is used up.
    fn halves(&mut self, channel: &Expr, span: Span, split: bool) -> Option<[Rc<Session>; 2]> {
        let (op, did) = if split {
            ("split", "is split")
        } else {
            ("fork", "forks")
        };
        let i = self.channel_of(channel, op)?;
        let mut head = self.head_of(i, span)?;
        if let Session::Var { .. } = head {
            // First use of a channel whose protocol is not known yet: it
            // is a fork step, with halves still to be learnt.
            let half = |me: &mut Self| {
                Rc::new(Session::Var {
                    ty: me.unifier.fresh(),
                    neg: false,
                })
            };
            let step = Session::Fork {
                split,
                a: half(self),
                b: half(self),
            };
            if self.learn(&head, step.clone()) {
                head = step;
            }
        }
        match head {
            Session::Fork { split: s, a, b } if s == split => {
                self.env[i].state = Liveness::Moved(Gone::given(span));
                Some([a, b])
            }
            other => {
                self.mismatch(i, &other, did, span);
                None
            }
        }
    }

    pub(super) fn split(&mut self, channel: &Expr, slots: &[Slot], names: &[Span], span: Span) {
        let Some(halves) = self.halves(channel, span, true) else {
            return;
        };
        for ((slot, at), s) in slots.iter().zip(names).zip(halves) {
            self.bind(*slot, Ty::Session(Rc::new((*s).clone())), *at);
        }
    }

    pub(super) fn fork(&mut self, channel: &Expr, arms: &[ir::ForkArm], span: Span) {
        let Some(halves) = self.halves(channel, span, false) else {
            return;
        };
        for (arm, half) in arms.iter().zip(halves) {
            self.fork_arm(arm, (*half).clone());
        }
        self.end_process(span);
    }

    /// One arm of a fork runs as its own process: it finishes its half and
    /// every outer channel it touches.
    fn fork_arm(&mut self, arm: &ir::ForkArm, half: Session) {
        let Some((run, k)) = self.bodies.find(arm.func) else {
            return;
        };
        let f = &run[k];
        let before: Vec<Binding> = self.env.clone();
        let saved = self.ended;
        let outer = self.enter_closure(arm.func, f, &arm.captures);
        self.push_scope();
        self.bind(arm.half, Ty::session(half), arm.name);
        self.infer(&f.body);
        let end = end_span(f.body.span);
        self.pop_scope(end);
        self.frame = outer;
        for (k, old) in before.iter().enumerate() {
            let now = self.env[k].clone();
            if now.ty != old.ty || !matches!(now.state, Liveness::Live) {
                if !self.ended {
                    self.finish(&now, end);
                }
                self.env[k].state = Liveness::Moved(Gone::given(end));
            }
        }
        self.ended = saved;
    }

    // -----------------------------------------------------------------------
    // Branches

    pub(super) fn if_expr(
        &mut self,
        cond: &Expr,
        then: &Expr,
        else_: Option<&Expr>,
        span: Span,
    ) -> Ty {
        let ct = self.infer(cond);
        self.expect(&ct, &Ty::bool(), cond.span, " in the condition");
        let start = self.env.clone();
        let t1 = self.infer(then);
        let first = (
            std::mem::replace(&mut self.env, start),
            std::mem::replace(&mut self.ended, false),
        );
        let t2 = match else_ {
            Some(e) => self.infer(e),
            None => self.missing_else(&t1, span),
        };
        let second = (std::mem::take(&mut self.env), self.ended);
        let else_span = else_.map_or(span, |e| e.span);
        let branches = vec![
            Branch::new(first.0, first.1, t1, then.span),
            Branch::new(second.0, second.1, t2, else_span),
        ];
        self.join(branches, span).unwrap_or_else(Ty::unit)
    }

    pub(super) fn switch(&mut self, scrutinee: &Expr, arms: &[ir::Arm], span: Span) -> Ty {
        if let ExprKind::Get(c) = &scrutinee.kind
            && let Some(t) = self.label_switch(c, scrutinee.span, arms, span)
        {
            return t;
        }
        let st = self.infer(scrutinee);
        self.check_cases(
            arms,
            span,
            |a| (&a.body, a.span),
            |inf, a| inf.pattern(&a.pattern, &st),
        )
    }

    /// Checks each case's body from the states before the cases, after
    /// `enter` (which binds the case's pattern, say), in a scope of its
    /// own, and joins them as the branches of one expression.
    fn check_cases<C>(
        &mut self,
        cases: &[C],
        span: Span,
        parts: impl Fn(&C) -> (&Expr, Span),
        mut enter: impl FnMut(&mut Self, &C),
    ) -> Ty {
        let start = self.env.clone();
        let mut outcomes = Vec::new();
        for case in cases {
            self.env = start.clone();
            self.ended = false;
            self.push_scope();
            enter(self, case);
            let (body, case_span) = parts(case);
            let t = self.infer(body);
            self.pop_scope(end_span(body.span));
            let env = std::mem::take(&mut self.env);
            outcomes.push(Branch::new(env, self.ended, t, case_span));
        }
        if outcomes.is_empty() {
            self.env = start;
            return Ty::unit();
        }
        self.join(outcomes, span)
            .unwrap_or_else(|| self.unifier.fresh())
    }

    /// `switch (c.get) { case Label: ... }` when `c` is at a received
    /// choice. `None` when it is not: then it is an ordinary switch on a
    /// received value.
    fn label_switch(&mut self, c: &Expr, at: Span, cases: &[ir::Arm], span: Span) -> Option<Ty> {
        let ExprKind::Local(slot) = c.kind else {
            return None;
        };
        let i = self.find(slot)?;
        let name = self.env[i].name.clone();
        if let Some(first) = cases.first()
            && self.all_labels(cases)
            && let Some(label) = self.label_pattern(&first.pattern)
        {
            let label = label.to_string();
            self.learn_from_label(i, &label, Dir::Get);
        }
        let head = match self.unifier.shallow(&self.env[i].ty) {
            Ty::Session(s) => self.unifier.head(&s),
            Ty::Var(_) => None,
            _ => return None,
        };
        let branches = match head {
            Some(Session::Choice {
                dir: Dir::Get,
                branches,
            }) => Some(branches),
            // A channel whose protocol is not known (its type name was
            // unknown, already reported): cases that are all labels are
            // taken as its choice, with nothing to check them against.
            None if self.protocol_unknown(i) && self.all_labels(cases) => None,
            _ => return None,
        };
        if let Liveness::Moved(moved) = self.env[i].state {
            self.used_after_move(name, c.span, moved);
            return Some(self.unifier.fresh());
        }
        self.record_use(i, c.span);
        let Some(branches) = branches else {
            return Some(self.unknown_choice(i, cases, span));
        };
        let start = self.env.clone();
        let mut outcomes = Vec::new();
        let mut seen: Vec<Rc<str>> = Vec::new();
        for case in cases {
            let label = self.label_pattern(&case.pattern).map(str::to_string);
            let found = label
                .as_ref()
                .and_then(|l| branches.iter().find(|(b, _)| **b == **l));
            let Some((l, next)) = found.or_else(|| {
                // A misspelt label: reported, then checked as the label it
                // is closest to, so that label is not reported missing too.
                let expected: Vec<String> = branches.iter().map(|(l, _)| l.to_string()).collect();
                let written = label.clone().unwrap_or_else(|| "this pattern".to_string());
                let unseen = branches.iter().filter(|(b, _)| !seen.contains(b));
                let meant = crate::check::suggest::closest(&written, unseen.map(|(b, _)| &**b));
                self.error(CheckError::UnknownLabel {
                    channel: name.clone(),
                    label: written,
                    expected,
                    span: case.pattern.span,
                });
                branches
                    .iter()
                    .find(|(b, _)| Some(&**b) == meant.as_deref())
            }) else {
                continue;
            };
            seen.push(l.clone());
            self.env = start.clone();
            self.ended = false;
            self.set_state(i, (**next).clone());
            self.record_after(i, case.pattern.span, false);
            let t = self.infer(&case.body);
            let env = std::mem::take(&mut self.env);
            outcomes.push(Branch::new(env, self.ended, t, case.span));
        }
        let missing: Vec<String> = branches
            .iter()
            .filter(|(l, _)| !seen.contains(l))
            .map(|(l, _)| l.to_string())
            .collect();
        if !missing.is_empty() {
            self.error(CheckError::MissingLabels {
                channel: name,
                missing,
                span: at,
            });
        }
        if outcomes.is_empty() {
            self.env = start;
            return Some(Ty::unit());
        }
        Some(
            self.join(outcomes, span)
                .unwrap_or_else(|| self.unifier.fresh()),
        )
    }

    /// `race { case c: .. }`: each case's channel must receive next (a
    /// value or a choice); each body is checked from the states before the
    /// race, as the cases of a `switch` are, and the bodies must leave the
    /// channels they share alike.
    pub(super) fn race(&mut self, cases: &[ir::RaceArm], span: Span) -> Ty {
        self.check_cases(
            cases,
            span,
            |c| (&c.body, c.span),
            |inf, c| inf.race_channel(&c.channel),
        )
    }

    /// Checks that `channel` is a channel whose protocol receives next.
    fn race_channel(&mut self, channel: &Expr) {
        let Some(i) = self.channel_of(channel, "race on") else {
            return;
        };
        let Some(head) = self.head_of(i, channel.span) else {
            return;
        };
        match head {
            Session::Msg { dir: Dir::Get, .. }
            | Session::Choice { dir: Dir::Get, .. }
            | Session::Var { .. }
            | Session::Unknown => {}
            _ => self.mismatch(i, &head, "waits in a `race` to receive", channel.span),
        }
    }

    /// A channel whose protocol is not known yet, used with a label: when
    /// exactly one protocol's choice at its start has that label, the
    /// channel is that protocol, seen from the end that chooses in
    /// direction `dir` (a put) or receives the choice (a get). Untyped
    /// parameters (as in CaMPL's processes) are learnt so.
    fn learn_from_label(&mut self, i: usize, label: &str, dir: Dir) -> bool {
        if self.protocol_unknown(i) {
            return false;
        }
        self.channel_of_unknown_protocol(i);
        let state = self.state(i);
        let Some(head @ Session::Var { .. }) = self.unifier.head(&state) else {
            return false;
        };
        let mut found = None;
        for (id, p) in self.decls.protos.iter().enumerate() {
            if let Session::Choice { dir: d, branches } = &p.body
                && branches.iter().any(|(l, _)| **l == *label)
            {
                if found.is_some() {
                    return false;
                }
                found = Some((id as u32, *d, p.params.len()));
            }
        }
        let Some((proto, d, n)) = found else {
            return false;
        };
        let args: Vec<Ty> = (0..n).map(|_| self.unifier.fresh()).collect();
        let start = Session::Ref {
            proto,
            args: args.into(),
            neg: d != dir,
        };
        self.learn(&head, start)
    }

    /// Whether the channel in slot `i` has an unknown type name (already
    /// reported) for its type: nothing is known of its protocol.
    fn protocol_unknown(&self, i: usize) -> bool {
        matches!(self.unifier.shallow(&self.env[i].ty), Ty::Var(v) if self.from_unknown.contains(&v))
    }

    /// Whether every case of a `switch` is a bare label (an upper-case
    /// name that is no constructor).
    fn all_labels(&self, cases: &[ir::Arm]) -> bool {
        !cases.is_empty()
            && cases.iter().all(|case| {
                self.label_pattern(&case.pattern)
                    .is_some_and(|l| self.is_label_only(l))
            })
    }

    /// The name a case's pattern is when it is a constructor or label
    /// alone (`case Quit:`), known or not.
    fn label_pattern<'p>(&'p self, p: &'p ir::Pattern) -> Option<&'p str> {
        match &p.kind {
            PatternKind::Ctor { tag, args } if args.is_empty() => Some(self.tag_name(*tag)),
            PatternKind::Unknown { name, args } if args.is_empty() => Some(name),
            _ => None,
        }
    }

    /// `switch (c.get)` on labels when `c`'s protocol is unknown: each
    /// case is checked with `c` in an unknown state.
    fn unknown_choice(&mut self, i: usize, cases: &[ir::Arm], span: Span) -> Ty {
        self.check_cases(
            cases,
            span,
            |c| (&c.body, c.span),
            |inf, _| inf.set_state(i, Session::Unknown),
        )
    }

    /// Joins the branches of an `if` or `switch`: their values have one
    /// type, and each outer binding must be left alike by every branch that
    /// does not end the process. Returns the value's type (`None` when
    /// every branch ended the process).
    fn join(&mut self, outcomes: Vec<Branch>, span: Span) -> Option<Ty> {
        let (live, ended): (Vec<Branch>, Vec<Branch>) =
            outcomes.into_iter().partition(|b| !b.ended);
        let mut live = live.into_iter();
        let Some(first) = live.next() else {
            if let Some(b) = ended.into_iter().next() {
                self.env = b.env;
            }
            self.ended = true;
            return None;
        };
        let mut env = first.env;
        for other in live {
            if self.unifier.unify(&other.ty, &first.ty).is_err() {
                let (expected, found) = (self.show(&first.ty), self.show(&other.ty));
                self.error(CheckError::TypeMismatch {
                    expected,
                    found,
                    span: other.span,
                    context: " (every branch must give a value of one type)".into(),
                    hint: None,
                });
            }
            let at = Places {
                first: first.span,
                second: other.span,
                whole: span,
            };
            let disagreements: Vec<CheckError> = other
                .env
                .iter()
                .enumerate()
                .take(env.len())
                .filter_map(|(k, b)| self.join_binding(&mut env[k], b, at))
                .collect();
            self.report_disagreements(disagreements);
        }
        self.env = env;
        self.ended = false;
        Some(first.ty)
    }

    /// The value of an `if` without `else` when its condition is false:
    /// `()`, which the then-branch must give too (else that is reported
    /// here, as the missing `else`).
    fn missing_else(&mut self, then: &Ty, span: Span) -> Ty {
        if self.unifier.unify(then, &Ty::unit()).is_err() {
            let ty = self.show(then);
            self.error(CheckError::IfWithoutElse { ty, span });
            return then.clone();
        }
        Ty::unit()
    }

    /// Joins what two branches left in one binding into `a`; returns the
    /// disagreement to report, if they left a channel in different states.
    fn join_binding(&mut self, a: &mut Binding, b: &Binding, at: Places) -> Option<CheckError> {
        if !a.tracked {
            return None;
        }
        let finished = |inf: &Self, x: &Binding| match x.state {
            Liveness::Moved(_) => true,
            Liveness::Live => match inf.unifier.shallow(&x.ty) {
                Ty::Session(s) => matches!(
                    inf.unifier.head(&s),
                    Some(Session::Close) | Some(Session::Unknown)
                ),
                _ => false,
            },
        };
        let (fa, fb) = (finished(self, a), finished(self, b));
        match (&a.state, &b.state) {
            (Liveness::Moved(_), Liveness::Moved(_)) => None,
            _ if fa && fb => {
                if let Liveness::Moved(gone) = b.state {
                    a.state = Liveness::Moved(gone);
                }
                None
            }
            (Liveness::Live, Liveness::Live) => {
                let (sa, sb) = (self.unifier.shallow(&a.ty), self.unifier.shallow(&b.ty));
                let (Ty::Session(x), Ty::Session(y)) = (&sa, &sb) else {
                    return None;
                };
                if matches!(**x, Session::Unknown) {
                    a.ty = b.ty.clone();
                    return None;
                }
                if matches!(**y, Session::Unknown) || self.unifier.unify_sessions(x, y).is_ok() {
                    return None;
                }
                let (first, second) = (self.show_s(x), self.show_s(y));
                // Reported once: after the branches its state is unknown,
                // so it is not also reported open at the end.
                a.ty = Ty::session(Session::Unknown);
                Some(self.branches_disagree(&a.name, (first, false), (second, false), at))
            }
            _ => {
                let is_chan = matches!(self.unifier.shallow(&a.ty), Ty::Session(_));
                let disagreement = if is_chan || self.unifier.is_linear(&a.ty) {
                    let describe = |x: &Binding, f: bool| {
                        if f {
                            "finished or given away".to_string()
                        } else {
                            format!(
                                "open ({})",
                                match &x.ty {
                                    Ty::Session(s) =>
                                        crate::check::types::show_session(s, self.decls),
                                    _ => "holding a channel".into(),
                                }
                            )
                        }
                    };
                    let (first, second) = (describe(a, fa), describe(b, fb));
                    Some(self.branches_disagree(&a.name, (first, fa), (second, fb), at))
                } else {
                    self.drops.push((a.ty.clone(), at.whole));
                    None
                };
                if let Liveness::Moved(gone) = b.state {
                    a.state = Liveness::Moved(gone);
                }
                disagreement
            }
        }
    }

    /// The report that two branches leave `name` in different states, each
    /// `(shown, finished)`: at the branch that leaves it open when the
    /// other finished it (the one that most likely forgot), else at the
    /// later branch.
    fn branches_disagree(
        &self,
        name: &str,
        first: (String, bool),
        second: (String, bool),
        at: Places,
    ) -> CheckError {
        let first_open = !first.1 && second.1;
        let ((state, finished, span), (other_state, other_finished, other)) = if first_open {
            (
                (first.0, first.1, at.first),
                (second.0, second.1, at.second),
            )
        } else {
            (
                (second.0, second.1, at.second),
                (first.0, first.1, at.first),
            )
        };
        CheckError::BranchesDisagree {
            names: vec![name.to_string()],
            state,
            span,
            other_state,
            other,
            left_open: !finished && other_finished,
            in_function: self.in_function,
        }
    }

    /// Reports the disagreements found joining two branches: the channels
    /// one branch leaves open and the other finishes, together (one
    /// forgotten call, one report); the others one by one.
    fn report_disagreements(&mut self, found: Vec<CheckError>) {
        let (forgotten, others): (Vec<_>, Vec<_>) = found.into_iter().partition(|e| {
            matches!(
                e,
                CheckError::BranchesDisagree {
                    left_open: true,
                    ..
                }
            )
        });
        let mut merged: Option<CheckError> = None;
        for e in forgotten {
            match (&mut merged, e) {
                (
                    Some(CheckError::BranchesDisagree { names, span, .. }),
                    CheckError::BranchesDisagree {
                        names: more,
                        span: at,
                        ..
                    },
                ) if *span == at => names.extend(more),
                (Some(_), e) => self.error(e),
                (None, e) => merged = Some(e),
            }
        }
        if let Some(e) = merged {
            self.error(e);
        }
        for e in others {
            self.error(e);
        }
    }
}

/// One branch of an `if` or `switch`, as `join` sees it: the bindings it
/// leaves, whether it ended the process, its value's type and its span.
pub(super) struct Branch {
    env: Vec<Binding>,
    ended: bool,
    ty: Ty,
    span: Span,
}

impl Branch {
    fn new(env: Vec<Binding>, ended: bool, ty: Ty, span: Span) -> Branch {
        Branch {
            env,
            ended,
            ty,
            span,
        }
    }
}

/// Where the branches being joined are: the first live one, the one
/// being joined to it, and the whole `if` or `switch`.
#[derive(Clone, Copy)]
struct Places {
    first: Span,
    second: Span,
    whole: Span,
}
