// A list of literals is made once when the program is compiled, but a
// conversion in it that fails is not folded: it fails when it runs, at
// its place, after what came before was printed (exit 1).
process main(PutSeq<Char> out) {
  writeLine(out, "before");
  writeLine(out, show([intToByte(10), intToByte(300)]));
  writeLine(out, "not reached");
  out.put(StopPut);
}

main(stdout);
