// Patterns: literals of every kind, nested constructors, tuples inside
// lists, cons with literal heads, wildcards, and first-match order.
data Op = Add | Mul | Neg;
data Expr = Lit(Int) | Bin(Op, Expr, Expr) | Un(Op, Expr);

Int eval(Expr e) {
  switch e {
    case Lit(n): n
    case Bin(Add, a, b): eval(a) + eval(b)
    case Bin(Mul, Lit(0), _): 0
    case Bin(Mul, a, b): eval(a) * eval(b)
    case Bin(Neg, _, _): 0
    case Un(Neg, a): -eval(a)
    case Un(_, a): eval(a)
  }
}

String charKind(Char c) {
  switch c {
    case ' ': "space"
    case '\n': "newline"
    case 'x': "the letter x"
    case _: "other"
  }
}

String firstPair([(Int, String)] xs) {
  switch xs {
    case []: "no pairs"
    case ((0, _):_): "starts with zero"
    case ((n, s):_): concat(s, show(n))
  }
}

String command(String line) {
  switch line {
    case ('#':_): "comment"
    case ('g':'o':' ':rest): concat("go to ", rest)
    case "quit": "bye"
    case _: "unknown"
  }
}

String floaty(Float f) {
  switch f {
    case 0.0: "zero"
    case _: "nonzero"
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(eval(Bin(Add, Lit(2), Bin(Mul, Lit(3), Lit(4))))));
  writeLine(out, show(eval(Bin(Mul, Lit(0), Un(Neg, Lit(9))))));
  writeLine(out, show(eval(Un(Neg, Bin(Add, Lit(1), Lit(1))))));
  writeLine(out, charKind(' '));
  writeLine(out, charKind('\n'));
  writeLine(out, charKind('x'));
  writeLine(out, charKind('y'));
  writeLine(out, firstPair([]));
  writeLine(out, firstPair([(0, "a")]));
  writeLine(out, firstPair([(5, "b"), (0, "c")]));
  writeLine(out, command("# note"));
  writeLine(out, command("go north"));
  writeLine(out, command("quit"));
  writeLine(out, command("quit!"));
  writeLine(out, floaty(0.0));
  writeLine(out, floaty(0.5));
  out.put(StopPut);
}

main(stdout);
