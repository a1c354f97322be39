//! Expressions, statements, blocks and patterns: the sequential part of
//! the type checker, and the moves that make linear values linear.

use super::{Binding, Exit, Gone, Infer, Liveness, end_span};
use crate::check::errors::{CheckError, MismatchHint};
use crate::check::types::{Con, Session, Ty};
use crate::check::walk;
use crate::ir::Builtin;
use crate::services;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, BinOp, Expr, Pattern, Stmt, UnOp};
use std::rc::Rc;

impl Infer<'_, '_> {
    // -----------------------------------------------------------------------
    // Blocks and statements

    pub(in crate::check) fn block(&mut self, b: &ast::Block, span: Span) -> Ty {
        self.push_scope();
        self.bind_implicit_channels(b.stmts.iter(), b.tail.as_deref(), walk::BlockKind::Body);
        for s in &b.stmts {
            if self.ended {
                let what = "the end of this process".to_string();
                self.error(CheckError::AfterEnd { span: s.span, what });
                break;
            }
            self.stmt(s);
        }
        let t = match &b.tail {
            Some(e) if !self.ended => self.infer(e),
            _ => Ty::unit(),
        };
        self.pop_scope(end_span(span));
        t
    }

    pub(super) fn bind_implicit_channels<'s>(
        &mut self,
        stmts: impl Iterator<Item = &'s Spanned<Stmt>>,
        tail: Option<&Spanned<Expr>>,
        kind: walk::BlockKind,
    ) {
        let env = &self.env;
        let wiring = self.wiring;
        let in_scope = |n: &str| {
            env.iter().any(|x| x.name == n)
                || (wiring && (services::by_name(n).is_some() || n == "args"))
        };
        let (globals, layer) = (self.globals, self.layer);
        let is_process = |n: &str| globals.callable(n, layer).is_some_and(|c| c.is_process);
        let names = walk::implicit_channels(stmts, tail, &in_scope, &is_process, kind);
        for (name, span) in names {
            let var = self.unifier.fresh();
            self.channel_sites.push((
                span,
                Session::Var {
                    ty: var.clone(),
                    neg: false,
                },
            ));
            let end = Ty::session(Session::Var {
                ty: var.clone(),
                neg: false,
            });
            let dual = Ty::session(Session::Var { ty: var, neg: true });
            self.bind(&name, end, span);
            self.bind(&format!("~{name}"), dual, span);
        }
    }

    pub(super) fn stmt(&mut self, s: &Spanned<Stmt>) {
        match &s.node {
            Stmt::Let { pattern, ty, value } => {
                let t = self.infer(value);
                if let Some(ann) = ty {
                    let want = self.body_type(ann);
                    self.expect(&t, &want, value.span, " in this definition");
                }
                self.pattern(pattern, &t);
            }
            Stmt::Channel { ty, name } => {
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
                self.channel_sites.push((name.span, s0.clone()));
                let dual = crate::check::types::dual(&s0);
                self.bind(&name.node, Ty::session(s0), name.span);
                self.bind(&format!("~{}", name.node), Ty::session(dual), name.span);
            }
            Stmt::Expr(e) => self.expr_stmt(e),
            Stmt::Forward(a, b) => self.forward(a, b, s.span),
            Stmt::Halt => {
                self.end_process(s.span);
            }
            Stmt::Fork { channel, arms } => self.fork(channel, arms, s.span),
            Stmt::Split { channel, names } => self.split(channel, names, s.span),
        }
    }

    fn expr_stmt(&mut self, e: &Spanned<Expr>) {
        let t = self.infer(e);
        if matches!(e.node, Expr::Put { .. } | Expr::Close(_)) {
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

    pub(in crate::check) fn infer(&mut self, e: &Spanned<Expr>) -> Ty {
        match &e.node {
            Expr::Int(_) => Ty::int(),
            Expr::Float(_) => Ty::simple(Con::Float),
            Expr::Char(_) => Ty::simple(Con::Char),
            Expr::Str(_) => Ty::string(),
            Expr::Bool(_) => Ty::bool(),
            Expr::Unit => Ty::unit(),
            Expr::Var(name) => self.var(name, e.span),
            Expr::Dual(name) => self.var(&format!("~{}", name.node), e.span),
            Expr::Ctor(name) => self.ctor_value(name, &[], e.span),
            Expr::Call { callee, args } => self.call(callee, args, e.span),
            Expr::Tuple(items) => {
                let ts = items.iter().map(|x| self.infer(x)).collect();
                Ty::con(Con::Tuple, ts)
            }
            Expr::List(items) => {
                let elem = self.unifier.fresh();
                for x in items {
                    let t = self.infer(x);
                    self.expect(&t, &elem, x.span, " in this list");
                }
                Ty::list(elem)
            }
            Expr::Binary { op, lhs, rhs } => self.binary(op.node, lhs, rhs),
            Expr::Unary { op, operand } => self.unary(op.node, operand),
            Expr::Index {
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
            Expr::Dtor {
                receiver,
                name,
                args,
            } => self.dtor(receiver, name, args),
            Expr::Put { channel, value } => {
                self.put(channel, value, e.span);
                Ty::unit()
            }
            Expr::Get(c) => self.get(c, e.span),
            Expr::Close(c) => {
                self.close(c, e.span);
                Ty::unit()
            }
            Expr::If { cond, then, else_ } => self.if_expr(cond, then, else_.as_deref(), e.span),
            Expr::Switch { scrutinee, cases } => self.switch(scrutinee, cases, e.span),
            Expr::Race(cases) => self.race(cases, e.span),
            Expr::Block(b) => self.block(b, e.span),
            Expr::Record { codata, methods } => self.record(codata, methods),
        }
    }

    fn var(&mut self, name: &str, span: Span) -> Ty {
        let Some(i) = self.find(name) else {
            if self.wiring
                && let Some(t) = self.service_type(name)
            {
                return t;
            }
            return self.unifier.fresh();
        };
        self.use_binding(i, span)
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
    fn service_hint(&self, arg: &Spanned<Expr>, wanted: &Ty) -> Option<MismatchHint> {
        let Expr::Var(name) = &arg.node else {
            return None;
        };
        if !self.wiring || self.find(name).is_some() {
            return None;
        }
        let protocol = self.show(&self.service_type(name)?);
        let wanted = self.show(wanted);
        let fitting = services::REGISTRY
            .iter()
            .filter(|e| {
                self.service_type(e.name)
                    .is_some_and(|t| self.show(&t) == wanted)
            })
            .map(|e| e.name.to_string())
            .collect();
        Some(MismatchHint::Service {
            name: name.clone(),
            protocol,
            fitting,
        })
    }

    fn service_type(&self, name: &str) -> Option<Ty> {
        if name == "args" {
            return Some(Ty::list(Ty::string()));
        }
        let entry = services::entry(services::by_name(name)?);
        let session = self.decls.service_session(&entry.protocol);
        Some(session.map_or_else(Ty::unit, Ty::session))
    }

    /// A constructor applied to arguments (or alone): its data type.
    fn ctor_value(&mut self, name: &str, args: &[Spanned<Expr>], span: Span) -> Ty {
        if let Some(t) = self.list_ctor(name, args, span) {
            return t;
        }
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

    /// `Nil` and `Cons(x, xs)` are the built-in list's constructors unless
    /// the program declares its own.
    fn list_ctor(&mut self, name: &str, args: &[Spanned<Expr>], span: Span) -> Option<Ty> {
        if !self.builtin_list_ctor(name) {
            return None;
        }
        let elem = self.unifier.fresh();
        let list = Ty::list(elem.clone());
        if name == "Cons"
            && let [h, t] = args
        {
            let ht = self.infer(h);
            self.expect(&ht, &elem, h.span, " in the head of `Cons`");
            let tt = self.infer(t);
            self.expect(&tt, &list, t.span, " in the tail of `Cons`");
        }
        let _ = span;
        Some(list)
    }

    /// `Nil` and `Cons` are the built-in list's unless a constructor of
    /// that name is declared (as `resolve` and `exhaustive` decide too).
    pub(super) fn builtin_list_ctor(&self, name: &str) -> bool {
        (name == "Nil" || name == "Cons") && self.decls.ctors.get(name, self.layer).is_none()
    }

    fn call(&mut self, callee: &ast::Ident, args: &[Spanned<Expr>], span: Span) -> Ty {
        let name = callee.node.as_str();
        if let Some(c) = self.globals.callable(name, self.layer) {
            return self.call_sig(c.id as usize, args, span);
        }
        if let Some((op, _)) = Builtin::by_name(name) {
            return self.builtin(op, args, span);
        }
        if name.starts_with(|c: char| c.is_uppercase()) {
            return self.ctor_value(name, args, span);
        }
        // An unknown function (already reported): its arguments are looked
        // at, but what it does to them is unknown, so nothing is moved.
        let states: Vec<Liveness> = self.env.iter().map(|b| b.state.clone()).collect();
        args.iter().for_each(|a| {
            self.infer(a);
        });
        for (b, state) in self.env.iter_mut().zip(states) {
            b.state = state;
        }
        self.unifier.fresh()
    }

    /// A call of a function (channels are lent) or a process (channels are
    /// given away).
    fn call_sig(&mut self, id: usize, args: &[Spanned<Expr>], span: Span) -> Ty {
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
        let is_var = |a: &Spanned<Expr>| matches!(a.node, Expr::Var(_) | Expr::Dual(_));
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

    fn builtin(&mut self, op: Builtin, args: &[Spanned<Expr>], span: Span) -> Ty {
        let (param, ret) = match op {
            Builtin::Show => {
                let t = args.first().map(|a| self.infer(a)).unwrap_or_else(Ty::unit);
                self.shows.push((span, t.clone()));
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

    fn binary(&mut self, op: BinOp, lhs: &Spanned<Expr>, rhs: &Spanned<Expr>) -> Ty {
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

    fn unary(&mut self, op: UnOp, operand: &Spanned<Expr>) -> Ty {
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

    fn dtor(&mut self, receiver: &Spanned<Expr>, name: &ast::Ident, args: &[Spanned<Expr>]) -> Ty {
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

    fn record(&mut self, codata: &Spanned<ast::Type>, methods: &[Spanned<ast::Method>]) -> Ty {
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
            let Some((_, params, ret)) = dtors.iter().find(|(n, ..)| *n == m.node.name.node) else {
                continue;
            };
            self.push_scope();
            for (p, pt) in m.node.params.iter().zip(params) {
                let want = self.inst_ty(pt, &map);
                if let Some(ann) = &p.node.ty {
                    let given = self.body_type(ann);
                    self.expect(&given, &want, ann.span, " in this destructor's parameter");
                }
                self.pattern(&p.node.pattern, &want);
            }
            let body_t = self.block(&m.node.body.node, m.node.body.span);
            let want = self.inst_ty(ret, &map);
            self.expect(
                &body_t,
                &want,
                m.node.body.span,
                &format!(" in the body of `{}`", m.node.name.node),
            );
            self.pop_scope(end_span(m.node.body.span));
            self.ended = false;
        }
        (self.barrier, self.ended) = saved;
        t
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
    pub(in crate::check) fn pattern(&mut self, p: &Spanned<Pattern>, ty: &Ty) {
        match &p.node {
            Pattern::Wild => {
                if self.unifier.is_linear(ty) {
                    self.error(CheckError::LinearValueDropped {
                        name: "_".into(),
                        span: p.span,
                        declared: p.span,
                    });
                } else if self.unifier.maybe_linear(ty)
                    && !matches!(self.unifier.shallow(ty), Ty::Var(_))
                {
                    self.drops.push((ty.clone(), p.span));
                }
            }
            Pattern::Var(name) => self.bind(name, ty.clone(), p.span),
            Pattern::Int(_) => self.lit_pattern(ty, Ty::int(), p.span),
            Pattern::Float(_) => self.lit_pattern(ty, Ty::simple(Con::Float), p.span),
            Pattern::Char(_) => self.lit_pattern(ty, Ty::simple(Con::Char), p.span),
            Pattern::Str(_) => self.lit_pattern(ty, Ty::string(), p.span),
            Pattern::Bool(_) => self.lit_pattern(ty, Ty::bool(), p.span),
            Pattern::Unit => self.lit_pattern(ty, Ty::unit(), p.span),
            Pattern::Tuple(ps) => {
                let ts: Vec<Ty> = ps.iter().map(|_| self.unifier.fresh()).collect();
                self.lit_pattern(ty, Ty::con(Con::Tuple, ts.clone()), p.span);
                for (q, t) in ps.iter().zip(&ts) {
                    self.pattern(q, t);
                }
            }
            Pattern::List(ps) => {
                let elem = self.unifier.fresh();
                self.lit_pattern(ty, Ty::list(elem.clone()), p.span);
                for q in ps {
                    self.pattern(q, &elem);
                }
            }
            Pattern::Cons(h, t) => {
                let elem = self.unifier.fresh();
                self.lit_pattern(ty, Ty::list(elem.clone()), p.span);
                self.pattern(h, &elem);
                self.pattern(t, &Ty::list(elem));
            }
            Pattern::Ctor { name, args } => self.ctor_pattern(name, args, ty, p.span),
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

    fn ctor_pattern(&mut self, name: &ast::Ident, args: &[Spanned<Pattern>], ty: &Ty, span: Span) {
        if self.builtin_list_ctor(&name.node) {
            let elem = self.unifier.fresh();
            self.lit_pattern(ty, Ty::list(elem.clone()), span);
            if let [h, t] = args {
                self.pattern(h, &elem);
                self.pattern(t, &Ty::list(elem));
            }
            return;
        }
        let Some((data, index)) = self.decls.ctors.get(&name.node, self.layer) else {
            if self.globals.tag(&name.node, self.layer).is_some() {
                self.error(CheckError::LabelAsValue {
                    label: name.node.clone(),
                    span: name.span,
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

/// An argument of a call that does not fit its parameter (see
/// `report_clashes`).
struct Clash {
    position: usize,
    found: Ty,
    wanted: Ty,
    span: Span,
    error: CheckError,
}
