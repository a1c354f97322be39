// bench: spawn. N processes (default 100,000) are started and park in
// `get`; once all are started each is sent one message and ends.
// Run: mpl run bench/workloads/spawn.mpl [N]
protocol Park = put Int, close;

process parked(neg<Park> c) {
  let _v = c.get;
}

[Park] spawnAll(Int n, [Park] acc) {
  if (n <= 0) {
    acc
  } else {
    Park c;
    parked(~c);
    spawnAll(n - 1, c : acc)
  }
}

void wakeAll([Park] cs) {
  switch cs {
    case []:
    case (c:rest):
      c.put(1);
      wakeAll(rest);
  }
}

process main(PutSeq<Char> out, Int n) {
  let cs = spawnAll(n, []);
  wakeAll(cs);
  writeLine(out, concat("woke: ", show(n)));
  out.put(StopPut);
}

main(stdout, unwrap(strToInt(args[0, ""]), 100000));
