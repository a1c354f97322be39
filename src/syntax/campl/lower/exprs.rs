//! CaMPL's sequential part as ours: functions (typed, untyped, and the
//! local ones of `let`, lifted to the top with the variables they use
//! as extra first arguments), expressions and patterns.

use super::Lower;
use super::build::{call, sp, value_block, var};
use crate::source::{Span, Spanned};
use crate::syntax::ast::PRELUDE_QUALIFIER;
use crate::syntax::ast::{self, BinOp, Expr};
use crate::syntax::campl::tree::{self, FunPhrase, Pattern};

/// The built-in infix operators (CaMPL's spelling) as ours.
fn builtin_op(op: &str) -> Option<BinOp> {
    Some(match op {
        "==" => BinOp::Eq,
        "/=" => BinOp::Ne,
        "<" => BinOp::Lt,
        ">" => BinOp::Gt,
        "<=" => BinOp::Le,
        ">=" => BinOp::Ge,
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "++" => BinOp::Append,
        "&&" => BinOp::And,
        "||" => BinOp::Or,
        ":" => BinOp::Cons,
        _ => return None,
    })
}

/// Every lower-case name a phrase mentions (an over-approximation of
/// the variables it uses; only those in scope are captured).
pub(super) fn mentioned_names(e: &tree::Expr, out: &mut Vec<String>) {
    use tree::Expr::*;
    let each = |es: &[Spanned<tree::Expr>], out: &mut Vec<String>| {
        es.iter().for_each(|x| mentioned_names(&x.node, out))
    };
    match e {
        Var(n) => out.push(n.clone()),
        Call { name, args, .. } => {
            out.push(name.node.clone());
            each(args, out);
        }
        List(xs) | Tuple(xs) => each(xs, out),
        Upper { args, .. } => each(args.as_deref().unwrap_or(&[]), out),
        Infix { op, lhs, rhs } => {
            out.push(op.node.clone());
            mentioned_names(&lhs.node, out);
            mentioned_names(&rhs.node, out);
        }
        If(a, b, c) => [a, b, c].iter().for_each(|x| mentioned_names(&x.node, out)),
        Let(defns, body) => {
            for d in defns {
                if let tree::Defn::Fun(f) = d {
                    f.phrases
                        .iter()
                        .for_each(|p| mentioned_names(&p.node.body.node, out));
                }
            }
            mentioned_names(&body.node, out);
        }
        Case(s, phrases) => {
            mentioned_names(&s.node, out);
            phrases
                .iter()
                .for_each(|p| mentioned_names(&p.node.body.node, out));
        }
        Switch(arms) => arms.iter().for_each(|(c, b)| {
            mentioned_names(&c.node, out);
            mentioned_names(&b.node, out);
        }),
        Record(fields) => fields
            .iter()
            .for_each(|(_, p)| mentioned_names(&p.node.body.node, out)),
        Fold(e, phrases) => {
            mentioned_names(&e.node, out);
            phrases
                .iter()
                .for_each(|p| mentioned_names(&p.body.node, out));
        }
        Unfold(e, phrases) => {
            mentioned_names(&e.node, out);
            phrases
                .iter()
                .flat_map(|p| &p.dtors)
                .for_each(|p| mentioned_names(&p.body.node, out));
        }
        Int(_) | Double(_) | Char(_) | Str(_) | Unit | Store(_) => {}
    }
}

/// The names a pattern binds.
pub(super) fn pattern_binders(p: &Pattern, out: &mut Vec<String>) {
    match p {
        Pattern::Var(n) => out.push(n.clone()),
        Pattern::Ctor { args, .. } | Pattern::List(args) | Pattern::Tuple(args) => {
            args.iter().for_each(|a| pattern_binders(&a.node, out))
        }
        Pattern::Record(fields) => fields
            .iter()
            .for_each(|(_, a)| pattern_binders(&a.node, out)),
        Pattern::Cons(h, t) => {
            pattern_binders(&h.node, out);
            pattern_binders(&t.node, out);
        }
        Pattern::Wild | Pattern::Int(_) | Pattern::Char(_) | Pattern::Str(_) | Pattern::Unit => {}
    }
}

impl Lower<'_> {
    /// A function declaration; `captures` are the variables a lifted local
    /// function takes first.
    pub(super) fn fun_decl(
        &mut self,
        f: &tree::Fun,
        name: &str,
        captures: &[String],
    ) -> ast::FunctionDecl {
        let span = f.name.span;
        let saved = self.locals.len();
        self.locals.extend(captures.iter().cloned());
        let capture_params: Vec<_> = captures
            .iter()
            .map(|c| super::build::param(c, span))
            .collect();
        let (ret, clauses) = match &f.ty {
            Some((args, ret)) => {
                let types: Vec<_> = args.iter().map(|a| self.seq_type(a)).collect();
                let ret = self.seq_type(ret);
                (Some(ret), vec![self.typed_clause(f, types, capture_params)])
            }
            None => {
                let clauses = f
                    .phrases
                    .iter()
                    .map(|p| self.untyped_clause(p, &capture_params))
                    .collect();
                (None, clauses)
            }
        };
        self.locals.truncate(saved);
        ast::FunctionDecl {
            doc: None,
            name: sp(name.to_string(), span),
            ret,
            clauses,
        }
    }

    fn untyped_clause(
        &mut self,
        p: &Spanned<FunPhrase>,
        captures: &[Spanned<ast::Param>],
    ) -> Spanned<ast::Clause> {
        let saved = self.locals.len();
        let mut params = captures.to_vec();
        for pat in &p.node.patterns {
            let mut names = Vec::new();
            pattern_binders(&pat.node, &mut names);
            self.locals.extend(names);
            let pattern = self.pattern(pat);
            params.push(sp(
                ast::Param {
                    ty: None,
                    pattern,
                    fold_by: false,
                },
                pat.span,
            ));
        }
        let body = self.phrase_body(&p.node.body);
        self.locals.truncate(saved);
        sp(ast::Clause { params, body }, p.span)
    }

    /// A typed function: parameters `x0, x1, ...` of the written types,
    /// and a body that matches them against each phrase in turn (or the
    /// phrase itself, when it only names its arguments).
    fn typed_clause(
        &mut self,
        f: &tree::Fun,
        types: Vec<Spanned<ast::Type>>,
        mut params: Vec<Spanned<ast::Param>>,
    ) -> Spanned<ast::Clause> {
        let span = f.name.span;
        let simple = match f.phrases.as_slice() {
            [one] => one
                .node
                .patterns
                .iter()
                .all(|p| matches!(p.node, Pattern::Var(_) | Pattern::Wild)),
            _ => false,
        };
        if simple {
            let phrase = &f.phrases[0];
            let saved = self.locals.len();
            for (i, (pat, ty)) in phrase.node.patterns.iter().zip(types).enumerate() {
                let name = match &pat.node {
                    Pattern::Var(n) => n.clone(),
                    _ => format!("_{i}"),
                };
                self.locals.push(name.clone());
                params.push(super::build::typed_param(&name, Some(ty), pat.span));
            }
            let body = self.phrase_body(&phrase.node.body);
            self.locals.truncate(saved);
            return sp(ast::Clause { params, body }, phrase.span);
        }
        let arity = types.len();
        let names: Vec<String> = (0..arity).map(|i| format!("arg{i}")).collect();
        for (n, ty) in names.iter().zip(types) {
            params.push(super::build::typed_param(n, Some(ty), span));
        }
        let scrutinee = match names.as_slice() {
            [one] => var(one, span),
            _ => sp(
                Expr::Tuple(names.iter().map(|n| var(n, span)).collect()),
                span,
            ),
        };
        let cases = f
            .phrases
            .iter()
            .map(|p| self.case_of_phrase(p, arity))
            .collect();
        let body = value_block(super::build::switch(scrutinee, cases, span));
        sp(ast::Clause { params, body }, span)
    }

    /// One phrase as a case of a `switch` on the tuple of the arguments.
    fn case_of_phrase(
        &mut self,
        p: &Spanned<FunPhrase>,
        arity: usize,
    ) -> (Spanned<ast::Pattern>, Spanned<ast::Block>) {
        let saved = self.locals.len();
        let mut names = Vec::new();
        p.node
            .patterns
            .iter()
            .for_each(|q| pattern_binders(&q.node, &mut names));
        self.locals.extend(names);
        if p.node.patterns.len() != arity {
            self.error(
                p.span,
                format!(
                    "this phrase has {} patterns, but the function's type has {arity} arguments",
                    p.node.patterns.len()
                ),
                None,
            );
        }
        let pats: Vec<_> = p.node.patterns.iter().map(|q| self.pattern(q)).collect();
        let pattern = match <[_; 1]>::try_from(pats) {
            Ok([one]) => one,
            Err(pats) => sp(ast::Pattern::Tuple(pats), p.span),
        };
        let body = self.phrase_body(&p.node.body);
        self.locals.truncate(saved);
        (pattern, body)
    }

    pub(super) fn exprs(&mut self, es: &[Spanned<tree::Expr>]) -> Vec<Spanned<Expr>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    pub(super) fn expr(&mut self, e: &Spanned<tree::Expr>) -> Spanned<Expr> {
        let span = e.span;
        let node = match &e.node {
            // A function of no arguments named without `()` is called.
            tree::Expr::Var(n)
                if !self.locals.contains(n) && self.table.funs.get(n) == Some(&0) =>
            {
                return call(&self.own_name(n), Vec::new(), span);
            }
            tree::Expr::Var(n) => Expr::Var(n.clone()),
            tree::Expr::Int(n) => Expr::Int(*n),
            tree::Expr::Double(x) => Expr::Float(*x),
            tree::Expr::Char(c) => Expr::Char(*c),
            tree::Expr::Str(s) => Expr::Str(s.clone()),
            tree::Expr::Unit => Expr::Unit,
            tree::Expr::List(xs) => Expr::List(self.exprs(xs)),
            tree::Expr::Tuple(xs) => Expr::Tuple(self.exprs(xs)),
            tree::Expr::Upper { name, args } => return self.upper(name, args.as_deref(), span),
            tree::Expr::Call {
                module: Some(m),
                name,
                args,
            } => {
                let callee = self.table.qualified(Some(&m.node), &name.node);
                let args = self.exprs(args);
                let mut e = call(&callee, args, span);
                if let Expr::Call { callee, .. } = &mut e.node {
                    callee.span = name.span;
                }
                return e;
            }
            tree::Expr::Call { name, args, .. } => return self.call(name, args, span),
            tree::Expr::Infix { op, lhs, rhs } => return self.infix(op, lhs, rhs, span),
            tree::Expr::If(c, t, f) => Expr::If {
                cond: Box::new(self.expr(c)),
                then: value_block(self.expr(t)),
                else_: Some(Box::new(self.block_expr(f))),
            },
            tree::Expr::Let(defns, body) => return self.let_expr(defns, body),
            tree::Expr::Case(scrutinee, phrases) => {
                let scrutinee = self.expr(scrutinee);
                let cases = phrases.iter().map(|p| self.case_of_phrase(p, 1)).collect();
                return super::build::switch(scrutinee, cases, span);
            }
            tree::Expr::Switch(arms) => return self.switch_expr(arms, span),
            tree::Expr::Record(fields) => return self.record(fields, span),
            tree::Expr::Store(stored) => return self.store(stored, span),
            tree::Expr::Fold(e, phrases) => return self.fold(e, phrases, span),
            tree::Expr::Unfold(e, phrases) => return self.unfold(e, phrases, span),
        };
        sp(node, span)
    }

    /// An expression as a block (the `else` of an `if`).
    fn block_expr(&mut self, e: &Spanned<tree::Expr>) -> Spanned<Expr> {
        let b = value_block(self.expr(e));
        sp(Expr::Block(b.node), b.span)
    }

    fn upper(
        &mut self,
        name: &tree::Name,
        args: Option<&[Spanned<tree::Expr>]>,
        span: Span,
    ) -> Spanned<Expr> {
        let user_ctor = self.table.ctors.contains_key(&name.node);
        if !user_ctor && args.is_none() && matches!(name.node.as_str(), "True" | "False") {
            return sp(Expr::Bool(name.node == "True"), span);
        }
        if let Some((_, arity, at)) = self.table.dtors.get(&name.node).cloned() {
            let mut args = self.exprs(args.unwrap_or(&[]));
            if args.len() != arity {
                self.error(
                    span,
                    format!(
                        "destructor `{}` takes {arity} arguments, the record included",
                        name.node
                    ),
                    None,
                );
                return sp(Expr::Unit, span);
            }
            let receiver = args.remove(at);
            let dtor = sp(super::dtor_name(&name.node), name.span);
            return sp(
                Expr::Dtor {
                    receiver: Box::new(receiver),
                    name: dtor,
                    args,
                },
                span,
            );
        }
        match args {
            None => sp(Expr::Ctor(name.node.clone()), span),
            Some(args) => {
                let args = self.exprs(args);
                sp(
                    Expr::Call {
                        callee: name.clone(),
                        args,
                    },
                    span,
                )
            }
        }
    }

    fn call(
        &mut self,
        name: &tree::Name,
        args: &[Spanned<tree::Expr>],
        span: Span,
    ) -> Spanned<Expr> {
        if let Some(alias) = self.dtor_aliases.iter().rev().find(|a| a.name == name.node) {
            let dtor = Spanned::new(super::dtor_name(&alias.dtor.node), name.span);
            let receiver = Box::new(var(&alias.record.clone(), name.span));
            let args = self.exprs(args);
            return sp(
                Expr::Dtor {
                    receiver,
                    name: dtor,
                    args,
                },
                span,
            );
        }
        let mut lowered = Vec::new();
        let mut callee = self.own_name(&name.node);
        if let Some((_, lifted, captures)) = self
            .local_funs
            .iter()
            .rev()
            .find(|(n, ..)| *n == name.node)
            .cloned()
        {
            callee = lifted;
            lowered.extend(captures.iter().map(|c| var(c, name.span)));
        }
        lowered.extend(self.exprs(args));
        let mut e = call(&callee, lowered, span);
        if let Expr::Call { callee, .. } = &mut e.node {
            callee.span = name.span;
        }
        e
    }

    fn infix(
        &mut self,
        op: &tree::Name,
        lhs: &Spanned<tree::Expr>,
        rhs: &Spanned<tree::Expr>,
        span: Span,
    ) -> Spanned<Expr> {
        let (l, r) = (self.expr(lhs), self.expr(rhs));
        // A program may declare its own `||` or `+`: then it is called.
        let builtin = builtin_op(&op.node).filter(|_| !self.table.funs.contains_key(&op.node));
        match builtin {
            // CaMPL's `/` rounds down (its machine's Haskell `div`); ours
            // rounds toward zero.
            Some(BinOp::Div) => {
                let callee = Spanned::new(format!("{PRELUDE_QUALIFIER}camplDiv"), op.span);
                sp(
                    Expr::Call {
                        callee,
                        args: vec![l, r],
                    },
                    span,
                )
            }
            Some(b) => sp(
                Expr::Binary {
                    op: sp(b, op.span),
                    lhs: Box::new(l),
                    rhs: Box::new(r),
                },
                span,
            ),
            // A user-defined operator is a function named by its symbol.
            None => {
                let callee = Spanned::new(self.own_name(&op.node), op.span);
                let args = vec![l, r];
                sp(Expr::Call { callee, args }, span)
            }
        }
    }

    /// What a function lifted to the top with these bodies takes first:
    /// the variables in scope they mention, and those the local functions
    /// they call take.
    pub(super) fn captures_of<'e>(
        &self,
        bodies: impl Iterator<Item = &'e tree::Expr>,
    ) -> Vec<String> {
        let mut used = Vec::new();
        bodies.for_each(|b| mentioned_names(b, &mut used));
        let mut captures: Vec<String> = Vec::new();
        for u in &used {
            if let Some((_, _, inner)) = self.local_funs.iter().find(|(n, ..)| n == u) {
                captures.extend(inner.iter().cloned());
            } else if self.locals.contains(u) {
                captures.push(u.clone());
            }
        }
        captures.sort();
        captures.dedup();
        captures
    }

    /// `let` with local functions: each is lifted to the top, taking the
    /// variables in scope that it uses as extra first arguments.
    fn let_expr(&mut self, defns: &[tree::Defn], body: &Spanned<tree::Expr>) -> Spanned<Expr> {
        let saved = self.local_funs.len();
        for d in defns {
            let tree::Defn::Fun(f) = d else {
                self.defn(d);
                continue;
            };
            let captures = self.captures_of(f.phrases.iter().map(|p| &p.node.body.node));
            let lifted = self.fresh_name(&f.name.node);
            self.local_funs
                .push((f.name.node.clone(), lifted.clone(), captures.clone()));
            let decl = self.fun_decl(f, &lifted, &captures);
            self.items.push(sp(ast::Item::Function(decl), f.name.span));
        }
        let out = self.expr(body);
        self.local_funs.truncate(saved);
        out
    }

    /// `switch` with guards: the arms are tried in order; the last one is
    /// taken when no earlier guard holds (`docs/campl.md`).
    fn switch_expr(
        &mut self,
        arms: &[(Spanned<tree::Expr>, Spanned<tree::Expr>)],
        span: Span,
    ) -> Spanned<Expr> {
        self.guards(arms, span, |me, e| value_block(me.expr(e)))
    }

    /// Guards as `if` chains: each arm's condition, then its body (made by
    /// `body`); the last arm is the final `else`.
    pub(super) fn guards<B>(
        &mut self,
        arms: &[(Spanned<tree::Expr>, B)],
        span: Span,
        mut body: impl FnMut(&mut Self, &B) -> Spanned<ast::Block>,
    ) -> Spanned<Expr> {
        let Some(((_, last), rest)) = arms.split_last() else {
            return sp(Expr::Unit, span);
        };
        let last = body(self, last);
        let mut out = sp(Expr::Block(last.node), last.span);
        for (cond, arm) in rest.iter().rev() {
            let cond = self.expr(cond);
            let then = body(self, arm);
            out = sp(
                Expr::If {
                    cond: Box::new(cond),
                    then,
                    else_: Some(Box::new(out)),
                },
                span,
            );
        }
        out
    }

    /// `(Head := -> e, Tail := -> f)`: a record of the codata type that
    /// declares the first destructor.
    fn record(&mut self, fields: &[(tree::Name, Spanned<FunPhrase>)], span: Span) -> Spanned<Expr> {
        let Some((first, _)) = fields.first() else {
            return sp(Expr::Unit, span);
        };
        let Some((codata, ..)) = self.table.dtors.get(&first.node).cloned() else {
            self.error(
                first.span,
                format!("`{}` is not a destructor of any codata type", first.node),
                None,
            );
            return sp(Expr::Unit, span);
        };
        let mut methods = Vec::new();
        for (name, phrase) in fields {
            let (params, body) = self.method_phrase(phrase);
            methods.push(sp(
                ast::Method {
                    ret: None,
                    name: sp(super::dtor_name(&name.node), name.span),
                    params,
                    body,
                },
                phrase.span,
            ));
        }
        let codata = sp(
            ast::Type::Named {
                name: sp(codata, first.span),
                args: Vec::new(),
            },
            span,
        );
        sp(Expr::Record { codata, methods }, span)
    }

    /// A record field's phrase as a method: its patterns as parameters
    /// when they are names, else parameters `x0, ...` whose values the
    /// body matches against the patterns.
    fn method_phrase(
        &mut self,
        phrase: &Spanned<FunPhrase>,
    ) -> (Vec<Spanned<ast::Param>>, Spanned<ast::Block>) {
        let pats = &phrase.node.patterns;
        if pats
            .iter()
            .all(|p| matches!(p.node, Pattern::Var(_) | Pattern::Wild))
        {
            let saved = self.locals.len();
            let mut params = Vec::new();
            for pat in pats {
                let mut names = Vec::new();
                pattern_binders(&pat.node, &mut names);
                self.locals.extend(names);
                let pattern = self.pattern(pat);
                let param = ast::Param {
                    ty: None,
                    pattern,
                    fold_by: false,
                };
                params.push(sp(param, pat.span));
            }
            let body = self.phrase_body(&phrase.node.body);
            self.locals.truncate(saved);
            return (params, body);
        }
        let span = phrase.span;
        let names: Vec<String> = (0..pats.len()).map(|i| format!("x{i}")).collect();
        let params = names.iter().map(|n| super::build::param(n, span)).collect();
        let scrutinee = match names.as_slice() {
            [one] => var(one, span),
            _ => sp(
                Expr::Tuple(names.iter().map(|n| var(n, span)).collect()),
                span,
            ),
        };
        let case = self.case_of_phrase(phrase, pats.len());
        let body = value_block(super::build::switch(scrutinee, vec![case], span));
        (params, body)
    }

    /// The body of a phrase whose patterns were just lowered: the
    /// destructor calls of its record patterns first, then its value.
    fn phrase_body(&mut self, e: &Spanned<tree::Expr>) -> Spanned<ast::Block> {
        let lets = std::mem::take(&mut self.record_lets);
        let saved = self.dtor_aliases.len();
        let aliases = std::mem::take(&mut self.record_aliases);
        self.dtor_aliases.extend(aliases);
        let tail = self.expr(e);
        self.dtor_aliases.truncate(saved);
        let span = tail.span;
        sp(
            ast::Block {
                stmts: lets,
                tail: Some(Box::new(tail)),
            },
            span,
        )
    }

    /// `(P0 := a, P1 := b)`: binds the value to a fresh name, and each
    /// field's pattern to that destructor applied to it (a `let` the
    /// phrase's body starts with). A destructor with arguments can only be
    /// named (`App := f`): `f(x)` in the body applies it to the record.
    fn record_pattern(
        &mut self,
        fields: &[(tree::Name, Spanned<Pattern>)],
        span: Span,
    ) -> Spanned<ast::Pattern> {
        self.counter += 1;
        let whole = format!("campl$record{}", self.counter);
        for (dtor, sub) in fields {
            if self
                .table
                .dtors
                .get(&dtor.node)
                .is_some_and(|(_, n, _)| *n != 1)
            {
                self.name_dtor(dtor, sub, &whole);
                continue;
            }
            let value = sp(
                Expr::Dtor {
                    receiver: Box::new(var(&whole, span)),
                    name: sp(super::dtor_name(&dtor.node), dtor.span),
                    args: Vec::new(),
                },
                sub.span,
            );
            // A record pattern inside `sub` adds its own `let`s, which read
            // the value this one binds: this one goes before them.
            let at = self.record_lets.len();
            let pattern = self.pattern(sub);
            let stmt = ast::Stmt::Let {
                pattern,
                ty: None,
                value,
            };
            self.record_lets.insert(at, sp(stmt, sub.span));
        }
        sp(ast::Pattern::Var(whole), span)
    }

    /// `Dtor := f` for a destructor with arguments: `f` names it, applied
    /// to the record in `whole` (`_` ignores it).
    fn name_dtor(&mut self, dtor: &tree::Name, sub: &Spanned<Pattern>, whole: &str) {
        match &sub.node {
            Pattern::Var(name) => self.record_aliases.push(super::DtorAlias {
                name: name.clone(),
                record: whole.to_string(),
                dtor: dtor.clone(),
            }),
            Pattern::Wild => {}
            _ => self.error(
                sub.span,
                format!(
                    "`{}` takes arguments, so a record pattern can only name it",
                    dtor.node
                ),
                Some("write a name (`App := f`), and apply it in the body: `f(x)`"),
            ),
        }
    }

    pub(super) fn pattern(&mut self, p: &Spanned<Pattern>) -> Spanned<ast::Pattern> {
        let span = p.span;
        let node = match &p.node {
            Pattern::Wild => ast::Pattern::Wild,
            Pattern::Var(n) => ast::Pattern::Var(n.clone()),
            Pattern::Int(n) => ast::Pattern::Int(*n),
            Pattern::Char(c) => ast::Pattern::Char(*c),
            Pattern::Str(s) => ast::Pattern::Str(s.clone()),
            Pattern::Unit => ast::Pattern::Unit,
            Pattern::Ctor { name, args }
                if args.is_empty()
                    && !self.table.ctors.contains_key(&name.node)
                    && matches!(name.node.as_str(), "True" | "False") =>
            {
                ast::Pattern::Bool(name.node == "True")
            }
            Pattern::Ctor { name, args } => ast::Pattern::Ctor {
                name: name.clone(),
                args: args.iter().map(|a| self.pattern(a)).collect(),
            },
            Pattern::List(items) => {
                ast::Pattern::List(items.iter().map(|a| self.pattern(a)).collect())
            }
            Pattern::Tuple(items) => {
                ast::Pattern::Tuple(items.iter().map(|a| self.pattern(a)).collect())
            }
            Pattern::Cons(h, t) => {
                ast::Pattern::Cons(Box::new(self.pattern(h)), Box::new(self.pattern(t)))
            }
            Pattern::Record(fields) => return self.record_pattern(fields, span),
        };
        sp(node, span)
    }
}
