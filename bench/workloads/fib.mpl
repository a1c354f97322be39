// bench: fib. Naive doubly recursive fib(N) (default 30).
// Run: mpl run bench/workloads/fib.mpl [N]
Int fib(Int n) {
  if (n < 2) { n } else { fib(n - 1) + fib(n - 2) }
}

process main(PutSeq<Char> out, Int n) {
  writeLine(out, show(fib(n)));
  out.put(StopPut);
}

main(stdout, unwrap(strToInt(args[0, ""]), 30));
