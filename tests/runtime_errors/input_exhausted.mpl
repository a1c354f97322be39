// A process that waits on stdin after the end of input: reported like a
// deadlock, but as "input exhausted", with exit code 3. The .stdin file
// has one line; the program asks for three.
process main(GetSeq<Char> input, PutSeq<Char> out) {
  writeLine(out, readLine(input));
  writeLine(out, readLine(input));
  writeLine(out, readLine(input));
  input.put(StopGet);
  out.put(StopPut);
}

main(stdin, stdout);
