// Both ends of the new channel go to one process.
protocol Ping = put Int, close;

process both(Ping a, neg<Ping> b) {
  a.put(1);
  a.close();
  let n = b.get;
  b.close();
}

both(c, ~c);
