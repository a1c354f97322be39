//! Unification of types and protocol states, with the substitution of
//! unification variables. Named protocols are unfolded only when two
//! different names meet; recursion is handled coinductively (a pair of
//! states already being compared is assumed equal).
//!
//! Knows nothing of variables, scopes or bodies (see `infer`).

use super::decls::Decls;
use super::types::{Con, Session, Ty, dual};
use std::rc::Rc;

pub struct Unifier<'d> {
    pub decls: &'d Decls,
    subst: Vec<Option<Ty>>,
}

/// Why two types did not unify (the innermost clash).
#[derive(Debug)]
pub struct Clash;

impl<'d> Unifier<'d> {
    pub fn new(decls: &'d Decls) -> Self {
        Unifier {
            decls,
            subst: Vec::new(),
        }
    }

    /// Makes sure variables `0..n` exist (unbound), so that types made by
    /// an earlier unifier with that many variables can be used here
    /// without their variables meeting new ones.
    pub fn reserve(&mut self, n: usize) {
        if self.subst.len() < n {
            self.subst.resize(n, None);
        }
    }

    /// How many variables this unifier has made.
    pub fn len(&self) -> usize {
        self.subst.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subst.is_empty()
    }

    pub fn fresh(&mut self) -> Ty {
        self.subst.push(None);
        Ty::Var(self.subst.len() as u32 - 1)
    }

    /// Follows variable bindings at the top of `t`.
    pub fn shallow(&self, t: &Ty) -> Ty {
        let mut cur = t.clone();
        while let Ty::Var(v) = cur {
            match self.subst.get(v as usize).and_then(|s| s.clone()) {
                Some(next) => cur = next,
                None => return Ty::Var(v),
            }
        }
        cur
    }

    /// `t` with every bound variable replaced, all the way down.
    pub fn resolve(&self, t: &Ty) -> Ty {
        match self.shallow(t) {
            Ty::Con(c, args) => Ty::Con(c, args.iter().map(|a| self.resolve(a)).collect()),
            Ty::Session(s) => Ty::Session(Rc::new(self.resolve_session(&s))),
            other => other,
        }
    }

    pub fn resolve_session(&self, s: &Session) -> Session {
        match s {
            Session::Ref { proto, args, neg } => Session::Ref {
                proto: *proto,
                args: args.iter().map(|a| self.resolve(a)).collect(),
                neg: *neg,
            },
            Session::Var { ty, neg } => match self.shallow(ty) {
                Ty::Session(inner) => {
                    let inner = self.resolve_session(&inner);
                    if *neg { dual(&inner) } else { inner }
                }
                other => Session::Var {
                    ty: self.resolve(&other),
                    neg: *neg,
                },
            },
            Session::Msg { dir, ty, next } => Session::Msg {
                dir: *dir,
                ty: self.resolve(ty),
                next: Rc::new(self.resolve_session(next)),
            },
            Session::Choice { dir, branches } => Session::Choice {
                dir: *dir,
                branches: branches
                    .iter()
                    .map(|(l, b)| (l.clone(), Rc::new(self.resolve_session(b))))
                    .collect(),
            },
            Session::Fork { split, a, b } => Session::Fork {
                split: *split,
                a: Rc::new(self.resolve_session(a)),
                b: Rc::new(self.resolve_session(b)),
            },
            other => other.clone(),
        }
    }

    /// The first step of a protocol state: named protocols unfolded and
    /// bound variables followed. A state that starts with an unknown or
    /// generic variable is returned as that `Var`.
    pub fn head(&self, s: &Session) -> Option<Session> {
        let mut cur = s.clone();
        for _ in 0..64 {
            match &cur {
                Session::Var { ty, neg } => match self.shallow(ty) {
                    Ty::Session(inner) => cur = if *neg { dual(&inner) } else { (*inner).clone() },
                    _ => return Some(cur),
                },
                Session::Ref { .. } => cur = self.decls.unfold_ref(&cur)?,
                _ => return Some(cur),
            }
        }
        None
    }

    /// `v` appears in `t`, protocol states included: binding it there
    /// would make a cyclic type, and unifying with one never ends.
    fn occurs(&self, v: u32, t: &Ty) -> bool {
        match self.shallow(t) {
            Ty::Var(w) => v == w,
            Ty::Con(_, args) => args.iter().any(|a| self.occurs(v, a)),
            Ty::Session(s) => self.occurs_in_session(v, &s),
            Ty::Rigid(..) => false,
        }
    }

    fn occurs_in_session(&self, v: u32, s: &Session) -> bool {
        match s {
            Session::Ref { args, .. } => args.iter().any(|a| self.occurs(v, a)),
            Session::Var { ty, .. } => self.occurs(v, ty),
            Session::Msg { ty, next, .. } => self.occurs(v, ty) || self.occurs_in_session(v, next),
            Session::Choice { branches, .. } => {
                branches.iter().any(|(_, b)| self.occurs_in_session(v, b))
            }
            Session::Fork { a, b, .. } => {
                self.occurs_in_session(v, a) || self.occurs_in_session(v, b)
            }
            Session::Close | Session::Unknown => false,
        }
    }

    fn bind(&mut self, v: u32, t: Ty) -> Result<(), Clash> {
        if let Ty::Var(w) = self.shallow(&t)
            && w == v
        {
            return Ok(());
        }
        // `v` bound to the protocol "whatever `v` is": already true.
        if let Ty::Session(s) = self.shallow(&t)
            && let Session::Var { ty, neg: false } = &*s
            && matches!(self.shallow(ty), Ty::Var(w) if w == v)
        {
            return Ok(());
        }
        if self.occurs(v, &t) {
            return Err(Clash);
        }
        if let Some(slot) = self.subst.get_mut(v as usize) {
            *slot = Some(t);
        }
        Ok(())
    }

    pub fn unify(&mut self, a: &Ty, b: &Ty) -> Result<(), Clash> {
        let mut seen = Vec::new();
        self.unify_ty(a, b, &mut seen)
    }

    pub fn unify_sessions(&mut self, a: &Session, b: &Session) -> Result<(), Clash> {
        let mut seen = Vec::new();
        self.unify_sess(a, b, &mut seen)
    }

    fn unify_ty(
        &mut self,
        a: &Ty,
        b: &Ty,
        seen: &mut Vec<(Session, Session)>,
    ) -> Result<(), Clash> {
        let (a, b) = (self.shallow(a), self.shallow(b));
        match (&a, &b) {
            (Ty::Var(v), _) => self.bind(*v, b.clone()),
            (_, Ty::Var(v)) => self.bind(*v, a.clone()),
            (Ty::Rigid(x, _), Ty::Rigid(y, _)) if x == y => Ok(()),
            (Ty::Con(c, xs), Ty::Con(d, ys)) if c == d && xs.len() == ys.len() => {
                for (x, y) in xs.iter().zip(ys.iter()) {
                    self.unify_ty(x, y, seen)?;
                }
                Ok(())
            }
            (Ty::Session(s), Ty::Session(t)) => self.unify_sess(s, t, seen),
            // A generic protocol variable written as a type (`#p x`) meets a
            // protocol state.
            (Ty::Session(s), Ty::Rigid(..)) | (Ty::Rigid(..), Ty::Session(s)) => {
                let other = if matches!(a, Ty::Rigid(..)) {
                    a.clone()
                } else {
                    b.clone()
                };
                self.unify_sess(
                    s,
                    &Session::Var {
                        ty: other,
                        neg: false,
                    },
                    seen,
                )
            }
            _ => Err(Clash),
        }
    }

    fn unify_sess(
        &mut self,
        a: &Session,
        b: &Session,
        seen: &mut Vec<(Session, Session)>,
    ) -> Result<(), Clash> {
        let (a, b) = (self.var_step(a), self.var_step(b));
        match (&a, &b) {
            (Session::Unknown, _) | (_, Session::Unknown) => Ok(()),
            (Session::Var { ty, neg }, other) | (other, Session::Var { ty, neg })
                if matches!(self.shallow(ty), Ty::Var(_)) =>
            {
                let Ty::Var(v) = self.shallow(ty) else {
                    return Err(Clash);
                };
                let target = if *neg { dual(other) } else { other.clone() };
                self.bind(v, Ty::Session(Rc::new(target)))
            }
            (Session::Var { ty: x, neg: n }, Session::Var { ty: y, neg: m }) => {
                if n == m {
                    self.unify_ty(x, y, seen)
                } else {
                    Err(Clash)
                }
            }
            (
                Session::Ref {
                    proto: p,
                    args: xs,
                    neg: n,
                },
                Session::Ref {
                    proto: q,
                    args: ys,
                    neg: m,
                },
            ) if p == q && n == m && xs.len() == ys.len() => {
                let snapshot = self.subst.clone();
                let mut ok = true;
                for (x, y) in xs.iter().zip(ys.iter()) {
                    if self.unify_ty(x, y, seen).is_err() {
                        ok = false;
                        break;
                    }
                }
                if ok {
                    return Ok(());
                }
                // Different arguments may still give equal protocols (an
                // unused parameter); compare the unfoldings instead.
                self.subst = snapshot;
                self.unfold_both(&a, &b, seen)
            }
            (Session::Ref { .. }, _) | (_, Session::Ref { .. }) => self.unfold_both(&a, &b, seen),
            (
                Session::Msg {
                    dir: d,
                    ty: x,
                    next: s,
                },
                Session::Msg {
                    dir: e,
                    ty: y,
                    next: t,
                },
            ) if d == e => {
                self.unify_ty(x, y, seen)?;
                self.unify_sess(s, t, seen)
            }
            (
                Session::Choice {
                    dir: d,
                    branches: xs,
                },
                Session::Choice {
                    dir: e,
                    branches: ys,
                },
            ) if d == e && xs.len() == ys.len() => {
                for (label, x) in xs.iter() {
                    let (_, y) = ys.iter().find(|(l, _)| l == label).ok_or(Clash)?;
                    self.unify_sess(x, y, seen)?;
                }
                Ok(())
            }
            (Session::Close, Session::Close) => Ok(()),
            (
                Session::Fork {
                    split: s,
                    a: x1,
                    b: y1,
                },
                Session::Fork {
                    split: t,
                    a: x2,
                    b: y2,
                },
            ) if s == t => {
                self.unify_sess(x1, x2, seen)?;
                self.unify_sess(y1, y2, seen)
            }
            _ => Err(Clash),
        }
    }

    /// Follows a bound protocol variable one step.
    fn var_step(&self, s: &Session) -> Session {
        let mut cur = s.clone();
        for _ in 0..64 {
            let Session::Var { ty, neg } = &cur else {
                break;
            };
            match self.shallow(ty) {
                Ty::Session(inner) => cur = if *neg { dual(&inner) } else { (*inner).clone() },
                _ => break,
            }
        }
        cur
    }

    fn unfold_both(
        &mut self,
        a: &Session,
        b: &Session,
        seen: &mut Vec<(Session, Session)>,
    ) -> Result<(), Clash> {
        let pair = (self.resolve_session(a), self.resolve_session(b));
        if seen.contains(&pair) {
            return Ok(());
        }
        if seen.len() > 256 {
            return Err(Clash);
        }
        seen.push(pair);
        let a2 = self.decls.unfold_ref(a).ok_or(Clash)?;
        let b2 = self.decls.unfold_ref(b).ok_or(Clash)?;
        self.unify_sess(&a2, &b2, seen)
    }

    /// True when `t` holds a channel: such a value must be used exactly once.
    pub fn is_linear(&self, t: &Ty) -> bool {
        match self.shallow(t) {
            Ty::Session(_) => true,
            Ty::Con(Con::Codata(_), _) => false,
            Ty::Con(_, args) => args.iter().any(|a| self.is_linear(a)),
            _ => false,
        }
    }

    /// True when `t` may hold a channel once its variables are known: it
    /// holds a channel, a generic parameter or an unknown.
    pub fn maybe_linear(&self, t: &Ty) -> bool {
        match self.shallow(t) {
            Ty::Session(_) | Ty::Var(_) | Ty::Rigid(..) => true,
            Ty::Con(Con::Codata(_), _) => false,
            Ty::Con(_, args) => args.iter().any(|a| self.maybe_linear(a)),
        }
    }

    /// Whether generic `name` (or unification variable `var`) occurs in `t`.
    pub fn mentions_rigid(&self, t: &Ty, name: &str) -> bool {
        match self.shallow(t) {
            Ty::Rigid(n, _) => &*n == name,
            Ty::Con(_, args) => args.iter().any(|a| self.mentions_rigid(a, name)),
            Ty::Session(s) => self.session_mentions(&s, name),
            Ty::Var(_) => false,
        }
    }

    fn session_mentions(&self, s: &Session, name: &str) -> bool {
        match s {
            Session::Ref { args, .. } => args.iter().any(|a| self.mentions_rigid(a, name)),
            Session::Var { ty, .. } => self.mentions_rigid(ty, name),
            Session::Msg { ty, next, .. } => {
                self.mentions_rigid(ty, name) || self.session_mentions(next, name)
            }
            Session::Choice { branches, .. } => {
                branches.iter().any(|(_, b)| self.session_mentions(b, name))
            }
            Session::Fork { a, b, .. } => {
                self.session_mentions(a, name) || self.session_mentions(b, name)
            }
            _ => false,
        }
    }

    /// The unification variables left in `t`.
    pub fn free_vars(&self, t: &Ty, out: &mut Vec<u32>) {
        match self.shallow(t) {
            Ty::Var(v) => {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
            Ty::Con(_, args) => args.iter().for_each(|a| self.free_vars(a, out)),
            Ty::Session(s) => self.free_vars_session(&s, out),
            Ty::Rigid(..) => {}
        }
    }

    fn free_vars_session(&self, s: &Session, out: &mut Vec<u32>) {
        match s {
            Session::Ref { args, .. } => args.iter().for_each(|a| self.free_vars(a, out)),
            Session::Var { ty, .. } => self.free_vars(ty, out),
            Session::Msg { ty, next, .. } => {
                self.free_vars(ty, out);
                self.free_vars_session(next, out);
            }
            Session::Choice { branches, .. } => branches
                .iter()
                .for_each(|(_, b)| self.free_vars_session(b, out)),
            Session::Fork { a, b, .. } => {
                self.free_vars_session(a, out);
                self.free_vars_session(b, out);
            }
            _ => {}
        }
    }

    /// Binds variable `v` (generalisation turns it into a named generic).
    pub fn set(&mut self, v: u32, t: Ty) {
        if let Some(slot) = self.subst.get_mut(v as usize) {
            *slot = Some(t);
        }
    }
}
