// Put a whole string on a channel that takes one character at a time.
process main(PutSeq<Char> out) {
  out.put(Put).put("hello");
  out.put(StopPut);
  out.close();
}
main(stdout);
