// unwrap may drop its default, so it cannot take channels.
protocol Ping = put Int, close;
process sink(neg<Ping> c) { let x = c.get; }
process main(Ping a, Ping b) {
  let kept = unwrap(Just(a), b);
  kept.put(1);
}
sink(~x);
sink(~y);
main(x, y);
