// After the channel is finished, its name is reused for a number.
protocol Ask = put Int, get Int, close;
process client(Ask server, PutSeq<Char> out) {
  server.put(20);
  let answer = server.get;
  server.close();
  let server = answer + 1;
  writeLine(out, show(server));
  out.put(StopPut);
  out.close();
}
process doubler(neg<Ask> c) { let n = c.get; c.put(n * 2); c.close(); }
client(s, stdout);
doubler(~s);
