//! A generated, well-typed MPL program of any length, for the benchmarks:
//! blocks of about 50 lines (data types, generic and recursive functions,
//! a protocol, a server and a client of it), then a main that runs the
//! first block.

use std::fmt::Write;

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

/// A program of at least `lines` lines, and the number of blocks in it.
pub fn program(lines: usize) -> (String, usize) {
    let mut text = String::new();
    let mut i = 0;
    while text.lines().count() < lines {
        unit(&mut text, i);
        i += 1;
    }
    let _ = writeln!(text, "server0(~a, [\"x\", \"y\"]);\nclient0(a, stdout);");
    (text, i)
}
