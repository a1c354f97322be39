// Ends sent over a channel leave the declaring process: `main` keeps
// neither `~x` nor `~y`, so `pinger` is not joined to it twice.
protocol Ping = put Int, close;
protocol Carrier = put neg<Ping>, put neg<Ping>, close;

process pinger(Ping a, Ping b) {
  a.put(1);
  b.put(2);
}

process main(Carrier c) {
  Ping x;
  Ping y;
  c.put(~x).put(~y);
  pinger(x, y);
}

process sink(neg<Carrier> c, PutSeq<Char> out) {
  let p = c.get;
  let q = c.get;
  writeLine(out, show(p.get + q.get));
  out.put(StopPut);
}

main(k);
sink(~k, stdout);
