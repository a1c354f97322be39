// Functions take channels: a lent channel comes back to the caller in the
// state the function left it in (here: the protocol's start), a function
// may use a channel up, or return it in its result.
protocol Acc = put Add: put Int, loop
             | put Total: get Int, loop
             | put Quit: close;

process accumulator(neg<Acc> c, Int sum) {
  switch (c.get) {
    case Add:
      let x = c.get;
      accumulator(c, sum + x);
    case Total:
      c.put(sum);
      accumulator(c, sum);
    case Quit:
  }
}

void addAll(Acc c, [Int] xs) {
  switch xs {
    case []:
    case (x:rest):
      c.put(Add).put(x);
      addAll(c, rest);
  }
}

Int askTotal(Acc c) {
  c.put(Total);
  c.get
}

void report(Acc c, PutSeq<Char> out) {
  writeLine(out, concat("total is ", show(askTotal(c))));
}

Acc addAndReturn(Acc c, Int x) {
  c.put(Add).put(x);
  c
}

void finish(Acc c, PutSeq<Char> out) {
  c.put(Quit);
  writeLine(out, "finished");
  out.put(StopPut);
}

process main(Acc c, PutSeq<Char> out) {
  addAll(c, [1, 2, 3]);
  writeLine(out, show(askTotal(c)));
  addAll(c, range(1, 11));
  writeLine(out, show(askTotal(c)));
  report(c, out);
  let c2 = addAndReturn(c, 100);
  report(c2, out);
  finish(c2, out);
}

accumulator(~acc, 0);
main(acc, stdout);
