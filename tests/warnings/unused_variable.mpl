// W0002: a `let` whose name is never used; `_` names are not reported.
process main(PutSeq<Char> out) {
  let total = 40 + 2;
  let (first, _second) = (1, 2);
  writeLine(out, show(first));
  out.put(StopPut);
}
main(stdout);
