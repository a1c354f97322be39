// Declared channels: `channel x;` (protocol read off the parameter `~x` is
// given to) and typed `P x;`. The declaring process gives one end to a
// process and keeps the other: `x` has protocol P, `~x` has neg<P>, so to
// keep the serving side a process declares `neg<P> x;` and gives away `~x`.
protocol Query = put Int, get String, close;

process answerer(neg<Query> q) {
  let n = q.get;
  q.put(concat("got ", show(n)));
}

process asker(Query q, Int n) {
  q.put(n);
  let reply = q.get;
}

process main(PutSeq<Char> out) {
  channel a;
  answerer(~a);
  a.put(1);
  writeLine(out, a.get);
  Query b;
  answerer(~b);
  b.put(2);
  writeLine(out, b.get);
  neg<Query> d;
  asker(~d, 7);
  let n = d.get;
  d.put("answered");
  writeLine(out, concat("asked ", show(n)));
  out.put(StopPut);
}

main(stdout);
