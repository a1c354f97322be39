//! A generator of well-typed, terminating MPL programs, driven by bytes
//! (`arbitrary::Unstructured`), for the evaluator's fuzz target
//! (`fuzz/fuzz_targets/run.rs`) and its test (`tests/generated.rs`); and
//! [`run`], which compiles and runs one in-process with captured output.
//!
//! A program is a handful of protocols (choices put by either side, loops,
//! references to later protocols, channels sent over channels, `fork`)
//! and, for each protocol a program uses, a process per side that follows
//! it: side A holds the protocol, side B its dual. Both sides are written
//! from the same protocol, so they agree by construction. Only one process
//! (the first session's side A) writes to stdout, so with no `race` the
//! output is the same under every schedule. Values are of every sequential
//! kind (numbers, strings, lists, tuples, `Maybe`, a data type, a codata
//! type, closures); integers stay within ±1000 so arithmetic never
//! overflows, loops count a fuel parameter down, and protocol references
//! only point forward, so every program ends.
//!
//! What it does not generate: `race` with several cases (whose winner
//! depends on the schedule; one-case races are generated), generic
//! protocols, forwarding (`:=`), services other than stdout.

#![allow(dead_code)]

use arbitrary::{Result, Unstructured};
use std::collections::HashMap;
use std::fmt::Write as _;

/// The sequential types values have.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Ty {
    Int,
    Bool,
    Str,
    List,
    Pair,
    Maybe,
    Tree,
    Obj,
}

const TYPES: [Ty; 8] = [
    Ty::Int,
    Ty::Bool,
    Ty::Str,
    Ty::List,
    Ty::Pair,
    Ty::Maybe,
    Ty::Tree,
    Ty::Obj,
];

impl Ty {
    fn text(self) -> &'static str {
        match self {
            Ty::Int => "Int",
            Ty::Bool => "Bool",
            Ty::Str => "String",
            Ty::List => "[Int]",
            Ty::Pair => "(Int, String)",
            Ty::Maybe => "Maybe<Int>",
            Ty::Tree => "Tree",
            Ty::Obj => "Obj",
        }
    }
}

/// One step of a protocol, from side A's point of view (`put` = A sends).
enum Step {
    Value { put: bool, ty: Ty },
    Channel { put: bool, proto: usize },
}

/// How a sequence of steps ends.
enum Tail {
    Close { explicit: bool },
    Goto(usize),
    Loop,
    Fork(usize, usize),
}

struct Seq {
    steps: Vec<Step>,
    tail: Tail,
}

/// A protocol: one sequence, or a choice (`put` = side A chooses).
struct Proto {
    choice: Option<bool>,
    branches: Vec<(&'static str, Seq)>,
}

/// Label names; several are also constructors, which labels must not be
/// confused with.
const LABELS: [&str; 8] = [
    "Next", "Done", "Left", "Just", "Go", "Stop", "More", "Nothing",
];

/// Which side of a protocol a process plays.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Side {
    A,
    B,
}

/// How a protocol is played: by which side, whether the player holds
/// stdout (only side A ever does), and whether it is a process or a
/// function that takes the channel and returns the running total
/// (protocols that never fork, side A only).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Role {
    side: Side,
    printing: bool,
    function: bool,
}

impl Role {
    fn process(side: Side, printing: bool) -> Role {
        Role {
            side,
            printing: printing && side == Side::A,
            function: false,
        }
    }
}

/// Declarations every program starts with.
const HEADER: &str = "\
data Tree = Leaf | Node(Tree, Int, Tree);
codata Obj {
  Int val();
  Obj bump(Int k);
}
Obj mkObj(Int v) {
  record Obj {
    Int val() { v }
    Obj bump(Int k) { mkObj((v + k) % 1000) }
  }
}
Int treeSum(Tree t) {
  switch t {
    case Leaf: 0
    case Node(l, v, r): (treeSum(l) + v + treeSum(r)) % 1000
  }
}
";

/// Generates one program's source text.
pub fn program(u: &mut Unstructured) -> Result<String> {
    let mut g = Gen::new(u)?;
    g.emit_functions()?;
    g.emit_wiring()?;
    while let Some((k, role)) = g.pending.pop() {
        g.emit_player(k, role)?;
    }
    Ok(g.finish())
}

struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    protos: Vec<Proto>,
    /// Sequential functions `f0 ..`: their parameter types.
    funcs: Vec<Vec<Ty>>,
    out: String,
    /// Players written or queued, by protocol and role.
    drivers: HashMap<(usize, Role), String>,
    pending: Vec<(usize, Role)>,
    fresh: usize,
}

/// The names a piece of code may use, with their types.
#[derive(Clone)]
struct Scope {
    vars: Vec<(String, Ty)>,
    acc: String,
}

impl<'a, 'b> Gen<'a, 'b> {
    fn new(u: &'a mut Unstructured<'b>) -> Result<Self> {
        let count = u.int_in_range(1..=6)?;
        let mut protos = Vec::new();
        for k in 0..count {
            protos.push(gen_proto(u, k, count)?);
        }
        Ok(Gen {
            u,
            protos,
            funcs: Vec::new(),
            out: String::new(),
            drivers: HashMap::new(),
            pending: Vec::new(),
            fresh: 0,
        })
    }

    fn name(&mut self, stem: &str) -> String {
        self.fresh += 1;
        format!("{stem}{}", self.fresh)
    }

    fn finish(self) -> String {
        let mut text = String::from(HEADER);
        for (k, p) in self.protos.iter().enumerate() {
            let _ = writeln!(text, "protocol P{k} = {};", proto_text(p));
        }
        text + &self.out
    }

    /// Pure functions `f0 ..`, each calling only earlier ones; the odd
    /// ones recurse on a counter that the test `n <= 0` bounds.
    fn emit_functions(&mut self) -> Result<()> {
        let count = self.u.int_in_range(0..=3)?;
        for i in 0..count {
            let params: Vec<Ty> = (0..self.u.int_in_range(1..=3)?)
                .map(|_| self.pick_type())
                .collect::<Result<_>>()?;
            let mut scope = Scope {
                vars: Vec::new(),
                acc: "0".into(),
            };
            let mut sig = Vec::new();
            for (j, ty) in params.iter().enumerate() {
                sig.push(format!("{} p{j}", ty.text()));
                scope.vars.push((format!("p{j}"), *ty));
            }
            // Both bodies are made before `f{i}` and `g{i}` are callable,
            // so they call only earlier functions.
            let body = self.expr(Ty::Int, &scope, 3)?;
            let _ = writeln!(self.out, "Int f{i}({}) {{ {body} }}", sig.join(", "));
            if i % 2 == 1 {
                let scope = Scope {
                    vars: vec![("n".into(), Ty::Int)],
                    acc: "0".into(),
                };
                let step = self.expr(Ty::Int, &scope, 2)?;
                let _ = writeln!(
                    self.out,
                    "Int g{i}(Int n) {{ if (n <= 0) {{ 1 }} else {{ (g{i}(n - 1) + {step}) % 1000 }} }}"
                );
            }
            self.funcs.push(params);
        }
        Ok(())
    }

    /// The top-level statements: the first protocol's session with
    /// stdout, and perhaps silent sessions of other protocols.
    fn emit_wiring(&mut self) -> Result<()> {
        let fuel = self.u.int_in_range(0..=3)?;
        let a = self.driver(0, Role::process(Side::A, true));
        let b = self.driver(0, Role::process(Side::B, false));
        let mut lines = vec![
            format!("{a}(c0, {fuel}, 0, stdout);"),
            format!("{b}(~c0, {fuel}, 0);"),
        ];
        for extra in 1..self.protos.len() {
            if self.u.ratio(1, 4)? {
                let a = self.driver(extra, Role::process(Side::A, false));
                let b = self.driver(extra, Role::process(Side::B, false));
                lines.push(format!("{a}(c{extra}, {fuel}, 1);"));
                lines.push(format!("{b}(~c{extra}, {fuel}, 1);"));
            }
        }
        if self.u.arbitrary()? {
            lines.reverse();
        }
        for line in lines {
            let _ = writeln!(self.out, "{line}");
        }
        Ok(())
    }

    /// The name of the player of protocol `k` in `role`, queued to be
    /// written if it is new.
    fn driver(&mut self, k: usize, role: Role) -> String {
        if let Some(name) = self.drivers.get(&(k, role)) {
            return name.clone();
        }
        let side = if role.side == Side::A { "a" } else { "b" };
        let function = if role.function { "f" } else { "" };
        let printing = if role.printing { "p" } else { "" };
        let name = format!("{side}{function}{k}{printing}");
        self.drivers.insert((k, role), name.clone());
        self.pending.push((k, role));
        name
    }

    /// Whether side A of protocol `k` can be played by a function: no
    /// path through it forks.
    fn inlinable(&self, k: usize) -> bool {
        self.protos[k]
            .branches
            .iter()
            .all(|(_, seq)| match seq.tail {
                Tail::Fork(..) => false,
                Tail::Goto(j) => self.inlinable(j),
                Tail::Close { .. } | Tail::Loop => true,
            })
    }

    /// Writes the process or function that plays protocol `k` in `role`.
    fn emit_player(&mut self, k: usize, role: Role) -> Result<()> {
        let name = self.driver(k, role);
        let chan = match role.side {
            Side::A => format!("P{k}"),
            Side::B => format!("neg<P{k}>"),
        };
        let out = if role.printing {
            ", PutSeq<Char> out"
        } else {
            ""
        };
        let scope = Scope {
            vars: vec![("fuel".into(), Ty::Int), ("acc".into(), Ty::Int)],
            acc: "acc".into(),
        };
        let mut body = String::new();
        match self.protos[k].choice {
            None => self.seq(&mut body, k, 0, role, scope)?,
            Some(a_puts) if (role.side == Side::A) == a_puts => {
                self.choose(&mut body, k, role, scope)?
            }
            Some(_) => self.offer(&mut body, k, role, scope)?,
        }
        let head = if role.function { "Int" } else { "process" };
        let _ = writeln!(
            self.out,
            "{head} {name}({chan} c, Int fuel, Int acc{out}) {{\n{body}}}"
        );
        Ok(())
    }

    /// The chooser's side of a choice: loop branches while there is fuel,
    /// then the others, picking among several by generated conditions.
    fn choose(&mut self, body: &mut String, k: usize, role: Role, scope: Scope) -> Result<()> {
        let (looping, ending): (Vec<usize>, Vec<usize>) = (0..self.protos[k].branches.len())
            .partition(|&b| matches!(self.protos[k].branches[b].1.tail, Tail::Loop));
        if looping.is_empty() {
            return self.choose_among(body, k, &ending, role, &scope);
        }
        body.push_str("if (fuel > 0) {\n");
        self.choose_among(body, k, &looping, role, &scope)?;
        body.push_str("} else {\n");
        self.choose_among(body, k, &ending, role, &scope)?;
        body.push_str("}\n");
        Ok(())
    }

    fn choose_among(
        &mut self,
        body: &mut String,
        k: usize,
        branches: &[usize],
        role: Role,
        scope: &Scope,
    ) -> Result<()> {
        let Some((&first, rest)) = branches.split_first() else {
            return Ok(());
        };
        let label = self.protos[k].branches[first].0;
        if rest.is_empty() {
            let _ = writeln!(body, "c.put({label});");
            return self.seq(body, k, first, role, scope.clone());
        }
        let cond = self.expr(Ty::Bool, scope, 2)?;
        let _ = writeln!(body, "if ({cond}) {{\nc.put({label});");
        self.seq(body, k, first, role, scope.clone())?;
        body.push_str("} else {\n");
        self.choose_among(body, k, rest, role, scope)?;
        body.push_str("}\n");
        Ok(())
    }

    /// The other side of a choice: a `switch` on the label received.
    fn offer(&mut self, body: &mut String, k: usize, role: Role, scope: Scope) -> Result<()> {
        body.push_str("switch (c.get) {\n");
        for b in 0..self.protos[k].branches.len() {
            let label = self.protos[k].branches[b].0;
            let _ = writeln!(body, "case {label}:");
            self.seq(body, k, b, role, scope.clone())?;
        }
        body.push_str("}\n");
        Ok(())
    }

    /// Branch `b` of protocol `k`, as `role` plays it.
    fn seq(
        &mut self,
        body: &mut String,
        k: usize,
        b: usize,
        role: Role,
        mut scope: Scope,
    ) -> Result<()> {
        let steps: Vec<(bool, Result<Ty, usize>)> = self.protos[k].branches[b]
            .1
            .steps
            .iter()
            .map(|s| match *s {
                Step::Value { put, ty } => (put, Ok(ty)),
                Step::Channel { put, proto } => (put, Err(proto)),
            })
            .collect();
        // Some receives wait in a one-case `race`, whose case holds the
        // rest of the branch (a race with one case has one outcome, so the
        // output stays the same under every schedule).
        let mut races = 0;
        for (put, what) in steps {
            let sends = put == (role.side == Side::A);
            if !sends && self.u.ratio(1, 4)? {
                body.push_str("race {\ncase c:\n");
                races += 1;
            }
            match what {
                Ok(ty) if sends => {
                    let e = self.expr(ty, &scope, 3)?;
                    let _ = writeln!(body, "c.put({e});");
                }
                Ok(ty) => self.receive(body, ty, role, &mut scope)?,
                Err(j) if sends => {
                    let d = self.name("d");
                    let server = self.driver(j, Role::process(Side::B, false));
                    let acc = &scope.acc;
                    let _ = writeln!(body, "P{j} {d};\n{server}(~{d}, fuel, {acc});\nc.put({d});");
                }
                Err(j) => self.receive_channel(body, j, role, &mut scope)?,
            }
        }
        self.tail(body, k, b, role, &scope)?;
        body.push_str(&"}\n".repeat(races));
        Ok(())
    }

    /// Receives a channel of protocol `j` and plays side A of it: in a
    /// new process, or by calling a function that returns the new total
    /// (and, when this player prints, lends it stdout).
    fn receive_channel(
        &mut self,
        body: &mut String,
        j: usize,
        role: Role,
        scope: &mut Scope,
    ) -> Result<()> {
        let d = self.name("d");
        let _ = writeln!(body, "let {d} = c.get;");
        let acc = scope.acc.clone();
        if self.inlinable(j) && self.u.arbitrary()? {
            let player = Role {
                side: Side::A,
                printing: role.printing,
                function: true,
            };
            let f = self.driver(j, player);
            let out = if role.printing { ", out" } else { "" };
            let total = self.name("acc");
            let _ = writeln!(body, "let {total} = {f}({d}, fuel, {acc}{out});");
            scope.vars.push((total.clone(), Ty::Int));
            scope.acc = total;
        } else {
            let client = self.driver(j, Role::process(Side::A, false));
            let _ = writeln!(body, "{client}({d}, fuel, {acc});");
        }
        Ok(())
    }

    /// Receives a value into a new name, prints it when this player
    /// prints, and folds it into the running total.
    fn receive(&mut self, body: &mut String, ty: Ty, role: Role, scope: &mut Scope) -> Result<()> {
        let v = self.name("v");
        if self.u.arbitrary()? {
            let _ = writeln!(body, "let {v} = c.get;");
        } else {
            let _ = writeln!(body, "{} {v} = c.get;", ty.text());
        }
        if role.printing {
            let _ = writeln!(body, "writeLine(out, show({v}));");
        }
        let part = match ty {
            Ty::Int => v.clone(),
            Ty::Bool => format!("(if ({v}) {{ 1 }} else {{ 0 }})"),
            Ty::Str => format!("length({v})"),
            Ty::List => format!("(sum({v}) % 1000)"),
            Ty::Pair => {
                let (x, s) = (self.name("x"), self.name("s"));
                let _ = writeln!(body, "let ({x}, {s}) = {v};");
                scope.vars.push((x.clone(), Ty::Int));
                scope.vars.push((s.clone(), Ty::Str));
                format!("({x} + length({s}))")
            }
            Ty::Maybe => format!("unwrap({v}, 7)"),
            Ty::Tree => format!("treeSum({v})"),
            Ty::Obj => format!("{v}.val()"),
        };
        scope.vars.push((v, ty));
        let acc = self.name("acc");
        let _ = writeln!(body, "let {acc} = ({} + {part}) % 1000;", scope.acc);
        scope.vars.push((acc.clone(), Ty::Int));
        scope.acc = acc;
        Ok(())
    }

    /// How a branch ends: a process closes (and the printer prints the
    /// total and closes stdout) or continues in another process; a
    /// function yields the total or the next function's.
    fn tail(
        &mut self,
        body: &mut String,
        k: usize,
        b: usize,
        role: Role,
        scope: &Scope,
    ) -> Result<()> {
        let acc = &scope.acc;
        let out = if role.printing { ", out" } else { "" };
        match self.protos[k].branches[b].1.tail {
            Tail::Close { explicit } => {
                if explicit {
                    body.push_str("c.close();\n");
                }
                if role.function {
                    let _ = writeln!(body, "{acc}");
                } else if role.printing {
                    let _ = writeln!(body, "writeLine(out, \"total \" ++ show({acc}));");
                    body.push_str("out.put(StopPut);\n");
                }
            }
            Tail::Goto(j) => {
                let next = self.driver(j, role);
                let _ = writeln!(body, "{next}(c, fuel, {acc}{out}){}", end(role));
            }
            Tail::Loop => {
                let next = self.driver(k, role);
                let _ = writeln!(body, "{next}(c, fuel - 1, {acc}{out}){}", end(role));
            }
            Tail::Fork(i, j) => self.fork(body, (i, j), role, acc)?,
        }
        Ok(())
    }

    /// Side A forks (stdout, if it holds it, goes to one arm); side B
    /// splits and starts a process on each half.
    fn fork(
        &mut self,
        body: &mut String,
        (i, j): (usize, usize),
        role: Role,
        acc: &str,
    ) -> Result<()> {
        let (x, y) = (self.name("x"), self.name("y"));
        match role.side {
            Side::A => {
                let first_prints = role.printing && self.u.arbitrary()?;
                let second_prints = role.printing && !first_prints;
                let left = self.driver(i, Role::process(Side::A, first_prints));
                let right = self.driver(j, Role::process(Side::A, second_prints));
                let lo = if first_prints { ", out" } else { "" };
                let ro = if second_prints { ", out" } else { "" };
                let _ = writeln!(
                    body,
                    "fork c as\n{x} {{ {left}({x}, fuel, {acc}{lo}); }},\n{y} {{ {right}({y}, fuel, {acc}{ro}); }};"
                );
            }
            Side::B => {
                let left = self.driver(i, Role::process(Side::B, false));
                let right = self.driver(j, Role::process(Side::B, false));
                let _ = writeln!(
                    body,
                    "split c as ({x}, {y});\n{left}({x}, fuel, {acc});\n{right}({y}, fuel, {acc});"
                );
            }
        }
        Ok(())
    }

    fn pick_type(&mut self) -> Result<Ty> {
        Ok(*self.u.choose(&TYPES)?)
    }

    /// An expression of type `ty` over `scope`, at most `depth` deep.
    fn expr(&mut self, ty: Ty, scope: &Scope, depth: u32) -> Result<String> {
        let vars: Vec<&String> = scope
            .vars
            .iter()
            .filter(|(_, t)| *t == ty)
            .map(|(n, _)| n)
            .collect();
        if !vars.is_empty() && self.u.ratio(1, 3)? {
            return Ok((*self.u.choose(&vars)?).clone());
        }
        if depth == 0 {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Int => self.int_expr(scope, d),
            Ty::Bool => self.bool_expr(scope, d),
            Ty::Str => self.str_expr(scope, d),
            Ty::List => self.list_expr(scope, d),
            Ty::Pair => {
                let (a, b) = (self.expr(Ty::Int, scope, d)?, self.expr(Ty::Str, scope, d)?);
                Ok(format!("({a}, {b})"))
            }
            Ty::Maybe => Ok(if self.u.ratio(1, 3)? {
                "Nothing".into()
            } else {
                format!("Just({})", self.expr(Ty::Int, scope, d)?)
            }),
            Ty::Tree => Ok(if self.u.ratio(1, 3)? {
                "Leaf".into()
            } else {
                let l = self.expr(Ty::Tree, scope, d)?;
                let v = self.expr(Ty::Int, scope, d)?;
                let r = self.expr(Ty::Tree, scope, d)?;
                format!("Node({l}, {v}, {r})")
            }),
            Ty::Obj => {
                if self.u.arbitrary()? {
                    Ok(format!("mkObj({})", self.expr(Ty::Int, scope, d)?))
                } else {
                    let o = self.expr(Ty::Obj, scope, d)?;
                    let k = self.expr(Ty::Int, scope, d)?;
                    Ok(format!("({o}).bump({k})"))
                }
            }
        }
    }

    /// A constant of type `ty`.
    fn leaf(&mut self, ty: Ty) -> Result<String> {
        Ok(match ty {
            Ty::Int => {
                let n: i64 = self.u.int_in_range(-99..=99)?;
                if n < 0 {
                    format!("({n})")
                } else {
                    n.to_string()
                }
            }
            Ty::Bool => if self.u.arbitrary()? { "true" } else { "false" }.into(),
            Ty::Str => {
                let words = [
                    "\"\"",
                    "\"a\"",
                    "\"hello\"",
                    "\"tab\\tq\\\"\"",
                    "\"\\u{3bb}x\"",
                    "\"line\\n\"",
                ];
                (*self.u.choose(&words)?).into()
            }
            Ty::List => "[]".into(),
            Ty::Pair => format!("(1, {})", self.leaf(Ty::Str)?),
            Ty::Maybe => "Nothing".into(),
            Ty::Tree => "Leaf".into(),
            Ty::Obj => "mkObj(3)".into(),
        })
    }

    fn int_expr(&mut self, scope: &Scope, d: u32) -> Result<String> {
        let choice = self.u.int_in_range(0..=12)?;
        Ok(match choice {
            0..=2 => {
                let op = *self.u.choose(&["+", "-", "*"])?;
                let (a, b) = (self.expr(Ty::Int, scope, d)?, self.expr(Ty::Int, scope, d)?);
                format!("(({a} {op} {b}) % 1000)")
            }
            3 => {
                let k = self.u.int_in_range(1..=9)?;
                let op = *self.u.choose(&["/", "%"])?;
                format!("({} {op} {k})", self.expr(Ty::Int, scope, d)?)
            }
            4 => {
                let c = self.expr(Ty::Bool, scope, d)?;
                let (a, b) = (self.expr(Ty::Int, scope, d)?, self.expr(Ty::Int, scope, d)?);
                format!("(if ({c}) {{ {a} }} else {{ {b} }})")
            }
            5 => format!("length({})", self.expr(Ty::Str, scope, d)?),
            6 => format!("(sum({}) % 1000)", self.expr(Ty::List, scope, d)?),
            7 => format!("treeSum({})", self.expr(Ty::Tree, scope, d)?),
            8 => format!("({}).val()", self.expr(Ty::Obj, scope, d)?),
            9 => self.match_maybe(scope, d)?,
            10 => {
                let xs = self.expr(Ty::List, scope, d)?;
                let (i, dflt) = (self.expr(Ty::Int, scope, d)?, self.expr(Ty::Int, scope, d)?);
                format!("({xs})[{i}, {dflt}]")
            }
            11 if !self.funcs.is_empty() => self.call(scope, d)?,
            _ => {
                let name = self.name("t");
                let bound = self.expr(Ty::Int, scope, d)?;
                let mut inner = scope.clone();
                inner.vars.push((name.clone(), Ty::Int));
                let op = *self.u.choose(&["min", "max"])?;
                let rest = self.expr(Ty::Int, &inner, d)?;
                format!("{{ let {name} = {bound}; {op}(abs({name}), {rest}) }}")
            }
        })
    }

    /// `switch` on a `Maybe`, binding the inside in one case.
    fn match_maybe(&mut self, scope: &Scope, d: u32) -> Result<String> {
        let m = self.expr(Ty::Maybe, scope, d)?;
        let x = self.name("m");
        let none = self.expr(Ty::Int, scope, d)?;
        let mut inner = scope.clone();
        inner.vars.push((x.clone(), Ty::Int));
        let some = self.expr(Ty::Int, &inner, d)?;
        Ok(format!(
            "(switch ({m}) {{ case Nothing: {none} case Just({x}): {some} }})"
        ))
    }

    /// A call of a generated function (or its recursive companion).
    fn call(&mut self, scope: &Scope, d: u32) -> Result<String> {
        let i = self.u.choose_index(self.funcs.len())?;
        if i % 2 == 1 && self.u.arbitrary()? {
            let n = self.expr(Ty::Int, scope, d)?;
            return Ok(format!("g{i}(abs({n}) % 6)"));
        }
        let params = self.funcs[i].clone();
        let args: Vec<String> = params
            .into_iter()
            .map(|t| self.expr(t, scope, d))
            .collect::<Result<_>>()?;
        Ok(format!("f{i}({})", args.join(", ")))
    }

    fn bool_expr(&mut self, scope: &Scope, d: u32) -> Result<String> {
        Ok(match self.u.int_in_range(0..=5)? {
            0 => {
                let op = *self.u.choose(&["<", "<=", ">", ">=", "==", "!="])?;
                let (a, b) = (self.expr(Ty::Int, scope, d)?, self.expr(Ty::Int, scope, d)?);
                format!("({a} {op} {b})")
            }
            1 => {
                let ty = *self
                    .u
                    .choose(&[Ty::Str, Ty::List, Ty::Pair, Ty::Maybe, Ty::Tree])?;
                let (a, b) = (self.expr(ty, scope, d)?, self.expr(ty, scope, d)?);
                format!("({a} == {b})")
            }
            2 => format!("!({})", self.expr(Ty::Bool, scope, d)?),
            3 => {
                let op = *self.u.choose(&["&&", "||"])?;
                let (a, b) = (
                    self.expr(Ty::Bool, scope, d)?,
                    self.expr(Ty::Bool, scope, d)?,
                );
                format!("({a} {op} {b})")
            }
            4 => format!("isJust({})", self.expr(Ty::Maybe, scope, d)?),
            _ => self.leaf(Ty::Bool)?,
        })
    }

    fn str_expr(&mut self, scope: &Scope, d: u32) -> Result<String> {
        Ok(match self.u.int_in_range(0..=3)? {
            0 => {
                let ty = self.pick_type()?;
                format!("show({})", self.expr(ty, scope, d)?)
            }
            1 => {
                let (a, b) = (self.expr(Ty::Str, scope, d)?, self.expr(Ty::Str, scope, d)?);
                format!("({a} ++ {b})")
            }
            2 => {
                let (a, b) = (self.expr(Ty::Str, scope, d)?, self.expr(Ty::Str, scope, d)?);
                format!("concat({a}, {b})")
            }
            _ => self.leaf(Ty::Str)?,
        })
    }

    fn list_expr(&mut self, scope: &Scope, d: u32) -> Result<String> {
        Ok(match self.u.int_in_range(0..=4)? {
            0 => {
                let items: Vec<String> = (0..self.u.int_in_range(1..=3)?)
                    .map(|_| self.expr(Ty::Int, scope, d))
                    .collect::<Result<_>>()?;
                format!("[{}]", items.join(", "))
            }
            1 => {
                let (x, xs) = (
                    self.expr(Ty::Int, scope, d)?,
                    self.expr(Ty::List, scope, d)?,
                );
                format!("({x} : {xs})")
            }
            2 => {
                let (a, b) = (
                    self.expr(Ty::List, scope, d)?,
                    self.expr(Ty::List, scope, d)?,
                );
                format!("({a} ++ {b})")
            }
            3 => {
                // A closure over the scope, mapped over a list.
                let x = self.name("e");
                let mut inner = scope.clone();
                inner.vars.push((x.clone(), Ty::Int));
                let f = self.expr(Ty::Int, &inner, d)?;
                let xs = self.expr(Ty::List, scope, d)?;
                format!("map(record Func<Int, Int> {{ Int call(Int {x}) {{ {f} }} }}, {xs})")
            }
            _ => self.leaf(Ty::List)?,
        })
    }
}

/// Protocol `k` of `count`: references only later protocols.
fn gen_proto(u: &mut Unstructured, k: usize, count: usize) -> Result<Proto> {
    let later = k + 1..count;
    if u.ratio(1, 3)? {
        return Ok(Proto {
            choice: None,
            branches: vec![("", gen_seq(u, later, false)?)],
        });
    }
    let a_puts = u.arbitrary()?;
    let n = u.int_in_range(2..=3)?;
    let mut labels: Vec<&'static str> = LABELS.to_vec();
    let mut branches = Vec::new();
    for b in 0..n {
        let i = u.choose_index(labels.len())?;
        let label = labels.remove(i);
        // The first branch never loops, so the chooser can always stop.
        branches.push((label, gen_seq(u, later.clone(), b > 0)?));
    }
    Ok(Proto {
        choice: Some(a_puts),
        branches,
    })
}

fn gen_seq(u: &mut Unstructured, later: std::ops::Range<usize>, may_loop: bool) -> Result<Seq> {
    let mut steps = Vec::new();
    for _ in 0..u.int_in_range(0..=3)? {
        let put = u.arbitrary()?;
        if !later.is_empty() && u.ratio(1, 5)? {
            let proto = u.int_in_range(later.start..=later.end - 1)?;
            steps.push(Step::Channel { put, proto });
        } else {
            steps.push(Step::Value {
                put,
                ty: *u.choose(&TYPES)?,
            });
        }
    }
    let pick_later = |u: &mut Unstructured| u.int_in_range(later.start..=later.end - 1);
    let tail = match u.int_in_range(0..=4)? {
        0 | 1 if may_loop => Tail::Loop,
        2 if !later.is_empty() => Tail::Goto(pick_later(u)?),
        3 if !later.is_empty() => Tail::Fork(pick_later(u)?, pick_later(u)?),
        _ => Tail::Close {
            explicit: u.arbitrary()?,
        },
    };
    Ok(Seq { steps, tail })
}

fn proto_text(p: &Proto) -> String {
    match p.choice {
        None => seq_text(&p.branches[0].1),
        Some(a_puts) => {
            let dir = if a_puts { "put" } else { "get" };
            let branches: Vec<String> = p
                .branches
                .iter()
                .map(|(label, seq)| format!("{dir} {label}: {}", seq_text(seq)))
                .collect();
            branches.join("\n  | ")
        }
    }
}

fn seq_text(seq: &Seq) -> String {
    let mut parts: Vec<String> = seq
        .steps
        .iter()
        .map(|s| match *s {
            Step::Value { put, ty } => format!("{} {}", dir(put), ty.text()),
            Step::Channel { put, proto } => format!("{} P{proto}", dir(put)),
        })
        .collect();
    match seq.tail {
        Tail::Close { explicit } if explicit || parts.is_empty() => parts.push("close".into()),
        Tail::Close { .. } => {}
        Tail::Goto(j) => parts.push(format!("P{j}")),
        Tail::Loop => parts.push("loop".into()),
        Tail::Fork(i, j) => parts.push(format!("fork(P{i}, P{j})")),
    }
    parts.join(", ")
}

/// A process call is a statement; a function's tail call is its value.
fn end(role: Role) -> &'static str {
    if role.function { "" } else { ";" }
}

fn dir(put: bool) -> &'static str {
    if put { "put" } else { "get" }
}

/// What one run produced.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub report: String,
}

/// A checked program and the sources its diagnostics point into.
pub struct Compiled {
    pub program: mpl::ir::Program,
    pub sources: mpl::source::SourceMap,
}

/// Compiles `source`, panicking with the program and its diagnostics if
/// it does not check: generated programs are well typed by construction.
pub fn compile(source: &str) -> Compiled {
    let mut sources = mpl::source::SourceMap::new();
    let input = mpl::SourceInput::Text {
        name: "generated.mpl".into(),
        text: source.to_string(),
    };
    match mpl::compile(&mut sources, input) {
        Ok(program) => Compiled { program, sources },
        Err(diags) => {
            let report: String = diags
                .iter()
                .map(|d| mpl::diagnostics::render(d, &sources, false))
                .collect();
            panic!("a generated program does not check:\n{source}\n{report}");
        }
    }
}

/// Runs a compiled program under `config` with captured output.
pub fn run(compiled: &Compiled, config: mpl::runtime::Config) -> Outcome {
    let buffer = Capture::default();
    let host = mpl::host::Host::writing_to(buffer.output(), mpl::host::discard());
    let (code, diag) = mpl::run_program(compiled.program.clone(), host, config);
    let report = diag
        .map(|d| mpl::diagnostics::render(&d, &compiled.sources, false))
        .unwrap_or_default();
    Outcome {
        code,
        stdout: buffer.text(),
        report,
    }
}

/// Runs a compiled program under `--seed seed` and on two worker threads;
/// panics unless the first ends with exit 0 and the second prints the same.
/// `run` runs one (with a time limit, in a test). Gives the seeded run.
pub fn agree_on_schedules(
    compiled: &Compiled,
    source: &str,
    seed: u64,
    run: impl Fn(&Compiled, mpl::runtime::Config) -> Outcome,
) -> Outcome {
    use mpl::runtime::Config;
    let seeded = run(
        compiled,
        Config {
            threads: 1,
            seed: Some(seed),
            ..Config::default()
        },
    );
    assert_eq!(
        (seeded.code, seeded.report.as_str()),
        (0, ""),
        "the program failed under --seed {seed}:\n{source}"
    );
    let threaded = run(
        compiled,
        Config {
            threads: 2,
            ..Config::default()
        },
    );
    assert_eq!(
        seeded, threaded,
        "--seed {seed} and --threads 2 differ:\n{source}"
    );
    seeded
}

/// A `Write` into a buffer shared with the caller.
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<parking_lot::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
    fn output(&self) -> mpl::host::Output {
        std::sync::Arc::new(parking_lot::Mutex::new(Box::new(self.clone())))
    }
}
