// bulkPut on a channel whose reader is a process: each item is its own
// message (the runtime sends a whole text at once only to a reader that
// takes runs, like stdout), so the reader sees chars.

process reader(neg<PutSeq<Char>> items, PutSeq<Char> out) {
  switch (items.get) {
    case Put:
      let c = items.get;
      writeLine(out, show(c));
      reader(items, out);
    case StopPut:
      writeLine(out, "end");
      out.put(StopPut);
  }
}

process writer(PutSeq<Char> items) {
  bulkPut(items, "ab");
  bulkPut(items, ['c']);
  bulkPut(items, "");
  writeLine(items, "d");
  items.put(StopPut);
}

PutSeq<Char> items;
writer(items);
reader(~items, stdout);
