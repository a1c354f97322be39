//! A protocol drawn as a state machine (`mpl protocol FILE NAME`, the
//! REPL's `:protocol --dot P`): its states are the points between steps,
//! its transitions the steps (`put T`, `get T`, a label put or got,
//! `close`, `fork`), with `loop` and a reference to the protocol itself as
//! edges back to its start, and a reference to another protocol or a
//! protocol variable as an edge to a node of that name. Either end can be
//! drawn: the other end's (`neg<NAME>`) has every direction swapped.
//!
//! Built from the syntax tree both surface syntaxes lower into, so a CaMPL
//! protocol is drawn the same way. Written out as text, as Graphviz `dot`,
//! or as SVG laid out by the `layout-rs` crate (a Rust version of dot's
//! layered layout: no Graphviz needed), which reads the same `dot` text.

use crate::source::Spanned;
use crate::syntax::ast::{Dir, Item, Module, Proto, ProtocolDecl, Step, Type};
use std::fmt::Write as _;

/// A protocol's states and transitions. State 0 is the start.
#[derive(Debug, PartialEq)]
pub struct Graph {
    /// The end drawn, as written: `Counter` or `neg<Counter>`.
    pub name: String,
    pub states: Vec<State>,
    pub edges: Vec<Edge>,
}

#[derive(Debug, PartialEq)]
pub enum State {
    /// A point between two steps.
    Point,
    /// After `close`: the end is done.
    Closed,
    /// The protocol goes on as another (a reference or `#p`).
    Goes(String),
}

#[derive(Debug, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: String,
    pub kind: EdgeKind,
    /// It goes back to the start (`loop`, or the protocol named again).
    pub back: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EdgeKind {
    /// This end sends (`put`, a label put, `fork`).
    Put,
    /// This end receives (`get`, a label got, `split`).
    Get,
    /// `close`, `loop`, or going on as another protocol.
    Other,
}

/// How `draw` writes a graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Format {
    Text,
    Dot,
    Svg,
}

/// The picture of protocol `name` (or `neg<name>`) among `modules`, or
/// what to say when there is none.
pub fn draw(modules: &[&Module], name: &str, format: Format) -> Result<String, String> {
    let Some((decl, neg)) = find(modules, name) else {
        let known = names(modules);
        let meant = crate::check::suggest::closest(name, known.iter().map(|n| n.as_str()));
        let hint = match meant {
            Some(m) => format!(" (did you mean `{m}`?)"),
            None => String::new(),
        };
        return Err(format!("no protocol is named `{name}`{hint}"));
    };
    let g = graph(decl, neg);
    match format {
        Format::Text => Ok(g.text()),
        Format::Dot => Ok(g.dot()),
        Format::Svg => g.svg(),
    }
}

/// The protocol `name` (or `neg<name>`) declared in `modules`.
pub fn find<'m>(modules: &[&'m Module], name: &str) -> Option<(&'m ProtocolDecl, bool)> {
    let (bare, neg) = match name.strip_prefix("neg<").and_then(|n| n.strip_suffix('>')) {
        Some(inner) => (inner.trim(), true),
        None => (name.trim(), false),
    };
    let decl = modules
        .iter()
        .flat_map(|m| &m.items)
        .find_map(|item| match &item.node {
            Item::Protocol(p) if p.name.node == bare => Some(p),
            _ => None,
        })?;
    Some((decl, neg))
}

/// The names of the protocols `modules` declare (for "did you mean").
pub fn names(modules: &[&Module]) -> Vec<String> {
    let items = modules.iter().flat_map(|m| &m.items);
    items
        .filter_map(|item| match &item.node {
            Item::Protocol(p) => Some(p.name.node.clone()),
            _ => None,
        })
        .collect()
}

/// The state machine of `decl`, from this end or (`neg`) the other.
pub fn graph(decl: &ProtocolDecl, neg: bool) -> Graph {
    let name = match neg {
        true => format!("neg<{}>", decl.name.node),
        false => decl.name.node.clone(),
    };
    let mut g = Graph {
        name,
        states: vec![State::Point],
        edges: Vec::new(),
    };
    let own = decl.name.node.as_str();
    let mut builder = Builder { g: &mut g, own };
    let open = builder.proto(&decl.body.node, vec![0], neg);
    // A sequence that ends without `loop`, `close`, a reference or `#p`
    // ends with an implicit `close` (LANGUAGE.md, section 5).
    if !open.is_empty() {
        let end = builder.state(State::Closed);
        builder.edge(&open, end, "close".into(), EdgeKind::Other);
    }
    g
}

struct Builder<'g> {
    g: &'g mut Graph,
    own: &'g str,
}

impl Builder<'_> {
    fn state(&mut self, s: State) -> usize {
        self.g.states.push(s);
        self.g.states.len() - 1
    }

    fn edge(&mut self, from: &[usize], to: usize, label: String, kind: EdgeKind) {
        for &f in from {
            let (label, back) = (label.clone(), to == 0);
            self.g.edges.push(Edge {
                from: f,
                to,
                label,
                kind,
                back,
            });
        }
    }

    /// Whether `proto` only goes back to the start (`loop`, or the
    /// protocol's own name): a label before it is drawn straight back.
    fn only_back(&self, proto: &Proto) -> bool {
        match proto {
            Proto::Seq(steps) => match steps.as_slice() {
                [one] => match &one.node {
                    Step::Loop => true,
                    Step::Ref { name, .. } => name.node == self.own,
                    _ => false,
                },
                _ => false,
            },
            Proto::Choice(_) => false,
        }
    }

    /// Adds `proto` after the states `from`; the states where it ends
    /// without a final step (to go on from).
    fn proto(&mut self, proto: &Proto, from: Vec<usize>, neg: bool) -> Vec<usize> {
        match proto {
            Proto::Choice(branches) => {
                let mut open = Vec::new();
                for b in branches {
                    let (word, kind) = direction(b.node.dir, neg);
                    let label = format!("{word} {}", b.node.label.node);
                    if self.only_back(&b.node.body.node) {
                        self.edge(&from, 0, label, kind);
                        continue;
                    }
                    let next = self.state(State::Point);
                    self.edge(&from, next, label, kind);
                    open.extend(self.proto(&b.node.body.node, vec![next], neg));
                }
                open
            }
            Proto::Seq(steps) => steps
                .iter()
                .fold(from, |open, step| self.step(&step.node, open, neg)),
        }
    }

    fn step(&mut self, step: &Step, from: Vec<usize>, neg: bool) -> Vec<usize> {
        if from.is_empty() {
            return from;
        }
        let message = |dir: Dir, t: &Spanned<Type>| (direction(dir, neg), type_text(&t.node));
        match step {
            Step::Put(t) | Step::Get(t) => {
                let dir = if matches!(step, Step::Put(_)) {
                    Dir::Put
                } else {
                    Dir::Get
                };
                let ((word, kind), ty) = message(dir, t);
                let next = self.state(State::Point);
                self.edge(&from, next, format!("{word} {ty}"), kind);
                vec![next]
            }
            Step::Loop => {
                self.edge(&from, 0, "loop".into(), EdgeKind::Other);
                Vec::new()
            }
            Step::Close => {
                let end = self.state(State::Closed);
                self.edge(&from, end, "close".into(), EdgeKind::Other);
                Vec::new()
            }
            Step::Ref { name, .. } if name.node == self.own => {
                self.edge(&from, 0, name.node.clone(), EdgeKind::Other);
                Vec::new()
            }
            Step::Ref { name, args } => {
                let shown = match args.is_empty() {
                    true => name.node.clone(),
                    false => {
                        let args: Vec<String> = args.iter().map(|a| type_text(&a.node)).collect();
                        format!("{}<{}>", name.node, args.join(", "))
                    }
                };
                let shown = if neg { format!("neg<{shown}>") } else { shown };
                let next = self.state(State::Goes(shown));
                self.edge(&from, next, "then".into(), EdgeKind::Other);
                Vec::new()
            }
            Step::Var(p) => {
                let shown = if neg {
                    format!("neg<#{p}>")
                } else {
                    format!("#{p}")
                };
                let next = self.state(State::Goes(shown));
                self.edge(&from, next, "then".into(), EdgeKind::Other);
                Vec::new()
            }
            Step::Group(inner) => self.proto(&inner.node, from, neg),
            Step::Neg(inner) => self.proto(&inner.node, from, !neg),
            Step::Fork(a, b) => {
                let (word, kind) = match neg {
                    false => ("fork", EdgeKind::Put),
                    true => ("split", EdgeKind::Get),
                };
                for (half, proto) in [("1", a), ("2", b)] {
                    let start = self.state(State::Point);
                    self.edge(&from, start, format!("{word}: half {half}"), kind);
                    self.proto(&proto.node, vec![start], neg);
                }
                Vec::new()
            }
        }
    }
}

/// `put` or `get` as this end does it (swapped for the other end).
fn direction(dir: Dir, neg: bool) -> (&'static str, EdgeKind) {
    match (dir, neg) {
        (Dir::Put, false) | (Dir::Get, true) => ("put", EdgeKind::Put),
        (Dir::Get, false) | (Dir::Put, true) => ("get", EdgeKind::Get),
    }
}

/// A type as MPL writes it (a protocol written in place as `(…)`).
fn type_text(t: &Type) -> String {
    let list = |ts: &[Spanned<Type>]| {
        let parts: Vec<String> = ts.iter().map(|t| type_text(&t.node)).collect();
        parts.join(", ")
    };
    match t {
        Type::Named { name, args } if args.is_empty() => name.node.clone(),
        Type::Named { name, args } => format!("{}<{}>", name.node, list(args)),
        Type::Var(v) => v.clone(),
        Type::ProtoVar(p) => format!("#{p}"),
        Type::Void => "void".into(),
        Type::List(t) => format!("[{}]", type_text(&t.node)),
        Type::Tuple(ts) => format!("({})", list(ts)),
        Type::Neg(t) => format!("neg<{}>", type_text(&t.node)),
        Type::After { base, .. } => format!("{}.after<…>", type_text(&base.node)),
        Type::Proto(_) => "(…)".into(),
    }
}

impl Graph {
    /// The states, each with its transitions, as text.
    pub fn text(&self) -> String {
        let mut out = format!(
            "protocol {}: {} states, {} transitions\n",
            self.name,
            self.states.len(),
            self.edges.len()
        );
        for (i, state) in self.states.iter().enumerate() {
            let _ = match state {
                State::Point if i == 0 => writeln!(out, "s0 (start)"),
                State::Point => writeln!(out, "s{i}"),
                State::Closed => writeln!(out, "s{i} (closed)"),
                State::Goes(p) => writeln!(out, "s{i} (goes on as {p})"),
            };
            for e in self.edges.iter().filter(|e| e.from == i) {
                let back = if e.back { "  (back to the start)" } else { "" };
                let _ = writeln!(out, "  {:<24} -> s{}{back}", e.label, e.to);
            }
        }
        out
    }

    /// Graphviz `dot`: puts blue, gets green, edges back dashed, the start
    /// named after the protocol, a closed end a double circle.
    pub fn dot(&self) -> String {
        self.dot_with(false)
    }

    /// `dot`; with `label_nodes`, each transition's label is a node of its
    /// own on the edge (`layout-rs` places edge labels away from their
    /// edges, so the SVG is drawn from this form).
    fn dot_with(&self, label_nodes: bool) -> String {
        let mut out = format!("digraph \"{}\" {{\n", escape(&self.name));
        let _ = writeln!(
            out,
            "  start [shape=box, label=\"{}\"];",
            escape(&self.name)
        );
        for (i, state) in self.states.iter().enumerate() {
            let _ = match state {
                State::Point => writeln!(out, "  s{i} [shape=circle, label=\"{i}\"];"),
                State::Closed => writeln!(out, "  s{i} [shape=doublecircle, label=\"end\"];"),
                State::Goes(p) => writeln!(out, "  s{i} [shape=box, label=\"{}\"];", escape(p)),
            };
        }
        out.push_str("  start -> s0;\n");
        for (n, e) in self.edges.iter().enumerate() {
            let colour = match e.kind {
                EdgeKind::Put => "#1f5fb4",
                EdgeKind::Get => "#2a8a2a",
                EdgeKind::Other => "#444444",
            };
            let dashed = if e.back { ", style=dashed" } else { "" };
            let (from, to, label) = (e.from, e.to, escape(&e.label));
            let _ = match label_nodes {
                false => writeln!(
                    out,
                    "  s{from} -> s{to} [label=\"{label}\", color=\"{colour}\"{dashed}];"
                ),
                true => writeln!(
                    out,
                    "  t{n} [shape=box, label=\"{label}\", color=\"{colour}\"];\n  \
                     s{from} -> t{n} [color=\"{colour}\"{dashed}];\n  \
                     t{n} -> s{to} [color=\"{colour}\"{dashed}];"
                ),
            };
        }
        out.push_str("}\n");
        out
    }

    /// An SVG of the graph, laid out by `layout-rs` from `dot`.
    pub fn svg(&self) -> Result<String, String> {
        use layout::backends::svg::SVGWriter;
        use layout::gv;
        let dot = self.dot_with(true);
        let mut parser = gv::DotParser::new(&dot);
        let tree = parser.process()?;
        let mut builder = gv::GraphBuilder::new();
        builder.visit_graph(&tree);
        let mut graph = builder.get();
        let mut svg = SVGWriter::new();
        graph.do_it(false, false, false, &mut svg);
        Ok(svg.finalize())
    }
}

/// Text inside a `dot` string.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol(text: &str) -> ProtocolDecl {
        let mut sources = crate::source::SourceMap::new();
        let file = sources.add("t.mpl", text);
        let (module, errors) = crate::syntax::parser::parse_module(file, text);
        assert!(errors.is_empty(), "{errors:?}");
        let module = module.expect("parses");
        module
            .items
            .into_iter()
            .find_map(|item| match item.node {
                Item::Protocol(p) => Some(p),
                _ => None,
            })
            .expect("a protocol")
    }

    #[test]
    fn states_are_the_points_between_steps_and_loop_goes_back_to_the_start() {
        let p = protocol("protocol Counter = put Inc: loop | put Stop: get Int, close;");
        let g = graph(&p, false);
        assert_eq!(g.states.len(), 4, "{}", g.text());
        let labels: Vec<(usize, &str, usize)> = g
            .edges
            .iter()
            .map(|e| (e.from, e.label.as_str(), e.to))
            .collect();
        assert_eq!(
            labels,
            [
                (0, "put Inc", 0),
                (0, "put Stop", 1),
                (1, "get Int", 2),
                (2, "close", 3)
            ]
        );
        assert!(g.edges[0].back && !g.edges[1].back);
        assert_eq!(g.states[3], State::Closed);
    }

    #[test]
    fn the_other_end_swaps_every_direction() {
        let p = protocol("protocol Ask = put Int, (get Yes: close | get No: loop);");
        let g = graph(&p, true);
        assert_eq!(g.name, "neg<Ask>");
        let labels: Vec<&str> = g.edges.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["get Int", "put Yes", "close", "put No"]);
        let kinds: Vec<EdgeKind> = g.edges.iter().map(|e| e.kind).collect();
        assert_eq!(kinds[..2], [EdgeKind::Get, EdgeKind::Put]);
    }

    #[test]
    fn a_sequence_that_ends_without_a_last_step_closes() {
        let p = protocol("protocol Bye = put Hello: put Int | put Stop:;");
        let g = graph(&p, false);
        let closes: Vec<(usize, usize)> = g
            .edges
            .iter()
            .filter(|e| e.label == "close")
            .map(|e| (e.from, e.to))
            .collect();
        assert_eq!(closes, [(2, 4), (3, 4)], "{}", g.text());
        assert_eq!(g.states[4], State::Closed);
    }

    #[test]
    fn another_protocol_is_a_node_of_its_name() {
        let p = protocol("protocol Hello = put String, PutSeq<Char>;");
        let g = graph(&p, false);
        assert_eq!(g.states.last(), Some(&State::Goes("PutSeq<Char>".into())));
        assert!(g.dot().contains("label=\"PutSeq<Char>\""));
    }

    #[test]
    fn the_svg_has_a_node_per_state() {
        let p = protocol("protocol Counter = put Inc: loop | put Stop: get Int, close;");
        let svg = graph(&p, false).svg().expect("an svg");
        assert!(svg.contains("<svg") && svg.contains("put Stop"), "{svg}");
    }
}
