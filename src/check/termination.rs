//! Termination of `fold { ... }` groups (LANGUAGE.md 4.2 and 7.6), and the
//! `--total` rule that recursion must live in such a group.
//!
//! Each function of a group carries exactly one `fold by` parameter
//! (`resolve` reports a function without one, and records the group and
//! the parameter on `ir::Function::fold`). Every call that lies on a cycle
//! of the group's call graph must pass, in the callee's `fold by`
//! position, something strictly smaller than the caller's `fold by`
//! parameter:
//!
//! * structurally: a variable bound inside a constructor, cons, list or
//!   tuple pattern matched against the parameter (or against a variable that
//!   is itself smaller), in a `switch`, a `let` or an equation-style clause;
//! * for an `Int`: `n - k` (`k` a positive literal, `n` the parameter) on a
//!   path where a test has established `n > c` for a constant `c`: the
//!   then-branch of `n > c` / `n >= c`, the else-branch of `n <= c` /
//!   `n < c` (either side may hold the constant), through `!`, `&&` and `||`.
//!
//! This pass reads the resolved program (`ir::Program`): names are slots,
//! calls name their function, clauses are one `Match`; it has no scopes of
//! its own. Calls inside record methods and fork arms (functions of their
//! own in the IR) count for the function that contains them, their
//! captured slots keeping what is known of them. Aliases made by
//! `let m = n;` are the parameter itself, not smaller.

use super::errors::CheckError;
use crate::ir::{
    BinOp, Block, Expr, ExprKind, FnKind, FuncId, Function, Lit, Pattern, PatternKind, Slot, Stmt,
    UnOp,
};
use crate::source::Span;
use std::collections::HashMap;

/// Checks every fold group of the resolved `functions` (in `FuncId` order,
/// the first being `base`: a program's from 0, a REPL session's from where
/// its declarations start); with `total`, also reports every
/// program function that is recursive outside a fold group. Errors are
/// returned in source order.
pub fn check(functions: &[Function], base: FuncId, total: bool) -> Vec<CheckError> {
    let mut errors = Vec::new();
    let mut groups: HashMap<u32, Vec<FuncId>> = HashMap::new();
    for (id, f) in functions.iter().enumerate() {
        if let Some(fold) = &f.fold {
            groups
                .entry(fold.group)
                .or_default()
                .push(base + id as FuncId);
        }
    }
    let mut groups: Vec<Vec<FuncId>> = groups.into_values().collect();
    groups.sort();
    for members in &groups {
        check_group(functions, base, members, &mut errors);
    }
    if total {
        check_total(functions, base, &mut errors);
    }
    errors.sort_by_key(|e| {
        let s = e.span();
        (s.file, s.start)
    });
    errors
}

// ---------------------------------------------------------------------------
// Fold groups

/// What a recursive call passes in the callee's `fold by` position.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Verdict {
    Smaller,
    NotSmaller,
    NotBounded,
}

/// One call from a group function to a group function (indices into the
/// group's members).
struct Site {
    caller: usize,
    callee: usize,
    /// `None` when the verdict cannot be computed (a missing `fold by`
    /// parameter, or too few arguments: reported elsewhere).
    verdict: Option<(Verdict, Span)>,
}

fn check_group(
    functions: &[Function],
    base: FuncId,
    members: &[FuncId],
    errors: &mut Vec<CheckError>,
) {
    let index: HashMap<FuncId, usize> = members.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let function = |i: usize| &functions[(members[i] - base) as usize];
    let mut sites = Vec::new();
    for (caller, id) in members.iter().enumerate() {
        let f = &functions[(id - base) as usize];
        let mut walker = FoldWalker {
            functions,
            base,
            index: &index,
            members,
            caller,
            size: vec![Size::Other; f.slots as usize],
            bounded: Vec::new(),
            sites: &mut sites,
        };
        if let Some((position, _, _)) = by(f) {
            walker.set(f.captures + position, Size::Param);
        }
        walker.expr(&f.body);
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
    for s in &sites {
        edges[s.caller].push(s.callee);
    }
    for s in &sites {
        let on_cycle = s.callee == s.caller || reaches(&edges, s.callee, s.caller);
        let (Some((verdict, span)), true) = (s.verdict, on_cycle) else {
            continue;
        };
        let Some((_, param, param_span)) = by(function(s.caller)) else {
            continue;
        };
        let (function, param, param_span) =
            (function(s.callee).name.clone(), param.clone(), *param_span);
        match verdict {
            Verdict::Smaller => {}
            Verdict::NotSmaller => errors.push(CheckError::FoldNotSmaller {
                function,
                param,
                span,
                param_span,
            }),
            Verdict::NotBounded => errors.push(CheckError::FoldNotBounded {
                function,
                param,
                span,
                param_span,
            }),
        }
    }
}

/// The `fold by` parameter of a group function: position, name, span.
fn by(f: &Function) -> Option<(u32, &String, &Span)> {
    let (position, name, span) = f.fold.as_ref()?.by.as_ref()?;
    Some((*position, name, span))
}

/// How a slot's value relates to the caller's `fold by` parameter.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Size {
    /// The parameter itself (or a plain alias of it).
    Param,
    /// Strictly smaller: bound inside a pattern of the parameter.
    Smaller,
    Other,
}

struct FoldWalker<'w> {
    functions: &'w [Function],
    /// The `FuncId` of `functions[0]`.
    base: FuncId,
    index: &'w HashMap<FuncId, usize>,
    members: &'w [FuncId],
    caller: usize,
    /// What is known of each slot of the frame being walked.
    size: Vec<Size>,
    /// Slots a test on this path has shown greater than a constant
    /// (truncated when the path ends).
    bounded: Vec<Slot>,
    sites: &'w mut Vec<Site>,
}

impl FoldWalker<'_> {
    fn set(&mut self, slot: Slot, size: Size) {
        if let Some(s) = self.size.get_mut(slot as usize) {
            *s = size;
        }
    }

    fn size_of(&self, e: &Expr) -> Size {
        match &e.kind {
            ExprKind::Local(s) => self.size.get(*s as usize).copied().unwrap_or(Size::Other),
            _ => Size::Other,
        }
    }

    /// Binds the slots of `pattern`, matched against a value of `size`:
    /// a slot inside a constructor, cons, list or tuple pattern is smaller
    /// than a sized value; a slot alone is the value itself.
    fn bind_pattern(&mut self, pattern: &Pattern, size: Size) {
        let inner = match size {
            Size::Param | Size::Smaller => Size::Smaller,
            Size::Other => Size::Other,
        };
        match &pattern.kind {
            PatternKind::Bind(s) => self.set(*s, size),
            PatternKind::Ctor { args, .. }
            | PatternKind::Unknown { args, .. }
            | PatternKind::Tuple(args)
            | PatternKind::List(args) => args.iter().for_each(|a| self.bind_pattern(a, inner)),
            PatternKind::Cons(h, t) => {
                self.bind_pattern(h, inner);
                self.bind_pattern(t, inner);
            }
            PatternKind::Wild | PatternKind::Lit(_) | PatternKind::Nil => {}
        }
    }

    /// Binds `pattern` matched against the value of `value`: a tuple pattern
    /// against a tuple expression is matched component by component.
    fn bind_match(&mut self, pattern: &Pattern, value: &Expr) {
        match (&pattern.kind, &value.kind) {
            (PatternKind::Tuple(ps), ExprKind::Tuple(es)) if ps.len() == es.len() => {
                for (p, e) in ps.iter().zip(es) {
                    self.bind_match(p, e);
                }
            }
            _ => {
                let size = self.size_of(value);
                self.bind_pattern(pattern, size);
            }
        }
    }

    /// Walks `e` with the facts of `cond` (when it `holds`, or fails).
    fn with_facts(&mut self, cond: &Expr, holds: bool, e: &Expr) {
        let mark = self.bounded.len();
        self.bounded.extend(bounded_slots(cond, holds));
        self.expr(e);
        self.bounded.truncate(mark);
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            match s {
                Stmt::Let { pattern, value, .. } => {
                    self.expr(value);
                    self.bind_match(pattern, value);
                }
                Stmt::Expr { expr: e, .. } | Stmt::Split { channel: e, .. } => self.expr(e),
                Stmt::Forward { a, b, .. } => {
                    self.expr(a);
                    self.expr(b);
                }
                Stmt::Fork { channel, arms, .. } => {
                    self.expr(channel);
                    for arm in arms {
                        self.nested(arm.func, &arm.captures);
                    }
                }
                Stmt::Channel { .. } | Stmt::Halt { .. } => {}
            }
        }
        if let Some(t) = &b.tail {
            self.expr(t);
        }
    }

    /// Walks a record method or fork arm (a function of its own): its
    /// captured slots are what `captures` hold here, the rest unknown.
    fn nested(&mut self, func: FuncId, captures: &[Slot]) {
        let Some(f) = func
            .checked_sub(self.base)
            .and_then(|i| self.functions.get(i as usize))
        else {
            return;
        };
        let mut size = vec![Size::Other; f.slots as usize];
        let mut bounded = Vec::new();
        for (inner, outer) in captures.iter().enumerate() {
            if let (Some(s), Some(known)) = (size.get_mut(inner), self.size.get(*outer as usize)) {
                *s = *known;
            }
            if self.bounded.contains(outer) {
                bounded.push(inner as Slot);
            }
        }
        let saved = (
            std::mem::replace(&mut self.size, size),
            std::mem::replace(&mut self.bounded, bounded),
        );
        self.expr(&f.body);
        (self.size, self.bounded) = saved;
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Call { func, args } => {
                args.iter().for_each(|a| self.expr(a));
                if let Some(&callee) = self.index.get(func) {
                    let verdict = self.verdict(callee, args);
                    self.sites.push(Site {
                        caller: self.caller,
                        callee,
                        verdict,
                    });
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                // `a && b` runs `b` only when `a` holds, `a || b` when it fails.
                match op {
                    BinOp::And => self.with_facts(lhs, true, rhs),
                    BinOp::Or => self.with_facts(lhs, false, rhs),
                    _ => self.expr(rhs),
                }
            }
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.with_facts(cond, true, then);
                if let Some(else_) = else_ {
                    self.with_facts(cond, false, else_);
                }
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.bind_match(&arm.pattern, scrutinee);
                    self.expr(&arm.body);
                }
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::Record {
                methods, captures, ..
            } => {
                // A method body runs later, but a call in it still counts.
                for m in methods {
                    self.nested(*m, captures);
                }
            }
            _ => e.children().into_iter().for_each(|c| self.expr(c)),
        }
    }

    /// What a call of group member `callee` passes in its `fold by`
    /// position, judged against the caller's parameter.
    fn verdict(&self, callee: usize, args: &[Expr]) -> Option<(Verdict, Span)> {
        let caller = &self.functions[(self.members[self.caller] - self.base) as usize];
        by(caller)?;
        let callee = &self.functions[(self.members[callee] - self.base) as usize];
        let (position, _, _) = by(callee)?;
        let arg = args.get(position as usize)?;
        let verdict = match &arg.kind {
            ExprKind::Local(_) if self.size_of(arg) == Size::Smaller => Verdict::Smaller,
            ExprKind::Binary {
                op: BinOp::Sub,
                lhs,
                rhs,
            } if matches!(rhs.kind, ExprKind::Lit(Lit::Int(k)) if k > 0) => match &lhs.kind {
                ExprKind::Local(n) if self.size_of(lhs) == Size::Param => {
                    if self.bounded.contains(n) {
                        Verdict::Smaller
                    } else {
                        Verdict::NotBounded
                    }
                }
                _ => Verdict::NotSmaller,
            },
            _ => Verdict::NotSmaller,
        };
        Some((verdict, arg.span))
    }
}

/// The slots that `cond` (when `holds`, or when it fails) proves greater
/// than some integer constant.
fn bounded_slots(cond: &Expr, holds: bool) -> Vec<Slot> {
    match &cond.kind {
        ExprKind::Unary {
            op: UnOp::Not,
            operand,
        } => bounded_slots(operand, !holds),
        ExprKind::Binary { op, lhs, rhs } => match op {
            // Both sides hold: either side's facts. Either side holds: the
            // facts both sides share.
            BinOp::And if holds => union(bounded_slots(lhs, true), bounded_slots(rhs, true)),
            BinOp::And => intersection(bounded_slots(lhs, false), bounded_slots(rhs, false)),
            BinOp::Or if holds => intersection(bounded_slots(lhs, true), bounded_slots(rhs, true)),
            BinOp::Or => union(bounded_slots(lhs, false), bounded_slots(rhs, false)),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // Normalise to `slot op constant`.
                let (slot, op) = match (&lhs.kind, &rhs.kind) {
                    (ExprKind::Local(s), _) if is_int_constant(rhs) => (*s, *op),
                    (_, ExprKind::Local(s)) if is_int_constant(lhs) => (*s, flip(*op)),
                    _ => return Vec::new(),
                };
                let lower = matches!(
                    (op, holds),
                    (BinOp::Gt | BinOp::Ge, true) | (BinOp::Lt | BinOp::Le, false)
                );
                if lower { vec![slot] } else { Vec::new() }
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn is_int_constant(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(Lit::Int(_)) => true,
        ExprKind::Unary {
            op: UnOp::Neg,
            operand,
        } => matches!(operand.kind, ExprKind::Lit(Lit::Int(_))),
        _ => false,
    }
}

/// `c op n` as `n op' c`.
fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn union(mut a: Vec<Slot>, b: Vec<Slot>) -> Vec<Slot> {
    for n in b {
        if !a.contains(&n) {
            a.push(n);
        }
    }
    a
}

fn intersection(a: Vec<Slot>, b: Vec<Slot>) -> Vec<Slot> {
    a.into_iter().filter(|n| b.contains(n)).collect()
}

// ---------------------------------------------------------------------------
// --total

fn check_total(functions: &[Function], base: FuncId, errors: &mut Vec<CheckError>) {
    let n = functions.len();
    let edges: Vec<Vec<usize>> = functions
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            callees(functions, base, &f.body, &mut out);
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    for (i, f) in functions.iter().enumerate() {
        if f.kind != FnKind::Function || f.prelude || f.fold.is_some() {
            continue;
        }
        if i < n && reaches(&edges, i, i) {
            errors.push(CheckError::RecursionOutsideFold {
                function: f.name.clone(),
                span: f.span,
            });
        }
    }
}

/// Whether `to` can be reached from `from` by one or more calls.
fn reaches(edges: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; edges.len()];
    let mut stack: Vec<usize> = edges.get(from).cloned().unwrap_or_default();
    while let Some(n) = stack.pop() {
        if n == to {
            return true;
        }
        if let Some(s) = seen.get_mut(n)
            && !*s
        {
            *s = true;
            stack.extend(edges.get(n).into_iter().flatten().copied());
        }
    }
    false
}

/// The functions `e` calls (`Call`, not process spawns), fork arms
/// included. Record methods are left out: a method runs only when its
/// value is asked for, so recursion through one (`tail()` of a stream) is
/// productive corecursion, not a loop.
fn callees(functions: &[Function], base: FuncId, e: &Expr, out: &mut Vec<usize>) {
    let mut arms = Vec::new();
    e.for_each(&mut |x| match &x.kind {
        ExprKind::Call { func, .. } => {
            if let Some(i) = func.checked_sub(base) {
                out.push(i as usize)
            }
        }
        ExprKind::Block(b) => {
            for s in &b.stmts {
                if let Stmt::Fork { arms: forked, .. } = s {
                    arms.extend(forked.iter().map(|a| a.func));
                }
            }
        }
        _ => {}
    });
    for arm in arms {
        if let Some(f) = arm
            .checked_sub(base)
            .and_then(|i| functions.get(i as usize))
        {
            callees(functions, base, &f.body, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::globals::{Globals, Layer};
    use crate::check::resolve;
    use crate::source::FileId;
    use crate::syntax::ast;

    fn parse(src: &str) -> ast::Module {
        let (module, errors) = crate::syntax::parse(FileId(0), src);
        assert!(errors.is_empty(), "syntax errors: {errors:?}");
        module.expect("a module")
    }

    /// Resolves `src` (no prelude) and checks its fold groups: the
    /// errors of this pass and `FoldByMissing`, which resolution reports.
    fn run(src: &str, total: bool) -> Vec<CheckError> {
        let module = parse(src);
        let mut errors = Vec::new();
        let globals = Globals::collect(&[(&module, Layer::Program)], &mut errors);
        let (program, more) = resolve::resolve_program(&globals, &[], Span::default());
        let mut out: Vec<CheckError> = more
            .into_iter()
            .filter(|e| matches!(e, CheckError::FoldByMissing { .. }))
            .collect();
        out.extend(check(&program.functions, 0, total));
        out.sort_by_key(|e| e.span().start);
        out
    }

    /// The 1-based line of a span's start.
    fn line(src: &str, span: Span) -> usize {
        src[..span.start as usize].matches('\n').count() + 1
    }

    fn marked_line(src: &str) -> usize {
        src.lines()
            .position(|l| l.contains("//!"))
            .map(|i| i + 1)
            .expect("a `//!` line")
    }

    fn accepted(src: &str) {
        let errors = run(src, false);
        assert!(errors.is_empty(), "unexpected errors: {errors:?}");
    }

    #[test]
    fn fold_not_bounded_conformance() {
        let src = "// In a fold group, `count == 0` does not stop a negative count.
fold {
  [Int] countdown(fold by Int count) {
    if (count == 0) {
      []
    } else {
      count : countdown(count - 1) //!
    }
  }
}
";
        let errors = run(src, false);
        let [
            CheckError::FoldNotBounded {
                function,
                param,
                span,
                param_span,
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!((function.as_str(), param.as_str()), ("countdown", "count"));
        assert_eq!(&src[span.range()], "count - 1");
        assert_eq!(&src[param_span.range()], "count");
        assert_eq!(line(src, *span), marked_line(src));
    }

    #[test]
    fn fold_not_bounded_without_any_test() {
        let src = "fold { Int down(fold by Int n) { down(n - 1) } }";
        assert!(matches!(
            run(src, false).as_slice(),
            [CheckError::FoldNotBounded { .. }]
        ));
    }

    #[test]
    fn fold_not_bounded_in_the_wrong_branch() {
        let src = "fold { Int down(fold by Int n) { if (n <= 0) { down(n - 1) } else { 0 } } }";
        assert!(matches!(
            run(src, false).as_slice(),
            [CheckError::FoldNotBounded { .. }]
        ));
    }

    #[test]
    fn fold_not_smaller_conformance() {
        let src = "// The recursive call passes the whole list again.
fold {
  Int size(fold by [t] list) {
    switch list {
      case []: 0
      case (x:rest): 1 + size(list) //!
    }
  }
}
";
        let errors = run(src, false);
        let [
            CheckError::FoldNotSmaller {
                function,
                param,
                span,
                ..
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!((function.as_str(), param.as_str()), ("size", "list"));
        assert_eq!(&src[span.range()], "list");
        assert_eq!(line(src, *span), marked_line(src));
    }

    #[test]
    fn fold_not_smaller_when_the_part_is_shadowed() {
        let src = "fold {
  Int size(fold by [t] list) {
    switch list {
      case []: 0
      case (x:rest):
        let rest = list;
        1 + size(rest)
    }
  }
}";
        assert!(matches!(
            run(src, false).as_slice(),
            [CheckError::FoldNotSmaller { .. }]
        ));
    }

    #[test]
    fn fold_not_smaller_for_a_tail_call() {
        let src = "fold { Int size(fold by [t] list) { switch list { case []: 0 case (_:r): size(tail(r)) } } }";
        assert!(matches!(
            run(src, false).as_slice(),
            [CheckError::FoldNotSmaller { .. }]
        ));
    }

    #[test]
    fn fold_streams_groups_accepted() {
        accepted(
            "codata Stream<t> {
  Maybe<t> head();
  Stream<t> tail();
}
fold {
  [t] streamToList(Stream<t> s, fold by Int count) {
    if (count <= 0) {
      []
    } else {
      switch s.head() {
        case Nothing: []
        case Just(x): x : streamToList(s.tail(), count - 1)
      }
    }
  }
}
fold {
  [t] reverseStream(Stream<t> s, fold by Int count) { reverseImpl(s, count, []) }
  [t] reverseImpl(Stream<t> s, fold by Int count, [t] acc) {
    if (count <= 0) {
      acc
    } else {
      switch s.head() {
        case Nothing: acc
        case Just(x): reverseImpl(s.tail(), count - 1, x : acc)
      }
    }
  }
}",
        );
    }

    #[test]
    fn fold_length_over_cons_accepted() {
        accepted(
            "data List<t> = Nil | Cons(t, List<t>);
fold {
  Int length(fold by List<t> list) {
    switch list {
      case Nil: 0
      case Cons(_, rest): 1 + length(rest)
    }
  }
}
fold {
  Int length2(fold by List<t> list) {
    switch list {
      case Nil: 0
      case Cons(_, rest):
        switch rest {
          case Nil: 1
          case Cons(_, more): 2 + length2(more)
        }
    }
  }
}",
        );
    }

    #[test]
    fn fold_equation_style_accepted() {
        accepted(
            "fold {
  sum(x:rest) { x + sum(rest) }
  Int sum(fold by [Int] xs) { 0 }
}",
        );
        let errors = run(
            "fold {
  sum(x:rest) { x + sum(x:rest) }
  Int sum(fold by [Int] xs) { 0 }
}",
            false,
        );
        assert!(
            matches!(errors.as_slice(), [CheckError::FoldNotSmaller { .. }]),
            "{errors:?}"
        );
    }

    #[test]
    fn fold_int_tests_accepted() {
        accepted(
            "fold {
  Int a(fold by Int n) { if (n > 0) { a(n - 1) } else { 0 } }
  Int b(fold by Int n) { if (0 >= n) { 0 } else { b(n - 2) } }
  Int c(fold by Int n) { if (n < 0) { 0 } else if (n == 0) { 1 } else { c(n - 1) } }
  Int d(fold by Int n, Bool go) { if (go && n >= 1) { d(n - 1, go) } else { 0 } }
  Int e(fold by Int n, Bool stop) { if (stop || n <= -3) { 0 } else { e(n - 1, stop) } }
  Int f(fold by Int n) { if (!(n <= 0)) { f(n - 1) } else { 0 } }
}",
        );
    }

    #[test]
    fn fold_tuple_scrutinee_accepted() {
        accepted(
            "fold {
  [(a, b)] zip(fold by [a] xs, [b] ys) {
    switch (xs, ys) {
      case ((x:xr), (y:yr)): (x, y) : zip(xr, yr)
      case _: []
    }
  }
}",
        );
    }

    #[test]
    fn fold_mutual_recursion_within_a_group() {
        accepted(
            "fold {
  Bool isEven(fold by Int n) { if (n <= 0) { true } else { isOdd(n - 1) } }
  Bool isOdd(fold by Int n) { if (n <= 0) { false } else { isEven(n - 1) } }
}",
        );
        let errors = run(
            "fold {
  Bool isEven(fold by Int n) { if (n <= 0) { true } else { isOdd(n) } }
  Bool isOdd(fold by Int n) { if (n <= 0) { false } else { isEven(n - 1) } }
}",
            false,
        );
        let [CheckError::FoldNotSmaller { function, .. }] = errors.as_slice() else {
            panic!("{errors:?}");
        };
        assert_eq!(function, "isOdd");
    }

    #[test]
    fn fold_calls_off_the_cycle_need_not_decrease() {
        accepted(
            "fold {
  Int outer(fold by [t] list) { inner(list, 0) + inner(list, 1) }
  Int inner(fold by [t] list, Int acc) {
    switch list {
      case []: acc
      case (_:rest): inner(rest, acc + 1)
    }
  }
}",
        );
    }

    #[test]
    fn fold_by_missing_or_twice() {
        let errors = run(
            "fold {
  Int none([t] list) { 0 }
  Int two(fold by Int a, fold by Int b) { 0 }
}",
            false,
        );
        assert!(
            matches!(
                errors.as_slice(),
                [
                    CheckError::FoldByMissing { found: 0, .. },
                    CheckError::FoldByMissing { found: 2, .. }
                ]
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn recursion_outside_fold_with_total() {
        let src = "Int spin(Int n) { spin(n) }
Int ping(Int n) { pong(n) }
Int pong(Int n) { ping(n) }
Int plain(Int n) { n + 1 }
fold { Int ok(fold by Int n) { if (n <= 0) { 0 } else { ok(n - 1) } } }
process forever(Int n) { forever(n); }
";
        assert!(run(src, false).is_empty());
        let errors = run(src, true);
        let names: Vec<&str> = errors
            .iter()
            .map(|e| match e {
                CheckError::RecursionOutsideFold { function, .. } => function.as_str(),
                _ => "?",
            })
            .collect();
        assert_eq!(names, ["spin", "ping", "pong"]);
    }

    #[test]
    fn recursion_outside_fold_exempts_the_prelude() {
        let prelude = parse("Int spin(Int n) { spin(n) }");
        let program = parse("Int main(Int n) { spin(n) }");
        let mut errors = Vec::new();
        let modules = [(&prelude, Layer::Prelude), (&program, Layer::Program)];
        let globals = Globals::collect(&modules, &mut errors);
        let (resolved, _) = resolve::resolve_program(&globals, &[], Span::default());
        let errors = check(&resolved.functions, 0, true);
        assert!(errors.is_empty(), "{errors:?}");
    }
}
