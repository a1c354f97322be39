// intToByte outside 0..=255 is a runtime error (exit 1); the message names
// the allowed range.
process main(PutSeq<Char> out) {
  let n = 200 + length([1, 2, 3]) * 20;
  writeLine(out, show(n));
  writeLine(out, show(byteToInt(intToByte(n))));
  out.put(StopPut);
}

main(stdout);
