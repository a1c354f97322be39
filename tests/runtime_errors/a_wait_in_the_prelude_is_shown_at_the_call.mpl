// Input exhausted inside `readLine` is shown at the program's call.
process main(GetSeq<Char> inp, PutSeq<Char> out) {
  let line = readLine(inp);
  writeLine(out, line);
  inp.put(StopGet);
  out.put(StopPut);
}
main(stdin, stdout);
