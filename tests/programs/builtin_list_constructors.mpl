// LANGUAGE.md 4.2: `List<t>`, `Nil` and `Cons` are the built-in list's
// (docs/decisions.md), in types, expressions and patterns alike.
Int length2(List<t> list) {
  switch list {
    case Nil: 0
    case Cons(_, rest): 1 + length2(rest)
  }
}

process main(PutSeq<Char> out) {
  let xs = Cons(1, Cons(2, Cons(3, Nil)));
  writeLine(out, show(length2(xs)));
  writeLine(out, show(xs));
  writeLine(out, show(length2([4, 5])));
  out.put(StopPut);
}

main(stdout);
