// A runtime report lists the calls that led to the failure.
Int average([Int] xs, Int n) { sum(xs) / n }
Int report(Int n) { 1 + average([1, 2, 3], n) }
process main(PutSeq<Char> out) {
  writeLine(out, show(report(0)));
  out.put(StopPut);
}
main(stdout);
