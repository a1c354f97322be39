// An unknown protocol name is reported once per place it is written, and
// nothing else: what the code does with the channels is not checked
// against `neg<?>` (a misspelt protocol is one mistake, not five).
process server(neg<Lookup> c) {
  switch (c.get) {
    case Ask: c.put(42);
    case Stop:
  }
}
process client(Lookup c, PutSeq<Char> out) {
  c.put(Ask);
  writeLine(out, show(c.get));
  c.put(Stop);
  out.put(StopPut);
}
server(~k);
client(k, stdout);
