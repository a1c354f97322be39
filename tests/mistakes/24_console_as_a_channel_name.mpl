// Passed `console` (the line-level service) where a character stream is expected.
process greet(PutSeq<Char> console) {
  writeLine(console, "hello");
  console.put(StopPut);
  console.close();
}
greet(console);
