// neg<P>, the dual protocol: in parameters, as a whole protocol body
// (`Pong = neg<Ping>`), inside a protocol (`neg<(put Int, close)>`), and
// doubled (`neg<neg<Ping>>` is Ping). Labels swap direction too.
protocol Ping = put Int, get Int, close;
protocol Pong = neg<Ping>;
protocol Swap = put Int, neg<(put Int, close)>;
protocol Menu = put Tea: get String, close
              | put Coffee: get String, close;

process ponger(Pong p) {
  let n = p.get;
  p.put(n * 3);
}

process swapper(neg<Swap> s) {
  let n = s.get;
  s.put(n + 1);
}

process waiter(neg<Menu> m) {
  switch (m.get) {
    case Tea: m.put("green tea");
    case Coffee: m.put("espresso");
  }
}

process main(neg<neg<Ping>> p, Swap s, Menu m, PutSeq<Char> out) {
  p.put(5);
  writeLine(out, show(p.get));
  s.put(10);
  writeLine(out, show(s.get));
  m.put(Coffee);
  writeLine(out, m.get);
  out.put(StopPut);
}

ponger(~a);
swapper(~b);
waiter(~c);
main(a, b, c, stdout);
