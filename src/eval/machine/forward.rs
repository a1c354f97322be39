//! Where a call really goes. The prelude writes many functions as a
//! wrapper around a worker (`words(s) = wordsFrom(s, "", [])`,
//! `length(list) = lengthFrom(list, 0)`): a call to such a wrapper is
//! compiled as a call to its worker with the wrapper's constants as extra
//! arguments, and a call to a function with a native body as that native,
//! without a frame. Which natives a run uses is decided here too
//! (`Natives`), for a function's own body and for a call alike. Nothing
//! here emits code; `compile` asks.
//!
//! Only prelude wrappers are skipped: a report of a failure names the
//! program's own functions, and the prelude's are never among them.

use super::native::Native;
use crate::ir::{Expr, ExprKind, FnKind, FuncId, Program};

/// What a call ends up running.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Callee {
    Func(FuncId),
    Native(Native),
}

/// Wrappers followed at most: the prelude's go one deep; this only keeps a
/// wrapper cycle from looping.
const MAX_HOPS: usize = 4;

/// Which prelude functions run their native bodies: none when `on` is
/// false (tests compare both ways), and in a `traced` run none that puts,
/// so that the chart shows each message (`bulkPut` runs its MPL body).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Natives {
    pub on: bool,
    pub traced: bool,
}

impl Natives {
    /// The native that function `id` runs as, if any.
    pub(super) fn body(self, program: &Program, id: FuncId) -> Option<Native> {
        let native = self.on.then(|| native_body(program, id)).flatten();
        native.filter(|n| !(self.traced && n.puts()))
    }
}

/// Where a call of `g` with `nargs` arguments goes, and the constants to
/// push after the call's own arguments.
pub(super) fn target(
    program: &Program,
    g: FuncId,
    nargs: usize,
    natives: Natives,
) -> (Callee, Vec<&Expr>) {
    let mut to = g;
    let mut extra: Vec<&Expr> = Vec::new();
    for _ in 0..MAX_HOPS {
        let native = natives.body(program, to);
        if let Some(n) = native.filter(|n| n.arity() as usize == nargs + extra.len()) {
            return (Callee::Native(n), extra);
        }
        match wrapped(program, to) {
            Some((worker, consts)) => {
                to = worker;
                extra.extend(consts);
            }
            None => break,
        }
    }
    (Callee::Func(to), extra)
}

/// The native for function `id`, if it is a prelude function that has one.
fn native_body(program: &Program, id: FuncId) -> Option<Native> {
    let f = program.functions.get(id as usize)?;
    let from_prelude = program.prelude.get(&f.name) == Some(&id);
    let plain = f.kind == FnKind::Function && f.captures == 0;
    (from_prelude && plain).then(|| Native::lookup(&f.name, f.params))?
}

/// `Some((worker, constants))` when prelude function `id` only calls
/// `worker` with its own parameters, in order, followed by constants.
fn wrapped(program: &Program, id: FuncId) -> Option<(FuncId, &[Expr])> {
    let f = program.functions.get(id as usize)?;
    let from_prelude = program.prelude.get(&f.name) == Some(&id);
    let plain = f.kind == FnKind::Function && f.captures == 0 && !f.clauses;
    if !from_prelude || !plain || f.slots != f.params {
        return None;
    }
    let ExprKind::Call { func, args } = &only_expr(&f.body)?.kind else {
        return None;
    };
    let n = f.params as usize;
    let passes = args.len() >= n
        && args[..n]
            .iter()
            .enumerate()
            .all(|(i, a)| matches!(a.kind, ExprKind::Local(s) if s as usize == i));
    let consts = &args[n..];
    (passes && *func != id && consts.iter().all(constant)).then_some((*func, consts))
}

/// `e`, or the tail of a block of nothing else.
fn only_expr(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Block(b) if b.stmts.is_empty() => only_expr(b.tail.as_deref()?),
        _ => Some(e),
    }
}

/// A literal, `[]` or a constructor without fields: pushing it can neither
/// fail nor be seen twice.
fn constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(_) => true,
        ExprKind::List(items) => items.is_empty(),
        ExprKind::Ctor { args, .. } => args.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::code::Op;
    use super::super::native::Native;
    use super::super::tests::compiled as ops_of;

    const COUNT: &str = "Int count(String s) { length(words(s)) + length(words(s)) }\n\
        process main(PutSeq<Char> out) { writeLine(out, show(count(\"a b\"))); out.put(StopPut); }\n\
        main(stdout);\n";

    #[test]
    fn a_call_of_a_prelude_wrapper_of_a_native_is_the_native_itself() {
        let (ops, called) = ops_of(COUNT, "count", true);
        let natives: Vec<Native> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Native(n) => Some(*n),
                _ => None,
            })
            .collect();
        use Native::{LengthFrom, WordsFrom};
        assert_eq!(natives, [WordsFrom, LengthFrom, WordsFrom, LengthFrom]);
        assert!(called.is_empty(), "no frame for them: {called:?}");
    }

    #[test]
    fn without_natives_a_wrapper_call_goes_to_its_worker() {
        let (ops, called) = ops_of(COUNT, "count", false);
        assert_eq!(
            called,
            ["wordsFrom", "lengthFrom", "wordsFrom", "lengthFrom"]
        );
        assert!(!ops.iter().any(|op| matches!(op, Op::Native(_))));
    }

    #[test]
    fn the_programs_own_wrappers_are_called_as_written() {
        // A report names the program's own functions, so theirs stay calls.
        let src = "Int inc(Int n) { add(n, 1) }\nInt add(Int a, Int b) { a + b }\n\
            Int top(Int n) { inc(n) * 2 }\n\
            process main(PutSeq<Char> out) { writeLine(out, show(top(2))); out.put(StopPut); }\n\
            main(stdout);\n";
        assert_eq!(ops_of(src, "top", true).1, ["inc"]);
    }

    #[test]
    fn a_traced_run_keeps_the_mpl_body_of_a_native_that_puts() {
        let mut sources = crate::source::SourceMap::default();
        let input = crate::SourceInput::Text {
            name: "traced.mpl".into(),
            text: COUNT.into(),
        };
        let program = crate::compile(&mut sources, input).expect("the test program checks");
        let id = |name: &str| program.prelude[name];
        let (plain, traced) = (
            super::Natives {
                on: true,
                traced: false,
            },
            super::Natives {
                on: true,
                traced: true,
            },
        );
        assert_eq!(plain.body(&program, id("bulkPut")), Some(Native::BulkPut));
        assert_eq!(traced.body(&program, id("bulkPut")), None);
        assert!(traced.body(&program, id("wordsFrom")).is_some());
    }
}
