// Ended the process with `halt` while a channel is still open.
process main(PutSeq<Char> out) {
  writeLine(out, "bye");
  halt;
}
main(stdout);
