// Both ends of `c` go to one process: that cause is reported before the open channel after it.
protocol Ping = put Int, get Int, close;
process echo(neg<Ping> a, Ping b, PutSeq<Char> out) {
  let n = a.get;
  b.put(n);
  let m = b.get;
  a.put(m);
  writeLine(out, show(m));
}
echo(~c, c, stdout);
