//! The wiring rules (LANGUAGE.md 6.3 and 7.5): in each block, the process
//! calls and the channels the block makes between them form a forest.
//!
//! A block is the top-level statements of a module (the wiring), a process
//! or function body, or any nested block; each is checked on its own
//! statements only. Its nodes are its process calls, plus "this process"
//! (the one running the block; the top-level wiring has none). Its edges are
//! the channels it makes:
//!
//! * implicit channels: a name not in scope, used once plain and once with
//!   `~` as process arguments of the block (found as `resolve` finds them);
//! * declared channels (`channel x;`, `P x;`): an end not given to a process
//!   of the block stays with this process.
//!
//! Channels already in scope (parameters, say) join a process to the outside
//! and are not edges; channels sent over channels are not looked at. Calls
//! are taken in statement order, and an edge exists from the call that gives
//! away the second end, so each error lands on the call that breaks a rule:
//! both ends to one call (`BothEndsOneProcess`), a second channel between
//! the same two nodes (`TwoChannelsBetween`), or a cycle (`WiringCycle`).

use super::errors::CheckError;
use super::globals::{Globals, Layer};
use super::walk;
use crate::source::{Span, Spanned};
use crate::syntax::ast::{self, Block, Expr, Item, Pattern, Stmt};
use std::collections::{HashMap, VecDeque};

/// Checks the wiring rules in every block of `modules`, in source order.
pub fn check(modules: &[(&ast::Module, Layer)], globals: &Globals) -> Vec<CheckError> {
    let mut errors = Vec::new();
    for (module, layer) in modules {
        let mut w = Walker {
            globals,
            layer: *layer,
            scope: Scope::default(),
            owner: String::new(),
            wiring: false,
            errors: &mut errors,
        };
        let mut wiring: Vec<(&Stmt, Span)> = Vec::new();
        for item in &module.items {
            match &item.node {
                Item::Function(f) => w.function(f),
                Item::Fold(fs) => fs.iter().for_each(|f| w.function(&f.node)),
                Item::Process(p) => {
                    w.owner = p.name.node.clone();
                    w.wiring = false;
                    w.scope.truncate(0);
                    for param in &p.params {
                        w.scope.bind(&param.node.pattern.node);
                    }
                    w.block(&p.body.node);
                }
                Item::Stmt(s) => wiring.push((s, item.span)),
                Item::Import(_) | Item::Data(_) | Item::Codata(_) | Item::Protocol(_) => {}
            }
        }
        w.owner = "the wiring".into();
        w.scope.truncate(0);
        w.wiring = true;
        w.stmts(&wiring, None, false);
    }
    errors.sort_by_key(|e| {
        let s = e.span();
        (s.file, s.start)
    });
    errors
}

struct Walker<'w, 'g> {
    globals: &'w Globals<'g>,
    layer: Layer,
    /// Names bound around the current block (innermost last).
    scope: Scope,
    /// The declaration whose body is walked: names "this process".
    owner: String,
    /// Walking the top-level statements (services are not channels there).
    wiring: bool,
    errors: &'w mut Vec<CheckError>,
}

/// Names in scope around the current block: a stack with counts, so that
/// lookups stay cheap in long blocks.
#[derive(Default)]
struct Scope {
    stack: Vec<String>,
    counts: HashMap<String, u32>,
}

impl Scope {
    fn push(&mut self, name: String) {
        *self.counts.entry(name.clone()).or_insert(0) += 1;
        self.stack.push(name);
    }

    fn extend(&mut self, names: impl IntoIterator<Item = String>) {
        names.into_iter().for_each(|n| self.push(n));
    }

    /// Binds the names of a pattern.
    fn bind(&mut self, p: &Pattern) {
        let mut names = Vec::new();
        pattern_names(p, &mut names);
        self.extend(names);
    }

    fn len(&self) -> usize {
        self.stack.len()
    }

    fn truncate(&mut self, mark: usize) {
        while self.stack.len() > mark {
            if let Some(n) = self.stack.pop()
                && let Some(c) = self.counts.get_mut(&n)
            {
                *c -= 1;
                if *c == 0 {
                    self.counts.remove(&n);
                }
            }
        }
    }

    fn contains(&self, name: &str) -> bool {
        self.counts.contains_key(name)
    }
}

/// A channel made by the block being checked.
struct Chan {
    name: String,
    declared: bool,
    /// Where a declared channel is declared.
    at: Option<Span>,
    /// Where each end (plain, `~`) is given away: (call, argument index,
    /// argument span).
    ends: [Option<(usize, usize, Span)>; 2],
}

/// A process call of the block, with the arguments that are ends of the
/// block's channels: (channel, dual end, argument index, argument span).
struct Call {
    name: String,
    span: Span,
    args: Vec<(usize, bool, usize, Span)>,
}

/// The ends (`x` or `~x`) a block sends over channels (`c.put(~x)`): such
/// an end leaves this process, so it joins it to no one.
fn sent_away(
    stmts: &[(&Stmt, Span)],
    tail: Option<&Spanned<Expr>>,
) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let mut note = |e: &Expr| {
        if let Expr::Put { value, .. } = e {
            match &value.node {
                Expr::Var(n) => {
                    out.insert(n.clone());
                }
                Expr::Dual(n) => {
                    out.insert(format!("~{}", n.node));
                }
                _ => {}
            }
        }
    };
    for (s, _) in stmts {
        walk::each_expr_stmt(s, &mut note);
    }
    if let Some(t) = tail {
        walk::each_expr_in(&t.node, &mut note);
    }
    out
}

/// `name` (or `~name` when `dual`) is mentioned in the block, and only as
/// the channel a `put`, `get` or `close` acts on.
fn only_operated_on(
    stmts: &[(&Stmt, Span)],
    tail: Option<&Spanned<Expr>>,
    name: &str,
    dual: bool,
) -> bool {
    let is_end = |e: &Expr| match e {
        Expr::Var(n) => !dual && n == name,
        Expr::Dual(n) => dual && n.node == name,
        _ => false,
    };
    let (mut mentions, mut operated) = (0, 0);
    let mut note = |e: &Expr| {
        if is_end(e) {
            mentions += 1;
        }
        if let Expr::Put { channel, .. } | Expr::Get(channel) | Expr::Close(channel) = e
            && is_end(&channel.node)
        {
            operated += 1;
        }
    };
    for (s, _) in stmts {
        walk::each_expr_stmt(s, &mut note);
    }
    if let Some(t) = tail {
        walk::each_expr_in(&t.node, &mut note);
    }
    mentions > 0 && mentions == operated
}

/// The name of one end of channel `name`: `~name` for the dual end.
fn end_name(name: &str, dual: bool) -> String {
    if dual {
        format!("~{name}")
    } else {
        name.to_string()
    }
}

/// The block's graph. Node 0 is this process; node `i + 1` is call `i`.
struct Graph {
    /// Union-find parents: which nodes are already connected.
    parent: Vec<usize>,
    /// The neighbours of each node: (node, channel, argument that made the
    /// edge).
    adjacent: Vec<Vec<(usize, usize, Span)>>,
}

impl Graph {
    fn new(nodes: usize) -> Graph {
        Graph {
            parent: (0..nodes).collect(),
            adjacent: vec![Vec::new(); nodes],
        }
    }

    fn root(&mut self, mut n: usize) -> usize {
        while self.parent[n] != n {
            self.parent[n] = self.parent[self.parent[n]];
            n = self.parent[n];
        }
        n
    }

    /// The nodes of a path from `from` to `to` (both included).
    fn path(&self, from: usize, to: usize) -> Vec<usize> {
        let mut previous: Vec<Option<usize>> = vec![None; self.parent.len()];
        previous[from] = Some(from);
        let mut queue = VecDeque::from([from]);
        while let Some(n) = queue.pop_front() {
            if n == to {
                break;
            }
            for (next, _, _) in &self.adjacent[n] {
                if previous[*next].is_none() {
                    previous[*next] = Some(n);
                    queue.push_back(*next);
                }
            }
        }
        let mut out = vec![to];
        let mut cur = to;
        while cur != from {
            match previous[cur] {
                Some(p) if p != cur => {
                    out.push(p);
                    cur = p;
                }
                _ => break,
            }
        }
        out.reverse();
        out
    }
}

impl Walker<'_, '_> {
    fn function(&mut self, f: &ast::FunctionDecl) {
        self.owner = f.name.node.clone();
        self.wiring = false;
        for clause in &f.clauses {
            self.scope.truncate(0);
            for p in &clause.node.params {
                self.scope.bind(&p.node.pattern.node);
            }
            self.block(&clause.node.body.node);
        }
    }

    fn is_process(&self, callee: &str) -> bool {
        self.globals
            .callable(callee, self.layer)
            .is_some_and(|c| c.is_process)
    }

    fn block(&mut self, b: &Block) {
        let stmts: Vec<(&Stmt, Span)> = b.stmts.iter().map(|s| (&s.node, s.span)).collect();
        self.stmts(&stmts, b.tail.as_deref(), true);
    }

    /// Checks one block's own statements, then walks into nested blocks.
    fn stmts(&mut self, stmts: &[(&Stmt, Span)], tail: Option<&Spanned<Expr>>, has_this: bool) {
        let mark = self.scope.len();
        let implicit = self.apply_rules(stmts, tail, has_this);
        self.scope.extend(implicit);
        for (s, _) in stmts {
            self.stmt(s);
        }
        if let Some(t) = tail {
            self.expr(t);
        }
        self.scope.truncate(mark);
    }

    /// The process call in a statement or tail, if it is one.
    fn process_call<'e>(
        &self,
        e: &'e Spanned<Expr>,
    ) -> Option<(&'e ast::Ident, &'e [Spanned<Expr>])> {
        match &e.node {
            Expr::Call { callee, args } if self.is_process(&callee.node) => Some((callee, args)),
            _ => None,
        }
    }

    /// Applies the three rules to the block; returns the names of its
    /// implicit channels.
    fn apply_rules(
        &mut self,
        stmts: &[(&Stmt, Span)],
        tail: Option<&Spanned<Expr>>,
        has_this: bool,
    ) -> Vec<String> {
        /// What a name bound by an earlier statement of the block is.
        enum Local {
            Chan(usize),
            Other,
        }
        /// An argument before the implicit channels are known.
        enum End {
            Chan(usize),
            Maybe(String),
        }
        let mut locals: HashMap<String, Local> = HashMap::new();
        let mut chans: Vec<Chan> = Vec::new();
        let sent = sent_away(stmts, tail);
        // Process calls: (callee, call span, (end, dual, argument span)).
        type RawCall = (String, Span, Vec<(End, bool, Span)>);
        let mut raw: Vec<RawCall> = Vec::new();
        let items = stmts
            .iter()
            .map(|(s, _)| Some(*s))
            .chain(std::iter::once(None));
        for s in items {
            let e = match s {
                Some(Stmt::Expr(e)) => e,
                Some(Stmt::Let { pattern, .. }) => {
                    let mut names = Vec::new();
                    pattern_names(&pattern.node, &mut names);
                    locals.extend(names.into_iter().map(|n| (n, Local::Other)));
                    continue;
                }
                Some(Stmt::Channel { name, .. }) => {
                    locals.insert(name.node.clone(), Local::Chan(chans.len()));
                    chans.push(Chan {
                        name: name.node.clone(),
                        declared: true,
                        at: Some(name.span),
                        ends: [None, None],
                    });
                    continue;
                }
                Some(Stmt::Split { names, .. }) => {
                    locals.extend(names.iter().map(|n| (n.node.clone(), Local::Other)));
                    continue;
                }
                Some(_) => continue,
                None => match tail {
                    Some(t) => t,
                    None => continue,
                },
            };
            let Some((callee, args)) = self.process_call(e) else {
                continue;
            };
            let mut ends = Vec::new();
            for a in args {
                let (name, dual) = match &a.node {
                    Expr::Var(n) => (n.as_str(), false),
                    Expr::Dual(n) => (n.node.as_str(), true),
                    _ => continue,
                };
                match locals.get(name) {
                    Some(Local::Chan(c)) => ends.push((End::Chan(*c), dual, a.span)),
                    Some(Local::Other) => {}
                    None if self.scope.contains(name) => {}
                    None if self.wiring
                        && (crate::services::by_name(name).is_some() || name == "args") => {}
                    None => ends.push((End::Maybe(name.to_string()), dual, a.span)),
                }
            }
            raw.push((callee.node.clone(), e.span, ends));
        }
        // Implicit channels: exactly one plain and one `~` use.
        let mut order: Vec<&str> = Vec::new();
        let mut counts: HashMap<&str, (u32, u32)> = HashMap::new();
        for (_, _, ends) in &raw {
            for (end, dual, _) in ends {
                let End::Maybe(name) = end else { continue };
                let count = counts.entry(name.as_str()).or_insert_with(|| {
                    order.push(name.as_str());
                    (0, 0)
                });
                if *dual {
                    count.1 += 1;
                } else {
                    count.0 += 1;
                }
            }
        }
        let mut implicit: HashMap<String, usize> = HashMap::new();
        let mut implicit_names = Vec::new();
        for name in order {
            if counts.get(name) == Some(&(1, 1)) {
                implicit.insert(name.to_string(), chans.len());
                implicit_names.push(name.to_string());
                chans.push(Chan {
                    name: name.to_string(),
                    declared: false,
                    at: None,
                    ends: [None, None],
                });
            }
        }
        // The calls, with only the ends of the block's channels; an end
        // given twice counts once (linearity reports the second).
        let mut calls: Vec<Call> = Vec::new();
        for (name, span, ends) in raw {
            let i = calls.len();
            let mut args = Vec::new();
            for (index, (end, dual, arg_span)) in ends.into_iter().enumerate() {
                let chan = match end {
                    End::Chan(c) => c,
                    End::Maybe(n) => match implicit.get(&n) {
                        Some(c) => *c,
                        None => continue,
                    },
                };
                let Some(slot) = chans.get_mut(chan).map(|c| &mut c.ends[usize::from(dual)]) else {
                    continue;
                };
                if slot.is_none() {
                    *slot = Some((i, index, arg_span));
                    args.push((chan, dual, index, arg_span));
                }
            }
            calls.push(Call { name, span, args });
        }
        // The rules, call by call.
        let mut graph = Graph::new(calls.len() + 1);
        for (i, call) in calls.iter().enumerate() {
            for &(chan, dual, index, span) in &call.args {
                let c = &chans[chan];
                match c.ends[usize::from(!dual)] {
                    Some((j, k, other)) if j == i && k < index => {
                        self.errors.push(CheckError::BothEndsOneProcess {
                            channel: c.name.clone(),
                            process: call.name.clone(),
                            span,
                            other,
                        });
                    }
                    Some((j, _, _)) if j < i => {
                        self.connect(&mut graph, &calls, &chans, j + 1, i + 1, chan, span)
                    }
                    Some(_) => {}
                    None if has_this && c.declared && !sent.contains(&end_name(&c.name, !dual)) => {
                        self.connect(&mut graph, &calls, &chans, 0, i + 1, chan, span)
                    }
                    None => {}
                }
            }
        }
        if has_this {
            self.kept_both_ends(&chans, stmts, tail);
        }
        implicit_names
    }

    /// A channel this process declares and whose two ends it only ever
    /// operates on itself (every mention of `c` and of `~c` is the channel
    /// of a `put`, `get` or `close`): both ends stay here.
    fn kept_both_ends(
        &mut self,
        chans: &[Chan],
        stmts: &[(&Stmt, Span)],
        tail: Option<&Spanned<Expr>>,
    ) {
        for c in chans {
            let kept = c.ends.iter().all(Option::is_none)
                && only_operated_on(stmts, tail, &c.name, false)
                && only_operated_on(stmts, tail, &c.name, true);
            if let (true, Some(span)) = (kept, c.at) {
                self.errors.push(CheckError::BothEndsKept {
                    channel: c.name.clone(),
                    process: self.owner.clone(),
                    span,
                });
            }
        }
    }

    fn node_name(&self, calls: &[Call], n: usize) -> String {
        match n.checked_sub(1) {
            None => self.owner.clone(),
            Some(i) => calls.get(i).map_or_else(String::new, |c| c.name.clone()),
        }
    }

    /// Adds the edge `a`-`b` (`b` the current call, `a` an earlier node)
    /// unless it breaks a rule.
    #[allow(clippy::too_many_arguments)]
    fn connect(
        &mut self,
        graph: &mut Graph,
        calls: &[Call],
        chans: &[Chan],
        a: usize,
        b: usize,
        chan: usize,
        span: Span,
    ) {
        if let Some(&(_, first, first_span)) = graph.adjacent[a].iter().find(|(n, _, _)| *n == b) {
            self.errors.push(CheckError::TwoChannelsBetween {
                first_process: self.node_name(calls, a),
                second_process: self.node_name(calls, b),
                channel: chans[chan].name.clone(),
                span,
                other_channel: chans[first].name.clone(),
                other: first_span,
            });
            return;
        }
        let (ra, rb) = (graph.root(a), graph.root(b));
        if ra == rb {
            let path = graph.path(b, a);
            let cycle = path.iter().map(|n| self.node_name(calls, *n)).collect();
            let others = path
                .iter()
                .filter(|n| **n != b)
                .filter_map(|n| n.checked_sub(1).and_then(|k| calls.get(k)).map(|c| c.span))
                .collect();
            let span = b
                .checked_sub(1)
                .and_then(|k| calls.get(k))
                .map_or(span, |c| c.span);
            self.errors.push(CheckError::WiringCycle {
                cycle,
                span,
                others,
            });
            return;
        }
        graph.parent[ra] = rb;
        graph.adjacent[a].push((b, chan, span));
        graph.adjacent[b].push((a, chan, span));
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let { pattern, value, .. } => {
                self.expr(value);
                self.scope.bind(&pattern.node);
            }
            Stmt::Channel { name, .. } => self.scope.push(name.node.clone()),
            Stmt::Expr(e) => self.expr(e),
            Stmt::Forward(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Stmt::Halt => {}
            Stmt::Fork { channel, arms } => {
                self.expr(channel);
                for arm in arms {
                    let mark = self.scope.len();
                    self.scope.push(arm.node.name.node.clone());
                    self.block(&arm.node.body.node);
                    self.scope.truncate(mark);
                }
            }
            Stmt::Split { channel, names } => {
                self.expr(channel);
                self.scope.extend(names.iter().map(|n| n.node.clone()));
            }
        }
    }

    /// Walks into the blocks nested in an expression.
    fn expr(&mut self, e: &Spanned<Expr>) {
        for c in walk::children(&e.node) {
            self.expr(c);
        }
        match &e.node {
            Expr::If { then, else_, .. } => {
                self.block(&then.node);
                if let Some(e) = else_ {
                    self.expr(e);
                }
            }
            Expr::Switch { cases, .. } => {
                for case in cases {
                    let mark = self.scope.len();
                    self.scope.bind(&case.node.pattern.node);
                    self.block(&case.node.body.node);
                    self.scope.truncate(mark);
                }
            }
            Expr::Block(b) => self.block(b),
            Expr::Record { methods, .. } => {
                for m in methods {
                    let mark = self.scope.len();
                    for p in &m.node.params {
                        self.scope.bind(&p.node.pattern.node);
                    }
                    self.block(&m.node.body.node);
                    self.scope.truncate(mark);
                }
            }
            _ => {}
        }
    }
}

/// Appends the names a pattern binds.
fn pattern_names(p: &Pattern, out: &mut Vec<String>) {
    match p {
        Pattern::Var(n) => out.push(n.clone()),
        Pattern::Ctor { args, .. } => args.iter().for_each(|a| pattern_names(&a.node, out)),
        Pattern::Tuple(ps) | Pattern::List(ps) => {
            ps.iter().for_each(|a| pattern_names(&a.node, out))
        }
        Pattern::Cons(h, t) => {
            pattern_names(&h.node, out);
            pattern_names(&t.node, out);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn run(src: &str) -> Vec<CheckError> {
        let (module, errors) = crate::syntax::parse(FileId(0), src);
        assert!(errors.is_empty(), "syntax errors: {errors:?}");
        let module = module.expect("a module");
        let modules = [(&module, Layer::Program)];
        let mut errors = Vec::new();
        let globals = Globals::collect(&modules, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        check(&modules, &globals)
    }

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
        let errors = run(src);
        assert!(errors.is_empty(), "unexpected errors: {errors:?}");
    }

    const PROCS: &str = "protocol Ping = put Int, close;
process one(Ping a) { a.put(1); }
process two(Ping a, neg<Ping> b) { a.put(b.get); }
process three(Ping a, neg<Ping> b, neg<Ping> c) { a.put(b.get + c.get); }
";

    #[test]
    fn both_ends_one_process_conformance() {
        let src = "// Both ends of one channel are given to the same process.
protocol Ping = put Int, close;

process loopback(Ping a, neg<Ping> b) {
  a.put(1);
  let x = b.get;
}

loopback(p, ~p); //!
";
        let errors = run(src);
        let [
            CheckError::BothEndsOneProcess {
                channel,
                process,
                span,
                other,
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!((channel.as_str(), process.as_str()), ("p", "loopback"));
        assert_eq!(&src[span.range()], "~p");
        assert_eq!(&src[other.range()], "p");
        assert_eq!(line(src, *span), marked_line(src));
    }

    #[test]
    fn both_ends_one_process_declared() {
        let src = format!("{PROCS}process main() {{ channel x; two(x, ~x); }}");
        assert!(matches!(
            run(&src).as_slice(),
            [CheckError::BothEndsOneProcess { .. }]
        ));
    }

    #[test]
    fn two_channels_between_two_calls() {
        let src = format!("{PROCS}two(a, ~b);\nthree(b, ~a, ~x); //!\none(x);\n");
        let errors = run(&src);
        let [
            CheckError::TwoChannelsBetween {
                channel,
                other_channel,
                span,
                ..
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!((channel.as_str(), other_channel.as_str()), ("a", "b"));
        assert_eq!(&src[span.range()], "~a");
        assert_eq!(line(&src, *span), marked_line(&src));
    }

    #[test]
    fn two_channels_between_this_process_and_a_call() {
        let src =
            format!("{PROCS}process main() {{ channel a; channel b; three(x, ~a, ~b); one(~x); }}");
        let errors = run(&src);
        let [
            CheckError::TwoChannelsBetween {
                first_process,
                channel,
                ..
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!((first_process.as_str(), channel.as_str()), ("main", "b"));
    }

    #[test]
    fn wiring_cycle_conformance() {
        let src = "// Three processes wired in a ring: a cycle, which could deadlock.
protocol Ping = put Int, close;

process node(Ping out, neg<Ping> inp) {
  let x = inp.get;
  out.put(x);
}

node(ab, ~ca);
node(bc, ~ab);
node(ca, ~bc); //!
";
        let errors = run(src);
        let [
            CheckError::WiringCycle {
                cycle,
                span,
                others,
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!(cycle.len(), 3);
        assert_eq!(others.len(), 2);
        assert_eq!(&src[span.range()], "node(ca, ~bc)");
        assert_eq!(line(src, *span), marked_line(src));
    }

    #[test]
    fn wiring_cycle_through_this_process() {
        let src =
            format!("{PROCS}process main() {{ channel a; channel b; two(~a, x); two(~b, ~x); }}");
        let errors = run(&src);
        let [CheckError::WiringCycle { cycle, .. }] = errors.as_slice() else {
            panic!("{errors:?}");
        };
        assert!(cycle.contains(&"main".to_string()), "{cycle:?}");
    }

    #[test]
    fn accepted_chain_and_tree() {
        accepted(&format!(
            "{PROCS}two(ab, ~x);\ntwo(bc, ~ab);\none(x);\nthree(y, ~bc, ~z);\none(z);\none(~y);\n"
        ));
        accepted(&format!(
            "{PROCS}three(hub, ~a, ~b);\none(a);\none(b);\none(~hub);\n"
        ));
    }

    #[test]
    fn accepted_declared_channel_kept_by_its_process() {
        accepted(&format!(
            "{PROCS}process main(Ping out) {{\n  channel c;\n  one(c);\n  let v = (~c).get;\n  out.put(v);\n}}\n"
        ));
    }

    #[test]
    fn accepted_parameters_join_the_outside() {
        accepted(&format!(
            "{PROCS}process p0(Ping a, neg<Ping> b) {{ two(a, link); two(~link, b); }}"
        ));
    }

    #[test]
    fn accepted_blocks_are_separate() {
        accepted(&format!(
            "{PROCS}process p(Bool c) {{ if (c) {{ two(x, ~y); one(y); one(~x); }} else {{ two(x, ~y); one(y); one(~x); }} }}"
        ));
    }

    #[test]
    fn accepted_process_tree_child_in_a_function() {
        accepted(
            "protocol ProcessTree<#p> = put Stop: close;
data Maybe<t> = Nothing | Just(t);
process emptyProcessTree(neg<ProcessTree<#p>> user) { switch (user.get) { case Stop: } }
Maybe<ProcessTree<#p>> putChild(Maybe<ProcessTree<#p>> mChild) {
  switch mChild {
    case Nothing:
      ProcessTree<#p> child;
      emptyProcessTree(~child);
      Just(child)
    case Just(child):
      Just(child)
  }
}
",
        );
    }
}
