// A million-deep user data value is built, walked and dropped without
// overflowing any stack (dropping nests as deep as the value).
data Chain = End | Link(Int, Chain);
Chain build(Int n, Chain acc) { if (n <= 0) { acc } else { build(n - 1, Link(n, acc)) } }
Int size(Chain c, Int acc) { switch c { case End: acc case Link(_, rest): size(rest, acc + 1) } }
process main(PutSeq<Char> out) {
  writeLine(out, show(size(build(1000000, End), 0)));
  out.put(StopPut);
}
main(stdout);
