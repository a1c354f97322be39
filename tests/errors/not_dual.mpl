// `:=` joins two ends whose protocols are not dual.
protocol A = put Int, close;
protocol B = put String, close;
process relay(neg<A> x, neg<B> y) {
  x := y;
}
process a(A c) { c.put(1); }
process b(B c) { c.put("s"); }
a(p);
b(q);
relay(~p, ~q);
