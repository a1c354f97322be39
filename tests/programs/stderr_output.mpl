// Output to stderr goes through its own PutSeq<Char>; only stdout is
// compared by the test runner.
process main(PutSeq<Char> out, PutSeq<Char> err) {
  writeLine(err, "this goes to stderr");
  writeLine(out, "this goes to stdout");
  writeLine(err, "more for stderr");
  err.put(StopPut);
  writeLine(out, "done");
  out.put(StopPut);
}

main(stdout, stderr);
