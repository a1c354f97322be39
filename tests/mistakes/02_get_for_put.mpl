// Meant to send the request first, but read instead.
protocol Ask = put Int, get Int, close;

process client(Ask server) {
  let answer = server.get;
  server.close();
}

process doubler(neg<Ask> c) {
  let n = c.get;
  c.put(n * 2);
  c.close();
}

client(s);
doubler(~s);
