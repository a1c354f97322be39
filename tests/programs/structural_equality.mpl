// == != < <= > >= are structural on lists, tuples and data values; strings
// compare equal however they were built (literal, ++, cons, reverse, split).
// Data values order by constructor (declaration order), then fields.
data Shape = Circle(Int) | Rect(Int, Int);

process main(PutSeq<Char> out) {
  writeLine(out, show([1, 2] == [1, 2]));
  writeLine(out, show([1, 2] != [1, 3]));
  writeLine(out, show([1, 2] == [1, 2, 3]));
  writeLine(out, show((1, "a") == (1, "a")));
  writeLine(out, show((1, "a") == (1, "b")));
  writeLine(out, show(Just([1]) == Just([1])));
  writeLine(out, show(Just(1) == Nothing));
  writeLine(out, show("abc" == 'a' : "bc"));
  let built = reverse("cba");
  writeLine(out, show(built == "abc"));
  writeLine(out, show("ab" ++ "c" == "abc"));
  let consBuilt = 'x' : 'y' : 'z' : [];
  writeLine(out, show(consBuilt == "xyz"));
  writeLine(out, show(split("a,b", ',') == ["a", "b"]));
  writeLine(out, show([] == tail([1])));
  writeLine(out, show("" == tail("x")));
  writeLine(out, show(Rect(1, 2) == Rect(1, 2)));
  writeLine(out, show(Rect(1, 2) == Circle(1)));
  writeLine(out, show([Rect(1, 2)] != [Rect(2, 1)]));
  writeLine(out, show(0.5 == 0.25 + 0.25));
  writeLine(out, show('a' == 'a'));
  writeLine(out, show(true != false));
  writeLine(out, show([1, 2] < [1, 3]));
  writeLine(out, show("apple" < "banana"));
  writeLine(out, show((2, 1) > (1, 9)));
  writeLine(out, show([1] < [1, 0]));
  writeLine(out, show("b" >= "abc"));
  writeLine(out, show(Nothing < Just(0)));
  writeLine(out, show(Circle(9) < Rect(0, 0)));
  writeLine(out, show(Rect(1, 5) <= Rect(1, 4)));
  out.put(StopPut);
}

main(stdout);
