// A deadlock the checker cannot see: channels sent over channels can close a
// cycle at run time. `a` sends `b` the other end of a new channel `x`, then
// waits on `x` before sending the Int that `b` waits for first.
protocol Reply = get Int, close;
protocol Setup = put neg<Reply>, put Int, close;

process a(Setup c) {
  Reply x;
  c.put(~x);
  let v = x.get;
  c.put(v);
}

process b(neg<Setup> c) {
  let y = c.get;
  let n = c.get;
  y.put(n);
}

a(k);
b(~k);
