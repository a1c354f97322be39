// W0001: a file that declares a process and starts none runs and prints
// nothing; the warning says how to start it.
process main(PutSeq<Char> out) {
  writeLine(out, "hello");
  out.put(StopPut);
}
