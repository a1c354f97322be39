// Misspelt a label of the protocol.
protocol Counter = put Inc: loop | put Stop: close;

process drive(Counter c) {
  c.put(Incr);
  c.put(Stop);
  c.close();
}

process count(neg<Counter> c) {
  switch (c.get) {
    case Inc: count(c);
    case Stop: c.close();
  }
}

drive(k);
count(~k);
