//! Name resolution: turns the syntax tree into the resolved program
//! (`crate::ir`). Variables become frame slots, calls become `FuncId`s
//! (function call or process start), constructors and labels become tags,
//! implicit channels (`link` ... `~link`) become explicit channel
//! statements, equation-style clauses become one `Match`, and record
//! methods and fork arms are closure-converted.
//!
//! Closures are resolved twice: a first, silent pass discovers which outer
//! names the body uses; the second pass binds those captures to the first
//! slots of the closure's frame, as `ir::Function` requires.
//!
//! Types, protocols and linearity are not looked at here.

use super::errors::CheckError;
use super::globals::{Globals, Layer, Pending};
use super::walk::BlockKind;
use crate::ir::{self, Expr, ExprKind, FnKind, FuncId, Slot};
use crate::services;
use crate::source::{Span, Spanned};
use crate::syntax::ast;
use std::collections::HashMap;
use std::sync::Arc;

struct Frame {
    scopes: Vec<Vec<(String, Slot)>>,
    next_slot: u32,
    /// A closure may capture names of the frames below it.
    closure: bool,
    /// Names captured so far (discovery pass).
    discovered: Vec<String>,
    wiring: bool,
    /// The source name of each slot (`""` for a temporary).
    names: Vec<Arc<str>>,
    /// Calls of built-ins so far (`ir::ExprKind::Builtin::site`).
    builtins: u32,
}

impl Frame {
    fn new(closure: bool, wiring: bool) -> Frame {
        Frame {
            scopes: vec![Vec::new()],
            next_slot: 0,
            closure,
            discovered: Vec::new(),
            wiring,
            names: Vec::new(),
            builtins: 0,
        }
    }

    /// A new slot for `name`, in the innermost scope.
    fn bind(&mut self, name: &str) -> Slot {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.names.push(name.into());
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), slot));
        }
        slot
    }

    /// The frame's slot count and slot names, for its `ir::Function`.
    fn finish(frame: Option<Frame>) -> (u32, Vec<Arc<str>>) {
        frame.map_or((0, Vec::new()), |f| (f.next_slot, f.names))
    }

    fn find(&self, name: &str) -> Option<Slot> {
        self.scopes
            .iter()
            .rev()
            .find_map(|s| s.iter().rev().find(|(n, _)| n == name).map(|(_, s)| *s))
    }
}

pub struct Resolver<'g, 'a> {
    g: &'g Globals<'a>,
    ids: Ids,
    layer: Layer,
    frames: Vec<Frame>,
    pub errors: Vec<CheckError>,
    /// Discovery passes in progress: errors are not recorded.
    silent: u32,
    pub functions: Vec<Option<ir::Function>>,
    services: HashMap<ir::ServiceId, Span>,
}

/// Where the ids of a resolution start. A program resolved at once starts
/// at zero; the REPL's program grows (functions are never replaced, so a
/// value made by older code keeps working), and each line is resolved onto
/// it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ids {
    /// The id of the first declaration of `Globals::pending`.
    pub declarations: FuncId,
    /// The id of the first function this resolution makes.
    pub fresh: FuncId,
    /// The id of the first codata type of `Globals::codata_info`.
    pub codata: ir::CodataId,
}

impl<'g, 'a> Resolver<'g, 'a> {
    fn new(g: &'g Globals<'a>, ids: Ids) -> Self {
        Resolver {
            g,
            ids,
            layer: Layer::Program,
            frames: Vec::new(),
            errors: Vec::new(),
            silent: 0,
            functions: Vec::new(),
            services: HashMap::new(),
        }
    }

    /// Resolves every declaration, in `pending` order from `ids.fresh`
    /// (which must equal `ids.declarations`), closures after them.
    fn declarations(&mut self) {
        self.functions = (0..self.g.pending.len()).map(|_| None).collect();
        for (i, p) in self.g.pending.iter().enumerate() {
            let f = match p {
                Pending::Function(f, layer, group) => self.function(f, *layer, *group),
                Pending::Process(p, layer) => self.process(p, *layer),
            };
            self.functions[i] = Some(f);
        }
    }
}

/// Resolves every declaration and the wiring into a program.
pub fn resolve_program(
    g: &Globals<'_>,
    wiring: &[&Spanned<ast::Stmt>],
    wiring_span: Span,
) -> (ir::Program, Vec<CheckError>) {
    let mut r = Resolver::new(g, Ids::default());
    r.declarations();
    let entry = r.wiring(wiring, wiring_span);
    let functions = r.functions.into_iter().flatten().collect();
    let program = ir::Program {
        functions,
        tags: g.tags.clone(),
        dtors: g.dtors.clone(),
        codata: g.codata_info.clone(),
        entry,
        ctor_fields: Default::default(),
        monitor: Default::default(),
        prelude: prelude_functions(g, 0),
    };
    (program, r.errors)
}

/// The declarations resolved onto a growing program: the functions, to be
/// placed from `ids.fresh` on (which must equal `ids.declarations`), and
/// the prelude's functions by name.
pub fn resolve_declarations(
    g: &Globals<'_>,
    ids: Ids,
) -> (Vec<ir::Function>, HashMap<String, FuncId>, Vec<CheckError>) {
    let mut r = Resolver::new(g, ids);
    r.declarations();
    let functions = r.functions.into_iter().flatten().collect();
    (functions, prelude_functions(g, ids.declarations), r.errors)
}

/// One REPL line resolved as a function of the session process (see
/// `Resolver::session_line`).
pub struct ResolvedLine {
    /// The line's function (the first) and its closures, to be placed
    /// from `ids.fresh` on.
    pub functions: Vec<ir::Function>,
    /// The names the line's function hands back, in the order of the
    /// tuple it sends.
    pub results: Vec<String>,
}

/// Resolves a REPL line (see `Resolver::session_line`). `gone` are names
/// earlier lines bound that the session no longer holds: they resolve to
/// empty slots (the checker reports their use).
pub fn resolve_line(
    g: &Globals<'_>,
    ids: Ids,
    session: &[String],
    gone: &[String],
    stmts: &[&Spanned<ast::Stmt>],
    span: Span,
) -> (ResolvedLine, Vec<CheckError>) {
    let mut r = Resolver::new(g, ids);
    r.functions.push(None);
    let (function, results) = r.session_line(session, gone, stmts, span);
    r.functions[0] = Some(function);
    let functions = r.functions.into_iter().flatten().collect();
    (ResolvedLine { functions, results }, r.errors)
}

/// The prelude's functions (not its processes), by name.
fn prelude_functions(g: &Globals<'_>, base: FuncId) -> HashMap<String, FuncId> {
    g.pending
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Pending::Function(f, Layer::Prelude, _) => {
                Some((f.name.node.clone(), base + i as FuncId))
            }
            _ => None,
        })
        .collect()
}

impl<'g, 'a> Resolver<'g, 'a> {
    fn error(&mut self, e: CheckError) {
        if self.silent == 0 {
            self.errors.push(e);
        }
    }

    fn frame(&mut self) -> &mut Frame {
        let n = self.frames.len() - 1;
        &mut self.frames[n]
    }

    fn bind(&mut self, name: &str) -> Slot {
        self.frame().bind(name)
    }

    fn fresh(&mut self) -> Slot {
        self.bind("")
    }

    fn push_scope(&mut self) {
        self.frame().scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        self.frame().scopes.pop();
    }

    /// Finds `name` in the current frame, capturing it from an enclosing
    /// frame when the current one is a closure.
    fn lookup(&mut self, name: &str) -> Option<Slot> {
        let depth = self.frames.len() - 1;
        self.lookup_at(depth, name)
    }

    fn lookup_at(&mut self, depth: usize, name: &str) -> Option<Slot> {
        if let Some(s) = self.frames[depth].find(name) {
            return Some(s);
        }
        if !self.frames[depth].closure || depth == 0 {
            return None;
        }
        self.lookup_at(depth - 1, name)?;
        let frame = &mut self.frames[depth];
        frame.discovered.push(name.to_string());
        let slot = frame.next_slot;
        frame.next_slot += 1;
        frame.scopes[0].push((name.to_string(), slot));
        Some(slot)
    }

    // -----------------------------------------------------------------------
    // Declarations

    fn function(
        &mut self,
        f: &ast::FunctionDecl,
        layer: Layer,
        group: Option<u32>,
    ) -> ir::Function {
        let fold = group.map(|group| ir::Fold {
            group,
            by: self.fold_by(f),
        });
        ir::Function {
            fold,
            ..self.function_body(f, layer)
        }
    }

    /// The one `fold by` parameter of a function in a `fold` group (over
    /// all its clauses): position, name and span; else `FoldByMissing`.
    fn fold_by(&mut self, f: &ast::FunctionDecl) -> Option<(u32, String, Span)> {
        let mut positions: Vec<usize> = Vec::new();
        let mut first: Option<(String, Span)> = None;
        for clause in &f.clauses {
            for (i, p) in clause.node.params.iter().enumerate() {
                if !p.node.fold_by {
                    continue;
                }
                if !positions.contains(&i) {
                    positions.push(i);
                }
                if first.is_none() {
                    let name = match &p.node.pattern.node {
                        ast::Pattern::Var(n) => n.clone(),
                        _ => format!("parameter {}", i + 1),
                    };
                    first = Some((name, p.node.pattern.span));
                }
            }
        }
        match (positions.as_slice(), first) {
            ([position], Some((name, span))) => Some((*position as u32, name, span)),
            _ => {
                self.error(CheckError::FoldByMissing {
                    function: f.name.node.clone(),
                    span: f.name.span,
                    found: positions.len(),
                });
                None
            }
        }
    }

    fn function_body(&mut self, f: &ast::FunctionDecl, layer: Layer) -> ir::Function {
        self.layer = layer;
        self.frames.push(Frame::new(false, false));
        let arity = f.clauses.first().map_or(0, |c| c.node.params.len());
        let body = self.clauses(&f.clauses, arity, f.name.span);
        let (slots, slot_names) = Frame::finish(self.frames.pop());
        let first: Vec<&ast::Param> = f.clauses.first().map_or(Vec::new(), |c| {
            c.node.params.iter().map(|p| &p.node).collect()
        });
        // One clause of plain names binds them; anything else is a `Match`.
        let clauses = f.clauses.len() != 1 || !plain_params(&first);
        ir::Function {
            name: f.name.node.clone(),
            kind: FnKind::Function,
            captures: 0,
            params: arity as u32,
            slots,
            slot_names,
            body,
            clauses,
            param_spans: param_spans(&first),
            param_types: param_types(&first),
            span: f.name.span,
            prelude: self.layer == Layer::Prelude,
            fold: None,
        }
    }

    fn process(&mut self, p: &ast::ProcessDecl, layer: Layer) -> ir::Function {
        self.layer = layer;
        self.frames.push(Frame::new(false, false));
        let params: Vec<_> = p.params.iter().map(|p| &p.node).collect();
        let slots = self.bind_params(&params);
        let body = self.match_params(&params, &slots, &p.body, p.name.span);
        let (slots, slot_names) = Frame::finish(self.frames.pop());
        ir::Function {
            name: p.name.node.clone(),
            kind: FnKind::Process,
            captures: 0,
            params: p.params.len() as u32,
            slots,
            slot_names,
            body,
            clauses: !plain_params(&params),
            param_spans: param_spans(&params),
            param_types: param_types(&params),
            span: p.name.span,
            prelude: self.layer == Layer::Prelude,
            fold: None,
        }
    }

    fn wiring(&mut self, stmts: &[&Spanned<ast::Stmt>], span: Span) -> FuncId {
        self.layer = Layer::Program;
        self.frames.push(Frame::new(false, true));
        // The block spans the statements (its end is where a channel the
        // wiring leaves open is reported); the function spans the file.
        let block_span = match (stmts.first(), stmts.last()) {
            (Some(first), Some(last)) => first.span.to(last.span),
            _ => span,
        };
        let block = self.stmts_block(stmts.iter().copied(), None, block_span, BlockKind::Body);
        let (slots, slot_names) = Frame::finish(self.frames.pop());
        let id = self.next_id();
        self.functions.push(Some(ir::Function {
            name: "wiring".into(),
            kind: FnKind::Wiring,
            captures: 0,
            params: 0,
            slots,
            slot_names,
            body: block,
            clauses: false,
            param_spans: Vec::new(),
            param_types: Vec::new(),
            span,
            prelude: self.layer == Layer::Prelude,
            fold: None,
        }));
        id
    }

    /// The id the next function pushed onto `functions` gets.
    fn next_id(&self) -> FuncId {
        self.ids.fresh + self.functions.len() as FuncId
    }

    /// A REPL line as a function of the session process: its parameters
    /// are the names the session holds (`session`, in that order) and a
    /// reply channel; it runs the line's statements and then sends, on
    /// the reply channel, a tuple of every name its outermost scope then
    /// binds (the second result, in tuple order). A name bound twice is
    /// sent once, with its latest value.
    fn session_line(
        &mut self,
        session: &[String],
        gone: &[String],
        stmts: &[&Spanned<ast::Stmt>],
        span: Span,
    ) -> (ir::Function, Vec<String>) {
        self.layer = Layer::Program;
        self.frames.push(Frame::new(false, true));
        for name in session {
            self.bind(name);
        }
        let reply = self.fresh();
        for name in gone {
            self.bind(name);
        }
        let mut block = self.stmts_block(stmts.iter().copied(), None, span, BlockKind::Session);
        let mut results: Vec<(String, Slot)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (name, slot) in self.frame().scopes[0].iter().rev() {
            if !name.is_empty() && seen.insert(name.as_str()) {
                results.push((name.clone(), *slot));
            }
        }
        results.reverse();
        let values = results
            .iter()
            .map(|(_, slot)| mk(ExprKind::Local(*slot), span))
            .collect();
        let send = ExprKind::Put {
            channel: Box::new(mk(ExprKind::Local(reply), span)),
            value: Box::new(mk(ExprKind::Tuple(values), span)),
        };
        if let ExprKind::Block(b) = &mut block.kind {
            b.tail = Some(Box::new(mk(send, span)));
        }
        let (slots, slot_names) = Frame::finish(self.frames.pop());
        let function = ir::Function {
            name: "the session".into(),
            kind: FnKind::Session,
            captures: 0,
            params: session.len() as u32 + 1,
            slots,
            slot_names,
            body: block,
            clauses: false,
            param_spans: Vec::new(),
            param_types: Vec::new(),
            span,
            prelude: self.layer == Layer::Prelude,
            fold: None,
        };
        (function, results.into_iter().map(|(n, _)| n).collect())
    }

    /// Binds the parameters: each to its own name's slot when every one
    /// is a plain name (or `_`), else each to a fresh slot, matched by
    /// [`Self::match_params`]. Returns the slots.
    fn bind_params(&mut self, params: &[&ast::Param]) -> Vec<Slot> {
        let all_vars = plain_params(params);
        params
            .iter()
            .map(|p| match &p.pattern.node {
                ast::Pattern::Var(n) if all_vars => self.bind(n),
                _ => self.fresh(),
            })
            .collect()
    }

    /// The body of a function whose parameters [`Self::bind_params`] put
    /// in `slots`: the block itself when they are plain names, else a
    /// `Match` of them with one arm, spanning `at` (the function's name:
    /// where a value its patterns miss is reported, as `exhaustive` does).
    fn match_params(
        &mut self,
        params: &[&ast::Param],
        slots: &[Slot],
        body: &Spanned<ast::Block>,
        at: Span,
    ) -> Expr {
        if plain_params(params) {
            return self.block(&body.node, body.span);
        }
        let arm_pats: Vec<&Spanned<ast::Pattern>> = params.iter().map(|p| &p.pattern).collect();
        let scrutinee = slots_expr(slots, body.span);
        self.push_scope();
        let pattern = self.params_pattern(&arm_pats, body.span);
        let arm_body = self.block(&body.node, body.span);
        self.pop_scope();
        let arms = vec![ir::Arm {
            pattern,
            body: arm_body,
            span: body.span,
        }];
        let kind = ExprKind::Match {
            scrutinee: Box::new(scrutinee),
            arms,
        };
        mk(kind, at)
    }

    fn clauses(&mut self, clauses: &[Spanned<ast::Clause>], arity: usize, span: Span) -> Expr {
        if let [only] = clauses {
            let params: Vec<_> = only.node.params.iter().map(|p| &p.node).collect();
            let slots = self.bind_params(&params);
            return self.match_params(&params, &slots, &only.node.body, span);
        }
        let slots: Vec<Slot> = (0..arity).map(|_| self.fresh()).collect();
        let mut arms = Vec::new();
        for clause in clauses {
            if clause.node.params.len() != arity {
                self.error(CheckError::WrongArity {
                    name: "this clause".into(),
                    span: clause.span,
                    expected: arity,
                    found: clause.node.params.len(),
                });
                continue;
            }
            self.push_scope();
            let pats: Vec<_> = clause.node.params.iter().map(|p| &p.node.pattern).collect();
            let pattern = self.params_pattern(&pats, clause.span);
            let body = self.block(&clause.node.body.node, clause.node.body.span);
            self.pop_scope();
            arms.push(ir::Arm {
                pattern,
                body,
                span: clause.span,
            });
        }
        let scrutinee = slots_expr(&slots, span);
        let kind = ExprKind::Match {
            scrutinee: Box::new(scrutinee),
            arms,
        };
        mk(kind, span)
    }

    /// The parameters' patterns as one: a tuple of them (spanning
    /// `span`), or the one pattern of a function of one parameter.
    fn params_pattern(&mut self, pats: &[&Spanned<ast::Pattern>], span: Span) -> ir::Pattern {
        if let [one] = pats {
            return self.pattern(one);
        }
        let kind = ir::PatternKind::Tuple(pats.iter().map(|p| self.pattern(p)).collect());
        ir::Pattern { kind, span }
    }

    // -----------------------------------------------------------------------
    // Blocks and statements

    fn block(&mut self, b: &ast::Block, span: Span) -> Expr {
        self.push_scope();
        let e = self.stmts_block(b.stmts.iter(), b.tail.as_deref(), span, BlockKind::Body);
        self.pop_scope();
        e
    }

    fn stmts_block<'s>(
        &mut self,
        stmts: impl Iterator<Item = &'s Spanned<ast::Stmt>> + Clone,
        tail: Option<&Spanned<ast::Expr>>,
        span: Span,
        kind: BlockKind,
    ) -> Expr {
        let mut out = self.implicit_channels(stmts.clone(), tail, kind);
        for s in stmts {
            self.stmt(s, &mut out);
        }
        let tail = tail.map(|t| Box::new(self.expr(t)));
        mk(ExprKind::Block(ir::Block { stmts: out, tail }), span)
    }

    /// Names that are not in scope and appear exactly once plain and once
    /// with `~` as arguments of process calls in this block: one new channel
    /// each (LANGUAGE.md 6.3).
    fn implicit_channels<'s>(
        &mut self,
        stmts: impl Iterator<Item = &'s Spanned<ast::Stmt>>,
        tail: Option<&Spanned<ast::Expr>>,
        kind: BlockKind,
    ) -> Vec<ir::Stmt> {
        let frame = self.frames.last();
        let in_scope = |n: &str| frame.is_some_and(|f| f.find(n).is_some()) || self.is_service(n);
        let (g, layer) = (self.g, self.layer);
        let is_process = |n: &str| g.callable(n, layer).is_some_and(|c| c.is_process);
        let found = super::walk::block_channels(stmts, tail, &in_scope, &is_process, kind);
        // A channel whose `~` was forgotten is reported once, as such, and
        // its name bound anyway (to nothing the checker knows: no channel
        // is made), so that its two uses are not unknown names, nor one
        // use after a move, too.
        for (name, uses, dual) in found.unpaired {
            self.error(CheckError::ChannelWithoutDual {
                name: name.clone(),
                first: uses[0],
                second: uses[1],
                dual,
            });
            self.bind(&name);
            self.bind(&format!("~{name}"));
        }
        found
            .implicit
            .into_iter()
            .map(|(name, span)| {
                let end = self.bind(&name);
                let dual = self.bind(&format!("~{name}"));
                ir::Stmt::Channel {
                    end,
                    dual,
                    span,
                    ty: None,
                    monitor: None,
                    implicit: true,
                }
            })
            .collect()
    }

    fn is_service(&self, name: &str) -> bool {
        let wiring = self.frames.last().is_some_and(|f| f.wiring);
        wiring && (services::by_name(name).is_some() || name == "args")
    }

    fn stmt(&mut self, s: &Spanned<ast::Stmt>, out: &mut Vec<ir::Stmt>) {
        match &s.node {
            ast::Stmt::Let { pattern, ty, value } => {
                let value = self.expr(value);
                let pattern = self.pattern(pattern);
                out.push(ir::Stmt::Let {
                    pattern,
                    value,
                    span: s.span,
                    ty: ty.clone(),
                });
            }
            ast::Stmt::Channel { ty, name } => {
                let end = self.bind(&name.node);
                let dual = self.bind(&format!("~{}", name.node));
                out.push(ir::Stmt::Channel {
                    end,
                    dual,
                    span: name.span,
                    ty: ty.clone(),
                    monitor: None,
                    implicit: false,
                });
            }
            ast::Stmt::Expr(e) => out.push(ir::Stmt::Expr {
                expr: self.expr(e),
                span: s.span,
            }),
            ast::Stmt::Forward(a, b) => {
                let (a, b) = (self.expr(a), self.expr(b));
                out.push(ir::Stmt::Forward { a, b, span: s.span });
            }
            ast::Stmt::Halt => out.push(ir::Stmt::Halt { span: s.span }),
            ast::Stmt::Fork { channel, arms } => {
                let channel = self.expr(channel);
                let arms = arms.iter().map(|a| self.fork_arm(a)).collect();
                out.push(ir::Stmt::Fork {
                    channel,
                    arms,
                    span: s.span,
                });
            }
            ast::Stmt::Split { channel, names } => {
                let channel = self.expr(channel);
                let slots = names.iter().map(|n| self.bind(&n.node)).collect();
                out.push(ir::Stmt::Split {
                    channel,
                    slots,
                    span: s.span,
                    names: names.iter().map(|n| n.span).collect(),
                });
            }
        }
    }

    fn fork_arm(&mut self, arm: &Spanned<ast::ForkArm>) -> ir::ForkArm {
        let (func, captures, slots) = self.closure(
            &arm.node.name.node,
            FnKind::ForkArm,
            arm.span,
            &[],
            |r, _| {
                let half = r.bind(&arm.node.name.node);
                let body = r.block(&arm.node.body.node, arm.node.body.span);
                (body, half)
            },
        );
        ir::ForkArm {
            func,
            captures,
            half: slots,
            name: arm.node.name.span,
        }
    }

    /// Resolves a closure body twice (see the module header) and adds it as
    /// a function. `body`, given the parameters' slots, gives the body and
    /// something else, which is returned with the closure's id and the
    /// captured slots of the current frame.
    fn closure<T>(
        &mut self,
        name: &str,
        kind: FnKind,
        span: Span,
        params: &[&ast::Param],
        mut body: impl FnMut(&mut Self, &[Slot]) -> (Expr, T),
    ) -> (FuncId, Vec<Slot>, T) {
        let names = self.discover(params, &mut body);
        self.build_closure(name, kind, span, &names, params, body)
    }

    /// The silent pass: which names of enclosing frames the body uses.
    fn discover<T>(
        &mut self,
        params: &[&ast::Param],
        body: &mut impl FnMut(&mut Self, &[Slot]) -> (Expr, T),
    ) -> Vec<String> {
        self.silent += 1;
        let saved_len = self.functions.len();
        self.frames.push(Frame::new(true, false));
        let slots = self.bind_params(params);
        let _ = body(self, &slots);
        let names = self.frames.pop().map(|f| f.discovered).unwrap_or_default();
        self.functions.truncate(saved_len);
        self.silent -= 1;
        names
    }

    /// The final pass: `names` in the first slots, then the parameters.
    fn build_closure<T>(
        &mut self,
        name: &str,
        kind: FnKind,
        span: Span,
        names: &[String],
        params: &[&ast::Param],
        mut body: impl FnMut(&mut Self, &[Slot]) -> (Expr, T),
    ) -> (FuncId, Vec<Slot>, T) {
        let captures: Vec<Slot> = names.iter().filter_map(|n| self.lookup(n)).collect();
        let mut frame = Frame::new(false, false);
        for n in names {
            frame.bind(n);
        }
        self.frames.push(frame);
        let param_slots = self.bind_params(params);
        let (expr, extra) = body(self, &param_slots);
        let (slots, slot_names) = Frame::finish(self.frames.pop());
        let id = self.next_id();
        self.functions.push(Some(ir::Function {
            name: name.to_string(),
            kind,
            captures: names.len() as u32,
            params: params.len() as u32,
            slots,
            slot_names,
            body: expr,
            clauses: !plain_params(params),
            param_spans: param_spans(params),
            param_types: param_types(params),
            span,
            prelude: self.layer == Layer::Prelude,
            fold: None,
        }));
        (id, captures, extra)
    }

    // -----------------------------------------------------------------------
    // Expressions

    fn exprs(&mut self, es: &[Spanned<ast::Expr>]) -> Vec<Expr> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, e: &Spanned<ast::Expr>) -> Expr {
        let span = e.span;
        let kind = match &e.node {
            ast::Expr::Int(n) => ExprKind::Lit(ir::Lit::Int(*n)),
            ast::Expr::Float(f) => ExprKind::Lit(ir::Lit::Float(*f)),
            ast::Expr::Char(c) => ExprKind::Lit(ir::Lit::Char(*c)),
            ast::Expr::Str(s) => ExprKind::Lit(ir::Lit::Str(s.as_str().into())),
            ast::Expr::Bool(b) => ExprKind::Lit(ir::Lit::Bool(*b)),
            ast::Expr::Unit => ExprKind::Lit(ir::Lit::Unit),
            ast::Expr::Var(name) => self.var(name, span),
            ast::Expr::Ctor(name) => self.ctor(name, &[], span),
            ast::Expr::Dual(name) => match self.lookup(&format!("~{}", name.node)) {
                Some(slot) => ExprKind::Local(slot),
                None => {
                    self.error(CheckError::DualOfNonChannel {
                        name: name.node.clone(),
                        span,
                    });
                    unknown(format!("~{}", name.node), Vec::new())
                }
            },
            ast::Expr::Call { callee, args } => self.call(callee, args, span),
            ast::Expr::Tuple(items) => ExprKind::Tuple(self.exprs(items)),
            ast::Expr::List(items) => ExprKind::List(self.exprs(items)),
            ast::Expr::Binary { op, lhs, rhs } => ExprKind::Binary {
                op: bin_op(op.node),
                lhs: Box::new(self.expr(lhs)),
                rhs: Box::new(self.expr(rhs)),
            },
            ast::Expr::Unary { op, operand } => ExprKind::Unary {
                op: match op.node {
                    ast::UnOp::Neg => ir::UnOp::Neg,
                    ast::UnOp::Not => ir::UnOp::Not,
                },
                operand: Box::new(self.expr(operand)),
            },
            ast::Expr::Index {
                list,
                index,
                default,
            } => ExprKind::Index {
                list: Box::new(self.expr(list)),
                index: Box::new(self.expr(index)),
                default: Box::new(self.expr(default)),
            },
            ast::Expr::Dtor {
                receiver,
                name,
                args,
            } => self.dtor_call(receiver, name, args),
            ast::Expr::Put { channel, value } => ExprKind::Put {
                channel: Box::new(self.expr(channel)),
                value: Box::new(self.put_value(value)),
            },
            ast::Expr::Get(c) => ExprKind::Get(Box::new(self.expr(c))),
            ast::Expr::Close(c) => ExprKind::Close(Box::new(self.expr(c))),
            ast::Expr::If { cond, then, else_ } => ExprKind::If {
                cond: Box::new(self.expr(cond)),
                then: Box::new(self.block(&then.node, then.span)),
                else_: else_.as_ref().map(|e| Box::new(self.expr(e))),
            },
            ast::Expr::Switch { scrutinee, cases } => {
                let labels = matches!(scrutinee.node, ast::Expr::Get(_));
                let scrutinee = Box::new(self.expr(scrutinee));
                let arms = cases.iter().map(|c| self.case(c, labels)).collect();
                ExprKind::Match { scrutinee, arms }
            }
            ast::Expr::Race(cases) => ExprKind::Race(self.race(cases)),
            ast::Expr::Block(b) => return self.block(b, span),
            ast::Expr::Record { codata, methods } => self.record(codata, methods, span),
        };
        mk(kind, span)
    }

    /// The value of `c.put(v)`. An unknown label is left to the type
    /// checker, which knows the channel's protocol and can say which labels
    /// it offers.
    fn put_value(&mut self, value: &Spanned<ast::Expr>) -> Expr {
        if let ast::Expr::Ctor(name) = &value.node {
            return match self.g.label(name) {
                Some(tag) => mk(
                    ExprKind::Ctor {
                        tag,
                        args: Vec::new(),
                    },
                    value.span,
                ),
                None if self.g.tag(name, self.layer).is_none() => {
                    mk(unknown(name.clone(), Vec::new()), value.span)
                }
                None => self.expr(value),
            };
        }
        self.expr(value)
    }

    fn case(&mut self, c: &Spanned<ast::Case>, labels: bool) -> ir::Arm {
        self.push_scope();
        let pattern = match &c.node.pattern.node {
            ast::Pattern::Ctor { name, args } if labels && args.is_empty() => {
                let kind = match self.g.label(&name.node) {
                    Some(tag) => ir::PatternKind::Ctor {
                        tag,
                        args: Vec::new(),
                    },
                    // Left to the type checker, which knows the labels
                    // the channel may receive.
                    None if self.g.tag(&name.node, self.layer).is_none() => {
                        ir::PatternKind::Unknown {
                            name: name.node.clone(),
                            args: Vec::new(),
                        }
                    }
                    None => self.pattern(&c.node.pattern).kind,
                };
                ir::Pattern {
                    kind,
                    span: c.node.pattern.span,
                }
            }
            _ => self.pattern(&c.node.pattern),
        };
        let body = self.block(&c.node.body.node, c.node.body.span);
        self.pop_scope();
        ir::Arm {
            pattern,
            body,
            span: c.span,
        }
    }

    /// A `race`'s arms. A case whose name is not a local (reported by
    /// `var`, or a service, which the type checker refuses) waits on
    /// something else than a `Local`; such a program does not check.
    fn race(&mut self, cases: &[Spanned<ast::RaceCase>]) -> Vec<ir::RaceArm> {
        let mut arms = Vec::new();
        for c in cases {
            let name = &c.node.channel;
            let channel = mk(self.var(&name.node, name.span), name.span);
            self.push_scope();
            let body = self.block(&c.node.body.node, c.node.body.span);
            self.pop_scope();
            arms.push(ir::RaceArm {
                channel,
                body,
                span: c.span,
            });
        }
        arms
    }

    fn var(&mut self, name: &str, span: Span) -> ExprKind {
        if let Some(slot) = self.lookup(name) {
            return ExprKind::Local(slot);
        }
        let in_wiring = self.frames.last().is_some_and(|f| f.wiring);
        if let Some(service) = services::by_name(name) {
            if !in_wiring {
                self.error(CheckError::ServiceOutsideWiring {
                    name: name.into(),
                    span,
                });
                return unknown(name.into(), Vec::new());
            }
            self.note_service(service, name, span);
            return ExprKind::Service(service);
        }
        if name == "args" {
            if in_wiring {
                return ExprKind::Args;
            }
            self.error(CheckError::ServiceOutsideWiring {
                name: name.into(),
                span,
            });
            return unknown(name.into(), Vec::new());
        }
        let suggestion = self.similar_variable(name);
        self.error(CheckError::UnknownVariable {
            name: name.into(),
            span,
            suggestion,
        });
        unknown(name.into(), Vec::new())
    }

    /// A name in scope (or a service, in the wiring) close to `name`.
    fn similar_variable(&self, name: &str) -> Option<String> {
        if self.silent > 0 {
            return None;
        }
        let in_wiring = self.frames.last().is_some_and(|f| f.wiring);
        let locals = self
            .frames
            .iter()
            .flat_map(|f| f.scopes.iter().flatten())
            .map(|(n, _)| n.as_str());
        let services = services::REGISTRY
            .iter()
            .map(|e| e.name)
            .chain(["args"])
            .filter(|_| in_wiring);
        super::suggest::closest(name, locals.chain(services))
    }

    /// A constructor or label close to `name`.
    fn similar_tag(&self, name: &str) -> Option<String> {
        super::suggest::closest(name, self.g.tag_names(self.layer).chain(["Nil", "Cons"]))
    }

    fn note_service(&mut self, service: ir::ServiceId, name: &str, span: Span) {
        if let Some(first) = self.services.get(&service) {
            let first = *first;
            self.error(CheckError::ServiceNamedTwice {
                name: name.into(),
                span,
                first,
            });
            return;
        }
        // `stdin` and `console` both read the host's input.
        let (a, b) = (services::by_name("stdin"), services::by_name("console"));
        let other = if Some(service) == a { b } else { a };
        if (Some(service) == a || Some(service) == b)
            && let Some(other_span) = other.and_then(|o| self.services.get(&o))
        {
            let other_span = *other_span;
            self.error(CheckError::StdinAndConsole {
                span,
                other: other_span,
            });
        }
        self.services.insert(service, span);
    }

    fn ctor(&mut self, name: &str, args: &[Spanned<ast::Expr>], span: Span) -> ExprKind {
        if let Some(list) = self.list_ctor(name, args, span) {
            return list;
        }
        let Some((tag, arity)) = self.g.tag(name, self.layer) else {
            let suggestion = self.similar_tag(name);
            self.error(CheckError::UnknownConstructor {
                name: name.into(),
                span,
                suggestion,
            });
            return unknown(name.into(), self.exprs(args));
        };
        let expected = arity.unwrap_or(0);
        if expected != args.len() {
            self.error(CheckError::WrongArity {
                name: name.into(),
                span,
                expected,
                found: args.len(),
            });
        }
        ExprKind::Ctor {
            tag,
            args: self.exprs(args),
        }
    }

    /// `Nil` and `Cons(x, xs)`, when no constructor of that name is
    /// declared, are the built-in list's: `[]` and `x : xs`.
    fn list_ctor(
        &mut self,
        name: &str,
        args: &[Spanned<ast::Expr>],
        span: Span,
    ) -> Option<ExprKind> {
        if self.g.tag(name, self.layer).is_some() {
            return None;
        }
        match (name, args) {
            ("Nil", []) => Some(ExprKind::List(Vec::new())),
            ("Cons", [h, t]) => Some(ExprKind::Binary {
                op: ir::BinOp::Cons,
                lhs: Box::new(self.expr(h)),
                rhs: Box::new(self.expr(t)),
            }),
            ("Nil" | "Cons", _) => {
                let expected = if name == "Nil" { 0 } else { 2 };
                self.error(CheckError::WrongArity {
                    name: name.into(),
                    span,
                    expected,
                    found: args.len(),
                });
                Some(unknown(name.into(), self.exprs(args)))
            }
            _ => None,
        }
    }

    fn call(&mut self, callee: &ast::Ident, args: &[Spanned<ast::Expr>], span: Span) -> ExprKind {
        let name = callee.node.as_str();
        if let Some(c) = self.g.callable(name, self.layer) {
            if c.arity != args.len() {
                self.error(CheckError::WrongArity {
                    name: name.into(),
                    span: callee.span,
                    expected: c.arity,
                    found: args.len(),
                });
            }
            let args = self.exprs(args);
            return if c.is_process {
                ExprKind::Spawn {
                    proc: self.ids.declarations + c.id,
                    args,
                }
            } else {
                ExprKind::Call {
                    func: self.ids.declarations + c.id,
                    args,
                }
            };
        }
        if let Some((op, arity)) = ir::Builtin::by_name(name) {
            if arity != args.len() {
                self.error(CheckError::WrongArity {
                    name: name.into(),
                    span: callee.span,
                    expected: arity,
                    found: args.len(),
                });
            }
            let site = self.frame().builtins;
            self.frame().builtins += 1;
            return ExprKind::Builtin {
                op,
                args: self.exprs(args),
                show: None,
                site,
            };
        }
        if name.starts_with(|c: char| c.is_uppercase()) {
            return self.ctor(name, args, span);
        }
        let names = self.g.callable_names(self.layer);
        let builtins = ir::Builtin::ALL.iter().map(|(n, _, _)| *n);
        let suggestion = super::suggest::closest(name, names.chain(builtins));
        self.error(CheckError::UnknownFunction {
            name: name.into(),
            span: callee.span,
            suggestion,
        });
        unknown(name.into(), self.exprs(args))
    }

    fn dtor_call(
        &mut self,
        receiver: &Spanned<ast::Expr>,
        name: &ast::Ident,
        args: &[Spanned<ast::Expr>],
    ) -> ExprKind {
        let receiver = self.expr(receiver);
        let args = self.exprs(args);
        match self.g.dtor(&name.node) {
            Some(dtor) => ExprKind::Dtor {
                receiver: Box::new(receiver),
                dtor,
                args,
                name: name.span,
            },
            None => {
                self.error(CheckError::UnknownDestructor {
                    name: name.node.clone(),
                    span: name.span,
                });
                let written = std::iter::once(receiver).chain(args).collect();
                unknown(name.node.clone(), written)
            }
        }
    }

    fn record(
        &mut self,
        codata: &Spanned<ast::Type>,
        methods: &[Spanned<ast::Method>],
        span: Span,
    ) -> ExprKind {
        let name = match &codata.node {
            ast::Type::Named { name, .. } => name.node.clone(),
            _ => String::new(),
        };
        let Some(id) = self.g.codata(&name, self.layer) else {
            self.error(CheckError::UnknownCodata {
                name: name.clone(),
                span: codata.span,
            });
            return unknown(name, Vec::new());
        };
        let info = &self.g.codata_info[id as usize];
        for m in methods {
            if !info
                .dtors
                .iter()
                .any(|d| self.g.dtors[*d as usize] == m.node.name.node)
            {
                self.error(CheckError::RecordMethodUnknown {
                    codata: name.clone(),
                    method: m.node.name.node.clone(),
                    span: m.node.name.span,
                });
            }
        }
        let mut chosen = Vec::new();
        for dtor in info.dtors.clone() {
            let dname = self.g.dtors[dtor as usize].clone();
            match methods.iter().find(|m| m.node.name.node == dname) {
                Some(m) => chosen.push((dname, m)),
                None => self.error(CheckError::RecordMethodMissing {
                    codata: name.clone(),
                    method: dname,
                    span,
                }),
            }
        }
        // The methods share one environment: the union of what each uses.
        let mut names: Vec<String> = Vec::new();
        for (_, m) in &chosen {
            let params: Vec<&ast::Param> = m.node.params.iter().map(|p| &p.node).collect();
            for n in self.discover(&params, &mut |r: &mut Self, slots: &[Slot]| {
                (r.match_params(&params, slots, &m.node.body, m.span), ())
            }) {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        let mut funcs = Vec::new();
        let mut captures = Vec::new();
        for (dname, m) in &chosen {
            let params: Vec<&ast::Param> = m.node.params.iter().map(|p| &p.node).collect();
            let (func, caps, ()) = self.build_closure(
                dname,
                FnKind::Method,
                m.span,
                &names,
                &params,
                |r, slots| (r.match_params(&params, slots, &m.node.body, m.span), ()),
            );
            funcs.push(func);
            captures = caps;
        }
        ExprKind::Record {
            codata: self.ids.codata + id,
            methods: funcs,
            captures,
            ty: Box::new(codata.clone()),
        }
    }

    // -----------------------------------------------------------------------
    // Patterns

    fn pattern(&mut self, p: &Spanned<ast::Pattern>) -> ir::Pattern {
        use ir::PatternKind as K;
        let kind = match &p.node {
            ast::Pattern::Wild => K::Wild,
            ast::Pattern::Var(n) => K::Bind(self.bind(n)),
            ast::Pattern::Int(n) => K::Lit(ir::Lit::Int(*n)),
            ast::Pattern::Float(f) => K::Lit(ir::Lit::Float(*f)),
            ast::Pattern::Char(c) => K::Lit(ir::Lit::Char(*c)),
            ast::Pattern::Str(s) => K::Lit(ir::Lit::Str(s.as_str().into())),
            ast::Pattern::Bool(b) => K::Lit(ir::Lit::Bool(*b)),
            ast::Pattern::Unit => K::Lit(ir::Lit::Unit),
            ast::Pattern::Ctor { name, args } => self.ctor_pattern(name, args),
            ast::Pattern::Tuple(ps) => K::Tuple(self.patterns(ps)),
            ast::Pattern::List(ps) if ps.is_empty() => K::Nil,
            ast::Pattern::List(ps) => K::List(self.patterns(ps)),
            ast::Pattern::Cons(h, t) => {
                K::Cons(Box::new(self.pattern(h)), Box::new(self.pattern(t)))
            }
        };
        ir::Pattern { kind, span: p.span }
    }

    fn patterns(&mut self, ps: &[Spanned<ast::Pattern>]) -> Vec<ir::Pattern> {
        ps.iter().map(|p| self.pattern(p)).collect()
    }

    /// A constructor pattern: a declared one, the built-in list's `Nil`
    /// and `Cons` when no constructor has those names, or an unknown one
    /// (reported), whose inner names are bound all the same, so that
    /// their uses are not reported as unknown too.
    fn ctor_pattern(
        &mut self,
        name: &ast::Ident,
        args: &[Spanned<ast::Pattern>],
    ) -> ir::PatternKind {
        use ir::PatternKind as K;
        let Some((tag, arity)) = self.g.tag(&name.node, self.layer) else {
            match (name.node.as_str(), args) {
                ("Nil", []) => return K::Nil,
                ("Cons", [h, t]) => {
                    return K::Cons(Box::new(self.pattern(h)), Box::new(self.pattern(t)));
                }
                _ => {}
            }
            let suggestion = self.similar_tag(&name.node);
            self.error(CheckError::UnknownConstructor {
                name: name.node.clone(),
                span: name.span,
                suggestion,
            });
            return K::Unknown {
                name: name.node.clone(),
                args: self.patterns(args),
            };
        };
        let expected = arity.unwrap_or(0);
        if expected != args.len() {
            self.error(CheckError::WrongArity {
                name: name.node.clone(),
                span: name.span,
                expected,
                found: args.len(),
            });
        }
        K::Ctor {
            tag,
            args: self.patterns(args),
        }
    }
}

fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

/// A name that did not resolve, with what was written after it.
fn unknown(name: String, args: Vec<Expr>) -> ExprKind {
    ExprKind::Unknown { name, args }
}

/// Whether every parameter is a plain name (or `_`): then each is bound
/// to a slot, not matched (`ir::Function::clauses`).
fn plain_params(params: &[&ast::Param]) -> bool {
    params
        .iter()
        .all(|p| matches!(p.pattern.node, ast::Pattern::Var(_) | ast::Pattern::Wild))
}

/// Where each parameter is written.
fn param_spans(params: &[&ast::Param]) -> Vec<Span> {
    params.iter().map(|p| p.pattern.span).collect()
}

/// The type written on each parameter.
fn param_types(params: &[&ast::Param]) -> Vec<Option<Spanned<ast::Type>>> {
    params.iter().map(|p| p.ty.clone()).collect()
}

fn slots_expr(slots: &[Slot], span: Span) -> Expr {
    if let [one] = slots {
        return mk(ExprKind::Local(*one), span);
    }
    mk(
        ExprKind::Tuple(
            slots
                .iter()
                .map(|s| mk(ExprKind::Local(*s), span))
                .collect(),
        ),
        span,
    )
}

fn bin_op(op: ast::BinOp) -> ir::BinOp {
    use ast::BinOp as A;
    use ir::BinOp as B;
    match op {
        A::Or => B::Or,
        A::And => B::And,
        A::Eq => B::Eq,
        A::Ne => B::Ne,
        A::Lt => B::Lt,
        A::Le => B::Le,
        A::Gt => B::Gt,
        A::Ge => B::Ge,
        A::Cons => B::Cons,
        A::Append => B::Append,
        A::BitOr => B::BitOr,
        A::BitXor => B::BitXor,
        A::BitAnd => B::BitAnd,
        A::Shl => B::Shl,
        A::Shr => B::Shr,
        A::Add => B::Add,
        A::Sub => B::Sub,
        A::Mul => B::Mul,
        A::Div => B::Div,
        A::Rem => B::Rem,
    }
}
