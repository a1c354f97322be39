//! Checker speed: generates a well-typed program of about 10,000 lines
//! (data types, generic and recursive functions, protocols and processes
//! that use them) and times `mpl::compile` on it. Target (issue 3): under
//! 0.5 s on one core. Run with `cargo bench --bench check_speed`.

use mpl::SourceInput;
use mpl::source::SourceMap;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// One block of about 50 lines; `i` keeps the names apart.
fn unit(out: &mut String, i: usize) {
    let _ = write!(
        out,
        r#"data Shape{i} = Circle{i}(Float) | Rect{i}(Float, Float) | Dot{i};

Float area{i}(Shape{i} s) {{
  switch s {{
    case Circle{i}(r): 3.0 * r * r
    case Rect{i}(w, h): w * h
    case Dot{i}: 0.0
  }}
}}

[t] keep{i}([t] xs, Int n) {{
  if (n <= 0) {{
    []
  }} else {{
    switch xs {{
      case []: []
      case (x:rest): x : keep{i}(rest, n - 1)
    }}
  }}
}}

Int sum{i}([Int] xs, Int acc) {{
  switch xs {{
    case []: acc
    case (x:rest): sum{i}(rest, acc + x * {i})
  }}
}}

protocol Ask{i} = put Query{i}: put Int, get String, loop
                | put Done{i}: close;

process server{i}(neg<Ask{i}> c, [String] names) {{
  switch (c.get) {{
    case Query{i}:
      let k = c.get;
      c.put(names[k, "none"]);
      server{i}(c, names);
    case Done{i}:
  }}
}}

void ask{i}(Ask{i} c, PutSeq<Char> out, Int k) {{
  c.put(Query{i}).put(k);
  writeLine(out, concat("got ", c.get));
}}

process client{i}(Ask{i} c, PutSeq<Char> out) {{
  ask{i}(c, out, 1);
  ask{i}(c, out, sum{i}(keep{i}([1, 2, 3], 2), 0));
  writeLine(out, show(area{i}(Rect{i}(2.0, 3.0))));
  c.put(Done{i});
  out.put(StopPut);
}}

"#
    );
}

fn main() {
    let mut text = String::new();
    let mut i = 0;
    while text.lines().count() < 10_000 {
        unit(&mut text, i);
        i += 1;
    }
    let _ = writeln!(text, "server0(~a, [\"x\", \"y\"]);\nclient0(a, stdout);");
    let lines = text.lines().count();
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = text.clone();
        let start = Instant::now();
        let ok = mpl::with_big_stack(move || {
            let mut sources = SourceMap::new();
            mpl::compile(
                &mut sources,
                SourceInput::Text {
                    name: "gen.mpl".into(),
                    text: t,
                },
            )
            .is_ok()
        });
        times.push(start.elapsed());
        assert!(ok, "the generated program must check");
    }
    times.sort();
    let median: Duration = times[times.len() / 2];
    println!(
        "check_speed: {lines} lines, {i} units: median {:.1} ms over {} runs (min {:.1} ms)",
        median.as_secs_f64() * 1e3,
        times.len(),
        times[0].as_secs_f64() * 1e3
    );
}
