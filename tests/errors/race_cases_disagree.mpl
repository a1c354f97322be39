// Each case of a `race` starts from the states before it, like the cases
// of a `switch`, and all must leave the channels they share alike.
protocol Two = put Int, put Int, close;

process both(neg<Two> a, neg<Two> b, PutSeq<Char> out) {
  race {
    case a:
      let x = a.get;
      writeLine(out, show(x));
    case b:
      let y = b.get;
      writeLine(out, show(y));
  }
  out.put(StopPut);
}
