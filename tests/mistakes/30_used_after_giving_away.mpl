// Kept using a channel after handing it to another process.
process shout(PutSeq<Char> out) {
  writeLine(out, "hello");
  out.put(StopPut);
  out.close();
}
process main(PutSeq<Char> out) {
  shout(out);
  writeLine(out, "bye");
}
main(stdout);
