// A failure inside a prelude function is reported at the program's own
// call that led to it, not inside the prelude.
Int big([Int] xs) { 1 + sum(xs) }
process main(PutSeq<Char> out) {
  writeLine(out, show(big([9223372036854775807, 1])));
  out.put(StopPut);
}
main(stdout);
