// The channel has reached close, and is used again.
protocol Once = put Int, close;
process sender(Once c) {
  c.put(1);
  c.put(2);
}
process receiver(neg<Once> c) { let x = c.get; }
sender(~k);
receiver(k);
