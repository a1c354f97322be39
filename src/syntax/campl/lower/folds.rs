//! CaMPL's `fold` and `unfold` (docs/campl.md), lowered to recursion.
//!
//! A `data` (or `codata`) declaration may define several types at once,
//! joined by `and`, each with its state variable (`S`, `T`). `fold e of`
//! gives a phrase per constructor of such a group; it becomes one function
//! per type of the group, lifted to the top, which matches a constructor
//! and calls the function of type `j` on each field whose type is the
//! state variable of `j` before the phrase's patterns see the fields.
//! `unfold seed of` gives, per seed pattern, a phrase per destructor of
//! one type of the group; it becomes one function per type, which builds
//! a record from the seed, and a destructor whose result is a state
//! variable unfolds its value again with that type's function. The lifted
//! functions take the variables in scope that the phrases use first, as
//! `let`'s local functions do (`exprs`), and call each other through
//! `Lower::local_funs`.
//!
//! The type folded (or unfolded to) is that of the first phrase's
//! constructor (or destructor). Nothing here knows types beyond the
//! declarations' shapes (`super::Recursion`).

use super::super::tree::{self, FoldPhrase, FunPhrase, Pattern, UnfoldPhrase};
use super::Lower;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr};

/// Which parts of a group a fold or unfold speaks of.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Fold,
    Unfold,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Fold => "fold",
            Kind::Unfold => "unfold",
        }
    }
}

impl Lower<'_> {
    /// `fold e of Ctor : patterns -> body; ...`
    pub(super) fn fold(
        &mut self,
        scrutinee: &Spanned<tree::Expr>,
        phrases: &[FoldPhrase],
        span: Span,
    ) -> Spanned<Expr> {
        let Some(group) = self.group_of(phrases.iter(), Kind::Fold) else {
            return Spanned::new(Expr::Unit, span);
        };
        let bodies = phrases.iter().map(|p| &p.body.node);
        let names = self.lift_group(&group, bodies, Kind::Fold);
        let owns: Vec<Option<usize>> = phrases.iter().map(|p| self.own_type(&p.name)).collect();
        let funs = self.group_functions(phrases, &owns, &names, span, Self::fold_phrase);
        let first = owns.first().copied().flatten().unwrap_or(0);
        self.finish_group(funs, &names, &names[first], scrutinee, span)
    }

    /// `unfold seed of pattern of Dtor : patterns -> body; ...; ...`
    pub(super) fn unfold(
        &mut self,
        seed: &Spanned<tree::Expr>,
        phrases: &[UnfoldPhrase],
        span: Span,
    ) -> Spanned<Expr> {
        let Some(group) = self.group_of(phrases.iter().flat_map(|p| &p.dtors), Kind::Unfold) else {
            return Spanned::new(Expr::Unit, span);
        };
        let bodies = phrases.iter().flat_map(|p| &p.dtors).map(|d| &d.body.node);
        let names = self.lift_group(&group, bodies, Kind::Unfold);
        let owns: Vec<Option<usize>> = phrases.iter().map(|p| self.unfold_type(p)).collect();
        let funs = self.group_functions(phrases, &owns, &names, span, Self::unfold_phrase);
        let first = owns.first().copied().flatten().unwrap_or(0);
        self.finish_group(funs, &names, &names[first], seed, span)
    }

    /// One function per type of the group (named `names`), with the
    /// phrases that belong to it (`owns`: each phrase's type), each made
    /// a function phrase by `make`.
    fn group_functions<P>(
        &mut self,
        phrases: &[P],
        owns: &[Option<usize>],
        names: &[String],
        span: Span,
        make: fn(&mut Self, &P, &[String]) -> Spanned<FunPhrase>,
    ) -> Vec<tree::Fun> {
        let mut funs = Vec::new();
        for (k, name) in names.iter().enumerate() {
            let mut own = Vec::new();
            for (p, _) in phrases.iter().zip(owns).filter(|(_, o)| **o == Some(k)) {
                own.push(make(self, p, names));
            }
            funs.push(lifted_fun(name, own, span));
        }
        funs
    }

    /// The group of the first phrase's constructor (or destructor), when
    /// every phrase names one of that group; else an error, and `None`.
    fn group_of<'p>(
        &mut self,
        mut phrases: impl Iterator<Item = &'p FoldPhrase>,
        kind: Kind,
    ) -> Option<Vec<String>> {
        let first = phrases.next()?;
        let mut ok = self.known(&first.name, kind);
        let group = self.table.recursion.get(&first.name.node)?.group.clone();
        for p in phrases {
            let known = self.known(&p.name, kind);
            ok &= known;
            if known
                && self
                    .table
                    .recursion
                    .get(&p.name.node)
                    .is_some_and(|r| r.group != group)
            {
                let message = format!(
                    "`{}` is not declared with `{}`: one `{}` speaks of one declaration",
                    p.name.node,
                    first.name.node,
                    kind.word()
                );
                self.error(p.name.span, message, None);
                ok = false;
            }
        }
        ok.then_some(group)
    }

    /// Whether `name` is a constructor (`fold`) or a destructor
    /// (`unfold`); else an error.
    fn known(&mut self, name: &tree::Name, kind: Kind) -> bool {
        let (known, what, help) = match kind {
            Kind::Fold => (
                self.table.ctors.contains_key(&name.node),
                "constructor of a data type",
                "each phrase of a `fold` names a constructor of the data type it folds",
            ),
            Kind::Unfold => (
                self.table.dtors.contains_key(&name.node),
                "destructor of a codata type",
                "each phrase of an `unfold` names a destructor of the codata type it builds",
            ),
        };
        if !known {
            let message = format!("`{}` is not a {what}", name.node);
            self.error(name.span, message, Some(help));
        }
        known
    }

    /// Which type of its group a constructor or destructor belongs to.
    fn own_type(&self, name: &tree::Name) -> Option<usize> {
        self.table.recursion.get(&name.node).map(|r| r.own)
    }

    /// Names the lifted function of each type of the group, and puts them
    /// in scope (with what they capture) for the phrases' bodies.
    fn lift_group<'e>(
        &mut self,
        group: &[String],
        bodies: impl Iterator<Item = &'e tree::Expr>,
        kind: Kind,
    ) -> Vec<String> {
        let captures = self.captures_of(bodies);
        let names: Vec<String> = group
            .iter()
            .map(|ty| self.fresh_name(&format!("{}{ty}", kind.word())))
            .collect();
        for n in &names {
            self.local_funs
                .push((n.clone(), n.clone(), captures.clone()));
        }
        names
    }

    /// Lowers the lifted functions, then the call of `entry` on `arg`;
    /// the group's names go out of scope.
    fn finish_group(
        &mut self,
        funs: Vec<tree::Fun>,
        names: &[String],
        entry: &str,
        arg: &Spanned<tree::Expr>,
        span: Span,
    ) -> Spanned<Expr> {
        let saved = self.local_funs.len() - names.len();
        for f in &funs {
            let captures = self.local_funs[saved].2.clone();
            let decl = self.fun_decl(f, &f.name.node, &captures);
            self.items
                .push(Spanned::new(ast::Item::Function(decl), f.name.span));
        }
        let call = tree::Expr::Call {
            module: None,
            name: Spanned::new(entry.to_string(), span),
            args: vec![arg.clone()],
        };
        let out = self.expr(&Spanned::new(call, span));
        self.local_funs.truncate(saved);
        out
    }

    /// A fold phrase as a phrase of its type's function: it matches the
    /// constructor with a fresh name per field, folds the fields that are
    /// state variables, and matches the results against its patterns.
    fn fold_phrase(&mut self, p: &FoldPhrase, names: &[String]) -> Spanned<FunPhrase> {
        let span = p.name.span;
        let fields = self.table.recursion[&p.name.node].args.clone();
        if fields.len() != p.patterns.len() {
            let message = format!(
                "`{}` has {} fields, and this phrase names {}",
                p.name.node,
                fields.len(),
                p.patterns.len()
            );
            self.error(span, message, Some("a `fold` phrase names each field once"));
        }
        let vars: Vec<String> = (0..fields.len()).map(|i| format!("fold${i}")).collect();
        let folded: Vec<Spanned<tree::Expr>> = vars
            .iter()
            .zip(&fields)
            .map(|(v, field)| {
                let value = Spanned::new(tree::Expr::Var(v.clone()), span);
                match field {
                    Some(j) => call_of(&names[*j], value, span),
                    None => value,
                }
            })
            .collect();
        let body = match_all(folded, &p.patterns, p.body.clone(), span);
        let args = vars
            .iter()
            .map(|v| Spanned::new(Pattern::Var(v.clone()), span))
            .collect();
        let ctor = Pattern::Ctor {
            name: p.name.clone(),
            args,
        };
        phrase(vec![Spanned::new(ctor, span)], body, span)
    }

    /// The type of the group an unfold phrase makes a record of (that of
    /// its destructors, which must agree).
    fn unfold_type(&mut self, p: &UnfoldPhrase) -> Option<usize> {
        let first = p.dtors.first()?;
        let own = self.own_type(&first.name)?;
        for d in &p.dtors[1..] {
            if self.own_type(&d.name).is_some_and(|o| o != own) {
                let message = format!(
                    "`{}` and `{}` are destructors of different types: one seed pattern makes one record",
                    first.name.node, d.name.node
                );
                self.error(d.name.span, message, None);
            }
        }
        Some(own)
    }

    /// An unfold phrase as a phrase of its type's function: the seed
    /// pattern, then a record whose destructors unfold their results
    /// again where the result is a state variable.
    fn unfold_phrase(&mut self, p: &UnfoldPhrase, names: &[String]) -> Spanned<FunPhrase> {
        let span = p.seed.span;
        let fields = p
            .dtors
            .iter()
            .map(|d| {
                let result = self
                    .table
                    .recursion
                    .get(&d.name.node)
                    .and_then(|r| r.result);
                let body = match result {
                    Some(j) => call_of(&names[j], d.body.clone(), d.body.span),
                    None => d.body.clone(),
                };
                (
                    d.name.clone(),
                    phrase(d.patterns.clone(), body, d.name.span),
                )
            })
            .collect();
        let record = Spanned::new(tree::Expr::Record(fields), span);
        phrase(vec![p.seed.clone()], record, span)
    }
}

/// A lifted function of a group, untyped, with its phrases.
fn lifted_fun(name: &str, phrases: Vec<Spanned<FunPhrase>>, span: Span) -> tree::Fun {
    tree::Fun {
        name: Spanned::new(name.to_string(), span),
        ty: None,
        phrases,
        scope: tree::Scope::default(),
    }
}

fn phrase(
    patterns: Vec<Spanned<Pattern>>,
    body: Spanned<tree::Expr>,
    span: Span,
) -> Spanned<FunPhrase> {
    Spanned::new(FunPhrase { patterns, body }, span)
}

fn call_of(name: &str, arg: Spanned<tree::Expr>, span: Span) -> Spanned<tree::Expr> {
    let call = tree::Expr::Call {
        module: None,
        name: Spanned::new(name.to_string(), span),
        args: vec![arg],
    };
    Spanned::new(call, span)
}

/// `body` where `patterns` match `values` (one by one): `body` itself
/// when there are none, else a `case` of one phrase.
fn match_all(
    values: Vec<Spanned<tree::Expr>>,
    patterns: &[Spanned<Pattern>],
    body: Spanned<tree::Expr>,
    span: Span,
) -> Spanned<tree::Expr> {
    if patterns.is_empty() {
        return body;
    }
    let (scrutinee, pattern) = match (values.len(), patterns) {
        (1, [one]) => (values.into_iter().next(), one.clone()),
        _ => (
            Some(Spanned::new(tree::Expr::Tuple(values), span)),
            Spanned::new(Pattern::Tuple(patterns.to_vec()), span),
        ),
    };
    let scrutinee = scrutinee.unwrap_or_else(|| Spanned::new(tree::Expr::Unit, span));
    let case = tree::Expr::Case(Box::new(scrutinee), vec![phrase(vec![pattern], body, span)]);
    Spanned::new(case, span)
}
