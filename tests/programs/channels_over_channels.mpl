// Channels sent over channels: a hub starts a greeter and sends the client
// its end; main passes one such end on to a worker, which uses it and
// reports back.
protocol Greeter = put String, get String, close;
protocol Hub = get Greeter, close;
protocol Job = put Greeter, get String, close;

process greeter(neg<Greeter> g) {
  let name = g.get;
  g.put(concat("hello, ", name));
}

process hub(neg<Hub> h) {
  Greeter g;
  greeter(~g);
  h.put(g);
}

process worker(neg<Job> j) {
  let g = j.get;
  g.put("worker");
  j.put(concat(g.get, "!"));
}

process main(Hub h1, Hub h2, Job j, PutSeq<Char> out) {
  let g = h1.get;
  g.put("world");
  writeLine(out, g.get);
  let g2 = h2.get;
  j.put(g2);
  writeLine(out, j.get);
  out.put(StopPut);
}

hub(~h1);
hub(~h2);
worker(~j);
main(h1, h2, j, stdout);
