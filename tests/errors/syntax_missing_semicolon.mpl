// A statement without its semicolon.
process main(PutSeq<Char> out) {
  writeLine(out, "hi")
  out.put(StopPut);
}
main(stdout);
