// Channels inside tuples, Maybe, user data and lists: such values are
// linear (used exactly once). Functions start processes and return the
// channel to them inside their result; a generic function over `#a`
// moves channels around.
protocol Cell = get Int, close;

data Slot = Slot(String, Cell);

process cell(neg<Cell> c, Int v) {
  c.put(v);
}

(Cell, Int) startCell(Int v) {
  Cell c;
  cell(~c, v);
  (c, v * 10)
}

Maybe<Cell> maybeCell(Int v) {
  if (v > 0) {
    Cell c;
    cell(~c, v);
    Just(c)
  } else {
    Nothing
  }
}

Slot makeSlot(String name, Int v) {
  Cell c;
  cell(~c, v);
  Slot(name, c)
}

// `#a` and `#b` promise linear use, so channels may instantiate them.
(#b, #a) swapLinear((#a, #b) pair) {
  let (x, y) = pair;
  (y, x)
}

Cell cellOf(Int v) {
  Cell c;
  cell(~c, v);
  c
}

void drainSlots(PutSeq<Char> out, [Slot] slots) {
  switch slots {
    case []:
    case (Slot(name, c):rest):
      writeLine(out, concat(name, concat("=", show(c.get))));
      drainSlots(out, rest);
  }
}

void printMaybe(PutSeq<Char> out, Maybe<Cell> m) {
  switch m {
    case Just(c):
      writeLine(out, show(c.get));
    case Nothing:
      writeLine(out, "none");
  }
}

process main(PutSeq<Char> out) {
  let (c, tag) = startCell(4);
  writeLine(out, show(tag));
  writeLine(out, show(c.get));
  printMaybe(out, maybeCell(5));
  printMaybe(out, maybeCell(0));
  let (p, q) = swapLinear((cellOf(1), cellOf(2)));
  writeLine(out, show((p.get, q.get)));
  drainSlots(out, [makeSlot("x", 1), makeSlot("y", 2), makeSlot("z", 3)]);
  out.put(StopPut);
}

main(stdout);
