// A misspelt label: the message suggests the protocol's label, and the
// label it stands for is not reported missing as well.
protocol Counter = put Inc: loop | put Stop: close;
process count(neg<Counter> c, Int n) {
  switch (c.get) {
    case Incr: count(c, n + 1);
    case Stop:
  }
}
process stopper(Counter k) { k.put(Stop); }
count(~k, 0);
stopper(k);
