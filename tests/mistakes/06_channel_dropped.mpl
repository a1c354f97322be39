// Forgot to end the output's protocol before the process ends.
process main(PutSeq<Char> out) {
  writeLine(out, "hello");
}
main(stdout);
