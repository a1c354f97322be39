// The built-in conversions between Char, Byte, Int and Float, and the
// byte/string primitives (strings are encoded as UTF-8).
Func<Byte, Int> byteValue() {
  record Func<Byte, Int> {
    Int call(Byte b) { byteToInt(b) }
  }
}

process main(PutSeq<Char> out) {
  writeLine(out, show(charToInt('A')));
  writeLine(out, show(intToChar(97)));
  writeLine(out, show(charToInt('\u{3bb}')));
  writeLine(out, show(intToChar(charToInt('a') + 1)));
  writeLine(out, show(byteToInt(intToByte(200))));
  writeLine(out, show(byteToInt(intToByte(0))));
  writeLine(out, show(byteToInt(floatToByteClipped(300.5))));
  writeLine(out, show(byteToInt(floatToByteClipped(-4.0))));
  writeLine(out, show(byteToInt(floatToByteClipped(17.0))));
  writeLine(out, show(map(byteValue(), stringToBytes("AZ"))));
  writeLine(out, show(stringToBytes("Hi") == [intToByte(72), intToByte(105)]));
  writeLine(out, show(length(stringToBytes("\u{3bb}"))));
  writeLine(out, show(map(byteValue(), stringToBytes("\u{3bb}"))));
  writeLine(out, bytesToString(stringToBytes("round trip")));
  writeLine(out, bytesToString([intToByte(79), intToByte(75)]));
  writeLine(out, show('a' < 'b'));
  writeLine(out, show(intToByte(7) == intToByte(7)));
  writeLine(out, show(intToByte(7) < intToByte(9)));
  out.put(StopPut);
}

main(stdout);
