// A String is exactly [Char]: cons patterns, `:` and `++` on strings, list
// helpers on strings, string literal patterns, and show of a [Char].
Int countChar(String s, Char c) {
  switch s {
    case []: 0
    case (x:rest):
      if (x == c) { 1 + countChar(rest, c) } else { countChar(rest, c) }
  }
}

String greet(String who) {
  switch who {
    case "": "nobody"
    case "world": "hello, world"
    case _: concat("hi, ", who)
  }
}

Func<Char, Char> nextChar() {
  record Func<Char, Char> {
    Char call(Char c) { intToChar(charToInt(c) + 1) }
  }
}

process main(PutSeq<Char> out) {
  let s = "hello";
  writeLine(out, show(length(s)));
  switch s {
    case (c:rest):
      writeLine(out, show(c));
      writeLine(out, rest);
    case []:
      writeLine(out, "empty");
  }
  writeLine(out, show('h' : "ey"));
  writeLine(out, 'w' : "orld");
  writeLine(out, show(s == ['h', 'e', 'l', 'l', 'o']));
  writeLine(out, show(reverse(s)));
  writeLine(out, show(countChar(s, 'l')));
  writeLine(out, s ++ ", " ++ "world");
  writeLine(out, show(['a', 'b']));
  writeLine(out, show(take(3, "abcdef")));
  writeLine(out, greet(""));
  writeLine(out, greet("world"));
  writeLine(out, greet("Ada"));
  writeLine(out, show(head("xyz")));
  writeLine(out, map(nextChar(), "HAL"));
  out.put(StopPut);
}

main(stdout);
