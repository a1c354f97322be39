// Forgot the `}` that closes a `switch` in the middle of a file.
protocol Counter = put Inc: loop | put Stop: close;

process count(neg<Counter> c, Int n, PutSeq<Char> out) {
  switch (c.get) {
    case Inc:
      count(c, n + 1, out);
    case Stop:
      c.close();
      writeLine(out, show(n));
      out.put(StopPut);
      out.close();
}

process drive(Counter c) {
  c.put(Inc);
  c.put(Stop);
  c.close();
}

count(~k, 0, stdout);
drive(k);
