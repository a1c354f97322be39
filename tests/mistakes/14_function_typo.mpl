// Misspelt a prelude function.
process main(PutSeq<Char> out) {
  writeLin(out, "hello");
  out.put(StopPut);
  out.close();
}
main(stdout);
