//! The wiring rules (LANGUAGE.md 6.3 and 7.5): in each block, the process
//! calls and the channels the block makes between them form a forest.
//!
//! It reads the resolved program (`ir`). A block is any `ir::Block`: the
//! body of the wiring, of a REPL line, of a function, process, record
//! method or fork arm, or a block nested in one; each is checked on its own
//! statements only. Its nodes are its process calls (`Spawn` as a
//! statement or as the tail), plus "this process" (the one running the
//! block; the top-level wiring and a REPL line have none). Its edges are
//! the channels it makes (`Stmt::Channel`):
//!
//! * implicit channels: both ends are process arguments of the block;
//! * declared channels (`channel x;`, `P x;`): an end not given to a process
//!   of the block, nor sent over a channel, stays with this process.
//!
//! Channels already in scope (parameters, say) join a process to the outside
//! and are not edges; channels sent over channels are not looked at. Calls
//! are taken in statement order, and an edge exists from the call that gives
//! away the second end, so each error lands on the call that breaks a rule:
//! both ends to one call (`BothEndsOneProcess`), a second channel between
//! the same two nodes (`TwoChannelsBetween`), or a cycle (`WiringCycle`).
//! A declared channel whose two ends this process only ever operates on
//! itself is `BothEndsKept`. Nothing here reads the syntax tree; names
//! that did not resolve were reported by `resolve`.

use super::errors::CheckError;
use crate::ir::{Block, Expr, ExprKind, FnKind, FuncId, Function, Slot, Stmt};
use crate::source::Span;
use std::collections::{HashMap, VecDeque};

/// One end of a channel of the block: (channel, whether it is the `~` end).
type End = (usize, bool);

/// Checks the wiring rules in every block of `functions`, whose ids start
/// at `base`; `process_name` names a process by its id, for reports.
pub fn check(
    functions: &[Function],
    base: FuncId,
    process_name: &dyn Fn(FuncId) -> String,
) -> Vec<CheckError> {
    let mut checker = Checker {
        functions,
        base,
        process_name,
        owners: owners(functions, base),
        errors: Vec::new(),
    };
    for (i, function) in functions.iter().enumerate() {
        let no_this = matches!(function.kind, FnKind::Wiring | FnKind::Session);
        let mut blocks = Vec::new();
        function.body.for_each(&mut |e| {
            if let ExprKind::Block(b) = &e.kind {
                blocks.push((b, !(no_this && std::ptr::eq(e, &function.body))));
            }
        });
        for (block, has_this) in blocks {
            checker.block(i, block, has_this);
        }
    }
    let mut errors = checker.errors;
    errors.sort_by_key(|e| {
        let s = e.span();
        (s.file, s.start)
    });
    errors
}

/// The name of the declaration each function is written in, by index: a
/// record method's or fork arm's is the one it appears in; the wiring's
/// and a REPL line's is "the wiring".
fn owners(functions: &[Function], base: FuncId) -> Vec<String> {
    let index = |id: FuncId| id.checked_sub(base).map(|i| i as usize);
    let mut parent: Vec<Option<usize>> = vec![None; functions.len()];
    for (i, function) in functions.iter().enumerate() {
        let mut closures = Vec::new();
        function
            .body
            .for_each(&mut |e| closures.extend(closures_in(e)));
        for (id, _) in closures {
            if let Some(slot) = index(id).and_then(|c| parent.get_mut(c)) {
                *slot = Some(i);
            }
        }
    }
    (0..functions.len())
        .map(|mut i| {
            // A closure is written inside its parent: the chain is
            // acyclic, and at most as long as there are functions.
            for _ in 0..functions.len() {
                match parent[i] {
                    Some(p) => i = p,
                    None => break,
                }
            }
            match functions[i].kind {
                FnKind::Wiring | FnKind::Session => "the wiring".to_string(),
                _ => functions[i].name.clone(),
            }
        })
        .collect()
}

/// The closures an expression makes itself (not in its sub-expressions):
/// a record's methods or a block's fork arms, each with the slots of the
/// enclosing frame copied into its first slots.
fn closures_in(e: &Expr) -> Vec<(FuncId, &[Slot])> {
    match &e.kind {
        ExprKind::Record {
            methods, captures, ..
        } => methods.iter().map(|m| (*m, captures.as_slice())).collect(),
        ExprKind::Block(b) => b
            .stmts
            .iter()
            .flat_map(|s| match s {
                Stmt::Fork { arms, .. } => arms
                    .iter()
                    .map(|a| (a.func, a.captures.as_slice()))
                    .collect(),
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A channel made by the block being checked.
struct Chan {
    name: String,
    implicit: bool,
    /// Where it is declared (an implicit one: its first use).
    at: Span,
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

/// How the block uses one end of its channels, closures included.
#[derive(Default)]
struct Uses {
    /// Every mention of the end.
    mentions: u32,
    /// Mentions as the channel a `put`, `get` or `close` acts on.
    operated: u32,
    /// Sent over a channel (`c.put(~x)`): it leaves this process, so it
    /// joins it to no one.
    sent: bool,
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

struct Checker<'c> {
    functions: &'c [Function],
    base: FuncId,
    process_name: &'c dyn Fn(FuncId) -> String,
    /// `owners[i]`: the declaration function `i` is written in.
    owners: Vec<String>,
    errors: Vec<CheckError>,
}

impl Checker<'_> {
    /// Applies the rules to one block of function `index`.
    fn block(&mut self, index: usize, block: &Block, has_this: bool) {
        let function = &self.functions[index];
        let mut chans: Vec<Chan> = Vec::new();
        let mut ends: HashMap<Slot, End> = HashMap::new();
        let mut calls: Vec<Call> = Vec::new();
        for stmt in &block.stmts {
            match stmt {
                Stmt::Channel {
                    end,
                    dual,
                    span,
                    implicit,
                    ..
                } => {
                    ends.insert(*end, (chans.len(), false));
                    ends.insert(*dual, (chans.len(), true));
                    let name = function.slot_names.get(*end as usize);
                    chans.push(Chan {
                        name: name.map_or_else(String::new, |n| n.to_string()),
                        implicit: *implicit,
                        at: *span,
                        ends: [None, None],
                    });
                }
                Stmt::Expr { expr: e, .. } => self.call(e, &ends, &mut chans, &mut calls),
                _ => {}
            }
        }
        if let Some(tail) = &block.tail {
            self.call(tail, &ends, &mut chans, &mut calls);
        }
        if chans.is_empty() {
            return;
        }
        let mut uses = HashMap::new();
        self.block_uses(block, &ends, &mut uses);
        self.apply_rules(index, &chans, &calls, &uses, has_this);
        if has_this {
            self.kept_both_ends(index, &chans, &uses);
        }
    }

    /// Records a process call, with the ends of the block's channels it is
    /// given; an end given twice counts once (linearity reports the second).
    fn call(&self, e: &Expr, ends: &HashMap<Slot, End>, chans: &mut [Chan], calls: &mut Vec<Call>) {
        let ExprKind::Spawn { proc, args } = &e.kind else {
            return;
        };
        let i = calls.len();
        let mut given = Vec::new();
        for (index, arg) in args.iter().enumerate() {
            let ExprKind::Local(slot) = arg.kind else {
                continue;
            };
            let Some(&(chan, dual)) = ends.get(&slot) else {
                continue;
            };
            let end = &mut chans[chan].ends[usize::from(dual)];
            if end.is_none() {
                *end = Some((i, index, arg.span));
                given.push((chan, dual, index, arg.span));
            }
        }
        calls.push(Call {
            name: (self.process_name)(*proc),
            span: e.span,
            args: given,
        });
    }

    /// The three rules, call by call.
    fn apply_rules(
        &mut self,
        index: usize,
        chans: &[Chan],
        calls: &[Call],
        uses: &HashMap<End, Uses>,
        has_this: bool,
    ) {
        let sent = |end: End| uses.get(&end).is_some_and(|u| u.sent);
        let mut graph = Graph::new(calls.len() + 1);
        for (i, call) in calls.iter().enumerate() {
            for &(chan, dual, arg, span) in &call.args {
                let c = &chans[chan];
                match c.ends[usize::from(!dual)] {
                    Some((j, k, other)) if j == i && k < arg => {
                        self.errors.push(CheckError::BothEndsOneProcess {
                            channel: c.name.clone(),
                            process: call.name.clone(),
                            span,
                            other,
                        });
                    }
                    Some((j, _, _)) if j < i => {
                        let edge = (j + 1, i + 1, chan, span);
                        self.connect(index, &mut graph, calls, chans, edge)
                    }
                    Some(_) => {}
                    None if has_this && !c.implicit && !sent((chan, !dual)) => {
                        let edge = (0, i + 1, chan, span);
                        self.connect(index, &mut graph, calls, chans, edge)
                    }
                    None => {}
                }
            }
        }
    }

    /// A channel this process declares and whose two ends it only ever
    /// operates on itself (every mention of `c` and of `~c` is the channel
    /// of a `put`, `get` or `close`): both ends stay here.
    fn kept_both_ends(&mut self, index: usize, chans: &[Chan], uses: &HashMap<End, Uses>) {
        let only_operated = |end: End| {
            uses.get(&end)
                .is_some_and(|u| u.mentions > 0 && u.mentions == u.operated)
        };
        for (i, c) in chans.iter().enumerate() {
            if !c.implicit
                && c.ends.iter().all(Option::is_none)
                && only_operated((i, false))
                && only_operated((i, true))
            {
                self.errors.push(CheckError::BothEndsKept {
                    channel: c.name.clone(),
                    process: self.owners[index].clone(),
                    span: c.at,
                });
            }
        }
    }

    /// How the block's statements and tail use the ends in `tracked`,
    /// looking into the closures (fork arms, record methods) it makes.
    fn block_uses(
        &self,
        block: &Block,
        tracked: &HashMap<Slot, End>,
        uses: &mut HashMap<End, Uses>,
    ) {
        for stmt in &block.stmts {
            if let Stmt::Fork { arms, .. } = stmt {
                for arm in arms {
                    self.closure_uses(arm.func, &arm.captures, tracked, uses);
                }
            }
        }
        for e in block.children() {
            self.expr_uses(e, tracked, uses);
        }
    }

    fn expr_uses(&self, e: &Expr, tracked: &HashMap<Slot, End>, uses: &mut HashMap<End, Uses>) {
        let end_of = |e: &Expr| match e.kind {
            ExprKind::Local(slot) => tracked.get(&slot).copied(),
            _ => None,
        };
        let mut closures = Vec::new();
        e.for_each(&mut |x| {
            match &x.kind {
                ExprKind::Local(slot) => {
                    if let Some(end) = tracked.get(slot) {
                        uses.entry(*end).or_default().mentions += 1;
                    }
                }
                ExprKind::Put { channel, value } => {
                    if let Some(end) = end_of(channel) {
                        uses.entry(end).or_default().operated += 1;
                    }
                    if let Some(end) = end_of(value) {
                        uses.entry(end).or_default().sent = true;
                    }
                }
                ExprKind::Get(channel) | ExprKind::Close(channel) => {
                    if let Some(end) = end_of(channel) {
                        uses.entry(end).or_default().operated += 1;
                    }
                }
                _ => {}
            }
            closures.extend(closures_in(x));
        });
        for (func, captures) in closures {
            self.closure_uses(func, captures, tracked, uses);
        }
    }

    /// The uses inside closure `func`, whose first slots hold copies of
    /// `captures`.
    fn closure_uses(
        &self,
        func: FuncId,
        captures: &[Slot],
        tracked: &HashMap<Slot, End>,
        uses: &mut HashMap<End, Uses>,
    ) {
        let inside: HashMap<Slot, End> = captures
            .iter()
            .enumerate()
            .filter_map(|(i, s)| tracked.get(s).map(|end| (i as Slot, *end)))
            .collect();
        let function = func
            .checked_sub(self.base)
            .and_then(|i| self.functions.get(i as usize));
        if let (false, Some(function)) = (inside.is_empty(), function) {
            self.expr_uses(&function.body, &inside, uses);
        }
    }

    fn node_name(&self, index: usize, calls: &[Call], n: usize) -> String {
        match n.checked_sub(1) {
            None => self.owners[index].clone(),
            Some(i) => calls.get(i).map_or_else(String::new, |c| c.name.clone()),
        }
    }

    /// Adds `edge` = (`a`, `b`, channel, argument span), `b` the current
    /// call and `a` an earlier node, unless it breaks a rule.
    fn connect(
        &mut self,
        index: usize,
        graph: &mut Graph,
        calls: &[Call],
        chans: &[Chan],
        (a, b, chan, span): (usize, usize, usize, Span),
    ) {
        if let Some(&(_, first, first_span)) = graph.adjacent[a].iter().find(|(n, _, _)| *n == b) {
            self.errors.push(CheckError::TwoChannelsBetween {
                first_process: self.node_name(index, calls, a),
                second_process: self.node_name(index, calls, b),
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
            let cycle = path
                .iter()
                .map(|n| self.node_name(index, calls, *n))
                .collect();
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn run(src: &str) -> Vec<CheckError> {
        let (module, errors) = crate::syntax::parse(FileId(0), src);
        assert!(errors.is_empty(), "syntax errors: {errors:?}");
        let module = module.expect("a module");
        let (program, errors) =
            crate::check::resolve_for_tests(&[(&module, crate::check::Layer::Program)]);
        assert!(errors.is_empty(), "{errors:?}");
        let name = |id: FuncId| program.function(id).name.clone();
        check(&program.functions, 0, &name)
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

    #[test]
    fn both_ends_kept_by_the_declaring_process() {
        let src = format!(
            "{PROCS}process main() {{\n  channel c; //!\n  c.put(1);\n  let v = (~c).get;\n}}\n"
        );
        let errors = run(&src);
        let [
            CheckError::BothEndsKept {
                channel,
                process,
                span,
            },
        ] = errors.as_slice()
        else {
            panic!("{errors:?}");
        };
        assert_eq!((channel.as_str(), process.as_str()), ("c", "main"));
        assert_eq!(&src[span.range()], "c");
        assert_eq!(line(&src, *span), marked_line(&src));
    }

    #[test]
    fn both_ends_kept_counts_uses_inside_fork_arms() {
        // `~c` is received from only inside a fork arm, a function of its
        // own in the resolved program, which sees it as a captured slot.
        let src = format!(
            "{PROCS}process main(Ping d) {{\n  channel c;\n  c.put(1);\n  fork d as\n    a {{ let v = (~c).get; }},\n    b {{ b.close(); }};\n}}\n"
        );
        assert!(
            matches!(run(&src).as_slice(), [CheckError::BothEndsKept { .. }]),
            "{:?}",
            run(&src)
        );
        // Given to a process there, it is not kept.
        accepted(&format!(
            "{PROCS}process main(Ping d) {{\n  channel c;\n  c.put(1);\n  fork d as\n    a {{ one(~c); }},\n    b {{ b.close(); }};\n}}\n"
        ));
    }

    #[test]
    fn a_kept_channel_is_named_after_its_declaring_process_in_a_fork_arm() {
        let src = format!(
            "{PROCS}process main(Ping d) {{\n  fork d as\n    a {{ channel c; c.put(1); let v = (~c).get; }},\n    b {{ b.close(); }};\n}}\n"
        );
        let errors = run(&src);
        let [CheckError::BothEndsKept { process, .. }] = errors.as_slice() else {
            panic!("{errors:?}");
        };
        assert_eq!(process, "main");
    }
}
