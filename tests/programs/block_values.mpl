// A block `{ s1; s2; e }` runs its statements and yields its last
// expression; a block ending with a statement yields `()`; switch and if
// are expressions; void functions return `()`.
void doNothing() { }

Int sixFromBlock() {
  let x = 2;
  let y = 3;
  x * y
}

process main(PutSeq<Char> out) {
  let a = {
    let t = 3;
    t * t
  };
  writeLine(out, show(a));
  let b = {
    writeLine(out, "side effect first");
    5
  };
  writeLine(out, show(b));
  let u = {
    let q = 1;
  };
  writeLine(out, show(u));
  writeLine(out, show(sixFromBlock()));
  let s = switch (a) {
    case 9: "nine"
    case _: "other"
  };
  writeLine(out, s);
  let nested = {
    let inner = { 4 };
    inner + 1
  };
  writeLine(out, show(nested));
  writeLine(out, show(doNothing()));
  let chosen = if (b > 4) {
    let base = 10;
    base + b
  } else {
    0
  };
  writeLine(out, show(chosen));
  out.put(StopPut);
}

main(stdout);
