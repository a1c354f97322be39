// Closed the channel, then kept writing to it.
process main(PutSeq<Char> out) {
  out.put(StopPut);
  out.close();
  writeLine(out, "done");
}
main(stdout);
