// Integer division by zero stops the program with a diagnostic (exit 1).
// The divisor is computed at run time so that no checker can fold it.
process main(PutSeq<Char> out) {
  writeLine(out, "before");
  let zero = length(tail([1]));
  writeLine(out, show(10 / zero));
  writeLine(out, "not reached");
  out.put(StopPut);
}

main(stdout);
