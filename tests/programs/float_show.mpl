// Float arithmetic and `show` on floats: the shortest text that reads back
// to the same number, always with a `.` or an exponent.
process main(PutSeq<Char> out) {
  writeLine(out, show(2.0));
  writeLine(out, show(0.1 + 0.2));
  writeLine(out, show(1.5 * 4.0));
  writeLine(out, show(7.0 / 2.0));
  writeLine(out, show(1.0 / 3.0));
  writeLine(out, show(-0.25));
  writeLine(out, show(2.5e3));
  writeLine(out, show(100.0));
  writeLine(out, show(0.5 - 2.0));
  writeLine(out, show(1.0e300));
  writeLine(out, show(intToFloat(3)));
  writeLine(out, show(intToFloat(-12) / 8.0));
  writeLine(out, show(floatToInt(3.99)));
  writeLine(out, show(floatToInt(-3.99)));
  writeLine(out, show(2.0 < 3.0));
  writeLine(out, show(0.5 == 0.25 + 0.25));
  writeLine(out, show([1.5, 0.1]));
  out.put(StopPut);
}

main(stdout);
