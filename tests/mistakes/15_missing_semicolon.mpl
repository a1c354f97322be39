// Forgot a `;` between two statements.
process main(PutSeq<Char> out) {
  writeLine(out, "hello")
  out.put(StopPut);
  out.close();
}
main(stdout);
