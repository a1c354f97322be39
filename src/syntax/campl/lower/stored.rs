//! CaMPL's higher-order processes: `store(p)` makes a process a value,
//! `use(v)(args | ins => outs)` starts it. A stored process is a record
//! of a codata type with one destructor, `use`, that starts the process;
//! the types are `campl$Store{V}x{C}`, one generic codata per shape
//! (`V` values, `C` channels), whose parameters are the values' types and
//! the channels' protocols, so that `Store(Int | Console =>)` is
//! `campl$Store1x1<Int, neg<Console>>`.

use super::Lower;
use super::build::{block, call, param, sp, stmt, var};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Expr};
use crate::syntax::campl::tree::{self, Pattern, ProcType, Stored};

fn store_name((values, channels): (usize, usize)) -> String {
    format!("campl$Store{values}x{channels}")
}

/// The codata type of stored processes of one shape.
pub(super) fn store_codata(shape: (usize, usize)) -> Spanned<ast::Item> {
    let span = Span::default();
    let (values, channels) = shape;
    let params = (0..values)
        .map(|i| (format!("t{i}"), false))
        .chain((0..channels).map(|i| (format!("p{i}"), true)))
        .map(|(n, is_proto)| ast::TypeParam {
            name: sp(n, span),
            is_proto,
        })
        .collect();
    let dtor_params = (0..values)
        .map(|i| (format!("a{i}"), ast::Type::Var(format!("t{i}"))))
        .chain((0..channels).map(|i| (format!("c{i}"), ast::Type::ProtoVar(format!("p{i}")))))
        .map(|(n, ty)| super::build::typed_param(&n, Some(sp(ty, span)), span))
        .collect();
    let dtor = ast::DtorDecl {
        ret: sp(ast::Type::Void, span),
        name: sp("use".into(), span),
        params: dtor_params,
    };
    let decl = ast::CodataDecl {
        doc: Some("A stored process (CaMPL's `Store`): `use` starts it.".into()),
        name: sp(store_name(shape), span),
        params,
        dtors: vec![sp(dtor, span)],
    };
    sp(ast::Item::Codata(decl), span)
}

impl Lower<'_> {
    /// `Store(values | ins => outs)`.
    pub(super) fn store_type(&mut self, t: &ProcType, span: Span) -> Spanned<ast::Type> {
        let shape = (t.seq.len(), t.ins.len() + t.outs.len());
        self.stores.insert(shape);
        let mut args: Vec<_> = t.seq.iter().map(|x| self.seq_type(x)).collect();
        for (x, out) in t
            .ins
            .iter()
            .map(|x| (x, false))
            .chain(t.outs.iter().map(|x| (x, true)))
        {
            let steps = self.conc_steps(x, out, None);
            let proto = sp(ast::Proto::Seq(steps), x.span);
            args.push(sp(ast::Type::Proto(Box::new(proto)), x.span));
        }
        let name = sp(store_name(shape), span);
        sp(ast::Type::Named { name, args }, span)
    }

    /// `store(p)` or `store(phrase)`: a record whose `use` starts it.
    pub(super) fn store(&mut self, stored: &Stored, span: Span) -> Spanned<Expr> {
        let (target, captures, shape) = match stored {
            Stored::Named(p) => {
                let Some(decl) = self.table.procs.get(&p.node) else {
                    self.error(
                        p.span,
                        format!("there is no process called `{}`", p.node),
                        None,
                    );
                    return sp(Expr::Unit, span);
                };
                let first = decl.phrases.first();
                let values = first.map_or(0, |f| f.node.patterns.len());
                let channels = first.map_or(0, |f| f.node.ins.len() + f.node.outs.len());
                (p.node.clone(), Vec::new(), (values, channels))
            }
            Stored::Phrase(phrase) => self.lift_stored(phrase),
        };
        self.stores.insert(shape);
        let (values, channels) = shape;
        let names: Vec<String> = (0..values)
            .map(|i| format!("a{i}"))
            .chain((0..channels).map(|i| format!("c{i}")))
            .collect();
        let mut args: Vec<_> = captures.iter().map(|c| var(c, span)).collect();
        args.extend(names.iter().map(|n| var(n, span)));
        let method = ast::Method {
            ret: None,
            name: sp("use".into(), span),
            params: names.iter().map(|n| param(n, span)).collect(),
            body: block(vec![stmt(call(&target, args, span))], span),
        };
        let codata = sp(
            ast::Type::Named {
                name: sp(store_name(shape), span),
                args: Vec::new(),
            },
            span,
        );
        sp(
            Expr::Record {
                codata,
                methods: vec![sp(method, span)],
            },
            span,
        )
    }

    /// An anonymous stored process, lifted to a process of its own that
    /// takes the values it uses first: its name, those values, its shape.
    fn lift_stored(
        &mut self,
        phrase: &Spanned<tree::ProcPhrase>,
    ) -> (String, Vec<String>, (usize, usize)) {
        let captures = self.captured(&phrase.node.body);
        let name = self.fresh_name("store");
        let mut lifted = phrase.clone();
        let capture_patterns = captures
            .iter()
            .map(|c| Spanned::new(Pattern::Var(c.clone()), phrase.span));
        lifted.node.patterns = capture_patterns
            .chain(phrase.node.patterns.iter().cloned())
            .collect();
        let shape = (
            phrase.node.patterns.len(),
            phrase.node.ins.len() + phrase.node.outs.len(),
        );
        let proc = tree::Proc {
            name: Spanned::new(name.clone(), phrase.span),
            ty: None,
            phrases: vec![lifted],
            // Lowered here, in the scope of the definition it is in.
            scope: tree::Scope::default(),
        };
        let saved = std::mem::take(&mut self.locals);
        let decl = self.proc_decl(&proc);
        self.locals = saved;
        self.items.push(sp(ast::Item::Process(decl), phrase.span));
        (name, captures, shape)
    }
}
