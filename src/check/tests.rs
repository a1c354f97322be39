//! Unit tests of the checker's core: duality, unification of types and
//! protocol states, and the inference of channel states through
//! functions. (Whole programs with expected diagnostics are in
//! `tests/errors`; these name the rules one at a time.)

use super::Layer;
use super::decls::{Decls, TypeName};
use super::types::{Con, Dir, Session, Ty, dual};
use super::unify::Unifier;
use crate::source::{FileId, SourceMap};
use crate::syntax::parser::parse_module;
use std::rc::Rc;

fn int() -> Ty {
    Ty::simple(Con::Int)
}

fn msg(dir: Dir, ty: Ty, next: Session) -> Session {
    Session::Msg {
        dir,
        ty,
        next: Rc::new(next),
    }
}

fn choice(dir: Dir, branches: &[(&str, Session)]) -> Session {
    Session::Choice {
        dir,
        branches: branches
            .iter()
            .map(|(l, b)| (Rc::from(*l), Rc::new(b.clone())))
            .collect(),
    }
}

/// One of every protocol form, nested.
fn every_form() -> Vec<Session> {
    let put_int = msg(Dir::Put, int(), Session::Close);
    vec![
        Session::Close,
        Session::Unknown,
        put_int.clone(),
        msg(Dir::Get, Ty::string(), put_int.clone()),
        choice(
            Dir::Put,
            &[("Go", put_int.clone()), ("Stop", Session::Close)],
        ),
        choice(Dir::Get, &[("A", Session::Close)]),
        Session::Fork {
            split: false,
            a: Rc::new(put_int.clone()),
            b: Rc::new(Session::Close),
        },
        Session::Ref {
            proto: 0,
            args: Rc::from(vec![int()]),
            neg: false,
        },
        Session::Var {
            ty: Ty::Rigid(Rc::from("p"), true),
            neg: true,
        },
    ]
}

#[test]
fn dual_is_an_involution_on_every_protocol_form() {
    for s in every_form() {
        assert_eq!(dual(&dual(&s)), s, "{s:?}");
    }
}

#[test]
fn dual_swaps_put_and_get_and_keeps_types() {
    let s = msg(Dir::Put, int(), msg(Dir::Get, Ty::bool(), Session::Close));
    assert_eq!(
        dual(&s),
        msg(Dir::Get, int(), msg(Dir::Put, Ty::bool(), Session::Close))
    );
}

#[test]
fn dual_of_a_choice_flips_who_chooses_and_keeps_the_labels() {
    let s = choice(Dir::Put, &[("Go", msg(Dir::Put, int(), Session::Close))]);
    let Session::Choice { dir, branches } = dual(&s) else {
        panic!("not a choice");
    };
    assert_eq!(dir, Dir::Get);
    assert_eq!(&*branches[0].0, "Go");
    assert_eq!(*branches[0].1, msg(Dir::Get, int(), Session::Close));
}

#[test]
fn dual_of_fork_is_split_and_of_a_reference_is_its_negation() {
    let fork = Session::Fork {
        split: false,
        a: Rc::new(Session::Close),
        b: Rc::new(Session::Close),
    };
    assert!(matches!(dual(&fork), Session::Fork { split: true, .. }));
    let named = Session::Ref {
        proto: 3,
        args: Rc::from(vec![]),
        neg: false,
    };
    assert!(matches!(
        dual(&named),
        Session::Ref {
            proto: 3,
            neg: true,
            ..
        }
    ));
    assert_eq!(dual(&Session::Close), Session::Close);
}

/// The declarations of `text` (with no prelude).
fn decls_of(text: &str) -> Decls {
    let (module, errors) = parse_module(FileId(0), text);
    assert!(errors.is_empty(), "{errors:?}");
    let module = module.expect("parses");
    let mut errors = Vec::new();
    let decls = Decls::collect(&[(&module, Layer::Program)], &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    decls
}

#[test]
fn unify_binds_a_variable_and_resolve_follows_it() {
    let decls = decls_of("");
    let mut u = Unifier::new(&decls);
    let v = u.fresh();
    assert!(u.unify(&Ty::list(v.clone()), &Ty::list(int())).is_ok());
    assert_eq!(u.resolve(&v), int());
}

/// Found by fuzzing (`fuzz/`, target `check`): a channel of an unknown
/// protocol used by two calls bound a variable to a protocol state that
/// mentioned the variable itself; unifying with it recursed until the
/// checker's stack overflowed and the process aborted.
#[test]
fn unify_refuses_a_protocol_variable_bound_inside_itself() {
    let decls = decls_of("");
    let mut u = Unifier::new(&decls);
    let v = u.fresh();
    let itself = |neg| Ty::Session(Rc::new(Session::Var { ty: v.clone(), neg }));
    // "whatever v is" is v already; "the dual of v" and "put Int, then v"
    // would make a cycle.
    assert!(u.unify(&v, &itself(false)).is_ok());
    assert!(u.unify(&v, &itself(true)).is_err());
    let then_v = Ty::Session(Rc::new(msg(
        Dir::Put,
        int(),
        Session::Var {
            ty: v.clone(),
            neg: false,
        },
    )));
    assert!(u.unify(&v, &then_v).is_err());
    let w = u.fresh();
    let other = Ty::Session(Rc::new(Session::Var {
        ty: w.clone(),
        neg: false,
    }));
    assert!(u.unify(&v, &other).is_ok());
    assert!(u.unify(&w, &itself(true)).is_err());
}

#[test]
fn unify_rejects_different_constructors() {
    let decls = decls_of("");
    let mut u = Unifier::new(&decls);
    assert!(u.unify(&int(), &Ty::bool()).is_err());
    assert!(u.unify(&Ty::list(int()), &Ty::string()).is_err());
}

#[test]
fn unify_sessions_needs_the_same_direction_and_message_type() {
    let decls = decls_of("");
    let mut u = Unifier::new(&decls);
    let put = msg(Dir::Put, int(), Session::Close);
    assert!(u.unify_sessions(&put, &put.clone()).is_ok());
    assert!(u.unify_sessions(&put, &dual(&put)).is_err());
    let put_bool = msg(Dir::Put, Ty::bool(), Session::Close);
    assert!(u.unify_sessions(&put, &put_bool).is_err());
}

#[test]
fn unify_sessions_unfolds_a_named_protocol_against_its_body() {
    let decls = decls_of("protocol Count = put Int, loop;");
    let Some(TypeName::Proto(id)) = decls.types.get("Count", Layer::Program) else {
        panic!("Count is not a protocol");
    };
    let named = Session::Ref {
        proto: id,
        args: Rc::from(vec![]),
        neg: false,
    };
    let mut u = Unifier::new(&decls);
    let body = u.head(&named).expect("a named protocol has a first step");
    assert!(matches!(&body, Session::Msg { dir: Dir::Put, .. }));
    assert!(u.unify_sessions(&named, &body).is_ok());
    assert!(u.unify_sessions(&named, &dual(&body)).is_err());
}

/// `text` compiled with the prelude: the program, or the error codes.
fn compiled(text: &str) -> Result<crate::ir::Program, Vec<String>> {
    let text = text.to_string();
    crate::with_big_stack(move || {
        let mut sources = SourceMap::new();
        let input = crate::SourceInput::Text {
            name: "t.mpl".into(),
            text,
        };
        crate::compile(&mut sources, input)
            .map_err(|diags| diags.iter().filter_map(|d| d.code.clone()).collect())
    })
}

/// The error codes the checker reports for `text` (with the prelude).
fn codes(text: &str) -> Vec<String> {
    compiled(text).err().unwrap_or_default()
}

const PROTOCOL: &str = "protocol Two = put Int, put Int, close;\n\
    process sink(neg<Two> c) { let a = c.get; let b = c.get; c.close(); }\n";

#[test]
fn a_function_leaves_a_lent_channel_in_the_state_it_reached() {
    let ok = format!(
        "{PROTOCOL}void first(Two c) {{ c.put(1); }}\n\
         process src(Two c) {{ first(c); c.put(2); c.close(); }}\n\
         src(~k); sink(k);\n"
    );
    assert_eq!(codes(&ok), Vec::<String>::new());
}

#[test]
fn the_caller_continues_from_the_state_the_function_left() {
    let twice = format!(
        "{PROTOCOL}void first(Two c) {{ c.put(1); }}\n\
         process src(Two c) {{ first(c); c.put(2); c.put(3); c.close(); }}\n\
         src(~k); sink(k);\n"
    );
    assert_eq!(codes(&twice), vec!["E0061".to_string()]);
}

#[test]
fn a_channel_must_reach_close_before_its_process_ends() {
    let open = format!("{PROTOCOL}process src(Two c) {{ c.put(1); }}\nsrc(~k); sink(k);\n");
    assert_eq!(codes(&open), vec!["E0065".to_string()]);
}

/// The resolved program of `text`, which must check.
fn checked(text: &str) -> crate::ir::Program {
    compiled(text).unwrap_or_else(|codes| panic!("the program checks, but: {codes:?}"))
}

/// Every statement of every function of `p`, in blocks nested anywhere.
fn statements(p: &crate::ir::Program) -> Vec<crate::ir::Stmt> {
    let mut out = Vec::new();
    for f in &p.functions {
        f.body.for_each(&mut |e| {
            if let crate::ir::ExprKind::Block(b) = &e.kind {
                out.extend(b.stmts.iter().cloned());
            }
        });
    }
    out
}

#[test]
fn the_checker_writes_where_each_channels_ends_start_onto_its_statement() {
    use crate::ir::{MonNode, MsgKind, Stmt};
    let text = format!(
        "{PROTOCOL}process src(Two c) {{ c.put(1); c.put(2); c.close(); }}\n\
         Two t;\nsrc(t); sink(~t);\n"
    );
    let p = checked(&text);
    let channels: Vec<Option<(u32, u32)>> = statements(&p)
        .into_iter()
        .filter_map(|s| match s {
            Stmt::Channel { monitor, .. } => Some(monitor),
            _ => None,
        })
        .collect();
    assert_eq!(channels.len(), 1, "one channel statement: {channels:?}");
    let (end, dual) = channels[0].expect("the checker wrote the channel's states");
    let node = |n: u32| p.monitor.nodes[n as usize].clone();
    assert!(matches!(
        node(end),
        MonNode::Msg {
            put: true,
            kind: MsgKind::Int,
            ..
        }
    ));
    assert!(matches!(
        node(dual),
        MonNode::Msg {
            put: false,
            kind: MsgKind::Int,
            ..
        }
    ));
}

#[test]
fn the_checker_writes_the_static_type_of_each_show_argument_onto_the_call() {
    use crate::ir::{Builtin, ExprKind, ShowTy};
    let p = checked("let a = show(\"\");\nlet b = show([1]);\n");
    let mut shown = Vec::new();
    for f in p.functions.iter().filter(|f| !f.prelude) {
        f.body.for_each(&mut |e| {
            if let ExprKind::Builtin {
                op: Builtin::Show,
                show,
                ..
            } = &e.kind
            {
                shown.push(show.clone());
            }
        });
    }
    let int_list = ShowTy::List(Box::new(ShowTy::Any));
    assert_eq!(shown, vec![Some(ShowTy::Str), Some(int_list)]);
}
