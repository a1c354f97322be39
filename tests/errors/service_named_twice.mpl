// stdout is one channel: it can be given to one process only.
process p(PutSeq<Char> out) { out.put(StopPut); }
p(stdout);
p(stdout);
