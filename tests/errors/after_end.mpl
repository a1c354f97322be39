// Nothing may follow halt.
process p(PutSeq<Char> out) {
  out.put(StopPut);
  halt;
  out.put(Put);
}
p(stdout);
