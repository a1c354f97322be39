//! The declarations the type checker works with: data, codata and protocol
//! declarations turned into `types::Ty`/`Session`, and the signatures of
//! functions and processes. Also the conversion of written types
//! (`ast::Type`) into checker types, where generic names are resolved.
//!
//! Bodies are not looked at here (see `infer`).

use super::errors::CheckError;
use super::globals::{Layer, Layered};
use super::types::{Con, Dir, Names, Session, Ty, dual};
use crate::services::ProtocolRef;
use crate::source::Span;
use crate::syntax::ast::{self, Item, Module};
use std::collections::HashMap;
use std::rc::Rc;

pub type Generics = Vec<(Rc<str>, bool)>;

/// What an unknown type name converts to (after its error): a generic no
/// program can name, which inference replaces with a fresh variable so
/// that the one mistake is not reported again at every use.
pub const UNKNOWN_TYPE: &str = "?";

pub struct DataDecl {
    pub name: String,
    pub params: Generics,
    pub ctors: Vec<CtorInfo>,
}

pub struct CtorInfo {
    pub name: Rc<str>,
    pub fields: Vec<Ty>,
    pub span: Span,
}

pub struct CodataDecl {
    pub name: String,
    pub params: Generics,
    pub dtors: Vec<DtorInfo>,
}

pub struct DtorInfo {
    pub name: String,
    pub params: Vec<Ty>,
    pub ret: Ty,
}

pub struct ProtoDecl {
    pub name: String,
    pub params: Generics,
    pub body: Session,
    pub span: Span,
}

/// A name a written type can refer to.
#[derive(Clone, Copy, Debug)]
pub enum TypeName {
    Data(u32),
    Codata(u32),
    Proto(u32),
}

#[derive(Default)]
pub struct Decls {
    pub data: Vec<DataDecl>,
    pub codata: Vec<CodataDecl>,
    pub protos: Vec<ProtoDecl>,
    pub types: Layered<TypeName>,
    /// Constructor name to (data id, constructor index).
    pub ctors: Layered<(u32, usize)>,
}

impl Decls {
    /// The protocol state of the program's end of a built-in service: the
    /// prelude protocol its registry entry names, applied to built-in
    /// types. `None` if the prelude lacks it (a prelude and registry out of
    /// step, which the registry's own tests catch).
    pub fn service_session(&self, protocol: &ProtocolRef) -> Option<Session> {
        let Some(TypeName::Proto(id)) = self.types.get(protocol.name, Layer::Prelude) else {
            return None;
        };
        let args = protocol
            .args
            .iter()
            .map(|a| Con::builtin(a).map(Ty::simple))
            .collect::<Option<Vec<_>>>()?;
        Some(Session::Ref {
            proto: id,
            args: args.into(),
            neg: false,
        })
    }
}

impl Names for Decls {
    fn data_name(&self, id: u32) -> &str {
        self.data.get(id as usize).map_or("?", |d| d.name.as_str())
    }
    fn codata_name(&self, id: u32) -> &str {
        self.codata
            .get(id as usize)
            .map_or("?", |d| d.name.as_str())
    }
    fn proto_name(&self, id: u32) -> &str {
        self.protos
            .get(id as usize)
            .map_or("?", |d| d.name.as_str())
    }
}

/// How generic names are treated while converting a written type.
pub struct TyScope {
    pub vars: HashMap<String, Ty>,
    /// Unknown lower-case names become new generics (function signatures).
    pub implicit: bool,
    /// The generics found so far, in order.
    pub generics: Generics,
    /// What `loop` means here (inside a protocol declaration).
    pub self_ref: Option<Session>,
    pub layer: Layer,
}

impl TyScope {
    pub fn new(layer: Layer, implicit: bool) -> TyScope {
        TyScope {
            vars: HashMap::new(),
            implicit,
            generics: Vec::new(),
            self_ref: None,
            layer,
        }
    }

    pub fn with_params(layer: Layer, params: &[ast::TypeParam]) -> TyScope {
        let mut s = TyScope::new(layer, false);
        for p in params {
            let name: Rc<str> = p.name.node.as_str().into();
            s.vars.insert(
                key(&p.name.node, p.is_proto),
                Ty::Rigid(name.clone(), p.is_proto),
            );
            s.generics.push((name, p.is_proto));
        }
        s
    }
}

fn key(name: &str, proto: bool) -> String {
    if proto {
        format!("#{name}")
    } else {
        name.to_string()
    }
}

impl Decls {
    /// Collects every type-level declaration; bodies of protocols, data and
    /// codata are converted once all names are known.
    pub fn collect(modules: &[(&Module, Layer)], errors: &mut Vec<CheckError>) -> Decls {
        let mut d = Decls::default();
        for (m, layer) in modules {
            for item in &m.items {
                d.declare_name(&item.node, *layer);
            }
        }
        for (m, layer) in modules {
            for item in &m.items {
                d.define(&item.node, *layer, errors);
            }
        }
        d
    }

    fn declare_name(&mut self, item: &Item, layer: Layer) {
        let (name, tn) = match item {
            Item::Data(x) => {
                self.data.push(DataDecl {
                    name: x.name.node.clone(),
                    params: generics_of(&x.params),
                    ctors: Vec::new(),
                });
                (&x.name.node, TypeName::Data(self.data.len() as u32 - 1))
            }
            Item::Codata(x) => {
                self.codata.push(CodataDecl {
                    name: x.name.node.clone(),
                    params: generics_of(&x.params),
                    dtors: Vec::new(),
                });
                (&x.name.node, TypeName::Codata(self.codata.len() as u32 - 1))
            }
            Item::Protocol(x) => {
                self.protos.push(ProtoDecl {
                    name: x.name.node.clone(),
                    params: generics_of(&x.params),
                    body: Session::Close,
                    span: x.name.span,
                });
                (&x.name.node, TypeName::Proto(self.protos.len() as u32 - 1))
            }
            _ => return,
        };
        self.types.table(layer).insert(name.clone(), tn);
    }

    /// Fills in the declaration of `item`, named by `declare_name` before.
    fn define(&mut self, item: &Item, layer: Layer, errors: &mut Vec<CheckError>) {
        match item {
            Item::Data(x) => {
                let Some(TypeName::Data(id)) = self.types.get(&x.name.node, layer) else {
                    return;
                };
                let mut scope = TyScope::with_params(layer, &x.params);
                let mut ctors = Vec::new();
                for (i, c) in x.ctors.iter().enumerate() {
                    let fields = c
                        .node
                        .fields
                        .iter()
                        .map(|f| self.ty(f, &mut scope, errors))
                        .collect();
                    ctors.push(CtorInfo {
                        name: c.node.name.node.as_str().into(),
                        fields,
                        span: c.node.name.span,
                    });
                    self.ctors
                        .table(layer)
                        .insert(c.node.name.node.clone(), (id, i));
                }
                let decl = &mut self.data[id as usize];
                decl.params = scope.generics;
                decl.ctors = ctors;
            }
            Item::Codata(x) => {
                let Some(TypeName::Codata(id)) = self.types.get(&x.name.node, layer) else {
                    return;
                };
                let mut scope = TyScope::with_params(layer, &x.params);
                let mut dtors = Vec::new();
                for dt in &x.dtors {
                    let params = dt
                        .node
                        .params
                        .iter()
                        .map(|p| match &p.node.ty {
                            Some(t) => self.ty(t, &mut scope, errors),
                            None => Ty::unit(),
                        })
                        .collect();
                    let ret = self.ty(&dt.node.ret, &mut scope, errors);
                    dtors.push(DtorInfo {
                        name: dt.node.name.node.clone(),
                        params,
                        ret,
                    });
                }
                let decl = &mut self.codata[id as usize];
                decl.params = scope.generics;
                decl.dtors = dtors;
            }
            Item::Protocol(x) => {
                let Some(TypeName::Proto(id)) = self.types.get(&x.name.node, layer) else {
                    return;
                };
                let mut scope = TyScope::with_params(layer, &x.params);
                let args: Vec<Ty> = scope
                    .generics
                    .iter()
                    .map(|(n, p)| Ty::Rigid(n.clone(), *p))
                    .collect();
                scope.self_ref = Some(Session::Ref {
                    proto: id,
                    args: args.into(),
                    neg: false,
                });
                let body = self.proto(&x.body, &mut scope, errors);
                let decl = &mut self.protos[id as usize];
                decl.params = scope.generics;
                decl.body = body;
            }
            _ => {}
        }
    }

    /// Converts a written type.
    pub fn ty(
        &self,
        t: &crate::source::Spanned<ast::Type>,
        scope: &mut TyScope,
        errors: &mut Vec<CheckError>,
    ) -> Ty {
        match &t.node {
            ast::Type::Var(n) => self.generic(n, false, t.span, scope, errors),
            ast::Type::ProtoVar(n) => self.generic(n, true, t.span, scope, errors),
            ast::Type::Void => Ty::unit(),
            ast::Type::List(e) => Ty::list(self.ty(e, scope, errors)),
            ast::Type::Tuple(ts) => Ty::con(
                Con::Tuple,
                ts.iter().map(|x| self.ty(x, scope, errors)).collect(),
            ),
            ast::Type::Named { name, args } => self.named(name, args, scope, errors),
            ast::Type::Neg(inner) => match self.ty(inner, scope, errors) {
                Ty::Session(s) => Ty::session(dual(&s)),
                Ty::Rigid(n, p) => Ty::session(Session::Var {
                    ty: Ty::Rigid(n, p),
                    neg: true,
                }),
                other => {
                    errors.push(CheckError::NotAProtocol {
                        span: inner.span,
                        found: super::types::show_ty(&other, self),
                    });
                    other
                }
            },
            ast::Type::After { base, steps } => {
                let base_ty = self.ty(base, scope, errors);
                match base_ty {
                    Ty::Session(s) => self
                        .after(&s, steps, errors)
                        .map_or(Ty::unit(), Ty::session),
                    other => {
                        errors.push(CheckError::NotAProtocol {
                            span: base.span,
                            found: super::types::show_ty(&other, self),
                        });
                        other
                    }
                }
            }
            ast::Type::Proto(p) => Ty::session(self.proto(p, scope, errors)),
        }
    }

    fn generic(
        &self,
        n: &str,
        proto: bool,
        span: Span,
        scope: &mut TyScope,
        errors: &mut Vec<CheckError>,
    ) -> Ty {
        if let Some(t) = scope.vars.get(&key(n, proto)) {
            return t.clone();
        }
        if scope.implicit {
            let name: Rc<str> = n.into();
            let t = Ty::Rigid(name.clone(), proto);
            scope.vars.insert(key(n, proto), t.clone());
            scope.generics.push((name, proto));
            return t;
        }
        errors.push(CheckError::UnknownType {
            name: key(n, proto),
            span,
            suggestion: None,
        });
        Ty::unit()
    }

    fn named(
        &self,
        name: &ast::Ident,
        args: &[crate::source::Spanned<ast::Type>],
        scope: &mut TyScope,
        errors: &mut Vec<CheckError>,
    ) -> Ty {
        if let Some(c) = Con::builtin(&name.node) {
            self.arity(name, 0, args.len(), errors);
            return Ty::simple(c);
        }
        if name.node == "List" && self.types.get("List", scope.layer).is_none() {
            self.arity(name, 1, args.len(), errors);
            let elem = args
                .first()
                .map_or_else(Ty::unit, |a| self.ty(a, scope, errors));
            return Ty::list(elem);
        }
        if name.node == "String" {
            self.arity(name, 0, args.len(), errors);
            return Ty::string();
        }
        let converted: Vec<Ty> = args.iter().map(|a| self.ty(a, scope, errors)).collect();
        match self.types.get(&name.node, scope.layer) {
            Some(TypeName::Data(id)) => {
                self.arity(
                    name,
                    self.data[id as usize].params.len(),
                    args.len(),
                    errors,
                );
                Ty::con(Con::Data(id), converted)
            }
            Some(TypeName::Codata(id)) => {
                self.arity(
                    name,
                    self.codata[id as usize].params.len(),
                    args.len(),
                    errors,
                );
                Ty::con(Con::Codata(id), converted)
            }
            Some(TypeName::Proto(id)) => {
                self.proto_arity(name, id, args.len(), errors);
                Ty::session(Session::Ref {
                    proto: id,
                    args: converted.into(),
                    neg: false,
                })
            }
            None => {
                // The built-in names too (`String` and `List<t>` are the list's).
                let builtin = Con::BUILTIN.iter().map(|(n, _)| *n);
                let names = self
                    .types
                    .names(scope.layer)
                    .chain(builtin)
                    .chain(["String", "List"]);
                errors.push(CheckError::UnknownType {
                    name: name.node.clone(),
                    span: name.span,
                    suggestion: super::suggest::closest(&name.node, names),
                });
                Ty::Rigid(UNKNOWN_TYPE.into(), false)
            }
        }
    }

    fn proto_arity(&self, name: &ast::Ident, id: u32, found: usize, errors: &mut Vec<CheckError>) {
        self.arity(name, self.protos[id as usize].params.len(), found, errors);
    }

    fn arity(
        &self,
        name: &ast::Ident,
        expected: usize,
        found: usize,
        errors: &mut Vec<CheckError>,
    ) {
        if expected != found {
            errors.push(CheckError::WrongArity {
                name: name.node.clone(),
                span: name.span,
                expected,
                found,
            });
        }
    }

    /// Converts a protocol body.
    pub fn proto(
        &self,
        p: &crate::source::Spanned<ast::Proto>,
        scope: &mut TyScope,
        errors: &mut Vec<CheckError>,
    ) -> Session {
        match &p.node {
            ast::Proto::Choice(branches) => {
                let dir = branches.first().map_or(Dir::Put, |b| dir_of(b.node.dir));
                let mut out = Vec::new();
                for b in branches {
                    if dir_of(b.node.dir) != dir {
                        errors.push(CheckError::MixedChoice {
                            span: b.node.label.span,
                        });
                    }
                    let body = self.proto(&b.node.body, scope, errors);
                    out.push((Rc::from(b.node.label.node.as_str()), Rc::new(body)));
                }
                Session::Choice {
                    dir,
                    branches: out.into(),
                }
            }
            ast::Proto::Seq(steps) => self.seq(steps, scope, errors),
        }
    }

    fn seq(
        &self,
        steps: &[crate::source::Spanned<ast::Step>],
        scope: &mut TyScope,
        errors: &mut Vec<CheckError>,
    ) -> Session {
        let Some((last, init)) = steps.split_last() else {
            return Session::Close;
        };
        let mut s = self.final_step(last, scope, errors);
        for step in init.iter().rev() {
            s = match &step.node {
                ast::Step::Put(t) => Session::Msg {
                    dir: Dir::Put,
                    ty: self.ty(t, scope, errors),
                    next: Rc::new(s),
                },
                ast::Step::Get(t) => Session::Msg {
                    dir: Dir::Get,
                    ty: self.ty(t, scope, errors),
                    next: Rc::new(s),
                },
                ast::Step::Group(g) => match &g.node {
                    ast::Proto::Seq(inner) => {
                        let mut all: Vec<_> = inner.clone();
                        all.push(crate::source::Spanned::new(ast::Step::Close, step.span));
                        append(self.seq(&all, scope, errors), s)
                    }
                    ast::Proto::Choice(_) => {
                        errors.push(CheckError::StepMustBeLast { span: step.span });
                        s
                    }
                },
                _ => {
                    errors.push(CheckError::StepMustBeLast { span: step.span });
                    s
                }
            };
        }
        s
    }

    fn final_step(
        &self,
        step: &crate::source::Spanned<ast::Step>,
        scope: &mut TyScope,
        errors: &mut Vec<CheckError>,
    ) -> Session {
        match &step.node {
            ast::Step::Put(t) => Session::Msg {
                dir: Dir::Put,
                ty: self.ty(t, scope, errors),
                next: Rc::new(Session::Close),
            },
            ast::Step::Get(t) => Session::Msg {
                dir: Dir::Get,
                ty: self.ty(t, scope, errors),
                next: Rc::new(Session::Close),
            },
            ast::Step::Loop => match &scope.self_ref {
                Some(s) => s.clone(),
                None => {
                    errors.push(CheckError::LoopOutsideProtocol { span: step.span });
                    Session::Close
                }
            },
            ast::Step::Close => Session::Close,
            ast::Step::Ref { name, args } => {
                let t = crate::source::Spanned::new(
                    ast::Type::Named {
                        name: name.clone(),
                        args: args.clone(),
                    },
                    step.span,
                );
                match self.ty(&t, scope, errors) {
                    Ty::Session(s) => (*s).clone(),
                    other => {
                        errors.push(CheckError::NotAProtocol {
                            span: step.span,
                            found: super::types::show_ty(&other, self),
                        });
                        Session::Close
                    }
                }
            }
            ast::Step::Var(n) => Session::Var {
                ty: self.generic(n, true, step.span, scope, errors),
                neg: false,
            },
            ast::Step::Group(p) => self.proto(p, scope, errors),
            ast::Step::Neg(p) => dual(&self.proto(p, scope, errors)),
            ast::Step::Fork(a, b) => Session::Fork {
                split: false,
                a: Rc::new(self.proto(a, scope, errors)),
                b: Rc::new(self.proto(b, scope, errors)),
            },
        }
    }

    /// `P.after<steps>`: the state of `P` after the listed steps.
    pub fn after(
        &self,
        s: &Session,
        steps: &[crate::source::Spanned<ast::AfterStep>],
        errors: &mut Vec<CheckError>,
    ) -> Option<Session> {
        let mut cur = s.clone();
        for step in steps {
            let head = self.unfold(&cur, 64)?;
            let want = dir_of(step.node.dir);
            cur = match (&head, &step.node.label) {
                (Session::Choice { dir, branches }, Some(label)) if *dir == want => {
                    match branches.iter().find(|(l, _)| **l == *label.node) {
                        Some((_, b)) => (**b).clone(),
                        None => {
                            errors.push(CheckError::AfterMismatch {
                                span: step.span,
                                state: super::types::show_session(&head, self),
                            });
                            return None;
                        }
                    }
                }
                (Session::Msg { dir, next, .. }, None) if *dir == want => (**next).clone(),
                _ => {
                    errors.push(CheckError::AfterMismatch {
                        span: step.span,
                        state: super::types::show_session(&head, self),
                    });
                    return None;
                }
            };
        }
        Some(cur)
    }

    /// Unfolds named protocols until the first step shows. `None` when it
    /// never starts (a protocol defined only by itself). Variables are left
    /// as they are: the checker resolves them.
    pub fn unfold(&self, s: &Session, fuel: u32) -> Option<Session> {
        let mut cur = s.clone();
        for _ in 0..fuel {
            if !matches!(cur, Session::Ref { .. }) {
                return Some(cur);
            }
            cur = self.unfold_ref(&cur)?;
        }
        None
    }

    /// One step: the body of a named protocol with its arguments put in.
    /// Other states are returned as they are.
    pub fn unfold_ref(&self, s: &Session) -> Option<Session> {
        let Session::Ref { proto, args, neg } = s else {
            return Some(s.clone());
        };
        let decl = self.protos.get(*proto as usize)?;
        let map: HashMap<Rc<str>, Ty> = decl
            .params
            .iter()
            .map(|(n, _)| n.clone())
            .zip(args.iter().cloned())
            .collect();
        let body = super::types::subst_session(&decl.body, &map);
        Some(if *neg { dual(&body) } else { body })
    }
}

fn generics_of(params: &[ast::TypeParam]) -> Generics {
    params
        .iter()
        .map(|p| (Rc::from(p.name.node.as_str()), p.is_proto))
        .collect()
}

/// Appends `rest` where `s` closes (a sequence used in the middle of
/// another).
fn append(s: Session, rest: Session) -> Session {
    match s {
        Session::Close => rest,
        Session::Msg { dir, ty, next } => Session::Msg {
            dir,
            ty,
            next: Rc::new(append((*next).clone(), rest)),
        },
        other => other,
    }
}

pub fn dir_of(d: ast::Dir) -> Dir {
    match d {
        ast::Dir::Put => Dir::Put,
        ast::Dir::Get => Dir::Get,
    }
}
