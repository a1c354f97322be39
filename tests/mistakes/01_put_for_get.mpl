// Meant to read the number the server sends, but wrote `put`.
protocol Ask = put Int, get Int, close;

process client(Ask server, PutSeq<Char> out) {
  server.put(1);
  server.put(2);
  server.close();
  out.put(StopPut);
  out.close();
}

process doubler(neg<Ask> c) {
  let n = c.get;
  c.put(n * 2);
  c.close();
}

client(s, stdout);
doubler(~s);
