// A program's own declaration hides the prelude's declaration of the same
// name, even with another signature: here `length` counts only the
// non-space characters of a String, `head` returns a String, and `Stream`
// (not in the prelude) is declared freely. The other prelude functions
// are unaffected.
codata Stream {
  Int now();
  Stream later();
}

Int length(String s) {
  switch s {
    case []: 0
    case (c:rest):
      if (c == ' ') { length(rest) } else { 1 + length(rest) }
  }
}

String head([String] words) {
  switch words {
    case []: "(none)"
    case (w:_): w
  }
}

Stream countFrom(Int n) {
  record Stream {
    Int now() { n }
    Stream later() { countFrom(n * 2) }
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(length("a b c")));
  writeLine(out, head(["first", "second"]));
  writeLine(out, head([]));
  writeLine(out, show(countFrom(3).later().later().now()));
  writeLine(out, show(reverse([1, 2, 3])));
  writeLine(out, show(last([1, 2, 3])));
  writeLine(out, show(split("x y", ' ')));
  writeLine(out, show(sum(range(0, 4))));
  out.put(StopPut);
}

main(stdout);
