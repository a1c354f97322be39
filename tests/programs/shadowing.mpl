// Shadowing: `let` may rebind a name (even at another type); inner blocks
// and case patterns shadow without changing the outer binding; records
// capture the value a name had when they were built.
Int shadowParam(Int n) {
  let n = n * 10;
  n + 1
}

// A `'` may follow a name.
Int next'(Int x') { x' + 1 }

process main(PutSeq<Char> out) {
  let x = 1;
  let x = x + 1;
  writeLine(out, show(x));
  let x = show(x);
  writeLine(out, concat(x, "!"));
  let z = 5;
  if (true) {
    let z = 6;
    writeLine(out, show(z));
  }
  writeLine(out, show(z));
  let v = 100;
  switch (Just(7)) {
    case Just(v):
      writeLine(out, show(v));
    case Nothing:
  }
  writeLine(out, show(v));
  writeLine(out, show(shadowParam(4)));
  let n = 1;
  let f = record Func<Int, Int> {
    Int call(Int k) { k + n }
  };
  let n = 50;
  writeLine(out, show(f.call(0)));
  writeLine(out, show(n));
  let n' = next'(n);
  writeLine(out, show(n'));
  out.put(StopPut);
}

main(stdout);
