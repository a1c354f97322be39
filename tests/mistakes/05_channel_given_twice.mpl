// Gave the same channel to two processes (a channel cannot be copied).
process shout(PutSeq<Char> out) {
  writeLine(out, "hello");
  out.put(StopPut);
  out.close();
}
process main(PutSeq<Char> out) {
  shout(out);
  shout(out);
}
main(stdout);
