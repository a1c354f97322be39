// W0003: a function and a process of the file that nothing uses (a call
// from its own body does not count).
Int countDown(Int n) { if (n <= 0) { 0 } else { countDown(n - 1) } }
process idle(PutSeq<Char> out) { out.put(StopPut); }
process main(PutSeq<Char> out) { out.put(StopPut); }
main(stdout);
