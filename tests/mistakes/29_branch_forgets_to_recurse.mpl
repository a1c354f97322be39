// One branch of the loop forgets to call the process again.
protocol Counter = put Inc: loop | put Stop: close;

process count(neg<Counter> c, Int n, PutSeq<Char> out) {
  switch (c.get) {
    case Inc:
      writeLine(out, show(n + 1));
    case Stop:
      c.close();
      out.put(StopPut);
      out.close();
  }
}

process drive(Counter c) {
  c.put(Inc);
  c.put(Stop);
  c.close();
}

count(~k, 0, stdout);
drive(k);
