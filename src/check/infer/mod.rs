//! Type, protocol and linearity checking of bodies (LANGUAGE.md 7.1-7.4).
//!
//! Bodies are read from the resolved program (`crate::ir`): variables are
//! frame slots, each mapped to the `Binding` it stands for; record methods
//! and fork arms, functions of their own there, are checked where they
//! are written, their captured slots mapped to the enclosing bindings.
//! Signatures come from the declarations.
//!
//! Every function and process gets a signature (`Sig`); functions without
//! full annotations are inferred, strongly connected groups of functions
//! together, callees first, then generalised (Hindley–Milner). Inside a
//! body, each variable is a `Binding`; a channel's binding holds its
//! *current* protocol state, which every operation advances, so the check
//! is flow-sensitive. Values that hold channels are linear: used exactly
//! once. For each channel parameter of a function, the state the function
//! leaves it in (`Exit`) is inferred from the body: recursive groups are
//! checked twice, first with the recursive calls' effects unknown.
//!
//! `expr` holds expressions and patterns, `chan` the channel operations and
//! the merging of branches. Exhaustiveness, wiring and termination are
//! separate passes.

mod chan;
mod expr;

use super::decls::{Decls, Generics, TyScope};
use super::errors::{CheckError, MismatchHint};
use super::globals::{Globals, Layer, Pending};
use super::types::{Con, Session, Ty, show_session, subst_session, subst_ty};
use super::unify::Unifier;
use crate::ir::{self, FuncId, ShowTy, Slot};
use crate::source::{Span, Spanned};
use crate::syntax::ast;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

/// What a function leaves a parameter as, seen by its caller.
#[derive(Clone, Debug, PartialEq)]
pub enum Exit {
    /// Not a channel parameter.
    Value,
    /// Still open, in this state.
    Open(Session),
    /// Finished or given away on every path.
    UsedUp,
    /// Being inferred (inside a recursive group).
    Unknown,
}

#[derive(Clone)]
pub struct Sig {
    pub name: String,
    pub generics: Generics,
    pub params: Vec<Ty>,
    pub ret: Ty,
    pub is_process: bool,
    pub exits: Vec<Exit>,
    /// Generic parameters the body drops or copies: they cannot stand for
    /// linear types at a call.
    pub nonlinear: Vec<Rc<str>>,
    /// The signature was not fully written: it is inferred.
    pub inferred: bool,
    /// Generic names visible in the body's own annotations.
    pub scope: HashMap<String, Ty>,
    pub layer: Layer,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub(super) enum Liveness {
    Live,
    Moved(Gone),
}

/// Where and how a binding was used up.
#[derive(Clone, Copy, Debug)]
pub(super) struct Gone {
    pub at: Span,
    /// Closed there (a later use is "used after it was closed"), rather
    /// than given away.
    pub closed: bool,
}

impl Gone {
    pub(super) fn given(at: Span) -> Gone {
        Gone { at, closed: false }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Binding {
    pub name: String,
    pub ty: Ty,
    pub span: Span,
    pub state: Liveness,
    /// The type may hold a channel (or is generic): uses are counted.
    pub tracked: bool,
    /// A channel parameter of the function being checked (see `Exit`).
    pub param: Option<usize>,
}

/// The resolved functions the checker reads, by id: runs of consecutive
/// ids (the program's; or the REPL's declarations and the line's).
#[derive(Clone, Default)]
pub struct Bodies {
    runs: Vec<(FuncId, Rc<Vec<ir::Function>>)>,
}

impl Bodies {
    /// The functions `first..` (in order).
    pub fn add(&mut self, first: FuncId, functions: Rc<Vec<ir::Function>>) {
        self.runs.push((first, functions));
    }

    /// The run holding function `id`, and its index there.
    fn find(&self, id: FuncId) -> Option<(Rc<Vec<ir::Function>>, usize)> {
        self.runs.iter().find_map(|(first, run)| {
            let i = id.checked_sub(*first)? as usize;
            (i < run.len()).then(|| (run.clone(), i))
        })
    }
}

/// The function whose body is being checked: the source name of each
/// slot, and the binding (index into `Infer::env`) each slot stands for.
#[derive(Clone, Default)]
pub(super) struct Frame {
    /// The function's id.
    id: FuncId,
    names: Vec<Arc<str>>,
    slots: Vec<Option<usize>>,
}

impl Frame {
    fn of(id: FuncId, f: &ir::Function) -> Frame {
        Frame {
            id,
            names: f.slot_names.clone(),
            slots: vec![None; f.slots as usize],
        }
    }
}

pub struct Infer<'a, 'g> {
    pub(super) unifier: Unifier<'a>,
    pub(super) decls: &'a Decls,
    pub(super) globals: &'a Globals<'g>,
    pub(super) sigs: Vec<Sig>,
    pub(super) bodies: Bodies,
    /// The id of the first declaration (`sigs[0]`).
    pub(super) first_declaration: FuncId,
    pub(super) frame: Frame,
    errors: Vec<CheckError>,
    silent: u32,
    /// The variables that stand for unknown type names (already reported):
    /// a channel of such a type is not checked against a protocol.
    pub(super) from_unknown: std::collections::HashSet<u32>,
    // The body being checked.
    pub(super) env: Vec<Binding>,
    scopes: Vec<usize>,
    /// Bindings below this index belong outside the record being checked.
    pub(super) barrier: usize,
    pub(super) ended: bool,
    pub(super) layer: Layer,
    pub(super) in_function: bool,
    /// Values of generic or unknown type dropped or copied, with where.
    pub(super) drops: Vec<(Ty, Span)>,
    pub(super) scope_vars: HashMap<String, Ty>,
    /// The argument type of every `show` call, by the call's function
    /// and site.
    pub(super) shows: Vec<((FuncId, u32), Ty)>,
    /// The protocol of the first end of every channel a body makes.
    pub(super) channel_sites: Vec<((FuncId, Slot), Session)>,
    /// Each use of a variable, with its type there (for a channel, its
    /// protocol state before the use), when asked for (`check`'s
    /// `record_uses`): what an editor shows on hover.
    pub(super) uses: Option<Vec<(Span, usize, Ty)>>,
    /// Each channel operation (when uses are recorded): where, the
    /// channel, its state after it (`None`: closed).
    pub(super) afters: Vec<(Span, usize, Option<Ty>)>,
    /// The bindings `uses` names (by index), as they were declared, and
    /// the index of each.
    use_bindings: Vec<(String, Span)>,
    use_index: HashMap<(String, Span), usize>,
}

/// A use of a variable: where, its name, its type there (a channel's
/// protocol state before the use), and where it was bound.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    pub span: Span,
    pub name: String,
    pub ty: String,
    pub bound: Span,
    /// For a channel whose protocol offers a choice there: the labels.
    pub choice: Option<Choice>,
}

/// The labels a channel may send (`sends`) or receive next.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub sends: bool,
    pub labels: Vec<String>,
}

/// What the body checks give back: the errors, and what the checker
/// writes onto the resolved program's nodes (`check::annotate_shows`,
/// `monitor::build`).
pub struct Findings {
    pub errors: Vec<CheckError>,
    /// The static type of every `show` argument, by the call's function
    /// and site.
    pub show_types: HashMap<(FuncId, u32), ShowTy>,
    /// The protocol of the first end of each channel made in a body, by
    /// the channel statement's function and `end` slot (for the run-time
    /// guard).
    pub channel_sites: Vec<((FuncId, Slot), Session)>,
    /// Every use of a variable, when `record_uses` was asked for.
    pub uses: Vec<Use>,
    /// Every channel operation with the channel's state after it (`ty`;
    /// `closed` once closed), when `record_uses` was asked for.
    pub states_after: Vec<Use>,
}

/// Checks every body of the resolved program (its declarations are
/// `globals.pending`, from id 0; its wiring is `entry`); with
/// `record_uses`, says what every variable is where it is used.
pub fn check(
    globals: &Globals<'_>,
    decls: &Decls,
    functions: Rc<Vec<ir::Function>>,
    entry: FuncId,
    record_uses: bool,
) -> Findings {
    let mut bodies = Bodies::default();
    bodies.add(0, functions);
    let mut inf = Infer::new(globals, decls, bodies, 0);
    if record_uses {
        inf.uses = Some(Vec::new());
    }
    inf.check_declarations();
    inf.check_wiring(entry);
    inf.findings()
}

/// A name the REPL's session process holds after a line, as the checker
/// sees it there.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionBinding {
    pub name: String,
    /// Its type, or a channel's current protocol state, in readable form.
    pub ty: String,
    /// A channel end (its `ty` is a protocol state).
    pub channel: bool,
    /// Holds a channel: the session may not copy it.
    pub linear: bool,
    /// As much of the type as `show` needs.
    pub show: ShowTy,
    /// Where it was bound.
    pub span: Span,
    /// A channel whose next step is a choice: the labels it may send
    /// (`put`) or must be ready to receive (`get`).
    pub labels: Option<(super::types::Dir, Vec<String>)>,
    /// A channel at `close`: the session lets go of it after this line.
    pub finished: bool,
}

/// The signatures of a program's functions and processes after their
/// bodies were checked, for checking more code against the same
/// declarations without checking the bodies again (the REPL's lines).
#[derive(Clone)]
pub struct Signatures {
    sigs: Vec<Sig>,
    /// The variables of the unifier that made them.
    vars: usize,
}

/// Checks the REPL session's lines, one after another in one scope (the
/// session is one process): each line may use what earlier lines bound,
/// in the state they left it. Channels may stay open at the end. Each
/// line is resolved (by the caller, `check::session`) as a function of
/// the names the session holds before it, which [`SessionCheck::names`]
/// gives.
pub struct SessionCheck<'a, 'g> {
    inf: Infer<'a, 'g>,
    signatures: Signatures,
    lines: usize,
    /// The bodies of the declarations (a line's replace the last line's).
    declaration_runs: usize,
}

impl<'a, 'g> SessionCheck<'a, 'g> {
    /// With `known`, the signatures of an earlier check of the same
    /// declarations, their bodies are not checked again; without, they
    /// are (their resolved functions are `declarations`, from
    /// `first_declaration` on), and their signatures come back for next
    /// time.
    pub fn new(
        globals: &'a Globals<'g>,
        decls: &'a Decls,
        first_declaration: FuncId,
        declarations: Option<Rc<Vec<ir::Function>>>,
        known: Option<&Signatures>,
    ) -> Self {
        let mut bodies = Bodies::default();
        if let Some(functions) = declarations {
            bodies.add(first_declaration, functions);
        }
        let mut inf = Infer::new(globals, decls, bodies, first_declaration);
        let signatures = match known {
            Some(k) => {
                inf.sigs = k.sigs.clone();
                inf.unifier.reserve(k.vars);
                k.clone()
            }
            None => {
                inf.check_declarations();
                inf.signatures()
            }
        };
        inf.begin_wiring();
        SessionCheck {
            declaration_runs: inf.bodies.runs.len(),
            inf,
            signatures,
            lines: 0,
        }
    }

    /// The names the session holds before the next line, in the order
    /// its function takes them, and the names it bound and no longer
    /// holds (a use of one is a use after a move); of the names in
    /// `only`, if given.
    pub fn names(
        &mut self,
        only: Option<&std::collections::HashSet<String>>,
    ) -> (Vec<String>, Vec<String>) {
        if self.lines > 0 {
            self.inf.let_go_of_finished();
        }
        let env = &self.inf.env;
        let mut latest: HashMap<&str, usize> = HashMap::new();
        for (i, b) in env.iter().enumerate() {
            if only.is_none_or(|names| names.contains(&b.name)) {
                latest.insert(b.name.as_str(), i);
            }
        }
        let mut found: Vec<(usize, &Binding)> = latest.values().map(|&i| (i, &env[i])).collect();
        found.sort_by_key(|(i, _)| *i);
        let (mut held, mut gone) = (Vec::new(), Vec::new());
        for (_, b) in found {
            match b.state {
                Liveness::Live => held.push(b.name.clone()),
                Liveness::Moved(_) => gone.push(b.name.clone()),
            }
        }
        (held, gone)
    }

    /// Checks one line, resolved as `functions` (its function first, then
    /// its closures, from id `first` on) with `held` and `gone` the names
    /// its function was given (see [`Self::names`]).
    pub fn line(
        &mut self,
        first: FuncId,
        functions: Rc<Vec<ir::Function>>,
        held: &[String],
        gone: &[String],
    ) {
        self.lines += 1;
        self.inf.bodies.runs.truncate(self.declaration_runs);
        self.inf.bodies.add(first, functions.clone());
        let Some(f) = functions.first() else { return };
        self.inf.session_line(first, f, held, gone);
    }

    /// What the lines' checks found, and what the session holds after the
    /// last, each name once.
    pub fn finish(self) -> (Findings, Vec<SessionBinding>, Signatures) {
        let SessionCheck {
            mut inf,
            signatures,
            ..
        } = self;
        let held = inf.session_held();
        (inf.findings(), held, signatures)
    }
}

/// The part of a type `show` needs (see `ir::ShowTy`). A generic named in
/// `params` becomes `ShowTy::Param` (its position); other generics `Any`.
pub fn show_ty(t: &Ty, params: &[(Rc<str>, bool)]) -> ShowTy {
    match t {
        Ty::Con(Con::List, args) => match args.first() {
            Some(Ty::Con(Con::Char, _)) => ShowTy::Str,
            Some(e) => ShowTy::List(Box::new(show_ty(e, params))),
            None => ShowTy::Any,
        },
        Ty::Con(Con::Tuple, args) => {
            ShowTy::Tuple(args.iter().map(|a| show_ty(a, params)).collect())
        }
        Ty::Con(Con::Data(_), args) => {
            ShowTy::Data(args.iter().map(|a| show_ty(a, params)).collect())
        }
        Ty::Rigid(name, _) => params
            .iter()
            .position(|(p, _)| p == name)
            .map_or(ShowTy::Any, |i| ShowTy::Param(i as u32)),
        _ => ShowTy::Any,
    }
}

impl<'a, 'g> Infer<'a, 'g> {
    fn new(
        globals: &'a Globals<'g>,
        decls: &'a Decls,
        bodies: Bodies,
        first_declaration: FuncId,
    ) -> Self {
        Infer {
            unifier: Unifier::new(decls),
            decls,
            globals,
            sigs: Vec::new(),
            bodies,
            first_declaration,
            frame: Frame::default(),
            errors: Vec::new(),
            silent: 0,
            from_unknown: Default::default(),
            env: Vec::new(),
            scopes: Vec::new(),
            barrier: 0,
            ended: false,
            layer: Layer::Program,
            in_function: false,
            drops: Vec::new(),
            scope_vars: HashMap::new(),
            shows: Vec::new(),
            channel_sites: Vec::new(),
            uses: None,
            afters: Vec::new(),
            use_bindings: Vec::new(),
            use_index: HashMap::new(),
        }
    }

    /// Notes a use at `span` of binding `i` with its type now (when
    /// uses are recorded, and the check is not a speculative one).
    pub(super) fn record_use(&mut self, i: usize, span: Span) {
        let Some(at) = self.use_binding_index(i) else {
            return;
        };
        let ty = self.env[i].ty.clone();
        if let Some(uses) = &mut self.uses {
            uses.push((span, at, ty));
        }
    }

    /// Notes the state of channel `i` after an operation at `span`
    /// (`closed`: it was closed), when uses are recorded.
    pub(super) fn record_after(&mut self, i: usize, span: Span, closed: bool) {
        let Some(at) = self.use_binding_index(i) else {
            return;
        };
        let ty = (!closed).then(|| self.env[i].ty.clone());
        self.afters.push((span, at, ty));
    }

    /// The index in `use_bindings` of binding `i`, when uses are recorded
    /// and the check is not a speculative one.
    fn use_binding_index(&mut self, i: usize) -> Option<usize> {
        if self.silent > 0 || self.uses.is_none() || i >= self.env.len() {
            return None;
        }
        let b = &self.env[i];
        let key = (b.name.clone(), b.span);
        let next = self.use_bindings.len();
        let at = *self.use_index.entry(key.clone()).or_insert(next);
        if at == next {
            self.use_bindings.push(key);
        }
        Some(at)
    }

    /// Signatures, then every function group and every process body.
    fn check_declarations(&mut self) {
        self.build_sigs();
        for group in self.function_groups() {
            self.check_group(&group);
        }
        for (i, p) in self.globals.pending.iter().enumerate() {
            if let Pending::Process(..) = p {
                self.check_process(i);
            }
        }
    }

    /// The signatures, every type in them resolved.
    fn signatures(&self) -> Signatures {
        let sigs = self
            .sigs
            .iter()
            .map(|sig| Sig {
                params: sig.params.iter().map(|t| self.unifier.resolve(t)).collect(),
                ret: self.unifier.resolve(&sig.ret),
                exits: sig
                    .exits
                    .iter()
                    .map(|e| match e {
                        Exit::Open(s) => Exit::Open(self.unifier.resolve_session(s)),
                        other => other.clone(),
                    })
                    .collect(),
                ..sig.clone()
            })
            .collect();
        Signatures {
            sigs,
            vars: self.unifier.len(),
        }
    }

    /// What the checks found, with every type resolved.
    fn findings(mut self) -> Findings {
        let shows = std::mem::take(&mut self.shows);
        let show_types = shows
            .iter()
            .map(|(span, t)| (*span, show_ty(&self.unifier.resolve(t), &[])))
            .collect();
        let sites = std::mem::take(&mut self.channel_sites);
        let channel_sites = sites
            .iter()
            .map(|(span, s)| (*span, self.unifier.resolve_session(s)))
            .collect();
        let as_use = |inf: &Self, span: Span, at: usize, ty: Option<&Ty>| {
            let (name, bound) = inf.use_bindings[at].clone();
            Use {
                span,
                name,
                ty: ty.map_or_else(|| "closed".to_string(), |t| inf.show(t)),
                bound,
                choice: ty.and_then(|t| inf.choice_of(t)),
            }
        };
        let uses = std::mem::take(&mut self.uses)
            .unwrap_or_default()
            .into_iter()
            .map(|(span, at, ty)| as_use(&self, span, at, Some(&ty)))
            .collect();
        let states_after = std::mem::take(&mut self.afters)
            .into_iter()
            .map(|(span, at, ty)| as_use(&self, span, at, ty.as_ref()))
            .collect();
        Findings {
            errors: self.errors,
            show_types,
            channel_sites,
            uses,
            states_after,
        }
    }

    /// The labels a channel of type `t` may send or receive next, when
    /// its protocol offers a choice (after unfolding protocol names).
    fn choice_of(&self, t: &Ty) -> Option<Choice> {
        let Ty::Session(s) = self.unifier.resolve(t) else {
            return None;
        };
        match self.unifier.head(&s)? {
            Session::Choice { dir, branches } => Some(Choice {
                sends: dir == super::types::Dir::Put,
                labels: branches.iter().map(|(l, _)| l.to_string()).collect(),
            }),
            _ => None,
        }
    }

    pub(super) fn error(&mut self, e: CheckError) {
        if self.silent == 0 {
            self.errors.push(e);
        }
    }

    pub(super) fn show(&self, t: &Ty) -> String {
        super::types::show_ty(&self.unifier.resolve(t), self.decls)
    }

    pub(super) fn show_s(&self, s: &Session) -> String {
        show_session(&self.unifier.resolve_session(s), self.decls)
    }

    // -----------------------------------------------------------------------
    // Signatures

    fn build_sigs(&mut self) {
        for p in &self.globals.pending {
            let sig = match p {
                Pending::Function(f, layer, _) => self.function_sig(f, *layer),
                Pending::Process(p, layer) => self.process_sig(p, *layer),
            };
            self.sigs.push(sig);
        }
    }

    fn convert(&mut self, t: &Spanned<ast::Type>, scope: &mut TyScope) -> Ty {
        let mut errs = Vec::new();
        let ty = self.decls.ty(t, scope, &mut errs);
        errs.into_iter().for_each(|e| self.error(e));
        self.forget_unknown(&ty)
    }

    /// `ty` with each unknown type name (already reported) replaced by a
    /// fresh variable, which takes whatever the code does with it; so is
    /// `neg<Unknown>`, whose dual is as unknown (else every use of the
    /// channel is reported against `neg<?>`).
    fn forget_unknown(&mut self, ty: &Ty) -> Ty {
        let unknown =
            |t: &Ty| matches!(t, Ty::Rigid(name, _) if &**name == super::decls::UNKNOWN_TYPE);
        match ty {
            t if unknown(t) => self.fresh_unknown(),
            Ty::Session(s) if matches!(&**s, Session::Var { ty, .. } if unknown(ty)) => {
                self.fresh_unknown()
            }
            Ty::Con(c, args) if !args.is_empty() => {
                let args: Vec<Ty> = args.iter().map(|a| self.forget_unknown(a)).collect();
                Ty::con(c.clone(), args)
            }
            other => other.clone(),
        }
    }

    fn fresh_unknown(&mut self) -> Ty {
        let v = self.unifier.fresh();
        if let Ty::Var(n) = v {
            self.from_unknown.insert(n);
        }
        v
    }

    fn function_sig(&mut self, f: &ast::FunctionDecl, layer: Layer) -> Sig {
        let mut scope = TyScope::new(layer, true);
        let first = f.clauses.first().map(|c| &c.node.params[..]).unwrap_or(&[]);
        let mut inferred = f.ret.is_none() || f.clauses.len() > 1;
        let mut params = Vec::new();
        for p in first {
            match &p.node.ty {
                Some(t) => params.push(self.convert(t, &mut scope)),
                None => {
                    inferred = true;
                    params.push(self.unifier.fresh());
                }
            }
        }
        let ret = match &f.ret {
            Some(t) => self.convert(t, &mut scope),
            None => self.unifier.fresh(),
        };
        let exits = params.iter().map(|p| self.initial_exit(p)).collect();
        Sig {
            name: f.name.node.clone(),
            generics: scope.generics,
            params,
            ret,
            is_process: false,
            exits,
            nonlinear: Vec::new(),
            inferred,
            scope: scope.vars,
            layer,
            span: f.name.span,
        }
    }

    fn process_sig(&mut self, p: &ast::ProcessDecl, layer: Layer) -> Sig {
        let mut scope = TyScope::new(layer, true);
        let params: Vec<Ty> = p
            .params
            .iter()
            .map(|q| match &q.node.ty {
                Some(t) => self.convert(t, &mut scope),
                None => self.unifier.fresh(),
            })
            .collect();
        let exits = params.iter().map(|_| Exit::Value).collect();
        Sig {
            name: p.name.node.clone(),
            generics: scope.generics,
            params,
            ret: Ty::unit(),
            is_process: true,
            exits,
            nonlinear: Vec::new(),
            inferred: false,
            scope: scope.vars,
            layer,
            span: p.name.span,
        }
    }

    fn initial_exit(&self, t: &Ty) -> Exit {
        match self.unifier.shallow(t) {
            Ty::Session(_) => Exit::Unknown,
            _ => Exit::Value,
        }
    }

    /// Strongly connected groups of functions, callees before callers.
    fn function_groups(&self) -> Vec<Vec<usize>> {
        let n = self.globals.pending.len();
        let edges: Vec<Vec<usize>> = (0..n).map(|i| self.callees(i)).collect();
        let is_fn: Vec<bool> = self
            .globals
            .pending
            .iter()
            .map(|p| matches!(p, Pending::Function(..)))
            .collect();
        tarjan(&edges)
            .into_iter()
            .filter(|g| g.iter().all(|i| is_fn[*i]))
            .collect()
    }

    /// The declarations (by index into `sigs`) the function of declaration
    /// `i` calls, in its record methods and fork arms too.
    fn callees(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        if matches!(self.globals.pending.get(i), Some(Pending::Function(..))) {
            self.callees_of(self.first_declaration + i as FuncId, &mut out);
        }
        out
    }

    fn callees_of(&self, id: FuncId, out: &mut Vec<usize>) {
        let Some((run, k)) = self.bodies.find(id) else {
            return;
        };
        let mut inner = Vec::new();
        run[k].body.for_each(&mut |e| match &e.kind {
            ir::ExprKind::Call { func, .. } => {
                if let Some(d) = self.declaration(*func) {
                    out.push(d);
                }
            }
            ir::ExprKind::Record { methods, .. } => inner.extend(methods.iter().copied()),
            ir::ExprKind::Block(b) => {
                for stmt in &b.stmts {
                    if let ir::Stmt::Fork { arms, .. } = stmt {
                        inner.extend(arms.iter().map(|a| a.func));
                    }
                }
            }
            _ => {}
        });
        for f in inner {
            self.callees_of(f, out);
        }
    }

    /// The declaration (index into `sigs`) function `id` is, if it is one.
    pub(super) fn declaration(&self, id: FuncId) -> Option<usize> {
        let i = id.checked_sub(self.first_declaration)? as usize;
        (i < self.globals.pending.len()).then_some(i)
    }

    // -----------------------------------------------------------------------
    // Bodies

    fn begin_body(&mut self, sig: usize, in_function: bool) {
        self.env.clear();
        self.scopes = vec![0];
        self.barrier = 0;
        self.ended = false;
        self.drops.clear();
        self.layer = self.sigs[sig].layer;
        self.in_function = in_function;
        self.scope_vars = self.sigs[sig].scope.clone();
    }

    fn check_group(&mut self, group: &[usize]) {
        let with_channels = group
            .iter()
            .any(|i| self.sigs[*i].exits.iter().any(|e| *e != Exit::Value));
        let recursive = group.len() > 1 || group.iter().any(|i| self.calls_itself(*i));
        if with_channels && recursive {
            self.silent += 1;
            for i in group {
                self.check_function(*i);
            }
            self.silent -= 1;
        }
        let mut drops = Vec::new();
        for i in group {
            self.check_function(*i);
            drops.push((*i, std::mem::take(&mut self.drops)));
        }
        for i in group {
            if self.sigs[*i].inferred {
                self.generalize(*i);
            }
        }
        for (i, d) in drops {
            self.note_nonlinear(i, &d);
        }
    }

    fn calls_itself(&self, i: usize) -> bool {
        self.callees(i).contains(&i)
    }

    fn check_function(&mut self, i: usize) {
        let id = self.first_declaration + i as FuncId;
        let Some((run, k)) = self.bodies.find(id) else {
            return;
        };
        let f = &run[k];
        self.begin_body(i, true);
        self.frame = Frame::of(id, f);
        let params = self.sigs[i].params.clone();
        let ret = self.sigs[i].ret.clone();
        let mut exits: Option<Vec<Exit>> = None;
        for (patterns, body) in clauses(f) {
            self.push_scope();
            self.bind_params(f, &patterns, &params, true);
            let t = self.infer(body);
            self.expect(
                &t,
                &ret,
                tail_span(body),
                " in the value this function returns",
            );
            let these = self.param_exits(params.len());
            self.pop_scope(end_span(body.span));
            exits = Some(match exits {
                None => these,
                Some(prev) => self.merge_exits(prev, these, f.span),
            });
        }
        if let Some(e) = exits {
            self.sigs[i].exits = e;
        }
    }

    /// Binds the parameters of `f` (of types `types`) as `patterns` (one
    /// clause's, see [`clauses`]) says: a parameter bound straight to a
    /// slot is a parameter binding (`param` says whether its exit is
    /// tracked), any other is matched.
    fn bind_params(
        &mut self,
        f: &ir::Function,
        patterns: &[ParamPattern<'_>],
        types: &[Ty],
        param: bool,
    ) {
        for (k, (p, ty)) in patterns.iter().zip(types).enumerate() {
            match p {
                ParamPattern::Slot(slot) => {
                    let span = f.param_spans.get(k).copied().unwrap_or(f.span);
                    if self.slot_name(*slot).is_empty() {
                        self.wild(ty, span);
                        continue;
                    }
                    let is_chan = matches!(self.unifier.shallow(ty), Ty::Session(_));
                    self.bind(*slot, ty.clone(), span);
                    if let (true, Some(b)) = (param && is_chan, self.env.last_mut()) {
                        b.param = Some(k);
                    }
                }
                ParamPattern::Matched(p) => match &p.kind {
                    ir::PatternKind::Bind(slot) => {
                        let is_chan = matches!(self.unifier.shallow(ty), Ty::Session(_));
                        self.bind(*slot, ty.clone(), p.span);
                        if let (true, Some(b)) = (param && is_chan, self.env.last_mut()) {
                            b.param = Some(k);
                        }
                    }
                    _ => self.pattern(p, ty),
                },
            }
        }
    }

    /// The exit of each channel parameter at the end of a clause.
    fn param_exits(&mut self, count: usize) -> Vec<Exit> {
        let mut exits = vec![Exit::Value; count];
        for b in &self.env {
            let Some(k) = b.param else { continue };
            exits[k] = match &b.state {
                _ if self.ended => Exit::UsedUp,
                Liveness::Moved(_) => Exit::UsedUp,
                Liveness::Live => match self.unifier.shallow(&b.ty) {
                    Ty::Session(s) => match self.unifier.head(&s) {
                        Some(Session::Close) => Exit::UsedUp,
                        Some(Session::Unknown) => Exit::Unknown,
                        _ => Exit::Open(self.unifier.resolve_session(&s)),
                    },
                    _ => Exit::Value,
                },
            };
        }
        exits
    }

    fn merge_exits(&mut self, a: Vec<Exit>, b: Vec<Exit>, span: Span) -> Vec<Exit> {
        a.into_iter()
            .zip(b)
            .map(|(x, y)| match (x, y) {
                (Exit::Unknown, y) => y,
                (x, Exit::Unknown) => x,
                (Exit::Open(s), Exit::Open(t)) => {
                    if self.unifier.unify_sessions(&s, &t).is_err() {
                        let (first, second) = (self.show_s(&s), self.show_s(&t));
                        self.error(CheckError::BranchesDisagree {
                            names: vec!["a channel parameter".into()],
                            state: second,
                            span,
                            other_state: first,
                            other: span,
                            left_open: false,
                            in_function: true,
                        });
                    }
                    Exit::Open(s)
                }
                (x, y) if x == y => x,
                (x, _) => {
                    self.error(CheckError::BranchesDisagree {
                        names: vec!["a channel parameter".into()],
                        state: "left open".into(),
                        span,
                        other_state: "used up".into(),
                        other: span,
                        left_open: true,
                        in_function: true,
                    });
                    x
                }
            })
            .collect()
    }

    fn check_process(&mut self, i: usize) {
        let id = self.first_declaration + i as FuncId;
        let Some((run, k)) = self.bodies.find(id) else {
            return;
        };
        let f = &run[k];
        self.begin_body(i, false);
        self.frame = Frame::of(id, f);
        let params = self.sigs[i].params.clone();
        for (patterns, body) in clauses(f) {
            self.push_scope();
            self.bind_params(f, &patterns, &params, false);
            self.infer(body);
            self.pop_scope(end_span(body.span));
        }
        let drops = std::mem::take(&mut self.drops);
        self.note_nonlinear(i, &drops);
    }

    /// Starts the body of the wiring (or of the REPL's session process).
    fn begin_wiring(&mut self) {
        self.env.clear();
        self.scopes = vec![0];
        self.barrier = 0;
        self.ended = false;
        self.layer = Layer::Program;
        self.in_function = false;
        self.scope_vars.clear();
    }

    /// One line of the REPL's session process, resolved as function `f`
    /// of the names `held` (then a reply channel, then `gone`): its
    /// statements run in the session's scope, where what they bind stays.
    fn session_line(&mut self, id: FuncId, f: &ir::Function, held: &[String], gone: &[String]) {
        let mut frame = Frame::of(id, f);
        let given = held
            .iter()
            .map(Some)
            .chain([None])
            .chain(gone.iter().map(Some));
        for (slot, name) in given.enumerate() {
            if let Some(s) = frame.slots.get_mut(slot) {
                // The latest binding of the name.
                *s = name.and_then(|n| self.env.iter().rposition(|b| b.name == *n));
            }
        }
        self.frame = frame;
        let ir::ExprKind::Block(block) = &f.body.kind else {
            return;
        };
        // The block's tail sends the session's names back to it: the
        // session's own doing, not the line's.
        self.stmts(&block.stmts, "the end of the session's process");
    }

    /// What the session holds after its lines, each name once. A binding
    /// hidden by a later one of the same name can never be used again: it
    /// must be finished, like a binding going out of scope.
    fn session_held(&mut self) -> Vec<SessionBinding> {
        let env = std::mem::take(&mut self.env);
        let mut held = Vec::new();
        for (i, b) in env.iter().enumerate() {
            let hidden_at = env[i + 1..].iter().find(|later| later.name == b.name);
            match hidden_at {
                Some(later) => self.finish(b, later.span),
                None if matches!(b.state, Liveness::Live) => held.push(self.session_binding(b)),
                None => {}
            }
        }
        self.env = env;
        held
    }

    /// The session lets go of a channel whose protocol has reached
    /// `close` once the line that finished it is over (the name is free
    /// again, for `P(~c)` say).
    fn let_go_of_finished(&mut self) {
        let env = std::mem::take(&mut self.env);
        self.env = env
            .into_iter()
            .filter(|b| !(matches!(b.state, Liveness::Live) && self.is_finished(&b.ty)))
            .collect();
    }

    fn is_finished(&self, ty: &Ty) -> bool {
        match self.unifier.shallow(ty) {
            Ty::Session(s) => matches!(self.unifier.head(&s), Some(Session::Close)),
            _ => false,
        }
    }

    fn session_binding(&self, b: &Binding) -> SessionBinding {
        let ty = self.unifier.resolve(&b.ty);
        let channel = matches!(ty, Ty::Session(_));
        SessionBinding {
            name: b.name.clone(),
            ty: match &ty {
                Ty::Session(s) => show_session(s, self.decls),
                t => super::types::show_ty(t, self.decls),
            },
            channel,
            linear: self.unifier.is_linear(&ty),
            show: show_ty(&ty, &[]),
            span: b.span,
            labels: self.next_labels(&ty),
            finished: self.is_finished(&ty),
        }
    }

    fn next_labels(&self, ty: &Ty) -> Option<(super::types::Dir, Vec<String>)> {
        let Ty::Session(s) = ty else { return None };
        match self.unifier.head(s)? {
            Session::Choice { dir, branches } => {
                Some((dir, branches.iter().map(|(l, _)| l.to_string()).collect()))
            }
            _ => None,
        }
    }

    /// The top-level wiring, function `entry`.
    fn check_wiring(&mut self, entry: FuncId) {
        self.begin_wiring();
        let Some((run, k)) = self.bodies.find(entry) else {
            return;
        };
        let f = &run[k];
        self.frame = Frame::of(entry, f);
        self.infer(&f.body);
    }

    /// Turns the unification variables left in an inferred signature into
    /// named generics.
    fn generalize(&mut self, i: usize) {
        let mut vars = Vec::new();
        let sig = &self.sigs[i];
        for t in sig.params.iter().chain(std::iter::once(&sig.ret)) {
            self.unifier.free_vars(t, &mut vars);
        }
        let mut generics = Vec::new();
        for (k, v) in vars.into_iter().enumerate() {
            let name: Rc<str> = generic_name(k).into();
            self.unifier.set(v, Ty::Rigid(name.clone(), false));
            generics.push((name, false));
        }
        let sig = &self.sigs[i];
        let params: Vec<Ty> = sig.params.iter().map(|t| self.unifier.resolve(t)).collect();
        let ret = self.unifier.resolve(&sig.ret);
        let exits: Vec<Exit> = sig
            .exits
            .iter()
            .map(|e| match e {
                Exit::Open(s) => Exit::Open(self.unifier.resolve_session(s)),
                other => other.clone(),
            })
            .collect();
        let sig = &mut self.sigs[i];
        sig.generics.extend(generics);
        sig.params = params;
        sig.ret = ret;
        sig.exits = exits;
    }

    /// Records which generics a body dropped or copied; a `#` generic that
    /// was is an error (it promises linear use).
    fn note_nonlinear(&mut self, i: usize, drops: &[(Ty, Span)]) {
        let generics = self.sigs[i].generics.clone();
        let mut nonlinear = Vec::new();
        for (name, proto) in generics {
            let hit = drops
                .iter()
                .find(|(t, _)| self.unifier.mentions_rigid(t, &name));
            if let Some((_, span)) = hit {
                if proto && !self.sigs[i].is_process && self.sigs[i].layer == Layer::Program {
                    let fname = self.sigs[i].name.clone();
                    self.error(CheckError::LinearPromiseBroken {
                        var: name.to_string(),
                        name: fname,
                        span: *span,
                    });
                }
                nonlinear.push(name);
            }
        }
        self.sigs[i].nonlinear = nonlinear;
    }

    // -----------------------------------------------------------------------
    // Scopes and bindings

    pub(super) fn push_scope(&mut self) {
        self.scopes.push(self.env.len());
    }

    /// Ends a scope: every binding it made must be finished (channels) or
    /// used (values holding channels).
    pub(super) fn pop_scope(&mut self, end: Span) {
        let start = self.scopes.pop().unwrap_or(0);
        let popped: Vec<Binding> = self.env.drain(start.min(self.env.len())..).collect();
        if self.ended {
            return;
        }
        for b in popped {
            if b.param.is_none() {
                self.finish(&b, end);
            }
        }
    }

    /// Reports a binding that is dropped while it still matters.
    pub(super) fn finish(&mut self, b: &Binding, end: Span) {
        if !b.tracked || matches!(b.state, Liveness::Moved(_)) {
            return;
        }
        match self.unifier.shallow(&b.ty) {
            Ty::Session(s) => match self.unifier.head(&s) {
                Some(Session::Close) | Some(Session::Unknown) => {}
                // Nothing is known of its protocol (an untyped channel never
                // used, or one whose type was unknown): nothing to finish.
                Some(Session::Var { ty, .. })
                    if matches!(self.unifier.shallow(&ty), Ty::Var(_)) => {}
                other => {
                    let state = match other {
                        Some(h) => self.show_s(&h),
                        None => self.show_s(&s),
                    };
                    self.error(CheckError::ChannelLeftOpen {
                        name: b.name.clone(),
                        state,
                        span: end,
                        declared: b.span,
                        in_function: self.in_function,
                    });
                }
            },
            t if self.unifier.is_linear(&t) => self.error(CheckError::LinearValueDropped {
                name: b.name.clone(),
                span: end,
                declared: b.span,
            }),
            t => self.drops.push((t, b.span)),
        }
    }

    pub(super) fn binding(&self, name: &str, ty: Ty, span: Span) -> Binding {
        let tracked = self.unifier.maybe_linear(&ty);
        Binding {
            name: name.to_string(),
            ty,
            span,
            state: Liveness::Live,
            tracked,
            param: None,
        }
    }

    /// Binds `slot` of the function being checked to a new binding.
    pub(super) fn bind(&mut self, slot: Slot, ty: Ty, span: Span) {
        let name = self.slot_name(slot).to_string();
        let b = self.binding(&name, ty, span);
        self.env.push(b);
        if let Some(s) = self.frame.slots.get_mut(slot as usize) {
            *s = Some(self.env.len() - 1);
        }
    }

    /// The source name of `slot` (`""` for a temporary).
    pub(super) fn slot_name(&self, slot: Slot) -> &str {
        self.frame.names.get(slot as usize).map_or("", |n| n)
    }

    /// The binding `slot` stands for, if it was bound (a slot of a name
    /// bound where the type checker binds nothing, inside an unknown
    /// constructor's pattern, say, is not).
    pub(super) fn find(&self, slot: Slot) -> Option<usize> {
        let i = (*self.frame.slots.get(slot as usize)?)?;
        (i < self.env.len()).then_some(i)
    }

    /// Converts a type written in a body (a `let` or channel annotation).
    pub(super) fn body_type(&mut self, t: &Spanned<ast::Type>) -> Ty {
        let mut scope = TyScope::new(self.layer, false);
        scope.vars = self.scope_vars.clone();
        self.convert(t, &mut scope)
    }

    /// Reports a use at `span` of `name`, which was closed or given away
    /// as `gone` says.
    pub(super) fn used_after_move(&mut self, name: String, span: Span, gone: Gone) {
        self.error(CheckError::UsedAfterMove {
            name,
            span,
            moved: gone.at,
            closed: gone.closed,
        });
    }

    /// Unifies, reporting a mismatch at `span`.
    pub(super) fn expect(&mut self, found: &Ty, expected: &Ty, span: Span, context: &str) -> bool {
        match self.type_mismatch(found, expected, span, context) {
            None => true,
            Some(error) => {
                self.error(error);
                false
            }
        }
    }

    /// Unifies; on a clash, the mismatch to report at `span` (with the
    /// hint that fits the two types, if any) instead of reporting it.
    pub(super) fn type_mismatch(
        &mut self,
        found: &Ty,
        expected: &Ty,
        span: Span,
        context: &str,
    ) -> Option<CheckError> {
        if self.unifier.unify(found, expected).is_ok() {
            return None;
        }
        let hint = self.hint(found, expected);
        let (expected, found) = (self.show(expected), self.show(found));
        Some(CheckError::TypeMismatch {
            expected,
            found,
            span,
            context: context.to_string(),
            hint,
        })
    }

    /// The common confusion a clash of `found` with `expected` fits: a
    /// number or `Bool` where a `String` is needed.
    fn hint(&self, found: &Ty, expected: &Ty) -> Option<MismatchHint> {
        let found = self.unifier.resolve(found);
        let expected = self.unifier.resolve(expected);
        let printable = matches!(&found, Ty::Con(Con::Int | Con::Float | Con::Bool, _));
        (printable && expected == Ty::string()).then_some(MismatchHint::Show)
    }

    /// A fresh copy of a signature's generics for one use.
    pub(super) fn instantiate(&mut self, generics: &Generics) -> HashMap<Rc<str>, Ty> {
        generics
            .iter()
            .map(|(n, _)| (n.clone(), self.unifier.fresh()))
            .collect()
    }

    pub(super) fn inst_ty(&self, t: &Ty, map: &HashMap<Rc<str>, Ty>) -> Ty {
        subst_ty(t, map)
    }

    pub(super) fn inst_exit(&self, e: &Exit, map: &HashMap<Rc<str>, Ty>) -> Exit {
        match e {
            Exit::Open(s) => Exit::Open(subst_session(s, map)),
            other => other.clone(),
        }
    }
}

/// Span of a block's closing brace.
pub(super) fn end_span(block: Span) -> Span {
    Span {
        file: block.file,
        start: block.end.saturating_sub(1),
        end: block.end,
    }
}

/// Span of a body's value: its block's tail expression, or its end.
fn tail_span(body: &ir::Expr) -> Span {
    match &body.kind {
        ir::ExprKind::Block(b) => b
            .tail
            .as_ref()
            .map_or_else(|| end_span(body.span), |t| t.span),
        _ => body.span,
    }
}

/// One parameter in one clause: bound to its slot directly, or matched
/// by a pattern.
pub(super) enum ParamPattern<'f> {
    Slot(Slot),
    Matched(&'f ir::Pattern),
}

/// The clauses of a function: each one's parameters and body. A function
/// that does not match its parameters has one clause, its parameters in
/// the slots after its captures.
pub(super) fn clauses(f: &ir::Function) -> Vec<(Vec<ParamPattern<'_>>, &ir::Expr)> {
    let arity = f.params as usize;
    match &f.body.kind {
        ir::ExprKind::Match { arms, .. } if f.clauses => arms
            .iter()
            .map(|arm| {
                let patterns = match &arm.pattern.kind {
                    _ if arity == 1 => vec![ParamPattern::Matched(&arm.pattern)],
                    ir::PatternKind::Tuple(ps) if ps.len() == arity => {
                        ps.iter().map(ParamPattern::Matched).collect()
                    }
                    _ => Vec::new(),
                };
                (patterns, &arm.body)
            })
            .collect(),
        _ => {
            let first = f.captures;
            let patterns = (0..f.params)
                .map(|k| ParamPattern::Slot(first + k))
                .collect();
            vec![(patterns, &f.body)]
        }
    }
}

fn generic_name(k: usize) -> String {
    let letters = "abcdefghijklmnopqrstuvwxyz";
    let c = letters.as_bytes()[k % 26] as char;
    if k < 26 {
        c.to_string()
    } else {
        format!("{c}{}", k / 26)
    }
}

/// Tarjan's strongly connected components; components come out callees
/// first.
fn tarjan(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct Tarjan<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            // Iterative DFS: (node, next edge index).
            let mut work = vec![(v, 0usize)];
            self.enter(v);
            while let Some((node, ei)) = work.pop() {
                if let Some(&w) = self.edges[node].get(ei) {
                    work.push((node, ei + 1));
                    match self.index[w] {
                        None => {
                            self.enter(w);
                            work.push((w, 0));
                        }
                        Some(iw) if self.on[w] => self.low[node] = self.low[node].min(iw),
                        _ => {}
                    }
                    continue;
                }
                if let Some(&(parent, _)) = work.last() {
                    self.low[parent] = self.low[parent].min(self.low[node]);
                }
                if Some(self.low[node]) == self.index[node] {
                    let mut comp = Vec::new();
                    while let Some(w) = self.stack.pop() {
                        self.on[w] = false;
                        comp.push(w);
                        if w == node {
                            break;
                        }
                    }
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
        fn enter(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on[v] = true;
        }
    }
    let n = edges.len();
    let mut t = Tarjan {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            t.visit(v);
        }
    }
    t.out
}

/// The protocol (its declared name) each parameter of process `name` (of
/// the program, not the prelude) is found to have once the declarations
/// `functions` (from id 0) are checked; `None` where it is no protocol or
/// not known.
pub fn process_protocols(
    globals: &Globals<'_>,
    decls: &Decls,
    functions: Rc<Vec<ir::Function>>,
    name: &str,
) -> Vec<Option<String>> {
    let mut bodies = Bodies::default();
    bodies.add(0, functions);
    let mut inf = Infer::new(globals, decls, bodies, 0);
    inf.check_declarations();
    let found = inf
        .sigs
        .iter()
        .rev()
        .find(|s| s.is_process && s.name == name && s.layer == Layer::Program);
    let Some(sig) = found else {
        return Vec::new();
    };
    sig.params.iter().map(|t| inf.protocol_name(t)).collect()
}

impl Infer<'_, '_> {
    /// The protocol a channel of type `t` follows: a named one, or the
    /// one whose choice has exactly the labels of its first step.
    fn protocol_name(&self, t: &Ty) -> Option<String> {
        let Ty::Session(s) = self.unifier.resolve(t) else {
            return None;
        };
        if let Session::Ref { proto, .. } = &*s {
            return self
                .decls
                .protos
                .get(*proto as usize)
                .map(|p| p.name.to_string());
        }
        let Some(Session::Choice { branches, .. }) = self.unifier.head(&s) else {
            return None;
        };
        let labels = |b: &[(Rc<str>, Rc<Session>)]| {
            let mut l: Vec<Rc<str>> = b.iter().map(|(l, _)| l.clone()).collect();
            l.sort();
            l
        };
        let wanted = labels(&branches);
        self.decls
            .protos
            .iter()
            .find(|p| matches!(&p.body, Session::Choice { branches: b, .. } if labels(b) == wanted))
            .map(|p| p.name.to_string())
    }
}

/// The signature of every function and process, in declaration order:
/// `(name, text, is_process, layer)`, the text as the REPL shows it
/// (`([t]) -> Int`, `process (neg<StringLookup>, [String])`).
/// `declarations` are the resolved declarations, from id `first` on.
pub fn signatures(
    globals: &Globals<'_>,
    decls: &Decls,
    first: FuncId,
    declarations: Rc<Vec<ir::Function>>,
) -> Vec<(String, String, bool, Layer)> {
    let mut bodies = Bodies::default();
    bodies.add(first, declarations);
    let mut inf = Infer::new(globals, decls, bodies, first);
    inf.check_declarations();
    inf.sigs
        .iter()
        .map(|sig| {
            let params: Vec<String> = sig.params.iter().map(|t| inf.show(t)).collect();
            let text = match sig.is_process {
                true => format!("process ({})", params.join(", ")),
                false => format!("({}) -> {}", params.join(", "), inf.show(&sig.ret)),
            };
            (sig.name.clone(), text, sig.is_process, sig.layer)
        })
        .collect()
}
