// Lists, tuples and constructors of literals (and of conversions of
// literals) are made once when the program is compiled; they must print
// and compare as when they were built at run time, and a conversion that
// fails still fails where it runs.

data Shape = Square(Int) | Rect(Int, Int) | Named(String, [Int]);

[Byte] crlf() { [intToByte(13), intToByte(10)] }

Int sumAll([Int] xs) {
  switch xs {
    case []: 0
    case (x:rest): x + sumAll(rest)
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(crlf()));
  writeLine(out, show(crlf() == stringToBytes("\r\n")));
  writeLine(out, show(['a', 'b', if (charToInt('c') == 99) { 'y' } else { 'n' }] == "ab" ++ ['y']));
  writeLine(out, show([(1, "one"), (2, "two")]));
  writeLine(out, show([Square(2), Rect(3, 4), Named("n", [1, 2, byteToInt(intToByte(255)) - 252])]));
  writeLine(out, show([[1, 2], [], [3]]));
  writeLine(out, show(sumAll([1, 2, 3, 4]) + sumAll([10, 20])));
  writeLine(out, show(["Sun", "Mon", "Tue"][1, "?"]));
  writeLine(out, show([intToFloat(1), 2.5]));
  writeLine(out, show([intToChar(72), intToChar(105)]));
  out.put(StopPut);
}

main(stdout);
