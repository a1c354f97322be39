// Wrote a number where text is needed.
process main(PutSeq<Char> out) {
  writeLine(out, 6 * 7);
  out.put(StopPut);
  out.close();
}
main(stdout);
