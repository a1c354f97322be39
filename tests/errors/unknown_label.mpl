// A label the channel's protocol does not offer.
protocol Counter = put Incr: get Int, loop | put Done: close;
process user(Counter c) {
  c.put(Reset);
}
process counter(neg<Counter> c) {
  switch (c.get) {
    case Incr: c.put(1); counter(c);
    case Done:
  }
}
counter(~k);
user(k);
