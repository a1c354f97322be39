// The protocol says this end receives first, but it sends.
protocol Ask = put Int, get Int, close;
process server(neg<Ask> c) {
  c.put(1);
}
process client(Ask c) { c.put(5); let x = c.get; }
server(~a);
client(a);
