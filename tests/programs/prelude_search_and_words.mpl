// The prelude's indexOf, indexOfPart and words (LANGUAGE.md section 10
// lists the helpers; these three are documented in docs/decisions.md).
process main(PutSeq<Char> out) {
  writeLine(out, show([indexOf("hello", 'l'), indexOf("hello", 'z'), indexOf("", 'a')]));
  writeLine(out, show([indexOf([3, 1, 4], 4), indexOf([1.5], 1.5)]));
  writeLine(out, show([indexOfPart("ab\r\n\r\nbody", "\r\n\r\n"), indexOfPart("abc", ""), indexOfPart("abc", "abcd"), indexOfPart("aab", "ab")]));
  writeLine(out, show(indexOfPart(stringToBytes("GET / HTTP/1.1\n\nrest"), stringToBytes("\n\n"))));
  writeLine(out, show(words("  to be,\tor not\r\nto be  ")));
  writeLine(out, show([words(""), words(" \t\r\n")]));
  writeLine(out, show(length(words('a' : (' ' : "b c")))));
  out.put(StopPut);
}

main(stdout);
