// Three processes wired in a ring.
protocol Ping = put Int, close;

process relay(neg<Ping> from, Ping to) {
  let n = from.get;
  from.close();
  to.put(n);
  to.close();
}

relay(~a, b);
relay(~b, c);
relay(~c, a);
