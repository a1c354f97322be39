// Tuples: building, returning from functions, nested destructuring with
// `let`, wildcards, switching on a tuple, and show.
(Int, Int) divMod(Int a, Int b) { (a / b, a % b) }

(String, (Int, Bool)) nested() { ("x", (1, true)) }

process main(PutSeq<Char> out) {
  let (q, r) = divMod(17, 5);
  writeLine(out, show(q));
  writeLine(out, show(r));
  let (name, (n, flag)) = nested();
  writeLine(out, name);
  writeLine(out, show(n));
  writeLine(out, show(flag));
  let t = (1, 'c', "s", 2.5);
  writeLine(out, show(t));
  let (_, second, _, _) = t;
  writeLine(out, show(second));
  let pair = (3, 4);
  let (a, b) = pair;
  writeLine(out, show(a * b));
  let label = switch (q, r) {
    case (3, 2): "three rem two"
    case (_, _): "other"
  };
  writeLine(out, label);
  writeLine(out, show(((1, 2), [3])));
  writeLine(out, show(divMod(7, 2) == (3, 1)));
  out.put(StopPut);
}

main(stdout);
