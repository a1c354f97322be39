//! Expressions, statements, blocks and patterns: the sequential part of
//! the type checker, and the moves that make linear values linear.

use super::{Binding, Exit, Frame, Gone, Infer, Liveness, ParamPattern, clauses, end_span};
use crate::check::errors::{CheckError, MismatchHint};
use crate::check::types::{Con, Session, Ty};
use crate::ir::{
    self, BinOp, Builtin, Expr, ExprKind, FuncId, Lit, Pattern, PatternKind, ServiceId, Slot, Stmt,
    UnOp,
};
use crate::services;
use crate::source::{Span, Spanned};
use crate::syntax::ast;
use std::rc::Rc;

impl Infer<'_, '_> {
    // -----------------------------------------------------------------------
    // Blocks and statements

    pub(in crate::check) fn block(&mut self, b: &ir::Block, span: Span) -> Ty {
        self.push_scope();
        self.stmts(&b.stmts, "the end of this process");
        let t = match &b.tail {
            Some(e) if !self.ended => self.infer(e),
            _ => Ty::unit(),
        };
        self.pop_scope(end_span(span));
        t
    }

    /// Statements in order, until the process ends (at `end`, as a
    /// report calls it): the first after that is reported.
    pub(super) fn stmts(&mut self, stmts: &[Stmt], end: &str) {
        for s in stmts {
            if self.ended {
                self.error(CheckError::AfterEnd {
                    span: s.span(),
                    what: end.to_string(),
                });
                break;
            }
            self.stmt(s);
        }
    }

    pub(super) fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let {
                pattern, ty, value, ..
            } => {
                let t = self.infer(value);
                if let Some(ann) = ty {
                    let want = self.body_type(ann);
                    self.expect(&t, &want, value.span, " in this definition");
                }
                self.pattern(pattern, &t);
            }
            Stmt::Channel {
                end,
                dual,
                span,
                ty,
                ..
            } => self.channel(*end, *dual, *span, ty.as_ref()),
            Stmt::Expr { expr, .. } => self.expr_stmt(expr),
            Stmt::Forward { a, b, span } => self.forward(a, b, *span),
            Stmt::Halt { span } => self.end_process(*span),
            Stmt::Fork {
                channel,
                arms,
                span,
            } => self.fork(channel, arms, *span),
            Stmt::Split {
                channel,
                slots,
                span,
                names,
            } => self.split(channel, slots, names, *span),
        }
    }

    /// A new channel (declared, or implicit): its ends in `end` and `dual`.
    fn channel(&mut self, end: Slot, dual: Slot, span: Span, ty: Option<&Spanned<ast::Type>>) {
        let s0 = match ty {
            Some(t) => match self.body_type(t) {
                Ty::Session(s) => (*s).clone(),
                other => {
                    let found = self.show(&other);
                    self.error(CheckError::NotAProtocol {
                        span: t.span,
                        found,
                    });
                    Session::Unknown
                }
            },
            None => Session::Var {
                ty: self.unifier.fresh(),
                neg: false,
            },
        };
        self.channel_sites.push(((self.frame.id, end), s0.clone()));
        let other = crate::check::types::dual(&s0);
        self.bind(end, Ty::session(s0), span);
        self.bind(dual, Ty::session(other), span);
    }

    fn expr_stmt(&mut self, e: &Expr) {
        let t = self.infer(e);
        if matches!(e.kind, ExprKind::Put { .. } | ExprKind::Close(_)) {
            return;
        }
        let t = self.unifier.shallow(&t);
        if self.unifier.is_linear(&t) {
            self.error(CheckError::LinearValueDropped {
                name: "this value".into(),
                span: e.span,
                declared: e.span,
            });
        } else if self.unifier.maybe_linear(&t) && !matches!(t, Ty::Var(_)) {
            self.drops.push((t, e.span));
        }
    }

    /// `halt;` (and the end of a fork): every channel held must be finished.
    pub(super) fn end_process(&mut self, span: Span) {
        let bindings: Vec<Binding> = self.env[self.barrier..].to_vec();
        for b in bindings {
            self.finish(&b, span);
        }
        for b in &mut self.env {
            if b.tracked {
                b.state = Liveness::Moved(Gone::given(span));
            }
        }
        self.ended = true;
    }

    // -----------------------------------------------------------------------
    // Expressions

    pub(in crate::check) fn infer(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Lit(l) => lit_type(l),
            ExprKind::Local(slot) => match self.find(*slot) {
                Some(i) => {
                    self.record_use(i, e.span);
                    self.use_binding(i, e.span)
                }
                None => self.unifier.fresh(),
            },
            ExprKind::Args => Ty::list(Ty::string()),
            ExprKind::Service(id) => self.service_type(*id),
            ExprKind::Unknown { args, .. } => self.unknown(args),
            ExprKind::Call { func, args } | ExprKind::Spawn { proc: func, args } => {
                self.call(*func, args, e.span)
            }
            ExprKind::Builtin { op, args, site, .. } => self.builtin(*op, args, *site, e.span),
            ExprKind::Ctor { tag, args } => {
                let name = self.tag_name(*tag).to_string();
                self.ctor_value(&name, args, e.span)
            }
            ExprKind::Tuple(items) => {
                let ts = items.iter().map(|x| self.infer(x)).collect();
                Ty::con(Con::Tuple, ts)
            }
            ExprKind::List(items) => {
                let elem = self.unifier.fresh();
                for x in items {
                    let t = self.infer(x);
                    self.expect(&t, &elem, x.span, " in this list");
                }
                Ty::list(elem)
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Index {
                list,
                index,
                default,
            } => {
                let elem = self.unifier.fresh();
                let lt = self.infer(list);
                self.expect(
                    &lt,
                    &Ty::list(elem.clone()),
                    list.span,
                    " (only lists can be indexed)",
                );
                let it = self.infer(index);
                self.expect(&it, &Ty::int(), index.span, " in the index");
                let dt = self.infer(default);
                self.expect(&dt, &elem, default.span, " in the default value");
                elem
            }
            ExprKind::Dtor {
                receiver,
                dtor,
                args,
                name,
            } => {
                let written = self.globals.dtors.get(*dtor as usize).cloned();
                self.dtor(
                    receiver,
                    &Spanned::new(written.unwrap_or_default(), *name),
                    args,
                )
            }
            ExprKind::Put { channel, value } => {
                self.put(channel, value, e.span);
                Ty::unit()
            }
            ExprKind::Get(c) => self.get(c, e.span),
            ExprKind::Close(c) => {
                self.close(c, e.span);
                Ty::unit()
            }
            ExprKind::If { cond, then, else_ } => {
                self.if_expr(cond, then, else_.as_deref(), e.span)
            }
            ExprKind::Match { scrutinee, arms } => self.switch(scrutinee, arms, e.span),
            ExprKind::Race(arms) => self.race(arms, e.span),
            ExprKind::Block(b) => self.block(b, e.span),
            ExprKind::Record {
                methods,
                captures,
                ty,
                ..
            } => self.record(ty, methods, captures),
        }
    }

    /// The source name of tag `tag`.
    pub(super) fn tag_name(&self, tag: ir::Tag) -> &str {
        self.globals
            .tags
            .get(tag as usize)
            .map_or("", String::as_str)
    }

    /// A name that did not resolve (already reported): what is written
    /// after it is looked at, but what it does with it is unknown, so
    /// nothing is moved.
    fn unknown(&mut self, args: &[Expr]) -> Ty {
        let states: Vec<Liveness> = self.env.iter().map(|b| b.state.clone()).collect();
        args.iter().for_each(|a| {
            self.infer(a);
        });
        for (b, state) in self.env.iter_mut().zip(states) {
            b.state = state;
        }
        self.unifier.fresh()
    }

    /// A use of a variable as a value: moves it when it is tracked.
    pub(super) fn use_binding(&mut self, i: usize, span: Span) -> Ty {
        let b = self.env[i].clone();
        if !b.tracked {
            return b.ty;
        }
        if i < self.barrier {
            if matches!(self.unifier.shallow(&b.ty), Ty::Session(_))
                || self.unifier.is_linear(&b.ty)
            {
                self.error(CheckError::RecordCapturesChannel { name: b.name, span });
            } else {
                self.drops.push((b.ty.clone(), span));
            }
            return b.ty;
        }
        match b.state {
            Liveness::Moved(at) => {
                if self.unifier.is_linear(&b.ty) {
                    self.used_after_move(b.name, span, at);
                } else {
                    self.drops.push((b.ty.clone(), span));
                }
            }
            Liveness::Live => self.env[i].state = Liveness::Moved(Gone::given(span)),
        }
        b.ty
    }

    /// When `arg` names a built-in service (in the wiring) that does not
    /// fit `wanted`: the hint that says what the service is, and which
    /// services have the wanted type.
    fn service_hint(&self, arg: &Expr, wanted: &Ty) -> Option<MismatchHint> {
        let name = match &arg.kind {
            ExprKind::Service(id) => services::entry(*id).name.to_string(),
            ExprKind::Args => "args".to_string(),
            _ => return None,
        };
        let protocol = self.show(&self.service_type_named(&name)?);
        let wanted = self.show(wanted);
        let fitting = services::REGISTRY
            .iter()
            .filter(|e| {
                self.service_type_named(e.name)
                    .is_some_and(|t| self.show(&t) == wanted)
            })
            .map(|e| e.name.to_string())
            .collect();
        Some(MismatchHint::Service {
            name,
            protocol,
            fitting,
        })
    }

    /// The type of the client's end of a connection to service `id`.
    fn service_type(&self, id: ServiceId) -> Ty {
        let entry = services::entry(id);
        let session = self.decls.service_session(&entry.protocol);
        session.map_or_else(Ty::unit, Ty::session)
    }

    fn service_type_named(&self, name: &str) -> Option<Ty> {
        if name == "args" {
            return Some(Ty::list(Ty::string()));
        }
        Some(self.service_type(services::by_name(name)?))
    }

    /// A constructor applied to arguments (or alone): its data type.
    fn ctor_value(&mut self, name: &str, args: &[Expr], span: Span) -> Ty {
        let Some((data, index)) = self.decls.ctors.get(name, self.layer) else {
            if self.globals.tag(name, self.layer).is_some() {
                self.error(CheckError::LabelAsValue {
                    label: name.to_string(),
                    span,
                });
            }
            args.iter().for_each(|a| {
                self.infer(a);
            });
            return self.unifier.fresh();
        };
        let decl = &self.decls.data[data as usize];
        let generics = decl.params.clone();
        let fields = decl.ctors[index].fields.clone();
        let map = self.instantiate(&generics);
        for (a, f) in args.iter().zip(&fields) {
            let t = self.infer(a);
            let want = self.inst_ty(f, &map);
            self.expect(&t, &want, a.span, &format!(" in an argument of `{name}`"));
        }
        let targs = generics.iter().map(|(n, _)| map[n].clone()).collect();
        Ty::con(Con::Data(data), targs)
    }

    /// A call of declaration `func` (a function or a process).
    fn call(&mut self, func: FuncId, args: &[Expr], span: Span) -> Ty {
        match self.declaration(func) {
            Some(i) => self.call_sig(i, args, span),
            None => self.unknown(args),
        }
    }

    /// A call of a function (channels are lent) or a process (channels are
    /// given away).
    fn call_sig(&mut self, id: usize, args: &[Expr], span: Span) -> Ty {
        let Some(sig) = self.sigs.get(id) else {
            return self.unifier.fresh();
        };
        let (name, generics, params, ret, exits, nonlinear, is_process) = (
            sig.name.clone(),
            sig.generics.clone(),
            sig.params.clone(),
            sig.ret.clone(),
            sig.exits.clone(),
            sig.nonlinear.clone(),
            sig.is_process,
        );
        let map = self.instantiate(&generics);
        // Arguments that are plain variables are handed over at the call,
        // after the others are evaluated: `P(c, c.get)` passes `c` in the
        // state after the `get`.
        let mut clashes = Vec::new();
        let is_var = |a: &Expr| match &a.kind {
            ExprKind::Local(_) | ExprKind::Service(_) | ExprKind::Args => true,
            ExprKind::Unknown { name, args } => args.is_empty() && !is_upper(name),
            _ => false,
        };
        let order = args
            .iter()
            .enumerate()
            .filter(|(_, a)| !is_var(a))
            .chain(args.iter().enumerate().filter(|(_, a)| is_var(a)));
        for (k, a) in order {
            let Some(p) = params.get(k) else { continue };
            let want = self.inst_ty(p, &map);
            let exit = exits
                .get(k)
                .map(|e| self.inst_exit(e, &map))
                .unwrap_or(Exit::Value);
            if !is_process && exit != Exit::Value {
                self.lend(a, &want, exit, &name);
                continue;
            }
            let t = self.infer(a);
            let context = format!(" in argument {} of `{name}`", k + 1);
            if let Some(error) = self.type_mismatch(&t, &want, a.span, &context) {
                let error = error.with_hint(self.service_hint(a, &want));
                clashes.push(Clash {
                    position: k,
                    found: t,
                    wanted: want,
                    span: a.span,
                    error,
                });
            }
        }
        self.report_clashes(&name, clashes);
        for g in &nonlinear {
            if let Some(t) = map.get(g)
                && self.unifier.is_linear(t)
            {
                let found = self.show(t);
                self.error(CheckError::LinearArgument {
                    function: name.clone(),
                    var: g.to_string(),
                    found,
                    span,
                });
            }
        }
        self.inst_ty(&ret, &map)
    }

    /// Reports the arguments of a call to `function` that did not fit: as
    /// one swap when there are exactly two and each has the other's type
    /// (concretely: no unknowns), else one mismatch each.
    fn report_clashes(&mut self, function: &str, mut clashes: Vec<Clash>) {
        if let [a, b] = clashes.as_slice() {
            let shown = |me: &Self, t: &Ty| {
                let t = me.unifier.resolve(t);
                let mut vars = Vec::new();
                me.unifier.free_vars(&t, &mut vars);
                vars.is_empty().then(|| me.show(&t))
            };
            let (a_found, b_found) = (shown(self, &a.found), shown(self, &b.found));
            let (a_wanted, b_wanted) = (shown(self, &a.wanted), shown(self, &b.wanted));
            if a_found.is_some() && a_found == b_wanted && b_found.is_some() && b_found == a_wanted
            {
                let (first, second) = if a.position < b.position {
                    (a, b)
                } else {
                    (b, a)
                };
                let error = CheckError::SwappedArguments {
                    function: function.to_string(),
                    first: first.position + 1,
                    second: second.position + 1,
                    first_type: self.show(&first.wanted),
                    second_type: self.show(&second.wanted),
                    span: first.span,
                    other: second.span,
                };
                self.error(error);
                return;
            }
        }
        clashes.sort_by_key(|c| c.position);
        for clash in clashes {
            self.error(clash.error);
        }
    }

    fn builtin(&mut self, op: Builtin, args: &[Expr], site: u32, span: Span) -> Ty {
        let (param, ret) = match op {
            Builtin::Show => {
                let t = args.first().map(|a| self.infer(a)).unwrap_or_else(Ty::unit);
                self.shows.push(((self.frame.id, site), t.clone()));
                if self.unifier.is_linear(&t) {
                    let found = self.show(&t);
                    self.error(CheckError::TypeMismatch {
                        expected: "a value without channels".into(),
                        found,
                        span,
                        context: " in `show`".into(),
                        hint: None,
                    });
                }
                return Ty::string();
            }
            Builtin::IntToFloat => (Ty::int(), Ty::simple(Con::Float)),
            Builtin::FloatToInt => (Ty::simple(Con::Float), Ty::int()),
            Builtin::FloatToByteClipped => (Ty::simple(Con::Float), Ty::simple(Con::Byte)),
            Builtin::ByteToInt => (Ty::simple(Con::Byte), Ty::int()),
            Builtin::IntToByte => (Ty::int(), Ty::simple(Con::Byte)),
            Builtin::CharToInt => (Ty::simple(Con::Char), Ty::int()),
            Builtin::IntToChar => (Ty::int(), Ty::simple(Con::Char)),
            Builtin::BytesToString => (Ty::list(Ty::simple(Con::Byte)), Ty::string()),
            Builtin::StringToBytes => (Ty::string(), Ty::list(Ty::simple(Con::Byte))),
        };
        if let Some(a) = args.first() {
            let t = self.infer(a);
            self.expect(&t, &param, a.span, " in the argument");
        }
        ret
    }

    fn binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr) -> Ty {
        let lt = self.infer(lhs);
        let rt = self.infer(rhs);
        match op {
            BinOp::Or | BinOp::And => {
                self.expect(&lt, &Ty::bool(), lhs.span, " (`&&` and `||` take Bool)");
                self.expect(&rt, &Ty::bool(), rhs.span, " (`&&` and `||` take Bool)");
                Ty::bool()
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.expect(&rt, &lt, rhs.span, " in this comparison");
                if self.unifier.is_linear(&lt) {
                    let found = self.show(&lt);
                    self.error(CheckError::TypeMismatch {
                        expected: "a value without channels".into(),
                        found,
                        span: lhs.span,
                        context: " in a comparison".into(),
                        hint: None,
                    });
                } else if self.unifier.maybe_linear(&lt) {
                    self.drops.push((lt.clone(), lhs.span));
                }
                Ty::bool()
            }
            BinOp::Cons => {
                self.expect(
                    &rt,
                    &Ty::list(lt.clone()),
                    rhs.span,
                    " (the right of `:` is a list of the left's type)",
                );
                Ty::list(lt)
            }
            BinOp::Append => {
                let elem = self.unifier.fresh();
                self.expect(
                    &lt,
                    &Ty::list(elem.clone()),
                    lhs.span,
                    " (`++` joins lists)",
                );
                self.expect(
                    &rt,
                    &Ty::list(elem.clone()),
                    rhs.span,
                    " (`++` joins lists)",
                );
                Ty::list(elem)
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                if !self.numeric(&lt, lhs.span, &[Con::Int, Con::Float, Con::Byte]) {
                    // Reported once: the value of this operation is not
                    // known either (so `a + " " + b` is one mistake).
                    return self.unifier.fresh();
                }
                self.expect(
                    &rt,
                    &lt,
                    rhs.span,
                    &format!(" (both sides of `{}` have one type)", op.symbol()),
                );
                lt
            }
            BinOp::BitOr | BinOp::BitXor | BinOp::BitAnd | BinOp::Shl | BinOp::Shr => {
                self.numeric(&lt, lhs.span, &[Con::Int, Con::Byte]);
                self.expect(
                    &rt,
                    &lt,
                    rhs.span,
                    &format!(" (both sides of `{}` have one type)", op.symbol()),
                );
                lt
            }
        }
    }

    /// A number type, one of `allowed` (an unknown one becomes `Int`
    /// only when used so).
    fn numeric(&mut self, t: &Ty, span: Span, allowed: &[Con]) -> bool {
        match self.unifier.shallow(t) {
            Ty::Var(_) => true,
            Ty::Con(c, _) if allowed.contains(&c) => true,
            other => {
                let found = self.show(&other);
                let expected = if allowed.contains(&Con::Float) {
                    "Int or Float"
                } else {
                    "Int"
                };
                let hint = (other == Ty::string()).then_some(MismatchHint::JoinStrings);
                self.error(CheckError::TypeMismatch {
                    expected: expected.into(),
                    found,
                    span,
                    context: " (arithmetic works on numbers)".into(),
                    hint,
                });
                false
            }
        }
    }

    fn unary(&mut self, op: UnOp, operand: &Expr) -> Ty {
        let t = self.infer(operand);
        match op {
            UnOp::Neg => {
                self.numeric(&t, operand.span, &[Con::Int, Con::Float]);
                t
            }
            UnOp::Not => {
                self.expect(&t, &Ty::bool(), operand.span, " (`!` takes Bool)");
                Ty::bool()
            }
        }
    }

    fn dtor(&mut self, receiver: &Expr, name: &Spanned<String>, args: &[Expr]) -> Ty {
        let rt = self.infer(receiver);
        let (codata, targs) = match self.unifier.shallow(&rt) {
            Ty::Con(Con::Codata(id), targs) => (id, targs.to_vec()),
            Ty::Var(_) => {
                let owners: Vec<u32> = (0..self.decls.codata.len() as u32)
                    .filter(|id| {
                        self.decls.codata[*id as usize]
                            .dtors
                            .iter()
                            .any(|d| d.name == name.node)
                    })
                    .collect();
                let [only] = owners[..] else {
                    self.error(CheckError::AmbiguousDestructor {
                        name: name.node.clone(),
                        span: name.span,
                    });
                    return self.unifier.fresh();
                };
                let n = self.decls.codata[only as usize].params.len();
                let targs: Vec<Ty> = (0..n).map(|_| self.unifier.fresh()).collect();
                let _ = self
                    .unifier
                    .unify(&rt, &Ty::con(Con::Codata(only), targs.clone()));
                (only, targs)
            }
            other => {
                let found = self.show(&other);
                self.error(CheckError::TypeMismatch {
                    expected: "a codata value".into(),
                    found,
                    span: receiver.span,
                    context: format!(" (`.{}()` is a destructor call)", name.node),
                    hint: None,
                });
                return self.unifier.fresh();
            }
        };
        let decl = &self.decls.codata[codata as usize];
        let Some(d) = decl.dtors.iter().find(|d| d.name == name.node) else {
            self.error(CheckError::UnknownDestructor {
                name: name.node.clone(),
                span: name.span,
            });
            return self.unifier.fresh();
        };
        let map = decl
            .params
            .iter()
            .map(|(n, _)| n.clone())
            .zip(targs)
            .collect();
        let (params, ret) = (d.params.clone(), d.ret.clone());
        for (a, p) in args.iter().zip(&params) {
            let t = self.infer(a);
            let want = self.inst_ty(p, &map);
            self.expect(
                &t,
                &want,
                a.span,
                &format!(" in an argument of `.{}()`", name.node),
            );
        }
        self.inst_ty(&ret, &map)
    }

    /// A record: each method (a function of its own, in `methods`) is
    /// checked where it is written, its captured slots (`captures` of
    /// this frame) standing for the bindings around the record, which it
    /// may not use up (`barrier`).
    fn record(&mut self, codata: &Spanned<ast::Type>, methods: &[FuncId], captures: &[Slot]) -> Ty {
        let t = match self.record_without_arguments(codata) {
            Some(t) => t,
            None => self.body_type(codata),
        };
        let Ty::Con(Con::Codata(id), targs) = self.unifier.shallow(&t) else {
            return t;
        };
        let decl = &self.decls.codata[id as usize];
        let map: std::collections::HashMap<Rc<str>, Ty> = decl
            .params
            .iter()
            .map(|(n, _)| n.clone())
            .zip(targs.iter().cloned())
            .collect();
        let dtors: Vec<_> = decl
            .dtors
            .iter()
            .map(|d| (d.name.clone(), d.params.clone(), d.ret.clone()))
            .collect();
        let saved = (self.barrier, self.ended);
        self.barrier = self.env.len();
        for m in methods {
            let Some((run, k)) = self.bodies.find(*m) else {
                continue;
            };
            let f = &run[k];
            let Some((_, params, ret)) = dtors.iter().find(|(n, ..)| **n == *f.name) else {
                continue;
            };
            let outer = self.enter_closure(*m, f, captures);
            for (patterns, body) in clauses(f) {
                self.push_scope();
                let wanted: Vec<Ty> = params.iter().map(|p| self.inst_ty(p, &map)).collect();
                self.method_params(f, &patterns, &wanted);
                let body_t = self.infer(body);
                let want = self.inst_ty(ret, &map);
                let context = format!(" in the body of `{}`", f.name);
                self.expect(&body_t, &want, body.span, &context);
                self.pop_scope(end_span(body.span));
                self.ended = false;
            }
            self.frame = outer;
        }
        (self.barrier, self.ended) = saved;
        t
    }

    /// Starts checking closure `f` (a record method or fork arm) inside
    /// the current function, whose slots `captures` it captures. Returns
    /// the current function's frame, to restore after.
    pub(super) fn enter_closure(
        &mut self,
        id: FuncId,
        f: &ir::Function,
        captures: &[Slot],
    ) -> Frame {
        let mut frame = Frame::of(id, f);
        for (k, outer) in captures.iter().enumerate() {
            if let Some(s) = frame.slots.get_mut(k) {
                *s = self.find(*outer);
            }
        }
        std::mem::replace(&mut self.frame, frame)
    }

    /// A method's parameters, of types `wanted` (the destructor's): each
    /// type written on one must be that type.
    fn method_params(&mut self, f: &ir::Function, patterns: &[ParamPattern<'_>], wanted: &[Ty]) {
        for (k, want) in wanted.iter().enumerate() {
            if let Some(Some(ann)) = f.param_types.get(k) {
                let given = self.body_type(ann);
                self.expect(&given, want, ann.span, " in this destructor's parameter");
            }
        }
        self.bind_params(f, patterns, wanted, false);
    }

    /// `record Stream { .. }` for a generic codata type: its type
    /// arguments are inferred (`docs/decisions.md`).
    fn record_without_arguments(&mut self, codata: &Spanned<ast::Type>) -> Option<Ty> {
        let ast::Type::Named { name, args } = &codata.node else {
            return None;
        };
        let Some(crate::check::decls::TypeName::Codata(id)) =
            self.decls.types.get(&name.node, self.layer)
        else {
            return None;
        };
        let n = self.decls.codata[id as usize].params.len();
        if !args.is_empty() || n == 0 {
            return None;
        }
        let targs = (0..n).map(|_| self.unifier.fresh()).collect();
        Some(Ty::con(Con::Codata(id), targs))
    }

    // -----------------------------------------------------------------------
    // Patterns

    /// Checks a pattern against the type of the value it matches, binding
    /// its names.
    pub(in crate::check) fn pattern(&mut self, p: &Pattern, ty: &Ty) {
        match &p.kind {
            PatternKind::Wild => self.wild(ty, p.span),
            PatternKind::Bind(slot) => self.bind(*slot, ty.clone(), p.span),
            PatternKind::Lit(l) => self.lit_pattern(ty, lit_type(l), p.span),
            PatternKind::Tuple(ps) => {
                let ts: Vec<Ty> = ps.iter().map(|_| self.unifier.fresh()).collect();
                self.lit_pattern(ty, Ty::con(Con::Tuple, ts.clone()), p.span);
                for (q, t) in ps.iter().zip(&ts) {
                    self.pattern(q, t);
                }
            }
            PatternKind::Nil => {
                let elem = self.unifier.fresh();
                self.lit_pattern(ty, Ty::list(elem), p.span);
            }
            PatternKind::List(ps) => {
                let elem = self.unifier.fresh();
                self.lit_pattern(ty, Ty::list(elem.clone()), p.span);
                for q in ps {
                    self.pattern(q, &elem);
                }
            }
            PatternKind::Cons(h, t) => {
                let elem = self.unifier.fresh();
                self.lit_pattern(ty, Ty::list(elem.clone()), p.span);
                self.pattern(h, &elem);
                self.pattern(t, &Ty::list(elem));
            }
            PatternKind::Ctor { tag, args } => {
                let name = self.tag_name(*tag).to_string();
                self.ctor_pattern(&name, args, ty, p.span)
            }
            // Already reported; the names inside stay unbound.
            PatternKind::Unknown { .. } => {}
        }
    }

    /// `_` (or a parameter not named): a value of type `ty` dropped.
    pub(super) fn wild(&mut self, ty: &Ty, span: Span) {
        if self.unifier.is_linear(ty) {
            self.error(CheckError::LinearValueDropped {
                name: "_".into(),
                span,
                declared: span,
            });
        } else if self.unifier.maybe_linear(ty) && !matches!(self.unifier.shallow(ty), Ty::Var(_)) {
            self.drops.push((ty.clone(), span));
        }
    }

    fn lit_pattern(&mut self, scrutinee: &Ty, pattern_ty: Ty, span: Span) {
        if self.unifier.unify(scrutinee, &pattern_ty).is_err() {
            let (expected, found) = (self.show(scrutinee), self.show(&pattern_ty));
            self.error(CheckError::TypeMismatch {
                expected,
                found,
                span,
                context: " (this pattern cannot match the value)".into(),
                hint: None,
            });
        }
    }

    fn ctor_pattern(&mut self, name: &str, args: &[Pattern], ty: &Ty, span: Span) {
        let Some((data, index)) = self.decls.ctors.get(name, self.layer) else {
            if self.globals.tag(name, self.layer).is_some() {
                self.error(CheckError::LabelAsValue {
                    label: name.to_string(),
                    span,
                });
            }
            return;
        };
        let decl = &self.decls.data[data as usize];
        let generics = decl.params.clone();
        let fields = decl.ctors[index].fields.clone();
        let map = self.instantiate(&generics);
        let targs = generics.iter().map(|(n, _)| map[n].clone()).collect();
        self.lit_pattern(ty, Ty::con(Con::Data(data), targs), span);
        for (q, f) in args.iter().zip(&fields) {
            let ft = self.inst_ty(f, &map);
            self.pattern(q, &ft);
        }
    }
}

/// The type of a literal.
fn lit_type(l: &Lit) -> Ty {
    match l {
        Lit::Int(_) => Ty::int(),
        Lit::Float(_) => Ty::simple(Con::Float),
        Lit::Char(_) => Ty::simple(Con::Char),
        Lit::Str(_) => Ty::string(),
        Lit::Bool(_) => Ty::bool(),
        Lit::Unit => Ty::unit(),
    }
}

/// Whether a name starts with an upper-case letter (a constructor or a
/// label).
pub(super) fn is_upper(name: &str) -> bool {
    name.starts_with(|c: char| c.is_uppercase())
}

/// An argument of a call that does not fit its parameter (see
/// `report_clashes`).
struct Clash {
    position: usize,
    found: Ty,
    wanted: Ty,
    span: Span,
    error: CheckError,
}
