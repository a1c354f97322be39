// List literals, cons (right-associative), nesting, and list patterns:
// `[]`, `[x]`, `[x, y]` and a parenthesized cons pattern in a case label.
String describe([Int] xs) {
  switch xs {
    case []: "empty"
    case [x]: concat("one: ", show(x))
    case [x, y]: concat("two: ", show(x + y))
    case (x:_:_): concat("many, starting ", show(x))
  }
}

// `List<t>` is another name for `[t]`.
Int total(List<Int> xs) {
  switch xs {
    case []: 0
    case (x:rest): x + total(rest)
  }
}

process main(PutSeq<Char> out) {
  let xs = [1, 2, 3];
  writeLine(out, show(xs));
  writeLine(out, show(0 : xs));
  writeLine(out, show(1 : 2 : []));
  writeLine(out, show([[1], [], [2, 3]]));
  writeLine(out, show([(1, 'a'), (2, 'b')]));
  writeLine(out, show([Just(1), Nothing]));
  writeLine(out, show(length(xs)));
  writeLine(out, describe([]));
  writeLine(out, describe([5]));
  writeLine(out, describe([5, 6]));
  writeLine(out, describe([7, 8, 9]));
  writeLine(out, describe(4 : []));
  let ys = 9 : xs;
  writeLine(out, show(ys));
  writeLine(out, show(xs));
  writeLine(out, show(tail([1])));
  writeLine(out, show(total(xs)));
  out.put(StopPut);
}

main(stdout);
