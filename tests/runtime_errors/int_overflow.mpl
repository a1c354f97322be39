// Int overflow is a runtime error (exit 1), never a silent wrap-around.
process main(PutSeq<Char> out) {
  let big = 9223372036854775807 - length(tail([1]));
  writeLine(out, show(big));
  writeLine(out, show(big + length([1])));
  out.put(StopPut);
}

main(stdout);
