// A channel given to a process cannot be used again.
protocol Ping = put Int, close;
process sink(neg<Ping> c) { let x = c.get; }
process source(Ping c) { c.put(1); }
process main(Ping c) {
  source(c);
  c.put(2);
}
sink(~p);
main(p);
