// Forgot the `~` on one of the two uses of a new channel.
protocol Counter = put Inc: loop | put Stop: close;

process count(neg<Counter> c) {
  switch (c.get) {
    case Inc: count(c);
    case Stop: c.close();
  }
}

process drive(Counter c) {
  c.put(Inc);
  c.put(Stop);
  c.close();
}

count(k);
drive(k);
