// Tried to choose a label that the other side chooses.
protocol Counter = put Inc: loop | put Stop: close;

process count(neg<Counter> c) {
  c.put(Stop);
  c.close();
}

process drive(Counter c) {
  c.put(Stop);
  c.close();
}

count(~k);
drive(k);
