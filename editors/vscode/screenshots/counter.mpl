/// A counter: the client says Inc any number of times, then Stop.
protocol Counter = put Inc: loop | put Stop: get Int, close;

/// Counts the Incs and sends the total back at Stop.
process count(neg<Counter> k, Int n) {
  switch (k.get) {
    case Inc: count(k, n + 1);
    case Stop: k.put(n); k.close();
  }
}

process drive(Counter c, PutSeq<Char> out) {
  c.put(Inc);
  c.put(Inc);
  c.put(Stop);
  writeLine(out, show(c.get));
  c.close();
  out.put(StopPut);
}

count(~c, 0);
drive(c, stdout);
