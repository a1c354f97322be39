// Wrote the arguments in the wrong order.
String greet(Int times, String name) { concat(name, show(times)) }

process main(PutSeq<Char> out) {
  writeLine(out, greet("Ann", 3));
  out.put(StopPut);
  out.close();
}
main(stdout);
