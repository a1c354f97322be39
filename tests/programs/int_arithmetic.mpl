// 64-bit Int arithmetic. Division truncates toward zero and the remainder
// has the sign of the dividend (as in C, Java and Rust).
process main(PutSeq<Char> out) {
  writeLine(out, show(7 + 5));
  writeLine(out, show(7 - 12));
  writeLine(out, show(6 * 7));
  writeLine(out, show(17 / 5));
  writeLine(out, show(17 % 5));
  writeLine(out, show(-17 / 5));
  writeLine(out, show(-17 % 5));
  writeLine(out, show(17 / -5));
  writeLine(out, show(17 % -5));
  writeLine(out, show(0 / 3));
  writeLine(out, show(9223372036854775807));
  writeLine(out, show(-9223372036854775807 - 1));
  writeLine(out, show(1000000 * 1000000));
  writeLine(out, show(-(3 - 10)));
  writeLine(out, show(- -4));
  writeLine(out, show(2 * 3 + 4 * 5));
  out.put(StopPut);
}

main(stdout);
