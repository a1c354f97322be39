// Typed bindings `Type name = expr;`, for every kind of type, next to
// `let`; an empty list shows following its static type.
process main(PutSeq<Char> out) {
  Int typed = 5;
  String s = "typed";
  Char c = 'z';
  Float f = 1.5;
  Bool yes = true;
  Maybe<Int> m = Just(3);
  [Int] xs = [1, 2];
  (Int, Bool) pair = (7, false);
  [String] none = [];
  String blank = "";
  Maybe<Maybe<Int>> mm = Just(Nothing);
  writeLine(out, show(typed + 1));
  writeLine(out, s);
  writeLine(out, show(c));
  writeLine(out, show(f));
  writeLine(out, show(yes));
  writeLine(out, show(m));
  writeLine(out, show(xs));
  writeLine(out, show(pair));
  writeLine(out, show(none));
  writeLine(out, show(blank));
  writeLine(out, show(mm));
  out.put(StopPut);
}

main(stdout);
