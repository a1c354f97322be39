//! CaMPL types as ours. Sequential types map one to one (`Double` is
//! `Float`, an undeclared name is a type variable). A concurrent type
//! becomes a protocol seen from one end: CaMPL names the end by polarity,
//! and the output end of `Put(A | T)` puts. So a channel of type `T` at
//! output polarity has our protocol `T*`, at input polarity `neg<T*>`
//! (`docs/campl.md` has the table, with `(*)`, `(+)` and `Neg`).

use super::tree::{self, Type};
use super::{Lower, type_var};
use crate::source::{Span, Spanned};
use crate::syntax::ast;

/// Inside a protocol declaration: the state variable of each clause of
/// its group stands for that clause's protocol.
pub(super) struct ProtoScope<'a> {
    pub group: &'a [tree::TypeClause],
}

fn sp<T>(node: T, span: Span) -> Spanned<T> {
    Spanned::new(node, span)
}

fn neg(steps: Vec<Spanned<ast::Step>>, span: Span) -> Vec<Spanned<ast::Step>> {
    let inner = sp(ast::Proto::Seq(steps), span);
    vec![sp(ast::Step::Neg(Box::new(inner)), span)]
}

impl Lower<'_> {
    /// A sequential type.
    pub(super) fn seq_type(&mut self, t: &Spanned<Type>) -> Spanned<ast::Type> {
        let span = t.span;
        let node = match &t.node {
            Type::Unit => ast::Type::Void,
            Type::List(e) => ast::Type::List(Box::new(self.seq_type(e))),
            Type::Tuple(ts) => ast::Type::Tuple(ts.iter().map(|x| self.seq_type(x)).collect()),
            Type::Named { name, seq, conc } => return self.named_seq_type(name, seq, conc, span),
            Type::Par(..) | Type::Tensor(..) => {
                self.error(
                    span,
                    "a concurrent type (`(+)`, `(*)`) where a sequential type is expected".into(),
                    Some(
                        "messages and arguments are sequential; channels go in the lists after `|`",
                    ),
                );
                ast::Type::Void
            }
            Type::Store(t) => return self.store_type(t, span),
        };
        sp(node, span)
    }

    fn named_seq_type(
        &mut self,
        name: &tree::Name,
        seq: &[Spanned<Type>],
        conc: &[Spanned<Type>],
        span: Span,
    ) -> Spanned<ast::Type> {
        if let Some((_, ty)) = self.states.iter().find(|(state, _)| *state == name.node)
            && seq.is_empty()
            && conc.is_empty()
        {
            return sp(ty.node.clone(), span);
        }
        let builtin = match name.node.as_str() {
            "Double" => Some("Float"),
            "Int" | "Char" | "Bool" | "String" => Some(name.node.as_str()),
            _ => None,
        };
        let declared =
            self.table.data.contains_key(&name.node) || self.table.codata.contains_key(&name.node);
        if let Some(b) = builtin.filter(|_| !declared) {
            let named = ast::Type::Named {
                name: sp(b.to_string(), name.span),
                args: Vec::new(),
            };
            return sp(named, span);
        }
        if self.table.protocols.contains_key(&name.node) {
            self.error(
                span,
                format!(
                    "`{}` is a protocol, where a sequential type is expected",
                    name.node
                ),
                Some("channels are listed after `|` in a process's type, not among its values"),
            );
        }
        if !declared && seq.is_empty() && conc.is_empty() && !self.known_prelude_type(&name.node) {
            return sp(ast::Type::Var(type_var(&name.node)), span);
        }
        let args = seq.iter().map(|a| self.seq_type(a)).collect();
        sp(
            ast::Type::Named {
                name: name.clone(),
                args,
            },
            span,
        )
    }

    /// Upper-case names our prelude declares as types (`Maybe`, `List`).
    fn known_prelude_type(&self, name: &str) -> bool {
        matches!(name, "Maybe" | "List" | "Either")
    }

    /// A concurrent type as a parameter type: the protocol seen from the
    /// end at polarity `out` (output) or input.
    pub(super) fn conc_type(&mut self, t: &Spanned<Type>, out: bool) -> Spanned<ast::Type> {
        let span = t.span;
        if let Type::Named { name, seq, conc } = &t.node
            && self.table.protocols.contains_key(&name.node)
        {
            let named = sp(
                ast::Type::Named {
                    name: name.clone(),
                    args: self.proto_args(seq, conc, None),
                },
                span,
            );
            if out {
                return named;
            }
            return sp(ast::Type::Neg(Box::new(named)), span);
        }
        let steps = self.conc_steps(t, out, None);
        sp(
            ast::Type::Proto(Box::new(sp(ast::Proto::Seq(steps), span))),
            span,
        )
    }

    fn proto_args(
        &mut self,
        seq: &[Spanned<Type>],
        conc: &[Spanned<Type>],
        scope: Option<&ProtoScope<'_>>,
    ) -> Vec<Spanned<ast::Type>> {
        let mut args: Vec<_> = seq.iter().map(|a| self.seq_type(a)).collect();
        for c in conc {
            let steps = self.conc_steps(c, true, scope);
            let proto = sp(ast::Proto::Seq(steps), c.span);
            args.push(sp(ast::Type::Proto(Box::new(proto)), c.span));
        }
        args
    }

    /// The steps of a concurrent type seen from the end at polarity `out`.
    pub(super) fn conc_steps(
        &mut self,
        t: &Spanned<Type>,
        out: bool,
        scope: Option<&ProtoScope<'_>>,
    ) -> Vec<Spanned<ast::Step>> {
        let span = t.span;
        match &t.node {
            Type::Named { name, seq, conc } => self.named_steps(name, seq, conc, out, scope, span),
            Type::Tensor(a, b) => {
                // The output end forks, the input end splits.
                let fork = self.fork_step(a, b, true, scope, span);
                if out { fork } else { neg(fork, span) }
            }
            Type::Par(a, b) => {
                // The input end forks, the output end splits.
                let fork = self.fork_step(a, b, false, scope, span);
                if out { neg(fork, span) } else { fork }
            }
            Type::Unit | Type::List(_) | Type::Tuple(_) | Type::Store(_) => {
                self.error(
                    span,
                    "a sequential type where a concurrent type (a channel's type) is expected".into(),
                    Some("a channel's type is `Put(..)`, `Get(..)`, `TopBot`, a protocol, or built from them"),
                );
                vec![sp(ast::Step::Close, span)]
            }
        }
    }

    fn fork_step(
        &mut self,
        a: &Spanned<Type>,
        b: &Spanned<Type>,
        out: bool,
        scope: Option<&ProtoScope<'_>>,
        span: Span,
    ) -> Vec<Spanned<ast::Step>> {
        let left = sp(ast::Proto::Seq(self.conc_steps(a, out, scope)), a.span);
        let right = sp(ast::Proto::Seq(self.conc_steps(b, out, scope)), b.span);
        vec![sp(ast::Step::Fork(Box::new(left), Box::new(right)), span)]
    }

    fn named_steps(
        &mut self,
        name: &tree::Name,
        seq: &[Spanned<Type>],
        conc: &[Spanned<Type>],
        out: bool,
        scope: Option<&ProtoScope<'_>>,
        span: Span,
    ) -> Vec<Spanned<ast::Step>> {
        let flip = |steps, out: bool| if out { steps } else { neg(steps, span) };
        match name.node.as_str() {
            "Put" | "Get" if seq.len() == 1 && conc.len() == 1 => {
                let value = self.seq_type(&seq[0]);
                let puts = (name.node == "Put") == out;
                let first = if puts {
                    ast::Step::Put(value)
                } else {
                    ast::Step::Get(value)
                };
                let mut steps = vec![sp(first, span)];
                steps.extend(self.conc_steps(&conc[0], out, scope));
                return steps;
            }
            "TopBot" if seq.is_empty() && conc.is_empty() => {
                return vec![sp(ast::Step::Close, span)];
            }
            "Neg" if seq.len() + conc.len() == 1 => {
                let inner = seq.first().or(conc.first()).expect("one argument");
                return self.conc_steps(inner, !out, scope);
            }
            _ => {}
        }
        if let Some(decl) = scope.and_then(|s| s.group.iter().find(|d| d.state.node == name.node)) {
            let args = decl
                .seq_params
                .iter()
                .map(|p| sp(ast::Type::Var(type_var(&p.node)), p.span))
                .chain(decl.conc_params.iter().map(|p| {
                    let var = sp(ast::Step::Var(type_var(&p.node)), p.span);
                    let proto = sp(ast::Proto::Seq(vec![var]), p.span);
                    sp(ast::Type::Proto(Box::new(proto)), p.span)
                }))
                .collect();
            let step = ast::Step::Ref {
                name: decl.name.clone(),
                args,
            };
            return flip(vec![sp(step, span)], out);
        }
        if self.table.protocols.contains_key(&name.node) {
            let args = self.proto_args(seq, conc, scope);
            let step = ast::Step::Ref {
                name: name.clone(),
                args,
            };
            return flip(vec![sp(step, span)], out);
        }
        if seq.is_empty() && conc.is_empty() {
            // A concurrent type variable.
            let var = vec![sp(ast::Step::Var(type_var(&name.node)), span)];
            return flip(var, out);
        }
        self.error(
            name.span,
            format!("unknown protocol `{}`", name.node),
            Some("declare it with `protocol` or `coprotocol`"),
        );
        vec![sp(ast::Step::Close, span)]
    }
}
