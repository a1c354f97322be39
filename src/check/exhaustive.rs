//! Exhaustiveness (LANGUAGE.md 7.7): every `switch` over a value, every
//! equation-style function and every `let` with a pattern must handle every
//! value of the matched type, so that no pattern match can fail at run time.
//!
//! The test is the usefulness algorithm of Maranget ("Warnings for pattern
//! matching", JFP 2007): the cases form a matrix of patterns, one row per
//! case and one column per matched value; the matrix is exhaustive when the
//! all-wildcard row is not useful after it. A column whose head patterns
//! name every constructor of its type is split by constructor
//! (specialisation); otherwise only the rows with a wildcard head go on (the
//! default matrix), and the constructors no row names are missing. The
//! values found missing are reported as MPL patterns (`Blue`, `Just(_)`,
//! `(_, false)`, `[]`, `(_ : _)`), at most three per error.
//!
//! It reads the resolved program (`ir`), and the data declarations of the
//! syntax tree. There are no types here: the type of a column is read off
//! its patterns. A data constructor names its data type (looked up with the
//! prelude's declarations hidden by the program's, as in `globals`); `[]`, `[p, q]`,
//! `p : q` and string literals are the built-in list (a string literal is
//! its list of characters); `true`/`false` are `Bool`, `()` is `void`,
//! tuples are products with one constructor; Int, Float and Char literals
//! belong to types too large to list, so only a wildcard completes them.
//!
//! Switches on protocol labels (`switch (c.get)`, or cases that name labels
//! rather than constructors) are left to the protocol checker.

use super::errors::CheckError;
use super::globals::Layer;
use crate::ir::{Arm, Expr, ExprKind, Function, Lit, Pattern, PatternKind, Stmt};
use crate::source::Span;
use crate::syntax::ast::{self, Item};
use std::collections::HashMap;

/// At most this many missing values are shown in one error.
const MAX_EXAMPLES: usize = 3;

/// Work allowed for one match (calls of the search). The search is
/// exponential in contrived cases; past this budget the match is accepted
/// unchecked rather than slowing the checker down.
const BUDGET: usize = 200_000;

/// String literal patterns up to this many characters are split into their
/// characters (so that `case "":` counts as `[]`). A longer literal is kept
/// whole: a single string never decides exhaustiveness, because characters
/// are too many to list (see `Con::Lit`).
const MAX_SPLIT_STRING: usize = 64;

/// Checks every match of `functions`: `switch`es, `let`s with a pattern,
/// and the parameters of functions that match them (equation clauses,
/// patterns as parameters). Patterns name the tags of `tags`; the data
/// types are those `modules` declare. Errors in source order.
pub fn check(
    modules: &[(&ast::Module, Layer)],
    functions: &[Function],
    tags: &[String],
) -> Vec<CheckError> {
    let table = DataTable::collect(modules);
    let mut walker = Walker {
        table: &table,
        tags,
        layer: Layer::Program,
        errors: Vec::new(),
    };
    for function in functions {
        walker.function(function);
    }
    let mut errors = walker.errors;
    errors.sort_by_key(|e| {
        let s = e.span();
        (s.file, s.start)
    });
    errors
}

// ---------------------------------------------------------------------------
// Data types

struct DataType {
    /// Constructor names and arities, in declaration order.
    ctors: Vec<(String, usize)>,
}

/// Every data type of the program, and constructor names by layer.
struct DataTable {
    types: Vec<DataType>,
    /// Constructor name to (type index, constructor index).
    prelude: HashMap<String, (usize, usize)>,
    program: HashMap<String, (usize, usize)>,
}

impl DataTable {
    fn collect(modules: &[(&ast::Module, Layer)]) -> DataTable {
        let mut table = DataTable {
            types: Vec::new(),
            prelude: HashMap::new(),
            program: HashMap::new(),
        };
        for (module, layer) in modules {
            for item in &module.items {
                if let Item::Data(d) = &item.node {
                    table.declare(d, *layer);
                }
            }
        }
        table
    }

    fn declare(&mut self, d: &ast::DataDecl, layer: Layer) {
        let ty = self.types.len();
        let mut ctors: Vec<(String, usize)> = Vec::new();
        for c in &d.ctors {
            let name = &c.node.name.node;
            // A constructor written twice in one type is reported by
            // `globals`; counting it once keeps the type completable.
            if ctors.iter().any(|(n, _)| n == name) {
                continue;
            }
            let names = match layer {
                Layer::Prelude => &mut self.prelude,
                Layer::Program => &mut self.program,
            };
            // The first declaration of a name wins, as in `globals`.
            names.entry(name.clone()).or_insert((ty, ctors.len()));
            ctors.push((name.clone(), c.node.fields.len()));
        }
        self.types.push(DataType { ctors });
    }

    fn ctor(&self, name: &str, layer: Layer) -> Option<(usize, usize)> {
        match layer {
            Layer::Program => self.program.get(name).or_else(|| self.prelude.get(name)),
            Layer::Prelude => self.prelude.get(name),
        }
        .copied()
    }

    fn arity(&self, con: Con) -> usize {
        match con {
            Con::Data(ty, idx) => self
                .types
                .get(ty)
                .and_then(|t| t.ctors.get(idx))
                .map_or(0, |c| c.1),
            Con::Cons => 2,
            Con::Tuple(n) => n,
            Con::Nil | Con::Bool(_) | Con::Unit | Con::Lit => 0,
        }
    }

    /// Every constructor of the type `con` belongs to, in order; `None`
    /// for the types whose values are too many to list.
    fn siblings(&self, con: Con) -> Option<Vec<Con>> {
        match con {
            Con::Data(ty, _) => {
                let n = self.types.get(ty).map_or(0, |t| t.ctors.len());
                Some((0..n).map(|i| Con::Data(ty, i)).collect())
            }
            Con::Nil | Con::Cons => Some(vec![Con::Nil, Con::Cons]),
            Con::Bool(_) => Some(vec![Con::Bool(true), Con::Bool(false)]),
            Con::Unit => Some(vec![Con::Unit]),
            Con::Tuple(n) => Some(vec![Con::Tuple(n)]),
            Con::Lit => None,
        }
    }

    fn ctor_name(&self, ty: usize, idx: usize) -> &str {
        self.types
            .get(ty)
            .and_then(|t| t.ctors.get(idx))
            .map_or("_", |c| c.0.as_str())
    }
}

// ---------------------------------------------------------------------------
// Patterns as the algorithm sees them

/// A constructor of some type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Con {
    /// Constructor `idx` of data type `ty`.
    Data(usize, usize),
    /// `[]`
    Nil,
    /// `h : t`
    Cons,
    Bool(bool),
    /// `()`
    Unit,
    /// The one constructor of the tuples of this width.
    Tuple(usize),
    /// An Int, Float or Char literal (or a long string literal): one value
    /// of a type too large to list, so never part of a complete set.
    Lit,
}

#[derive(Clone, Debug, PartialEq)]
enum Pat {
    /// `_` or a variable (or anything the resolver rejects).
    Wild,
    Con(Con, Vec<Pat>),
}

static WILD: Pat = Pat::Wild;

impl Pat {
    fn leaf(con: Con) -> Pat {
        Pat::Con(con, Vec::new())
    }

    fn is_wild(&self) -> bool {
        matches!(self, Pat::Wild)
    }
}

/// Lowers a resolved pattern. Constructor arities are made to match the
/// declaration (a wrong count is the resolver's error); a tag that is no
/// data constructor of `layer` (a label, or a name the resolver rejected)
/// matches anything.
fn lower(table: &DataTable, tags: &[String], layer: Layer, p: &Pattern) -> Pat {
    let lower_all =
        |ps: &[Pattern]| -> Vec<Pat> { ps.iter().map(|q| lower(table, tags, layer, q)).collect() };
    match &p.kind {
        PatternKind::Wild | PatternKind::Bind(_) | PatternKind::Unknown { .. } => Pat::Wild,
        PatternKind::Lit(Lit::Int(_) | Lit::Float(_) | Lit::Char(_)) => Pat::leaf(Con::Lit),
        PatternKind::Lit(Lit::Bool(b)) => Pat::leaf(Con::Bool(*b)),
        PatternKind::Lit(Lit::Unit) => Pat::leaf(Con::Unit),
        PatternKind::Lit(Lit::Str(s)) => {
            if s.chars().count() > MAX_SPLIT_STRING {
                return Pat::leaf(Con::Lit);
            }
            s.chars().rev().fold(Pat::leaf(Con::Nil), |tail, _| {
                Pat::Con(Con::Cons, vec![Pat::leaf(Con::Lit), tail])
            })
        }
        PatternKind::Ctor { tag, args } => {
            let name = tags.get(*tag as usize).map_or("", String::as_str);
            let Some((ty, idx)) = table.ctor(name, layer) else {
                return Pat::Wild;
            };
            let con = Con::Data(ty, idx);
            let arity = table.arity(con);
            let mut lowered = lower_all(&args[..arity.min(args.len())]);
            lowered.resize(arity, Pat::Wild);
            Pat::Con(con, lowered)
        }
        PatternKind::Tuple(ps) => Pat::Con(Con::Tuple(ps.len()), lower_all(ps)),
        PatternKind::Nil => Pat::leaf(Con::Nil),
        PatternKind::List(ps) => ps.iter().rev().fold(Pat::leaf(Con::Nil), |tail, head| {
            Pat::Con(Con::Cons, vec![lower(table, tags, layer, head), tail])
        }),
        PatternKind::Cons(h, t) => Pat::Con(
            Con::Cons,
            vec![lower(table, tags, layer, h), lower(table, tags, layer, t)],
        ),
    }
}

// ---------------------------------------------------------------------------
// The search for missing values

/// The budget ran out: the match is too costly to check.
struct OutOfBudget;

/// One row of the matrix, column 0 last (so that the head pops).
type Row<'p> = Vec<&'p Pat>;

struct Search<'t> {
    table: &'t DataTable,
    budget: usize,
    /// Also look inside the constructors an incomplete column names, for
    /// more examples (the plain search stops at the first missing one).
    rich: bool,
}

impl Search<'_> {
    /// Up to `MAX_EXAMPLES` vectors of `width` values that no row matches,
    /// each column 0 last; none when the rows are exhaustive.
    ///
    /// Each call removes one column or replaces it by its constructor's
    /// arguments, so the recursion is as deep as the patterns are large.
    fn missing(&mut self, rows: &[Row<'_>], width: usize) -> Result<Vec<Vec<Pat>>, OutOfBudget> {
        self.budget = self.budget.checked_sub(1).ok_or(OutOfBudget)?;
        if rows.is_empty() {
            return Ok(vec![vec![Pat::Wild; width]]);
        }
        if width == 0 || rows.iter().any(|r| r.iter().all(|p| p.is_wild())) {
            return Ok(Vec::new());
        }
        let heads: Vec<Con> = rows
            .iter()
            .filter_map(|r| match r.last() {
                Some(Pat::Con(c, _)) => Some(*c),
                _ => None,
            })
            .collect();
        // The column's type: from a constructor that is not a literal if
        // any (a long string literal may sit among list patterns).
        let typed = heads.iter().find(|c| **c != Con::Lit).or(heads.first());
        let all = typed.and_then(|c| self.table.siblings(*c));
        let mut out = Vec::new();
        if let Some(all) = &all
            && all.iter().all(|c| heads.contains(c))
        {
            // Every constructor is named: look at each in turn.
            for &con in all {
                self.specialise(rows, width, con, &mut out)?;
                if out.len() >= MAX_EXAMPLES {
                    break;
                }
            }
            return Ok(out);
        }
        // Some constructor (or some literal value) is named by no row: the
        // values that start with it are matched by the wildcard rows only,
        // and the matrix is exhaustive exactly when those rows are.
        let default: Vec<Row<'_>> = rows
            .iter()
            .filter(|r| r.last().is_some_and(|p| p.is_wild()))
            .map(|r| r[..r.len() - 1].to_vec())
            .collect();
        let rest = self.missing(&default, width - 1)?;
        if rest.is_empty() {
            return Ok(rest);
        }
        let Some(all) = &all else {
            return Ok(rest
                .into_iter()
                .map(|mut w| {
                    w.push(Pat::Wild);
                    w
                })
                .collect());
        };
        for &con in all {
            if out.len() >= MAX_EXAMPLES {
                break;
            }
            if heads.contains(&con) {
                // Only for more examples: the answer is already known.
                if self.rich {
                    self.specialise(rows, width, con, &mut out)?;
                }
                continue;
            }
            let first = Pat::Con(con, vec![Pat::Wild; self.table.arity(con)]);
            for w in &rest {
                if out.len() >= MAX_EXAMPLES {
                    break;
                }
                let mut w = w.clone();
                w.push(first.clone());
                out.push(w);
            }
        }
        out.truncate(MAX_EXAMPLES);
        Ok(out)
    }

    /// Adds to `out` the missing values that start with `con`.
    fn specialise(
        &mut self,
        rows: &[Row<'_>],
        width: usize,
        con: Con,
        out: &mut Vec<Vec<Pat>>,
    ) -> Result<(), OutOfBudget> {
        let arity = self.table.arity(con);
        let specialised: Vec<Row<'_>> = rows
            .iter()
            .filter_map(|r| {
                let (head, rest) = r.split_last()?;
                let mut row = rest.to_vec();
                match head {
                    Pat::Wild => row.extend(std::iter::repeat_n(&WILD, arity)),
                    Pat::Con(c, args) if *c == con => row.extend(args.iter().rev()),
                    Pat::Con(..) => return None,
                }
                Some(row)
            })
            .collect();
        for mut w in self.missing(&specialised, width - 1 + arity)? {
            if out.len() >= MAX_EXAMPLES {
                break;
            }
            let args: Vec<Pat> = w
                .split_off(w.len().saturating_sub(arity))
                .into_iter()
                .rev()
                .collect();
            w.push(Pat::Con(con, args));
            out.push(w);
        }
        Ok(())
    }
}

/// The values no row of `rows` matches (each row `width` patterns, in
/// order), as patterns per column; empty when the rows are exhaustive or
/// too costly to check.
fn missing_values(table: &DataTable, rows: &[Vec<Pat>], width: usize) -> Vec<Vec<Pat>> {
    missing_within(table, rows, width, BUDGET)
}

fn missing_within(
    table: &DataTable,
    rows: &[Vec<Pat>],
    width: usize,
    budget: usize,
) -> Vec<Vec<Pat>> {
    let matrix: Vec<Row<'_>> = rows.iter().map(|r| r.iter().rev().collect()).collect();
    let search = |rich| {
        Search {
            table,
            budget,
            rich,
        }
        .missing(&matrix, width)
    };
    // The plain search decides; the rich one, with a budget of its own,
    // only finds better examples.
    let found = match search(false) {
        Ok(found) if !found.is_empty() && found.len() < MAX_EXAMPLES => {
            search(true).unwrap_or(found)
        }
        Ok(found) => found,
        Err(OutOfBudget) => Vec::new(),
    };
    found
        .into_iter()
        .map(|mut w| {
            w.reverse();
            w
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Showing missing values

fn show(table: &DataTable, p: &Pat) -> String {
    let mut out = String::new();
    write_pat(table, p, &mut out);
    out
}

fn write_pat(table: &DataTable, p: &Pat, out: &mut String) {
    match p {
        Pat::Wild | Pat::Con(Con::Lit, _) => out.push('_'),
        Pat::Con(Con::Data(ty, idx), args) => {
            out.push_str(table.ctor_name(*ty, *idx));
            if !args.is_empty() {
                write_list(table, args, out);
            }
        }
        Pat::Con(Con::Nil, _) => out.push_str("[]"),
        Pat::Con(Con::Bool(b), _) => out.push_str(if *b { "true" } else { "false" }),
        Pat::Con(Con::Unit, _) => out.push_str("()"),
        Pat::Con(Con::Tuple(_), args) => write_list(table, args, out),
        Pat::Con(Con::Cons, _) => {
            // `[a, b]` when the list ends in `[]`, `(a : b : t)` otherwise.
            let mut items = Vec::new();
            let mut cur = p;
            while let Pat::Con(Con::Cons, args) = cur {
                let [head, tail] = args.as_slice() else { break };
                items.push(head);
                cur = tail;
            }
            if matches!(cur, Pat::Con(Con::Nil, _)) {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_pat(table, item, out);
                }
                out.push(']');
            } else {
                out.push('(');
                for item in items {
                    write_pat(table, item, out);
                    out.push_str(" : ");
                }
                write_pat(table, cur, out);
                out.push(')');
            }
        }
    }
}

/// `(a, b, ...)`
fn write_list(table: &DataTable, items: &[Pat], out: &mut String) {
    out.push('(');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_pat(table, item, out);
    }
    out.push(')');
}

// ---------------------------------------------------------------------------
// Walking the program

struct Walker<'t> {
    table: &'t DataTable,
    tags: &'t [String],
    /// The layer of the function walked (which constructors it sees).
    layer: Layer,
    errors: Vec<CheckError>,
}

impl Walker<'_> {
    /// Checks the matches of one function. A function whose body is a
    /// `Match` itself matches its parameters (`check::resolve` builds no
    /// other body so: a written `switch` sits in the body's block).
    fn function(&mut self, f: &Function) {
        self.layer = if f.prelude {
            Layer::Prelude
        } else {
            Layer::Program
        };
        f.body.for_each(&mut |e| match &e.kind {
            ExprKind::Match { arms, .. } if f.clauses && std::ptr::eq(e, &f.body) => {
                let width = f.params as usize;
                let rows: Vec<Vec<Pat>> = arms
                    .iter()
                    .map(|a| self.param_row(&a.pattern, width))
                    .collect();
                self.report_calls(&f.name, f.span, &rows, width);
            }
            ExprKind::Match { scrutinee, arms } => self.switch(scrutinee, arms),
            ExprKind::Block(b) => {
                for stmt in &b.stmts {
                    if let Stmt::Let { pattern, .. } = stmt {
                        let row = vec![self.lower(pattern)];
                        self.report_column(pattern.span, vec![row]);
                    }
                }
            }
            _ => {}
        });
    }

    /// One clause's parameter patterns as a row: a function of several
    /// parameters matches them as one tuple.
    fn param_row(&self, p: &Pattern, width: usize) -> Vec<Pat> {
        match &p.kind {
            _ if width == 1 => vec![self.lower(p)],
            PatternKind::Tuple(ps) if ps.len() == width => {
                ps.iter().map(|q| self.lower(q)).collect()
            }
            _ => vec![Pat::Wild; width],
        }
    }

    /// Reports the missing argument lists of a function-like declaration
    /// as calls: `depth(Leaf)`. A function a front end made up (its name
    /// has a `$`, which no program can write: CaMPL's `fold`, say) has no
    /// name the reader knows, so its arguments are shown alone.
    fn report_calls(&mut self, name: &str, span: Span, rows: &[Vec<Pat>], width: usize) {
        if width == 0 {
            return;
        }
        let missing = missing_values(self.table, rows, width);
        if missing.is_empty() {
            return;
        }
        let missing = missing
            .iter()
            .map(|w| {
                let args: Vec<String> = w.iter().map(|p| show(self.table, p)).collect();
                match args.as_slice() {
                    [one] if name.contains('$') => one.clone(),
                    _ if name.contains('$') => format!("({})", args.join(", ")),
                    _ => format!("{name}({})", args.join(", ")),
                }
            })
            .collect();
        self.errors
            .push(CheckError::NonExhaustive { span, missing });
    }

    /// Reports the values one column of patterns misses, at `span`.
    fn report_column(&mut self, span: Span, rows: Vec<Vec<Pat>>) {
        let missing = missing_values(self.table, &rows, 1);
        if missing.is_empty() {
            return;
        }
        let missing = missing
            .iter()
            .map(|w| {
                w.first()
                    .map_or_else(|| "_".to_string(), |p| show(self.table, p))
            })
            .collect();
        self.errors
            .push(CheckError::NonExhaustive { span, missing });
    }

    fn lower(&self, p: &Pattern) -> Pat {
        lower(self.table, self.tags, self.layer, p)
    }

    fn switch(&mut self, scrutinee: &Expr, arms: &[Arm]) {
        if self.is_label_switch(scrutinee, arms) {
            return;
        }
        let rows = arms.iter().map(|a| vec![self.lower(&a.pattern)]).collect();
        self.report_column(scrutinee.span, rows);
    }

    /// A switch on a received label (`switch (c.get)`), or one whose cases
    /// name something that is not a data constructor: the protocol
    /// checker's business.
    fn is_label_switch(&self, scrutinee: &Expr, arms: &[Arm]) -> bool {
        matches!(scrutinee.kind, ExprKind::Get(_))
            || arms.iter().any(|a| match &a.pattern.kind {
                PatternKind::Ctor { tag, .. } => {
                    let name = self.tags.get(*tag as usize).map_or("", String::as_str);
                    self.table.ctor(name, self.layer).is_none()
                }
                PatternKind::Unknown { .. } => true,
                _ => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::parse;

    /// The part of the prelude these tests rely on.
    const PRELUDE: &str = "
        data Maybe<t> = Nothing | Just(t);
        data Either<a, b> = Left(a) | Right(b);
        t unwrap(Maybe<t> value, t defaultValue) {
          switch value {
            case Just(x): x
            case Nothing: defaultValue
          }
        }
    ";

    fn run(src: &str) -> Vec<CheckError> {
        let (prelude, errors) = parse(FileId(1), PRELUDE);
        assert!(errors.is_empty(), "{errors:?}");
        let (program, errors) = parse(FileId(0), src);
        assert!(errors.is_empty(), "{errors:?}");
        let (prelude, program) = (prelude.expect("prelude"), program.expect("program"));
        let modules = [(&prelude, Layer::Prelude), (&program, Layer::Program)];
        let (resolved, errors) = crate::check::resolve_for_tests(&modules);
        // The tests' own mistakes surface here; unknown names are allowed
        // (some tests use labels no protocol declares).
        let errors: Vec<_> = errors
            .into_iter()
            .filter(|e| !matches!(e, CheckError::UnknownConstructor { .. }))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        check(&modules, &resolved.functions, &resolved.tags)
    }

    /// The missing examples of each error.
    fn missing(src: &str) -> Vec<Vec<String>> {
        run(src)
            .into_iter()
            .map(|e| match e {
                CheckError::NonExhaustive { missing, .. } => missing,
                other => panic!("unexpected error {other:?}"),
            })
            .collect()
    }

    fn accepted(src: &str) {
        assert_eq!(missing(src), Vec::<Vec<String>>::new());
    }

    /// The 1-based line of each error's span.
    fn lines(src: &str) -> Vec<usize> {
        run(src)
            .iter()
            .map(|e| src[..e.span().start as usize].matches('\n').count() + 1)
            .collect()
    }

    fn marked_line(src: &str) -> usize {
        src.lines()
            .position(|l| l.contains("//!"))
            .expect("a //! line")
            + 1
    }

    #[test]
    fn non_exhaustive_data_conformance() {
        let src = "// The switch over a data value forgets the Blue constructor.
data Color = Red | Green | Blue;

String name(Color c) {
  switch c { //!
    case Red: \"red\"
    case Green: \"green\"
  }
}
";
        assert_eq!(missing(src), vec![vec!["Blue".to_string()]]);
        assert_eq!(lines(src), vec![marked_line(src)]);
    }

    #[test]
    fn switch_over_maybe() {
        accepted("Int f(Maybe<Int> m) { switch m { case Nothing: 0 case Just(x): x } }");
        assert_eq!(
            missing("Int f(Maybe<Int> m) { switch m { case Nothing: 0 } }"),
            vec![vec!["Just(_)"]]
        );
        assert_eq!(
            missing("Int f(Maybe<Int> m) { switch (m) { case Just(x): x } }"),
            vec![vec!["Nothing"]]
        );
    }

    #[test]
    fn switch_over_either() {
        accepted("Int f(Either<Int, Int> e) { switch e { case Left(a): a case Right(b): b } }");
        assert_eq!(
            missing("Int f(Either<Int, Int> e) { switch e { case Right(b): b } }"),
            vec![vec!["Left(_)"]]
        );
    }

    #[test]
    fn switch_over_builtin_list() {
        accepted("Int f([Int] l) { switch l { case []: 0 case (x:rest): x } }");
        accepted("Int f([Int] l) { switch l { case [x]: x case []: 0 case (_:_:_): 2 } }");
        accepted("Int f(String s) { switch s { case \"\": 0 case (c:rest): 1 } }");
        assert_eq!(
            missing("Int f([Int] l) { switch l { case []: 0 } }"),
            vec![vec!["(_ : _)"]]
        );
        assert_eq!(
            missing("Int f([Int] l) { switch l { case (x:rest): x } }"),
            vec![vec!["[]"]]
        );
        assert_eq!(
            missing("Int f([Int] l) { switch l { case []: 0 case [x]: x } }"),
            vec![vec!["(_ : _ : _)"]]
        );
        assert_eq!(
            missing("Int f([Int] l) { switch l { case [a, b]: 0 case (_:_:_:_): 1 } }"),
            vec![vec!["[]", "[_]"]]
        );
        assert_eq!(
            missing("Int f(String s) { switch s { case \"ab\": 0 case []: 1 } }"),
            vec![vec!["(_ : _)"]]
        );
    }

    #[test]
    fn switch_over_declared_list() {
        let decl = "data List<t> = Nil | Cons(t, List<t>);\n";
        accepted(&format!(
            "{decl}Int length(List<t> l) {{ switch l {{ case Nil: 0 case Cons(_, rest): 1 + length(rest) }} }}"
        ));
        assert_eq!(
            missing(&format!(
                "{decl}Int f(List<t> l) {{ switch l {{ case Nil: 0 }} }}"
            )),
            vec![vec!["Cons(_, _)"]]
        );
        assert_eq!(
            missing(&format!(
                "{decl}Int f(List<t> l) {{ switch l {{ case Nil: 0 case Cons(_, Nil): 1 }} }}"
            )),
            vec![vec!["Cons(_, Cons(_, _))"]]
        );
    }

    #[test]
    fn switch_over_nested_data() {
        accepted(
            "Int f(Maybe<Maybe<Int>> m) {
               switch m { case Nothing: 0 case Just(Nothing): 1 case Just(Just(x)): x }
             }",
        );
        assert_eq!(
            missing(
                "Int f(Maybe<Maybe<Int>> m) {
                   switch m { case Just(Just(x)): x case Nothing: 0 }
                 }"
            ),
            vec![vec!["Just(Nothing)"]]
        );
        assert_eq!(
            missing(
                "Int f(Maybe<Either<Int, [Int]>> m) {
                   switch m { case Nothing: 0 case Just(Left(_)): 1 case Just(Right([])): 2 }
                 }"
            ),
            vec![vec!["Just(Right((_ : _)))"]]
        );
    }

    #[test]
    fn switch_over_tuples_and_bools() {
        accepted(
            "Int f(Bool a, Bool b) {
               switch (a, b) { case (true, _): 0 case (false, true): 1 case (_, false): 2 }
             }",
        );
        assert_eq!(
            missing(
                "Int f(Bool a, Bool b) {
                   switch (a, b) { case (true, _): 0 case (false, true): 1 }
                 }"
            ),
            vec![vec!["(false, false)"]]
        );
        assert_eq!(
            missing(
                "Int f(Maybe<Int> a, Bool b) {
                   switch (a, b) { case (Just(_), _): 0 }
                 }"
            ),
            vec![vec!["(Nothing, _)"]]
        );
        accepted("Int f(Bool b) { switch b { case true: 1 case false: 0 } }");
        assert_eq!(
            missing("Int f(Bool b) { switch b { case true: 1 } }"),
            vec![vec!["false"]]
        );
        accepted("Int f(void u) { switch u { case (): 1 } }");
    }

    #[test]
    fn switch_over_literals_needs_catch_all() {
        assert_eq!(
            missing("Int f(Int n) { switch n { case 0: 1 case 1: 1 } }"),
            vec![vec!["_"]]
        );
        assert_eq!(
            missing("Int f(Char c) { switch c { case 'a': 1 } }"),
            vec![vec!["_"]]
        );
        assert_eq!(
            missing("Int f(String s) { switch s { case \"yes\": 1 case \"no\": 0 } }"),
            vec![vec!["[]", "(_ : _)"]]
        );
        accepted("Int f(Int n) { switch n { case 0: 1 case n: n } }");
        accepted("Int f(Float x) { switch x { case 0.5: 1 case _: 0 } }");
        assert_eq!(
            missing("Int f(Int n, Bool b) { switch (n, b) { case (0, _): 1 case (_, true): 2 } }"),
            vec![vec!["(_, false)"]]
        );
    }

    #[test]
    fn wildcard_rows_complete_a_switch() {
        let decl = "data Color = Red | Green | Blue;\n";
        accepted(&format!(
            "{decl}Int f(Color c) {{ switch c {{ case Red: 0 case _: 1 }} }}"
        ));
        accepted(&format!(
            "{decl}Int f(Color c) {{ switch c {{ case other: 1 }} }}"
        ));
        assert_eq!(
            missing(&format!(
                "{decl}Int f(Color c) {{ switch c {{ case Green: 0 }} }}"
            )),
            vec![vec!["Red", "Blue"]]
        );
        assert_eq!(
            missing(&format!(
                "{decl}Int f(Color a, Color b) {{ switch (a, b) {{ case (Red, Red): 0 }} }}"
            )),
            vec![vec!["(Red, Green)", "(Red, Blue)", "(Green, _)"]]
        );
    }

    #[test]
    fn label_switches_are_skipped() {
        accepted(
            "protocol P = get Ping: loop | get Stop: close;
             process p(neg<P> c) {
               switch (c.get) {
                 case Ping: p(c)
               }
             }",
        );
        accepted(
            "protocol P = get Ping: loop | get Stop: close;
             void f(Int x) { switch x { case Ping: () } }",
        );
    }

    #[test]
    fn equation_style_clauses() {
        accepted("unwrap2(Just(x), _) { x }\nunwrap2(Nothing, d) { d }");
        accepted("fib(0) { 0 }\nfib(1) { 1 }\nfib(n) { fib(n - 1) + fib(n - 2) }");
        accepted(
            "addPairs([], _) { [] }
             addPairs(_, []) { [] }
             addPairs((x:xs), (y:ys)) { (x + y) : addPairs(xs, ys) }",
        );
        let src = "data Tree<t> = Leaf | Node(Tree<t>, t, Tree<t>);
depth(Leaf) { 0 } //!
";
        assert_eq!(missing(src), vec![vec!["depth(Node(_, _, _))"]]);
        assert_eq!(lines(src), vec![marked_line(src)]);
        assert_eq!(
            missing("firstOr(Just(x), _) { x }"),
            vec![vec!["firstOr(Nothing, _)"]]
        );
        assert_eq!(missing("fib(0) { 0 }\nfib(1) { 1 }"), vec![vec!["fib(_)"]]);
    }

    #[test]
    fn refutable_let() {
        accepted("Int f((Int, Int) p) { let (a, b) = p; a + b }");
        accepted("Int f(Int p) { let x = p; Int y = x; y }");
        let src = "Int f(Maybe<Int> m) {
  let Just(x) = m; //!
  x
}";
        assert_eq!(missing(src), vec![vec!["Nothing"]]);
        assert_eq!(lines(src), vec![marked_line(src)]);
        assert_eq!(
            missing("Int f([Int] l) { let (x:_) = l; x }"),
            vec![vec!["[]"]]
        );
    }

    #[test]
    fn program_declarations_hide_the_preludes() {
        // The program's own Maybe has a third constructor; the prelude's
        // `unwrap` still matches the prelude's Maybe and is complete.
        let src = "data Maybe<t> = Nothing | Just(t) | Unknown;
Int f(Maybe<Int> m) {
  switch m { //!
    case Nothing: 0
    case Just(x): x
  }
}";
        assert_eq!(missing(src), vec![vec!["Unknown"]]);
        assert_eq!(lines(src), vec![marked_line(src)]);
    }

    #[test]
    fn switches_everywhere_are_checked_in_source_order() {
        let src = "data Color = Red | Green | Blue;
codata Box { Int value(); }
Box mk(Color c) {
  record Box {
    Int value() { switch c { case Red: 1 } } //!
  }
}
process p(Color c, Int x) {
  fork x as a { switch c { case Blue: () } }, b { };
}
switch Red { case Green: () };
";
        let errors = missing(src);
        assert_eq!(errors.len(), 3, "{errors:?}");
        let found = lines(src);
        assert_eq!(found, vec![5, 9, 11]);
        assert_eq!(found[0], marked_line(src));
    }

    #[test]
    fn nested_switches_report_outer_first() {
        let src = "Int f(Maybe<Int> a, Maybe<Int> b) {
  switch a {
    case Just(x):
      switch b { case Nothing: 0 }
  }
}";
        assert_eq!(lines(src), vec![2, 4]);
    }

    #[test]
    fn long_list_patterns_do_not_overflow() {
        let items: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        let src = format!(
            "Int f([Int] l) {{ switch l {{ case [{}]: 1 case _: 0 }} }}",
            items.join(", ")
        );
        accepted(&src);
        let long = "x".repeat(1000);
        accepted(&format!(
            "Int f(String s) {{ switch s {{ case \"{long}\": 1 case []: 0 case (_:_): 2 }} }}"
        ));
    }

    #[test]
    fn costly_matches_stay_fast() {
        // Many Bool columns, rows fixing a few of them, two rows that cover
        // everything on the last column: exhaustive, found without
        // splitting every combination.
        let n = 24;
        let params: Vec<String> = (0..n).map(|i| format!("Bool b{i}")).collect();
        let scrutinee: Vec<String> = (0..n).map(|i| format!("b{i}")).collect();
        let rows: Vec<String> = (0..2 * n)
            .map(|i| {
                let cols: Vec<&str> = (0..n)
                    .map(|j| match (i * 7 + j * 3) % 8 {
                        0 => "true",
                        1 => "false",
                        2 if j % 2 == 0 => "true",
                        _ => "_",
                    })
                    .collect();
                format!("case ({}): {i}", cols.join(", "))
            })
            .collect();
        let src = format!(
            "Int f({}) {{ switch ({}) {{ {} }} }}",
            params.join(", "),
            scrutinee.join(", "),
            rows.join(" ")
        );
        let wild: Vec<&str> = (0..n - 1).map(|_| "_").collect();
        let src = src.replace(
            " } }",
            &format!(
                " case ({}, true): 0 case ({}, false): 1 }} }}",
                wild.join(", "),
                wild.join(", ")
            ),
        );
        let started = std::time::Instant::now();
        accepted(&src);
        assert!(started.elapsed().as_secs() < 10);
    }

    #[test]
    fn out_of_budget_matches_are_accepted() {
        let (module, errors) = parse(FileId(0), "data Color = Red | Green | Blue;");
        assert!(errors.is_empty(), "{errors:?}");
        let module = module.expect("module");
        let table = DataTable::collect(&[(&module, Layer::Program)]);
        let red = Pat::leaf(Con::Data(0, 0));
        let rows = vec![vec![red.clone(), red]];
        assert_eq!(missing_within(&table, &rows, 2, BUDGET).len(), 3);
        assert!(missing_within(&table, &rows, 2, 1).is_empty());
    }
}
