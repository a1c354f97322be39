// Operator precedence, low to high: || ; && ; == != < <= > >= ; : ++ ;
// | ^ & ; << >> ; + - ; * / % ; unary - ! ; postfix. Note that comparisons
// bind more loosely than the bit operators (unlike C).
process main(PutSeq<Char> out) {
  writeLine(out, show(1 + 2 * 3));
  writeLine(out, show((1 + 2) * 3));
  writeLine(out, show(10 - 4 - 3));
  writeLine(out, show(100 / 10 / 5));
  writeLine(out, show(2 + 3 << 1));
  writeLine(out, show(1 << 2 + 1));
  writeLine(out, show(8 >> 1 + 1));
  writeLine(out, show(6 & 3 + 1));
  writeLine(out, show(1 << 3 | 1));
  writeLine(out, show(1 | 6 == 7));
  writeLine(out, show(true || true && false));
  writeLine(out, show(!false && false));
  writeLine(out, show(!(1 > 2)));
  writeLine(out, show(-2 * 3));
  writeLine(out, show(-2 + 3));
  writeLine(out, show(2 * -3));
  writeLine(out, show(-(2 + 3) * 2));
  writeLine(out, show(7 - 2 * 3 % 4));
  writeLine(out, show(1 + 2 < 4));
  writeLine(out, show(2 + 3 == 5 && 1 < 2));
  writeLine(out, show(1 : 2 : [3]));
  writeLine(out, show(1 + 1 : [5]));
  writeLine(out, show(0 : [1] ++ [2]));
  writeLine(out, show([1] ++ [2] ++ [3]));
  writeLine(out, show(3 + 4 : [] == [7]));
  out.put(StopPut);
}

main(stdout);
