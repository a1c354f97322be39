// A misspelt prelude function: the message suggests it, and the channel
// passed to it is not reported as given away.
process main(PutSeq<Char> out) {
  writeLin(out, "hello");
  out.put(StopPut);
}
main(stdout);
