// User data types (plain, generic, recursive), Either from the prelude,
// switch with constructor, nested, literal and Bool patterns, and case
// bodies of several statements that run up to the next `case`.
data Shape = Circle(Int) | Rect(Int, Int) | Empty;
data Tree<t> = Leaf | Node(Tree<t>, t, Tree<t>);
data Color = Red | Green | Blue;

Int area(Shape s) {
  switch s {
    case Circle(r): 3 * r * r
    case Rect(w, h): w * h
    case Empty: 0
  }
}

String colorName(Color c) {
  switch (c) {
    case Red: "red"
    case Green: "green"
    case Blue: "blue"
  }
}

Int sumTree(Tree<Int> t) {
  switch t {
    case Leaf: 0
    case Node(l, v, r): sumTree(l) + v + sumTree(r)
  }
}

String classify(Maybe<Shape> m) {
  switch m {
    case Nothing: "none"
    case Just(Circle(_)): "circle"
    case Just(Rect(w, h)):
      if (w == h) { "square" } else { "rect" }
    case Just(Empty): "empty"
  }
}

String small(Int n) {
  switch n {
    case 0: "zero"
    case 1: "one"
    case _: "many"
  }
}

String yesNo(Bool b) {
  switch b {
    case true: "yes"
    case false: "no"
  }
}

Either<String, Int> safeDiv(Int a, Int b) {
  if (b == 0) { Left("divide by zero") } else { Right(a / b) }
}

String showResult(Either<String, Int> e) {
  switch e {
    case Left(msg): concat("error: ", msg)
    case Right(v): concat("ok: ", show(v))
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(area(Circle(2))));
  writeLine(out, show(area(Rect(2, 3))));
  writeLine(out, show(area(Empty)));
  writeLine(out, show(Rect(2, 3)));
  writeLine(out, colorName(Green));
  let tree = Node(Node(Leaf, 1, Leaf), 2, Node(Leaf, 3, Leaf));
  writeLine(out, show(sumTree(tree)));
  writeLine(out, show(tree));
  writeLine(out, classify(Nothing));
  writeLine(out, classify(Just(Circle(1))));
  writeLine(out, classify(Just(Rect(2, 2))));
  writeLine(out, classify(Just(Rect(2, 5))));
  writeLine(out, classify(Just(Empty)));
  writeLine(out, small(0));
  writeLine(out, small(1));
  writeLine(out, small(7));
  writeLine(out, yesNo(1 < 2));
  writeLine(out, showResult(safeDiv(7, 2)));
  writeLine(out, showResult(safeDiv(7, 0)));
  writeLine(out, show(safeDiv(1, 0)));
  writeLine(out, show([Red, Blue]));
  switch (Just(Circle(3))) {
    case Just(sh):
      let a = area(sh);
      writeLine(out, "multi");
      writeLine(out, show(a));
    case Nothing:
      writeLine(out, "nothing");
  }
  out.put(StopPut);
}

main(stdout);
