// Sent the text of the number instead of the number.
protocol Ask = put Int, get Int, close;

process client(Ask server) {
  server.put("21");
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
