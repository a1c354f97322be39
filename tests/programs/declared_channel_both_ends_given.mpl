// A declared channel whose two ends both go to processes: the declaration
// names the channel; it is not also an implicit channel.
protocol P = put Int, close;

process sink(neg<P> c, PutSeq<Char> out) {
  writeLine(out, show(c.get));
  out.put(StopPut);
}

process src(P c) { c.put(41 + 1); }

process a(PutSeq<Char> out) {
  P d;
  sink(~d, out);
  src(d);
}

a(stdout);
