// The process ends while its channel still expects a String.
protocol Greeting = get String, close;
process greeter(neg<Greeting> c) {
  let unused = 1;
}
process listener(Greeting c) { let s = c.get; }
greeter(~g);
listener(g);
