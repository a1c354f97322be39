// A Maybe holding a channel is never used.
protocol Ping = put Int, close;
process sink(neg<Ping> c) { let x = c.get; }
process main(Ping a) {
  let kept = Just(a);
}
sink(~x);
main(x);
