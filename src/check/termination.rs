//! Termination of `fold { ... }` groups (LANGUAGE.md 4.2 and 7.6), and the
//! `--total` rule that recursion must live in such a group.
//!
//! Each function of a group carries exactly one `fold by` parameter. Every
//! call that lies on a cycle of the group's call graph must pass, in the
//! callee's `fold by` position, something strictly smaller than the caller's
//! `fold by` parameter:
//!
//! * structurally: a variable bound inside a constructor, cons, list or
//!   tuple pattern matched against the parameter (or against a variable that
//!   is itself smaller), in a `switch`, a `let` or an equation-style clause;
//! * for an `Int`: `n - k` (`k` a positive literal, `n` the parameter) on a
//!   path where a test has established `n > c` for a constant `c`: the
//!   then-branch of `n > c` / `n >= c`, the else-branch of `n <= c` /
//!   `n < c` (either side may hold the constant), through `!`, `&&` and `||`.
//!
//! Only syntax is looked at: names are resolved by the scopes of this module,
//! not by `resolve`. Aliases made by `let m = n;` are not smaller.

use super::errors::CheckError;
use super::globals::Layer;
use super::walk;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, BinOp, Block, Expr, FunctionDecl, Item, Pattern, Stmt, UnOp};
use std::collections::HashMap;

/// Checks every fold group of `modules`; with `total`, also reports every
/// program function that is recursive outside a fold group. Errors are
/// returned in source order.
pub fn check(modules: &[(&ast::Module, Layer)], total: bool) -> Vec<CheckError> {
    let mut errors = Vec::new();
    for (module, _) in modules {
        for item in &module.items {
            if let Item::Fold(functions) = &item.node {
                check_group(functions, &mut errors);
            }
        }
    }
    if total {
        check_total(modules, &mut errors);
    }
    errors.sort_by_key(|e| {
        let s = e.span();
        (s.file, s.start)
    });
    errors
}

// ---------------------------------------------------------------------------
// Fold groups

/// The `fold by` parameter of one group function.
struct FoldParam {
    position: usize,
    name: String,
    span: Span,
}

/// What a recursive call passes in the callee's `fold by` position.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Verdict {
    Smaller,
    NotSmaller,
    NotBounded,
}

/// One call from a group function to a group function.
struct Site {
    caller: usize,
    callee: usize,
    /// `None` when the verdict cannot be computed (a missing `fold by`
    /// parameter, or too few arguments: reported elsewhere).
    verdict: Option<(Verdict, Span)>,
}

fn check_group(functions: &[Spanned<FunctionDecl>], errors: &mut Vec<CheckError>) {
    let index: HashMap<&str, usize> = functions
        .iter()
        .enumerate()
        .map(|(i, f)| (f.node.name.node.as_str(), i))
        .rev() // a duplicate name refers to its first definition
        .collect();
    let params: Vec<Option<FoldParam>> = functions
        .iter()
        .map(|f| fold_param(&f.node, errors))
        .collect();
    let mut sites = Vec::new();
    for (i, f) in functions.iter().enumerate() {
        let mut walker = FoldWalker {
            index: &index,
            params: &params,
            caller: i,
            env: Vec::new(),
            sites: &mut sites,
        };
        for clause in &f.node.clauses {
            walker.clause(&clause.node);
        }
    }
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); functions.len()];
    for s in &sites {
        if let Some(out) = edges.get_mut(s.caller) {
            out.push(s.callee);
        }
    }
    for s in &sites {
        let on_cycle = s.callee == s.caller || reaches(&edges, s.callee, s.caller);
        let (Some((verdict, span)), true) = (s.verdict, on_cycle) else {
            continue;
        };
        let Some(param) = &params[s.caller] else {
            continue;
        };
        let function = functions[s.callee].node.name.node.clone();
        match verdict {
            Verdict::Smaller => {}
            Verdict::NotSmaller => errors.push(CheckError::FoldNotSmaller {
                function,
                param: param.name.clone(),
                span,
                param_span: param.span,
            }),
            Verdict::NotBounded => errors.push(CheckError::FoldNotBounded {
                function,
                param: param.name.clone(),
                span,
                param_span: param.span,
            }),
        }
    }
}

/// The one `fold by` position of a function (over all its clauses), or
/// `FoldByMissing`.
fn fold_param(f: &FunctionDecl, errors: &mut Vec<CheckError>) -> Option<FoldParam> {
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
                    Pattern::Var(n) => n.clone(),
                    _ => format!("parameter {}", i + 1),
                };
                first = Some((name, p.node.pattern.span));
            }
        }
    }
    match (positions.as_slice(), first) {
        ([position], Some((name, span))) => Some(FoldParam {
            position: *position,
            name,
            span,
        }),
        _ => {
            errors.push(CheckError::FoldByMissing {
                function: f.name.node.clone(),
                span: f.name.span,
                found: positions.len(),
            });
            None
        }
    }
}

/// How a name relates to the caller's `fold by` parameter.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Size {
    /// The parameter itself (or a plain alias of it).
    Param,
    /// Strictly smaller: bound inside a pattern of the parameter.
    Smaller,
    Other,
}

struct Entry {
    name: String,
    size: Size,
    /// A test on this path has established `name > c` for a constant `c`.
    bounded: bool,
}

struct FoldWalker<'w> {
    index: &'w HashMap<&'w str, usize>,
    params: &'w [Option<FoldParam>],
    caller: usize,
    /// Names in scope, innermost last.
    env: Vec<Entry>,
    sites: &'w mut Vec<Site>,
}

impl FoldWalker<'_> {
    fn clause(&mut self, clause: &ast::Clause) {
        self.env.clear();
        let position = self.params[self.caller].as_ref().map(|p| p.position);
        for (i, p) in clause.params.iter().enumerate() {
            let size = if Some(i) == position {
                Size::Param
            } else {
                Size::Other
            };
            self.bind_pattern(&p.node.pattern.node, size);
        }
        self.block(&clause.body.node);
    }

    fn lookup(&self, name: &str) -> Option<&Entry> {
        self.env.iter().rev().find(|e| e.name == name)
    }

    fn size_of(&self, e: &Expr) -> Size {
        match e {
            Expr::Var(n) => self.lookup(n).map_or(Size::Other, |e| e.size),
            _ => Size::Other,
        }
    }

    fn bind(&mut self, name: &str, size: Size) {
        self.env.push(Entry {
            name: name.to_string(),
            size,
            bounded: false,
        });
    }

    /// Binds the names of `pattern`, matched against a value of `size`:
    /// a name inside a constructor, cons, list or tuple pattern is smaller
    /// than a sized value; a name alone is the value itself.
    fn bind_pattern(&mut self, pattern: &Pattern, size: Size) {
        let inner = match size {
            Size::Param | Size::Smaller => Size::Smaller,
            Size::Other => Size::Other,
        };
        match pattern {
            Pattern::Var(n) => self.bind(n, size),
            Pattern::Ctor { args, .. } => {
                args.iter().for_each(|a| self.bind_pattern(&a.node, inner))
            }
            Pattern::Tuple(ps) | Pattern::List(ps) => {
                ps.iter().for_each(|a| self.bind_pattern(&a.node, inner))
            }
            Pattern::Cons(h, t) => {
                self.bind_pattern(&h.node, inner);
                self.bind_pattern(&t.node, inner);
            }
            Pattern::Wild
            | Pattern::Int(_)
            | Pattern::Float(_)
            | Pattern::Char(_)
            | Pattern::Str(_)
            | Pattern::Bool(_)
            | Pattern::Unit => {}
        }
    }

    /// Binds `pattern` matched against the value of `value`: a tuple pattern
    /// against a tuple expression is matched component by component.
    fn bind_match(&mut self, pattern: &Pattern, value: &Expr) {
        match (pattern, value) {
            (Pattern::Tuple(ps), Expr::Tuple(es)) if ps.len() == es.len() => {
                for (p, e) in ps.iter().zip(es) {
                    self.bind_match(&p.node, &e.node);
                }
            }
            _ => {
                let size = self.size_of(value);
                self.bind_pattern(pattern, size);
            }
        }
    }

    /// Marks `names` as bounded below for what follows (until truncated).
    fn assume(&mut self, names: &[String]) {
        for n in names {
            if let Some(size) = self.lookup(n).map(|e| e.size) {
                self.env.push(Entry {
                    name: n.clone(),
                    size,
                    bounded: true,
                });
            }
        }
    }

    fn block(&mut self, b: &Block) {
        let mark = self.env.len();
        for s in &b.stmts {
            self.stmt(&s.node);
        }
        if let Some(t) = &b.tail {
            self.expr(t);
        }
        self.env.truncate(mark);
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let { pattern, value, .. } => {
                self.expr(value);
                self.bind_match(&pattern.node, &value.node);
            }
            Stmt::Channel { name, .. } => self.bind(&name.node, Size::Other),
            Stmt::Expr(e) => self.expr(e),
            Stmt::Forward(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Stmt::Halt => {}
            Stmt::Fork { channel, arms } => {
                self.expr(channel);
                for arm in arms {
                    let mark = self.env.len();
                    self.bind(&arm.node.name.node, Size::Other);
                    self.block(&arm.node.body.node);
                    self.env.truncate(mark);
                }
            }
            Stmt::Split { channel, names } => {
                self.expr(channel);
                names.iter().for_each(|n| self.bind(&n.node, Size::Other));
            }
        }
    }

    fn expr(&mut self, e: &Spanned<Expr>) {
        match &e.node {
            Expr::Call { callee, args } => {
                args.iter().for_each(|a| self.expr(a));
                if let Some(&callee) = self.index.get(callee.node.as_str()) {
                    let verdict = self.verdict(callee, args);
                    self.sites.push(Site {
                        caller: self.caller,
                        callee,
                        verdict,
                    });
                }
            }
            Expr::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                // `a && b` runs `b` only when `a` holds, `a || b` when it fails.
                let facts = match op.node {
                    BinOp::And => bounded_names(&lhs.node, true),
                    BinOp::Or => bounded_names(&lhs.node, false),
                    _ => Vec::new(),
                };
                let mark = self.env.len();
                self.assume(&facts);
                self.expr(rhs);
                self.env.truncate(mark);
            }
            Expr::If { cond, then, else_ } => {
                self.expr(cond);
                let mark = self.env.len();
                self.assume(&bounded_names(&cond.node, true));
                self.block(&then.node);
                self.env.truncate(mark);
                if let Some(else_) = else_ {
                    self.assume(&bounded_names(&cond.node, false));
                    self.expr(else_);
                    self.env.truncate(mark);
                }
            }
            Expr::Switch { scrutinee, cases } => {
                self.expr(scrutinee);
                for case in cases {
                    let mark = self.env.len();
                    self.bind_match(&case.node.pattern.node, &scrutinee.node);
                    self.block(&case.node.body.node);
                    self.env.truncate(mark);
                }
            }
            Expr::Block(b) => self.block(b),
            Expr::Record { methods, .. } => {
                // A method body runs later, but a call in it still counts.
                for m in methods {
                    let mark = self.env.len();
                    for p in &m.node.params {
                        self.bind_pattern(&p.node.pattern.node, Size::Other);
                    }
                    self.block(&m.node.body.node);
                    self.env.truncate(mark);
                }
            }
            other => walk::children(other).into_iter().for_each(|c| self.expr(c)),
        }
    }

    /// What a call of group function `callee` passes in its `fold by`
    /// position, judged against the caller's parameter.
    fn verdict(&self, callee: usize, args: &[Spanned<Expr>]) -> Option<(Verdict, Span)> {
        self.params[self.caller].as_ref()?;
        let position = self.params.get(callee)?.as_ref()?.position;
        let arg = args.get(position)?;
        let verdict = match &arg.node {
            Expr::Var(v) if self.lookup(v).is_some_and(|e| e.size == Size::Smaller) => {
                Verdict::Smaller
            }
            Expr::Binary { op, lhs, rhs }
                if op.node == BinOp::Sub && matches!(rhs.node, Expr::Int(k) if k > 0) =>
            {
                match &lhs.node {
                    Expr::Var(n) => match self.lookup(n) {
                        Some(e) if e.size == Size::Param && e.bounded => Verdict::Smaller,
                        Some(e) if e.size == Size::Param => Verdict::NotBounded,
                        _ => Verdict::NotSmaller,
                    },
                    _ => Verdict::NotSmaller,
                }
            }
            _ => Verdict::NotSmaller,
        };
        Some((verdict, arg.span))
    }
}

/// The variables that `cond` (when `holds`, or when it fails) proves
/// greater than some integer constant.
fn bounded_names(cond: &Expr, holds: bool) -> Vec<String> {
    match cond {
        Expr::Unary { op, operand } if op.node == UnOp::Not => bounded_names(&operand.node, !holds),
        Expr::Binary { op, lhs, rhs } => match op.node {
            // Both sides hold: either side's facts. Either side holds: the
            // facts both sides share.
            BinOp::And if holds => union(
                bounded_names(&lhs.node, true),
                bounded_names(&rhs.node, true),
            ),
            BinOp::And => intersection(
                bounded_names(&lhs.node, false),
                bounded_names(&rhs.node, false),
            ),
            BinOp::Or if holds => intersection(
                bounded_names(&lhs.node, true),
                bounded_names(&rhs.node, true),
            ),
            BinOp::Or => union(
                bounded_names(&lhs.node, false),
                bounded_names(&rhs.node, false),
            ),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // Normalise to `var op constant`.
                let (name, op) = match (&lhs.node, &rhs.node) {
                    (Expr::Var(n), c) if is_int_constant(c) => (n, op.node),
                    (c, Expr::Var(n)) if is_int_constant(c) => (n, flip(op.node)),
                    _ => return Vec::new(),
                };
                let lower = matches!(
                    (op, holds),
                    (BinOp::Gt | BinOp::Ge, true) | (BinOp::Lt | BinOp::Le, false)
                );
                if lower {
                    vec![name.clone()]
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn is_int_constant(e: &Expr) -> bool {
    match e {
        Expr::Int(_) => true,
        Expr::Unary { op, operand } => op.node == UnOp::Neg && matches!(operand.node, Expr::Int(_)),
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

fn union(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    for n in b {
        if !a.contains(&n) {
            a.push(n);
        }
    }
    a
}

fn intersection(a: Vec<String>, b: Vec<String>) -> Vec<String> {
    a.into_iter().filter(|n| b.contains(n)).collect()
}

// ---------------------------------------------------------------------------
// --total

/// A top-level function, as a node of the program's call graph.
struct Node<'a> {
    decl: &'a FunctionDecl,
    layer: Layer,
    in_fold: bool,
}

/// What a name calls in one layer: a function node, or a process (which
/// starts a task rather than recursing).
#[derive(Clone, Copy)]
enum Target {
    Function(usize),
    Process,
}

fn check_total(modules: &[(&ast::Module, Layer)], errors: &mut Vec<CheckError>) {
    let mut nodes: Vec<Node> = Vec::new();
    let mut prelude: HashMap<&str, Target> = HashMap::new();
    let mut program: HashMap<&str, Target> = HashMap::new();
    for (module, layer) in modules {
        let table = match layer {
            Layer::Prelude => &mut prelude,
            Layer::Program => &mut program,
        };
        for item in &module.items {
            match &item.node {
                Item::Function(f) => {
                    table
                        .entry(f.name.node.as_str())
                        .or_insert(Target::Function(nodes.len()));
                    nodes.push(Node {
                        decl: f,
                        layer: *layer,
                        in_fold: false,
                    });
                }
                Item::Fold(fs) => {
                    for f in fs {
                        table
                            .entry(f.node.name.node.as_str())
                            .or_insert(Target::Function(nodes.len()));
                        nodes.push(Node {
                            decl: &f.node,
                            layer: *layer,
                            in_fold: true,
                        });
                    }
                }
                Item::Process(p) => {
                    table.entry(p.name.node.as_str()).or_insert(Target::Process);
                }
                _ => {}
            }
        }
    }
    let resolve = |name: &str, layer: Layer| -> Option<usize> {
        let target = match layer {
            Layer::Program => program.get(name).or_else(|| prelude.get(name)),
            Layer::Prelude => prelude.get(name),
        };
        match target {
            Some(Target::Function(i)) => Some(*i),
            _ => None,
        }
    };
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|node| {
            let mut names = Vec::new();
            for clause in &node.decl.clauses {
                callees_block(&clause.node.body.node, &mut names);
            }
            let mut out: Vec<usize> = names
                .into_iter()
                .filter_map(|n| resolve(n, node.layer))
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    for (i, node) in nodes.iter().enumerate() {
        if node.in_fold || node.layer == Layer::Prelude {
            continue;
        }
        if reaches(&edges, i, i) {
            errors.push(CheckError::RecursionOutsideFold {
                function: node.decl.name.node.clone(),
                span: node.decl.name.span,
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

/// Every name called (`name(...)`) anywhere in a block, record methods and
/// fork arms included.
fn callees_block<'a>(b: &'a Block, out: &mut Vec<&'a str>) {
    for s in &b.stmts {
        match &s.node {
            Stmt::Let { value, .. } => callees(value, out),
            Stmt::Channel { .. } | Stmt::Halt => {}
            Stmt::Expr(e) => callees(e, out),
            Stmt::Forward(a, b) => {
                callees(a, out);
                callees(b, out);
            }
            Stmt::Fork { channel, arms } => {
                callees(channel, out);
                arms.iter()
                    .for_each(|a| callees_block(&a.node.body.node, out));
            }
            Stmt::Split { channel, .. } => callees(channel, out),
        }
    }
    if let Some(t) = &b.tail {
        callees(t, out);
    }
}

/// The names `e` calls. Record methods are left out: a method runs only when
/// its value is asked for, so recursion through one (`tail()` of a stream)
/// is productive corecursion, not a loop.
fn callees<'a>(e: &'a Spanned<Expr>, out: &mut Vec<&'a str>) {
    if let Expr::Call { callee, .. } = &e.node {
        out.push(callee.node.as_str());
    }
    for c in walk::children(&e.node) {
        callees(c, out);
    }
    match &e.node {
        Expr::If { then, else_, .. } => {
            callees_block(&then.node, out);
            if let Some(e) = else_ {
                callees(e, out);
            }
        }
        Expr::Switch { cases, .. } => cases
            .iter()
            .for_each(|c| callees_block(&c.node.body.node, out)),
        Expr::Block(b) => callees_block(b, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn parse(src: &str) -> ast::Module {
        let (module, errors) = crate::syntax::parse(FileId(0), src);
        assert!(errors.is_empty(), "syntax errors: {errors:?}");
        module.expect("a module")
    }

    fn run(src: &str, total: bool) -> Vec<CheckError> {
        let module = parse(src);
        check(&[(&module, Layer::Program)], total)
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
        let errors = check(
            &[(&prelude, Layer::Prelude), (&program, Layer::Program)],
            true,
        );
        assert!(errors.is_empty(), "{errors:?}");
    }
}
