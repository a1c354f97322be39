//! The program-wide tables the resolver consults: every function, process,
//! constructor, label, codata type and destructor, with the prelude's
//! declarations hidden by the program's own (LANGUAGE.md section 1).
//!
//! This module only collects declarations; bodies are resolved in `resolve`.

use super::errors::CheckError;
use crate::ir::{CodataId, CodataInfo, DtorId, FuncId, Tag};
use crate::source::Span;
use crate::syntax::ast::{self, Item, PRELUDE_QUALIFIER};
use std::collections::HashMap;

/// Where a declaration comes from. Program declarations hide prelude ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Prelude,
    Program,
}

/// A function or process a call can name.
#[derive(Clone, Copy, Debug)]
pub struct Callable {
    pub id: FuncId,
    pub arity: usize,
    pub is_process: bool,
    pub span: Span,
}

/// A declaration whose body still has to be resolved.
pub enum Pending<'a> {
    /// A function, with the `fold` group it is in (numbered in order).
    Function(&'a ast::FunctionDecl, Layer, Option<u32>),
    Process(&'a ast::ProcessDecl, Layer),
}

/// A name table in two layers: the program's names hide the prelude's.
pub struct Layered<T> {
    prelude: HashMap<String, T>,
    program: HashMap<String, T>,
}

impl<T> Default for Layered<T> {
    fn default() -> Self {
        Layered {
            prelude: HashMap::new(),
            program: HashMap::new(),
        }
    }
}

impl<T: Copy> Layered<T> {
    pub fn get(&self, name: &str, layer: Layer) -> Option<T> {
        if let Some(rest) = name.strip_prefix(PRELUDE_QUALIFIER) {
            return self.prelude.get(rest).copied();
        }
        match layer {
            Layer::Program => self.program.get(name).or_else(|| self.prelude.get(name)),
            Layer::Prelude => self.prelude.get(name),
        }
        .copied()
    }

    /// The names visible from `layer`.
    pub fn names(&self, layer: Layer) -> impl Iterator<Item = &str> {
        let program = match layer {
            Layer::Program => Some(self.program.keys()),
            Layer::Prelude => None,
        };
        self.prelude
            .keys()
            .chain(program.into_iter().flatten())
            .map(String::as_str)
    }

    pub fn table(&mut self, layer: Layer) -> &mut HashMap<String, T> {
        match layer {
            Layer::Prelude => &mut self.prelude,
            Layer::Program => &mut self.program,
        }
    }
}

#[derive(Default)]
pub struct Globals<'a> {
    callables: Layered<Callable>,
    /// Constructor name to (arity, span).
    ctors: Layered<(usize, Span)>,
    codata: Layered<CodataId>,
    labels: HashMap<String, Span>,
    tag_ids: HashMap<String, Tag>,
    pub tags: Vec<String>,
    dtor_ids: HashMap<String, DtorId>,
    pub dtors: Vec<String>,
    pub codata_info: Vec<CodataInfo>,
    /// Declarations in FuncId order.
    pub pending: Vec<Pending<'a>>,
    /// How many `fold` groups were declared.
    fold_groups: u32,
}

impl<'a> Globals<'a> {
    /// Collects the declarations of all modules (prelude ones first).
    pub fn collect(modules: &[(&'a ast::Module, Layer)], errors: &mut Vec<CheckError>) -> Self {
        Self::collect_onto(modules, &[], &[], errors)
    }

    /// `collect`, with `tags` and `dtors` interned first, in order: the
    /// REPL's program keeps every tag and destructor id it ever gave out,
    /// so values made by older code keep their meaning.
    pub fn collect_onto(
        modules: &[(&'a ast::Module, Layer)],
        tags: &[String],
        dtors: &[String],
        errors: &mut Vec<CheckError>,
    ) -> Self {
        let mut g = Globals::default();
        for t in tags {
            g.intern_tag(t);
        }
        for d in dtors {
            g.intern_dtor(d);
        }
        for (module, layer) in modules {
            for item in &module.items {
                g.declare(&item.node, *layer, errors);
            }
        }
        g
    }

    fn declare(&mut self, item: &'a Item, layer: Layer, errors: &mut Vec<CheckError>) {
        match item {
            Item::Function(f) => self.declare_function(f, layer, None, errors),
            Item::Fold(fs) => {
                let group = Some(self.fold_groups);
                self.fold_groups += 1;
                fs.iter()
                    .for_each(|f| self.declare_function(&f.node, layer, group, errors))
            }
            Item::Process(p) => {
                let arity = p.params.len();
                self.add_callable(&p.name, arity, true, layer, errors);
                self.pending.push(Pending::Process(p, layer));
            }
            Item::Data(d) => {
                for c in &d.ctors {
                    let name = &c.node.name;
                    let table = self.ctors.table(layer);
                    if let Some((_, first)) = table.get(&name.node) {
                        errors.push(CheckError::DuplicateDefinition {
                            name: name.node.clone(),
                            span: name.span,
                            first: *first,
                        });
                    } else {
                        table.insert(name.node.clone(), (c.node.fields.len(), name.span));
                    }
                    self.intern_tag(&name.node);
                }
            }
            Item::Codata(c) => self.declare_codata(c, layer, errors),
            Item::Protocol(p) => self.declare_labels(&p.body.node),
            Item::Import(_) | Item::Stmt(_) => {}
        }
    }

    fn declare_function(
        &mut self,
        f: &'a ast::FunctionDecl,
        layer: Layer,
        group: Option<u32>,
        errors: &mut Vec<CheckError>,
    ) {
        // Consecutive declarations with one name are equation-style clauses;
        // a typed parameter list means a second definition instead.
        if let [first, rest @ ..] = &f.clauses[..] {
            for c in rest {
                if c.node.params.iter().any(|p| p.node.ty.is_some()) {
                    errors.push(CheckError::DuplicateDefinition {
                        name: f.name.node.clone(),
                        span: c.span,
                        first: first.span,
                    });
                }
            }
        }
        let arity = f.clauses.first().map_or(0, |c| c.node.params.len());
        self.add_callable(&f.name, arity, false, layer, errors);
        self.pending.push(Pending::Function(f, layer, group));
    }

    fn add_callable(
        &mut self,
        name: &ast::Ident,
        arity: usize,
        is_process: bool,
        layer: Layer,
        errors: &mut Vec<CheckError>,
    ) {
        let id = self.pending.len() as FuncId;
        let table = self.callables.table(layer);
        if let Some(first) = table.get(&name.node) {
            errors.push(CheckError::DuplicateDefinition {
                name: name.node.clone(),
                span: name.span,
                first: first.span,
            });
        }
        table.insert(
            name.node.clone(),
            Callable {
                id,
                arity,
                is_process,
                span: name.span,
            },
        );
    }

    fn declare_codata(
        &mut self,
        c: &'a ast::CodataDecl,
        layer: Layer,
        errors: &mut Vec<CheckError>,
    ) {
        let id = self.codata_info.len() as CodataId;
        let dtors = c
            .dtors
            .iter()
            .map(|d| self.intern_dtor(&d.node.name.node))
            .collect();
        self.codata_info.push(CodataInfo {
            name: c.name.node.clone(),
            dtors,
        });
        let table = self.codata.table(layer);
        if table.contains_key(&c.name.node) {
            errors.push(CheckError::DuplicateDefinition {
                name: c.name.node.clone(),
                span: c.name.span,
                first: c.name.span,
            });
        }
        table.insert(c.name.node.clone(), id);
    }

    fn declare_labels(&mut self, proto: &ast::Proto) {
        match proto {
            ast::Proto::Choice(branches) => {
                for b in branches {
                    self.labels
                        .entry(b.node.label.node.clone())
                        .or_insert(b.node.label.span);
                    self.intern_tag(&b.node.label.node);
                    self.declare_labels(&b.node.body.node);
                }
            }
            ast::Proto::Seq(steps) => {
                for s in steps {
                    self.declare_step_labels(&s.node);
                }
            }
        }
    }

    fn declare_step_labels(&mut self, step: &ast::Step) {
        match step {
            ast::Step::Group(p) | ast::Step::Neg(p) => self.declare_labels(&p.node),
            ast::Step::Fork(a, b) => {
                self.declare_labels(&a.node);
                self.declare_labels(&b.node);
            }
            ast::Step::Put(t) | ast::Step::Get(t) => self.declare_type_labels(&t.node),
            ast::Step::Ref { args, .. } => {
                args.iter().for_each(|a| self.declare_type_labels(&a.node))
            }
            _ => {}
        }
    }

    fn declare_type_labels(&mut self, ty: &ast::Type) {
        match ty {
            ast::Type::Proto(p) => self.declare_labels(&p.node),
            ast::Type::Named { args, .. } => {
                args.iter().for_each(|a| self.declare_type_labels(&a.node))
            }
            ast::Type::Neg(t) | ast::Type::List(t) => self.declare_type_labels(&t.node),
            ast::Type::Tuple(ts) => ts.iter().for_each(|a| self.declare_type_labels(&a.node)),
            _ => {}
        }
    }

    fn intern_tag(&mut self, name: &str) -> Tag {
        if let Some(t) = self.tag_ids.get(name) {
            return *t;
        }
        let t = self.tags.len() as Tag;
        self.tags.push(name.to_string());
        self.tag_ids.insert(name.to_string(), t);
        t
    }

    fn intern_dtor(&mut self, name: &str) -> DtorId {
        if let Some(d) = self.dtor_ids.get(name) {
            return *d;
        }
        let d = self.dtors.len() as DtorId;
        self.dtors.push(name.to_string());
        self.dtor_ids.insert(name.to_string(), d);
        d
    }

    /// The functions and processes visible from `layer` (for suggestions).
    pub fn callable_names(&self, layer: Layer) -> impl Iterator<Item = &str> {
        self.callables.names(layer)
    }

    /// The constructors visible from `layer` and every protocol label.
    pub fn tag_names(&self, layer: Layer) -> impl Iterator<Item = &str> {
        self.ctors
            .names(layer)
            .chain(self.labels.keys().map(String::as_str))
    }

    /// The source name of declaration `index` of `pending` (a function's
    /// or a process's).
    pub fn declaration_name(&self, index: usize) -> Option<&str> {
        self.pending.get(index).map(|p| match p {
            Pending::Function(f, _, _) => f.name.node.as_str(),
            Pending::Process(p, _) => p.name.node.as_str(),
        })
    }

    pub fn callable(&self, name: &str, layer: Layer) -> Option<Callable> {
        self.callables.get(name, layer)
    }

    /// The tag of a constructor or label, with the constructor's arity
    /// (`None` for a label).
    pub fn tag(&self, name: &str, layer: Layer) -> Option<(Tag, Option<usize>)> {
        let tag = *self.tag_ids.get(name)?;
        match self.ctors.get(name, layer) {
            Some((arity, _)) => Some((tag, Some(arity))),
            None if self.labels.contains_key(name) => Some((tag, None)),
            None => None,
        }
    }

    /// The tag of `name` if some protocol uses it as a label.
    pub fn label(&self, name: &str) -> Option<Tag> {
        self.labels.get(name).and(self.tag_ids.get(name)).copied()
    }

    pub fn codata(&self, name: &str, layer: Layer) -> Option<CodataId> {
        self.codata.get(name, layer)
    }

    pub fn dtor(&self, name: &str) -> Option<DtorId> {
        self.dtor_ids.get(name).copied()
    }
}
