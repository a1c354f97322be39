// A process that declares a channel and uses both of its ends itself
// waits for itself: `get` on one end needs a `put` on the other first.
protocol Msg = get Int, close;
process main(PutSeq<Char> out) {
  Msg m;
  let x = m.get;
  (~m).put(1);
  writeLine(out, show(x));
  out.put(StopPut);
}
main(stdout);
