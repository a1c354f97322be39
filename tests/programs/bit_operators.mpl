// Bitwise and, or, xor and shifts on Int (>> is an arithmetic shift).
process main(PutSeq<Char> out) {
  writeLine(out, show(12 & 10));
  writeLine(out, show(12 | 10));
  writeLine(out, show(12 ^ 10));
  writeLine(out, show(1 << 10));
  writeLine(out, show(1024 >> 3));
  writeLine(out, show(-16 >> 2));
  writeLine(out, show(0xF0 | 0x0F));
  writeLine(out, show((5 & 3) ^ (5 | 3)));
  writeLine(out, show(1 << 62));
  writeLine(out, show(-1 & 255));
  writeLine(out, show(255 ^ 0xFF));
  writeLine(out, show((1 << 40) >> 38));
  writeLine(out, show(6 ^ 6 == 0));
  out.put(StopPut);
}

main(stdout);
