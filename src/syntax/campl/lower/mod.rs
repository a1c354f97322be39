//! CaMPL's tree to the shared syntax tree (`crate::syntax::ast`), which
//! the checker reads: after this, a CaMPL program is checked and run as
//! any other.
//!
//! `types` lowers sequential types and applies polarity to concurrent
//! ones; `exprs` the sequential part (with local functions lifted to the
//! top); `commands` processes and their commands; `services` turns the
//! channels of `run` into the services they stand for. This file holds
//! the table of what each upper-case name declares, which every part
//! reads. The meaning of each construct is written in `docs/campl.md`.

mod adapters;
mod build;
mod commands;
mod exprs;
mod folds;
mod services;
mod stored;
mod types;

use super::tree::{self, Defn, Name};
use crate::source::{Span, Spanned};
use crate::syntax::{SyntaxError, ast};
use std::collections::HashMap;

/// What a CaMPL protocol or coprotocol declares.
#[derive(Clone, Debug)]
pub(super) struct ProtocolInfo {
    pub co: bool,
    pub handles: Vec<String>,
    /// Where each handle is declared.
    pub handle_spans: Vec<Span>,
    /// Each handle's type (the side that is not the state variable).
    pub bodies: Vec<Spanned<tree::Type>>,
}

/// What `fold` and `unfold` recurse on, for one constructor or
/// destructor: the types of its declaration's group (joined by `and`), in
/// order; which of them it belongs to; for each argument, the type of the
/// group it is a state variable for (if it is one); and the same for a
/// destructor's result.
#[derive(Clone, Debug)]
pub(super) struct Recursion {
    pub group: Vec<String>,
    pub own: usize,
    pub args: Vec<Option<usize>>,
    pub result: Option<usize>,
}

/// A name a record pattern binds to a destructor with arguments
/// (`(App := f)`): applying it (`f(x)`) applies the destructor to the
/// record matched, which is in the variable `record`.
#[derive(Clone, Debug)]
pub(super) struct DtorAlias {
    pub name: String,
    pub record: String,
    pub dtor: Name,
}

/// The declarations of the file, by name.
#[derive(Default)]
pub(super) struct Table {
    pub data: HashMap<String, Vec<String>>,
    pub codata: HashMap<String, Vec<String>>,
    pub protocols: HashMap<String, ProtocolInfo>,
    /// Destructor name to its codata type, its arity (the record included)
    /// and where the record is among its arguments.
    pub dtors: HashMap<String, (String, usize, usize)>,
    pub ctors: HashMap<String, String>,
    /// Constructors and destructors: what `fold` and `unfold` recurse on.
    pub recursion: HashMap<String, Recursion>,
    pub procs: HashMap<String, tree::Proc>,
    /// The functions declared at the top (operators too, by symbol), with
    /// their number of arguments.
    pub funs: HashMap<String, usize>,
    /// For each module name an included file goes by: where each of its
    /// functions and processes is defined (for qualified names, `M.f`).
    pub modules: HashMap<String, HashMap<String, Span>>,
    /// Definitions of a name that a later one of the same name replaces
    /// (CaMPL allows it), and definitions local to a `defn ... where`:
    /// the name each is lowered under instead.
    pub renamed: HashMap<Span, String>,
    /// The functions and processes local to each `defn ... where`
    /// (`tree::Scope`), by the statement and their name: where each is
    /// defined.
    pub locals: HashMap<(Span, String), Span>,
}

/// The lowering of one file.
pub(super) struct Lower<'t> {
    pub table: &'t Table,
    pub items: Vec<Spanned<ast::Item>>,
    pub errors: Vec<SyntaxError>,
    /// Sequential variables in scope in the body being lowered.
    pub locals: Vec<String>,
    /// Local functions in scope: name, lifted name, captured variables.
    pub local_funs: Vec<(String, String, Vec<String>)>,
    /// For names made up here (lifted functions, plug processes).
    pub counter: u32,
    /// The process or function being lowered (to name what is lifted).
    pub owner: String,
    /// In a data or codata declaration: the state variables of its group
    /// (`data A -> S = ... and B -> T = ...`) and the types they stand for.
    pub states: Vec<(String, Spanned<ast::Type>)>,
    /// The destructor calls that the record patterns just lowered stand
    /// for, to start the body of their phrase (`exprs::phrase_body`).
    pub record_lets: Vec<Spanned<ast::Stmt>>,
    /// Names that record patterns just bound to a destructor with
    /// arguments (`(App := f)`), for the body of their phrase: the name,
    /// the record's variable and the destructor.
    pub record_aliases: Vec<DtorAlias>,
    /// Such names in scope in the body being lowered: `f(x)` applies the
    /// destructor to the record (innermost last).
    pub dtor_aliases: Vec<DtorAlias>,
    /// The shapes of `Store` types used: (values, channels).
    pub stores: std::collections::BTreeSet<(usize, usize)>,
    /// Channels a process started at the REPL gets the other end of
    /// (`~x`; the session keeps `x`).
    pub dual_names: Vec<String>,
    /// The functions and processes the file being lowered defines, by
    /// name: an unqualified name means the file's own first.
    pub own: HashMap<String, Span>,
    /// The `defn ... where` statements whose local definitions the
    /// definition being lowered sees, innermost last.
    pub sees: Vec<Span>,
    /// The protocols `run`'s channels were found to have by checking
    /// types (`Lowered::unserved`), in channel order (ins, then outs).
    pub run_protocols: Vec<Option<String>>,
    /// `run` has a channel whose service could not be told.
    pub unserved: bool,
}

/// A lowered program.
pub struct Lowered {
    /// The included files' modules, then the main file's.
    pub modules: Vec<ast::Module>,
    pub errors: Vec<SyntaxError>,
    /// A channel of `run` could not be told a service from its syntax
    /// (it is only forwarded, say): checking the program's types without
    /// its wiring would tell its protocol, for lowering again with
    /// `run_protocols`.
    pub unserved: bool,
}

/// Lowers a CaMPL program: its included files, then the main file (the
/// last), whose `run` becomes the entry. All share one table of names, so
/// a file may use what another declares. `run_protocols` are the
/// protocols of `run`'s channels where checking found them (see
/// `Lowered::unserved`), else empty.
pub fn lower(files: &[(&[Defn], Vec<String>)], run_protocols: &[Option<String>]) -> Lowered {
    let mut table = Table::default();
    files
        .iter()
        .flat_map(|(f, _)| f.iter())
        .for_each(|d| table.add(d));
    for (defns, aliases) in files {
        table.add_module(defns, aliases);
    }
    let plain: Vec<&[Defn]> = files.iter().map(|(f, _)| *f).collect();
    table.rename_replaced(&plain);
    table.name_locals(&plain);
    let mut errors = Vec::new();
    let mut modules = Vec::new();
    let mut stores = std::collections::BTreeSet::new();
    let mut unserved = false;
    for (k, (defns, _)) in files.iter().enumerate() {
        let mut lw = Lower::new(&table, "");
        lw.own = table.own_names(defns);
        for d in defns.iter() {
            lw.defn(d);
        }
        if k + 1 == files.len() {
            lw.run_protocols = run_protocols.to_vec();
            lw.entry();
            unserved = lw.unserved;
        }
        errors.append(&mut lw.errors);
        stores.append(&mut lw.stores);
        modules.push(ast::Module { items: lw.items });
    }
    if let Some(main) = modules.last_mut() {
        main.items
            .extend(stores.into_iter().map(stored::store_codata));
    }
    Lowered {
        modules,
        errors,
        unserved,
    }
}

/// Lowers one REPL input, with the definitions of earlier inputs
/// (`previous`) in scope: declarations to add, statements to run, or an
/// expression to show. `run` is not started (`:run` starts a loaded
/// file's wiring). A process started with a channel the session does not
/// hold (`held`) gets a new channel, whose other end the session keeps:
/// `giver(5 | c => )` leaves `c` with the session, to drive by hand.
pub fn lower_repl(
    previous: &[Defn],
    input: &tree::ReplTree,
    held: &[String],
) -> (
    Vec<Spanned<ast::Item>>,
    Option<Spanned<ast::Expr>>,
    Vec<SyntaxError>,
) {
    let mut table = Table::default();
    previous.iter().for_each(|d| table.add(d));
    let mut files = vec![previous];
    if let tree::ReplTree::Defns(defns) = input {
        defns.iter().for_each(|d| table.add(d));
        files.push(defns);
    }
    table.name_locals(&files);
    let mut lw = Lower::new(&table, "repl");
    let mut expr = None;
    match input {
        tree::ReplTree::Defns(defns) => defns.iter().for_each(|d| lw.defn(d)),
        tree::ReplTree::Commands(cmds) => {
            let mut stmts = Vec::new();
            let mut known: Vec<String> = held.to_vec();
            for c in cmds {
                let made = new_ends(c, &mut known);
                lw.dual_names
                    .extend(made.iter().filter_map(|s| match &s.node {
                        ast::Stmt::Channel { name, .. } => Some(name.node.clone()),
                        _ => None,
                    }));
                stmts.extend(made);
            }
            stmts.extend(lw.commands(cmds));
            lw.items
                .extend(stmts.into_iter().map(|s| s.map(ast::Item::Stmt)));
        }
        tree::ReplTree::Expr(e) => expr = Some(lw.expr(e)),
    }
    let stores = std::mem::take(&mut lw.stores);
    lw.items
        .extend(stores.into_iter().map(stored::store_codata));
    (lw.items, expr, lw.errors)
}

/// For a process started at the REPL: a channel declaration for each of
/// its channels that is not `known` yet (the process gets one end, the
/// session keeps the other, under the name).
fn new_ends(c: &Spanned<tree::Command>, known: &mut Vec<String>) -> Vec<Spanned<ast::Stmt>> {
    let tree::Command::Run { ins, outs, .. } = &c.node else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for n in ins.iter().chain(outs) {
        if known.contains(&n.node) {
            continue;
        }
        known.push(n.node.clone());
        let decl = ast::Stmt::Channel {
            ty: None,
            name: n.clone(),
        };
        out.push(Spanned::new(decl, n.span));
    }
    out
}

impl Table {
    /// The `Recursion` of every constructor or destructor of a `data` or
    /// `codata` group.
    fn add_recursion(&mut self, clauses: &[tree::TypeClause]) {
        let group: Vec<String> = clauses.iter().map(|c| c.name.node.clone()).collect();
        let state_of =
            |t: &Spanned<tree::Type>| clauses.iter().position(|c| is_state(t, &c.state.node));
        for (own, c) in clauses.iter().enumerate() {
            for phrase in &c.phrases {
                let recursion = Recursion {
                    group: group.clone(),
                    own,
                    args: phrase.args.iter().map(state_of).collect(),
                    result: phrase.result.as_ref().and_then(state_of),
                };
                for n in &phrase.names {
                    self.recursion.insert(n.node.clone(), recursion.clone());
                }
            }
        }
    }

    fn add(&mut self, d: &Defn) {
        match d {
            Defn::Data { codata, clauses } => {
                self.add_recursion(clauses);
                for c in clauses {
                    let params = c.seq_params.iter().map(|p| p.node.clone()).collect();
                    if *codata {
                        self.codata.insert(c.name.node.clone(), params);
                    } else {
                        self.data.insert(c.name.node.clone(), params);
                    }
                    for phrase in &c.phrases {
                        let record_at = phrase
                            .args
                            .iter()
                            .position(|a| is_state(a, &c.state.node))
                            .unwrap_or(phrase.args.len().saturating_sub(1));
                        for n in &phrase.names {
                            if *codata {
                                let entry = (c.name.node.clone(), phrase.args.len(), record_at);
                                self.dtors.insert(n.node.clone(), entry);
                            } else {
                                self.ctors.insert(n.node.clone(), c.name.node.clone());
                            }
                        }
                    }
                }
            }
            Defn::Protocol { co, clauses } => {
                for c in clauses {
                    let info = ProtocolInfo {
                        co: *co,
                        handles: c
                            .phrases
                            .iter()
                            .flat_map(|p| p.names.iter().map(|n| n.node.clone()))
                            .collect(),
                        handle_spans: c
                            .phrases
                            .iter()
                            .flat_map(|p| p.names.iter().map(|n| n.span))
                            .collect(),
                        bodies: c
                            .phrases
                            .iter()
                            .flat_map(|p| {
                                let body = if *co { &p.args[1] } else { &p.args[0] };
                                p.names.iter().map(move |_| body.clone())
                            })
                            .collect(),
                    };
                    self.protocols.insert(c.name.node.clone(), info);
                }
            }
            Defn::Proc(p) => {
                self.procs.insert(p.name.node.clone(), p.clone());
            }
            Defn::Fun(f) => {
                let arity = match (&f.ty, f.phrases.first()) {
                    (Some((args, _)), _) => args.len(),
                    (None, Some(p)) => p.node.patterns.len(),
                    (None, None) => 0,
                };
                self.funs.insert(f.name.node.clone(), arity);
            }
            Defn::Include { .. } => {}
        }
    }

    /// Records where the functions and processes of a file known by the
    /// module names `aliases` are defined.
    fn add_module(&mut self, defns: &[Defn], aliases: &[String]) {
        for alias in aliases {
            let names = self.modules.entry(alias.clone()).or_default();
            for d in defns.iter().filter(|d| !d.is_local()) {
                match d {
                    Defn::Fun(f) => names.insert(f.name.node.clone(), f.name.span),
                    Defn::Proc(p) => names.insert(p.name.node.clone(), p.name.span),
                    _ => None,
                };
            }
        }
    }

    /// The functions and processes a file's plain names mean: those it
    /// includes unqualified (`include M (f | p)`), and its own, which come
    /// first; each by where it is defined.
    fn own_names(&self, defns: &[Defn]) -> HashMap<String, Span> {
        let mut own = HashMap::new();
        for d in defns {
            if let Defn::Include {
                module,
                unqualified,
                ..
            } = d
                && let Some(names) = self.modules.get(&module.node)
            {
                for n in unqualified {
                    if let Some(span) = names.get(&n.node) {
                        own.insert(n.node.clone(), *span);
                    }
                }
            }
        }
        for d in defns.iter().filter(|d| !d.is_local()) {
            match d {
                Defn::Fun(f) => own.insert(f.name.node.clone(), f.name.span),
                Defn::Proc(p) => own.insert(p.name.node.clone(), p.name.span),
                _ => None,
            };
        }
        own
    }

    /// The name `module.name` is lowered under: its definition in that
    /// module (renamed if a later definition replaced it); without a
    /// module, or one that does not define it, the name itself.
    pub fn qualified(&self, module: Option<&str>, name: &str) -> String {
        let span = module.and_then(|m| self.modules.get(m)?.get(name));
        match span.and_then(|s| self.renamed.get(s)) {
            Some(renamed) => renamed.clone(),
            None => name.to_string(),
        }
    }

    /// A function or process defined again later keeps its earlier body
    /// under another name (`name$1`, ...), still checked; the name means
    /// the last definition.
    fn rename_replaced(&mut self, files: &[&[Defn]]) {
        let mut seen: HashMap<String, Vec<Span>> = HashMap::new();
        for d in files
            .iter()
            .flat_map(|f| f.iter())
            .filter(|d| !d.is_local())
        {
            let name = match d {
                Defn::Fun(f) => &f.name,
                Defn::Proc(p) => &p.name,
                _ => continue,
            };
            seen.entry(name.node.clone()).or_default().push(name.span);
        }
        for (name, spans) in seen {
            for (k, span) in spans.iter().rev().skip(1).enumerate() {
                self.renamed.insert(*span, format!("{name}${}", k + 1));
            }
        }
    }

    /// Gives each function and process local to a `defn ... where` a name
    /// of its own (`go$local1`), which the names in the statement mean.
    fn name_locals(&mut self, files: &[&[Defn]]) {
        for d in files.iter().flat_map(|f| f.iter()) {
            let (name, scope) = match d {
                Defn::Fun(f) => (&f.name, &f.scope),
                Defn::Proc(p) => (&p.name, &p.scope),
                _ => continue,
            };
            if let Some(statement) = scope.local_to {
                let local = format!("{}$local{}", name.node, self.locals.len() + 1);
                self.locals
                    .insert((statement, name.node.clone()), name.span);
                self.renamed.insert(name.span, local);
            }
        }
    }

    /// The protocol that declares handle `h`.
    pub fn protocol_of_handle(&self, h: &str) -> Option<(&String, &ProtocolInfo)> {
        self.protocols
            .iter()
            .find(|(_, p)| p.handles.iter().any(|x| x == h))
    }
}

/// The type is the bare state variable `state`.
fn is_state(t: &Spanned<tree::Type>, state: &str) -> bool {
    matches!(&t.node, tree::Type::Named { name, seq, conc }
        if name.node == state && seq.is_empty() && conc.is_empty())
}

/// A CaMPL type variable (`A`) as ours (`a`); concurrent ones get `#`.
pub(super) fn type_var(name: &str) -> String {
    let mut chars = name.chars();
    let first = chars.next().map(|c| c.to_lowercase().to_string());
    first.unwrap_or_default() + chars.as_str()
}

impl<'t> Lower<'t> {
    fn new(table: &'t Table, owner: &str) -> Lower<'t> {
        Lower {
            table,
            items: Vec::new(),
            errors: Vec::new(),
            locals: Vec::new(),
            local_funs: Vec::new(),
            counter: 0,
            owner: owner.to_string(),
            states: Vec::new(),
            stores: Default::default(),
            record_lets: Vec::new(),
            record_aliases: Vec::new(),
            dtor_aliases: Vec::new(),
            dual_names: Vec::new(),
            own: HashMap::new(),
            sees: Vec::new(),
            run_protocols: Vec::new(),
            unserved: false,
        }
    }

    /// The name an unqualified function or process name is lowered under:
    /// this file's own definition (renamed if a later one in the program
    /// replaced it), else the name itself.
    pub fn own_name(&self, name: &str) -> String {
        let local = self
            .sees
            .iter()
            .rev()
            .find_map(|s| self.table.locals.get(&(*s, name.to_string())));
        let span = local.or_else(|| self.own.get(name));
        match span.and_then(|s| self.table.renamed.get(s)) {
            Some(renamed) => renamed.clone(),
            None => name.to_string(),
        }
    }

    pub fn error(&mut self, span: Span, message: String, help: Option<&str>) {
        self.errors.push(SyntaxError {
            span,
            message,
            label: "here".into(),
            help: help.map(str::to_string),
            notes: Vec::new(),
            incomplete: false,
        });
    }

    pub fn fresh_name(&mut self, what: &str) -> String {
        self.counter += 1;
        format!("{}${what}{}", self.owner, self.counter)
    }

    fn defn(&mut self, d: &Defn) {
        match d {
            Defn::Data { codata, clauses } => {
                for c in clauses {
                    let item = if *codata {
                        ast::Item::Codata(self.codata_decl(c, clauses))
                    } else {
                        ast::Item::Data(self.data_decl(c, clauses))
                    };
                    self.items.push(Spanned::new(item, c.span));
                }
            }
            Defn::Protocol { clauses, .. } => {
                for c in clauses {
                    let item = ast::Item::Protocol(self.protocol_decl(c, clauses));
                    self.items.push(Spanned::new(item, c.span));
                }
            }
            Defn::Fun(f) => {
                self.owner = f.name.node.clone();
                self.sees = f.scope.sees.clone();
                let name = self.table.renamed.get(&f.name.span).unwrap_or(&f.name.node);
                let decl = self.fun_decl(f, &name.clone(), &[]);
                let span = f.name.span;
                self.items
                    .push(Spanned::new(ast::Item::Function(decl), span));
            }
            Defn::Proc(p) => {
                self.owner = p.name.node.clone();
                self.sees = p.scope.sees.clone();
                let mut decl = self.proc_decl(p);
                if let Some(name) = self.table.renamed.get(&p.name.span) {
                    decl.name.node = name.clone();
                }
                self.items
                    .push(Spanned::new(ast::Item::Process(decl), p.name.span));
            }
            // Read by the loader, which lowers the included file with
            // this one (`crate::load_campl`).
            Defn::Include { .. } => {}
        }
    }

    fn data_decl(&mut self, c: &tree::TypeClause, group: &[tree::TypeClause]) -> ast::DataDecl {
        let mut ctors = Vec::new();
        for phrase in &c.phrases {
            for n in &phrase.names {
                let fields = phrase
                    .args
                    .iter()
                    .map(|a| self.seq_type_in(a, group))
                    .collect();
                let decl = ast::CtorDecl {
                    name: n.clone(),
                    fields,
                };
                ctors.push(Spanned::new(decl, n.span));
            }
        }
        ast::DataDecl {
            doc: None,
            name: c.name.clone(),
            params: type_params(&c.seq_params, &[]),
            ctors,
        }
    }

    fn codata_decl(&mut self, c: &tree::TypeClause, group: &[tree::TypeClause]) -> ast::CodataDecl {
        let mut dtors = Vec::new();
        for phrase in &c.phrases {
            for n in &phrase.names {
                let params = phrase
                    .args
                    .iter()
                    .filter(|a| !is_state(a, &c.state.node))
                    .enumerate()
                    .map(|(i, a)| {
                        let ty = self.seq_type_in(a, group);
                        let pattern = Spanned::new(ast::Pattern::Var(format!("x{i}")), a.span);
                        Spanned::new(
                            ast::Param {
                                ty: Some(ty),
                                pattern,
                                fold_by: false,
                            },
                            a.span,
                        )
                    })
                    .collect();
                let ret = match &phrase.result {
                    Some(r) => self.seq_type_in(r, group),
                    None => Spanned::new(ast::Type::Void, n.span),
                };
                let name = Spanned::new(dtor_name(&n.node), n.span);
                dtors.push(Spanned::new(ast::DtorDecl { ret, name, params }, n.span));
            }
        }
        ast::CodataDecl {
            doc: None,
            name: c.name.clone(),
            params: type_params(&c.seq_params, &[]),
            dtors,
        }
    }

    /// A field or destructor type, with each state variable of the group
    /// standing for its declared type.
    fn seq_type_in(
        &mut self,
        t: &Spanned<tree::Type>,
        group: &[tree::TypeClause],
    ) -> Spanned<ast::Type> {
        self.states = group
            .iter()
            .map(|c| (c.state.node.clone(), self_type(c, t.span)))
            .collect();
        let out = self.seq_type(t);
        self.states.clear();
        out
    }

    /// One protocol of a `protocol ... and ...` group; each clause's state
    /// variable stands for its own protocol, in every clause.
    fn protocol_decl(
        &mut self,
        c: &tree::TypeClause,
        group: &[tree::TypeClause],
    ) -> ast::ProtocolDecl {
        let co = self.table.protocols[&c.name.node].co;
        let dir = if co { ast::Dir::Get } else { ast::Dir::Put };
        let mut branches = Vec::new();
        for phrase in &c.phrases {
            // `H :: T => S` (protocol) or `H :: S => T` (coprotocol).
            let body_ty = if co { &phrase.args[1] } else { &phrase.args[0] };
            let scope = types::ProtoScope { group };
            let steps = self.conc_steps(body_ty, true, Some(&scope));
            for n in &phrase.names {
                let body = Spanned::new(ast::Proto::Seq(steps.clone()), body_ty.span);
                branches.push(Spanned::new(
                    ast::Branch {
                        dir,
                        label: n.clone(),
                        body,
                    },
                    n.span,
                ));
            }
        }
        ast::ProtocolDecl {
            doc: None,
            name: c.name.clone(),
            params: type_params(&c.seq_params, &c.conc_params),
            body: Spanned::new(ast::Proto::Choice(branches), c.span),
        }
    }
}

fn type_params(seq: &[Name], conc: &[Name]) -> Vec<ast::TypeParam> {
    let seq = seq.iter().map(|p| ast::TypeParam {
        name: Spanned::new(type_var(&p.node), p.span),
        is_proto: false,
    });
    let conc = conc.iter().map(|p| ast::TypeParam {
        name: Spanned::new(type_var(&p.node), p.span),
        is_proto: true,
    });
    seq.chain(conc).collect()
}

/// The declared type applied to its own parameters (what its state
/// variable stands for).
fn self_type(c: &tree::TypeClause, span: Span) -> Spanned<ast::Type> {
    let args = c
        .seq_params
        .iter()
        .map(|p| Spanned::new(ast::Type::Var(type_var(&p.node)), p.span))
        .collect();
    Spanned::new(
        ast::Type::Named {
            name: c.name.clone(),
            args,
        },
        span,
    )
}

/// A CaMPL destructor (`Head`) as ours (`head`).
pub(super) fn dtor_name(name: &str) -> String {
    type_var(name)
}
