// Forgot to handle the `Stop` label of the choice.
protocol Counter = put Inc: loop | put Stop: close;

process count(neg<Counter> c, Int n) {
  switch (c.get) {
    case Inc: count(c, n + 1);
  }
}

process drive(Counter c) {
  c.put(Inc);
  c.put(Stop);
  c.close();
}

count(~k, 0);
drive(k);
